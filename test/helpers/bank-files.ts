// Writers of bank files for tests and benchmarks: BgMax (Latin-1, 80-character records) and
// camt.054 (.001.02 / .001.08), from one description of payments. They write what a bank would:
// sections per booking date, sums and counts that add up, so a test changes one thing at a time
// (a byte, a line, a total) and knows everything else is right. Fast enough for 100 000 payments.

export type TestReference = { ocr?: string; rf?: string; reference?: string };

export type TestPayment = TestReference & {
  /** Öre, > 0. */
  amount: number;
  /** BgMax: the BGC serial number (12 digits, zero-filled). camt.054: TxDtls/Refs/AcctSvcrRef. */
  serial: string | number;
  payerName?: string;
  /** 'YYYY-MM-DD'; default the file's bookingDate. BgMax: one section (deposit) per date. */
  bookingDate?: string;
  payerBankgiro?: string;
  /** camt.054 DbtrAcct/Id/IBAN. */
  payerAccount?: string;
  organisationNumber?: string;
  address?: { street?: string; postcode?: string; city?: string; country?: string };
  /** BgMax TK25 lines, camt.054 AddtlTxInf. */
  information?: string[];
  /** BgMax TK22 (TK23 for a negative amount), camt.054 further RmtInf/Strd. */
  extraReferences?: (TestReference & { amount?: number })[];
  /** BgMax TK20/21 position 57; default 2 (LB). */
  channel?: string;
};

export type TestBankFile = {
  payeeBankgiro: string;
  payments: TestPayment[];
  /** BgMax TK21, camt.054 DBIT entries. */
  deductions?: TestPayment[];
  /** Default '2026-01-15'. */
  bookingDate?: string;
  /** 'YYYY-MM-DDTHH:MM:SS', default '<bookingDate>T06:30:00'. */
  createdAt?: string;
  /** BgMax test marker T (default P). */
  test?: boolean;
  /** Default 'SEK'. */
  currency?: string;
  /** BgMax: default '\n'. */
  lineEnding?: '\n' | '\r\n';
  /** camt.054 Ntfctn/Acct/Id/IBAN; default a Swedish example IBAN. With `bankgiroAccount`, Othr/Id = payee bankgiro. */
  account?: string;
  bankgiroAccount?: boolean;
  /** camt.054: one Ntry per payment (default), or one per booking date and direction with all its TxDtls. */
  entries?: 'perPayment' | 'perDate';
  /** camt.054: write Ntfctn/TxsSummry and Btch (default true). */
  summary?: boolean;
};

export const EXAMPLE_IBAN = 'SE4550000000058398257466';

const DEFAULT_DATE = '2026-01-15';
const SPACES = ' '.repeat(80);

const padRight = (s: string, n: number) => (s.length >= n ? s.slice(0, n) : s + SPACES.slice(0, n - s.length));
const padLeft = (s: string, n: number) => (s.length >= n ? s.slice(-n) : SPACES.slice(0, n - s.length) + s);
const zeros = (v: string | number, n: number) => String(v).padStart(n, '0');
const digitsOf = (s: string) => s.replace(/[^0-9]/g, '');

function groupByDate(o: TestBankFile): { date: string; payments: TestPayment[]; deductions: TestPayment[] }[] {
  const byDate = new Map<string, { date: string; payments: TestPayment[]; deductions: TestPayment[] }>();
  const group = (date: string) => {
    let g = byDate.get(date);
    if (g === undefined) {
      g = { date, payments: [], deductions: [] };
      byDate.set(date, g);
    }
    return g;
  };
  const fallback = o.bookingDate ?? DEFAULT_DATE;
  for (const p of o.payments) group(p.bookingDate ?? fallback).payments.push(p);
  for (const d of o.deductions ?? []) group(d.bookingDate ?? fallback).deductions.push(d);
  return [...byDate.values()];
}

// --- BgMax ---

// Reference field and code: OCR right-aligned with code 2; free text (or an RF) left-aligned with
// code 4, or 3 when the OCR references follow as TK22; none: code 1.
function bgmaxReference(r: TestReference, hasExtras: boolean): { field: string; code: string } {
  if (r.ocr !== undefined) return { field: padLeft(r.ocr, 25), code: '2' };
  const text = r.rf ?? r.reference;
  if (text !== undefined) return { field: padRight(text, 25), code: hasExtras ? '3' : '4' };
  return { field: padRight('', 25), code: '1' };
}

