// Experiments: the API (create, list, get, stop, results; bad input; one running at a time), the
// dunning sweep giving each customer their arm's policy and tone (the same arm after a restart of
// the services), the winner for everyone after a stop with the results kept, results of a
// generated season against a recomputation, and bursts of creates with and without keys.
import t from 'tap';
import { sql } from 'drizzle-orm';
import { billingWorld, type BillingWorld } from '../billing/world.ts';
import { buildTestApp, call } from '../helpers/app.ts';
import { TEST_SECRETS_KEY } from '../helpers/secrets-key.ts';
import { TEST_REFERENCE_RATES } from '../helpers/reference-rates.ts';
import { createServices } from '../../src/services.ts';
import { armIndex } from '../../src/domain/experiment-split.ts';
import { rateBp } from '../../src/domain/reminder-analytics.ts';
import { twoProportion } from '../../src/domain/two-proportion.ts';
import { expected, generateSeason, writeSeason } from './season.ts';

const ISSUE = '2027-01-04T09:00:00Z'; // a Monday; 30 days' terms: due Wednesday 2027-02-03

type Row = { customer_id: string; step_key: string; tone: string; policy_id: string; experiment_id: string | null; experiment_arm: string | null; business_time: string };
const messageRows = async (w: BillingWorld) =>
  (await w.database.db.execute<Row>(sql`select customer_id, step_key, tone, policy_id, experiment_id, experiment_arm, business_time from messages where merchant_id = ${w.m.id} order by business_time, id`)).rows;

async function sweepAt(services: BillingWorld['services'], w: BillingWorld, at: string): Promise<void> {
  w.clock.set(at);
  await services.dunning.sweep();
}

