// Friendly dunning on real PostgreSQL: an invoice through the default policy (pre-due nudge,
// due-date soft reminder after the day's payment file or the cut-off, two reminders, escalation),
// and the variants: payment stops the process at each stage, a fee agreed or not, a dispute, a
// worker down for a week, quiet hours and a public holiday, autogiro customers, a test clock.
import t from 'tap';
import { sql } from 'drizzle-orm';
import { billingWorld, type BillingWorld } from '../billing/world.ts';
import { call } from '../helpers/app.ts';
import { writeBgmax } from '../helpers/bank-files.ts';

// Stockholm is UTC+1 in winter: 08:00 local is 07:00Z.
const ISSUE = '2027-01-04T09:00:00Z'; // a Monday; 30 days' terms: due Wednesday 2027-02-03

async function invoiceFor(w: BillingWorld, customer: string, amount = 19900, extra: Record<string, unknown> = {}): Promise<any> {
  return w.must(w.api('POST', '/v1/invoices', { customer, auto_finalize: true, lines: [{ description: 'Tjänst', unit_amount: amount, tax_behavior: 'inclusive', vat_rate: 25 }], ...extra }), 201, 'invoice');
}

async function sweepAt(w: BillingWorld, at: string): Promise<void> {
  w.clock.set(at);
  await w.services.dunning.sweep();
}

const caseOf = async (w: BillingWorld, invoice: string) => (await w.api('GET', `/v1/invoices/${invoice}/dunning`)).json;
const stepsSent = async (w: BillingWorld, invoice: string) => (await caseOf(w, invoice)).messages.map((m: any) => m.step);
const eventsOf = async (w: BillingWorld, type: string) => (await w.api('GET', `/v1/events?type=${type}&limit=100`)).json.data;
const messageRows = async (w: BillingWorld, customer: string) =>
  (await w.database.db.execute<{ id: string; step_key: string; fee_amount: number; interest_amount: number; business_time: string; channel: string; subject: string; text_body: string }>(
    sql`select id, step_key, fee_amount::int, interest_amount::int, business_time, channel, subject, text_body from messages where customer_id = ${customer} order by business_time, id`,
  )).rows;

