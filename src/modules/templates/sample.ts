// Sample contexts: what a preview shows and what checkTemplate renders a template against before it
// is saved (one invoice and several; with and without fee, interest, pay link; each way to pay).
import type { TemplateName, Tone } from '../../domain/dunning-policy.ts';
import { buildReminderContext, type ReminderContextInput } from './context-build.ts';
import type { ReminderContext } from './context.ts';

type Locale = 'sv' | 'en';
export type SampleMerchant = ReminderContextInput['merchant'];

const SAMPLE_MERCHANT: SampleMerchant = {
  name: 'Exempelbolaget AB',
  contactEmail: 'faktura@exempelbolaget.se',
  contactPhone: '08-123 456 78',
  bankgiro: '5050-1055',
  swishNumber: '1231181189',
};

const ONE_INVOICE = [{ id: 'in_01KB2Y5M8Q0ZC3V1S7N4D6F9XA', number: '2026-0042', issueDate: '2026-11-06', dueDate: '2026-12-06', amountRemaining: 39900, ocrReference: '20260042', currency: 'SEK' }];
const TWO_INVOICES = [
  ...ONE_INVOICE,
  { id: 'in_01KB2Y5M8Q0ZC3V1S7N4D6F9XB', number: '2026-0031', issueDate: '2026-10-06', dueDate: '2026-11-06', amountRemaining: 39900, ocrReference: null, currency: 'SEK' },
];

const STEP_KEYS: Record<TemplateName, string> = { pre_due: 'pre_due', due_date: 'due_date', reminder: 'reminder_1', final_reminder: 'reminder_2' };

/** The context a preview renders: one invoice, the merchant's own details where it has them. */
export function previewContext(locale: Locale, tone: Tone, name: TemplateName, merchant: SampleMerchant | null): ReminderContext {
  const late = name === 'reminder' || name === 'final_reminder';
  return buildReminderContext({
    locale,
    tone,
    step: { key: STEP_KEYS[name], kind: name },
    customer: { name: locale === 'sv' ? 'Anna Andersson' : 'Anna Andersson' },
    merchant: {
      legalName: merchant?.legalName ?? null,
      name: merchant?.name ?? SAMPLE_MERCHANT.name,
      contactEmail: merchant?.contactEmail ?? SAMPLE_MERCHANT.contactEmail,
      contactPhone: merchant?.contactPhone ?? SAMPLE_MERCHANT.contactPhone,
      bankgiro: merchant?.bankgiro ?? SAMPLE_MERCHANT.bankgiro,
      swishNumber: merchant?.swishNumber ?? SAMPLE_MERCHANT.swishNumber,
    },
    invoices: ONE_INVOICE,
    feeOre: name === 'final_reminder' ? 6000 : null,
    interestOre: late ? 1200 : null,
    interestRateBp: 1000,
    paymentMethod: 'bankgiro',
    payLinkPattern: null,
    helpPaymentPlan: true,
  });
}

/** Contexts that between them set every optional value and leave it out. */
export function sampleContexts(locale: Locale, name: TemplateName): ReminderContext[] {
  const base = (over: Partial<ReminderContextInput>): ReminderContext =>
    buildReminderContext({
      locale,
      tone: 'friendly',
      step: { key: STEP_KEYS[name], kind: name },
      customer: { name: 'Anna Andersson' },
      merchant: SAMPLE_MERCHANT,
      invoices: ONE_INVOICE,
      feeOre: null,
      interestOre: null,
      interestRateBp: null,
      paymentMethod: 'bankgiro',
      payLinkPattern: null,
      helpPaymentPlan: false,
      ...over,
    });
  return [
    base({}),
    base({
      tone: 'neutral',
      invoices: TWO_INVOICES,
      feeOre: 6000,
      interestOre: 1200,
      interestRateBp: 1000,
      paymentMethod: 'swish',
      payLinkPattern: 'https://pay.example.se/{invoice_id}',
      helpPaymentPlan: true,
    }),
    base({ tone: 'firm', paymentMethod: 'autogiro', merchant: { name: 'Exempelbolaget AB' }, interestRateBp: 800 }),
  ];
}
