// camt.054 (ISO 20022 BankToCustomerDebitCreditNotification), versions 001.02 and 001.08
// (sweden.md §4): the XML a bank (or Bankgirot, as an alternative to BgMax) sends for bookings on
// an account. Read with fast-xml-parser, never with regular expressions over the XML.
//
//   Document/BkToCstmrDbtCdtNtfctn
//     GrpHdr/CreDtTm                         → createdAt
//     Ntfctn[]/Acct/Id/(IBAN | Othr/Id)      → payeeAccounts
//     Ntfctn[]/TxsSummry                     → checked against the entries when present
//     Ntfctn[]/Ntry[]                        → one deposit per booked entry (Sts BOOK; v08 Sts/Cd)
//       Amt@Ccy, CdtDbtInd, RvslInd, BookgDt/(Dt | DtTm), AcctSvcrRef, NtryRef
//       NtryDtls[]/Btch                      → checked against its TxDtls when present
//       NtryDtls[]/TxDtls[]                  → one transaction each (an entry without any: one
//                                               transaction from the entry itself)
//         Amt@Ccy + CdtDbtInd (v08) or AmtDtls/TxAmt/Amt (both); the entry's Amt when it has one TxDtls
//         Refs/AcctSvcrRef, Refs/EndToEndId
//         RltdPties/Dbtr/Nm (v08 Dbtr/Pty/Nm), PstlAdr, Id/OrgId|PrvtId/Othr/Id; RltdPties/DbtrAcct
//         RmtInf/Strd[]/CdtrRefInf/Ref (Tp/CdOrPrtry/Cd SCOR) → OCR or RF; RmtInf/Ustrd[] → free text
//         AddtlTxInf                         → information
//
// Amounts are decimal strings turned into öre digit by digit (no floating point). Entries that are
// not booked (PDNG, INFO) are listed in `skipped`, not turned into transactions. Rejected, with the
// element path ('Document/BkToCstmrDbtCdtNtfctn/Ntfctn[0]/Ntry[3]/Amt') or, for XML that is not
// well-formed, the line: truncated or damaged XML, a namespace other than camt.054.001.02/.08,
// a missing required element, a currency other than SEK, an amount that is not a positive decimal
// with at most two decimals, TxDtls that do not add up to their entry, and TxsSummry or Btch
// counts and sums that do not match.

import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { parseCalendarDate } from '../../../domain/calendar-date.ts';
import type {
  BankDeposit,
  BankExtraReference,
  BankReference,
  BankTransaction,
  ParsedBankFile,
  ParseResult,
} from './bank-file.ts';
import { BankFileError, bankgiroFromField, dedupeKeys, freeTextReference, parseResult, structuredReference, totalsOf } from './shared.ts';

export const CAMT054_NAMESPACES: Readonly<Record<string, '02' | '08'>> = {
  'urn:iso:std:iso:20022:tech:xsd:camt.054.001.02': '02',
  'urn:iso:std:iso:20022:tech:xsd:camt.054.001.08': '08',
};

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  // Values stay strings: '0012' is a reference, '100.10' an amount read digit by digit.
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
  ignoreDeclaration: true,
  ignorePiTags: true,
  // Character references (&#229; for å) are decoded too, not only &amp; and friends.
  htmlEntities: true,
  // No callbacks use paths; without them the parser is about 2.5 times faster.
  jPath: false,
});

const declarationParser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@_' });

type Node = Record<string, unknown>;

/** Parses a camt.054.001.02 or .001.08 document. Never throws: a bad file is { ok: false }. */
export function parseCamt054(input: Buffer): ParseResult {
  return parseResult(parse, input);
}

