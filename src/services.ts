// The use-case services wired together once, for the HTTP app, the worker and scripts alike.
import type { Db } from './db/client.ts';
import type { Clock } from './clock.ts';
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
import { fanOutStatement } from './modules/webhooks/store.ts';
import type { Resolver } from './modules/webhooks/url-safety.ts';

export function createServices(deps: {
  db: Db;
  clock: Clock;
  allowPrivateUrls: boolean;
  resolve?: Resolver;
  // Background work (billing runs, test clock catch-up) reports failures here; the schedule retries it.
  onBackgroundError?: (err: unknown, subject: { merchantId: string; id: string }) => void;
  // Subscriptions per billing transaction (tests and the benchmark vary it).
  billingBatchSize?: number;
}) {
  const { db, clock } = deps;
  const onError = deps.onBackgroundError;
  const events = createEventService({ db, clock, fanOutStatement });
  const webhooks = createWebhookService({ db, clock, events, allowPrivateUrls: deps.allowPrivateUrls, ...(deps.resolve ? { resolve: deps.resolve } : {}) });
  const creditNotes = createCreditNoteService({ db, clock, events });
  const billing = createBillingService({ db, clock, events, creditNotes, ...(onError ? { onError } : {}), ...(deps.billingBatchSize ? { batchSize: deps.billingBatchSize } : {}) });
  return {
    merchants: createMerchantService({ db, clock }),
    customers: createCustomerService({ db, clock, events }),
    catalog: createCatalogService({ db, clock, events }),
    invoices: createInvoiceService({ db, clock, events }),
    creditNotes,
    billing,
    subscriptions: createSubscriptionService({ db, clock, events, billing }),
    testClocks: createTestClockService({ db, clock, billing, ...(onError ? { onError } : {}) }),
    events,
    webhooks,
  };
}
export type Services = ReturnType<typeof createServices>;
