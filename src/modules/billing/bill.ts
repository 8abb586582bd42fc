// One billing batch, in the caller's transaction: lock what is due, build each invoice (lines,
// VAT, rounding, number, OCR, due date), write them all, move each subscription to its next
// period and record the events. Exactly once per subscription and period: the locked row moves
// on in the same transaction, and the unique (subscription, period_start) key backs it up.
import type { Tx } from '../../db/client.ts';
import { newId } from '../../db/ids.ts';
import type { Clock } from '../../clock.ts';
import { compare, startOfDayInstant, toCalendarDate, type CalendarDate } from '../../domain/calendar-date.ts';
import { periodEnd } from '../../domain/billing-period.ts';
import type { EventService, NewEvent, Tenant } from '../events/service.ts';
import type { MerchantRow } from '../merchants/store.ts';
import { OCR_SERIES, buyerOf, finalFields, isReverseCharge, type BuyerFields, invoiceSeries, priceLines, type InvoiceLineRow, type InvoiceRow, type LineInput } from '../invoices/compose.ts';
import { allocate } from '../invoices/number-series.ts';
import { insertInvoices } from '../invoices/store.ts';
import { toInvoiceResource } from '../invoices/contract.ts';
import { findItemsOf, findSubscriptions } from '../subscriptions/store.ts';
import { toSubscriptionResource } from '../subscriptions/contract.ts';
import * as store from './store.ts';

export type BatchResult = { locked: number; invoices: InvoiceRow[]; ended: string[]; last?: store.Cursor };

function buyerFields(s: store.DueSubscription): BuyerFields {
  return {
    id: s.customer_id,
    type: s.c_type,
    name: s.c_name,
    vatNumber: s.c_vat_number,
    addressLine1: s.c_address_line1,
    addressLine2: s.c_address_line2,
    postalCode: s.c_postal_code,
    city: s.c_city,
    country: s.c_country,
  };
}

