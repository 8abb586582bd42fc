// The dispute, resolve and escalation routes as SDKs call them: bursts larger than the pool, with and
// without Idempotency-Keys, odd reasons. Each invoice ends in one consistent state, with one
// dispute and one resolution recorded, and a replayed key answers what it answered first.
import t from 'tap';
import { sql } from 'drizzle-orm';
import { billingWorld } from '../billing/world.ts';
import { call } from '../helpers/app.ts';

const ISSUE = '2027-01-04T09:00:00Z';

t.test('bursts of dispute, resolve and escalation calls, keyed and not', async (t) => {
  const w = await billingWorld(t, { poolMax: 4 });
  w.clock.set(ISSUE);
  const c = await w.customer();
  const invoices: any[] = [];
  for (let i = 0; i < 4; i++) {
    invoices.push(await w.must(w.api('POST', '/v1/invoices', { customer: c.id, auto_finalize: true, lines: [{ description: 'Tjänst', unit_amount: 10000 + i, tax_behavior: 'inclusive', vat_rate: 25 }] }), 201, 'invoice'));
  }
  await w.services.dunning.sweep();
  // A key whose first request still runs answers 409 idempotency in progress: SDKs retry.
  const post = async (url: string, payload: Record<string, unknown> | undefined, key?: string) => {
    for (;;) {
      const r = await call(w.app, { method: 'POST', url, headers: { ...w.m.auth, ...(key ? { 'idempotency-key': key } : {}) }, ...(payload === undefined ? {} : { payload }) });
      if (!(r.status === 409 && r.json?.code === 'idempotency_request_in_progress')) return r;
      await new Promise((res) => setTimeout(res, 15));
    }
  };

  // 40 disputes over 4 invoices: half keyed (5 keys per invoice), half without keys.
  const reason = 'Redan betalt 💸 "kvitto" <b>\u202e åäö';
  const disputes = await Promise.all(
    Array.from({ length: 40 }, (_, i) => post(`/v1/invoices/${invoices[i % 4].id}/dispute`, { reason }, i % 2 === 0 ? `d-${i % 4}-${i % 10}` : undefined)),
  );
  t.same([...new Set(disputes.map((r) => r.status))], [200], disputes.map((r) => r.body).find((b) => !b.includes('"disputed"')) ?? 'all 200');
  for (const inv of invoices) {
    const cs = (await w.api('GET', `/v1/invoices/${inv.id}/dunning`)).json;
    t.equal(cs.status, 'disputed');
    t.equal(cs.dispute.reason, reason, 'the reason kept as sent');
  }
  const openedAt = new Set(disputes.map((r) => r.json.dispute.disputed_at));
  t.equal(openedAt.size, 1, 'disputing again keeps the first date');

  // Escalation holds: 40 calls setting the same hold, keyed and not.
  const holds = await Promise.all(
    Array.from({ length: 40 }, (_, i) => post(`/v1/invoices/${invoices[i % 4].id}/escalation`, { stopped: true, postponed_until: '2027-06-01T00:00:00Z' }, i % 3 === 0 ? `e-${i % 4}` : undefined)),
  );
  t.same([...new Set(holds.map((r) => r.status))], [200]);
  t.ok(holds.every((r) => r.json.escalation.stopped === true && r.json.escalation.postponed_until === '2027-06-01T00:00:00.000Z'));

  // Resolve: per invoice, keyed retries all answer the first 200; unkeyed extras answer 200 once and 409 after.
  w.clock.set('2027-01-10T09:00:00Z');
  const resolves = await Promise.all(
    Array.from({ length: 40 }, (_, i) => post(`/v1/invoices/${invoices[i % 4].id}/dispute/resolve`, undefined, i < 20 ? `r-${i % 4}` : undefined)),
  );
  for (let k = 0; k < 4; k++) {
    const mine = resolves.filter((_, i) => i % 4 === k);
    t.equal(mine.filter((r) => r.status === 200 && r.json.status === 'active').length + mine.filter((r) => r.status === 409).length, 10, 'each call either resolved or found nothing to resolve');
    t.ok(mine.some((r) => r.status === 200), 'resolved');
    t.ok(mine.every((r) => r.status === 200 || r.json.code === 'invalid_state'), mine.map((r) => r.status).join(','));
  }
  // A keyed replay after the fact answers exactly what the key answered first.
  const again = await post(`/v1/invoices/${invoices[0].id}/dispute/resolve`, undefined, 'r-0');
  const first = resolves[0]!;
  t.equal(again.status, first.status);
  t.same(again.json, first.json, 'the replay is the first answer');

  const rows = (await w.database.db.execute<{ n: number; cases: number }>(sql`select count(*)::int as n, count(distinct invoice_id)::int as cases from dunning_cases`)).rows[0]!;
  t.same(rows, { n: 4, cases: 4 }, 'one case per invoice');
  // Nothing changed on the invoices themselves: still open, amounts intact.
  for (const inv of invoices) {
    const now = (await w.api('GET', `/v1/invoices/${inv.id}`)).json;
    t.equal(now.status, 'open');
    t.equal(now.amount_remaining, inv.amount_remaining);
  }
});
