// Subscription lifecycle through the API: every transition, proration, cancellation reasons,
// month-end anchors and the merchant's calendar across both daylight-saving changes.
import t from 'tap';
import { billingWorld, invoicesOf, PROBLEM, runBilling } from './world.ts';

t.test('create: billed in advance, at once when the period has started', async (t) => {
  const w = await billingWorld(t);
  const cus = await w.customer();
  const price = await w.monthlyPrice({ unit_amount: 10000, vat_rate: 25 });

  const r = await w.api('POST', '/v1/subscriptions', { customer: cus.id, items: [{ price: price.id, quantity: 2 }], metadata: { plan: 'pro' } });
  t.equal(r.status, 201, r.body);
  const sub = r.json;
  t.match(sub.id, /^sub_[0-9A-Z]{26}$/);
  t.match(sub, {
    object: 'subscription',
    status: 'active',
    customer: cus.id,
    currency: 'SEK',
    interval_months: 1,
    billing_anchor_day: 25,
    start_date: '2026-11-25',
    current_period_start: '2026-11-25',
    current_period_end: '2026-12-25',
    next_billing_date: '2026-12-25',
    cancel_at_period_end: false,
    cancellation_details: null,
    metadata: { plan: 'pro' },
  });
  t.same(sub.items.map((i: any) => [i.price, i.quantity]), [[price.id, 2]]);

  const [inv, ...more] = await invoicesOf(w.api, sub.id);
  t.equal(more.length, 0, 'one invoice');
  t.match(inv, {
    status: 'open',
    billing_reason: 'subscription_create',
    period_start: '2026-11-25',
    period_end: '2026-12-25',
    issue_date: '2026-11-25',
    due_date: '2026-12-28', // 25 Dec + weekend: next bank day
    subtotal: 20000,
    vat_total: 5000,
    amount_due: 25000,
    number: 'F-1',
  });
  t.match(inv.lines[0], { quantity: 2, unit_amount: 10000, vat_rate: 25, period_start: '2026-11-25', period_end: '2026-12-25', price: price.id });

  const ev = await w.api('GET', `/v1/events?limit=100`);
  const types = ev.json.data.map((e: any) => e.type);
  for (const type of ['subscription.created', 'invoice.created', 'invoice.finalized']) t.ok(types.includes(type), type);

  // The same period is never billed twice: a run right after finds nothing.
  const run = await runBilling(w.api);
  t.match(run, { status: 'completed', subscriptions_due: 0, invoices_created: 0, subscriptions_left: 0 });
  t.equal((await invoicesOf(w.api, sub.id)).length, 1);
});

