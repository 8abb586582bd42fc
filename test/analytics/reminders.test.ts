// GET /v1/analytics/reminders over a generated season with known answers: every figure of every
// group (step, policy, tone, channel) against an independent recomputation in plain loops, the
// window's edges in the merchant's time zone, merchants kept apart, and bad parameters.
import t from 'tap';
import { buildTestApp, call } from '../helpers/app.ts';
import { rateBp } from '../../src/domain/reminder-analytics.ts';
import { expected, generateSeason, writeSeason, TZ, type Expected, type SMessage } from './season.ts';

const from = '2026-02-15';
const to = '2026-05-01';
const fromAt = Date.parse('2026-02-14T23:00:00Z'); // 15 Feb 00:00 in Stockholm (CET)
const toAt = Date.parse('2026-04-30T22:00:00Z'); // 1 May 00:00 in Stockholm (CEST)

const groupOf = {
  step: (m: SMessage) => m.stepKey,
  policy: (m: SMessage) => m.policyId,
  tone: (m: SMessage) => m.tone,
  channel: (m: SMessage) => m.channel,
} as const;

function asApi(e: Expected) {
  const { customers_paid_within_2_bank_days: _, ...rest } = e;
  return {
    ...rest,
    paid_within_2_bank_days_rate_bp: rateBp(e.paid_within_2_bank_days, e.invoices_reminded),
    paid_within_7_days_rate_bp: rateBp(e.paid_within_7_days, e.invoices_reminded),
    escalated_rate_bp: rateBp(e.escalated, e.invoices_reminded),
    churned_within_90_days_rate_bp: rateBp(e.churned_within_90_days, e.customers),
  };
}

t.test('a season of reminders: every figure as recomputed from the rows', async (t) => {
  const { app, database, merchant } = await buildTestApp(t);
  const m = await merchant('Acme AB');
  const other = await merchant('Other AB');
  const season = generateSeason(13, { customers: 160, policies: ['dp_01AAAAAAAAAAAAAAAAAAAAAAAA', 'dp_01BBBBBBBBBBBBBBBBBBBBBBBB'] });
  // Messages exactly on the window's edges: the first instant of `from` is in, that of `to` is out.
  const edge = season.messages.find((x) => x.status === 'sent' && x.fallbackOf === null)!;
  const edge2 = season.messages.find((x) => x.status === 'stored' && x.fallbackOf === null)!;
  edge.businessTime = new Date(fromAt);
  edge2.businessTime = new Date(toAt);
  await writeSeason(database.db, m.id, season);
  // Another merchant's season must not show.
  await writeSeason(database.db, other.id, generateSeason(99, { customers: 30, policies: ['dp_01CCCCCCCCCCCCCCCCCCCCCCCC'] }));

  const inWindow = (x: SMessage) => x.businessTime.getTime() >= fromAt && x.businessTime.getTime() < toAt;
  const delivered = season.messages.filter((x) => ['sent', 'stored'].includes(x.status) && inWindow(x));
  t.ok(delivered.length > 300, `a season worth counting (${delivered.length} delivered messages in the window)`);
  t.ok(season.messages.some((x) => !inWindow(x) && ['sent', 'stored'].includes(x.status)), 'some delivered messages fall outside the window');
  t.ok(season.messages.some((x) => x.fallbackOf) && season.messages.some((x) => x.status === 'bounced'), 'bounces with fallbacks');
  t.ok(season.messages.some((x) => x.invoiceIds.length > 1), 'messages covering two invoices');

  for (const groupBy of ['step', 'policy', 'tone', 'channel'] as const) {
    const res = await call(app, { method: 'GET', url: `/v1/analytics/reminders?from=${from}&to=${to}&group_by=${groupBy}`, headers: m.auth });
    t.equal(res.status, 200, `${groupBy}: ${res.body.slice(0, 200)}`);
    t.match(res.json, { object: 'reminder_analytics', livemode: false, from, to, group_by: groupBy, time_zone: TZ });
    const want = expected(season, inWindow, groupOf[groupBy]).map(asApi);
    t.same(res.json.groups, want, `every figure per ${groupBy}`);
    if (groupBy === 'step') {
      t.equal(res.json.groups.length, 4, 'four steps');
      const total = want.reduce((s, g) => s + g.messages, 0);
      t.equal(total, delivered.length, 'messages: the delivered ones in the window, edges included and excluded as they should be');
      t.ok(want.every((g) => g.paid_within_2_bank_days > 0 && g.paid_within_2_bank_days < g.invoices_reminded), 'non-trivial paid shares');
      t.ok(want.some((g) => g.escalated > 0) && want.some((g) => g.churned_within_90_days > 0), 'escalations and churn occur');
      t.ok(want.every((g) => g.paid_within_7_days >= g.paid_within_2_bank_days || g.key === null), 'shape');
    }
  }

  // group_by defaults to step; another window selects other messages.
  const def = await call(app, { method: 'GET', url: `/v1/analytics/reminders?from=2026-03-01&to=2026-04-01`, headers: m.auth });
  const march = (x: SMessage) => x.businessTime.getTime() >= Date.parse('2026-02-28T23:00:00Z') && x.businessTime.getTime() < Date.parse('2026-03-31T22:00:00Z');
  t.same(def.json.groups, expected(season, march, groupOf.step).map(asApi), 'March alone (the DST change on 29 March inside)');
  t.equal(def.json.group_by, 'step');

  // Nothing in the span: no groups.
  const empty = await call(app, { method: 'GET', url: `/v1/analytics/reminders?from=2024-01-01&to=2024-02-01`, headers: m.auth });
  t.same(empty.json.groups, []);
});

t.test('bad parameters: 400 naming the field', async (t) => {
  const { app, merchant } = await buildTestApp(t);
  const m = await merchant();
  const cases: [string, string][] = [
    ['from=2026-03-01&to=2026-02-01', 'to'],
    ['from=2026-03-01&to=2026-03-01', 'to'],
    ['from=2024-01-01&to=2026-01-02', 'to'],
    ['from=2026-02-30&to=2026-03-01', 'from'],
    ['from=2026-01-01&to=2026-03-01&group_by=customer', 'group_by'],
    ['to=2026-03-01', 'from'],
    ['from=2026-01-01', 'to'],
    ['from=yesterday&to=2026-03-01', 'from'],
  ];
  for (const [qs, field] of cases) {
    const res = await call(app, { method: 'GET', url: `/v1/analytics/reminders?${qs}`, headers: m.auth });
    t.equal(res.status, 400, qs);
    t.equal(res.json?.code, 'validation_failed', qs);
    t.ok(res.json?.errors?.some((e: { field: string }) => e.field === field), `${qs} names ${field}: ${JSON.stringify(res.json?.errors)}`);
  }
  const ok = await call(app, { method: 'GET', url: `/v1/analytics/reminders?from=2024-01-01&to=2026-01-01`, headers: m.auth });
  t.equal(ok.status, 200, 'exactly 24 months is allowed');
  const anon = await call(app, { method: 'GET', url: `/v1/analytics/reminders?from=2024-01-01&to=2026-01-01` });
  t.equal(anon.status, 401);
});
