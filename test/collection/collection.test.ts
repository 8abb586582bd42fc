// Collection through processors, on real PostgreSQL with the built-in test processor: each test
// token's outcome, collection on the due date with a test clock and the retry schedule, two
// workers and a worker killed mid-way never charging or paying twice, and an invoice paid by
// transfer first never charged.
import t from 'tap';
import { sql } from 'drizzle-orm';
import { billingWorld, PROBLEM, type BillingWorld } from '../billing/world.ts';
import { claimDue, markSubmitted } from '../../src/modules/collection/store.ts';
import { createTestProcessor } from '../../src/modules/collection/processor.ts';
import { fixedClock } from '../../src/clock.ts';

const card = (token: string) => ({ type: 'card', token, brand: 'visa', last4: '4242' });

async function invoiceFor(w: BillingWorld, customer: string, amount = 19900): Promise<any> {
  return w.must(w.api('POST', '/v1/invoices', { customer, auto_finalize: true, lines: [{ description: 'Tjänst', unit_amount: amount, tax_behavior: 'inclusive', vat_rate: 25 }] }), 201, 'invoice');
}
const attemptsOf = async (w: BillingWorld, invoice: string) => (await w.api('GET', `/v1/collection-attempts?invoice=${invoice}&limit=100`)).json.data.reverse();
const eventsOf = async (w: BillingWorld, type: string) => (await w.api('GET', `/v1/events?type=${type}&limit=100`)).json.data;
const count = async (w: BillingWorld, q: ReturnType<typeof sql>) => ((await w.database.db.execute<{ n: number }>(q)).rows[0]!.n);

async function waitReady(w: BillingWorld, id: string): Promise<any> {
  for (let i = 0; i < 2000; i++) {
    const r = await w.api('GET', `/v1/test-clocks/${id}`);
    if (r.json.status === 'ready') return r.json;
    await new Promise((res) => setTimeout(res, 10));
  }
  throw new Error('test clock did not become ready');
}

