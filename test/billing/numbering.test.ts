// Gap-free invoice numbering under concurrency and rollback: numbers and OCR references are
// allocated inside the finalising transaction, so racing finalisations take turns and a failed one
// gives its number back.
import t from 'tap';
import { isValidOcr, makeOcrReference } from '../../src/domain/ocr.ts';
import { billingWorld, PROBLEM } from './world.ts';

const ocrFor = (seq: number) => makeOcrReference(seq, { lengthDigit: true, minLength: 6 });

t.test('invoice numbering', async (t) => {
  const w = await billingWorld(t, { poolMax: 14 });
  const { api, database } = w;
  const pool = database.pool;
  const anna = await w.customer();
  // 199,00 kr + 25 % = 248,75 kr → 249,00 kr to pay.
  const line = { description: 'Månadsavgift', unit_amount: 19900, vat_rate: 25 };
  const draft = async () => {
    const r = await api('POST', '/v1/invoices', { customer: anna.id, lines: [line] });
    if (r.status !== 201) throw new Error(r.body);
    return r.json.id as string;
  };

  await t.test('10 concurrent finalisations get F-1..F-10', async (t) => {
    const ids: string[] = [];
    for (let i = 0; i < 10; i++) ids.push(await draft());
    // Record which database connection finalised each invoice, to show the requests really overlapped.
    await pool.query(`
      create table finalize_log (invoice_id text, pid int, at timestamptz default clock_timestamp());
      create function log_finalize() returns trigger language plpgsql as $$
      begin
        if new.status = 'open' and old.status = 'draft' then
          insert into finalize_log (invoice_id, pid) values (new.id, pg_backend_pid());
          perform pg_sleep(0.02);
        end if;
        return new;
      end $$;
      create trigger log_finalize after update on invoices for each row execute function log_finalize();`);

    const results = await Promise.all(ids.map((id) => api('POST', `/v1/invoices/${id}/finalize`)));
    t.same(results.map((r) => r.status), Array(10).fill(200), 'all finalised');
    const numbers = results.map((r) => r.json.number as string);
    t.same([...numbers].sort((a, b) => Number(a.slice(2)) - Number(b.slice(2))), Array.from({ length: 10 }, (_, i) => `F-${i + 1}`), 'F-1..F-10, no gaps, no duplicates');
    const ocrs = results.map((r) => r.json.ocr_reference as string);
    t.equal(new Set(ocrs).size, 10, 'OCR references unique');
    t.ok(ocrs.every((o) => isValidOcr(o, { lengthDigit: true })), 'all valid OCR');
    t.same([...ocrs].sort(), Array.from({ length: 10 }, (_, i) => ocrFor(i + 1)).sort(), 'OCR sequences 1..10');
    t.ok(results.every((r) => r.json.status === 'open' && r.json.due_date === '2026-12-28'));

    const log = await pool.query('select invoice_id, pid from finalize_log');
    t.equal(log.rowCount, 10);
    const pids = new Set(log.rows.map((r: { pid: number }) => r.pid));
    t.ok(pids.size > 1, `finalised on ${pids.size} connections at once`);
    await pool.query('drop trigger log_finalize on invoices; drop function log_finalize(); drop table finalize_log;');

    // What the list shows agrees.
    const listed = await api('GET', '/v1/invoices?status=open&limit=100');
    t.same(listed.json.data.map((i: { number: string }) => i.number).sort(), [...numbers].sort());
  });

  await t.test('a rolled-back finalisation does not use up a number', async (t) => {
    const doomed = await draft();
    const next = await draft();
    await pool.query(`
      create function fail_finalize() returns trigger language plpgsql as $$
      begin
        if new.id = '${doomed}' and new.status = 'open' then raise exception 'simulated failure while finalising'; end if;
        return new;
      end $$;
      create trigger fail_finalize before update on invoices for each row execute function fail_finalize();`);
    const failed = await api('POST', `/v1/invoices/${doomed}/finalize`);
    t.equal(failed.status, 500, 'the database error surfaces as a server error');
    t.equal(failed.json.type, PROBLEM + 'internal_error');
    t.notMatch(failed.body, 'simulated failure', 'no database details leak');
    const still = await api('GET', `/v1/invoices/${doomed}`);
    t.equal(still.json.status, 'draft');
    t.equal(still.json.number, null);
    t.equal((await api('GET', `/v1/events?type=invoice.finalized&object_id=${doomed}`)).json.data.length, 0, 'no event for the failure');
    const series = await pool.query(`select series, last_value from number_series where merchant_id = $1 order by series`, [w.m.id]);
    t.same(
      series.rows.map((r: { series: string; last_value: string }) => [r.series, Number(r.last_value)]),
      [['invoice:F-', 10], ['ocr', 10]],
      'counters rolled back',
    );
    await pool.query('drop trigger fail_finalize on invoices; drop function fail_finalize();');

    const eleven = await api('POST', `/v1/invoices/${next}/finalize`);
    t.equal(eleven.status, 200);
    t.equal(eleven.json.number, 'F-11');
    t.equal(eleven.json.ocr_reference, ocrFor(11), 'the OCR sequence has no gap either');
    const twelve = await api('POST', `/v1/invoices/${doomed}/finalize`);
    t.equal(twelve.status, 200);
    t.equal(twelve.json.number, 'F-12');
    t.equal(twelve.json.ocr_reference, ocrFor(12));

    // A failing auto-finalised create rolls back the draft and the number alike.
    const empty = await api('POST', '/v1/invoices', { customer: anna.id, lines: [{ description: 'Rabatt', unit_amount: -100 }], auto_finalize: true });
    t.equal(empty.status, 409);
    const thirteen = await api('POST', '/v1/invoices', { customer: anna.id, lines: [line], auto_finalize: true });
    t.equal(thirteen.json.number, 'F-13');
  });

  await t.test('concurrent auto-finalised creates and a second merchant', async (t) => {
    const other = await w.seller('Annan Firma AB', { invoice_number_prefix: 'F-' });
    const otherApi = w.apiFor(other);
    const bertil = await w.customer({ name: 'Bertil Ärlig' }, other);
    const results = await Promise.all([
      ...Array.from({ length: 5 }, () => api('POST', '/v1/invoices', { customer: anna.id, lines: [line], auto_finalize: true })),
      ...Array.from({ length: 5 }, () => otherApi('POST', '/v1/invoices', { customer: bertil.id, lines: [line], auto_finalize: true })),
    ]);
    t.same(results.map((r) => r.status), Array(10).fill(201));
    const ours = results.slice(0, 5).map((r) => r.json.number).sort();
    const theirs = results.slice(5).map((r) => r.json.number).sort();
    t.same(ours, ['F-14', 'F-15', 'F-16', 'F-17', 'F-18'], 'ours continue the series');
    t.same(theirs, ['F-1', 'F-2', 'F-3', 'F-4', 'F-5'], "the other merchant's series starts at its own 1");
    t.same(results.slice(5).map((r) => r.json.ocr_reference).sort(), [1, 2, 3, 4, 5].map(ocrFor).sort(), 'and so do its OCR references');

    // A new prefix is a new series; going back continues the old one.
    t.equal((await api('PATCH', '/v1/merchant', { invoice_number_prefix: 'G-' })).status, 200);
    const g = await api('POST', '/v1/invoices', { customer: anna.id, lines: [line], auto_finalize: true });
    t.equal(g.json.number, 'G-1');
    t.equal(g.json.ocr_reference, ocrFor(19), 'OCR references stay unique across series');
    t.equal((await api('PATCH', '/v1/merchant', { invoice_number_prefix: 'F-' })).status, 200);
    const f = await api('POST', '/v1/invoices', { customer: anna.id, lines: [line], auto_finalize: true });
    t.equal(f.json.number, 'F-19');
  });
});
