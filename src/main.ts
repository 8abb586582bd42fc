// Entry: `node src/main.ts serve | worker | all | migrate`. Wires real dependencies per mode and
// shuts down in order on SIGTERM/SIGINT: stop accepting, finish in-flight requests and jobs, close
// the pool. (The embedded database, if any, is stopped by scripts/with-db.ts after we exit.)
import { loadConfig, ConfigError, type Config } from './config.ts';
import { createLogger } from './logger.ts';
import { createDatabase } from './db/client.ts';
import { runMigrations, withMigrationLock } from './db/migrate.ts';
import { systemClock } from './clock.ts';
import { buildApp } from './app.ts';
import { startJobs, startWorkers } from './jobs/boss.ts';
import { createServices } from './services.ts';
import { createDeliveryWorker, type DeliveryWorker } from './modules/webhooks/delivery.ts';
import { createCollectionWorker, type CollectionWorker } from './modules/collection/worker.ts';
import { createMessageWorker, type MessageWorker } from './modules/messages/worker.ts';
import { createFileMailer, createSmtpMailer } from './modules/messages/mailer.ts';
import { createPoller, type Poller } from './jobs/poller.ts';
import { loadReferenceRates } from './modules/dunning/reference-rates.ts';

const MODES = ['serve', 'worker', 'all', 'migrate'] as const;
type Mode = (typeof MODES)[number];

const mode = (process.argv[2] ?? 'all') as Mode;
if (!MODES.includes(mode)) {
  process.stderr.write(`usage: node src/main.ts ${MODES.join(' | ')}\n`);
  process.exit(2);
}

let config: Config;
try {
  config = loadConfig();
} catch (e) {
  process.stderr.write(`${e instanceof ConfigError ? e.message : String(e)}\n`);
  process.exit(2);
}
const log = createLogger(config.LOG_LEVEL);

await runMigrations(config.DATABASE_URL);
log.info('migrations applied');
if (mode === 'migrate') process.exit(0);

const database = createDatabase(config.DATABASE_URL, { max: config.DATABASE_POOL_MAX, onError: (err) => log.warn({ err }, 'idle database client failed') });
const clock = systemClock;

// Every process can send jobs (an API request starting a billing run); workers also work them.
const jobs = await startJobs({ url: config.DATABASE_URL, log, schedule: mode !== 'serve' });
// Reminder e-mails: to the SMTP server, or kept as .eml files so that none is silently dropped.
const mailer = config.SMTP_URL ? createSmtpMailer(config.SMTP_URL) : createFileMailer(config.MESSAGE_DIR);
// The services, once per process, shared by the HTTP API and the worker.
const services = createServices({
  db: database.db,
  clock,
  jobs: jobs.sender,
  allowPrivateUrls: config.WEBHOOK_ALLOW_PRIVATE_URLS,
  secretsKey: config.SECRETS_KEY,
  billingBatchSize: config.BILLING_BATCH_SIZE,
  log,
  paymentFileBatchSize: config.PAYMENT_FILE_BATCH_SIZE,
  mailer,
  mailFrom: config.SMTP_FROM,
  referenceRates: loadReferenceRates(config.REFERENCE_RATES_FILE),
  onBackgroundError: (err, subject) => log.error({ err, subject }, 'background billing work failed; the job is retried'),
});
// Webhook secrets stored before encryption at rest are sealed now (rows are replaced only if unchanged,
// so processes starting together do not collide); until then they are read as they are.
const sealed = await services.webhooks.sealStoredSecrets('plaintext');
if (sealed.resealed > 0) log.info({ count: sealed.resealed }, 'sealed plaintext webhook signing secrets');
if (sealed.failed.length > 0) log.warn({ failed: sealed.failed }, 'some webhook signing secrets could not be sealed; run npm run secrets:rotate');

const DEV_SELLER_SETTINGS = {
  legal_name: 'Omtanke Demo AB',
  address: { line1: 'Drottninggatan 1', postal_code: '111 51', city: 'Stockholm' },
  organisation_number: '559912-3451',
  vat_number: 'SE559912345101',
  registered_office: 'Stockholm',
  f_skatt: true,
  bankgiro: '5050-1055',
  swish_number: '1231181189',
  contact_email: 'faktura@demo.example',
  contact_phone: '08-123 456 78',
  invoice_number_prefix: 'F-',
};

// First start on an empty database: a test-mode merchant so a newcomer can call the API at once.
// Under the migration lock, so two processes starting together create one.
if (config.BOOTSTRAP_DEV_MERCHANT && mode !== 'worker') {
  await withMigrationLock(config.DATABASE_URL, async () => {
    const { merchants } = services;
    if (await merchants.hasAnyMerchant()) return;
    const { merchant, secret } = await merchants.createMerchant({ name: 'Development merchant', livemode: false });
    // Complete example seller settings (fictitious, with valid check digits), so the README tour's
    // subscription gets a finalised invoice that can be paid (bankgiro + OCR, Swish QR).
    await merchants.updateSettings({ merchantId: merchant.id, livemode: false }, DEV_SELLER_SETTINGS);
    log.info({ merchant_id: merchant.id }, 'created a development merchant (shown once; see stderr for its API key)');
    process.stderr.write(`\n  Development merchant ${merchant.id}\n  API key (shown once): ${secret}\n\n`);
  });
}

