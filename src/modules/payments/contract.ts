// The payment, refund and customer balance transaction resources as the API shows them, and the
// bodies that record, assign and refund payments.
import { Type, type Static } from 'typebox';
import { Id, ListOf, ListQuery, Metadata, Nullable, Timestamp, eitherOr } from '../../http/schemas.ts';
import { maskNationalId } from '../../domain/national-id.ts';
import { BALANCE_TRANSACTION_TYPES, MATCH_KINDS, PAYMENT_METHODS, PAYMENT_STATUSES, type customerBalanceTransactions, type payments, type refunds } from './schema.ts';

export type PaymentRow = typeof payments.$inferSelect;
export type RefundRow = typeof refunds.$inferSelect;
type BalanceTransactionRow = typeof customerBalanceTransactions.$inferSelect;

const Money = (description: string) => Type.Integer({ description: `${description}, in minor units (öre)` });
const T = '2026-11-25T09:00:00.000Z';
const PY = 'py_01KB2Y5M8Q0ZC3V1S7N4D6F9XA';
const CUS = 'cus_01KB2Y5M8Q0ZC3V1S7N4D6F9XA';
const INV = 'in_01KB2Y5M8Q0ZC3V1S7N4D6F9XA';

const PayerBody = Type.Object(
  {
    name: Type.Optional(Nullable(Type.String({ maxLength: 200, description: 'As the bank gave it' }))),
    national_id: Type.Optional(
      Nullable(Type.String({ maxLength: 20, description: "The payer's personnummer or organisationsnummer: identifies the customer for the amount rule (stored normalised, shown masked)" })),
    ),
    bankgiro: Type.Optional(Nullable(Type.String({ maxLength: 20 }))),
    account: Type.Optional(Nullable(Type.String({ maxLength: 40, description: 'Bank account or IBAN' }))),
    email: Type.Optional(Nullable(Type.String({ maxLength: 254 }))),
  },
  { additionalProperties: false },
);

export const CreatePaymentBody = Type.Object(
  {
    amount: Type.Integer({ minimum: 1, maximum: 1_000_000_000_000, description: 'Minor units (öre)' }),
    currency: Type.Optional(Type.String({ pattern: '^[A-Z]{3}$', default: 'SEK', description: 'ISO 4217; default SEK' })),
    date: Type.Optional(Type.String({ format: 'date', description: 'When the money arrived (YYYY-MM-DD); default today in the merchant’s time zone' })),
    method: Type.Optional(Type.Enum(PAYMENT_METHODS, { default: 'other' })),
    reference: Type.Optional(
      Nullable(Type.String({ maxLength: 140, description: "The payer's reference: an invoice's OCR reference or its RF form (RF + check digits + the OCR) matches that invoice" })),
    ),
    payer: Type.Optional(PayerBody),
    invoice: Type.Optional(Id('invoice', 'The invoice this pays (skips matching)')),
    customer: Type.Optional(Id('customer', "The customer who paid: its one open invoice of this amount, else its credit balance")),
    metadata: Type.Optional(Metadata),
  },
  {
    additionalProperties: false,
    examples: [{ amount: 19900, currency: 'SEK', date: '2026-11-27', method: 'bankgiro', reference: '000011', payer: { name: 'Anna Andersson' } }],
  },
);
export type CreatePaymentInput = Static<typeof CreatePaymentBody>;

export const AssignPaymentBody = Type.Object(
  {
    invoice: Type.Optional(Id('invoice', 'Pay this invoice; what it does not need becomes its customer’s credit')),
    customer: Type.Optional(Id('customer', "Credit the whole unapplied amount to this customer's balance")),
  },
  { additionalProperties: false, examples: [{ invoice: INV }] },
);
export type AssignPaymentInput = Static<typeof AssignPaymentBody>;
eitherOr(AssignPaymentBody, [
  { title: 'To an invoice', required: ['invoice'], forbidden: ['customer'] },
  { title: "To a customer's credit", required: ['customer'], forbidden: ['invoice'] },
]);

export const CreateRefundBody = Type.Object(
  {
    amount: Type.Optional(Type.Integer({ minimum: 1, description: 'Minor units; default everything the payment still holds' })),
    reason: Type.Optional(Nullable(Type.String({ maxLength: 500 }))),
    metadata: Type.Optional(Metadata),
  },
  { additionalProperties: false, description: 'A refund of the payment, in full or in part', examples: [{ amount: 5000, reason: 'Paid twice' }] },
);
export type CreateRefundInput = Static<typeof CreateRefundBody>;