t.test('the default policy from pre-due nudge to escalation', async (t) => {
  const w = await billingWorld(t);
  await w.must(w.api('PATCH', '/v1/merchant', { collection_agency: { name: 'Snäll Inkasso AB', organisation_number: '556677-8899', email: 'claims@snall.example' } }), 200, 'agency');
  w.clock.set(ISSUE);
  const c = await w.customer({ email: 'asa@example.se' });
  const inv = await invoiceFor(w, c.id);
  t.equal(inv.due_date, '2027-02-03');

  // Before the nudge's day nothing is sent.
  await sweepAt(w, '2027-01-29T12:00:00Z');
  t.same(await stepsSent(w, inv.id), []);
  // Due − 3 days is Sunday 31 January: the nudge waits for Monday 08:00.
  await sweepAt(w, '2027-01-31T12:00:00Z');
  t.same(await stepsSent(w, inv.id), [], 'no message on a Sunday');
  t.equal((await caseOf(w, inv.id)).next_action_at, '2027-02-01T07:00:00.000Z', 'moved to Monday 08:00 local');
  await sweepAt(w, '2027-02-01T07:00:00Z');
  t.same(await stepsSent(w, inv.id), ['pre_due'], 'the pre-due nudge');

  // The due date, 09:00: no payment file read yet and before the 10:00 cut-off.
  await sweepAt(w, '2027-02-03T08:00:00Z');
  t.same(await stepsSent(w, inv.id), ['pre_due'], 'the soft reminder waits for the payment file');
  // The day's BgMax file arrives (someone else's payment): the reminder goes out without waiting for the cut-off.
  const file = writeBgmax({ payeeBankgiro: '50501055', bookingDate: '2027-02-03', payments: [{ amount: 1000, serial: 1, reference: 'x' }] });
  const up = await call(w.app, { method: 'POST', url: '/v1/payment-files', headers: { ...w.m.auth, 'content-type': 'text/plain' }, payload: file });
  t.equal(up.status, 201, up.body);
  for (let i = 0; i < 200 && (await w.api('GET', `/v1/payment-files/${up.json.id}`)).json.status === 'processing'; i++) await new Promise((r) => setTimeout(r, 25));
  await sweepAt(w, '2027-02-03T08:30:00Z');
  t.same(await stepsSent(w, inv.id), ['pre_due', 'due_date'], 'the due-date soft reminder after the file');

  // First reminder: 3 bank days after the due date (Monday 8 February), no fee.
  await sweepAt(w, '2027-02-08T06:59:00Z');
  t.equal((await stepsSent(w, inv.id)).length, 2, 'not before 08:00');
  await sweepAt(w, '2027-02-08T07:00:00Z');
  t.same(await stepsSent(w, inv.id), ['pre_due', 'due_date', 'reminder_1']);

  // Second reminder 14 days after: no fee (not enabled, not agreed), interest shown.
  await sweepAt(w, '2027-02-17T07:00:00Z');
  const rows = await messageRows(w, c.id);
  t.same(rows.map((r) => r.step_key), ['pre_due', 'due_date', 'reminder_1', 'reminder_2']);
  t.equal(rows[3]!.fee_amount, 0, 'no fee without agreement');
  // 199 kr at 2 % + 8 % for 14 days: 19900 * 0.10 * 14 / 365 = 76.3 öre.
  t.equal(rows[3]!.interest_amount, 76, 'interest to date');
  t.equal(rows[0]!.interest_amount, 0, 'no interest before the due date');

  // Escalation 28 days after the due date.
  await sweepAt(w, '2027-03-03T07:00:00Z');
  const invoice = (await w.api('GET', `/v1/invoices/${inv.id}`)).json;
  t.equal(invoice.status, 'in_collection');
  const [esc] = await eventsOf(w, 'collection.escalated');
  t.match(esc.data.object, {
    object: 'collection_escalation',
    invoice: inv.id,
    agency: { name: 'Snäll Inkasso AB' },
    debtor: { id: c.id, name: 'Åsa Öberg', national_id: '198112189876', email: 'asa@example.se' },
    claim: { principal: 19900, reminder_fee: 0, due_date: '2027-02-03', interest_from: '2027-02-03', interest_to: '2027-03-03' },
  });
  t.equal(esc.data.object.claim.interest, Math.round((19900 * 0.1 * 28) / 365), 'interest to the escalation day');
  t.same(esc.data.object.messages.map((m: any) => m.step), ['pre_due', 'due_date', 'reminder_1', 'reminder_2'], 'every message with its date and channel');
  t.equal((await eventsOf(w, 'invoice.in_collection')).length, 1);
  const after = await caseOf(w, inv.id);
  t.match(after, { status: 'escalated', next_step: null, escalated_at: '2027-03-03T07:00:00.000Z' });
  // Nothing more is sent, however long we wait.
  await sweepAt(w, '2027-06-01T07:00:00Z');
  t.equal((await messageRows(w, c.id)).length, 4);
  // A payment still lands on an invoice in collection.
  const paid = await w.api('POST', `/v1/invoices/${inv.id}/pay`, {});
  t.equal(paid.status, 200, paid.body);
  t.equal(paid.json.status, 'paid');
});

t.test('a payment stops the process at each stage', async (t) => {
  const w = await billingWorld(t);
  w.clock.set(ISSUE);
  const stages = ['2027-02-01T07:00:00Z', '2027-02-03T09:30:00Z', '2027-02-08T07:00:00Z', '2027-02-17T07:00:00Z'];
  const made: { inv: any; c: any; payAfter: number }[] = [];
  for (let i = 0; i <= stages.length; i++) {
    const c = await w.customer({ email: `stage${i}@example.se` });
    made.push({ c, inv: await invoiceFor(w, c.id), payAfter: i });
  }
  for (let s = 0; s < stages.length; s++) {
    await sweepAt(w, stages[s]!);
    for (const m of made) if (m.payAfter === s + 1) await w.must(w.api('POST', `/v1/invoices/${m.inv.id}/pay`, {}), 200, 'pay');
  }
  // made[0] is never paid: it goes all the way.
  await sweepAt(w, '2027-03-10T07:00:00Z');
  for (const m of made) {
    const sent = await stepsSent(w, m.inv.id);
    if (m.payAfter === 0) t.same(sent, ['pre_due', 'due_date', 'reminder_1', 'reminder_2'], 'never paid: every step');
    else t.equal(sent.length, m.payAfter, `paid after ${m.payAfter} message(s): nothing more`);
    const cs = await caseOf(w, m.inv.id);
    if (m.payAfter > 0) t.match(cs, { status: 'closed', closed_reason: 'paid' });
  }
  t.equal((await w.api('GET', `/v1/invoices/${made[0]!.inv.id}`)).json.status, 'in_collection');
});

