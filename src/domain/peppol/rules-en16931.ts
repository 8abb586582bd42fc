// The EN 16931 core rules (BR-*) that documents like ours can break: mandatory elements, the sums
// (BR-CO-10…17), and the VAT breakdown per category S, Z, E and AE (rules/sch/CEN-EN16931-UBL.sch).
import { all, descendants, first, has, kids, norm, num, round2, same, xround, type El } from './xml.ts';
import type { Doc } from './document.ts';
import { VAT_PREFIXES } from './codes.ts';
import { failing, rule, unless, type Rule } from './rule.ts';

const filled = (el: El | undefined, path: string) => norm(first(el, path)?.text) !== '' || (first(el, path)?.text ?? '') !== '';
const exists = (el: El | undefined, path: string) => has(el, path);
const isVat = (cat: El) => all(cat, 'cac:TaxScheme/cbc:ID').some((i) => norm(i.text).toUpperCase() === 'VAT');
const catId = (cat: El) => norm(first(cat, 'cbc:ID')?.text);
const percent = (cat: El) => num(first(cat, 'cbc:Percent')?.text);

const docAllowanceCharges = (d: Doc, charge: boolean) => kids(d.root, 'cac:AllowanceCharge').filter((ac) => indicator(ac) === charge);
/** cbc:ChargeIndicator as an xs:boolean ('true'/'1' or 'false'/'0'); undefined otherwise. */
function indicator(ac: El): boolean | undefined {
  const t = norm(first(ac, 'cbc:ChargeIndicator')?.text);
  return t === 'true' || t === '1' ? true : t === 'false' || t === '0' ? false : undefined;
}
const subtotalCategories = (d: Doc) => all(d.root, 'cac:TaxTotal/cac:TaxSubtotal/cac:TaxCategory');
const lineCategories = (d: Doc) => d.lines.flatMap((l) => all(l, 'cac:Item/cac:ClassifiedTaxCategory'));
const allowanceCategories = (d: Doc, charge?: boolean) =>
  descendants(d.root, 'cac:AllowanceCharge').filter((ac) => charge === undefined || indicator(ac) === charge).flatMap((ac) => kids(ac, 'cac:TaxCategory'));
const lineCategoryOf = (line: El) => first(line, 'cac:Item/cac:ClassifiedTaxCategory');
const amount = (el: El | undefined, path: string) => num(first(el, path)?.text);
const sum = (xs: number[]) => xs.reduce((s, x) => s + x, 0);

/** Lines' net plus document charges minus allowances in a category (and at a rate, when given). */
function categoryBasis(d: Doc, category: string, rate?: number): number {
  const atRate = (cat: El | undefined) => !!cat && catId(cat) === category && (rate === undefined || same(percent(cat), rate));
  const lines = sum(d.lines.filter((l) => atRate(lineCategoryOf(l))).map((l) => amount(l, 'cbc:LineExtensionAmount')));
  const ac = (charge: boolean) => sum(docAllowanceCharges(d, charge).filter((a) => atRate(first(a, 'cac:TaxCategory'))).map((a) => amount(a, 'cbc:Amount')));
  return lines + ac(true) - ac(false);
}

const sellerHasTaxId = (d: Doc) => exists(d.supplier, 'cac:PartyTaxScheme/cbc:CompanyID') || all(d.root, 'cac:TaxRepresentativeParty/cac:PartyTaxScheme').some((s) => isVat(s) && has(s, 'cbc:CompanyID'));
const buyerHasId = (d: Doc) => kids(d.customer, 'cac:PartyTaxScheme').some((s) => isVat(s) && has(s, 'cbc:CompanyID')) || exists(d.customer, 'cac:PartyLegalEntity/cbc:CompanyID');

/** BR-x-01 for the categories that must appear exactly once in the breakdown (Z, E, AE). */
const onlyOnceInBreakdown = (id: string, category: string, name: string) =>
  rule(id, 'fatal', `An Invoice with a line, allowance or charge of category "${name}" shall contain exactly one VAT breakdown with that category.`, (d) => {
    const used = [...descendants(d.root, 'cac:TaxCategory'), ...descendants(d.root, 'cac:ClassifiedTaxCategory')].some((c) => isVat(c) && catId(c) === category);
    const inBreakdown = subtotalCategories(d).filter((c) => isVat(c) && catId(c) === category).length;
    return unless(!used || inBreakdown === 1);
  });