t.test('create: trial, future start and bad input', async (t) => {
  const w = await billingWorld(t);
  const cus = await w.customer();
  const price = await w.monthlyPrice({ unit_amount: 9900 });

  const trial = await w.api('POST', '/v1/subscriptions', { customer: cus.id, items: [{ price: price.id }], trial_period_days: 14 });
  t.equal(trial.status, 201, trial.body);
  t.match(trial.json, { status: 'trialing', trial_end: '2026-12-09', next_billing_date: '2026-12-09', billing_anchor_day: 9, current_period_start: null });
  t.equal((await invoicesOf(w.api, trial.json.id)).length, 0, 'no invoice during the trial');

  // `price` and `quantity` are shorthand for one item.
  const later = await w.api('POST', '/v1/subscriptions', { customer: cus.id, price: price.id, quantity: 3, start_date: '2026-12-01' });
  t.same(later.json.items.map((i: any) => [i.price, i.quantity]), [[price.id, 3]]);
  t.match(later.json, { status: 'scheduled', next_billing_date: '2026-12-01' });
  t.equal((await invoicesOf(w.api, later.json.id)).length, 0);

  // When the trial ends and the start date comes, the run bills both and they become active.
  w.clock.set('2026-12-09T08:00:00Z');
  const run = await runBilling(w.api);
  t.match(run, { subscriptions_due: 2, invoices_created: 2 });
  t.match((await w.api('GET', `/v1/subscriptions/${trial.json.id}`)).json, { status: 'active', current_period_start: '2026-12-09', current_period_end: '2027-01-09' });
  t.match((await w.api('GET', `/v1/subscriptions/${later.json.id}`)).json, { status: 'active', current_period_start: '2026-12-01', current_period_end: '2027-01-01' });
  const trialInvoices = await invoicesOf(w.api, trial.json.id);
  t.match(trialInvoices, [{ billing_reason: 'subscription_create', issue_date: '2026-12-09', period_start: '2026-12-09' }]);

  const oneTime = await w.oneTimePrice({ unit_amount: 500 });
  const yearly = await w.monthlyPrice({ unit_amount: 100000, interval: 'year' });
  const other = await w.seller('Other AB');
  const otherCustomer = await w.customer({}, other);
  const before = (await w.api('GET', '/v1/subscriptions?limit=100')).json.data.length;
  const bad: [unknown, string][] = [
    [{ customer: cus.id, items: [{ price: oneTime.id }] }, 'items[0].price'],
    [{ customer: cus.id, items: [{ price: price.id }, { price: yearly.id }] }, 'items'],
    [{ customer: cus.id, items: [{ price: price.id }, { price: price.id }] }, 'items[1].price'],
    [{ customer: otherCustomer.id, items: [{ price: price.id }] }, 'customer'],
    [{ customer: cus.id, items: [{ price: price.id }], start_date: '2026-11-24' }, 'start_date'],
    [{ customer: cus.id, items: [{ price: price.id }], trial_end: '2026-11-20' }, 'trial_end'],
    [{ customer: cus.id, items: [] }, 'items'],
    [{ customer: cus.id, items: [{ price: price.id, quantity: 0 }] }, 'items/0/quantity'],
    [{ customer: cus.id, items: [{ price: price.id }], bogus: true }, 'bogus'],
    [{ customer: cus.id }, 'items'],
    [{ customer: cus.id, items: [{ price: price.id }], price: price.id }, 'items'],
    [{ customer: cus.id, items: [{ price: price.id }], quantity: 2 }, 'quantity'],
  ];
  for (const [body, field] of bad) {
    const r = await w.api('POST', '/v1/subscriptions', body);
    t.equal(r.status, 400, `${JSON.stringify(body)}: ${r.body}`);
    t.equal(r.json.type, PROBLEM + 'validation_failed');
    t.match(JSON.stringify(r.json.errors), field.split(/[./[\]]/)[0]!, `names ${field}`);
  }
  t.equal((await w.api('GET', '/v1/subscriptions?limit=100')).json.data.length, before, 'nothing created');
  t.equal((await w.api('GET', `/v1/subscriptions/${trial.json.id}`, undefined)).status, 200);
  t.equal((await w.apiFor(other)('GET', `/v1/subscriptions/${trial.json.id}`)).status, 404, 'another merchant cannot see it');
});

t.test('pause, resume and reactivate', async (t) => {
  const w = await billingWorld(t);
  const cus = await w.customer();
  const price = await w.monthlyPrice({ unit_amount: 10000 });
  const sub = (await w.api('POST', '/v1/subscriptions', { customer: cus.id, items: [{ price: price.id }] })).json;

  const paused = await w.api('POST', `/v1/subscriptions/${sub.id}/pause`);
  t.equal(paused.status, 200, paused.body);
  t.match(paused.json, { status: 'paused', next_billing_date: null, paused_at: '2026-11-25T09:00:00.000Z' });
  t.equal((await w.api('POST', `/v1/subscriptions/${sub.id}/pause`)).status, 409, 'already paused');

  // Two periods go by while paused: nothing is invoiced.
  w.clock.set('2027-01-10T09:00:00Z');
  const run = await runBilling(w.api);
  t.equal(run.invoices_created, 0);
  t.equal((await invoicesOf(w.api, sub.id)).length, 1);

  // Resumed after the paid period: a new period starts today and is invoiced at once.
  const resumed = await w.api('POST', `/v1/subscriptions/${sub.id}/resume`);
  t.equal(resumed.status, 200, resumed.body);
  t.match(resumed.json, { status: 'active', billing_anchor_day: 10, current_period_start: '2027-01-10', current_period_end: '2027-02-10', paused_at: null });
  t.equal((await invoicesOf(w.api, sub.id)).length, 2);
  t.equal((await w.api('POST', `/v1/subscriptions/${sub.id}/resume`)).status, 409, 'not paused');

  // Paused and resumed inside a paid period: billing continues on its dates, nothing extra.
  w.clock.set('2027-01-15T09:00:00Z');
  await w.api('POST', `/v1/subscriptions/${sub.id}/pause`);
  w.clock.set('2027-01-20T09:00:00Z');
  const again = await w.api('POST', `/v1/subscriptions/${sub.id}/resume`);
  t.match(again.json, { status: 'active', next_billing_date: '2027-02-10', billing_anchor_day: 10 });
  t.equal((await invoicesOf(w.api, sub.id)).length, 2);

  // Cancel at period end, then change of mind.
  const cancel = await w.api('POST', `/v1/subscriptions/${sub.id}/cancel`, { reason: 'too_expensive', at_period_end: true, initiator: 'customer' });
  t.match(cancel.json, { status: 'active', cancel_at_period_end: true, cancel_at: '2027-02-10' });
  const undo = await w.api('POST', `/v1/subscriptions/${sub.id}/reactivate`);
  t.match(undo.json, { status: 'active', cancel_at_period_end: false, cancel_at: null, cancellation_details: null });

  // Canceled, then reactivated: a new period from today, invoiced at once.
  await w.api('POST', `/v1/subscriptions/${sub.id}/cancel`, { reason: 'no_longer_needed' });
  w.clock.set('2027-03-03T09:00:00Z');
  const back = await w.api('POST', `/v1/subscriptions/${sub.id}/reactivate`);
  t.match(back.json, { status: 'active', ended_at: null, billing_anchor_day: 3, current_period_start: '2027-03-03', current_period_end: '2027-04-03' });
  t.equal((await invoicesOf(w.api, sub.id)).length, 3);
  t.equal((await w.api('POST', `/v1/subscriptions/${sub.id}/reactivate`)).status, 409, 'nothing to reactivate');

  const types = (await w.api('GET', `/v1/events?limit=100`)).json.data.map((e: any) => e.type);
  for (const type of ['subscription.paused', 'subscription.resumed', 'subscription.canceled', 'subscription.reactivated']) t.ok(types.includes(type), type);
});

