// The processor interface: how Omtanke asks a card processor, Swish or the autogiro bank to take
// money, and how the answer comes back. Submitting is only an acceptance (with the processor's
// reference); the result (succeeded with a charge id, declined with a code, failed) arrives later:
// a real processor's webhook or callback hands it to `CollectionService.applyResult`, or, for a
// processor that is asked, `poll` returns whatever results are in (the collection worker polls on
// every pass). Submitting is idempotent on `idempotencyKey` (the attempt id): a retry after a crash
// or a timeout is the same charge, never a second one. No database transaction of ours is open
// during any of these calls.
import { and, eq, inArray } from 'drizzle-orm';
import type { Db } from '../../db/client.ts';
import { newId } from '../../db/ids.ts';
import type { Clock } from '../../clock.ts';
import type { AttemptResult, CollectionMethod } from '../../domain/collection-schedule.ts';
import type { PaymentMethod } from '../customers/choices.ts';
import { testProcessorCharges } from './schema.ts';

export type SubmitRequest = {
  idempotencyKey: string;
  merchantId: string;
  livemode: boolean;
  method: CollectionMethod;
  /** The payment method as the invoice recorded it: the card token, Swish number or payer number. */
  paymentMethod: PaymentMethod;
  amount: number; // öre
  currency: string;
  /** The invoice's OCR reference, as the statement text / Swish message. */
  reference: string | null;
};
export type Acceptance = { reference: string };
export type PolledResult = { reference: string; result: AttemptResult };

export interface PaymentProcessor {
  readonly name: string;
  /** Accepts the attempt (the same acceptance for the same key), or throws when it could not be sent. */
  submit(req: SubmitRequest): Promise<Acceptance>;
  /** The results in so far for these references (leave it out when results arrive by webhook). */
  poll?(merchantId: string, references: string[]): Promise<PolledResult[]>;
}

/**
 * The built-in test processor (test mode): what a payment method's token or number says decides the
 * outcome, and the result is ready for the worker's next pass. Its charges live in its own table, as
 * a real processor's would on its side, so every worker process sees the same charge for a key.
 */
export const TEST_OUTCOMES: Record<CollectionMethod, Record<string, AttemptResultSpec>> = {
  card: {
    tok_test_succeeds: { outcome: 'succeeded' },
    tok_test_insufficient_funds: { outcome: 'declined', code: 'insufficient_funds' },
    tok_test_expired_card: { outcome: 'declined', code: 'expired_card' },
    tok_test_processor_error: { outcome: 'failed', code: 'processor_error' },
  },
  swish: {
    '+46700000001': { outcome: 'declined', code: 'insufficient_funds' },
    '+46700000002': { outcome: 'declined', code: 'swish_account_closed' },
    '+46700000003': { outcome: 'failed', code: 'processor_error' },
  },
  autogiro: {
    '9990000001': { outcome: 'declined', code: 'insufficient_funds' },
    '9990000002': { outcome: 'declined', code: 'mandate_invalid' },
    '9990000003': { outcome: 'failed', code: 'processor_error' },
  },
};
type AttemptResultSpec = { outcome: 'succeeded' | 'declined' | 'failed'; code?: string };

/** What the test processor answers for a payment method: its documented test value, else success. */
export function testOutcome(pm: PaymentMethod): AttemptResultSpec {
  const key = pm.type === 'card' ? pm.token : pm.type === 'swish' ? pm.phone : pm.type === 'autogiro' ? pm.payer_number : '';
  const table = TEST_OUTCOMES[pm.type as CollectionMethod] ?? {};
  return table[key] ?? { outcome: 'succeeded' };
}

const MESSAGES: Record<string, string> = {
  insufficient_funds: 'Insufficient funds',
  expired_card: 'The card has expired',
  swish_account_closed: 'The Swish number is no longer connected to an account',
  mandate_invalid: 'The bank does not know this autogiro mandate',
  processor_error: 'The processor could not complete the payment; it will be tried again',
};

export function createTestProcessor(deps: { db: Db; clock: Clock }): PaymentProcessor {
  const { db, clock } = deps;
  return {
    name: 'test',
    async submit(req) {
      const spec = testOutcome(req.paymentMethod);
      // One charge per key: a resubmission (a crashed worker's attempt claimed again) finds the first.
      await db
        .insert(testProcessorCharges)
        .values({
          merchantId: req.merchantId,
          id: newId('testCharge'),
          idempotencyKey: req.idempotencyKey,
          method: req.method,
          amount: req.amount,
          currency: req.currency,
          outcome: spec.outcome,
          code: spec.code ?? null,
          createdAt: clock.now(),
        })
        .onConflictDoNothing();
      const [charge] = await db
        .select({ id: testProcessorCharges.id })
        .from(testProcessorCharges)
        .where(and(eq(testProcessorCharges.merchantId, req.merchantId), eq(testProcessorCharges.idempotencyKey, req.idempotencyKey)));
      return { reference: charge!.id };
    },
    async poll(merchantId, references) {
      if (references.length === 0) return [];
      const rows = await db
        .select()
        .from(testProcessorCharges)
        .where(and(eq(testProcessorCharges.merchantId, merchantId), inArray(testProcessorCharges.id, references)));
      return rows.map((r) => ({
        reference: r.id,
        result:
          r.outcome === 'succeeded'
            ? { status: 'succeeded' as const, chargeId: r.id }
            : { status: r.outcome, code: r.code ?? 'unknown', message: MESSAGES[r.code ?? ''] },
      }));
    },
  };
}