function bgmaxPaymentRecords(tk: '20' | '21', p: TestPayment, out: string[]): void {
  const payerBg = zeros(digitsOf(p.payerBankgiro ?? ''), 10);
  const extras = p.extraReferences ?? [];
  const ref = bgmaxReference(p, extras.length > 0);
  const serial = zeros(p.serial, 12);
  out.push(
    padRight(
      `${tk}${payerBg}${ref.field}${zeros(p.amount, 18)}${ref.code}${p.channel ?? '2'}${serial}0${tk === '21' ? '1' : ''}`,
      80,
    ),
  );
  for (const x of extras) {
    const amount = x.amount ?? 0;
    const r = bgmaxReference(x, false);
    out.push(padRight(`${amount < 0 ? '23' : '22'}${payerBg}${r.field}${zeros(Math.abs(amount), 18)}${r.code}${p.channel ?? '2'}${serial}0`, 80));
  }
  for (const text of p.information ?? []) out.push(padRight(`25${text}`, 80));
  if (p.payerName !== undefined) out.push(padRight(`26${padRight(p.payerName, 35)}${p.payerName.slice(35, 70)}`, 80));
  const a = p.address;
  if (a !== undefined) {
    out.push(padRight(`27${padRight(a.street ?? '', 35)}${a.postcode ?? ''}`, 80));
    out.push(padRight(`28${padRight(a.city ?? '', 35)}${a.country ?? ''}`, 80));
  }
  if (p.organisationNumber !== undefined) out.push(padRight(`29${zeros(digitsOf(p.organisationNumber), 12)}`, 80));
}

/** A BgMax file (ISO-8859-1) for these payments; records padded to 80 characters. */
export function writeBgmax(o: TestBankFile): Buffer {
  const out: string[] = [];
  const currency = o.currency ?? 'SEK';
  const firstDate = o.bookingDate ?? o.payments[0]?.bookingDate ?? DEFAULT_DATE;
  const created = o.createdAt ?? `${firstDate}T06:30:00`;
  const ts = `${digitsOf(created).padEnd(14, '0').slice(0, 14)}000000`;
  out.push(padRight(`01BGMAX               01${ts}${o.test ? 'T' : 'P'}`, 80));
  const payee = zeros(digitsOf(o.payeeBankgiro), 10);
  let n20 = 0;
  let n21 = 0;
  let n22 = 0;
  const groups = groupByDate(o);
  groups.forEach((g, i) => {
    out.push(padRight(`05${payee}${SPACES.slice(0, 10)}${currency}`, 80));
    let sum = 0;
    for (const p of g.payments) {
      bgmaxPaymentRecords('20', p, out);
      sum += p.amount;
      n22 += p.extraReferences?.length ?? 0;
    }
    for (const d of g.deductions) {
      bgmaxPaymentRecords('21', d, out);
      sum -= d.amount;
      n22 += d.extraReferences?.length ?? 0;
    }
    n20 += g.payments.length;
    n21 += g.deductions.length;
    const count = g.payments.length + g.deductions.length;
    out.push(
      `15${zeros('58410000010098', 35)}${digitsOf(g.date)}${zeros(i + 1, 5)}${zeros(Math.abs(sum), 18)}${currency}${zeros(count, 8)} `,
    );
  });
  out.push(padRight(`70${zeros(n20, 8)}${zeros(n21, 8)}${zeros(n22, 8)}${zeros(groups.length, 8)}`, 80));
  const eol = o.lineEnding ?? '\n';
  return Buffer.from(out.join(eol) + eol, 'latin1');
}

// --- camt.054 ---

/** '02' or '08'; '001.02' and '001.08' are read the same. */
export type CamtVersion = '02' | '08' | '001.02' | '001.08';

const xmlEscape = (s: string) =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

const decimal = (ore: number) => {
  const s = String(ore).padStart(3, '0');
  return `${s.slice(0, -2)}.${s.slice(-2)}`;
};

