// Webhook endpoint use cases: register, change, reveal and rotate secrets, disable, retry, replay.
import { sql } from 'drizzle-orm';
import type { Db, Tx } from '../../db/client.ts';
import { newId } from '../../db/ids.ts';
import { inTransaction } from '../../db/tx.ts';
import type { Clock } from '../../clock.ts';
import { DomainError } from '../../kernel/errors.ts';
import type { EventService } from '../events/service.ts';
import type { Tenant } from '../../kernel/tenant.ts';
import { checkWebhookUrl, type Resolver } from './url-safety.ts';
import { generateSecret } from './signature.ts';
import * as store from './store.ts';

export type Endpoint = store.EndpointRow;
export type EndpointInput = {
  url?: string | undefined;
  enabled_events?: string[] | undefined;
  description?: string | null | undefined;
  enabled?: boolean | undefined;
};

/** A replay re-sends at most this many events and reaches back at most this far. */
export const REPLAY_MAX_EVENTS = 10_000;
export const REPLAY_MAX_AGE_MS = 30 * 24 * 3600_000;

export function createWebhookService(deps: {
  db: Db;
  clock: Clock;
  events: Pick<EventService, 'record' | 'listIdsSince' | 'get'>;
  allowPrivateUrls: boolean;
  resolve?: Resolver;
}) {
  const { db, clock, events } = deps;

  async function safeUrl(tenant: Tenant, raw: string): Promise<string> {
    const checked = await checkWebhookUrl(raw, { allowPrivate: deps.allowPrivateUrls, requireHttps: tenant.livemode }, deps.resolve);
    if (!checked.ok) {
      throw new DomainError('invalid_webhook_url', `The endpoint URL ${checked.reason}`, {
        errors: [{ field: 'url', location: 'body', message: checked.reason }],
      });
    }
    return checked.url.toString();
  }

  function wants(types: string[]): string[] {
    const unique = [...new Set(types)];
    return unique.includes('*') ? ['*'] : unique;
  }

  async function get(tenant: Tenant, id: string): Promise<Endpoint> {
    const row = await store.findEndpoint(db, tenant.merchantId, id);
    if (!row) throw new DomainError('not_found', `No such webhook endpoint: ${id}`);
    return row;
  }

  async function mutate(tenant: Tenant, id: string, change: (row: Endpoint, now: Date, tx: Tx) => Promise<Endpoint> | Endpoint) {
    return inTransaction(db, async (tx) => {
      const row = await store.findEndpoint(tx, tenant.merchantId, id, { forUpdate: true });
      if (!row) throw new DomainError('not_found', `No such webhook endpoint: ${id}`);
      const now = clock.now();
      return store.updateEndpoint(tx, { ...(await change(row, now, tx)), updatedAt: now });
    });
  }

  async function requireDelivery(tenant: Tenant, endpointId: string, eventId: string) {
    const d = await store.findDelivery(db, tenant.merchantId, endpointId, eventId);
    if (!d) throw new DomainError('not_found', `No delivery of ${eventId} to ${endpointId}`);
    return d;
  }

  return {
    get,

    async create(tenant: Tenant, input: EndpointInput & { url: string }): Promise<Endpoint> {
      const url = await safeUrl(tenant, input.url);
      const now = clock.now();
      const row: Endpoint = {
        merchantId: tenant.merchantId,
        id: newId('webhookEndpoint'),
        url,
        description: input.description ?? null,
        enabledEvents: wants(input.enabled_events ?? ['*']),
        status: input.enabled === false ? 'disabled' : 'enabled',
        disabledReason: input.enabled === false ? 'merchant' : null,
        secret: generateSecret(),
        previousSecret: null,
        previousSecretExpiresAt: null,
        failingSince: null,
        lastSuccessAt: null,
        createdAt: now,
        updatedAt: now,
      };
      await inTransaction(db, (tx) => store.insertEndpoint(tx, row));
      return row;
    },

    async list(tenant: Tenant, page: { limit: number; startingAfter?: string | undefined }) {
      const rows = await store.listEndpoints(db, tenant.merchantId, page);
      return { data: rows.slice(0, page.limit), hasMore: rows.length > page.limit };
    },

    async update(tenant: Tenant, id: string, input: EndpointInput): Promise<Endpoint> {
      const url = input.url === undefined ? undefined : await safeUrl(tenant, input.url);
      return mutate(tenant, id, (row) => {
        const next = { ...row };
        if (url !== undefined) next.url = url;
        if (input.enabled_events !== undefined) next.enabledEvents = wants(input.enabled_events);
        if (input.description !== undefined) next.description = input.description;
        if (input.enabled === true && row.status !== 'enabled') {
          // Re-enabling starts a fresh failure window; pending deliveries resume.
          Object.assign(next, { status: 'enabled', disabledReason: null, failingSince: null });
        } else if (input.enabled === false && row.status === 'enabled') {
          Object.assign(next, { status: 'disabled', disabledReason: 'merchant' });
        }
        return next;
      });
    },

    /** Deleted endpoints get no new deliveries and disappear from the API; their history stays. */
    async remove(tenant: Tenant, id: string): Promise<Endpoint> {
      return mutate(tenant, id, (row) => ({ ...row, status: 'deleted', disabledReason: 'deleted' }));
    },

    async revealSecret(tenant: Tenant, id: string) {
      const row = await get(tenant, id);
      const now = clock.now();
      const overlapping = row.previousSecret && row.previousSecretExpiresAt && row.previousSecretExpiresAt > now;
      return {
        secret: row.secret,
        previous_secret: overlapping ? row.previousSecret : null,
        previous_secret_expires_at: overlapping ? row.previousSecretExpiresAt!.toISOString() : null,
      };
    },

    /** A new secret signs from now on; the old one keeps signing too until the overlap ends. */
    async rotateSecret(tenant: Tenant, id: string, overlapHours: number) {
      const row = await mutate(tenant, id, (r, now) => ({
        ...r,
        secret: generateSecret(),
        previousSecret: overlapHours > 0 ? r.secret : null,
        previousSecretExpiresAt: overlapHours > 0 ? new Date(now.getTime() + overlapHours * 3600_000) : null,
      }));
      return row;
    },

    /** Disables an endpoint for a reason of ours (410 Gone, failing for 5 days) and says so in an event. */
    async disable(tx: Tx, tenant: Tenant, id: string, reason: 'gone' | 'failing'): Promise<void> {
      const row = await store.findEndpoint(tx, tenant.merchantId, id, { forUpdate: true });
      if (!row || row.status !== 'enabled') return;
      const now = clock.now();
      const updated = await store.updateEndpoint(tx, { ...row, status: 'disabled', disabledReason: reason, updatedAt: now });
      await events.record(tx, tenant, { type: 'webhook_endpoint.disabled', objectId: id, object: toEndpointObject(updated) });
    },

    async listDeliveries(
      tenant: Tenant,
      f: { endpointId?: string; eventId?: string; status?: store.DeliveryRow['status'] | undefined },
      page: { limit: number; startingAfter?: string | undefined },
    ) {
      if (f.endpointId) await get(tenant, f.endpointId);
      if (f.eventId) await events.get(tenant, f.eventId);
      const rows = await store.listDeliveries(db, tenant.merchantId, f, page);
      return { data: rows.slice(0, page.limit), hasMore: rows.length > page.limit };
    },

    getDelivery: requireDelivery,

    async listAttempts(tenant: Tenant, endpointId: string, eventId: string, page: { limit: number; startingAfter?: string | undefined }) {
      await requireDelivery(tenant, endpointId, eventId);
      const rows = await store.listAttempts(db, tenant.merchantId, endpointId, eventId, page);
      return { data: rows.slice(0, page.limit), hasMore: rows.length > page.limit };
    },

    /** Sends one delivery again now, whatever its state; the webhook-id stays the event id. */
    async retryDelivery(tenant: Tenant, endpointId: string, eventId: string) {
      await requireDelivery(tenant, endpointId, eventId);
      return inTransaction(db, async (tx) => {
        const row = await store.requeueDelivery(tx, tenant.merchantId, endpointId, eventId, clock.now());
        await tx.execute(wake);
        return row;
      });
    },

    /** Re-sends every event since a time (delivered or not) that the endpoint subscribes to. */
    async replay(tenant: Tenant, endpointId: string, since: Date, until: Date | undefined) {
      const endpoint = await get(tenant, endpointId);
      const now = clock.now();
      const end = until ?? now;
      if (since.getTime() < now.getTime() - REPLAY_MAX_AGE_MS) {
        throw new DomainError('validation_failed', 'A replay reaches back at most 30 days', {
          errors: [{ field: 'since', location: 'body', message: 'must be within the last 30 days' }],
        });
      }
      if (end < since) {
        throw new DomainError('validation_failed', 'until must not be before since', {
          errors: [{ field: 'until', location: 'body', message: 'must not be before since' }],
        });
      }
      const found = await events.listIdsSince(tenant, since, end, REPLAY_MAX_EVENTS + 1);
      if (found.length > REPLAY_MAX_EVENTS) {
        throw new DomainError('validation_failed', `More than ${REPLAY_MAX_EVENTS} events in that window; replay a shorter one`, {
          errors: [{ field: 'since', location: 'body', message: `the window holds more than ${REPLAY_MAX_EVENTS} events` }],
        });
      }
      const wanted = found.filter((e) => endpoint.enabledEvents.includes('*') || endpoint.enabledEvents.includes(e.type));
      await inTransaction(db, async (tx) => {
        for (const e of wanted) await store.requeueDelivery(tx, tenant.merchantId, endpointId, e.id, now);
        if (wanted.length > 0) await tx.execute(wake);
      });
      return { events_queued: wanted.length, since: since.toISOString(), until: end.toISOString() };
    },
  };
}
export type WebhookService = ReturnType<typeof createWebhookService>;

const wake = sql`select pg_notify(${store.WAKE_CHANNEL}, '')`;

/** The endpoint as the API and events show it: never the secret. */
export function toEndpointObject(e: Endpoint) {
  return {
    id: e.id,
    object: 'webhook_endpoint' as const,
    url: e.url,
    description: e.description,
    enabled_events: e.enabledEvents,
    status: e.status,
    disabled_reason: e.disabledReason,
    created_at: e.createdAt.toISOString(),
    updated_at: e.updatedAt.toISOString(),
  };
}
