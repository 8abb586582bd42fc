// VAT numbers and postal codes: normalised so that the same number typed two ways is stored once.
import { luhnValid } from './national-id.ts';

export type Checked = { ok: true; value: string } | { ok: false; message: string };

/**
 * EU-style VAT number: country code + 2–13 characters. A Swedish one is SE + the 10-digit
 * organisationsnummer (or personnummer for sole traders) + "01", and its check digit must hold.
 */
export function normalizeVatNumber(input: string): Checked {
  const v = input.replace(/[\s.-]/g, '').toUpperCase();
  if (!/^[A-Z]{2}[0-9A-Z+*]{2,13}$/.test(v)) return { ok: false, message: 'must be a country code followed by the number, e.g. SE556036079301' };
  if (v.startsWith('SE')) {
    if (!/^SE\d{10}01$/.test(v)) return { ok: false, message: 'a Swedish VAT number is SE, 10 digits and 01' };
    if (!luhnValid(v.slice(2, 12))) return { ok: false, message: 'has a wrong check digit' };
  }
  return { ok: true, value: v };
}

/** Swedish postal codes are five digits, written "NNN NN". Other countries are kept as given. */
export function normalizePostalCode(input: string, country: string): Checked {
  const trimmed = input.trim();
  if (country !== 'SE') return trimmed ? { ok: true, value: trimmed } : { ok: false, message: 'is required' };
  const digits = trimmed.replace(/\s/g, '');
  if (!/^\d{5}$/.test(digits)) return { ok: false, message: 'a Swedish postal code has five digits, e.g. 114 51' };
  return { ok: true, value: `${digits.slice(0, 3)} ${digits.slice(3)}` };
}