export const Payment = Type.Object(
  {
    id: Id('payment'),
    object: Type.Literal('payment'),
    livemode: Type.Boolean(),
    status: Type.Enum(PAYMENT_STATUSES, {
      description: 'matched (all of it paid an invoice or became customer credit), unmatched (waiting to be assigned: POST /v1/payments/{id}/assign), refunded (all of it paid back)',
    }),
    amount: Money('What was paid'),
    currency: Type.String(),
    date: Type.String({ format: 'date', description: 'When the money arrived (YYYY-MM-DD)' }),
    method: Type.Enum(PAYMENT_METHODS),
    reference: Nullable(Type.String()),
    payer: Type.Object({
      name: Nullable(Type.String()),
      national_id: Nullable(Type.String({ description: 'Masked: only the last four digits are shown' })),
      bankgiro: Nullable(Type.String()),
      account: Nullable(Type.String()),
      email: Nullable(Type.String()),
    }),
    customer: Nullable(Type.String({ description: 'Whose money it is, once known' })),
    invoice: Nullable(Type.String({ description: 'The invoice it paid, if any' })),
    matched_by: Nullable(
      Type.Enum(MATCH_KINDS, { description: 'How it was matched: named invoice or customer, OCR or RF reference, amount and payer, or by hand (assign)' }),
    ),
    amount_applied: Money('Paid on the invoice'),
    amount_credited: Money("Held as the customer's credit (an overpayment)"),
    amount_unapplied: Money('Waiting to be assigned'),
    amount_refunded: Money('Paid back'),
    metadata: Type.Record(Type.String(), Type.String()),
    created_at: Timestamp('When the payment was recorded'),
    updated_at: Timestamp('When it last changed'),
  },
  {
    $id: 'Payment',
    description: 'Money received from a customer: amount = amount_applied + amount_credited + amount_unapplied + amount_refunded',
    examples: [
      {
        id: PY,
        object: 'payment',
        livemode: false,
        status: 'matched',
        amount: 25000,
        currency: 'SEK',
        date: '2026-11-27',
        method: 'bankgiro',
        reference: '000011',
        payer: { name: 'Anna Andersson', national_id: null, bankgiro: null, account: null, email: null },
        customer: CUS,
        invoice: INV,
        matched_by: 'ocr',
        amount_applied: 19900,
        amount_credited: 5100,
        amount_unapplied: 0,
        amount_refunded: 0,
        metadata: {},
        created_at: T,
        updated_at: T,
      },
    ],
  },
);
export type PaymentResource = Static<typeof Payment>;

export const Refund = Type.Object(
  {
    id: Id('refund'),
    object: Type.Literal('refund'),
    livemode: Type.Boolean(),
    payment: Type.String(),
    amount: Money('Paid back'),
    currency: Type.String(),
    reason: Nullable(Type.String()),
    amount_from_unapplied: Money('Taken from what was never applied'),
    amount_from_credit: Money("Taken from the customer's credit that the payment left"),
    amount_from_invoice: Money('Taken from what the payment paid on its invoice (that much of the invoice is open again)'),
    metadata: Type.Record(Type.String(), Type.String()),
    created_at: Timestamp('When the refund was recorded'),
  },
  {
    $id: 'Refund',
    description: 'Money paid back against a payment; never more than the payment holds',
    examples: [
      {
        id: 're_01KB2Y5M8Q0ZC3V1S7N4D6F9XA',
        object: 'refund',
        livemode: false,
        payment: PY,
        amount: 5100,
        currency: 'SEK',
        reason: 'Paid twice',
        amount_from_unapplied: 0,
        amount_from_credit: 5100,
        amount_from_invoice: 0,
        metadata: {},
        created_at: T,
      },
    ],
  },
);

