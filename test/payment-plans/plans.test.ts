// Payment plans on real PostgreSQL: two invoices in three instalments paid on time (completed), an
// instalment missed (defaulted, the rest back on the invoices and their reminders going on from the
// step they stopped at), early payoff, and the sums: no öre lost or counted twice.
import t from 'tap';
import { sql } from 'drizzle-orm';
import { billingWorld, pdfText, type BillingWorld } from '../billing/world.ts';

const ISSUE = '2027-01-04T09:00:00Z'; // a Monday; 30 days' terms: due Wednesday 2027-02-03

async function invoiceFor(w: BillingWorld, customer: string, amount: number): Promise<any> {
  return w.must(w.api('POST', '/v1/invoices', { customer, auto_finalize: true, lines: [{ description: 'Tjänst', unit_amount: amount, tax_behavior: 'inclusive', vat_rate: 25 }] }), 201, 'invoice');
}
const get = async (w: BillingWorld, url: string) => (await w.api('GET', url)).json;
const sweepAt = async (w: BillingWorld, at: string) => {
  w.clock.set(at);
  await w.services.dunning.sweep();
  await w.services.paymentPlans.sweep();
};
const eventsOf = async (w: BillingWorld, type: string) => (await w.api('GET', `/v1/events?type=${type}&limit=100`)).json.data;
const stepsSent = async (w: BillingWorld, invoice: string) => (await get(w, `/v1/invoices/${invoice}/dunning`)).messages.map((m: any) => m.step);

/** What the customer owes across all their invoices, and what the originals say. */
async function owed(w: BillingWorld, customer: string): Promise<number> {
  const r = await w.database.db.execute<{ owed: number }>(sql`select coalesce(sum(amount_remaining), 0)::int as owed from invoices where customer_id = ${customer}`);
  return r.rows[0]!.owed;
}
async function invariantHolds(t: any, w: BillingWorld): Promise<void> {
  const bad = await w.database.db.execute(sql`select id from invoices where status <> 'draft' and status <> 'void'
    and amount_remaining <> amount_due - amount_paid - amount_from_balance - amount_credited - amount_plan`);
  t.same(bad.rows, [], 'amount_remaining = due − paid − balance − credited − plan on every invoice');
}