t.test('the API: create, list, get, stop; bad input; one running at a time', async (t) => {
  const w = await billingWorld(t);
  const other = await w.seller('Annan AB');
  const policy = (await w.must(w.api('POST', '/v1/dunning-policies', { name: 'Kortare' }), 201, 'policy')).id;
  const otherPolicy = (await w.must(w.apiFor(other)('POST', '/v1/dunning-policies', { name: 'Annans' }), 201, 'policy')).id;
  const arms = [{ key: 'control', policy: null, tone: null }, { key: 'firm', policy, tone: 'firm', weight: 2 }];

  const bad: [unknown, string][] = [
    [{ name: 'x', arms: arms.slice(0, 1) }, 'arms'],
    [{ name: 'x', arms: [arms[0], { ...arms[0] }] }, 'arms[1].key'],
    [{ name: 'x', arms: [arms[0], { ...arms[1], policy: otherPolicy }] }, 'arms[1].policy'],
    [{ name: 'x', arms: [arms[0], { ...arms[1], tone: 'harsh' }] }, 'arms[1].tone'],
    [{ name: 'x', arms: [arms[0], { ...arms[1], weight: 0 }] }, 'arms[1].weight'],
    [{ name: 'x', arms: [arms[0], { key: 'b', policy: null }] }, 'arms[1].tone'],
    [{ name: '', arms }, 'name'],
    [{ name: 'x', arms, extra: 1 }, 'extra'],
  ];
  for (const [body, field] of bad) {
    const r = await w.api('POST', '/v1/experiments', body);
    t.equal(r.status, 400, `${JSON.stringify(body).slice(0, 100)}: ${r.body.slice(0, 200)}`);
    // The schema names array items arms.1.tone, the service arms[1].key: the same field either way.
    t.ok(r.json.errors?.some((e: { field: string }) => e.field.replace(/\.(\d+)/g, '[$1]') === field), `names ${field}: ${JSON.stringify(r.json.errors)}`);
  }
  t.same((await w.api('GET', '/v1/experiments')).json.data, [], 'nothing made by bad input');

  const exp = await w.must(w.api('POST', '/v1/experiments', { name: 'Ton', arms, metadata: { owner: 'crm' } }), 201, 'create');
  t.match(exp, { object: 'experiment', livemode: false, name: 'Ton', status: 'running', winner: null, stopped_at: null, metadata: { owner: 'crm' } });
  t.match(exp.id, /^exp_[0-9A-Z]{26}$/);
  t.same(exp.arms, [{ key: 'control', policy: null, tone: null, weight: 1 }, { key: 'firm', policy, tone: 'firm', weight: 2 }]);
  const second = await w.api('POST', '/v1/experiments', { name: 'Två', arms });
  t.equal(second.status, 409, 'one running at a time');
  t.equal(second.json.code, 'invalid_state');
  t.match(second.json.detail, exp.id);
  t.equal((await w.apiFor(other)('POST', '/v1/experiments', { name: 'Annan', arms: [arms[0], { key: 'b', policy: otherPolicy, tone: null }] })).status, 201, 'another merchant runs its own');

  t.same(await w.must(w.api('GET', `/v1/experiments/${exp.id}`), 200, 'get'), exp);
  t.equal((await w.apiFor(other)('GET', `/v1/experiments/${exp.id}`)).status, 404, 'merchants kept apart');
  t.equal((await w.api('GET', '/v1/experiments/exp_01KB2Y5M8Q0ZC3V1S7N4D6F9XA')).status, 404);
  t.equal((await w.api('GET', '/v1/experiments/exp_01KB2Y5M8Q0ZC3V1S7N4D6F9XA/results')).status, 404);
  t.equal((await w.api('GET', '/v1/experiments/nope')).status, 400);

  const results = await w.must(w.api('GET', `/v1/experiments/${exp.id}/results`), 200, 'results');
  t.same(results.arms.map((a: { key: string; customers: number }) => [a.key, a.customers]), [['control', 0], ['firm', 0]], 'every arm, empty');
  t.match(results.comparisons, [{ arm: 'firm', control: 'control', difference_bp: 0, too_small_to_tell: true }]);

  const unknown = await w.api('POST', `/v1/experiments/${exp.id}/stop`, { winner: 'nobody' });
  t.equal(unknown.status, 400);
  t.equal(unknown.json.errors[0].field, 'winner');
  t.equal((await w.api('POST', `/v1/experiments/${exp.id}/stop`, {})).status, 400, 'a winner is required');
  const stopped = await w.must(w.api('POST', `/v1/experiments/${exp.id}/stop`, { winner: 'firm' }), 200, 'stop');
  t.match(stopped, { status: 'stopped', winner: 'firm' });
  t.ok(stopped.stopped_at);
  t.equal((await w.api('POST', `/v1/experiments/${exp.id}/stop`, { winner: 'firm' })).status, 409, 'stopped once');

  const next = await w.must(w.api('POST', '/v1/experiments', { name: 'Nästa', arms }), 201, 'a new one once the first is stopped');
  t.same((await w.api('GET', '/v1/experiments?status=stopped')).json.data.map((e: { id: string }) => e.id), [exp.id]);
  t.same((await w.api('GET', '/v1/experiments')).json.data.map((e: { id: string }) => e.id), [next.id, exp.id], 'newest first');
  t.same((await w.api('GET', `/v1/experiments?limit=1&starting_after=${next.id}`)).json.data.map((e: { id: string }) => e.id), [exp.id], 'pages');

  const events = (await w.api('GET', '/v1/events?limit=100')).json.data.filter((e: { type: string }) => e.type.startsWith('experiment.'));
  t.same(events.map((e: { type: string; data: { object: { id: string } } }) => [e.type, e.data.object.id]), [['experiment.created', next.id], ['experiment.stopped', exp.id], ['experiment.created', exp.id]]);
});

