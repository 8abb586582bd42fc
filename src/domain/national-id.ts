// Swedish identity numbers: personnummer, samordningsnummer and organisationsnummer.
// Pure functions only. "Today" is always passed in so results are reproducible and
// testable; callers decide which clock (and which calendar day) counts as today.

export type NationalIdKind = 'personnummer' | 'samordningsnummer' | 'organisationsnummer';

export interface NationalId {
  kind: NationalIdKind;
  // personnummer/samordningsnummer: 'YYYYMMDDNNNN' (12 digits, no separator, so the
  // century is explicit and the value never changes when the holder turns 100).
  // organisationsnummer: 'NNNNNN-NNNN'.
  normalized: string;
}

export type NationalIdErrorReason = 'format' | 'length' | 'checksum' | 'date' | 'type';

export type ParseNationalIdResult =
  | { ok: true; value: NationalId }
  | { ok: false; reason: NationalIdErrorReason };

export interface ParseNationalIdOptions {
  // 'company' also accepts personnummer/samordningsnummer, because a sole trader
  // (enskild firma) is identified by the owner's own number.
  type: 'person' | 'company';
  // Only the UTC calendar date is used, so the result doesn't depend on the
  // process time zone.
  today: Date;
}

// Samordningsnummer encode the birth day + 60 so they can never collide with a
// personnummer for the same date.
const SAMORDNING_DAY_OFFSET = 60;

// A 12-digit organisationsnummer is written with a "16" prefix (a pseudo-century)
// so that it has the same width as a 12-digit personnummer.
const ORG_CENTURY_PREFIX = '16';

// Nobody alive was born before this; it stops a 12-digit typo such as 17xx from
// being accepted as a real birth date.
const MIN_BIRTH_YEAR = 1800;

const fail = (reason: NationalIdErrorReason): ParseNationalIdResult => ({ ok: false, reason });

/**
 * The Luhn (mod 10) check digit for `digits`, which must not include the check
 * digit itself. Used for identity numbers and, later, OCR payment references.
 */
export function luhnCheckDigit(digits: string): number {
  if (!/^[0-9]+$/.test(digits)) {
    throw new RangeError('luhnCheckDigit expects a non-empty string of ASCII digits');
  }
  let sum = 0;
  // Walk from the right: the digit next to the (future) check digit is doubled.
  for (let i = digits.length - 1, double = true; i >= 0; i--, double = !double) {
    let n = digits.charCodeAt(i) - 48;
    if (double) {
      n *= 2;
      if (n > 9) n -= 9; // same as summing the two digits of n
    }
    sum += n;
  }
  return (10 - (sum % 10)) % 10;
}

/** Whether the last digit of `digits` is the correct Luhn check digit for the rest. */
export function luhnValid(digits: string): boolean {
  // A predicate shouldn't throw on junk: anything that isn't 2+ digits is just invalid.
  if (!/^[0-9]{2,}$/.test(digits)) return false;
  return luhnCheckDigit(digits.slice(0, -1)) === digits.charCodeAt(digits.length - 1) - 48;
}

/**
 * Replaces every digit except the last four with '*', keeping any separator so the
 * shape stays recognisable: '198112189876' -> '********9876',
 * '556036-0793' -> '******-0793'.
 */
export function maskNationalId(normalized: string): string {
  let keep = 4;
  let out = '';
  for (let i = normalized.length - 1; i >= 0; i--) {
    const ch = normalized.charAt(i);
    if (ch >= '0' && ch <= '9') {
      out = (keep > 0 ? ch : '*') + out;
      keep--;
    } else {
      out = ch + out;
    }
  }
  return out;
}

/**
 * Parses and validates a Swedish personnummer, samordningsnummer or
 * organisationsnummer. See ParseNationalIdOptions for the meaning of `type`.
 */