t.test('two invoices in three instalments paid on time: completed', async (t) => {
  const w = await billingWorld(t);
  w.clock.set(ISSUE);
  const c = await w.customer({ email: 'asa@example.se' });
  const a = await invoiceFor(w, c.id, 19900);
  const b = await invoiceFor(w, c.id, 30000);
  await sweepAt(w, '2027-01-10T10:00:00Z');
  t.equal(await owed(w, c.id), 49900);

  const plan = await w.must(w.api('POST', '/v1/payment-plans', { customer: c.id, invoices: [b.id, a.id], instalments: 3 }), 201, 'plan');
  t.match(plan, { object: 'payment_plan', status: 'active', customer: c.id, currency: 'SEK', interval: 'month', principal: 49900, interest: 0, fee: 0, total: 49900, amount_paid: 0, amount_remaining: 49900 });
  t.same(plan.instalments.map((i: any) => [i.seq, i.amount, i.due_date, i.status]), [
    [1, 16700, '2027-01-25', 'open'], // 10 Jan + 14 days is Sunday 24 January: Monday
    [2, 16600, '2027-02-25', 'open'],
    [3, 16600, '2027-03-25', 'open'],
  ], 'whole kronor, the odd amount first, on bank days');
  t.same(plan.invoices.map((i: any) => i.invoice), [a.id, b.id], 'earliest due first (then id)');
  t.equal(await owed(w, c.id), 49900, 'owed once: on the instalments, not again on the originals');
  for (const inv of [a, b]) {
    t.match(await get(w, `/v1/invoices/${inv.id}`), { status: 'in_payment_plan', amount_remaining: 0, amount_payment_plan: inv.amount_remaining });
    t.equal((await get(w, `/v1/invoices/${inv.id}/dunning`)).status, 'paused');
  }
  const first = await get(w, `/v1/invoices/${plan.instalments[0].invoice}`);
  t.match(first, { billing_reason: 'payment_plan', status: 'open', amount_due: 16700, due_date: '2027-01-25', rounding: 0, vat_total: 0 });
  t.match(first.number, /^F-\d+$/);
  t.match(first.ocr_reference, /^\d{6,}$/);
  t.equal(first.payment_terms_days, 15, 'issued 10 January, due the 25th');
  const pdf = await w.app.inject({ method: 'GET', url: `/v1/invoices/${first.id}/pdf`, headers: w.m.auth });
  t.equal(pdf.statusCode, 200);
  const text = await pdfText(pdf.rawPayload);
  t.match(text, first.ocr_reference, 'the PDF carries its OCR reference');
  t.match(text, /Delbetalning 1 av 3/, 'and says what it is');
  t.equal((await eventsOf(w, 'payment_plan.created')).length, 1);

  // Each instalment paid by bank transfer with its OCR reference, on its due date.
  for (const [k, at] of [[0, '2027-01-25T10:00:00Z'], [1, '2027-02-25T10:00:00Z'], [2, '2027-03-25T10:00:00Z']] as const) {
    if (k === 1) await sweepAt(w, '2027-02-22T10:00:00Z');
    w.clock.set(at);
    const inst = await get(w, `/v1/invoices/${plan.instalments[k].invoice}`);
    await w.must(w.api('POST', '/v1/payments', { amount: inst.amount_due, reference: inst.ocr_reference }), 201, 'payment');
    await sweepAt(w, at);
    if (k < 2) t.equal((await get(w, `/v1/payment-plans/${plan.id}`)).status, 'active');
  }
  const done = await get(w, `/v1/payment-plans/${plan.id}`);
  t.match(done, { status: 'completed', amount_paid: 49900, amount_remaining: 0, ended_at: '2027-03-25T10:00:00.000Z' });
  t.same(done.instalments.map((i: any) => i.status), ['paid', 'paid', 'paid']);
  for (const inv of [a, b]) t.match(await get(w, `/v1/invoices/${inv.id}`), { status: 'paid', amount_remaining: 0, amount_payment_plan: inv.amount_remaining, amount_paid: 0 });
  t.equal(await owed(w, c.id), 0);
  t.equal((await eventsOf(w, 'payment_plan.completed')).length, 1);
  // The originals' reminders never went out; the instalments got their nudges only while unpaid.
  await sweepAt(w, '2027-04-01T10:00:00Z');
  t.same(await stepsSent(w, a.id), [], 'no reminder about an invoice in a plan');
  t.match(await get(w, `/v1/invoices/${a.id}/dunning`), { status: 'closed', closed_reason: 'paid' });
  t.same(await stepsSent(w, plan.instalments[1].invoice), ['pre_due'], 'the instalment’s nudge before it fell due');
  await invariantHolds(t, w);
});

t.test('early payoff completes the plan', async (t) => {
  const w = await billingWorld(t);
  w.clock.set(ISSUE);
  const c = await w.customer();
  const a = await invoiceFor(w, c.id, 100050); // 1000.50 kr: rounds to 1001 kr
  const plan = await w.must(w.api('POST', '/v1/payment-plans', { customer: c.id, invoices: [a.id], instalments: 4, interval: 'week', first_due_date: '2027-01-15' }), 201, 'plan');
  t.same(plan.instalments.map((i: any) => [i.amount, i.due_date]), [[25100, '2027-01-15'], [25000, '2027-01-22'], [25000, '2027-01-29'], [25000, '2027-02-05']]);
  w.clock.set('2027-01-06T10:00:00Z');
  for (const i of plan.instalments) await w.must(w.api('POST', `/v1/invoices/${i.invoice}/pay`, {}), 200, 'pay');
  await sweepAt(w, '2027-01-06T10:00:00Z');
  t.match(await get(w, `/v1/payment-plans/${plan.id}`), { status: 'completed', amount_paid: 100100 });
  t.match(await get(w, `/v1/invoices/${a.id}`), { status: 'paid', amount_payment_plan: 100100 });
  t.equal(await owed(w, c.id), 0);
  await invariantHolds(t, w);
});