t.test('the sweep gives each customer their arm, the same after a restart; the winner for everyone after the stop', async (t) => {
  const w = await billingWorld(t);
  w.clock.set(ISSUE);
  // The built-in default first (listing makes it), then another policy for the second arm.
  const def = (await w.api('GET', '/v1/dunning-policies')).json.data.find((p: { is_default: boolean }) => p.is_default).id;
  const alt = (await w.must(w.api('POST', '/v1/dunning-policies', { name: 'Alternativ' }), 201, 'policy')).id;
  t.not(alt, def);
  const exp = await w.must(w.api('POST', '/v1/experiments', { name: 'Fast ton', arms: [{ key: 'control', policy: null, tone: null }, { key: 'alt', policy: alt, tone: 'firm' }] }), 201, 'experiment');

  const customers: string[] = [];
  for (let i = 0; i < 24; i++) customers.push((await w.customer({ name: `Kund ${i}`, email: `k${i}@example.se`, delivery: { type: 'kivra' } })).id);
  // Two customers with a policy of their own stay out of it.
  const own: string[] = [];
  for (let i = 0; i < 2; i++) own.push((await w.customer({ name: `Egen ${i}`, email: `e${i}@example.se`, delivery: { type: 'kivra' }, dunning: { policy: alt } })).id);
  const armOf = (c: string) => (['control', 'alt'] as const)[armIndex(exp.id, c, [1, 1])]!;
  const inArm = (arm: string) => customers.filter((c) => armOf(c) === arm);
  t.ok(inArm('control').length >= 5 && inArm('alt').length >= 5, `both arms have customers (${inArm('control').length}/${inArm('alt').length})`);

  const first = new Map<string, string>();
  for (const c of [...customers, ...own]) first.set(c, (await w.must(w.api('POST', '/v1/invoices', { customer: c, auto_finalize: true, lines: [{ description: 'Tjänst', unit_amount: 19900, tax_behavior: 'inclusive', vat_rate: 25 }] }), 201, 'invoice')).id);

  // The preview of the due-date reminder, asked before the sweep, is what the sweep then sends: the
  // arm's policy and tone included.
  w.clock.set('2027-02-03T09:30:00Z');
  const previewed = new Map<string, { subject: string; text: string }>();
  for (const c of [inArm('alt')[0]!, inArm('control')[0]!, own[0]!]) {
    previewed.set(c, await w.must(w.api('GET', `/v1/invoices/${first.get(c)}/reminders/preview?step=due_date`), 200, 'preview'));
  }

  // The due date, after the 10:00 cut-off: the due-date reminder (Kivra has no pre-due nudge).
  await sweepAt(w.services, w, '2027-02-03T09:30:00Z');
  for (const [c, p] of previewed) {
    const sent = (await w.database.db.execute<{ subject: string; text_body: string }>(sql`select subject, text_body from messages where customer_id = ${c}`)).rows[0]!;
    t.same({ subject: p.subject, text: p.text }, { subject: sent.subject, text: sent.text_body }, `the preview is what ${armOf(c)} / ${own.includes(c) ? 'own policy' : 'in the experiment'} got`);
  }
  const altSent = (await w.database.db.execute<{ subject: string }>(sql`select subject from messages where customer_id = ${inArm('alt')[0]!}`)).rows[0]!.subject;
  t.not(altSent, previewed.get(inArm('control')[0]!)!.subject, 'the firm arm reads differently from the friendly control');
  let rows = await messageRows(w);
  t.equal(rows.length, 26, 'one due-date reminder each');
  for (const r of rows) {
    if (own.includes(r.customer_id)) {
      t.match(r, { policy_id: alt, tone: 'friendly', experiment_id: null, experiment_arm: null }, 'a customer with a policy of their own is not in it');
      continue;
    }
    const arm = armOf(r.customer_id);
    t.match(r, { step_key: 'due_date', experiment_id: exp.id, experiment_arm: arm, policy_id: arm === 'alt' ? alt : def, tone: arm === 'alt' ? 'firm' : 'friendly' }, `${r.customer_id} in ${arm}`);
  }

  // The message resource says which arm it was sent under (and reminder.sent with it).
  const shown = (await w.api('GET', `/v1/messages?customer=${customers[0]}`)).json.data[0];
  t.same(shown.experiment, { id: exp.id, arm: armOf(customers[0]!) });
  t.equal((await w.api('GET', `/v1/messages?customer=${own[0]}`)).json.data[0].experiment, null);

  // A third of the customers pay the next day (Thursday 4 February: within 2 bank days).
  const payers = customers.filter((_, i) => i % 3 === 0);
  for (const c of payers) await w.must(w.api('POST', '/v1/payments', { invoice: first.get(c), amount: 19900, date: '2027-02-04' }), 201, 'payment');

  // A restart: new services over the same database (nothing of the split is kept in memory).
  const restarted = createServices({ db: w.database.db, clock: w.clock, jobs: w.jobs.sender, allowPrivateUrls: true, secretsKey: TEST_SECRETS_KEY, referenceRates: TEST_REFERENCE_RATES });
  await sweepAt(restarted, w, '2027-02-08T07:00:00Z');
  rows = await messageRows(w);
  const r1 = rows.filter((r) => r.step_key === 'reminder_1');
  t.equal(r1.length, 26 - payers.length, 'the first reminder to those who did not pay');
  for (const r of r1.filter((r) => !own.includes(r.customer_id))) {
    const arm = armOf(r.customer_id);
    t.match(r, { experiment_arm: arm, policy_id: arm === 'alt' ? alt : def, tone: arm === 'alt' ? 'firm' : 'friendly' }, `after the restart ${r.customer_id} is still in ${arm}`);
  }

  const results = await w.must(w.api('GET', `/v1/experiments/${exp.id}/results`), 200, 'results');
  for (const [i, arm] of (['control', 'alt'] as const).entries()) {
    const mine = inArm(arm);
    const paid = mine.filter((c) => payers.includes(c)).length;
    t.match(results.arms[i], {
      key: arm,
      customers: mine.length,
      invoices_reminded: mine.length,
      messages: mine.length + (mine.length - paid),
      paid_within_2_bank_days: paid,
      paid_within_2_bank_days_rate_bp: rateBp(paid, mine.length),
      invoices_paid_within_2_bank_days: paid,
      churned_within_90_days: 0,
    }, `${arm}: ${mine.length} customers, ${paid} paid`);
  }
  const test = twoProportion({ successes: results.arms[0].paid_within_2_bank_days, n: results.arms[0].customers }, { successes: results.arms[1].paid_within_2_bank_days, n: results.arms[1].customers });
  t.match(results.comparisons, [{ arm: 'alt', control: 'control', difference_bp: Math.round(test.difference * 10_000), ci_95_low_bp: Math.round(test.ci95.low * 10_000), too_small_to_tell: true }], 'a dozen customers an arm is too small to tell');

  // Stopped with alt the winner: everyone gets its tone (and its policy for new processes), untagged.
  await w.must(w.api('POST', `/v1/experiments/${exp.id}/stop`, { winner: 'alt' }), 200, 'stop');
  const kept = await w.must(w.api('GET', `/v1/experiments/${exp.id}/results`), 200, 'results');
  t.same({ ...kept, status: 'running' }, results, 'the results stay as they were');
  const control = inArm('control').filter((c) => !payers.includes(c));
  for (const c of control) await w.must(w.api('POST', '/v1/invoices', { customer: c, auto_finalize: true, payment_terms_days: 0, lines: [{ description: 'Extra', unit_amount: 5000, tax_behavior: 'inclusive', vat_rate: 25 }] }), 201, 'invoice');
  await sweepAt(w.services, w, '2027-02-17T07:00:00Z');
  // The new invoices' first message waits for the 2-day gap after the second reminder.
  await sweepAt(w.services, w, '2027-02-19T09:00:00Z');
  rows = await messageRows(w);
  const after = rows.filter((r) => Date.parse(r.business_time) >= Date.parse('2027-02-17T07:00:00Z') && control.includes(r.customer_id));
  t.ok(after.length >= control.length, `messages after the stop (${after.length})`);
  for (const r of after) t.match(r, { tone: 'firm', experiment_id: null, experiment_arm: null }, `${r.customer_id} ${r.step_key}: the winner's tone`);
  t.ok(after.some((r) => r.policy_id === alt), 'a process started after the stop follows the winner’s policy');
  t.ok(after.some((r) => r.policy_id === def && r.step_key === 'reminder_2'), 'one under way keeps its policy');
  t.same({ ...(await w.must(w.api('GET', `/v1/experiments/${exp.id}/results`), 200, 'results')), status: 'running' }, results, 'messages after the stop are not counted');
});