function parse(input: Buffer): ParsedBankFile {
  const xml = decode(input);
  let valid: ReturnType<typeof XMLValidator.validate>;
  try {
    valid = XMLValidator.validate(xml);
  } catch (e) {
    throw new BankFileError({ line: 1 }, `not well-formed XML: ${e instanceof Error ? e.message : String(e)}`);
  }
  if (valid !== true) {
    const open = unclosedElements(valid.err.code, valid.err.msg);
    if (open !== null) {
      let lines = 1;
      for (let i = 0; i < xml.length; i++) if (xml.charCodeAt(i) === 10) lines++;
      throw new BankFileError(
        { line: lines },
        `not well-formed XML (truncated or damaged): the document ends with ${open} still open`,
      );
    }
    throw new BankFileError(
      { line: valid.err.line },
      `not well-formed XML (truncated or damaged): ${valid.err.msg} (line ${valid.err.line}, column ${valid.err.col})`,
    );
  }
  let parsed: Node;
  try {
    parsed = parser.parse(xml) as Node;
  } catch (e) {
    throw new BankFileError({ line: 1 }, `XML could not be read: ${e instanceof Error ? e.message : String(e)}`);
  }

  const roots = Object.keys(parsed).filter((k) => !k.startsWith('#') && !k.startsWith('?'));
  if (roots.length === 0) throw new BankFileError({ line: 1 }, 'no XML root element');
  if (roots.length > 1 || Array.isArray(parsed[roots[0]!])) {
    throw new BankFileError({ path: roots[0] }, 'more than one XML root element');
  }
  const rootName = roots[0]!;
  const colon = rootName.indexOf(':');
  const prefix = colon >= 0 ? rootName.slice(0, colon + 1) : '';
  if (rootName.slice(colon + 1) !== 'Document') {
    throw new BankFileError({ path: rootName }, `root element is ${rootName}, not Document`);
  }
  const rootValue = parsed[rootName];
  const root: Node = isNode(rootValue) ? rootValue : {};
  const ns = root[colon >= 0 ? `@_xmlns:${rootName.slice(0, colon)}` : '@_xmlns'];
  const version = typeof ns === 'string' && Object.hasOwn(CAMT054_NAMESPACES, ns) ? CAMT054_NAMESPACES[ns] : undefined;
  if (version === undefined) {
    throw new BankFileError(
      { path: 'Document' },
      `namespace ${typeof ns === 'string' ? JSON.stringify(ns) : '(none)'} is not camt.054 (urn:iso:std:iso:20022:tech:xsd:camt.054.001.02 or .001.08)`,
    );
  }

  return new Reader(prefix, version).document(root);
}

class Reader {
  private readonly prefix: string;
  private readonly version: '02' | '08';
  private readonly transactions: BankTransaction[] = [];
  private readonly deposits: BankDeposit[] = [];
  private readonly skipped: { source: { path: string }; reason: string }[] = [];
  private readonly payeeAccounts: string[] = [];

  constructor(prefix: string, version: '02' | '08') {
    this.prefix = prefix;
    this.version = version;
  }

  document(root: Node): ParsedBankFile {
    const base = 'Document/BkToCstmrDbtCdtNtfctn';
    const ntf = this.requiredNode(root, 'BkToCstmrDbtCdtNtfctn', 'Document');
    const grpHdr = this.requiredNode(ntf, 'GrpHdr', base);
    this.requiredText(grpHdr, 'MsgId', `${base}/GrpHdr`);
    const createdAt = this.requiredText(grpHdr, 'CreDtTm', `${base}/GrpHdr`);
    const notifications = this.all(ntf, 'Ntfctn');
    if (notifications.length === 0) throw missing(`${base}/Ntfctn`);
    notifications.forEach((n, i) => this.notification(n, `${base}/Ntfctn[${i}]`));

    const totals = totalsOf(this.transactions);
    if (!Number.isSafeInteger(totals.amount) || !Number.isSafeInteger(totals.deductionAmount)) {
      throw new BankFileError({ path: base }, `the file's amounts add up to more than ${Number.MAX_SAFE_INTEGER} öre`);
    }
    dedupeKeys(this.transactions);
    return {
      format: 'camt054',
      payeeAccounts: this.payeeAccounts,
      createdAt,
      isTest: false,
      transactions: this.transactions,
      totals,
      version: this.version,
      deposits: this.deposits,
      skipped: this.skipped,
    };
  }

