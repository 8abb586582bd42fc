// Payment plan guards on real PostgreSQL: the fee (enabled, agreed in writing, at most 170 kr),
// invoices a plan may not take over (409 naming each), unknown ids (404), bad numbers (400), an
// offer that writes nothing, and bursts of concurrent plans over one invoice making exactly one.
import t from 'tap';
import { sql } from 'drizzle-orm';
import { billingWorld, PROBLEM, type BillingWorld } from '../billing/world.ts';
import { call } from '../helpers/app.ts';

const ISSUE = '2027-01-04T09:00:00Z';
const AGREED = { agreed_at: '2027-01-04T08:00:00Z', terms_version: 'plan-2027-01' };

async function invoiceFor(w: BillingWorld, customer: string, amount = 49900): Promise<any> {
  return w.must(w.api('POST', '/v1/invoices', { customer, auto_finalize: true, lines: [{ description: 'Tjänst', unit_amount: amount, tax_behavior: 'inclusive', vat_rate: 25 }] }), 201, 'invoice');
}

t.test('the plan fee: enabled by the merchant, agreed in writing, at most 170 kr', async (t) => {
  const w = await billingWorld(t);
  w.clock.set(ISSUE);
  const c = await w.customer();
  const plan = (body: Record<string, unknown>) => w.api('POST', '/v1/payment-plans', { customer: c.id, instalments: 3, ...body });

  // Not enabled: a fee is refused; without one the plan carries none.
  const notEnabled = await plan({ invoices: [(await invoiceFor(w, c.id)).id], fee: 5000, fee_agreement: AGREED });
  t.equal(notEnabled.status, 400, notEnabled.body);
  t.match(notEnabled.json, { type: `${PROBLEM}validation_failed`, errors: [{ field: 'fee', location: 'body' }] });

  // The merchant setting: 170 kr is the cap.
  const tooHigh = await w.api('PATCH', '/v1/merchant', { payment_plan_fee: 17001 });
  t.equal(tooHigh.status, 400);
  t.match(tooHigh.json.errors, [{ field: 'payment_plan_fee' }]);
  t.equal((await w.must(w.api('PATCH', '/v1/merchant', { payment_plan_fee: 17000 }), 200, 'fee')).payment_plan_fee, 17000);

  const inv = await invoiceFor(w, c.id);
  const over = await plan({ invoices: [inv.id], fee: 17001, fee_agreement: AGREED });
  t.equal(over.status, 400);
  t.match(over.json.errors, [{ field: 'fee', message: /17000 öre/ }], '170.01 kr refused, naming the field');
  const unagreed = await plan({ invoices: [inv.id], fee: 17000 });
  t.equal(unagreed.status, 400);
  t.match(unagreed.json.errors, [{ field: 'fee_agreement' }], 'no fee without the written agreement');
  t.equal((await w.api('GET', `/v1/invoices/${inv.id}`)).json.status, 'open', 'refusals change nothing');

  // Without an agreement the plan carries no fee; with one it carries the merchant's (170 kr).
  const free = await w.must(plan({ invoices: [inv.id] }), 201, 'plan');
  t.match(free, { fee: 0, total: 49900, fee_agreement: null });
  const withFee = await w.must(plan({ invoices: [(await invoiceFor(w, c.id)).id], fee_agreement: AGREED }), 201, 'plan');
  t.match(withFee, { fee: 17000, total: 66900, fee_agreement: { agreed_at: '2027-01-04T08:00:00.000Z', terms_version: 'plan-2027-01' } });
  t.equal(withFee.instalments.reduce((s: number, i: any) => s + i.amount, 0), 66900);
  const lower = await w.must(plan({ invoices: [(await invoiceFor(w, c.id)).id], fee: 9900, fee_agreement: AGREED }), 201, 'plan');
  t.equal(lower.fee, 9900, 'a lower fee than the merchant’s');
});

