// A test world for webhooks: the real app and services on a fresh database, a delivery worker on
// the same test clock, and a real local receiver.
import { Webhook } from 'standardwebhooks';
import { buildTestApp, call, type TestMerchant } from '../helpers/app.ts';
import { startReceiver } from '../helpers/receiver.ts';
import { createDeliveryWorker } from '../../src/modules/webhooks/delivery.ts';
import { createLogger } from '../../src/logger.ts';
import { systemClock } from '../../src/clock.ts';

type T = Parameters<typeof buildTestApp>[0];

export async function webhookWorld(t: T, opts: { allowPrivateUrls?: boolean; workerAllowsPrivate?: boolean } = {}) {
  const world = await buildTestApp(t, { config: { WEBHOOK_ALLOW_PRIVATE_URLS: opts.allowPrivateUrls ?? true } });
  const { services } = world;
  const worker = createDeliveryWorker({
    db: world.database.db,
    clock: world.clock,
    wall: systemClock,
    log: createLogger('silent'),
    webhooks: services.webhooks,
    random: () => 0.5, // no jitter: attempts land exactly on the schedule
    config: {
      allowPrivateUrls: opts.workerAllowsPrivate ?? true,
      timeoutMs: 2000,
      connectTimeoutMs: 1000,
      concurrency: 50,
      perEndpoint: 10,
      pollMs: 1000,
    },
  });
  t.teardown(() => worker.stop());
  const receiver = await startReceiver(t, () => world.clock.now());

  async function endpoint(m: TestMerchant, body: Record<string, unknown> = {}) {
    const r = await call(world.app, { method: 'POST', url: '/v1/webhook-endpoints', headers: m.auth, payload: { url: receiver.url, ...body } });
    if (r.status !== 201) throw new Error(`endpoint not created: ${r.body}`);
    return r.json as { id: string; secret: string };
  }

  async function customer(m: TestMerchant, name = 'Anna') {
    const r = await call(world.app, { method: 'POST', url: '/v1/customers', headers: m.auth, payload: { name, national_id: '19811218-9876' } });
    return r.json as { id: string };
  }

  async function delivery(m: TestMerchant, endpointId: string, eventId: string) {
    return (await call(world.app, { method: 'GET', url: `/v1/webhook-endpoints/${endpointId}/deliveries/${eventId}`, headers: m.auth })).json;
  }

  async function lastEvent(m: TestMerchant) {
    return (await call(world.app, { method: 'GET', url: '/v1/events?limit=1', headers: m.auth })).json.data[0] as { id: string; type: string };
  }

  return { ...world, services, worker, receiver, endpoint, customer, delivery, lastEvent };
}

/** Verifies like a merchant would, with the published Standard Webhooks library. */
export function verifies(secret: string, r: { headers: Record<string, unknown>; body: string }): boolean {
  try {
    new Webhook(secret).verify(r.body, {
      'webhook-id': String(r.headers['webhook-id']),
      'webhook-timestamp': String(r.headers['webhook-timestamp']),
      'webhook-signature': String(r.headers['webhook-signature']),
    });
    return true;
  } catch {
    return false;
  }
}