t.test('results of a generated season: every arm as recomputed, the intervals from the counts', async (t) => {
  const { app, database, merchant } = await buildTestApp(t);
  const m = await merchant();
  const policy = 'dp_01AAAAAAAAAAAAAAAAAAAAAAAA';
  await database.db.execute(sql`insert into dunning_policies (merchant_id, id, name, is_default, steps, rules, metadata, created_at, updated_at) values (${m.id}, ${policy}, 'P', false, '[]', '{}', '{}', now(), now())`);
  const created = await call(app, { method: 'POST', url: '/v1/experiments', headers: m.auth, payload: { name: 'Säsong', arms: [{ key: 'a', policy: null, tone: null }, { key: 'b', policy, tone: 'friendly' }, { key: 'c', policy: null, tone: 'firm' }] } });
  t.equal(created.status, 201, created.body);
  const id = created.json.id;
  const season = generateSeason(7, { customers: 300, policies: [policy], experiment: { id, arms: ['a', 'b', 'c'] } });
  await writeSeason(database.db, m.id, season);
  const res = await call(app, { method: 'GET', url: `/v1/experiments/${id}/results`, headers: m.auth });
  t.equal(res.status, 200, res.body);
  const want = expected(season, (x) => x.experimentId === id, (x) => x.experimentArm ?? null);
  t.same(
    res.json.arms,
    want.map((e) => ({
      key: e.key,
      customers: e.customers,
      messages: e.messages,
      invoices_reminded: e.invoices_reminded,
      paid_within_2_bank_days: e.customers_paid_within_2_bank_days,
      paid_within_2_bank_days_rate_bp: rateBp(e.customers_paid_within_2_bank_days, e.customers),
      invoices_paid_within_2_bank_days: e.paid_within_2_bank_days,
      churned_within_90_days: e.churned_within_90_days,
      churned_within_90_days_rate_bp: rateBp(e.churned_within_90_days, e.customers),
    })),
    'every arm',
  );
  t.ok(want.every((e) => e.customers > 60 && e.customers_paid_within_2_bank_days > 10), 'arms worth comparing');
  const [a, ...rest] = want;
  t.same(
    res.json.comparisons,
    rest.map((b) => {
      const r = twoProportion({ successes: a!.customers_paid_within_2_bank_days, n: a!.customers }, { successes: b.customers_paid_within_2_bank_days, n: b.customers });
      return { arm: b.key, control: 'a', difference_bp: Math.round(r.difference * 1e4), ci_95_low_bp: Math.round(r.ci95.low * 1e4), ci_95_high_bp: Math.round(r.ci95.high * 1e4), z: Math.round(r.z * 1e4) / 1e4, p_value: Math.round(r.pValue * 1e4) / 1e4, too_small_to_tell: r.tooSmallToTell };
    }),
    'each arm against the control',
  );
  t.comment(`| arm | customers | paid within 2 bank days | churned | vs a: difference [95 % CI] | p |`);
  for (const [i, arm] of (res.json.arms as any[]).entries()) {
    const c = res.json.comparisons[i - 1];
    t.comment(`| ${arm.key} | ${arm.customers} | ${arm.paid_within_2_bank_days} (${arm.paid_within_2_bank_days_rate_bp / 100} %) | ${arm.churned_within_90_days} | ${c ? `${c.difference_bp / 100} pp [${c.ci_95_low_bp / 100}, ${c.ci_95_high_bp / 100}]` : 'control'} | ${c ? c.p_value : ''} |`);
  }
});

