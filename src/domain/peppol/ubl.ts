// A Peppol BIS Billing 3.0 document (UBL 2.1 Invoice or CreditNote) from an invoice or credit
// note, built with xmlbuilder2 (element order as the UBL schema requires; text escaped by the
// builder). Pure: the caller gathers and checks the parties (src/modules/peppol/parties.ts).
import { create } from 'xmlbuilder2';
import { NS } from './xml.ts';

export const CUSTOMIZATION_ID = 'urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0';
export const PROFILE_ID = 'urn:fdc:peppol.eu:2017:poacc:billing:01:1.0';

export interface UblParty {
  /** Electronic address: scheme 0007 and a Swedish organisationsnummer (10 digits). */
  endpoint: { scheme: string; id: string };
  name: string;
  street: string | null;
  street2: string | null;
  city: string | null;
  postalCode: string | null;
  country: string; // ISO 3166-1 alpha-2
  vatNumber: string | null;
  /** Seller only: "Godkänd för F-skatt" is stated. */
  fSkatt?: boolean;
  /** Organisationsnummer, 10 digits (scheme 0007). */
  orgNumber: string | null;
  /** Seller only: the registered office (säte), stated as the company legal form. */
  registeredOffice?: string | null;
  email: string | null;
  phone: string | null;
}

export interface UblLine {
  description: string;
  quantity: number;
  net: number; // öre, excl. VAT
  vatRate: number;
  /** Inclusive dates, only when within the document's period. */
  periodStart: string | null;
  periodEnd: string | null;
}

export interface UblInput {
  kind: 'invoice' | 'credit_note';
  number: string;
  issueDate: string;
  dueDate: string | null;
  currency: string;
  note: string | null;
  buyerReference: string;
  orderReference: string | null;
  period: { start: string; end: string } | null; // inclusive
  /** Credit notes: the invoice credited. */
  billingReference: { number: string; issueDate: string | null } | null;
  seller: UblParty;
  buyer: UblParty;
  /** Credit transfer to the seller's bankgiro with the OCR reference (invoices). */
  payment: { bankgiro: string; ocr: string | null; terms: string | null } | null;
  /** Omvänd betalningsskyldighet: every line and the breakdown are category AE. */
  reverseCharge: boolean;
  lines: UblLine[];
  breakdown: { vatRate: number; net: number; vat: number }[];
  subtotal: number;
  vatTotal: number;
  total: number; // subtotal + VAT
  prepaid: number; // customer credit used on the invoice
  rounding: number; // öresavrundning
  payable: number; // total − prepaid + rounding
}

/** VAT category of a rate: S (standard), AE (reverse charge), E (exempt) for 0 %. */
export function vatCategory(rate: number, reverseCharge: boolean): 'S' | 'E' | 'AE' {
  if (reverseCharge) return 'AE';
  return rate > 0 ? 'S' : 'E';
}
const EXEMPTION: Record<'E' | 'AE', { code: string; text: string }> = {
  AE: { code: 'VATEX-EU-AE', text: 'Omvänd betalningsskyldighet' },
  E: { code: 'VATEX-EU-132', text: 'Undantagen från skatteplikt enligt mervärdesskattelagen' },
};

/** Öre as a decimal amount: 12345 → "123.45". */
export function amount(ore: number): string {
  const abs = Math.abs(ore);
  return `${ore < 0 ? '-' : ''}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, '0')}`;
}

type Node = Record<string, unknown>;
const money = (currency: string, ore: number): Node => ({ '@currencyID': currency, '#': amount(ore) });
const opt = <T>(v: T | null | undefined): T | undefined => (v === null || v === '' ? undefined : v);

function party(p: UblParty, seller: boolean): Node {
  const taxSchemes: Node[] = [];
  if (p.vatNumber) taxSchemes.push({ 'cbc:CompanyID': p.vatNumber, 'cac:TaxScheme': { 'cbc:ID': 'VAT' } });
  if (seller && p.fSkatt) taxSchemes.push({ 'cbc:CompanyID': 'Godkänd för F-skatt', 'cac:TaxScheme': { 'cbc:ID': 'TAX' } });
  const contact = p.phone || p.email ? { 'cbc:Telephone': opt(p.phone), 'cbc:ElectronicMail': opt(p.email) } : undefined;
  return {
    'cac:Party': {
      'cbc:EndpointID': { '@schemeID': p.endpoint.scheme, '#': p.endpoint.id },
      'cac:PartyName': { 'cbc:Name': p.name },
      'cac:PostalAddress': {
        'cbc:StreetName': opt(p.street),
        'cbc:AdditionalStreetName': opt(p.street2),
        'cbc:CityName': opt(p.city),
        'cbc:PostalZone': opt(p.postalCode),
        'cac:Country': { 'cbc:IdentificationCode': p.country },
      },
      'cac:PartyTaxScheme': taxSchemes.length ? taxSchemes : undefined,
      'cac:PartyLegalEntity': {
        'cbc:RegistrationName': p.name,
        'cbc:CompanyID': p.orgNumber ? { '@schemeID': '0007', '#': p.orgNumber } : undefined,
        'cbc:CompanyLegalForm': seller && p.registeredOffice ? `Säte: ${p.registeredOffice}` : undefined,
      },
      'cac:Contact': contact,
    },
  };
}

