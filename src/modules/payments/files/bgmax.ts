// BgMax (Bankgiro Inbetalningar): Bankgirot's file of incoming bankgiro payments (sweden.md §2).
//
// ISO-8859-1 text, one 80-character record per line (LF or CRLF), the record type (TK) in
// positions 1–2. A file is 01 (start) → sections of 05 (opening: payee bankgiro, currency),
// payments and 15 (deposit: date, serial, sum, count) → 70 (end: counts). A payment is a 20
// (payment) or 21 (deduction, "avdrag"), then optionally, in this order, 22/23 (extra references,
// repeatable), 25 (information text, repeatable), 26 (name), 27 (address), 28 (city), 29
// (organisation or personal number).
//
// Tolerated, as Bankgirot's own sample needs: short records (missing trailing blanks) as long as
// every field the record type needs is there, TABs (expanded to 8-column stops, which puts the
// sample's TK22 fields back in place), blank lines, a final line without a line break.
// Rejected, with the 1-based line: a record longer than 80 characters or too short for its
// fields, an unknown record type, a bad amount, date or code, a record out of order, a missing
// start or end record, counts or sums that do not add up (TK15 per section, TK70 for the file),
// and bytes that cannot be ISO-8859-1 text: control characters and UTF-8 multibyte sequences (a
// file converted to UTF-8 on the way, 'å' as C3 A5).

import { parseCalendarDate } from '../../../domain/calendar-date.ts';
import type {
  BankDeposit,
  BankExtraReference,
  BankReference,
  BankTransaction,
  ParsedBankFile,
  ParseResult,
} from './bank-file.ts';
import { BankFileError, bankgiroFromField, dedupeKeys, freeTextReference, parseResult, totalsOf } from './shared.ts';

export const BGMAX_RECORD_LENGTH = 80;

// Positions each record type needs (its last field that may not be left out). Shorter records
// are read as if padded with blanks up to 80.
const MIN_LENGTH: Record<string, number> = {
  '01': 45,
  '05': 25,
  '15': 79,
  '20': 69,
  '21': 69,
  '22': 69,
  '23': 69,
  '25': 2,
  '26': 2,
  '27': 2,
  '28': 2,
  '29': 2,
  '70': 34,
};

const NAMES: Record<string, string> = {
  '01': 'start record (TK01)',
  '05': 'opening record (TK05)',
  '15': 'deposit record (TK15)',
  '20': 'payment record (TK20)',
  '21': 'deduction record (TK21)',
  '22': 'extra reference record (TK22)',
  '23': 'extra reference record (TK23)',
  '25': 'information record (TK25)',
  '26': 'name record (TK26)',
  '27': 'address record (TK27)',
  '28': 'address record (TK28)',
  '29': 'organisation number record (TK29)',
  '70': 'end record (TK70)',
};

// Order of a payment's own records after its 20/21: 22/23 and 25 may repeat, 26–29 come once.
const PAYMENT_PART: Record<string, number> = { '22': 1, '23': 1, '25': 2, '26': 3, '27': 4, '28': 5, '29': 6 };

type Section = {
  line: number;
  payeeAccount: string;
  currency: string;
  transactions: BankTransaction[];
  // raw reference per transaction (for its key), same order as transactions
  rawReferences: string[];
  payments: number;
  deductions: number;
  paymentSum: number;
  deductionSum: number;
};

type Address = { street: string; postcode: string; city: string; country: string };

// The line being read, for fail(). Parsing is synchronous, so one variable serves every call.
let atLine = 0;

function fail(reason: string): never {
  throw new BankFileError({ line: atLine }, reason);
}

/** Parses a BgMax file (ISO-8859-1, LF or CRLF). Never throws: a bad file is { ok: false }. */
export function parseBgmax(input: Buffer): ParseResult {
  return parseResult(parse, input);
}

