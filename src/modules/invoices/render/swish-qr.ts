// Swish payment QR codes for invoices.
//
// The payload follows Swish's QR code encoding specification (sweden.md §5), the prefilled text
// format the Swish app reads from a scanned code:
//   C<payee Swish number, digits>;<amount in SEK, two decimals, decimal comma>;<message, URL-encoded>;<lock mask>
// e.g. C1231181189;199,00;000117;0. The message is the OCR reference (the invoice number when
// there is none) so the payment can be matched, and the lock mask 0 locks every field, so the
// payer cannot change the payee, the amount or the reference.
import QRCode from 'qrcode';
import type { InvoiceDocument } from '../document.ts';

// Swish messages are at most 50 characters (before encoding); encoding keeps a ';' from ending the field.
const MAX_MESSAGE = 50;

/** The QR payload for paying what is left of `doc` by Swish, or null when there is nothing to pay this way. */
export function swishPayload(doc: InvoiceDocument): string | null {
  const payee = doc.seller.swishNumber?.replace(/\D/g, '') ?? '';
  if (payee === '' || doc.kind !== 'invoice' || doc.currency !== 'SEK' || doc.amountRemaining <= 0) return null;
  if (doc.status === 'draft' || doc.status === 'void' || doc.number === null) return null;
  return swishQrText(payee, doc.amountRemaining, doc.ocrReference ?? doc.number);
}

/** The payload for paying `ore` to `payee` (digits) with `reference` as the locked message (reminders use it too). */
export function swishQrText(payee: string, ore: number, reference: string): string {
  return `C${payee};${swishAmount(ore)};${encodeURIComponent(reference.slice(0, MAX_MESSAGE))};0`;
}

// Öre as SEK with two decimals and a decimal comma: 19900 -> '199,00', 123450 -> '1234,50'.
export function swishAmount(ore: number): string {
  return `${Math.trunc(ore / 100)},${String(ore % 100).padStart(2, '0')}`;
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