t.test('invoices a plan may not take over, unknown ids and bad numbers', async (t) => {
  const w = await billingWorld(t);
  w.clock.set(ISSUE);
  const c = await w.customer();
  const other = await w.customer({ email: 'other@example.se' });
  const open = await invoiceFor(w, c.id);
  const paid = await invoiceFor(w, c.id);
  await w.must(w.api('POST', `/v1/invoices/${paid.id}/pay`, {}), 200, 'pay');
  const voided = await invoiceFor(w, c.id);
  await w.must(w.api('POST', `/v1/invoices/${voided.id}/void`), 200, 'void');
  const disputed = await invoiceFor(w, c.id);
  await w.must(w.api('POST', `/v1/invoices/${disputed.id}/dispute`, { reason: 'Fel belopp' }), 200, 'dispute');
  const theirs = await invoiceFor(w, other.id);
  const draft = await w.must(w.api('POST', '/v1/invoices', { customer: c.id, lines: [{ description: 'Utkast', unit_amount: 1000 }] }), 201, 'draft');
  // One in collection: a policy that escalates the day after the due date.
  const policy = await w.must(w.api('POST', '/v1/dunning-policies', {
    name: 'Snabb',
    steps: [{ key: 'esc', kind: 'escalation', offset: 1, offset_unit: 'days', tone: 'neutral', template: null, fee: false, attach_pdf: false }],
  }), 201, 'policy');
  const hard = await w.customer({ email: 'hard@example.se', dunning: { policy: policy.id } });
  const collected = await invoiceFor(w, hard.id);
  w.clock.set('2027-02-10T10:00:00Z');
  await w.services.dunning.sweep();
  t.equal((await w.api('GET', `/v1/invoices/${collected.id}`)).json.status, 'in_collection');

  const refused = async (customer: string, invoices: string[], field: string, why: RegExp) => {
    const r = await w.api('POST', '/v1/payment-plans', { customer, invoices, instalments: 3 });
    t.equal(r.status, 409, `${why}: ${r.body}`);
    t.match(r.json, { type: `${PROBLEM}invoice_not_plannable`, code: 'invoice_not_plannable' });
    t.match(r.json.errors, [{ field, location: 'body', message: why }]);
  };
  await refused(hard.id, [collected.id], 'invoices[0]', /in_collection/);
  await refused(c.id, [open.id, paid.id], 'invoices[1]', /paid/);
  await refused(c.id, [voided.id], 'invoices[0]', /void/);
  await refused(c.id, [disputed.id], 'invoices[0]', /disputed/);
  await refused(c.id, [theirs.id], 'invoices[0]', /another customer/);
  await refused(c.id, [draft.id], 'invoices[0]', /draft/);
  const plan = await w.must(w.api('POST', '/v1/payment-plans', { customer: c.id, invoices: [open.id], instalments: 2 }), 201, 'plan');
  await refused(c.id, [open.id], 'invoices[0]', /running payment plan/);
  await refused(c.id, [plan.instalments[0].invoice], 'invoices[0]', /instalment/);
  // The merchant may pay an original only through its instalments.
  t.equal((await w.api('POST', `/v1/invoices/${open.id}/pay`, {})).status, 409);

  // Unknown ids: 404 naming the field.
  const unknown = await w.api('POST', '/v1/payment-plans', { customer: c.id, invoices: ['in_01KB2Y5M8Q0ZC3V1S7N4D6F9XA'], instalments: 3 });
  t.equal(unknown.status, 404);
  t.match(unknown.json.errors, [{ field: 'invoices[0]' }]);
  const noCustomer = await w.api('POST', '/v1/payment-plans', { customer: 'cus_01KB2Y5M8Q0ZC3V1S7N4D6F9XA', invoices: [open.id], instalments: 3 });
  t.equal(noCustomer.status, 404);
  t.equal((await w.api('GET', '/v1/payment-plans/pp_01KB2Y5M8Q0ZC3V1S7N4D6F9XA')).status, 404);

  // Bad numbers and dates: 400 naming the field.
  const fresh = await invoiceFor(w, c.id, 500);
  for (const [body, field] of [
    [{ instalments: 1 }, 'instalments'],
    [{ instalments: 25 }, 'instalments'],
    [{ instalments: 2.5 }, 'instalments'],
    [{ instalments: 6 }, 'instalments'], // 5 kr in 6 instalments: under 1 kr each
    [{ instalments: 2, fee: -1 }, 'fee'],
    [{ instalments: 2, interval: 'day' }, 'interval'],
    [{ instalments: 2, first_due_date: '2027-02-10' }, 'first_due_date'],
    [{ instalments: 2, first_due_date: '2027-02-30' }, 'first_due_date'],
    [{ instalments: 2, first_due_date: '2029-01-01' }, 'first_due_date'],
  ] as const) {
    const r = await w.api('POST', '/v1/payment-plans', { customer: c.id, invoices: [fresh.id], ...body });
    t.equal(r.status, 400, `${JSON.stringify(body)}: ${r.body}`);
    t.ok(r.json.errors?.some((e: any) => e.field === field), `${JSON.stringify(body)} names ${field}: ${JSON.stringify(r.json.errors)}`);
  }
  t.equal((await w.api('GET', `/v1/invoices/${fresh.id}`)).json.status, 'open');

  // The list, filtered; another merchant sees none of it.
  t.equal((await w.api('GET', `/v1/payment-plans?customer=${c.id}`)).json.data.length, 1);
  t.equal((await w.api('GET', '/v1/payment-plans?status=completed')).json.data.length, 0);
  const stranger = await w.seller('Annan AB');
  const theirView = await w.apiFor(stranger)('GET', `/v1/payment-plans/${plan.id}`);
  t.equal(theirView.status, 404);
  t.equal((await w.apiFor(stranger)('GET', '/v1/payment-plans')).json.data.length, 0);
});

