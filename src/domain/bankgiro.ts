// Bankgiro numbers (sweden.md §1, §10): 7 or 8 digits ending in a Luhn (mod 10)
// check digit, written with a hyphen before the last four: NNN-NNNN or NNNN-NNNN.
// Pure functions only.

import { luhnValid } from './national-id.ts';

export interface Bankgiro {
  // 7 or 8 digits, no separator: what payment files and Peppol
  // (PayeeFinancialAccount/ID) carry.
  digits: string;
  // The written form shown to people: '5050-1055', '991-2346'.
  formatted: string;
}

export type BankgiroErrorReason = 'format' | 'length' | 'checksum';

export type ParseBankgiroResult = { ok: true; value: Bankgiro } | { ok: false; reason: BankgiroErrorReason };

/**
 * Parses a bankgiro number typed or pasted by a person. Surrounding whitespace is
 * ignored; inside, only digits and one '-' or space right before the last four.
 */
export function parseBankgiro(input: string): ParseBankgiroResult {
  const match = /^([0-9]+)(?:[- ]([0-9]+))?$/.exec(input.trim());
  if (match === null) return { ok: false, reason: 'format' };
  const head = match[1] ?? '';
  const digits = head + (match[2] ?? '');
  // Length before separator placement, so one digit too many reads as a length
  // problem rather than a misplaced hyphen (same order as national-id).
  if (digits.length !== 7 && digits.length !== 8) return { ok: false, reason: 'length' };
  if (match[2] !== undefined && head.length !== digits.length - 4) return { ok: false, reason: 'format' };
  if (!luhnValid(digits)) return { ok: false, reason: 'checksum' };
  return { ok: true, value: { digits, formatted: `${digits.slice(0, -4)}-${digits.slice(-4)}` } };
}

export function isValidBankgiro(input: string): boolean {
  return parseBankgiro(input).ok;
}
