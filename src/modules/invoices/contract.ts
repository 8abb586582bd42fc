// The invoice and credit note resources as the API shows them, and the bodies that create and change them.
import { Type, type Static } from 'typebox';
import { Id, Metadata, Nullable, Timestamp, ListOf, ListQuery, eitherOr } from '../../http/schemas.ts';
import type { InvoiceLineRow, InvoiceRow } from './compose.ts';
import type { CreditNoteRow } from './store.ts';
import { DeliverySnapshot, PaymentMethodSnapshot } from '../customers/choices-contract.ts';
import { BILLING_REASONS, CREDIT_NOTE_REASONS, INVOICE_STATUSES } from './schema.ts';

const CalendarDate = (description: string) => Type.String({ format: 'date', description: `${description} (YYYY-MM-DD, merchant's time zone)` });
const Money = (description: string) => Type.Integer({ description: `${description}, in minor units (öre)` });
const VatRate = Type.Union([Type.Literal(25), Type.Literal(12), Type.Literal(6), Type.Literal(0)], { description: 'VAT rate in percent' });
const TaxBehavior = Type.Union([Type.Literal('exclusive'), Type.Literal('inclusive')], {
  description: 'Whether unit_amount excludes VAT (added on top) or includes it',
});

const Party = Type.Object({
  name: Type.String(),
  address_lines: Type.Array(Type.String()),
  vat_number: Nullable(Type.String()),
});
const Seller = Type.Object({
  ...Party.properties,
  organisation_number: Nullable(Type.String()),
  f_skatt: Type.Boolean({ description: 'Approved for F-tax (printed as "Godkänd för F-skatt")' }),
  bankgiro: Nullable(Type.String()),
  swish_number: Nullable(Type.String()),
});

export const InvoiceLine = Type.Object({
  line_no: Type.Integer({ minimum: 1 }),
  description: Type.String(),
  quantity: Type.Integer(),
  unit_amount: Money('Price per unit as quoted'),
  tax_behavior: TaxBehavior,
  vat_rate: Type.Integer(),
  net: Money('Amount excluding VAT'),
  vat: Money("This line's share of its rate's VAT"),
  amount: Money('Amount including VAT'),
  price: Nullable(Type.String()),
  period_start: Nullable(CalendarDate('First day of the period this line covers')),
  period_end: Nullable(CalendarDate('Day after the last day of the period')),
  proration: Type.Boolean({ description: 'A credit or charge for part of a period' }),
});

const VatBreakdown = Type.Array(Type.Object({ vat_rate: Type.Integer(), net: Money('Taxable amount at this rate'), vat: Money('VAT at this rate') }), {
  description: 'VAT per rate, rounded once per rate (half away from zero)',
});