t.test('an offer shows the plan and writes nothing', async (t) => {
  const w = await billingWorld(t);
  w.clock.set(ISSUE);
  await w.must(w.api('PATCH', '/v1/merchant', { payment_plan_fee: 9500 }), 200, 'fee');
  const c = await w.customer();
  const inv = await invoiceFor(w, c.id, 120000);
  w.clock.set('2027-02-17T10:00:00Z'); // 14 days overdue: interest so far
  const counts = async () =>
    (await w.database.db.execute(sql`select
      (select count(*) from invoices)::int as invoices, (select count(*) from dunning_cases)::int as cases,
      (select count(*) from dunning_policies)::int as policies, (select count(*) from payment_plans)::int as plans,
      (select count(*) from events)::int as events, (select coalesce(sum(last_value), 0) from number_series)::int as numbers,
      (select max(updated_at) from invoices) as touched`)).rows[0];
  const before = await counts();
  const offer = await w.must(w.api('POST', `/v1/invoices/${inv.id}/payment-plan-offers`, { instalments: 6 }), 200, 'offer');
  const interest = Math.round((120000 * 0.1 * 14) / 365);
  t.match(offer, { object: 'payment_plan_offer', customer: c.id, principal: 120000, interest, fee: 9500, total: 120000 + interest + 9500, interval: 'month' });
  t.equal(offer.instalments.length, 6);
  t.equal(offer.instalments.reduce((s: number, i: any) => s + i.amount, 0), offer.total, 'adds up');
  t.equal(offer.instalments[0].due_date, '2027-03-03', '14 days on, a bank day');
  t.ok(offer.instalments.slice(1).every((i: any) => i.amount % 100 === 0), 'whole kronor after the first');
  const noFee = await w.must(w.api('POST', `/v1/invoices/${inv.id}/payment-plan-offers`, { instalments: 2, fee: 0, interval: 'week', first_due_date: '2027-02-20' }), 200, 'offer');
  t.match(noFee, { fee: 0, instalments: [{ due_date: '2027-02-22' }, { due_date: '2027-03-01' }] }, 'Saturday moved to Monday');
  t.equal((await w.api('POST', `/v1/invoices/${inv.id}/payment-plan-offers`, { instalments: 2, fee: 9600 })).status, 400, 'more than the merchant’s fee');
  t.same(await counts(), before, 'no invoice, case, policy, plan, event or number made or touched');
  t.equal((await w.api('POST', '/v1/invoices/in_01KB2Y5M8Q0ZC3V1S7N4D6F9XA/payment-plan-offers', { instalments: 2 })).status, 404);
  await w.must(w.api('POST', `/v1/invoices/${inv.id}/void`), 200, 'void');
  const refused = await w.api('POST', `/v1/invoices/${inv.id}/payment-plan-offers`, { instalments: 2 });
  t.equal(refused.status, 409);
  t.equal(refused.json.code, 'invoice_not_plannable');
});

