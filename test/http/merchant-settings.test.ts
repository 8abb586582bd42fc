import t from 'tap';
import { buildTestApp, call } from '../helpers/app.ts';

const P = 'https://docs.omtanke.se/problems/';

t.test('merchant settings: defaults, validated updates, isolation', async (t) => {
  const { app, merchant, clock } = await buildTestApp(t);
  const m = await merchant('Acme', false, { settings: 'none' });
  const other = await merchant('Other AB', false, { settings: 'none' });

  const fresh = await call(app, { method: 'GET', url: '/v1/merchant', headers: m.auth });
  t.equal(fresh.status, 200);
  t.match(fresh.json, { name: 'Acme', time_zone: 'Europe/Stockholm', payment_terms_days: 30, ocr_length_digit: true, f_skatt: false, bankgiro: null, contact_email: null, contact_phone: null, registered_office: null, updated_at: null });

  clock.advance(1000);
  const r = await call(app, {
    method: 'PATCH',
    url: '/v1/merchant',
    headers: m.auth,
    payload: {
      legal_name: 'Acme AB',
      address: { line1: 'Storgatan 1', postal_code: '11451', city: 'Stockholm' },
      organisation_number: '5560360793',
      vat_number: 'se556036079301',
      f_skatt: true,
      bankgiro: '50501055',
      swish_number: '123 118 11 89',
      payment_terms_days: 20,
      invoice_number_prefix: 'A-',
    },
  });
  t.equal(r.status, 200, r.body);
  t.match(r.json, {
    legal_name: 'Acme AB',
    address: { line1: 'Storgatan 1', line2: null, postal_code: '114 51', city: 'Stockholm', country: 'SE' },
    organisation_number: '556036-0793',
    vat_number: 'SE556036079301',
    f_skatt: true,
    bankgiro: '5050-1055',
    swish_number: '1231181189',
    payment_terms_days: 20,
    invoice_number_prefix: 'A-',
    updated_at: '2026-11-25T09:00:01.000Z',
  });

  const bad = await call(app, {
    method: 'PATCH',
    url: '/v1/merchant',
    headers: m.auth,
    payload: { bankgiro: '5050-1056', organisation_number: '556036-0794', swish_number: '0701234567', time_zone: 'Mars/Olympus', vat_number: 'SE123' },
  });
  t.equal(bad.status, 400);
  t.equal(bad.json.type, P + 'validation_failed');
  t.same(bad.json.errors.map((e: { field: string }) => e.field).sort(), ['bankgiro', 'organisation_number', 'swish_number', 'time_zone', 'vat_number']);
  const unknown = await call(app, { method: 'PATCH', url: '/v1/merchant', headers: m.auth, payload: { payment_terms_days: 400, colour: 'red' } });
  t.equal(unknown.status, 400);
  const after = await call(app, { method: 'GET', url: '/v1/merchant', headers: m.auth });
  t.equal(after.json.bankgiro, '5050-1055', 'a rejected update changes nothing');
  t.equal(after.json.payment_terms_days, 20);

  const tz = await call(app, { method: 'PATCH', url: '/v1/merchant', headers: m.auth, payload: { time_zone: 'Europe/Helsinki', bankgiro: null } });
  t.equal(tz.json.time_zone, 'Europe/Helsinki');
  t.equal(tz.json.bankgiro, null, 'null clears');

  const theirs = await call(app, { method: 'GET', url: '/v1/merchant', headers: other.auth });
  t.equal(theirs.json.name, 'Other AB');
  t.equal(theirs.json.legal_name, null, "another merchant's settings are untouched");
});

t.test('seller contact and registered office: validated, normalised, cleared with null', async (t) => {
  const { app, merchant } = await buildTestApp(t);
  const m = await merchant('Acme', false, { settings: 'none' });
  const patch = (payload: Record<string, unknown>) => call(app, { method: 'PATCH', url: '/v1/merchant', headers: m.auth, payload });

  const ok = await patch({ contact_email: ' faktura@acme.se ', contact_phone: '+46  8 123 456 78', registered_office: ' Upplands  Väsby ' });
  t.equal(ok.status, 200, ok.body);
  t.match(ok.json, { contact_email: 'faktura@acme.se', contact_phone: '+46 8 123 456 78', registered_office: 'Upplands Väsby' });

  const bad = await patch({ contact_email: 'faktura.acme.se', contact_phone: 'ring oss', registered_office: '12345' });
  t.equal(bad.status, 400);
  t.equal(bad.json.type, P + 'validation_failed');
  t.same(bad.json.errors.map((e: { field: string }) => e.field).sort(), ['contact_email', 'contact_phone', 'registered_office']);
  t.match((await call(app, { method: 'GET', url: '/v1/merchant', headers: m.auth })).json, { contact_email: 'faktura@acme.se' }, 'a rejected update changes nothing');

  const cleared = await patch({ contact_email: null, contact_phone: null, registered_office: null });
  t.match(cleared.json, { contact_email: null, contact_phone: null, registered_office: null });
});
