import t from 'tap';
import { parseBankFile, type BankTransaction, type ParsedBankFile } from '../../src/modules/payments/files/bank-file.ts';
import { parseCamt054, toOre } from '../../src/modules/payments/files/camt054.ts';
import { EXAMPLE_IBAN, writeCamt054, type CamtVersion } from '../helpers/bank-files.ts';

function parsed(input: Buffer): ParsedBankFile {
  const r = parseCamt054(input);
  if (!r.ok) throw new Error(`expected the file to parse: ${r.error.path ?? `line ${r.error.line}`}: ${r.error.reason}`);
  return r.file;
}

const NS = (v: CamtVersion) => `urn:iso:std:iso:20022:tech:xsd:camt.054.001.${v}`;

// A notification written by hand, element by element as the two versions have them: v02 puts the
// status and the debtor directly (<Sts>BOOK</Sts>, Dbtr/Nm) and a transaction's amount only in
// AmtDtls; v08 wraps them (Sts/Cd, Dbtr/Pty/Nm) and gives TxDtls its own Amt and CdtDbtInd.
function handMade(v: CamtVersion): string {
  const sts = (s: string) => (v === '08' ? `<Sts><Cd>${s}</Cd></Sts>` : `<Sts>${s}</Sts>`);
  const party = (inner: string) => (v === '08' ? `<Dbtr><Pty>${inner}</Pty></Dbtr>` : `<Dbtr>${inner}</Dbtr>`);
  const txAmt = (amount: string, ind: string) =>
    v === '08'
      ? `<Amt Ccy="SEK">${amount}</Amt><CdtDbtInd>${ind}</CdtDbtInd>`
      : `<AmtDtls><InstdAmt><Amt Ccy="EUR">17.32</Amt></InstdAmt><TxAmt><Amt Ccy="SEK">${amount}</Amt></TxAmt></AmtDtls>`;
  const net = v === '08' ? '<TtlNetNtry><Amt>1500.75</Amt><CdtDbtInd>CRDT</CdtDbtInd></TtlNetNtry>' : '<TtlNetNtryAmt>1500.75</TtlNetNtryAmt><CdtDbtInd>CRDT</CdtDbtInd>';
  return `<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="${NS(v)}" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
  <BkToCstmrDbtCdtNtfctn>
    <GrpHdr>
      <MsgId>20260115-0001</MsgId>
      <CreDtTm>2026-01-15T06:30:00+01:00</CreDtTm>
    </GrpHdr>
    <Ntfctn>
      <Id>N-1</Id>
      <CreDtTm>2026-01-15T06:30:00+01:00</CreDtTm>
      <Acct>
        <Id><IBAN>SE45 5000 0000 0583 9825 7466</IBAN></Id>
        <Ccy>SEK</Ccy>
      </Acct>
      <TxsSummry>
        <TtlNtries><NbOfNtries>6</NbOfNtries><Sum>1899.25</Sum>${net}</TtlNtries>
        <TtlCdtNtries><NbOfNtries>5</NbOfNtries><Sum>1700.00</Sum></TtlCdtNtries>
        <TtlDbtNtries><NbOfNtries>1</NbOfNtries><Sum>199.25</Sum></TtlDbtNtries>
      </TxsSummry>
      <!-- 0: two payments in one booking, OCR and RF -->
      <Ntry>
        <NtryRef>NR-1</NtryRef>
        <Amt Ccy="SEK">500.50</Amt>
        <CdtDbtInd>CRDT</CdtDbtInd>
        ${sts('BOOK')}
        <BookgDt><Dt>2026-01-15</Dt></BookgDt>
        <ValDt><Dt>2026-01-15</Dt></ValDt>
        <AcctSvcrRef>BANK-E1</AcctSvcrRef>
        <NtryDtls>
          <Btch><NbOfTxs>2</NbOfTxs><TtlAmt Ccy="SEK">500.50</TtlAmt><CdtDbtInd>CRDT</CdtDbtInd></Btch>
          <TxDtls>
            <Refs><AcctSvcrRef>BANK-T1</AcctSvcrRef><EndToEndId>E2E-1</EndToEndId></Refs>
            ${txAmt('199.00', 'CRDT')}
            <RltdPties>
              ${party('<Nm>Åsa Öberg &amp; Söner AB</Nm><PstlAdr><StrtNm>Storgatan</StrtNm><BldgNb>1</BldgNb><PstCd>123 45</PstCd><TwnNm>Storåker</TwnNm><Ctry>SE</Ctry></PstlAdr><Id><OrgId><Othr><Id>5560360793</Id></Othr></OrgId></Id>')}
              <DbtrAcct><Id><IBAN>SE3550000000054910000003</IBAN></Id></DbtrAcct>
            </RltdPties>
            <RmtInf>
              <Strd><CdtrRefInf><Tp><CdOrPrtry><Cd>SCOR</Cd></CdOrPrtry></Tp><Ref>1234574</Ref></CdtrRefInf></Strd>
            </RmtInf>
            <AddtlTxInf>Inbetalning bankgiro</AddtlTxInf>
          </TxDtls>
          <TxDtls>
            <Refs><AcctSvcrRef>BANK-T2</AcctSvcrRef><EndToEndId>NOTPROVIDED</EndToEndId></Refs>
            ${txAmt('301.50', 'CRDT')}
            <RltdPties>${party('<Nm>Ilmari &#214;stman</Nm><PstlAdr><AdrLine>Mannerheimintie 1</AdrLine><AdrLine>00100 Helsinki</AdrLine></PstlAdr>')}</RltdPties>
            <RmtInf>
              <Ustrd>Invoice 42</Ustrd>
              <Strd><CdtrRefInf><Tp><CdOrPrtry><Cd>SCOR</Cd></CdOrPrtry><Issr>ISO</Issr></Tp><Ref>rf18 5390 0754 7034</Ref></CdtrRefInf></Strd>
            </RmtInf>
          </TxDtls>
        </NtryDtls>
      </Ntry>
      <!-- 1: one payment without its own amount, free text, private id, payer bankgiro -->
      <Ntry>
        <NtryRef>NR-2</NtryRef>
        <Amt Ccy="SEK">800</Amt>
        <CdtDbtInd>CRDT</CdtDbtInd>
        ${sts('BOOK')}
        <BookgDt><DtTm>2026-01-16T09:15:00</DtTm></BookgDt>
        <NtryDtls><TxDtls>
          <RltdPties>
            ${party('<Nm>Berit Garn</Nm><Id><PrvtId><Othr><Id>198112189876</Id></Othr></PrvtId></Id>')}
            <DbtrAcct><Id><Othr><Id>5050-1055</Id><SchmeNm><Prtry>BGNR</Prtry></SchmeNm></Othr></Id></DbtrAcct>
          </RltdPties>
          <RmtInf><Ustrd>Faktura</Ustrd><Ustrd>F-1042</Ustrd></RmtInf>
        </TxDtls></NtryDtls>
      </Ntry>
      <!-- 2: a reversal: money taken back -->
      <Ntry>
        <Amt Ccy="SEK">199.25</Amt>
        <CdtDbtInd>DBIT</CdtDbtInd>
        <RvslInd>true</RvslInd>
        ${sts('BOOK')}
        <BookgDt><Dt>2026-01-16</Dt></BookgDt>
        <AcctSvcrRef>BANK-E3</AcctSvcrRef>
        <NtryDtls><TxDtls>
          ${txAmt('199.25', 'DBIT')}
          <RmtInf><Strd><CdtrRefInf><Ref>1234566</Ref></CdtrRefInf></Strd></RmtInf>
        </TxDtls></NtryDtls>
      </Ntry>
      <!-- 3: pending: not a payment yet -->
      <Ntry>
        <Amt Ccy="SEK">100.00</Amt>
        <CdtDbtInd>CRDT</CdtDbtInd>
        ${sts('PDNG')}
        <AcctSvcrRef>BANK-E4</AcctSvcrRef>
      </Ntry>
      <!-- 4: a booking without details -->
      <Ntry>
        <Amt Ccy="SEK">0.50</Amt>
        <CdtDbtInd>CRDT</CdtDbtInd>
        ${sts('BOOK')}
        <BookgDt><Dt>2026-01-16</Dt></BookgDt>
        <AcctSvcrRef>BANK-E5</AcctSvcrRef>
        <AddtlNtryInf>Ränta</AddtlNtryInf>
      </Ntry>
      <!-- 5: several structured references with amounts; an invoice number (CINV) is free text -->
      <Ntry>
        <Amt Ccy="SEK">299.00</Amt>
        <CdtDbtInd>CRDT</CdtDbtInd>
        ${sts('BOOK')}
        <BookgDt><Dt>2026-01-16</Dt></BookgDt>
        <NtryDtls><TxDtls>
          <Refs><EndToEndId>E2E-6</EndToEndId></Refs>
          <RmtInf>
            <Strd><RfrdDocAmt><RmtdAmt Ccy="SEK">199.00</RmtdAmt></RfrdDocAmt><CdtrRefInf><Tp><CdOrPrtry><Cd>SCOR</Cd></CdOrPrtry></Tp><Ref>1234574</Ref></CdtrRefInf></Strd>
            <Strd><RfrdDocAmt><RmtdAmt Ccy="SEK">100.00</RmtdAmt></RfrdDocAmt><CdtrRefInf><Tp><CdOrPrtry><Cd>SCOR</Cd></CdOrPrtry><Issr>ISO</Issr></Tp><Ref>RF451234512345</Ref></CdtrRefInf></Strd>
            <Strd><CdtrRefInf><Tp><CdOrPrtry><Cd>CINV</Cd></CdOrPrtry></Tp><Ref>F-2026-17</Ref></CdtrRefInf><AddtlRmtInf>Tack!</AddtlRmtInf></Strd>
          </RmtInf>
        </TxDtls></NtryDtls>
      </Ntry>
    </Ntfctn>
  </BkToCstmrDbtCdtNtfctn>
</Document>
`;
}

