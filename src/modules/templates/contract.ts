// The template resource as the API shows it, and the request bodies that save and preview one.
import { Type, type Static } from 'typebox';
import { TEMPLATE_NAMES, TONES } from '../../domain/dunning-policy.ts';
import { Id, Nullable, Timestamp } from '../../http/schemas.ts';
import { HELPER_NAMES } from './render.ts';
import { LOCALES, PARTIAL_NAMES } from './defaults.ts';
import type { ResolvedTemplate } from './service.ts';

export const TemplateNameSchema = Type.Enum(TEMPLATE_NAMES, { description: 'pre_due (before the due date), due_date (a soft, fee-free note on the day), reminder (first reminder, no fee), final_reminder (second reminder; may show fee and interest)' });
export const LocaleSchema = Type.Enum(LOCALES, { description: 'The language of the message' });
export const ToneSchema = Type.Enum(TONES, { description: 'friendly, neutral or firm (polite and factual)' });

const VARIABLES =
  'Variables: locale, tone, step.key, step.kind, customer.name, merchant.name/email/phone, invoice.number/issue_date/due_date/amount_remaining/amount_remaining_ore/ocr, ' +
  '{{#each invoices}}…{{/each}} with the same fields, total, total_ore, fee, interest, interest_rate, amount_to_pay, currency, ' +
  'payment.method/bankgiro/ocr/swish_number/swish_qr/pay_link, help.payment_plan. ' +
  `Helpers: ${HELPER_NAMES.join(', ')}. Partials: ${PARTIAL_NAMES.map((p) => `{{> ${p}}}`).join(', ')} ({{#> layout}}…{{/layout}} wraps an HTML or text body).`;

// Sizes far above any real e-mail, far below what could slow a render.
const parts = {
  subject: Type.String({ minLength: 1, maxLength: 500, description: 'Plain text, one line', examples: ['Påminnelse: faktura {{invoice.number}}'] }),
  html: Type.String({ minLength: 1, maxLength: 100_000, description: `HTML; every {{…}} is HTML-escaped ({{{…}}} is refused). ${VARIABLES}`, examples: ['{{#> layout}}<p>Hej {{customer.name}}!</p>{{> invoices}}{{> payment}}{{> help}}{{> interest_note}}{{> signature}}{{/layout}}'] }),
  text: Type.String({ minLength: 1, maxLength: 50_000, description: 'Plain text alternative of the e-mail', examples: ['{{#> layout}}Hej {{customer.name}}!\n\n{{> invoices}}{{> payment}}{{> help}}{{> interest_note}}{{> signature}}{{/layout}}'] }),
};

export const SaveTemplateBody = Type.Object(
  { template: TemplateNameSchema, locale: LocaleSchema, tone: ToneSchema, ...parts },
  {
    additionalProperties: false,
    examples: [
      {
        template: 'reminder',
        locale: 'sv',
        tone: 'friendly',
        subject: 'Påminnelse: faktura {{invoice.number}}',
        html: '{{#> layout}}<p>Hej {{customer.name}}!</p><p>Vi har ännu inte fått betalt för faktura {{invoice.number}}.</p>{{> invoices}}{{> payment}}{{> help}}{{> interest_note}}{{> signature}}{{/layout}}',
        text: '{{#> layout}}Hej {{customer.name}}!\n\nVi har ännu inte fått betalt för faktura {{invoice.number}}.\n\n{{> invoices}}{{> payment}}{{> help}}{{> interest_note}}{{> signature}}{{/layout}}',
      },
    ],
  },
);
export type SaveTemplateInput = Static<typeof SaveTemplateBody>;

