// Where the token buckets of src/http/rate-limit.ts live.
//
// - sharedBuckets: one bucket per API key in PostgreSQL (rate_limit_buckets), the same for every API
//   process, so the documented rate holds however many processes serve it. Tokens are taken with
//   one atomic statement (INSERT … ON CONFLICT DO UPDATE … RETURNING): the row lock orders
//   concurrent takes, the refill is computed from the stored timestamp by the database's clock,
//   and there is no read-modify-write race. A process's concurrent requests for one key share a
//   take, a busy key takes a tenth of a second's tokens ahead, and a key that is over its limit is
//   refused without a round trip (see sharedBuckets).
// - memoryBuckets: the bucket in process memory (RATE_LIMIT_SHARED=false): no round trip, but N
//   processes allow N times the rate.
import type pg from 'pg';

export type Take = { granted: boolean; /** tokens left after this request */ tokens: number };

export type BucketStore = {
  take(merchantId: string, keyId: string): Promise<Take>;
};

export type BucketOptions = { perSecond: number; burst: number };

type Bucket = { tokens: number; at: number };

/** The classic token bucket in a Map; `now` in milliseconds. */
export function memoryBuckets(opts: BucketOptions & { now?: () => number }): BucketStore {
  const now = opts.now ?? (() => performance.now());
  const buckets = new Map<string, Bucket>();
  return {
    async take(_merchantId, keyId) {
      const t = now();
      const b = buckets.get(keyId) ?? { tokens: opts.burst, at: t };
      b.tokens = Math.min(opts.burst, b.tokens + (Math.max(0, t - b.at) / 1000) * opts.perSecond);
      b.at = t;
      buckets.set(keyId, b);
      const granted = b.tokens >= 1;
      if (granted) b.tokens -= 1;
      forgetIdle(buckets, t);
      return { granted, tokens: b.tokens };
    },
  };
}

// One take of $5 tokens: the stored tokens plus what accrued since the stored timestamp, capped at
// the burst, of which the take gets as many whole tokens as there are (at most $5).
// `excluded.refilled_at` is the one clock reading of the statement (taken when the row to insert
// was formed); a take that waited for the row lock behind a later one sees no negative time
// (greatest(0, …)) and leaves the later timestamp in place, so no refill is counted twice or lost.
const REFILLED = `least($3::float8, b.tokens + $4::float8 * greatest(0, date_part('epoch', excluded.refilled_at - b.refilled_at)))`;
const GRANTED = `least($5::int, floor(${REFILLED})::int)`;
const TAKE = {
  name: 'rate_limit_take',
  text: `insert into rate_limit_buckets as b (merchant_id, key_id, tokens, refilled_at, granted)
    values ($1, $2, $3::float8 - least($5::int, floor($3::float8)::int), clock_timestamp(), least($5::int, floor($3::float8)::int))
    on conflict (merchant_id, key_id) do update set
      tokens = ${REFILLED} - ${GRANTED},
      refilled_at = greatest(b.refilled_at, excluded.refilled_at),
      granted = ${GRANTED}
    returning tokens, granted`,
};

type Waiter = { resolve: (t: Take) => void; reject: (e: unknown) => void };
/** Tokens taken from the shared row ahead of demand, usable until `until`. */
type Lease = { tokens: number; until: number };
type KeyState = {
  merchantId: string;
  keyId: string;
  /** An upper bound of the shared bucket (see below); none before the first answer. */
  bound: Bucket | undefined;
  /** Taken from the row and not yet used, oldest first; expired tokens are dropped, never used. */
  leases: Lease[];
  /** Requests waiting for the next take; at most one take per key is in flight per process. */
  waiting: Waiter[];
  inFlight: boolean;
  /** Requests since `since`: this process's demand for the key, to size what a take asks for. */
  arrivals: number;
  since: number;
  /** What the last take asked for beyond its waiting requests (to top the lease up in time). */
  ahead: number;
  /** Tokens the bound must show before the next take: more than one after the row ran dry. */
  minTake: number;
  /** last use, for forgetting idle keys */
  at: number;
};

/** How long tokens taken ahead of demand stay usable (see sharedBuckets). */
export const LEASE_MS = 100;

/**
 * The bucket in PostgreSQL. Every granted request has taken a token from the shared row; the
 * long-run rate holds exactly however many processes take from it.
 *
 * Per process and key, at most one take is in flight. Requests that arrive meanwhile wait for it
 * and then go together in the next take, which asks for as many tokens as are waiting, plus (only
 * when RATE_LIMIT_PER_SECOND × LEASE_MS is a token or more) what this process's own demand will
 * need in the next LEASE_MS, at most perSecond × LEASE_MS tokens. Those are kept in a lease for
 * LEASE_MS and then dropped unused; the lease is topped up before it runs dry. So a busy key needs
 * one statement per LEASE_MS per process instead of one per request, and its requests seldom wait
 * for one. What that costs in exactness: a token taken ahead is used at most LEASE_MS later, so in
 * any window a key gets at most the burst plus perSecond × (window + LEASE_MS), one tenth of a
 * second's worth more than the burst at most; and a process can hold up to that many unused tokens
 * for at most LEASE_MS while another process's request is refused. A key over its limit is
 * asked for again when half a lease has refilled rather than for every token. With a limit below
 * 10/s nothing is taken ahead and every take is exactly the waiting requests.
 *
 * In front of it, a local pre-check that is exact: each process keeps an upper bound of every
 * key's shared bucket (what the database last answered, refilled at the full rate since the take
 * was *sent*, which is no later than the database's clock reading). Other processes only ever take
 * tokens, so the shared bucket never holds more than the bound: when the bound is below one token
 * (and the lease is empty) the database would refuse too, and the request is refused without a
 * round trip.
 */
