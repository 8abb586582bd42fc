// The use-case services wired together once per process, for the HTTP app, the worker and scripts
// alike. Every tie between modules is visible here: each service gets narrow dependencies
// (Pick<…>) on the others' services, never their stores or tables.
import type { Db } from './db/client.ts';
import type { Clock } from './clock.ts';
import type { JobSender } from './jobs/queue.ts';
import { createMerchantService } from './modules/merchants/service.ts';
import { createCustomerService } from './modules/customers/service.ts';
import { createCatalogService } from './modules/catalog/service.ts';
import { createEventService } from './modules/events/service.ts';
import { createWebhookService } from './modules/webhooks/service.ts';
import { createInvoiceService } from './modules/invoices/service.ts';
import { createCreditNoteService } from './modules/invoices/credit-notes.ts';
import { createBillingService } from './modules/billing/service.ts';
import { createSubscriptionService } from './modules/subscriptions/service.ts';
import { createTestClockService } from './modules/test-clocks/service.ts';
import { createTestClockTime } from './modules/test-clocks/time.ts';
import { createInvoiceLedger } from './modules/invoices/ledger.ts';
import { createCreditLedger } from './modules/payments/credit.ts';
import { createPaymentService } from './modules/payments/service.ts';
import { createCollectionService } from './modules/collection/service.ts';
import { createTestProcessor } from './modules/collection/processor.ts';
import { createPaymentFileService } from './modules/payments/file-import.ts';
import { createSubscriptionReader } from './modules/subscriptions/service.ts';
import { fanOutStatement } from './modules/webhooks/store.ts';
import type { Resolver } from './modules/webhooks/url-safety.ts';
import { createMessageService } from './modules/messages/service.ts';
import { createTemplateService } from './modules/templates/service.ts';
import { createFileMailer, type Mailer } from './modules/messages/mailer.ts';
import { renderInvoicePdf } from './modules/invoices/render/pdf.ts';
import { createDunningPolicyService } from './modules/dunning/policies.ts';
import { createDunningService } from './modules/dunning/service.ts';
import type { ReferenceRate } from './domain/late-interest.ts';
import { loadReferenceRates } from './modules/dunning/reference-rates.ts';
import { createAnalyticsService } from './modules/analytics/service.ts';
import { createChurnAnalyticsService } from './modules/analytics/churn-service.ts';
import { createPeppolService } from './modules/peppol/service.ts';
import { createDunningPlanHold } from './modules/dunning/plan-hold.ts';
import { createPaymentPlanService } from './modules/payment-plans/service.ts';
import { createPeppolOutbox, createPeppolSender } from './modules/peppol/sending.ts';
import { createTestAccessPoint, type AccessPoint } from './modules/peppol/access-point.ts';
import { createExperimentService } from './modules/experiments/service.ts';
import { createChurnRiskService } from './modules/churn-risk/service.ts';
import type { Logger } from 'pino';

