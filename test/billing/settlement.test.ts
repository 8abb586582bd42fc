// Money that must not get lost at the edges: credits larger than the next invoice, prorations
// pending when a subscription ends, reactivation without double charging, and one bad
// subscription not stopping a run.
import t from 'tap';
import { sql } from 'drizzle-orm';
import { billingWorld, invoicesOf, runBilling } from './world.ts';
import { seedDueSubscriptions } from '../helpers/seed-billing.ts';

t.test('a credit larger than the next invoice is carried forward, never lost', async (t) => {
  const w = await billingWorld(t);
  const cus = await w.customer();
  const big = await w.monthlyPrice({ unit_amount: 100000, product_name: 'Stor' });
  const small = await w.monthlyPrice({ unit_amount: 1000, product_name: 'Liten' });
  const sub = (await w.api('POST', '/v1/subscriptions', { customer: cus.id, items: [{ price: big.id }] })).json;
  // Nov 27: 28 of 30 days left. Credit 1000 kr × 28/30 = 933,33 kr; charge 10 kr × 28/30 = 9,33 kr.
  w.clock.set('2026-11-27T09:00:00Z');
  await w.must(w.api('PATCH', `/v1/subscriptions/${sub.id}`, { items: [{ price: small.id }] }), 200, 'downgrade');
  const pendingNet = async () =>
    Number(((await w.database.db.execute(sql`select coalesce(sum(unit_amount * quantity), 0) as n from pending_invoice_items where subscription_id = ${sub.id} and invoice_id is null`)).rows[0] as { n: string }).n);
  t.equal(await pendingNet(), -93333 + 933);

  w.clock.set('2026-12-25T09:00:00Z');
  await runBilling(w.api);
  const dec = (await invoicesOf(w.api, sub.id))[1];
  // 10 kr + 9,33 kr charged, and as much of the credit: nothing to pay, nothing negative.
  t.match(dec, { total: 0, amount_due: 0, status: 'paid' });
  t.same(dec.lines.map((l: any) => l.unit_amount), [1000, 933, -1933]);
  t.equal(await pendingNet(), -93333 + 1933, 'the rest of the credit waits');
  w.clock.set('2027-01-25T09:00:00Z');
  await runBilling(w.api);
  const jan = (await invoicesOf(w.api, sub.id))[2];
  t.match(jan, { total: 0, amount_due: 0 });
  t.same(jan.lines.map((l: any) => l.unit_amount), [1000, -1000]);
  t.equal(await pendingNet(), -93333 + 1933 + 1000, 'used 19,33 kr + 10 kr of it so far');
});

t.test('ending a subscription settles its pending prorations', async (t) => {
  const w = await billingWorld(t);
  const cus = await w.customer();
  const price = await w.monthlyPrice({ unit_amount: 10000, vat_rate: 25 });
  const sub = (await w.api('POST', '/v1/subscriptions', { customer: cus.id, items: [{ price: price.id, quantity: 2 }] })).json;
  const [first] = await invoicesOf(w.api, sub.id);
  t.equal(first.amount_due, 25000);
  // Dec 5 (20 of 30 days left): 2 → 1, a pending credit of 100 kr × 20/30 = 66,67 kr.
  w.clock.set('2026-12-05T09:00:00Z');
  await w.must(w.api('PATCH', `/v1/subscriptions/${sub.id}`, { items: [{ price: price.id, quantity: 1 }] }), 200, 'downgrade');
  // Dec 15 (10 days left): cancel now with proration. Credit: 66,67 kr + 1 × 100 kr × 10/30 = 100 kr net, 125 kr with VAT:
  // the customer paid 250 kr and used 2 units for 10 days and 1 unit for 10 more: one unit-month.
  w.clock.set('2026-12-15T09:00:00Z');
  const canceled = await w.api('POST', `/v1/subscriptions/${sub.id}/cancel`, { reason: 'too_expensive', prorate: true });
  t.equal(canceled.status, 200, canceled.body);
  const notes = (await w.api('GET', `/v1/credit-notes?invoice=${first.id}`)).json.data;
  t.equal(notes.length, 1);
  t.match(notes[0], { subtotal: 10000, vat_total: 2500, amount: 12500 });
  t.match((await w.api('GET', `/v1/invoices/${first.id}`)).json, { amount_credited: 12500, amount_remaining: 12500 });
  const left = await w.database.db.execute(sql`select count(*)::int as n from pending_invoice_items where subscription_id = ${sub.id} and invoice_id is null`);
  t.equal((left.rows[0] as { n: number }).n, 0, 'nothing left pending');

  // An upgrade pending when the subscription ends at period end becomes a final invoice.
  const up = (await w.api('POST', '/v1/subscriptions', { customer: cus.id, items: [{ price: price.id }] })).json;
  w.clock.set('2026-12-25T09:00:00Z');
  await w.must(w.api('PATCH', `/v1/subscriptions/${up.id}`, { items: [{ price: price.id, quantity: 3 }] }), 200, 'upgrade');
  await w.must(w.api('POST', `/v1/subscriptions/${up.id}/cancel`, { reason: 'other', at_period_end: true }), 200, 'cancel at end');
  w.clock.set('2027-01-15T09:00:00Z');
  await runBilling(w.api);
  const upInvoices = await invoicesOf(w.api, up.id);
  t.equal(upInvoices.length, 2);
  // Its period is Dec 15 – Jan 15 (31 days); 21 were left at 2 more units: 200 kr × 21/31 = 135,48 kr,
  // + 33,87 kr VAT = 169,35 kr → 169 kr.
  t.match(upInvoices[1], { billing_reason: 'subscription_final', subtotal: 13548, vat_total: 3387, amount_due: 16900, period_start: null });
  t.match((await w.api('GET', `/v1/subscriptions/${up.id}`)).json, { status: 'canceled' });
});

