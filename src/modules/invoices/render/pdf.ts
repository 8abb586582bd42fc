// Invoice and credit note as an A4 PDF, with the same content in the same order as the HTML
// (templates/<locale>/invoice.hbs): header, payment box, parties, lines, VAT and totals, terms.
// DejaVu Sans is embedded because PDFKit's built-in fonts cannot show '–', '−' or many
// non-Latin-1 characters, and an invoice must print exactly what was sold.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import PDFDocument from 'pdfkit';
import type { InvoiceDocument, Locale } from '../document.ts';
import { intlLocale, invoiceView, type InvoiceView, type PaymentView } from './format.ts';
import { swishQrPng } from './swish-qr.ts';

const require = createRequire(import.meta.url);
const REGULAR = 'DejaVuSans';
const BOLD = 'DejaVuSans-Bold';
const FONTS = {
  [REGULAR]: readFileSync(require.resolve('dejavu-fonts-ttf/ttf/DejaVuSans.ttf')),
  [BOLD]: readFileSync(require.resolve('dejavu-fonts-ttf/ttf/DejaVuSans-Bold.ttf')),
};

// A4 in points; the bottom margin leaves room for the page footer.
const PAGE = { width: 595.28, height: 841.89, margin: 48, bottom: 64 };
const LEFT = PAGE.margin;
const WIDTH = PAGE.width - 2 * PAGE.margin;
const RIGHT = LEFT + WIDTH;

const INK = '#1a1a1a';
const MUTED = '#4a4a4a';
const RULE = '#d0d4da';
const BOX_FILL = '#eef4fb';
const BOX_LINE = '#1f4e79';
const ALERT = '#9b1c1c';

// Headings and labels; they match the words in templates/<locale>/invoice.hbs.
const LABELS = {
  sv: {
    number: 'Fakturanummer',
    creditNumber: 'Kreditfakturanummer',
    issueDate: 'Fakturadatum',
    creditIssueDate: 'Kreditfakturadatum',
    dueDate: 'Förfallodag',
    period: 'Period',
    credits: 'Krediterar faktura',
    creditedRemaining: 'Kvar att betala på faktura',
    customerNumber: 'Kundnummer',
    amountToPay: 'Att betala',
    amountCredited: 'Krediterat belopp',
    bankgiro: 'Bankgiro',
    ocr: 'OCR-nummer',
    reference: 'Referens',
    payWithSwish: 'Betala med Swish',
    buyer: 'Köpare',
    seller: 'Säljare',
    vatNumber: 'Momsreg.nr',
    organisationNumber: 'Org.nr',
    email: 'E-post',
    phone: 'Telefon',
    registeredOffice: 'Styrelsens säte',
    items: 'Specifikation',
    description: 'Beskrivning',
    quantity: 'Antal',
    unitPrice: 'À-pris exkl. moms',
    vat: 'Moms',
    amount: 'Belopp exkl. moms',
    vatByRate: 'Moms per momssats',
    vatRate: 'Momssats',
    taxable: 'Underlag',
    subtotal: 'Summa exkl. moms',
    rounding: 'Öresavrundning',
    totalToPay: 'Summa att betala',
    totalCredit: 'Summa att kreditera',
    paid: 'Betalt',
    credited: 'Krediterat',
    remaining: 'Kvar att betala',
    note: 'Meddelande',
    page: (n: number, of: number) => `Sida ${n} av ${of}`,
  },
  en: {
    number: 'Invoice number',
    creditNumber: 'Credit note number',
    issueDate: 'Issue date',
    creditIssueDate: 'Credit note date',
    dueDate: 'Due date',
    period: 'Period',
    credits: 'Credits invoice',
    creditedRemaining: 'Remaining to pay on invoice',
    customerNumber: 'Customer number',
    amountToPay: 'Amount to pay',
    amountCredited: 'Amount credited',
    bankgiro: 'Bankgiro',
    ocr: 'OCR reference',
    reference: 'Reference',
    payWithSwish: 'Pay with Swish',
    buyer: 'Bill to',
    seller: 'From',
    vatNumber: 'VAT no.',
    organisationNumber: 'Org. no.',
    email: 'Email',
    phone: 'Phone',
    registeredOffice: 'Registered office',
    items: 'Items',
    description: 'Description',
    quantity: 'Qty',
    unitPrice: 'Unit price excl. VAT',
    vat: 'VAT',
    amount: 'Amount excl. VAT',
    vatByRate: 'VAT by rate',
    vatRate: 'VAT rate',
    taxable: 'Taxable amount',
    subtotal: 'Subtotal excl. VAT',
    rounding: 'Rounding',
    totalToPay: 'Total to pay',
    totalCredit: 'Total credit',
    paid: 'Paid',
    credited: 'Credited',
    remaining: 'Remaining to pay',
    note: 'Note',
    page: (n: number, of: number) => `Page ${n} of ${of}`,
  },
} satisfies Record<Locale, unknown>;

