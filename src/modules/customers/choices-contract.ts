// The customer's choices as the API shows and takes them: payment method, delivery, and the
// history of every change.
import { Type, type Static } from 'typebox';
import { Id, ListOf, ListQuery, Nullable, Timestamp } from '../../http/schemas.ts';
import {
  DELIVERY_TYPES,
  INITIATORS,
  MANDATE_STATUSES,
  PAYMENT_METHOD_TYPES,
  type Delivery as DeliveryValue,
  type PaymentMethod as PaymentMethodValue,
} from './choices.ts';
import type { ChoiceChangeRow } from './store.ts';

const paymentMethodFields = {
  token: Type.String({ minLength: 1, maxLength: 255, description: "card: the token your card processor gave for the card (never the card number: a string that passes Luhn as a 13–19 digit card number is refused)", examples: ['pm_1QxYz2AbCdEf'] }),
  brand: Type.String({ minLength: 1, maxLength: 30, description: 'card: the brand, as your processor names it (stored in lower case)', examples: ['visa'] }),
  last4: Type.String({ pattern: '^[0-9]{4}$', description: 'card: the last four digits, printed on invoices (•••• 4242)', examples: ['4242'] }),
  phone: Type.String({ minLength: 1, maxLength: 30, description: 'swish: a Swedish mobile number; stored as +467…', examples: ['+46701234567'] }),
  payer_number: Type.String({ minLength: 1, maxLength: 30, description: 'autogiro: the payer number (betalarnummer) of the mandate, 1–16 digits', examples: ['198112189876'] }),
  clearing_number: Type.String({ minLength: 1, maxLength: 10, description: 'autogiro: the clearing number of the account (checked: it must belong to a Swedish bank)', examples: ['6000'] }),
  account_number: Type.String({ minLength: 1, maxLength: 30, description: 'autogiro: the account number (checked for length and check digit by the bank’s rules)', examples: ['123456789'] }),
};

const provenance = {
  initiator: Type.Optional(Type.Enum(INITIATORS, { default: 'merchant', description: 'Who made the change: `customer` (through your app or site), `merchant` (your staff; the default) or `system` (an automatic rule)' })),
  reason: Type.Optional(Type.String({ minLength: 1, maxLength: 500, description: 'Why, in your words; kept in the history', examples: ['Kunden bad om autogiro i appen'] })),
};

/** A payment method as a request names it: `type` and that type's fields. */
export const PaymentMethodInput = Type.Object(
  {
    type: Type.Enum(PAYMENT_METHOD_TYPES, { description: 'How the customer pays: `card`, `swish`, `bankgiro` (a transfer with the OCR reference), `autogiro` (direct debit) or `e_invoice` (to their internet bank)' }),
    token: Type.Optional(paymentMethodFields.token),
    brand: Type.Optional(paymentMethodFields.brand),
    last4: Type.Optional(paymentMethodFields.last4),
    phone: Type.Optional(paymentMethodFields.phone),
    payer_number: Type.Optional(paymentMethodFields.payer_number),
    clearing_number: Type.Optional(paymentMethodFields.clearing_number),
    account_number: Type.Optional(paymentMethodFields.account_number),
    status: Type.Optional(Type.Enum(MANDATE_STATUSES, { description: 'autogiro: the mandate status; default `pending` (until Bankgirot confirms it)' })),
    ...provenance,
  },
  {
    additionalProperties: false,
    description: 'A payment method: `type` and the fields of that type (card: token, brand, last4; swish: phone; autogiro: payer_number, clearing_number, account_number, status). Any other field is refused.',
    examples: [{ type: 'autogiro', payer_number: '198112189876', clearing_number: '6000', account_number: '123456789', initiator: 'customer', reason: 'Valde autogiro i appen' }],
  },
);
export type PaymentMethodInputBody = Static<typeof PaymentMethodInput>;

/** A delivery choice as a request names it. */
export const DeliveryInput = Type.Object(
  {
    type: Type.Enum(DELIVERY_TYPES, { description: 'How invoices reach the customer: `email_pdf`, `email_html` (both need an email), `kivra` (needs national_id), `peppol` (companies) or `paper` (needs a postal address)' }),
    participant_id: Type.Optional(Type.String({ minLength: 1, maxLength: 55, description: 'peppol: the participant id, scheme 0007 and the organisationsnummer (derived from the customer’s organisationsnummer when left out), or for a foreign buyer its Peppol scheme and identifier (9930:DE123456789)', examples: ['0007:5560360793'] })),
    ...provenance,
  },
  {
    additionalProperties: false,
    description: 'A delivery choice: `type`, and for peppol the participant id',
    examples: [{ type: 'kivra', initiator: 'customer', reason: 'Vill ha fakturan i Kivra' }],
  },
);
export type DeliveryInputBody = Static<typeof DeliveryInput>;

const isDefault = Type.Boolean({ description: 'true while the customer has chosen nothing and the default applies (bankgiro; email_pdf with an email, else paper)' });