t.test('the reminder fee: agreed before the debt arose, once, within the cap', async (t) => {
  const w = await billingWorld(t);
  w.clock.set(ISSUE);
  const policy = await w.must(w.api('POST', '/v1/dunning-policies', { name: 'Med avgift', is_default: true, rules: { reminder_fee: 6000 } }), 201, 'policy');
  t.equal(policy.rules.reminder_fee, 6000);
  const tooHigh = await w.api('POST', '/v1/dunning-policies', { name: 'Girig', rules: { reminder_fee: 6001 } });
  t.equal(tooHigh.status, 400);
  t.match(tooHigh.json.errors, [{ field: 'rules.reminder_fee' }]);
  const agreed = await w.customer({ email: 'a@example.se', dunning: { reminder_fee_agreement: { agreed_at: '2026-12-01T00:00:00Z', terms_version: '2026-12' } } });
  t.match(agreed.dunning, { reminder_fee_agreement: { agreed_at: '2026-12-01T00:00:00.000Z', terms_version: '2026-12' } });
  const notAgreed = await w.customer({ email: 'b@example.se' });
  const lateAgreement = await w.customer({ email: 'c@example.se' });
  const invA = await invoiceFor(w, agreed.id);
  const invB = await invoiceFor(w, notAgreed.id);
  const invC = await invoiceFor(w, lateAgreement.id);
  // Agreed only after the debt arose: no fee.
  await w.must(w.api('PATCH', `/v1/customers/${lateAgreement.id}`, { dunning: { reminder_fee_agreement: { agreed_at: '2027-01-10T00:00:00Z', terms_version: '2027-01' } } }), 200, 'late agreement');
  for (const at of ['2027-02-01T07:00:00Z', '2027-02-03T09:30:00Z', '2027-02-08T07:00:00Z', '2027-02-17T07:00:00Z']) await sweepAt(w, at);
  const feeOf = async (c: any) => (await messageRows(w, c.id)).map((r) => r.fee_amount);
  t.same(await feeOf(agreed), [0, 0, 0, 6000], 'the fee step charges 60 kr');
  t.same(await feeOf(notAgreed), [0, 0, 0, 0], 'not agreed: no fee');
  t.same(await feeOf(lateAgreement), [0, 0, 0, 0], 'agreed after the debt arose: no fee');
  t.equal((await caseOf(w, invA.id)).reminder_fee, 6000);
  t.equal((await caseOf(w, invB.id)).reminder_fee, 0);
  t.equal((await caseOf(w, invC.id)).reminder_fee, 0);
  const text = (await messageRows(w, agreed.id))[3]!.text_body;
  t.match(text, /60,00/, 'the fee is shown');
});

t.test('a dispute pauses reminders until resolved', async (t) => {
  const w = await billingWorld(t);
  w.clock.set(ISSUE);
  const c = await w.customer();
  const inv = await invoiceFor(w, c.id);
  await sweepAt(w, '2027-02-01T07:00:00Z');
  w.clock.set('2027-02-02T10:00:00Z');
  const d = await w.api('POST', `/v1/invoices/${inv.id}/dispute`, { reason: 'Uppsagt i oktober' });
  t.equal(d.status, 200, d.body);
  t.match(d.json, { status: 'disputed', dispute: { reason: 'Uppsagt i oktober' } });
  for (const at of ['2027-02-03T09:30:00Z', '2027-02-08T07:00:00Z', '2027-03-10T07:00:00Z']) await sweepAt(w, at);
  t.same(await stepsSent(w, inv.id), ['pre_due'], 'nothing while disputed');
  t.equal((await w.api('GET', `/v1/invoices/${inv.id}`)).json.status, 'open', 'not escalated');
  w.clock.set('2027-03-10T08:00:00Z');
  const r = await w.api('POST', `/v1/invoices/${inv.id}/dispute/resolve`);
  t.equal(r.status, 200, r.body);
  t.equal(r.json.status, 'active');
  await sweepAt(w, '2027-03-10T08:00:00Z');
  t.same(await stepsSent(w, inv.id), ['pre_due', 'due_date'], 'one step on resolution, the next one not at once');
  const cs = await caseOf(w, inv.id);
  t.ok(new Date(cs.next_action_at) >= new Date('2027-03-12T08:00:00Z'), `the next step re-spaced (${cs.next_action_at})`);
  t.equal((await w.api('POST', `/v1/invoices/${inv.id}/dispute/resolve`)).status, 409, 'not disputed any more');
});