export const PreviewTemplateBody = Type.Object(
  {
    template: TemplateNameSchema,
    locale: LocaleSchema,
    tone: ToneSchema,
    subject: Type.Optional(parts.subject),
    html: Type.Optional(parts.html),
    text: Type.Optional(parts.text),
  },
  {
    additionalProperties: false,
    description: 'Parts left out come from the template in force (your override, else the default)',
    examples: [{ template: 'due_date', locale: 'sv', tone: 'friendly', subject: 'En vänlig påminnelse om faktura {{invoice.number}}' }],
  },
);
export type PreviewTemplateInput = Static<typeof PreviewTemplateBody>;

const EXAMPLE = {
  id: 'tpl_01KB2Y5M8Q0ZC3V1S7N4D6F9XA',
  object: 'template',
  template: 'reminder',
  locale: 'sv',
  tone: 'friendly',
  source: 'merchant',
  subject: 'Påminnelse: faktura {{invoice.number}}',
  html: '{{#> layout}}<p>Hej {{customer.name}}!</p>{{> invoices}}{{> payment}}{{> signature}}{{/layout}}',
  text: '{{#> layout}}Hej {{customer.name}}!\n\n{{> invoices}}{{> payment}}{{> signature}}{{/layout}}',
  created_at: '2026-11-25T09:00:00.000Z',
  updated_at: '2026-11-25T09:00:00.000Z',
};

export const Template = Type.Object(
  {
    id: Nullable(Id('template', 'Your override; null for a built-in default')),
    object: Type.Literal('template'),
    template: TemplateNameSchema,
    locale: LocaleSchema,
    tone: ToneSchema,
    source: Type.Union([Type.Literal('default'), Type.Literal('merchant')], { description: 'default: built in; merchant: your override, used instead' }),
    subject: Type.String(),
    html: Type.String(),
    text: Type.String(),
    created_at: Nullable(Timestamp('When the override was first saved; null for a default')),
    updated_at: Nullable(Timestamp('When the override last changed; null for a default')),
  },
  { $id: 'Template', description: 'A reminder template (Handlebars) for one template, locale and tone', examples: [EXAMPLE] },
);
export type TemplateResource = Static<typeof Template>;

export const TemplateList = Type.Object(
  {
    object: Type.Literal('list'),
    data: Type.Array(Template),
    has_more: Type.Boolean({ description: 'Always false: the list is complete (4 templates × 2 locales × 3 tones, fewer when filtered)' }),
  },
  { description: 'Every template, locale and tone with the template in force: your override or the default' },
);

export const ListTemplatesQuery = Type.Object(
  {
    template: Type.Optional(TemplateNameSchema),
    locale: Type.Optional(LocaleSchema),
    tone: Type.Optional(ToneSchema),
    source: Type.Optional(Type.Union([Type.Literal('default'), Type.Literal('merchant')], { description: 'Only defaults or only your overrides' })),
  },
  { additionalProperties: false },
);

export const TemplateParams = Type.Object({ id: Id('template', 'The override id') });

export const TemplatePreview = Type.Object(
  {
    object: Type.Literal('template_preview'),
    template: TemplateNameSchema,
    locale: LocaleSchema,
    tone: ToneSchema,
    subject: Type.String({ description: 'The rendered subject' }),
    html: Type.String({ description: 'The rendered HTML e-mail' }),
    text: Type.String({ description: 'The rendered plain text' }),
  },
  {
    description: 'The template rendered with a sample customer and invoice (your own name and payment details where set)',
    examples: [{ object: 'template_preview', template: 'due_date', locale: 'sv', tone: 'friendly', subject: 'En vänlig påminnelse om faktura 2026-0042', html: '<!DOCTYPE html>…', text: 'Hej Anna Andersson!\n…' }],
  },
);

export function toTemplateResource(t: ResolvedTemplate): TemplateResource {
  return {
    id: t.id,
    object: 'template',
    template: t.template,
    locale: t.locale,
    tone: t.tone,
    source: t.source,
    subject: t.parts.subject,
    html: t.parts.html,
    text: t.parts.text,
    created_at: t.createdAt?.toISOString() ?? null,
    updated_at: t.updatedAt?.toISOString() ?? null,
  };
}

