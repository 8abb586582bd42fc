// The seller's settings, checked with Swedish rules: what every invoice and payment instruction
// will print. Pure: the service loads, applies and stores.
import { parseNationalId } from '../../domain/national-id.ts';
import { PAYMENT_PLAN_FEE_CAP } from '../../domain/payment-plan.ts';
import { normalizePostalCode, normalizeVatNumber } from '../../domain/tax-registration.ts';
import { parseBankgiro } from '../../domain/bankgiro.ts';
import { parseWeights } from '../../domain/churn-risk.ts';
import { DomainError, type FieldError as ProblemFieldError } from '../../kernel/errors.ts';
import type { MerchantRow } from './store.ts';

export type SettingsInput = {
  name?: string | undefined;
  legal_name?: string | null | undefined;
  address?: { line1: string; line2?: string | null | undefined; postal_code: string; city: string; country?: string | undefined } | null | undefined;
  organisation_number?: string | null | undefined;
  vat_number?: string | null | undefined;
  f_skatt?: boolean | undefined;
  bankgiro?: string | null | undefined;
  swish_number?: string | null | undefined;
  contact_email?: string | null | undefined;
  contact_phone?: string | null | undefined;
  registered_office?: string | null | undefined;
  time_zone?: string | undefined;
  collection_agency?: { name: string; organisation_number?: string | null | undefined; email?: string | null | undefined; reference?: string | null | undefined } | null | undefined;
  payment_terms_days?: number | undefined;
  payment_plan_fee?: number | null | undefined;
  invoice_number_prefix?: string | undefined;
  ocr_length_digit?: boolean | undefined;
  churn_risk_weights?: Record<string, unknown> | null | undefined;
};

export const DEFAULT_SETTINGS = {
  legalName: null,
  addressLine1: null,
  addressLine2: null,
  postalCode: null,
  city: null,
  country: 'SE',
  organisationNumber: null,
  vatNumber: null,
  fSkatt: false,
  bankgiro: null,
  swishNumber: null,
  contactEmail: null,
  contactPhone: null,
  registeredOffice: null,
  collectionAgency: null,
  paymentPlanFee: null,
  churnRiskWeights: null,
  timeZone: 'Europe/Stockholm',
  paymentTermsDays: 30,
  invoiceNumberPrefix: '',
  ocrLengthDigit: true,
  updatedAt: null,
} satisfies Partial<MerchantRow>;

type FieldError = { field: string; message: string };