for (const v of ['02', '08'] as const) {
  t.test(`a hand-made camt.054.001.${v} with every element read`, async (t) => {
    const file = parsed(Buffer.from(handMade(v), 'utf8'));
    t.equal(file.format, 'camt054');
    t.equal(file.version, v);
    t.same(file.payeeAccounts, ['SE4550000000058398257466'], 'the IBAN without its spaces');
    t.equal(file.createdAt, '2026-01-15T06:30:00+01:00');
    t.equal(file.isTest, false);
    const base = 'Document/BkToCstmrDbtCdtNtfctn/Ntfctn[0]';

    t.equal(file.transactions.length, 6, 'six transactions from five booked entries');
    const [ocr, rf, free, reversal, bare, many] = file.transactions as [
      BankTransaction, BankTransaction, BankTransaction, BankTransaction, BankTransaction, BankTransaction,
    ];
    t.same(ocr, {
      key: 'camt:SE4550000000058398257466/tx:BANK-T1',
      kind: 'payment',
      amount: 19900,
      currency: 'SEK',
      bookingDate: '2026-01-15',
      reference: { type: 'ocr', value: '1234574' },
      payer: {
        name: 'Åsa Öberg & Söner AB',
        bankgiro: null,
        account: 'SE3550000000054910000003',
        organisationNumber: '5560360793',
        address: 'Storgatan 1, 123 45 Storåker, SE',
      },
      source: { path: `${base}/Ntry[0]/NtryDtls[0]/TxDtls[0]` },
      payeeAccount: 'SE4550000000058398257466',
      deposit: 0,
      extraReferences: [],
      information: ['Inbetalning bankgiro'],
      reversal: false,
      camt: { endToEndId: 'E2E-1', accountServicerReference: 'BANK-T1', entryReference: 'BANK-E1' },
    });
    t.match(rf, {
      amount: 30150,
      reference: { type: 'rf', value: 'RF18539007547034' },
      payer: { name: 'Ilmari Östman', address: 'Mannerheimintie 1, 00100 Helsinki', account: null },
      information: ['Invoice 42'],
      camt: { endToEndId: null },
    }, 'RF normalised; Ustrd next to a structured reference is information; &#214; decoded');
    t.match(free, {
      key: 'camt:SE4550000000058398257466/ntry:NR-2:0',
      amount: 80000,
      bookingDate: '2026-01-16',
      reference: { type: 'free', value: 'Faktura F-1042' },
      payer: { name: 'Berit Garn', bankgiro: '50501055', account: null, organisationNumber: '198112189876' },
      deposit: 1,
    }, 'one TxDtls takes the entry amount; Ustrd joined; BookgDt/DtTm; a BGNR account is a bankgiro');
    t.match(reversal, {
      key: 'camt:SE4550000000058398257466/ntry:BANK-E3:0',
      kind: 'deduction',
      amount: 19925,
      reversal: true,
      reference: { type: 'ocr', value: '1234566' },
    }, 'DBIT with RvslInd: a deduction, flagged as a reversal');
    t.match(bare, {
      key: 'camt:SE4550000000058398257466/ntry:BANK-E5:0',
      amount: 50,
      reference: { type: 'none', value: '' },
      information: ['Ränta'],
      source: { path: `${base}/Ntry[4]` },
    }, 'an entry without TxDtls is one transaction');
    t.match(many, {
      key: 'camt:SE4550000000058398257466/data:2026-01-16/CRDT/29900/E2E-6/1234574',
      reference: { type: 'ocr', value: '1234574' },
      information: ['Tack!'],
    });
    t.same(many.extraReferences, [
      { reference: { type: 'rf', value: 'RF451234512345' }, amount: 10000, source: { path: `${base}/Ntry[5]/NtryDtls[0]/TxDtls[0]/RmtInf/Strd[1]/CdtrRefInf/Ref` } },
      { reference: { type: 'free', value: 'F-2026-17' }, amount: null, source: { path: `${base}/Ntry[5]/NtryDtls[0]/TxDtls[0]/RmtInf/Strd[2]/CdtrRefInf/Ref` } },
    ]);

    t.same(file.skipped, [{ source: { path: `${base}/Ntry[3]` }, reason: 'entry status PDNG: not booked (BOOK), so not a payment yet' }]);
    t.same(file.deposits.map((d) => [d.amount, d.count, d.serial, d.bookingDate]), [
      [50050, 2, 'BANK-E1'],
      [80000, 1, 'NR-2'],
      [-19925, 1, 'BANK-E3'],
      [50, 1, 'BANK-E5'],
      [29900, 1, null],
    ].map(([a, c, s], i) => [a, c, s, i === 0 ? '2026-01-15' : '2026-01-16']));
    t.same(file.totals, { count: 5, amount: 160000, deductionCount: 1, deductionAmount: 19925 });
    t.same(parseBankFile(Buffer.from(handMade(v), 'utf8'), 'application/xml'), { ok: true, file });
  });
}