t.test('a worker down for a week sends the one step now due, then re-spaces the rest', async (t) => {
  const w = await billingWorld(t);
  w.clock.set(ISSUE);
  const c = await w.customer();
  const inv = await invoiceFor(w, c.id);
  await sweepAt(w, '2027-02-01T07:00:00Z');
  t.same(await stepsSent(w, inv.id), ['pre_due']);
  // Down from 1 February to 10 February: due_date and reminder_1 were both due.
  await sweepAt(w, '2027-02-10T09:00:00Z');
  t.same(await stepsSent(w, inv.id), ['pre_due', 'due_date'], 'one message, not two');
  const cs = await caseOf(w, inv.id);
  // reminder_1 was 3 bank days after the due date: it keeps that spacing from the late soft reminder.
  t.ok(new Date(cs.next_action_at) >= new Date('2027-02-13T09:00:00Z'), `later steps moved (${cs.next_action_at})`);
  await sweepAt(w, '2027-02-11T09:00:00Z');
  t.same(await stepsSent(w, inv.id), ['pre_due', 'due_date'], 'not the next day either');
});

t.test('quiet hours and a public holiday', async (t) => {
  const w = await billingWorld(t);
  // Issued 2026-11-25 (the default clock): due 2026-12-28 is a Monday after Christmas... use terms to land on 24 Dec.
  w.clock.set('2026-11-24T09:00:00Z');
  const c = await w.customer();
  const inv = await invoiceFor(w, c.id, 19900, { payment_terms_days: 28 }); // due Tuesday 22 December
  t.equal(inv.due_date, '2026-12-22');
  // reminder_1 is 3 bank days after the due date; the soft reminder goes out a day late (below), so
  // 3 bank days after 23 Dec: 28, 29, 30 Dec (24–27 are not bank days).
  await sweepAt(w, '2026-12-19T12:00:00Z'); // pre_due (Saturday 19th: sendable)
  await sweepAt(w, '2026-12-22T20:30:00Z'); // 21:30 local: quiet
  t.same(await stepsSent(w, inv.id), ['pre_due'], 'nothing at 21:30');
  t.equal((await caseOf(w, inv.id)).next_action_at, '2026-12-23T07:00:00.000Z', 'waits for 08:00 the next morning');
  await sweepAt(w, '2026-12-23T07:00:00Z');
  t.same(await stepsSent(w, inv.id), ['pre_due', 'due_date']);
  await sweepAt(w, '2026-12-25T10:00:00Z'); // juldagen
  t.equal((await stepsSent(w, inv.id)).length, 2, 'nothing on juldagen');
  await sweepAt(w, '2026-12-29T07:00:00Z');
  t.equal((await stepsSent(w, inv.id)).length, 2, 'the reminder keeps its spacing from the late soft reminder');
  await sweepAt(w, '2026-12-30T07:00:00Z');
  t.same(await stepsSent(w, inv.id), ['pre_due', 'due_date', 'reminder_1']);
});

