// The delivery worker: claims due deliveries from the outbox (SKIP LOCKED leases, so any number
// of workers share the work), POSTs each signed event with undici, and records the outcome. A
// delivery is due by business time (`clock`), so retries follow a test clock; leases and the
// signature timestamp use real time (`wall`), which receivers and crashed workers live by.
import { Agent, request } from 'undici';
import pg from 'pg';
import type { Logger } from 'pino';
import type { Db } from '../../db/client.ts';
import { newId } from '../../db/ids.ts';
import { openTransaction } from '../../db/unit-of-work.ts';
import type { Clock } from '../../clock.ts';
import { DISABLE_AFTER_FAILING_MS, nextRetryDelayMs, parseRetryAfter } from '../../domain/webhook-retry.ts';
import type { WebhookService } from './service.ts';
import { forbiddenLiteral, safeLookup } from './url-safety.ts';
import { signatureHeaders } from './signature.ts';
import * as ds from './delivery-store.ts';
import { WAKE_CHANNEL } from './store.ts';

export type DeliveryConfig = {
  allowPrivateUrls: boolean;
  timeoutMs: number;
  connectTimeoutMs: number;
  concurrency: number;
  perEndpoint: number;
  pollMs: number;
};

const EXCERPT_BYTES = 1024;
/** Backoff between tries of recording an outcome, and the most it waits at a time. */
const RECORD_RETRY_MS = 25;
const RECORD_RETRY_MAX_MS = 1000;

type Outcome = { ok: boolean; status: number | null; latencyMs: number; excerpt: string | null; error: string | null; retryAfter?: number | undefined };