/** BR-x-02…04: a category that needs the seller's (and for AE the buyer's) identifiers. */
const needsIds = (id: string, category: string, where: 'line' | 'allowance' | 'charge', buyerToo: boolean) =>
  rule(id, 'fatal', `A ${where} of category ${category} requires the seller's VAT or tax registration identifier${buyerToo ? " and the buyer's VAT or legal registration identifier" : ''}.`, (d) => {
    const cats = where === 'line' ? lineCategories(d) : allowanceCategories(d, where === 'charge');
    if (!cats.some((c) => isVat(c) && catId(c) === category)) return 0;
    return unless(sellerHasTaxId(d) && (!buyerToo || buyerHasId(d)));
  });
/** BR-x-05…07: the rate of lines, allowances or charges in a category. */
const rateRule = (id: string, category: string, where: 'line' | 'allowance' | 'charge', ok: (p: number) => boolean, text: string) =>
  rule(id, 'fatal', text, (d) => {
    const cats = where === 'line' ? lineCategories(d) : allowanceCategories(d, where === 'charge');
    return failing(cats.filter((c) => isVat(c) && catId(c) === category), (c) => ok(percent(c)));
  });
const breakdownOf = (d: Doc, category: string) => kids(d.root, 'cac:TaxTotal').flatMap((t) => all(t, 'cac:TaxSubtotal/cac:TaxCategory')).filter((c) => isVat(c) && catId(c) === category);
/** BR-x-08…10 on each breakdown of a category. */
const breakdownRule = (id: string, category: string, text: string, ok: (cat: El, subtotal: El, d: Doc) => boolean) =>
  rule(id, 'fatal', text, (d) => failing(breakdownOf(d, category), (c) => ok(c, c.parent!, d)));
const hasExemption = (c: El) => has(c, 'cbc:TaxExemptionReason') || has(c, 'cbc:TaxExemptionReasonCode');

/** The zero-rate categories (Z, E, AE) share the shape of their rules. */
function zeroRateRules(p: string, category: string, name: string, exemption: 'required' | 'forbidden', buyerToo: boolean): Rule[] {
  return [
    onlyOnceInBreakdown(`BR-${p}-01`, category, name),
    needsIds(`BR-${p}-02`, category, 'line', buyerToo),
    needsIds(`BR-${p}-03`, category, 'allowance', buyerToo),
    needsIds(`BR-${p}-04`, category, 'charge', buyerToo),
    rateRule(`BR-${p}-05`, category, 'line', (r) => r === 0, `A line of category "${name}" shall have the VAT rate 0.`),
    rateRule(`BR-${p}-06`, category, 'allowance', (r) => r === 0, `A document level allowance of category "${name}" shall have the VAT rate 0.`),
    rateRule(`BR-${p}-07`, category, 'charge', (r) => r === 0, `A document level charge of category "${name}" shall have the VAT rate 0.`),
    breakdownRule(`BR-${p}-08`, category, `The taxable amount of the "${name}" breakdown shall equal the lines' net amounts plus charges minus allowances of that category.`, (_c, s, d) =>
      same(amount(s, 'cbc:TaxableAmount'), categoryBasis(d, category))),
    breakdownRule(`BR-${p}-09`, category, `The VAT amount of the "${name}" breakdown shall be 0.`, (_c, s) => amount(s, 'cbc:TaxAmount') === 0),
    exemption === 'required'
      ? breakdownRule(`BR-${p}-10`, category, `The "${name}" breakdown shall have a VAT exemption reason code or text.`, hasExemption)
      : breakdownRule(`BR-${p}-10`, category, `The "${name}" breakdown shall not have a VAT exemption reason.`, (c) => !hasExemption(c)),
  ];
}

const decimals = (s: string | undefined) => (s?.includes('.') ? s.split('.')[1]!.length : 0);

