// The Swedish rules SE-R-001…013 (they apply when the seller is in Sweden).
import { all, descendants, first, kids, norm, num, type El } from './xml.ts';
import { vatSchemes, type Doc } from './document.ts';
import { seOrgNumberValid } from './identifiers.ts';
import { failing, rule, type Rule } from './rule.ts';

const inSweden = (party: El | undefined) => all(party, 'cac:PostalAddress/cac:Country/cbc:IdentificationCode').some((c) => c.text === 'SE');
const sellerSE = (d: Doc) => inSweden(d.supplier);
/** A Swedish seller with a Swedish VAT number (the context of SE-R-001/002/006). */
const sellerWithSeVat = (d: Doc) => sellerSE(d) && vatSchemes(d.supplier).some((s) => (first(s, 'cbc:CompanyID')?.text ?? '').slice(0, 2) === 'SE');
const seVatNumber = (d: Doc) => first(vatSchemes(d.supplier)[0], 'cbc:CompanyID')?.text ?? '';
const isNumber = (s: string) => !Number.isNaN(num(s));

/** The seller's legal entities with a registration number, when the seller is in Sweden. */
const legalEntities = (d: Doc) => (sellerSE(d) ? kids(d.supplier, 'cac:PartyLegalEntity').filter((e) => kids(e, 'cbc:CompanyID').length > 0) : []);
const legalId = (e: El) => first(e, 'cbc:CompanyID')?.text ?? '';

/** Payee accounts of credit transfers (code 30) to the given Swedish giro. */
function giroAccounts(d: Doc, branch: 'SE:PLUSGIRO' | 'SE:BANKGIRO'): El[] {
  if (!sellerSE(d)) return [];
  return descendants(d.root, 'cac:PaymentMeans')
    .filter((pm) => norm(first(pm, 'cbc:PaymentMeansCode')?.text) === '30' && norm(first(pm, 'cac:PayeeFinancialAccount/cac:FinancialInstitutionBranch/cbc:ID')?.text) === branch)
    .flatMap((pm) => all(pm, 'cac:PayeeFinancialAccount/cbc:ID'));
}
const paymentMeansWithCode = (d: Doc, codes: string[]) =>
  descendants(d.root, 'cac:PaymentMeans').filter((pm) => kids(pm, 'cbc:PaymentMeansCode').some((c) => codes.includes(c.text)));

export const SE_RULES: Rule[] = [
  rule('SE-R-001', 'fatal', 'For Swedish suppliers, Swedish VAT-numbers must consist of 14 characters.', (d) =>
    sellerWithSeVat(d) && norm(seVatNumber(d)).length !== 14 ? 1 : 0),
  rule('SE-R-002', 'fatal', 'For Swedish suppliers, the Swedish VAT-numbers must have the trailing 12 characters in numeric form', (d) =>
    sellerWithSeVat(d) && !isNumber(seVatNumber(d).slice(2, 14)) ? 1 : 0),
  rule('SE-R-003', 'fatal', 'Swedish organisation numbers should be numeric.', (d) => failing(legalEntities(d), (e) => isNumber(legalId(e)))),
  rule('SE-R-004', 'fatal', 'Swedish organisation numbers consist of 10 characters.', (d) => failing(legalEntities(d), (e) => norm(legalId(e)).length === 10)),
  rule('SE-R-005', 'fatal', "For Swedish suppliers, when using Seller tax registration identifier, 'Godkänd för F-skatt' must be stated", (d) => {
    if (!sellerSE(d) || !all(d.supplier, 'cac:PartyLegalEntity/cbc:CompanyID').length) return 0;
    const nonVat = kids(d.supplier, 'cac:PartyTaxScheme').filter((s) => norm(first(s, 'cac:TaxScheme/cbc:ID')?.text).toUpperCase() !== 'VAT');
    return failing(nonVat.flatMap((s) => kids(s, 'cbc:CompanyID')), (c) => norm(c.text.toUpperCase()) === 'GODKÄND FÖR F-SKATT');
  }),
  rule('SE-R-006', 'fatal', 'For Swedish suppliers, only standard VAT rate of 6, 12 or 25 are used', (d) => {
    if (!sellerWithSeVat(d)) return 0;
    const standard = [...descendants(d.root, 'cac:TaxCategory'), ...descendants(d.root, 'cac:ClassifiedTaxCategory')].filter((c) => kids(c, 'cbc:ID').some((i) => i.text === 'S'));
    return failing(standard, (c) => [25, 12, 6].includes(num(first(c, 'cbc:Percent')?.text)));
  }),
  rule('SE-R-007', 'warning', 'For Swedish suppliers using Plusgiro, the Account ID must be numeric', (d) => failing(giroAccounts(d, 'SE:PLUSGIRO'), (a) => isNumber(a.text))),
  rule('SE-R-008', 'warning', 'For Swedish suppliers using Bankgiro, the Account ID must be numeric', (d) => failing(giroAccounts(d, 'SE:BANKGIRO'), (a) => isNumber(a.text))),
  rule('SE-R-009', 'warning', 'For Swedish suppliers using Bankgiro, the Account ID must have 7-8 characters', (d) =>
    failing(giroAccounts(d, 'SE:BANKGIRO'), (a) => [7, 8].includes(norm(a.text).length))),
  rule('SE-R-010', 'warning', 'For Swedish suppliers using Plusgiro, the Account ID must have 2-8 characters', (d) =>
    failing(giroAccounts(d, 'SE:PLUSGIRO'), (a) => norm(a.text).length >= 2 && norm(a.text).length <= 8)),
  rule('SE-R-011', 'warning', 'For Swedish suppliers using Swedish Bankgiro or Plusgiro, the proper way to indicate this is to use Code 30 for PaymentMeans and FinancialInstitutionBranch ID with code SE:BANKGIRO or SE:PLUSGIRO', (d) =>
    sellerSE(d) ? paymentMeansWithCode(d, ['50', '56']).length : 0),
  rule('SE-R-012', 'warning', 'For domestic transactions between Swedish trading partners, credit transfer should be indicated by PaymentMeansCode="30"', (d) =>
    sellerSE(d) && inSweden(d.customer) ? paymentMeansWithCode(d, ['31']).length : 0),
  rule('SE-R-013', 'fatal', 'The last digit of a Swedish organization number must be valid according to the Luhn algorithm.', (d) =>
    failing(legalEntities(d), (e) => seOrgNumberValid(norm(legalId(e))))),
];
