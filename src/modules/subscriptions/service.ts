// Subscription use cases: create (billing the first period at once when it has started), change
// items with proration, cancel (now or at period end, with reason and initiator), pause, resume,
// reactivate. Dates are the merchant's calendar dates as seen from the customer's clock.
import type { Db, Queryable, Tx } from '../../db/client.ts';
import { newId } from '../../db/ids.ts';
import { inTransaction, queryableFor, type Caller, type Work } from '../../db/unit-of-work.ts';
import { toPage, type Page, type PageParams } from '../../db/page.ts';
import type { Clock } from '../../clock.ts';
import { DomainError, type FieldError, invalid } from '../../kernel/errors.ts';
import { addDays, compare, daysBetween, parseCalendarDate, toCalendarDate, toParts, type CalendarDate } from '../../domain/calendar-date.ts';
import { remainingShare } from '../../domain/billing-period.ts';
import { computeInvoiceTotals, prorate } from '../../domain/money.ts';
import type { EventService } from '../events/service.ts';
import type { EventType } from '../events/types.ts';
import { mergeMetadata } from '../events/changes.ts';
import type { MerchantService } from '../merchants/service.ts';
import type { Customer, CustomerService } from '../customers/service.ts';
import type { CatalogService, Price } from '../catalog/service.ts';
import type { TestClockTime } from '../test-clocks/time.ts';
import type { InvoiceLedger, PendingItemRow } from '../invoices/ledger.ts';
import type { BillingService } from '../billing/service.ts';
import type { LineInput } from '../invoices/compose.ts';
import {
  toSubscriptionResource,
  type CancelSubscriptionInput,
  type CreateSubscriptionInput,
  type UpdateSubscriptionInput,
} from './contract.ts';
import * as store from './store.ts';

export type Subscription = store.SubscriptionRow & { items: store.SubscriptionItemRow[] };

const MONTHS = { month: 1, quarter: 3, year: 12 } as const;
// A start or trial end further out is almost certainly a typo (2062 for 2026).
const MAX_DAYS_AHEAD = 730;