t.test('cancel: reasons, at period end, now with a prorated credit', async (t) => {
  const w = await billingWorld(t);
  const cus = await w.customer();
  const price = await w.monthlyPrice({ unit_amount: 10000, vat_rate: 25 });
  const a = (await w.api('POST', '/v1/subscriptions', { customer: cus.id, items: [{ price: price.id, quantity: 2 }] })).json;
  const b = (await w.api('POST', '/v1/subscriptions', { customer: cus.id, items: [{ price: price.id, quantity: 2 }] })).json;

  for (const body of [{}, { reason: 'bored' }, { reason: 'other', initiator: 'robot' }, { reason: 'other', extra: 1 }]) {
    const r = await w.api('POST', `/v1/subscriptions/${a.id}/cancel`, body);
    t.equal(r.status, 400, JSON.stringify(body));
  }
  t.equal((await w.api('GET', `/v1/subscriptions/${a.id}`)).json.status, 'active', 'bad input changed nothing');

  const atEnd = await w.api('POST', `/v1/subscriptions/${a.id}/cancel`, {
    reason: 'switched_provider',
    feedback: 'Bytte till en konkurrent',
    initiator: 'customer',
    at_period_end: true,
  });
  t.equal(atEnd.status, 200, atEnd.body);
  t.match(atEnd.json, {
    status: 'active',
    cancel_at_period_end: true,
    cancel_at: '2026-12-25',
    canceled_at: '2026-11-25T09:00:00.000Z',
    ended_at: null,
    cancellation_details: { reason: 'switched_provider', feedback: 'Bytte till en konkurrent', initiator: 'customer' },
  });

  // Ten days in (20 of the period's 30 days left), b ends now with a prorated credit.
  w.clock.set('2026-12-05T09:00:00Z');
  const now = await w.api('POST', `/v1/subscriptions/${b.id}/cancel`, { reason: 'payment_problems', initiator: 'involuntary', prorate: true });
  t.equal(now.status, 200, now.body);
  t.match(now.json, { status: 'canceled', ended_at: '2026-12-05T09:00:00.000Z', next_billing_date: null, cancellation_details: { reason: 'payment_problems', initiator: 'involuntary', feedback: null } });
  const [bInvoice] = await invoicesOf(w.api, b.id);
  const notes = (await w.api('GET', `/v1/credit-notes?invoice=${bInvoice.id}`)).json.data;
  t.equal(notes.length, 1, 'one credit note');
  // 2 × 100 kr for 20 of 30 days: 133,33 net + 33,33 VAT = 166,66 → 167 kr after öresavrundning.
  t.match(notes[0], { subtotal: 13333, vat_total: 3333, amount: 16700, reason: 'subscription_canceled' });
  const credited = (await w.api('GET', `/v1/invoices/${bInvoice.id}`)).json;
  t.match(credited, { amount_due: 25000, amount_credited: 16700, amount_remaining: 8300, status: 'open' });
  t.equal((await w.api('POST', `/v1/subscriptions/${b.id}/cancel`, { reason: 'other' })).status, 409, 'already canceled');

  // At a's period end the run ends it instead of billing a new period.
  w.clock.set('2026-12-25T09:00:00Z');
  const run = await runBilling(w.api);
  t.match(run, { invoices_created: 0, subscriptions_ended: 1 });
  t.match((await w.api('GET', `/v1/subscriptions/${a.id}`)).json, { status: 'canceled', ended_at: '2026-12-24T23:00:00.000Z', cancellation_details: { reason: 'switched_provider' } });
  t.equal((await invoicesOf(w.api, a.id)).length, 1);
  const canceled = (await w.api('GET', `/v1/events?type=subscription.canceled&limit=10`)).json.data;
  t.same(canceled.map((e: any) => e.data.object.id).sort(), [a.id, b.id].sort());
});