t.test('namespace prefixes, a byte order mark, a declared ISO-8859-1 encoding', async (t) => {
  const plain = parsed(Buffer.from(handMade('08'), 'utf8'));
  // Every element prefixed: the same document.
  const prefixed = handMade('08')
    .replace(`<Document xmlns="${NS('08')}"`, `<c:Document xmlns:c="${NS('08')}"`)
    .replace(/<(\/?)([A-Z][A-Za-z]*)([ >])/g, '<$1c:$2$3');
  t.same(parsed(Buffer.from(prefixed, 'utf8')), plain);
  t.same(parsed(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(handMade('08'), 'utf8')])), plain);
  const latin1 = handMade('08').replace('encoding="UTF-8"', 'encoding="ISO-8859-1"');
  t.same(parsed(Buffer.from(latin1, 'latin1')), plain, 'å in one byte when the declaration says so');
});

t.test('the writer, both versions, one entry per payment or per date', async (t) => {
  for (const v of ['02', '08'] as const) {
    for (const entries of ['perPayment', 'perDate'] as const) {
      const file = parsed(
        writeCamt054(
          {
            payeeBankgiro: '991-2346',
            entries,
            payments: [
              { amount: 19900, ocr: '1234574', serial: 'A1', payerName: 'Åsa <Öberg> & Co', organisationNumber: '5560360793' },
              { amount: 100, rf: 'RF18539007547034', serial: 'A2', bookingDate: '2026-01-16', payerBankgiro: '5050-1055' },
              { amount: 250, reference: 'hyra jan', serial: 'A3', payerAccount: 'SE3550000000054910000003', information: ['info'] },
            ],
            deductions: [{ amount: 50, ocr: '1234574', serial: 'D1' }],
          },
          v,
        ),
      );
      const label = `v${v} ${entries}`;
      t.same(file.payeeAccounts, [EXAMPLE_IBAN], label);
      t.same(
        file.transactions.map((tx) => [tx.key, tx.kind, tx.amount, tx.bookingDate, tx.reference.type, tx.reference.value]),
        [
          [`camt:${EXAMPLE_IBAN}/tx:A1`, 'payment', 19900, '2026-01-15', 'ocr', '1234574'],
          [`camt:${EXAMPLE_IBAN}/tx:A3`, 'payment', 250, '2026-01-15', 'free', 'hyra jan'],
          [`camt:${EXAMPLE_IBAN}/tx:D1`, 'deduction', 50, '2026-01-15', 'ocr', '1234574'],
          [`camt:${EXAMPLE_IBAN}/tx:A2`, 'payment', 100, '2026-01-16', 'rf', 'RF18539007547034'],
        ],
        label,
      );
      t.same(file.transactions[0]!.payer, { name: 'Åsa <Öberg> & Co', bankgiro: null, account: null, organisationNumber: '5560360793', address: null });
      t.equal(file.transactions[3]!.payer.bankgiro, '50501055');
      t.equal(file.transactions[1]!.payer.account, 'SE3550000000054910000003');
      t.same(file.totals, { count: 3, amount: 20250, deductionCount: 1, deductionAmount: 50 });
      t.equal(file.deposits.length, entries === 'perDate' ? 3 : 4);
    }
  }
  const bg = parsed(writeCamt054({ payeeBankgiro: '991-2346', bankgiroAccount: true, payments: [{ amount: 1, serial: 1 }] }));
  t.same(bg.payeeAccounts, ['9912346'], 'a bankgiro account (Othr/Id with BGNR), as bankgiro.ts writes it');
  const hyphen = parsed(Buffer.from(writeCamt054({ payeeBankgiro: '991-2346', bankgiroAccount: true, payments: [{ amount: 1, serial: 1 }] }, '001.02').toString('utf8').replace('<Id>9912346</Id>', '<Id>991-2346</Id>')));
  t.same(hyphen.payeeAccounts, ['9912346'], 'written with a hyphen');
});