  private notification(n: Node, path: string): void {
    const acct = this.requiredNode(n, 'Acct', path);
    const id = this.requiredNode(acct, 'Id', `${path}/Acct`);
    const iban = this.text(this.one(id, 'IBAN'));
    const othr = this.one(id, 'Othr');
    let account = compact(iban ?? this.text(this.one(othr, 'Id')) ?? '');
    // A bankgiro account (Othr/SchmeNm/Prtry BGNR), as BgMax files and bankgiro.ts write it.
    if (iban === null && this.text(this.one(this.one(othr, 'SchmeNm'), 'Prtry')) === 'BGNR') {
      const digits = account.replace(/-/g, '');
      if (isDigits(digits)) account = bankgiroFromField(digits) ?? account;
    }
    if (account === '') throw missing(`${path}/Acct/Id/IBAN`, 'missing required element IBAN (or Othr/Id)');
    const acctCcy = this.text(this.one(acct, 'Ccy'));
    if (acctCcy !== null && acctCcy !== 'SEK') throw notSek(`${path}/Acct/Ccy`, acctCcy);
    if (!this.payeeAccounts.includes(account)) this.payeeAccounts.push(account);

    let count = 0;
    let sum = 0;
    let net = 0;
    const byDirection = { CRDT: { count: 0, sum: 0 }, DBIT: { count: 0, sum: 0 } };
    this.all(n, 'Ntry').forEach((e, j) => {
      const { amount, direction } = this.entry(e, `${path}/Ntry[${j}]`, account);
      count++;
      sum += amount;
      net += direction === 'CRDT' ? amount : -amount;
      byDirection[direction].count++;
      byDirection[direction].sum += amount;
    });
    if (!Number.isSafeInteger(sum)) throw new BankFileError({ path }, `the entries add up to more than ${Number.MAX_SAFE_INTEGER} öre`);

    const summary = this.one(n, 'TxsSummry');
    if (!isNode(summary)) return;
    const sp = `${path}/TxsSummry`;
    const checkGroup = (name: string, expected: { count: number; sum: number }, what: string) => {
      const g = this.one(summary, name);
      if (!isNode(g)) return;
      const nb = this.text(this.one(g, 'NbOfNtries'));
      if (nb !== null && (!isDigits(nb) || Number(nb) !== expected.count)) {
        throw inconsistent(`${sp}/${name}/NbOfNtries`, `says ${nb} ${what}, the notification has ${expected.count}`);
      }
      const s = this.text(this.one(g, 'Sum'));
      if (s !== null) {
        const v = toOre(s);
        if (v === null) throw badAmount(`${sp}/${name}/Sum`, s);
        if (v !== expected.sum) throw inconsistent(`${sp}/${name}/Sum`, `says ${s}, the ${what} add up to ${formatOre(expected.sum)}`);
      }
    };
    checkGroup('TtlNtries', { count, sum }, 'entries');
    checkGroup('TtlCdtNtries', byDirection.CRDT, 'credit entries');
    checkGroup('TtlDbtNtries', byDirection.DBIT, 'debit entries');
    // Net: v02 TtlNtries/TtlNetNtryAmt + CdtDbtInd, v08 TtlNtries/TtlNetNtry/(Amt + CdtDbtInd).
    const ttl = this.one(summary, 'TtlNtries');
    if (isNode(ttl)) {
      const v08 = this.one(ttl, 'TtlNetNtry');
      const holder = isNode(v08) ? v08 : ttl;
      const amountName = isNode(v08) ? 'TtlNetNtry/Amt' : 'TtlNetNtryAmt';
      const amountText = this.text(this.one(holder, isNode(v08) ? 'Amt' : 'TtlNetNtryAmt'));
      if (amountText !== null) {
        const v = toOre(amountText);
        if (v === null) throw badAmount(`${sp}/TtlNtries/${amountName}`, amountText);
        const ind = this.text(this.one(holder, 'CdtDbtInd'));
        const signed = ind === 'DBIT' ? -v : v;
        if (signed !== net) {
          throw inconsistent(
            `${sp}/TtlNtries/${amountName}`,
            `says a net ${formatOre(v)} ${ind ?? 'CRDT'}, the entries net ${formatOre(Math.abs(net))} ${net < 0 ? 'DBIT' : 'CRDT'}`,
          );
        }
      }
    }
  }

