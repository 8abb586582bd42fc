// Issue 10 §2: no finalised invoice without the seller details the law asks for and a way to pay;
// and what a finalised invoice and credit note show (contact, säte, customer number, unit price
// excl. VAT, the credit note's own date and what is left to pay).
import t from 'tap';
import { sql } from 'drizzle-orm';
import { billingWorld, invoicesOf, pdfText, PROBLEM, runBilling, SELLER_SETTINGS } from './world.ts';

const MISSING = ['legal_name', 'address', 'organisation_number', 'vat_number', 'bankgiro'];

async function count(w: { database: { db: any } }, query: ReturnType<typeof sql>): Promise<number> {
  return ((await w.database.db.execute(query)).rows[0] as { n: number }).n;
}

t.test('finalising without seller settings is refused with a problem naming them, and changes nothing', async (t) => {
  const w = await billingWorld(t);
  const bare = await w.merchant('Bare', false, { settings: 'none' });
  const api = w.apiFor(bare);
  const c = await w.customer({}, bare);
  const draft = await w.must(api('POST', '/v1/invoices', { customer: c.id, lines: [{ description: 'Konsult', unit_amount: 100000 }] }), 201, 'draft');

  const refused = await api('POST', `/v1/invoices/${draft.id}/finalize`);
  t.equal(refused.status, 409, refused.body);
  t.equal(refused.json.type, PROBLEM + 'seller_settings_incomplete');
  t.match(refused.json.detail, /legal_name, address, organisation_number, vat_number, bankgiro or swish_number/);
  t.same(refused.json.errors.map((e: any) => e.field), MISSING);
  t.ok(refused.json.errors.every((e: any) => e.location === 'merchant'), 'the fields are merchant settings, not request fields');
  t.match((await api('GET', `/v1/invoices/${draft.id}`)).json, { status: 'draft', number: null, ocr_reference: null }, 'still a draft');

  const auto = await api('POST', '/v1/invoices', { customer: c.id, auto_finalize: true, lines: [{ description: 'Konsult', unit_amount: 100000 }] });
  t.equal(auto.status, 409, 'auto_finalize is refused the same way');
  t.equal((await api('GET', '/v1/invoices')).json.data.length, 1, 'and creates no draft');
  t.equal(await count(w, sql`select count(*)::int as n from events where merchant_id = ${bare.id} and type = 'invoice.finalized'`), 0);

  // An aktiebolag also needs its säte; Swish alone is a way to pay.
  const partial = { ...SELLER_SETTINGS, registered_office: undefined, bankgiro: null };
  await w.must(api('PATCH', '/v1/merchant', partial), 200, 'settings');
  const office = await api('POST', `/v1/invoices/${draft.id}/finalize`);
  t.equal(office.status, 409);
  t.same(office.json.errors.map((e: any) => e.field), ['registered_office']);
  await w.must(api('PATCH', '/v1/merchant', { registered_office: 'Östersund', swish_number: null }), 200, 'settings');
  t.same((await api('POST', `/v1/invoices/${draft.id}/finalize`)).json.errors.map((e: any) => e.field), ['bankgiro'], 'no way to pay');
  await w.must(api('PATCH', '/v1/merchant', { swish_number: '1231181189' }), 200, 'settings');

  const done = await api('POST', `/v1/invoices/${draft.id}/finalize`);
  t.equal(done.status, 200, done.body);
  t.match(done.json, { status: 'open', number: 'F-1' }, 'the first number: the refusals took none');

  // A sole trader (personnummer as organisation number) is not an aktiebolag: no säte needed.
  const sole = await w.merchant('Sole', false, { settings: 'none' });
  await w.must(w.apiFor(sole)('PATCH', '/v1/merchant', { ...SELLER_SETTINGS, organisation_number: '811218-9876', vat_number: 'SE811218987601', registered_office: null }), 200, 'sole trader');
  const sc = await w.customer({}, sole);
  const soleInvoice = await w.apiFor(sole)('POST', '/v1/invoices', { customer: sc.id, auto_finalize: true, lines: [{ description: 'Tjänst', unit_amount: 5000 }] });
  t.equal(soleInvoice.status, 201, soleInvoice.body);
});

