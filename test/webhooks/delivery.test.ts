import t from 'tap';
import { call } from '../helpers/app.ts';
import { webhookWorld, verifies } from './helpers.ts';
import { openTransaction } from '../../src/db/unit-of-work.ts';
import { RETRY_DELAYS_SECONDS, MAX_ATTEMPTS } from '../../src/domain/webhook-retry.ts';

const P = 'https://docs.omtanke.se/problems/';

t.test('a committed change reaches the receiver, signed per Standard Webhooks', async (t) => {
  const w = await webhookWorld(t);
  const m = await w.merchant();
  const ep = await w.endpoint(m);
  t.match(ep.secret, /^whsec_[A-Za-z0-9+/]{43}=$/);
  const c = await w.customer(m);
  await w.worker.runOnce();
  t.equal(w.receiver.received.length, 1);
  const got = w.receiver.received[0]!;
  t.ok(verifies(ep.secret, got), 'standardwebhooks verifies the signature');
  t.notOk(verifies('whsec_' + Buffer.alloc(32, 1).toString('base64'), got), 'another secret does not');
  const body = JSON.parse(got.body);
  t.equal(got.headers['webhook-id'], body.id, 'webhook-id is the event id');
  t.equal(body.type, 'customer.created');
  t.equal(body.object, 'event');
  t.equal(body.api_version, '2026-11-25');
  t.equal(body.data.object.id, c.id);
  t.equal(body.data.object.national_id, '********9876', 'the event carries the masked object');
  t.notOk(got.body.includes('198112189876'));

  const d = await w.delivery(m, ep.id, body.id);
  t.equal(d.status, 'delivered');
  t.equal(d.attempts, 1);
  const attempts = await call(w.app, { method: 'GET', url: `/v1/webhook-endpoints/${ep.id}/deliveries/${body.id}/attempts`, headers: m.auth });
  t.equal(attempts.json.data.length, 1);
  t.equal(attempts.json.data[0].status_code, 200);
  t.equal(attempts.json.data[0].response_excerpt, 'ok');
  t.equal(attempts.json.data[0].succeeded, true);

  await w.worker.runOnce();
  t.equal(w.receiver.received.length, 1, 'delivered once');

  const ev = await call(w.app, { method: 'GET', url: `/v1/events/${body.id}`, headers: m.auth });
  t.same(JSON.parse(got.body), ev.json, 'the webhook body is the event resource');
  const byEvent = await call(w.app, { method: 'GET', url: `/v1/events/${body.id}/deliveries`, headers: m.auth });
  t.equal(byEvent.json.data.length, 1);
});

t.test('secret rotation: both secrets sign during the overlap, then only the new one', async (t) => {
  const w = await webhookWorld(t);
  const m = await w.merchant();
  const ep = await w.endpoint(m);
  const rotated = await call(w.app, { method: 'POST', url: `/v1/webhook-endpoints/${ep.id}/rotate-secret`, headers: m.auth, payload: { overlap_hours: 24 } });
  t.equal(rotated.status, 200);
  const fresh = rotated.json.secret as string;
  t.not(fresh, ep.secret);
  const revealed = await call(w.app, { method: 'GET', url: `/v1/webhook-endpoints/${ep.id}/secret`, headers: m.auth });
  t.equal(revealed.json.secret, fresh);
  t.equal(revealed.json.previous_secret, ep.secret);
  await w.customer(m);
  await w.worker.runOnce();
  const during = w.receiver.received[0]!;
  t.equal(String(during.headers['webhook-signature']).split(' ').length, 2, 'two signatures');
  t.ok(verifies(ep.secret, during), 'a receiver still on the old secret verifies');
  t.ok(verifies(fresh, during), 'a receiver on the new secret verifies');
  w.clock.advance(25 * 3600_000);
  await w.customer(m, 'Later');
  await w.worker.runOnce();
  const after = w.receiver.received[1]!;
  t.equal(String(after.headers['webhook-signature']).split(' ').length, 1);
  t.ok(verifies(fresh, after));
  t.notOk(verifies(ep.secret, after), 'the old secret no longer signs');
});