  private entry(e: Node, path: string, account: string): { amount: number; direction: 'CRDT' | 'DBIT' } {
    const amount = this.amount(e, 'Amt', path, true)!;
    const direction = this.direction(e, path, true)!;
    const reversal = this.boolean(e, 'RvslInd', path);
    const stsNode = this.one(e, 'Sts');
    if (stsNode === undefined) throw missing(`${path}/Sts`);
    // v02: <Sts>BOOK</Sts>; v08: <Sts><Cd>BOOK</Cd></Sts> (or Prtry).
    const status =
      isNode(stsNode) && !('#text' in stsNode)
        ? (this.text(this.one(stsNode, 'Cd')) ?? this.text(this.one(stsNode, 'Prtry')))
        : this.text(stsNode);
    if (status === null || status === '') throw missing(`${path}/Sts`);
    const entryRef = this.reference(e, 'AcctSvcrRef') ?? this.reference(e, 'NtryRef');

    if (status !== 'BOOK') {
      this.skipped.push({ source: { path }, reason: `entry status ${status}: not booked (BOOK), so not a payment yet` });
      return { amount, direction };
    }

    const bookgDt = this.requiredNode(e, 'BookgDt', path);
    const dateText = this.text(this.one(bookgDt, 'Dt')) ?? this.text(this.one(bookgDt, 'DtTm'));
    if (dateText === null) throw missing(`${path}/BookgDt/Dt`, 'missing required element Dt (or DtTm)');
    const bookingDate = parseCalendarDate(dateText.slice(0, 10));
    if (bookingDate === null) throw new BankFileError({ path: `${path}/BookgDt` }, `booking date ${JSON.stringify(dateText)} is not a date`);

    // Every TxDtls of every NtryDtls, with its path.
    const details: { node: Node; path: string }[] = [];
    const batches: { btch: Node; path: string; txs: Node[]; detailsPath: string }[] = [];
    this.all(e, 'NtryDtls').forEach((d, k) => {
      const dp = `${path}/NtryDtls[${k}]`;
      const txs = this.all(d, 'TxDtls');
      txs.forEach((t, l) => details.push({ node: t, path: `${dp}/TxDtls[${l}]` }));
      const btch = this.one(d, 'Btch');
      if (isNode(btch) && txs.length > 0) batches.push({ btch, path: `${dp}/Btch`, txs, detailsPath: dp });
    });

    const depositIndex = this.deposits.length;
    const signedEntry = direction === 'CRDT' ? amount : -amount;
    const produced: BankTransaction[] = [];
    const camtRefs = (tx: Node | null) => ({
      endToEndId: tx === null ? null : this.endToEndId(tx),
      accountServicerReference: tx === null ? null : this.reference(this.one(tx, 'Refs'), 'AcctSvcrRef'),
      entryReference: entryRef,
    });

    if (details.length === 0) {
      produced.push({
        key: entryRef !== null ? `camt:${account}/ntry:${entryRef}:0` : `camt:${account}/data:${bookingDate}/${direction}/${amount}//`,
        kind: direction === 'CRDT' ? 'payment' : 'deduction',
        amount,
        currency: 'SEK',
        bookingDate,
        reference: { type: 'none', value: '' },
        payer: { name: null, bankgiro: null, account: null, organisationNumber: null, address: null },
        source: { path },
        payeeAccount: account,
        deposit: depositIndex,
        extraReferences: [],
        information: this.texts(e, 'AddtlNtryInf'),
        reversal,
        camt: camtRefs(null),
      });
    } else {
      let signedSum = 0;
      details.forEach(({ node: t, path: tp }, index) => {
        // The transaction's amount: v08 TxDtls/Amt, else AmtDtls/TxAmt/Amt, else (one transaction
        // only) the entry's.
        let txAmount = this.amount(t, 'Amt', tp, false);
        if (txAmount === null) {
          const txAmt = this.one(this.one(t, 'AmtDtls'), 'TxAmt');
          if (isNode(txAmt)) txAmount = this.amount(txAmt, 'Amt', `${tp}/AmtDtls/TxAmt`, true);
        }
        if (txAmount === null) {
          if (details.length > 1) {
            throw missing(this.version === '08' ? `${tp}/Amt` : `${tp}/AmtDtls/TxAmt/Amt`, 'missing required element Amt: an entry with several TxDtls needs each amount');
          }
          txAmount = amount;
        }
        const txDirection = this.direction(t, tp, false) ?? direction;
        signedSum += txDirection === 'CRDT' ? txAmount : -txAmount;

        const refs = camtRefs(t);
        const { reference, extraReferences, information } = this.remittance(t, tp);
        const kind = txDirection === 'CRDT' ? 'payment' : 'deduction';
        let key: string;
        if (refs.accountServicerReference !== null) key = `camt:${account}/tx:${refs.accountServicerReference}`;
        else if (entryRef !== null) key = `camt:${account}/ntry:${entryRef}:${index}`;
        else key = `camt:${account}/data:${bookingDate}/${txDirection}/${txAmount}/${refs.endToEndId ?? ''}/${reference.value}`;
        produced.push({
          key,
          kind,
          amount: txAmount,
          currency: 'SEK',
          bookingDate,
          reference,
          payer: this.payer(t),
          source: { path: tp },
          payeeAccount: account,
          deposit: depositIndex,
          extraReferences,
          information,
          reversal,
          camt: refs,
        });
      });
      if (signedSum !== signedEntry) {
        throw inconsistent(
          `${path}/Amt`,
          `the entry is ${formatOre(amount)} ${direction}, its TxDtls add up to ${formatOre(Math.abs(signedSum))} ${signedSum < 0 ? 'DBIT' : 'CRDT'}`,
        );
      }
    }

    // Batch totals last, so a transaction's own problem (a missing amount) is what gets reported.
    for (const b of batches) this.checkBatch(b.btch, b.path, b.txs, b.detailsPath, direction);

    this.deposits.push({
      payeeAccount: account,
      currency: 'SEK',
      bookingDate,
      serial: entryRef,
      bankAccount: null,
      amount: signedEntry,
      count: produced.length,
      source: { path },
    });
    for (const tx of produced) this.transactions.push(tx);
    return { amount, direction };
  }