export const EN16931_RULES: Rule[] = [
  rule('BR-01', 'fatal', 'An Invoice shall have a Specification identifier (BT-24).', (d) => unless(filled(d.root, 'cbc:CustomizationID'))),
  rule('BR-02', 'fatal', 'An Invoice shall have an Invoice number (BT-1).', (d) => unless(filled(d.root, 'cbc:ID'))),
  rule('BR-03', 'fatal', 'An Invoice shall have an Invoice issue date (BT-2).', (d) => unless(filled(d.root, 'cbc:IssueDate'))),
  rule('BR-04', 'fatal', 'An Invoice shall have an Invoice type code (BT-3).', (d) => unless(filled(d.root, 'cbc:InvoiceTypeCode') || filled(d.root, 'cbc:CreditNoteTypeCode'))),
  rule('BR-05', 'fatal', 'An Invoice shall have an Invoice currency code (BT-5).', (d) => unless(filled(d.root, 'cbc:DocumentCurrencyCode'))),
  rule('BR-06', 'fatal', 'An Invoice shall contain the Seller name (BT-27).', (d) => unless(filled(d.supplier, 'cac:PartyLegalEntity/cbc:RegistrationName'))),
  rule('BR-07', 'fatal', 'An Invoice shall contain the Buyer name (BT-44).', (d) => unless(filled(d.customer, 'cac:PartyLegalEntity/cbc:RegistrationName'))),
  rule('BR-08', 'fatal', 'An Invoice shall contain the Seller postal address (BG-5).', (d) => unless(exists(d.supplier, 'cac:PostalAddress'))),
  rule('BR-09', 'fatal', 'The Seller postal address (BG-5) shall contain a Seller country code (BT-40).', (d) =>
    failing(all(d.supplier, 'cac:PostalAddress'), (a) => filled(a, 'cac:Country/cbc:IdentificationCode'))),
  rule('BR-10', 'fatal', 'An Invoice shall contain the Buyer postal address (BG-8).', (d) => unless(exists(d.customer, 'cac:PostalAddress'))),
  rule('BR-11', 'fatal', 'The Buyer postal address (BG-8) shall contain a Buyer country code (BT-55).', (d) =>
    failing(all(d.customer, 'cac:PostalAddress'), (a) => filled(a, 'cac:Country/cbc:IdentificationCode'))),
  ...(['LineExtensionAmount', 'TaxExclusiveAmount', 'TaxInclusiveAmount', 'PayableAmount'] as const).map((n, i) =>
    rule(`BR-${12 + i}`, 'fatal', `An Invoice shall have the ${n} in its monetary total.`, (d) => failing(kids(d.root, 'cac:LegalMonetaryTotal'), (t) => has(t, `cbc:${n}`)))),
  rule('BR-16', 'fatal', 'An Invoice shall have at least one Invoice line (BG-25)', (d) => unless(d.lines.length > 0)),
  rule('BR-21', 'fatal', 'Each Invoice line (BG-25) shall have an Invoice line identifier (BT-126).', (d) => failing(d.lines, (l) => filled(l, 'cbc:ID'))),
  rule('BR-22', 'fatal', 'Each Invoice line (BG-25) shall have an Invoiced quantity (BT-129).', (d) => failing(d.lines, (l) => has(l, 'cbc:InvoicedQuantity') || has(l, 'cbc:CreditedQuantity'))),
  rule('BR-23', 'fatal', 'An Invoice line (BG-25) shall have an Invoiced quantity unit of measure code (BT-130).', (d) =>
    failing(d.lines, (l) => [...kids(l, 'cbc:InvoicedQuantity'), ...kids(l, 'cbc:CreditedQuantity')].some((q) => q.attrs.unitCode !== undefined))),
  rule('BR-24', 'fatal', 'Each Invoice line (BG-25) shall have an Invoice line net amount (BT-131).', (d) => failing(d.lines, (l) => has(l, 'cbc:LineExtensionAmount'))),
  rule('BR-25', 'fatal', 'Each Invoice line (BG-25) shall contain the Item name (BT-153).', (d) => failing(d.lines, (l) => filled(l, 'cac:Item/cbc:Name'))),
  rule('BR-26', 'fatal', 'Each Invoice line (BG-25) shall contain the Item net price (BT-146).', (d) => failing(d.lines, (l) => has(l, 'cac:Price/cbc:PriceAmount'))),
  rule('BR-27', 'fatal', 'The Item net price (BT-146) shall NOT be negative.', (d) => failing(d.lines, (l) => amount(l, 'cac:Price/cbc:PriceAmount') >= 0)),
  rule('BR-29', 'fatal', 'The Invoicing period end date (BT-74) shall be later or equal to its start date (BT-73).', (d) =>
    failing(kids(d.root, 'cac:InvoicePeriod'), (p) => !has(p, 'cbc:StartDate') || !has(p, 'cbc:EndDate') || val2(p, 'cbc:EndDate') >= val2(p, 'cbc:StartDate'))),
  rule('BR-30', 'fatal', 'The Invoice line period end date (BT-135) shall be later or equal to its start date (BT-134).', (d) =>
    failing(d.lines.flatMap((l) => kids(l, 'cac:InvoicePeriod')), (p) => !has(p, 'cbc:StartDate') || !has(p, 'cbc:EndDate') || val2(p, 'cbc:EndDate') >= val2(p, 'cbc:StartDate'))),
  rule('BR-45', 'fatal', 'Each VAT breakdown (BG-23) shall have a VAT category taxable amount (BT-116).', (d) => failing(all(d.root, 'cac:TaxTotal/cac:TaxSubtotal'), (s) => has(s, 'cbc:TaxableAmount'))),
  rule('BR-46', 'fatal', 'Each VAT breakdown (BG-23) shall have a VAT category tax amount (BT-117).', (d) => failing(all(d.root, 'cac:TaxTotal/cac:TaxSubtotal'), (s) => has(s, 'cbc:TaxAmount'))),
  rule('BR-47', 'fatal', 'Each VAT breakdown (BG-23) shall be defined through a VAT category code (BT-118).', (d) =>
    failing(all(d.root, 'cac:TaxTotal/cac:TaxSubtotal'), (s) => kids(s, 'cac:TaxCategory').some((c) => isVat(c) && has(c, 'cbc:ID')))),
  rule('BR-48', 'fatal', 'Each VAT breakdown (BG-23) shall have a VAT category rate (BT-119), except if the Invoice is not subject to VAT.', (d) =>
    failing(all(d.root, 'cac:TaxTotal/cac:TaxSubtotal'), (s) => kids(s, 'cac:TaxCategory').some((c) => isVat(c) && (has(c, 'cbc:Percent') || catId(c) === 'O')))),
  rule('BR-49', 'fatal', 'A Payment instruction (BG-16) shall specify the Payment means type code (BT-81).', (d) => failing(kids(d.root, 'cac:PaymentMeans'), (pm) => has(pm, 'cbc:PaymentMeansCode'))),
  rule('BR-50', 'fatal', 'A Payment account identifier (BT-84) shall be present if Credit transfer (BG-17) information is provided in the Invoice.', (d) =>
    failing(kids(d.root, 'cac:PaymentMeans').filter((pm) => ['30', '58'].includes(first(pm, 'cbc:PaymentMeansCode')?.text ?? '')).flatMap((pm) => kids(pm, 'cac:PayeeFinancialAccount')), (a) => filled(a, 'cbc:ID'))),
  rule('BR-55', 'fatal', 'Each Preceding Invoice reference (BG-3) shall contain a Preceding Invoice reference (BT-25).', (d) =>
    failing(descendants(d.root, 'cac:BillingReference'), (r) => has(r, 'cac:InvoiceDocumentReference/cbc:ID'))),
  rule('BR-61', 'fatal', 'If the Payment means type code (BT-81) means credit transfer, the Payment account identifier (BT-84) shall be present.', (d) =>
    failing(kids(d.root, 'cac:PaymentMeans'), (pm) => !['30', '58'].includes(norm(first(pm, 'cbc:PaymentMeansCode')?.text)) || has(pm, 'cac:PayeeFinancialAccount/cbc:ID'))),
  rule('BR-62', 'fatal', 'The Seller electronic address (BT-34) shall have a Scheme identifier.', (d) => failing(all(d.supplier, 'cbc:EndpointID'), (e) => e.attrs.schemeID !== undefined)),
  rule('BR-63', 'fatal', 'The Buyer electronic address (BT-49) shall have a Scheme identifier.', (d) => failing(all(d.customer, 'cbc:EndpointID'), (e) => e.attrs.schemeID !== undefined)),
  rule('BR-CO-04', 'fatal', 'Each Invoice line (BG-25) shall be categorized with an Invoiced item VAT category code (BT-151).', (d) =>
    failing(d.lines, (l) => all(l, 'cac:Item/cac:ClassifiedTaxCategory').some((c) => isVat(c) && has(c, 'cbc:ID')))),
  rule('BR-CO-09', 'fatal', 'VAT identifiers shall have a prefix in accordance with ISO 3166-1 alpha-2 (Greece may use EL).', (d) =>
    failing(descendants(d.root, 'cac:PartyTaxScheme').filter(isVat), (s) => VAT_PREFIXES.has((first(s, 'cbc:CompanyID')?.text ?? '').slice(0, 2)))),
  rule('BR-CO-10', 'fatal', 'Sum of Invoice line net amount (BT-106) = Σ Invoice line net amount (BT-131).', (d) =>
    failing(kids(d.root, 'cac:LegalMonetaryTotal'), (t) => same(amount(t, 'cbc:LineExtensionAmount'), round2(sum(d.lines.map((l) => amount(l, 'cbc:LineExtensionAmount'))))))),
  rule('BR-CO-11', 'fatal', 'Sum of allowances on document level (BT-107) = Σ Document level allowance amount (BT-92).', (d) =>
    failing(kids(d.root, 'cac:LegalMonetaryTotal'), (t) => {
      const allowances = docAllowanceCharges(d, false);
      return has(t, 'cbc:AllowanceTotalAmount') ? same(amount(t, 'cbc:AllowanceTotalAmount'), round2(sum(allowances.map((a) => amount(a, 'cbc:Amount'))))) : allowances.length === 0;
    })),
  rule('BR-CO-12', 'fatal', 'Sum of charges on document level (BT-108) = Σ Document level charge amount (BT-99).', (d) =>
    failing(kids(d.root, 'cac:LegalMonetaryTotal'), (t) => {
      const charges = docAllowanceCharges(d, true);
      return has(t, 'cbc:ChargeTotalAmount') ? same(amount(t, 'cbc:ChargeTotalAmount'), round2(sum(charges.map((a) => amount(a, 'cbc:Amount'))))) : charges.length === 0;
    })),
  rule('BR-CO-13', 'fatal', 'Invoice total amount without VAT (BT-109) = Σ Invoice line net amount (BT-131) - Sum of allowances on document level (BT-107) + Sum of charges on document level (BT-108).', (d) =>
    failing(kids(d.root, 'cac:LegalMonetaryTotal'), (t) => {
      const charges = has(t, 'cbc:ChargeTotalAmount') ? amount(t, 'cbc:ChargeTotalAmount') : 0;
      const allowances = has(t, 'cbc:AllowanceTotalAmount') ? amount(t, 'cbc:AllowanceTotalAmount') : 0;
      return same(amount(t, 'cbc:TaxExclusiveAmount'), round2(amount(t, 'cbc:LineExtensionAmount') + charges - allowances));
    })),
  rule('BR-CO-14', 'fatal', 'Invoice total VAT amount (BT-110) = Σ VAT category tax amount (BT-117).', (d) =>
    failing(kids(d.root, 'cac:TaxTotal').filter((t) => has(t, 'cac:TaxSubtotal')), (t) => same(amount(t, 'cbc:TaxAmount'), round2(sum(all(t, 'cac:TaxSubtotal/cbc:TaxAmount').map((a) => num(a.text))))))),
  rule('BR-CO-15', 'fatal', 'Invoice total amount with VAT (BT-112) = Invoice total amount without VAT (BT-109) + Invoice total VAT amount (BT-110).', (d) => {
    const total = first(d.root, 'cac:LegalMonetaryTotal');
    const vat = all(d.root, 'cac:TaxTotal/cbc:TaxAmount').find((a) => a.attrs.currencyID === d.currency);
    return unless(same(amount(total, 'cbc:TaxInclusiveAmount'), round2(amount(total, 'cbc:TaxExclusiveAmount') + num(vat?.text))));
  }),
  rule('BR-CO-16', 'fatal', 'Amount due for payment (BT-115) = Invoice total amount with VAT (BT-112) -Paid amount (BT-113) +Rounding amount (BT-114).', (d) =>
    failing(kids(d.root, 'cac:LegalMonetaryTotal'), (t) => {
      const payable = amount(t, 'cbc:PayableAmount');
      const inclusive = amount(t, 'cbc:TaxInclusiveAmount');
      const prepaid = has(t, 'cbc:PrepaidAmount') ? amount(t, 'cbc:PrepaidAmount') : 0;
      const rounding = has(t, 'cbc:PayableRoundingAmount') ? amount(t, 'cbc:PayableRoundingAmount') : 0;
      return (
        (has(t, 'cbc:PrepaidAmount') && !has(t, 'cbc:PayableRoundingAmount') && same(payable, round2(inclusive - prepaid))) ||
        (!prepaid && !rounding && same(payable, inclusive)) ||
        (!!prepaid && !!rounding && same(round2(payable - rounding), round2(inclusive - prepaid))) ||
        (!prepaid && !!rounding && same(round2(payable - rounding), inclusive))
      );
    })),
  rule('BR-CO-17', 'fatal', 'VAT category tax amount (BT-117) = VAT category taxable amount (BT-116) x (VAT category rate (BT-119) / 100), rounded to two decimals.', (d) =>
    failing(all(d.root, 'cac:TaxTotal/cac:TaxSubtotal'), (s) => {
      const cat = kids(s, 'cac:TaxCategory').find(isVat);
      const tax = amount(s, 'cbc:TaxAmount');
      if (!cat || !has(cat, 'cbc:Percent')) return xround(tax) === 0;
      const rate = percent(cat);
      if (xround(rate) === 0) return xround(tax) === 0;
      const expected = round2(Math.abs(amount(s, 'cbc:TaxableAmount')) * (rate / 100));
      return Math.abs(tax) - 1 < expected && Math.abs(tax) + 1 > expected;
    })),
  rule('BR-CO-18', 'fatal', 'An Invoice shall at least have one VAT breakdown group (BG-23).', (d) => unless(has(d.root, 'cac:TaxTotal/cac:TaxSubtotal'))),
  rule('BR-CO-25', 'fatal', 'In case the Amount due for payment (BT-115) is positive, either the Payment due date (BT-9) or the Payment terms (BT-20) shall be present.', (d) =>
    d.isInvoice ? failing(all(d.root, 'cac:LegalMonetaryTotal/cbc:PayableAmount'), (p) => num(p.text) <= 0 || descendants(d.root, 'cbc:DueDate').length > 0 || has(d.root, 'cac:PaymentTerms/cbc:Note')) : 0),
  rule('BR-CO-26', 'fatal', 'The Seller identifier (BT-29), the Seller legal registration identifier (BT-30) and/or the Seller VAT identifier (BT-31) shall be present.', (d) =>
    failing(kids(d.root, 'cac:AccountingSupplierParty'), (p) => kids(first(p, 'cac:Party'), 'cac:PartyTaxScheme').some((s) => isVat(s) && has(s, 'cbc:CompanyID')) || has(p, 'cac:Party/cac:PartyIdentification/cbc:ID') || has(p, 'cac:Party/cac:PartyLegalEntity/cbc:CompanyID'))),
  rule('BR-DEC-23', 'fatal', 'The allowed maximum number of decimals for the Invoice line net amount (BT-131) is 2.', (d) => failing(d.lines, (l) => decimals(first(l, 'cbc:LineExtensionAmount')?.text) <= 2)),
  ...(['LineExtensionAmount', 'TaxExclusiveAmount', 'TaxInclusiveAmount', 'PrepaidAmount', 'PayableRoundingAmount', 'PayableAmount'] as const).map((n, i) =>
    rule(`BR-DEC-${[9, 12, 14, 16, 17, 18][i]}`, 'fatal', `The allowed maximum number of decimals for ${n} is 2.`, (d) =>
      failing(kids(d.root, 'cac:LegalMonetaryTotal'), (t) => decimals(first(t, `cbc:${n}`)?.text) <= 2))),
  rule('BR-DEC-19', 'fatal', 'The allowed maximum number of decimals for the VAT category taxable amount (BT-116) is 2.', (d) => failing(all(d.root, 'cac:TaxTotal/cac:TaxSubtotal'), (s) => decimals(first(s, 'cbc:TaxableAmount')?.text) <= 2)),
  rule('BR-DEC-20', 'fatal', 'The allowed maximum number of decimals for the VAT category tax amount (BT-117) is 2.', (d) => failing(all(d.root, 'cac:TaxTotal/cac:TaxSubtotal'), (s) => decimals(first(s, 'cbc:TaxAmount')?.text) <= 2)),
  // Standard rated (S).
  rule('BR-S-01', 'fatal', 'An Invoice with a line, allowance or charge of category "Standard rated" shall have at least one "Standard rated" VAT breakdown.', (d) => {
    const used = [...allowanceCategories(d), ...descendants(d.root, 'cac:ClassifiedTaxCategory')].filter((c) => catId(c) === 'S').length;
    const inBreakdown = subtotalCategories(d).filter((c) => catId(c) === 'S').length;
    return unless((used > 0 && inBreakdown > 0) || (used === 0 && inBreakdown === 0));
  }),
  rule('BR-S-02', 'fatal', 'A line of category "Standard rated" requires the seller\'s VAT or tax registration identifier.', (d) =>
    descendants(d.root, 'cac:ClassifiedTaxCategory').some((c) => isVat(c) && catId(c) === 'S') ? unless(sellerHasTaxId(d)) : 0),
  needsIds('BR-S-03', 'S', 'allowance', false),
  needsIds('BR-S-04', 'S', 'charge', false),
  rateRule('BR-S-05', 'S', 'line', (r) => r > 0, 'A line of category "Standard rated" shall have a VAT rate greater than zero.'),
  rateRule('BR-S-06', 'S', 'allowance', (r) => r > 0, 'A document level allowance of category "Standard rated" shall have a VAT rate greater than zero.'),
  rateRule('BR-S-07', 'S', 'charge', (r) => r > 0, 'A document level charge of category "Standard rated" shall have a VAT rate greater than zero.'),
  breakdownRule('BR-S-08', 'S', 'For each rate, the "Standard rated" taxable amount shall equal the lines\' net amounts plus charges minus allowances at that rate.', (c, s, d) => {
    const rate = percent(c);
    const used = d.lines.some((l) => { const lc = lineCategoryOf(l); return !!lc && catId(lc) === 'S' && same(percent(lc), rate); }) ||
      descendants(d.root, 'cac:AllowanceCharge').some((a) => kids(a, 'cac:TaxCategory').some((t) => catId(t) === 'S' && same(percent(t), rate)));
    const taxable = amount(s, 'cbc:TaxableAmount');
    const basis = categoryBasis(d, 'S', rate);
    return used && taxable - 1 < basis && taxable + 1 > basis;
  }),
  breakdownRule('BR-S-09', 'S', 'The "Standard rated" VAT amount shall equal the taxable amount multiplied by the rate.', (c, s) => {
    const expected = round2(Math.abs(amount(s, 'cbc:TaxableAmount')) * (percent(c) / 100));
    const tax = Math.abs(amount(s, 'cbc:TaxAmount'));
    return tax - 1 < expected && tax + 1 > expected;
  }),
  breakdownRule('BR-S-10', 'S', 'A "Standard rated" breakdown shall not have a VAT exemption reason.', (c) => !hasExemption(c)),
  ...zeroRateRules('Z', 'Z', 'Zero rated', 'forbidden', false),
  ...zeroRateRules('E', 'E', 'Exempt from VAT', 'required', false),
  ...zeroRateRules('AE', 'AE', 'Reverse charge', 'required', true),
];

const val2 = (el: El, path: string) => norm(first(el, path)?.text);