t.test('a receiver failing 3 times gets the event on the 4th attempt, at the scheduled times', async (t) => {
  const w = await webhookWorld(t);
  const m = await w.merchant();
  const ep = await w.endpoint(m);
  w.receiver.respond({ status: 500, body: 'boom' }, { status: 502 }, { status: 500 });
  const t0 = w.clock.now().getTime();
  await w.customer(m);
  const ev = await w.lastEvent(m);
  await w.worker.runOnce();
  t.equal(w.receiver.received.length, 1);
  w.clock.advance(4_000);
  await w.worker.runOnce();
  t.equal(w.receiver.received.length, 1, 'not before the 5 s retry is due');
  w.clock.advance(1_000);
  await w.worker.runOnce();
  t.equal(w.receiver.received.length, 2);
  w.clock.advance(300_000);
  await w.worker.runOnce();
  w.clock.advance(1_800_000);
  await w.worker.runOnce();
  const times = w.receiver.received.map((r) => (r.at.getTime() - t0) / 1000);
  t.same(times, [0, 5, 305, 2105], 'attempts at 0 s, 5 s, 5 min later, 30 min later');
  t.ok(w.receiver.received.every((r) => r.headers['webhook-id'] === ev.id), 'one webhook-id throughout');
  const d = await w.delivery(m, ep.id, ev.id);
  t.equal(d.status, 'delivered');
  t.equal(d.attempts, 4);
  const attempts = await call(w.app, { method: 'GET', url: `/v1/webhook-endpoints/${ep.id}/deliveries/${ev.id}/attempts`, headers: m.auth });
  t.same(attempts.json.data.map((a: { status_code: number }) => a.status_code), [500, 502, 500, 200]);
  t.equal(attempts.json.data[0].response_excerpt, 'boom');
});

t.test('a receiver down for the whole window: the delivery fails, the endpoint is disabled', async (t) => {
  const w = await webhookWorld(t);
  const m = await w.merchant();
  const ep = await w.endpoint(m);
  const watcher = await call(w.app, { method: 'POST', url: '/v1/webhook-endpoints', headers: m.auth, payload: { url: w.receiver.url.replace('/hook', '/watch'), enabled_events: ['webhook_endpoint.disabled'] } });
  w.receiver.always({ status: 503 });
  await w.customer(m);
  const ev = await w.lastEvent(m);
  const t0 = w.clock.now().getTime();
  for (let i = 0; i < MAX_ATTEMPTS + 2; i++) {
    await w.worker.runOnce();
    const d = await w.delivery(m, ep.id, ev.id);
    if (!d.next_attempt_at) break;
    w.clock.set(d.next_attempt_at);
  }
  const d = await w.delivery(m, ep.id, ev.id);
  t.equal(d.status, 'failed');
  t.equal(d.attempts, MAX_ATTEMPTS);
  const hits = w.receiver.received.filter((r) => r.path === '/hook');
  t.equal(hits.length, MAX_ATTEMPTS);
  const span = (hits.at(-1)!.at.getTime() - t0) / 3600_000;
  t.equal(span, RETRY_DELAYS_SECONDS.reduce((a, b) => a + b, 0) / 3600, `the schedule spans about three days (${span.toFixed(1)} h)`);
  let state = (await call(w.app, { method: 'GET', url: `/v1/webhook-endpoints/${ep.id}`, headers: m.auth })).json;
  t.equal(state.status, 'enabled', 'not yet: 5 days without success disables');
  w.clock.set(new Date(t0 + 5 * 24 * 3600_000 + 1000));
  await w.worker.runOnce();
  state = (await call(w.app, { method: 'GET', url: `/v1/webhook-endpoints/${ep.id}`, headers: m.auth })).json;
  t.equal(state.status, 'disabled');
  t.equal(state.disabled_reason, 'failing');
  const disabled = await call(w.app, { method: 'GET', url: '/v1/events?type=webhook_endpoint.disabled', headers: m.auth });
  t.equal(disabled.json.data.length, 1, 'an event says so');
  t.equal(disabled.json.data[0].data.object.id, ep.id);
  w.receiver.always({ status: 200 });
  await w.worker.runOnce();
  t.ok(w.receiver.received.some((r) => r.path === '/watch' && JSON.parse(r.body).type === 'webhook_endpoint.disabled'), 'other endpoints hear of it');
  t.ok(watcher.json.id);

  const again = await call(w.app, { method: 'PATCH', url: `/v1/webhook-endpoints/${ep.id}`, headers: m.auth, payload: { enabled: true } });
  t.equal(again.json.status, 'enabled', 're-enabled by the merchant');
  t.equal(again.json.disabled_reason, null);
});

