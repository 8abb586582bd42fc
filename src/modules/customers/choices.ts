// A customer's two choices, how they pay and how their invoices reach them: their stored shapes,
// the defaults that apply while nothing is chosen, and the checks per kind. Pure: no I/O, time
// passed in. Every problem names its field (prefixed as the caller's body nests it).
import { parse as parseAccount } from 'kontonummer';
import { invalid, type FieldError } from '../../kernel/errors.ts';
import { parseNationalId } from '../../domain/national-id.ts';
import { EAS } from '../../domain/peppol/codes.ts';

export const PAYMENT_METHOD_TYPES = ['card', 'swish', 'bankgiro', 'autogiro', 'e_invoice'] as const;
export const DELIVERY_TYPES = ['email_pdf', 'email_html', 'kivra', 'peppol', 'paper'] as const;
export const MANDATE_STATUSES = ['pending', 'active', 'revoked', 'rejected'] as const;
export const INITIATORS = ['customer', 'merchant', 'system'] as const;

export type PaymentMethodType = (typeof PAYMENT_METHOD_TYPES)[number];
export type DeliveryType = (typeof DELIVERY_TYPES)[number];
export type Initiator = (typeof INITIATORS)[number];

/** As stored (customers.payment_method) and shown, in the API's own snake_case. */
export type PaymentMethod =
  | { type: 'card'; token: string; brand: string; last4: string }
  | { type: 'swish'; phone: string }
  | { type: 'bankgiro' }
  | { type: 'autogiro'; payer_number: string; clearing_number: string; account_number: string; bank: string; status: (typeof MANDATE_STATUSES)[number] }
  | { type: 'e_invoice' };

export type Delivery = { type: 'email_pdf' | 'email_html' | 'kivra' | 'paper' } | { type: 'peppol'; participant_id: string };

/** What a request body may carry for a payment method (the kind's fields, checked below). */
export type PaymentMethodInput = {
  type: PaymentMethodType;
  token?: string | undefined;
  brand?: string | undefined;
  last4?: string | undefined;
  phone?: string | undefined;
  payer_number?: string | undefined;
  clearing_number?: string | undefined;
  account_number?: string | undefined;
  status?: (typeof MANDATE_STATUSES)[number] | undefined;
};
export type DeliveryInput = { type: DeliveryType; participant_id?: string | undefined };

/** The customer fields the choices depend on. */
export type ChoiceHolder = {
  type: 'person' | 'company';
  email: string | null;
  nationalId: string | null;
  nationalIdKind: string | null;
  addressLine1: string | null;
  postalCode: string | null;
  city: string | null;
  paymentMethod: PaymentMethod | null;
  delivery: Delivery | null;
};

/** The fields each kind takes; any other is refused, so a typo is not silently dropped. */
const PAYMENT_FIELDS: Record<PaymentMethodType, readonly string[]> = {
  card: ['token', 'brand', 'last4'],
  swish: ['phone'],
  bankgiro: [],
  autogiro: ['payer_number', 'clearing_number', 'account_number', 'status'],
  e_invoice: [],
};
const DELIVERY_FIELDS: Record<DeliveryType, readonly string[]> = {
  email_pdf: [],
  email_html: [],
  kivra: [],
  peppol: ['participant_id'],
  paper: [],
};

/** What applies while the customer has chosen nothing: bankgiro, and e-mail (PDF) when there is an address to send to, else paper. */
export function defaultPaymentMethod(): PaymentMethod {
  return { type: 'bankgiro' };
}
export function defaultDelivery(c: Pick<ChoiceHolder, 'email'>): Delivery {
  return { type: c.email ? 'email_pdf' : 'paper' };
}
export const effectivePaymentMethod = (c: Pick<ChoiceHolder, 'paymentMethod'>): PaymentMethod => c.paymentMethod ?? defaultPaymentMethod();
export const effectiveDelivery = (c: Pick<ChoiceHolder, 'delivery' | 'email'>): Delivery => c.delivery ?? defaultDelivery(c);

const digitsOf = (s: string) => s.replace(/[\s-]/g, '');

