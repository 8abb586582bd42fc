// Events are the outbox: `record` is called inside the caller's transaction, so an event exists
// exactly when its change committed, and its webhook deliveries are fanned out in the same step.
import type { SQL } from 'drizzle-orm';
import type { Db, Queryable } from '../../db/client.ts';
import { queryableFor, type Caller } from '../../db/unit-of-work.ts';
import { newId } from '../../db/ids.ts';
import { toPage, type Page, type PageParams } from '../../db/page.ts';
import type { Clock } from '../../clock.ts';
import { DomainError } from '../../kernel/errors.ts';
import type { Tenant } from '../../kernel/tenant.ts';
import { API_VERSION, type EventType } from './types.ts';
import * as store from './store.ts';

export type Event = store.EventRow;
export type NewEvent = {
  type: EventType;
  objectId: string;
  object: Record<string, unknown>;
  previousAttributes?: Record<string, unknown> | undefined;
};

export type FanOutStatement = (before: SQL) => SQL;

function toRow(tenant: Tenant, e: NewEvent, createdAt: Date): Event {
  return {
    merchantId: tenant.merchantId,
    id: newId('event'),
    type: e.type,
    apiVersion: API_VERSION,
    livemode: tenant.livemode,
    objectId: e.objectId,
    data: e.previousAttributes ? { object: e.object, previous_attributes: e.previousAttributes } : { object: e.object },
    createdAt,
  };
}

export function createEventService(deps: { db: Db; clock: Clock; fanOutStatement: FanOutStatement }) {
  const { db, clock } = deps;
  return {
    /**
     * Records an event and fans out its deliveries. `q` is the change's transaction; or, with
     * `change` (the change's own INSERT/UPDATE), the pool: the change, event and deliveries are
     * then one statement, atomic without BEGIN/COMMIT.
     */
    async record(q: Queryable, tenant: Tenant, e: NewEvent, change?: SQL): Promise<Event> {
      const row = toRow(tenant, e, clock.now());
      await store.insertEventWith(q, row, change, deps.fanOutStatement);
      return row;
    },

    /** Records many events in the caller's transaction, in one statement. */
    async recordMany(tx: Queryable, tenant: Tenant, list: NewEvent[]): Promise<void> {
      const now = clock.now();
      const rows = list.map((e) => toRow(tenant, e, now));
      await store.insertEventsWith(tx, rows, deps.fanOutStatement);
    },

    async get(tenant: Caller, id: string): Promise<Event> {
      const row = await store.findEvent(queryableFor(db, tenant), tenant.merchantId, id);
      if (!row) throw new DomainError('not_found', `No such event: ${id}`);
      return row;
    },

    async list(tenant: Caller, filter: store.EventFilter, page: PageParams): Promise<Page<Event>> {
      return toPage(await store.listEvents(queryableFor(db, tenant), tenant.merchantId, filter, page), page);
    },

    listIdsSince: (tenant: Caller, since: Date, until: Date, limit: number) =>
      store.listEventIdsSince(queryableFor(db, tenant), tenant.merchantId, since, until, limit),
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
