// The customer credit ledger: customers.balance and its entries (cbtxn_…). Payments put credit
// there (overpayments, assignments), refunds take it back, and finalisation uses it on the next
// invoice. Every change locks the customers' balances first (in id order), computes each entry's
// ending balance in order, then writes balances, entries and events in bulk on the caller's
// transaction. Lock order across the codebase: payments → invoices → customers → number series.
import type { Tx } from '../../db/client.ts';
import { newId } from '../../db/ids.ts';
import { bulkInsert } from '../../db/bulk.ts';
import type { Clock } from '../../clock.ts';
import type { Tenant } from '../../kernel/tenant.ts';
import { creditToApply } from '../../domain/payment-allocation.ts';
import type { CustomerService } from '../customers/service.ts';
import type { EventService, NewEvent } from '../events/service.ts';
import type { InvoiceRow } from '../invoices/compose.ts';
import { customerBalanceTransactions } from './schema.ts';
import { toBalanceTransactionResource } from './contract.ts';

export type BalanceTransactionRow = typeof customerBalanceTransactions.$inferSelect;
export type Balance = { id: string; balance: number; balanceCurrency: string | null };
export type CreditEntry = Pick<BalanceTransactionRow, 'customerId' | 'type' | 'amount' | 'currency'> &
  Partial<Pick<BalanceTransactionRow, 'paymentId' | 'invoiceId' | 'refundId'>>;

/** Balances locked for one unit of work; entries are applied in memory, then committed at once. */
export class CreditBook {
  readonly balances: Map<string, Balance>;
  readonly entries: BalanceTransactionRow[] = [];
  private readonly changed = new Set<string>();
  private readonly merchantId: string;
  private readonly now: Date;
  constructor(merchantId: string, now: Date, locked: Balance[]) {
    this.merchantId = merchantId;
    this.now = now;
    this.balances = new Map(locked.map((b) => [b.id, { ...b }]));
  }

  /** Whether this customer can take credit in this currency (one currency per balance). */
  accepts(customerId: string, currency: string): boolean {
    const b = this.balances.get(customerId);
    return !!b && (b.balance === 0 || b.balanceCurrency === currency);
  }

  available(customerId: string, currency: string): number {
    const b = this.balances.get(customerId);
    return b && b.balanceCurrency === currency ? b.balance : 0;
  }

  post(e: CreditEntry): BalanceTransactionRow {
    const b = this.balances.get(e.customerId);
    if (!b) throw new Error(`credit: customer ${e.customerId} was not locked`);
    if (b.balance > 0 && b.balanceCurrency !== e.currency) throw new RangeError(`credit: balance in ${b.balanceCurrency}, entry in ${e.currency}`);
    const ending = b.balance + e.amount;
    if (ending < 0) throw new RangeError('credit: the balance would go below zero');
    b.balance = ending;
    b.balanceCurrency = e.currency;
    this.changed.add(b.id);
    const row: BalanceTransactionRow = {
      merchantId: this.merchantId,
      id: newId('balanceTransaction'),
      customerId: e.customerId,
      type: e.type,
      amount: e.amount,
      currency: e.currency,
      endingBalance: ending,
      paymentId: e.paymentId ?? null,
      invoiceId: e.invoiceId ?? null,
      refundId: e.refundId ?? null,
      createdAt: this.now,
    };
    this.entries.push(row);
    return row;
  }

  changedBalances(): Balance[] {
    return [...this.changed].map((id) => this.balances.get(id)!);
  }
}

export function createCreditLedger(deps: {
  clock: Clock;
  events: Pick<EventService, 'recordMany'>;
  customers: Pick<CustomerService, 'lockBalances' | 'writeBalances'>;
}) {
  const { clock, events, customers } = deps;

  async function open(tx: Tx, merchantId: string, customerIds: string[], opts: { withCreditOnly?: boolean } = {}): Promise<CreditBook> {
    return new CreditBook(merchantId, clock.now(), await customers.lockBalances(tx, merchantId, customerIds, opts));
  }

  /** Balances, entries and one event per entry, in three statements. */
  async function commit(tx: Tx, tenant: Tenant, book: CreditBook): Promise<NewEvent[]> {
    if (book.entries.length === 0) return [];
    await customers.writeBalances(tx, tenant.merchantId, book.changedBalances());
    await bulkInsert(tx, customerBalanceTransactions, book.entries);
    const list: NewEvent[] = book.entries.map((e) => ({
      type: 'customer_balance_transaction.created',
      objectId: e.id,
      object: toBalanceTransactionResource(e, tenant.livemode),
    }));
    await events.recordMany(tx, tenant, list);
    return list;
  }

  return {
    open,
    commit,

    /**
     * Uses customers' credit on invoices being finalised (rows not yet written, or about to be
     * updated by the caller): `amount_from_balance` up to what each asks for, `paid` when the credit
     * covers it. Only customers holding credit are locked, so invoicing a customer without credit
     * costs one read and locks nothing. Call it before numbers are allocated (lock order).
     */
    async applyToInvoices(tx: Tx, tenant: Tenant, rows: InvoiceRow[]): Promise<void> {
      const owing = rows.filter((r) => r.amountRemaining > 0 && (r.status === 'open' || r.status === 'partially_paid'));
      if (owing.length === 0) return;
      const book = await open(tx, tenant.merchantId, owing.map((r) => r.customerId), { withCreditOnly: true });
      if (book.balances.size === 0) return;
      const now = clock.now();
      for (const r of owing) {
        const use = creditToApply(book.available(r.customerId, r.currency), r.amountRemaining);
        if (use === 0) continue;
        book.post({ customerId: r.customerId, type: 'applied_to_invoice', amount: -use, currency: r.currency, invoiceId: r.id });
        r.amountFromBalance += use;
        r.amountRemaining -= use;
        if (r.amountRemaining === 0) {
          r.status = 'paid';
          r.paidAt = now;
        }
      }
      await commit(tx, tenant, book);
    },
  };
}
export type CreditLedger = ReturnType<typeof createCreditLedger>;
