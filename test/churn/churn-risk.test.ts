// Churn risk per customer: computed on demand, kept current by the background pass from the
// events, daily in business time (test clocks too), the level-change event once per change even
// under concurrent recomputes, the merchant's weights, and the customer list by level.
import t from 'tap';
import { billingWorld, PROBLEM } from '../billing/world.ts';

const churnEvents = async (w: Awaited<ReturnType<typeof billingWorld>>, customerId: string) => {
  const r = await w.api('GET', `/v1/events?type=customer.churn_risk_changed&object_id=${customerId}&limit=100`);
  return r.json.data as any[];
};

t.test('a new customer: computed on demand, low, with its reasons', async (t) => {
  const w = await billingWorld(t);
  const c = await w.customer();
  const r = await w.api('GET', `/v1/customers/${c.id}/churn-risk`);
  t.equal(r.status, 200, r.body);
  // New (tenure 0: short_tenure 10) and paying by bankgiro (manual_payment 8).
  t.same(r.json, {
    object: 'churn_risk',
    customer: c.id,
    score: 18,
    level: 'low',
    previous_level: null,
    reasons: [
      { code: 'short_tenure', contribution: 10, detail: 'a customer for 0 months' },
      { code: 'manual_payment', contribution: 8, detail: 'pays by manual transfer, not automatic collection' },
    ],
    suggested_action: null,
    computed_at: '2026-11-25T09:00:00.000Z',
  });
  t.same(await churnEvents(w, c.id), [], 'a customer starts low: no event for a low first score');

  const missing = await w.api('GET', '/v1/customers/cus_01KB2Y5M8Q0ZC3V1S7N4D6F9XA/churn-risk');
  t.equal(missing.status, 404);
  t.equal(missing.json.type, `${PROBLEM}not_found`);
  const bad = await w.api('GET', '/v1/customers/nope/churn-risk');
  t.equal(bad.status, 400);
  t.equal(bad.json.errors[0].field, 'id');
  const other = await w.seller('Annan AB');
  t.equal((await w.apiFor(other)('GET', `/v1/customers/${c.id}/churn-risk`)).status, 404, "another merchant's customer is not found");
});

