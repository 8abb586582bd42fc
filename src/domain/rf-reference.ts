// ISO 11649 structured creditor references ("RF references", sweden.md §4). Pure functions only.
//
// 'RF' + two check digits + 1–21 characters [0-9A-Z], at most 25 in all; printed in groups of
// four ('RF18 5390 0754 7034'), carried without spaces in payment files (camt.054
// RmtInf/Strd/CdtrRefInf/Ref with Tp/Issr 'ISO'). The check is ISO 7064 mod 97-10, as for IBAN:
// move the first four characters to the end, turn letters into numbers (A = 10 … Z = 35) and the
// whole number mod 97 must be 1. Check digits run 02–98, so 00, 01 and 99 are never valid (99
// would otherwise pass wherever 02 does).
//
// Swedish consumers pay with OCR references (ocr.ts); RF matters for Nordic and EU payers and for
// Finnish-style camt.054 files.

export const RF_MAX_LENGTH = 25;
export const RF_BASE_MAX_LENGTH = 21;

export interface RfReference {
  // Electronic form, upper case, no spaces: 'RF18539007547034'.
  reference: string;
  // Printed form in groups of four: 'RF18 5390 0754 7034'.
  formatted: string;
}

export type RfErrorReason = 'format' | 'length' | 'checksum';

export type ParseRfResult = { ok: true; value: RfReference } | { ok: false; reason: RfErrorReason };

/**
 * Parses an RF reference as a person or a file writes it: spaces (and other whitespace) anywhere
 * are dropped and letters may be lower case. `reason` says what is wrong: 'format' (not RF + two
 * digits + letters and digits), 'length' (no base, or more than 25 characters) or 'checksum'.
 */
export function parseRfReference(s: string): ParseRfResult {
  let compact = '';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    // Spaces, tabs, line breaks and no-break spaces are formatting, not content.
    if (c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d || c === 0xa0) continue;
    compact += s.charAt(i);
  }
  compact = compact.toUpperCase();
  if (compact.length < 2 || compact.charCodeAt(0) !== 82 /* R */ || compact.charCodeAt(1) !== 70 /* F */) {
    return { ok: false, reason: 'format' };
  }
  for (let i = 2; i < compact.length; i++) {
    const c = compact.charCodeAt(i);
    const digit = c >= 48 && c <= 57;
    if (i < 4 ? !digit : !digit && !(c >= 65 && c <= 90)) return { ok: false, reason: 'format' };
  }
  if (compact.length < 5 || compact.length > RF_MAX_LENGTH) {
    return { ok: false, reason: compact.length < 4 ? 'format' : 'length' };
  }
  const check = compact.slice(2, 4);
  if (check === '00' || check === '01' || check === '99') return { ok: false, reason: 'checksum' };
  if (mod97(compact.slice(4) + compact.slice(0, 4)) !== 1) return { ok: false, reason: 'checksum' };
  return { ok: true, value: { reference: compact, formatted: formatGroups(compact) } };
}

/** Whether `s` is a valid RF reference (spaces and lower case forgiven, as in parseRfReference). */
export function isValidRf(s: string): boolean {
  return parseRfReference(s).ok;
}

/**
 * The RF reference for `base` (1–21 letters and digits; spaces are dropped, lower case is upper
 * cased): 'RF' + 98 − (base + 'RF00' as a number mod 97). Returns the electronic form,
 * '539007547034' → 'RF18539007547034'. Throws RangeError on anything else.
 */
export function makeRfReference(base: string): string {
  const compact = base.replace(/\s+/g, '').toUpperCase();
  if (!/^[0-9A-Z]{1,21}$/.test(compact)) {
    throw new RangeError(`makeRfReference: base must be 1–${RF_BASE_MAX_LENGTH} letters or digits, got ${JSON.stringify(base)}`);
  }
  const check = 98 - mod97(`${compact}RF00`);
  return `RF${String(check).padStart(2, '0')}${compact}`;
}

/** Printed form, groups of four: 'RF18539007547034' → 'RF18 5390 0754 7034'. */
export function formatRfReference(reference: string): string {
  const parsed = parseRfReference(reference);
  if (!parsed.ok) throw new RangeError(`formatRfReference: not a valid RF reference (${parsed.reason})`);
  return parsed.value.formatted;
}

function formatGroups(compact: string): string {
  let out = '';
  for (let i = 0; i < compact.length; i += 4) out += (i === 0 ? '' : ' ') + compact.slice(i, i + 4);
  return out;
}

// The value of [0-9A-Z]* read as a number (letters as two digits, A = 10 … Z = 35) mod 97,
// one character at a time so no big integers are needed.
function mod97(s: string): number {
  let rem = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    rem = c <= 57 ? (rem * 10 + (c - 48)) % 97 : (rem * 100 + (c - 55)) % 97;
  }
  return rem;
}

/** The reference inside a valid RF reference ('RF18539007547034' → '539007547034'), else null. */
export function rfBody(s: string): string | null {
  const parsed = parseRfReference(s);
  return parsed.ok ? parsed.value.reference.slice(4) : null;
}