function taxCategory(rate: number, reverseCharge: boolean, withExemption: boolean): Node {
  const id = vatCategory(rate, reverseCharge);
  const exemption = id === 'S' || !withExemption ? undefined : EXEMPTION[id];
  return {
    'cbc:ID': id,
    'cbc:Percent': String(id === 'S' ? rate : 0),
    'cbc:TaxExemptionReasonCode': exemption?.code,
    'cbc:TaxExemptionReason': exemption?.text,
    'cac:TaxScheme': { 'cbc:ID': 'VAT' },
  };
}

/** A line's price: per unit when the net divides evenly, else the whole net for the quantity (exact either way). */
function price(l: UblLine, currency: string): Node {
  const units = Math.abs(l.quantity);
  const net = Math.abs(l.net);
  if (units === 0 || net % units === 0) return { 'cbc:PriceAmount': money(currency, units ? net / units : 0) };
  return { 'cbc:PriceAmount': money(currency, net), 'cbc:BaseQuantity': { '@unitCode': 'EA', '#': String(units) } };
}

function line(l: UblLine, i: number, u: UblInput): Node {
  const invoice = u.kind === 'invoice';
  // A negative line (a credit for unused time) keeps a positive price: its quantity turns negative.
  const quantity = l.net < 0 ? -Math.abs(l.quantity) : l.quantity;
  return {
    'cbc:ID': String(i + 1),
    [invoice ? 'cbc:InvoicedQuantity' : 'cbc:CreditedQuantity']: { '@unitCode': 'EA', '#': String(quantity) },
    'cbc:LineExtensionAmount': money(u.currency, l.net),
    'cac:InvoicePeriod': l.periodStart && l.periodEnd ? { 'cbc:StartDate': l.periodStart, 'cbc:EndDate': l.periodEnd } : undefined,
    'cac:Item': {
      'cbc:Name': l.description,
      'cac:ClassifiedTaxCategory': taxCategory(l.vatRate, u.reverseCharge, false),
    },
    'cac:Price': price(l, u.currency),
  };
}

/** The UBL XML of the document. */
export function buildUbl(u: UblInput): string {
  const invoice = u.kind === 'invoice';
  const c = u.currency;
  const body: Node = {
    '@xmlns': invoice ? NS.invoice : NS.creditNote,
    '@xmlns:cac': NS.cac,
    '@xmlns:cbc': NS.cbc,
    'cbc:CustomizationID': CUSTOMIZATION_ID,
    'cbc:ProfileID': PROFILE_ID,
    'cbc:ID': u.number,
    'cbc:IssueDate': u.issueDate,
  };
  if (invoice) {
    body['cbc:DueDate'] = opt(u.dueDate);
    body['cbc:InvoiceTypeCode'] = '380';
  } else {
    body['cbc:CreditNoteTypeCode'] = '381';
  }
  Object.assign(body, {
    'cbc:Note': opt(u.note),
    'cbc:DocumentCurrencyCode': c,
    'cbc:BuyerReference': u.buyerReference,
    'cac:InvoicePeriod': u.period ? { 'cbc:StartDate': u.period.start, 'cbc:EndDate': u.period.end } : undefined,
    'cac:OrderReference': u.orderReference ? { 'cbc:ID': u.orderReference } : undefined,
    'cac:BillingReference': u.billingReference
      ? { 'cac:InvoiceDocumentReference': { 'cbc:ID': u.billingReference.number, 'cbc:IssueDate': opt(u.billingReference.issueDate) } }
      : undefined,
    'cac:AccountingSupplierParty': party(u.seller, true),
    'cac:AccountingCustomerParty': party(u.buyer, false),
    'cac:PaymentMeans': u.payment
      ? {
          'cbc:PaymentMeansCode': { '@name': 'Credit transfer', '#': '30' },
          'cbc:PaymentID': opt(u.payment.ocr),
          'cac:PayeeFinancialAccount': { 'cbc:ID': u.payment.bankgiro, 'cac:FinancialInstitutionBranch': { 'cbc:ID': 'SE:BANKGIRO' } },
        }
      : undefined,
    'cac:PaymentTerms': u.payment?.terms ? { 'cbc:Note': u.payment.terms } : undefined,
    'cac:TaxTotal': {
      'cbc:TaxAmount': money(c, u.vatTotal),
      'cac:TaxSubtotal': u.breakdown.map((b) => ({
        'cbc:TaxableAmount': money(c, b.net),
        'cbc:TaxAmount': money(c, b.vat),
        'cac:TaxCategory': taxCategory(b.vatRate, u.reverseCharge, true),
      })),
    },
    'cac:LegalMonetaryTotal': {
      'cbc:LineExtensionAmount': money(c, u.subtotal),
      'cbc:TaxExclusiveAmount': money(c, u.subtotal),
      'cbc:TaxInclusiveAmount': money(c, u.total),
      'cbc:PrepaidAmount': u.prepaid ? money(c, u.prepaid) : undefined,
      'cbc:PayableRoundingAmount': u.rounding ? money(c, u.rounding) : undefined,
      'cbc:PayableAmount': money(c, u.payable),
    },
    [invoice ? 'cac:InvoiceLine' : 'cac:CreditNoteLine']: u.lines.map((l, i) => line(l, i, u)),
  });
  return create({ version: '1.0', encoding: 'UTF-8' }, { [invoice ? 'Invoice' : 'CreditNote']: body }).end({ prettyPrint: true });
}
