// The customer resource as the API shows it, and the request bodies that create and change it.
import { Type, type Static } from 'typebox';
import { Id, Metadata, Nullable, Timestamp, ListOf, ListQuery } from '../../http/schemas.ts';
import { maskNationalId } from '../../domain/national-id.ts';
import type { CustomerRow } from './store.ts';
import { effectiveDelivery, effectivePaymentMethod } from './choices.ts';
import { Delivery, DeliveryInput, PaymentMethod, PaymentMethodInput, renderDelivery, renderPaymentMethod } from './choices-contract.ts';

const Address = Type.Object(
  {
    line1: Type.String({ minLength: 1, maxLength: 200, examples: ['Storgatan 1'] }),
    line2: Type.Optional(Nullable(Type.String({ maxLength: 200 }))),
    postal_code: Type.String({ minLength: 1, maxLength: 20, examples: ['114 51'] }),
    city: Type.String({ minLength: 1, maxLength: 100, examples: ['Stockholm'] }),
    country: Type.Optional(Type.String({ pattern: '^[A-Z]{2}$', default: 'SE', description: 'ISO 3166-1 alpha-2; default SE', examples: ['SE'] })),
  },
  { additionalProperties: false, description: 'Billing address' },
);

const fields = {
  name: Type.String({ minLength: 1, maxLength: 200, description: 'Full name or company name', examples: ['Anna Andersson'] }),
  email: Nullable(Type.String({ format: 'email', maxLength: 254, examples: ['anna@example.se'] })),
  phone: Nullable(Type.String({ pattern: '^\\+?[0-9][0-9 ()-]{4,24}$', description: 'Preferably E.164', examples: ['+46701234567'] })),
  type: Type.Union([Type.Literal('person'), Type.Literal('company')], { default: 'person' }),
  national_id: Nullable(
    Type.String({
      minLength: 10,
      maxLength: 20,
      description:
        'Personnummer or samordningsnummer (persons; also sole traders) or organisationsnummer (companies). Validated with its check digit, stored normalised, shown masked.',
      examples: ['19811218-9876'],
    }),
  ),
  vat_number: Nullable(Type.String({ minLength: 4, maxLength: 20, description: 'VAT registration number, e.g. SE556036079301', examples: ['SE556036079301'] })),
  address: Nullable(Address),
  locale: Type.Union([Type.Literal('sv'), Type.Literal('en')], { default: 'sv', description: 'Language of invoices and messages' }),
  external_id: Nullable(Type.String({ minLength: 1, maxLength: 255, description: 'Your own id for this customer, unique per merchant', examples: ['crm-4711'] })),
  buyer_reference: Nullable(
    Type.String({ minLength: 1, maxLength: 100, pattern: '\\S', description: 'The buyer’s reference (their reference person or order) stated on their e-invoices (Peppol BuyerReference)', examples: ['4711-Inköp'] }),
  ),
  buyer_reference_required: Type.Boolean({ description: 'true: the buyer requires its reference on every e-invoice (Swedish public bodies do); a Peppol document is refused until buyer_reference is set' }),
  dunning: Type.Object(
    {
      policy: Type.Optional(Nullable(Id('dunningPolicy', 'The reminder policy for this customer’s invoices; null: the merchant’s default'))),
      reminder_fee_agreement: Type.Optional(
        Nullable(
          Type.Object(
            {
              agreed_at: Type.String({ format: 'date-time', description: 'When the customer accepted terms with a reminder fee (a fee applies only to debts that arose after)' }),
              terms_version: Type.String({ minLength: 1, maxLength: 100, description: 'The version of the terms they accepted' }),
            },
            { additionalProperties: false },
          ),
        ),
      ),
      escalation_stopped: Type.Optional(Type.Boolean({ description: 'true: none of this customer’s invoices is handed to collection (reminders still go out)' })),
      escalation_postponed_until: Type.Optional(Nullable(Type.String({ format: 'date-time', description: 'No escalation of their invoices before this' }))),
    },
    { additionalProperties: false, description: 'How reminders treat this customer' },
  ),
};

