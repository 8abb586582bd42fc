// Invoice documents for the renderer tests. Totals come from computeInvoiceTotals, as they
// would in production, so every fixture adds up; the tests assert the formatted results.
import { computeInvoiceTotals, type InvoiceLineInput } from '../../src/domain/money.ts';
import type { InvoiceDocument, Seller } from '../../src/modules/invoices/document.ts';
import { unitAmountExclVat } from '../../src/modules/invoices/compose.ts';

interface LineSpec extends InvoiceLineInput {
  description: string;
  period?: [start: string, endExclusive: string];
}

type Meta = Omit<
  InvoiceDocument,
  'lines' | 'vatBreakdown' | 'subtotal' | 'vatTotal' | 'total' | 'rounding' | 'amountDue' | 'amountRemaining'
>;

function build(meta: Meta, specs: LineSpec[]): InvoiceDocument {
  const totals = computeInvoiceTotals(specs, meta.currency);
  return {
    ...meta,
    lines: specs.map((spec, i) => {
      const line = totals.lines[i];
      if (line === undefined) throw new Error('computeInvoiceTotals lost a line');
      return {
        description: spec.description,
        quantity: spec.quantity,
        unitAmount: spec.unitAmount,
        taxBehavior: spec.taxBehavior,
        vatRate: spec.vatRate,
        ...line,
        unitAmountExclVat: unitAmountExclVat({ ...spec, net: line.net }),
        periodStart: spec.period?.[0] ?? null,
        periodEnd: spec.period?.[1] ?? null,
      };
    }),
    vatBreakdown: totals.vatByRate.map(({ vatRate, net, vat }) => ({ vatRate, net, vat })),
    subtotal: totals.subtotal,
    vatTotal: totals.vat,
    total: totals.total,
    rounding: totals.rounding,
    amountDue: totals.amountToPay,
    amountRemaining: totals.amountToPay - meta.amountPaid - meta.amountCredited,
  };
}

export const seller: Seller = {
  name: 'Fjällräven Åkeri AB',
  addressLines: ['Storgatan 12', '831 30 Östersund'],
  organisationNumber: '556677-8899',
  vatNumber: 'SE556677889901',
  fSkatt: true,
  bankgiro: '5050-1055',
  swishNumber: '123 118 11 89',
  email: 'faktura@fjallraven-akeri.se',
  phone: '063-12 34 56',
  registeredOffice: 'Östersund',
};

const base: Meta = {
  kind: 'invoice',
  locale: 'sv',
  id: 'inv_01JD3Q8V6ZK6M1T0R9W4X2Y5A7',
  number: '2026-0042',
  status: 'open',
  currency: 'SEK',
  issueDate: '2026-11-25',
  dueDate: '2026-12-25',
  periodStart: '2026-11-01',
  periodEnd: '2026-12-01',
  seller,
  buyer: {
    name: 'Bäckström & Söner Handelsbolag',
    addressLines: ['Kungsgatan 5', '111 43 Stockholm'],
    vatNumber: 'SE969780123401',
    customerId: 'cus_01JD3Q7K2M8N4P6R8S0T2V4W6X',
    customerNumber: 'K-10042',
  },
  reverseCharge: false,
  amountPaid: 0,
  amountCredited: 0,
  ocrReference: '2026004206',
  paymentTermsDays: 30,
  lateInterestText: null,
  creditedInvoiceNumber: null,
  creditedInvoiceRemaining: null,
  memo: null,
};

/** Swedish invoice: 25 % and 12 % VAT, +0,49 kr öresavrundning, Swish. */
export const svInvoice: InvoiceDocument = build({ ...base, memo: 'Tack för att ni väljer oss!\nFrågor? Ring 063-12 34 56.' }, [
  { description: 'Transport Östersund–Åre, helpall', quantity: 3, unitAmount: 124990, taxBehavior: 'exclusive', vatRate: 25 },
  {
    description: 'Lagerhållning, 4 pallplatser',
    quantity: 1,
    unitAmount: 89500,
    taxBehavior: 'exclusive',
    vatRate: 25,
    period: ['2026-11-01', '2026-12-01'],
  },
  { description: 'Hotellnatt för chaufför, Åre', quantity: 2, unitAmount: 104537, taxBehavior: 'exclusive', vatRate: 12 },
]);

/** English invoice to a Finnish business: reverse charge, no Swish, partly paid, own late-payment terms. */
export const enInvoice: InvoiceDocument = build(
  {
    ...base,
    locale: 'en',
    number: '2026-0043',
    seller: { ...seller, swishNumber: null },
    buyer: {
      name: 'Aurora Outdoor Oy',
      addressLines: ['Mannerheimintie 12', '00100 Helsinki', 'Finland'],
      vatNumber: 'FI12345671',
      customerId: 'cus_01JD3Q7K2M8N4P6R8S0T2V4W7Y',
    },
    reverseCharge: true,
    amountPaid: 500000,
    ocrReference: '2026004305',
    paymentTermsDays: 14,
    dueDate: '2026-12-09',
    lateInterestText: 'Late payment interest of 10% per year is charged after the due date.',
  },
  [
    { description: 'Cross-border haulage Östersund–Helsinki', quantity: 2, unitAmount: 987600, taxBehavior: 'exclusive', vatRate: 0 },
    { description: 'Customs paperwork', quantity: 1, unitAmount: 45000, taxBehavior: 'exclusive', vatRate: 0 },
  ],
);

/** Credit note for part of svInvoice. */
export const creditNote: InvoiceDocument = build(
  {
    ...base,
    kind: 'credit_note',
    id: 'cn_01JD9X2C4E6G8J0K2M4N6P8R0S',
    number: 'K2026-0007',
    status: 'issued',
    issueDate: '2026-11-28',
    dueDate: null,
    ocrReference: null,
    creditedInvoiceNumber: '2026-0042',
    creditedInvoiceRemaining: 658600,
    memo: 'Kreditering av en transport som ställdes in.',
  },
  [{ description: 'Transport Östersund–Åre, helpall (inställd)', quantity: 1, unitAmount: 124990, taxBehavior: 'exclusive', vatRate: 25 }],
);

/** Draft: no number yet, and a description that must be escaped. */
export const draftInvoice: InvoiceDocument = build(
  { ...base, number: null, status: 'draft', issueDate: null, dueDate: null, ocrReference: null },
  [
    { description: '<script>alert("x")</script> Konsulttimmar', quantity: 8, unitAmount: 95000, taxBehavior: 'exclusive', vatRate: 25 },
    { description: 'Kaffe & fika (inkl. moms)', quantity: 1, unitAmount: 21200, taxBehavior: 'inclusive', vatRate: 12 },
  ],
);

/** Sixty daily deliveries: spans several PDF pages. */
export const longInvoice: InvoiceDocument = build(
  { ...base, number: '2026-0044', ocrReference: '2026004404' },
  Array.from({ length: 60 }, (_, i): LineSpec => {
    const day = String((i % 30) + 1).padStart(2, '0');
    return {
      description: i === 59 ? 'Leverans 60: sista raden' : `Leverans ${i + 1}: Östersund–Åre`,
      quantity: 1 + (i % 3),
      unitAmount: 34950 + i * 125,
      taxBehavior: 'exclusive',
      vatRate: i % 4 === 0 ? 12 : 25,
      period: [`2026-11-${day}`, i % 30 === 29 ? '2026-12-01' : `2026-11-${String((i % 30) + 2).padStart(2, '0')}`],
    };
  }),
);