t.test('410 Gone disables the endpoint at once; Retry-After is honoured', async (t) => {
  const w = await webhookWorld(t);
  const m = await w.merchant();
  const ep = await w.endpoint(m);
  w.receiver.respond({ status: 429, headers: { 'retry-after': '120' } });
  await w.customer(m);
  const ev = await w.lastEvent(m);
  await w.worker.runOnce();
  const d = await w.delivery(m, ep.id, ev.id);
  t.equal(new Date(d.next_attempt_at).getTime() - w.clock.now().getTime(), 120_000, 'Retry-After: 120 beats the 5 s retry');

  w.receiver.respond({ status: 410 });
  w.clock.advance(120_000);
  await w.worker.runOnce();
  const gone = await w.delivery(m, ep.id, ev.id);
  t.equal(gone.status, 'failed');
  const e = (await call(w.app, { method: 'GET', url: `/v1/webhook-endpoints/${ep.id}`, headers: m.auth })).json;
  t.equal(e.status, 'disabled');
  t.equal(e.disabled_reason, 'gone');
  await w.customer(m, 'After');
  await w.worker.runOnce();
  t.equal(w.receiver.received.length, 2, 'nothing more is sent to a disabled endpoint');
});

t.test('redirects are not followed', async (t) => {
  const w = await webhookWorld(t);
  const m = await w.merchant();
  const ep = await w.endpoint(m);
  w.receiver.respond({ status: 302, headers: { location: w.receiver.url.replace('/hook', '/elsewhere') } });
  await w.customer(m);
  const ev = await w.lastEvent(m);
  await w.worker.runOnce();
  t.same(w.receiver.received.map((r) => r.path), ['/hook'], 'the Location was never requested');
  const attempts = await call(w.app, { method: 'GET', url: `/v1/webhook-endpoints/${ep.id}/deliveries/${ev.id}/attempts`, headers: m.auth });
  t.equal(attempts.json.data[0].status_code, 302);
  t.equal(attempts.json.data[0].succeeded, false);
});

t.test('no event, no delivery for a rolled-back transaction', async (t) => {
  const w = await webhookWorld(t);
  const m = await w.merchant();
  await w.endpoint(m);
  const tenant = { merchantId: m.id, livemode: false };
  await t.rejects(
    openTransaction(w.database.db, async (tx) => {
      await w.services.events.record(tx, tenant, { type: 'customer.updated', objectId: 'cus_x', object: { id: 'cus_x' } });
      throw new Error('the change failed');
    }),
  );
  const counts = await w.database.pool.query('select (select count(*) from events)::int as e, (select count(*) from webhook_deliveries)::int as d');
  t.same(counts.rows[0], { e: 0, d: 0 });
  // A failed API request (a 409) records nothing either.
  await call(w.app, { method: 'POST', url: '/v1/customers', headers: m.auth, payload: { name: 'A', external_id: 'x' } });
  await call(w.app, { method: 'POST', url: '/v1/customers', headers: m.auth, payload: { name: 'B', external_id: 'x' } });
  const after = await w.database.pool.query('select count(*)::int as n from events');
  t.equal(after.rows[0].n, 1, 'only the committed create');
  await w.worker.runOnce();
  t.equal(w.receiver.received.length, 1);
});

