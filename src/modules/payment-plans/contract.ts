// The payment plan and offer resources, and the bodies that make them.
import { Type, type Static } from 'typebox';
import { Id, ListOf, ListQuery, Metadata, Nullable, Timestamp } from '../../http/schemas.ts';
import { MAX_INSTALMENTS, MIN_INSTALMENTS } from '../../domain/payment-plan.ts';
import { PLAN_INTERVALS, PLAN_STATUSES } from './schema.ts';
import type { PlanView, PlanDraft } from './service.ts';

const Money = (description: string) => Type.Integer({ description: `${description}, in minor units (öre)` });
const Day = (description: string) => Type.String({ format: 'date', description: `${description} (YYYY-MM-DD, merchant's time zone)` });

const Instalments = Type.Integer({ minimum: MIN_INSTALMENTS, maximum: MAX_INSTALMENTS, description: `How many instalments, ${MIN_INSTALMENTS}–${MAX_INSTALMENTS}` });
const Interval = Type.Enum(PLAN_INTERVALS, { description: 'Time between instalments (default month)' });
const FirstDueDate = Day('When the first instalment falls due; moved to the next bank day. Default: 14 days from today');
const Fee = Type.Integer({ minimum: 0, description: 'The plan fee in öre: at most the merchant’s payment_plan_fee and 17000 (170 kr, lag (1981:739) 4 §), and only with fee_agreement. Default: the merchant’s payment_plan_fee when fee_agreement is given, else none' });

export const CreatePlanBody = Type.Object(
  {
    customer: Id('customer'),
    invoices: Type.Array(Id('invoice'), { minItems: 1, maxItems: 50, uniqueItems: true, description: 'Open invoices of this customer the plan takes over' }),
    instalments: Instalments,
    interval: Type.Optional(Interval),
    first_due_date: Type.Optional(FirstDueDate),
    fee: Type.Optional(Fee),
    fee_agreement: Type.Optional(
      Type.Object(
        { agreed_at: Timestamp('When the customer agreed to the plan and its fee in writing'), terms_version: Type.String({ minLength: 1, maxLength: 100, description: 'The version of the terms they agreed to' }) },
        { additionalProperties: false, description: 'The customer’s written agreement to the plan fee (lag (1981:739) 3 § 2); required for a fee' },
      ),
    ),
    metadata: Type.Optional(Metadata),
  },
  { additionalProperties: false, examples: [{ customer: 'cus_01KB2Y5M8Q0ZC3V1S7N4D6F9XA', invoices: ['in_01KB2Y5M8Q0ZC3V1S7N4D6F9XA'], instalments: 3 }] },
);
export type CreatePlanInput = Static<typeof CreatePlanBody>;

export const OfferBody = Type.Object(
  { instalments: Instalments, interval: Type.Optional(Interval), first_due_date: Type.Optional(FirstDueDate), fee: Type.Optional(Fee) },
  { additionalProperties: false, examples: [{ instalments: 3 }] },
);
export type OfferInput = Static<typeof OfferBody>;

export const PlanParams = Type.Object({ id: Id('paymentPlan') });
export const InvoiceParams = Type.Object({ id: Id('invoice') });

export const ListPlansQuery = Type.Object(
  {
    ...ListQuery,
    starting_after: Type.Optional(Id('paymentPlan')),
    ending_before: Type.Optional(Id('paymentPlan')),
    customer: Type.Optional(Id('customer')),
    status: Type.Optional(Type.Enum(PLAN_STATUSES)),
  },
  { additionalProperties: false },
);

const TakenInvoice = Type.Object({
  invoice: Id('invoice'),
  amount: Money('What the plan took over of it: its remainder when the plan was made'),
  interest: Money('Late interest on it to the day the plan was made (0 when the merchant charges none)'),
});

const Amounts = {
  currency: Type.String(),
  interval: Interval,
  invoices: Type.Array(TakenInvoice, { description: 'The invoices, in the order the plan’s payments settle them (earliest due first)' }),
  principal: Money('The invoices’ remainder'),
  interest: Money('Late interest to the day of the plan'),
  fee: Money('The plan fee'),
  total: Money('principal + interest + fee: what the instalments add up to'),
};

