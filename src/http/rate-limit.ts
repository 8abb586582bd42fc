// A token bucket per API key, in process memory: cheap, and per process (N processes allow N times
// the rate; documented in the README). Answers 429 with Retry-After in whole seconds.
import type { FastifyInstance } from 'fastify';
import { DomainError } from '../kernel/errors.ts';

type Bucket = { tokens: number; at: number };

export function registerRateLimit(app: FastifyInstance, opts: { perSecond: number; burst: number; now?: () => number }) {
  if (opts.perSecond <= 0) return;
  const now = opts.now ?? (() => performance.now());
  const buckets = new Map<string, Bucket>();
  app.addHook('onRequest', async (req, reply) => {
    const id = req.principal.keyId;
    const t = now();
    const b = buckets.get(id) ?? { tokens: opts.burst, at: t };
    b.tokens = Math.min(opts.burst, b.tokens + ((t - b.at) / 1000) * opts.perSecond);
    b.at = t;
    buckets.set(id, b);
    reply.header('ratelimit-limit', String(opts.perSecond));
    if (b.tokens < 1) {
      const retryAfter = Math.max(1, Math.ceil((1 - b.tokens) / opts.perSecond));
      throw new DomainError('rate_limited', `More than ${opts.perSecond} requests per second with this API key; retry after ${retryAfter} s`, {
        headers: { 'retry-after': String(retryAfter) },
      });
    }
    b.tokens -= 1;
    reply.header('ratelimit-remaining', String(Math.floor(b.tokens)));
    // Forget idle keys now and then so the map stays small.
    if (buckets.size > 10_000) {
      for (const [k, v] of buckets) if (t - v.at > 60_000) buckets.delete(k);
    }
  });
}
