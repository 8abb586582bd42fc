// Events are the outbox: `record` is called inside the caller's transaction, so an event exists
// exactly when its change committed, and its webhook deliveries are fanned out in the same step.
import type { Db, Tx } from '../../db/client.ts';
import { newId } from '../../db/ids.ts';
import { toPage, type Page, type PageParams } from '../../db/page.ts';
import type { Clock } from '../../clock.ts';
import { DomainError } from '../../http/problem.ts';
import { API_VERSION, type EventType } from './types.ts';
import * as store from './store.ts';

export type Event = store.EventRow;
export type Tenant = { merchantId: string; livemode: boolean };
export type NewEvent = {
  type: EventType;
  objectId: string;
  object: Record<string, unknown>;
  previousAttributes?: Record<string, unknown> | undefined;
};

export function createEventService(deps: { db: Db; clock: Clock; fanOut: (tx: Tx, event: Event) => Promise<number> }) {
  const { db, clock } = deps;
  return {
    async record(tx: Tx, tenant: Tenant, e: NewEvent): Promise<Event> {
      const row: Event = {
        merchantId: tenant.merchantId,
        id: newId('event'),
        type: e.type,
        apiVersion: API_VERSION,
        livemode: tenant.livemode,
        objectId: e.objectId,
        data: e.previousAttributes ? { object: e.object, previous_attributes: e.previousAttributes } : { object: e.object },
        createdAt: clock.now(),
      };
      await store.insertEvent(tx, row);
      await deps.fanOut(tx, row);
      return row;
    },

    async get(tenant: Tenant, id: string): Promise<Event> {
      const row = await store.findEvent(db, tenant.merchantId, id);
      if (!row) throw new DomainError('not_found', `No such event: ${id}`);
      return row;
    },

    async list(tenant: Tenant, filter: store.EventFilter, page: PageParams): Promise<Page<Event>> {
      return toPage(await store.listEvents(db, tenant.merchantId, filter, page), page);
    },

    listIdsSince: (tenant: Tenant, since: Date, until: Date, limit: number) =>
      store.listEventIdsSince(db, tenant.merchantId, since, until, limit),
  };
}
export type EventService = ReturnType<typeof createEventService>;

/** The event as the API and webhooks show it. */
export function toEventResource(e: Event) {
  return {
    id: e.id,
    object: 'event' as const,
    type: e.type,
    api_version: e.apiVersion,
    livemode: e.livemode,
    created_at: e.createdAt.toISOString(),
    data: e.data,
  };
}
