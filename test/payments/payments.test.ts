// Payments on real PostgreSQL: every matching rule, partial and over-payments with the credit used
// on the next invoice, the unmatched queue, refunds, and nothing matched twice under concurrency.
import t from 'tap';
import { sql } from 'drizzle-orm';
import { billingWorld, invoicesOf, runBilling, type BillingWorld } from '../billing/world.ts';
import { call } from '../helpers/app.ts';
import { makeRfReference } from '../../src/domain/rf-reference.ts';

async function invoice(w: BillingWorld, customer: string, amount = 19900): Promise<any> {
  return w.must(
    w.api('POST', '/v1/invoices', { customer, auto_finalize: true, lines: [{ description: 'Tjänst', unit_amount: amount, tax_behavior: 'inclusive', vat_rate: 25 }] }),
    201,
    'invoice',
  );
}
const pay = (w: BillingWorld, body: Record<string, unknown>) => w.api('POST', '/v1/payments', body);
const get = async (w: BillingWorld, url: string) => (await w.api('GET', url)).json;
const eventsOf = async (w: BillingWorld, objectId: string) => (await get(w, `/v1/events?object_id=${objectId}&limit=100`)).data.map((e: any) => e.type).sort();

t.test('OCR reference: the invoice is paid, with payment.received and invoice.paid', async (t) => {
  const w = await billingWorld(t);
  const cus = await w.customer();
  const inv = await invoice(w, cus.id);
  const r = await pay(w, { amount: 19900, method: 'bankgiro', reference: inv.ocr_reference, payer: { name: 'Åsa Öberg' } });
  t.equal(r.status, 201, r.body);
  t.match(r.json, { object: 'payment', status: 'matched', matched_by: 'ocr', invoice: inv.id, customer: cus.id, amount_applied: 19900, amount_credited: 0, amount_unapplied: 0, date: '2026-11-25' });
  t.match(await get(w, `/v1/invoices/${inv.id}`), { status: 'paid', amount_paid: 19900, amount_remaining: 0 });
  t.same(await eventsOf(w, r.json.id), ['payment.received']);
  t.ok((await eventsOf(w, inv.id)).includes('invoice.paid'));
  t.same((await get(w, `/v1/payments/${r.json.id}`)).id, r.json.id);
  // Spaces in the reference are forgiven; a second payment with the same OCR is the customer's credit.
  const again = await pay(w, { amount: 1000, reference: ` ${inv.ocr_reference.slice(0, 3)} ${inv.ocr_reference.slice(3)} ` });
  t.match(again.json, { status: 'matched', matched_by: 'ocr', amount_applied: 0, amount_credited: 1000 });
  t.match(await get(w, `/v1/customers/${cus.id}`), { balance: 1000, balance_currency: 'SEK' });
});

t.test('RF reference (ISO 11649 form of the OCR) matches the same invoice', async (t) => {
  const w = await billingWorld(t);
  const cus = await w.customer();
  const inv = await invoice(w, cus.id);
  const rf = makeRfReference(inv.ocr_reference);
  const r = await pay(w, { amount: 5000, reference: rf.replace(/(.{4})/g, '$1 ') });
  t.match(r.json, { status: 'matched', matched_by: 'rf', invoice: inv.id, amount_applied: 5000 });
  t.match(await get(w, `/v1/invoices/${inv.id}`), { status: 'partially_paid', amount_paid: 5000, amount_remaining: 14900 });
  // A wrong check digit is no reference at all.
  const bad = await pay(w, { amount: 5000, reference: rf.slice(0, 2) + (rf[2] === '9' ? '0' : String(Number(rf[2]) + 1)) + rf.slice(3) });
  t.match(bad.json, { status: 'unmatched', invoice: null, customer: null, amount_unapplied: 5000 });
});

