// Builds the real app on a fresh database with a test clock, plus merchants to call it as.
import { Writable } from 'node:stream';
import type { FastifyInstance, InjectOptions } from 'fastify';
import { buildApp, type AppConfig } from '../../src/app.ts';
import { fixedClock } from '../../src/clock.ts';
import { createLogger } from '../../src/logger.ts';
import { createMerchantService } from '../../src/modules/merchants/service.ts';
import { freshDatabase } from './db.ts';

type T = { teardown(fn: () => Promise<void> | void): void };

export const TEST_CONFIG: AppConfig = {
  BODY_LIMIT_BYTES: 64 * 1024,
  RATE_LIMIT_PER_SECOND: 0,
  RATE_LIMIT_BURST: 1,
  IDEMPOTENCY_TTL_HOURS: 24,
  WEBHOOK_ALLOW_PRIVATE_URLS: true,
};

export type TestMerchant = { id: string; key: string; keyId: string; auth: { authorization: string } };

export async function buildTestApp(t: T, opts: { config?: Partial<AppConfig>; poolMax?: number } = {}) {
  const database = await freshDatabase(t, { poolMax: opts.poolMax });
  const clock = fixedClock('2026-11-25T09:00:00Z');
  const logLines: string[] = [];
  const sink = new Writable({
    write(chunk, _enc, cb) {
      logLines.push(...chunk.toString().split('\n').filter(Boolean));
      cb();
    },
  });
  const app = await buildApp({
    config: { ...TEST_CONFIG, ...opts.config },
    database,
    clock,
    logger: createLogger('info', sink),
  });
  t.teardown(() => app.close());
  const merchants = createMerchantService({ db: database.db, clock });

  async function merchant(name = 'Acme AB', livemode = false): Promise<TestMerchant> {
    const { merchant, key, secret } = await merchants.createMerchant({ name, livemode });
    return { id: merchant.id, key: secret, keyId: key.id, auth: { authorization: `Bearer ${secret}` } };
  }

  return { app, database, clock, logLines, merchants, merchant };
}

/** app.inject with JSON parsed; `json` is undefined when the body is not JSON. */
export async function call(app: FastifyInstance, opts: InjectOptions) {
  const res = await app.inject(opts);
  let json: any;
  try {
    json = res.body ? JSON.parse(res.body) : undefined;
  } catch {
    json = undefined;
  }
  return { status: res.statusCode, headers: res.headers, body: res.body, json };
}