type Labels = (typeof LABELS)[Locale];

interface Style {
  bold?: boolean;
  size?: number;
  color?: string;
  align?: 'left' | 'right' | 'center';
}

const BODY = 9.5;
const SMALL = 8.5;

interface Ctx {
  pdf: PDFKit.PDFDocument;
  view: InvoiceView;
  l: Labels;
}

export async function renderInvoicePdf(doc: InvoiceDocument): Promise<Buffer> {
  const view = invoiceView(doc);
  const swish = view.payment?.swish ?? null;
  const qr = swish === null ? null : await swishQrPng(swish.payload);
  const pdf = new PDFDocument({
    size: 'A4',
    margins: { top: PAGE.margin, left: PAGE.margin, right: PAGE.margin, bottom: PAGE.bottom },
    bufferPages: true, // page footers ("page 1 of 3") are drawn once the page count is known
    lang: intlLocale(doc.locale),
    displayTitle: true,
    info: {
      Title: view.documentName,
      Author: view.seller.name,
      // From the issue date rather than the clock, so rendering the same invoice twice gives
      // the same bytes (PDFKit also derives the file ID from it). Drafts get the clock.
      ...(doc.issueDate === null ? {} : { CreationDate: new Date(`${doc.issueDate}T00:00:00Z`) }),
    },
  });
  for (const [name, data] of Object.entries(FONTS)) pdf.registerFont(name, data);
  const bytes = collect(pdf);

  const ctx: Ctx = { pdf, view, l: LABELS[doc.locale] };
  header(ctx);
  if (view.payment === null) creditBox(ctx);
  else paymentBox(ctx, view.payment, qr);
  parties(ctx);
  if (view.reverseCharge !== null) notice(ctx, view.reverseCharge);
  lines(ctx);
  sums(ctx);
  terms(ctx);
  footers(ctx);
  pdf.end();
  return bytes;
}

function collect(pdf: PDFKit.PDFDocument): Promise<Buffer> {
  const chunks: Buffer[] = [];
  return new Promise((resolve, reject) => {
    pdf.on('data', (chunk: Buffer) => chunks.push(chunk));
    pdf.on('end', () => resolve(Buffer.concat(chunks)));
    pdf.on('error', reject);
  });
}

// --- drawing helpers ---

function setStyle(pdf: PDFKit.PDFDocument, style: Style): void {
  pdf
    .font(style.bold === true ? BOLD : REGULAR)
    .fontSize(style.size ?? BODY)
    .fillColor(style.color ?? INK);
}

/** Draws `s` wrapped to `width` at (x, y) and returns the height used. */
function put(pdf: PDFKit.PDFDocument, s: string, x: number, y: number, width: number, style: Style = {}): number {
  setStyle(pdf, style);
  pdf.text(s, x, y, { width, align: style.align ?? 'left', lineGap: 1 });
  return pdf.y - y;
}

function measure(pdf: PDFKit.PDFDocument, s: string, width: number, style: Style = {}): number {
  setStyle(pdf, style);
  return pdf.heightOfString(s, { width, lineGap: 1 });
}

function rule(pdf: PDFKit.PDFDocument, y: number, from = LEFT, to = RIGHT, color = RULE, width = 0.75): void {
  pdf.moveTo(from, y).lineTo(to, y).lineWidth(width).strokeColor(color).stroke();
}

const bottom = (pdf: PDFKit.PDFDocument) => pdf.page.height - pdf.page.margins.bottom;

/** Starts a new page unless `height` more points fit on this one; returns where to draw. */
function ensure(pdf: PDFKit.PDFDocument, height: number): number {
  if (pdf.y + height > bottom(pdf)) pdf.addPage();
  return pdf.y;
}

function sectionTitle(pdf: PDFKit.PDFDocument, s: string, x: number, y: number, width: number, color = MUTED): number {
  return put(pdf, s.toLocaleUpperCase(), x, y, width, { bold: true, size: 8, color });
}

// --- sections, in the order of the HTML ---

