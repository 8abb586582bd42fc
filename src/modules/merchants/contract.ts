import { Type } from 'typebox';
import { Id, Nullable, Timestamp, ListOf, ListQuery } from '../../http/schemas.ts';
import type { ApiKey, Merchant } from './service.ts';
import { CHURN_RISK_WEIGHT_KEYS, DEFAULT_WEIGHTS, MAX_WEIGHT, weightsWith } from '../../domain/churn-risk.ts';

// Every weight by name: all of them in the merchant resource, any of them in an update.
const ChurnRiskWeightsSchema = (description: string, all: boolean) =>
  Type.Object(
    Object.fromEntries(
      CHURN_RISK_WEIGHT_KEYS.map((k) => {
        const weight = Type.Integer({ minimum: 0, maximum: MAX_WEIGHT, description: `Default ${DEFAULT_WEIGHTS[k]}` });
        return [k, all ? weight : Type.Optional(weight)];
      }),
    ),
    { additionalProperties: false, description, examples: [all ? DEFAULT_WEIGHTS : { reminder: 8, manual_payment: 4 }] },
  );

const SellerAddress = Type.Object(
  {
    line1: Type.String({ minLength: 1, maxLength: 200 }),
    line2: Type.Optional(Nullable(Type.String({ maxLength: 200 }))),
    postal_code: Type.String({ minLength: 1, maxLength: 20 }),
    city: Type.String({ minLength: 1, maxLength: 100 }),
    country: Type.Optional(Type.String({ pattern: '^[A-Z]{2}$', default: 'SE' })),
  },
  { additionalProperties: false },
);

// The licensed agency an escalated claim is handed to; Omtanke names it in collection.escalated.
const CollectionAgency = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 200, description: 'The licensed debt collection agency (IMY permit) escalated claims go to' }),
    organisation_number: Type.Optional(Nullable(Type.String({ maxLength: 13 }))),
    email: Type.Optional(Nullable(Type.String({ maxLength: 254 }))),
    reference: Type.Optional(Nullable(Type.String({ maxLength: 100, description: 'Your customer number at the agency' }))),
  },
  { additionalProperties: false, description: 'Who escalated claims are handed to (collection.escalated names it); Omtanke never collects itself' },
);

export const MerchantResource = Type.Object({
  id: Id('merchant'),
  object: Type.Literal('merchant'),
  name: Type.String(),
  livemode: Type.Boolean({ description: 'Live merchants have sk_live_ keys and move real money' }),
  legal_name: Nullable(Type.String({ description: 'Registered company name printed on invoices' })),
  address: Nullable(Type.Object({ line1: Type.String(), line2: Nullable(Type.String()), postal_code: Type.String(), city: Type.String(), country: Type.String() })),
  organisation_number: Nullable(Type.String({ examples: ['556036-0793'] })),
  vat_number: Nullable(Type.String({ examples: ['SE556036079301'] })),
  f_skatt: Type.Boolean({ description: 'Approved for F-tax: invoices print "Godkänd för F-skatt"' }),
  bankgiro: Nullable(Type.String({ examples: ['5050-1055'] })),
  swish_number: Nullable(Type.String({ examples: ['1231181189'] })),
  contact_email: Nullable(Type.String({ description: 'Seller e-mail printed on invoices', examples: ['faktura@acme.se'] })),
  contact_phone: Nullable(Type.String({ description: 'Seller phone printed on invoices', examples: ['08-123 456 78'] })),
  registered_office: Nullable(Type.String({ description: "Registered office (säte), a municipality; printed on invoices and required for an aktiebolag (organisation number 5…)", examples: ['Stockholm'] })),
  time_zone: Type.String({ description: 'Billing periods, issue and due dates are calendar dates here', examples: ['Europe/Stockholm'] }),
  collection_agency: Nullable(CollectionAgency),
  payment_terms_days: Type.Integer({ description: 'Default days from issue to due date' }),
  payment_plan_fee: Nullable(Type.Integer({ description: 'The fee a payment plan may carry, in öre, when the customer agrees to it in writing (null: plans carry no fee). At most 17000 (170 kr, lag (1981:739) 4 §)' })),
  invoice_number_prefix: Type.String({ description: 'Invoice number series prefix' }),
  ocr_length_digit: Type.Boolean({ description: 'OCR references carry a length digit (Bankgirot setting)' }),
  churn_risk_weights: ChurnRiskWeightsSchema('The churn risk weights in force: the merchant\'s, the defaults for the rest (see GET /v1/customers/{id}/churn-risk)', true),
  created_at: Timestamp('When the merchant was created'),
  updated_at: Nullable(Timestamp('When the settings last changed')),
}, { $id: 'Merchant', description: 'The merchant (tenant) that owns the API key, with its seller settings' });