export const Invoice = Type.Object(
  {
    id: Id('invoice'),
    object: Type.Literal('invoice'),
    livemode: Type.Boolean(),
    customer: Type.String(),
    subscription: Nullable(Type.String()),
    billing_reason: Type.Enum(BILLING_REASONS, { description: 'manual (one-off), subscription_create (first period), subscription_cycle (renewal), subscription_final (what was left to settle when a subscription ended), payment_plan (an instalment of a payment plan)' }),
    status: Type.Enum(INVOICE_STATUSES),
    currency: Type.String(),
    number: Nullable(Type.String({ description: 'Sequential per merchant and series, without gaps; set when finalised' })),
    ocr_reference: Nullable(Type.String({ description: 'Bankgiro OCR reference (Luhn check digit, length digit per merchant setting); set when finalised' })),
    issue_date: Nullable(CalendarDate('Invoice date')),
    due_date: Nullable(CalendarDate('Due date: payment terms after the issue date, moved to the next Swedish bank day')),
    period_start: Nullable(CalendarDate('Subscription invoices: first day of the billed period')),
    period_end: Nullable(CalendarDate('Subscription invoices: day after the last day of the billed period')),
    lines: Type.Array(InvoiceLine),
    vat_breakdown: VatBreakdown,
    subtotal: Money('Sum of lines excluding VAT'),
    vat_total: Money('Total VAT'),
    total: Money('Subtotal plus VAT, before rounding'),
    rounding: Money('Öresavrundning: the SEK total rounded to whole kronor (0 for other currencies)'),
    amount_due: Money('total + rounding: what the invoice asks for'),
    amount_paid: Money('Paid so far'),
    amount_credited: Money('Taken off by credit notes'),
    amount_from_balance: Money("Paid from the customer's credit balance (an earlier overpayment) when the invoice was finalised"),
    amount_payment_plan: Money('Taken over by a payment plan: all of the remainder while the plan runs (status in_payment_plan), what the plan paid of it once the plan ended; on an instalment closed by its plan ending, what went back to the original invoices'),
    amount_remaining: Money('Still to pay: amount_due − amount_paid − amount_from_balance − amount_credited − amount_payment_plan'),
    seller: Nullable(Seller),
    buyer: Nullable(Party),
    payment_method: Nullable(PaymentMethodSnapshot('How the customer pays this invoice: their payment method when it was finalised (drafts: as now); null on invoices finalised before customers had choices')),
    delivery: Nullable(DeliverySnapshot('How this invoice reaches the customer: their delivery choice when it was finalised (drafts: as now)')),
    reverse_charge: Type.Boolean({ description: 'EU business buyer accounts for the VAT (omvänd betalningsskyldighet); no VAT charged' }),
    locale: Type.Union([Type.Literal('sv'), Type.Literal('en')]),
    payment_terms_days: Type.Integer(),
    memo: Nullable(Type.String()),
    metadata: Type.Record(Type.String(), Type.String()),
    created_at: Timestamp('When the invoice was created'),
    updated_at: Timestamp('When the invoice last changed'),
    finalized_at: Nullable(Timestamp('When it was finalised')),
    paid_at: Nullable(Timestamp('When it was paid in full')),
    voided_at: Nullable(Timestamp('When it was voided')),
    marked_uncollectible_at: Nullable(Timestamp('When it was marked uncollectible')),
  },
  { $id: 'Invoice', description: 'A Swedish invoice: draft until finalised, then numbered and legally complete' },
);
export type InvoiceResource = Static<typeof Invoice>;

const LineBody = Type.Object(
  {
    price: Type.Optional(Id('price', 'Take description, amount, tax behaviour and VAT rate from this price')),
    description: Type.Optional(Type.String({ minLength: 1, maxLength: 500 })),
    quantity: Type.Optional(Type.Integer({ minimum: 1, maximum: 1_000_000, default: 1 })),
    unit_amount: Type.Optional(Type.Integer({ minimum: -10_000_000_000, maximum: 10_000_000_000, description: 'Minor units; required without price' })),
    tax_behavior: Type.Optional(TaxBehavior),
    vat_rate: Type.Optional(VatRate),
  },
  { additionalProperties: false },
);

export const CreateInvoiceBody = Type.Object(
  {
    customer: Id('customer'),
    currency: Type.Optional(Type.String({ pattern: '^[A-Z]{3}$', description: 'ISO 4217; default SEK (or the prices’ currency)' })),
    lines: Type.Array(LineBody, { minItems: 1, maxItems: 500 }),
    memo: Type.Optional(Nullable(Type.String({ maxLength: 2000 }))),
    payment_terms_days: Type.Optional(Type.Integer({ minimum: 0, maximum: 365, description: "Default: the merchant's payment terms" })),
    metadata: Type.Optional(Metadata),
    auto_finalize: Type.Optional(Type.Boolean({ default: false, description: 'Finalise at once instead of leaving a draft' })),
  },
  {
    additionalProperties: false,
    examples: [{ customer: 'cus_01KB2Y5M8Q0ZC3V1S7N4D6F9XA', lines: [{ description: 'Installation', quantity: 1, unit_amount: 150000, vat_rate: 25 }] }],
  },
);
export type CreateInvoiceInput = Static<typeof CreateInvoiceBody>;
export type LineBodyInput = Static<typeof LineBody>;

export const UpdateInvoiceBody = Type.Object(
  {
    lines: Type.Optional(Type.Array(LineBody, { minItems: 1, maxItems: 500, description: 'Replaces all lines' })),
    memo: Type.Optional(Nullable(Type.String({ maxLength: 2000 }))),
    payment_terms_days: Type.Optional(Type.Integer({ minimum: 0, maximum: 365 })),
    metadata: Type.Optional(Metadata),
  },
  { additionalProperties: false, description: 'Drafts only, except metadata' },
);
export type UpdateInvoiceInput = Static<typeof UpdateInvoiceBody>;

