// The built-in templates render in strict mode for every template, locale and tone against every
// kind of context and say what the customer needs; the checker refuses what a reminder lacks.
import t from 'tap';
import { writeFileSync } from 'node:fs';
import { TEMPLATE_NAMES, TONES, type TemplateName } from '../../src/domain/dunning-policy.ts';
import { LOCALES, defaultTemplate, type Locale } from '../../src/modules/templates/defaults.ts';
import { checkTemplate, renderReminder } from '../../src/modules/templates/render.ts';
import { buildReminderContext, type PaymentMethodType, type ReminderContextInput } from '../../src/modules/templates/context-build.ts';

const MERCHANT = { name: 'Acme', legalName: 'Acme Prenumerationer AB', contactEmail: 'faktura@acme.example', contactPhone: '08-123 456 78', bankgiro: '5050-1055', swishNumber: '1231181189' };
const INV_A = { id: 'in_A', number: '2026-0042', issueDate: '2026-11-06', dueDate: '2026-12-06', amountRemaining: 123450, ocrReference: '4242000117', currency: 'SEK' };
const INV_B = { id: 'in_B', number: '2026-0031', issueDate: '2026-10-06', dueDate: '2026-11-06', amountRemaining: 19900, ocrReference: '3131000125', currency: 'SEK' };

function input(locale: Locale, name: TemplateName, over: Partial<ReminderContextInput> = {}): ReminderContextInput {
  return {
    locale,
    tone: 'friendly',
    step: { key: name, kind: name },
    customer: { name: 'Anna Andersson' },
    merchant: MERCHANT,
    invoices: [INV_A],
    feeOre: null,
    interestOre: null,
    interestRateBp: null,
    paymentMethod: 'bankgiro',
    payLinkPattern: null,
    helpPaymentPlan: true,
    ...over,
  };
}

const METHODS: PaymentMethodType[] = ['bankgiro', 'swish', 'autogiro', 'card', 'e_invoice'];
const VARIANTS: Array<[string, Partial<ReminderContextInput>]> = [
  ['one invoice, no fee or interest', {}],
  ['several invoices', { invoices: [INV_A, INV_B] }],
  ['fee and interest', { feeOre: 6000, interestOre: 1234, interestRateBp: 1000 }],
  ['several invoices with fee, interest and a pay link', { invoices: [INV_B, INV_A], feeOre: 6000, interestOre: 1234, interestRateBp: 1000, payLinkPattern: 'https://pay.acme.example/{invoice_id}' }],
  ['a pay link', { payLinkPattern: 'https://pay.acme.example/{invoice_id}?ocr={ocr}' }],
  ['no contact details, no help plan, no OCR', { merchant: { name: 'Acme', bankgiro: '5050-1055' }, helpPaymentPlan: false, invoices: [{ ...INV_A, ocrReference: null }] }],
];

