// Builds the real app on a fresh database with a test clock, plus merchants to call it as.
import { Writable } from 'node:stream';
import type { FastifyInstance, InjectOptions } from 'fastify';
import { buildApp, type AppConfig } from '../../src/app.ts';
import { fixedClock } from '../../src/clock.ts';
import { createLogger } from '../../src/logger.ts';
import { createServices } from '../../src/services.ts';
import { startJobs, startWorkers } from '../../src/jobs/boss.ts';
import type { Mailer } from '../../src/modules/messages/mailer.ts';
import { freshDatabase } from './db.ts';
import { TEST_SECRETS_KEY } from './secrets-key.ts';
import { TEST_REFERENCE_RATES } from './reference-rates.ts';

type T = { teardown(fn: () => Promise<void> | void): void };

export const TEST_CONFIG: AppConfig = {
  BODY_LIMIT_BYTES: 64 * 1024,
  RATE_LIMIT_PER_SECOND: 0,
  RATE_LIMIT_BURST: 1,
  IDEMPOTENCY_TTL_HOURS: 24,
  WEBHOOK_ALLOW_PRIVATE_URLS: true,
};

export type TestMerchant = { id: string; key: string; keyId: string; auth: { authorization: string } };

/**
 * Complete seller settings (fictitious, valid check digits): what a merchant needs before its
 * invoices can be finalised. merchant() sets them unless asked for a bare merchant.
 */
export const TEST_SELLER_SETTINGS = {
  legal_name: 'Acme Prenumerationer AB',
  address: { line1: 'Storgatan 1', postal_code: '11451', city: 'Stockholm' },
  organisation_number: '556036-0793',
  vat_number: 'SE556036079301',
  registered_office: 'Stockholm',
  f_skatt: true,
  bankgiro: '5050-1055',
  swish_number: '1231181189',
  contact_email: 'faktura@acme.example',
  contact_phone: '08-123 456 78',
} as const;

export async function buildTestApp(t: T, opts: { config?: Partial<AppConfig>; poolMax?: number; billingBatchSize?: number; mailer?: Mailer } = {}) {
  const database = await freshDatabase(t, { poolMax: opts.poolMax });
  const clock = fixedClock('2026-11-25T09:00:00Z');
  const logLines: string[] = [];
  const sink = new Writable({
    write(chunk, _enc, cb) {
      logLines.push(...chunk.toString().split('\n').filter(Boolean));
      cb();
    },
  });
  const logger = createLogger('info', sink);
  // The process's job queue and workers, as `npm start` runs them: background work started by a
  // request (billing runs, clock advances) is a job that these workers take after commit.
  const jobs = await startJobs({ url: database.url, log: logger, schedule: false });
  const config = { ...TEST_CONFIG, ...opts.config };
  const services = createServices({
    db: database.db,
    clock,
    jobs: jobs.sender,
    allowPrivateUrls: config.WEBHOOK_ALLOW_PRIVATE_URLS,
    secretsKey: TEST_SECRETS_KEY,
    referenceRates: TEST_REFERENCE_RATES,
    churnRiskSettleMs: 0,
    ...(opts.billingBatchSize ? { billingBatchSize: opts.billingBatchSize } : {}),
    ...(opts.mailer ? { mailer: opts.mailer } : {}),
  });
  let built: FastifyInstance | undefined;
  t.teardown(async () => {
    await built?.close();
    await jobs.stop(1000).catch(() => {});
  });
  await startWorkers(jobs, { db: database.db, clock, services });
  const app = (built = await buildApp({ config, database, services, logger }));
  const { merchants } = services;

  /** A merchant with complete seller settings, or `{ settings: 'none' }` as a new merchant starts. */
  async function merchant(name = 'Acme AB', livemode = false, opts: { settings?: 'complete' | 'none' } = {}): Promise<TestMerchant> {
    const { merchant, key, secret } = await merchants.createMerchant({ name, livemode });
    if (opts.settings !== 'none') await merchants.updateSettings({ merchantId: merchant.id, livemode }, TEST_SELLER_SETTINGS);
    return { id: merchant.id, key: secret, keyId: key.id, auth: { authorization: `Bearer ${secret}` } };
  }

  return { app, database, clock, logLines, merchants, merchant, services, jobs };
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