export const PayInvoiceBody = Type.Object(
  {
    amount: Type.Optional(Type.Integer({ minimum: 1, description: 'Minor units; default the whole amount remaining' })),
  },
  { additionalProperties: false, description: 'Records a payment received outside Omtanke' },
);

export const InvoiceParams = Type.Object({ id: Id('invoice', 'The invoice id') });

export const ListInvoicesQuery = Type.Object(
  {
    ...ListQuery,
    starting_after: Type.Optional(Id('invoice')),
    ending_before: Type.Optional(Id('invoice')),
    customer: Type.Optional(Id('customer')),
    subscription: Type.Optional(Id('subscription')),
    status: Type.Optional(Type.Enum(INVOICE_STATUSES)),
  },
  { additionalProperties: false },
);

export const InvoiceList = ListOf(Invoice, 'A page of invoices, newest first');

export function toInvoiceResource(row: InvoiceRow, lines: InvoiceLineRow[], livemode: boolean): InvoiceResource {
  return {
    id: row.id,
    object: 'invoice',
    livemode,
    customer: row.customerId,
    subscription: row.subscriptionId,
    billing_reason: row.billingReason,
    status: row.status,
    currency: row.currency,
    number: row.number,
    ocr_reference: row.ocrReference,
    issue_date: row.issueDate,
    due_date: row.dueDate,
    period_start: row.periodStart,
    period_end: row.periodEnd,
    lines: lines.map((l) => ({
      line_no: l.lineNo,
      description: l.description,
      quantity: l.quantity,
      unit_amount: l.unitAmount,
      tax_behavior: l.taxBehavior,
      vat_rate: l.vatRate,
      net: l.net,
      vat: l.vat,
      amount: l.gross,
      price: l.priceId,
      period_start: l.periodStart,
      period_end: l.periodEnd,
      proration: l.proration,
    })),
    vat_breakdown: row.vatBreakdown.map((v) => ({ vat_rate: v.vatRate, net: v.net, vat: v.vat })),
    subtotal: row.subtotal,
    vat_total: row.vatTotal,
    total: row.total,
    rounding: row.rounding,
    amount_due: row.amountDue,
    amount_paid: row.amountPaid,
    amount_credited: row.amountCredited,
    amount_from_balance: row.amountFromBalance,
    amount_payment_plan: row.amountPlan,
    amount_remaining: row.amountRemaining,
    seller: row.seller
      ? {
          name: row.seller.name,
          address_lines: row.seller.addressLines,
          vat_number: row.seller.vatNumber,
          organisation_number: row.seller.organisationNumber,
          f_skatt: row.seller.fSkatt,
          bankgiro: row.seller.bankgiro,
          swish_number: row.seller.swishNumber,
        }
      : null,
    buyer: row.buyer ? { name: row.buyer.name, address_lines: row.buyer.addressLines, vat_number: row.buyer.vatNumber } : null,
    payment_method: row.buyer?.paymentMethod ?? null,
    delivery: row.buyer?.delivery ?? null,
    reverse_charge: row.reverseCharge,
    locale: row.locale,
    payment_terms_days: row.paymentTermsDays,
    memo: row.memo,
    metadata: row.metadata,
    created_at: row.createdAt.toISOString(),
    updated_at: row.updatedAt.toISOString(),
    finalized_at: row.finalizedAt?.toISOString() ?? null,
    paid_at: row.paidAt?.toISOString() ?? null,
    voided_at: row.voidedAt?.toISOString() ?? null,
    marked_uncollectible_at: row.markedUncollectibleAt?.toISOString() ?? null,
  };
}

// Credit notes.

const CreditNoteLineBody = Type.Object(
  {
    line_no: Type.Integer({ minimum: 1, description: 'The invoice line to credit' }),
    quantity: Type.Optional(Type.Integer({ minimum: 1, description: "Units to credit; default the line's whole quantity" })),
  },
  { additionalProperties: false },
);