export const CustomerBalanceTransaction = Type.Object(
  {
    id: Id('balanceTransaction'),
    object: Type.Literal('customer_balance_transaction'),
    livemode: Type.Boolean(),
    customer: Type.String(),
    type: Type.Enum(BALANCE_TRANSACTION_TYPES, {
      description: 'overpayment (a payment larger than its invoice, or naming only the customer), applied_to_invoice (used on an invoice at finalisation), refund (paid back), manual_assignment (an unmatched payment assigned to the customer)',
    }),
    amount: Money('Positive adds credit, negative uses it'),
    currency: Type.String(),
    ending_balance: Money("The customer's balance after this entry"),
    payment: Nullable(Type.String()),
    invoice: Nullable(Type.String()),
    refund: Nullable(Type.String()),
    created_at: Timestamp('When the balance changed'),
  },
  {
    $id: 'CustomerBalanceTransaction',
    description: "A change of a customer's credit balance",
    examples: [
      {
        id: 'cbtxn_01KB2Y5M8Q0ZC3V1S7N4D6F9XA',
        object: 'customer_balance_transaction',
        livemode: false,
        customer: CUS,
        type: 'overpayment',
        amount: 5100,
        currency: 'SEK',
        ending_balance: 5100,
        payment: PY,
        invoice: INV,
        refund: null,
        created_at: T,
      },
    ],
  },
);

export const PaymentParams = Type.Object({ id: Id('payment', 'The payment id') });
export const RefundParams = Type.Object({ id: Id('refund', 'The refund id') });
export const CustomerParams = Type.Object({ id: Id('customer', 'The customer id') });

export const ListPaymentsQuery = Type.Object(
  {
    ...ListQuery,
    starting_after: Type.Optional(Id('payment')),
    ending_before: Type.Optional(Id('payment')),
    status: Type.Optional(Type.Enum(PAYMENT_STATUSES, { description: 'unmatched: the queue of payments waiting to be assigned' })),
    customer: Type.Optional(Id('customer')),
    invoice: Type.Optional(Id('invoice')),
  },
  { additionalProperties: false },
);
export const ListRefundsQuery = Type.Object(
  { ...ListQuery, starting_after: Type.Optional(Id('refund')), ending_before: Type.Optional(Id('refund')) },
  { additionalProperties: false },
);
export const ListBalanceTransactionsQuery = Type.Object(
  { ...ListQuery, starting_after: Type.Optional(Id('balanceTransaction')), ending_before: Type.Optional(Id('balanceTransaction')) },
  { additionalProperties: false },
);

export const PaymentList = ListOf(Payment, 'A page of payments, newest first');
export const RefundList = ListOf(Refund, 'A page of refunds, newest first');
export const BalanceTransactionList = ListOf(CustomerBalanceTransaction, "A page of a customer's balance transactions, newest first");

export function toPaymentResource(row: PaymentRow, livemode: boolean): PaymentResource {
  return {
    id: row.id,
    object: 'payment',
    livemode,
    status: row.status,
    amount: row.amount,
    currency: row.currency,
    date: row.date,
    method: row.method,
    reference: row.reference,
    payer: {
      name: row.payer.name,
      national_id: row.payer.nationalId ? maskNationalId(row.payer.nationalId) : null,
      bankgiro: row.payer.bankgiro,
      account: row.payer.account,
      email: row.payer.email,
    },
    customer: row.customerId,
    invoice: row.invoiceId,
    matched_by: row.matchedBy,
    amount_applied: row.amountApplied,
    amount_credited: row.amountCredited,
    amount_unapplied: row.amountUnapplied,
    amount_refunded: row.amountRefunded,
    metadata: row.metadata,
    created_at: row.createdAt.toISOString(),
    updated_at: row.updatedAt.toISOString(),
  };
}

export function toRefundResource(row: RefundRow, livemode: boolean): Static<typeof Refund> {
  return {
    id: row.id,
    object: 'refund',
    livemode,
    payment: row.paymentId,
    amount: row.amount,
    currency: row.currency,
    reason: row.reason,
    amount_from_unapplied: row.fromUnapplied,
    amount_from_credit: row.fromCredit,
    amount_from_invoice: row.fromInvoice,
    metadata: row.metadata,
    created_at: row.createdAt.toISOString(),
  };
}

export function toBalanceTransactionResource(row: BalanceTransactionRow, livemode: boolean): Static<typeof CustomerBalanceTransaction> {
  return {
    id: row.id,
    object: 'customer_balance_transaction',
    livemode,
    customer: row.customerId,
    type: row.type,
    amount: row.amount,
    currency: row.currency,
    ending_balance: row.endingBalance,
    payment: row.paymentId,
    invoice: row.invoiceId,
    refund: row.refundId,
    created_at: row.createdAt.toISOString(),
  };
}