t.test('a burst of plans over the same invoices, keyed and not, makes one plan', async (t) => {
  const w = await billingWorld(t, { poolMax: 4 });
  w.clock.set(ISSUE);
  const c = await w.customer();
  const a = await invoiceFor(w, c.id);
  const b = await invoiceFor(w, c.id, 30000);
  await w.services.dunning.sweep();
  const post = async (payload: Record<string, unknown>, key?: string) => {
    for (;;) {
      const r = await call(w.app, { method: 'POST', url: '/v1/payment-plans', headers: { ...w.m.auth, ...(key ? { 'idempotency-key': key } : {}) }, payload });
      if (!(r.status === 409 && r.json?.code === 'idempotency_request_in_progress')) return r;
      await new Promise((res) => setTimeout(res, 15));
    }
  };
  // 40 at once: half with one of 4 keys, half without; some name the invoices the other way round.
  const results = await Promise.all(
    Array.from({ length: 40 }, (_, i) => post({ customer: c.id, invoices: i % 3 === 0 ? [b.id, a.id] : [a.id, b.id], instalments: 3 }, i % 2 === 0 ? `plan-${i % 4}` : undefined)),
  );
  const created = results.filter((r) => r.status === 201);
  const ids = new Set(created.map((r) => r.json.id));
  t.equal(ids.size, 1, 'one plan');
  t.ok(results.every((r) => r.status === 201 || (r.status === 409 && r.json.code === 'invoice_not_plannable') || (r.status === 422 && r.json.code === 'idempotency_key_reused')), results.map((r) => `${r.status} ${r.json?.code ?? ''}`).join(','));
  const rows = (await w.database.db.execute<{ plans: number; instalments: number; finalized: number }>(sql`select
    (select count(*) from payment_plans)::int as plans, (select count(*) from payment_plan_instalments)::int as instalments,
    (select count(*) from events where type = 'payment_plan.created')::int as finalized`)).rows[0]!;
  t.same(rows, { plans: 1, instalments: 3, finalized: 1 });
  const numbers = (await w.database.db.execute<{ n: string }>(sql`select number as n from invoices where number is not null order by number_seq`)).rows.map((r) => r.n);
  t.same(numbers, ['F-1', 'F-2', 'F-3', 'F-4', 'F-5'], 'two invoices and three instalments, numbered without gaps');
  // A keyed retry afterwards answers what the key answered first.
  // A keyed retry afterwards answers what the key answered first (a refusal stored nothing: it is refused again).
  const bodyOf = (i: number) => ({ customer: c.id, invoices: i % 3 === 0 ? [b.id, a.id] : [a.id, b.id], instalments: 3 });
  for (const i of [0, 2]) {
    const replay = await post(bodyOf(i), `plan-${i % 4}`);
    t.equal(replay.status, results[i]!.status);
    if (results[i]!.status === 201) t.same(replay.json, results[i]!.json, 'the replay is the first answer');
    else t.equal(replay.json.code, results[i]!.json.code);
  }
  t.equal((await w.api('GET', `/v1/invoices/${a.id}`)).json.amount_payment_plan, a.amount_remaining, 'taken over once');
});

