// The seller and buyer of a Peppol document, from the parties frozen on the invoice (name, numbers,
// F-skatt, bankgiro) and the merchant's and customer's current rows (structured address, buyer
// reference). Every setting the network would reject is caught here and named: a document is
// never built from malformed settings.
import { DomainError, type FieldError } from '../../kernel/errors.ts';
import { parseBankgiro } from '../../domain/bankgiro.ts';
import { seOrgNumberValid } from '../../domain/peppol/identifiers.ts';
import type { UblParty } from '../../domain/peppol/ubl.ts';
import type { Buyer, Seller } from '../invoices/document.ts';
import type { Merchant } from '../merchants/service.ts';
import type { Customer } from '../customers/service.ts';

const digits = (s: string | null | undefined) => (s ?? '').replace(/[\s-]/g, '');

export interface PeppolParties {
  seller: UblParty;
  buyer: UblParty;
  bankgiro: string | null;
  buyerReference: string;
}

/**
 * Checks and assembles the parties. `needsVat`: the document has standard-rated or reverse-charge
 * lines (the seller's VAT number must then be stated); `needsBankgiro`: it asks for payment.
 */
export function peppolParties(
  frozen: { seller: Seller; buyer: Buyer },
  merchant: Merchant,
  customer: Customer,
  opts: { needsVat: boolean; needsBankgiro: boolean },
): PeppolParties {
  if (customer.type !== 'company') {
    throw new DomainError(
      'peppol_not_applicable',
      `Customer ${customer.id} is a consumer (type person): Peppol e-invoices are for companies. Send the invoice as PDF or HTML instead.`,
    );
  }
  const errors: FieldError[] = [];
  const m = (field: string, message: string) => errors.push({ field, location: 'merchant', message });
  const c = (field: string, message: string) => errors.push({ field, location: 'customer', message });

  const sellerOrg = digits(frozen.seller.organisationNumber ?? merchant.organisationNumber);
  if (!sellerOrg) m('organisation_number', 'is required: the seller’s Peppol address and legal registration (scheme 0007)');
  else if (!/^\d{10}$/.test(sellerOrg) || !seOrgNumberValid(sellerOrg)) m('organisation_number', `is not a valid Swedish organisationsnummer (${frozen.seller.organisationNumber ?? merchant.organisationNumber}): 10 digits with a Luhn check digit`);
  const sellerVat = (frozen.seller.vatNumber ?? merchant.vatNumber)?.replace(/\s/g, '') ?? null;
  if (sellerVat && sellerVat.startsWith('SE') && !/^SE\d{12}$/.test(sellerVat)) m('vat_number', `is not a Swedish VAT number (${sellerVat}): SE, 10 digits and 01`);
  else if (!sellerVat && opts.needsVat) m('vat_number', 'is required: the seller’s VAT number must be stated on a document with VAT');
  const sellerName = frozen.seller.name?.trim() || merchant.legalName?.trim() || '';
  if (!sellerName) m('legal_name', 'is required: the seller’s registered name');
  let bankgiro: string | null = null;
  if (opts.needsBankgiro) {
    const raw = frozen.seller.bankgiro ?? merchant.bankgiro;
    const parsed = raw ? parseBankgiro(raw) : null;
    if (!raw) m('bankgiro', 'is required: a Peppol invoice states the bankgiro to pay to (payment means 30, SE:BANKGIRO)');
    else if (!parsed?.ok) m('bankgiro', `is not a valid bankgiro number (${raw})`);
    else bankgiro = parsed.value.digits;
  }

  // The buyer's Peppol address: the participant id it chose, else its organisationsnummer.
  const delivery = customer.delivery;
  const participant = delivery?.type === 'peppol' ? delivery.participant_id : null;
  const buyerOrg = customer.nationalIdKind === 'organisationsnummer' ? digits(customer.nationalId) : '';
  const [scheme, endpointId] = participant ? [participant.slice(0, 4), participant.slice(5)] : ['0007', buyerOrg];
  if (!endpointId) c('national_id', 'is required: a Peppol document is addressed to the buyer’s organisationsnummer, or set a peppol delivery with its participant id (POST /v1/customers/{id}/delivery)');
  else if (scheme === '0007' && (!/^\d{10}$/.test(endpointId) || !seOrgNumberValid(endpointId))) c(participant ? 'delivery.participant_id' : 'national_id', `is not a valid Swedish organisationsnummer (${endpointId})`);
  const buyerReference = customer.buyerReference?.trim() || '';
  if (customer.buyerReferenceRequired && !buyerReference) c('buyer_reference', 'is required: this buyer requires its reference on every e-invoice (buyer_reference_required)');
  const buyerVat = frozen.buyer.vatNumber ?? customer.vatNumber;
  if (buyerVat && buyerVat.startsWith('SE') && !/^SE\d{12}$/.test(buyerVat)) c('vat_number', `is not a Swedish VAT number (${buyerVat})`);

  if (errors.length) {
    throw new DomainError('peppol_settings_invalid', `Fix ${errors.map((e) => `${e.location === 'merchant' ? 'merchant' : 'customer'} ${e.field}`).join(', ')} before an e-invoice can be built`, { errors });
  }
  return {
    seller: {
      endpoint: { scheme: '0007', id: sellerOrg },
      name: sellerName,
      street: merchant.addressLine1,
      street2: merchant.addressLine2,
      city: merchant.city,
      postalCode: merchant.postalCode,
      country: merchant.country || 'SE',
      vatNumber: sellerVat,
      fSkatt: frozen.seller.fSkatt,
      orgNumber: sellerOrg,
      registeredOffice: frozen.seller.registeredOffice ?? merchant.registeredOffice,
      email: frozen.seller.email ?? merchant.contactEmail,
      phone: frozen.seller.phone ?? merchant.contactPhone,
    },
    buyer: {
      endpoint: { scheme, id: endpointId },
      name: frozen.buyer.name?.trim() || customer.name,
      street: customer.addressLine1,
      street2: customer.addressLine2,
      city: customer.city,
      postalCode: customer.postalCode,
      country: customer.country || 'SE',
      vatNumber: buyerVat,
      orgNumber: buyerOrg && seOrgNumberValid(buyerOrg) ? buyerOrg : null,
      email: customer.email,
      phone: null,
    },
    bankgiro,
    // Peppol needs a buyer reference or an order reference: the buyer's own, else our customer
    // number for them, else their id.
    buyerReference: buyerReference || customer.externalId || customer.id,
  };
}
