// Credit notes (kreditfakturor) through the HTTP API: full and partial credits, their own number
// series, what they do to the invoice, what cannot be credited, lists and events.
import t from 'tap';
import { billingWorld, pdfText, PROBLEM } from './world.ts';

t.test('credit notes', async (t) => {
  const w = await billingWorld(t);
  const { api } = w;
  const anna = await w.customer();

  // 25 %: 3 × 1 249,90 = 3 749,70 kr, VAT 937,425 → 937,43 kr.
  // 12 %: 2 × 89,50 = 179,00 kr, VAT 21,48 kr.
  // Subtotal 3 928,70 + VAT 958,91 = 4 887,61 → öresavrundning +0,39 → 4 888,00 kr.
  const lines = [
    { description: 'Konsulttimmar', quantity: 3, unit_amount: 124990, vat_rate: 25 },
    { description: 'Lunch på Ågården', quantity: 2, unit_amount: 8950, vat_rate: 12 },
  ];
  const openInvoice = async (body: Record<string, unknown> = {}) => {
    const r = await api('POST', '/v1/invoices', { customer: anna.id, lines, auto_finalize: true, ...body });
    if (r.status !== 201) throw new Error(r.body);
    return r.json;
  };
  const get = async (id: string) => (await api('GET', `/v1/invoices/${id}`)).json;
  const notesOf = async (invoiceId: string) => (await api('GET', `/v1/credit-notes?invoice=${invoiceId}&limit=100`)).json.data as any[];

  await t.test('full credit of an open invoice settles it', async (t) => {
    const inv = await openInvoice();
    t.equal(inv.number, 'F-1');
    t.equal(inv.total, 488761);
    t.equal(inv.amount_due, 488800);
    w.clock.advance(60_000);
    const r = await api('POST', '/v1/credit-notes', { invoice: inv.id, reason: 'duplicate', memo: 'Dubbelfakturerad', metadata: { ärende: '42' } });
    t.equal(r.status, 201, r.body);
    t.match(r.json.id, /^cn_[0-9A-Z]{26}$/);
    t.match(r.json, {
      object: 'credit_note',
      livemode: false,
      invoice: inv.id,
      customer: anna.id,
      status: 'issued',
      number: 'F-K1',
      currency: 'SEK',
      issue_date: '2026-11-25',
      reason: 'duplicate',
      memo: 'Dubbelfakturerad',
      metadata: { ärende: '42' },
      created_at: '2026-11-25T09:01:00.000Z',
    });
    t.same(
      r.json.lines.map((l: any) => [l.invoice_line_no, l.description, l.quantity, l.unit_amount, l.vat_rate, l.net, l.vat, l.amount]),
      [
        [1, 'Konsulttimmar', 3, 124990, 25, 374970, 93743, 468713],
        [2, 'Lunch på Ågården', 2, 8950, 12, 17900, 2148, 20048],
      ],
      'the invoice lines, repeated',
    );
    t.same(r.json.vat_breakdown, inv.vat_breakdown, 'VAT per rate exactly as on the invoice');
    t.equal(r.json.subtotal, inv.subtotal);
    t.equal(r.json.vat_total, inv.vat_total);
    t.equal(r.json.total, 488761);
    t.equal(r.json.rounding, 39);
    t.equal(r.json.amount, inv.amount_due, 'credits what the invoice asked for');

    const after = await get(inv.id);
    t.equal(after.status, 'paid', 'credited to nothing: settled');
    t.equal(after.amount_credited, 488800);
    t.equal(after.amount_remaining, 0);
    t.equal(after.amount_paid, 0, 'no money was paid');
    t.equal(after.paid_at, '2026-11-25T09:01:00.000Z');
    t.equal(after.number, 'F-1');

    const again = await api('POST', '/v1/credit-notes', { invoice: inv.id });
    t.equal(again.status, 409, 'nothing left to credit');
    t.equal(again.json.type, PROBLEM + 'invalid_state');
    const one = await api('POST', '/v1/credit-notes', { invoice: inv.id, lines: [{ line_no: 1, quantity: 1 }] });
    t.equal(one.status, 400, 'no line has quantity left');

    const fetched = await api('GET', `/v1/credit-notes/${r.json.id}`);
    t.equal(fetched.status, 200);
    t.same(fetched.json, r.json);

    const created = (await api('GET', `/v1/events?type=credit_note.created&object_id=${r.json.id}`)).json.data;
    t.equal(created.length, 1);
    t.same(created[0].data.object, r.json);
    const credited = (await api('GET', `/v1/events?type=invoice.credited&object_id=${inv.id}`)).json.data;
    t.equal(credited.length, 1);
    t.match(credited[0].data.object, { id: inv.id, status: 'paid', amount_credited: 488800, amount_remaining: 0 });
    t.same(credited[0].data.previous_attributes, { amount_credited: 0, amount_remaining: 488800, status: 'open' });
  });

  let partialId = '';
  await t.test('partial credit by line and quantity', async (t) => {
    const inv = await openInvoice();
    partialId = inv.id;
    t.equal(inv.number, 'F-2');
    // One hour: 1 249,90 + 25 % (312,475 → 312,48) = 1 562,38 → 1 562,00 kr.
    const r = await api('POST', '/v1/credit-notes', { invoice: inv.id, lines: [{ line_no: 1, quantity: 1 }], reason: 'order_change' });
    t.equal(r.status, 201, r.body);
    t.equal(r.json.number, 'F-K2', 'the credit note series continues');
    t.same(r.json.lines.map((l: any) => [l.invoice_line_no, l.quantity, l.net, l.vat, l.amount]), [[1, 1, 124990, 31248, 156238]]);
    t.same(r.json.vat_breakdown, [{ vat_rate: 25, net: 124990, vat: 31248 }]);
    t.equal(r.json.total, 156238);
    t.equal(r.json.rounding, -38);
    t.equal(r.json.amount, 156200);
    const after = await get(inv.id);
    t.equal(after.status, 'open');
    t.equal(after.amount_credited, 156200);
    t.equal(after.amount_remaining, 332600, '4 888,00 − 1 562,00 = 3 326,00 kr');

    // Only 2 hours are left on line 1; line 3 does not exist.
    const before = await notesOf(inv.id);
    for (const [label, body] of [
      ['3 of the 2 hours left on line 1', { invoice: inv.id, lines: [{ line_no: 1, quantity: 3 }] }],
      ['3 of the 2 hours left on line 2', { invoice: inv.id, lines: [{ line_no: 1, quantity: 1 }, { line_no: 2, quantity: 3 }] }],
      ['2 + 1 of line 1 in one note', { invoice: inv.id, lines: [{ line_no: 1, quantity: 2 }, { line_no: 1, quantity: 1 }] }],
      ['2 + 2 of line 1 in one note', { invoice: inv.id, lines: [{ line_no: 1, quantity: 2 }, { line_no: 1, quantity: 2 }] }],
      ['line 1 twice, defaults', { invoice: inv.id, lines: [{ line_no: 1 }, { line_no: 1 }] }],
      ['no line 3', { invoice: inv.id, lines: [{ line_no: 3 }] }],
      ['quantity 0', { invoice: inv.id, lines: [{ line_no: 1, quantity: 0 }] }],
      ['unknown field', { invoice: inv.id, total: 100 }],
      ['bad reason', { invoice: inv.id, reason: 'because' }],
      ['unknown invoice', { invoice: 'in_01KB2Y5M8Q0ZC3V1S7N4D6F9XA' }],
    ] as const) {
      const bad = await api('POST', '/v1/credit-notes', body);
      t.equal(bad.status, 400, `${label}: ${bad.body}`);
      t.equal(bad.json.type, PROBLEM + 'validation_failed', label);
    }
    t.same(await notesOf(inv.id), before, 'no credit note issued');
    t.same(await get(inv.id), after, 'the invoice is unchanged');

    // The rest: 2 hours (2 499,80 + 624,95) and the lunches (179,00 + 21,48) = 3 325,23 kr. Rounded on
    // its own that is 3 325,00, but as the last of the invoice's lines it takes exactly the 3 326,00 left.
    const rest = await api('POST', '/v1/credit-notes', { invoice: inv.id, lines: [{ line_no: 1, quantity: 2 }, { line_no: 2 }] });
    t.equal(rest.status, 201, rest.body);
    t.equal(rest.json.number, 'F-K3');
    t.equal(rest.json.total, 332523);
    t.equal(rest.json.amount, 332600);
    t.equal(rest.json.rounding, 77);
    t.same(rest.json.lines.map((l: any) => [l.invoice_line_no, l.quantity]), [[1, 2], [2, 2]]);
    const settled = await get(inv.id);
    t.equal(settled.amount_credited, 488800, 'credited in full, to the öre');
    t.equal(settled.amount_remaining, 0);
    t.equal(settled.status, 'paid');

    const listed = await notesOf(inv.id);
    t.same(listed.map((c) => c.number), ['F-K3', 'F-K2'], 'list by invoice, newest first');
    t.equal(listed.reduce((s, c) => s + c.amount, 0), inv.amount_due);
  });

  await t.test('credit after a partial payment', async (t) => {
    // 10 × 100,00 kr + 25 % = 1 250,00 kr.
    const inv = await openInvoice({ lines: [{ description: 'Städtimmar', quantity: 10, unit_amount: 10000 }] });
    t.equal(inv.amount_due, 125000);
    const paid = await api('POST', `/v1/invoices/${inv.id}/pay`, { amount: 50000 });
    t.equal(paid.json.status, 'partially_paid');
    const r = await api('POST', '/v1/credit-notes', { invoice: inv.id, lines: [{ line_no: 1, quantity: 4 }] });
    t.equal(r.status, 201);
    t.equal(r.json.amount, 50000, '4 × 125,00 kr');
    const after = await get(inv.id);
    t.equal(after.status, 'partially_paid');
    t.equal(after.amount_remaining, 25000, '1 250 − 500 paid − 500 credited = 250,00 kr');
    const over = await api('POST', `/v1/invoices/${inv.id}/pay`, { amount: 25001 });
    t.equal(over.status, 400, 'cannot pay more than is left after the credit');
    const rest = await api('POST', `/v1/invoices/${inv.id}/pay`, {});
    t.equal(rest.json.status, 'paid');
    t.equal(rest.json.amount_paid, 75000);
    // A paid invoice can still be credited (the money goes back outside Omtanke).
    const refund = await api('POST', '/v1/credit-notes', { invoice: inv.id, lines: [{ line_no: 1, quantity: 1 }] });
    t.equal(refund.status, 201);
    t.equal(refund.json.amount, 12500);
    const done = await get(inv.id);
    t.equal(done.status, 'paid');
    t.equal(done.amount_remaining, 0);
    t.equal(done.amount_credited, 62500);
  });

  await t.test('drafts, void invoices and other merchants cannot be credited', async (t) => {
    const notesBefore = (await api('GET', '/v1/credit-notes?limit=100')).json.data.length;
    const draft = await api('POST', '/v1/invoices', { customer: anna.id, lines });
    const d = await api('POST', '/v1/credit-notes', { invoice: draft.json.id });
    t.equal(d.status, 409, 'a draft');
    t.equal(d.json.type, PROBLEM + 'invalid_state');
    t.match(d.headers['content-type'], /^application\/problem\+json/);
    const dl = await api('POST', '/v1/credit-notes', { invoice: draft.json.id, lines: [{ line_no: 1, quantity: 1 }] });
    t.equal(dl.status, 409, 'a draft, by line');

    const inv = await openInvoice();
    t.equal((await api('POST', `/v1/invoices/${inv.id}/void`)).status, 200);
    const v = await api('POST', '/v1/credit-notes', { invoice: inv.id });
    t.equal(v.status, 409, 'a void invoice');
    t.equal(v.json.type, PROBLEM + 'invalid_state');
    t.equal((await get(inv.id)).amount_credited, 0);

    const other = await w.seller('Annan Firma AB');
    const theirs = await w.apiFor(other)('POST', '/v1/credit-notes', { invoice: partialId });
    t.equal(theirs.status, 400, "another merchant's invoice does not exist for them");
    t.equal(theirs.json.errors[0].field, 'invoice');
    t.same((await w.apiFor(other)('GET', '/v1/credit-notes')).json.data, []);
    const ours = (await notesOf(partialId))[0];
    t.equal((await w.apiFor(other)('GET', `/v1/credit-notes/${ours.id}`)).status, 404);
    t.same((await w.apiFor(other)('GET', `/v1/credit-notes?invoice=${partialId}`)).json.data, []);

    t.equal((await api('GET', '/v1/credit-notes?limit=100')).json.data.length, notesBefore, 'nothing issued');
    // Failed attempts took no number.
    const next = await api('POST', '/v1/credit-notes', { invoice: (await openInvoice()).id });
    t.equal(next.json.number, 'F-K6');
    t.equal((await api('GET', '/v1/credit-notes/cn_01KB2Y5M8Q0ZC3V1S7N4D6F9XA')).status, 404);
  });
});

