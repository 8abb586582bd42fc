// Invoice and credit note as a self-contained HTML page (inline CSS, inline SVG, no scripts),
// from the Handlebars templates in templates/<locale>/invoice.hbs.
import { readFileSync } from 'node:fs';
import Handlebars from 'handlebars';
import type { InvoiceDocument, Locale } from '../document.ts';
import { invoiceView } from './format.ts';
import { swishQrSvg } from './swish-qr.ts';

const TEMPLATES = new URL('../../../../templates/', import.meta.url);

const SWISH_LABEL: Record<Locale, string> = { sv: 'QR-kod för betalning med Swish', en: 'QR code for paying with Swish' };

// An isolated Handlebars environment, so partials and helpers registered elsewhere cannot leak in.
const handlebars = Handlebars.create();
handlebars.registerPartial('styles', readFileSync(new URL('invoice.css', TEMPLATES), 'utf8'));

const compiled = new Map<Locale, Handlebars.TemplateDelegate>();

function template(locale: Locale): Handlebars.TemplateDelegate {
  let t = compiled.get(locale);
  if (t === undefined) {
    // Strict: a misspelt field in a template throws instead of rendering as a blank.
    t = handlebars.compile(readFileSync(new URL(`${locale}/invoice.hbs`, TEMPLATES), 'utf8'), { strict: true });
    compiled.set(locale, t);
  }
  return t;
}

export function renderInvoiceHtml(doc: InvoiceDocument): string {
  const view = invoiceView(doc);
  const swish = view.payment?.swish ?? null;
  // The SVG is inserted unescaped ({{{swishSvg}}}): it is built here from digits and our own label.
  const swishSvg = swish === null ? null : swishQrSvg(swish.payload, SWISH_LABEL[doc.locale]);
  return template(doc.locale)({ ...view, swishSvg });
}