export function createServices(deps: {
  db: Db;
  clock: Clock;
  jobs: JobSender;
  allowPrivateUrls: boolean;
  resolve?: Resolver;
  // Billing runs report a merchant's failure here and go on with the others.
  onBackgroundError?: (err: unknown, subject: { merchantId: string; id: string }) => void;
  // Bank-file payments per import transaction (PAYMENT_FILE_BATCH_SIZE).
  paymentFileBatchSize?: number;
  // Subscriptions per billing transaction (tests and the benchmark vary it).
  billingBatchSize?: number;
  // SECRETS_KEY, sealing webhook signing secrets at rest; without it webhook secrets cannot be used.
  secretsKey?: string | undefined;
  // Where background work (collection) reports what it will try again.
  log?: Pick<Logger, 'warn' | 'error'> | undefined;
  // Where reminder e-mails go (SMTP_URL's mailer); unset: .eml files under .data/messages.
  mailer?: Mailer | undefined;
  // SMTP_FROM: the sender address (the display name becomes the merchant's).
  mailFrom?: string | undefined;
  // Riksbanken's reference rates for late-payment interest (config/reference-rates.json).
  referenceRates?: ReferenceRate[] | undefined;
  // A real Peppol access point for live mode (an operator's API behind the AccessPoint interface).
  liveAccessPoint?: AccessPoint | undefined;
  // How long the churn-risk pass waits before reading an event (tests: 0), see churn-risk/service.ts.
  churnRiskSettleMs?: number | undefined;
}) {
  const { db, clock, jobs } = deps;
  const events = createEventService({ db, clock, fanOutStatement });
  const ledger = createInvoiceLedger();
  const merchants = createMerchantService({ db, clock, ledger });
  const time = createTestClockTime({ db, clock });
  const subscriptionReader = createSubscriptionReader();
  const dunningPolicies = createDunningPolicyService({ db, clock });
  const customers = createCustomerService({ db, clock, events, testClocks: time, subscriptions: subscriptionReader, dunningPolicies });
  const catalog = createCatalogService({ db, clock, events });
  const webhooks = createWebhookService({ db, clock, events, allowPrivateUrls: deps.allowPrivateUrls, secretsKey: deps.secretsKey, ...(deps.resolve ? { resolve: deps.resolve } : {}) });
  const creditNotes = createCreditNoteService({ db, clock, events, merchants, customers, time });
  const credit = createCreditLedger({ clock, events, customers });
  const payments = createPaymentService({ db, clock, events, customers, merchants, time, ledger, credit });
  // Collection through processors: the built-in test processor serves test mode; live mode has none yet.
  const collection = createCollectionService({ db, clock, events, payments, processors: { test: createTestProcessor({ db, clock }) }, log: deps.log });
  // E-invoices: finalised invoices of peppol customers are queued in the finalising transaction and
  // sent by the Peppol worker through an access point (the built-in test one serves test mode).
  const accessPoints = { test: createTestAccessPoint({ db, clock }), live: deps.liveAccessPoint };
  const einvoices = createPeppolOutbox({ clock, accessPointFor: (livemode) => (livemode ? (accessPoints.live?.name ?? null) : accessPoints.test.name) });
  const invoices = createInvoiceService({ db, clock, events, merchants, customers, catalog, time, credit, payments, collection, einvoices });
  const peppol = createPeppolService({ invoices, creditNotes, merchants, customers });
  const billing = createBillingService({
    db,
    clock,
    jobs,
    events,
    creditNotes,
    merchants,
    customers,
    ledger,
    subscriptions: subscriptionReader,
    credit,
    collection,
    einvoices,
    testClocks: time,
    ...(deps.onBackgroundError ? { onError: deps.onBackgroundError } : {}),
    ...(deps.billingBatchSize ? { batchSize: deps.billingBatchSize } : {}),
  });
  const messages = createMessageService({
    db,
    clock,
    events,
    merchants,
    mailer: deps.mailer ?? createFileMailer('.data/messages'),
    from: deps.mailFrom ?? 'Omtanke <no-reply@localhost>',
    // The invoice PDF attached to a reminder, rendered as GET /v1/invoices/{id}/pdf renders it.
    pdf: async (tenant, invoiceId) => {
      const doc = await invoices.document(tenant, invoiceId);
      return { filename: `${doc.number ?? doc.id}.pdf`, content: await renderInvoicePdf(doc) };
    },
    log: deps.log,
  });
  // Reminder templates: the merchant's overrides, else the built-in defaults.
  const templates = createTemplateService({ db, clock, merchants });
  const referenceRates = deps.referenceRates ?? loadReferenceRates();
  const analytics = createAnalyticsService({ db, merchants });
  const churnAnalytics = createChurnAnalyticsService({ db, clock, merchants });
  // Churn risk per customer, recomputed by the worker's churn-risk pass (src/modules/churn-risk).
  const churnRisk = createChurnRiskService({ db, clock, events, merchants, customers, time, ...(deps.churnRiskSettleMs !== undefined ? { settleMs: deps.churnRiskSettleMs } : {}) });
  // Tone and policy experiments: the sweep asks which arm a customer is in.
  const experiments = createExperimentService({ db, clock, events, merchants, policies: dunningPolicies, analytics });
  const dunning = createDunningService({ db, clock, events, policies: dunningPolicies, merchants, invoices, messages, templates, experiments, time, referenceRates, log: deps.log });
  const paymentPlans = createPaymentPlanService({
    db,
    clock,
    events,
    merchants,
    customers,
    time,
    invoices,
    ledger,
    credit,
    hold: createDunningPlanHold({ clock, policies: dunningPolicies, referenceRates, log: deps.log }),
    log: deps.log,
  });
  return {
    clock,
    merchants,
    customers,
    catalog,
    invoices,
    payments,
    collection,
    paymentFiles: createPaymentFileService({ db, clock, jobs, merchants, payments, dunning, ...(deps.paymentFileBatchSize ? { batchSize: deps.paymentFileBatchSize } : {}) }),
    creditNotes,
    peppol,
    peppolSender: createPeppolSender({ db, clock, events, peppol, invoices, accessPoints, log: deps.log }),
    billing,
    subscriptions: createSubscriptionService({ db, clock, events, billing, merchants, customers, catalog, time, ledger }),
    testClocks: createTestClockService({ db, clock, jobs, merchants, billing, webhooks, customers, collection, dunning, paymentPlans }),
    dunningPolicies,
    dunning,
    paymentPlans,
    templates,
    messages,
    analytics,
    churnAnalytics,
    churnRisk,
    experiments,
    events,
    webhooks,
  };
}
export type Services = ReturnType<typeof createServices>;