t.test('every default renders for every locale, tone, method and kind of context', async (t) => {
  let rendered = 0;
  for (const name of TEMPLATE_NAMES) {
    for (const locale of LOCALES) {
      for (const tone of TONES) {
        const tpl = defaultTemplate(name, locale, tone);
        t.same(checkTemplate(tpl, name), [], `${name}/${locale}/${tone} passes its own check`);
        for (const method of METHODS) {
          for (const [what, over] of VARIANTS) {
            const ctx = buildReminderContext(input(locale, name, { tone, paymentMethod: method, ...over }));
            const out = renderReminder(tpl, ctx);
            rendered++;
            const where = `${name}/${locale}/${tone}/${method}: ${what}`;
            for (const part of ['subject', 'html', 'text'] as const) t.ok(out[part].length > 0, `${where}: ${part}`);
            t.notMatch(out.subject, /\n/, `${where}: one-line subject`);
            for (const part of ['html', 'text'] as const) {
              const body = out[part];
              if (!body.includes(ctx.customer.name)) t.fail(`${where}: ${part} greets the customer`);
              if (!body.includes(ctx.amount_to_pay)) t.fail(`${where}: ${part} has the amount to pay`);
              for (const inv of ctx.invoices) {
                if (!body.includes(inv.number) || !body.includes(inv.due_date)) t.fail(`${where}: ${part} lists ${inv.number} with its due date`);
                if (ctx.invoices.length > 1 && !body.includes(inv.amount_remaining)) t.fail(`${where}: ${part} has each invoice's amount`);
                if (inv.ocr && !body.includes(inv.ocr)) t.fail(`${where}: ${part} has the OCR ${inv.ocr}`);
              }
              const manual = !['autogiro', 'card'].includes(method) || name === 'reminder' || name === 'final_reminder';
              if (manual && ctx.payment.bankgiro && !body.includes(ctx.payment.bankgiro)) t.fail(`${where}: ${part} has the bankgiro`);
              if (manual && ctx.payment.swish_number && !body.includes(ctx.payment.swish_number)) t.fail(`${where}: ${part} has the Swish number`);
              if (!manual && !/automati/i.test(body)) t.fail(`${where}: ${part} says the amount is drawn automatically`);
              if (ctx.fee && !body.includes(ctx.fee)) t.fail(`${where}: ${part} shows the fee`);
              if (!ctx.fee && /påminnelseavgift|reminder fee/i.test(body)) t.fail(`${where}: ${part} mentions no fee when there is none`);
              if (ctx.interest && !body.includes(ctx.interest)) t.fail(`${where}: ${part} shows the interest`);
              if (ctx.interest_rate && !body.includes(ctx.interest_rate)) t.fail(`${where}: ${part} states the interest rate`);
              if (ctx.interest_rate && !body.includes('räntelagen')) t.fail(`${where}: ${part} names räntelagen`);
              if (!ctx.interest_rate && /räntelagen/.test(body)) t.fail(`${where}: ${part} mentions interest when none is charged`);
              if (manual && ctx.payment.pay_link && !body.includes(part === 'html' ? ctx.payment.pay_link.replaceAll('=', '&#x3D;') : ctx.payment.pay_link)) t.fail(`${where}: ${part} has the pay link`);
              if (/\{\{|\}\}|undefined|null|\[object/.test(body)) t.fail(`${where}: ${part} has leftovers`);
              if (/inkasso|collection/i.test(body) !== (name === 'final_reminder')) t.fail(`${where}: ${part} mentions collection only in the final reminder`);
              if ((name === 'due_date' || name === 'reminder') && !/redan (har )?betalat|already paid/.test(body)) t.fail(`${where}: ${part} thanks those who already paid`);
              if (/Kronofogden|avstäng|cut off|terminat|rättsliga|legal action/i.test(body)) t.fail(`${where}: ${part} threatens`);
            }
            if (ctx.help.payment_plan && name !== 'pre_due' && !/avbetalningsplan|payment plan/.test(out.text)) t.fail(`${where}: offers a payment plan`);
            if (method === 'swish' && ctx.payment.swish_qr && !out.html.includes(`data-swish-qr="${ctx.payment.swish_qr}"`)) t.fail(`${where}: carries the Swish QR payload`);
          }
        }
      }
    }
  }
  t.equal(rendered, 4 * 2 * 3 * METHODS.length * VARIANTS.length);
});

t.test('context: money, dates, order, Swish payload and pay link', async (t) => {
  const ctx = buildReminderContext(input('sv', 'final_reminder', { invoices: [INV_A, INV_B], feeOre: 6000, interestOre: 1234, interestRateBp: 1000, payLinkPattern: 'https://pay.acme.example/{invoice_id}' }));
  t.same(ctx.invoices.map((i) => i.number), ['2026-0031', '2026-0042'], 'earliest due first');
  t.equal(ctx.invoice.number, '2026-0031');
  t.equal(ctx.total, '1\u00a0433,50\u00a0kr');
  t.equal(ctx.amount_to_pay, '1\u00a0505,84\u00a0kr');
  t.equal(ctx.fee, '60,00\u00a0kr');
  t.equal(ctx.interest_rate, '10,00\u00a0%');
  t.equal(ctx.merchant.name, 'Acme Prenumerationer AB', 'the legal name');
  t.equal(ctx.payment.swish_qr, null, 'one QR cannot pay several invoices');
  t.equal(ctx.payment.pay_link, null, 'a per-invoice link would pay only one of several');
  const one = buildReminderContext(input('sv', 'reminder', { feeOre: 6000, payLinkPattern: 'https://pay.acme.example/{invoice_id}?ocr={ocr}&n={number}' }));
  t.equal(one.payment.swish_qr, 'C1231181189;1294,50;4242000117;0');
  t.equal(one.payment.swish_number, '123 118 11 89');
  t.equal(one.payment.pay_link, 'https://pay.acme.example/in_A?ocr=4242000117&n=2026-0042');
  t.equal(one.invoice.due_date, '2026-12-06');
  const en = buildReminderContext(input('en', 'reminder', { interestRateBp: 1050 }));
  t.equal(en.amount_to_pay, 'SEK\u00a01,234.50');
  t.equal(en.invoice.due_date, '6 Dec 2026');
  t.equal(en.interest_rate, '10.50%');
  for (const bad of ['javascript:alert(1)//{ocr}', '/relative/{ocr}', 'not a url']) {
    t.equal(buildReminderContext(input('sv', 'reminder', { payLinkPattern: bad })).payment.pay_link, null, `no link from ${bad}`);
  }
  t.equal(buildReminderContext(input('sv', 'reminder', { payLinkPattern: 'https://pay.acme.example/x/{number}' , invoices: [{ ...INV_A, number: 'A/1 ?&' }] })).payment.pay_link, 'https://pay.acme.example/x/A%2F1%20%3F%26', 'values are URL-encoded');
  t.throws(() => buildReminderContext(input('sv', 'reminder', { invoices: [] })), RangeError);
  t.throws(() => buildReminderContext(input('sv', 'reminder', { invoices: [INV_A, { ...INV_B, currency: 'EUR' }] })), RangeError);
});

t.test('odd customer names are escaped in HTML and kept as they are in text', async (t) => {
  for (const name of ['<script>alert(1)</script>', 'Åsa "Kalle" O\'Brien & Söner', 'Emoji 😀👩🏽‍💻 Björk', '{{customer.name}}', 'שלום \u202e right-to-left']) {
    for (const locale of LOCALES) {
      const ctx = buildReminderContext(input(locale, 'final_reminder', { customer: { name }, feeOre: 6000 }));
      const out = renderReminder(defaultTemplate('final_reminder', locale, 'friendly'), ctx);
      t.notOk(out.html.includes('<script>'), `${name}: no raw tag in HTML`);
      t.ok(out.html.includes(name.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('"', '&quot;').replaceAll("'", '&#x27;')), `${name}: escaped in HTML`);
      t.ok(out.text.includes(name), `${name}: as is in text`);
      t.ok(out.subject.length > 0);
    }
  }
  const ctx = buildReminderContext(input('sv', 'reminder', { customer: { name: 'Anna\r\nBcc: x@example.se' } }));
  const out = renderReminder({ subject: 'Till {{customer.name}}', html: '<p>{{customer.name}}</p>', text: '{{customer.name}}' }, ctx);
  t.equal(out.subject, 'Till Anna Bcc: x@example.se', 'a subject is one line');
});

t.test('checkTemplate refuses what a reminder does not have', async (t) => {
  const ok = { subject: 'Påminnelse {{invoice.number}}', html: '<p>{{customer.name}}</p>', text: '{{customer.name}}' };
  t.same(checkTemplate(ok), []);
  const fine = [
    '{{#each invoices}}{{number}} {{this.due_date}} {{@index}} {{../customer.name}} {{@root.total}}{{#if @first}}!{{/if}}{{/each}}',
    '{{#each invoices as |inv i|}}{{inv.number}} {{i}} {{inv.ocr}}{{else}}inga{{/each}}',
    '{{#with payment}}{{bankgiro}} {{../customer.name}}{{/with}}',
    '{{#if (and fee (eq payment.method "swish"))}}x{{else if interest}}y{{/if}}{{#unless fee}}z{{/unless}}',
    '{{#if-tone "friendly" "neutral"}}Hej!{{else}}Hej,{{/if-tone}} {{invoices.length}}',
    '{{#> layout}}{{> invoices}}{{> payment}}{{> help}}{{> interest_note}}{{> signature}}{{/layout}}',
    '{{!-- a comment --}}{{! another }}',
  ];
  for (const html of fine) t.same(checkTemplate({ ...ok, html }), [], html);
  const bad: Array<[string, RegExp]> = [
    ['{{customer.nmae}}', /unknown variable "customer\.nmae"/],
    ['{{customr.name}}', /unknown variable "customr\.name"/],
    ['{{#each invoices}}{{numbr}}{{/each}}', /unknown variable "numbr"/],
    ['{{#each invoices}}{{customer.name}}{{/each}}', /unknown variable "customer\.name"/],
    ['{{#each invoices as |inv|}}{{inv.amount}}{{/each}}', /unknown variable "inv\.amount"/],
    ['{{../customer.name}}', /above the top/],
    ['{{@index}}', /only known inside/],
    ['{{@root.secret}}', /unknown variable "@root\.secret"/],
    ['{{#each customer}}x{{/each}}', /needs a list/],
    ['{{#if (eqq fee 1)}}x{{/if}}', /unknown helper "eqq"/],
    ['{{#iff fee}}x{{/iff}}', /unknown block helper "iff"/],
    ['{{#if-tone "angry"}}x{{/if-tone}}', /tones in quotes/],
    ['{{lookup invoices 0}}', /unknown helper "lookup"/],
    ['{{log customer.name}}', /unknown helper "log"/],
    ['{{{customer.name}}}', /without HTML escaping/],
    ['{{& customer.name}}', /without HTML escaping/],
    ['{{customer}}', /an object/],
    ['{{invoices}}', /a list/],
    ['{{customer.name.length}}', /unknown variable/],
    ['{{constructor}}', /unknown variable "constructor"/],
    ['{{__proto__.polluted}}', /unknown variable/],
    ['{{> pay_bankgiro}}', /unknown partial/],
    ['{{> (lookup . "x")}}', /unknown partial "dynamic"/],
    ['{{#each invoices}}{{> payment}}{{/each}}', /outside/],
    ['{{eq fee}}', /takes 2–2 arguments/],
    ['{{#each invoices}}{{#each ../invoices}}{{#each ../../invoices}}x{{/each}}{{/each}}{{/each}}', /nested more than 2/],
    ['{{#if fee}}x', /not a valid template/],
    ['{{customer.name}', /not a valid template/],
    ['{{#if fee}}x{{/each}}', /not a valid template/],
    ['{{*decorator}}', /not allowed/],
    ['{{"literal"}}', /literal/],
  ];
  for (const [html, message] of bad) {
    const problems = checkTemplate({ ...ok, html });
    t.equal(problems[0]?.field, 'html', html);
    t.match(problems[0]?.message, message, html);
  }
  t.match(checkTemplate({ ...ok, subject: 'Hej {{custmer.name}}' }), [{ field: 'subject', message: /custmer/ }]);
  t.match(checkTemplate({ ...ok, text: '{{#each invoices}}{{nummer}}{{/each}}' }), [{ field: 'text', message: /nummer/ }]);
  t.same(checkTemplate({ ...ok, text: '{{{customer.name}}}' }), [], 'text is never HTML-escaped, so {{{ }}} is harmless there');
  t.ok(checkTemplate({ ...ok, html: '{{#if fee}}'.repeat(20) + 'x' + '{{/if}}'.repeat(20) }).some((p) => /nested more than/.test(p.message)), 'deep nesting');
});

t.test('read by a person: the sv friendly final reminder (HTML) and due-date note (text)', async (t) => {
  const final = renderReminder(
    defaultTemplate('final_reminder', 'sv', 'friendly'),
    buildReminderContext(input('sv', 'final_reminder', { customer: { name: 'Anna Andersson' }, feeOre: 6000, interestOre: 1234, interestRateBp: 1000, paymentMethod: 'swish', payLinkPattern: 'https://pay.acme.example/{invoice_id}' })),
  );
  writeFileSync('/tmp/reminder-sv.html', final.html);
  const due = renderReminder(defaultTemplate('due_date', 'sv', 'friendly'), buildReminderContext(input('sv', 'due_date', { interestRateBp: 1000 })));
  writeFileSync('/tmp/reminder-sv.txt', `Ämne: ${due.subject}\n\n${due.text}`);
  t.match(final.subject, /påminnelse/i);
  t.match(due.text, /Har du redan betalat\? Då kan du bortse från det här meddelandet – och tack för din betalning!/);
});
