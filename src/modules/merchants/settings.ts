// The seller's settings, checked with Swedish rules: what every invoice and payment instruction
// will print. Pure: the service loads, applies and stores.
import { parseNationalId } from '../../domain/national-id.ts';
import { normalizePostalCode, normalizeVatNumber } from '../../domain/tax-registration.ts';
import { parseBankgiro } from '../../domain/bankgiro.ts';
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
  time_zone?: string | undefined;
  payment_terms_days?: number | undefined;
  invoice_number_prefix?: string | undefined;
  ocr_length_digit?: boolean | undefined;
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
  timeZone: 'Europe/Stockholm',
  paymentTermsDays: 30,
  invoiceNumberPrefix: '',
  ocrLengthDigit: true,
  updatedAt: null,
} satisfies Partial<MerchantRow>;

type FieldError = { field: string; message: string };

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
  if (input.time_zone !== undefined) {
    if (validTimeZone(input.time_zone)) next.timeZone = input.time_zone;
    else errors.push({ field: 'time_zone', message: 'is not an IANA time zone, e.g. Europe/Stockholm' });
  }
  if (input.payment_terms_days !== undefined) next.paymentTermsDays = input.payment_terms_days;
  if (input.invoice_number_prefix !== undefined) next.invoiceNumberPrefix = input.invoice_number_prefix;
  if (input.ocr_length_digit !== undefined) next.ocrLengthDigit = input.ocr_length_digit;
  return errors.length > 0 ? { ok: false, errors } : { ok: true, value: next };
}