t.test('amount + payer: exactly one fit matches; two fits or none wait unmatched', async (t) => {
  const w = await billingWorld(t);
  const cus = await w.customer({ national_id: '19811218-9876' });
  const inv = await invoice(w, cus.id, 19900);
  await invoice(w, cus.id, 29900);
  const r = await pay(w, { amount: 19900, payer: { name: 'Å Öberg', national_id: '811218-9876' } });
  t.match(r.json, { status: 'matched', matched_by: 'amount_and_payer', invoice: inv.id, customer: cus.id, payer: { national_id: '********9876' } });
  t.notOk(r.body.includes('19811218'), 'the national id never leaves in full');
  // Two invoices of 39 900: which one is meant is the merchant's call.
  await invoice(w, cus.id, 39900);
  await invoice(w, cus.id, 39900);
  t.match((await pay(w, { amount: 39900, payer: { national_id: '19811218-9876' } })).json, { status: 'unmatched', amount_unapplied: 39900, customer: null });
  // None of 12 300.
  const none = await pay(w, { amount: 12300, payer: { national_id: '19811218-9876' } });
  t.match(none.json, { status: 'unmatched' });
  t.ok((await eventsOf(w, none.json.id)).includes('payment.unmatched'));
  // A customer named in the request: its one fit, else its credit.
  t.match((await pay(w, { amount: 29900, customer: cus.id })).json, { status: 'matched', matched_by: 'customer', amount_applied: 29900 });
  t.match((await pay(w, { amount: 700, customer: cus.id })).json, { status: 'matched', matched_by: 'customer', amount_applied: 0, amount_credited: 700, invoice: null });
  // Bad input: 400 naming the field, nothing recorded.
  const before = (await get(w, '/v1/payments?limit=100')).data.length;
  for (const [body, field] of [
    [{ amount: 100, payer: { national_id: '19811218-9877' } }, 'payer.national_id'],
    [{ amount: 100, invoice: 'in_01KB2Y5M8Q0ZC3V1S7N4D6F9XA' }, 'invoice'],
    [{ amount: 100, customer: 'cus_01KB2Y5M8Q0ZC3V1S7N4D6F9XA' }, 'customer'],
    [{ amount: 100, invoice: inv.id, currency: 'EUR' }, 'invoice'],
    [{ amount: 0 }, 'amount'],
    [{ amount: 100, method: 'barter' }, 'method'],
    // Found by the fuzz test: the format check passes year 0, which PostgreSQL refuses (was a 500).
    [{ amount: 100, date: '0000-01-01' }, 'date'],
    [{ amount: 100, date: '1969-12-31' }, 'date'],
    [{ amount: 100, date: '2026-02-30' }, 'date'],
  ] as const) {
    const res = await pay(w, body);
    t.equal(res.status, 400, `${field}: ${res.body}`);
    t.ok(res.json.errors.some((e: any) => e.field === field), `names ${field}`);
  }
  t.equal((await get(w, '/v1/payments?limit=100')).data.length, before, 'nothing recorded');
});