function camtRemittance(p: TestPayment): string {
  const strd = (r: TestReference & { amount?: number }) => {
    if (r.ocr === undefined && r.rf === undefined) return '';
    const issuer = r.rf !== undefined ? '<Issr>ISO</Issr>' : '';
    const amount = r.amount !== undefined ? `<RfrdDocAmt><RmtdAmt Ccy="SEK">${decimal(Math.abs(r.amount))}</RmtdAmt></RfrdDocAmt>` : '';
    return `<Strd>${amount}<CdtrRefInf><Tp><CdOrPrtry><Cd>SCOR</Cd></CdOrPrtry>${issuer}</Tp><Ref>${xmlEscape(r.ocr ?? r.rf ?? '')}</Ref></CdtrRefInf></Strd>`;
  };
  const parts = [strd(p), ...(p.extraReferences ?? []).map(strd)].join('');
  const ustrd = p.reference !== undefined ? `<Ustrd>${xmlEscape(p.reference)}</Ustrd>` : '';
  return parts === '' && ustrd === '' ? '' : `<RmtInf>${ustrd}${parts}</RmtInf>`;
}

function camtParty(p: TestPayment, version: '02' | '08'): string {
  const inner: string[] = [];
  if (p.payerName !== undefined) inner.push(`<Nm>${xmlEscape(p.payerName)}</Nm>`);
  const a = p.address;
  if (a !== undefined) {
    const f = (tag: string, v: string | undefined) => (v === undefined ? '' : `<${tag}>${xmlEscape(v)}</${tag}>`);
    inner.push(`<PstlAdr>${f('StrtNm', a.street)}${f('PstCd', a.postcode)}${f('TwnNm', a.city)}${f('Ctry', a.country)}</PstlAdr>`);
  }
  if (p.organisationNumber !== undefined) {
    inner.push(`<Id><OrgId><Othr><Id>${xmlEscape(p.organisationNumber)}</Id></Othr></OrgId></Id>`);
  }
  const parties: string[] = [];
  if (inner.length > 0) parties.push(version === '08' ? `<Dbtr><Pty>${inner.join('')}</Pty></Dbtr>` : `<Dbtr>${inner.join('')}</Dbtr>`);
  if (p.payerAccount !== undefined) parties.push(`<DbtrAcct><Id><IBAN>${xmlEscape(p.payerAccount)}</IBAN></Id></DbtrAcct>`);
  else if (p.payerBankgiro !== undefined) {
    parties.push(`<DbtrAcct><Id><Othr><Id>${xmlEscape(p.payerBankgiro)}</Id><SchmeNm><Prtry>BGNR</Prtry></SchmeNm></Othr></Id></DbtrAcct>`);
  }
  return parties.length === 0 ? '' : `<RltdPties>${parties.join('')}</RltdPties>`;
}

function camtTxDtls(p: TestPayment, indicator: 'CRDT' | 'DBIT', version: '02' | '08'): string {
  const amount = `<Amt Ccy="SEK">${decimal(p.amount)}</Amt>`;
  const amounts = version === '08'
    ? `${amount}<CdtDbtInd>${indicator}</CdtDbtInd><AmtDtls><TxAmt>${amount}</TxAmt></AmtDtls>`
    : `<AmtDtls><TxAmt>${amount}</TxAmt></AmtDtls>`;
  const info = (p.information ?? []).map((t) => `<AddtlTxInf>${xmlEscape(t)}</AddtlTxInf>`).join('');
  return `<TxDtls><Refs><AcctSvcrRef>${xmlEscape(String(p.serial))}</AcctSvcrRef><EndToEndId>NOTPROVIDED</EndToEndId></Refs>${amounts}${camtParty(p, version)}${camtRemittance(p)}${info}</TxDtls>`;
}