t.test('signals change: the pass recomputes from the events, one event per level change', async (t) => {
  const w = await billingWorld(t);
  const price = await w.monthlyPrice({ currency: 'SEK', unit_amount: 19900 });
  const c = await w.customer();
  const calm = await w.customer({ email: 'calm@example.se', national_id: null });
  await w.services.churnRisk.pass();
  t.equal((await w.api('GET', `/v1/customers/${c.id}/churn-risk`)).json.score, 18);

  // Card, then back to bankgiro (left_automatic_payment 12); a subscription set to cancel at period end (35).
  await w.must(w.api('POST', `/v1/customers/${c.id}/payment-method`, { type: 'card', token: 'tok_visa', brand: 'visa', last4: '4242' }), 200, 'card');
  await w.must(w.api('POST', `/v1/customers/${c.id}/payment-method`, { type: 'bankgiro' }), 200, 'bankgiro');
  const sub = await w.must(w.api('POST', '/v1/subscriptions', { customer: c.id, items: [{ price: price.id }] }), 201, 'subscription');
  await w.must(w.api('POST', `/v1/subscriptions/${sub.id}/cancel`, { reason: 'too_expensive', at_period_end: true, initiator: 'customer' }), 200, 'cancel');
  t.ok((await w.services.churnRisk.pass()) > 0, 'the pass read the events');

  const high = await w.api('GET', `/v1/customers/${c.id}/churn-risk`);
  t.match(high.json, { score: 65, level: 'high', suggested_action: 'call before the period ends and ask what would make them stay' });
  t.same(
    high.json.reasons.map((r: any) => [r.code, r.contribution]),
    [
      ['cancel_at_period_end', 35],
      ['left_automatic_payment', 12],
      ['short_tenure', 10],
      ['manual_payment', 8],
    ],
  );
  let events = await churnEvents(w, c.id);
  t.equal(events.length, 1, 'one event for low → high');
  t.match(events[0].data, { object: { object: 'churn_risk', customer: c.id, score: 65, level: 'high', previous_level: 'low', suggested_action: 'call before the period ends and ask what would make them stay' }, previous_attributes: { level: 'low', score: 18 } });

  // The list by level, riskiest first.
  const list = await w.api('GET', '/v1/customers?churn_risk=high');
  t.equal(list.status, 200, list.body);
  t.same(list.json.data.map((x: any) => x.id), [c.id]);
  const low = await w.api('GET', '/v1/customers?churn_risk=low');
  t.same(low.json.data.map((x: any) => x.id), [calm.id]);
  const combined = await w.api('GET', '/v1/customers?churn_risk=high&email=a@b.se');
  t.equal(combined.status, 400);
  t.equal(combined.json.errors[0].field, 'email');
  await w.must(w.api('POST', `/v1/customers/${calm.id}/archive`), 200, 'archive');
  t.same((await w.api('GET', '/v1/customers?churn_risk=low')).json.data, [], 'archived customers leave the list');
  const badLevel = await w.api('GET', '/v1/customers?churn_risk=extreme');
  t.equal(badLevel.status, 400);
  t.equal(badLevel.json.errors[0].field, 'churn_risk');

  // Nothing changed: passes and recomputes record nothing more.
  await w.services.churnRisk.pass();
  await w.services.churnRisk.recompute(w.m.id, c.id);
  t.equal((await churnEvents(w, c.id)).length, 1, 'same level: no event');

  // Reactivated: back to medium (30), one more event.
  await w.must(w.api('POST', `/v1/subscriptions/${sub.id}/reactivate`), 200, 'reactivate');
  await w.services.churnRisk.pass();
  events = await churnEvents(w, c.id);
  t.equal(events.length, 2);
  t.match(events[0].data.object, { level: 'medium', previous_level: 'high', score: 30, suggested_action: 'ask to switch to autogiro' });
});

