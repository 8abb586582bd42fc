// One billing batch, in the caller's transaction: lock what is due, build each invoice (lines,
// VAT, rounding, number, OCR, due date), write them all, move each subscription to its next
// period and record the events. Exactly once per subscription and period: the locked row moves
// on in the same transaction, and the unique (subscription, period_start) key backs it up.
import type { Tx } from '../../db/client.ts';
import { newId } from '../../db/ids.ts';
import type { Clock } from '../../clock.ts';
import { compare, startOfDayInstant, toCalendarDate, type CalendarDate } from '../../domain/calendar-date.ts';
import { periodEnd } from '../../domain/billing-period.ts';
import type { EventService, NewEvent } from '../events/service.ts';
import type { Tenant } from '../../kernel/tenant.ts';
import type { Merchant as MerchantRow } from '../merchants/service.ts';
import { missingNames, sellerSettingsProblem } from '../merchants/settings.ts';
import type { DomainError } from '../../kernel/errors.ts';
import type { CustomerService } from '../customers/service.ts';
import type { InvoiceLedger } from '../invoices/ledger.ts';
import type { SubscriptionReader } from '../subscriptions/service.ts';
import type { CreditNoteService } from '../invoices/credit-notes.ts';
import type { CreditLedger } from '../payments/credit.ts';
import { OCR_SERIES, finalFields, invoiceSeries, isReverseCharge, type BuyerFields, type InvoiceLineRow, type InvoiceRow, type LineInput } from '../invoices/compose.ts';
import { toInvoiceResource } from '../invoices/contract.ts';
import { toSubscriptionResource } from '../subscriptions/contract.ts';
import { fitCredits, type PendingLine } from './credits.ts';
import { pendingLine, settleSubscription, subscriptionInvoice } from './settle.ts';
import type { CollectionService } from '../collection/service.ts';
import type { PeppolOutbox } from '../peppol/sending.ts';
import * as store from './store.ts';

export type BillingDeps = {
  clock: Clock;
  events: Pick<EventService, 'recordMany'>;
  creditNotes: Pick<CreditNoteService, 'issue'>;
  customers: Pick<CustomerService, 'find'>;
  ledger: Pick<InvoiceLedger, 'allocateNumbers' | 'insertIssued' | 'findPeriodInvoice' | 'lockInvoice'>;
  subscriptions: Pick<SubscriptionReader, 'findWithItems'>;
  // Customer credit (earlier overpayments) used on the invoices a batch issues.
  credit: Pick<CreditLedger, 'applyToInvoices'>;
  // Invoices of card, Swish and autogiro customers get their first collection attempt as they are issued.
  collection: Pick<CollectionService, 'scheduleForInvoices'>;
  // Invoices of customers who chose peppol delivery are queued for sending as they are issued.
  einvoices: Pick<PeppolOutbox, 'enqueueForInvoices'>;
};

export type BatchResult = {
  locked: number;
  invoices: InvoiceRow[];
  ended: string[];
  // Scheduled subscriptions whose trial began.
  started: number;
  // Subscriptions whose invoice cannot be computed (amounts beyond what an invoice can hold): left
  // due and reported, so one bad row does not stop everyone else's billing.
  // `problem`: the merchant's own settings stop every invoice (seller_settings_incomplete).
  skipped: { id: string; reason: string; problem?: DomainError }[];
  last?: store.Cursor;
};

function buyerFields(s: store.DueSubscription): BuyerFields & { locale: 'sv' | 'en' } {
  return {
    id: s.customer_id,
    externalId: s.c_external_id,
    type: s.c_type,
    name: s.c_name,
    vatNumber: s.c_vat_number,
    addressLine1: s.c_address_line1,
    addressLine2: s.c_address_line2,
    postalCode: s.c_postal_code,
    city: s.c_city,
    country: s.c_country,
    locale: s.c_locale,
    email: s.c_email,
    paymentMethod: s.c_payment_method,
    delivery: s.c_delivery,
  };
}

