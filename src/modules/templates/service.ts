// Template use cases: which template is in force for a message (the merchant's override, else the
// built-in default), and the merchant's overrides, checked before they are saved.
import type { Db, Queryable } from '../../db/client.ts';
import { newId } from '../../db/ids.ts';
import { queryableFor, type Caller } from '../../db/unit-of-work.ts';
import type { Clock } from '../../clock.ts';
import { TEMPLATE_NAMES, TONES, type TemplateName, type Tone } from '../../domain/dunning-policy.ts';
import { DomainError } from '../../kernel/errors.ts';
import type { MerchantService } from '../merchants/service.ts';
import { LOCALES, defaultTemplate, type Locale, type TemplateParts } from './defaults.ts';
import { checkTemplate, renderDraft, type TemplateProblem } from './render.ts';
import { previewContext } from './sample.ts';
import * as store from './store.ts';

export type TemplateSource = 'default' | 'merchant';

export interface ResolvedTemplate {
  id: string | null; // the override's id; null for a default
  template: TemplateName;
  locale: Locale;
  tone: Tone;
  source: TemplateSource;
  parts: TemplateParts;
  createdAt: Date | null;
  updatedAt: Date | null;
}

export type SaveInput = { template: TemplateName; locale: Locale; tone: Tone } & TemplateParts;
export type PreviewInput = { template: TemplateName; locale: Locale; tone: Tone } & Partial<TemplateParts>;

function fromRow(row: store.TemplateRow): ResolvedTemplate {
  return {
    id: row.id,
    template: row.template as TemplateName,
    locale: row.locale,
    tone: row.tone,
    source: 'merchant',
    parts: { subject: row.subject, html: row.html, text: row.text },
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}

function fromDefault(template: TemplateName, locale: Locale, tone: Tone): ResolvedTemplate {
  return { id: null, template, locale, tone, source: 'default', parts: defaultTemplate(template, locale, tone), createdAt: null, updatedAt: null };
}

function invalidTemplate(problems: TemplateProblem[]): DomainError {
  return new DomainError('template_invalid', problems.map((p) => `${p.field}: ${p.message}`).join('; '), {
    errors: problems.map((p) => ({ field: p.field, location: 'body' as const, message: p.message })),
  });
}

export function createTemplateService(deps: { db: Db; clock: Clock; merchants: Pick<MerchantService, 'get'> }) {
  const { db, clock, merchants } = deps;

  /** The template in force for one message, on the caller's connection or transaction `q`. */
  async function resolve(q: Queryable, merchantId: string, name: TemplateName, locale: Locale, tone: Tone): Promise<ResolvedTemplate> {
    const row = await store.findOverride(q, merchantId, name, locale, tone);
    return row ? fromRow(row) : fromDefault(name, locale, tone);
  }

  return {
    resolve,

    /** Every (template, locale, tone), with the override where the merchant has one. */
    async list(caller: Caller, filter: { template?: TemplateName | undefined; locale?: Locale | undefined; tone?: Tone | undefined; source?: TemplateSource | undefined }): Promise<ResolvedTemplate[]> {
      const overrides = new Map((await store.listOverrides(queryableFor(db, caller), caller.merchantId)).map((r) => [`${r.template}/${r.locale}/${r.tone}`, r]));
      const out: ResolvedTemplate[] = [];
      for (const name of TEMPLATE_NAMES) {
        for (const locale of LOCALES) {
          for (const tone of TONES) {
            if ((filter.template && filter.template !== name) || (filter.locale && filter.locale !== locale) || (filter.tone && filter.tone !== tone)) continue;
            const row = overrides.get(`${name}/${locale}/${tone}`);
            const t = row ? fromRow(row) : fromDefault(name, locale, tone);
            if (!filter.source || filter.source === t.source) out.push(t);
          }
        }
      }
      return out;
    },

    async get(caller: Caller, id: string): Promise<ResolvedTemplate> {
      const row = await store.findById(queryableFor(db, caller), caller.merchantId, id);
      if (!row) throw new DomainError('not_found', `No such template: ${id}`);
      return fromRow(row);
    },

    /** Creates or replaces the override for (template, locale, tone); a template that fails the check saves nothing. */
    async save(caller: Caller, input: SaveInput): Promise<{ template: ResolvedTemplate; created: boolean }> {
      const parts = { subject: input.subject, html: input.html, text: input.text };
      const problems = checkTemplate(parts, input.template);
      if (problems.length > 0) throw invalidTemplate(problems);
      const now = clock.now();
      const { row, created } = await store.upsert(queryableFor(db, caller), {
        merchantId: caller.merchantId,
        id: newId('template'),
        template: input.template,
        locale: input.locale,
        tone: input.tone,
        ...parts,
        createdAt: now,
        updatedAt: now,
      });
      return { template: fromRow(row), created };
    },

    /** Deletes the override: the default applies again. */
    async remove(caller: Caller, id: string): Promise<{ id: string }> {
      const row = await store.remove(queryableFor(db, caller), caller.merchantId, id);
      if (!row) throw new DomainError('not_found', `No such template: ${id}`);
      return { id: row.id };
    },

    /** Renders the given parts (the rest from the template in force) with a sample customer and invoice. */
    async preview(caller: Caller, input: PreviewInput): Promise<{ template: TemplateName; locale: Locale; tone: Tone } & TemplateParts> {
      const q = queryableFor(db, caller);
      const current = await resolve(q, caller.merchantId, input.template, input.locale, input.tone);
      const parts: TemplateParts = { subject: input.subject ?? current.parts.subject, html: input.html ?? current.parts.html, text: input.text ?? current.parts.text };
      const given = { subject: input.subject !== undefined, html: input.html !== undefined, text: input.text !== undefined };
      const problems = checkTemplate(parts, input.template).filter((p) => given[p.field]);
      if (problems.length > 0) throw invalidTemplate(problems);
      const m = await merchants.get(caller);
      const ctx = previewContext(input.locale, input.tone, input.template, {
        name: m.name,
        legalName: m.legalName,
        contactEmail: m.contactEmail,
        contactPhone: m.contactPhone,
        bankgiro: m.bankgiro,
        swishNumber: m.swishNumber,
      });
      return { template: input.template, locale: input.locale, tone: input.tone, ...renderDraft(parts, ctx) };
    },
  };
}
export type TemplateService = ReturnType<typeof createTemplateService>;