t.test('concurrent recomputes of a level change record the event exactly once', async (t) => {
  const w = await billingWorld(t, { poolMax: 10 });
  // A CRM's endpoint for this event only: one delivery per change.
  const endpoint = await w.must(w.api('POST', '/v1/webhook-endpoints', { url: 'https://crm.example.se/hooks', enabled_events: ['customer.churn_risk_changed'] }), 201, 'endpoint');
  const customers = await Promise.all([0, 1, 2].map((i) => w.customer({ email: `c${i}@example.se`, national_id: null })));
  for (const c of customers) {
    await w.services.churnRisk.recompute(w.m.id, c.id);
    await w.must(w.api('POST', `/v1/customers/${c.id}/payment-method`, { type: 'card', token: 'tok_visa', brand: 'visa', last4: '4242' }), 200, 'card');
    await w.must(w.api('POST', `/v1/customers/${c.id}/payment-method`, { type: 'bankgiro' }), 200, 'bankgiro');
  }
  // 18 → 30 (left_automatic_payment): low → medium. 40 recomputes and 8 passes at once, over a pool of 10.
  await Promise.all([
    ...Array.from({ length: 40 }, (_, i) => w.services.churnRisk.recompute(w.m.id, customers[i % 3]!.id)),
    ...Array.from({ length: 8 }, () => w.services.churnRisk.pass()),
  ]);
  for (const c of customers) {
    const events = await churnEvents(w, c.id);
    t.equal(events.length, 1, `${c.id}: one customer.churn_risk_changed`);
    t.match(events[0]?.data.object, { level: 'medium', previous_level: 'low', score: 30 });
  }

  // Concurrent first computations (GET on a customer with no score yet) store one row and one level.
  const fresh = await w.customer({ email: 'fresh@example.se', national_id: null });
  await w.must(w.api('POST', `/v1/customers/${fresh.id}/payment-method`, { type: 'card', token: 'tok_visa', brand: 'visa', last4: '4242' }), 200, 'card');
  await w.must(w.api('POST', `/v1/customers/${fresh.id}/payment-method`, { type: 'bankgiro' }), 200, 'bankgiro');
  const gets = await Promise.all(Array.from({ length: 40 }, () => w.api('GET', `/v1/customers/${fresh.id}/churn-risk`)));
  t.same([...new Set(gets.map((g) => g.status))], [200]);
  t.same([...new Set(gets.map((g) => g.json.level))], ['medium']);
  t.equal((await churnEvents(w, fresh.id)).length, 1, 'one event for the first medium');
  const deliveries = (await w.api('GET', `/v1/webhook-endpoints/${endpoint.id}/deliveries?limit=100`)).json.data;
  t.equal(deliveries.length, 4, 'the CRM endpoint gets one delivery per change: four customers, one change each');

  // The list by level pages by (score, id): four medium customers in pages of two.
  const p1 = await w.api('GET', '/v1/customers?churn_risk=medium&limit=2');
  t.equal(p1.json.data.length, 2);
  t.equal(p1.json.has_more, true);
  const p2 = await w.api('GET', `/v1/customers?churn_risk=medium&limit=2&starting_after=${p1.json.data[1].id}`);
  t.equal(p2.json.has_more, false);
  const paged = [...p1.json.data, ...p2.json.data].map((c: any) => c.id);
  t.same([...paged].sort(), [...customers.map((c) => c.id), fresh.id].sort(), 'every medium customer once');
  const unknown = await w.api('GET', '/v1/customers?churn_risk=medium&starting_after=cus_01KB2Y5M8Q0ZC3V1S7N4D6F9XA');
  t.equal(unknown.status, 400);
  t.equal(unknown.json.errors[0].field, 'starting_after');
});

t.test("the merchant's weights: validated, naming the field, and used", async (t) => {
  const w = await billingWorld(t);
  const c = await w.customer();
  const m = await w.api('GET', '/v1/merchant');
  t.equal(m.json.churn_risk_weights.cancel_at_period_end, 35, 'the defaults in force');

  for (const [body, field] of [
    [{ nonsense: 1 }, 'churn_risk_weights.nonsense'],
    [{ reminder: -1 }, 'churn_risk_weights.reminder'],
    [{ reminder: 101 }, 'churn_risk_weights.reminder'],
    [{ reminder: 2.5 }, 'churn_risk_weights.reminder'],
    [{ reminder: '5' }, 'churn_risk_weights.reminder'],
  ] as const) {
    const r = await w.api('PATCH', '/v1/merchant', { churn_risk_weights: body });
    t.equal(r.status, 400, JSON.stringify(body));
    t.equal(r.json.type, `${PROBLEM}validation_failed`);
    t.ok(r.json.errors.some((e: any) => e.field === field), `${JSON.stringify(body)} names ${field}: ${JSON.stringify(r.json.errors)}`);
  }
  t.equal((await w.api('PATCH', '/v1/merchant', { churn_risk_weights: [1] })).status, 400);

  const ok = await w.api('PATCH', '/v1/merchant', { churn_risk_weights: { manual_payment: 40 } });
  t.equal(ok.status, 200, ok.body);
  t.equal(ok.json.churn_risk_weights.manual_payment, 40);
  t.equal(ok.json.churn_risk_weights.short_tenure, 10, 'the others keep their defaults');
  const r = await w.services.churnRisk.recompute(w.m.id, c.id);
  t.equal(r.score, 50);
  t.equal(r.level, 'medium');
  const reset = await w.api('PATCH', '/v1/merchant', { churn_risk_weights: null });
  t.equal(reset.json.churn_risk_weights.manual_payment, 8);
  t.equal((await w.services.churnRisk.recompute(w.m.id, c.id)).score, 18);
});

