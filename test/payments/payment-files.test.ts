// Bank-file import (POST /v1/payment-files) on real PostgreSQL: Bankgirot's sample end to end into
// the unmatched queue, hand-made BgMax and camt.054 (.02, .08) paying open invoices by OCR and RF,
// every malformed file refused whole with nothing stored, a wrong payee bankgiro refused, the same
// file twice (in turn and at once) and Idempotency-Key under concurrency recording nothing twice.
import t from 'tap';
import { readFile } from 'node:fs/promises';
import { sql } from 'drizzle-orm';
import { billingWorld, PROBLEM, type BillingWorld } from '../billing/world.ts';
import { call } from '../helpers/app.ts';
import { writeBgmax, writeCamt054, type TestPayment } from '../helpers/bank-files.ts';
import { makeRfReference } from '../../src/domain/rf-reference.ts';

const SAMPLE = new URL('./fixtures/bgmax_bankgirot_exempelfil_ocr-kontroll_checksiffra_langd.latin1.txt', import.meta.url);

async function invoice(w: BillingWorld, customer: string, amount = 19900): Promise<any> {
  return w.must(
    w.api('POST', '/v1/invoices', { customer, auto_finalize: true, lines: [{ description: 'Tjänst', unit_amount: amount, tax_behavior: 'inclusive', vat_rate: 25 }] }),
    201,
    'invoice',
  );
}

function upload(w: BillingWorld, body: Buffer, contentType = 'text/plain', headers: Record<string, string> = {}) {
  return call(w.app, { method: 'POST', url: '/v1/payment-files', headers: { ...w.m.auth, 'content-type': contentType, ...headers }, payload: body });
}

async function finished(w: BillingWorld, id: string): Promise<any> {
  for (let i = 0; i < 600; i++) {
    const r = (await w.api('GET', `/v1/payment-files/${id}`)).json;
    if (r.status !== 'processing') return r;
    await new Promise((res) => setTimeout(res, 25));
  }
  throw new Error(`payment file ${id} did not finish`);
}

const count = async (w: BillingWorld, table: 'payments' | 'payment_files') =>
  Number(((await w.database.db.execute(sql`select count(*)::int as n from ${sql.identifier(table)} where merchant_id = ${w.m.id}`)).rows[0] as { n: number }).n);
const importJobs = async (w: BillingWorld) =>
  Number(((await w.database.db.execute(sql`select count(*)::int as n from pgboss.job where name = 'payment-file-import'`)).rows[0] as { n: number }).n);

t.test("Bankgirot's sample: imported end to end into the unmatched queue; assigned by hand, the invoice is paid", async (t) => {
  const w = await billingWorld(t);
  await w.must(w.api('PATCH', '/v1/merchant', { bankgiro: '991-2346' }), 200, 'bankgiro');
  const bytes = await readFile(SAMPLE);
  const r = await upload(w, bytes);
  t.equal(r.status, 201, r.body);
  t.match(r.json, { object: 'payment_file', format: 'bgmax', version: '01', payee_accounts: ['9912346'], size: bytes.length, counts: { payments: 8, deductions: 1 } });
  t.match(r.json.id, /^pf_/);
  const done = await finished(w, r.json.id);
  t.match(done, {
    status: 'completed',
    progress: { payments_total: 8, payments_done: 8 },
    counts: { payments: 8, matched: 0, unmatched: 8, duplicates: 0, deductions: 1 },
    last_error: null,
  });
  t.equal(done.totals.recorded, done.totals.file_payments, 'recorded = read from the file');
  t.equal(done.totals.unmatched, done.totals.file_payments);
  t.ok(done.totals.file_deductions > 0, 'the deduction is totalled');
  t.ok(done.completed_at);
  const queue = (await w.api('GET', '/v1/payments?status=unmatched&limit=100')).json.data;
  t.equal(queue.length, 8, 'its payments wait in the unmatched queue');
  t.ok(queue.every((p: any) => p.metadata.payment_file === r.json.id && p.method === 'bankgiro'));
  t.equal(queue.reduce((s: number, p: any) => s + p.amount, 0), done.totals.file_payments);

  // The same file again: the same payment file, nothing recorded.
  const again = await upload(w, bytes, 'application/octet-stream');
  t.equal(again.status, 200, again.body);
  t.equal(again.json.id, r.json.id);
  t.equal(await count(w, 'payments'), 8);
  t.equal(await count(w, 'payment_files'), 1);
  t.same((await w.api('GET', '/v1/payment-files')).json.data.map((f: any) => f.id), [r.json.id]);

  // The tour: assign one to an invoice of its amount, the invoice is paid.
  const sek = queue.find((p: any) => p.currency === 'SEK')!;
  const cus = await w.customer();
  const inv = await invoice(w, cus.id, sek.amount);
  const assigned = await w.must(w.api('POST', `/v1/payments/${sek.id}/assign`, { invoice: inv.id }), 200, 'assign');
  t.match(assigned, { status: 'matched', matched_by: 'manual', invoice: inv.id });
  t.match((await w.api('GET', `/v1/invoices/${inv.id}`)).json, { status: 'paid' });
});

