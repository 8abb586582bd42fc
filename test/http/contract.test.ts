// The OpenAPI document and the running API agree: an action without body fields refuses any field
// (400 validation_failed naming it) and still takes no body or {}; the either/or bodies the
// document describes as oneOf are refused at runtime exactly when the document refuses them, with
// an error naming the field (the service checks them; Ajv's own oneOf errors would name none).
import t from 'tap';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { buildTestApp, call } from '../helpers/app.ts';
import { openTransaction } from '../../src/db/unit-of-work.ts';

const PROBLEM = 'https://docs.omtanke.se/problems/';
const addFormats = ((addFormatsModule as unknown as { default?: typeof addFormatsModule }).default ?? addFormatsModule) as unknown as (ajv: Ajv2020) => Ajv2020;

type Json = Record<string, any>;

t.test('the document and the runtime agree', async (t) => {
  const { app, merchant, services, database, clock } = await buildTestApp(t);
  const m = await merchant('Kontrakt AB');
  const api = (method: string, url: string, payload?: unknown) =>
    call(app, { method: method as 'POST', url, headers: m.auth, ...(payload === undefined ? {} : { payload: payload as object }) });
  const doc = (await call(app, { method: 'GET', url: '/openapi.json' })).json as Json;

  await t.test('a POST without body fields refuses unknown fields; no body or {} is fine', async (t) => {
    const bodyless: { path: string; op: Json }[] = [];
    for (const [path, item] of Object.entries(doc.paths as Record<string, Json>)) {
      const op = item.post;
      const schema = op?.requestBody?.content?.['application/json']?.schema;
      if (op && schema && Object.keys(schema.properties ?? {}).length === 0) bodyless.push({ path, op });
    }
    const labels = bodyless.map((b) => b.path);
    for (const path of ['/v1/customers/{id}/archive', '/v1/customers/{id}/unarchive', '/v1/api-keys/{id}/revoke', '/v1/invoices/{id}/finalize', '/v1/invoices/{id}/void', '/v1/subscriptions/{id}/pause']) {
      t.ok(labels.includes(path), `${path} takes no body fields`);
    }
    for (const { path, op } of bodyless) {
      // Well-formed ids of objects that do not exist: the body is checked before the handler looks.
      const url = path.replace(/\{(\w+)\}/g, (_, name: string) => {
        const p = (op.parameters as Json[]).find((x) => x.in === 'path' && x.name === name)!;
        return String(p.example ?? p.schema.examples?.[0]);
      });
      const refused = await api('POST', url, { unexpected: 1 });
      t.equal(refused.status, 400, `POST ${path} with a field: ${refused.body}`);
      t.equal(refused.json?.type, `${PROBLEM}validation_failed`);
      t.match(refused.json?.errors, [{ field: 'unexpected', location: 'body' }], 'names the field');
      for (const payload of [undefined, {}]) {
        const r = await api('POST', url, payload);
        t.not(r.status, 400, `POST ${path} with ${payload === undefined ? 'no body' : '{}'}: ${r.status} ${r.json?.code}`);
      }
    }
  });

  await t.test('either/or bodies: refused exactly when the document refuses them, naming the field', async (t) => {
    const ajv = new Ajv2020({ strict: false });
    addFormats(ajv);
    ajv.addSchema({ $id: 'https://omtanke.test/doc', components: doc.components });
    const documentAccepts = (path: string, body: unknown) =>
      ajv.validate(
        JSON.parse(JSON.stringify(doc.paths[path].post.requestBody.content['application/json'].schema).replaceAll('"#/components/', '"https://omtanke.test/doc#/components/')),
        body,
      ) as boolean;

    const must = async (r: Promise<{ status: number; json: Json; body: string }>) => {
      const res = await r;
      if (res.status !== 201) throw new Error(res.body);
      return res.json;
    };
    const customer = (await must(api('POST', '/v1/customers', { name: 'Anna Andersson' }))).id;
    const product = (await must(api('POST', '/v1/products', { name: 'Omtanke Pro' }))).id;
    const price = (await must(api('POST', '/v1/prices', { product, unit_amount: 9900, type: 'recurring', recurring: { interval: 'month' } }))).id;
    const invoice = async () =>
      (await must(api('POST', '/v1/invoices', { customer, auto_finalize: true, lines: [{ description: 'Konsult', unit_amount: 50000, quantity: 2 }] }))).id;
    const items = [{ price }];

    const cases: [string, Json, string][] = [
      ['/v1/subscriptions', { customer, items }, 'items'],
      ['/v1/subscriptions', { customer, price, quantity: 2 }, 'items'],
      ['/v1/subscriptions', { customer, items, price }, 'items'],
      ['/v1/subscriptions', { customer }, 'items'],
      ['/v1/subscriptions', { customer, items, quantity: 2 }, 'quantity'],
      ['/v1/subscriptions', { customer, items, trial_period_days: 14 }, 'trial_end'],
      ['/v1/subscriptions', { customer, items, trial_end: '2026-12-25' }, 'trial_end'],
      ['/v1/subscriptions', { customer, items, trial_period_days: 14, trial_end: '2026-12-25' }, 'trial_end'],
      ['/v1/prices', { product, unit_amount: 100, type: 'recurring', recurring: { interval: 'month' } }, 'recurring'],
      ['/v1/prices', { product, unit_amount: 100, type: 'recurring' }, 'recurring'],
      ['/v1/prices', { product, unit_amount: 100, type: 'one_time' }, 'recurring'],
      ['/v1/prices', { product, unit_amount: 100, type: 'one_time', recurring: { interval: 'month' } }, 'recurring'],
      ['/v1/credit-notes', { invoice: await invoice() }, 'amount'],
      ['/v1/credit-notes', { invoice: await invoice(), amount: 100 }, 'amount'],
      ['/v1/credit-notes', { invoice: await invoice(), lines: [{ line_no: 1, quantity: 1 }] }, 'amount'],
      ['/v1/credit-notes', { invoice: await invoice(), amount: 100, lines: [{ line_no: 1 }] }, 'amount'],
    ];
    let refusals = 0;
    for (const [path, body, field] of cases) {
      const accepted = documentAccepts(path, body);
      const r = await api('POST', path, body);
      const label = `${path} ${JSON.stringify(body)}`;
      if (accepted) t.equal(r.status, 201, `${label}: the document and the API accept it (${r.body.slice(0, 200)})`);
      else {
        refusals++;
        t.equal(r.status, 400, `${label}: the document and the API refuse it`);
        t.equal(r.json?.type, `${PROBLEM}validation_failed`);
        t.ok((r.json?.errors as Json[] | undefined)?.some((e) => e.field === field && e.location === 'body' && e.message.length > 0), `names ${field}: ${JSON.stringify(r.json?.errors)}`);
      }
    }
    t.equal(refusals, 7, 'the refused cases');
  });

  await t.test('every event the API recorded matches its type in the Event union', async (t) => {
    const customer = (await api('POST', '/v1/customers', { name: 'Bo Berg' })).json.id;
    await api('PATCH', `/v1/customers/${customer}`, { email: 'bo@example.se' });
    await api('POST', `/v1/customers/${customer}/archive`);
    const endpoint = (await api('POST', '/v1/webhook-endpoints', { url: 'https://hooks.example.se/omtanke', enabled_events: ['*'] })).json.id;
    t.ok(endpoint);
    // A reminder for Kivra: reminder.requested and reminder.sent carry the message.
    const debtor = (await api('POST', '/v1/customers', { name: 'Cai Carlsson' })).json.id;
    const reminded = (await api('POST', '/v1/invoices', { customer: debtor, auto_finalize: true, lines: [{ description: 'Konsult', unit_amount: 50000 }] })).json;
    await openTransaction(database.db, (tx) =>
      services.messages.enqueue(tx, {
        merchantId: m.id,
        customerId: debtor,
        policyId: null,
        step: { key: 'reminder_1', kind: 'reminder', tone: 'friendly' },
        locale: 'sv',
        delivery: 'kivra',
        toAddress: null,
        rendered: { subject: 'Påminnelse', text: 'Hej!', html: '<p>Hej!</p>' },
        attachPdf: true,
        currency: 'SEK',
        amountDue: reminded.amount_remaining,
        feeAmount: 0,
        interestAmount: 0,
        businessTime: new Date('2026-11-25T09:00:00Z'),
        invoices: [{ invoiceId: reminded.id, amountRemaining: reminded.amount_remaining }],
        fallbackChannels: ['webhook'],
      }),
    );
    // Dunning to the end: a policy of one reminder and escalation, worked by the sweep.
    const policy = (await api('POST', '/v1/dunning-policies', {
      name: 'Kort',
      steps: [
        { key: 'r1', kind: 'reminder', offset: 1, offset_unit: 'days', tone: 'friendly', template: 'reminder', fee: false, attach_pdf: false },
        { key: 'esc', kind: 'escalation', offset: 10, offset_unit: 'days', tone: 'neutral', template: null, fee: false, attach_pdf: false },
      ],
    })).json.id;
    const late = (await api('POST', '/v1/customers', { name: 'Dan Dahl', national_id: '19811218-9876', dunning: { policy } })).json.id;
    await api('POST', '/v1/invoices', { customer: late, auto_finalize: true, payment_terms_days: 0, lines: [{ description: 'Konsult', unit_amount: 50000 }] });
    // An experiment started and stopped: experiment.created and experiment.stopped carry it.
    const experiment = (await api('POST', '/v1/experiments', { name: 'Ton', arms: [{ key: 'a', policy: null, tone: null }, { key: 'b', policy, tone: 'firm' }] })).json.id;
    await api('POST', `/v1/experiments/${experiment}/stop`, { winner: 'b' });
    for (const days of [2, 12]) {
      clock.set(new Date(Date.parse('2026-11-25T09:00:00Z') + days * 86_400_000));
      await services.dunning.sweep();
    }
    // Reminded, escalated and late: the churn risk pass moves Dan Dahl's level (customer.churn_risk_changed).
    await services.churnRisk.pass();
    clock.set('2026-11-25T09:00:00Z');
    // A payment plan made and canceled, and one paid off.
    const planner = (await api('POST', '/v1/customers', { name: 'Eva Ek' })).json.id;
    const plannedInvoice = async () => (await api('POST', '/v1/invoices', { customer: planner, auto_finalize: true, lines: [{ description: 'Konsult', unit_amount: 50000 }] })).json.id;
    const canceled = (await api('POST', '/v1/payment-plans', { customer: planner, invoices: [await plannedInvoice()], instalments: 2 })).json;
    await api('POST', `/v1/payment-plans/${canceled.id}/cancel`);
    const paidOff = (await api('POST', '/v1/payment-plans', { customer: planner, invoices: [await plannedInvoice()], instalments: 2 })).json;
    for (const i of paidOff.instalments) await api('POST', `/v1/invoices/${i.invoice}/pay`, {});
    await services.paymentPlans.sweep();
    const ajv = new Ajv2020({ strict: false, allErrors: true });
    addFormats(ajv);
    ajv.addSchema({ $id: 'https://omtanke.test/doc', components: doc.components });
    const validate = ajv.compile({ $ref: 'https://omtanke.test/doc#/components/schemas/Event' });
    const events: Json[] = [];
    for (let after: string | undefined; ; ) {
      const page = (await api('GET', `/v1/events?limit=100${after ? `&starting_after=${after}` : ''}`)).json;
      events.push(...page.data);
      if (!page.has_more) break;
      after = page.data.at(-1).id;
    }
    const types = new Set(events.map((e) => e.type));
    for (const type of ['customer.created', 'customer.updated', 'product.created', 'price.created', 'subscription.created', 'invoice.created', 'invoice.finalized', 'credit_note.created', 'invoice.credited', 'reminder.requested', 'reminder.sent', 'invoice.in_collection', 'collection.escalated', 'payment_plan.created', 'payment_plan.canceled', 'payment_plan.completed', 'invoice.voided', 'experiment.created', 'experiment.stopped', 'customer.churn_risk_changed']) {
      t.ok(types.has(type), `recorded a ${type}`);
    }
    const wrong = events.filter((e): boolean => !validate(e)).map((e) => `${e.type}: ${ajv.errorsText(validate.errors).slice(0, 300)}`);
    t.same(wrong, [], `${events.length} events match their schema`);
  });
});