t.test('daily recompute in business time, test clocks included', async (t) => {
  const w = await billingWorld(t);
  const c = await w.customer();
  const clock = await w.must(w.api('POST', '/v1/test-clocks', { frozen_time: '2027-06-01T10:00:00Z' }), 201, 'test clock');
  const simulated = await w.customer({ email: 'sim@example.se', national_id: null, test_clock: clock.id });
  t.equal(await w.services.churnRisk.passStale(), 2, 'every customer without a score');
  t.equal(await w.services.churnRisk.passStale(), 0, 'then none until a day has passed');
  t.equal((await w.api('GET', `/v1/customers/${simulated.id}/churn-risk`)).json.computed_at, '2027-06-01T10:00:00.000Z', "as of the test clock's time");

  w.clock.advance(25 * 3600_000);
  t.equal(await w.services.churnRisk.passStale(), 1, 'a day later the real-time customer is recomputed');
  t.equal((await w.api('GET', `/v1/customers/${c.id}/churn-risk`)).json.computed_at, '2026-11-26T10:00:00.000Z');

  // The clock moves four months on: its customer is recomputed as of the clock's new time.
  await w.must(w.api('POST', `/v1/test-clocks/${clock.id}/advance`, { frozen_time: '2027-10-01T10:00:00Z' }), 200, 'advance');
  for (let i = 0; i < 100; i++) {
    if ((await w.api('GET', `/v1/test-clocks/${clock.id}`)).json.status === 'ready') break;
    await new Promise((r) => setTimeout(r, 50));
  }
  t.equal(await w.services.churnRisk.passStale(), 1);
  const later = await w.api('GET', `/v1/customers/${simulated.id}/churn-risk`);
  t.match(later.json, { computed_at: '2027-10-01T10:00:00.000Z' });
});

t.test('from dunning: reminders, the step reached and days late', async (t) => {
  const w = await billingWorld(t);
  const policy = await w.must(
    w.api('POST', '/v1/dunning-policies', {
      name: 'Kort',
      steps: [
        { key: 'r1', kind: 'reminder', offset: 1, offset_unit: 'days', tone: 'friendly', template: 'reminder', fee: false, attach_pdf: false },
        { key: 'r2', kind: 'reminder', offset: 5, offset_unit: 'days', tone: 'neutral', template: 'final_reminder', fee: false, attach_pdf: false },
        { key: 'esc', kind: 'escalation', offset: 10, offset_unit: 'days', tone: 'neutral', template: null, fee: false, attach_pdf: false },
      ],
    }),
    201,
    'policy',
  );
  const c = await w.customer({ dunning: { policy: policy.id } });
  await w.must(w.api('POST', '/v1/invoices', { customer: c.id, auto_finalize: true, payment_terms_days: 0, lines: [{ description: 'Konsult', unit_amount: 50000 }] }), 201, 'invoice');
  const at = async (days: number) => {
    w.clock.set(new Date(Date.parse('2026-11-25T09:00:00Z') + days * 86_400_000));
    await w.services.dunning.sweep();
  };
  await at(2);
  const first = await w.services.churnRisk.recompute(w.m.id, c.id);
  const codes = (r: typeof first) => Object.fromEntries(r.reasons.map((x) => [x.code, x.contribution]));
  // One reminder (6), the first step (8), 2 days late (⌊3·2/7⌋ = 0: left out), one late invoice (3), bankgiro (8), new (10).
  t.same(codes(first), { reminder: 6, reminder_step: 8, late_invoice: 3, manual_payment: 8, short_tenure: 10 });
  t.equal(first.level, 'medium');
  t.equal(first.suggestedAction, 'call before the second reminder');
  await at(6);
  await at(12);
  const last = await w.services.churnRisk.recompute(w.m.id, c.id);
  // Two reminders (12), escalated (3 × 8 = 24), 12 days late (⌊36/7⌋ = 5), one late invoice (3), bankgiro (8), new (10): 62.
  t.same(codes(last), { reminder: 12, reminder_step: 24, days_late: 5, late_invoice: 3, manual_payment: 8, short_tenure: 10 });
  t.equal(last.score, 62);
  t.equal(last.level, 'high');
  t.equal(last.suggestedAction, 'offer a payment plan');
  const events = await churnEvents(w, c.id);
  t.same(events.map((e) => [e.data.object.previous_level, e.data.object.level]), [['medium', 'high'], ['low', 'medium']], 'low → medium → high, newest first');
});

