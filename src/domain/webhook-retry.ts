// When a failed webhook delivery is tried again. About three days in all, front-loaded so that a
// blip is retried at once and a long outage is not hammered: 5 s, 5 min, 30 min, 2 h, 5 h, then
// every 10 h, and a last try 14 h later (71.6 h after the first attempt, before jitter).
export const RETRY_DELAYS_SECONDS = [5, 300, 1800, 7200, 18000, 36000, 36000, 36000, 36000, 36000, 50400] as const;
export const MAX_ATTEMPTS = RETRY_DELAYS_SECONDS.length + 1;

/** An endpoint with no success for this long is disabled. */
export const DISABLE_AFTER_FAILING_MS = 5 * 24 * 3600_000;

/** Retry-After is honoured up to this; a receiver cannot park a delivery for longer. */
const MAX_RETRY_AFTER_SECONDS = 24 * 3600;

/**
 * Milliseconds until the next attempt after `attemptsMade` attempts, or null when the schedule is
 * exhausted. `random` in [0, 1) spreads retries ±10 % so that many deliveries failing together do
 * not all come back in the same second. A receiver's Retry-After pushes the attempt later, never
 * earlier.
 */
export function nextRetryDelayMs(attemptsMade: number, random: number, retryAfterSeconds?: number): number | null {
  if (attemptsMade < 1 || attemptsMade >= MAX_ATTEMPTS) return null;
  const base = RETRY_DELAYS_SECONDS[attemptsMade - 1]! * 1000;
  const jittered = Math.round(base * (0.9 + 0.2 * random));
  const floor = retryAfterSeconds === undefined ? 0 : Math.min(retryAfterSeconds, MAX_RETRY_AFTER_SECONDS) * 1000;
  return Math.max(jittered, floor);
}

/** Retry-After as delta-seconds or an HTTP date (RFC 9110); undefined when absent or unreadable. */
export function parseRetryAfter(value: string | string[] | undefined, now: Date): number | undefined {
  const v = Array.isArray(value) ? value[0] : value;
  if (!v) return undefined;
  if (/^\d+$/.test(v.trim())) return Number(v.trim());
  const at = Date.parse(v);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, Math.ceil((at - now.getTime()) / 1000));
}
