// A customer's payment method and delivery: defaults, each kind's checks, the history (business
// time, who, why, never overwritten), card numbers refused and never logged, concurrency.
import t from 'tap';
import { billingWorld, PROBLEM } from '../billing/world.ts';
import { call } from '../helpers/app.ts';

const PAN = '4242424242424242';

t.test('defaults, changes and the history', async (t) => {
  const w = await billingWorld(t);
  const c = await w.customer();
  t.same(c.payment_method, { type: 'bankgiro', default: true }, 'bankgiro by default');
  t.same(c.delivery, { type: 'email_pdf', default: true }, 'email_pdf with an email');
  const noMail = await w.customer({ email: null, national_id: null });
  t.same(noMail.delivery, { type: 'paper', default: true }, 'paper without an email');

  w.clock.advance(60_000);
  const r1 = await w.api('POST', `/v1/customers/${c.id}/payment-method`, { type: 'swish', phone: '070-123 45 67', initiator: 'customer', reason: 'Betalar hellre med Swish 💸 "snabbt"' });
  t.equal(r1.status, 200, r1.body);
  t.same(r1.json.payment_method, { type: 'swish', phone: '+46701234567', default: false });

  w.clock.advance(60_000);
  const r2 = await w.api('POST', `/v1/customers/${c.id}/payment-method`, { type: 'autogiro', payer_number: '198112189876', clearing_number: '6000', account_number: '123456789' });
  t.equal(r2.status, 200, r2.body);
  t.same(r2.json.payment_method, { type: 'autogiro', payer_number: '198112189876', clearing_number: '6000', account_number: '123456789', bank: 'Handelsbanken', status: 'pending', default: false });

  const same = await w.api('POST', `/v1/customers/${c.id}/payment-method`, { type: 'autogiro', payer_number: '198112189876', clearing_number: '6000', account_number: '123456789' });
  t.equal(same.status, 200, 'choosing the current method again is fine');

  w.clock.advance(60_000);
  const d = await w.api('POST', `/v1/customers/${c.id}/delivery`, { type: 'kivra', initiator: 'system', reason: 'Kivra-brevlåda hittad' });
  t.equal(d.status, 200, d.body);
  t.same(d.json.delivery, { type: 'kivra', default: false });

  const h = await w.api('GET', `/v1/customers/${c.id}/choices/history`);
  t.equal(h.status, 200, h.body);
  t.equal(h.json.data.length, 3, 'one row per change, none for the repeat');
  const [kivra, autogiro, swish] = h.json.data;
  t.match(kivra, { object: 'choice_change', customer: c.id, kind: 'delivery', from: { type: 'email_pdf', default: true }, to: { type: 'kivra', default: false }, initiator: 'system', reason: 'Kivra-brevlåda hittad', at: '2026-11-25T09:03:00.000Z' });
  t.match(autogiro, { kind: 'payment_method', from: { type: 'swish', phone: '+46701234567' }, to: { type: 'autogiro' }, initiator: 'merchant', reason: null, at: '2026-11-25T09:02:00.000Z' });
  t.match(swish, { kind: 'payment_method', from: { type: 'bankgiro', default: true }, to: { type: 'swish' }, initiator: 'customer', reason: 'Betalar hellre med Swish 💸 "snabbt"' });

  const page1 = await w.api('GET', `/v1/customers/${c.id}/choices/history?limit=2`);
  t.equal(page1.json.data.length, 2);
  t.equal(page1.json.has_more, true);
  const page2 = await w.api('GET', `/v1/customers/${c.id}/choices/history?limit=2&starting_after=${page1.json.data[1].id}`);
  t.same(page2.json.data.map((x: any) => x.id), [swish.id]);
  t.equal(page2.json.has_more, false);
  const onlyDelivery = await w.api('GET', `/v1/customers/${c.id}/choices/history?kind=delivery`);
  t.same(onlyDelivery.json.data.map((x: any) => x.id), [kivra.id]);

  const events = await w.api('GET', `/v1/events?object_id=${c.id}&limit=100`);
  const types = events.json.data.map((e: any) => e.type);
  t.equal(types.filter((x: string) => x === 'payment_method.changed').length, 2);
  t.equal(types.filter((x: string) => x === 'delivery.changed').length, 1);
  const pmEvent = events.json.data.find((e: any) => e.type === 'payment_method.changed');
  t.match(pmEvent.data, { object: { id: c.id, payment_method: { type: 'autogiro' } }, previous_attributes: { payment_method: { type: 'swish' } } });

  // Another merchant sees nothing.
  const other = await w.seller('Annan AB');
  const theirs = w.apiFor(other);
  t.equal((await theirs('GET', `/v1/customers/${c.id}/choices/history`)).status, 404);
  t.equal((await theirs('POST', `/v1/customers/${c.id}/delivery`, { type: 'paper' })).status, 404);
  t.equal((await w.api('GET', `/v1/customers/${c.id}`)).json.delivery.type, 'kivra');
});