t.test('signals from collection, pauses, disputes, payment plans and a return', async (t) => {
  const w = await billingWorld(t);
  const price = await w.monthlyPrice({ currency: 'SEK', unit_amount: 19900 });
  const codes = async (customerId: string) => Object.fromEntries((await w.services.churnRisk.recompute(w.m.id, customerId)).reasons.map((x) => [x.code, x.contribution]));
  const invoice = async (customerId: string) =>
    w.must(w.api('POST', '/v1/invoices', { customer: customerId, auto_finalize: true, lines: [{ description: 'Konsult', unit_amount: 50000 }] }), 201, 'invoice');

  // A card that is declined on the due date: failed_collection (automatic payment, so no manual_payment).
  const declined = await w.customer({ email: 'kort@example.se', national_id: null, payment_method: { type: 'card', token: 'tok_test_insufficient_funds', brand: 'visa', last4: '0002' } });
  const cardInvoice = await invoice(declined.id);
  const [attempt] = (await w.api('GET', `/v1/collection-attempts?invoice=${cardInvoice.id}`)).json.data;
  t.ok(attempt, 'an attempt is scheduled');
  w.clock.set(new Date(new Date(attempt.due_at).getTime() + 3600_000));
  await w.services.collection.runOnce();
  const attempts = (await w.api('GET', `/v1/collection-attempts?invoice=${cardInvoice.id}`)).json.data;
  t.match(attempts.find((a: any) => a.id === attempt.id), { outcome: 'declined' }, 'declined (a retry is scheduled)');
  t.same(await codes(declined.id), { failed_collection: 10, short_tenure: 10 });

  // Paused, an invoice disputed, another in a payment plan.
  const troubled = await w.customer({ email: 'paus@example.se', national_id: null });
  const sub = await w.must(w.api('POST', '/v1/subscriptions', { customer: troubled.id, items: [{ price: price.id }] }), 201, 'subscription');
  await w.must(w.api('POST', `/v1/subscriptions/${sub.id}/pause`), 200, 'pause');
  const first = (await w.api('GET', `/v1/invoices?subscription=${sub.id}`)).json.data[0];
  await w.must(w.api('POST', `/v1/invoices/${first.id}/dispute`, { reason: 'Fel belopp' }), 200, 'dispute');
  await w.must(w.api('POST', '/v1/payment-plans', { customer: troubled.id, invoices: [(await invoice(troubled.id)).id], instalments: 3 }), 201, 'plan');
  t.same(await codes(troubled.id), { manual_payment: 8, short_tenure: 10, pause: 12, dispute: 12, payment_plan_active: 10 });

  // Left over the price, came back 40 days later: earlier_exit, and tenure counts from the return.
  const returning = await w.customer({ email: 'tillbaka@example.se', national_id: null });
  const gone = await w.must(w.api('POST', '/v1/subscriptions', { customer: returning.id, items: [{ price: price.id }] }), 201, 'first');
  await w.must(w.api('POST', `/v1/subscriptions/${gone.id}/cancel`, { reason: 'too_expensive', at_period_end: false }), 200, 'cancel');
  w.clock.advance(40 * 86_400_000);
  await w.must(w.api('POST', '/v1/subscriptions', { customer: returning.id, items: [{ price: price.id }] }), 201, 'back');
  const back = await codes(returning.id);
  t.match(back, { manual_payment: 8, short_tenure: 10, earlier_exit: 12 });
  t.ok(back.days_late! > 0 && back.late_invoice === 3, 'and the first subscription’s invoice, never paid, is late');

});