function parse(input: Buffer): ParsedBankFile {
  const text = input.toString('latin1');
  checkBytes(input, text);
  const lines = text.split('\n');

  let startLine = 0;
  let endLine = 0;
  let createdAt: string | null = null;
  let isTest = false;
  let version = '';
  let section: Section | null = null;
  let current: BankTransaction | null = null;
  let currentAddress: Address | null = null;
  let part = 0;
  let lastRecordLine = 0;
  const counts = { tk20: 0, tk21: 0, tk22: 0, tk15: 0 };
  const payeeAccounts: string[] = [];
  const transactions: BankTransaction[] = [];
  const deposits: BankDeposit[] = [];
  const depositKeys = new Set<string>();
  let keysMayRepeat = false;

  for (let i = 0; i < lines.length; i++) {
    const lineNo = i + 1;
    let line = lines[i]!;
    if (line.length > 0 && line.charCodeAt(line.length - 1) === 13) line = line.slice(0, -1);
    if (line.indexOf('\t') >= 0) line = expandTabs(line);
    if (line.length === 0 || (line.charCodeAt(0) === 32 && line.trim() === '')) continue;

    atLine = lineNo;
    const tk = line.slice(0, 2);
    if (startLine === 0 && tk !== '01') {
      fail(`missing start record (TK01): the file must begin with 01BGMAX, line ${lineNo} begins with ${JSON.stringify(tk)}`);
    }
    if (endLine !== 0) fail(`record after the end record (TK70) on line ${endLine}`);
    const minLength = MIN_LENGTH[tk];
    if (minLength === undefined) fail(`unknown record type ${JSON.stringify(tk)}`);
    if (line.length > BGMAX_RECORD_LENGTH) {
      fail(`record is ${line.length} characters long; BgMax records are ${BGMAX_RECORD_LENGTH}`);
    }
    if (line.length < minLength!) {
      fail(`${NAMES[tk]} is ${line.length} characters long; it needs at least ${minLength} (80 with trailing blanks)`);
    }
    lastRecordLine = lineNo;

    switch (tk) {
      case '01': {
        if (startLine !== 0) fail(`second start record (TK01); the first is on line ${startLine}`);
        if (line.slice(2, 22).trimEnd() !== 'BGMAX') fail('start record (TK01): layout name in positions 3–22 is not BGMAX');
        version = line.slice(22, 24);
        if (version !== '01') fail(`start record (TK01): layout version ${JSON.stringify(version)} is not supported (only 01)`);
        createdAt = timestamp(line.slice(24, 44));
        const mark = line.charAt(44);
        if (mark !== 'T' && mark !== 'P') {
          fail(`start record (TK01): test marker (position 45) is ${JSON.stringify(mark)}, not T (test) or P (production)`);
        }
        isTest = mark === 'T';
        startLine = lineNo;
        break;
      }

      case '05': {
        if (section !== null) {
          fail(`opening record (TK05) while the section opened on line ${section.line} has no deposit record (TK15)`);
        }
        const bgField = numeric(line, 3, 12, 'opening record (TK05)', 'payee bankgiro');
        const payee = bankgiroFromField(bgField);
        if (payee === null) fail('opening record (TK05): payee bankgiro (positions 3–12) is zero');
        if (payee!.length > 8) fail('opening record (TK05): payee bankgiro (positions 3–12) has more than 8 digits');
        const currency = line.slice(22, 25);
        if (!isCurrencyCode(currency)) {
          fail(`opening record (TK05): currency (positions 23–25) ${JSON.stringify(currency)} is not a currency code`);
        }
        if (!payeeAccounts.includes(payee!)) payeeAccounts.push(payee!);
        section = {
          line: lineNo,
          payeeAccount: payee!,
          currency,
          transactions: [],
          rawReferences: [],
          payments: 0,
          deductions: 0,
          paymentSum: 0,
          deductionSum: 0,
        };
        current = null;
        break;
      }

      case '20':
      case '21': {
        const name = NAMES[tk]!;
        if (section === null) fail(`${name} outside a section: an opening record (TK05) must come first`);
        const s = section!;
        const payerField = line.slice(2, 12);
        if (!isBlank(payerField) && !isDigits(payerField)) fail(`${name}: payer bankgiro (positions 3–12) is not numeric`);
        const rawReference = line.slice(12, 37).trim();
        const amount = amountField(line, 38, 55, name, 'amount');
        if (amount === 0) fail(`${name}: amount is zero`);
        const code = referenceCode(line, name);
        const serial = line.slice(57, 69);
        if (!isDigits(serial)) fail(`${name}: BGC serial number (positions 58–69) is not 12 digits`);
        const deductionCode = tk === '21' ? line.charAt(70) || null : null;
        if (deductionCode !== null && deductionCode !== ' ' && !isDigits(deductionCode)) {
          fail(`${name}: deduction code (position 71) ${JSON.stringify(deductionCode)} is not a digit`);
        }
        const tx: BankTransaction = {
          key: '',
          kind: tk === '20' ? 'payment' : 'deduction',
          amount,
          currency: s.currency,
          bookingDate: '',
          reference: referenceFor(code, rawReference),
          payer: {
            name: null,
            bankgiro: isBlank(payerField) ? null : bankgiroFromField(payerField),
            account: null,
            organisationNumber: null,
            address: null,
          },
          source: { line: lineNo },
          payeeAccount: s.payeeAccount,
          deposit: deposits.length,
          extraReferences: [],
          information: [],
          reversal: false,
          bgmax: {
            referenceCode: code,
            channel: line.charAt(56),
            imageMark: line.charAt(69) || ' ',
            bgcSerial: serial,
            deductionCode: deductionCode === ' ' ? null : deductionCode,
          },
        };
        if (tk === '20') {
          s.payments++;
          s.paymentSum += amount;
          counts.tk20++;
        } else {
          s.deductions++;
          s.deductionSum += amount;
          counts.tk21++;
        }
        if (!Number.isSafeInteger(s.paymentSum) || !Number.isSafeInteger(s.deductionSum)) {
          fail(`${name}: the section's amounts add up to more than ${Number.MAX_SAFE_INTEGER} öre`);
        }
        s.transactions.push(tx);
        s.rawReferences.push(rawReference);
        transactions.push(tx);
        current = tx;
        currentAddress = null;
        part = 0;
        break;
      }

      case '22':
      case '23':
      case '25':
      case '26':
      case '27':
      case '28':
      case '29': {
        const name = NAMES[tk]!;
        if (current === null) fail(`${name} without a payment record (TK20/TK21) before it in its section`);
        const tx = current!;
        const p = PAYMENT_PART[tk]!;
        if (p < part || (p === part && p >= 3)) {
          fail(`${name} out of order: a payment's records come as 20/21, then 22/23, 25, 26, 27, 28, 29 (each of 26–29 once)`);
        }
        part = p;
        if (tk === '22' || tk === '23') {
          // Same layout as TK20; the amount is usually zero, TK23's is to be subtracted.
          const payerField = line.slice(2, 12);
          if (!isBlank(payerField) && !isDigits(payerField)) fail(`${name}: payer bankgiro (positions 3–12) is not numeric`);
          const amount = amountField(line, 38, 55, name, 'amount');
          const code = referenceCode(line, name);
          const extra: BankExtraReference = {
            reference: referenceFor(code, line.slice(12, 37)),
            amount: tk === '23' && amount !== 0 ? -amount : amount,
            source: { line: lineNo },
          };
          tx.extraReferences.push(extra);
          counts.tk22++;
        } else if (tk === '25') {
          const text = line.slice(2, 52).trim();
          if (text !== '') tx.information.push(text);
        } else if (tk === '26') {
          const name1 = line.slice(2, 37).trim();
          const name2 = line.slice(37, 72).trim();
          const full = name1 && name2 ? `${name1} ${name2}` : name1 || name2;
          tx.payer.name = full === '' ? null : full;
        } else if (tk === '27') {
          currentAddress = { street: line.slice(2, 37).trim(), postcode: line.slice(37, 46).trim(), city: '', country: '' };
          tx.payer.address = formatAddress(currentAddress);
        } else if (tk === '28') {
          currentAddress ??= { street: '', postcode: '', city: '', country: '' };
          currentAddress.city = line.slice(2, 37).trim();
          currentAddress.country = line.slice(37, 72).trim() || line.slice(72, 74).trim();
          tx.payer.address = formatAddress(currentAddress);
        } else {
          tx.payer.organisationNumber = organisationNumber(line.slice(2, 14).trim());
        }
        break;
      }

      case '15': {
        const name = NAMES[tk]!;
        if (section === null) fail(`${name} without an opening record (TK05) before it`);
        const s = section!;
        const bankAccount = numeric(line, 3, 37, name, 'payee bank account').replace(/^0+/, '');
        const dateField = line.slice(37, 45);
        const date = isDigits(dateField)
          ? parseCalendarDate(`${dateField.slice(0, 4)}-${dateField.slice(4, 6)}-${dateField.slice(6, 8)}`)
          : null;
        if (date === null) fail(`${name}: payment date (positions 38–45) ${JSON.stringify(dateField)} is not a date YYYYMMDD`);
        const serial = numeric(line, 46, 50, name, 'deposit serial number');
        const amount = amountField(line, 51, 68, name, 'deposit amount');
        const currency = line.slice(68, 71);
        if (currency !== s.currency) {
          fail(`${name}: currency ${JSON.stringify(currency)} differs from the section's ${s.currency} (TK05 on line ${s.line})`);
        }
        const count = Number(numeric(line, 72, 79, name, 'payment count'));
        if (count !== s.payments + s.deductions) {
          fail(
            `${name}: says ${count} payment records, the section from line ${s.line} has ${s.payments + s.deductions} (${s.payments} TK20, ${s.deductions} TK21)`,
          );
        }
        const net = s.paymentSum - s.deductionSum;
        if (amount !== Math.abs(net)) {
          fail(
            `${name}: deposit amount ${amount} öre is not the section's payments minus deductions, ${s.paymentSum} − ${s.deductionSum} = ${net} öre`,
          );
        }
        const keyPrefix = `bgmax:${s.payeeAccount}/${date}/${serial}/`;
        // Keys repeat only where BGC serial numbers do (Bankgirot's sample has one such pair) or
        // where two deposits share payee, date and serial: then the file's keys are made unique
        // at the end. Serial numbers are 12 digits, so they are compared as numbers (cheap).
        if (depositKeys.has(keyPrefix)) keysMayRepeat = true;
        depositKeys.add(keyPrefix);
        const serials = new Set<number>();
        for (let k = 0; k < s.transactions.length; k++) {
          const tx = s.transactions[k]!;
          const bgc = tx.bgmax!.bgcSerial;
          const n = Number(bgc);
          if (serials.has(n)) keysMayRepeat = true;
          else serials.add(n);
          tx.bookingDate = date!;
          tx.key = `${keyPrefix}${bgc}/${tx.kind === 'payment' ? '20' : '21'}/${tx.amount}/${s.rawReferences[k]}`;
        }
        deposits.push({
          payeeAccount: s.payeeAccount,
          currency: s.currency,
          bookingDate: date!,
          serial,
          bankAccount: bankAccount === '' ? null : bankAccount,
          amount: net,
          count,
          source: { line: lineNo },
        });
        counts.tk15++;
        section = null;
        current = null;
        break;
      }

      case '70': {
        const name = NAMES[tk]!;
        if (section !== null) {
          fail(`${name} while the section opened on line ${section.line} has no deposit record (TK15)`);
        }
        const read = (from: number, to: number, what: string) => Number(numeric(line, from, to, name, what));
        const n20 = read(3, 10, 'TK20 count');
        const n21 = read(11, 18, 'TK21 count');
        const n22 = read(19, 26, 'TK22/TK23 count');
        const n15 = read(27, 34, 'TK15 count');
        const mismatch: string[] = [];
        if (n20 !== counts.tk20) mismatch.push(`${n20} TK20 (the file has ${counts.tk20})`);
        if (n21 !== counts.tk21) mismatch.push(`${n21} TK21 (the file has ${counts.tk21})`);
        if (n22 !== counts.tk22) mismatch.push(`${n22} TK22/TK23 (the file has ${counts.tk22})`);
        if (n15 !== counts.tk15) mismatch.push(`${n15} TK15 (the file has ${counts.tk15})`);
        if (mismatch.length > 0) fail(`${name}: counts do not add up: it says ${mismatch.join(', ')}`);
        endLine = lineNo;
        break;
      }
    }
  }

  if (startLine === 0) throw new BankFileError({ line: 1 }, 'missing start record (TK01): the file has no records');
  if (section !== null) {
    throw new BankFileError(
      { line: lastRecordLine },
      `the file ends (after line ${lastRecordLine}) inside the section opened on line ${section.line}: no deposit record (TK15), no end record (TK70)`,
    );
  }
  if (endLine === 0) {
    throw new BankFileError({ line: lastRecordLine }, `missing end record (TK70): the file ends after line ${lastRecordLine}`);
  }

  const totals = totalsOf(transactions);
  if (!Number.isSafeInteger(totals.amount) || !Number.isSafeInteger(totals.deductionAmount)) {
    throw new BankFileError({ line: endLine }, `the file's amounts add up to more than ${Number.MAX_SAFE_INTEGER} öre`);
  }
  if (keysMayRepeat) dedupeKeys(transactions);
  return {
    format: 'bgmax',
    payeeAccounts,
    createdAt,
    isTest,
    transactions,
    totals,
    version,
    deposits,
    skipped: [],
  };
}