export async function billBatch(
  deps: { clock: Clock; events: Pick<EventService, 'recordMany'> },
  tx: Tx,
  tenant: Tenant,
  merchant: MerchantRow,
  scope: store.Scope,
  asOf: Date,
  limit: number,
  after?: store.Cursor,
): Promise<BatchResult> {
  const today = toCalendarDate(asOf, merchant.timeZone);
  const due = await store.lockDue(tx, scope, today, limit, after);
  if (due.length === 0) return { locked: 0, invoices: [], ended: [] };
  const lastDue = due[due.length - 1]!;

  const toBill: store.DueSubscription[] = [];
  const advances: store.SubscriptionAdvance[] = [];
  const ended: string[] = [];
  for (const s of due) {
    const start = s.next_bill_date as CalendarDate;
    if (s.cancel_at && compare(start, s.cancel_at as CalendarDate) >= 0) {
      // Canceled at period end: the period it would start is never billed.
      ended.push(s.id);
      advances.push({
        id: s.id,
        status: 'canceled',
        current_period_start: null,
        current_period_end: null,
        next_bill_date: null,
        ended_at: startOfDayInstant(s.cancel_at as CalendarDate, merchant.timeZone).toISOString(),
      });
    } else {
      toBill.push(s);
    }
  }

  const invoices: InvoiceRow[] = [];
  const lines: InvoiceLineRow[] = [];
  const pendingUsed: { id: string; invoice_id: string }[] = [];
  const events: NewEvent[] = [];
  const now = deps.clock.now();
  toBill.forEach((s) => {
    const start = s.next_bill_date as CalendarDate;
    const end = periodEnd(start, s.billing_anchor_day, s.interval_months);
    const id = newId('invoice');
    const inputs: LineInput[] = s.items.map((it) => ({
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
    for (const p of s.pending ?? []) {
      inputs.push({
        description: p.description,
        quantity: p.quantity,
        unitAmount: Number(p.unit_amount),
        taxBehavior: p.tax_behavior,
        vatRate: p.vat_rate,
        priceId: p.price_id,
        periodStart: p.period_start,
        periodEnd: p.period_end,
        proration: true,
      });
      pendingUsed.push({ id: p.id, invoice_id: id });
    }
    const customer = buyerFields(s);
    const reverseCharge = isReverseCharge(customer);
    const priced = priceLines(merchant.id, id, inputs, s.currency, reverseCharge);
    // A credit larger than the period's charge (a big downgrade) leaves nothing to pay, not a negative claim.
    const settled = priced.amounts.amountDue <= 0;
    const row: InvoiceRow = {
      merchantId: merchant.id,
      id,
      customerId: s.customer_id,
      subscriptionId: s.id,
      billingReason: s.current_period_start === null ? 'subscription_create' : 'subscription_cycle',
      status: settled ? 'paid' : 'open',
      currency: s.currency,
      periodStart: start,
      periodEnd: end,
      ...priced.amounts,
      amountRemaining: Math.max(0, priced.amounts.amountDue),
      amountPaid: 0,
      amountCredited: 0,
      ...finalFields(merchant, 0, 0, today, merchant.paymentTermsDays), // numbered below
      buyer: buyerOf(customer),
      reverseCharge,
      locale: s.c_locale,
      paymentTermsDays: merchant.paymentTermsDays,
      memo: null,
      metadata: {},
      createdAt: asOf,
      updatedAt: now,
      finalizedAt: now,
      paidAt: settled ? now : null,
      voidedAt: null,
      markedUncollectibleAt: null,
    };
    invoices.push(row);
    lines.push(...priced.lines);
    advances.push({ id: s.id, status: 'active', current_period_start: start, current_period_end: end, next_bill_date: end, ended_at: null });
  });
  await store.advanceSubscriptions(tx, merchant.id, advances, now);
  if (invoices.length > 0) {
    // Numbers last: the series row stays locked until commit, so concurrent batches of one
    // merchant wait for each other only from here on.
    const firstNumber = await allocate(tx, merchant.id, invoiceSeries(merchant), invoices.length);
    const firstOcr = await allocate(tx, merchant.id, OCR_SERIES, invoices.length);
    let l = 0;
    invoices.forEach((row, i) => {
      Object.assign(row, finalFields(merchant, firstNumber + i, firstOcr + i, today, merchant.paymentTermsDays));
      const own: InvoiceLineRow[] = [];
      while (l < lines.length && lines[l]!.invoiceId === row.id) own.push(lines[l++]!);
      const object = toInvoiceResource(row, own, tenant.livemode);
      events.push({ type: 'invoice.created', objectId: row.id, object }, { type: 'invoice.finalized', objectId: row.id, object });
      if (row.status === 'paid') events.push({ type: 'invoice.paid', objectId: row.id, object });
    });
    await insertInvoices(tx, invoices, lines);
    await store.attachPendingItems(tx, merchant.id, pendingUsed);
  }
  // Status changes (a trial or scheduled start becoming active, a cancellation taking effect) are
  // few per batch; renewals change only the period and stay quiet, as invoice events tell of them.
  const before = new Map(due.map((s) => [s.id, s.status]));
  const changed = [...ended, ...toBill.filter((s) => s.status !== 'active').map((s) => s.id)];
  const rows = await findSubscriptions(tx, merchant.id, changed);
  const items = await findItemsOf(tx, merchant.id, changed);
  for (const row of rows) {
    const object = toSubscriptionResource(row, items.get(row.id) ?? [], tenant.livemode);
    const type = row.status === 'canceled' ? 'subscription.canceled' : 'subscription.updated';
    events.push({ type, objectId: row.id, object, previousAttributes: { status: before.get(row.id) } });
  }
  await deps.events.recordMany(tx, tenant, events);
  return { locked: due.length, invoices, ended, last: { date: lastDue.next_bill_date, id: lastDue.id } };
}
