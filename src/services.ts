// The use-case services wired together once, for the HTTP app, the worker and scripts alike.
import type { Db } from './db/client.ts';
import type { Clock } from './clock.ts';
import { createMerchantService } from './modules/merchants/service.ts';
import { createCustomerService } from './modules/customers/service.ts';
import { createCatalogService } from './modules/catalog/service.ts';
import { createEventService } from './modules/events/service.ts';
import { createWebhookService } from './modules/webhooks/service.ts';
import { fanOutStatement } from './modules/webhooks/store.ts';
import type { Resolver } from './modules/webhooks/url-safety.ts';

export function createServices(deps: { db: Db; clock: Clock; allowPrivateUrls: boolean; resolve?: Resolver }) {
  const { db, clock } = deps;
  const events = createEventService({ db, clock, fanOutStatement });
  const webhooks = createWebhookService({ db, clock, events, allowPrivateUrls: deps.allowPrivateUrls, ...(deps.resolve ? { resolve: deps.resolve } : {}) });
  return {
    merchants: createMerchantService({ db, clock }),
    customers: createCustomerService({ db, clock, events }),
    catalog: createCatalogService({ db, clock, events }),
    events,
    webhooks,
  };
}
export type Services = ReturnType<typeof createServices>;
