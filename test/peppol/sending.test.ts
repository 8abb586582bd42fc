// Sending e-invoices over Peppol through the built-in test access point: an invoice of a customer
// who chose peppol delivery is handed over exactly once (concurrent workers, a worker that died
// after the hand-over, a stale worker whose lease was taken over), then invoice.sent or
// invoice.delivery_failed follows once; rejected, delayed and malformed cases end as documented.
import t from 'tap';
import { sql } from 'drizzle-orm';
import { billingWorld } from '../billing/world.ts';
import { fixedClock } from '../../src/clock.ts';
import { createPeppolSender } from '../../src/modules/peppol/sending.ts';
import { createTestAccessPoint, TEST_RECEIVERS, type AccessPoint } from '../../src/modules/peppol/access-point.ts';
import { checkRulesXml } from '../../src/domain/peppol/rules.ts';

t.test('Peppol sending', async (t) => {
  const w = await billingWorld(t);
  const { api, must } = w;
  const db = w.database.db;
  const sender = w.services.peppolSender;
  const wall = fixedClock('2026-11-25T09:00:00Z');

  const company = (name: string, national_id: string, delivery: Record<string, unknown> = { type: 'peppol' }, extra: Record<string, unknown> = {}) =>
    w.customer({ type: 'company', name, national_id, address: { line1: 'Rådhusgatan 1', postal_code: '83182', city: 'Östersund' }, delivery, ...extra });
  const invoice = async (customer: string) =>
    must(api('POST', '/v1/invoices', { customer, auto_finalize: true, lines: [{ description: 'Konsulttimmar', quantity: 2, unit_amount: 95000, vat_rate: 25 }] }), 201, 'invoice');
  const delivery = async (invoiceId: string) =>
    (await db.execute(sql`select status, attempts, reason, transmission_id, participant_id from peppol_deliveries where invoice_id = ${invoiceId}`)).rows[0] as any;
  const transmissions = async (invoiceId: string) =>
    (await db.execute(sql`select t.received, t.receiver, t.document, t.status_checks from peppol_test_transmissions t join peppol_deliveries d on d.id = t.message_id where d.invoice_id = ${invoiceId}`)).rows as any[];
  const eventsOf = async (invoiceId: string) =>
    ((await api('GET', `/v1/events?object_id=${invoiceId}&limit=100`)).json.data as any[]).map((e) => e.type).filter((ty: string) => ty === 'invoice.sent' || ty === 'invoice.delivery_failed');

  const kommun = await company('Östersunds Kommunteknik AB', '556036-0793', { type: 'peppol' }, { buyer_reference: 'Inköp 4711' });

  await t.test('a finalised invoice of a peppol customer is delivered once, then invoice.sent', async (t) => {
    const inv = await invoice(kommun.id);
    t.match(await delivery(inv.id), { status: 'queued', participant_id: '0007:5560360793' }, 'queued in the finalising transaction');
    const anna = await w.customer();
    const other = await invoice(anna.id);
    t.equal(await delivery(other.id), undefined, 'an e-mail customer’s invoice is not queued');
    await sender.drain(wall);
    t.match(await delivery(inv.id), { status: 'delivered', attempts: 1 });
    const [sent] = await transmissions(inv.id);
    t.match(sent, { received: 1, receiver: '0007:5560360793' });
    t.same(checkRulesXml(sent.document), [], 'the document handed over breaks no rule');
    t.match(sent.document, `<cbc:ID>${inv.number}</cbc:ID>`);
    t.same(await eventsOf(inv.id), ['invoice.sent']);
    const ev = (await api('GET', `/v1/events?type=invoice.sent&object_id=${inv.id}`)).json.data[0];
    t.match(ev.data.object, { id: inv.id, object: 'invoice', number: inv.number });
    await sender.drain(wall);
    t.equal((await transmissions(inv.id)).length, 1, 'nothing more on later passes');
    const seen = await api('GET', `/v1/invoices/${inv.id}/peppol-delivery`);
    t.equal(seen.status, 200);
    t.match(seen.json, { object: 'peppol_delivery', invoice: inv.id, customer: kommun.id, participant_id: '0007:5560360793', status: 'delivered', attempts: 1, access_point: 'test', reason: null });
    t.match(seen.json.id, /^ped_/);
    t.match(seen.json.transmission_id, /^ptx_/);
    const none = await api('GET', `/v1/invoices/${other.id}/peppol-delivery`);
    t.equal(none.status, 404, 'an e-mail customer’s invoice has none');
    t.match(none.json.detail, /did not choose peppol delivery/);
  });

  await t.test('rejected by the receiver: invoice.delivery_failed with the reason', async (t) => {
    const c = await company('Avvisar AB', '559100-0004');
    t.equal(c.delivery.participant_id, TEST_RECEIVERS.rejected);
    const inv = await invoice(c.id);
    await sender.drain(wall);
    t.match(await delivery(inv.id), { status: 'failed', reason: /does not accept/ });
    t.same(await eventsOf(inv.id), ['invoice.delivery_failed']);
  });

  await t.test('delayed: awaiting until a later pass asks its status', async (t) => {
    const late = await invoice((await company('Sen AB', '559200-0003')).id);
    const lateRejected = await invoice((await company('Sen Avvisar AB', '559300-0002')).id);
    await sender.drain(wall);
    t.match(await delivery(late.id), { status: 'awaiting' });
    t.same(await eventsOf(late.id), [], 'no event while delivery is pending');
    wall.advance(61_000);
    await sender.drain(wall);
    t.match(await delivery(late.id), { status: 'delivered' });
    t.same(await eventsOf(late.id), ['invoice.sent']);
    t.match(await delivery(lateRejected.id), { status: 'failed' });
    t.same(await eventsOf(lateRejected.id), ['invoice.delivery_failed']);
    t.equal((await transmissions(late.id))[0].status_checks, 1);
  });

  await t.test('malformed settings: never handed over, the merchant is told why', async (t) => {
    const c = await company('Myndigheten AB', '212000-0142', { type: 'peppol' }, { buyer_reference_required: true });
    const inv = await invoice(c.id);
    await sender.drain(wall);
    t.match(await delivery(inv.id), { status: 'failed', reason: /peppol_settings_invalid.*buyer_reference/ });
    t.same(await transmissions(inv.id), []);
    t.same(await eventsOf(inv.id), ['invoice.delivery_failed']);
    t.match((await api('GET', `/v1/invoices/${inv.id}/peppol-delivery`)).json, { status: 'failed', reason: /buyer_reference/ }, 'the merchant sees what to fix');
  });

  await t.test('an invoice voided before the worker came is not sent', async (t) => {
    const inv = await invoice(kommun.id);
    await must(api('POST', `/v1/invoices/${inv.id}/void`), 200, 'void');
    await sender.drain(wall);
    t.match(await delivery(inv.id), { status: 'failed', reason: /voided before it was sent/ });
    t.same(await transmissions(inv.id), []);
    t.same(await eventsOf(inv.id), ['invoice.delivery_failed']);
  });

  await t.test('a subscription’s invoice (billing path) is queued too', async (t) => {
    const price = await w.monthlyPrice({ unit_amount: 49900 });
    const sub = await must(api('POST', '/v1/subscriptions', { customer: kommun.id, items: [{ price: price.id }] }), 201, 'subscription');
    const inv = (await api('GET', `/v1/invoices?subscription=${sub.id}`)).json.data[0];
    t.match(await delivery(inv.id), { status: 'queued' });
    await sender.drain(wall);
    t.same(await eventsOf(inv.id), ['invoice.sent']);
  });

  await t.test('concurrent workers: every invoice handed over once, one event each', async (t) => {
    const invoices = await Promise.all(Array.from({ length: 30 }, () => invoice(kommun.id)));
    const workers = Array.from({ length: 4 }, () => createPeppolSender({ db, clock: w.clock, events: w.services.events, peppol: w.services.peppol, invoices: w.services.invoices, accessPoints: { test: createTestAccessPoint({ db, clock: w.clock }) } }));
    await Promise.all(workers.map((s) => s.drain(wall)));
    for (const inv of invoices) {
      const sent = await transmissions(inv.id);
      t.equal(sent.length, 1, `${inv.number}: one transmission`);
      t.equal(sent[0].received, 1, `${inv.number}: handed over once`);
      t.same(await eventsOf(inv.id), ['invoice.sent'], `${inv.number}: one invoice.sent`);
    }
  });

  await t.test('a worker that died after the hand-over: resent with the same message id, recorded once', async (t) => {
    const inv = await invoice(kommun.id);
    const [{ id }] = (await db.execute(sql`select id from peppol_deliveries where invoice_id = ${inv.id}`)).rows as any[];
    // What the dead worker did: claimed it (lease 5 minutes) and handed it to the access point.
    await db.execute(sql`update peppol_deliveries set status = 'sending', attempts = 1, lease_until = ${new Date(wall.now().getTime() + 300_000)} where id = ${id}`);
    const ap = createTestAccessPoint({ db, clock: w.clock });
    const xml = (await w.services.peppol.invoiceUbl({ merchantId: w.m.id, livemode: false }, inv.id)).xml;
    await ap.send({ messageId: id, merchantId: w.m.id, sender: '0007:5566778899', receiver: '0007:5560360793', document: xml });
    await sender.drain(wall);
    t.match(await delivery(inv.id), { status: 'sending' }, 'not taken while its lease lasts');
    wall.advance(301_000);
    await sender.drain(wall);
    t.match(await delivery(inv.id), { status: 'delivered', attempts: 2 });
    const sent = await transmissions(inv.id);
    t.equal(sent.length, 1, 'one document at the access point');
    t.equal(sent[0].received, 2, 'the resend carried the same message id');
    t.same(await eventsOf(inv.id), ['invoice.sent'], 'one event');
  });

  await t.test('an access point that cannot be reached: retried later, then delivered once', async (t) => {
    const inv = await invoice(kommun.id);
    let down = true;
    const real = createTestAccessPoint({ db, clock: w.clock });
    const flaky: AccessPoint = { name: 'test', send: async (tr) => { if (down) throw new Error('connect ECONNREFUSED'); return real.send(tr); }, status: real.status };
    const s = createPeppolSender({ db, clock: w.clock, events: w.services.events, peppol: w.services.peppol, invoices: w.services.invoices, accessPoints: { test: flaky } });
    await s.drain(wall);
    t.match(await delivery(inv.id), { status: 'queued', reason: /ECONNREFUSED/ });
    down = false;
    await s.drain(wall);
    t.match(await delivery(inv.id), { status: 'queued' }, 'not before its retry time');
    wall.advance(61_000);
    await s.drain(wall);
    t.match(await delivery(inv.id), { status: 'delivered' });
    t.same(await eventsOf(inv.id), ['invoice.sent']);
  });

  await t.test('a stale worker whose lease was taken over records nothing', async (t) => {
    const inv = await invoice(kommun.id);
    const real = createTestAccessPoint({ db, clock: w.clock });
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    const slow: AccessPoint = { name: 'test', send: async (tr) => { await held; return real.send(tr); }, status: real.status };
    const stale = createPeppolSender({ db, clock: w.clock, events: w.services.events, peppol: w.services.peppol, invoices: w.services.invoices, accessPoints: { test: slow } });
    const first = stale.pass(wall);
    await new Promise((r) => setTimeout(r, 300)); // it has claimed and waits on the access point
    wall.advance(301_000);
    await sender.drain(wall); // the lease ran out: another worker sends and records
    release();
    await first;
    t.match(await delivery(inv.id), { status: 'delivered' });
    t.equal((await transmissions(inv.id)).length, 1);
    t.same(await eventsOf(inv.id), ['invoice.sent'], 'one event, from the worker that held the claim');
  });
});