t.test('bursts of creates (one key, many keys, none: one experiment each) and of stops (one stop)', async (t) => {
  const { app, database, merchant } = await buildTestApp(t, { poolMax: 4 });
  const arms = [{ key: 'a', policy: null, tone: null }, { key: 'b', policy: null, tone: 'firm' }];
  const post = async (auth: Record<string, string>, key: string | null, i: number) => {
    for (;;) {
      const r = await call(app, { method: 'POST', url: '/v1/experiments', headers: { ...auth, ...(key ? { 'idempotency-key': key } : {}) }, payload: { name: key ? 'Samma' : `Test ${i}`, arms } });
      // A key whose first request is still in flight answers 409 idempotency_request_in_progress: retry.
      if (r.status === 409 && r.json.code === 'idempotency_request_in_progress') {
        await new Promise((res) => setTimeout(res, 20));
        continue;
      }
      return r;
    }
  };
  const count = async (merchantId: string) => Number((await database.db.execute<{ n: string }>(sql`select count(*) as n from experiments where merchant_id = ${merchantId}`)).rows[0]!.n);

  const one = await merchant('En nyckel');
  const same = await Promise.all(Array.from({ length: 40 }, (_, i) => post(one.auth, 'burst-1', i)));
  t.ok(same.every((r) => r.status === 201), same.map((r) => r.status).join(','));
  t.equal(new Set(same.map((r) => r.json.id)).size, 1, 'one key: one experiment, the same answer 40 times');
  t.equal(await count(one.id), 1);

  const many = await merchant('Många nycklar');
  const keyed = await Promise.all(Array.from({ length: 40 }, (_, i) => post(many.auth, `k-${i}`, i)));
  t.equal(keyed.filter((r) => r.status === 201).length, 1, 'many keys: one runs');
  t.ok(keyed.filter((r) => r.status !== 201).every((r) => r.status === 409 && r.json.code === 'invalid_state'), 'the rest: another is running');
  t.equal(await count(many.id), 1);

  const none = await merchant('Utan nyckel');
  const bare = await Promise.all(Array.from({ length: 40 }, (_, i) => post(none.auth, null, i)));
  t.equal(bare.filter((r) => r.status === 201).length, 1, 'no keys: one runs');
  t.ok(bare.filter((r) => r.status !== 201).every((r) => r.status === 409 && r.json.code === 'invalid_state'), bare.map((r) => r.status).join(','));
  t.equal(await count(none.id), 1);
  const events = Number((await database.db.execute<{ n: string }>(sql`select count(*) as n from events where type = 'experiment.created'`)).rows[0]!.n);
  t.equal(events, 3, 'one experiment.created each');

  // Stops: 20 with one key and 20 without, naming different winners: one stop, one winner.
  const id = bare.find((r) => r.status === 201)!.json.id;
  const stop = async (i: number) => {
    for (;;) {
      const r = await call(app, { method: 'POST', url: `/v1/experiments/${id}/stop`, headers: { ...none.auth, ...(i < 20 ? { 'idempotency-key': 'stop-1' } : {}) }, payload: { winner: i < 20 ? 'b' : i % 2 ? 'a' : 'b' } });
      if (r.status === 409 && r.json.code === 'idempotency_request_in_progress') {
        await new Promise((res) => setTimeout(res, 20));
        continue;
      }
      return r;
    }
  };
  const stops = await Promise.all(Array.from({ length: 40 }, (_, i) => stop(i)));
  const ok = stops.filter((r) => r.status === 200);
  t.ok(stops.every((r) => r.status === 200 || (r.status === 409 && r.json.code === 'invalid_state')), stops.map((r) => r.status).join(','));
  t.equal(new Set(ok.map((r) => `${r.json.winner}@${r.json.stopped_at}`)).size, 1, 'every 200 is the one stop (the keyed ones replayed)');
  const stopped = Number((await database.db.execute<{ n: string }>(sql`select count(*) as n from events where type = 'experiment.stopped'`)).rows[0]!.n);
  t.equal(stopped, 1, 'one experiment.stopped');
  t.equal((await call(app, { method: 'GET', url: `/v1/experiments/${id}`, headers: none.auth })).json.winner, ok[0]!.json.winner);
});
