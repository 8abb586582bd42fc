// One-off invoices through the HTTP API: drafts and their arithmetic, finalisation (number, OCR,
// dates, snapshots), payments, void, uncollectible, delete, validation, isolation, events and the
// HTML and PDF documents.
import t from 'tap';
import { isValidOcr } from '../../src/domain/ocr.ts';
import { billingWorld, pdfText, PROBLEM, SELLER_SETTINGS } from './world.ts';

const NBSP = '\u00a0';
const nb = (s: string) => s.replaceAll(' ', NBSP);

t.test('one-off invoices', async (t) => {
  const w = await billingWorld(t);
  const { api, m } = w;
  const other = await w.seller('Annan Firma', { invoice_number_prefix: 'A-' });
  const otherApi = w.apiFor(other);

  const anna = await w.customer();
  const pro = await w.monthlyPrice({ unit_amount: 29900, vat_rate: 25, product_name: 'Omtanke Pro' });
  t.equal(pro.tax_behavior, 'exclusive', 'price default tax behaviour');

  const listIds = async () => (await api('GET', '/v1/invoices?limit=100')).json.data.map((i: { id: string }) => i.id) as string[];
  const eventsOf = async (objectId: string) =>
    ((await api('GET', `/v1/events?object_id=${objectId}&limit=100`)).json.data as Array<{ type: string; data: { object: any } }>).reverse();

  let draftId = '';

  await t.test('draft with two VAT rates and a price line', async (t) => {
    const r = await api('POST', '/v1/invoices', {
      customer: anna.id,
      memo: 'Tack för förtroendet!',
      metadata: { order: 'ö-17' },
      lines: [
        { description: 'Konsulttimmar, Östersund', quantity: 3, unit_amount: 124990, vat_rate: 25 },
        { description: 'Lunch på Ågården', quantity: 2, unit_amount: 8950, vat_rate: 12 },
        { price: pro.id },
      ],
    });
    t.equal(r.status, 201, r.body);
    draftId = r.json.id;
    t.match(draftId, /^in_[0-9A-Z]{26}$/);
    // 25 %: 3 × 1 249,90 = 3 749,70 kr and 299,00 kr → net 4 048,70 kr; VAT 1 012,175 → 1 012,18 kr (rounded once per rate).
    //   Per line (largest remainder): 937,425 → 937,43 kr and 74,75 kr.
    // 12 %: 2 × 89,50 = 179,00 kr; VAT 21,48 kr.
    // Subtotal 4 227,70; VAT 1 033,66; total 5 261,36 → öresavrundning -0,36 → 5 261,00 kr to pay.
    t.match(r.json, {
      object: 'invoice',
      livemode: false,
      customer: anna.id,
      subscription: null,
      billing_reason: 'manual',
      status: 'draft',
      currency: 'SEK',
      number: null,
      ocr_reference: null,
      issue_date: null,
      due_date: null,
      seller: null,
      buyer: null,
      reverse_charge: false,
      locale: 'sv',
      payment_terms_days: 30,
      memo: 'Tack för förtroendet!',
      metadata: { order: 'ö-17' },
      finalized_at: null,
      created_at: '2026-11-25T09:00:00.000Z',
    });
    t.same(
      r.json.lines.map((l: any) => [l.line_no, l.description, l.quantity, l.unit_amount, l.tax_behavior, l.vat_rate, l.net, l.vat, l.amount, l.price]),
      [
        [1, 'Konsulttimmar, Östersund', 3, 124990, 'exclusive', 25, 374970, 93743, 468713, null],
        [2, 'Lunch på Ågården', 2, 8950, 'exclusive', 12, 17900, 2148, 20048, null],
        [3, 'Omtanke Pro', 1, 29900, 'exclusive', 25, 29900, 7475, 37375, pro.id],
      ],
    );
    t.same(r.json.vat_breakdown, [
      { vat_rate: 25, net: 404870, vat: 101218 },
      { vat_rate: 12, net: 17900, vat: 2148 },
    ]);
    t.equal(r.json.subtotal, 422770);
    t.equal(r.json.vat_total, 103366);
    t.equal(r.json.total, 526136);
    t.equal(r.json.rounding, -36);
    t.equal(r.json.amount_due, 526100);
    t.equal(r.json.amount_due, r.json.total + r.json.rounding);
    t.equal(r.json.amount_due % 100, 0, 'whole kronor');
    t.equal(r.json.amount_remaining, 526100);
    t.equal(r.json.amount_paid, 0);
    const sumLines = r.json.lines.reduce((s: number, l: any) => s + l.vat, 0);
    t.equal(sumLines, r.json.vat_total, 'line VAT adds up to the rates’ VAT');

    const get = await api('GET', `/v1/invoices/${draftId}`);
    t.equal(get.status, 200);
    t.same(get.json, r.json, 'GET shows what POST returned');
  });

  await t.test('PATCH replaces the lines of a draft', async (t) => {
    w.clock.advance(60_000);
    const r = await api('PATCH', `/v1/invoices/${draftId}`, {
      lines: [{ description: 'Konsulttimmar, Östersund', quantity: 2, unit_amount: 124990, vat_rate: 25 }, { price: pro.id }],
      memo: 'Två timmar räckte',
    });
    t.equal(r.status, 200, r.body);
    // 2 × 1 249,90 + 299,00 = 2 798,80 net, 25 % VAT 699,70 → 3 498,50 → +0,50 öresavrundning → 3 499,00 kr.
    t.equal(r.json.lines.length, 2, 'old lines are gone');
    t.same(r.json.lines.map((l: any) => [l.line_no, l.net, l.vat]), [[1, 249980, 62495], [2, 29900, 7475]]);
    t.same(r.json.vat_breakdown, [{ vat_rate: 25, net: 279880, vat: 69970 }]);
    t.equal(r.json.total, 349850);
    t.equal(r.json.rounding, 50, 'half a krona rounds up');
    t.equal(r.json.amount_due, 349900);
    t.equal(r.json.amount_remaining, 349900);
    t.equal(r.json.memo, 'Två timmar räckte');
    t.same(r.json.metadata, { order: 'ö-17' }, 'metadata untouched');
    t.equal(r.json.updated_at, '2026-11-25T09:01:00.000Z');
    t.same((await api('GET', `/v1/invoices/${draftId}`)).json, r.json);
    const ev = (await api('GET', `/v1/events?type=invoice.updated&object_id=${draftId}`)).json.data;
    t.equal(ev.length, 1);
    t.match(ev[0].data.previous_attributes, { memo: 'Tack för förtroendet!', total: 526136, amount_due: 526100, updated_at: '2026-11-25T09:00:00.000Z' });
    t.equal(ev[0].data.previous_attributes.lines.length, 3, 'the old lines');
    t.notOk('metadata' in ev[0].data.previous_attributes, 'metadata did not change');

    // Amounts too large to total are a validation error, not a crash (1 000 000 × 100 000 000 kr).
    const huge = await api('PATCH', `/v1/invoices/${draftId}`, { lines: [{ description: 'x', quantity: 1_000_000, unit_amount: 10_000_000_000 }] });
    t.equal(huge.status, 400, huge.body);
    t.equal(huge.json.type, PROBLEM + 'validation_failed');
    t.same((await api('GET', `/v1/invoices/${draftId}`)).json, r.json, 'the draft is unchanged');
  });

  await t.test('the draft renders with UTKAST and no number', async (t) => {
    const html = await api('GET', `/v1/invoices/${draftId}/html`);
    t.equal(html.status, 200);
    t.match(html.headers['content-type'], /^text\/html/);
    t.match(html.body, '<p class="status">UTKAST</p>');
    t.notMatch(html.body, 'Fakturanummer');
  });

  await t.test('finalise: number, OCR, dates, snapshots', async (t) => {
    w.clock.set(new Date('2026-11-25T10:00:00Z'));
    const r = await api('POST', `/v1/invoices/${draftId}/finalize`);
    t.equal(r.status, 200, r.body);
    t.equal(r.json.status, 'open');
    t.equal(r.json.number, 'F-1');
    // OCR sequence 1, padded to 4 digits, length digit 6, Luhn: 0001 6 → check digit 6.
    t.equal(r.json.ocr_reference, '000166');
    t.ok(isValidOcr(r.json.ocr_reference, { lengthDigit: true }), 'valid OCR with length digit');
    t.equal(r.json.ocr_reference.at(-2), String(r.json.ocr_reference.length % 10), 'length digit');
    t.equal(r.json.issue_date, '2026-11-25');
    // 2026-11-25 + 30 = 2026-12-25 (juldagen, Friday); 26 (annandag jul, Saturday), 27 Sunday → Monday 28.
    t.equal(r.json.due_date, '2026-12-28');
    t.equal(r.json.finalized_at, '2026-11-25T10:00:00.000Z');
    t.equal(r.json.amount_due, 349900, 'amounts unchanged by finalisation');
    t.equal(r.json.amount_remaining, 349900);
    t.same(r.json.seller, {
      name: 'Fjällräven Åkeri AB',
      address_lines: ['Storgatan 12', '831 30 Östersund'],
      vat_number: 'SE556677889901',
      organisation_number: '556677-8899',
      f_skatt: true,
      bankgiro: '5050-1055',
      swish_number: '1231181189',
    });
    t.same(r.json.buyer, { name: 'Åsa Öberg', address_lines: ['Kungsgatan 3', '111 43 Stockholm'], vat_number: null });

    const again = await api('POST', `/v1/invoices/${draftId}/finalize`);
    t.equal(again.status, 409);
    t.equal(again.json.type, PROBLEM + 'invalid_state');
    t.match(again.headers['content-type'], /^application\/problem\+json/);

    const lines = await api('PATCH', `/v1/invoices/${draftId}`, { lines: [{ description: 'x', unit_amount: 1 }] });
    t.equal(lines.status, 409);
    t.equal(lines.json.type, PROBLEM + 'invalid_state');
    for (const body of [{ memo: 'ny' }, { payment_terms_days: 10 }]) {
      const b = await api('PATCH', `/v1/invoices/${draftId}`, body);
      t.equal(b.status, 409, JSON.stringify(body));
    }
    const meta = await api('PATCH', `/v1/invoices/${draftId}`, { metadata: { crm: 'x1' } });
    t.equal(meta.status, 200);
    t.same(meta.json.metadata, { order: 'ö-17', crm: 'x1' }, 'merged');
    t.equal(meta.json.number, 'F-1');
    t.same(meta.json.lines, r.json.lines);
    const after = await api('GET', `/v1/invoices/${draftId}`);
    t.same({ ...after.json, metadata: null, updated_at: null }, { ...r.json, metadata: null, updated_at: null }, 'only metadata changed');
    const metaEvent = (await api('GET', `/v1/events?type=invoice.updated&object_id=${draftId}&limit=1`)).json.data[0];
    t.same(metaEvent.data.previous_attributes, { metadata: { order: 'ö-17' }, updated_at: '2026-11-25T10:00:00.000Z' }, 'the event says what changed (updated_at as finalised)');
    w.clock.advance(1000);
    const same = await api('PATCH', `/v1/invoices/${draftId}`, { metadata: { crm: 'x1' } });
    t.equal(same.status, 200);
    t.equal(same.json.updated_at, meta.json.updated_at, 'no change, no new updated_at');
    t.equal((await api('GET', `/v1/events?type=invoice.updated&object_id=${draftId}`)).json.data.length, 2, 'and no event');

    // The snapshot does not follow later changes to the customer or the merchant.
    t.equal((await api('PATCH', `/v1/customers/${anna.id}`, { name: 'Åsa Öberg-Lind' })).status, 200);
    t.equal((await api('PATCH', '/v1/merchant', { legal_name: 'Nytt Namn AB' })).status, 200);
    const snap = await api('GET', `/v1/invoices/${draftId}`);
    t.equal(snap.json.buyer.name, 'Åsa Öberg');
    t.equal(snap.json.seller.name, 'Fjällräven Åkeri AB');
    const html = await api('GET', `/v1/invoices/${draftId}/html`);
    t.match(html.body, 'Åsa Öberg<');
    t.notMatch(html.body, 'Nytt Namn AB');
    t.equal((await api('PATCH', '/v1/merchant', { legal_name: SELLER_SETTINGS.legal_name })).status, 200);
  });

  await t.test('HTML and PDF of the open invoice', async (t) => {
    const html = await api('GET', `/v1/invoices/${draftId}/html`);
    t.equal(html.status, 200);
    t.match(html.headers['content-type'], /^text\/html; charset=utf-8/);
    const b = html.body;
    t.match(b, '<html lang="sv">');
    t.match(b, '<h1>Faktura F-1</h1>');
    t.match(b, `<p class="pay-amount">${nb('3 499,00 kr')}</p>`);
    t.match(b, '<dt>OCR-nummer</dt><dd>000166</dd>');
    t.match(b, '<dt>Förfallodag</dt><dd>2026-12-28</dd>');
    t.match(b, '<dt>Fakturadatum</dt><dd>2026-11-25</dd>');
    t.match(b, '<dt>Bankgiro</dt><dd>5050-1055</dd>');
    t.match(b, '<p>Godkänd för F-skatt</p>');
    t.match(b, '<p>Org.nr 556677-8899</p>');
    t.match(b, '<p>Momsreg.nr SE556677889901</p>');
    t.match(b, 'Fjällräven Åkeri AB');
    t.match(b, 'Konsulttimmar, Östersund');
    t.match(b, `<th scope="row">Öresavrundning</th><td class="num">${nb('0,50 kr')}</td>`);
    t.match(b, `<tr><th scope="row">25${NBSP}%</th><td class="num">${nb('2 798,80 kr')}</td><td class="num">${nb('699,70 kr')}</td></tr>`);
    t.match(b, `<th scope="row">Summa att betala</th><td class="num">${nb('3 499,00 kr')}</td>`);
    t.match(b, 'Två timmar räckte', 'memo');
    t.match(b, '<strong>123 118 11 89</strong>', 'Swish');

    const pdf = await api('GET', `/v1/invoices/${draftId}/pdf`);
    t.equal(pdf.status, 200);
    t.equal(pdf.headers['content-type'], 'application/pdf');
    t.equal(pdf.headers['content-disposition'], 'inline; filename="F-1.pdf"');
    const raw = (await w.app.inject({ method: 'GET', url: `/v1/invoices/${draftId}/pdf`, headers: m.auth })).rawPayload;
    t.equal(raw.subarray(0, 5).toString('latin1'), '%PDF-');
    const text = await pdfText(raw);
    for (const s of ['Faktura F-1', '3 499,00 kr', 'OCR-nummer 000166', 'Förfallodag 2026-12-28', 'Godkänd för F-skatt', 'Fjällräven Åkeri AB', 'Åsa Öberg', 'Öresavrundning 0,50 kr']) {
      t.ok(text.includes(s), `PDF shows "${s}"`);
    }
  });

  await t.test('payments: partial, too much, the rest', async (t) => {
    const part = await api('POST', `/v1/invoices/${draftId}/pay`, { amount: 100000 });
    t.equal(part.status, 200, part.body);
    t.equal(part.json.status, 'partially_paid');
    t.equal(part.json.amount_paid, 100000);
    t.equal(part.json.amount_remaining, 249900, '3 499,00 − 1 000,00 = 2 499,00 kr');
    t.equal(part.json.paid_at, null);

    const html = await api('GET', `/v1/invoices/${draftId}/html`);
    t.match(html.body, `<p class="pay-amount">${nb('2 499,00 kr')}</p>`, 'the HTML asks for what is left');

    for (const amount of [249901, 0, -5]) {
      const bad = await api('POST', `/v1/invoices/${draftId}/pay`, { amount });
      t.equal(bad.status, 400, `amount ${amount}`);
      t.equal(bad.json.type, PROBLEM + 'validation_failed');
    }
    t.same((await api('GET', `/v1/invoices/${draftId}`)).json, part.json, 'a rejected payment changes nothing');

    const voidPartly = await api('POST', `/v1/invoices/${draftId}/void`);
    t.equal(voidPartly.status, 409, 'an invoice with payments cannot be voided');

    w.clock.advance(3_600_000);
    const rest = await api('POST', `/v1/invoices/${draftId}/pay`, {});
    t.equal(rest.status, 200);
    t.equal(rest.json.status, 'paid');
    t.equal(rest.json.amount_paid, 349900);
    t.equal(rest.json.amount_remaining, 0);
    t.equal(rest.json.paid_at, '2026-11-25T11:00:01.000Z');

    for (const action of ['void', 'pay', 'mark-uncollectible', 'finalize']) {
      const r = await api('POST', `/v1/invoices/${draftId}/${action}`, {});
      t.equal(r.status, 409, `${action} a paid invoice`);
      t.equal(r.json.type, PROBLEM + 'invalid_state');
    }
    const del = await api('DELETE', `/v1/invoices/${draftId}`);
    t.equal(del.status, 409, 'a paid invoice cannot be deleted');

    const types = (await eventsOf(draftId)).map((e) => e.type);
    t.same(types, [
      'invoice.created',
      'invoice.updated', // lines replaced
      'invoice.finalized',
      'invoice.updated', // metadata
      'invoice.partially_paid',
      'invoice.paid',
    ]);
    const fin = await api('GET', '/v1/events?type=invoice.finalized');
    t.equal(fin.json.data.length, 1);
    t.match(fin.json.data[0].data.object, { id: draftId, number: 'F-1', status: 'open', ocr_reference: '000166', amount_due: 349900 });
  });

  await t.test('void, uncollectible, delete', async (t) => {
    const line = { description: 'Tjänst', unit_amount: 10000 }; // 100,00 + 25 % = 125,00 kr
    const open = await api('POST', '/v1/invoices', { customer: anna.id, lines: [line], auto_finalize: true });
    t.equal(open.status, 201, open.body);
    t.equal(open.json.status, 'open', 'auto_finalize');
    t.equal(open.json.number, 'F-2');
    t.equal(open.json.amount_due, 12500);
    t.ok(isValidOcr(open.json.ocr_reference, { lengthDigit: true }));
    const types = (await eventsOf(open.json.id)).map((e) => e.type);
    t.same(types, ['invoice.created', 'invoice.finalized']);

    const voided = await api('POST', `/v1/invoices/${open.json.id}/void`);
    t.equal(voided.status, 200);
    t.equal(voided.json.status, 'void');
    t.equal(voided.json.number, 'F-2', 'keeps its number');
    t.equal(voided.json.amount_remaining, 0);
    t.equal(voided.json.voided_at, w.clock.now().toISOString());
    for (const action of ['void', 'pay', 'mark-uncollectible']) {
      t.equal((await api('POST', `/v1/invoices/${open.json.id}/${action}`, {})).status, 409, `${action} a void invoice`);
    }

    const bad = await api('POST', '/v1/invoices', { customer: anna.id, lines: [line], auto_finalize: true });
    const unc = await api('POST', `/v1/invoices/${bad.json.id}/mark-uncollectible`);
    t.equal(unc.status, 200);
    t.equal(unc.json.status, 'uncollectible');
    t.equal(unc.json.number, 'F-3');
    t.ok(unc.json.marked_uncollectible_at);
    t.equal(unc.json.amount_remaining, 12500, 'still owed');
    const late = await api('POST', `/v1/invoices/${bad.json.id}/pay`, { amount: 5000 });
    t.equal(late.status, 200, 'an uncollectible invoice can still be paid');
    t.equal(late.json.amount_remaining, 7500);

    const draft = await api('POST', '/v1/invoices', { customer: anna.id, lines: [line] });
    t.equal((await api('POST', `/v1/invoices/${draft.json.id}/void`)).status, 409, 'drafts are deleted, not voided');
    t.equal((await api('POST', `/v1/invoices/${draft.json.id}/pay`, {})).status, 409, 'drafts cannot be paid');
    t.equal((await api('POST', `/v1/invoices/${draft.json.id}/mark-uncollectible`)).status, 409);
    const del = await api('DELETE', `/v1/invoices/${draft.json.id}`);
    t.equal(del.status, 200);
    t.same(del.json, { id: draft.json.id, object: 'invoice', deleted: true });
    t.equal((await api('GET', `/v1/invoices/${draft.json.id}`)).status, 404);
    t.equal((await api('DELETE', `/v1/invoices/${draft.json.id}`)).status, 404);
    t.notOk((await listIds()).includes(draft.json.id));
    const delOpen = await api('DELETE', `/v1/invoices/${bad.json.id}`);
    t.equal(delOpen.status, 409);
    t.equal(delOpen.json.type, PROBLEM + 'invalid_state');
    t.equal((await api('GET', `/v1/invoices/${bad.json.id}`)).json.number, 'F-3', 'still there');

    // Numbering went on without gaps: the deleted draft never had a number.
    const next = await api('POST', '/v1/invoices', { customer: anna.id, lines: [line], auto_finalize: true });
    t.equal(next.json.number, 'F-4');
  });

  await t.test('zero and negative invoices', async (t) => {
    // 0,40 kr incl. VAT rounds to 0 kr: paid the moment it is finalised.
    const zero = await api('POST', '/v1/invoices', { customer: anna.id, lines: [{ description: 'Gratis prov', unit_amount: 40, tax_behavior: 'inclusive', vat_rate: 25 }] });
    t.equal(zero.json.total, 40);
    t.equal(zero.json.rounding, -40);
    t.equal(zero.json.amount_due, 0);
    const fin = await api('POST', `/v1/invoices/${zero.json.id}/finalize`);
    t.equal(fin.status, 200);
    t.equal(fin.json.status, 'paid');
    t.equal(fin.json.number, 'F-5');
    t.equal(fin.json.amount_remaining, 0);
    t.equal(fin.json.paid_at, fin.json.finalized_at);
    t.same((await eventsOf(zero.json.id)).map((e) => e.type), ['invoice.created', 'invoice.finalized', 'invoice.paid']);

    const before = await listIds();
    const negative = await api('POST', '/v1/invoices', { customer: anna.id, lines: [{ description: 'Rabatt', unit_amount: -10000 }], auto_finalize: true });
    t.equal(negative.status, 409, 'an invoice cannot ask for less than zero');
    t.equal(negative.json.type, PROBLEM + 'invalid_state');
    t.same(await listIds(), before, 'the failed auto-finalised draft was not kept either');
    const next = await api('POST', '/v1/invoices', { customer: anna.id, lines: [{ description: 'Tjänst', unit_amount: 100 }], auto_finalize: true });
    t.equal(next.json.number, 'F-6', 'the rejected finalisation took no number');
  });

  await t.test('bad input is rejected and nothing is created', async (t) => {
    const otherCustomer = await w.customer({ name: 'Inte din kund' }, other);
    const otherPrice = await w.oneTimePrice({ unit_amount: 100 }, other);
    const otherInvoice = await otherApi('POST', '/v1/invoices', { customer: otherCustomer.id, lines: [{ description: 'x', unit_amount: 100 }] });
    t.equal(otherInvoice.status, 201);
    const eur = await w.oneTimePrice({ unit_amount: 100, currency: 'EUR' });
    const line = { description: 'Tjänst', unit_amount: 10000 };
    const before = await listIds();
    const eventsBefore = (await api('GET', '/v1/events?type=invoice.created&limit=100')).json.data.length;
    const cases: Array<[string, object, number, string?]> = [
      ['unknown customer', { customer: 'cus_01KB2Y5M8Q0ZC3V1S7N4D6F9XA', lines: [line] }, 400, 'customer'],
      ["another merchant's customer", { customer: otherCustomer.id, lines: [line] }, 400, 'customer'],
      ['line without unit_amount', { customer: anna.id, lines: [{ description: 'Tjänst' }] }, 400, 'lines[0].unit_amount'],
      ['line without description', { customer: anna.id, lines: [{ unit_amount: 100 }] }, 400, 'lines[0].description'],
      ['VAT rate 20', { customer: anna.id, lines: [{ ...line, vat_rate: 20 }] }, 400, 'lines'],
      ['extra field', { customer: anna.id, lines: [line], colour: 'red' }, 400],
      ['extra field on a line', { customer: anna.id, lines: [{ ...line, discount: 5 }] }, 400],
      ['no lines', { customer: anna.id, lines: [] }, 400, 'lines'],
      ['quantity 0', { customer: anna.id, lines: [{ ...line, quantity: 0 }] }, 400, 'lines'],
      ['fractional amount', { customer: anna.id, lines: [{ ...line, unit_amount: 10.5 }] }, 400, 'lines'],
      ["another merchant's price", { customer: anna.id, lines: [{ price: otherPrice.id }] }, 400, 'lines[0].price'],
      ['price and unit_amount', { customer: anna.id, lines: [{ price: pro.id, unit_amount: 100 }] }, 400, 'lines[0]'],
      ['currencies mixed', { customer: anna.id, lines: [{ price: pro.id }, { price: eur.id }] }, 400, 'lines[1].price'],
      ['too large', { customer: anna.id, lines: [{ ...line, quantity: 1_000_000, unit_amount: 10_000_000_000 }] }, 400, 'lines'],
      ['bad terms', { customer: anna.id, lines: [line], payment_terms_days: 400 }, 400, 'payment_terms_days'],
      ['auto_finalize, unknown customer', { customer: 'cus_01KB2Y5M8Q0ZC3V1S7N4D6F9XA', lines: [line], auto_finalize: true }, 400, 'customer'],
    ];
    for (const [label, payload, status, field] of cases) {
      const r = await api('POST', '/v1/invoices', payload);
      t.equal(r.status, status, `${label}: ${r.body}`);
      t.match(r.headers['content-type'], /^application\/problem\+json/, label);
      t.equal(r.json.type, PROBLEM + 'validation_failed', label);
      if (field) t.ok(r.json.errors?.some((e: { field: string }) => e.field.startsWith(field)), `${label} names ${field}: ${JSON.stringify(r.json.errors)}`);
    }
    t.same(await listIds(), before, 'no invoice created');
    t.equal((await api('GET', '/v1/events?type=invoice.created&limit=100')).json.data.length, eventsBefore, 'no event recorded');

    // Other merchants' invoices do not exist for us, whatever we try.
    const theirs = otherInvoice.json.id;
    for (const [method, url] of [
      ['GET', `/v1/invoices/${theirs}`],
      ['PATCH', `/v1/invoices/${theirs}`],
      ['DELETE', `/v1/invoices/${theirs}`],
      ['POST', `/v1/invoices/${theirs}/finalize`],
      ['POST', `/v1/invoices/${theirs}/pay`],
      ['POST', `/v1/invoices/${theirs}/void`],
      ['GET', `/v1/invoices/${theirs}/html`],
      ['GET', `/v1/invoices/${theirs}/pdf`],
    ] as const) {
      const r = await api(method, url, method === 'PATCH' ? { metadata: { x: 'y' } } : method === 'POST' ? {} : undefined);
      t.equal(r.status, 404, `${method} ${url}`);
      t.equal(r.json.type, PROBLEM + 'not_found');
    }
    const still = await otherApi('GET', `/v1/invoices/${theirs}`);
    t.equal(still.json.status, 'draft');
    t.same(still.json.metadata, {});
    // …and ours do not exist for them.
    t.equal((await otherApi('GET', `/v1/invoices/${draftId}`)).status, 404);
    t.same((await otherApi('GET', '/v1/invoices')).json.data.map((i: { id: string }) => i.id), [theirs]);
    t.equal((await otherApi('GET', `/v1/events?object_id=${draftId}`)).json.data.length, 0, 'nor their events');
    // A customer filter for someone else's customer finds nothing.
    t.same((await api('GET', `/v1/invoices?customer=${otherCustomer.id}`)).json.data, []);
    const bogusId = await api('GET', '/v1/invoices/in_nope');
    t.equal(bogusId.status, 400, 'malformed id');
  });

  await t.test('reverse charge and English documents', async (t) => {
    const gmbh = await w.customer({
      name: 'Müller Logistik GmbH',
      type: 'company',
      national_id: null,
      vat_number: 'DE123456789',
      address: { line1: 'Hauptstraße 5', postal_code: '10115', city: 'Berlin', country: 'DE' },
      locale: 'en',
    });
    const r = await api('POST', '/v1/invoices', {
      customer: gmbh.id,
      lines: [
        { description: 'Consulting', quantity: 4, unit_amount: 125000, vat_rate: 25 },
        { description: 'Travel', unit_amount: 8950, vat_rate: 12 },
      ],
      auto_finalize: true,
    });
    t.equal(r.status, 201, r.body);
    // No Swedish VAT: 4 × 1 250,00 + 89,50 = 5 089,50 → rounded +0,50 → 5 090,00 kr.
    t.equal(r.json.reverse_charge, true);
    t.equal(r.json.vat_total, 0);
    t.ok(r.json.lines.every((l: { vat: number; vat_rate: number }) => l.vat === 0 && l.vat_rate === 0));
    t.same(r.json.vat_breakdown, [{ vat_rate: 0, net: 508950, vat: 0 }]);
    t.equal(r.json.total, 508950);
    t.equal(r.json.amount_due, 509000);
    t.equal(r.json.locale, 'en');
    t.same(r.json.buyer, { name: 'Müller Logistik GmbH', address_lines: ['Hauptstraße 5', '10115 Berlin', 'DE'], vat_number: 'DE123456789' });
    const html = (await api('GET', `/v1/invoices/${r.json.id}/html`)).body;
    t.match(html, '<html lang="en">');
    t.match(html, `<h1>Invoice ${r.json.number}</h1>`);
    t.match(html, '<p class="notice">Reverse charge</p>');
    t.match(html, `<p class="pay-amount">SEK${NBSP}5,090.00</p>`);
    t.match(html, '<dt>Due date</dt><dd>28 Dec 2026</dd>');
    t.match(html, '<p>Approved for F-tax</p>');
    t.match(html, 'Müller Logistik GmbH');
    t.notMatch(html, 'Förfallodag');

    // The buyer's status at finalisation decides. A Swedish draft for a buyer who then registers
    // abroad is finalised with reverse charge…
    const movesAbroad = await w.customer({ name: 'Flyttar AB', type: 'company', national_id: '556036-0793' });
    const toDe = await api('POST', '/v1/invoices', { customer: movesAbroad.id, lines: [{ description: 'Consulting', unit_amount: 125000 }] });
    t.equal(toDe.json.vat_total, 31250, 'draft with Swedish VAT');
    const moved = await api('PATCH', `/v1/customers/${movesAbroad.id}`, {
      vat_number: 'DE123456789',
      address: { line1: 'Hauptstraße 5', postal_code: '10115', city: 'Berlin', country: 'DE' },
    });
    t.equal(moved.status, 200, moved.body);
    const deFinal = await api('POST', `/v1/invoices/${toDe.json.id}/finalize`);
    t.equal(deFinal.status, 200);
    t.equal(deFinal.json.reverse_charge, true);
    t.equal(deFinal.json.vat_total, 0);
    t.equal(deFinal.json.amount_due, 125000);
    // …and a reverse-charge draft for a buyer who is now Swedish is not finalised without VAT: its
    // lines were stored at 0 %, so they have to be given again.
    const comesHome = await w.customer({
      name: 'Heimkehr GmbH',
      type: 'company',
      national_id: null,
      vat_number: 'DE123456789',
      address: { line1: 'Hauptstraße 5', postal_code: '10115', city: 'Berlin', country: 'DE' },
    });
    const rc = await api('POST', '/v1/invoices', { customer: comesHome.id, lines: [{ description: 'Consulting', unit_amount: 125000, vat_rate: 25 }] });
    t.equal(rc.json.reverse_charge, true);
    t.equal(rc.json.vat_total, 0);
    t.equal(
      (await api('PATCH', `/v1/customers/${comesHome.id}`, { vat_number: null, address: { line1: 'Storgatan 1', postal_code: '11451', city: 'Stockholm' } })).status,
      200,
    );
    const refused = await api('POST', `/v1/invoices/${rc.json.id}/finalize`);
    t.equal(refused.status, 409, 'not finalised as a Swedish invoice without VAT');
    t.equal(refused.json.type, PROBLEM + 'invalid_state');
    t.equal((await api('GET', `/v1/invoices/${rc.json.id}`)).json.status, 'draft');
    const relined = await api('PATCH', `/v1/invoices/${rc.json.id}`, { lines: [{ description: 'Consulting', unit_amount: 125000, vat_rate: 25 }] });
    t.equal(relined.status, 200);
    t.equal(relined.json.reverse_charge, false, 'new lines are taxed as the buyer is now');
    t.equal(relined.json.vat_total, 31250);
    const seFinal = await api('POST', `/v1/invoices/${rc.json.id}/finalize`);
    t.equal(seFinal.status, 200);
    t.equal(seFinal.json.reverse_charge, false);
    t.equal(seFinal.json.vat_total, 31250, '1 250,00 kr + 25 % = 1 562,50 kr');
    t.equal(seFinal.json.amount_due, 156300, 'rounded up to 1 563,00 kr');

    // A Swedish company (SE VAT number) pays Swedish VAT.
    const ab = await w.customer({ name: 'Bäckström AB', type: 'company', national_id: '556036-0793', vat_number: 'SE556036079301' });
    const se = await api('POST', '/v1/invoices', { customer: ab.id, lines: [{ description: 'Consulting', unit_amount: 125000 }] });
    t.equal(se.json.reverse_charge, false);
    t.equal(se.json.vat_total, 31250);
  });

  await t.test('lists and filters', async (t) => {
    const all = await api('GET', '/v1/invoices?limit=100');
    t.ok(all.json.data.length >= 8);
    const open = await api('GET', '/v1/invoices?status=open&limit=100');
    t.ok(open.json.data.length > 0);
    t.ok(open.json.data.every((i: { status: string }) => i.status === 'open'));
    const ofAnna = await api('GET', `/v1/invoices?customer=${anna.id}&limit=100`);
    t.ok(ofAnna.json.data.every((i: { customer: string }) => i.customer === anna.id));
    const ids = all.json.data.map((i: { id: string }) => i.id);
    t.same([...ids].sort().reverse(), ids, 'newest first');
  });
});

t.test('an archived price cannot go on a new invoice', async (t) => {
  const w = await billingWorld(t);
  const cus = await w.customer();
  const price = await w.oneTimePrice({ unit_amount: 10000 });
  await w.must(w.api('PATCH', `/v1/prices/${price.id}`, { active: false }), 200, 'archive price');
  const r = await w.api('POST', '/v1/invoices', { customer: cus.id, lines: [{ price: price.id }] });
  t.equal(r.status, 400);
  t.equal(r.json.errors[0].field, 'lines[0].price');
  t.equal((await w.api('GET', `/v1/invoices?customer=${cus.id}`)).json.data.length, 0, 'nothing created');
});