t.test('each test token, Swish number and autogiro payer number on its due date', async (t) => {
  const w = await billingWorld(t);
  const cases: Array<[string, Record<string, unknown>, { status: string; outcome?: string; code?: string; paid: boolean }]> = [
    ['card succeeds', card('tok_test_succeeds'), { status: 'succeeded', outcome: 'succeeded', paid: true }],
    ['card insufficient funds', card('tok_test_insufficient_funds'), { status: 'failed', outcome: 'declined', code: 'insufficient_funds', paid: false }],
    ['card expired', card('tok_test_expired_card'), { status: 'exhausted', outcome: 'declined', code: 'expired_card', paid: false }],
    ['card processor error', card('tok_test_processor_error'), { status: 'failed', outcome: 'failed', code: 'processor_error', paid: false }],
    ['swish succeeds', { type: 'swish', phone: '0701234567' }, { status: 'succeeded', outcome: 'succeeded', paid: true }],
    ['swish insufficient funds', { type: 'swish', phone: '0700000001' }, { status: 'failed', outcome: 'declined', code: 'insufficient_funds', paid: false }],
    ['swish account closed', { type: 'swish', phone: '0700000002' }, { status: 'exhausted', outcome: 'declined', code: 'swish_account_closed', paid: false }],
    ['swish processor error', { type: 'swish', phone: '0700000003' }, { status: 'failed', outcome: 'failed', code: 'processor_error', paid: false }],
    ['autogiro succeeds', { type: 'autogiro', payer_number: '1234', clearing_number: '6000', account_number: '123456789', status: 'active' }, { status: 'succeeded', outcome: 'succeeded', paid: true }],
    ['autogiro insufficient funds', { type: 'autogiro', payer_number: '9990000001', clearing_number: '6000', account_number: '123456789', status: 'active' }, { status: 'failed', outcome: 'declined', code: 'insufficient_funds', paid: false }],
    ['autogiro mandate invalid', { type: 'autogiro', payer_number: '9990000002', clearing_number: '6000', account_number: '123456789', status: 'active' }, { status: 'exhausted', outcome: 'declined', code: 'mandate_invalid', paid: false }],
    ['autogiro processor error', { type: 'autogiro', payer_number: '9990000003', clearing_number: '6000', account_number: '123456789', status: 'active' }, { status: 'failed', outcome: 'failed', code: 'processor_error', paid: false }],
  ];
  const made: Array<{ name: string; inv: any; want: (typeof cases)[number][2]; customer: string }> = [];
  for (const [name, pm, want] of cases) {
    const c = await w.customer({ payment_method: pm });
    made.push({ name, inv: await invoiceFor(w, c.id), want, customer: c.id });
  }
  // Not collected automatically: bankgiro, a pending autogiro mandate.
  const bankgiro = await invoiceFor(w, (await w.customer()).id);
  const pending = await invoiceFor(w, (await w.customer({ payment_method: { type: 'autogiro', payer_number: '1', clearing_number: '6000', account_number: '123456789' } })).id);
  t.same(await attemptsOf(w, bankgiro.id), [], 'a bankgiro invoice has no attempt');
  t.same(await attemptsOf(w, pending.id), [], 'an autogiro mandate not yet active is not charged');

  const due = made[0]!.inv.due_date;
  const [first] = await attemptsOf(w, made[0]!.inv.id);
  t.match(first, { object: 'collection_attempt', attempt_number: 1, status: 'scheduled', due_date: due, amount: null, method: 'card', payment_method: { type: 'card', brand: 'visa', last4: '4242' } });
  t.notOk('token' in first.payment_method, 'the card token is never shown');

  // The day before the due date: nothing is charged.
  w.clock.set(new Date(new Date(first.due_at).getTime() - 60_000));
  t.equal(await w.services.collection.runOnce(), 0, 'nothing due before the due date');
  w.clock.set(new Date(new Date(first.due_at).getTime() + 3600_000));
  await w.services.collection.runOnce();

  for (const { name, inv, want } of made) {
    const [a, next] = await attemptsOf(w, inv.id);
    t.match(a, { status: want.status, outcome: want.outcome, outcome_code: want.code ?? null, amount: inv.amount_remaining }, name);
    const invoice = (await w.api('GET', `/v1/invoices/${inv.id}`)).json;
    t.equal(invoice.status, want.paid ? 'paid' : 'open', `${name}: invoice ${invoice.status}`);
    if (want.paid) {
      const payment = (await w.api('GET', `/v1/payments/${a.payment}`)).json;
      t.match(payment, { invoice: inv.id, amount: inv.amount_remaining, method: a.method, date: due }, `${name}: the payment`);
    }
    if (want.status === 'failed') {
      t.match(next, { attempt_number: 2, status: 'scheduled' }, `${name}: retried`);
      t.equal(a.next_attempt_at, next.due_at);
    } else t.equal(next, undefined, `${name}: no retry`);
  }
  const failed = await eventsOf(w, 'payment.failed');
  t.equal(failed.length, 9, 'payment.failed for every decline and failure');
  t.match(failed[0].data.object, { object: 'collection_attempt' });
  const action = await eventsOf(w, 'payment_method.action_required');
  t.same(action.map((e: any) => e.data.object.outcome_code).sort(), ['expired_card', 'mandate_invalid', 'swish_account_closed'], 'hard declines ask the customer to act, once each');
  t.equal(await count(w, sql`select count(*)::int as n from test_processor_charges`), 12, 'one charge per attempt');

  // Nothing runs twice: another pass changes nothing.
  t.equal(await w.services.collection.runOnce(), 0);
  t.equal((await eventsOf(w, 'payment.failed')).length, 9);
});