t.test('amounts are read digit by digit', async (t) => {
  const rows: [string, number | null][] = [
    ['0.01', 1], ['0.1', 10], ['1', 100], ['1.5', 150], ['1.50', 150], ['1.500', 150], ['1234567.89', 123456789],
    ['0.29', 29], ['1.13', 113], ['4.35', 435], ['90071992547409.91', 9007199254740991],
    ['90071992547409.92', null], ['1.005', null], ['1.', null], ['.5', null], ['-1.00', null], ['1,00', null],
    ['1e3', null], ['', null], [' 1.00', null], ['1 000.00', null], ['+1', null], ['0x10', null],
  ];
  for (const [text, ore] of rows) t.equal(toOre(text), ore, JSON.stringify(text));
});

// --- rejected files ---

const GOOD = handMade('08');
const base = 'Document/BkToCstmrDbtCdtNtfctn';
const lineOf = (text: string) => GOOD.slice(0, GOOD.indexOf(text)).split('\n').length;
const ntry = (i: number) => `${base}/Ntfctn[0]/Ntry[${i}]`;

const edit = (from: string, to: string, source = GOOD) => {
  if (!source.includes(from)) throw new Error(`test setup: ${from} not in the document`);
  return Buffer.from(source.replace(from, to), 'utf8');
};