export const UpdateMerchantBody = Type.Object(
  {
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    legal_name: Type.Optional(Nullable(Type.String({ minLength: 1, maxLength: 200 }))),
    address: Type.Optional(Nullable(SellerAddress)),
    organisation_number: Type.Optional(Nullable(Type.String({ minLength: 10, maxLength: 13 }))),
    vat_number: Type.Optional(Nullable(Type.String({ minLength: 4, maxLength: 20 }))),
    f_skatt: Type.Optional(Type.Boolean()),
    bankgiro: Type.Optional(Nullable(Type.String({ minLength: 7, maxLength: 10 }))),
    swish_number: Type.Optional(Nullable(Type.String({ minLength: 10, maxLength: 14 }))),
    contact_email: Type.Optional(Nullable(Type.String({ minLength: 3, maxLength: 254, description: 'Seller e-mail printed on invoices' }))),
    contact_phone: Type.Optional(Nullable(Type.String({ minLength: 6, maxLength: 30, description: 'Seller phone printed on invoices' }))),
    registered_office: Type.Optional(Nullable(Type.String({ minLength: 2, maxLength: 100, description: 'Registered office (säte): the municipality, e.g. Stockholm' }))),
    time_zone: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
    collection_agency: Type.Optional(Nullable(CollectionAgency)),
    payment_terms_days: Type.Optional(Type.Integer({ minimum: 0, maximum: 365 })),
    payment_plan_fee: Type.Optional(Nullable(Type.Integer({ description: 'Öre; null: no plan fee. More than 17000 (170 kr) is refused' }))),
    invoice_number_prefix: Type.Optional(Type.String({ pattern: '^[A-Z0-9-]{0,10}$', description: 'Up to 10 of A–Z, 0–9 and -' })),
    ocr_length_digit: Type.Optional(Type.Boolean()),
    churn_risk_weights: Type.Optional(Nullable(ChurnRiskWeightsSchema('Points per unit of each churn risk signal, 0–100 each; replaces the merchant\'s weights (keys left out take the default); null: every default', false))),
  },
  {
    additionalProperties: false,
    examples: [{ legal_name: 'Acme AB', organisation_number: '556036-0793', vat_number: 'SE556036079301', f_skatt: true, bankgiro: '5050-1055', payment_terms_days: 30 }],
  },
);

export const ApiKeyResource = Type.Object({
  id: Id('apiKey'),
  object: Type.Literal('api_key'),
  name: Nullable(Type.String()),
  livemode: Type.Boolean(),
  redacted: Type.String({ description: 'Mode and last four characters of the secret', examples: ['sk_test_…9fQz'] }),
  created_at: Timestamp('When the key was created'),
  revoked_at: Nullable(Timestamp('When the key was revoked')),
}, { $id: 'ApiKey', description: 'An API key, without its secret' });

export const NewApiKeyResource = Type.Object({
  ...ApiKeyResource.properties,
  secret: Type.String({ description: 'The key itself. Shown only in this response: store it now.', examples: ['sk_test_4eC39HqLyjWDarjtT1zdp7dc9fQz0a1b2c3d4e5f'] }),
}, { description: 'The new API key with its secret (shown once)' });

export const CreateApiKeyBody = Type.Object(
  { name: Type.Optional(Type.String({ minLength: 1, maxLength: 100, examples: ['CRM integration'] })) },
  { additionalProperties: false, examples: [{ name: 'CRM integration' }] },
);

export const ApiKeyParams = Type.Object({ id: Id('apiKey', 'The API key id') });
export const ListApiKeysQuery = Type.Object(
  {
    ...ListQuery,
    starting_after: Type.Optional(Id('apiKey')),
    ending_before: Type.Optional(Id('apiKey')),
  },
  { additionalProperties: false },
);
export const ApiKeyList = ListOf(ApiKeyResource, 'A page of API keys, newest first');

export function toMerchantResource(m: Merchant) {
  return {
    id: m.id,
    object: 'merchant' as const,
    name: m.name,
    livemode: m.livemode,
    legal_name: m.legalName,
    address:
      m.addressLine1 && m.postalCode && m.city
        ? { line1: m.addressLine1, line2: m.addressLine2, postal_code: m.postalCode, city: m.city, country: m.country }
        : null,
    organisation_number: m.organisationNumber,
    vat_number: m.vatNumber,
    f_skatt: m.fSkatt,
    bankgiro: m.bankgiro,
    swish_number: m.swishNumber,
    contact_email: m.contactEmail,
    contact_phone: m.contactPhone,
    registered_office: m.registeredOffice,
    time_zone: m.timeZone,
    collection_agency: m.collectionAgency ? { name: m.collectionAgency.name, organisation_number: m.collectionAgency.organisation_number ?? null, email: m.collectionAgency.email ?? null, reference: m.collectionAgency.reference ?? null } : null,
    payment_terms_days: m.paymentTermsDays,
    payment_plan_fee: m.paymentPlanFee,
    invoice_number_prefix: m.invoiceNumberPrefix,
    ocr_length_digit: m.ocrLengthDigit,
    churn_risk_weights: weightsWith(m.churnRiskWeights),
    created_at: m.createdAt.toISOString(),
    updated_at: m.updatedAt?.toISOString() ?? null,
  };
}

export function toApiKeyResource(k: ApiKey) {
  return {
    id: k.id,
    object: 'api_key' as const,
    name: k.name,
    livemode: k.livemode,
    redacted: k.redacted,
    created_at: k.createdAt.toISOString(),
    revoked_at: k.revokedAt?.toISOString() ?? null,
  };
}