export const CreateCustomerBody = Type.Object(
  {
    name: fields.name,
    email: Type.Optional(fields.email),
    phone: Type.Optional(fields.phone),
    type: Type.Optional(fields.type),
    national_id: Type.Optional(fields.national_id),
    vat_number: Type.Optional(fields.vat_number),
    address: Type.Optional(fields.address),
    locale: Type.Optional(fields.locale),
    external_id: Type.Optional(fields.external_id),
    buyer_reference: Type.Optional(fields.buyer_reference),
    buyer_reference_required: Type.Optional(fields.buyer_reference_required),
    metadata: Type.Optional(Metadata),
    test_clock: Type.Optional(
      Nullable(Id('testClock', "Test mode only: a test clock whose time this customer's billing follows. Fixed at creation.")),
    ),
    payment_method: Type.Optional({ ...PaymentMethodInput, description: 'How the customer pays, as POST /v1/customers/{id}/payment-method takes it; default bankgiro' }),
    delivery: Type.Optional({ ...DeliveryInput, description: 'How invoices reach the customer, as POST /v1/customers/{id}/delivery takes it; default email_pdf with an email, else paper' }),
    dunning: Type.Optional(fields.dunning),
  },
  {
    additionalProperties: false,
    examples: [
      {
        name: 'Anna Andersson',
        email: 'anna@example.se',
        type: 'person',
        national_id: '19811218-9876',
        address: { line1: 'Storgatan 1', postal_code: '114 51', city: 'Stockholm', country: 'SE' },
        locale: 'sv',
        external_id: 'crm-4711',
      },
    ],
  },
);
export type CreateCustomerInput = Static<typeof CreateCustomerBody>;

export const UpdateCustomerBody = Type.Object(
  {
    name: Type.Optional(fields.name),
    email: Type.Optional(fields.email),
    phone: Type.Optional(fields.phone),
    type: Type.Optional(Type.Union([Type.Literal('person'), Type.Literal('company')])),
    national_id: Type.Optional(fields.national_id),
    vat_number: Type.Optional(fields.vat_number),
    address: Type.Optional(fields.address),
    locale: Type.Optional(Type.Union([Type.Literal('sv'), Type.Literal('en')])),
    external_id: Type.Optional(fields.external_id),
    buyer_reference: Type.Optional(fields.buyer_reference),
    buyer_reference_required: Type.Optional(fields.buyer_reference_required),
    dunning: Type.Optional(fields.dunning),
    metadata: Type.Optional(
      Type.Record(Type.String({ minLength: 1, maxLength: 40 }), Nullable(Type.String({ maxLength: 500 })), {
        maxProperties: 50,
        description: 'Merged into the existing metadata; a key set to null is removed',
      }),
    ),
  },
  { additionalProperties: false, description: 'Only the fields sent change; null clears an optional field', examples: [{ email: 'anna.a@example.se', metadata: { crm_id: null } }] },
);
export type UpdateCustomerInput = Static<typeof UpdateCustomerBody>;

export const Customer = Type.Object(
  {
    id: Id('customer'),
    object: Type.Literal('customer'),
    livemode: Type.Boolean(),
    type: Type.Union([Type.Literal('person'), Type.Literal('company')]),
    name: Type.String(),
    email: Nullable(Type.String()),
    phone: Nullable(Type.String()),
    national_id: Nullable(Type.String({ description: 'Masked: only the last four digits are shown', examples: ['********9876'] })),
    national_id_type: Nullable(Type.Union([Type.Literal('personnummer'), Type.Literal('samordningsnummer'), Type.Literal('organisationsnummer')])),
    vat_number: Nullable(Type.String()),
    address: Nullable(
      Type.Object({ line1: Type.String(), line2: Nullable(Type.String()), postal_code: Type.String(), city: Type.String(), country: Type.String() }),
    ),
    locale: Type.Union([Type.Literal('sv'), Type.Literal('en')]),
    external_id: Nullable(Type.String()),
    buyer_reference: Nullable(Type.String({ description: 'The buyer’s reference on their e-invoices' })),
    buyer_reference_required: Type.Boolean({ description: 'Whether the buyer requires its reference on e-invoices' }),
    metadata: Type.Record(Type.String(), Type.String()),
    archived: Type.Boolean(),
    archived_at: Nullable(Timestamp('When the customer was archived')),
    test_clock: Nullable(Type.String({ description: 'The test clock this customer follows, if any' })),
    payment_method: PaymentMethod,
    delivery: Delivery,
    returning: Type.Boolean({ description: 'true once a former customer (archived, or every subscription ended) has come back' }),
    first_subscribed_at: Nullable(Timestamp('When their first subscription started; set when they return')),
    returned_at: Nullable(Timestamp('When they last came back')),
    earlier_tenure: Type.Array(
      Type.Object({ started_at: Timestamp('Start of a span with a subscription'), ended_at: Timestamp('Its end') }),
      { description: 'The spans they had subscriptions before their last return, oldest first (empty until they return)' },
    ),
    balance: Type.Integer({
      minimum: 0,
      description: 'Credit the customer holds, in minor units (öre) of balance_currency: overpayments and payments assigned to it, used on its next invoices (GET /v1/customers/{id}/balance-transactions lists every change)',
    }),
    balance_currency: Nullable(Type.String({ description: 'The currency of the balance; null until the customer first holds credit' })),
    dunning: Type.Object(
      {
        policy: Nullable(Type.String({ description: 'Their reminder policy; null: the merchant’s default' })),
        reminder_fee_agreement: Nullable(Type.Object({ agreed_at: Timestamp('When they accepted a reminder fee'), terms_version: Type.String() })),
        escalation_stopped: Type.Boolean(),
        escalation_postponed_until: Nullable(Timestamp('No escalation of their invoices before this')),
      },
      { description: 'How reminders treat this customer' },
    ),
    created_at: Timestamp('When the customer was created'),
    updated_at: Timestamp('When the customer last changed'),
  },
  {
    $id: 'Customer',
    description: 'A customer of the merchant: a person or a company',
    examples: [
      {
        id: 'cus_01KB2Y5M8Q0ZC3V1S7N4D6F9XA',
        object: 'customer',
        livemode: false,
        type: 'person',
        name: 'Anna Andersson',
        email: 'anna@example.se',
        phone: '+46701234567',
        national_id: '********9876',
        national_id_type: 'personnummer',
        vat_number: null,
        address: { line1: 'Storgatan 1', line2: null, postal_code: '114 51', city: 'Stockholm', country: 'SE' },
        locale: 'sv',
        external_id: 'crm-4711',
        buyer_reference: null,
        buyer_reference_required: false,
        metadata: { segment: 'b2c' },
        archived: false,
        archived_at: null,
        test_clock: null,
        payment_method: { type: 'bankgiro', default: true },
        delivery: { type: 'email_pdf', default: true },
        returning: false,
        first_subscribed_at: null,
        returned_at: null,
        earlier_tenure: [],
        balance: 0,
        balance_currency: null,
        dunning: { policy: null, reminder_fee_agreement: { agreed_at: '2026-11-25T09:00:00.000Z', terms_version: '2026-01' }, escalation_stopped: false, escalation_postponed_until: null },
        created_at: '2026-11-25T09:00:00.000Z',
        updated_at: '2026-11-25T09:00:00.000Z',
      },
    ],
  },
);
export type CustomerResource = Static<typeof Customer>;