function header({ pdf, view, l }: Ctx): void {
  const top = PAGE.margin;
  const half = WIDTH / 2;
  // The heading may reach further left than the meta below it: 'Kreditfaktura K2026-0007'
  // should stay on one line.
  const headingWidth = WIDTH * 0.6;
  let left = top;
  left += put(pdf, view.seller.name, LEFT, left, WIDTH - headingWidth - 12, { bold: true, size: 13 });
  for (const line of view.seller.addressLines) left += put(pdf, line, LEFT, left, half - 12, { color: MUTED });

  const x = LEFT + half;
  let right = top;
  const heading = view.number === null ? view.title : `${view.title} ${view.number}`;
  right += put(pdf, heading, RIGHT - headingWidth, right, headingWidth, { bold: true, size: 18, align: 'right' });
  if (view.status !== null) {
    setStyle(pdf, { bold: true, size: 10, color: ALERT });
    const w = pdf.widthOfString(view.status) + 12;
    pdf.rect(RIGHT - w, right + 4, w, 17).lineWidth(1.5).strokeColor(ALERT).stroke();
    put(pdf, view.status, RIGHT - w, right + 8, w, { bold: true, size: 10, color: ALERT, align: 'center' });
    right += 25;
  }
  right += 6;
  const meta: [string, string | null][] = [
    [view.isCreditNote ? l.creditNumber : l.number, view.number],
    [view.isCreditNote ? l.creditIssueDate : l.issueDate, view.issueDate],
    [l.dueDate, view.dueDate],
    [l.period, view.period],
    [l.credits, view.creditedInvoiceNumber],
  ];
  for (const [label, value] of meta) {
    if (value === null) continue;
    put(pdf, label, x + 24, right, 110, { color: MUTED });
    right += put(pdf, value, x + 134, right, half - 134, { bold: true, align: 'right' }) + 1;
  }
  pdf.y = Math.max(left, right) + 18;
}

const BOX_PAD = 14;
const QR_SIZE = 92;

function paymentBox({ pdf, l }: Ctx, payment: PaymentView, qr: Buffer | null): void {
  const rows = (
    [
      [l.dueDate, payment.dueDate],
      [l.bankgiro, payment.bankgiro],
      [l.ocr, payment.ocr],
      [l.reference, payment.reference],
    ] as const
  ).filter((row): row is readonly [string, string] => row[1] !== null);
  const textHeight = 14 + 30 + rows.length * 16 + (payment.collected === null ? 0 : 18);
  const qrHeight = qr === null ? 0 : QR_SIZE + 26;
  const height = Math.max(textHeight, qrHeight) + 2 * BOX_PAD;
  const top = ensure(pdf, height);
  pdf.roundedRect(LEFT, top, WIDTH, height, 6).lineWidth(1.5).fillAndStroke(BOX_FILL, BOX_LINE);

  const x = LEFT + BOX_PAD;
  let y = top + BOX_PAD;
  y += sectionTitle(pdf, l.amountToPay, x, y, 250, BOX_LINE) + 2;
  y += put(pdf, payment.amount, x, y, 300, { bold: true, size: 22 }) + 6;
  if (payment.collected !== null) y += put(pdf, payment.collected, x, y, WIDTH - 2 * BOX_PAD, { size: 10 }) + 4;
  for (const [label, value] of rows) {
    put(pdf, label, x, y, 100, { size: 10, color: MUTED });
    y += put(pdf, value, x + 104, y, 220, { bold: true, size: 10 }) + 2;
  }
  if (qr !== null && payment.swish !== null) {
    const qx = RIGHT - BOX_PAD - QR_SIZE;
    pdf.image(qr, qx, top + BOX_PAD, { width: QR_SIZE, height: QR_SIZE });
    const cy = top + BOX_PAD + QR_SIZE + 2;
    const capWidth = QR_SIZE + 40;
    const cx = qx - 20;
    const h = put(pdf, l.payWithSwish, cx, cy, capWidth, { size: SMALL, align: 'center' });
    put(pdf, payment.swish.number, cx, cy + h, capWidth, { bold: true, size: SMALL, align: 'center' });
  }
  pdf.y = top + height + 18;
}

function creditBox({ pdf, view, l }: Ctx): void {
  const remaining = view.creditedInvoiceRemaining === null || view.creditedInvoiceNumber === null ? null : `${l.creditedRemaining} ${view.creditedInvoiceNumber}: ${view.creditedInvoiceRemaining}`;
  const height = 14 + 30 + (view.creditedInvoiceNumber === null ? 0 : 16) + (remaining === null ? 0 : 16) + 2 * BOX_PAD;
  const top = ensure(pdf, height);
  pdf.roundedRect(LEFT, top, WIDTH, height, 6).lineWidth(1.5).fillAndStroke(BOX_FILL, BOX_LINE);
  const x = LEFT + BOX_PAD;
  let y = top + BOX_PAD;
  y += sectionTitle(pdf, l.amountCredited, x, y, 250, BOX_LINE) + 2;
  y += put(pdf, view.totals.amountDue, x, y, 300, { bold: true, size: 22 }) + 6;
  if (view.creditedInvoiceNumber !== null) y += put(pdf, `${l.credits} ${view.creditedInvoiceNumber}`, x, y, WIDTH - 2 * BOX_PAD) + 2;
  if (remaining !== null) put(pdf, remaining, x, y, WIDTH - 2 * BOX_PAD, { bold: true });
  pdf.y = top + height + 18;
}

