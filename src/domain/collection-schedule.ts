// When an invoice collected through a processor (card, Swish, autogiro) is charged, and what
// follows a failed attempt. Pure: no I/O, no clock. Attempt 1 is on the due date; a declined or
// failed attempt is retried 1, 3 and 5 days after the due date (calendar days, the customer's
// business time); after the fourth the invoice is left to the reminder process (dunning).

/** Days after the due date of attempts 1, 2, 3, 4. */
export const ATTEMPT_OFFSETS_DAYS = [0, 1, 3, 5] as const;
export const MAX_ATTEMPTS = ATTEMPT_OFFSETS_DAYS.length;

export type CollectionMethod = 'card' | 'swish' | 'autogiro';

/** A processor's verdict on one attempt. */
export type AttemptResult =
  | { status: 'succeeded'; chargeId: string }
  | { status: 'declined'; code: string; message?: string | undefined }
  | { status: 'failed'; code: string; message?: string | undefined };

/**
 * Declines that no retry can fix: the payment method itself is unusable (an expired card, a closed
 * Swish account, an autogiro mandate the bank does not know). No more attempts; the customer must act.
 */
export const HARD_DECLINES: ReadonlySet<string> = new Set(['expired_card', 'swish_account_closed', 'mandate_invalid']);

/** Days after the due date at which attempt `n` (1-based) is due; null past the last. */
export function attemptOffsetDays(n: number): number | null {
  return Number.isInteger(n) && n >= 1 && n <= MAX_ATTEMPTS ? ATTEMPT_OFFSETS_DAYS[n - 1]! : null;
}

export type AfterFailure = {
  /** The next attempt's number and its offset from the due date; null: left to dunning (`exhausted`). */
  next: { attemptNumber: number; offsetDays: number } | null;
  /** The customer must fix the payment method (`payment_method.action_required`). */
  actionRequired: boolean;
};

/**
 * What follows a declined or failed attempt `n`: a hard decline stops at once and asks the customer
 * to act; otherwise the next attempt on schedule, and after the last, a card that kept being
 * declined asks the customer to act too (insufficient funds on Swish or autogiro does not: the
 * method is fine, the money was not there). A processor failure is never the customer's doing.
 */
export function afterFailure(n: number, method: CollectionMethod, result: Exclude<AttemptResult, { status: 'succeeded' }>): AfterFailure {
  const hard = result.status === 'declined' && HARD_DECLINES.has(result.code);
  if (hard) return { next: null, actionRequired: true };
  const offset = attemptOffsetDays(n + 1);
  if (offset !== null) return { next: { attemptNumber: n + 1, offsetDays: offset }, actionRequired: false };
  return { next: null, actionRequired: method === 'card' && result.status === 'declined' };
}