t.test('a missed instalment defaults the plan; reminders resume at the step they stopped at', async (t) => {
  const w = await billingWorld(t);
  w.clock.set(ISSUE);
  const c = await w.customer({ email: 'b@example.se' });
  const a = await invoiceFor(w, c.id, 19900);
  const b = await invoiceFor(w, c.id, 30000);
  // The originals go through their nudge, the due-date reminder (cut-off) and the first reminder.
  for (const at of ['2027-02-01T07:00:00Z', '2027-02-03T09:30:00Z', '2027-02-08T07:00:00Z']) await sweepAt(w, at);
  t.same(await stepsSent(w, a.id), ['pre_due', 'due_date', 'reminder_1']);

  // 10 February: a plan with the interest so far (7 days at 10 %).
  w.clock.set('2027-02-10T10:00:00Z');
  const plan = await w.must(w.api('POST', '/v1/payment-plans', { customer: c.id, invoices: [a.id, b.id], instalments: 3 }), 201, 'plan');
  const interest = Math.round((19900 * 0.1 * 7) / 365) + Math.round((30000 * 0.1 * 7) / 365);
  t.equal(plan.interest, interest, 'late interest to the plan’s day');
  t.equal(plan.total, 49900 + interest);
  t.equal(plan.instalments.reduce((s: number, i: any) => s + i.amount, 0), plan.total, 'the instalments add up exactly');
  t.match(await get(w, `/v1/invoices/${b.id}/dunning`), { status: 'paused', next_step: { key: 'reminder_2' }, next_action_at: null }, 'paused at the step it goes on from');

  // The first instalment (24 Feb) is paid; the second (24 March) is not.
  w.clock.set('2027-02-24T10:00:00Z');
  await w.must(w.api('POST', `/v1/invoices/${plan.instalments[0].invoice}/pay`, {}), 200, 'pay');
  const paid = plan.instalments[0].amount;
  await sweepAt(w, '2027-02-24T10:00:00Z');
  // Its reminder goes out 3 bank days after (Easter: Wednesday 31 March), then a week's grace.
  for (const at of ['2027-03-22T10:00:00Z', '2027-03-24T10:00:00Z', '2027-03-31T10:00:00Z', '2027-04-07T09:59:00Z']) await sweepAt(w, at);
  t.same(await stepsSent(w, plan.instalments[1].invoice), ['pre_due', 'reminder_1'], 'a nudge and one reminder');
  const textOf = async (invoice: string, step: string) =>
    (await w.database.db.execute<{ text_body: string }>(sql`select m.text_body from messages m join message_invoices mi on mi.merchant_id = m.merchant_id and mi.message_id = m.id
      where mi.invoice_id = ${invoice} and m.step_key = ${step}`)).rows[0]!.text_body;
  t.match(await textOf(a.id, 'reminder_1'), /dela upp beloppet i en avbetalningsplan/, 'the original’s reminder offered a plan');
  t.notMatch(await textOf(plan.instalments[1].invoice, 'reminder_1'), /avbetalningsplan/, 'an instalment’s reminder does not offer another');
  t.equal((await get(w, `/v1/payment-plans/${plan.id}`)).status, 'active', 'still within the grace');
  await sweepAt(w, '2027-04-07T10:00:00Z');
  const ended = await get(w, `/v1/payment-plans/${plan.id}`);
  t.match(ended, { status: 'defaulted', missed_instalment: 2, amount_paid: paid, amount_remaining: 0 });
  t.same(ended.instalments.map((i: any) => i.status), ['paid', 'missed', 'canceled']);
  t.equal((await eventsOf(w, 'payment_plan.missed')).length, 1);
  t.equal((await eventsOf(w, 'payment_plan.defaulted')).length, 1);

  // What was paid settles the earliest due first (a, then b); the rest is back on the invoices.
  const ia = await get(w, `/v1/invoices/${a.id}`);
  const ib = await get(w, `/v1/invoices/${b.id}`);
  const toA = Math.min(paid, 19900);
  t.match(ia, { status: toA === 19900 ? 'paid' : 'partially_paid', amount_payment_plan: toA, amount_remaining: 19900 - toA });
  t.match(ib, { status: paid > toA ? 'partially_paid' : 'open', amount_payment_plan: paid - toA, amount_remaining: 30000 - (paid - toA) });
  t.equal(await owed(w, c.id), 49900 - paid, 'owed: the principal less what was paid, once');
  for (const i of plan.instalments.slice(1)) t.match(await get(w, `/v1/invoices/${i.invoice}`), { status: 'void', amount_remaining: 0 });
  await invariantHolds(t, w);

  // The reminders go on at reminder_2 (the step after reminder_1), not from the start.
  t.equal((await get(w, `/v1/invoices/${b.id}/dunning`)).status, 'active');
  await sweepAt(w, '2027-04-07T10:00:00Z');
  t.same(await stepsSent(w, b.id), ['pre_due', 'due_date', 'reminder_1', 'reminder_2'], 'resumed at the second reminder');
});