t.test('hand-made BgMax and camt.054 (.02, .08): OCR and RF references pay open invoices', async (t) => {
  const w = await billingWorld(t);
  const cus = await w.customer();
  for (const [i, kind] of (['bgmax', 'camt02', 'camt08', 'camt08bg'] as const).entries()) {
    const full = await invoice(w, cus.id, 19900);
    const part = await invoice(w, cus.id, 30000);
    const payments: TestPayment[] = [
      { amount: 19900, serial: `${i}01`, ocr: full.ocr_reference, payerName: 'Åsa Öberg' },
      { amount: 10000, serial: `${i}02`, rf: makeRfReference(part.ocr_reference) },
      { amount: 4200, serial: `${i}03`, reference: 'Tack för senast' },
    ];
    const file = { payeeBankgiro: '5050-1055', payments, deductions: [{ amount: 700, serial: `${i}09` }], bookingDate: '2026-11-26' };
    const body = kind === 'bgmax' ? writeBgmax(file) : writeCamt054({ ...file, bankgiroAccount: kind === 'camt08bg' }, kind === 'camt02' ? '02' : '08');
    const r = await upload(w, body, kind === 'bgmax' ? 'text/plain' : kind === 'camt02' ? 'text/xml' : 'application/xml');
    t.equal(r.status, 201, `${kind}: ${r.body}`);
    const done = await finished(w, r.json.id);
    t.match(done, {
      status: 'completed',
      format: kind === 'bgmax' ? 'bgmax' : 'camt054',
      counts: { payments: 3, matched: 2, unmatched: 1, duplicates: 0, deductions: 1 },
      totals: { file_payments: 34100, file_deductions: 700, recorded: 34100, matched: 29900, unmatched: 4200 },
    }, kind);
    t.match((await w.api('GET', `/v1/invoices/${full.id}`)).json, { status: 'paid', amount_remaining: 0 }, `${kind}: OCR paid the invoice`);
    t.match((await w.api('GET', `/v1/invoices/${part.id}`)).json, { status: 'partially_paid', amount_paid: 10000 }, `${kind}: RF paid part`);
    const paid = (await w.api('GET', `/v1/payments?invoice=${full.id}`)).json.data;
    t.match(paid, [{ matched_by: 'ocr', method: kind === 'bgmax' ? 'bankgiro' : 'bank_transfer', date: '2026-11-26' }]);
  }
});

t.test('malformed files are refused whole with line or path and reason; nothing is stored, recorded or queued', async (t) => {
  const w = await billingWorld(t);
  const cus = await w.customer();
  const inv = await invoice(w, cus.id);
  const good = { payeeBankgiro: '5050-1055', payments: [{ amount: 19900, serial: 1, ocr: inv.ocr_reference }, { amount: 500, serial: 2 }] };
  const bg = writeBgmax(good).toString('latin1');
  const camt = writeCamt054(good, '08').toString('utf8');
  const lines = bg.split('\n');
  const cases: [string, Buffer, string, { line?: number; path?: RegExp }][] = [
    ['not a bank file', Buffer.from('hello world'), 'text/plain', { line: 1 }],
    ['no end record (TK70)', Buffer.from(lines.filter((l) => !l.startsWith('70')).join('\n'), 'latin1'), 'text/plain', {}],
    ['an amount changed: the deposit does not add up', Buffer.from(bg.replace('000000000000019900', '000000000000019901'), 'latin1'), 'text/plain', {}],
    ['an unknown record type', Buffer.from([...lines.slice(0, 3), '99' + ' '.repeat(78), ...lines.slice(3)].join('\n'), 'latin1'), 'text/plain', { line: 4 }],
    ['broken XML', Buffer.from(camt.slice(0, camt.length - 40)), 'application/xml', {}],
    ['camt.054 in EUR', Buffer.from(camt.replaceAll('Ccy="SEK"', 'Ccy="EUR"')), 'application/xml', { path: /./ }],
    ['an empty body', Buffer.alloc(0), 'text/plain', { line: 1 }],
  ];
  for (const [what, body, type, where] of cases) {
    const r = await upload(w, body, type);
    t.equal(r.status, 422, `${what}: ${r.body}`);
    t.equal(r.json?.type, `${PROBLEM}payment_file_invalid`, what);
    t.type(r.json?.reason, 'string', `${what}: a reason`);
    t.ok(r.json?.line !== undefined || r.json?.path !== undefined || /file/.test(r.json?.detail), `${what}: where: ${r.json?.line ?? r.json?.path}`);
    if (where.line !== undefined) t.equal(r.json.line, where.line, `${what}: line`);
    if (where.path) t.match(r.json.path, where.path, `${what}: path`);
  }
  // Paid to another bankgiro: refused, naming it.
  const other = await upload(w, writeBgmax({ ...good, payeeBankgiro: '991-2346' }));
  t.equal(other.status, 422, other.body);
  t.match(other.json, { code: 'payment_file_invalid', line: Number, reason: /991-2346.*5050-1055/ });
  const otherCamt = await upload(w, writeCamt054({ ...good, payeeBankgiro: '991-2346', bankgiroAccount: true }), 'application/xml');
  t.match(otherCamt.json, { code: 'payment_file_invalid', reason: /991-2346/ });
  // Not a bank file's media type.
  const json = await call(w.app, { method: 'POST', url: '/v1/payment-files', headers: w.m.auth, payload: { file: bg } });
  t.equal(json.status, 415, json.body);
  t.equal(json.json.code, 'unsupported_media_type');
  const pdf = await upload(w, Buffer.from('%PDF-1.4'), 'application/pdf');
  t.equal(pdf.status, 415, pdf.body);
  t.match(pdf.json.detail, /text\/plain/, 'names the media types it takes');

  t.equal(await count(w, 'payment_files'), 0, 'no file stored');
  t.equal(await count(w, 'payments'), 0, 'no payment recorded');
  t.equal(await importJobs(w), 0, 'no job sent');
  t.match((await w.api('GET', `/v1/invoices/${inv.id}`)).json, { status: 'open' });
  // The good file still goes through.
  t.equal((await upload(w, Buffer.from(bg, 'latin1'))).status, 201);
});