/** A camt.054.001.02 or .001.08 document (UTF-8) for these payments (CRDT) and deductions (DBIT). */
export function writeCamt054(o: TestBankFile, camtVersion: CamtVersion = '08'): Buffer {
  const version = camtVersion.slice(-2) as '02' | '08';
  const account = o.bankgiroAccount
    ? `<Othr><Id>${digitsOf(o.payeeBankgiro)}</Id><SchmeNm><Prtry>BGNR</Prtry></SchmeNm></Othr>`
    : `<IBAN>${o.account ?? EXAMPLE_IBAN}</IBAN>`;
  const firstDate = o.bookingDate ?? o.payments[0]?.bookingDate ?? DEFAULT_DATE;
  const created = o.createdAt ?? `${firstDate}T06:30:00`;
  const summary = o.summary ?? true;
  const status = version === '08' ? '<Sts><Cd>BOOK</Cd></Sts>' : '<Sts>BOOK</Sts>';
  const currency = o.currency ?? 'SEK';

  const entries: string[] = [];
  let entryCount = 0;
  const totals = { CRDT: { n: 0, sum: 0 }, DBIT: { n: 0, sum: 0 } };
  const entry = (txs: TestPayment[], indicator: 'CRDT' | 'DBIT', date: string, ref: string) => {
    const sum = txs.reduce((s, p) => s + p.amount, 0);
    totals[indicator].n++;
    totals[indicator].sum += sum;
    entryCount++;
    const btch = summary
      ? `<Btch><NbOfTxs>${txs.length}</NbOfTxs><TtlAmt Ccy="${currency}">${decimal(sum)}</TtlAmt><CdtDbtInd>${indicator}</CdtDbtInd></Btch>`
      : '';
    entries.push(
      `<Ntry><NtryRef>${ref}</NtryRef><Amt Ccy="${currency}">${decimal(sum)}</Amt><CdtDbtInd>${indicator}</CdtDbtInd>${status}` +
        `<BookgDt><Dt>${date}</Dt></BookgDt><ValDt><Dt>${date}</Dt></ValDt><AcctSvcrRef>${ref}</AcctSvcrRef>` +
        `<BkTxCd><Domn><Cd>PMNT</Cd><Fmly><Cd>RCDT</Cd><SubFmlyCd>DMCT</SubFmlyCd></Fmly></Domn></BkTxCd>` +
        `<NtryDtls>${btch}${txs.map((p) => camtTxDtls(p, indicator, version)).join('')}</NtryDtls></Ntry>`,
    );
  };
  for (const g of groupByDate(o)) {
    if ((o.entries ?? 'perPayment') === 'perDate') {
      if (g.payments.length > 0) entry(g.payments, 'CRDT', g.date, `E${digitsOf(g.date)}C`);
      if (g.deductions.length > 0) entry(g.deductions, 'DBIT', g.date, `E${digitsOf(g.date)}D`);
    } else {
      for (const p of g.payments) entry([p], 'CRDT', g.date, `E${p.serial}`);
      for (const d of g.deductions) entry([d], 'DBIT', g.date, `E${d.serial}`);
    }
  }

  const all = totals.CRDT.sum + totals.DBIT.sum;
  const net = totals.CRDT.sum - totals.DBIT.sum;
  const netXml =
    version === '08'
      ? `<TtlNetNtry><Amt>${decimal(Math.abs(net))}</Amt><CdtDbtInd>${net < 0 ? 'DBIT' : 'CRDT'}</CdtDbtInd></TtlNetNtry>`
      : `<TtlNetNtryAmt>${decimal(Math.abs(net))}</TtlNetNtryAmt><CdtDbtInd>${net < 0 ? 'DBIT' : 'CRDT'}</CdtDbtInd>`;
  const txsSummry = summary
    ? `<TxsSummry><TtlNtries><NbOfNtries>${entryCount}</NbOfNtries><Sum>${decimal(all)}</Sum>${netXml}</TtlNtries>` +
      `<TtlCdtNtries><NbOfNtries>${totals.CRDT.n}</NbOfNtries><Sum>${decimal(totals.CRDT.sum)}</Sum></TtlCdtNtries>` +
      `<TtlDbtNtries><NbOfNtries>${totals.DBIT.n}</NbOfNtries><Sum>${decimal(totals.DBIT.sum)}</Sum></TtlDbtNtries></TxsSummry>`
    : '';
  const xml =
    `<?xml version="1.0" encoding="UTF-8"?>\n` +
    `<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.054.001.${version}" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">\n` +
    `<BkToCstmrDbtCdtNtfctn>\n` +
    `<GrpHdr><MsgId>MSG-${digitsOf(created)}</MsgId><CreDtTm>${created}</CreDtTm></GrpHdr>\n` +
    `<Ntfctn><Id>NTF-${digitsOf(created)}</Id><CreDtTm>${created}</CreDtTm>` +
    `<Acct><Id>${account}</Id><Ccy>${currency}</Ccy></Acct>\n` +
    `${txsSummry}\n${entries.join('\n')}\n</Ntfctn>\n` +
    `</BkToCstmrDbtCdtNtfctn>\n</Document>\n`;
  return Buffer.from(xml, 'utf8');
}