t.test('malformed camt.054 files are rejected with the element path and a reason', async (t) => {
  const cases: [name: string, input: Buffer, where: { path?: string; line?: number }, reason: RegExp][] = [
    ['truncated in the middle', Buffer.from(GOOD.slice(0, GOOD.indexOf('<!-- 1:')), 'utf8'), { line: lineOf('<!-- 1:') }, /not well-formed XML \(truncated or damaged\): the document ends with Document\/BkToCstmrDbtCdtNtfctn\/Ntfctn still open/],
    ['truncated before the end tag', Buffer.from(GOOD.trimEnd().slice(0, -'</Document>'.length), 'utf8'), {}, /not well-formed XML/],
    ['a tag that does not close', edit('<Ustrd>Invoice 42</Ustrd>', '<Ustrd>Invoice 42</Ustr>'), { line: lineOf('<Ustrd>Invoice 42') }, /not well-formed XML/],
    ['not XML at all', Buffer.from('hello', 'utf8'), { line: 1 }, /not well-formed XML/],
    ['camt.053', edit(NS('08'), 'urn:iso:std:iso:20022:tech:xsd:camt.053.001.02'), { path: 'Document' }, /namespace "urn:iso:std:iso:20022:tech:xsd:camt.053.001.02" is not camt.054/],
    ['camt.054.001.04', edit(NS('08'), 'urn:iso:std:iso:20022:tech:xsd:camt.054.001.04'), { path: 'Document' }, /is not camt.054 \(urn:iso:std:iso:20022:tech:xsd:camt.054.001.02 or .001.08\)/],
    ['a namespace named like an object property', edit(NS('08'), 'constructor'), { path: 'Document' }, /namespace "constructor" is not camt.054/],
    ['no namespace', edit(` xmlns="${NS('08')}"`, ''), { path: 'Document' }, /namespace \(none\) is not camt.054/],
    ['a root that is not Document', Buffer.from(`<Foo xmlns="${NS('08')}"/>`), { path: 'Foo' }, /root element is Foo, not Document/],
    ['two root elements', Buffer.from(`<Document xmlns="${NS('08')}"/><Document xmlns="${NS('08')}"/>`), { path: 'Document' }, /more than one XML root element/],
    ['no BkToCstmrDbtCdtNtfctn', Buffer.from(`<Document xmlns="${NS('08')}"><BkToCstmrStmt/></Document>`), { path: base }, /missing required element BkToCstmrDbtCdtNtfctn/],
    ['no GrpHdr', edit(GOOD.slice(GOOD.indexOf('<GrpHdr>'), GOOD.indexOf('</GrpHdr>') + 9), ''), { path: `${base}/GrpHdr` }, /missing required element GrpHdr/],
    ['no CreDtTm', edit('<CreDtTm>2026-01-15T06:30:00+01:00</CreDtTm>\n    </GrpHdr>', '</GrpHdr>'), { path: `${base}/GrpHdr/CreDtTm` }, /missing required element CreDtTm/],
    ['no Ntfctn', edit(GOOD.slice(GOOD.indexOf('<Ntfctn>'), GOOD.indexOf('</Ntfctn>') + 9), ''), { path: `${base}/Ntfctn` }, /missing required element Ntfctn/],
    ['no account', edit('<Id><IBAN>SE45 5000 0000 0583 9825 7466</IBAN></Id>', ''), { path: `${base}/Ntfctn[0]/Acct/Id` }, /missing required element Id/],
    ['an empty account id', edit('<IBAN>SE45 5000 0000 0583 9825 7466</IBAN>', '<IBAN></IBAN>'), { path: `${base}/Ntfctn[0]/Acct/Id/IBAN` }, /missing required element IBAN \(or Othr\/Id\)/],
    ['no Amt on an entry', edit('<Amt Ccy="SEK">100.00</Amt>', ''), { path: `${ntry(3)}/Amt` }, /missing required element Amt/],
    ['no Ccy on an amount', edit('<Amt Ccy="SEK">100.00</Amt>', '<Amt>100.00</Amt>'), { path: `${ntry(3)}/Amt` }, /missing required attribute Ccy on Amt/],
    ['no CdtDbtInd', edit('<CdtDbtInd>DBIT</CdtDbtInd>\n        <RvslInd>', '<RvslInd>'), { path: `${ntry(2)}/CdtDbtInd` }, /missing required element CdtDbtInd/],
    ['a CdtDbtInd that is neither', edit('<CdtDbtInd>DBIT</CdtDbtInd>\n        <RvslInd>', '<CdtDbtInd>DEBT</CdtDbtInd><RvslInd>'), { path: `${ntry(2)}/CdtDbtInd` }, /CdtDbtInd is "DEBT", not CRDT or DBIT/],
    ['no Sts', edit('<Sts><Cd>PDNG</Cd></Sts>', ''), { path: `${ntry(3)}/Sts` }, /missing required element Sts/],
    ['no BookgDt on a booked entry', edit('<BookgDt><Dt>2026-01-15</Dt></BookgDt>', ''), { path: `${ntry(0)}/BookgDt` }, /missing required element BookgDt/],
    ['a booking date that does not exist', edit('<BookgDt><Dt>2026-01-15</Dt></BookgDt>', '<BookgDt><Dt>2026-02-30</Dt></BookgDt>'), { path: `${ntry(0)}/BookgDt` }, /booking date "2026-02-30" is not a date/],
    ['RvslInd that is not a boolean', edit('<RvslInd>true</RvslInd>', '<RvslInd>yes</RvslInd>'), { path: `${ntry(2)}/RvslInd` }, /RvslInd is "yes", not true or false/],
    ['euros on an entry', edit('<Amt Ccy="SEK">800</Amt>', '<Amt Ccy="EUR">800</Amt>'), { path: `${ntry(1)}/Amt` }, /currency EUR is not supported: only SEK/],
    ['euros on a transaction', edit('<Amt Ccy="SEK">199.00</Amt>', '<Amt Ccy="EUR">199.00</Amt>'), { path: `${ntry(0)}/NtryDtls[0]/TxDtls[0]/Amt` }, /currency EUR is not supported/],
    ['a euro account', edit('<Ccy>SEK</Ccy>', '<Ccy>EUR</Ccy>'), { path: `${base}/Ntfctn[0]/Acct/Ccy` }, /currency EUR is not supported/],
    ['three decimals', edit('<Amt Ccy="SEK">800</Amt>', '<Amt Ccy="SEK">800.005</Amt>'), { path: `${ntry(1)}/Amt` }, /amount "800.005" is not a decimal with at most two decimals/],
    ['a negative amount', edit('<Amt Ccy="SEK">800</Amt>', '<Amt Ccy="SEK">-800</Amt>'), { path: `${ntry(1)}/Amt` }, /amount "-800" is not a decimal/],
    ['a decimal comma', edit('<Amt Ccy="SEK">800</Amt>', '<Amt Ccy="SEK">800,00</Amt>'), { path: `${ntry(1)}/Amt` }, /amount "800,00" is not a decimal/],
    ['a zero amount', edit('<Amt Ccy="SEK">0.50</Amt>', '<Amt Ccy="SEK">0.00</Amt>'), { path: `${ntry(4)}/Amt` }, /amount is zero/],
    ['TxDtls that do not add up to the entry', edit('<Amt Ccy="SEK">500.50</Amt>', '<Amt Ccy="SEK">500.51</Amt>'), { path: `${ntry(0)}/Amt` }, /totals do not add up: the entry is 500.51 CRDT, its TxDtls add up to 500.50 CRDT/],
    ['one of several TxDtls without an amount', edit('<Amt Ccy="SEK">301.50</Amt><CdtDbtInd>CRDT</CdtDbtInd>', ''), { path: `${ntry(0)}/NtryDtls[0]/TxDtls[1]/Amt` }, /missing required element Amt: an entry with several TxDtls needs each amount/],
    ['Btch counting three', edit('<NbOfTxs>2</NbOfTxs>', '<NbOfTxs>3</NbOfTxs>'), { path: `${ntry(0)}/NtryDtls[0]/Btch/NbOfTxs` }, /totals do not add up: says 3 transactions, .*has 2 TxDtls/],
    ['Btch sum off', edit('<TtlAmt Ccy="SEK">500.50</TtlAmt>', '<TtlAmt Ccy="SEK">500.00</TtlAmt>'), { path: `${ntry(0)}/NtryDtls[0]/Btch/TtlAmt` }, /says 500.00 CRDT, the TxDtls add up to 500.50 CRDT/],
    ['TxsSummry counting seven entries', edit('<NbOfNtries>6</NbOfNtries>', '<NbOfNtries>7</NbOfNtries>'), { path: `${base}/Ntfctn[0]/TxsSummry/TtlNtries/NbOfNtries` }, /says 7 entries, the notification has 6/],
    ['TxsSummry sum off', edit('<Sum>1899.25</Sum>', '<Sum>1899.20</Sum>'), { path: `${base}/Ntfctn[0]/TxsSummry/TtlNtries/Sum` }, /says 1899.20, the entries add up to 1899.25/],
    ['TxsSummry net off', edit('<Amt>1500.75</Amt><CdtDbtInd>CRDT</CdtDbtInd></TtlNetNtry>', '<Amt>1500.75</Amt><CdtDbtInd>DBIT</CdtDbtInd></TtlNetNtry>'), { path: `${base}/Ntfctn[0]/TxsSummry/TtlNtries/TtlNetNtry/Amt` }, /says a net 1500.75 DBIT, the entries net 1500.75 CRDT/],
    ['TxsSummry credit count off', edit('<TtlCdtNtries><NbOfNtries>5</NbOfNtries>', '<TtlCdtNtries><NbOfNtries>4</NbOfNtries>'), { path: `${base}/Ntfctn[0]/TxsSummry/TtlCdtNtries/NbOfNtries` }, /says 4 credit entries, the notification has 5/],
    ['TxsSummry debit sum off', edit('<Sum>199.25</Sum>', '<Sum>199.00</Sum>'), { path: `${base}/Ntfctn[0]/TxsSummry/TtlDbtNtries/Sum` }, /says 199.00, the debit entries add up to 199.25/],
    ['TxsSummry v02 net off', edit('<TtlNetNtryAmt>1500.75</TtlNetNtryAmt>', '<TtlNetNtryAmt>1500.70</TtlNetNtryAmt>', handMade('02')), { path: `${base}/Ntfctn[0]/TxsSummry/TtlNtries/TtlNetNtryAmt` }, /says a net 1500.70 CRDT, the entries net 1500.75 CRDT/],
    ['an entry duplicated (the summary catches it)', edit('<!-- 3:', `${GOOD.slice(GOOD.indexOf('<!-- 2:'), GOOD.indexOf('<!-- 3:'))}<!-- 3:`), { path: `${base}/Ntfctn[0]/TxsSummry/TtlNtries/NbOfNtries` }, /says 6 entries, the notification has 7/],
    ['invalid UTF-8', Buffer.concat([Buffer.from(GOOD.slice(0, GOOD.indexOf('Åsa')), 'utf8'), Buffer.from([0xc5]), Buffer.from(GOOD.slice(GOOD.indexOf('Åsa') + 1), 'utf8')]), { line: lineOf('Åsa') }, /not valid UTF-8/],
    ['UTF-16', Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(GOOD, 'utf16le')]), { line: 1 }, /UTF-16/],
    ['an encoding we do not read', edit('encoding="UTF-8"', 'encoding="EBCDIC-37"'), { line: 1 }, /encoding "ebcdic-37" is not supported/],
  ];
  for (const [name, input, where, reason] of cases) {
    const r = parseCamt054(input);
    t.equal(r.ok, false, `${name}: rejected`);
    if (!r.ok) {
      if (where.path !== undefined) t.equal(r.error.path, where.path, `${name}: path`);
      if (where.line !== undefined) t.equal(r.error.line, where.line, `${name}: line`);
      t.match(r.error.reason, reason, `${name}: ${r.error.reason}`);
    }
  }
});