t.test('reactivation neither charges twice nor fails', async (t) => {
  const w = await billingWorld(t);
  const cus = await w.customer();
  const price = await w.monthlyPrice({ unit_amount: 10000 });
  const sub = (await w.api('POST', '/v1/subscriptions', { customer: cus.id, items: [{ price: price.id }] })).json;
  // Canceled now without a credit, reactivated the same day: the paid period simply continues.
  await w.must(w.api('POST', `/v1/subscriptions/${sub.id}/cancel`, { reason: 'other' }), 200, 'cancel');
  const back = await w.api('POST', `/v1/subscriptions/${sub.id}/reactivate`);
  t.equal(back.status, 200, back.body);
  t.match(back.json, { status: 'active', next_billing_date: '2026-12-25', billing_anchor_day: 25 });
  t.equal((await invoicesOf(w.api, sub.id)).length, 1, 'no second invoice for the paid period');
  // And again: still one invoice.
  await w.must(w.api('POST', `/v1/subscriptions/${sub.id}/cancel`, { reason: 'other' }), 200, 'cancel');
  await w.must(w.api('POST', `/v1/subscriptions/${sub.id}/reactivate`), 200, 'reactivate');
  t.equal((await invoicesOf(w.api, sub.id)).length, 1);
  // Credited and reactivated the same day would bill the same period again: refused, not a 500.
  await w.must(w.api('POST', `/v1/subscriptions/${sub.id}/cancel`, { reason: 'other', prorate: true }), 200, 'cancel with credit');
  const same = await w.api('POST', `/v1/subscriptions/${sub.id}/reactivate`);
  t.equal(same.status, 409, same.body);
  // A subscription canceled during its trial comes back to its trial.
  const trial = (await w.api('POST', '/v1/subscriptions', { customer: cus.id, items: [{ price: price.id }], trial_period_days: 10 })).json;
  await w.must(w.api('POST', `/v1/subscriptions/${trial.id}/cancel`, { reason: 'other' }), 200, 'cancel trial');
  const again = await w.api('POST', `/v1/subscriptions/${trial.id}/reactivate`);
  t.match(again.json, { status: 'trialing', next_billing_date: '2026-12-05' });
  t.equal((await invoicesOf(w.api, trial.id)).length, 0);
});

t.test('refused transitions and amounts', async (t) => {
  const w = await billingWorld(t);
  const cus = await w.customer();
  const price = await w.monthlyPrice({ unit_amount: 10000 });
  const sub = (await w.api('POST', '/v1/subscriptions', { customer: cus.id, items: [{ price: price.id }] })).json;
  await w.must(w.api('POST', `/v1/subscriptions/${sub.id}/cancel`, { reason: 'other', at_period_end: true }), 200, 'cancel at end');
  t.equal((await w.api('POST', `/v1/subscriptions/${sub.id}/pause`)).status, 409, 'no pause while ending at period end');

  // 8 × 100 000 × 100 000 000 kr with VAT is beyond 2^53 öre.
  const huge = [];
  for (let i = 0; i < 8; i++) huge.push(await w.monthlyPrice({ unit_amount: 10_000_000_000 }));
  const tooMuch = await w.api('POST', '/v1/subscriptions', { customer: cus.id, items: huge.map((p) => ({ price: p.id, quantity: 100_000 })), start_date: '2026-12-01' });
  t.equal(tooMuch.status, 400, tooMuch.body);
  t.equal(tooMuch.json.errors[0].field, 'items');
  const far = await w.api('POST', '/v1/subscriptions', { customer: cus.id, items: [{ price: price.id }], start_date: '2062-01-01' });
  t.equal(far.status, 400);

  // The OCR control level is fixed once references are out.
  const changed = await w.api('PATCH', '/v1/merchant', { ocr_length_digit: false });
  t.equal(changed.status, 409, changed.body);

  // A credited invoice is not voided (its credit note stays valid).
  const [inv] = await invoicesOf(w.api, sub.id);
  await w.must(w.api('POST', '/v1/credit-notes', { invoice: inv.id, lines: [{ line_no: 1, quantity: 1 }] }), 201, 'credit');
  t.equal((await w.api('POST', `/v1/invoices/${inv.id}/void`)).status, 409);
});