export function createDeliveryWorker(deps: {
  db: Db;
  clock: Clock;
  wall: Clock;
  log: Logger;
  config: DeliveryConfig;
  webhooks: Pick<WebhookService, 'disable' | 'signingSecrets'>;
  random?: () => number;
}) {
  const { db, clock, wall, log, config } = deps;
  const random = deps.random ?? Math.random;
  const policy = { allowPrivate: config.allowPrivateUrls, requireHttps: false };
  const agent = new Agent({
    connect: { timeout: config.connectTimeoutMs, lookup: safeLookup(policy) },
    headersTimeout: config.timeoutMs,
    bodyTimeout: config.timeoutMs,
    connections: config.perEndpoint,
  });
  // Long enough for one attempt to finish and be recorded; short enough that a crashed worker's
  // deliveries go out again within seconds.
  const leaseMs = config.timeoutMs * 2 + 5000;
  const inFlight = new Set<Promise<void>>();
  let running = false;
  let listener: pg.Client | undefined;
  let timer: NodeJS.Timeout | undefined;
  let pumping: Promise<void> | undefined;
  let again = false;
  let stopping: Promise<void> | undefined;

  async function post(c: ds.Claimed): Promise<Outcome> {
    const url = new URL(c.url);
    const started = performance.now();
    const literal = forbiddenLiteral(url, policy);
    if (literal) return { ok: false, status: null, latencyMs: 0, excerpt: null, error: `refused: ${literal}` };
    const body = JSON.stringify({
      id: c.event_id,
      object: 'event',
      type: c.event_type,
      api_version: c.api_version,
      livemode: c.livemode,
      created_at: c.event_created_at.toISOString(),
      data: c.data,
    });
    // Stored sealed; opened here, in memory only. A secret that cannot be opened (SECRETS_KEY lacks
    // its key) fails the attempt, to be retried on schedule once the key is back.
    let secrets: string[];
    try {
      secrets = deps.webhooks.signingSecrets(c, clock.now());
    } catch (err) {
      log.error({ err, endpoint_id: c.endpoint_id }, 'cannot open the webhook signing secret; check SECRETS_KEY');
      return { ok: false, status: null, latencyMs: 0, excerpt: null, error: 'internal: the signing secret could not be read' };
    }
    const headers = {
      'content-type': 'application/json',
      'user-agent': 'Omtanke-Webhooks/1.0',
      ...signatureHeaders(secrets, c.event_id, Math.floor(wall.now().getTime() / 1000), body),
    };
    try {
      // undici's request never follows redirects: a 3xx is a failed attempt like any non-2xx.
      const res = await request(url, { method: 'POST', headers, body, dispatcher: agent, signal: AbortSignal.timeout(config.timeoutMs) });
      const excerpt = await readExcerpt(res.body);
      const latencyMs = Math.round(performance.now() - started);
      const ok = res.statusCode >= 200 && res.statusCode < 300;
      const retryAfter = res.statusCode === 429 || res.statusCode === 503 ? parseRetryAfter(res.headers['retry-after'], wall.now()) : undefined;
      return { ok, status: res.statusCode, latencyMs, excerpt, error: null, retryAfter };
    } catch (err) {
      const e = err as Error & { code?: string };
      return { ok: false, status: null, latencyMs: Math.round(performance.now() - started), excerpt: null, error: `${e.code ?? e.name}: ${e.message}`.slice(0, 500) };
    }
  }

  /**
   * Runs `write` (an idempotent recording of an outcome) until it succeeds, trying again after a
   * deadlock, serialization failure or lost connection, for as long as the claim's lease lasts:
   * an outcome not recorded by then is sent again by whichever worker claims it next.
   */
  async function persistently<T>(what: string, leaseUntil: number, write: () => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await write();
      } catch (err) {
        const delay = Math.min(RECORD_RETRY_MS * 2 ** (attempt - 1), RECORD_RETRY_MAX_MS) * (0.5 + Math.random());
        if (!transient(err) || wall.now().getTime() + delay >= leaseUntil) throw err;
        log.warn({ err, attempt }, `${what} failed; trying again`);
        await new Promise((r) => setTimeout(r, delay));
      }
    }
  }

  /** A failed attempt: schedule the next one (or give up), and record the attempt, in one transaction. */
  async function recordFailure(c: ds.Claimed, o: Outcome, leaseUntil: number): Promise<void> {
    const key = { merchantId: c.merchant_id, endpointId: c.endpoint_id, eventId: c.event_id, attempts: c.attempts };
    const tenant = { merchantId: c.merchant_id, livemode: c.livemode };
    // Idempotent: once recorded, the claim's lease is gone and markRetry matches nothing.
    await persistently('recording a failed webhook attempt', leaseUntil, () => openTransaction(db, async (tx) => {
      const now = clock.now();
      // 410 Gone: the receiver says the endpoint is gone for good; stop at once.
      const delay = o.status === 410 ? null : nextRetryDelayMs(c.attempts, random(), o.retryAfter);
      // A lost lease means another worker owns this delivery now; our result is stale.
      if (!(await ds.markRetry(tx, key, now, delay === null ? null : new Date(now.getTime() + delay)))) return;
      if (o.status === 410) await deps.webhooks.disable(tx, tenant, c.endpoint_id, 'gone');
      await ds.insertAttempt(tx, {
        merchantId: c.merchant_id,
        id: newId('webhookAttempt'),
        endpointId: c.endpoint_id,
        eventId: c.event_id,
        attempt: c.attempts,
        url: c.url,
        statusCode: o.status,
        latencyMs: o.latencyMs,
        responseExcerpt: o.excerpt,
        error: o.error,
        succeeded: false,
        createdAt: now,
      });
    }));
    await disableFailing(c.merchant_id, c.endpoint_id);
  }

  // Successes are the common case: they are written together, one statement per batch, by one
  // flusher at a time; each delivery's promise settles when its batch is written. A receiver that
  // answered 2xx must never get the delivery again, so a batch that fails to be written (a
  // deadlock, a lost connection) is written again while the leases last, and a batch that cannot
  // be written (one row the database refuses) is written row by row, so the rest still count.
  let pendingSuccesses: Array<{ row: ds.Success; leaseUntil: number; done: () => void }> = [];
  let flushing: Promise<void> | undefined;

  function recordSuccess(c: ds.Claimed, o: Outcome, leaseUntil: number): Promise<void> {
    return new Promise<void>((done) => {
      pendingSuccesses.push({
        done,
        leaseUntil,
        row: {
          merchantId: c.merchant_id,
          endpointId: c.endpoint_id,
          eventId: c.event_id,
          attempts: c.attempts,
          attemptId: newId('webhookAttempt'),
          url: c.url,
          statusCode: o.status!,
          latencyMs: o.latencyMs,
          excerpt: o.excerpt,
        },
      });
      flushing ??= flushSuccesses();
    });
  }

  async function flushSuccesses(): Promise<void> {
    try {
      while (pendingSuccesses.length > 0) {
        const batch = pendingSuccesses;
        pendingSuccesses = [];
        const write = (part: typeof batch) =>
          persistently('recording webhook successes', Math.min(...part.map((b) => b.leaseUntil)), () => ds.recordSuccesses(db, part.map((b) => b.row), clock.now()));
        try {
          await write(batch);
        } catch (err) {
          if (batch.length > 1 && !transient(err)) {
            log.warn({ err, count: batch.length }, 'recording webhook successes failed; recording them one by one');
            for (const b of batch) {
              await write([b]).catch((e: unknown) => log.error({ err: e, event_id: b.row.eventId, endpoint_id: b.row.endpointId }, 'recording a webhook success failed'));
            }
          } else {
            // Unrecorded successes keep their lease; when it runs out they are sent again (at least once).
            log.error({ err, count: batch.length }, 'recording webhook successes failed');
          }
        }
        batch.forEach((b) => b.done());
      }
    } finally {
      flushing = undefined;
    }
  }

  /** Endpoints failing without a success for 5 days are disabled (one, or all that qualify). */
  async function disableFailing(merchantId?: string, endpointId?: string): Promise<void> {
    const cutoff = new Date(clock.now().getTime() - DISABLE_AFTER_FAILING_MS);
    await openTransaction(db, async (tx) => {
      for (const e of await ds.findEndpointsFailingSince(tx, cutoff, merchantId, endpointId)) {
        await deps.webhooks.disable(tx, { merchantId: e.merchant_id, livemode: e.livemode }, e.id, 'failing');
      }
    });
  }

  async function deliver(c: ds.Claimed, leaseUntil: number): Promise<void> {
    const outcome = await post(c);
    try {
      await (outcome.ok ? recordSuccess(c, outcome, leaseUntil) : recordFailure(c, outcome, leaseUntil));
    } catch (err) {
      // The lease runs out and the delivery is tried again: at least once, never lost.
      log.error({ err, event_id: c.event_id, endpoint_id: c.endpoint_id }, 'recording a webhook attempt failed');
    }
  }

  /** Claims and starts deliveries while there is work and room; resolves when nothing more is due. */
  async function pump(): Promise<number> {
    let total = 0;
    for (;;) {
      const room = config.concurrency - inFlight.size;
      if (room <= 0) {
        await Promise.race(inFlight);
        continue;
      }
      const wallNow = wall.now();
      const leaseUntil = new Date(wallNow.getTime() + leaseMs);
      const claimed = await ds.claimDue(db, {
        now: clock.now(),
        wall: wallNow,
        leaseUntil,
        batch: Math.min(room, 200),
        perEndpoint: config.perEndpoint,
      });
      for (const c of claimed) {
        const p = deliver(c, leaseUntil.getTime()).finally(() => {
          inFlight.delete(p);
          if (running) wake();
        });
        inFlight.add(p);
      }
      total += claimed.length;
      // A short batch means nothing more is due right now.
      if (claimed.length < Math.min(room, 200)) return total;
    }
  }

  function wake(): void {
    if (pumping) {
      again = true;
      return;
    }
    pumping = (async () => {
      do {
        again = false;
        try {
          await pump();
        } catch (err) {
          log.error({ err }, 'webhook dispatcher failed; retrying on the next tick');
        }
      } while (again && running);
    })().finally(() => {
      pumping = undefined;
    });
  }

  async function listen(url: string): Promise<void> {
    const client = new pg.Client({ connectionString: url });
    client.on('error', (err) => {
      log.warn({ err }, 'webhook LISTEN connection lost; polling until it is back');
      listener = undefined;
      setTimeout(() => running && listen(url).catch(() => {}), 1000);
    });
    await client.connect();
    await client.query(`listen ${WAKE_CHANNEL}`);
    client.on('notification', () => wake());
    listener = client;
  }

  return {
    /** Runs until stop(): woken by NOTIFY on commit, and polling every pollMs as a backstop. */
    async start(url: string): Promise<void> {
      running = true;
      await listen(url).catch((err) => log.warn({ err }, 'webhook LISTEN unavailable; polling only'));
      let ticks = 0;
      timer = setInterval(() => {
        wake();
        if (++ticks % 60 === 0) disableFailing().catch((err) => log.error({ err }, 'disabling failing endpoints failed'));
      }, config.pollMs);
      wake();
    },

    /** Delivers everything due now and waits for it (tests, and test clocks catching up). */
    async runOnce(): Promise<void> {
      let claimed;
      do {
        claimed = await pump();
        await Promise.all(inFlight);
      } while (claimed > 0);
      await disableFailing();
    },

    /** Stops claiming and lets deliveries in flight finish (and their outcomes be recorded). */
    stop(): Promise<void> {
      stopping ??= (async () => {
        running = false;
        if (timer) clearInterval(timer);
        await listener?.end().catch(() => {});
        await pumping;
        await Promise.all(inFlight);
        await flushing;
        await agent.close();
      })();
      return stopping;
    },
  };
}
export type DeliveryWorker = ReturnType<typeof createDeliveryWorker>;

/**
 * Whether writing an outcome may succeed when tried again: deadlocks and serialization failures
 * (SQLSTATE class 40), lost connections (08, 57P, ECONNRESET, none at all), lock timeouts and
 * the like. Not: data the database refuses (22, 23), a wrong statement (42, 0A): those fail every
 * time.
 */
export function transient(err: unknown): boolean {
  const codeOf = (e: unknown) => (e && typeof e === 'object' && 'code' in e && typeof e.code === 'string' ? e.code : undefined);
  // drizzle wraps the driver's error in its own (as `cause`).
  const code = codeOf((err as { cause?: unknown } | undefined)?.cause) ?? codeOf(err);
  return code === undefined || !/^(22|23|42|0A)[0-9A-Z]{3}$/.test(code);
}

async function readExcerpt(body: AsyncIterable<Buffer> & { destroy(): void }): Promise<string | null> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    chunks.push(chunk);
    size += chunk.length;
    if (size >= EXCERPT_BYTES) break;
  }
  body.destroy();
  if (size === 0) return null;
  // PostgreSQL text cannot hold NUL: one such byte would fail the whole batch's recording.
  return Buffer.concat(chunks).subarray(0, EXCERPT_BYTES).toString('utf8').replaceAll('\0', '');
}