t.test('choices in the create body start the history', async (t) => {
  const w = await billingWorld(t);
  const c = await w.customer({
    name: 'Bolaget AB',
    type: 'company',
    national_id: '556036-0793',
    payment_method: { type: 'card', token: 'pm_1QxYz2AbCdEf', brand: 'Visa', last4: '4242', initiator: 'customer' },
    delivery: { type: 'peppol' },
  });
  t.same(c.payment_method, { type: 'card', token: 'pm_1QxYz2AbCdEf', brand: 'visa', last4: '4242', default: false });
  t.same(c.delivery, { type: 'peppol', participant_id: '0007:5560360793', default: false }, 'derived from the organisationsnummer');
  const h = await w.api('GET', `/v1/customers/${c.id}/choices/history`);
  t.same(h.json.data.map((x: any) => [x.kind, x.from.type, x.to.type, x.initiator]).sort(), [
    ['delivery', 'email_pdf', 'peppol', 'merchant'],
    ['payment_method', 'bankgiro', 'card', 'customer'],
  ]);
  const bad = await w.api('POST', '/v1/customers', { name: 'X', payment_method: { type: 'swish', phone: '08-123 456' }, delivery: { type: 'paper' } });
  t.equal(bad.status, 400);
  t.same(bad.json.errors.map((e: any) => e.field).sort(), ['delivery.type', 'payment_method.phone']);
  t.equal((await w.api('GET', '/v1/customers?limit=100')).json.data.length, 1, 'nothing created');
});