t.test('one subscription that cannot be invoiced does not stop the run', async (t) => {
  const w = await billingWorld(t);
  await seedDueSubscriptions(w.database.db, { merchantId: w.m.id, count: 20, nextBillDate: '2026-11-25' });
  // One subscription's item is made impossible to total (a corrupt row, as it might arrive by import).
  await w.database.db.execute(sql`update subscription_items set quantity = 2147483647 where id = (select min(id) from subscription_items where merchant_id = ${w.m.id})`);
  await w.database.db.execute(sql`update prices set unit_amount = 9000000000000 where merchant_id = ${w.m.id}`);
  await w.database.db.execute(sql`update subscription_items set quantity = 1 where merchant_id = ${w.m.id} and quantity <> 2147483647`);
  const { services } = w;
  const run = await services.billing.executeRun(w.m.id, (await services.billing.createRun(w.m.id, { trigger: 'api' })).id);
  t.match(run, { status: 'completed', invoicesCreated: 19, lastError: /1 subscription\(s\) could not be invoiced: sub_/ });
  const tick = await services.billing.tick();
  t.match(tick, { started: 1 }, 'the next tick tries it again and still completes');
});

t.test('a scheduled start with a trial: scheduled, then trialing, then billed', async (t) => {
  const w = await billingWorld(t);
  const cus = await w.customer();
  const price = await w.monthlyPrice({ unit_amount: 10000 });
  const sub = (await w.api('POST', '/v1/subscriptions', { customer: cus.id, items: [{ price: price.id }], start_date: '2026-12-01', trial_period_days: 14 })).json;
  t.match(sub, { status: 'scheduled', trial_end: '2026-12-15', next_billing_date: '2026-12-01', billing_anchor_day: 15 });
  w.clock.set('2026-12-01T09:00:00Z');
  t.match(await runBilling(w.api), { invoices_created: 0 });
  t.match((await w.api('GET', `/v1/subscriptions/${sub.id}`)).json, { status: 'trialing', next_billing_date: '2026-12-15' });
  t.equal((await w.api('POST', `/v1/subscriptions/${sub.id}/pause`)).status, 200, 'a trial can be paused');
  await w.must(w.api('POST', `/v1/subscriptions/${sub.id}/resume`), 200, 'resume');
  w.clock.set('2026-12-15T09:00:00Z');
  t.match(await runBilling(w.api), { invoices_created: 1 });
  t.match((await w.api('GET', `/v1/subscriptions/${sub.id}`)).json, { status: 'active', current_period_start: '2026-12-15', current_period_end: '2027-01-15' });
});

t.test('a test clock still arrives when one of its subscriptions cannot be invoiced', async (t) => {
  const w = await billingWorld(t);
  const clock = (await w.api('POST', '/v1/test-clocks', { frozen_time: '2027-01-01T12:00:00Z' })).json.id;
  await seedDueSubscriptions(w.database.db, { merchantId: w.m.id, count: 5, nextBillDate: '2027-01-01', testClockId: clock });
  await w.database.db.execute(sql`update subscription_items set quantity = 2147483647 where id = (select min(id) from subscription_items where merchant_id = ${w.m.id})`);
  await w.database.db.execute(sql`update prices set unit_amount = 9000000000000 where merchant_id = ${w.m.id}`);
  await w.database.db.execute(sql`update subscription_items set quantity = 1 where merchant_id = ${w.m.id} and quantity <> 2147483647`);
  await w.must(w.api('POST', `/v1/test-clocks/${clock}/advance`, { frozen_time: '2027-03-01T12:00:00Z' }), 200, 'advance');
  let tc: any;
  for (let i = 0; i < 500; i++) {
    tc = (await w.api('GET', `/v1/test-clocks/${clock}`)).json;
    if (tc.status === 'ready') break;
    await new Promise((r) => setTimeout(r, 10));
  }
  t.match(tc, { status: 'ready', frozen_time: '2027-03-01T12:00:00.000Z' });
  const counts = await w.database.db.execute(sql`select subscription_id, count(*)::int as n from invoices where merchant_id = ${w.m.id} group by subscription_id`);
  t.same((counts.rows as { n: number }[]).map((r) => r.n), [3, 3, 3, 3], 'Jan, Feb and Mar for the four that can be invoiced');
});
