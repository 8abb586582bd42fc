// Swish payment QR codes for invoices.
//
// The payload format is NOT verified against Swish's own specification: our reference
// (sweden.md §5) covers the Swish Commerce API only. We use the widely used "prefilled" text
// format that the Swish app reads from a scanned code:
//   C<payee Swish number, digits>;<amount in kronor, comma decimals>;<message>;<edit mask>
// The message is the OCR reference (the invoice number when there is none) so the payment can
// be matched, and the edit mask 0 is meant to lock all fields so the payer cannot change the
// amount or the reference. Check against Swish's QR specification before relying on this.
import QRCode from 'qrcode';
import type { InvoiceDocument } from '../document.ts';

// Swish messages are at most 50 characters; ';' would end the field.
const MAX_MESSAGE = 50;

/** The QR payload for paying what is left of `doc` by Swish, or null when there is nothing to pay this way. */
export function swishPayload(doc: InvoiceDocument): string | null {
  const payee = doc.seller.swishNumber?.replace(/\D/g, '') ?? '';
  if (payee === '' || doc.kind !== 'invoice' || doc.currency !== 'SEK' || doc.amountRemaining <= 0) return null;
  if (doc.status === 'draft' || doc.status === 'void' || doc.number === null) return null;
  const message = (doc.ocrReference ?? doc.number).replaceAll(';', '').slice(0, MAX_MESSAGE);
  return `C${payee};${swishAmount(doc.amountRemaining)};${message};0`;
}

// Öre as kronor: '1235' when whole (the usual case after öresavrundning), else '1234,50'.
function swishAmount(ore: number): string {
  const kronor = Math.trunc(ore / 100);
  const rest = ore % 100;
  return rest === 0 ? String(kronor) : `${kronor},${String(rest).padStart(2, '0')}`;
}

const QR_OPTIONS = { errorCorrectionLevel: 'M', margin: 4 } as const;

/**
 * The QR code as an inline SVG element: one path of dark modules on a white square, sized by
 * CSS. `label` is its accessible name: our own text, inserted without escaping.
 */
export function swishQrSvg(payload: string, label: string): string {
  const modules = QRCode.create(payload, QR_OPTIONS).modules;
  const size = modules.size;
  const margin = QR_OPTIONS.margin;
  let path = '';
  for (let row = 0; row < size; row++) {
    for (let col = 0; col < size; col++) {
      if (!modules.get(row, col)) continue;
      // One rectangle per horizontal run of dark modules keeps the path short.
      let run = 1;
      while (col + run < size && modules.get(row, col + run)) run++;
      path += `M${col + margin} ${row + margin}h${run}v1h-${run}z`;
      col += run - 1;
    }
  }
  const extent = size + 2 * margin;
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${extent} ${extent}" role="img" aria-label="${label}" shape-rendering="crispEdges">` +
    `<rect width="${extent}" height="${extent}" fill="#fff"/><path fill="#000" d="${path}"/></svg>`
  );
}

/** The QR code as a PNG, for the PDF. */
export function swishQrPng(payload: string): Promise<Buffer> {
  return QRCode.toBuffer(payload, { ...QR_OPTIONS, type: 'png', width: 384 });
}
