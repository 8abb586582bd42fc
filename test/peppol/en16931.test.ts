// The EN 16931 core rules (BR-*) have no unit test sets in the kit: here each is broken on purpose,
// in an OpenPeppol example or in a document of our own builder, and must fire (and not before).
import t from 'tap';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { checkRulesXml } from '../../src/domain/peppol/rules.ts';
import { buildUbl, type UblInput } from '../../src/domain/peppol/ubl.ts';
import { peppolKitDir } from '../../src/modules/peppol/schema-check.ts';

const example = (f: string) => readFileSync(join(peppolKitDir(), 'examples', f), 'utf8');
const fired = (xml: string) => checkRulesXml(xml).map((f) => f.rule);

/** [what, document, the rule, how it is broken: (xml) => xml]. */
type Case = [string, string, string, (xml: string) => string];
const nth = (xml: string, find: string, replace: string, n = 1) => {
  let i = -1;
  for (let k = 0; k < n; k++) i = xml.indexOf(find, i + 1);
  if (i < 0) throw new Error(`not found: ${find}`);
  return xml.slice(0, i) + replace + xml.slice(i + find.length);
};

const base = example('base-example.xml');
const exempt = example('vat-category-E.xml');
const zero = example('vat-category-Z.xml');

// A reverse-charged invoice of our own builder: 10 × 1 200 kr to a German company.
const reverse: UblInput = {
  kind: 'invoice', number: 'F-1', issueDate: '2026-11-25', dueDate: '2026-12-28', currency: 'SEK', note: null, buyerReference: 'cus_1', orderReference: null,
  period: null, billingReference: null,
  seller: { endpoint: { scheme: '0007', id: '5566778899' }, name: 'Fjällräven Åkeri AB', street: 'Storgatan 12', street2: null, city: 'Östersund', postalCode: '831 30', country: 'SE', vatNumber: 'SE556677889901', fSkatt: true, orgNumber: '5566778899', registeredOffice: 'Östersund', email: null, phone: null },
  buyer: { endpoint: { scheme: '9930', id: 'DE123456789' }, name: 'Bergwerk GmbH', street: 'Hauptstraße 5', street2: null, city: 'München', postalCode: '80331', country: 'DE', vatNumber: 'DE123456789', orgNumber: null, email: null, phone: null },
  payment: { bankgiro: '50501055', ocr: '1234566', terms: '30 dagar netto' }, reverseCharge: true,
  lines: [{ description: 'Konsulttimmar', quantity: 10, net: 1200000, vatRate: 0, periodStart: null, periodEnd: null }],
  breakdown: [{ vatRate: 0, net: 1200000, vat: 0 }], subtotal: 1200000, vatTotal: 0, total: 1200000, prepaid: 0, rounding: 0, payable: 1200000,
};
const reverseXml = buildUbl(reverse);