t.test('partial and over-payments; the credit pays the next invoice, one-off and subscription', async (t) => {
  const w = await billingWorld(t);
  const cus = await w.customer();
  const inv = await invoice(w, cus.id, 10000);
  t.match((await pay(w, { amount: 4000, invoice: inv.id })).json, { amount_applied: 4000 });
  t.match(await get(w, `/v1/invoices/${inv.id}`), { status: 'partially_paid', amount_remaining: 6000 });
  const over = (await pay(w, { amount: 10000, invoice: inv.id })).json;
  t.match(over, { status: 'matched', amount_applied: 6000, amount_credited: 4000 });
  t.match(await get(w, `/v1/invoices/${inv.id}`), { status: 'paid', amount_remaining: 0, amount_paid: 10000 });
  t.match(await get(w, `/v1/customers/${cus.id}`), { balance: 4000 });
  const txns = (await get(w, `/v1/customers/${cus.id}/balance-transactions`)).data;
  t.match(txns, [{ object: 'customer_balance_transaction', type: 'overpayment', amount: 4000, ending_balance: 4000, payment: over.id, invoice: inv.id }]);

  // The next one-off invoice: 3 000 of it from the credit... no: all 4 000 of the credit on 19 900.
  const next = await invoice(w, cus.id, 19900);
  t.match(next, { status: 'open', amount_due: 19900, amount_from_balance: 4000, amount_remaining: 15900 });
  t.match(await get(w, `/v1/customers/${cus.id}`), { balance: 0 });
  // Credit that covers a whole invoice pays it at once.
  await pay(w, { amount: 50000, customer: cus.id });
  const covered = await invoice(w, cus.id, 19900);
  t.match(covered, { status: 'paid', amount_from_balance: 19900, amount_remaining: 0 });
  t.match(await get(w, `/v1/customers/${cus.id}`), { balance: 30100 });
  t.ok((await eventsOf(w, covered.id)).includes('invoice.paid'));

  // A subscription: its first invoice and its next period's, billed by a run, use the credit.
  const price = await w.monthlyPrice({ unit_amount: 19900, tax_behavior: 'inclusive' });
  const sub = (await w.api('POST', '/v1/subscriptions', { customer: cus.id, items: [{ price: price.id }] })).json;
  const [first] = await invoicesOf(w.api, sub.id);
  t.match(first, { status: 'paid', amount_from_balance: 19900, amount_remaining: 0 });
  w.clock.set('2026-12-25T09:00:00Z');
  await runBilling(w.api);
  const [, second] = await invoicesOf(w.api, sub.id);
  t.match(second, { status: 'open', amount_from_balance: 10200, amount_remaining: 9700, number: 'F-5' });
  t.match(await get(w, `/v1/customers/${cus.id}`), { balance: 0 });
  const ledger = (await get(w, `/v1/customers/${cus.id}/balance-transactions?limit=100`)).data.reverse();
  t.same(
    ledger.map((e: any) => [e.type, e.amount, e.ending_balance]),
    [['overpayment', 4000, 4000], ['applied_to_invoice', -4000, 0], ['overpayment', 50000, 50000], ['applied_to_invoice', -19900, 30100], ['applied_to_invoice', -19900, 10200], ['applied_to_invoice', -10200, 0]],
  );
});

t.test('unmatched queue: list, assign to an invoice or to credit, never twice', async (t) => {
  const w = await billingWorld(t);
  const cus = await w.customer();
  const inv = await invoice(w, cus.id, 10000);
  const a = (await pay(w, { amount: 12000, reference: 'okänd' })).json;
  const b = (await pay(w, { amount: 3000 })).json;
  const queue = (await get(w, '/v1/payments?status=unmatched')).data.map((p: any) => p.id);
  t.same(queue, [b.id, a.id]);
  const assigned = await w.api('POST', `/v1/payments/${a.id}/assign`, { invoice: inv.id });
  t.equal(assigned.status, 200, assigned.body);
  t.match(assigned.json, { status: 'matched', matched_by: 'manual', invoice: inv.id, customer: cus.id, amount_applied: 10000, amount_credited: 2000, amount_unapplied: 0 });
  t.match(await get(w, `/v1/invoices/${inv.id}`), { status: 'paid' });
  t.ok((await eventsOf(w, a.id)).includes('payment.assigned'));
  const twice = await w.api('POST', `/v1/payments/${a.id}/assign`, { customer: cus.id });
  t.equal(twice.status, 409);
  t.match((await w.api('POST', `/v1/payments/${b.id}/assign`, { customer: cus.id })).json, { status: 'matched', customer: cus.id, amount_credited: 3000 });
  t.match(await get(w, `/v1/customers/${cus.id}`), { balance: 5000 });
  t.same((await get(w, '/v1/payments?status=unmatched')).data, []);
  t.same((await get(w, `/v1/payments?customer=${cus.id}`)).data.length, 2);
  t.same((await get(w, `/v1/payments?invoice=${inv.id}`)).data.map((p: any) => p.id), [a.id]);
  // Both or neither: 400 naming the field.
  const c = (await pay(w, { amount: 100 })).json;
  t.equal((await w.api('POST', `/v1/payments/${c.id}/assign`, { invoice: inv.id, customer: cus.id })).status, 400);
  t.equal((await w.api('POST', `/v1/payments/${c.id}/assign`, {})).status, 400);
  // Another merchant sees none of it.
  const other = await w.seller('Annan AB');
  t.equal((await w.apiFor(other)('GET', `/v1/payments/${a.id}`)).status, 404);
  t.equal((await w.apiFor(other)('POST', `/v1/payments/${c.id}/assign`, { customer: cus.id })).status, 404);
  t.same((await w.apiFor(other)('GET', '/v1/payments')).json.data, []);
});