export function sharedBuckets(pool: Pick<pg.Pool, 'query'>, opts: BucketOptions & { now?: () => number; leaseMs?: number }): BucketStore {
  const now = opts.now ?? (() => performance.now());
  const leaseMs = opts.leaseMs ?? LEASE_MS;
  const maxAhead = Math.floor((opts.perSecond * leaseMs) / 1000);
  const keys = new Map<string, KeyState>();
  const refill = (b: Bucket, t: number) => Math.min(opts.burst, b.tokens + (Math.max(0, t - b.at) / 1000) * opts.perSecond);

  function leased(s: KeyState, t: number): number {
    while (s.leases.length > 0 && s.leases[0]!.until <= t) s.leases.shift();
    let n = 0;
    for (const l of s.leases) n += l.tokens;
    return n;
  }
  /** Uses one leased token if there is one; the answer carries the tokens left (lease + bound). */
  function fromLease(s: KeyState, t: number): Take | undefined {
    const n = leased(s, t);
    if (n < 1) return undefined;
    const l = s.leases[0]!;
    l.tokens -= 1;
    if (l.tokens === 0) s.leases.shift();
    return { granted: true, tokens: n - 1 + (s.bound ? Math.floor(refill(s.bound, t)) : 0) };
  }

  async function flush(s: KeyState): Promise<void> {
    const batch = s.waiting.splice(0);
    const sent = now();
    const perMs = s.arrivals / Math.max(1, sent - s.since);
    s.arrivals = 0;
    s.since = sent;
    // Whole requests expected in the next LEASE_MS (a key used less often takes nothing ahead).
    s.ahead = Math.min(maxAhead, Math.floor(perMs * leaseMs));
    const want = batch.length + s.ahead;
    if (want === 0) return;
    s.inFlight = true;
    try {
      const { rows } = await pool.query<{ tokens: number; granted: number }>({
        ...TAKE,
        values: [s.merchantId, s.keyId, opts.burst, opts.perSecond, want],
      });
      const { tokens, granted } = rows[0]!;
      // Both are upper bounds of the shared bucket from here on: keep the lower one.
      const t = now();
      const fromRow = refill({ tokens, at: sent }, t);
      s.bound = { tokens: s.bound ? Math.min(refill(s.bound, t), fromRow) : fromRow, at: t };
      // The take's waiting requests first (the i-th leaves the tokens the later ones still use);
      // what is left is leased, counted from the moment the take was sent.
      const served = Math.min(granted, batch.length);
      batch.forEach((w, i) => w.resolve(i < served ? { granted: true, tokens: tokens + (granted - 1 - i) } : { granted: false, tokens }));
      if (granted > served) s.leases.push({ tokens: granted - served, until: sent + leaseMs });
      // The row ran dry: a key over its limit asks again when half a lease has refilled, not for
      // every token (one statement per token would be perSecond statements a second per process).
      s.minTake = granted < want ? Math.max(1, Math.floor(s.ahead / 2)) : 1;
      // Requests that came during the take: from the lease while it lasts, the rest in the next take.
      while (s.waiting.length > 0) {
        const take = fromLease(s, t);
        if (!take) break;
        s.waiting.shift()!.resolve(take);
      }
    } catch (e) {
      for (const w of batch) w.reject(e);
    } finally {
      s.inFlight = false;
      if (s.waiting.length > 0) void flush(s);
    }
  }

  return {
    take(merchantId, keyId) {
      const t = now();
      let s = keys.get(keyId);
      if (!s) {
        forgetIdle(keys, t);
        s = { merchantId, keyId, bound: undefined, leases: [], waiting: [], inFlight: false, arrivals: 0, since: t, ahead: 0, minTake: 1, at: t };
        keys.set(keyId, s);
      }
      s.at = t;
      s.arrivals++;
      const leasedTake = fromLease(s, t);
      if (leasedTake) {
        // Top the lease up before it runs dry, so requests seldom wait for a take.
        if (!s.inFlight && leased(s, t) < Math.max(1, s.ahead / 2)) void flush(s);
        return Promise.resolve(leasedTake);
      }
      if (s.bound) {
        const tokens = refill(s.bound, t);
        if (tokens < s.minTake) return Promise.resolve({ granted: false, tokens: Math.min(tokens, 0.999) });
      }
      const state = s;
      return new Promise<Take>((resolve, reject) => {
        state.waiting.push({ resolve, reject });
        if (!state.inFlight) void flush(state);
      });
    },
  };
}

/** Forget idle keys now and then so a map stays small. */
function forgetIdle(map: Map<string, { at: number; inFlight?: boolean; waiting?: unknown[] }>, t: number) {
  if (map.size <= 10_000) return;
  for (const [k, v] of map) if (t - v.at > 60_000 && !v.inFlight && !v.waiting?.length) map.delete(k);
}