t.test('on a test clock, an advance works the plan: instalment missed, plan defaulted, reminders resumed', async (t) => {
  const w = await billingWorld(t);
  const clock = await w.must(w.api('POST', '/v1/test-clocks', { frozen_time: ISSUE }), 201, 'clock');
  const c = await w.customer({ test_clock: clock.id, email: 'klocka@example.se' });
  const inv = await invoiceFor(w, c.id, 60000);
  const plan = await w.must(w.api('POST', '/v1/payment-plans', { customer: c.id, invoices: [inv.id], instalments: 2 }), 201, 'plan');
  t.same(plan.instalments.map((i: any) => i.due_date), ['2027-01-18', '2027-02-18']);
  const advance = async (to: string) => {
    await w.must(w.api('POST', `/v1/test-clocks/${clock.id}/advance`, { frozen_time: to }), 200, 'advance');
    for (let i = 0; i < 3000 && (await w.api('GET', `/v1/test-clocks/${clock.id}`)).json.status !== 'ready'; i++) await new Promise((r) => setTimeout(r, 10));
  };
  // Nothing paid: the first instalment is missed inside the jump and the plan ends; the invoice's
  // own reminders (it was due 3 February) pick up in the same jump.
  await advance('2027-02-20T12:00:00Z');
  const ended = (await w.api('GET', `/v1/payment-plans/${plan.id}`)).json;
  t.match(ended, { status: 'defaulted', missed_instalment: 1 });
  t.ok(ended.ended_at >= '2027-01-28' && ended.ended_at < '2027-02-10', `ended on its day in the jump: ${ended.ended_at}`);
  t.match((await w.api('GET', `/v1/invoices/${inv.id}`)).json, { status: 'open', amount_remaining: 60000, amount_payment_plan: 0 });
  const cs = (await w.api('GET', `/v1/invoices/${inv.id}/dunning`)).json;
  t.ok(cs.messages.map((m: any) => m.step).includes('reminder_2'), `the invoice's own reminders went on: ${cs.messages.map((m: any) => m.step)}`);
  const instSteps = (await w.api('GET', `/v1/invoices/${plan.instalments[0].invoice}/dunning`)).json.messages.map((m: any) => m.step);
  t.same(instSteps, ['pre_due', 'reminder_1'], 'the instalment had its nudge and one reminder');
});

t.test('a Peppol customer’s instalments are e-invoices like any invoice', async (t) => {
  const w = await billingWorld(t);
  w.clock.set(ISSUE);
  const c = await w.customer({
    type: 'company',
    name: 'Östersunds Kommunteknik AB',
    national_id: '556036-0793',
    vat_number: 'SE556036079301',
    email: 'faktura@kommunteknik.example',
    address: { line1: 'Rådhusgatan 42', postal_code: '83182', city: 'Östersund' },
    delivery: { type: 'peppol' },
  });
  const inv = await invoiceFor(w, c.id, 125000);
  const plan = await w.must(w.api('POST', '/v1/payment-plans', { customer: c.id, invoices: [inv.id], instalments: 2 }), 201, 'plan');
  const queued = (await w.database.db.execute<{ invoice_id: string }>(sql`select invoice_id from peppol_deliveries order by invoice_id`)).rows.map((r) => r.invoice_id);
  t.same(queued, [inv.id, ...plan.instalments.map((i: any) => i.invoice)].sort(), 'each instalment queued for sending');
  const ubl = await w.app.inject({ method: 'GET', url: `/v1/invoices/${plan.instalments[0].invoice}/ubl`, headers: w.m.auth });
  t.equal(ubl.statusCode, 200, ubl.body.slice(0, 500));
  t.match(ubl.body, /Delbetalning 1 av 2/);
});
