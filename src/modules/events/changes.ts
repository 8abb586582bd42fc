// Shared by every use case that changes an object: what its *.updated event says changed, and
// Stripe-style metadata merges.
import { DomainError } from '../../kernel/errors.ts';
import type { Tenant } from '../../kernel/tenant.ts';
import type { Tx } from '../../db/client.ts';
import type { EventService } from './service.ts';
import type { EventType } from './types.ts';

/** The previous values of the fields that differ, or undefined when nothing changed. */
export function previousAttributes(before: Record<string, unknown>, after: Record<string, unknown>): Record<string, unknown> | undefined {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(before)) {
    if (k !== 'updated_at' && JSON.stringify(v) !== JSON.stringify(after[k])) out[k] = v;
  }
  return Object.keys(out).length > 0 ? out : undefined;
}

/** Merges a metadata change into the current metadata; a key set to null is removed. */
export function mergeMetadata(current: Record<string, string>, change: Record<string, string | null>): Record<string, string> {
  const merged: Record<string, string> = { ...current };
  for (const [k, v] of Object.entries(change)) {
    if (v === null) delete merged[k];
    else merged[k] = v;
  }
  if (Object.keys(merged).length > 50) {
    throw new DomainError('validation_failed', 'metadata can hold at most 50 keys', {
      errors: [{ field: 'metadata', location: 'body', message: 'can hold at most 50 keys' }],
    });
  }
  return merged;
}

/** How one kind of object is updated: found under FOR UPDATE, rendered as the API shows it, written. */
export type UpdateSpec<Row> = {
  type: EventType;
  id: string;
  notFound: string;
  find: (tx: Tx) => Promise<Row | undefined>;
  render: (row: Row) => Record<string, unknown>;
  write: (tx: Tx, row: Row) => Promise<Row>;
};

/**
 * The one way an object is updated: load it locked, apply `change`, and only when what the API
 * shows differs, write it and record `<type>` with the previous values of what changed. Concurrent
 * updates serialise on the row lock; a no-op writes nothing and records nothing.
 */
export async function updateAndRecord<Row>(
  tx: Tx,
  events: Pick<EventService, 'record'>,
  tenant: Tenant,
  spec: UpdateSpec<Row>,
  change: (row: Row) => Row,
): Promise<Row> {
  const row = await spec.find(tx);
  if (!row) throw new DomainError('not_found', spec.notFound);
  const next = change(row);
  const before = spec.render(row);
  const changed = previousAttributes(before, spec.render(next));
  if (!changed) return row;
  const updated = await spec.write(tx, next);
  await events.record(tx, tenant, { type: spec.type, objectId: spec.id, object: spec.render(updated), previousAttributes: { ...changed, updated_at: before.updated_at } });
  return updated;
}