t.test('refunds: full, partial, never more than paid; the invoice reopens; used credit is refused', async (t) => {
  const w = await billingWorld(t);
  const cus = await w.customer();
  const inv = await invoice(w, cus.id, 10000);
  const p = (await pay(w, { amount: 15000, invoice: inv.id })).json;
  // Partial: from the credit first.
  const r1 = await w.api('POST', `/v1/payments/${p.id}/refunds`, { amount: 3000, reason: 'Betalade för mycket' });
  t.equal(r1.status, 201, r1.body);
  t.match(r1.json, { object: 'refund', amount: 3000, amount_from_credit: 3000, amount_from_invoice: 0 });
  t.match(await get(w, `/v1/customers/${cus.id}`), { balance: 2000 });
  // More than the payment holds: 400, nothing changed.
  const tooMuch = await w.api('POST', `/v1/payments/${p.id}/refunds`, { amount: 12001 });
  t.equal(tooMuch.status, 400);
  t.equal(tooMuch.json.errors[0].field, 'amount');
  // The rest of the credit and part of the invoice: the invoice is open again by that much.
  const r2 = (await w.api('POST', `/v1/payments/${p.id}/refunds`, { amount: 5000 })).json;
  t.match(r2, { amount_from_credit: 2000, amount_from_invoice: 3000 });
  t.match(await get(w, `/v1/invoices/${inv.id}`), { status: 'partially_paid', amount_paid: 7000, amount_remaining: 3000, paid_at: null });
  t.ok((await eventsOf(w, inv.id)).includes('invoice.updated'));
  // Full: the rest.
  const r3 = (await w.api('POST', `/v1/payments/${p.id}/refunds`, {})).json;
  t.equal(r3.amount, 7000);
  t.match(await get(w, `/v1/payments/${p.id}`), { status: 'refunded', amount_refunded: 15000, amount_applied: 0, amount_credited: 0 });
  t.match(await get(w, `/v1/invoices/${inv.id}`), { status: 'open', amount_paid: 0, amount_remaining: 10000 });
  t.equal((await w.api('POST', `/v1/payments/${p.id}/refunds`, {})).status, 409);
  t.same((await get(w, `/v1/payments/${p.id}/refunds`)).data.map((r: any) => r.amount), [7000, 5000, 3000]);
  t.match(await get(w, `/v1/refunds/${r1.json.id}`), { payment: p.id, reason: 'Betalade för mycket' });
  t.ok((await eventsOf(w, p.id)).includes('payment.refunded'));

  // Credit used on a later invoice cannot be refunded from the balance.
  const q = (await pay(w, { amount: 5000, customer: cus.id })).json;
  await invoice(w, cus.id, 4000);
  const used = await w.api('POST', `/v1/payments/${q.id}/refunds`, { amount: 5000 });
  t.equal(used.status, 409, used.body);
  t.match(await get(w, `/v1/customers/${cus.id}`), { balance: 1000 });
  t.match((await w.api('POST', `/v1/payments/${q.id}/refunds`, { amount: 1000 })).json, { amount_from_credit: 1000 });

  // Concurrent refunds never exceed the payment.
  const c = (await pay(w, { amount: 10000 })).json;
  const rs = await Promise.all(Array.from({ length: 8 }, () => w.api('POST', `/v1/payments/${c.id}/refunds`, { amount: 3000 })));
  t.equal(rs.filter((r) => r.status === 201).length, 3);
  t.ok(rs.every((r) => r.status === 201 || r.status === 400 || r.status === 409), rs.map((r) => r.status).join(','));
  t.match(await get(w, `/v1/payments/${c.id}`), { amount_refunded: 9000, amount_unapplied: 1000, status: 'unmatched' });
});

