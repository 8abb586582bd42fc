// What other modules write into the invoices module, inside their own transaction: billing issues
// a batch of subscription invoices at once, subscriptions leave prorations pending for the next
// invoice, merchants ask whether OCR references were issued. Narrow on purpose: composition
// (src/services.ts) hands each caller only the functions it needs (Pick<InvoiceLedger, …>).
import type { Queryable, Tx } from '../../db/client.ts';
import { allocateEach, issuedCount } from './number-series.ts';
import type { InvoiceLineRow, InvoiceRow } from './compose.ts';
import * as store from './store.ts';

export type PendingItemRow = store.PendingItemRow;

export function createInvoiceLedger() {
  return {
    /** Reserves numbers of several series in one statement; see number-series.ts. */
    allocateNumbers: (tx: Tx, merchantId: string, wanted: { series: string; count: number }[]) => allocateEach(tx, merchantId, wanted),
    issuedCount: (q: Queryable, merchantId: string, series: string) => issuedCount(q, merchantId, series),
    /** Finalised invoices and their lines, in bulk. */
    insertIssued: (tx: Tx, rows: InvoiceRow[], lines: InvoiceLineRow[]) => store.insertInvoices(tx, rows, lines),
    findPeriodInvoice: (tx: Tx, merchantId: string, subscriptionId: string, periodStart: string) => store.findPeriodInvoice(tx, merchantId, subscriptionId, periodStart),
    lockInvoice: (tx: Tx, merchantId: string, id: string) => store.findInvoice(tx, merchantId, id, { forUpdate: true }),
    // Payments (the payments module): resolve references, lock in id order, write in bulk.
    findByOcr: (q: Queryable, merchantId: string, refs: string[]) => store.findByOcr(q, merchantId, refs),
    findPayableOf: (q: Queryable, merchantId: string, customerIds: string[]) => store.findPayableOf(q, merchantId, customerIds),
    findInvoices: (q: Queryable, merchantId: string, ids: string[]) => store.findInvoices(q, merchantId, ids),
    lockInvoices: (tx: Tx, merchantId: string, ids: string[]) => store.lockInvoices(tx, merchantId, ids),
    writeSettlements: (tx: Tx, merchantId: string, rows: InvoiceRow[]) => store.writeSettlements(tx, merchantId, rows),
    /** Payment plans: invoices taken over, settled or given back, and instalments closed (see store.writePlanChanges). */
    writePlanChanges: (tx: Tx, merchantId: string, rows: InvoiceRow[]) => store.writePlanChanges(tx, merchantId, rows),
    linesOf: (q: Queryable, merchantId: string, ids: string[]) => store.findLinesOf(q, merchantId, ids),
    /** Items the next invoice of a subscription carries (prorations). */
    addPendingItems: (tx: Tx, rows: PendingItemRow[]) => store.insertPendingItems(tx, rows),
  };
}
export type InvoiceLedger = ReturnType<typeof createInvoiceLedger>;
