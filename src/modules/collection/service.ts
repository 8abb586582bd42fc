// Collection through processors: an invoice of a card, Swish or autogiro customer (its payment
// method as recorded at finalisation) gets attempt 1 due on its due date; a worker (or a test
// clock's catch-up) claims due attempts exactly once, submits them to the processor outside any
// transaction, and applies each result when it arrives: a success records the payment (its charge
// id is the payment's external key, so a result applied twice pays once), a decline or failure
// fires `payment.failed` and schedules the next attempt (days 1, 3, 5 after the due date), the last
// one leaves the invoice to the reminder process, and a payment method the customer must fix fires
// `payment_method.action_required` once.
import { createHash } from 'node:crypto';
import type { Logger } from 'pino';
import type { Db, Tx } from '../../db/client.ts';
import { newId } from '../../db/ids.ts';
import { openTransaction, queryableFor, type Caller } from '../../db/unit-of-work.ts';
import { toPage, type Page, type PageParams } from '../../db/page.ts';
import type { Clock } from '../../clock.ts';
import { DomainError } from '../../kernel/errors.ts';
import type { Tenant } from '../../kernel/tenant.ts';
import { addDays, startOfDayInstant, toCalendarDate, type CalendarDate } from '../../domain/calendar-date.ts';
import { afterFailure, attemptOffsetDays, type AttemptResult, type CollectionMethod } from '../../domain/collection-schedule.ts';
import type { PaymentMethod } from '../customers/choices.ts';
import type { EventService, NewEvent } from '../events/service.ts';
import type { PaymentService } from '../payments/service.ts';
import type { InvoiceRow } from '../invoices/compose.ts';
import type { PaymentProcessor } from './processor.ts';
import { toAttemptResource } from './contract.ts';
import * as store from './store.ts';

export type CollectionAttempt = store.AttemptRow;

/** Real time leases: long enough for a processor call, short enough that a crashed worker's claims come back soon. */
const LEASE_MS = 60_000;
const BATCH = 100;

/** Which payment method an attempt would charge, or null when the invoice is not collected automatically. */
export function collectable(pm: PaymentMethod | undefined | null): CollectionMethod | null {
  if (!pm) return null;
  if (pm.type === 'card' || pm.type === 'swish') return pm.type;
  // Autogiro draws only on a mandate the bank has approved; pending, revoked or rejected ones are not charged.
  if (pm.type === 'autogiro' && pm.status === 'active') return 'autogiro';
  return null;
}

/** The payment method's identity, for "once per customer and payment method". */
function methodKey(pm: PaymentMethod): string {
  const id = pm.type === 'card' ? pm.token : pm.type === 'swish' ? pm.phone : pm.type === 'autogiro' ? `${pm.payer_number}:${pm.clearing_number}:${pm.account_number}` : '';
  return `${pm.type}:${createHash('sha256').update(id).digest('hex').slice(0, 32)}`;
}