// --- bytes and fields ---

// Every byte must be ISO-8859-1 text: printable ASCII, TAB, LF, CR before LF, or Latin-1 letters
// and signs (0xA0–0xFF). A UTF-8 multibyte sequence there means the file was converted. The text
// is the file read as Latin-1, one character per byte, so a character's index is its byte offset.
// (Regular expressions over a fixed-width text file are fine; the XML parser never uses them.)
const SUSPECT = /[^\t\n\r\x20-\x7e\xa0-\xff]|\r(?!\n|$)|[\xc2-\xf4][\x80-\xbf]/;

function checkBytes(buf: Buffer, text: string): void {
  const m = SUSPECT.exec(text);
  if (m === null) return;
  // Something is off: find the first bad byte and say what it is, with its line.
  const n = buf.length;
  let line = 1;
  for (let i = 0; i < n; i++) {
    const b = buf[i]!;
    if (b >= 0x20 && b < 0x7f) continue;
    if (b === 0x0a) {
      line++;
      continue;
    }
    if (b === 0x09) continue;
    if (b === 0x0d) {
      if (i + 1 === n || buf[i + 1] === 0x0a) continue;
      throw new BankFileError({ line }, 'carriage return (CR) not followed by a line feed: records end with LF or CRLF');
    }
    if (b >= 0xa0) {
      const length = utf8SequenceLength(buf, i);
      if (length > 0) {
        const bytes = [...buf.subarray(i, i + length)].map((x) => x.toString(16).toUpperCase().padStart(2, '0')).join(' ');
        throw new BankFileError(
          { line },
          `bytes ${bytes} are UTF-8 for ${JSON.stringify(buf.toString('utf8', i, i + length))}: a BgMax file is ISO-8859-1 (Latin-1), this one was converted to UTF-8 on the way`,
        );
      }
      continue;
    }
    const hex = b.toString(16).toUpperCase().padStart(2, '0');
    throw new BankFileError(
      { line },
      `byte 0x${hex} is a control character, not ISO-8859-1 text: not a BgMax file (or a damaged one)`,
    );
  }
}

