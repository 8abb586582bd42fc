// A server without the Peppol validation kit's schemas checks no document, so it serves none: the
// request gets a 503 problem saying what to install, not a 500 (nor an unchecked document).
import t from 'tap';
import { billingWorld } from '../billing/world.ts';

process.env.PEPPOL_KIT_DIR = '/nonexistent/peppol-kit';

t.test('no schemas installed: 503 with the reason', async (t) => {
  const w = await billingWorld(t);
  const c = await w.customer({
    type: 'company',
    name: 'Kommunteknik AB',
    national_id: '556036-0793',
    vat_number: 'SE556036079301',
    email: 'faktura@kommunteknik.example',
    address: { line1: 'Rådhusgatan 42', postal_code: '83182', city: 'Östersund' },
  });
  const inv = await w.must(w.api('POST', '/v1/invoices', { customer: c.id, auto_finalize: true, lines: [{ description: 'Tjänst', unit_amount: 10000, vat_rate: 25 }] }), 201, 'invoice');
  const r = await w.api('GET', `/v1/invoices/${inv.id}/ubl`);
  t.equal(r.status, 503, r.body);
  t.match(r.headers['content-type'], /^application\/problem\+json/);
  t.equal(r.json.code, 'service_unavailable');
  t.match(r.json.detail, /PEPPOL_KIT_DIR/);
});