t.test('validation per kind names the field and changes nothing', async (t) => {
  const w = await billingWorld(t);
  const c = await w.customer();
  const person = await w.customer({ email: null, address: null, national_id: null });
  const cases: [string, string, Record<string, unknown>, string][] = [
    ['payment-method', c.id, { type: 'card', token: 'pm_1' }, 'brand'],
    ['payment-method', c.id, { type: 'card', token: 'pm_1', brand: 'visa', last4: '42' }, 'last4'],
    ['payment-method', c.id, { type: 'swish', phone: '08-123 456 78' }, 'phone'],
    ['payment-method', c.id, { type: 'swish' }, 'phone'],
    ['payment-method', c.id, { type: 'bankgiro', phone: '0701234567' }, 'phone'],
    ['payment-method', c.id, { type: 'autogiro', payer_number: '1234', clearing_number: '9999', account_number: '1234567' }, 'clearing_number'],
    ['payment-method', c.id, { type: 'autogiro', payer_number: '1234', clearing_number: '6000', account_number: '12345678' }, 'account_number'],
    ['payment-method', c.id, { type: 'autogiro', payer_number: 'abc', clearing_number: '6000', account_number: '123456789' }, 'payer_number'],
    ['payment-method', c.id, { type: 'autogiro', payer_number: '1', clearing_number: '6000', account_number: '123456789', status: 'maybe' }, 'status'],
    ['payment-method', c.id, { type: 'cash' }, 'type'],
    ['payment-method', c.id, { type: 'swish', phone: '0701234567', initiator: 'robot' }, 'initiator'],
    ['delivery', c.id, { type: 'peppol' }, 'type'],
    ['delivery', c.id, { type: 'fax' }, 'type'],
    ['delivery', person.id, { type: 'email_pdf' }, 'type'],
    ['delivery', person.id, { type: 'paper' }, 'type'],
    ['delivery', person.id, { type: 'kivra' }, 'type'],
    ['delivery', person.id, { type: 'email_html', participant_id: '0007:5560360793' }, 'participant_id'],
  ];
  for (const [route, id, body, field] of cases) {
    const r = await w.api('POST', `/v1/customers/${id}/${route}`, body);
    t.equal(r.status, 400, `${JSON.stringify(body)}: ${r.body}`);
    t.equal(r.json.type, `${PROBLEM}validation_failed`);
    t.ok(r.json.errors.some((e: any) => e.field === field), `${JSON.stringify(body)} names ${field}: ${r.body}`);
  }
  const company = await w.customer({ name: 'Firma AB', type: 'company', national_id: null });
  const peppolBad = await w.api('POST', `/v1/customers/${company.id}/delivery`, { type: 'peppol', participant_id: '0007:5560360794' });
  t.equal(peppolBad.status, 400);
  t.equal(peppolBad.json.errors[0].field, 'participant_id', 'a wrong check digit in the organisationsnummer');
  const peppolOk = await w.api('POST', `/v1/customers/${company.id}/delivery`, { type: 'peppol', participant_id: '0007:556036-0793' });
  t.equal(peppolOk.status, 200, peppolOk.body);
  t.equal(peppolOk.json.delivery.participant_id, '0007:5560360793');

  t.equal((await w.api('GET', `/v1/customers/${c.id}/choices/history`)).json.data.length, 0, 'nothing recorded');
  t.equal((await w.api('GET', `/v1/customers/${c.id}`)).json.payment_method.type, 'bankgiro');

  // The chosen delivery stays possible: clearing what it needs is refused, naming the field.
  t.equal((await w.api('POST', `/v1/customers/${c.id}/delivery`, { type: 'email_html' })).status, 200);
  const clear = await w.api('PATCH', `/v1/customers/${c.id}`, { email: null });
  t.equal(clear.status, 400);
  t.equal(clear.json.errors[0].field, 'email');
  t.equal((await w.api('GET', `/v1/customers/${c.id}`)).json.email, 'asa@example.se');
});

t.test('card numbers are refused, never echoed and never logged', async (t) => {
  const w = await billingWorld(t);
  const c = await w.customer();
  const spaced = '4242 4242 4242 4242';
  const bodies: [Record<string, unknown>, string][] = [
    [{ type: 'card', token: PAN, brand: 'visa', last4: '4242' }, 'token'],
    [{ type: 'card', token: 'pm_1', brand: spaced, last4: '4242' }, 'brand'],
    [{ type: 'card', token: 'pm_1', brand: 'visa', last4: PAN }, 'last4'],
    [{ type: 'card', token: 'pm_1', brand: 'visa', last4: '4242', reason: `kortet ${spaced}` }, 'reason'],
    [{ type: 'card', token: 'pm_1', brand: 'visa', last4: '4242', card_number: '5555-5555-5555-4444' }, 'card_number'],
    [{ type: 'swish', phone: '378282246310005' }, 'phone'],
  ];
  for (const [body, field] of bodies) {
    const r = await w.api('POST', `/v1/customers/${c.id}/payment-method`, body);
    t.equal(r.status, 400, r.body);
    t.equal(r.json.errors[0].field, field);
    t.match(r.json.errors[0].message, /card number/);
    t.notOk(/4242424242424242|4242 4242|5555|378282246310005/.test(r.body), 'the value is not echoed');
  }
  const create = await w.api('POST', '/v1/customers', { name: 'Kortkund', payment_method: { type: 'card', token: PAN, brand: 'visa', last4: '4242' } });
  t.equal(create.status, 400);
  t.equal(create.json.errors[0].field, 'payment_method.token');
  // An idempotent request is refused the same way, and stores nothing.
  const keyed = await call(w.app, { method: 'POST', url: `/v1/customers/${c.id}/payment-method`, headers: { ...w.m.auth, 'idempotency-key': 'pan-1' }, payload: { type: 'card', token: PAN, brand: 'visa', last4: '4242' } });
  t.equal(keyed.status, 400);
  t.equal((await w.api('GET', `/v1/customers/${c.id}/choices/history`)).json.data.length, 0);
  t.equal((await w.api('GET', `/v1/customers/${c.id}`)).json.payment_method.type, 'bankgiro');
  const digits = /4242\s?4242\s?4242\s?4242|5555-5555|378282246310005/;
  t.ok(w.logLines.length > 0, 'requests were logged');
  t.notOk(w.logLines.some((l) => digits.test(l)), 'no card number in any log line');
  const stored = await w.database.pool.query(`select body from idempotency_keys`).catch(() => ({ rows: [] as { body: string }[] }));
  t.notOk(stored.rows.some((r: any) => digits.test(String(r.body))), 'nor in stored responses');
  // A token that merely contains digits is fine.
  const ok = await w.api('POST', `/v1/customers/${c.id}/payment-method`, { type: 'card', token: 'tok_123456789012', brand: 'mastercard', last4: '4444' });
  t.equal(ok.status, 200, ok.body);
});

