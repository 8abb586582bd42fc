// The Peppol rules that are not national: PEPPOL-EN16931-R*, the code lists (CL*, P01*, F001) and
// the identifier checks PEPPOL-COMMON-R040…R050 (release 3.0.19, rules/sch/PEPPOL-EN16931-UBL.sch).
import { all, descendants, everyElement, first, has, kids, norm, num, round2, same, type El } from './xml.ts';
import type { Doc } from './document.ts';
import { CREDIT_NOTE_TYPE_CODES, EAS, INVOICE_TYPE_CODES, ISO4217, MIME_CODES, UNCL2005, UNCL5189, UNCL7161 } from './codes.ts';
import { abnValid, codiceFiscaleValid, codiceIpaValid, glnValid, mod11Valid, mod97BeValid, partitaIvaValid, seOrgNumberValid } from './identifiers.ts';
import { failing, rule, unless, type Rule } from './rule.ts';

const AMOUNT_NAMES = ['cbc:Amount', 'cbc:BaseAmount', 'cbc:PriceAmount', 'cbc:TaxableAmount', 'cbc:LineExtensionAmount', 'cbc:TaxExclusiveAmount', 'cbc:TaxInclusiveAmount', 'cbc:AllowanceTotalAmount', 'cbc:ChargeTotalAmount', 'cbc:PrepaidAmount', 'cbc:PayableRoundingAmount', 'cbc:PayableAmount'];
const DATE_NAMES = new Set(['cbc:IssueDate', 'cbc:DueDate', 'cbc:TaxPointDate', 'cbc:StartDate', 'cbc:EndDate', 'cbc:ActualDeliveryDate']);

const byName = (d: Doc, names: string[]) => everyElement(d.root).filter((e) => names.includes(e.name));

/** Document and line level allowances and charges (not the price level ones). */
function allowanceCharges(d: Doc): El[] {
  return [...kids(d.root, 'cac:AllowanceCharge'), ...d.lines.flatMap((l) => kids(l, 'cac:AllowanceCharge'))];
}
const percentWithoutBase = (ac: El) => has(ac, 'cbc:MultiplierFactorNumeric') && !has(ac, 'cbc:BaseAmount');
const baseWithoutPercent = (ac: El) => !has(ac, 'cbc:MultiplierFactorNumeric') && has(ac, 'cbc:BaseAmount');

/** |a − b| ≤ slack (u:slack). */
const slack = (expected: number, value: number, by: number) => expected + by >= value - 1e-9 && expected - by <= value + 1e-9;

/** Elements carrying a party identifier in `scheme` (EndpointID, PartyIdentification/ID, CompanyID). */
function idsInScheme(d: Doc, scheme: string, endpointsOnly = false): El[] {
  return everyElement(d.root).filter((e) => {
    if (e.attrs.schemeID !== scheme) return false;
    if (e.name === 'cbc:EndpointID') return true;
    if (endpointsOnly) return false;
    return e.name === 'cbc:CompanyID' || (e.name === 'cbc:ID' && e.parent?.name === 'cac:PartyIdentification');
  });
}
const idRule = (id: string, flag: 'fatal' | 'warning', text: string, scheme: string, ok: (v: string) => boolean, endpointsOnly = false) =>
  rule(id, flag, text, (d) => failing(idsInScheme(d, scheme, endpointsOnly), (e) => ok(norm(e.text))));

const validDate = (s: string) => {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(s)) return false;
  const t = new Date(`${s}T00:00:00Z`);
  return !Number.isNaN(t.getTime()) && t.toISOString().slice(0, 10) === s;
};
/** The element's own first text node, as `text()` reads it. */
const ownText = (e: El) => (e.children.length ? '' : e.text);

const exemptionRule = (id: string, code: string, category: string) =>
  rule(id, 'fatal', `Tax Category ${category} MUST be used when exemption reason code is ${code}`, (d) =>
    failing(
      descendants(d.root, 'cac:TaxCategory').filter((c) => kids(c, 'cbc:TaxExemptionReasonCode').some((r) => r.text.toUpperCase() === code)),
      (c) => norm(first(c, 'cbc:ID')?.text) === category,
    ));

