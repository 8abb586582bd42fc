// GET /v1/invoices/{id}/ubl and /v1/credit-notes/{id}/ubl: Peppol BIS Billing 3.0 documents of
// real invoices (one and several VAT rates, reverse charge, öresavrundning, a quarterly period)
// and credit notes (whole and partial), each validated offline here by the UBL schema and our
// rules; consumers, drafts and malformed settings refused with a problem naming the setting.
import t from 'tap';
import { sql } from 'drizzle-orm';
import { billingWorld, PROBLEM } from '../billing/world.ts';
import { all, first, parseXml, type El } from '../../src/domain/peppol/xml.ts';
import { validateUblBatch } from '../../src/modules/peppol/validate.ts';

const text = (root: El, path: string) => first(root, path)?.text ?? null;
const texts = (root: El, path: string) => all(root, path).map((e) => e.text);

t.test('Peppol documents of invoices and credit notes', async (t) => {
  const w = await billingWorld(t);
  const { api, must } = w;
  const generated: { what: string; xml: string }[] = [];
  const ubl = async (path: string, what: string) => {
    const r = await api('GET', path);
    if (r.status !== 200) throw new Error(`${what}: ${r.status} ${r.body}`);
    t.match(r.headers['content-type'], /^application\/xml/, `${what}: application/xml`);
    generated.push({ what, xml: r.body });
    return parseXml(r.body);
  };
  const invoice = (customer: string, lines: unknown[], extra: Record<string, unknown> = {}) =>
    must(api('POST', '/v1/invoices', { customer, lines, auto_finalize: true, ...extra }), 201, 'invoice');

  // A Swedish company that receives e-invoices, with its own reference.
  const kommun = await w.customer({
    type: 'company',
    name: 'Östersunds Kommunteknik AB',
    national_id: '556036-0793',
    vat_number: 'SE556036079301',
    email: 'faktura@kommunteknik.example',
    address: { line1: 'Rådhusgatan 42', postal_code: '83182', city: 'Östersund' },
    delivery: { type: 'peppol' },
    buyer_reference: 'Inköp 4711',
    buyer_reference_required: true,
  });
  t.equal(kommun.buyer_reference, 'Inköp 4711');
  t.equal(kommun.buyer_reference_required, true);
  t.same(kommun.delivery, { type: 'peppol', participant_id: '0007:5560360793', default: false });

  await t.test('one VAT rate, öresavrundning, the seller as the SE rules want it', async (t) => {
    // 3 × 1 249,90 = 3 749,70 + 25 % 937,43 = 4 687,13 → rounded −0,13 → 4 687,00.
    const inv = await invoice(kommun.id, [{ description: 'Konsulttimmar', quantity: 3, unit_amount: 124990, vat_rate: 25 }]);
    t.equal(inv.rounding, -13);
    const doc = await ubl(`/v1/invoices/${inv.id}/ubl`, 'one rate');
    t.equal(doc.name, 'ubl:Invoice');
    t.equal(text(doc, 'cbc:CustomizationID'), 'urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0');
    t.equal(text(doc, 'cbc:ProfileID'), 'urn:fdc:peppol.eu:2017:poacc:billing:01:1.0');
    t.equal(text(doc, 'cbc:ID'), inv.number);
    t.equal(text(doc, 'cbc:IssueDate'), inv.issue_date);
    t.equal(text(doc, 'cbc:DueDate'), inv.due_date);
    t.equal(text(doc, 'cbc:InvoiceTypeCode'), '380');
    t.equal(text(doc, 'cbc:BuyerReference'), 'Inköp 4711');
    const seller = first(doc, 'cac:AccountingSupplierParty/cac:Party')!;
    t.same(first(seller, 'cbc:EndpointID')!.attrs, { schemeID: '0007' });
    t.equal(text(seller, 'cbc:EndpointID'), '5566778899');
    t.equal(text(seller, 'cac:PartyLegalEntity/cbc:CompanyID'), '5566778899');
    t.equal(text(seller, 'cac:PartyLegalEntity/cbc:RegistrationName'), 'Fjällräven Åkeri AB');
    t.equal(text(seller, 'cac:PartyLegalEntity/cbc:CompanyLegalForm'), 'Säte: Östersund');
    t.same(texts(seller, 'cac:PartyTaxScheme/cbc:CompanyID'), ['SE556677889901', 'Godkänd för F-skatt']);
    t.same(texts(seller, 'cac:PartyTaxScheme/cac:TaxScheme/cbc:ID'), ['VAT', 'TAX']);
    const buyer = first(doc, 'cac:AccountingCustomerParty/cac:Party')!;
    t.equal(text(buyer, 'cbc:EndpointID'), '5560360793', 'the buyer’s participant id');
    t.equal(text(buyer, 'cac:PostalAddress/cbc:PostalZone'), '831 82');
    t.equal(text(doc, 'cac:PaymentMeans/cbc:PaymentMeansCode'), '30');
    t.equal(text(doc, 'cac:PaymentMeans/cbc:PaymentID'), inv.ocr_reference, 'the OCR reference as payment id');
    t.equal(text(doc, 'cac:PaymentMeans/cac:PayeeFinancialAccount/cbc:ID'), '50501055');
    t.equal(text(doc, 'cac:PaymentMeans/cac:PayeeFinancialAccount/cac:FinancialInstitutionBranch/cbc:ID'), 'SE:BANKGIRO');
    t.same(texts(doc, 'cac:TaxTotal/cac:TaxSubtotal/cac:TaxCategory/cbc:ID'), ['S']);
    t.equal(text(doc, 'cac:LegalMonetaryTotal/cbc:TaxInclusiveAmount'), '4687.13');
    t.equal(text(doc, 'cac:LegalMonetaryTotal/cbc:PayableRoundingAmount'), '-0.13');
    t.equal(text(doc, 'cac:LegalMonetaryTotal/cbc:PayableAmount'), '4687.00');

    const whole = await must(api('POST', '/v1/credit-notes', { invoice: inv.id, reason: 'duplicate' }), 201, 'credit note');
    const cn = await ubl(`/v1/credit-notes/${whole.id}/ubl`, 'whole credit note');
    t.equal(cn.name, 'cn:CreditNote');
    t.equal(text(cn, 'cbc:CreditNoteTypeCode'), '381');
    t.equal(text(cn, 'cac:BillingReference/cac:InvoiceDocumentReference/cbc:ID'), inv.number, 'refers to the invoice it credits');
    t.equal(text(cn, 'cac:LegalMonetaryTotal/cbc:PayableAmount'), '4687.00');
    t.same(texts(cn, 'cac:CreditNoteLine/cbc:CreditedQuantity'), ['3']);
  });

  await t.test('several VAT rates (25, 12, 6, exempt), inclusive prices, a partial credit note', async (t) => {
    const inv = await invoice(kommun.id, [
      { description: 'Licens', quantity: 7, unit_amount: 19900, tax_behavior: 'inclusive', vat_rate: 25 },
      { description: 'Lunch & fika <konferens>', quantity: 2, unit_amount: 8950, vat_rate: 12 },
      { description: 'Tidskrift', quantity: 1, unit_amount: 4900, vat_rate: 6 },
      { description: 'Utbildning (undantagen)', quantity: 1, unit_amount: 150000, vat_rate: 0 },
    ], { metadata: { order_reference: 'PO-2026-118' } });
    const doc = await ubl(`/v1/invoices/${inv.id}/ubl`, 'several rates');
    t.same(texts(doc, 'cac:TaxTotal/cac:TaxSubtotal/cac:TaxCategory/cbc:ID').sort(), ['E', 'S', 'S', 'S']);
    t.same(texts(doc, 'cac:TaxTotal/cac:TaxSubtotal/cac:TaxCategory/cbc:Percent').sort(), ['0', '12', '25', '6']);
    t.same(texts(doc, 'cac:TaxTotal/cac:TaxSubtotal/cac:TaxCategory/cbc:TaxExemptionReasonCode'), ['VATEX-EU-132']);
    t.equal(text(doc, 'cac:OrderReference/cbc:ID'), 'PO-2026-118');
    t.same(texts(doc, 'cac:InvoiceLine/cac:Item/cbc:Name')[1], 'Lunch & fika <konferens>', 'text escaped by the builder, read back as written');
    t.equal(text(doc, 'cac:TaxTotal/cbc:TaxAmount'), (inv.vat_total / 100).toFixed(2));

    const partial = await must(api('POST', '/v1/credit-notes', { invoice: inv.id, reason: 'order_change', lines: [{ line_no: 1, quantity: 3 }] }), 201, 'partial credit note');
    const cn = await ubl(`/v1/credit-notes/${partial.id}/ubl`, 'partial credit note');
    t.same(texts(cn, 'cac:CreditNoteLine/cbc:CreditedQuantity'), ['3']);
    t.equal(text(cn, 'cac:BillingReference/cac:InvoiceDocumentReference/cbc:ID'), inv.number);
  });

  await t.test('reverse charge to a company in another EU country', async (t) => {
    const gmbh = await w.customer({
      type: 'company',
      name: 'Bergwerk GmbH',
      national_id: null,
      vat_number: 'DE123456789',
      address: { line1: 'Hauptstraße 5', postal_code: '80331', city: 'München', country: 'DE' },
      delivery: { type: 'peppol', participant_id: '9930:DE123456789' },
    });
    const unknownScheme = await api('POST', `/v1/customers/${gmbh.id}/delivery`, { type: 'peppol', participant_id: '1234:DE123456789' });
    t.equal(unknownScheme.status, 400, 'a participant id in a scheme Peppol does not know is refused');
    t.equal(unknownScheme.json.errors[0].field, 'participant_id');
    const inv = await invoice(gmbh.id, [{ description: 'Konsulttimmar', quantity: 10, unit_amount: 120000, vat_rate: 25 }]);
    t.equal(inv.vat_total, 0);
    const doc = await ubl(`/v1/invoices/${inv.id}/ubl`, 'reverse charge');
    const cat = first(doc, 'cac:TaxTotal/cac:TaxSubtotal/cac:TaxCategory')!;
    t.equal(text(cat, 'cbc:ID'), 'AE');
    t.equal(text(cat, 'cbc:TaxExemptionReasonCode'), 'VATEX-EU-AE');
    t.equal(text(cat, 'cbc:TaxExemptionReason'), 'Omvänd betalningsskyldighet');
    const buyer = first(doc, 'cac:AccountingCustomerParty/cac:Party')!;
    t.same([first(buyer, 'cbc:EndpointID')!.attrs.schemeID, text(buyer, 'cbc:EndpointID')], ['9930', 'DE123456789']);
    t.equal(text(doc, 'cbc:BuyerReference'), gmbh.id, 'no reference of its own: our customer id for them');
  });

  await t.test('a quarterly subscription invoice states its period', async (t) => {
    const quarterly = await w.monthlyPrice({ unit_amount: 75000, interval: 'quarter' });
    const sub = await must(api('POST', '/v1/subscriptions', { customer: kommun.id, items: [{ price: quarterly.id }] }), 201, 'subscription');
    const inv = (await api('GET', `/v1/invoices?subscription=${sub.id}`)).json.data[0];
    const doc = await ubl(`/v1/invoices/${inv.id}/ubl`, 'quarterly period');
    t.equal(text(doc, 'cac:InvoicePeriod/cbc:StartDate'), '2026-11-25');
    t.equal(text(doc, 'cac:InvoicePeriod/cbc:EndDate'), '2027-02-24', 'the day before the next period starts');
  });

  await t.test('customer credit used on the invoice: PrepaidAmount, and what is left to pay', async (t) => {
    const first = await invoice(kommun.id, [{ description: 'Konsulttimmar', quantity: 1, unit_amount: 10000, vat_rate: 25 }]);
    await must(api('POST', '/v1/payments', { amount: first.amount_due + 5000, invoice: first.id }), 201, 'overpayment');
    // 2 × 199,90 + 25 % = 499,75 → rounded 500,00; 50,00 of credit used.
    const inv = await invoice(kommun.id, [{ description: 'Licens', quantity: 2, unit_amount: 19990, vat_rate: 25 }]);
    t.equal(inv.amount_from_balance, 5000);
    const doc = await ubl(`/v1/invoices/${inv.id}/ubl`, 'customer credit');
    t.equal(text(doc, 'cac:LegalMonetaryTotal/cbc:TaxInclusiveAmount'), '499.75');
    t.equal(text(doc, 'cac:LegalMonetaryTotal/cbc:PrepaidAmount'), '50.00');
    t.equal(text(doc, 'cac:LegalMonetaryTotal/cbc:PayableRoundingAmount'), '0.25');
    t.equal(text(doc, 'cac:LegalMonetaryTotal/cbc:PayableAmount'), '450.00');
  });

  await t.test('a burst of 40 requests for the same e-invoice: every one served, the same document', async (t) => {
    const inv = await invoice(kommun.id, [{ description: 'Konsulttimmar', quantity: 1, unit_amount: 100000, vat_rate: 25 }]);
    const answers = await Promise.all(Array.from({ length: 40 }, () => api('GET', `/v1/invoices/${inv.id}/ubl`)));
    t.same([...new Set(answers.map((a) => a.status))], [200]);
    t.equal(new Set(answers.map((a) => a.body)).size, 1, 'one document, byte for byte');
  });

  await t.test('every generated document passes the UBL schema and fires no rule', async (t) => {
    t.equal(generated.length, 7, 'invoices of one and several rates, reverse charge, a quarterly period, customer credit; a whole and a partial credit note');
    const results = await validateUblBatch(generated.map((g) => g.xml));
    generated.forEach((g, i) => {
      t.same(results[i]!.schemaErrors, [], `${g.what}: schema`);
      t.same(results[i]!.findings.map((f) => `${f.rule} ${f.message}`), [], `${g.what}: no rule fires, not even a warning`);
    });
  });

  await t.test('refused: drafts, consumers, unknown ids', async (t) => {
    const draft = await must(api('POST', '/v1/invoices', { customer: kommun.id, lines: [{ description: 'x', quantity: 1, unit_amount: 100, vat_rate: 25 }] }), 201, 'draft');
    const r1 = await api('GET', `/v1/invoices/${draft.id}/ubl`);
    t.equal(r1.status, 409);
    t.equal(r1.json.type, `${PROBLEM}invalid_state`);
    const anna = await w.customer();
    const inv = await invoice(anna.id, [{ description: 'Abonnemang', quantity: 1, unit_amount: 19900, vat_rate: 25 }]);
    const r2 = await api('GET', `/v1/invoices/${inv.id}/ubl`);
    t.equal(r2.status, 409);
    t.equal(r2.json.type, `${PROBLEM}peppol_not_applicable`);
    t.match(r2.json.detail, /consumer/);
    const cn = await must(api('POST', '/v1/credit-notes', { invoice: inv.id, reason: 'duplicate' }), 201, 'credit note');
    t.equal((await api('GET', `/v1/credit-notes/${cn.id}/ubl`)).json.code, 'peppol_not_applicable');
    t.equal((await api('GET', '/v1/invoices/in_00000000000000000000000000/ubl')).status, 404);
    t.equal((await api('GET', '/v1/invoices/nope/ubl')).status, 400);
  });

  await t.test('malformed settings are caught before a document is built, and named', async (t) => {
    const inv = await invoice(kommun.id, [{ description: 'Konsulttimmar', quantity: 1, unit_amount: 100000, vat_rate: 25 }]);
    // A public body that requires its reference, without one.
    await must(api('PATCH', `/v1/customers/${kommun.id}`, { buyer_reference: null }), 200, 'clear reference');
    let r = await api('GET', `/v1/invoices/${inv.id}/ubl`);
    t.equal(r.status, 409);
    t.equal(r.json.type, `${PROBLEM}peppol_settings_invalid`);
    t.same(r.json.errors, [{ field: 'buyer_reference', location: 'customer', message: r.json.errors[0].message }]);
    t.match(r.json.detail, /customer buyer_reference/);
    await must(api('PATCH', `/v1/customers/${kommun.id}`, { buyer_reference: 'Inköp 4711' }), 200, 'reference again');
    t.equal((await api('GET', `/v1/invoices/${inv.id}/ubl`)).status, 200);

    // An organisation number with a wrong check digit (stored before settings were checked).
    await w.database.db.execute(sql`update invoices set seller = jsonb_set(seller, '{organisationNumber}', '"556677-8898"') where id = ${inv.id}`);
    r = await api('GET', `/v1/invoices/${inv.id}/ubl`);
    t.equal(r.status, 409);
    t.equal(r.json.code, 'peppol_settings_invalid');
    t.equal(r.json.errors[0].field, 'organisation_number');
    t.equal(r.json.errors[0].location, 'merchant');
    t.match(r.json.errors[0].message, /556677-8898/);

    // No bankgiro to pay to (the merchant has only Swish).
    await must(api('PATCH', '/v1/merchant', { bankgiro: null }), 200, 'no bankgiro');
    const swishOnly = await invoice(kommun.id, [{ description: 'Konsulttimmar', quantity: 1, unit_amount: 100000, vat_rate: 25 }]);
    r = await api('GET', `/v1/invoices/${swishOnly.id}/ubl`);
    t.equal(r.status, 409);
    t.same(r.json.errors.map((e: any) => [e.field, e.location]), [['bankgiro', 'merchant']]);
  });
});