t.test('a subscription that would finalise its first invoice is refused; one that starts later is not', async (t) => {
  const w = await billingWorld(t);
  const bare = await w.merchant('Bare', false, { settings: 'none' });
  const api = w.apiFor(bare);
  const c = await w.customer({}, bare);
  const price = await w.monthlyPrice({ unit_amount: 19900, tax_behavior: 'inclusive' }, bare);

  const now = await api('POST', '/v1/subscriptions', { customer: c.id, items: [{ price: price.id }] });
  t.equal(now.status, 409, now.body);
  t.equal(now.json.type, PROBLEM + 'seller_settings_incomplete');
  t.same(now.json.errors.map((e: any) => e.field), MISSING);
  t.equal((await api('GET', '/v1/subscriptions')).json.data.length, 0, 'no subscription');
  t.equal((await api('GET', '/v1/invoices')).json.data.length, 0, 'no invoice');

  const trial = await api('POST', '/v1/subscriptions', { customer: c.id, items: [{ price: price.id }], trial_period_days: 14 });
  t.equal(trial.status, 201, 'a trial invoices nothing today');
});

t.test('billing runs skip a merchant without seller settings, name them in last_error, and bill once they are set', async (t) => {
  const w = await billingWorld(t);
  const bare = await w.merchant('Bare', false, { settings: 'none' });
  const api = w.apiFor(bare);
  const c = await w.customer({}, bare);
  const price = await w.monthlyPrice({ unit_amount: 19900, tax_behavior: 'inclusive' }, bare);
  // Subscriptions that start on a later day: creating them invoices nothing.
  const subs = [];
  for (let i = 0; i < 2; i++) {
    subs.push(await w.must(api('POST', '/v1/subscriptions', { customer: c.id, items: [{ price: price.id }], start_date: '2026-11-26' }), 201, 'subscription'));
  }
  // Another merchant, complete, with a subscription due the same day.
  const oc = await w.customer();
  const op = await w.monthlyPrice({ unit_amount: 10000 });
  const other = await w.must(w.api('POST', '/v1/subscriptions', { customer: oc.id, items: [{ price: op.id }], start_date: '2026-11-26' }), 201, 'other');

  w.clock.advance(24 * 3600_000);
  const run = await runBilling(api);
  t.match(run, { status: 'completed', invoices_created: 0, subscriptions_due: 2 });
  t.match(run.last_error, /^2 subscription\(s\) could not be invoiced: sub_\w+, sub_\w+: seller settings incomplete \(missing legal_name, address, organisation_number, vat_number, bankgiro or swish_number; set them with PATCH \/v1\/merchant\)$/);
  for (const s of subs) {
    t.match((await api('GET', `/v1/subscriptions/${s.id}`)).json, { status: 'scheduled', next_billing_date: '2026-11-26' }, 'left due');
  }
  t.equal((await api('GET', '/v1/invoices')).json.data.length, 0);

  const theirs = await runBilling(w.api);
  t.match(theirs, { status: 'completed', invoices_created: 1, last_error: null }, 'other merchants are unaffected');
  t.equal((await invoicesOf(w.api, other.id)).length, 1);

  await w.must(api('PATCH', '/v1/merchant', SELLER_SETTINGS), 200, 'settings');
  const again = await runBilling(api);
  t.match(again, { status: 'completed', invoices_created: 2, last_error: null }, 'billed once the settings are complete');
  for (const s of subs) t.match(await invoicesOf(api, s.id), [{ status: 'open', issue_date: '2026-11-26', period_start: '2026-11-26' }]);
});