t.test('a credit note renders as HTML and PDF', async (t) => {
  const w = await billingWorld(t);
  const anna = await w.customer();
  const inv = await w.must(w.api('POST', '/v1/invoices', { customer: anna.id, lines: [{ description: 'Städning', quantity: 2, unit_amount: 50000, vat_rate: 25 }], auto_finalize: true }), 201, 'invoice');
  const cn = await w.must(w.api('POST', '/v1/credit-notes', { invoice: inv.id, lines: [{ line_no: 1, quantity: 1 }] }), 201, 'credit note');
  const html = await w.api('GET', `/v1/credit-notes/${cn.id}/html`);
  t.equal(html.status, 200);
  t.match(html.headers['content-type'], /text\/html/);
  for (const text of ['Kreditfaktura', cn.number, inv.number, 'Städning', '625,00']) t.ok(html.body.includes(text), `html has ${text}`);
  const pdf = await w.app.inject({ method: 'GET', url: `/v1/credit-notes/${cn.id}/pdf`, headers: w.m.auth });
  t.equal(pdf.statusCode, 200);
  t.equal(pdf.headers['content-type'], 'application/pdf');
  const text = await pdfText(pdf.rawPayload);
  for (const s of ['Kreditfaktura', cn.number, inv.number, 'Städning']) t.ok(text.includes(s), `pdf has ${s}`);
  t.equal((await w.api('GET', '/v1/credit-notes/cn_00000000000000000000000000/pdf')).status, 404);
});