  private checkBatch(btch: Node, path: string, txs: Node[], detailsPath: string, entryDirection: 'CRDT' | 'DBIT'): void {
    const nb = this.text(this.one(btch, 'NbOfTxs'));
    if (nb !== null && (!isDigits(nb) || Number(nb) !== txs.length)) {
      throw inconsistent(`${path}/NbOfTxs`, `says ${nb} transactions, ${detailsPath} has ${txs.length} TxDtls`);
    }
    const ttl = this.amount(btch, 'TtlAmt', path, false);
    if (ttl === null) return;
    let signed = 0;
    txs.forEach((t, l) => {
      const tp = `${detailsPath}/TxDtls[${l}]`;
      let a = this.amount(t, 'Amt', tp, false);
      if (a === null) {
        const txAmt = this.one(this.one(t, 'AmtDtls'), 'TxAmt');
        if (isNode(txAmt)) a = this.amount(txAmt, 'Amt', `${tp}/AmtDtls/TxAmt`, true);
      }
      if (a === null) return;
      signed += (this.direction(t, tp, false) ?? entryDirection) === 'DBIT' ? -a : a;
    });
    // With Btch/CdtDbtInd the direction must match too; without it, only the size.
    const ind = this.direction(btch, path, false);
    const matches = ind === null ? ttl === Math.abs(signed) : (ind === 'DBIT' ? -ttl : ttl) === signed;
    if (!matches) {
      throw inconsistent(
        `${path}/TtlAmt`,
        `says ${formatOre(ttl)}${ind === null ? '' : ` ${ind}`}, the TxDtls add up to ${formatOre(Math.abs(signed))} ${signed < 0 ? 'DBIT' : 'CRDT'}`,
      );
    }
  }

