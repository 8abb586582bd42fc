// The built-in reminder templates: every TemplateName × locale × tone as one {subject, html, text}.
//
// Each message is its own wording (greeting, opening paragraphs, what happens next) around shared
// partials per locale: the invoice list with fee and interest, how to pay by the customer's method,
// the offer of help, the interest note (räntelagen) and the signature. A merchant's override may
// call the same partials ({{> payment}}), so it only needs to write its own words.
//
// The tone: friendly is warm, neutral is plain, firm is short and factual; none threatens, all offer
// help, and every message that can cross a payment thanks the customer who already paid.
import { TEMPLATE_NAMES, TONES, type TemplateName, type Tone } from '../../domain/dunning-policy.ts';

export const LOCALES = ['sv', 'en'] as const;
export type Locale = (typeof LOCALES)[number];
export type TemplateParts = { subject: string; html: string; text: string };

// Partials a template may call, the same names in HTML and in text (each part gets its own kind).
export const PARTIAL_NAMES = ['layout', 'invoices', 'payment', 'help', 'interest_note', 'signature'] as const;
// Used inside the partials only.
const INNER_PARTIALS = ['pay_bankgiro', 'pay_swish', 'pay_ways'] as const;
export type PartialName = (typeof PARTIAL_NAMES)[number] | (typeof INNER_PARTIALS)[number];

const FONT = 'font-family:Arial,Helvetica,sans-serif;';
const P = 'style="margin:0 0 16px 0;"';
const SMALL = `style="margin:0 0 16px 0;font-size:13px;color:#555555;"`;
const CELL = 'padding:6px 0;border-bottom:1px solid #eeeeee;';
const LABEL = `style="${CELL}color:#555555;"`;
const VALUE = `style="${CELL}text-align:right;"`;
const BOX = `style="margin:0 0 16px 0;padding:12px 16px;background:#f4f7f6;border-radius:6px;"`;
const AUTOMATIC = '(or (eq payment.method "autogiro") (eq payment.method "card"))';
const NOT_YET_LATE = '(or (eq step.kind "pre_due") (eq step.kind "due_date"))';
// Before the due date the customer has not missed anything: offer help with questions, not a plan.
const PLAN = '(and help.payment_plan (ne step.kind "pre_due"))';

type Words = {
  // Table labels and sentences the partials use.
  invoice: string;
  dueDate: string;
  ocr: string;
  amount: string;
  fee: string;
  interest: string;
  toPay: string;
  payNow: string;
  bankgiro: string;
  swish: string;
  reference: string;
  referenceByInvoice: string;
  message: string;
  howToPay: string;
  automaticBefore: string;
  automaticFailed: string;
  eInvoice: string;
  helpPlan: string;
  helpQuestions: string;
  contact: string;
  interestBefore: string;
  interestAfter: string;
  regards: Record<Tone, string>;
  footer: string;
};