export function createCollectionService(deps: {
  db: Db;
  clock: Clock;
  events: Pick<EventService, 'recordMany'>;
  payments: Pick<PaymentService, 'recordBatch'>;
  /** The processor per mode: test mode uses the built-in test processor; live mode has none yet. */
  processors: { test: PaymentProcessor; live?: PaymentProcessor | undefined };
  log?: Pick<Logger, 'warn' | 'error'> | undefined;
}) {
  const { db, clock, events, processors } = deps;
  const processorFor = (livemode: boolean) => (livemode ? processors.live : processors.test);
  const byName = (name: string) => [processors.test, processors.live].find((p) => p?.name === name);

  function dueAt(dueDate: string, offsetDays: number, timeZone: string): { date: string; at: Date } {
    const date = addDays(dueDate as CalendarDate, offsetDays);
    return { date, at: startOfDayInstant(date, timeZone) };
  }

  /**
   * Attempt 1 for each finalised invoice that is collected automatically, due at the start of its
   * due date in the merchant's time zone. Called in the finalising transaction (one invoice or a
   * billing batch), after the invoices are written. Idempotent (one attempt n per invoice).
   */
  async function scheduleForInvoices(tx: Tx, tenant: Tenant, timeZone: string, invoices: InvoiceRow[]): Promise<number> {
    const processor = processorFor(tenant.livemode);
    if (!processor) return 0;
    const now = clock.now();
    const rows: CollectionAttempt[] = [];
    for (const inv of invoices) {
      const pm = inv.buyer?.paymentMethod as PaymentMethod | undefined;
      const method = collectable(pm);
      if (!method || !inv.dueDate || !(inv.status === 'open' || inv.status === 'partially_paid') || inv.amountRemaining <= 0) continue;
      const { default: _d, ...value } = pm as PaymentMethod & { default?: boolean };
      const due = dueAt(inv.dueDate, 0, timeZone);
      rows.push({
        merchantId: tenant.merchantId,
        id: newId('collectionAttempt'),
        invoiceId: inv.id,
        customerId: inv.customerId,
        attemptNumber: 1,
        method,
        paymentMethod: value as PaymentMethod,
        currency: inv.currency,
        amount: null,
        dueDate: due.date,
        dueAt: due.at,
        status: 'scheduled',
        leaseUntil: null,
        processor: processor.name,
        processorReference: null,
        outcome: null,
        outcomeCode: null,
        outcomeMessage: null,
        paymentId: null,
        nextAttemptAt: null,
        submittedAt: null,
        completedAt: null,
        createdAt: now,
        updatedAt: now,
      });
    }
    await store.insertAttempts(tx, rows);
    return rows.length;
  }

  /**
   * Applies a processor's result to its attempt, once: the attempt is locked and must still be
   * `submitted`, so a result delivered twice (a webhook retried, two workers polling) changes
   * nothing the second time; a success's payment carries the charge id as its external key too.
   */
  async function applyResult(processorName: string, merchantId: string, reference: string, result: AttemptResult): Promise<CollectionAttempt | undefined> {
    return openTransaction(db, async (tx) => {
      const a = await store.lockSubmitted(tx, processorName, merchantId, reference, clock.now());
      if (!a) return undefined;
      const tenant = { merchantId, livemode: a.livemode };
      const now = a.business_now;
      const { livemode: _l, business_now: _b, time_zone: timeZone, ...row } = a;
      if (result.status === 'succeeded') {
        const [paid] = await deps.payments.recordBatch(tx, tenant, [
          {
            amount: row.amount!,
            currency: row.currency,
            date: toCalendarDate(now, timeZone),
            method: row.method,
            invoiceId: row.invoiceId,
            customerId: row.customerId,
            externalKey: `${processorName}:${result.chargeId}`,
            reference: null,
            metadata: { collection_attempt: row.id },
          },
        ]);
        return store.updateAttempt(tx, { ...row, status: 'succeeded', outcome: 'succeeded', paymentId: paid!.payment.id, completedAt: now, updatedAt: clock.now() });
      }
      const plan = afterFailure(row.attemptNumber, row.method, result);
      // Retries count from the invoice's due date (attempt n is due offset(n) days after it), so a
      // result that arrives late does not push the rest of the schedule.
      const invoiceDue = addDays(row.dueDate as CalendarDate, -(attemptOffsetDays(row.attemptNumber) ?? 0));
      const next = plan.next ? dueAt(invoiceDue, plan.next.offsetDays, timeZone) : null;
      const updated = await store.updateAttempt(tx, {
        ...row,
        status: next ? 'failed' : 'exhausted',
        outcome: result.status,
        outcomeCode: result.code,
        outcomeMessage: result.message ?? null,
        nextAttemptAt: next?.at ?? null,
        completedAt: now,
        updatedAt: clock.now(),
      });
      if (next && plan.next) {
        await store.insertAttempts(tx, [
          {
            ...row,
            id: newId('collectionAttempt'),
            attemptNumber: plan.next.attemptNumber,
            amount: null,
            dueDate: next.date,
            dueAt: next.at,
            status: 'scheduled',
            leaseUntil: null,
            processorReference: null,
            outcome: null,
            outcomeCode: null,
            outcomeMessage: null,
            paymentId: null,
            nextAttemptAt: null,
            submittedAt: null,
            completedAt: null,
            createdAt: clock.now(),
            updatedAt: clock.now(),
          },
        ]);
      }
      const object = toAttemptResource(updated, a.livemode);
      const list: NewEvent[] = [{ type: 'payment.failed', objectId: updated.id, object }];
      if (plan.actionRequired && (await store.markActionRequired(tx, { merchantId, customerId: row.customerId, methodKey: methodKey(row.paymentMethod), attemptId: row.id, createdAt: clock.now() }))) {
        list.push({ type: 'payment_method.action_required', objectId: row.customerId, object });
      }
      await events.recordMany(tx, tenant, list);
      return updated;
    });
  }

  /**
   * One pass of a lane: claims due attempts and submits them (no transaction open during the
   * processor call), then applies whatever results the polled processors have. Returns how many
   * attempts it moved on (claimed or given a result).
   */
  async function pass(lane: store.Lane, wall: Clock): Promise<number> {
    let moved = 0;
    const wallNow = wall.now();
    const leaseUntil = new Date(wallNow.getTime() + LEASE_MS);
    const claimed = await store.claimDue(db, { now: clock.now(), wall: wallNow, leaseUntil, limit: BATCH, lane });
    moved += claimed.length;
    await Promise.all(
      claimed
        .filter((a) => a.status === 'processing')
        .map(async (a) => {
          const processor = byName(a.processor);
          if (!processor) return; // its lease runs out; a process that has the processor takes it
          try {
            const accepted = await processor.submit({
              idempotencyKey: a.id,
              merchantId: a.merchantId,
              livemode: a.livemode,
              method: a.method,
              paymentMethod: a.paymentMethod,
              amount: a.amount!,
              currency: a.currency,
              reference: a.ocr_reference,
            });
            await store.markSubmitted(db, { merchantId: a.merchantId, id: a.id, leaseUntil }, accepted.reference, a.business_now, wall.now());
          } catch (err) {
            // Not known to be accepted: the lease runs out and the attempt is submitted again with
            // the same idempotency key (the same charge, if the first did reach the processor).
            deps.log?.warn({ err, attempt_id: a.id }, 'submitting a collection attempt failed; it is tried again when its lease runs out');
          }
        }),
    );
    for (const processor of [processors.test, processors.live]) {
      if (!processor?.poll) continue;
      const waiting = await store.findSubmitted(db, { processor: processor.name, limit: BATCH, lane });
      const byMerchant = new Map<string, string[]>();
      for (const w of waiting) byMerchant.set(w.merchantId, [...(byMerchant.get(w.merchantId) ?? []), w.reference]);
      for (const [merchantId, refs] of byMerchant) {
        for (const r of await processor.poll(merchantId, refs)) {
          if (await applyResult(processor.name, merchantId, r.reference, r.result)) moved++;
        }
      }
    }
    return moved;
  }

  /** Passes until nothing more moves (a test clock's catch-up, tests, `runOnce`). */
  async function drain(lane: store.Lane, wall: Clock): Promise<number> {
    let total = 0;
    for (let n = await pass(lane, wall); n > 0; n = await pass(lane, wall)) total += n;
    return total;
  }

  return {
    scheduleForInvoices,
    applyResult,
    pass: (wall: Clock = clock) => pass({ kind: 'worker' }, wall),
    /** Everything due now on real time and ready clocks, with its results (tests and scripts). */
    runOnce: (wall: Clock = clock) => drain({ kind: 'worker' }, wall),

    /** A clock's catch-up: the earliest attempt of its customers due by `until` (after `after`). */
    earliestDueForClock: (tx: Tx, merchantId: string, clockId: string, until: Date, after?: Date) => store.earliestDueForClock(tx, merchantId, clockId, until, after),

    /** A clock's catch-up: works its customers' attempts due at its current step, as of that step. */
    workClock: (merchantId: string, clockId: string, wall: Clock = clock) => drain({ kind: 'clock', merchantId, clockId }, wall),

    async get(tenant: Caller, id: string): Promise<CollectionAttempt> {
      const row = await store.findAttempt(queryableFor(db, tenant), tenant.merchantId, id);
      if (!row) throw new DomainError('not_found', `No such collection attempt: ${id}`);
      return row;
    },

    async list(tenant: Caller, filter: store.AttemptFilter, page: PageParams): Promise<Page<CollectionAttempt>> {
      return toPage(await store.listAttempts(queryableFor(db, tenant), tenant.merchantId, filter, page), page);
    },
  };
}
export type CollectionService = ReturnType<typeof createCollectionService>;