t.test('the same file twice, in turn and at once, and the same payments in another file: recorded once', async (t) => {
  const w = await billingWorld(t, { poolMax: 6 });
  const payments = Array.from({ length: 50 }, (_, i) => ({ amount: 1000 + i, serial: i + 1, reference: `ref ${i}` }));
  const file = writeBgmax({ payeeBankgiro: '5050-1055', payments });
  const [a, b] = await Promise.all([upload(w, file), upload(w, file)]);
  t.same([a.status, b.status].sort(), [200, 201], `${a.status} ${b.status}: ${a.body} ${b.body}`);
  t.equal(a.json.id, b.json.id, 'one payment file');
  t.equal(await importJobs(w), 1, 'one import job');
  const done = await finished(w, a.json.id);
  t.match(done.counts, { payments: 50, unmatched: 50, duplicates: 0 });
  t.equal((await upload(w, file)).status, 200);
  // The same bank transactions in a file written at another time (other bytes, same bank keys).
  const rewritten = writeBgmax({ payeeBankgiro: '5050-1055', payments, createdAt: '2026-01-15T07:45:00' });
  const r = await upload(w, rewritten);
  t.equal(r.status, 201, r.body);
  t.match(await finished(w, r.json.id), { counts: { payments: 50, matched: 0, unmatched: 0, duplicates: 50 }, totals: { recorded: 0 } });
  t.equal(await count(w, 'payments'), 50, 'each payment recorded once');
  t.equal(await count(w, 'payment_files'), 2);
});

t.test('Idempotency-Key on the upload under concurrency: one file, one job, the same answer', async (t) => {
  const w = await billingWorld(t, { poolMax: 6 });
  const file = writeBgmax({ payeeBankgiro: '5050-1055', payments: [{ amount: 12300, serial: 7 }] });
  const key = { 'idempotency-key': 'upload-1' };
  const rs = await Promise.all([1, 2, 3, 4].map(() => upload(w, file, 'text/plain', key)));
  const ok = rs.filter((r) => r.status === 201);
  t.ok(ok.length >= 1, rs.map((r) => r.status).join(' '));
  t.ok(rs.every((r) => r.status === 201 || r.json?.code === 'idempotency_request_in_progress'), rs.map((r) => `${r.status} ${r.json?.code ?? ''}`).join(', '));
  t.equal(new Set(ok.map((r) => r.json.id)).size, 1, 'the same file');
  const replay = await upload(w, file, 'text/plain', key);
  t.equal(replay.status, 201);
  t.equal(replay.headers['idempotent-replayed'], 'true');
  t.equal(replay.json.id, ok[0]!.json.id);
  const other = await upload(w, writeBgmax({ payeeBankgiro: '5050-1055', payments: [{ amount: 12301, serial: 7 }] }), 'text/plain', key);
  t.equal(other.status, 422, 'another file with the same key');
  t.equal(other.json.code, 'idempotency_key_reused');
  t.equal(await count(w, 'payment_files'), 1);
  t.equal(await importJobs(w), 1);
  await finished(w, ok[0]!.json.id);
  t.equal(await count(w, 'payments'), 1);
});

t.test('GET an unknown payment file is 404', async (t) => {
  const w = await billingWorld(t);
  const r = await w.api('GET', '/v1/payment-files/pf_01KB2Y5M8Q0ZC3V1S7N4D6F9XA');
  t.equal(r.status, 404);
});