export const CustomerParams = Type.Object({ id: Id('customer', 'The customer id') });

export const ListCustomersQuery = Type.Object(
  {
    ...ListQuery,
    starting_after: Type.Optional(Id('customer', 'Return customers created before this one (the last id of the previous page)')),
    ending_before: Type.Optional(Id('customer', 'Return customers created after this one (the first id of the next page up)')),
    email: Type.Optional(Type.String({ maxLength: 254, description: 'Only customers with exactly this e-mail' })),
    external_id: Type.Optional(Type.String({ maxLength: 255, description: 'Only the customer with this external_id' })),
    archived: Type.Optional(Type.Boolean({ description: 'true lists only archived customers; default lists active ones' })),
    churn_risk: Type.Optional(
      Type.Enum(['low', 'medium', 'high'], {
        description: 'Only customers whose churn risk is at this level, highest score first (then page with starting_after; not combined with the other filters or ending_before)',
      }),
    ),
  },
  { additionalProperties: false },
);
export type ListCustomersFilter = Static<typeof ListCustomersQuery>;

export const CustomerList = ListOf(Customer, 'A page of customers, newest first');

export function toCustomerResource(row: CustomerRow, livemode: boolean): CustomerResource {
  return {
    id: row.id,
    object: 'customer',
    livemode,
    type: row.type,
    name: row.name,
    email: row.email,
    phone: row.phone,
    national_id: row.nationalId ? maskNationalId(row.nationalId) : null,
    national_id_type: row.nationalIdKind,
    vat_number: row.vatNumber,
    address:
      row.addressLine1 && row.postalCode && row.city && row.country
        ? { line1: row.addressLine1, line2: row.addressLine2, postal_code: row.postalCode, city: row.city, country: row.country }
        : null,
    locale: row.locale,
    external_id: row.externalId,
    buyer_reference: row.buyerReference,
    buyer_reference_required: row.buyerReferenceRequired,
    metadata: row.metadata,
    archived: row.archivedAt !== null,
    archived_at: row.archivedAt?.toISOString() ?? null,
    test_clock: row.testClockId,
    payment_method: renderPaymentMethod(effectivePaymentMethod(row), row.paymentMethod === null),
    delivery: renderDelivery(effectiveDelivery(row), row.delivery === null),
    returning: row.returnedAt !== null,
    first_subscribed_at: row.firstSubscribedAt?.toISOString() ?? null,
    returned_at: row.returnedAt?.toISOString() ?? null,
    earlier_tenure: row.earlierTenure ?? [],
    balance: row.balance,
    balance_currency: row.balanceCurrency,
    dunning: {
      policy: row.dunningPolicyId,
      reminder_fee_agreement: row.reminderFeeAgreedAt ? { agreed_at: row.reminderFeeAgreedAt.toISOString(), terms_version: row.reminderFeeTermsVersion ?? '' } : null,
      escalation_stopped: row.escalationStopped,
      escalation_postponed_until: row.escalationPostponedUntil?.toISOString() ?? null,
    },
    created_at: row.createdAt.toISOString(),
    updated_at: row.updatedAt.toISOString(),
  };
}