  private remittance(t: Node, tp: string): {
    reference: BankReference;
    extraReferences: BankExtraReference[];
    information: string[];
  } {
    const information: string[] = [];
    const structured: { reference: BankReference; amount: number | null; path: string }[] = [];
    const rmt = this.one(t, 'RmtInf');
    const rp = `${tp}/RmtInf`;
    this.all(rmt, 'Strd').forEach((s, i) => {
      const sp = `${rp}/Strd[${i}]`;
      const cri = this.one(s, 'CdtrRefInf');
      const ref = this.text(this.one(cri, 'Ref'));
      for (const text of this.texts(s, 'AddtlRmtInf')) information.push(text);
      if (ref === null || ref === '') return;
      const cd = this.text(this.one(this.one(this.one(cri, 'Tp'), 'CdOrPrtry'), 'Cd'));
      // SCOR (or no type, or a proprietary one): a creditor reference, OCR or RF. Any other
      // document type code names something else (an invoice number, say): free text.
      const reference = cd === null || cd === 'SCOR' ? structuredReference(ref) : freeTextReference(ref);
      const rmtdAmt = this.one(this.one(s, 'RfrdDocAmt'), 'RmtdAmt');
      let amount: number | null = null;
      if (rmtdAmt !== undefined && this.attr(rmtdAmt, 'Ccy') === 'SEK') {
        const text = this.text(rmtdAmt);
        amount = text === null ? null : toOre(text);
        if (amount === null) throw badAmount(`${sp}/RfrdDocAmt/RmtdAmt`, text ?? '');
      }
      structured.push({ reference, amount, path: `${sp}/CdtrRefInf/Ref` });
    });
    const ustrd = this.texts(rmt, 'Ustrd');
    for (const text of this.texts(t, 'AddtlTxInf')) information.push(text);

    const [first, ...rest] = structured;
    let reference: BankReference;
    if (first !== undefined) {
      reference = first.reference;
      information.unshift(...ustrd);
    } else {
      reference = freeTextReference(ustrd.join(' '));
    }
    return {
      reference,
      extraReferences: rest.map((r) => ({ reference: r.reference, amount: r.amount, source: { path: r.path } })),
      information,
    };
  }

  private payer(t: Node): BankTransaction['payer'] {
    const parties = this.one(t, 'RltdPties');
    const dbtr = this.one(parties, 'Dbtr');
    // v08 wraps the party: Dbtr/Pty (or Dbtr/Agt for a bank); v02 has it directly.
    const pty = this.one(dbtr, 'Pty');
    const party = isNode(pty) ? pty : dbtr;
    const name = this.text(this.one(party, 'Nm'));

    let address: string | null = null;
    const adr = this.one(party, 'PstlAdr');
    if (isNode(adr)) {
      const lines = this.texts(adr, 'AdrLine');
      const street = [this.text(this.one(adr, 'StrtNm')), this.text(this.one(adr, 'BldgNb'))].filter(nonEmpty).join(' ');
      const town = [this.text(this.one(adr, 'PstCd')), this.text(this.one(adr, 'TwnNm'))].filter(nonEmpty).join(' ');
      const parts = [...lines, street, town, this.text(this.one(adr, 'Ctry')) ?? ''].filter(nonEmpty);
      address = parts.length > 0 ? parts.join(', ') : null;
    }

    const id = this.one(party, 'Id');
    const othrId = (holder: unknown) => {
      const othr = this.all(holder, 'Othr')[0];
      return othr === undefined ? null : this.text(this.one(othr, 'Id'));
    };
    const organisationNumber = othrId(this.one(id, 'OrgId')) ?? othrId(this.one(id, 'PrvtId'));

    let account: string | null = null;
    let bankgiro: string | null = null;
    const acctId = this.one(this.one(parties, 'DbtrAcct'), 'Id');
    const iban = this.text(this.one(acctId, 'IBAN'));
    if (iban !== null && iban !== '') {
      account = compact(iban);
    } else {
      const othr = this.one(acctId, 'Othr');
      const otherId = this.text(this.one(othr, 'Id'));
      const scheme = this.text(this.one(this.one(othr, 'SchmeNm'), 'Prtry'));
      if (otherId !== null && otherId !== '') {
        const digits = compact(otherId).replace(/-/g, '');
        if (scheme === 'BGNR' && isDigits(digits)) bankgiro = bankgiroFromField(digits);
        else account = compact(otherId);
      }
    }
    return {
      name: name === '' ? null : name,
      bankgiro,
      account,
      organisationNumber: organisationNumber === '' ? null : organisationNumber,
      address,
    };
  }

  private endToEndId(t: Node): string | null {
    const id = this.reference(this.one(t, 'Refs'), 'EndToEndId');
    return id === 'NOTPROVIDED' ? null : id;
  }

  // A reference element's text, null when missing or empty.
  private reference(node: unknown, name: string): string | null {
    const v = this.text(this.one(node, name));
    return v === null || v === '' ? null : v;
  }

  // --- element access (names without the document's namespace prefix) ---

  private one(node: unknown, name: string): unknown {
    if (!isNode(node)) return undefined;
    const v = node[this.prefix + name];
    return Array.isArray(v) ? v[0] : v;
  }