t.test('a test clock advance completes with the subscriptions left due', async (t) => {
  const w = await billingWorld(t);
  const bare = await w.merchant('Bare', false, { settings: 'none' });
  const api = w.apiFor(bare);
  const clock = (await w.must(api('POST', '/v1/test-clocks', { frozen_time: '2026-11-25T10:00:00Z' }), 201, 'clock')).id;
  const c = await w.customer({ test_clock: clock }, bare);
  const price = await w.monthlyPrice({ unit_amount: 19900, tax_behavior: 'inclusive' }, bare);
  const sub = await w.must(api('POST', '/v1/subscriptions', { customer: c.id, items: [{ price: price.id }], trial_period_days: 10 }), 201, 'trial');

  t.equal((await api('POST', `/v1/test-clocks/${clock}/advance`, { frozen_time: '2027-01-10T10:00:00Z' })).status, 200);
  let tc: any;
  for (let i = 0; i < 500; i++) {
    tc = (await api('GET', `/v1/test-clocks/${clock}`)).json;
    if (tc.status !== 'advancing') break;
    await new Promise((res) => setTimeout(res, 10));
  }
  t.match(tc, { status: 'ready', frozen_time: '2027-01-10T10:00:00.000Z' }, 'not stuck in advancing');
  t.match((await api('GET', `/v1/subscriptions/${sub.id}`)).json, { next_billing_date: '2026-12-05' }, 'still due from the end of its trial');
  t.equal((await api('GET', '/v1/invoices')).json.data.length, 0);

  await w.must(api('PATCH', '/v1/merchant', SELLER_SETTINGS), 200, 'settings');
  const started = await w.must(api('POST', '/v1/billing-runs', { test_clock: clock }), 202, 'run');
  let run: any;
  for (let i = 0; i < 500; i++) {
    run = (await api('GET', `/v1/billing-runs/${started.id}`)).json;
    if (run.status === 'completed' || run.status === 'failed') break;
    await new Promise((res) => setTimeout(res, 10));
  }
  t.match(run, { status: 'completed', last_error: null });
  t.same((await invoicesOf(api, sub.id)).map((i: any) => i.period_start), ['2026-12-05', '2027-01-05'], 'every missed period, in order');
});

t.test('the invoice and credit note show what the law and the payer need', async (t) => {
  const w = await billingWorld(t);
  const c = await w.customer({ external_id: 'K-10042', locale: 'sv' });
  const price = await w.monthlyPrice({ unit_amount: 19900, tax_behavior: 'inclusive' });
  const sub = await w.must(w.api('POST', '/v1/subscriptions', { customer: c.id, items: [{ price: price.id, quantity: 2 }] }), 201, 'sub');
  const [inv] = await invoicesOf(w.api, sub.id);
  t.match(inv, { status: 'open', amount_due: 39800 });

  // Settings changed later do not change an issued invoice.
  await w.must(w.api('PATCH', '/v1/merchant', { contact_email: 'ny@example.se', contact_phone: null, registered_office: 'Stockholm' }), 200, 'settings');

  const html = (await w.api('GET', `/v1/invoices/${inv.id}/html`)).body;
  t.match(html, '<p>Kundnummer K-10042</p>', "the merchant's own customer number");
  t.notMatch(html, `Kundnummer ${c.id}`);
  t.match(html, '<p>Styrelsens säte Östersund</p>');
  t.match(html, '<p>E-post faktura@fjallraven-akeri.example</p>', 'frozen at finalisation');
  t.match(html, '<p>Telefon 063-12 34 56</p>');
  t.notMatch(html, 'ny@example.se');
  // 199,00 kr incl. 25 % VAT is 159,20 kr excl. VAT; two of them 318,40 kr.
  t.match(html, /data-label="À-pris exkl. moms">159,20\u00a0kr<\/td>/);
  t.match(html, /class="num amount">318,40\u00a0kr<\/td>/);

  const invoicePdf = await pdfText((await w.app.inject({ method: 'GET', url: `/v1/invoices/${inv.id}/pdf`, headers: w.m.auth })).rawPayload);
  for (const s of ['Kundnummer K-10042', 'Styrelsens säte Östersund', 'Telefon 063-12 34 56', 'À-pris exkl. moms', '159,20 kr']) t.ok(invoicePdf.includes(s), `PDF: ${s}`);

  const cn = await w.must(w.api('POST', '/v1/credit-notes', { invoice: inv.id, lines: [{ line_no: 1, quantity: 1 }] }), 201, 'credit note');
  const cnHtml = (await w.api('GET', `/v1/credit-notes/${cn.id}/html`)).body;
  t.match(cnHtml, `<h1>Kreditfaktura ${cn.number}</h1>`);
  t.match(cnHtml, '<dt>Kreditfakturadatum</dt><dd>2026-11-25</dd>');
  t.notMatch(cnHtml, 'Fakturadatum');
  t.match(cnHtml, `Kvar att betala på faktura ${inv.number}: <strong>199,00\u00a0kr</strong>`);
  const cnPdf = await pdfText((await w.app.inject({ method: 'GET', url: `/v1/credit-notes/${cn.id}/pdf`, headers: w.m.auth })).rawPayload);
  t.ok(cnPdf.includes(`Kvar att betala på faktura ${inv.number}: 199,00 kr`), 'PDF: what remains to pay');
  t.ok(cnPdf.includes('Kreditfakturadatum 2026-11-25'));
});
