// Bank files with incoming payments, parsed into one shape whatever the format: Bankgirot's BgMax
// (bgmax.ts) and ISO 20022 camt.054 notifications (camt054.ts). Pure code: a Buffer in, a
// ParseResult out, no database and no I/O. The import job (payments module) stores and matches
// what comes out; these types are its contract, so fields are only ever added.
//
// A file is taken whole or not at all: any record or element that is malformed, out of order or
// does not add up rejects the file with the 1-based line (BgMax) or the element path (camt.054)
// and a reason a person can act on. Payer data (names, addresses, organisation and personal
// numbers) is personal data: the parsers never log it, and reasons never quote it.

import { parseBgmax } from './bgmax.ts';
import { parseCamt054 } from './camt054.ts';

export type BankReferenceType = 'ocr' | 'rf' | 'free' | 'none';

/**
 * ocr: digits, an OCR reference the bank checked (BgMax reference code 2) or a Luhn-valid
 * structured creditor reference (camt.054); rf: an ISO 11649 reference that passed mod 97,
 * normalised ('RF18539007547034'); free: anything else the payer wrote, trimmed; none: no
 * reference at all (value '').
 */
export type BankReference = { type: BankReferenceType; value: string };

export type BankFileSource = { line?: number; path?: string };

/**
 * A further reference on the same payment: BgMax TK22 (amount ≥ 0) and TK23 (amount ≤ 0, an
 * amount to subtract, e.g. a credit note), camt.054 structured references after the first (amount
 * from RfrdDocAmt/RmtdAmt, or null when the file gives none). BgMax usually leaves the amount at 0:
 * the payment's amount is then to be allocated over its references.
 */
export type BankExtraReference = { reference: BankReference; amount: number | null; source: BankFileSource };

export type BankTransaction = {
  /**
   * Unique within the file and stable across re-imports of the same file. Not a bare bank serial:
   * Bankgirot's published sample has the same BGC serial number on two payments of one deposit.
   * BgMax: 'bgmax:' payee bankgiro / deposit date / deposit serial (TK15) / BGC serial number
   * ("Bankgirots löpnummer", TK20/21 pos 58–69) / record type / amount / reference.
   * camt.054: 'camt:' account / then the first of TxDtls/Refs/AcctSvcrRef ('tx:…'), the entry's
   * AcctSvcrRef or NtryRef with the transaction's position in the entry ('ntry:…:i'), or, when the
   * bank gives neither, booking date / amount / EndToEndId / reference ('data:…').
   * A key that would repeat within a file gets '#2', '#3', … in file order.
   */
  key: string;
  /** BgMax TK21 and camt.054 DBIT are deductions: amount is still positive, the consumer subtracts. */
  kind: 'payment' | 'deduction';
  /** Öre, > 0. */
  amount: number;
  /** 'SEK' (camt.054 files in other currencies are rejected; old BgMax files may have EUR sections). */
  currency: string;
  /** 'YYYY-MM-DD': BgMax deposit date (TK15), camt.054 BookgDt. */
  bookingDate: string;
  reference: BankReference;
  payer: {
    name: string | null;
    bankgiro: string | null;
    account: string | null;
    organisationNumber: string | null;
    address: string | null;
  };
  /** BgMax: 1-based line of the TK20/TK21; camt.054: path of the TxDtls (or of the Ntry without one). */
  source: BankFileSource;
  // --- added beyond the first draft of the contract ---
  /** The payee account this was paid to, one of ParsedBankFile.payeeAccounts. */
  payeeAccount: string;
  /** Index into ParsedBankFile.deposits. */
  deposit: number;
  extraReferences: BankExtraReference[];
  /** BgMax TK25 texts; camt.054 Ustrd next to a structured reference, AddtlTxInf. */
  information: string[];
  /** camt.054 RvslInd = true (the bank reversed an earlier entry); false for BgMax. */
  reversal: boolean;
  /** Format details for manual matching; see the parsers. */
  bgmax?: {
    referenceCode: number;
    channel: string;
    imageMark: string;
    bgcSerial: string;
    deductionCode: string | null;
  };
  camt?: {
    endToEndId: string | null;
    accountServicerReference: string | null;
    entryReference: string | null;
  };
};