  private all(node: unknown, name: string): Node[] {
    if (!isNode(node)) return [];
    const v = node[this.prefix + name];
    if (v === undefined) return [];
    // An empty element (<Ntry/>) parses as '': keep it, as an element without children.
    const list = Array.isArray(v) ? v : [v];
    return list.map((x) => (isNode(x) ? x : {}));
  }

  private text(v: unknown): string | null {
    if (typeof v === 'string') return v;
    if (typeof v === 'number' || typeof v === 'boolean') return String(v);
    if (isNode(v)) {
      const t = v['#text'];
      if (t === undefined) return Object.keys(v).some((k) => !k.startsWith('@_')) ? null : '';
      return String(t);
    }
    return null;
  }

  private texts(node: unknown, name: string): string[] {
    if (!isNode(node)) return [];
    const v = node[this.prefix + name];
    if (v === undefined) return [];
    return (Array.isArray(v) ? v : [v]).map((x) => this.text(x) ?? '').filter(nonEmpty);
  }

  private attr(v: unknown, name: string): string | null {
    if (!isNode(v)) return null;
    const a = v[`@_${name}`];
    return typeof a === 'string' ? a : null;
  }

  private requiredNode(node: unknown, name: string, path: string): Node {
    const v = this.one(node, name);
    if (v === undefined) throw missing(`${path}/${name}`);
    return isNode(v) ? v : {};
  }

  private requiredText(node: unknown, name: string, path: string): string {
    const v = this.text(this.one(node, name));
    if (v === null || v === '') throw missing(`${path}/${name}`);
    return v;
  }

  // An amount element with its Ccy attribute, in öre. Required: missing throws; otherwise null.
  private amount(node: unknown, name: string, path: string, required: true): number;
  private amount(node: unknown, name: string, path: string, required: boolean): number | null;
  private amount(node: unknown, name: string, path: string, required: boolean): number | null {
    const v = this.one(node, name);
    const p = `${path}/${name}`;
    if (v === undefined) {
      if (required) throw missing(p);
      return null;
    }
    const ccy = this.attr(v, 'Ccy');
    if (ccy === null) throw missing(p, `missing required attribute Ccy on ${name}`);
    if (ccy !== 'SEK') throw notSek(p, ccy);
    const text = this.text(v) ?? '';
    const ore = toOre(text);
    if (ore === null) throw badAmount(p, text);
    if (ore === 0) throw new BankFileError({ path: p }, 'amount is zero: a booking has an amount greater than zero');
    return ore;
  }

  private direction(node: unknown, path: string, required: boolean): 'CRDT' | 'DBIT' | null {
    const v = this.one(node, 'CdtDbtInd');
    if (v === undefined) {
      if (required) throw missing(`${path}/CdtDbtInd`);
      return null;
    }
    const t = this.text(v);
    if (t !== 'CRDT' && t !== 'DBIT') {
      throw new BankFileError({ path: `${path}/CdtDbtInd` }, `CdtDbtInd is ${JSON.stringify(t)}, not CRDT or DBIT`);
    }
    return t;
  }

  private boolean(node: unknown, name: string, path: string): boolean {
    const v = this.one(node, name);
    if (v === undefined) return false;
    const t = this.text(v);
    if (t === 'true' || t === '1') return true;
    if (t === 'false' || t === '0') return false;
    throw new BankFileError({ path: `${path}/${name}` }, `${name} is ${JSON.stringify(t)}, not true or false`);
  }
}

// The validator reports several unclosed elements as "Invalid '[ "Document", … ]' found." at line 1;
// this turns that into 'Document/BkToCstmrDbtCdtNtfctn/…', or null for any other error.
function unclosedElements(code: string, msg: string): string | null {
  const head = "Invalid '";
  const tail = "' found.";
  if (code !== 'InvalidXml' || !msg.startsWith(head) || !msg.endsWith(tail)) return null;
  try {
    const names: unknown = JSON.parse(msg.slice(head.length, -tail.length));
    if (!Array.isArray(names) || names.length === 0 || !names.every((n) => typeof n === 'string')) return null;
    return names.join('/');
  } catch {
    return null;
  }
}

// --- decoding and values ---