export const CreateCreditNoteBody = Type.Object(
  {
    invoice: Id('invoice', 'The finalised invoice to credit'),
    lines: Type.Optional(Type.Array(CreditNoteLineBody, { minItems: 1, maxItems: 500, description: 'Omit (and omit amount) to credit the whole invoice' })),
    amount: Type.Optional(
      Type.Integer({ minimum: 1, description: "Instead of lines: an amount including VAT, in minor units, split over the invoice's VAT rates in proportion" }),
    ),
    reason: Type.Optional(Type.Enum(CREDIT_NOTE_REASONS, { default: "other" })),
    memo: Type.Optional(Nullable(Type.String({ maxLength: 2000 }))),
    metadata: Type.Optional(Metadata),
  },
  { additionalProperties: false, examples: [{ invoice: 'in_01KB2Y5M8Q0ZC3V1S7N4D6F9XA', lines: [{ line_no: 1, quantity: 1 }], reason: 'order_change' }] },
);
export type CreateCreditNoteInput = Static<typeof CreateCreditNoteBody>;
// `amount` xor `lines` (or neither: the whole invoice). Checked by the service, naming the field.
eitherOr(CreateCreditNoteBody, [
  { title: 'An amount', required: ['amount'], forbidden: ['lines'] },
  { title: 'Lines, or the whole invoice', forbidden: ['amount'] },
]);

export const CreditNote = Type.Object(
  {
    id: Id('creditNote'),
    object: Type.Literal('credit_note'),
    livemode: Type.Boolean(),
    invoice: Type.String(),
    customer: Type.String(),
    status: Type.Union([Type.Literal('issued'), Type.Literal('void')]),
    number: Type.String({ description: 'Sequential per merchant, its own gap-free series' }),
    currency: Type.String(),
    issue_date: CalendarDate('Date of the credit note'),
    reason: Type.Enum(CREDIT_NOTE_REASONS),
    memo: Nullable(Type.String()),
    lines: Type.Array(
      Type.Object({
        invoice_line_no: Nullable(Type.Integer()),
        description: Type.String(),
        quantity: Type.Integer(),
        unit_amount: Money('Price per unit as on the invoice'),
        vat_rate: Type.Integer(),
        net: Money('Credited amount excluding VAT'),
        vat: Money('Credited VAT'),
        amount: Money('Credited amount including VAT'),
      }),
    ),
    vat_breakdown: VatBreakdown,
    subtotal: Money('Credited amount excluding VAT'),
    vat_total: Money('Credited VAT'),
    total: Money('Credited amount including VAT, before rounding'),
    rounding: Money('Öresavrundning of the credit'),
    amount: Money('What the credit note takes off the invoice'),
    metadata: Type.Record(Type.String(), Type.String()),
    created_at: Timestamp('When the credit note was issued'),
  },
  { $id: 'CreditNote', description: 'A credit note (kreditfaktura) reducing what a finalised invoice asks for, in full or in part' },
);
export type CreditNoteResource = Static<typeof CreditNote>;

export const CreditNoteParams = Type.Object({ id: Id('creditNote', 'The credit note id') });
export const ListCreditNotesQuery = Type.Object(
  { ...ListQuery, starting_after: Type.Optional(Id('creditNote')), ending_before: Type.Optional(Id('creditNote')), invoice: Type.Optional(Id('invoice')) },
  { additionalProperties: false },
);
export const CreditNoteList = ListOf(CreditNote, 'A page of credit notes, newest first');

export function toCreditNoteResource(row: CreditNoteRow, livemode: boolean): CreditNoteResource {
  return {
    id: row.id,
    object: 'credit_note',
    livemode,
    invoice: row.invoiceId,
    customer: row.customerId,
    status: row.status,
    number: row.number,
    currency: row.currency,
    issue_date: row.issueDate,
    reason: row.reason,
    memo: row.memo,
    lines: row.lines.map((l) => ({
      invoice_line_no: l.invoiceLineNo,
      description: l.description,
      quantity: l.quantity,
      unit_amount: l.unitAmount,
      vat_rate: l.vatRate,
      net: l.net,
      vat: l.vat,
      amount: l.gross,
    })),
    vat_breakdown: row.vatBreakdown.map((v) => ({ vat_rate: v.vatRate, net: v.net, vat: v.vat })),
    subtotal: row.subtotal,
    vat_total: row.vatTotal,
    total: row.total,
    rounding: row.rounding,
    amount: row.amount,
    metadata: row.metadata,
    created_at: row.createdAt.toISOString(),
  };
}
