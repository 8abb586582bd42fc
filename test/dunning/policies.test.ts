// Dunning policies and customers' dunning settings through the API: the default made on first
// use, validation (the legal fee cap, steps in order, friendly steps before a fee), one default
// per merchant under concurrent requests, and merchants kept apart.
import t from 'tap';
import { billingWorld } from '../billing/world.ts';
import { call } from '../helpers/app.ts';

t.test('the default policy, creating, updating and validating policies', async (t) => {
  const w = await billingWorld(t);
  const list = await w.must(w.api('GET', '/v1/dunning-policies'), 200, 'list');
  t.equal(list.data.length, 1, 'the default is made on first use');
  const def = list.data[0];
  t.match(def, { object: 'dunning_policy', name: 'Default', is_default: true, rules: { reminder_fee: null, min_gap_days: 2, quiet_hours: { start: '21:00', end: '08:00' } } });
  t.same(def.steps.map((s: any) => s.key), ['pre_due', 'due_date', 'reminder_1', 'reminder_2', 'escalation']);

  const bad = [
    [{ name: 'x', rules: { reminder_fee: 6001 } }, 'rules.reminder_fee'],
    [{ name: 'x', rules: { quiet_hours: { start: '25:00', end: '08:00' } } }, 'rules.quiet_hours.start'],
    [{ name: 'x', steps: [{ key: 'r1', kind: 'reminder', offset: 5, offset_unit: 'days', tone: 'friendly', template: 'reminder', fee: false, attach_pdf: false }, { key: 'r0', kind: 'reminder', offset: 2, offset_unit: 'days', tone: 'friendly', template: 'reminder', fee: false, attach_pdf: false }] }, 'steps'],
    [{ name: 'x', steps: [{ key: 'r1', kind: 'reminder', offset: 5, offset_unit: 'days', tone: 'firm', template: 'final_reminder', fee: true, attach_pdf: false }] }, 'steps'],
    [{ name: 'x', steps: [{ key: 'e', kind: 'escalation', offset: 5, offset_unit: 'days', tone: 'firm', template: null, fee: false, attach_pdf: false }, { key: 'r', kind: 'reminder', offset: 9, offset_unit: 'days', tone: 'firm', template: 'reminder', fee: false, attach_pdf: false }] }, 'steps'],
    [{ name: 'x', unknown: 1 }, ''],
  ] as const;
  for (const [body, field] of bad) {
    const r = await w.api('POST', '/v1/dunning-policies', body);
    t.ok(r.status === 422 || r.status === 400, `${JSON.stringify(body).slice(0, 80)}: ${r.status}`);
    if (field) t.ok(r.json.errors.some((e: any) => e.field.startsWith(field)), `names ${field}: ${JSON.stringify(r.json.errors)}`);
  }
  t.equal((await w.api('GET', '/v1/dunning-policies')).json.data.length, 1, 'nothing created by bad input');

  const gentle = await w.must(w.api('POST', '/v1/dunning-policies', { name: 'Gentle', rules: { min_gap_days: 5 }, metadata: { team: 'b2c' } }), 201, 'create');
  t.match(gentle, { is_default: false, rules: { min_gap_days: 5, reminder_fee: null } });
  const upd = await w.must(w.api('PATCH', `/v1/dunning-policies/${gentle.id}`, { is_default: true, rules: { reminder_fee: 5000 } }), 200, 'update');
  t.match(upd, { is_default: true, rules: { min_gap_days: 5, reminder_fee: 5000 } });
  t.equal((await w.api('GET', `/v1/dunning-policies/${def.id}`)).json.is_default, false, 'one default');
  t.equal((await w.api('PATCH', `/v1/dunning-policies/${gentle.id}`, { rules: { reminder_fee: 7000 } })).status, 400);

  // Another merchant sees none of it.
  const other = await w.seller('Annan AB');
  t.equal((await call(w.app, { method: 'GET', url: `/v1/dunning-policies/${gentle.id}`, headers: other.auth })).status, 404);

  // A customer's policy must exist (and be the merchant's).
  const c = await w.customer({ dunning: { policy: gentle.id, escalation_stopped: true } });
  t.match(c.dunning, { policy: gentle.id, escalation_stopped: true, reminder_fee_agreement: null });
  const r = await w.api('POST', '/v1/customers', { name: 'X', dunning: { policy: 'dp_01KB2Y5M8Q0ZC3V1S7N4D6F9XA' } });
  t.equal(r.status, 400);
  t.match(r.json.errors, [{ field: 'dunning.policy' }]);
  const moved = await w.must(w.api('PATCH', `/v1/customers/${c.id}`, { dunning: { policy: null } }), 200, 'back to default');
  t.equal(moved.dunning.policy, null);
  t.equal(moved.dunning.escalation_stopped, true, 'fields not sent keep their values');
});

t.test('a burst of creates with idempotency keys, several asking to be the default', async (t) => {
  const w = await billingWorld(t, { poolMax: 5 });
  // A key whose first request is still running answers 409 (retry later), as SDKs expect.
  const post = async (i: number) => {
    for (;;) {
      const r = await call(w.app, { method: 'POST', url: '/v1/dunning-policies', headers: { ...w.m.auth, 'idempotency-key': `k${i % 20}` }, payload: { name: `P ${i % 20} ✓ "åäö" <b>`, is_default: (i % 20) % 3 === 0 } });
      if (r.status !== 409) return r;
      await new Promise((res) => setTimeout(res, 20));
    }
  };
  const results = await Promise.all(Array.from({ length: 40 }, (_, i) => post(i)));
  t.ok(results.every((r) => r.status === 201), results.map((r) => r.status).join(','));
  const all = [];
  const page = await w.must(w.api('GET', '/v1/dunning-policies?limit=100'), 200, 'list');
  all.push(...page.data);
  t.equal(all.length, 20, 'one policy per key');
  t.equal(all.filter((p: any) => p.is_default).length, 1, 'exactly one default');
});
