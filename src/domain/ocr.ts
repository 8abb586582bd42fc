// OCR payment references for Bankgirot (sweden.md §1). Pure functions only.
//
// A reference is 2–25 digits ending in a Luhn (mod 10) check digit. With length
// control the second-to-last digit is the total length (including itself and the
// check digit) mod 10, and it is part of the Luhn input. References are strings:
// leading zeros are significant.
//
// Bankgirot's control levels are agreed per merchant: "mjuk"/"hård" check only the
// check digit, "variabel längd" also the length digit, "fast längd" one or two agreed
// lengths. Generating with lengthDigit: true (and minLength = the agreed length for
// "fast längd") produces references that pass every level.

import { luhnCheckDigit, luhnValid } from './national-id.ts';

export const OCR_MIN_LENGTH = 2;
export const OCR_MAX_LENGTH = 25;

export interface MakeOcrOptions {
  lengthDigit: boolean;
  // Digits put in front of the sequence, e.g. a series per merchant or customer.
  prefix?: string;
  // Minimum total length including control digits; the sequence is zero-padded to
  // reach it. A sequence that doesn't fit makes a longer reference, never a cut one.
  minLength?: number;
}

export interface OcrValidationOptions {
  lengthDigit: boolean;
}

/**
 * Builds the OCR reference for a non-negative sequence number:
 * prefix + zero-padded sequence [+ length digit] + check digit.
 * Throws RangeError on bad input or when the result would exceed 25 digits.
 */
export function makeOcrReference(sequence: bigint | number, opts: MakeOcrOptions): string {
  if (typeof sequence === 'number' ? !Number.isSafeInteger(sequence) || sequence < 0 : sequence < 0n) {
    throw new RangeError('makeOcrReference: sequence must be a non-negative (safe) integer');
  }
  const prefix = opts.prefix ?? '';
  if (!/^[0-9]*$/.test(prefix)) throw new RangeError('makeOcrReference: prefix must be digits');
  const minLength = opts.minLength ?? OCR_MIN_LENGTH;
  if (!Number.isInteger(minLength) || minLength < OCR_MIN_LENGTH || minLength > OCR_MAX_LENGTH) {
    throw new RangeError(`makeOcrReference: minLength must be an integer from ${OCR_MIN_LENGTH} to ${OCR_MAX_LENGTH}`);
  }

  const controlDigits = opts.lengthDigit ? 2 : 1;
  const seq = String(sequence);
  const payloadLength = Math.max(prefix.length + seq.length, minLength - controlDigits);
  const length = payloadLength + controlDigits;
  if (length > OCR_MAX_LENGTH) {
    throw new RangeError(`makeOcrReference: reference would be ${length} digits, more than ${OCR_MAX_LENGTH}`);
  }
  // Pad between prefix and sequence so the prefix stays recognisable at the front.
  let body = prefix + seq.padStart(payloadLength - prefix.length, '0');
  // len % 10, not the first digit of the length: 12 digits -> '2'.
  if (opts.lengthDigit) body += String(length % 10);
  return body + String(luhnCheckDigit(body));
}

/**
 * Whether `ref` passes Bankgirot's control: only digits, 2–25 of them, valid Luhn
 * check digit and, with lengthDigit, a correct length digit. No whitespace is
 * forgiven; trim file padding or user formatting first.
 */
export function isValidOcr(ref: string, opts: OcrValidationOptions): boolean {
  if (!/^[0-9]+$/.test(ref) || ref.length < OCR_MIN_LENGTH || ref.length > OCR_MAX_LENGTH) return false;
  if (opts.lengthDigit && ref.charCodeAt(ref.length - 2) - 48 !== ref.length % 10) return false;
  return luhnValid(ref);
}