const WORDS: Record<Locale, Words> = {
  sv: {
    invoice: 'Faktura',
    dueDate: 'Förfallodag',
    ocr: 'OCR-nummer',
    amount: 'Belopp',
    fee: 'Påminnelseavgift',
    interest: 'Dröjsmålsränta',
    toPay: 'Att betala',
    payNow: 'Betala nu',
    bankgiro: 'Bankgiro',
    swish: 'Swish',
    reference: 'Ange fakturanumret {{invoice.number}} som meddelande.',
    referenceByInvoice: 'Betala gärna varje faktura för sig med dess OCR-nummer (eller fakturanummer), så hamnar pengarna rätt.',
    message: 'Meddelande',
    howToPay: 'Så betalar du',
    automaticBefore:
      'Du behöver inte göra något: beloppet dras automatiskt {{#if (eq payment.method "autogiro")}}via autogiro{{else}}från ditt kort{{/if}} på förfallodagen. Se bara till att det finns täckning.',
    automaticFailed:
      'Vi har inte lyckats dra beloppet automatiskt {{#if (eq payment.method "autogiro")}}via autogiro{{else}}från ditt kort{{/if}}. Du kan i stället betala på något av sätten nedan.',
    eInvoice: 'Fakturan finns som e-faktura i din internetbank. Du kan också betala på något av sätten nedan.',
    helpPlan:
      'Är det svårt att betala just nu? Det kan hända vem som helst, och vi hjälper gärna till. Hör av dig så kan vi till exempel dela upp beloppet i en avbetalningsplan.',
    helpQuestions: 'Har du frågor om fakturan, eller stämmer något inte? Hör av dig så hjälper vi dig.',
    contact:
      '{{#if merchant.email}}Du når oss på {{merchant.email}}{{#if merchant.phone}} eller {{merchant.phone}}{{/if}}.{{else}}{{#if merchant.phone}}Du når oss på {{merchant.phone}}.{{/if}}{{/if}}',
    interestBefore: 'Vid betalning efter förfallodagen debiteras dröjsmålsränta med {{interest_rate}} per år enligt räntelagen.',
    interestAfter: 'Enligt räntelagen debiteras dröjsmålsränta med {{interest_rate}} per år från förfallodagen tills betalningen kommer in.',
    regards: { friendly: 'Vänliga hälsningar', neutral: 'Vänliga hälsningar', firm: 'Med vänlig hälsning' },
    footer: 'Du får det här meddelandet eftersom du har en faktura från {{merchant.name}}.',
  },
  en: {
    invoice: 'Invoice',
    dueDate: 'Due date',
    ocr: 'OCR reference',
    amount: 'Amount',
    fee: 'Reminder fee',
    interest: 'Late payment interest',
    toPay: 'To pay',
    payNow: 'Pay now',
    bankgiro: 'Bankgiro',
    swish: 'Swish',
    reference: 'Please give the invoice number {{invoice.number}} as the message.',
    referenceByInvoice: 'Please pay each invoice separately with its own OCR reference (or invoice number), so the payment reaches the right invoice.',
    message: 'Message',
    howToPay: 'How to pay',
    automaticBefore:
      'There is nothing you need to do: the amount will be drawn automatically {{#if (eq payment.method "autogiro")}}by autogiro (direct debit){{else}}from your card{{/if}} on the due date. Just make sure the funds are available.',
    automaticFailed:
      'We have not been able to draw the amount automatically {{#if (eq payment.method "autogiro")}}by autogiro (direct debit){{else}}from your card{{/if}}. You can pay in one of the ways below instead.',
    eInvoice: 'The invoice is in your online bank as an e-invoice. You can also pay in one of the ways below.',
    helpPlan:
      'Is paying difficult right now? It can happen to anyone, and we are happy to help. Get in touch and we can, for example, split the amount into a payment plan.',
    helpQuestions: 'Do you have questions about the invoice, or does something look wrong? Get in touch and we will help.',
    contact:
      '{{#if merchant.email}}You can reach us at {{merchant.email}}{{#if merchant.phone}} or {{merchant.phone}}{{/if}}.{{else}}{{#if merchant.phone}}You can reach us at {{merchant.phone}}.{{/if}}{{/if}}',
    interestBefore: 'If payment is made after the due date, late payment interest of {{interest_rate}} a year is charged under the Swedish Interest Act (räntelagen).',
    interestAfter: 'Late payment interest of {{interest_rate}} a year is charged under the Swedish Interest Act (räntelagen) from the due date until payment arrives.',
    regards: { friendly: 'Best wishes', neutral: 'Kind regards', firm: 'Kind regards' },
    footer: 'You are receiving this message because you have an invoice from {{merchant.name}}.',
  },
};

type Kind = 'html' | 'text';