t.test('the history follows a test clock', async (t) => {
  const w = await billingWorld(t);
  const clock = (await w.api('POST', '/v1/test-clocks', { frozen_time: '2027-03-15T08:00:00Z' })).json.id;
  const c = await w.customer({ test_clock: clock, payment_method: { type: 'e_invoice' } });
  await w.api('POST', `/v1/test-clocks/${clock}/advance`, { frozen_time: '2027-05-01T12:00:00Z' });
  for (let i = 0; i < 500 && (await w.api('GET', `/v1/test-clocks/${clock}`)).json.status !== 'ready'; i++) await new Promise((r) => setTimeout(r, 10));
  const r = await w.api('POST', `/v1/customers/${c.id}/delivery`, { type: 'paper', initiator: 'customer' });
  t.equal(r.status, 200, r.body);
  const h = (await w.api('GET', `/v1/customers/${c.id}/choices/history`)).json.data;
  t.same(h.map((x: any) => [x.kind, x.at]), [
    ['delivery', '2027-05-01T12:00:00.000Z'],
    ['payment_method', '2027-03-15T08:00:00.000Z'],
  ]);
});

t.test('20 parallel changes with Idempotency-Keys on a pool of 4', async (t) => {
  const w = await billingWorld(t, { poolMax: 4 });
  const c = await w.customer();
  const send = (i: number) =>
    call(w.app, {
      method: 'POST',
      url: `/v1/customers/${c.id}/payment-method`,
      headers: { ...w.m.auth, 'idempotency-key': `pm-${i}` },
      payload: { type: 'card', token: `pm_card_${i}`, brand: 'visa', last4: String(1000 + i) },
    });
  const first = await Promise.all(Array.from({ length: 20 }, (_, i) => send(i)));
  t.same(first.map((r) => r.status), Array(20).fill(200), first.map((r) => r.body).filter((b) => !b.includes('"customer"')).join('\n'));
  const replays = await Promise.all(Array.from({ length: 20 }, (_, i) => send(i)));
  t.ok(replays.every((r) => r.status === 200 && r.headers['idempotent-replayed'] === 'true'), 'replays answer from the stored response');
  const h = (await w.api('GET', `/v1/customers/${c.id}/choices/history?limit=100`)).json.data;
  t.equal(h.length, 20, 'one row per distinct request');
  t.same(new Set(h.map((x: any) => x.to.token)).size, 20);
  const now = (await w.api('GET', `/v1/customers/${c.id}`)).json;
  t.equal(now.payment_method.token, h[0].to.token, 'the current choice is the last committed');
  // Each change's from is the previous change's to: none was lost.
  for (let i = 0; i < h.length - 1; i++) t.equal(h[i].from.token, h[i + 1].to.token);
  const events = (await w.api('GET', `/v1/events?type=payment_method.changed&limit=100`)).json.data;
  t.equal(events.length, 20);
});
