// RF creditor references (ISO 11649): "RF" + two check digits + 1–21 characters [0-9A-Z], at most
// 25 in all. Check digits as IBAN's: move "RF" + check digits to the end, letters to numbers
// (A=10 … Z=35), and the whole is 1 modulo 97. Pure functions.

const BODY = /^[0-9A-Z]{1,21}$/;

function mod97(s: string): number {
  let rest = 0;
  for (const ch of s) {
    const n = ch >= 'A' && ch <= 'Z' ? String(ch.charCodeAt(0) - 55) : ch;
    for (const d of n) rest = (rest * 10 + Number(d)) % 97;
  }
  return rest;
}

/** Upper case without spaces (RF references are printed in groups of four). */
export function normalizeRf(input: string): string {
  return input.replace(/\s+/g, '').toUpperCase();
}

/** The RF reference for a creditor reference body (e.g. an OCR reference's digits). */
export function makeRfReference(body: string): string {
  const b = normalizeRf(body);
  if (!BODY.test(b)) throw new RangeError(`An RF reference carries 1–21 characters 0-9 and A-Z, not "${body}"`);
  const check = 98 - mod97(`${b}RF00`);
  return `RF${String(check).padStart(2, '0')}${b}`;
}

export function isValidRf(input: string): boolean {
  const s = normalizeRf(input);
  if (!/^RF[0-9]{2}[0-9A-Z]{1,21}$/.test(s)) return false;
  return mod97(s.slice(4) + s.slice(0, 4)) === 1;
}

/** The reference inside a valid RF reference (`RF18539007547034` → `539007547034`), else null. */
export function rfBody(input: string): string | null {
  return isValidRf(input) ? normalizeRf(input).slice(4) : null;
}