// Length of the UTF-8 multibyte sequence starting at i (2–4), or 0 if there is none.
function utf8SequenceLength(buf: Buffer, i: number): number {
  const b = buf[i]!;
  const length = b >= 0xc2 && b <= 0xdf ? 2 : b >= 0xe0 && b <= 0xef ? 3 : b >= 0xf0 && b <= 0xf4 ? 4 : 0;
  if (length === 0 || i + length > buf.length) return 0;
  for (let k = 1; k < length; k++) {
    const c = buf[i + k]!;
    if (c < 0x80 || c > 0xbf) return 0;
  }
  return length;
}

function expandTabs(line: string): string {
  let out = '';
  for (let i = 0; i < line.length; i++) {
    const c = line.charAt(i);
    if (c === '\t') out += ' '.repeat(8 - (out.length % 8));
    else out += c;
  }
  return out;
}

function isDigits(s: string): boolean {
  if (s.length === 0) return false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}

function isBlank(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) !== 32) return false;
  return true;
}

function isCurrencyCode(s: string): boolean {
  if (s.length !== 3) return false;
  for (let i = 0; i < 3; i++) {
    const c = s.charCodeAt(i);
    if (c < 65 || c > 90) return false;
  }
  return true;
}

// A zero-filled numeric field, 1-based inclusive positions. `record` and `field` name it in the
// reason (joined only on failure: this runs for every record).
function numeric(line: string, from: number, to: number, record: string, field: string): string {
  const s = line.slice(from - 1, to);
  if (s.length !== to - from + 1 || !isDigits(s)) fail(`${record}: ${field} (positions ${from}–${to}) is not ${to - from + 1} digits`);
  return s;
}