/**
 * A booking on the payee's account that groups transactions: a BgMax section (TK05 … TK15,
 * "insättning") or a booked camt.054 Ntry. amount is the net, payments minus deductions, so it is
 * negative for a camt.054 debit entry (and for a BgMax section whose deductions outweigh its
 * payments; TK15 states only the size).
 */
export type BankDeposit = {
  payeeAccount: string;
  currency: string;
  bookingDate: string;
  /** BgMax TK15 deposit serial ("löpnummer"); camt AcctSvcrRef or NtryRef; null if none. */
  serial: string | null;
  /** BgMax TK15 payee bank account (leading zeros dropped); null for camt. */
  bankAccount: string | null;
  amount: number;
  count: number;
  source: BankFileSource;
};

export type ParsedBankFile = {
  format: 'bgmax' | 'camt054';
  /** BgMax: payee bankgiro(s) from TK05, 7–8 digits as src/domain/bankgiro.ts writes them; camt: Acct/Id IBAN or Othr/Id. */
  payeeAccounts: string[];
  /** BgMax TK01 'YYYY-MM-DDTHH:MM:SS.ffffff' (Swedish local time, no offset in the file); camt GrpHdr/CreDtTm as written. */
  createdAt: string | null;
  /** BgMax test marker T; always false for camt.054, which has none. */
  isTest: boolean;
  transactions: BankTransaction[];
  /**
   * Over `transactions`, all currencies together (see deposits for per-currency sums):
   * count/amount of payments, deductionCount/deductionAmount of deductions. Checked against the
   * file's own totals: BgMax TK70 counts and each TK15's sum and count; camt.054 TxsSummry,
   * Btch and each Ntry/Amt against its TxDtls.
   */
  totals: { count: number; amount: number; deductionCount: number; deductionAmount: number };
  // --- added ---
  /** camt.054 version, '02' or '08'; BgMax layout version ('01'). */
  version: string;
  deposits: BankDeposit[];
  /** Entries read but not turned into transactions: camt.054 entries that are not booked (Sts other than BOOK). */
  skipped: { source: BankFileSource; reason: string }[];
};

export type ParseError = { line?: number; path?: string; reason: string };
export type ParseResult = { ok: true; file: ParsedBankFile } | { ok: false; error: ParseError };

export { parseBgmax, parseCamt054 };

/**
 * Parses a BgMax or camt.054 file, recognised by its content (an XML document; a BgMax record,
 * which starts with two digits) and otherwise by `contentType` ('application/xml', 'text/xml',
 * '…+xml' → camt.054).
 */
export function parseBankFile(input: Buffer, contentType?: string): ParseResult {
  const format = sniffFormat(input) ?? formatFromContentType(contentType);
  if (format === 'bgmax') return parseBgmax(input);
  if (format === 'camt054') return parseCamt054(input);
  return {
    ok: false,
    error: { line: 1, reason: 'not a bank file: neither a BgMax start record (01BGMAX) nor an XML document (camt.054)' },
  };
}

function sniffFormat(input: Buffer): 'bgmax' | 'camt054' | null {
  let i = 0;
  // A byte order mark or leading blank lines say nothing about the format.
  if (input[0] === 0xef && input[1] === 0xbb && input[2] === 0xbf) i = 3;
  else if ((input[0] === 0xfe && input[1] === 0xff) || (input[0] === 0xff && input[1] === 0xfe)) return 'camt054';
  while (i < input.length && (input[i] === 0x20 || input[i] === 0x09 || input[i] === 0x0a || input[i] === 0x0d)) i++;
  if (input[i] === 0x3c /* < */) return 'camt054';
  // Every BgMax record starts with a two-digit record type: a damaged start record still gets
  // the BgMax parser's own reason, with its line.
  const d0 = input[i] ?? 0;
  const d1 = input[i + 1] ?? 0;
  if (input.toString('latin1', i, i + 7) === '01BGMAX' || (d0 >= 0x30 && d0 <= 0x39 && d1 >= 0x30 && d1 <= 0x39)) {
    return 'bgmax';
  }
  return null;
}

function formatFromContentType(contentType: string | undefined): 'bgmax' | 'camt054' | null {
  if (contentType === undefined) return null;
  const mime = (contentType.split(';')[0] ?? '').trim().toLowerCase();
  if (mime === 'application/xml' || mime === 'text/xml' || mime.endsWith('+xml')) return 'camt054';
  return null;
}