export async function billBatch(
  deps: BillingDeps,
  tx: Tx,
  tenant: Tenant,
  merchant: MerchantRow,
  scope: store.Scope,
  asOf: Date,
  limit: number,
  after?: store.Cursor,
): Promise<BatchResult> {
  const today = toCalendarDate(asOf, merchant.timeZone);
  // Without the seller details an invoice needs, nothing is invoiced: those subscriptions stay due
  // (and bill once the settings are complete); endings and trial starts still happen.
  const sellerProblem = sellerSettingsProblem(merchant);
  const sellerReason = sellerProblem && `seller settings incomplete (missing ${missingNames(sellerProblem.errors ?? [])}; set them with PATCH /v1/merchant)`;
  const due = await store.lockDue(tx, scope, today, limit, after);
  if (due.length === 0) return { locked: 0, invoices: [], ended: [], started: 0, skipped: [] };
  const lastDue = due[due.length - 1]!;
  const now = deps.clock.now();

  const advances: store.SubscriptionAdvance[] = [];
  const ended: store.DueSubscription[] = [];
  const billed: store.DueSubscription[] = [];
  const starting: store.DueSubscription[] = [];
  const skipped: BatchResult['skipped'] = [];
  const invoices: InvoiceRow[] = [];
  const lines: InvoiceLineRow[] = [];
  const pendingUsed: { id: string; invoice_id: string }[] = [];
  const splits: { pendingId: string; usedAmount: number; remainingAmount: number; invoiceId: string }[] = [];
  for (const s of due) {
    const start = s.next_bill_date as CalendarDate;
    if (s.cancel_at && compare(start, s.cancel_at as CalendarDate) >= 0) {
      if (sellerProblem && s.pending?.length) {
        // Ending settles what is pending, which may need a final invoice.
        skipped.push({ id: s.id, reason: sellerReason!, problem: sellerProblem });
        continue;
      }
      // Canceled at period end: the period it would start is never billed.
      ended.push(s);
      const endedAt = startOfDayInstant(s.cancel_at as CalendarDate, merchant.timeZone).toISOString();
      advances.push({ id: s.id, status: 'canceled', current_period_start: null, current_period_end: null, next_bill_date: null, ended_at: endedAt });
      continue;
    }
    if (s.status === 'scheduled' && s.trial_end && compare(s.trial_end as CalendarDate, start) > 0) {
      // A scheduled start with a trial: the trial begins; its end is the first billing date.
      starting.push(s);
      advances.push({ id: s.id, status: 'trialing', current_period_start: null, current_period_end: null, next_bill_date: s.trial_end, ended_at: null });
      continue;
    }
    if (sellerProblem) {
      skipped.push({ id: s.id, reason: sellerReason!, problem: sellerProblem });
      continue;
    }
    try {
      const end = periodEnd(start, s.billing_anchor_day, s.interval_months);
      const base: LineInput[] = s.items.map((it) => ({
        description: it.description,
        quantity: it.quantity,
        unitAmount: Number(it.unit_amount),
        taxBehavior: it.tax_behavior,
        vatRate: it.vat_rate,
        priceId: it.price_id,
        subscriptionItemId: it.id,
        periodStart: start,
        periodEnd: end,
      }));
      const customer = buyerFields(s);
      const id = newId('invoice');
      const pending: PendingLine[] = (s.pending ?? []).map(pendingLine);
      const fit = fitCredits(base, pending, s.currency, isReverseCharge(customer));
      const invoice = subscriptionInvoice(merchant, {
        id,
        customer,
        subscriptionId: s.id,
        currency: s.currency,
        reason: s.current_period_start === null ? 'subscription_create' : 'subscription_cycle',
        periodStart: start,
        periodEnd: end,
        inputs: [...base, ...fit.lines],
        today,
        asOf,
        now,
      });
      for (const l of fit.lines) {
        if (fit.split && l.pendingId === fit.split.pendingId) splits.push({ ...fit.split, invoiceId: id });
        else pendingUsed.push({ id: l.pendingId, invoice_id: id });
      }
      invoices.push(invoice.row);
      lines.push(...invoice.lines);
      billed.push(s);
      advances.push({ id: s.id, status: 'active', current_period_start: start, current_period_end: end, next_bill_date: end, ended_at: null });
    } catch (err) {
      if (!(err instanceof RangeError)) throw err;
      skipped.push({ id: s.id, reason: err.message });
    }
  }
  await store.advanceSubscriptions(tx, merchant.id, advances, now);
  // Credit before numbers: customers' balances are locked before the number series (lock order).
  await deps.credit.applyToInvoices(tx, tenant, invoices);

  const events: NewEvent[] = [];
  if (invoices.length > 0) {
    // Numbers last: the series row stays locked until commit, so concurrent batches of one
    // merchant wait for each other only from here on.
    const [firstNumber, firstOcr] = (await deps.ledger.allocateNumbers(tx, merchant.id, [
      { series: invoiceSeries(merchant), count: invoices.length },
      { series: OCR_SERIES, count: invoices.length },
    ])) as [number, number];
    let l = 0;
    invoices.forEach((row, i) => {
      Object.assign(row, finalFields(merchant, firstNumber + i, firstOcr + i, today, merchant.paymentTermsDays));
      const own: InvoiceLineRow[] = [];
      while (l < lines.length && lines[l]!.invoiceId === row.id) own.push(lines[l++]!);
      const object = toInvoiceResource(row, own, tenant.livemode);
      events.push({ type: 'invoice.created', objectId: row.id, object }, { type: 'invoice.finalized', objectId: row.id, object });
      if (row.status === 'paid') events.push({ type: 'invoice.paid', objectId: row.id, object });
    });
    await deps.ledger.insertIssued(tx, invoices, lines);
    await deps.collection.scheduleForInvoices(tx, tenant, merchant.timeZone, invoices);
    await deps.einvoices.enqueueForInvoices(tx, tenant, invoices);
    await store.attachPendingItems(tx, merchant.id, pendingUsed);
    for (const sp of splits) {
      await store.splitPendingItem(tx, merchant.id, sp.pendingId, { newId: newId('invoiceItem'), amount: sp.usedAmount, invoiceId: sp.invoiceId }, sp.remainingAmount);
    }
  }
  // A subscription that ends with prorations still pending gets them settled: a final invoice, or
  // a credit note against its last invoice. Rare, so one at a time.
  for (const s of ended) {
    if (s.pending?.length) {
      await settleSubscription(deps, tx, tenant, merchant, { id: s.id, customerId: s.customer_id, currency: s.currency, currentPeriodStart: s.current_period_start }, [], today, asOf);
    }
  }

  // Status changes (a trial or scheduled start becoming active, a cancellation taking effect) are
  // few per batch; renewals change only the period and stay quiet, as invoice events tell of them.
  const before = new Map(due.map((s) => [s.id, s.status]));
  const changed = [...ended, ...starting, ...billed.filter((s) => s.status !== 'active')].map((s) => s.id);
  for (const row of await deps.subscriptions.findWithItems(tx, merchant.id, changed)) {
    const object = toSubscriptionResource(row, row.items, tenant.livemode);
    const type = row.status === 'canceled' ? 'subscription.canceled' : 'subscription.updated';
    events.push({ type, objectId: row.id, object, previousAttributes: { status: before.get(row.id) } });
  }
  await deps.events.recordMany(tx, tenant, events);
  return { locked: due.length, invoices, ended: ended.map((s) => s.id), started: starting.length, skipped, last: { date: lastDue.next_bill_date, id: lastDue.id } };
}