// An amount in öre, read digit by digit. Every partial value is at most the final one, so a
// value up to 2^53 − 1 is exact and anything larger is caught.
function amountField(line: string, from: number, to: number, record: string, field: string): number {
  let n = 0;
  for (let i = from - 1; i < to; i++) {
    const d = line.charCodeAt(i) - 48;
    if (!(d >= 0 && d <= 9)) fail(`${record}: ${field} (positions ${from}–${to}) is not ${to - from + 1} digits`);
    n = n * 10 + d;
  }
  if (n > Number.MAX_SAFE_INTEGER) fail(`${record}: ${field} (positions ${from}–${to}) is more than ${Number.MAX_SAFE_INTEGER} öre`);
  return n;
}

function referenceCode(line: string, name: string): number {
  const c = line.charCodeAt(55) - 48;
  if (!(c >= 0 && c <= 5)) fail(`${name}: reference code (position 56) ${JSON.stringify(line.charAt(55))} is not 0–5`);
  return c;
}

// Reference code 2: an OCR reference that passed Bankgirot's control. 0/1: none; 3: one or more
// free-text references (the OCR ones follow as TK22 code 2); 4: one free-text reference; 5: a
// reference that failed the control. Everything but code 2 is free text (or a valid RF).
function referenceFor(code: number, raw: string): BankReference {
  const value = raw.trim();
  if (code === 2 && isDigits(value)) return { type: 'ocr', value };
  return freeTextReference(value);
}

