// A token bucket per API key: RATE_LIMIT_PER_SECOND tokens a second, at most RATE_LIMIT_BURST. By
// default the bucket is shared by all API processes through PostgreSQL (rate-limit-store.ts), so
// the rate holds however many processes serve a key; RATE_LIMIT_SHARED=false keeps it in process
// memory (N processes then allow N times the rate). Runs in onRequest, before any transaction is
// opened, on the pool (one short statement when a take is needed, no connection held across the
// request). Over the limit: 429 rate_limited with Retry-After in whole seconds.
import type { FastifyInstance } from 'fastify';
import type pg from 'pg';
import type { Config } from '../config.ts';
import { DomainError } from '../kernel/errors.ts';
import { memoryBuckets, sharedBuckets, type BucketStore } from './rate-limit-store.ts';

// RATE_LIMIT_SHARED is optional here: buildApp's callers that build their config by hand (tests,
// scripts) leave it out and get the shared bucket; main.ts hands over the whole loaded Config.
export type RateLimitConfig = Pick<Config, 'RATE_LIMIT_PER_SECOND' | 'RATE_LIMIT_BURST'> & Partial<Pick<Config, 'RATE_LIMIT_SHARED'>>;

export function registerRateLimit(app: FastifyInstance, config: RateLimitConfig, pool: Pick<pg.Pool, 'query'>, opts: { now?: () => number } = {}) {
  const perSecond = config.RATE_LIMIT_PER_SECOND;
  if (perSecond <= 0) return;
  const settings = { perSecond, burst: config.RATE_LIMIT_BURST, now: opts.now };
  const buckets: BucketStore = config.RATE_LIMIT_SHARED === false ? memoryBuckets(settings) : sharedBuckets(pool, settings);
  // RateLimit-Limit is the bucket's capacity (the burst): what a key can spend at once, so
  // RateLimit-Remaining (the tokens left, floored) never exceeds it. The refill rate is documented.
  const burst = config.RATE_LIMIT_BURST;
  const limit = String(burst);
  app.addHook('onRequest', async (req, reply) => {
    const { merchantId, keyId } = req.principal;
    const { granted, tokens } = await buckets.take(merchantId, keyId);
    reply.header('ratelimit-limit', limit);
    if (!granted) {
      reply.header('ratelimit-remaining', '0');
      const retryAfter = Math.max(1, Math.ceil((1 - tokens) / perSecond));
      throw new DomainError('rate_limited', `More than ${perSecond} requests per second with this API key; retry after ${retryAfter} s`, {
        headers: { 'retry-after': String(retryAfter) },
      });
    }
    // A busy key's local share can run a little ahead of the bucket: never report more than the limit.
    reply.header('ratelimit-remaining', String(Math.max(0, Math.min(burst, Math.floor(tokens)))));
  });
}