export const PaymentPlan = Type.Object(
  {
    id: Id('paymentPlan'),
    object: Type.Literal('payment_plan'),
    livemode: Type.Boolean(),
    customer: Id('customer'),
    status: Type.Enum(PLAN_STATUSES, {
      description: 'active (instalments being paid), completed (all paid; the invoices are paid), defaulted (an instalment was missed: the unpaid rest went back to the invoices and their reminders), canceled (ended by the merchant, likewise)',
    }),
    ...Amounts,
    amount_paid: Money('Paid so far on the instalments'),
    amount_remaining: Money('Still to pay on the instalments (0 once the plan ended)'),
    fee_agreement: Nullable(Type.Object({ agreed_at: Timestamp('When the customer agreed'), terms_version: Type.String() })),
    instalments: Type.Array(
      Type.Object({
        seq: Type.Integer({ minimum: 1 }),
        invoice: Id('invoice', 'The instalment’s own invoice (number, OCR reference, PDF); pay it like any invoice'),
        amount: Money('What it asks for'),
        amount_remaining: Money('Still to pay on it'),
        due_date: Day('When it falls due (a bank day)'),
        status: Type.Union([Type.Literal('open'), Type.Literal('paid'), Type.Literal('missed'), Type.Literal('canceled')], {
          description: 'open, paid, missed (unpaid a grace period after its reminder: it ended the plan), canceled (closed unpaid when the plan ended)',
        }),
      }),
    ),
    missed_instalment: Nullable(Type.Integer({ description: 'The instalment whose miss ended the plan' })),
    ended_at: Nullable(Timestamp('When it completed, defaulted or was canceled')),
    metadata: Metadata,
    created_at: Timestamp('When it was made'),
    updated_at: Timestamp('When it last changed'),
  },
  { $id: 'PaymentPlan', description: 'A payment plan: a customer’s open invoices split into instalments, each an invoice of its own' },
);

export const PlanList = ListOf(PaymentPlan, 'Payment plans, newest first');

export const PaymentPlanOffer = Type.Object(
  {
    object: Type.Literal('payment_plan_offer'),
    livemode: Type.Boolean(),
    customer: Id('customer'),
    ...Amounts,
    instalments: Type.Array(Type.Object({ seq: Type.Integer({ minimum: 1 }), amount: Money('What it would ask for'), due_date: Day('When it would fall due (a bank day)') })),
  },
  { $id: 'PaymentPlanOffer', description: 'What a payment plan would look like; nothing is created' },
);

function amounts(d: Omit<PlanDraft, 'instalments' | 'customerId'>) {
  return {
    currency: d.currency,
    interval: d.interval,
    invoices: d.taken.map((t) => ({ invoice: t.invoiceId, amount: t.amount, interest: t.interest })),
    principal: d.principal,
    interest: d.interest,
    fee: d.fee,
    total: d.total,
  };
}

export function toOfferResource(d: PlanDraft, livemode: boolean): Static<typeof PaymentPlanOffer> {
  return { object: 'payment_plan_offer', livemode, customer: d.customerId, ...amounts(d), instalments: d.instalments.map((i) => ({ seq: i.seq, amount: i.amount, due_date: i.dueDate })) };
}

export function toPlanResource(v: PlanView, livemode: boolean): Static<typeof PaymentPlan> {
  const p = v.plan;
  return {
    id: p.id,
    object: 'payment_plan',
    livemode,
    customer: p.customerId,
    status: p.status,
    ...amounts({ taken: v.taken, currency: p.currency, interval: p.interval, principal: p.principal, interest: p.interest, fee: p.fee, total: p.total }),
    amount_paid: v.instalments.reduce((s, i) => s + i.paid, 0),
    amount_remaining: p.status === 'active' ? v.instalments.reduce((s, i) => s + i.remaining, 0) : 0,
    fee_agreement: p.feeAgreedAt ? { agreed_at: p.feeAgreedAt.toISOString(), terms_version: p.feeTermsVersion ?? '' } : null,
    instalments: v.instalments.map((i) => ({ seq: i.seq, invoice: i.invoiceId, amount: i.amount, amount_remaining: i.remaining, due_date: i.dueDate, status: i.status })),
    missed_instalment: p.missedInstalment,
    ended_at: p.endedAt?.toISOString() ?? null,
    metadata: p.metadata,
    created_at: p.createdAt.toISOString(),
    updated_at: p.updatedAt.toISOString(),
  };
}