// YYYYMMDDHHMMSS + 6 digits of microseconds -> 'YYYY-MM-DDTHH:MM:SS.ffffff'.
function timestamp(s: string): string {
  const date = isDigits(s) && s.length === 20 ? parseCalendarDate(`${s.slice(0, 4)}-${s.slice(4, 6)}-${s.slice(6, 8)}`) : null;
  const h = Number(s.slice(8, 10));
  const m = Number(s.slice(10, 12));
  const sec = Number(s.slice(12, 14));
  if (date === null || h > 23 || m > 59 || sec > 59) {
    fail(`start record (TK01): timestamp (positions 25–44) ${JSON.stringify(s)} is not YYYYMMDDHHMMSS + 6 digits`);
  }
  return `${date}T${s.slice(8, 10)}:${s.slice(10, 12)}:${s.slice(12, 14)}.${s.slice(14, 20)}`;
}

function formatAddress(a: Address): string | null {
  const town = [a.postcode, a.city].filter((x) => x !== '').join(' ');
  const parts = [a.street, town, a.country].filter((x) => x !== '');
  return parts.length === 0 ? null : parts.join(', ');
}

// TK29 is 12 positions: a 10-digit organisation number comes zero-filled ('005500001234'), a
// personal number as 12 digits. Zero fill is dropped; all zeros or blanks is no number.
function organisationNumber(s: string): string | null {
  if (s === '' || /^0+$/.test(s)) return null;
  if (s.length === 12 && s.startsWith('00') && isDigits(s)) return s.slice(2);
  return s;
}