t.test('a credit of an amount is split over the invoice’s VAT rates', async (t) => {
  const w = await billingWorld(t);
  const anna = await w.customer();
  // 25 %: 800 kr net → 1 000 kr; 12 %: 250 kr net → 280 kr. Total 1 280 kr.
  const inv = await w.must(
    w.api('POST', '/v1/invoices', {
      customer: anna.id,
      lines: [
        { description: 'Tjänst', quantity: 1, unit_amount: 80000, vat_rate: 25 },
        { description: 'Mat', quantity: 1, unit_amount: 25000, vat_rate: 12 },
      ],
      auto_finalize: true,
    }),
    201,
    'invoice',
  );
  t.equal(inv.amount_due, 128000);
  for (const body of [{ invoice: inv.id, amount: 128001 }, { invoice: inv.id, amount: 100, lines: [{ line_no: 1 }] }, { invoice: inv.id, amount: 0 }]) {
    const bad = await w.api('POST', '/v1/credit-notes', body);
    t.equal(bad.status, 400, JSON.stringify(body));
  }
  // 640 kr: 500 kr of it at 25 % (1 000/1 280), 140 kr at 12 %.
  const cn = await w.api('POST', '/v1/credit-notes', { invoice: inv.id, amount: 64000, reason: 'product_unsatisfactory' });
  t.equal(cn.status, 201, cn.body);
  t.match(cn.json, { amount: 64000, total: 64000, rounding: 0 });
  t.same(cn.json.vat_breakdown, [
    { vat_rate: 25, net: 40000, vat: 10000 },
    { vat_rate: 12, net: 12500, vat: 1500 },
  ]);
  t.match((await w.api('GET', `/v1/invoices/${inv.id}`)).json, { amount_credited: 64000, amount_remaining: 64000, status: 'open' });
  const rest = await w.api('POST', '/v1/credit-notes', { invoice: inv.id, amount: 64000 });
  t.equal(rest.status, 201);
  t.match((await w.api('GET', `/v1/invoices/${inv.id}`)).json, { amount_remaining: 0, status: 'paid' });
});
