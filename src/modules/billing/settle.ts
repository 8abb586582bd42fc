// Subscription invoices built one way, and what is left when a subscription ends: prorations
// still pending (and, on a prorated cancellation, the unused days) become a final invoice when
// they add up to a charge, or a credit note against the last invoice when they add up to a credit.
import type { Tx } from '../../db/client.ts';
import { newId } from '../../db/ids.ts';
import type { CalendarDate } from '../../domain/calendar-date.ts';
import type { Tenant } from '../../kernel/tenant.ts';
import type { Merchant as MerchantRow } from '../merchants/service.ts';
import { assertSellerComplete } from '../merchants/settings.ts';
import {
  OCR_SERIES,
  buyerOf,
  finalFields,
  invoiceSeries,
  isReverseCharge,
  priceLines,
  type BuyerFields,
  type InvoiceLineRow,
  type InvoiceRow,
  type LineInput,
} from '../invoices/compose.ts';
import { toInvoiceResource } from '../invoices/contract.ts';
import type { PendingLine } from './credits.ts';
import type { BillingDeps } from './bill.ts';
import * as store from './store.ts';

export function pendingLine(p: store.DuePending): PendingLine {
  return {
    pendingId: p.id,
    description: p.description,
    quantity: p.quantity,
    unitAmount: Number(p.unit_amount),
    taxBehavior: p.tax_behavior,
    vatRate: p.vat_rate,
    priceId: p.price_id,
    periodStart: p.period_start,
    periodEnd: p.period_end,
    proration: true,
  };
}

/** A finalised subscription invoice, numbered by the caller (numbers are allocated per batch). */
export function subscriptionInvoice(
  merchant: MerchantRow,
  a: {
    id: string;
    customer: BuyerFields & { locale: 'sv' | 'en' };
    subscriptionId: string;
    currency: string;
    reason: InvoiceRow['billingReason'];
    periodStart: string | null;
    periodEnd: string | null;
    inputs: LineInput[];
    today: CalendarDate;
    asOf: Date;
    now: Date;
  },
): { row: InvoiceRow; lines: InvoiceLineRow[] } {
  const reverseCharge = isReverseCharge(a.customer);
  const priced = priceLines(merchant.id, a.id, a.inputs, a.currency, reverseCharge);
  const settled = priced.amounts.amountDue === 0;
  const row: InvoiceRow = {
    merchantId: merchant.id,
    id: a.id,
    customerId: a.customer.id,
    subscriptionId: a.subscriptionId,
    billingReason: a.reason,
    status: settled ? 'paid' : 'open',
    currency: a.currency,
    periodStart: a.periodStart,
    periodEnd: a.periodEnd,
    ...priced.amounts,
    amountPaid: 0,
    amountCredited: 0,
    amountFromBalance: 0,
    amountPlan: 0,
    ...finalFields(merchant, 0, 0, a.today, merchant.paymentTermsDays), // numbered by the caller
    buyer: buyerOf(a.customer),
    reverseCharge,
    locale: a.customer.locale,
    paymentTermsDays: merchant.paymentTermsDays,
    memo: null,
    metadata: {},
    createdAt: a.asOf,
    updatedAt: a.now,
    finalizedAt: a.now,
    paidAt: settled ? a.now : null,
    voidedAt: null,
    markedUncollectibleAt: null,
  };
  return { row, lines: priced.lines };
}

/**
 * Settles an ending subscription: its pending items plus `extra` (e.g. credits for unused days).
 * A net charge becomes a final invoice; a net credit a credit note against the invoice of the
 * current period, as far as that invoice can still be credited.
 */
export async function settleSubscription(
  deps: BillingDeps,
  tx: Tx,
  tenant: Tenant,
  merchant: MerchantRow,
  sub: { id: string; customerId: string; currency: string; currentPeriodStart: string | null },
  extra: LineInput[],
  today: CalendarDate,
  asOf: Date,
): Promise<void> {
  const pending = (await store.lockPendingItems(tx, merchant.id, sub.id)).map(pendingLine);
  const inputs: LineInput[] = [...extra, ...pending];
  if (inputs.length === 0) return;
  const customer = (await deps.customers.find({ merchantId: merchant.id, tx }, sub.customerId))!;
  const id = newId('invoice');
  const now = deps.clock.now();
  const { row, lines } = subscriptionInvoice(merchant, {
    id,
    customer,
    subscriptionId: sub.id,
    currency: sub.currency,
    reason: 'subscription_final',
    periodStart: null,
    periodEnd: null,
    inputs,
    today,
    asOf,
    now,
  });
  const attach = async (to: string) =>
    store.attachPendingItems(tx, merchant.id, pending.map((p) => ({ id: p.pendingId, invoice_id: to })));

  if (row.total > 0) {
    // A final invoice needs the seller details like any other (the request is refused, nothing changes).
    assertSellerComplete(merchant);
    await deps.credit.applyToInvoices(tx, tenant, [row]);
    const [numberSeq, ocrSeq] = (await deps.ledger.allocateNumbers(tx, merchant.id, [
      { series: invoiceSeries(merchant), count: 1 },
      { series: OCR_SERIES, count: 1 },
    ])) as [number, number];
    Object.assign(row, finalFields(merchant, numberSeq, ocrSeq, today, merchant.paymentTermsDays));
    await deps.ledger.insertIssued(tx, [row], lines);
    await deps.collection.scheduleForInvoices(tx, tenant, merchant.timeZone, [row]);
    await deps.einvoices.enqueueForInvoices(tx, tenant, [row]);
    const object = toInvoiceResource(row, lines, tenant.livemode);
    await deps.events.recordMany(tx, tenant, [
      { type: 'invoice.created', objectId: id, object },
      { type: 'invoice.finalized', objectId: id, object },
    ]);
    await attach(id);
    return;
  }
  if (row.total === 0 || !sub.currentPeriodStart) {
    if (row.total === 0) await attach(id);
    return;
  }
  const period = await deps.ledger.findPeriodInvoice(tx, merchant.id, sub.id, sub.currentPeriodStart);
  const invoice = period && (await deps.ledger.lockInvoice(tx, merchant.id, period.id));
  // Nothing left to credit (voided, or credited in full already): the credit stays pending and
  // goes on the next invoice should the subscription be reactivated.
  if (!invoice || !['open', 'partially_paid', 'paid', 'uncollectible', 'in_collection'].includes(invoice.status) || invoice.amountDue - invoice.amountCredited <= 0) return;
  const note = await deps.creditNotes.issue(
    tx,
    tenant,
    invoice,
    inputs.map((l) => ({ ...l, invoiceLineNo: null, quantity: 1, unitAmount: -(l.unitAmount * l.quantity) })),
    { reason: 'subscription_canceled', memo: null },
  );
  await attach(note.id);
}