// Deliberately loose: one @, a dot in the domain, no spaces (the mail server is the real check).
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
// Digits with the usual separators, an optional leading + (E.164 style).
const PHONE = /^\+?[0-9][0-9 ()-]{4,22}[0-9]$/;
// A municipality (kommun) name: letters, spaces, hyphens ('Stockholm', 'Upplands Väsby', 'Malung-Sälen').
const OFFICE = /^\p{L}[\p{L} .'-]{0,98}\p{L}$/u;

/** An aktiebolag: organisationsnummer group digit 5 (sweden.md §9). */
export function isLimitedCompany(m: Pick<MerchantRow, 'organisationNumber'>): boolean {
  return m.organisationNumber?.startsWith('5') ?? false;
}

/**
 * The seller settings every finalised invoice needs and the merchant has not set, as problem
 * field errors (location `merchant`). Mervärdesskattelagen 17 kap. 24 § asks for the seller's
 * name, address and VAT number; aktiebolagslagen 28 kap. 1 § for an aktiebolag's
 * organisationsnummer and registered office (säte) on its invoices; and an invoice without
 * bankgiro or Swish cannot be paid. Contact details and F-skatt are printed when set, not required.
 */
export function missingSellerSettings(m: MerchantRow): ProblemFieldError[] {
  const missing: [string, string][] = [];
  if (!m.legalName) missing.push(['legal_name', 'is required: the registered company name']);
  if (!m.addressLine1 || !m.postalCode || !m.city) missing.push(['address', 'is required: the seller address']);
  if (!m.organisationNumber) missing.push(['organisation_number', 'is required']);
  if (!m.vatNumber) missing.push(['vat_number', 'is required: the seller VAT registration number (SE…01)']);
  if (isLimitedCompany(m) && !m.registeredOffice) missing.push(['registered_office', 'is required for an aktiebolag: the municipality of its registered office (säte)']);
  if (!m.bankgiro && !m.swishNumber) missing.push(['bankgiro', 'or swish_number is required: the invoice must say how to pay it']);
  return missing.map(([field, message]) => ({ field, location: 'merchant' as const, message }));
}

/** 'legal_name, vat_number, bankgiro or swish_number': the missing settings, for messages. */
export function missingNames(errors: readonly ProblemFieldError[]): string {
  return errors.map((e) => (e.field === 'bankgiro' ? 'bankgiro or swish_number' : e.field)).join(', ');
}

/** The seller_settings_incomplete problem for `m`, or null when an invoice can be finalised. */
export function sellerSettingsProblem(m: MerchantRow): DomainError | null {
  const errors = missingSellerSettings(m);
  if (errors.length === 0) return null;
  const names = missingNames(errors);
  return new DomainError('seller_settings_incomplete', `Set ${names} with PATCH /v1/merchant before invoices can be finalised`, { errors });
}

/** Throws seller_settings_incomplete unless `m` can issue an invoice. */
export function assertSellerComplete(m: MerchantRow): void {
  const problem = sellerSettingsProblem(m);
  if (problem) throw problem;
}

function validTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

export function applySettings(current: MerchantRow, input: SettingsInput, today: Date): { ok: true; value: MerchantRow } | { ok: false; errors: FieldError[] } {
  const next: MerchantRow = { ...current };
  const errors: FieldError[] = [];
  if (input.name !== undefined) next.name = input.name.trim();
  if (input.legal_name !== undefined) next.legalName = input.legal_name?.trim() || null;
  if (input.address !== undefined) {
    const a = input.address;
    next.addressLine1 = a?.line1 ?? null;
    next.addressLine2 = a?.line2 ?? null;
    next.city = a?.city ?? null;
    next.country = a?.country ?? 'SE';
    next.postalCode = null;
    if (a) {
      const pc = normalizePostalCode(a.postal_code, next.country);
      if (pc.ok) next.postalCode = pc.value;
      else errors.push({ field: 'address.postal_code', message: pc.message });
    }
  }
  if (input.organisation_number !== undefined) {
    next.organisationNumber = null;
    if (input.organisation_number !== null) {
      // A sole trader (enskild firma) is identified by the owner's personnummer.
      const parsed = parseNationalId(input.organisation_number, { type: 'company', today });
      if (parsed.ok) next.organisationNumber = parsed.value.normalized;
      else errors.push({ field: 'organisation_number', message: `is not a valid organisationsnummer (${parsed.reason})` });
    }
  }
  if (input.vat_number !== undefined) {
    next.vatNumber = null;
    if (input.vat_number !== null) {
      const vat = normalizeVatNumber(input.vat_number);
      if (vat.ok) next.vatNumber = vat.value;
      else errors.push({ field: 'vat_number', message: vat.message });
    }
  }
  if (input.f_skatt !== undefined) next.fSkatt = input.f_skatt;
  if (input.bankgiro !== undefined) {
    next.bankgiro = null;
    if (input.bankgiro !== null) {
      const bg = parseBankgiro(input.bankgiro);
      if (bg.ok) next.bankgiro = bg.value.formatted;
      else errors.push({ field: 'bankgiro', message: bg.reason === 'checksum' ? 'has a wrong check digit' : 'must be 7 or 8 digits, e.g. 5050-1055' });
    }
  }
  if (input.swish_number !== undefined) {
    next.swishNumber = null;
    if (input.swish_number !== null) {
      // Swish for businesses (Swish Handel) numbers are 10 digits starting with 123.
      const digits = input.swish_number.replace(/[\s-]/g, '');
      if (/^123\d{7}$/.test(digits)) next.swishNumber = digits;
      else errors.push({ field: 'swish_number', message: 'must be a 10-digit Swish business number starting with 123' });
    }
  }
  if (input.contact_email !== undefined) {
    next.contactEmail = null;
    const email = input.contact_email?.trim() ?? '';
    if (input.contact_email !== null) {
      if (EMAIL.test(email)) next.contactEmail = email;
      else errors.push({ field: 'contact_email', message: 'is not an e-mail address, e.g. faktura@example.se' });
    }
  }
  if (input.contact_phone !== undefined) {
    next.contactPhone = null;
    if (input.contact_phone !== null) {
      const phone = input.contact_phone.trim().replace(/\s+/g, ' ');
      if (PHONE.test(phone) && phone.replace(/\D/g, '').length >= 6) next.contactPhone = phone;
      else errors.push({ field: 'contact_phone', message: 'is not a phone number, e.g. 08-123 456 78 or +46 8 123 456 78' });
    }
  }
  if (input.registered_office !== undefined) {
    next.registeredOffice = null;
    if (input.registered_office !== null) {
      const office = input.registered_office.trim().replace(/\s+/g, ' ');
      if (OFFICE.test(office)) next.registeredOffice = office;
      else errors.push({ field: 'registered_office', message: 'is not a municipality name, e.g. Stockholm' });
    }
  }
  if (input.time_zone !== undefined) {
    if (validTimeZone(input.time_zone)) next.timeZone = input.time_zone;
    else errors.push({ field: 'time_zone', message: 'is not an IANA time zone, e.g. Europe/Stockholm' });
  }
  if (input.collection_agency !== undefined) {
    const a = input.collection_agency;
    next.collectionAgency = a ? { name: a.name.trim(), organisation_number: a.organisation_number ?? null, email: a.email ?? null, reference: a.reference ?? null } : null;
    if (a?.email && !EMAIL.test(a.email.trim())) errors.push({ field: 'collection_agency.email', message: 'is not an e-mail address' });
  }
  if (input.payment_terms_days !== undefined) next.paymentTermsDays = input.payment_terms_days;
  if (input.payment_plan_fee !== undefined) {
    const fee = input.payment_plan_fee;
    if (fee !== null && (!Number.isInteger(fee) || fee < 0)) errors.push({ field: 'payment_plan_fee', message: 'must be null or a whole number of öre, 0 or more' });
    else if (fee !== null && fee > PAYMENT_PLAN_FEE_CAP) errors.push({ field: 'payment_plan_fee', message: `at most ${PAYMENT_PLAN_FEE_CAP} öre: lag (1981:739) 4 § caps a payment plan fee at 170 kr` });
    else next.paymentPlanFee = fee;
  }
  if (input.invoice_number_prefix !== undefined) next.invoiceNumberPrefix = input.invoice_number_prefix;
  if (input.ocr_length_digit !== undefined) next.ocrLengthDigit = input.ocr_length_digit;
  if (input.churn_risk_weights !== undefined) {
    // Replaces the merchant's weights as a whole (null: the defaults); the keys left out keep their defaults.
    const parsed = input.churn_risk_weights === null ? { ok: true as const, value: null } : parseWeights(input.churn_risk_weights);
    if (parsed.ok) next.churnRiskWeights = parsed.value;
    else errors.push(...parsed.errors);
  }
  return errors.length > 0 ? { ok: false, errors } : { ok: true, value: next };
}