function htmlPartials(w: Words): Record<PartialName, string> {
  const row = (label: string, value: string, strong = false) =>
    strong
      ? `<tr><td style="padding:8px 0 0 0;font-weight:bold;">${label}</td><td style="padding:8px 0 0 0;text-align:right;font-weight:bold;">${value}</td></tr>`
      : `<tr><td ${LABEL}>${label}</td><td ${VALUE}>${value}</td></tr>`;
  const extras =
    `{{#if fee}}${row(w.fee, '{{fee}}')}{{/if}}` +
    `{{#if interest}}${row(`${w.interest}{{#if interest_rate}} ({{interest_rate}}){{/if}}`, '{{interest}}')}{{/if}}` +
    row(w.toPay, '{{amount_to_pay}}', true);
  const table = (rows: string) =>
    `<table role="presentation" width="100%" cellpadding="0" cellspacing="0" style="margin:0 0 20px 0;border-collapse:collapse;font-size:15px;">\n${rows}\n</table>`;
  return {
    layout: [
      '<!DOCTYPE html>',
      '<html lang="{{locale}}">',
      '<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>{{merchant.name}}</title></head>',
      `<body style="margin:0;padding:0;background:#f4f4f2;">`,
      `<table role="presentation" width="100%" cellpadding="0" cellspacing="0" style="background:#f4f4f2;"><tr><td align="center" style="padding:24px 12px;">`,
      `<table role="presentation" width="100%" cellpadding="0" cellspacing="0" style="max-width:560px;background:#ffffff;border-radius:8px;">`,
      `<tr><td style="padding:28px 28px 12px 28px;${FONT}font-size:16px;line-height:1.5;color:#222222;">`,
      '{{> @partial-block}}',
      '</td></tr>',
      '</table>',
      `<p style="margin:16px 0 0 0;${FONT}font-size:12px;line-height:1.4;color:#777777;">${w.footer}</p>`,
      '</td></tr></table>',
      '</body>',
      '</html>',
    ].join('\n'),
    invoices: [
      '{{#if (eq invoices.length 1)}}',
      table(
        [
          row(w.invoice, '{{invoice.number}}'),
          row(w.dueDate, '{{invoice.due_date}}'),
          `{{#if invoice.ocr}}${row(w.ocr, '{{invoice.ocr}}')}{{/if}}`,
          `{{#if (or fee interest)}}${row(w.amount, '{{invoice.amount_remaining}}')}{{/if}}`,
          extras,
        ].join('\n'),
      ),
      '{{else}}',
      table(
        [
          `<tr><th align="left" style="${CELL}font-weight:normal;color:#555555;">${w.invoice}</th><th align="left" style="${CELL}font-weight:normal;color:#555555;">${w.dueDate}</th><th align="left" style="${CELL}font-weight:normal;color:#555555;">${w.ocr}</th><th align="right" style="${CELL}font-weight:normal;color:#555555;">${w.amount}</th></tr>`,
          `{{#each invoices}}<tr><td style="${CELL}">{{number}}</td><td style="${CELL}">{{due_date}}</td><td style="${CELL}">{{#if ocr}}{{ocr}}{{else}}–{{/if}}</td><td style="${CELL}text-align:right;">{{amount_remaining}}</td></tr>{{/each}}`,
          `{{#if fee}}<tr><td colspan="3" ${LABEL}>${w.fee}</td><td ${VALUE}>{{fee}}</td></tr>{{/if}}`,
          `{{#if interest}}<tr><td colspan="3" ${LABEL}>${w.interest}{{#if interest_rate}} ({{interest_rate}}){{/if}}</td><td ${VALUE}>{{interest}}</td></tr>{{/if}}`,
          `<tr><td colspan="3" style="padding:8px 0 0 0;font-weight:bold;">${w.toPay}</td><td style="padding:8px 0 0 0;text-align:right;font-weight:bold;">{{amount_to_pay}}</td></tr>`,
        ].join('\n'),
      ),
      '{{/if}}',
    ].join('\n'),
    payment: [
      `{{#if ${AUTOMATIC}}}`,
      `{{#if ${NOT_YET_LATE}}}<p ${P}>${w.automaticBefore}</p>{{else}}<p ${P}>${w.automaticFailed}</p>\n{{> pay_ways}}{{/if}}`,
      '{{else}}',
      `{{#if (eq payment.method "e_invoice")}}<p ${P}>${w.eInvoice}</p>{{/if}}`,
      '{{> pay_ways}}',
      '{{/if}}',
    ].join('\n'),
    pay_ways: [
      `{{#if (or payment.pay_link payment.bankgiro payment.swish_number)}}<p style="margin:8px 0 12px 0;"><strong>${w.howToPay}</strong></p>{{/if}}`,
      `{{#unless (eq invoices.length 1)}}<p ${P}>${w.referenceByInvoice}</p>{{/unless}}`,
      `{{#if payment.pay_link}}<p style="margin:0 0 20px 0;"><a href="{{payment.pay_link}}" style="display:inline-block;padding:12px 24px;background:#1f6f5c;color:#ffffff;text-decoration:none;border-radius:6px;font-weight:bold;">${w.payNow}</a></p>{{/if}}`,
      '{{#if (eq payment.method "swish")}}{{> pay_swish}}{{> pay_bankgiro}}{{else}}{{> pay_bankgiro}}{{> pay_swish}}{{/if}}',
    ].join('\n'),
    pay_bankgiro: [
      `{{#if payment.bankgiro}}<div ${BOX}>`,
      `<strong>${w.bankgiro}</strong> {{payment.bankgiro}}`,
      `{{#if (eq invoices.length 1)}}<br>{{#if payment.ocr}}${w.ocr}: <strong>{{payment.ocr}}</strong>{{else}}${w.reference}{{/if}}<br>\n${w.amount}: {{amount_to_pay}}{{/if}}`,
      '</div>{{/if}}',
    ].join('\n'),
    pay_swish: [
      `{{#if payment.swish_number}}<div ${BOX}>`,
      `<strong>${w.swish}</strong> {{payment.swish_number}}`,
      `{{#if (eq invoices.length 1)}}<br>${w.message}: {{#if payment.ocr}}{{payment.ocr}}{{else}}{{invoice.number}}{{/if}}<br>\n${w.amount}: {{amount_to_pay}}{{/if}}`,
      // The QR payload for whoever turns it into an image (the e-mail sender); not shown as text.
      '{{#if payment.swish_qr}}<div data-swish-qr="{{payment.swish_qr}}"></div>{{/if}}',
      '</div>{{/if}}',
    ].join('\n'),
    help: `<p ${P}>{{#if ${PLAN}}}${w.helpPlan}{{else}}${w.helpQuestions}{{/if}} ${w.contact}</p>`,
    interest_note: `{{#if interest_rate}}<p ${SMALL}>{{#if ${NOT_YET_LATE}}}${w.interestBefore}{{else}}${w.interestAfter}{{/if}}</p>{{/if}}`,
    signature: `<p style="margin:24px 0 16px 0;">{{#if-tone "firm"}}${w.regards.firm}{{else}}{{#if-tone "friendly"}}${w.regards.friendly}{{else}}${w.regards.neutral}{{/if-tone}}{{/if-tone}}<br>{{merchant.name}}</p>`,
  };
}

function textPartials(w: Words): Record<PartialName, string> {
  const extras = [
    `{{#if fee}}`,
    `${w.fee}: {{fee}}`,
    `{{/if}}`,
    `{{#if interest}}`,
    `${w.interest}{{#if interest_rate}} ({{interest_rate}}){{/if}}: {{interest}}`,
    `{{/if}}`,
    `${w.toPay}: {{amount_to_pay}}`,
  ];
  return {
    layout: ['{{> @partial-block}}', '', '--', w.footer, ''].join('\n'),
    invoices: [
      '{{#if (eq invoices.length 1)}}',
      `${w.invoice}: {{invoice.number}}`,
      `${w.dueDate}: {{invoice.due_date}}`,
      '{{#if invoice.ocr}}',
      `${w.ocr}: {{invoice.ocr}}`,
      '{{/if}}',
      '{{#if (or fee interest)}}',
      `${w.amount}: {{invoice.amount_remaining}}`,
      '{{/if}}',
      '{{else}}',
      '{{#each invoices}}',
      `- ${w.invoice} {{number}}, ${w.dueDate.toLowerCase()} {{due_date}}{{#if ocr}}, ${w.ocr} {{ocr}}{{/if}}: {{amount_remaining}}`,
      '{{/each}}',
      '{{/if}}',
      ...extras,
      '',
      '',
    ].join('\n'),
    payment: [
      `{{#if ${AUTOMATIC}}}`,
      `{{#if ${NOT_YET_LATE}}}`,
      w.automaticBefore,
      '',
      '{{else}}',
      w.automaticFailed,
      '',
      '{{> pay_ways}}',
      '{{/if}}',
      '{{else}}',
      '{{#if (eq payment.method "e_invoice")}}',
      w.eInvoice,
      '',
      '{{/if}}',
      '{{> pay_ways}}',
      '{{/if}}',
    ].join('\n'),
    pay_ways: [
      '{{#if (or payment.pay_link payment.bankgiro payment.swish_number)}}',
      `${w.howToPay}:`,
      '',
      '{{/if}}',
      '{{#unless (eq invoices.length 1)}}',
      w.referenceByInvoice,
      '',
      '{{/unless}}',
      '{{#if payment.pay_link}}',
      `${w.payNow}: {{payment.pay_link}}`,
      '',
      '{{/if}}',
      '{{#if (eq payment.method "swish")}}',
      '{{> pay_swish}}',
      '{{> pay_bankgiro}}',
      '{{else}}',
      '{{> pay_bankgiro}}',
      '{{> pay_swish}}',
      '{{/if}}',
    ].join('\n'),
    pay_bankgiro: [
      '{{#if payment.bankgiro}}',
      `${w.bankgiro}: {{payment.bankgiro}}`,
      '{{#if (eq invoices.length 1)}}',
      `{{#if payment.ocr}}${w.ocr}: {{payment.ocr}}{{else}}${w.reference}{{/if}}`,
      `${w.amount}: {{amount_to_pay}}`,
      '{{/if}}',
      '',
      '{{/if}}',
    ].join('\n'),
    pay_swish: [
      '{{#if payment.swish_number}}',
      `${w.swish}: {{payment.swish_number}}`,
      '{{#if (eq invoices.length 1)}}',
      `${w.message}: {{#if payment.ocr}}{{payment.ocr}}{{else}}{{invoice.number}}{{/if}}`,
      `${w.amount}: {{amount_to_pay}}`,
      '{{/if}}',
      '',
      '{{/if}}',
    ].join('\n'),
    help: [`{{#if ${PLAN}}}${w.helpPlan}{{else}}${w.helpQuestions}{{/if}} ${w.contact}`, '', ''].join('\n'),
    interest_note: ['{{#if interest_rate}}', `{{#if ${NOT_YET_LATE}}}${w.interestBefore}{{else}}${w.interestAfter}{{/if}}`, '', '', '{{/if}}'].join('\n'),
    signature: [
      `{{#if-tone "firm"}}${w.regards.firm}{{else}}{{#if-tone "friendly"}}${w.regards.friendly}{{else}}${w.regards.neutral}{{/if-tone}}{{/if-tone}}`,
      '{{merchant.name}}',
      '',
    ].join('\n'),
  };
}

export const PARTIALS: Record<Locale, Record<Kind, Record<PartialName, string>>> = {
  sv: { html: htmlPartials(WORDS.sv), text: textPartials(WORDS.sv) },
  en: { html: htmlPartials(WORDS.en), text: textPartials(WORDS.en) },
};

// The wording of one message: subject, greeting, the opening paragraphs (before the invoice list)
// and the closing ones (after how to pay). Plain text with {{ }}: the same words serve HTML and text.
type Message = { subject: string; greeting: string; opening: string[]; closing: string[] };

const ONE = '{{#if (eq invoices.length 1)}}';
const ALREADY_PAID_SV = 'Har du redan betalat? Då kan du bortse från det här meddelandet – och tack för din betalning!';
const ALREADY_PAID_EN = 'If you have already paid, please disregard this message – and thank you for your payment!';

const MESSAGES: Record<Locale, Record<TemplateName, Record<Tone, Message>>> = {
  sv: {
    pre_due: {
      friendly: {
        subject: 'Snart dags att betala faktura {{invoice.number}}',
        greeting: 'Hej {{customer.name}}!',
        opening: ['Här kommer en liten påminnelse om att faktura {{invoice.number}} på {{amount_to_pay}} förfaller till betalning den {{invoice.due_date}}.'],
        closing: ['Tack för att du är kund hos oss!'],
      },
      neutral: {
        subject: 'Faktura {{invoice.number}} förfaller den {{invoice.due_date}}',
        greeting: 'Hej {{customer.name}},',
        opening: ['Faktura {{invoice.number}} på {{amount_to_pay}} förfaller till betalning den {{invoice.due_date}}.'],
        closing: [],
      },
      firm: {
        subject: 'Faktura {{invoice.number}} förfaller den {{invoice.due_date}}',
        greeting: 'Hej {{customer.name}},',
        opening: ['Vi påminner om att faktura {{invoice.number}} på {{amount_to_pay}} ska vara betald senast den {{invoice.due_date}}.'],
        closing: [],
      },
    },
    due_date: {
      friendly: {
        subject: 'En vänlig påminnelse om faktura {{invoice.number}}',
        greeting: 'Hej {{customer.name}}!',
        opening: [
          `Vi vill bara påminna om att ${ONE}faktura {{invoice.number}} på {{invoice.amount_remaining}}{{else}}fakturorna nedan{{/if}} har förfallodag i dag, och vi har ännu inte sett någon betalning. Det är lätt hänt att en faktura glöms bort, så här kommer allt du behöver för att betala. Påminnelsen är förstås kostnadsfri.`,
        ],
        closing: [ALREADY_PAID_SV],
      },
      neutral: {
        subject: 'Påminnelse: faktura {{invoice.number}} förfaller i dag',
        greeting: 'Hej {{customer.name}},',
        opening: [`${ONE}Faktura {{invoice.number}} på {{invoice.amount_remaining}} har{{else}}Fakturorna nedan har{{/if}} förfallodag i dag, och vi har ännu inte registrerat någon betalning.`],
        closing: ['Om du redan har betalat kan du bortse från det här meddelandet. Tack!'],
      },
      firm: {
        subject: 'Faktura {{invoice.number}} förfaller i dag',
        greeting: 'Hej {{customer.name}},',
        opening: [`${ONE}Faktura {{invoice.number}} på {{invoice.amount_remaining}} förfaller i dag och är ännu obetald{{else}}Fakturorna nedan förfaller i dag och är ännu obetalda{{/if}}. Vi ber dig betala i dag.`],
        closing: ['Om du redan har betalat kan du bortse från det här meddelandet. Tack!'],
      },
    },
    reminder: {
      friendly: {
        subject: `Påminnelse: ${ONE}faktura {{invoice.number}}{{else}}{{invoices.length}} obetalda fakturor{{/if}}`,
        greeting: 'Hej {{customer.name}}!',
        opening: [
          `${ONE}Vi har ännu inte fått betalt för faktura {{invoice.number}}, som förföll den {{invoice.due_date}}.{{else}}Vi har ännu inte fått betalt för fakturorna nedan.{{/if}} Det är lätt hänt att en faktura blir liggande, så vi hör av oss med en vänlig påminnelse. Den här påminnelsen kostar ingenting.`,
        ],
        closing: [ALREADY_PAID_SV],
      },
      neutral: {
        subject: `Påminnelse: ${ONE}faktura {{invoice.number}}{{else}}{{invoices.length}} obetalda fakturor{{/if}}`,
        greeting: 'Hej {{customer.name}},',
        opening: [
          `Enligt våra uppgifter är ${ONE}faktura {{invoice.number}}, som förföll den {{invoice.due_date}}, fortfarande obetald{{else}}fakturorna nedan fortfarande obetalda{{/if}}. Vi ber dig betala {{amount_to_pay}} så snart som möjligt.`,
        ],
        closing: ['Om du redan har betalat kan du bortse från det här meddelandet. Tack!'],
      },
      firm: {
        subject: `Påminnelse: ${ONE}faktura {{invoice.number}} är obetald{{else}}{{invoices.length}} obetalda fakturor{{/if}}`,
        greeting: 'Hej {{customer.name}},',
        opening: [`${ONE}Faktura {{invoice.number}} förföll till betalning den {{invoice.due_date}} och är fortfarande obetald.{{else}}Fakturorna nedan har förfallit och är fortfarande obetalda.{{/if}} Vi ber dig betala {{amount_to_pay}} snarast.`],
        closing: ['Om du redan har betalat kan du bortse från det här meddelandet.'],
      },
    },
    final_reminder: {
      friendly: {
        subject: `Andra påminnelsen: ${ONE}faktura {{invoice.number}}{{else}}{{invoices.length}} obetalda fakturor{{/if}}`,
        greeting: 'Hej {{customer.name}}!',
        opening: [
          `Vi har tidigare påmint om ${ONE}faktura {{invoice.number}}, som förföll den {{invoice.due_date}}{{else}}fakturorna nedan{{/if}}, men har ännu inte fått någon betalning. Det kan finnas många skäl till det, och vi vill gärna lösa det tillsammans med dig.`,
          '{{#if fee}}Enligt våra villkor tillkommer en påminnelseavgift på {{fee}}.{{/if}}',
        ],
        closing: [
          `Om ${ONE}fakturan förblir obetald{{else}}fakturorna förblir obetalda{{/if}} och vi inte hör något från dig kan ärendet komma att lämnas över till inkasso. Det vill vi helst undvika – hör därför gärna av dig om något är oklart, om något inte stämmer eller om du behöver mer tid.`,
          'Har du betalat de senaste dagarna? Då har våra meddelanden troligen korsat varandra och du kan bortse från det här. Tack!',
        ],
      },
      neutral: {
        subject: `Andra påminnelsen: ${ONE}faktura {{invoice.number}}{{else}}{{invoices.length}} obetalda fakturor{{/if}}`,
        greeting: 'Hej {{customer.name}},',
        opening: [
          `Trots tidigare påminnelse har vi inte fått betalt för ${ONE}faktura {{invoice.number}}, som förföll den {{invoice.due_date}}{{else}}fakturorna nedan{{/if}}. Vi ber dig betala {{amount_to_pay}} snarast.`,
          '{{#if fee}}Enligt våra villkor tillkommer en påminnelseavgift på {{fee}}.{{/if}}',
        ],
        closing: [
          `Om ${ONE}fakturan förblir obetald{{else}}fakturorna förblir obetalda{{/if}} kan ärendet komma att lämnas över till inkasso. Om du anser att något är felaktigt, eller om du behöver mer tid, ber vi dig kontakta oss innan dess.`,
          'Om du redan har betalat kan du bortse från det här meddelandet.',
        ],
      },
      firm: {
        subject: `Andra påminnelsen: ${ONE}faktura {{invoice.number}} är obetald{{else}}{{invoices.length}} obetalda fakturor{{/if}}`,
        greeting: 'Hej {{customer.name}},',
        opening: [
          `${ONE}Faktura {{invoice.number}}, som förföll den {{invoice.due_date}}, är fortfarande obetald{{else}}Fakturorna nedan är fortfarande obetalda{{/if}} trots tidigare påminnelse. Vi ber dig betala {{amount_to_pay}} omgående.`,
          '{{#if fee}}Enligt våra villkor tillkommer en påminnelseavgift på {{fee}}.{{/if}}',
        ],
        closing: [
          'Om betalningen uteblir kan ärendet komma att lämnas över till inkasso. Har du invändningar, kontakta oss så snart som möjligt så pausar vi ärendet medan vi ser över det.',
          'Om du redan har betalat kan du bortse från det här meddelandet.',
        ],
      },
    },
  },
  en: {
    pre_due: {
      friendly: {
        subject: 'Invoice {{invoice.number}} is due soon',
        greeting: 'Hi {{customer.name}},',
        opening: ['Just a quick note that invoice {{invoice.number}} for {{amount_to_pay}} is due on {{invoice.due_date}}.'],
        closing: ['Thank you for being our customer!'],
      },
      neutral: {
        subject: 'Invoice {{invoice.number}} is due on {{invoice.due_date}}',
        greeting: 'Hello {{customer.name}},',
        opening: ['Invoice {{invoice.number}} for {{amount_to_pay}} is due on {{invoice.due_date}}.'],
        closing: [],
      },
      firm: {
        subject: 'Invoice {{invoice.number}} is due on {{invoice.due_date}}',
        greeting: 'Dear {{customer.name}},',
        opening: ['This is a reminder that invoice {{invoice.number}} for {{amount_to_pay}} is to be paid by {{invoice.due_date}}.'],
        closing: [],
      },
    },
    due_date: {
      friendly: {
        subject: 'A friendly reminder about invoice {{invoice.number}}',
        greeting: 'Hi {{customer.name}},',
        opening: [
          `Just a friendly reminder that ${ONE}invoice {{invoice.number}} for {{invoice.amount_remaining}} is{{else}}the invoices below are{{/if}} due today, and we have not seen a payment yet. An invoice is easily forgotten, so here is everything you need to pay. This reminder is of course free of charge.`,
        ],
        closing: [ALREADY_PAID_EN],
      },
      neutral: {
        subject: 'Reminder: invoice {{invoice.number}} is due today',
        greeting: 'Hello {{customer.name}},',
        opening: [`${ONE}Invoice {{invoice.number}} for {{invoice.amount_remaining}} is{{else}}The invoices below are{{/if}} due today, and we have not yet received a payment.`],
        closing: ['If you have already paid, please disregard this message. Thank you!'],
      },
      firm: {
        subject: 'Invoice {{invoice.number}} is due today',
        greeting: 'Dear {{customer.name}},',
        opening: [`${ONE}Invoice {{invoice.number}} for {{invoice.amount_remaining}} is{{else}}The invoices below are{{/if}} due today and not yet paid. Please pay today.`],
        closing: ['If you have already paid, please disregard this message. Thank you!'],
      },
    },
    reminder: {
      friendly: {
        subject: `Reminder: ${ONE}invoice {{invoice.number}}{{else}}{{invoices.length}} unpaid invoices{{/if}}`,
        greeting: 'Hi {{customer.name}},',
        opening: [
          `${ONE}We have not yet received payment for invoice {{invoice.number}}, which was due on {{invoice.due_date}}.{{else}}We have not yet received payment for the invoices below.{{/if}} An invoice is easily overlooked, so here is a friendly reminder. This reminder is free of charge.`,
        ],
        closing: [ALREADY_PAID_EN],
      },
      neutral: {
        subject: `Reminder: ${ONE}invoice {{invoice.number}}{{else}}{{invoices.length}} unpaid invoices{{/if}}`,
        greeting: 'Hello {{customer.name}},',
        opening: [
          `According to our records, ${ONE}invoice {{invoice.number}}, due on {{invoice.due_date}}, is still unpaid{{else}}the invoices below are still unpaid{{/if}}. Please pay {{amount_to_pay}} as soon as possible.`,
        ],
        closing: ['If you have already paid, please disregard this message. Thank you!'],
      },
      firm: {
        subject: `Reminder: ${ONE}invoice {{invoice.number}} is unpaid{{else}}{{invoices.length}} unpaid invoices{{/if}}`,
        greeting: 'Dear {{customer.name}},',
        opening: [`${ONE}Invoice {{invoice.number}} was due on {{invoice.due_date}} and is still unpaid.{{else}}The invoices below are past due and still unpaid.{{/if}} Please pay {{amount_to_pay}} promptly.`],
        closing: ['If you have already paid, please disregard this message.'],
      },
    },
    final_reminder: {
      friendly: {
        subject: `Second reminder: ${ONE}invoice {{invoice.number}}{{else}}{{invoices.length}} unpaid invoices{{/if}}`,
        greeting: 'Hi {{customer.name}},',
        opening: [
          `We reminded you earlier about ${ONE}invoice {{invoice.number}}, which was due on {{invoice.due_date}}{{else}}the invoices below{{/if}}, but we have not received a payment yet. There can be many reasons for that, and we would like to sort it out together with you.`,
          '{{#if fee}}Under our terms, a reminder fee of {{fee}} is added.{{/if}}',
        ],
        closing: [
          `If ${ONE}the invoice remains{{else}}the invoices remain{{/if}} unpaid and we do not hear from you, the matter may be passed on to a debt collection agency. We would much rather avoid that, so please get in touch if anything is unclear, if something is not right, or if you need more time.`,
          'If you have paid in the last few days, our messages have probably crossed and you can disregard this one. Thank you!',
        ],
      },
      neutral: {
        subject: `Second reminder: ${ONE}invoice {{invoice.number}}{{else}}{{invoices.length}} unpaid invoices{{/if}}`,
        greeting: 'Hello {{customer.name}},',
        opening: [
          `Despite an earlier reminder, we have not received payment for ${ONE}invoice {{invoice.number}}, due on {{invoice.due_date}}{{else}}the invoices below{{/if}}. Please pay {{amount_to_pay}} as soon as possible.`,
          '{{#if fee}}Under our terms, a reminder fee of {{fee}} is added.{{/if}}',
        ],
        closing: [
          `If ${ONE}the invoice remains{{else}}the invoices remain{{/if}} unpaid, the matter may be passed on to debt collection. If you believe something is wrong, or if you need more time, please contact us before then.`,
          'If you have already paid, please disregard this message.',
        ],
      },
      firm: {
        subject: `Second reminder: ${ONE}invoice {{invoice.number}} is unpaid{{else}}{{invoices.length}} unpaid invoices{{/if}}`,
        greeting: 'Dear {{customer.name}},',
        opening: [
          `${ONE}Invoice {{invoice.number}}, due on {{invoice.due_date}}, is{{else}}The invoices below are{{/if}} still unpaid despite an earlier reminder. Please pay {{amount_to_pay}} without delay.`,
          '{{#if fee}}Under our terms, a reminder fee of {{fee}} is added.{{/if}}',
        ],
        closing: [
          'If payment is not made, the matter may be passed on to debt collection. If you dispute the amount, please contact us as soon as possible and we will pause the matter while we look into it.',
          'If you have already paid, please disregard this message.',
        ],
      },
    },
  },
};

function compose(m: Message): TemplateParts {
  // A paragraph that is only a condition ({{#if fee}}…{{/if}}) must vanish whole when false.
  const htmlPara = (p: string) => {
    const conditional = /^\{\{#if (\w+)\}\}(.*)\{\{\/if\}\}$/.exec(p);
    return conditional ? `{{#if ${conditional[1]}}}<p ${P}>${conditional[2]}</p>{{/if}}` : `<p ${P}>${p}</p>`;
  };
  const textPara = (p: string) => {
    const conditional = /^\{\{#if (\w+)\}\}(.*)\{\{\/if\}\}$/.exec(p);
    return conditional ? `{{#if ${conditional[1]}}}\n${conditional[2]}\n\n{{/if}}` : `${p}\n\n`;
  };
  const html = [
    '{{#> layout}}',
    htmlPara(m.greeting),
    ...m.opening.map(htmlPara),
    '{{> invoices}}',
    '{{> payment}}',
    ...m.closing.map(htmlPara),
    '{{> help}}',
    '{{> interest_note}}',
    '{{> signature}}',
    '{{/layout}}',
  ].join('\n');
  const text = [
    '{{#> layout}}',
    textPara(m.greeting),
    ...m.opening.map(textPara),
    '{{> invoices}}',
    '{{> payment}}',
    ...m.closing.map(textPara),
    '{{> help}}',
    '{{> interest_note}}',
    '{{> signature}}',
    '{{/layout}}',
  ].join('\n');
  return { subject: m.subject, html, text };
}

const DEFAULTS = new Map<string, TemplateParts>();
for (const locale of LOCALES) for (const name of TEMPLATE_NAMES) for (const tone of TONES) DEFAULTS.set(`${name}/${locale}/${tone}`, compose(MESSAGES[locale][name][tone]));

/** The built-in template for (name, locale, tone). */
export function defaultTemplate(name: TemplateName, locale: Locale, tone: Tone): TemplateParts {
  return DEFAULTS.get(`${name}/${locale}/${tone}`)!;
}