t.test('subscriptions, updates, manual retry and replay', async (t) => {
  const w = await webhookWorld(t);
  const m = await w.merchant();
  const onlyCreated = await w.endpoint(m, { enabled_events: ['customer.created'] });
  const c = await w.customer(m);
  await call(w.app, { method: 'PATCH', url: `/v1/customers/${c.id}`, headers: m.auth, payload: { email: 'new@example.se' } });
  await w.worker.runOnce();
  t.same(w.receiver.received.map((r) => JSON.parse(r.body).type), ['customer.created'], 'only the subscribed type');
  const updated = await call(w.app, { method: 'GET', url: '/v1/events?type=customer.updated', headers: m.auth });
  t.equal(updated.json.data[0].data.object.email, 'new@example.se');
  t.same(updated.json.data[0].data.previous_attributes.email, null, 'previous values of what changed');
  const byObject = await call(w.app, { method: 'GET', url: `/v1/events?object_id=${c.id}`, headers: m.auth });
  t.equal(byObject.json.data.length, 2);

  const created = JSON.parse(w.receiver.received[0]!.body).id as string;
  const retry = await call(w.app, { method: 'POST', url: `/v1/webhook-endpoints/${onlyCreated.id}/deliveries/${created}/retry`, headers: m.auth });
  t.equal(retry.status, 200);
  t.equal(retry.json.status, 'pending');
  await w.worker.runOnce();
  t.equal(w.receiver.received.length, 2);
  t.equal(w.receiver.received[1]!.headers['webhook-id'], created, 'same webhook-id on a manual retry');

  const all = await w.endpoint(m);
  const since = new Date(w.clock.now().getTime() - 3600_000).toISOString();
  const replay = await call(w.app, { method: 'POST', url: `/v1/webhook-endpoints/${all.id}/replay`, headers: m.auth, payload: { since } });
  t.equal(replay.status, 200);
  t.equal(replay.json.events_queued, 2, 'both events, delivered or not');
  await w.worker.runOnce();
  t.equal(w.receiver.received.length, 4);
  const tooOld = await call(w.app, { method: 'POST', url: `/v1/webhook-endpoints/${all.id}/replay`, headers: m.auth, payload: { since: '2020-01-01T00:00:00Z' } });
  t.equal(tooOld.status, 400, 'replays are bounded');
});

t.test("tenant isolation: another merchant's endpoints, events and deliveries answer 404", async (t) => {
  const w = await webhookWorld(t);
  const m = await w.merchant();
  const other = await w.merchant('Other AB');
  const ep = await w.endpoint(m);
  await w.customer(m);
  const ev = await w.lastEvent(m);
  await w.worker.runOnce();
  for (const [method, url] of [
    ['GET', `/v1/webhook-endpoints/${ep.id}`],
    ['PATCH', `/v1/webhook-endpoints/${ep.id}`],
    ['DELETE', `/v1/webhook-endpoints/${ep.id}`],
    ['GET', `/v1/webhook-endpoints/${ep.id}/secret`],
    ['POST', `/v1/webhook-endpoints/${ep.id}/rotate-secret`],
    ['GET', `/v1/webhook-endpoints/${ep.id}/deliveries`],
    ['GET', `/v1/webhook-endpoints/${ep.id}/deliveries/${ev.id}/attempts`],
    ['POST', `/v1/webhook-endpoints/${ep.id}/deliveries/${ev.id}/retry`],
    ['GET', `/v1/events/${ev.id}`],
    ['GET', `/v1/events/${ev.id}/deliveries`],
  ] as const) {
    const r = await call(w.app, { method, url, headers: other.auth, ...(method === 'PATCH' ? { payload: { enabled: false } } : {}) });
    t.equal(r.status, 404, `${method} ${url}`);
    t.notOk(r.body.includes('whsec_'));
  }
  t.same((await call(w.app, { method: 'GET', url: '/v1/events', headers: other.auth })).json.data, []);
  t.same((await call(w.app, { method: 'GET', url: '/v1/webhook-endpoints', headers: other.auth })).json.data, []);
  const list = await call(w.app, { method: 'GET', url: '/v1/webhook-endpoints', headers: m.auth });
  t.equal(list.json.data.length, 1);
  t.notOk(list.body.includes('whsec_'), 'secrets are not listed');
});
