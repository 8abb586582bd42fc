// Invoices record the payment method and delivery in force when they were finalised, and their
// HTML and PDF say how to pay accordingly (sv and en).
import t from 'tap';
import { billingWorld, pdfText } from '../billing/world.ts';

const line = { description: 'Tjänst', unit_amount: 10000 };

t.test('invoices keep the choices of their finalisation; documents word the payment per method', async (t) => {
  const w = await billingWorld(t);
  const pdfOf = async (id: string) => pdfText((await w.app.inject({ method: 'GET', url: `/v1/invoices/${id}/pdf`, headers: w.m.auth })).rawPayload);
  const htmlOf = async (id: string) => (await w.api('GET', `/v1/invoices/${id}/html`)).body;
  const invoice = async (customer: string) => {
    const r = await w.api('POST', '/v1/invoices', { customer, lines: [line], auto_finalize: true });
    t.equal(r.status, 201, r.body);
    return r.json;
  };

  for (const locale of ['sv', 'en'] as const) {
    await t.test(locale, async (t) => {
      const c = await w.customer({ locale, external_id: `crm-${locale}` });
      const bankgiro = await invoice(c.id);
      t.same(bankgiro.payment_method, { type: 'bankgiro', default: true });
      t.same(bankgiro.delivery, { type: 'email_pdf', default: true });

      const set = await w.api('POST', `/v1/customers/${c.id}/payment-method`, { type: 'autogiro', payer_number: '198112189876', clearing_number: '6000', account_number: '123456789', status: 'active' });
      t.equal(set.status, 200, set.body);
      const autogiro = await invoice(c.id);
      t.match(autogiro.payment_method, { type: 'autogiro', status: 'active', default: false });

      t.equal((await w.api('POST', `/v1/customers/${c.id}/payment-method`, { type: 'card', token: 'pm_1QxYz2AbCdEf', brand: 'visa', last4: '4242' })).status, 200);
      t.equal((await w.api('POST', `/v1/customers/${c.id}/delivery`, { type: 'paper' })).status, 200);
      const card = await invoice(c.id);
      t.match(card.payment_method, { type: 'card', last4: '4242' });
      t.match(card.delivery, { type: 'paper', default: false });

      t.equal((await w.api('POST', `/v1/customers/${c.id}/payment-method`, { type: 'swish', phone: '0701234567' })).status, 200);

      // Earlier invoices keep what was in force when they were finalised.
      t.match((await w.api('GET', `/v1/invoices/${autogiro.id}`)).json.payment_method, { type: 'autogiro' });
      t.match((await w.api('GET', `/v1/invoices/${card.id}`)).json.payment_method, { type: 'card' });
      t.same((await w.api('GET', `/v1/invoices/${bankgiro.id}`)).json.delivery, { type: 'email_pdf', default: true });

      const due = (inv: any) => (locale === 'sv' ? inv.due_date : new Date(`${inv.due_date}T00:00:00Z`).toLocaleDateString('en-GB', { day: 'numeric', month: 'short', year: 'numeric', timeZone: 'UTC' }));
      const words = {
        sv: { autogiro: (d: string) => `Beloppet dras via autogiro den ${d}.`, card: 'Beloppet dras från kort •••• 4242.', ocr: 'OCR-nummer', swish: 'Betala med Swish' },
        en: { autogiro: (d: string) => `The amount will be debited by autogiro on ${d}.`, card: 'The amount will be charged to card •••• 4242.', ocr: 'OCR reference', swish: 'Pay with Swish' },
      }[locale];

      const agPdf = await pdfOf(autogiro.id);
      const agHtml = await htmlOf(autogiro.id);
      t.ok(agPdf.includes(words.autogiro(due(autogiro))), `PDF: ${agPdf.slice(0, 400)}`);
      t.ok(agHtml.includes(words.autogiro(due(autogiro))), 'HTML says autogiro');
      t.notOk(agPdf.includes(words.ocr) || agHtml.includes(words.ocr), 'no OCR box');
      t.notOk(agPdf.includes(words.swish) || agHtml.includes(words.swish), 'no Swish');

      const cardPdf = await pdfOf(card.id);
      t.ok(cardPdf.includes(words.card), `PDF: ${cardPdf.slice(0, 400)}`);
      t.ok((await htmlOf(card.id)).includes(words.card));

      const bgPdf = await pdfOf(bankgiro.id);
      const bgHtml = await htmlOf(bankgiro.id);
      for (const text of [bgPdf, bgHtml]) {
        t.ok(text.includes(words.ocr) && text.includes(bankgiro.ocr_reference) && text.includes('5050-1055') && text.includes(words.swish), 'the bankgiro/OCR/Swish box');
        t.notOk(text.includes('autogiro') || text.includes('••••'));
      }
      // A new invoice takes the choice in force now (swish: the ordinary box).
      const swish = await invoice(c.id);
      t.match(swish.payment_method, { type: 'swish', phone: '+46701234567' });
      t.ok((await pdfOf(swish.id)).includes(words.ocr));
    });
  }

  await t.test('billing runs and subscriptions freeze the choices too', async (t) => {
    const c = await w.customer({ payment_method: { type: 'autogiro', payer_number: '5560360793', clearing_number: '3300', account_number: '8112189876' } });
    const price = await w.monthlyPrice({ unit_amount: 19900, tax_behavior: 'inclusive' });
    const sub = await w.api('POST', '/v1/subscriptions', { customer: c.id, items: [{ price: price.id, quantity: 1 }] });
    t.equal(sub.status, 201, sub.body);
    const first = (await w.api('GET', `/v1/invoices?subscription=${sub.json.id}`)).json.data[0];
    t.match(first.payment_method, { type: 'autogiro', bank: 'Nordea', status: 'pending' });
    t.equal((await w.api('POST', `/v1/customers/${c.id}/payment-method`, { type: 'e_invoice' })).status, 200);
    w.clock.advance(31 * 24 * 3600_000);
    const started = await w.api('POST', '/v1/billing-runs');
    t.equal(started.status, 202);
    let run: any;
    for (let i = 0; i < 500; i++) {
      run = (await w.api('GET', `/v1/billing-runs/${started.json.id}`)).json;
      if (run.status === 'completed') break;
      await new Promise((r) => setTimeout(r, 10));
    }
    const invoices = (await w.api('GET', `/v1/invoices?subscription=${sub.json.id}`)).json.data;
    t.equal(invoices.length, 2);
    t.match(invoices[0].payment_method, { type: 'e_invoice', default: false }, 'the renewal: the method in force at the run');
    t.match(invoices[1].payment_method, { type: 'autogiro' }, 'the first invoice unchanged');
  });
});
