// What every rule needs to know about the document it checks, worked out once.
import { all, first, kids, norm, val, type El } from './xml.ts';

export interface Doc {
  root: El;
  isInvoice: boolean;
  /** cac:InvoiceLine or cac:CreditNoteLine children of the root. */
  lines: El[];
  currency: string;
  supplier: El | undefined; // cac:AccountingSupplierParty/cac:Party
  customer: El | undefined; // cac:AccountingCustomerParty/cac:Party
  /** Peppol's $supplierCountry: from the seller's VAT number, the tax representative's, else the address. */
  supplierCountry: string;
  supplierCountryIsDE: boolean;
  customerCountryIsDE: boolean;
  /** Peppol's $profile: the process number of the ProfileID ('01'), or 'Unknown'. */
  profile: string;
}

const vatSchemes = (party: El | undefined) => all(party, 'cac:PartyTaxScheme').filter((s) => all(s, 'cac:TaxScheme/cbc:ID').some((i) => i.text === 'VAT'));

export function docOf(root: El): Doc {
  const isInvoice = root.name === 'ubl:Invoice';
  const supplier = first(root, 'cac:AccountingSupplierParty/cac:Party');
  const customer = first(root, 'cac:AccountingCustomerParty/cac:Party');
  const vatPrefix = (party: El | undefined) => {
    const id = vatSchemes(party).map((s) => (first(s, 'cbc:CompanyID')?.text ?? '').slice(0, 2)).find((p) => p);
    return id ? norm(id).toUpperCase() : '';
  };
  const supplierPostal = val(supplier, 'cac:PostalAddress/cac:Country/cbc:IdentificationCode').toUpperCase();
  const supplierCountry = vatPrefix(supplier) || vatPrefix(first(root, 'cac:TaxRepresentativeParty')) || supplierPostal || 'XX';
  const profileId = norm(first(root, 'cbc:ProfileID')?.text);
  const profile = first(root, 'cbc:ProfileID') && /urn:fdc:peppol.eu:2017:poacc:billing:([0-9]{2}):1.0/.test(profileId) ? (profileId.split(':')[6] ?? 'Unknown') : 'Unknown';
  return {
    root,
    isInvoice,
    lines: kids(root, isInvoice ? 'cac:InvoiceLine' : 'cac:CreditNoteLine'),
    currency: first(root, 'cbc:DocumentCurrencyCode')?.text ?? '',
    supplier,
    customer,
    supplierCountry,
    supplierCountryIsDE: supplierPostal === 'DE',
    customerCountryIsDE: val(customer, 'cac:PostalAddress/cac:Country/cbc:IdentificationCode').toUpperCase() === 'DE',
    profile,
  };
}

export { vatSchemes };
