// Webhook endpoint use cases: register, change, reveal and rotate secrets, disable, retry, replay.
import { sql } from 'drizzle-orm';
import type { Db, Tx } from '../../db/client.ts';
import { newId } from '../../db/ids.ts';
import { inTransaction, queryableFor, type Caller } from '../../db/unit-of-work.ts';
import type { Clock } from '../../clock.ts';
import { DomainError } from '../../kernel/errors.ts';
import type { EventService } from '../events/service.ts';
import { checkWebhookUrl, type Resolver } from './url-safety.ts';
import { generateSecret } from './signature.ts';
import { createSecretVault, sealStoredSecrets } from './secrets.ts';
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
  // SECRETS_KEY: signing secrets are stored sealed under it (./secrets.ts). Without it, every
  // use of a secret fails (creating, revealing, rotating, signing).
  secretsKey?: string | undefined;
}) {
  const { db, clock, events } = deps;
  const vault = createSecretVault(deps.secretsKey);

  async function safeUrl(tenant: Caller, raw: string): Promise<string> {
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

  async function get(tenant: Caller, id: string): Promise<Endpoint> {
    const row = await store.findEndpoint(queryableFor(db, tenant), tenant.merchantId, id);
    if (!row) throw new DomainError('not_found', `No such webhook endpoint: ${id}`);
    return row;
  }

  async function mutate(tenant: Caller, id: string, change: (row: Endpoint, now: Date, tx: Tx) => Promise<Endpoint> | Endpoint) {
    return inTransaction(db, tenant, async (tx) => {
      const row = await store.findEndpoint(tx, tenant.merchantId, id, { forUpdate: true });
      if (!row) throw new DomainError('not_found', `No such webhook endpoint: ${id}`);
      const now = clock.now();
      return store.updateEndpoint(tx, { ...(await change(row, now, tx)), updatedAt: now });
    });
  }

  async function requireDelivery(tenant: Caller, endpointId: string, eventId: string) {
    const d = await store.findDelivery(queryableFor(db, tenant), tenant.merchantId, endpointId, eventId);
    if (!d) throw new DomainError('not_found', `No delivery of ${eventId} to ${endpointId}`);
    return d;
  }

  return {
    get,

    /** Webhook retries of a test clock's customers fall due as if its jump had passed (in the advance's transaction). */
    pullForwardForTestClock: (tx: Tx, merchantId: string, testClockId: string, ms: number) => store.pullForwardForTestClock(tx, merchantId, testClockId, ms),

    async create(tenant: Caller, input: EndpointInput & { url: string }): Promise<Endpoint> {
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
        secret: '',
        previousSecret: null,
        previousSecretExpiresAt: null,
        failingSince: null,
        lastSuccessAt: null,
        createdAt: now,
        updatedAt: now,
      };
      const secret = generateSecret();
      await inTransaction(db, tenant, (tx) => store.insertEndpoint(tx, { ...row, secret: vault.seal(row.merchantId, row.id, secret) }));
      // The one endpoint object that carries its secret in the clear: the creation response shows it.
      return { ...row, secret };
    },

    async list(tenant: Caller, page: { limit: number; startingAfter?: string | undefined }) {
      const rows = await store.listEndpoints(queryableFor(db, tenant), tenant.merchantId, page);
      return { data: rows.slice(0, page.limit), hasMore: rows.length > page.limit };
    },

    async update(tenant: Caller, id: string, input: EndpointInput): Promise<Endpoint> {
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
    async remove(tenant: Caller, id: string): Promise<Endpoint> {
      return mutate(tenant, id, (row) => ({ ...row, status: 'deleted', disabledReason: 'deleted' }));
    },

    async revealSecret(tenant: Caller, id: string) {
      const row = await get(tenant, id);
      const now = clock.now();
      const overlapping = row.previousSecret && row.previousSecretExpiresAt && row.previousSecretExpiresAt > now;
      return {
        secret: vault.open(row.merchantId, row.id, row.secret),
        previous_secret: overlapping ? vault.open(row.merchantId, row.id, row.previousSecret!) : null,
        previous_secret_expires_at: overlapping ? row.previousSecretExpiresAt!.toISOString() : null,
      };
    },

    /** A new secret signs from now on; the old one keeps signing too until the overlap ends. */
    async rotateSecret(tenant: Caller, id: string, overlapHours: number) {
      const secret = generateSecret();
      const row = await mutate(tenant, id, (r, now) => ({
        ...r,
        secret: vault.seal(r.merchantId, r.id, secret),
        previousSecret: overlapHours > 0 ? vault.reseal(r.merchantId, r.id, r.secret) : null,
        previousSecretExpiresAt: overlapHours > 0 ? new Date(now.getTime() + overlapHours * 3600_000) : null,
      }));
      // The new secret in the clear for the response, like creation.
      return { ...row, secret };
    },

    /** The secrets a delivery is signed with now: the current one, and the previous one during a rotation's overlap. */
    signingSecrets(
      c: { merchant_id: string; endpoint_id: string; secret: string; previous_secret: string | null; previous_secret_expires_at: Date | null },
      now: Date,
    ): string[] {
      const secrets = [vault.open(c.merchant_id, c.endpoint_id, c.secret)];
      if (c.previous_secret && c.previous_secret_expires_at && c.previous_secret_expires_at > now) {
        secrets.push(vault.open(c.merchant_id, c.endpoint_id, c.previous_secret));
      }
      return secrets;
    },

    /** Seals stored secrets under the current key: plaintext ones from before encryption at rest (start-up), or all (rotation). */
    sealStoredSecrets: (which: 'plaintext' | 'all') => sealStoredSecrets(db, vault, which),

    /** Disables an endpoint for a reason of ours (410 Gone, failing for 5 days) and says so in an event. */
    async disable(tx: Tx, tenant: Caller, id: string, reason: 'gone' | 'failing'): Promise<void> {
      const row = await store.findEndpoint(tx, tenant.merchantId, id, { forUpdate: true });
      if (!row || row.status !== 'enabled') return;
      const now = clock.now();
      const updated = await store.updateEndpoint(tx, { ...row, status: 'disabled', disabledReason: reason, updatedAt: now });
      await events.record(tx, tenant, { type: 'webhook_endpoint.disabled', objectId: id, object: toEndpointObject(updated) });
    },

    async listDeliveries(
      tenant: Caller,
      f: { endpointId?: string; eventId?: string; status?: store.DeliveryRow['status'] | undefined },
      page: { limit: number; startingAfter?: string | undefined },
    ) {
      if (f.endpointId) await get(tenant, f.endpointId);
      if (f.eventId) await events.get(tenant, f.eventId);
      const rows = await store.listDeliveries(queryableFor(db, tenant), tenant.merchantId, f, page);
      return { data: rows.slice(0, page.limit), hasMore: rows.length > page.limit };
    },

    getDelivery: requireDelivery,

    async listAttempts(tenant: Caller, endpointId: string, eventId: string, page: { limit: number; startingAfter?: string | undefined }) {
      await requireDelivery(tenant, endpointId, eventId);
      const rows = await store.listAttempts(queryableFor(db, tenant), tenant.merchantId, endpointId, eventId, page);
      return { data: rows.slice(0, page.limit), hasMore: rows.length > page.limit };
    },

    /** Sends one delivery again now, whatever its state; the webhook-id stays the event id. */
    async retryDelivery(tenant: Caller, endpointId: string, eventId: string) {
      await requireDelivery(tenant, endpointId, eventId);
      return inTransaction(db, tenant, async (tx) => {
        const row = await store.requeueDelivery(tx, tenant.merchantId, endpointId, eventId, clock.now());
        await tx.execute(wake);
        return row;
      });
    },

    /** Re-sends every event since a time (delivered or not) that the endpoint subscribes to. */
    async replay(tenant: Caller, endpointId: string, since: Date, until: Date | undefined) {
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
      await inTransaction(db, tenant, async (tx) => {
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