export function createSubscriptionService(deps: {
  db: Db;
  clock: Clock;
  events: Pick<EventService, 'record'>;
  billing: Pick<BillingService, 'billInTransaction' | 'settleInTransaction'>;
  merchants: Pick<MerchantService, 'get'>;
  customers: Pick<CustomerService, 'find' | 'lockForSubscription' | 'returnWithSubscription'>;
  catalog: Pick<CatalogService, 'findPrice' | 'findProduct'>;
  time: Pick<TestClockTime, 'nowForChange'>;
  ledger: Pick<InvoiceLedger, 'addPendingItems'>;
}) {
  const { db, clock, events, billing, merchants, customers, catalog, time, ledger } = deps;

  async function load(q: Queryable, tenant: Caller, id: string, opts: { forUpdate?: boolean } = {}): Promise<Subscription> {
    const row = await store.findSubscription(q, tenant.merchantId, id, opts);
    if (!row) throw new DomainError('not_found', `No such subscription: ${id}`);
    return { ...row, items: (await store.findItemsOf(q, tenant.merchantId, [id])).get(id) ?? [] };
  }

  async function record(tx: Tx, tenant: Caller, type: EventType, sub: Subscription, previousAttributes?: Record<string, unknown>) {
    await events.record(tx, tenant, { type, objectId: sub.id, object: toSubscriptionResource(sub, sub.items, tenant.livemode), previousAttributes });
  }

  /** The merchant, the customer and "today" on the customer's clock (the customer read once, if given). */
  async function context(tx: Tx, tenant: Caller, customerOrId: string | Customer) {
    const scope = { merchantId: tenant.merchantId, tx };
    const merchant = await merchants.get(scope);
    const customer = typeof customerOrId === 'string' ? (await customers.find(scope, customerOrId))! : customerOrId;
    const now = await time.nowForChange(scope, customer.testClockId);
    return { merchant, customer, now, today: toCalendarDate(now, merchant.timeZone) };
  }

  /** Prices of the requested items: recurring, active, one currency and one interval. */
  async function resolveItems(tenant: Work & { merchantId: string }, items: { price: string; quantity?: number | undefined }[]) {
    const errors: FieldError[] = [];
    const resolved: { price: Price; quantity: number }[] = [];
    for (const [i, it] of items.entries()) {
      const field = `items[${i}].price`;
      const price = await catalog.findPrice(tenant, it.price);
      if (!price) errors.push({ field, location: 'body', message: `does not exist: ${it.price}` });
      else if (price.type !== 'recurring') errors.push({ field, location: 'body', message: 'is not a recurring price' });
      else if (!price.active) errors.push({ field, location: 'body', message: 'is archived' });
      else if (resolved.some((r) => r.price.id === price.id)) errors.push({ field, location: 'body', message: 'appears twice; use quantity' });
      else resolved.push({ price, quantity: it.quantity ?? 1 });
    }
    const months = new Set(resolved.map((r) => MONTHS[r.price.recurringInterval!] * (r.price.recurringIntervalCount ?? 1)));
    const currencies = new Set(resolved.map((r) => r.price.currency));
    if (months.size > 1) errors.push({ field: 'items', location: 'body', message: 'must all bill on the same interval' });
    if (currencies.size > 1) errors.push({ field: 'items', location: 'body', message: 'must all be in one currency' });
    if (errors.length === 0) {
      try {
        computeInvoiceTotals(
          resolved.map((r) => ({ quantity: r.quantity, unitAmount: r.price.unitAmount, taxBehavior: r.price.taxBehavior, vatRate: r.price.vatRate })),
          [...currencies][0]!,
        );
      } catch (e) {
        if (!(e instanceof RangeError)) throw e;
        errors.push({ field: 'items', location: 'body', message: 'add up to more than an invoice can hold' });
      }
    }
    if (errors.length > 0) throw invalid(errors);
    return { resolved, intervalMonths: [...months][0]!, currency: [...currencies][0]! };
  }

  function itemRows(tenant: Caller, subscriptionId: string, resolved: { price: Price; quantity: number }[], now: Date): store.SubscriptionItemRow[] {
    return resolved.map((r) => ({
      merchantId: tenant.merchantId,
      id: newId('subscriptionItem'),
      subscriptionId,
      priceId: r.price.id,
      quantity: r.quantity,
      createdAt: now,
    }));
  }

  /** Loads under FOR UPDATE, checks the state, applies `change`, bills if now due, records `type`. */
  function transition(
    tenant: Caller,
    id: string,
    type: EventType,
    change: (sub: Subscription, ctx: Awaited<ReturnType<typeof context>>, tx: Tx) => Promise<Subscription> | Subscription,
  ): Promise<Subscription> {
    return inTransaction(db, tenant, async (tx) => {
      const sub = await load(tx, tenant, id, { forUpdate: true });
      const ctx = await context(tx, tenant, sub.customerId);
      const next = await change(sub, ctx, tx);
      await store.updateSubscription(tx, { ...next, updatedAt: clock.now() });
      // Billing first: the event then shows the period the change started.
      await billing.billInTransaction(tx, { merchantId: tenant.merchantId, testClockId: ctx.customer.testClockId, subscriptionId: id }, ctx.now, ctx.merchant);
      const updated = await load(tx, tenant, id);
      await record(tx, tenant, type, updated, { status: sub.status });
      return updated;
    });
  }

  function invalidState(sub: Subscription, action: string): DomainError {
    return new DomainError('invalid_state', `A ${sub.status} subscription cannot be ${action}`);
  }

  return {
    get: (tenant: Caller, id: string) => load(queryableFor(db, tenant), tenant, id),

    async list(tenant: Caller, filter: store.SubscriptionFilter, page: PageParams): Promise<Page<Subscription>> {
      const q = queryableFor(db, tenant);
      const p = toPage(await store.listSubscriptions(q, tenant.merchantId, filter, page), page);
      const items = await store.findItemsOf(q, tenant.merchantId, p.data.map((s) => s.id));
      return { data: p.data.map((s) => ({ ...s, items: items.get(s.id) ?? [] })), hasMore: p.hasMore };
    },

    async create(tenant: Caller, input: CreateSubscriptionInput): Promise<Subscription> {
      if ((input.items === undefined) === (input.price === undefined)) {
        throw invalid([{ field: 'items', location: 'body', message: 'is required (or price, for a single item), not both' }]);
      }
      if (input.quantity !== undefined && input.price === undefined) throw invalid([{ field: 'quantity', location: 'body', message: 'goes with price' }]);
      const items = input.items ?? [{ price: input.price!, quantity: input.quantity }];
      const { resolved, intervalMonths, currency } = await resolveItems(tenant, items);
      return inTransaction(db, tenant, async (tx) => {
        const customerRow = await customers.lockForSubscription(tx, tenant.merchantId, input.customer);
        if (!customerRow) throw invalid([{ field: 'customer', location: 'body', message: `does not exist: ${input.customer}` }]);
        if (customerRow.archivedAt) throw invalid([{ field: 'customer', location: 'body', message: 'is archived' }]);
        await customers.returnWithSubscription({ ...tenant, tx }, customerRow.id);
        const { merchant, now, today, customer } = await context(tx, tenant, customerRow);
        const errors: FieldError[] = [];
        const start = input.start_date ? parseCalendarDate(input.start_date) : today;
        if (!start) errors.push({ field: 'start_date', location: 'body', message: 'is not a calendar date' });
        else if (compare(start, today) < 0) errors.push({ field: 'start_date', location: 'body', message: `must be today (${today}) or later` });
        else if (daysBetween(today, start) > MAX_DAYS_AHEAD) errors.push({ field: 'start_date', location: 'body', message: `must be within ${MAX_DAYS_AHEAD} days` });
        if (input.trial_end !== undefined && input.trial_period_days !== undefined) {
          errors.push({ field: 'trial_end', location: 'body', message: 'cannot be combined with trial_period_days' });
        }
        let trialEnd: CalendarDate | null = null;
        if (start && input.trial_period_days !== undefined) trialEnd = addDays(start, input.trial_period_days);
        if (start && input.trial_end !== undefined) {
          trialEnd = parseCalendarDate(input.trial_end);
          if (!trialEnd || compare(trialEnd, start) <= 0) errors.push({ field: 'trial_end', location: 'body', message: 'must be after the start date' });
        }
        if (start && trialEnd && daysBetween(start, trialEnd) > MAX_DAYS_AHEAD) {
          errors.push({ field: 'trial_end', location: 'body', message: `must be within ${MAX_DAYS_AHEAD} days of the start date` });
        }
        if (errors.length > 0 || !start) throw invalid(errors);
        const firstBill = trialEnd ?? start;
        const scheduled = compare(start, today) > 0;
        const id = newId('subscription');
        const stamp = clock.now();
        const row: store.SubscriptionRow = {
          merchantId: tenant.merchantId,
          id,
          customerId: customer.id,
          status: scheduled ? 'scheduled' : trialEnd ? 'trialing' : 'active',
          currency,
          intervalMonths,
          billingAnchorDay: toParts(firstBill).day,
          startDate: start,
          trialEnd,
          currentPeriodStart: null,
          currentPeriodEnd: null,
          // A scheduled start is the run's next date even with a trial: it then starts the trial.
          nextBillDate: scheduled ? start : firstBill,
          cancelAtPeriodEnd: false,
          cancelAt: null,
          canceledAt: null,
          endedAt: null,
          cancellationReason: null,
          cancellationFeedback: null,
          cancellationInitiator: null,
          pausedAt: null,
          metadata: input.metadata ?? {},
          createdAt: stamp,
          updatedAt: stamp,
        };
        const items = itemRows(tenant, id, resolved, stamp);
        await store.insertSubscription(tx, row, items);
        await record(tx, tenant, 'subscription.created', { ...row, items });
        // Billed in advance: a period that has started is invoiced in this same transaction.
        await billing.billInTransaction(tx, { merchantId: tenant.merchantId, testClockId: customer.testClockId, subscriptionId: id }, now, merchant);
        // Billing moved the subscription to its period; its items are as inserted.
        return { ...(await store.findSubscription(tx, tenant.merchantId, id))!, items };
      });
    },

    async update(tenant: Caller, id: string, input: UpdateSubscriptionInput): Promise<Subscription> {
      const wanted = input.items ? await resolveItems(tenant, input.items) : undefined;
      return inTransaction(db, tenant, async (tx) => {
        const sub = await load(tx, tenant, id, { forUpdate: true });
        if (wanted && sub.status === 'canceled') throw invalidState(sub, 'changed');
        if (wanted && wanted.intervalMonths !== sub.intervalMonths) {
          throw invalid([{ field: 'items', location: 'body', message: `must bill every ${sub.intervalMonths} month(s) like the subscription` }]);
        }
        if (wanted && wanted.currency !== sub.currency) throw invalid([{ field: 'items', location: 'body', message: `must be in ${sub.currency}` }]);
        const before = toSubscriptionResource(sub, sub.items, tenant.livemode);
        const stamp = clock.now();
        let next: Subscription = { ...sub, updatedAt: stamp };
        if (input.metadata !== undefined) next.metadata = mergeMetadata(sub.metadata, input.metadata);
        if (wanted) {
          const items = itemRows(tenant, id, wanted.resolved, stamp);
          const { today } = await context(tx, tenant, sub.customerId);
          // A paused subscription has paid for its period too: a change within it is prorated alike.
          if ((input.proration_behavior ?? 'create_prorations') === 'create_prorations' && (sub.status === 'active' || sub.status === 'paused')) {
            await ledger.addPendingItems(tx, await prorations({ ...tenant, tx }, sub, wanted.resolved, today, stamp));
          }
          await store.replaceItems(tx, tenant.merchantId, id, items);
          next = { ...next, items };
        }
        const updated: Subscription = { ...(await store.updateSubscription(tx, next)), items: next.items };
        await record(tx, tenant, 'subscription.updated', updated, { items: before.items, metadata: before.metadata, updated_at: before.updated_at });
        return updated;
      });
    },

    cancel(tenant: Caller, id: string, input: CancelSubscriptionInput): Promise<Subscription> {
      return inTransaction(db, tenant, async (tx) => {
        const sub = await load(tx, tenant, id, { forUpdate: true });
        if (sub.status === 'canceled') throw invalidState(sub, 'canceled again');
        const { now, today } = await context(tx, tenant, sub.customerId);
        const stamp = clock.now();
        const details = {
          canceledAt: now,
          cancellationReason: input.reason,
          cancellationFeedback: input.feedback ?? null,
          cancellationInitiator: input.initiator ?? 'merchant',
          updatedAt: stamp,
        };
        // At period end: only a billed period can run out; otherwise there is nothing to wait for.
        if (input.at_period_end && sub.status !== 'scheduled' && sub.status !== 'paused' && sub.nextBillDate) {
          const next = { ...sub, ...details, cancelAtPeriodEnd: true, cancelAt: sub.nextBillDate };
          const updated: Subscription = { ...(await store.updateSubscription(tx, next)), items: sub.items };
          await record(tx, tenant, 'subscription.updated', updated, { cancel_at_period_end: false, cancel_at: sub.cancelAt });
          return updated;
        }
        const inPeriod = !!sub.currentPeriodEnd && compare(today, sub.currentPeriodEnd as CalendarDate) < 0;
        const prorated = !!input.prorate && inPeriod;
        // Ending now settles what is pending (prorations of earlier changes) and, with prorate,
        // credits the unused days of the current items: one final invoice or one credit note.
        await billing.settleInTransaction(
          tx,
          tenant.merchantId,
          { id: sub.id, customerId: sub.customerId, currency: sub.currency, currentPeriodStart: sub.currentPeriodStart },
          prorated ? await unusedTime({ ...tenant, tx }, sub, today) : [],
          now,
        );
        const next = {
          ...sub,
          ...details,
          status: 'canceled' as const,
          endedAt: now,
          nextBillDate: null,
          cancelAtPeriodEnd: false,
          cancelAt: today,
          // A credited period ends today; an uncredited one stays paid for until its end.
          currentPeriodEnd: prorated ? today : sub.currentPeriodEnd,
        };
        const updated: Subscription = { ...(await store.updateSubscription(tx, next)), items: sub.items };
        await record(tx, tenant, 'subscription.canceled', updated, { status: sub.status });
        return updated;
      });
    },

    pause(tenant: Caller, id: string): Promise<Subscription> {
      return transition(tenant, id, 'subscription.paused', (sub, ctx) => {
        if (sub.status !== 'active' && sub.status !== 'trialing') throw invalidState(sub, 'paused');
        if (sub.cancelAtPeriodEnd) throw new DomainError('invalid_state', 'The subscription ends at period end; reactivate it before pausing');
        return { ...sub, status: 'paused', pausedAt: ctx.now };
      });
    },

    /**
     * Back to active. Inside the period already paid for, billing simply continues on its dates;
     * after it, a new period starts today (the anchor moves) and is invoiced at once.
     */
    resume(tenant: Caller, id: string): Promise<Subscription> {
      return transition(tenant, id, 'subscription.resumed', (sub, ctx) => {
        if (sub.status !== 'paused') throw invalidState(sub, 'resumed');
        const inPaidPeriod = sub.nextBillDate !== null && compare(ctx.today, sub.nextBillDate as CalendarDate) < 0;
        const restart = inPaidPeriod ? {} : { nextBillDate: ctx.today, billingAnchorDay: toParts(ctx.today).day };
        return { ...sub, ...restart, status: sub.trialEnd && !sub.currentPeriodStart ? 'trialing' : 'active', pausedAt: null };
      });
    },

    /** Undoes a pending cancel-at-period-end, or restarts a canceled subscription from today. */
    reactivate(tenant: Caller, id: string): Promise<Subscription> {
      return transition(tenant, id, 'subscription.reactivated', async (sub, ctx, tx) => {
        const cleared = { cancelAtPeriodEnd: false, cancelAt: null, canceledAt: null, cancellationReason: null, cancellationFeedback: null, cancellationInitiator: null };
        if (sub.status !== 'canceled') {
          if (!sub.cancelAtPeriodEnd) throw new DomainError('invalid_state', 'Only a canceled subscription, or one set to cancel at period end, can be reactivated');
          return { ...sub, ...cleared };
        }
        // A live subscription again: not for an archived customer (see customers.archive).
        const customer = await customers.lockForSubscription(tx, tenant.merchantId, sub.customerId);
        if (customer?.archivedAt) throw new DomainError('invalid_state', `Customer ${sub.customerId} is archived; unarchive the customer before reactivating`);
        // Never billed (canceled while scheduled or trialing): back to its start or trial end.
        if (!sub.currentPeriodStart) {
          const start = sub.startDate as CalendarDate;
          const trialEnd = sub.trialEnd as CalendarDate | null;
          const back = { ...sub, ...cleared, endedAt: null };
          if (compare(start, ctx.today) > 0) return { ...back, status: 'scheduled', nextBillDate: start };
          if (trialEnd && compare(ctx.today, trialEnd) < 0) return { ...back, status: 'trialing', nextBillDate: trialEnd };
          return { ...back, status: 'active', nextBillDate: ctx.today, billingAnchorDay: toParts(ctx.today).day };
        }
        // Still inside the period paid for (and not credited): billing continues on its dates.
        if (sub.currentPeriodEnd && compare(ctx.today, sub.currentPeriodEnd as CalendarDate) < 0) {
          return { ...sub, ...cleared, status: 'active', endedAt: null, nextBillDate: sub.currentPeriodEnd };
        }
        if (sub.currentPeriodStart === ctx.today) {
          throw new DomainError('invalid_state', 'A period starting today was already invoiced (and credited); reactivate tomorrow or create a new subscription');
        }
        return { ...sub, ...cleared, status: 'active', endedAt: null, nextBillDate: ctx.today, billingAnchorDay: toParts(ctx.today).day };
      });
    },
  };

  /**
   * Proration of an item change on `today`: for each price whose quantity changes, the unused
   * part of the old quantity is credited and the new quantity charged for the days left, as
   * pending items the next invoice carries.
   */
  async function prorations(
    scope: Caller,
    sub: Subscription,
    wanted: { price: Price; quantity: number }[],
    today: CalendarDate,
    stamp: Date,
  ): Promise<PendingItemRow[]> {
    if (!sub.currentPeriodStart || !sub.currentPeriodEnd) return [];
    const share = remainingShare(sub.currentPeriodStart as CalendarDate, sub.currentPeriodEnd as CalendarDate, today);
    if (share.days === 0) return [];
    const oldQty = new Map(sub.items.map((i) => [i.priceId, i.quantity]));
    const newQty = new Map(wanted.map((w) => [w.price.id, w.quantity]));
    const out: PendingItemRow[] = [];
    for (const priceId of new Set([...oldQty.keys(), ...newQty.keys()])) {
      const delta = (newQty.get(priceId) ?? 0) - (oldQty.get(priceId) ?? 0);
      if (delta === 0) continue;
      const price = wanted.find((w) => w.price.id === priceId)?.price ?? (await catalog.findPrice(scope, priceId))!;
      const product = await catalog.findProduct(scope, price.productId);
      const name = [product?.name, price.nickname].filter(Boolean).join(' – ');
      const amount = prorate(price.unitAmount * delta, share.days, share.of);
      if (amount === 0) continue;
      out.push({
        merchantId: scope.merchantId,
        id: newId('invoiceItem'),
        customerId: sub.customerId,
        subscriptionId: sub.id,
        invoiceId: null,
        description: `${delta > 0 ? 'Remaining time on' : 'Unused time on'} ${Math.abs(delta)} × ${name}`,
        quantity: 1,
        unitAmount: amount,
        taxBehavior: price.taxBehavior,
        vatRate: price.vatRate,
        priceId,
        periodStart: today,
        periodEnd: sub.currentPeriodEnd,
        createdAt: stamp,
      });
    }
    return out;
  }

  /** Credits for the unused days of the current items, from `today` to the period's end. */
  async function unusedTime(scope: Caller, sub: Subscription, today: CalendarDate): Promise<LineInput[]> {
    const end = sub.currentPeriodEnd as CalendarDate;
    const share = remainingShare(sub.currentPeriodStart as CalendarDate, end, today);
    const lines: LineInput[] = [];
    for (const item of sub.items) {
      const price = (await catalog.findPrice(scope, item.priceId))!;
      const product = await catalog.findProduct(scope, price.productId);
      const amount = prorate(price.unitAmount * item.quantity, share.days, share.of);
      if (amount === 0) continue;
      lines.push({
        description: `Unused time (${today} – ${addDays(end, -1)}): ${item.quantity} × ${[product?.name, price.nickname].filter(Boolean).join(' – ')}`,
        quantity: 1,
        unitAmount: -amount,
        taxBehavior: price.taxBehavior,
        vatRate: price.vatRate,
        priceId: price.id,
        periodStart: today,
        periodEnd: end,
        proration: true,
      });
    }
    return lines;
  }
}
export type SubscriptionService = ReturnType<typeof createSubscriptionService>;

/** Subscriptions with their items, read in a caller's transaction (billing reports the status changes of a batch). */
export function createSubscriptionReader() {
  return {
    /** The customer's subscriptions that are not canceled (any that still bill or will). */
    liveIdsOf: (q: Queryable, merchantId: string, customerId: string) => store.liveSubscriptionIdsOf(q, merchantId, customerId),
    /** Every subscription of the customer as a span (endedAt null while it is not canceled), oldest first. */
    spansOf: (q: Queryable, merchantId: string, customerId: string) => store.subscriptionSpansOf(q, merchantId, customerId),
    async findWithItems(tx: Tx, merchantId: string, ids: string[]): Promise<Subscription[]> {
      const rows = await store.findSubscriptions(tx, merchantId, ids);
      const items = await store.findItemsOf(tx, merchantId, ids);
      return rows.map((r) => ({ ...r, items: items.get(r.id) ?? [] }));
    },
  };
}
export type SubscriptionReader = ReturnType<typeof createSubscriptionReader>;