t.test('a downgrade: a change that credits more than it charges, not an upgrade', async (t) => {
  const w = await billingWorld(t);
  const basic = await w.monthlyPrice({ unit_amount: 30000, product_name: 'Basic' });
  const pro = await w.monthlyPrice({ unit_amount: 60000, product_name: 'Pro' });
  const downgrade = async (customerId: string) => (await w.services.churnRisk.recompute(w.m.id, customerId)).reasons.find((r) => r.code === 'downgrade')?.contribution;
  const up = await w.customer({ email: 'upp@example.se', national_id: null });
  const down = await w.customer({ email: 'ner@example.se', national_id: null });
  const upSub = await w.must(w.api('POST', '/v1/subscriptions', { customer: up.id, items: [{ price: basic.id }] }), 201, 'up');
  const downSub = await w.must(w.api('POST', '/v1/subscriptions', { customer: down.id, items: [{ price: basic.id, quantity: 3 }] }), 201, 'down');
  w.clock.set('2026-12-05T09:00:00Z');
  // Basic → Pro: 600 kr charged and 300 kr credited for the rest of the period: an upgrade.
  await w.must(w.api('PATCH', `/v1/subscriptions/${upSub.id}`, { items: [{ price: pro.id }] }), 200, 'upgrade');
  // 3 × Basic → 1 × Basic: only a credit.
  await w.must(w.api('PATCH', `/v1/subscriptions/${downSub.id}`, { items: [{ price: basic.id, quantity: 1 }] }), 200, 'downgrade');
  t.equal(await downgrade(up.id), undefined, 'an upgrade with a credit line is no downgrade');
  t.equal(await downgrade(down.id), 10);
});

t.test('on a test clock: a payment plan defaults inside a jump, and the score follows the clock', async (t) => {
  const w = await billingWorld(t);
  const clock = await w.must(w.api('POST', '/v1/test-clocks', { frozen_time: '2027-01-04T09:00:00Z' }), 201, 'clock');
  const c = await w.customer({ test_clock: clock.id, email: 'klocka@example.se', national_id: null });
  const inv = await w.must(w.api('POST', '/v1/invoices', { customer: c.id, auto_finalize: true, lines: [{ description: 'Konsult', unit_amount: 60000 }] }), 201, 'invoice');
  await w.must(w.api('POST', '/v1/payment-plans', { customer: c.id, invoices: [inv.id], instalments: 2 }), 201, 'plan');
  t.equal((await w.services.churnRisk.recompute(w.m.id, c.id)).reasons.find((r) => r.code === 'payment_plan_active')?.contribution, 10, 'a plan running');

  await w.must(w.api('POST', `/v1/test-clocks/${clock.id}/advance`, { frozen_time: '2027-02-20T12:00:00Z' }), 200, 'advance');
  for (let i = 0; i < 3000 && (await w.api('GET', `/v1/test-clocks/${clock.id}`)).json.status !== 'ready'; i++) await new Promise((r) => setTimeout(r, 10));
  await w.services.churnRisk.pass();
  const risk = (await w.api('GET', `/v1/customers/${c.id}/churn-risk`)).json;
  t.equal(risk.computed_at, '2027-02-20T12:00:00.000Z', "as of the clock's time");
  const codes = Object.fromEntries(risk.reasons.map((r: any) => [r.code, r.contribution]));
  t.equal(codes.payment_plan_defaulted, 25, 'the plan defaulted in the jump');
  t.equal(codes.payment_plan_active, undefined, 'and runs no more');
  t.ok(codes.reminder > 0 && codes.days_late > 0, `reminders and lateness on the clock's days: ${JSON.stringify(codes)}`);
  t.equal(risk.level, 'high');
  const events = await churnEvents(w, c.id);
  t.equal(events[0].data.object.level, 'high', 'the CRM heard of it');
});