let deliveries: DeliveryWorker | undefined;
let collector: CollectionWorker | undefined;
let sender: MessageWorker | undefined;
let dunner: Poller | undefined;
let churner: Poller | undefined;
let einvoicer: Poller | undefined;
if (mode === 'worker' || mode === 'all') {
  const { webhooks } = services;
  await startWorkers(jobs, { db: database.db, clock, services });
  deliveries = createDeliveryWorker({
    db: database.db,
    clock,
    wall: systemClock,
    log,
    webhooks,
    config: {
      allowPrivateUrls: config.WEBHOOK_ALLOW_PRIVATE_URLS,
      timeoutMs: config.WEBHOOK_TIMEOUT_MS,
      connectTimeoutMs: config.WEBHOOK_CONNECT_TIMEOUT_MS,
      concurrency: config.WEBHOOK_CONCURRENCY,
      perEndpoint: config.WEBHOOK_ENDPOINT_CONCURRENCY,
      pollMs: config.WEBHOOK_POLL_MS,
    },
  });
  await deliveries.start(config.DATABASE_URL);
  collector = createCollectionWorker({ collection: services.collection, wall: systemClock, log, pollMs: config.COLLECTION_POLL_MS });
  collector.start();
  sender = createMessageWorker({ messages: services.messages, wall: systemClock, log, pollMs: config.MESSAGE_POLL_MS });
  sender.start();
  log.info({ messages: mailer.describe }, `job worker and webhook delivery started; messages: ${mailer.describe}`);
  process.stderr.write(`  Messages: ${mailer.describe}\n`);
  // Reminders: works due dunning cases (real time and ready test clocks) every DUNNING_POLL_MS.
  // Payment plans ride on the same pass: a plan completes, defaults or moves its check after the reminders.
  dunner = createPoller({ name: 'dunning', pass: async () => (await services.dunning.sweep()) + (await services.paymentPlans.sweep()), log, pollMs: config.DUNNING_POLL_MS });
  dunner.start();
  // Churn risk: recomputes customers whose signals changed (from the events) and, daily, every customer.
  churner = createPoller({ name: 'churn-risk', pass: () => services.churnRisk.pass(), log, pollMs: config.DUNNING_POLL_MS });
  churner.start();
  // E-invoices: sends queued Peppol deliveries and checks delayed ones every PEPPOL_POLL_MS.
  einvoicer = createPoller({ name: 'peppol', pass: () => services.peppolSender.pass(systemClock), log, pollMs: config.PEPPOL_POLL_MS });
  einvoicer.start();
}

const app =
  mode === 'serve' || mode === 'all'
    ? await buildApp({
        config,
        database,
        services,
        logger: log,
      })
    : undefined;
if (app) {
  await app.listen({ port: config.PORT, host: config.HOST });
  const base = config.PUBLIC_URL ?? `http://localhost:${(app.server.address() as { port: number }).port}`;
  log.info({ docs: `${base}/docs` }, `Omtanke API listening; Swagger UI at ${base}/docs`);
  process.stderr.write(`  Swagger UI: ${base}/docs   OpenAPI: ${base}/openapi.json\n`);
}

let shuttingDown = false;
async function shutdown(signal: string) {
  if (shuttingDown) return;
  shuttingDown = true;
  log.info({ signal }, 'shutting down');
  const force = setTimeout(() => {
    log.error('shutdown timed out; exiting');
    process.exit(1);
  }, config.SHUTDOWN_TIMEOUT_MS + 2000);
  force.unref();
  try {
    // close() stops accepting and waits for in-flight requests. A keep-alive connection whose
    // request finishes during the wait would hold it open until the client lets go, so idle
    // connections are closed as they appear.
    const closeIdle = setInterval(() => app?.server.closeIdleConnections(), 100);
    await app?.close();
    clearInterval(closeIdle);
    await deliveries?.stop(); // webhook requests in flight finish and are recorded
    await collector?.stop(); // processor calls in flight finish and are recorded
    await sender?.stop(); // e-mails in flight finish and are recorded
    mailer.close();
    await dunner?.stop(); // the sweep's transaction in flight commits
    await churner?.stop();
    await einvoicer?.stop(); // access point calls in flight finish and are recorded
    await jobs.stop(config.SHUTDOWN_TIMEOUT_MS); // lets running jobs finish
    await database.pool.end();
    log.info('stopped');
    process.exit(0);
  } catch (err) {
    log.error({ err }, 'shutdown failed');
    process.exit(1);
  }
}
process.on('SIGTERM', () => void shutdown('SIGTERM'));
process.on('SIGINT', () => void shutdown('SIGINT'));