t.test('proration: a quantity and a price change mid-period', async (t) => {
  const w = await billingWorld(t);
  const cus = await w.customer();
  const basic = await w.monthlyPrice({ unit_amount: 30000, product_name: 'Basic' });
  const pro = await w.monthlyPrice({ unit_amount: 60000, product_name: 'Pro' });
  const sub = (await w.api('POST', '/v1/subscriptions', { customer: cus.id, items: [{ price: basic.id }] })).json;

  // Dec 5: 20 of the 30 days (Nov 25 – Dec 25) are left.
  w.clock.set('2026-12-05T09:00:00Z');
  const more = await w.api('PATCH', `/v1/subscriptions/${sub.id}`, { items: [{ price: basic.id, quantity: 3 }] });
  t.equal(more.status, 200, more.body);
  t.same(more.json.items.map((i: any) => i.quantity), [3]);
  // Dec 15: 10 days left; Basic × 3 becomes Pro × 1.
  w.clock.set('2026-12-15T09:00:00Z');
  const swap = await w.api('PATCH', `/v1/subscriptions/${sub.id}`, { items: [{ price: pro.id }] });
  t.equal(swap.status, 200, swap.body);
  const monthly = await w.monthlyPrice({ unit_amount: 100, interval: 'quarter' });
  t.equal((await w.api('PATCH', `/v1/subscriptions/${sub.id}`, { items: [{ price: monthly.id }] })).status, 400, 'another interval');

  w.clock.set('2026-12-25T09:00:00Z');
  await runBilling(w.api);
  const [, next] = await invoicesOf(w.api, sub.id);
  const lines = next.lines.map((l: any) => [l.description, l.quantity, l.unit_amount, l.proration]);
  // The period's items, then prorated charges, then credits.
  t.same(lines, [
    ['Pro', 1, 60000, false],
    // +2 × 300 kr for 20/30 days = 400 kr
    ['Remaining time on 2 × Basic', 1, 40000, true],
    // +1 × 600 kr for 10/30 days = 200 kr; −3 × 300 kr for 10/30 days = −300 kr
    ['Remaining time on 1 × Pro', 1, 20000, true],
    ['Unused time on 3 × Basic', 1, -30000, true],
  ]);
  t.equal(next.subtotal, 60000 + 40000 - 30000 + 20000);
  t.equal(next.amount_due, 90000 * 1.25);

  const none = await w.api('PATCH', `/v1/subscriptions/${sub.id}`, { items: [{ price: pro.id, quantity: 2 }], proration_behavior: 'none' });
  t.equal(none.status, 200);
  w.clock.set('2027-01-25T09:00:00Z');
  await runBilling(w.api);
  const third = (await invoicesOf(w.api, sub.id))[2];
  t.same(third.lines.map((l: any) => [l.quantity, l.proration]), [[2, false]], 'no proration lines');
});