t.test('collected on the due date with a test clock; declines retried on days +1, +3, +5, then left to dunning', async (t) => {
  const w = await billingWorld(t);
  const clock = (await w.api('POST', '/v1/test-clocks', { frozen_time: '2027-01-11T10:00:00Z' })).json.id;
  const price = await w.monthlyPrice({ unit_amount: 19900 });
  const good = await w.customer({ test_clock: clock, payment_method: card('tok_test_succeeds') });
  const poor = await w.customer({ test_clock: clock, payment_method: card('tok_test_insufficient_funds') });
  const goodSub = await w.must(w.api('POST', '/v1/subscriptions', { customer: good.id, items: [{ price: price.id }] }), 201, 'sub');
  const poorSub = await w.must(w.api('POST', '/v1/subscriptions', { customer: poor.id, items: [{ price: price.id }] }), 201, 'sub');
  const [goodInv] = (await w.api('GET', `/v1/invoices?subscription=${goodSub.id}`)).json.data;
  const [poorInv] = (await w.api('GET', `/v1/invoices?subscription=${poorSub.id}`)).json.data;
  t.equal(goodInv.due_date, '2027-02-10');

  // A real-time worker pass does nothing for the clock's customers.
  t.equal(await w.services.collection.runOnce(), 0);

  // Past the due date and five more days.
  await w.must(w.api('POST', `/v1/test-clocks/${clock}/advance`, { frozen_time: '2027-02-15T12:00:00Z' }), 200, 'advance');
  await waitReady(w, clock);

  t.equal((await w.api('GET', `/v1/invoices/${goodInv.id}`)).json.status, 'paid', 'the card that works pays on the due date');
  const [paid] = await attemptsOf(w, goodInv.id);
  t.match(paid, { status: 'succeeded', submitted_at: '2027-02-09T23:00:00.000Z', completed_at: '2027-02-09T23:00:00.000Z' }, 'as of the due date');
  t.equal((await w.api('GET', `/v1/payments/${paid.payment}`)).json.date, '2027-02-10');

  const tries = await attemptsOf(w, poorInv.id);
  t.same(tries.map((a: any) => a.due_date), ['2027-02-10', '2027-02-11', '2027-02-13', '2027-02-15'], 'due date, then +1, +3, +5 days');
  t.same(tries.map((a: any) => a.status), ['failed', 'failed', 'failed', 'exhausted']);
  t.same(tries.map((a: any) => a.completed_at), tries.map((a: any) => a.due_at), 'each worked on its own day');
  t.equal(tries[3].next_attempt_at, null);
  t.equal((await w.api('GET', `/v1/invoices/${poorInv.id}`)).json.status, 'open', 'left open for the reminder process');
  t.equal((await eventsOf(w, 'payment.failed')).length, 4);
  const action = await eventsOf(w, 'payment_method.action_required');
  t.equal(action.length, 1, 'a card that keeps failing: payment_method.action_required once');
  t.match(action[0], { object_id: undefined, data: { object: { customer: poor.id, attempt_number: 4, status: 'exhausted' } } });

  // The next month's invoice fails again on the same card: no second action_required.
  await w.must(w.api('POST', `/v1/test-clocks/${clock}/advance`, { frozen_time: '2027-03-25T12:00:00Z' }), 200, 'advance');
  await waitReady(w, clock);
  const all = (await w.api('GET', `/v1/collection-attempts?customer=${poor.id}&status=exhausted`)).json.data;
  t.equal(all.length, 2, 'the second invoice exhausted too');
  t.equal((await eventsOf(w, 'payment_method.action_required')).length, 1, 'still once for this card');
});

t.test('two workers, and a worker killed between submit and result, never charge or pay twice', async (t) => {
  const w = await billingWorld(t);
  const invoices: any[] = [];
  for (let i = 0; i < 12; i++) invoices.push(await invoiceFor(w, (await w.customer({ payment_method: card('tok_test_succeeds') })).id, 10000 + i * 100));
  const [a0] = await attemptsOf(w, invoices[0].id);
  w.clock.set(new Date(new Date(a0.due_at).getTime() + 60_000));

  // Killed after the processor accepted, before that was recorded: the claim's lease runs out.
  const wall = fixedClock(w.clock.now());
  const lease = new Date(wall.now().getTime() + 60_000);
  const claimed = await claimDue(w.database.db, { now: w.clock.now(), wall: wall.now(), leaseUntil: lease, limit: 2, lane: { kind: 'worker' } });
  t.equal(claimed.length, 2);
  const processor = createTestProcessor({ db: w.database.db, clock: w.clock });
  const req = (c: any) => ({ idempotencyKey: c.id, merchantId: c.merchantId, livemode: false, method: c.method, paymentMethod: c.paymentMethod, amount: c.amount, currency: c.currency, reference: null });
  const firstCharge = await processor.submit(req(claimed[0]));
  // Killed after the acceptance was recorded, before the result was applied.
  const second = await processor.submit(req(claimed[1]));
  t.ok(await markSubmitted(w.database.db, { merchantId: claimed[1]!.merchantId, id: claimed[1]!.id, leaseUntil: lease }, second.reference, w.clock.now(), wall.now()));

  // Two workers at once, while the first claim is still leased.
  await Promise.all([w.services.collection.runOnce(wall), w.services.collection.runOnce(wall), w.services.collection.pass(wall)]);
  t.equal(await count(w, sql`select count(*)::int as n from collection_attempts where status = 'processing'`), 1, 'the leased claim waits for its lease');
  // Its lease runs out: it is submitted again with the same key, the same charge.
  wall.advance(61_000);
  await w.services.collection.runOnce(wall);
  const [again] = await attemptsOf(w, claimed[0]!.invoiceId);
  t.equal(again.processor_reference, firstCharge.reference, 'the resubmission is the same charge');

  for (const inv of invoices) {
    t.equal((await w.api('GET', `/v1/invoices/${inv.id}`)).json.status, 'paid');
    const attempts = await attemptsOf(w, inv.id);
    t.equal(attempts.length, 1);
  }
  t.equal(await count(w, sql`select count(*)::int as n from test_processor_charges`), 12, 'one charge per invoice');
  t.equal(await count(w, sql`select count(*)::int as n from payments`), 12, 'one payment per invoice');
  t.equal((await eventsOf(w, 'payment.received')).length, 12);

  // The same result applied again (a webhook retried): nothing changes.
  const [p0] = await attemptsOf(w, invoices[0].id);
  t.equal(await w.services.collection.applyResult('test', w.m.id, p0.processor_reference, { status: 'succeeded', chargeId: p0.processor_reference }), undefined);
  t.equal(await count(w, sql`select count(*)::int as n from payments`), 12);
});

