// The invoice (or credit note) as a document to render: everything a reader needs, frozen at
// finalisation. Amounts are integer minor units; dates are calendar dates (YYYY-MM-DD) in the
// merchant's time zone. Renderers format; they never compute money.
import type { DeliveryResource, PaymentMethodResource } from '../customers/choices-contract.ts';

export type Locale = 'sv' | 'en';

export interface PartyAddress {
  name: string;
  addressLines: string[]; // street lines, then "postal code city", then country when not SE
}

export interface Seller extends PartyAddress {
  organisationNumber: string | null; // NNNNNN-NNNN
  vatNumber: string | null; // SE…01
  fSkatt: boolean; // "Godkänd för F-skatt" must be printed when true
  bankgiro: string | null; // formatted NNN-NNNN or NNNN-NNNN
  swishNumber: string | null; // 123 456 78 90 style digits; a Swish QR is shown when set
  email: string | null;
  // Absent on invoices finalised before these settings existed.
  phone?: string | null;
  registeredOffice?: string | null; // säte (aktiebolagslagen 28 kap. 1 §)
}

export interface Buyer extends PartyAddress {
  vatNumber: string | null; // printed, and required for reverse charge
  customerId: string;
  // The merchant's own customer number (the customer's external_id) when it has one; absent on
  // invoices finalised before it was frozen.
  customerNumber?: string | null;
  // How the buyer pays and receives invoices, as in force when the invoice was finalised (drafts:
  // as now); absent on invoices finalised before customers had choices.
  paymentMethod?: PaymentMethodResource;
  delivery?: DeliveryResource;
}

export interface DocumentLine {
  description: string;
  quantity: number;
  unitAmount: number; // per unit, as quoted (incl. VAT when taxBehavior is inclusive)
  unitAmountExclVat: number; // per unit excl. VAT, as printed (net / quantity for an inclusive price, to the öre)
  taxBehavior: 'inclusive' | 'exclusive';
  vatRate: number; // 25, 12, 6 or 0
  net: number;
  vat: number;
  gross: number;
  periodStart: string | null;
  periodEnd: string | null; // exclusive end; show as the day before ("1–30 Nov")
}

export interface VatBreakdownRow {
  vatRate: number;
  net: number; // taxable amount at this rate
  vat: number;
}

export interface InvoiceDocument {
  kind: 'invoice' | 'credit_note';
  locale: Locale;
  id: string;
  number: string | null; // null while a draft
  status: string; // draft, open, paid, partially_paid, void, uncollectible (credit notes: issued, void)
  currency: string; // ISO 4217, usually SEK
  issueDate: string | null;
  dueDate: string | null; // invoices only
  periodStart: string | null;
  periodEnd: string | null; // exclusive
  seller: Seller;
  buyer: Buyer;
  reverseCharge: boolean; // "Omvänd betalningsskyldighet" text when true
  lines: DocumentLine[];
  vatBreakdown: VatBreakdownRow[];
  subtotal: number; // sum of nets
  vatTotal: number;
  total: number; // nets + VAT, before rounding
  rounding: number; // öresavrundning, may be negative; 0 for non-SEK
  amountDue: number; // total + rounding
  amountPaid: number;
  amountCredited: number;
  amountRemaining: number; // what the buyer still has to pay
  ocrReference: string | null;
  paymentTermsDays: number;
  lateInterestText: string | null; // merchant's own late-payment terms, else the renderer's default (räntelagen)
  creditedInvoiceNumber: string | null; // credit notes: the invoice they credit
  creditedInvoiceRemaining: number | null; // credit notes: left to pay on that invoice after this credit
  memo: string | null;
}