/** A Swedish mobile number (07x), as +467xxxxxxxx; null when it is not one. */
export function normalizeSwedishMobile(input: string): string | null {
  const compact = input.replace(/[\s()-]/g, '');
  const national = compact.startsWith('+46') ? `0${compact.slice(3)}` : compact.startsWith('0046') ? `0${compact.slice(4)}` : compact.startsWith('46') && compact.length === 11 ? `0${compact.slice(2)}` : compact;
  return /^07[02369]\d{7}$/.test(national) ? `+46${national.slice(1)}` : null;
}

function unknownFields(input: Record<string, unknown>, allowed: readonly string[], kind: string, prefix: string): FieldError[] {
  const own = new Set(['type', 'initiator', 'reason', ...allowed]);
  return Object.keys(input)
    .filter((k) => input[k] !== undefined && !own.has(k))
    .map((k) => ({ field: `${prefix}${k}`, location: 'body' as const, message: `is not a field of a ${kind}` }));
}

/** Checks a payment method for this customer and returns it normalised; throws validation_failed naming each bad field. */
export function checkPaymentMethod(input: PaymentMethodInput, prefix = ''): PaymentMethod {
  const errors = unknownFields(input, PAYMENT_FIELDS[input.type], `${input.type} payment method`, prefix);
  const need = (field: keyof PaymentMethodInput): string | undefined => {
    const v = input[field];
    if (v === undefined || v === '') errors.push({ field: `${prefix}${field}`, location: 'body', message: `is required for a ${input.type} payment method` });
    return v === undefined || v === '' ? undefined : String(v);
  };
  let out: PaymentMethod | undefined;
  switch (input.type) {
    case 'card': {
      const token = need('token');
      const brand = need('brand');
      const last4 = need('last4');
      if (token !== undefined && brand !== undefined && last4 !== undefined) out = { type: 'card', token, brand: brand.toLowerCase(), last4 };
      break;
    }
    case 'swish': {
      const phone = need('phone');
      if (phone !== undefined) {
        const normalized = normalizeSwedishMobile(phone);
        if (normalized) out = { type: 'swish', phone: normalized };
        else errors.push({ field: `${prefix}phone`, location: 'body', message: 'is not a Swedish mobile number (07x xxx xx xx or +46 7x xxx xx xx)' });
      }
      break;
    }
    case 'autogiro': {
      const payer = need('payer_number');
      const clearing = need('clearing_number');
      const account = need('account_number');
      if (payer !== undefined && !/^\d{1,16}$/.test(digitsOf(payer))) {
        errors.push({ field: `${prefix}payer_number`, location: 'body', message: 'must be 1–16 digits (betalarnummer)' });
      }
      if (clearing !== undefined && account !== undefined) {
        try {
          const k = parseAccount(clearing, account);
          if (payer !== undefined && errors.length === 0) {
            out = { type: 'autogiro', payer_number: digitsOf(payer), clearing_number: k.sortingCode, account_number: k.accountNumber, bank: k.bankName, status: input.status ?? 'pending' };
          }
        } catch (e) {
          // The package says which part failed: an unknown clearing number or a bad account number.
          const field = /sorting code/i.test((e as Error).message) ? 'clearing_number' : 'account_number';
          errors.push({
            field: `${prefix}${field}`,
            location: 'body',
            message: field === 'clearing_number' ? 'is not the clearing number of a Swedish bank' : 'is not a valid account number for this clearing number (check digit or length)',
          });
        }
      }
      break;
    }
    case 'bankgiro':
      out = { type: 'bankgiro' };
      break;
    case 'e_invoice':
      out = { type: 'e_invoice' };
      break;
  }
  if (errors.length > 0 || !out) throw invalid(errors);
  return out;
}

/** The organisation number of a Peppol participant id with the Swedish scheme 0007. */
const PEPPOL_ID = /^0007:(\d{10})$/;
/** A participant id in another scheme (a foreign buyer's, such as 9930:DE123456789): its EAS code and identifier. */
const OTHER_PEPPOL_ID = /^(\d{4}):([A-Za-z0-9][A-Za-z0-9.:_-]{0,49})$/;