// camt.054 is UTF-8 (with or without a byte order mark); a declared ISO-8859-1 is honoured.
function decode(input: Buffer): string {
  if (input.length >= 2 && ((input[0] === 0xfe && input[1] === 0xff) || (input[0] === 0xff && input[1] === 0xfe))) {
    throw new BankFileError({ line: 1 }, 'the file is UTF-16: camt.054 files are read as UTF-8');
  }
  const body = input[0] === 0xef && input[1] === 0xbb && input[2] === 0xbf ? input.subarray(3) : input;
  const encoding = declaredEncoding(body);
  if (encoding === 'iso-8859-1' || encoding === 'latin1' || encoding === 'iso8859-1') return body.toString('latin1');
  if (encoding !== null && encoding !== 'utf-8' && encoding !== 'utf8') {
    throw new BankFileError({ line: 1 }, `encoding ${JSON.stringify(encoding)} is not supported: camt.054 files are UTF-8`);
  }
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(body);
  } catch {
    const lenient = body.toString('utf8');
    const at = lenient.indexOf('\uFFFD');
    let line = 1;
    for (let i = 0; i < at; i++) if (lenient.charCodeAt(i) === 10) line++;
    throw new BankFileError({ line }, 'the file is not valid UTF-8 (an ISO-8859-1 file must say so in its XML declaration)');
  }
}

// The encoding named in the XML declaration, lower case, or null. The declaration alone is handed
// to the XML parser (it is ASCII whatever the encoding).
function declaredEncoding(body: Buffer): string | null {
  const head = body.toString('latin1', 0, Math.min(body.length, 200));
  if (!head.startsWith('<?xml')) return null;
  const end = head.indexOf('?>');
  if (end < 0) return null;
  try {
    const decl = declarationParser.parse(`${head.slice(0, end + 2)}<x/>`) as Node;
    const attrs = decl['?xml'];
    const enc = isNode(attrs) ? attrs['@_encoding'] : undefined;
    return typeof enc === 'string' ? enc.toLowerCase() : null;
  } catch {
    return null;
  }
}

/**
 * A non-negative decimal ('1234.5', '1234.50', '1234') in öre, exactly: the digits are read, never
 * a float. More than two decimals are allowed only as trailing zeros. null if it is anything else.
 */
export function toOre(s: string): number | null {
  let i = 0;
  let whole = 0;
  let digits = 0;
  while (i < s.length && s.charCodeAt(i) >= 48 && s.charCodeAt(i) <= 57) {
    whole = whole * 10 + (s.charCodeAt(i) - 48);
    i++;
    digits++;
  }
  if (digits === 0 || digits > 16) return null;
  let fraction = 0;
  if (i < s.length) {
    if (s.charCodeAt(i) !== 46 /* . */) return null;
    i++;
    let fd = 0;
    while (i < s.length) {
      const c = s.charCodeAt(i) - 48;
      if (c < 0 || c > 9) return null;
      if (fd < 2) fraction = fraction * 10 + c;
      else if (c !== 0) return null;
      fd++;
      i++;
    }
    if (fd === 0) return null;
    if (fd === 1) fraction *= 10;
  }
  const ore = whole * 100 + fraction;
  return Number.isSafeInteger(ore) ? ore : null;
}

function formatOre(ore: number): string {
  const s = String(ore).padStart(3, '0');
  return `${s.slice(0, -2)}.${s.slice(-2)}`;
}

function isNode(v: unknown): v is Node {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isDigits(s: string): boolean {
  if (s.length === 0) return false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}

function compact(s: string): string {
  return s.replace(/\s+/g, '').toUpperCase();
}

function nonEmpty(s: string | null): s is string {
  return s !== null && s !== '';
}

function missing(path: string, reason?: string): BankFileError {
  const name = path.slice(path.lastIndexOf('/') + 1).replace(/\[\d+\]$/, '');
  return new BankFileError({ path }, reason ?? `missing required element ${name}`);
}

function notSek(path: string, currency: string): BankFileError {
  return new BankFileError({ path }, `currency ${currency} is not supported: only SEK (Omtanke books Swedish kronor)`);
}

function badAmount(path: string, text: string): BankFileError {
  return new BankFileError({ path }, `amount ${JSON.stringify(text)} is not a decimal with at most two decimals`);
}

function inconsistent(path: string, detail: string): BankFileError {
  return new BankFileError({ path }, `totals do not add up: ${detail}`);
}