t.test('canceled after a part payment, then that payment refunded: every öre accounted for', async (t) => {
  const w = await billingWorld(t);
  w.clock.set(ISSUE);
  const c = await w.customer();
  const a = await invoiceFor(w, c.id, 40000);
  const b = await invoiceFor(w, c.id, 20000);
  const plan = await w.must(w.api('POST', '/v1/payment-plans', { customer: c.id, invoices: [a.id, b.id], instalments: 3 }), 201, 'plan');
  t.equal(plan.total, 60000);
  // Part of the first instalment is paid.
  const payment = await w.must(w.api('POST', '/v1/payments', { amount: 5000, invoice: plan.instalments[0].invoice }), 201, 'payment');
  t.equal((await get(w, `/v1/payment-plans/${plan.id}`)).amount_paid, 5000);
  const canceled = await w.must(w.api('POST', `/v1/payment-plans/${plan.id}/cancel`), 200, 'cancel');
  t.match(canceled, { status: 'canceled', missed_instalment: null, amount_paid: 5000, amount_remaining: 0 });
  t.same(canceled.instalments.map((i: any) => i.status), ['canceled', 'canceled', 'canceled']);
  t.equal((await w.api('POST', `/v1/payment-plans/${plan.id}/cancel`)).status, 409, 'once');
  t.match(await get(w, `/v1/invoices/${a.id}`), { status: 'partially_paid', amount_payment_plan: 5000, amount_remaining: 35000 });
  t.match(await get(w, `/v1/invoices/${b.id}`), { status: 'open', amount_payment_plan: 0, amount_remaining: 20000 });
  t.match(await get(w, `/v1/invoices/${plan.instalments[0].invoice}`), { status: 'void', amount_paid: 5000, amount_payment_plan: 15000, amount_remaining: 0 });
  t.equal(await owed(w, c.id), 55000);
  t.equal((await get(w, `/v1/invoices/${a.id}/dunning`)).status, 'active', 'reminders go on');
  t.equal((await eventsOf(w, 'payment_plan.canceled')).length, 1);
  await invariantHolds(t, w);
  // The 50 kr refunded: the instalment it paid asks for it again, and the total owed is the whole debt.
  await w.must(w.api('POST', `/v1/payments/${payment.id}/refunds`, { amount: 5000 }), 201, 'refund');
  t.match(await get(w, `/v1/invoices/${plan.instalments[0].invoice}`), { amount_paid: 0, amount_remaining: 5000 });
  t.equal(await owed(w, c.id), 60000, 'nothing lost, nothing counted twice');
  await invariantHolds(t, w);
});

t.test('a payment to an original invoice’s old OCR reference pays the instalments', async (t) => {
  const w = await billingWorld(t);
  w.clock.set(ISSUE);
  const c = await w.customer();
  const a = await invoiceFor(w, c.id, 30000);
  const plan = await w.must(w.api('POST', '/v1/payment-plans', { customer: c.id, invoices: [a.id], instalments: 3 }), 201, 'plan');
  // The customer pays 150 kr with the reference on the invoice they had before the plan.
  const payment = await w.must(w.api('POST', '/v1/payments', { amount: 15000, reference: a.ocr_reference }), 201, 'payment');
  t.match(payment, { amount_applied: 0, amount_credited: 15000 }, 'the original asks for nothing: the money is the customer’s credit');
  t.equal((await get(w, `/v1/customers/${c.id}`)).balance, 15000);
  await sweepAt(w, '2027-01-05T10:00:00Z');
  const now = await get(w, `/v1/payment-plans/${plan.id}`);
  t.same(now.instalments.map((i: any) => [i.status, i.amount_remaining]), [['paid', 0], ['open', 5000], ['open', 10000]], 'earliest first');
  t.equal((await get(w, `/v1/customers/${c.id}`)).balance, 0);
  t.equal(await owed(w, c.id), 15000);
  // The rest paid: the plan completes at the next sweep.
  w.clock.set('2027-01-06T10:00:00Z');
  for (const i of now.instalments.slice(1)) await w.must(w.api('POST', `/v1/invoices/${i.invoice}/pay`, {}), 200, 'pay');
  await sweepAt(w, '2027-01-06T10:00:00Z');
  t.match(await get(w, `/v1/payment-plans/${plan.id}`), { status: 'completed', amount_paid: 30000 });
  t.match(await get(w, `/v1/invoices/${a.id}`), { status: 'paid', amount_payment_plan: 30000, amount_remaining: 0 });
  await invariantHolds(t, w);
});
