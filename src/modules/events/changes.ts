// Shared by every use case that changes an object: what its *.updated event says changed, and
// Stripe-style metadata merges.
import { DomainError } from '../../kernel/errors.ts';

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