t.test('nothing matched twice: 20 parallel keyed payments on one invoice, pool of 4', async (t) => {
  const w = await billingWorld(t, { poolMax: 4 });
  const cus = await w.customer();
  const inv = await invoice(w, cus.id, 50000);
  const send = (i: number) =>
    call(w.app, { method: 'POST', url: '/v1/payments', headers: { ...w.m.auth, 'idempotency-key': `pay-${i}` }, payload: { amount: 7000, invoice: inv.id } });
  const first = await Promise.all(Array.from({ length: 20 }, (_, i) => send(i)));
  t.same(first.map((r) => r.status), Array(20).fill(201), first.find((r) => r.status !== 201)?.body ?? "");
  const replay = await Promise.all(Array.from({ length: 20 }, (_, i) => send(i)));
  t.ok(replay.every((r, i) => r.status === 201 && r.headers['idempotent-replayed'] === 'true' && r.json.id === first[i]!.json.id));
  const applied = first.reduce((s, r) => s + r.json.amount_applied, 0);
  const credited = first.reduce((s, r) => s + r.json.amount_credited, 0);
  t.equal(applied, 50000, 'the invoice got exactly what it asked for');
  t.equal(credited, 20 * 7000 - 50000, 'the rest is credit');
  t.match(await get(w, `/v1/invoices/${inv.id}`), { status: 'paid', amount_paid: 50000, amount_remaining: 0 });
  t.match(await get(w, `/v1/customers/${cus.id}`), { balance: 90000 });
  const n = await w.database.db.execute(sql`select count(*)::int as n, sum(amount_applied)::int as a from payments where merchant_id = ${w.m.id}`);
  t.same(n.rows[0], { n: 20, a: 50000 }, 'replays recorded nothing');
});

t.test('recordBatch: one transaction for many, bank keys recorded once', async (t) => {
  const w = await billingWorld(t);
  const cus = await w.customer();
  const invs = await Promise.all([1, 2, 3].map(() => invoice(w, cus.id, 10000)));
  const tenant = { merchantId: w.m.id, livemode: false };
  const inputs = [
    ...invs.map((inv, i) => ({ amount: 10000, currency: 'SEK', date: '2026-11-26', method: 'bankgiro' as const, reference: inv.ocr_reference, externalKey: `bg-${i}` })),
    { amount: 6000, currency: 'SEK', date: '2026-11-26', method: 'bankgiro' as const, reference: invs[0].ocr_reference, externalKey: 'bg-3' },
    { amount: 500, currency: 'SEK', date: '2026-11-26', method: 'bankgiro' as const, reference: '99999999999', externalKey: 'bg-4' },
    { amount: 500, currency: 'SEK', date: '2026-11-26', method: 'bankgiro' as const, reference: '99999999999', externalKey: 'bg-4' },
  ];
  const run = () => w.database.db.transaction((tx) => w.services.payments.recordBatch(tx, tenant, inputs));
  const res = await run();
  t.same(res.map((r) => r.duplicate), [false, false, false, false, false, true]);
  t.same(res.map((r) => r.payment.status), ['matched', 'matched', 'matched', 'matched', 'unmatched', 'unmatched']);
  t.equal(res[3]!.payment.amountCredited, 6000, 'a second payment of a paid invoice is credit');
  const again = await run();
  t.ok(again.every((r) => r.duplicate), 're-imported: nothing recorded');
  t.same(again.map((r) => r.payment.id), res.map((r) => r.payment.id));
  const n = await w.database.db.execute(sql`select count(*)::int as n from payments where merchant_id = ${w.m.id}`);
  t.equal((n.rows[0] as { n: number }).n, 5);
  t.match(await get(w, `/v1/customers/${cus.id}`), { balance: 6000 });
});

t.test('the pay shorthand records a payment', async (t) => {
  const w = await billingWorld(t);
  const cus = await w.customer();
  const inv = await invoice(w, cus.id, 10000);
  t.match((await w.api('POST', `/v1/invoices/${inv.id}/pay`, { amount: 4000 })).json, { status: 'partially_paid', amount_remaining: 6000 });
  t.match((await w.api('POST', `/v1/invoices/${inv.id}/pay`)).json, { status: 'paid', amount_remaining: 0 });
  t.same((await get(w, `/v1/payments?invoice=${inv.id}`)).data.map((p: any) => [p.amount, p.method, p.matched_by]), [[6000, 'other', 'invoice'], [4000, 'other', 'invoice']]);
});
