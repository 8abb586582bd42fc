// Two worker processes sweep the same due reminders while one is killed mid-way (SIGKILL, as a
// deploy or an out-of-memory kill would) and a third takes its place: every invoice gets its step
// exactly once, counted at a real local SMTP server by Message-ID.
import t from 'tap';
import { sql } from 'drizzle-orm';
import { workerProcesses } from '../helpers/worker-process.ts';
import { messageWorld } from '../messages/helpers.ts';
import { fixedClock } from '../../src/clock.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const N = 40;

t.test('two worker processes and a crash: each step once per invoice, each e-mail once', async (t) => {
  const w = await messageWorld(t);
  // A ready test clock on a Monday 10:30 in Stockholm (inside the sending window, past the cut-off).
  const clock = await w.must(w.api('POST', '/v1/test-clocks', { frozen_time: '2027-01-04T09:30:00Z' }), 201, 'clock');
  const invoices: string[] = [];
  for (let i = 0; i < N; i++) {
    const c = await w.must(w.api('POST', '/v1/customers', { name: `Kund ${i}`, email: `kund${i}@example.se`, test_clock: clock.id }), 201, 'customer');
    invoices.push((await w.must(w.api('POST', '/v1/invoices', { customer: c.id, auto_finalize: true, payment_terms_days: 0, lines: [{ description: 'Tjänst', unit_amount: 19900 + i }] }), 201, 'invoice')).id);
  }
  const env = { SMTP_URL: w.smtp.url, MESSAGE_POLL_MS: '50', DUNNING_POLL_MS: '100', COLLECTION_POLL_MS: '60000' };
  const spawn = workerProcesses(t, w.database.url, env);
  const first = spawn();
  const second = spawn();
  // Kill one as soon as the first e-mails arrive: sweeps and sends are under way.
  await w.smtp.waitFor(1, 60_000);
  first.child.kill('SIGKILL');
  await first.exited;
  const third = spawn();

  const recorded = async () => (await w.database.db.execute<{ n: number }>(sql`select count(*)::int as n from message_invoices`)).rows[0]!.n;
  const pending = async () => (await w.database.db.execute<{ q: number; s: number }>(sql`select count(*) filter (where status = 'queued')::int as q, count(*) filter (where status = 'sending')::int as s from messages`)).rows[0]!;
  // Every invoice's step recorded, nothing queued, and the e-mails still leased (the killed
  // worker's) the same for a second: the live workers have sent everything else.
  let leased = -1;
  for (let i = 0; i < 120; i++) {
    const p = await pending();
    if ((await recorded()) === N && p.q === 0 && p.s === leased) break;
    leased = p.q === 0 ? p.s : -1;
    await sleep(1000);
  }
  for (const p of [second, third]) p.child.kill('SIGTERM');
  await Promise.all([second.exited, third.exited]);
  // The killed worker's leases run out (real time); the next worker sends what it held, same
  // Message-IDs. The workers stamped their messages due at their (real) now: this app's fixed clock
  // must be past it too, or the stranded ones are never due here.
  const later = new Date(Date.now() + 6 * 60_000);
  w.clock.set(later);
  await w.services.messages.runOnce(fixedClock(later));

  const rows = (await w.database.db.execute<{ invoice_id: string; n: number }>(sql`select invoice_id, count(*)::int as n from message_invoices group by 1`)).rows;
  t.equal(rows.length, N, 'every invoice reminded');
  t.ok(rows.every((r) => r.n === 1), 'each invoice once');
  const headers = (await w.database.db.execute<{ h: string }>(sql`select message_id_header as h from messages`)).rows.map((r) => r.h);
  t.equal(headers.length, N, 'one message per customer and step');
  const ids = w.smtp.received.map((m) => m.messageId);
  t.same(new Set(ids), new Set(headers), 'the SMTP server got exactly the recorded messages');
  t.equal(new Set(ids).size, N, `each Message-ID arrived (${ids.length - N} resent after the crash, recognisable by Message-ID)`);
  t.ok(ids.length - N <= 10, 'at most the crashed worker’s sends in flight came twice');
  const steps = (await w.database.db.execute<{ step_key: string }>(sql`select distinct step_key from messages`)).rows.map((r) => r.step_key);
  t.same(steps, ['due_date'], 'the due-date soft reminder, once');
});