const paymentMethodShape = {
  type: Type.Enum(PAYMENT_METHOD_TYPES),
  token: Type.Optional(paymentMethodFields.token),
  brand: Type.Optional(paymentMethodFields.brand),
  last4: Type.Optional(paymentMethodFields.last4),
  phone: Type.Optional(paymentMethodFields.phone),
  payer_number: Type.Optional(paymentMethodFields.payer_number),
  clearing_number: Type.Optional(paymentMethodFields.clearing_number),
  account_number: Type.Optional(paymentMethodFields.account_number),
  bank: Type.Optional(Type.String({ description: 'autogiro: the bank of the clearing number', examples: ['Handelsbanken'] })),
  status: Type.Optional(Type.Enum(MANDATE_STATUSES, { description: 'autogiro: the mandate status' })),
  default: isDefault,
};
export const PaymentMethod = Type.Object(paymentMethodShape, {
  $id: 'PaymentMethod',
  description: 'How a customer pays; the fields present are those of its type',
  examples: [{ type: 'swish', phone: '+46701234567', default: false }],
});
export type PaymentMethodResource = Static<typeof PaymentMethod>;

const deliveryShape = {
  type: Type.Enum(DELIVERY_TYPES),
  participant_id: Type.Optional(Type.String({ description: 'peppol: the participant id', examples: ['0007:5560360793'] })),
  default: isDefault,
};
export const Delivery = Type.Object(deliveryShape, { $id: 'Delivery', description: 'How invoices reach a customer', examples: [{ type: 'email_pdf', default: true }] });

/** The choices as an invoice records them (the shapes without their component names). */
export const PaymentMethodSnapshot = (description: string) => Type.Object(paymentMethodShape, { description });
export const DeliverySnapshot = (description: string) => Type.Object(deliveryShape, { description });

/** Either choice, as the history shows it (one flat shape: `type` says which). */
const ChoiceValue = (description: string) =>
  Type.Object({ ...paymentMethodShape, ...deliveryShape, type: Type.Enum([...PAYMENT_METHOD_TYPES, ...DELIVERY_TYPES]) }, { description });
export type DeliveryResource = Static<typeof Delivery>;

export const renderPaymentMethod = (value: PaymentMethodValue, isDefault: boolean): PaymentMethodResource => ({ ...value, default: isDefault });
export const renderDelivery = (value: DeliveryValue, isDefault: boolean): DeliveryResource => ({ ...value, default: isDefault });

export const ChoiceChange = Type.Object(
  {
    id: Id('choiceChange'),
    object: Type.Literal('choice_change'),
    livemode: Type.Boolean(),
    customer: Id('customer'),
    kind: Type.Union([Type.Literal('payment_method'), Type.Literal('delivery')], { description: 'Which choice changed' }),
    at: Timestamp("When it changed, in business time (a test clock's time for a customer on one)"),
    from: ChoiceValue('The choice before (`default: true` when it was the default): a payment method or a delivery, as `kind` says'),
    to: ChoiceValue('The choice after'),
    initiator: Type.Enum(INITIATORS, { description: 'Who made the change' }),
    reason: Nullable(Type.String({ description: 'Why, as given' })),
  },
  {
    $id: 'ChoiceChange',
    description: "One change of a customer's payment method or delivery; never overwritten",
    examples: [
      {
        id: 'chc_01KB2Y5M8Q0ZC3V1S7N4D6F9XA',
        object: 'choice_change',
        livemode: false,
        customer: 'cus_01KB2Y5M8Q0ZC3V1S7N4D6F9XA',
        kind: 'payment_method',
        at: '2026-11-25T09:00:00.000Z',
        from: { type: 'bankgiro', default: true },
        to: { type: 'swish', phone: '+46701234567', default: false },
        initiator: 'customer',
        reason: 'Betalar hellre med Swish',
      },
    ],
  },
);
export type ChoiceChangeResource = Static<typeof ChoiceChange>;

export function toChoiceChangeResource(row: ChoiceChangeRow, livemode: boolean): ChoiceChangeResource {
  return {
    id: row.id,
    object: 'choice_change',
    livemode,
    customer: row.customerId,
    kind: row.kind,
    at: row.at.toISOString(),
    from: row.from,
    to: row.to,
    initiator: row.initiator,
    reason: row.reason,
  };
}

export const ChoiceChangeList = ListOf(ChoiceChange, "A page of a customer's choice changes, newest first");

export const ChoiceHistoryQuery = Type.Object(
  {
    ...ListQuery,
    starting_after: Type.Optional(Id('choiceChange', 'Return changes made before this one (the last id of the previous page)')),
    ending_before: Type.Optional(Id('choiceChange', 'Return changes made after this one (the first id of the next page up)')),
    kind: Type.Optional(Type.Union([Type.Literal('payment_method'), Type.Literal('delivery')], { description: 'Only changes of this choice' })),
  },
  { additionalProperties: false },
);