function parties({ pdf, view, l }: Ctx): void {
  const half = WIDTH / 2;
  const labelled = (label: string, value: string | null) => (value === null ? null : `${label} ${value}`);
  const columns: [string, string, (string | null)[]][] = [
    [
      l.buyer,
      view.buyer.name,
      [
        ...view.buyer.addressLines,
        labelled(l.vatNumber, view.buyer.vatNumber),
        labelled(l.customerNumber, view.customerNumber),
      ],
    ],
    [
      l.seller,
      view.seller.name,
      [
        ...view.seller.addressLines,
        labelled(l.organisationNumber, view.seller.organisationNumber),
        labelled(l.registeredOffice, view.seller.registeredOffice),
        labelled(l.vatNumber, view.seller.vatNumber),
        view.seller.fSkatt,
        labelled(l.email, view.seller.email),
        labelled(l.phone, view.seller.phone),
      ],
    ],
  ];
  const top = ensure(pdf, 110);
  let end = top;
  columns.forEach(([title, name, rows], i) => {
    const x = LEFT + i * half;
    const width = half - 12;
    let y = top + sectionTitle(pdf, title, x, top, width) + 2;
    y += put(pdf, name, x, y, width, { bold: true });
    for (const row of rows) if (row !== null) y += put(pdf, row, x, y, width);
    end = Math.max(end, y);
  });
  pdf.y = end + 16;
}

function notice({ pdf }: Ctx, s: string): void {
  const height = measure(pdf, s, WIDTH - 20, { bold: true }) + 12;
  const top = ensure(pdf, height);
  pdf.rect(LEFT, top, WIDTH, height).fill('#f3f4f6');
  pdf.rect(LEFT, top, 3, height).fill(BOX_LINE);
  put(pdf, s, LEFT + 12, top + 6, WIDTH - 20, { bold: true });
  pdf.y = top + height + 16;
}

// Lines table: description takes what the four right-aligned number columns leave.
const GAP = 8;
const NUMBER_COLUMNS = [36, 84, 42, 92];
const DESC_WIDTH = WIDTH - NUMBER_COLUMNS.reduce((a, b) => a + b + GAP, 0);
const COLUMNS = (() => {
  let x = LEFT;
  return [DESC_WIDTH, ...NUMBER_COLUMNS].map((width) => {
    const column = { x, width };
    x += width + GAP;
    return column;
  });
})();

function cell(i: number): { x: number; width: number } {
  return COLUMNS[i] ?? { x: LEFT, width: DESC_WIDTH };
}

function tableHeader({ pdf, l }: Ctx, top: number): number {
  const heads = [l.description, l.quantity, l.unitPrice, l.vat, l.amount];
  const style: Style = { bold: true, size: SMALL, color: MUTED };
  const height = Math.max(...heads.map((h, i) => measure(pdf, h, cell(i).width, style)));
  heads.forEach((h, i) => {
    const { x, width } = cell(i);
    // Bottom-aligned, so one-line headings sit on the rule like the wrapped ones.
    put(pdf, h, x, top + height - measure(pdf, h, width, style), width, { ...style, align: i === 0 ? 'left' : 'right' });
  });
  rule(pdf, top + height + 3, LEFT, RIGHT, INK, 1);
  return top + height + 3;
}

function lines(ctx: Ctx): void {
  const { pdf, view, l } = ctx;
  let y = ensure(pdf, 80);
  y += sectionTitle(pdf, l.items, LEFT, y, WIDTH) + 4;
  y = tableHeader(ctx, y);
  for (const line of view.lines) {
    const descHeight =
      measure(pdf, line.description, DESC_WIDTH) +
      (line.period === null ? 0 : measure(pdf, line.period, DESC_WIDTH, { size: SMALL }));
    const priceHeight = measure(pdf, line.unitPrice, cell(2).width);
    const height = Math.max(descHeight, priceHeight) + 10;
    if (y + height > bottom(pdf)) {
      pdf.addPage();
      y = tableHeader(ctx, pdf.y);
    }
    const top = y + 5;
    const dy = put(pdf, line.description, LEFT, top, DESC_WIDTH);
    if (line.period !== null) put(pdf, line.period, LEFT, top + dy, DESC_WIDTH, { size: SMALL, color: MUTED });
    const values = [line.quantity, line.unitPrice, line.vatRate, line.amount];
    values.forEach((value, i) => {
      const { x, width } = cell(i + 1);
      put(pdf, value, x, top, width, { align: 'right' });
    });
    y += height;
    rule(pdf, y);
  }
  pdf.y = y + 18;
}