const cases: Case[] = [
  ['no seller name', base, 'BR-06', (x) => x.replace('<cbc:RegistrationName>SupplierOfficialName Ltd</cbc:RegistrationName>', '')],
  ['no buyer address', base, 'BR-10', (x) => x.replace(/<cac:AccountingCustomerParty>([\s\S]*?)<cac:PostalAddress>[\s\S]*?<\/cac:PostalAddress>/, '<cac:AccountingCustomerParty>$1')],
  ['no line', base, 'BR-16', (x) => x.replace(/<cac:InvoiceLine>[\s\S]*<\/cac:InvoiceLine>/, '')],
  ['no item name', base, 'BR-25', (x) => x.replace(/(<cac:InvoiceLine>[\s\S]*?)<cbc:Name>[^<]*<\/cbc:Name>/, '$1')],
  ['negative price', base, 'BR-27', (x) => x.replace(/<cbc:PriceAmount currencyID="EUR">/, '<cbc:PriceAmount currencyID="EUR">-')],
  ['period ends before it starts', base, 'BR-29', (x) => x.replace('<cac:AccountingSupplierParty>', '<cac:InvoicePeriod><cbc:StartDate>2026-12-01</cbc:StartDate><cbc:EndDate>2026-11-30</cbc:EndDate></cac:InvoicePeriod><cac:AccountingSupplierParty>')],
  ['credit transfer without account', base, 'BR-61', (x) => x.replace('<cbc:ID>IBAN32423940</cbc:ID>', '')],
  ['line sum wrong', base, 'BR-CO-10', (x) => x.replace('<cbc:LineExtensionAmount currencyID="EUR">1300</cbc:LineExtensionAmount>', '<cbc:LineExtensionAmount currencyID="EUR">1301</cbc:LineExtensionAmount>')],
  ['charge total wrong', base, 'BR-CO-12', (x) => x.replace('<cbc:ChargeTotalAmount currencyID="EUR">25</cbc:ChargeTotalAmount>', '<cbc:ChargeTotalAmount currencyID="EUR">26</cbc:ChargeTotalAmount>')],
  ['total without VAT wrong', base, 'BR-CO-13', (x) => x.replace('<cbc:TaxExclusiveAmount currencyID="EUR">1325</cbc:TaxExclusiveAmount>', '<cbc:TaxExclusiveAmount currencyID="EUR">1324</cbc:TaxExclusiveAmount>')],
  ['VAT total not the breakdown’s', base, 'BR-CO-14', (x) => x.replace('<cbc:TaxAmount currencyID="EUR">331.25</cbc:TaxAmount>', '<cbc:TaxAmount currencyID="EUR">331.26</cbc:TaxAmount>')],
  ['total with VAT wrong', base, 'BR-CO-15', (x) => x.replace('<cbc:TaxInclusiveAmount currencyID="EUR">1656.25</cbc:TaxInclusiveAmount>', '<cbc:TaxInclusiveAmount currencyID="EUR">1656.26</cbc:TaxInclusiveAmount>')],
  ['amount due wrong', base, 'BR-CO-16', (x) => x.replace('<cbc:PayableAmount currencyID="EUR">1656.25</cbc:PayableAmount>', '<cbc:PayableAmount currencyID="EUR">1656.00</cbc:PayableAmount>')],
  ['rounding that does not add up', base, 'BR-CO-16', (x) => x.replace('<cbc:PayableAmount currencyID="EUR">1656.25</cbc:PayableAmount>', '<cbc:PayableRoundingAmount currencyID="EUR">-0.20</cbc:PayableRoundingAmount><cbc:PayableAmount currencyID="EUR">1656.00</cbc:PayableAmount>')],
  ['category VAT off by more than 1', base, 'BR-CO-17', (x) => nth(x, '<cbc:TaxAmount currencyID="EUR">331.25</cbc:TaxAmount>', '<cbc:TaxAmount currencyID="EUR">341.25</cbc:TaxAmount>', 2)],
  ['no breakdown', base, 'BR-CO-18', (x) => x.replace(/<cac:TaxSubtotal>[\s\S]*?<\/cac:TaxSubtotal>/, '')],
  ['positive amount due, no due date or terms', base, 'BR-CO-25', (x) => x.replace(/<cbc:DueDate>[^<]*<\/cbc:DueDate>/, '').replace(/<cac:PaymentTerms>[\s\S]*?<\/cac:PaymentTerms>/, '')],
  ['a standard-rated line without a breakdown', base, 'BR-S-01', (x) => nth(x, '<cbc:ID>S</cbc:ID>', '<cbc:ID>Z</cbc:ID>', 2)],
  ['a standard-rated line at 0 %', base, 'BR-S-05', (x) => nth(x, '<cbc:Percent>25.0</cbc:Percent>', '<cbc:Percent>0</cbc:Percent>', 3)],
  ['standard-rated taxable amount wrong', base, 'BR-S-08', (x) => x.replace('<cbc:TaxableAmount currencyID="EUR">1325</cbc:TaxableAmount>', '<cbc:TaxableAmount currencyID="EUR">1330</cbc:TaxableAmount>')],
  ['standard-rated VAT wrong', base, 'BR-S-09', (x) => nth(x, '<cbc:TaxAmount currencyID="EUR">331.25</cbc:TaxAmount>', '<cbc:TaxAmount currencyID="EUR">300.00</cbc:TaxAmount>', 2)],
  ['an exemption reason on standard-rated', base, 'BR-S-10', (x) => nth(x, '<cbc:Percent>25.0</cbc:Percent>', '<cbc:Percent>25.0</cbc:Percent><cbc:TaxExemptionReason>Nope</cbc:TaxExemptionReason>', 2)],
  ['an exempt breakdown with VAT', exempt, 'BR-E-09', (x) => nth(x, '<cbc:TaxAmount currencyID="GBP">0.00</cbc:TaxAmount>', '<cbc:TaxAmount currencyID="GBP">10.00</cbc:TaxAmount>', 2)],
  ['an exempt breakdown without reason', exempt, 'BR-E-10', (x) => x.replace('<cbc:TaxExemptionReasonCode>VATEX-EU-F</cbc:TaxExemptionReasonCode>', '')],
  ['an exempt line with a rate', exempt, 'BR-E-05', (x) => nth(x, '<cbc:Percent>0</cbc:Percent>', '<cbc:Percent>6</cbc:Percent>', 2)],
  ['exempt taxable amount wrong', exempt, 'BR-E-08', (x) => x.replace('<cbc:TaxableAmount currencyID="GBP">1200.00</cbc:TaxableAmount>', '<cbc:TaxableAmount currencyID="GBP">1200.01</cbc:TaxableAmount>')],
  ['a zero-rated breakdown with VAT', zero, 'BR-Z-09', (x) => nth(x, '<cbc:TaxAmount currencyID="GBP">0.00</cbc:TaxAmount>', '<cbc:TaxAmount currencyID="GBP">1.00</cbc:TaxAmount>', 2)],
  ['two zero-rated breakdowns', zero, 'BR-Z-01', (x) => x.replace(/(<cac:TaxSubtotal>[\s\S]*?<\/cac:TaxSubtotal>)/, '$1$1')],
  ['reverse charge with VAT', reverseXml, 'BR-AE-09', (x) => nth(x, '<cbc:TaxAmount currencyID="SEK">0.00</cbc:TaxAmount>', '<cbc:TaxAmount currencyID="SEK">1.00</cbc:TaxAmount>', 2)],
  ['reverse charge without reason', reverseXml, 'BR-AE-10', (x) => x.replace(/<cbc:TaxExemptionReasonCode>[^<]*<\/cbc:TaxExemptionReasonCode>\s*<cbc:TaxExemptionReason>[^<]*<\/cbc:TaxExemptionReason>/, '')],
  ['reverse charge without the buyer’s ids', reverseXml, 'BR-AE-02', (x) => x.replace(/(<cac:AccountingCustomerParty>[\s\S]*?)<cac:PartyTaxScheme>[\s\S]*?<\/cac:PartyTaxScheme>/, '$1')],
  ['a reverse-charged line at 25 %', reverseXml, 'BR-AE-05', (x) => nth(x, '<cbc:Percent>0</cbc:Percent>', '<cbc:Percent>25</cbc:Percent>', 2)],
  ['reverse-charged taxable amount wrong', reverseXml, 'BR-AE-08', (x) => x.replace('<cbc:TaxableAmount currencyID="SEK">12000.00</cbc:TaxableAmount>', '<cbc:TaxableAmount currencyID="SEK">11999.00</cbc:TaxableAmount>')],
  ['a VAT number without country prefix', reverseXml, 'BR-CO-09', (x) => x.replace('<cbc:CompanyID>DE123456789</cbc:CompanyID>', '<cbc:CompanyID>123456789</cbc:CompanyID>')],
  ['an empty element', reverseXml, 'PEPPOL-EN16931-R008', (x) => x.replace('<cbc:Name>Konsulttimmar</cbc:Name>', '<cbc:Name>Konsulttimmar</cbc:Name><cbc:Description> </cbc:Description>')],
];

t.test('the untouched documents fire no rule', async (t) => {
  for (const [name, xml] of [['base-example', base], ['vat-category-E', exempt], ['vat-category-Z', zero], ['our reverse charge', reverseXml]] as const) t.same(fired(xml), [], name);
});

t.test('each core rule fires when broken', async (t) => {
  for (const [what, xml, rule, breakIt] of cases) {
    const broken = breakIt(xml);
    t.not(broken, xml, `${what}: the document changed`);
    t.ok(fired(broken).includes(rule), `${what}: ${rule} fires (fired: ${fired(broken).join(', ')})`);
  }
});