export const PEPPOL_RULES: Rule[] = [
  rule('PEPPOL-EN16931-R001', 'fatal', 'Business process MUST be provided.', (d) => unless(has(d.root, 'cbc:ProfileID'))),
  rule('PEPPOL-EN16931-R002', 'fatal', 'No more than one note is allowed on document level, unless both the buyer and seller are German organizations.', (d) =>
    unless(kids(d.root, 'cbc:Note').length <= 1 || (d.supplierCountryIsDE && d.customerCountryIsDE))),
  rule('PEPPOL-EN16931-R003', 'fatal', 'A buyer reference or purchase order reference MUST be provided.', (d) =>
    unless(has(d.root, 'cbc:BuyerReference') || has(d.root, 'cac:OrderReference/cbc:ID'))),
  rule('PEPPOL-EN16931-R004', 'fatal', "Specification identifier MUST have the value 'urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0'.", (d) =>
    unless(norm(first(d.root, 'cbc:CustomizationID')?.text).startsWith('urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0'))),
  rule('PEPPOL-EN16931-R005', 'fatal', 'VAT accounting currency code MUST be different from invoice currency code when provided.', (d) =>
    failing(descendants(d.root, 'cbc:TaxCurrencyCode'), (t) => norm(t.text) !== norm(first(t.parent, 'cbc:DocumentCurrencyCode')?.text))),
  rule('PEPPOL-EN16931-R007', 'fatal', "Business process MUST be in the format 'urn:fdc:peppol.eu:2017:poacc:billing:NN:1.0' where NN indicates the process number.", (d) =>
    unless(d.profile !== 'Unknown')),
  rule('PEPPOL-EN16931-R008', 'fatal', 'Document MUST not contain empty elements.', (d) => everyElement(d.root).filter((e) => !e.children.length && !norm(e.text)).length),
  rule('PEPPOL-EN16931-R010', 'fatal', 'Buyer electronic address MUST be provided', (d) =>
    failing(descendants(d.root, 'cac:AccountingCustomerParty').flatMap((p) => kids(p, 'cac:Party')), (p) => has(p, 'cbc:EndpointID'))),
  rule('PEPPOL-EN16931-R020', 'fatal', 'Seller electronic address MUST be provided', (d) =>
    failing(descendants(d.root, 'cac:AccountingSupplierParty').flatMap((p) => kids(p, 'cac:Party')), (p) => has(p, 'cbc:EndpointID'))),
  rule('PEPPOL-EN16931-R040', 'fatal', 'Allowance/charge amount must equal base amount * percentage/100 if base amount and percentage exists', (d) =>
    failing(allowanceCharges(d).filter((ac) => !percentWithoutBase(ac) && !baseWithoutPercent(ac)), (ac) =>
      !(has(ac, 'cbc:MultiplierFactorNumeric') && has(ac, 'cbc:BaseAmount')) ||
      slack(has(ac, 'cbc:Amount') ? num(first(ac, 'cbc:Amount')?.text) : 0, (num(first(ac, 'cbc:BaseAmount')?.text) * num(first(ac, 'cbc:MultiplierFactorNumeric')?.text)) / 100, 0.02))),
  rule('PEPPOL-EN16931-R041', 'fatal', 'Allowance/charge base amount MUST be provided when allowance/charge percentage is provided.', (d) => allowanceCharges(d).filter(percentWithoutBase).length),
  rule('PEPPOL-EN16931-R042', 'fatal', 'Allowance/charge percentage MUST be provided when allowance/charge base amount is provided.', (d) => allowanceCharges(d).filter(baseWithoutPercent).length),
  rule('PEPPOL-EN16931-R043', 'fatal', "Allowance/charge ChargeIndicator value MUST equal 'true' or 'false'", (d) =>
    failing(allowanceCharges(d).filter((ac) => !percentWithoutBase(ac) && !baseWithoutPercent(ac)), (ac) => ['true', 'false'].includes(norm(first(ac, 'cbc:ChargeIndicator')?.text)))),
  rule('PEPPOL-EN16931-R044', 'fatal', "Charge on price level is NOT allowed. Only value 'false' allowed.", (d) =>
    failing(descendants(d.root, 'cac:Price').flatMap((p) => kids(p, 'cac:AllowanceCharge')), (ac) => norm(first(ac, 'cbc:ChargeIndicator')?.text) === 'false')),
  rule('PEPPOL-EN16931-R046', 'fatal', 'Item net price MUST equal (Gross price - Allowance amount) when gross price is provided.', (d) =>
    failing(descendants(d.root, 'cac:Price').flatMap((p) => kids(p, 'cac:AllowanceCharge')), (ac) =>
      !has(ac, 'cbc:BaseAmount') || same(num(first(ac.parent, 'cbc:PriceAmount')?.text), num(first(ac, 'cbc:BaseAmount')?.text) - num(first(ac, 'cbc:Amount')?.text)))),
  rule('PEPPOL-EN16931-R051', 'fatal', 'All currencyID attributes must have the same value as the invoice currency code (BT-5), except for the invoice total VAT amount in accounting currency (BT-111).', (d) => {
    const taxAmounts = everyElement(d.root).filter((e) => e.name === 'cbc:TaxAmount' && (e.parent?.name === 'cac:TaxSubtotal' || (e.parent?.name === 'cac:TaxTotal' && has(e.parent, 'cac:TaxSubtotal'))));
    return failing([...byName(d, AMOUNT_NAMES), ...taxAmounts], (e) => e.attrs.currencyID === d.currency);
  }),
  rule('PEPPOL-EN16931-R053', 'fatal', 'Only one tax total with tax subtotals MUST be provided.', (d) => unless(kids(d.root, 'cac:TaxTotal').filter((t) => has(t, 'cac:TaxSubtotal')).length === 1)),
  rule('PEPPOL-EN16931-R054', 'fatal', 'Only one tax total without tax subtotals MUST be provided when tax currency code is provided.', (d) =>
    unless(kids(d.root, 'cac:TaxTotal').filter((t) => !has(t, 'cac:TaxSubtotal')).length === (has(d.root, 'cbc:TaxCurrencyCode') ? 1 : 0))),
  rule('PEPPOL-EN16931-R055', 'fatal', 'Invoice total VAT amount and Invoice total VAT amount in accounting currency MUST have the same operational sign', (d) => {
    if (!has(d.root, 'cbc:TaxCurrencyCode')) return 0;
    const amountsIn = (code: string) => all(d.root, 'cac:TaxTotal/cbc:TaxAmount').filter((a) => a.attrs.currencyID === norm(code)).map((a) => num(a.text));
    const tax = amountsIn(first(d.root, 'cbc:TaxCurrencyCode')!.text);
    const doc = amountsIn(d.currency);
    return unless((tax.some((a) => a <= 0) && doc.some((a) => a <= 0)) || (tax.some((a) => a >= 0) && doc.some((a) => a >= 0)));
  }),
  rule('PEPPOL-EN16931-R061', 'fatal', 'Mandate reference MUST be provided for direct debit.', (d) =>
    failing(descendants(d.root, 'cac:PaymentMeans').filter((pm) => ['49', '59'].includes(norm(first(pm, 'cbc:PaymentMeansCode')?.text))), (pm) => has(pm, 'cac:PaymentMandate/cbc:ID'))),
  rule('PEPPOL-EN16931-R080', 'fatal', 'Only one project reference is allowed on document level', (d) =>
    d.isInvoice ? 0 : unless(kids(d.root, 'cac:AdditionalDocumentReference').filter((r) => kids(r, 'cbc:DocumentTypeCode').some((c) => c.text === '50')).length <= 1)),
  rule('PEPPOL-EN16931-R100', 'fatal', 'Only one invoiced object is allowed pr line', (d) => failing(d.lines, (l) => kids(l, 'cac:DocumentReference').length <= 1)),
  rule('PEPPOL-EN16931-R101', 'fatal', 'Element Document reference can only be used for Invoice line object', (d) =>
    failing(d.lines, (l) => !has(l, 'cac:DocumentReference') || all(l, 'cac:DocumentReference/cbc:DocumentTypeCode').some((c) => c.text === '130'))),
  rule('PEPPOL-EN16931-R110', 'fatal', 'Start date of line period MUST be within invoice period.', (d) => {
    const start = first(d.root, 'cac:InvoicePeriod/cbc:StartDate');
    return start ? failing(d.lines.flatMap((l) => all(l, 'cac:InvoicePeriod/cbc:StartDate')), (s) => norm(s.text) >= norm(start.text)) : 0;
  }),
  rule('PEPPOL-EN16931-R111', 'fatal', 'End date of line period MUST be within invoice period.', (d) => {
    const end = first(d.root, 'cac:InvoicePeriod/cbc:EndDate');
    return end ? failing(d.lines.flatMap((l) => all(l, 'cac:InvoicePeriod/cbc:EndDate')), (e) => norm(e.text) <= norm(end.text)) : 0;
  }),
  rule('PEPPOL-EN16931-R120', 'fatal', 'Invoice line net amount MUST equal (Invoiced quantity * (Item net price/item price base quantity) + Sum of invoice line charge amount - sum of invoice line allowance amount', (d) =>
    failing(d.lines, (l) => {
      const amount = (path: string, otherwise: number) => (has(l, path) ? num(first(l, path)!.text) : otherwise);
      const lineExtension = amount('cbc:LineExtensionAmount', 0);
      const quantity = amount(d.isInvoice ? 'cbc:InvoicedQuantity' : 'cbc:CreditedQuantity', 1);
      const price = amount('cac:Price/cbc:PriceAmount', 0);
      const base = has(l, 'cac:Price/cbc:BaseQuantity') && num(first(l, 'cac:Price/cbc:BaseQuantity')!.text) !== 0 ? num(first(l, 'cac:Price/cbc:BaseQuantity')!.text) : 1;
      const sumOf = (charge: boolean) => round2(kids(l, 'cac:AllowanceCharge').filter((ac) => norm(first(ac, 'cbc:ChargeIndicator')?.text) === String(charge)).reduce((s, ac) => s + num(first(ac, 'cbc:Amount')?.text), 0));
      return slack(lineExtension, quantity * (price / base) + sumOf(true) - sumOf(false), 0.02);
    })),
  rule('PEPPOL-EN16931-R121', 'fatal', 'Base quantity MUST be a positive number above zero.', (d) =>
    failing(d.lines, (l) => !has(l, 'cac:Price/cbc:BaseQuantity') || num(first(l, 'cac:Price/cbc:BaseQuantity')!.text) > 0)),
  rule('PEPPOL-EN16931-R130', 'fatal', 'Unit code of price base quantity MUST be same as invoiced quantity.', (d) =>
    failing(d.lines.flatMap((l) => all(l, 'cac:Price/cbc:BaseQuantity')).filter((b) => b.attrs.unitCode !== undefined), (b) => {
      const line = b.parent!.parent!;
      if (!has(line, 'cbc:InvoicedQuantity') && !has(line, 'cbc:CreditedQuantity')) return true;
      const quantity = first(line, d.isInvoice ? 'cbc:InvoicedQuantity' : 'cbc:CreditedQuantity');
      return quantity?.attrs.unitCode === b.attrs.unitCode;
    })),
  // Identifiers by scheme.
  idRule('PEPPOL-COMMON-R040', 'fatal', 'GLN must have a valid format according to GS1 rules.', '0088', glnValid),
  idRule('PEPPOL-COMMON-R041', 'fatal', 'Norwegian organization number MUST be stated in the correct format.', '0192', (v) => /^[0-9]{9}$/.test(v) && mod11Valid(v)),
  rule('PEPPOL-COMMON-R042', 'fatal', 'Danish organization number (CVR) MUST be stated in the correct format.', (d) =>
    failing(idsInScheme(d, '0184'), (e) => (e.text.length === 10 && e.text.startsWith('DK') && /^\d{8}$/.test(e.text.slice(2))) || (e.text.length === 8 && /^\d{8}$/.test(e.text)))),
  idRule('PEPPOL-COMMON-R043', 'fatal', 'Belgian enterprise number MUST be stated in the correct format.', '0208', (v) => /^[0-9]{10}$/.test(v) && mod97BeValid(v)),
  idRule('PEPPOL-COMMON-R044', 'warning', 'IPA Code (Codice Univoco Unità Organizzativa) must be stated in the correct format', '0201', codiceIpaValid),
  idRule('PEPPOL-COMMON-R045', 'warning', 'Tax Code (Codice Fiscale) must be stated in the correct format', '0210', codiceFiscaleValid),
  idRule('PEPPOL-COMMON-R046', 'warning', 'Tax Code (Codice Fiscale) must be stated in the correct format', '9907', codiceFiscaleValid, true),
  idRule('PEPPOL-COMMON-R047', 'warning', 'Italian VAT Code (Partita Iva) must be stated in the correct format', '0211', partitaIvaValid),
  idRule('PEPPOL-COMMON-R049', 'fatal', 'Swedish organization number MUST be stated in the correct format.', '0007', (v) => v.length === 10 && seOrgNumberValid(v)),
  idRule('PEPPOL-COMMON-R050', 'fatal', 'Australian Business Number (ABN) MUST be stated in the correct format.', '0151', (v) => /^[0-9]{11}$/.test(v) && abnValid(v)),
  // Code lists and formats.
  rule('PEPPOL-EN16931-CL001', 'fatal', 'Mime code must be according to subset of IANA code list.', (d) =>
    failing(descendants(d.root, 'cbc:EmbeddedDocumentBinaryObject').filter((e) => e.attrs.mimeCode !== undefined), (e) => MIME_CODES.has(e.attrs.mimeCode!))),
  rule('PEPPOL-EN16931-CL002', 'fatal', 'Reason code MUST be according to subset of UNCL 5189 D.16B.', (d) =>
    failing(reasonCodes(d, 'false'), (c) => UNCL5189.has(norm(ownText(c))))),
  rule('PEPPOL-EN16931-CL003', 'fatal', 'Reason code MUST be according to UNCL 7161 D.16B.', (d) => failing(reasonCodes(d, 'true'), (c) => UNCL7161.has(norm(ownText(c))))),
  rule('PEPPOL-EN16931-CL006', 'fatal', 'Invoice period description code must be according to UNCL 2005 D.16B.', (d) =>
    failing(descendants(d.root, 'cac:InvoicePeriod').flatMap((p) => kids(p, 'cbc:DescriptionCode')), (c) => UNCL2005.has(norm(ownText(c))))),
  rule('PEPPOL-EN16931-CL007', 'fatal', 'Currency code must be according to ISO 4217:2005', (d) =>
    failing(byName(d, [...AMOUNT_NAMES, 'cbc:TaxAmount']), (e) => ISO4217.has(e.attrs.currencyID ?? ''))),
  rule('PEPPOL-EN16931-CL008', 'fatal', 'Electronic address identifier scheme must be from the codelist "Electronic Address Identifier Scheme"', (d) =>
    failing(descendants(d.root, 'cbc:EndpointID').filter((e) => e.attrs.schemeID !== undefined), (e) => EAS.has(e.attrs.schemeID!))),
  rule('PEPPOL-EN16931-F001', 'fatal', 'A date MUST be formatted YYYY-MM-DD.', (d) =>
    failing(everyElement(d.root).filter((e) => DATE_NAMES.has(e.name)), (e) => validDate(ownText(e)))),
  rule('PEPPOL-EN16931-P0100', 'fatal', 'Invoice type code MUST be set according to the profile.', (d) =>
    failing(descendants(d.root, 'cbc:InvoiceTypeCode'), (c) => d.profile !== '01' || INVOICE_TYPE_CODES.has(norm(ownText(c))))),
  rule('PEPPOL-EN16931-P0101', 'fatal', 'Credit note type code MUST be set according to the profile.', (d) =>
    failing(descendants(d.root, 'cbc:CreditNoteTypeCode'), (c) => d.profile !== '01' || CREDIT_NOTE_TYPE_CODES.has(norm(ownText(c))))),
  exemptionRule('PEPPOL-EN16931-P0104', 'VATEX-EU-G', 'G'),
  exemptionRule('PEPPOL-EN16931-P0105', 'VATEX-EU-O', 'O'),
  exemptionRule('PEPPOL-EN16931-P0106', 'VATEX-EU-IC', 'K'),
  exemptionRule('PEPPOL-EN16931-P0107', 'VATEX-EU-AE', 'AE'),
  exemptionRule('PEPPOL-EN16931-P0108', 'VATEX-EU-D', 'E'),
  exemptionRule('PEPPOL-EN16931-P0109', 'VATEX-EU-F', 'E'),
  exemptionRule('PEPPOL-EN16931-P0110', 'VATEX-EU-I', 'E'),
  exemptionRule('PEPPOL-EN16931-P0111', 'VATEX-EU-J', 'E'),
  rule('PEPPOL-EN16931-P0112', 'fatal', 'Invoice type code 326 or 384 are only allowed when both buyer and seller are German organizations', (d) =>
    failing(descendants(d.root, 'cbc:InvoiceTypeCode'), (c) => !['326', '384'].includes(norm(c.text)) || (d.supplierCountryIsDE && d.customerCountryIsDE))),
];

/** Reason codes of allowances (`'false'`) or charges (`'true'`), anywhere. */
function reasonCodes(d: Doc, indicator: 'true' | 'false'): El[] {
  return descendants(d.root, 'cac:AllowanceCharge')
    .filter((ac) => kids(ac, 'cbc:ChargeIndicator').some((c) => c.text === indicator))
    .flatMap((ac) => kids(ac, 'cbc:AllowanceChargeReasonCode'));
}