t.test('an invoice paid by bank transfer or voided before its due date is not charged', async (t) => {
  const w = await billingWorld(t);
  const paidFirst = await invoiceFor(w, (await w.customer({ payment_method: card('tok_test_succeeds') })).id);
  const voided = await invoiceFor(w, (await w.customer({ payment_method: card('tok_test_succeeds') })).id);
  const partly = await invoiceFor(w, (await w.customer({ payment_method: card('tok_test_succeeds') })).id, 20000);
  await w.must(w.api('POST', '/v1/payments', { amount: paidFirst.amount_remaining, reference: paidFirst.ocr_reference, method: 'bankgiro' }), 201, 'transfer');
  await w.must(w.api('POST', `/v1/invoices/${voided.id}/void`), 200, 'void');
  await w.must(w.api('POST', '/v1/payments', { amount: 5000, invoice: partly.id, method: 'bankgiro' }), 201, 'part');
  const [a] = await attemptsOf(w, paidFirst.id);
  w.clock.set(new Date(new Date(a.due_at).getTime() + 60_000));
  await w.services.collection.runOnce();
  t.match((await attemptsOf(w, paidFirst.id))[0], { status: 'canceled', processor_reference: null });
  t.match((await attemptsOf(w, voided.id))[0], { status: 'canceled' });
  t.match((await attemptsOf(w, partly.id))[0], { status: 'succeeded', amount: 15000 }, 'what is left is charged');
  t.equal(await count(w, sql`select count(*)::int as n from test_processor_charges`), 1, 'only the partly paid invoice was charged');
  t.equal((await w.api('GET', `/v1/invoices/${paidFirst.id}`)).json.amount_paid, paidFirst.amount_remaining, 'paid once');
});

t.test('the collection attempt routes: lists, filters, tenancy and bad input', async (t) => {
  const w = await billingWorld(t);
  const inv = await invoiceFor(w, (await w.customer({ payment_method: card('tok_test_succeeds') })).id);
  const [a] = await attemptsOf(w, inv.id);
  const got = await w.api('GET', `/v1/collection-attempts/${a.id}`);
  t.equal(got.status, 200);
  t.same(got.json, a);
  t.equal((await w.api('GET', '/v1/collection-attempts?status=scheduled')).json.data.length, 1);
  t.equal((await w.api('GET', '/v1/collection-attempts?status=succeeded')).json.data.length, 0);

  const other = await w.seller('Annan AB');
  const theirs = w.apiFor(other);
  t.equal((await theirs('GET', `/v1/collection-attempts/${a.id}`)).status, 404, "another merchant's attempt is not found");
  t.equal((await theirs('GET', `/v1/collection-attempts?invoice=${inv.id}`)).json.data.length, 0);
  const bad = await w.api('GET', '/v1/collection-attempts?status=maybe');
  t.equal(bad.status, 400);
  t.equal(bad.json.type, PROBLEM + 'validation_failed');
  t.match(bad.json.errors, [{ field: 'status' }]);
  t.equal((await w.api('GET', '/v1/collection-attempts/colatt_nope')).status, 400);
});
