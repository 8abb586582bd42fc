// Helpers the BgMax and camt.054 parsers share. Pure functions only.

import { isValidOcr } from '../../../domain/ocr.ts';
import { parseRfReference } from '../../../domain/rf-reference.ts';
import type { BankReference, BankTransaction, ParsedBankFile, ParseResult } from './bank-file.ts';

/** Thrown inside a parser and turned into { ok: false, error } at its edge; never escapes. */
export class BankFileError extends Error {
  readonly where: { line?: number; path?: string };
  constructor(where: { line?: number; path?: string }, reason: string) {
    super(reason);
    this.where = where;
  }
}

/** Runs a parser's throwing core at its edge: a BankFileError becomes { ok: false, error }. */
export function parseResult(parse: (input: Buffer) => ParsedBankFile, input: Buffer): ParseResult {
  try {
    return { ok: true, file: parse(input) };
  } catch (e) {
    if (e instanceof BankFileError) return { ok: false, error: { ...e.where, reason: e.message } };
    throw e;
  }
}

const NONE: BankReference = { type: 'none', value: '' };

/**
 * Free text the payer wrote: 'none' when blank, 'rf' when the whole text is a valid ISO 11649
 * reference (mod 97 makes an accidental match practically impossible), else 'free', trimmed with
 * inner runs of blanks kept as written. Digits in free text stay 'free': only the bank's own
 * control (BgMax code 2) or a structured reference makes an OCR.
 */
export function freeTextReference(text: string): BankReference {
  const value = text.trim();
  if (value === '') return NONE;
  if (value.length <= 40 && (value.charCodeAt(0) | 0x20) === 0x72 /* r */) {
    const rf = parseRfReference(value);
    if (rf.ok) return { type: 'rf', value: rf.value.reference };
  }
  return { type: 'free', value };
}

/**
 * A structured creditor reference (camt.054 CdtrRefInf/Ref): 'rf' if it passes mod 97, 'ocr' if it
 * is 2–25 digits with a valid Luhn check digit (the length digit is the merchant's own setting,
 * so it is not required here), else 'free'.
 */
export function structuredReference(text: string): BankReference {
  const value = text.trim();
  if (value === '') return NONE;
  if (isValidOcr(value, { lengthDigit: false })) return { type: 'ocr', value };
  return freeTextReference(value);
}

/**
 * A bankgiro number from a zero-filled numeric field, as src/domain/bankgiro.ts writes it: digits
 * only, no separator, leading zeros dropped down to 7 digits ('0009912346' → '9912346',
 * '0050501055' → '50501055'). null for an all-zero field. The check digit is not verified here:
 * payers' bankgiro numbers in real files fail it (sweden.md §2).
 */
export function bankgiroFromField(digits: string): string | null {
  let i = 0;
  while (i < digits.length && digits.charCodeAt(i) === 48) i++;
  if (i === digits.length) return null;
  const significant = digits.slice(i);
  return significant.length < 7 ? significant.padStart(7, '0') : significant;
}

/**
 * Makes keys unique within a file: the second transaction with a key gets '#2', the third '#3'.
 * File order is fixed, so the same file always gets the same keys.
 */
export function dedupeKeys(transactions: BankTransaction[]): void {
  const used = new Set<string>();
  const last = new Map<string, number>();
  for (const tx of transactions) {
    let key = tx.key;
    if (used.has(key)) {
      let n = last.get(tx.key) ?? 1;
      do key = `${tx.key}#${++n}`;
      while (used.has(key));
      last.set(tx.key, n);
    }
    used.add(key);
    tx.key = key;
  }
}

/** Sums for ParsedBankFile.totals, straight from the transactions. */
export function totalsOf(transactions: readonly BankTransaction[]): {
  count: number;
  amount: number;
  deductionCount: number;
  deductionAmount: number;
} {
  let count = 0;
  let amount = 0;
  let deductionCount = 0;
  let deductionAmount = 0;
  for (const tx of transactions) {
    if (tx.kind === 'payment') {
      count++;
      amount += tx.amount;
    } else {
      deductionCount++;
      deductionAmount += tx.amount;
    }
  }
  return { count, amount, deductionCount, deductionAmount };
}