t.test('parseBankFile: the format from the content, else from the content type', async (t) => {
  const camt = Buffer.from(handMade('02'), 'utf8');
  const bgmax = Buffer.from(`\r\n\n${'01BGMAX'}`, 'latin1');
  t.match(parseBankFile(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), camt])), { ok: true, file: { format: 'camt054', version: '02' } }, 'a byte order mark before the XML');
  const noDeclaration = handMade('02').slice(handMade('02').indexOf('?>') + 2);
  t.match(parseBankFile(Buffer.from(`\n  ${noDeclaration}`)), { ok: true, file: { format: 'camt054' } }, 'blank lines before XML without a declaration');
  t.match(parseBankFile(camt, 'text/plain'), { ok: true, file: { format: 'camt054' } }, 'content wins over a wrong content type');
  t.match(parseBankFile(bgmax, 'application/xml'), { ok: false, error: { reason: /start record \(TK01\)/ } }, 'a BgMax start goes to the BgMax parser');
  t.match(parseBankFile(Buffer.from('MSG-1;2026-01-15;199.00'), 'application/xml; charset=utf-8'), { ok: false, error: { line: 1, reason: /not well-formed XML/ } }, 'XML by content type');
  t.match(parseBankFile(Buffer.from('x'), 'application/vnd.iso20022+xml'), { ok: false, error: { reason: /not well-formed XML/ } });
  t.match(parseBankFile(Buffer.from('01BGMAC   \n')), { ok: false, error: { line: 1, reason: /layout name in positions 3–22 is not BGMAX|is 10 characters long/ } }, 'a damaged BgMax start record gets the BgMax reason');
  t.match(parseBankFile(Buffer.from('MSG-1;2026-01-15;199.00'), 'text/csv'), { ok: false, error: { line: 1, reason: /not a bank file: neither a BgMax start record \(01BGMAX\) nor an XML document/ } });
  t.match(parseBankFile(Buffer.alloc(0)), { ok: false, error: { reason: /not a bank file/ } });
});

t.test('entity expansion and deep nesting are refused, not followed', async (t) => {
  const bomb = `<?xml version="1.0"?><!DOCTYPE d [<!ENTITY a "aaaaaaaaaa">${Array.from({ length: 12 }, (_, i) => `<!ENTITY ${String.fromCharCode(98 + i)} "${`&${String.fromCharCode(97 + i)};`.repeat(10)}">`).join('')}]><Document xmlns="${NS('08')}">&m;</Document>`;
  const r = parseCamt054(Buffer.from(bomb));
  t.equal(r.ok, false, 'a billion-laughs document is rejected');
  const deep = `<Document xmlns="${NS('08')}">${'<a>'.repeat(5000)}${'</a>'.repeat(5000)}</Document>`;
  t.equal(parseCamt054(Buffer.from(deep)).ok, false, 'deep nesting is rejected');
});