t.test('month-end anchors: the 31st bills on the last day of shorter months', async (t) => {
  const w = await billingWorld(t);
  w.clock.set('2027-01-31T10:00:00Z');
  const cus = await w.customer();
  const price = await w.monthlyPrice({ unit_amount: 10000 });
  const sub = (await w.api('POST', '/v1/subscriptions', { customer: cus.id, items: [{ price: price.id }] })).json;
  t.match(sub, { billing_anchor_day: 31, current_period_end: '2027-02-28' });
  for (const day of ['2027-02-28', '2027-03-31', '2027-04-30', '2027-05-31', '2027-06-30']) {
    w.clock.set(`${day}T10:00:00Z`);
    await runBilling(w.api);
  }
  const periods = (await invoicesOf(w.api, sub.id)).map((i) => [i.period_start, i.period_end]);
  t.same(periods, [
    ['2027-01-31', '2027-02-28'],
    ['2027-02-28', '2027-03-31'],
    ['2027-03-31', '2027-04-30'],
    ['2027-04-30', '2027-05-31'],
    ['2027-05-31', '2027-06-30'],
    ['2027-06-30', '2027-07-31'],
  ]);
  // Leap year: Feb 29.
  w.clock.set('2028-01-31T10:00:00Z');
  const leap = (await w.api('POST', '/v1/subscriptions', { customer: cus.id, items: [{ price: price.id }] })).json;
  t.equal(leap.current_period_end, '2028-02-29');
});

t.test('calendar dates in the merchant’s time zone across both daylight-saving changes', async (t) => {
  const w = await billingWorld(t);
  const cus = await w.customer();
  const price = await w.monthlyPrice({ unit_amount: 10000 });
  // Created on 28 Feb 2027 (local), anchored on the 28th: next period starts 28 March, the day
  // summer time begins (02:00 → 03:00 local, 01:00 UTC).
  w.clock.set('2027-02-28T12:00:00Z');
  const sub = (await w.api('POST', '/v1/subscriptions', { customer: cus.id, items: [{ price: price.id }] })).json;
  t.equal(sub.next_billing_date, '2027-03-28');

  w.clock.set('2027-03-27T22:30:00Z'); // 23:30 on 27 March in Stockholm (CET)
  t.equal((await runBilling(w.api)).invoices_created, 0, 'not yet the 28th in Stockholm');
  w.clock.set('2027-03-27T23:30:00Z'); // 00:30 on 28 March in Stockholm, still 27 March in UTC
  t.equal((await runBilling(w.api)).invoices_created, 1, 'the 28th has begun in Stockholm');
  const march = (await invoicesOf(w.api, sub.id))[1];
  t.match(march, { issue_date: '2027-03-28', period_start: '2027-03-28', period_end: '2027-04-28' });
  // Hourly re-runs through the change create nothing new.
  for (let h = 1; h <= 4; h++) {
    w.clock.set(new Date(Date.parse('2027-03-27T23:30:00Z') + h * 3600_000));
    t.equal((await runBilling(w.api)).invoices_created, 0, `re-run +${h}h`);
  }

  // Winter time begins 31 October 2027 (03:00 → 02:00 local, 01:00 UTC). A subscription on the 31st.
  w.clock.set('2027-08-31T12:00:00Z');
  const oct = (await w.api('POST', '/v1/subscriptions', { customer: cus.id, items: [{ price: price.id }] })).json;
  w.clock.set('2027-09-30T12:00:00Z');
  await runBilling(w.api);
  w.clock.set('2027-10-30T21:30:00Z'); // 23:30 on 30 October (CEST)
  t.equal((await runBilling(w.api)).invoices_created, 1, 'only the March subscription (due 28 Oct) — not the 31st yet');
  w.clock.set('2027-10-30T22:30:00Z'); // 00:30 on 31 October (CEST, UTC+2)
  t.equal((await runBilling(w.api)).invoices_created, 1, 'the 31st has begun in Stockholm');
  for (let h = 1; h <= 4; h++) {
    w.clock.set(new Date(Date.parse('2027-10-30T22:30:00Z') + h * 3600_000));
    t.equal((await runBilling(w.api)).invoices_created, 0, `re-run +${h}h across the change`);
  }
  const octInvoices = await invoicesOf(w.api, oct.id);
  t.same(
    octInvoices.map((i) => [i.issue_date, i.period_start, i.period_end]),
    [
      ['2027-08-31', '2027-08-31', '2027-09-30'],
      ['2027-09-30', '2027-09-30', '2027-10-31'],
      ['2027-10-31', '2027-10-31', '2027-11-30'],
    ],
  );
});