function sums({ pdf, view, l }: Ctx): void {
  const totals: [string, string | null, boolean][] = [
    [l.subtotal, view.totals.subtotal, false],
    [l.vat, view.totals.vat, false],
    [l.rounding, view.totals.rounding, false],
    [view.isCreditNote ? l.totalCredit : l.totalToPay, view.totals.amountDue, true],
    [l.paid, view.totals.paid, false],
    [l.credited, view.totals.credited, false],
    [l.remaining, view.totals.remaining, true],
  ];
  const shown = totals.filter((row): row is [string, string, boolean] => row[1] !== null);
  const vatHeight = 16 + 18 + view.vatRows.length * 17;
  const totalsHeight = shown.reduce((h, [, , grand]) => h + (grand ? 24 : 17), 0);
  const top = ensure(pdf, Math.max(vatHeight, totalsHeight));

  // VAT per rate, on the left.
  const vatCols = [{ x: LEFT, w: 60 }, { x: LEFT + 64, w: 90 }, { x: LEFT + 158, w: 76 }];
  const vatRight = LEFT + 234;
  let y = top + sectionTitle(pdf, l.vatByRate, LEFT, top, 234) + 4;
  [l.vatRate, l.taxable, l.vat].forEach((h, i) => {
    const c = vatCols[i];
    if (c !== undefined) put(pdf, h, c.x, y, c.w, { bold: true, size: SMALL, color: MUTED, align: i === 0 ? 'left' : 'right' });
  });
  y += 13;
  rule(pdf, y, LEFT, vatRight, INK, 1);
  for (const row of view.vatRows) {
    [row.rate, row.net, row.vat].forEach((value, i) => {
      const c = vatCols[i];
      if (c !== undefined) put(pdf, value, c.x, y + 4, c.w, { align: i === 0 ? 'left' : 'right' });
    });
    y += 17;
    rule(pdf, y, LEFT, vatRight);
  }
  const vatEnd = y;

  // Totals, on the right.
  const x = RIGHT - 250;
  y = top;
  for (const [label, value, grand] of shown) {
    const style: Style = grand ? { bold: true, size: 11 } : {};
    if (grand) rule(pdf, y + 1, x, RIGHT, INK, 1.2);
    const pad = grand ? 6 : 3;
    put(pdf, label, x, y + pad, 150, style);
    put(pdf, value, x + 140, y + pad, 110, { ...style, align: 'right' });
    y += grand ? 24 : 17;
  }
  pdf.y = Math.max(vatEnd, y) + 20;
}

function terms({ pdf, view, l }: Ctx): void {
  for (const paragraph of [view.paymentTerms, view.lateInterest]) {
    if (paragraph === null) continue;
    const y = ensure(pdf, measure(pdf, paragraph, WIDTH));
    pdf.y = y + put(pdf, paragraph, LEFT, y, WIDTH) + 6;
  }
  if (view.memo !== null) {
    const y = ensure(pdf, 12 + measure(pdf, view.memo, WIDTH));
    const h = sectionTitle(pdf, l.note, LEFT, y + 8, WIDTH) + 10;
    // Long memos flow onto further pages by themselves.
    put(pdf, view.memo, LEFT, y + h, WIDTH);
  }
}

function footers({ pdf, view, l }: Ctx): void {
  const { start, count } = pdf.bufferedPageRange();
  for (let i = start; i < start + count; i++) {
    pdf.switchToPage(i);
    // Draw in the bottom margin without PDFKit starting yet another page.
    pdf.page.margins.bottom = 0;
    const y = pdf.page.height - PAGE.bottom + 22;
    rule(pdf, y - 6);
    put(pdf, `${view.seller.name} · ${view.documentName}`, LEFT, y, WIDTH - 100, { size: 7.5, color: MUTED });
    put(pdf, l.page(i - start + 1, count), RIGHT - 100, y, 100, { size: 7.5, color: MUTED, align: 'right' });
    pdf.page.margins.bottom = PAGE.bottom;
  }
}