export function parseNationalId(input: string, opts: ParseNationalIdOptions): ParseNationalIdResult {
  if (Number.isNaN(opts.today.getTime())) {
    // A broken clock is a programming error, not bad user input.
    throw new RangeError('parseNationalId: opts.today is an invalid Date');
  }

  // Only surrounding whitespace is forgiven; anything else must be digits with at
  // most one '-' or '+' between two digit groups.
  const match = /^([0-9]+)(?:([-+])([0-9]+))?$/.exec(input.trim());
  if (match === null) return fail('format');
  const head = match[1] ?? '';
  const separator = match[2] ?? '';
  const digits = head + (match[3] ?? '');

  // Count digits before checking separator placement, so "one digit too many"
  // is reported as a length problem rather than a misplaced hyphen.
  if (digits.length !== 10 && digits.length !== 12) return fail('length');
  // The separator only ever sits right before the last four digits.
  if (separator !== '' && head.length !== digits.length - 4) return fail('format');

  // Organisationsnummer have a "month" of 20 or more (third digit >= 2), which no
  // personnummer can have, so the two can be told apart from the digits alone.
  if (digits.length === 12 && digits.startsWith(ORG_CENTURY_PREFIX)) {
    if (separator === '+') return fail('format');
    const org = digits.slice(ORG_CENTURY_PREFIX.length);
    if (!isOrgShaped(org)) return fail('format');
    return finishOrg(org, opts);
  }
  if (digits.length === 10 && isOrgShaped(digits)) {
    if (separator === '+') return fail('format'); // '+' is an age marker; companies have no age
    return finishOrg(digits, opts);
  }

  return parsePerson(digits, separator, opts.today);
}

function isOrgShaped(tenDigits: string): boolean {
  return tenDigits.charCodeAt(2) - 48 >= 2;
}

function finishOrg(tenDigits: string, opts: ParseNationalIdOptions): ParseNationalIdResult {
  if (!luhnValid(tenDigits)) return fail('checksum');
  // Validate fully before rejecting on type: a well-formed company number in a
  // person field is a different user mistake than a typo.
  if (opts.type === 'person') return fail('type');
  return {
    ok: true,
    value: { kind: 'organisationsnummer', normalized: `${tenDigits.slice(0, 6)}-${tenDigits.slice(6)}` },
  };
}

function parsePerson(digits: string, separator: string, today: Date): ParseNationalIdResult {
  // The '+' marker only exists in the 10-digit form; with a 4-digit year it
  // would be redundant or contradictory.
  if (digits.length === 12 && separator === '+') return fail('format');

  // The check digit always covers the 10-digit form, never the century.
  const ten = digits.length === 12 ? digits.slice(2) : digits;
  // Checksum before date: if the digits fail Luhn they're probably mistyped, and
  // complaining about the date would point the user at the wrong thing.
  if (!luhnValid(ten)) return fail('checksum');

  const month = Number(ten.slice(2, 4));
  const encodedDay = Number(ten.slice(4, 6));
  const isSamordning = encodedDay > SAMORDNING_DAY_OFFSET;
  const day = isSamordning ? encodedDay - SAMORDNING_DAY_OFFSET : encodedDay;

  const todayYmd: Ymd = [today.getUTCFullYear(), today.getUTCMonth() + 1, today.getUTCDate()];
  const year =
    digits.length === 12
      ? Number(digits.slice(0, 4))
      : resolveCentury(Number(ten.slice(0, 2)), month, day, separator === '+', todayYmd);

  if (year < MIN_BIRTH_YEAR || !isRealDate(year, month, day)) return fail('date');
  if (compareYmd([year, month, day], todayYmd) > 0) return fail('date');

  return {
    ok: true,
    value: {
      kind: isSamordning ? 'samordningsnummer' : 'personnummer',
      normalized: String(year) + ten.slice(2),
    },
  };
}

type Ymd = readonly [year: number, month: number, day: number];

function compareYmd(a: Ymd, b: Ymd): number {
  return a[0] - b[0] || a[1] - b[1] || a[2] - b[2];
}

// Picks the full year for a two-digit year.
// '-': the most recent year whose birth date isn't in the future.
// '+': the person is 100 or older. Skatteverket switches to '+' from the start of
// the calendar year in which the person turns 100, so pick the most recent year
// no later than (this year - 100), even if the 100th birthday is later this year.
function resolveCentury(yy: number, month: number, day: number, plus: boolean, today: Ymd): number {
  const [todayYear] = today;
  if (plus) {
    const latest = todayYear - 100;
    return latest - ((((latest - yy) % 100) + 100) % 100);
  }
  let year = todayYear - ((((todayYear - yy) % 100) + 100) % 100);
  if (compareYmd([year, month, day], today) > 0) year -= 100;
  return year;
}

function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

function isRealDate(year: number, month: number, day: number): boolean {
  if (month < 1 || month > 12 || day < 1) return false;
  const daysInMonth = [31, isLeapYear(year) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
  return day <= (daysInMonth[month - 1] ?? 0);
}