t.test('automatic payment and Kivra get no pre-due nudge; collection in progress holds reminders', async (t) => {
  const w = await billingWorld(t);
  w.clock.set(ISSUE);
  const autogiro = await w.customer({ email: 'ag@example.se', payment_method: { type: 'autogiro', payer_number: '9990000002', clearing_number: '6000', account_number: '123456789', status: 'active' } });
  const kivra = await w.customer({ email: 'k@example.se', delivery: { type: 'kivra' } });
  const plain = await w.customer({ email: 'p@example.se' });
  const [ia, ik, ip] = [await invoiceFor(w, autogiro.id), await invoiceFor(w, kivra.id), await invoiceFor(w, plain.id)];
  await sweepAt(w, '2027-02-01T07:00:00Z');
  t.same(await stepsSent(w, ia.id), [], 'autogiro: no nudge');
  t.same(await stepsSent(w, ik.id), [], 'Kivra: no nudge');
  t.same(await stepsSent(w, ip.id), ['pre_due']);
  const kivraMsg = (await messageRows(w, kivra.id));
  t.same(kivraMsg, []);
  // The autogiro mandate is invalid: collection is exhausted on the due date, then reminders follow.
  w.clock.set('2027-02-03T09:30:00Z');
  await w.services.collection.runOnce();
  await sweepAt(w, '2027-02-03T09:30:00Z');
  t.same(await stepsSent(w, ia.id), ['due_date'], 'after a failed collection: the soft reminder');
  t.same(await stepsSent(w, ik.id), ['due_date'], 'Kivra customers get reminders');
  t.equal((await messageRows(w, kivra.id))[0]!.channel, 'webhook', 'Kivra goes through the webhook channel');
});

t.test('on a test clock, one advance works each step on its own day', async (t) => {
  const w = await billingWorld(t);
  const clock = await w.must(w.api('POST', '/v1/test-clocks', { frozen_time: ISSUE }), 201, 'clock');
  const c = await w.customer({ email: 'clock@example.se', test_clock: clock.id });
  const inv = await invoiceFor(w, c.id);
  t.equal(inv.due_date, '2027-02-03');
  await w.must(w.api('POST', `/v1/test-clocks/${clock.id}/advance`, { frozen_time: '2027-03-10T12:00:00Z' }), 200, 'advance');
  for (let i = 0; i < 2000 && (await w.api('GET', `/v1/test-clocks/${clock.id}`)).json.status !== 'ready'; i++) await new Promise((r) => setTimeout(r, 10));
  const rows = await messageRows(w, c.id);
  t.same(rows.map((r) => r.step_key), ['pre_due', 'due_date', 'reminder_1', 'reminder_2']);
  t.same(
    rows.map((r) => new Date(r.business_time).toISOString()),
    ['2027-02-01T07:00:00.000Z', '2027-02-03T09:00:00.000Z', '2027-02-08T07:00:00.000Z', '2027-02-17T07:00:00.000Z'],
    'pre-due Monday 08:00; the soft reminder at the 10:00 cut-off (no payment file); reminders at 08:00 on their days',
  );
  t.equal((await w.api('GET', `/v1/invoices/${inv.id}`)).json.status, 'in_collection', 'escalated inside the jump');
  const cs = await caseOf(w, inv.id);
  t.equal(cs.escalated_at, '2027-03-03T07:00:00.000Z');
  t.match(cs.interest, { as_of: '2027-03-10', amount: Math.round((19900 * 0.1 * 35) / 365) }, 'interest as of the clock’s today');
});

t.test('sweeps at once send each step once, and a customer gets one message for all invoices at a step', async (t) => {
  const w = await billingWorld(t, { poolMax: 12 });
  w.clock.set(ISSUE);
  const customers = [];
  for (let i = 0; i < 40; i++) customers.push(await w.customer({ email: `many${i}@example.se` }));
  // Invoices made customer by customer in turn, so each customer's cases are spread over the due
  // index and concurrent sweeps reach them at different moments.
  for (let k = 0; k < 3; k++) for (const c of customers) await invoiceFor(w, c.id, 10000 + k);
  w.clock.set('2027-02-01T07:00:00Z');
  await Promise.all(Array.from({ length: 5 }, () => w.services.dunning.sweep()));
  const counts = (await w.database.db.execute<{ n: number; inv: number }>(sql`select count(*)::int as n, (select count(*)::int from message_invoices) as inv from messages`)).rows[0]!;
  t.equal(counts.n, 40, 'one message per customer');
  t.equal(counts.inv, 120, 'covering all three invoices');
  const dup = (await w.database.db.execute(sql`select invoice_id, step_key, count(*) from message_invoices group by 1, 2 having count(*) > 1`)).rows;
  t.same(dup, [], 'each step once per invoice');
});