/** Checks a delivery choice for this customer and returns it normalised; throws validation_failed naming each bad field. */
export function checkDelivery(input: DeliveryInput, c: ChoiceHolder, today: Date, prefix = ''): Delivery {
  const errors = unknownFields(input, DELIVERY_FIELDS[input.type], `${input.type} delivery`, prefix);
  let out: Delivery = { type: input.type as Exclude<DeliveryType, 'peppol'> };
  if (input.type === 'peppol' && c.type !== 'company') {
    errors.push({ field: `${prefix}type`, location: 'body', message: 'cannot be peppol: it is for companies (customer type company)' });
  } else if (input.type === 'peppol') {
    // Derived from the customer's organisation number when not given.
    const given = input.participant_id?.trim() ?? (c.nationalIdKind === 'organisationsnummer' && c.nationalId ? `0007:${digitsOf(c.nationalId)}` : undefined);
    if (given === undefined) {
      errors.push({ field: `${prefix}participant_id`, location: 'body', message: 'is required for peppol delivery (such as 0007:5560360793) when the customer has no organisationsnummer' });
    } else {
      const other = OTHER_PEPPOL_ID.exec(given);
      const m = PEPPOL_ID.exec(digitsOf(given.replace(/^0007:/, '0007:')));
      const org = m ? parseNationalId(m[1]!, { type: 'company', today }) : undefined;
      if (other && other[1] !== '0007' && EAS.has(other[1]!)) {
        out = { type: 'peppol', participant_id: given };
      } else if (!m || !org?.ok || org.value.kind !== 'organisationsnummer') {
        errors.push({ field: `${prefix}participant_id`, location: 'body', message: 'must be 0007: followed by a valid Swedish organisationsnummer (such as 0007:5560360793), or another Peppol scheme and identifier (such as 9930:DE123456789)' });
      } else {
        out = { type: 'peppol', participant_id: `0007:${m[1]}` };
      }
    }
  }
  if (errors.length > 0) throw invalid(errors);
  const unmet = deliveryUnmet(out, c);
  if (unmet) throw invalid([{ field: `${prefix}type`, location: 'body', message: `cannot be ${out.type}: ${unmet}` }]);
  return out;
}

/** Why this customer cannot receive invoices this way, or null. Checked on every change of the choice or of the customer. */
export function deliveryUnmet(d: Delivery, c: ChoiceHolder): string | null {
  switch (d.type) {
    case 'email_pdf':
    case 'email_html':
      return c.email ? null : "it needs the customer's email";
    case 'kivra':
      return c.nationalId ? null : "it needs the customer's national_id (personnummer or organisationsnummer)";
    case 'peppol':
      return c.type === 'company' ? null : 'it is for companies (customer type company)';
    case 'paper':
      return c.addressLine1 && c.postalCode && c.city ? null : "it needs the customer's postal address";
  }
}

/**
 * For a change of the customer itself: the chosen delivery must stay possible (clearing the
 * e-mail of a customer who chose email_pdf is refused, naming the field that would break it).
 */
export function customerChangeProblems(c: ChoiceHolder): FieldError[] {
  if (!c.delivery) return [];
  const unmet = deliveryUnmet(c.delivery, c);
  if (!unmet) return [];
  const field = { email_pdf: 'email', email_html: 'email', kivra: 'national_id', peppol: 'type', paper: 'address' }[c.delivery.type];
  return [{ field, location: 'body', message: `is needed by the customer's delivery choice (${c.delivery.type}: ${unmet}); choose another delivery first (POST /v1/customers/{id}/delivery)` }];
}

/** Whether two choices are the same (a change to the same choice is no change). */
export const sameChoice = (a: unknown, b: unknown) => canonical(a) === canonical(b);

// jsonb keeps keys in its own order, so compare with keys sorted.
function canonical(v: unknown): string {
  if (v && typeof v === 'object' && !Array.isArray(v)) {
    return `{${Object.keys(v).sort().map((k) => `${JSON.stringify(k)}:${canonical((v as Record<string, unknown>)[k])}`).join(',')}}`;
  }
  return JSON.stringify(v) ?? 'null';
}
