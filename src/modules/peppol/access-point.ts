// The access point interface: how Omtanke hands a document to the Peppol network and learns what
// became of it. `send` is idempotent on `messageId` (the delivery id): a resend after a crash or a
// timeout is the same transmission, never a second document at the receiver. An access point may
// answer at once (accepted: the receiver's access point has it; rejected) or later (delayed: ask
// `status` on a later pass). No database transaction of ours is open during these calls.
//
// A real access point (an operator's API: Pagero, InExchange, Storecove, …) plugs in behind the
// same interface: map `send` to its submit call with `messageId` as its idempotency key or SBDH
// instance identifier, and `status` to its status or webhook query, and pass it to
// createPeppolSender as `accessPoints.live`.
import { and, eq, sql } from 'drizzle-orm';
import type { Db } from '../../db/client.ts';
import { newId } from '../../db/ids.ts';
import type { Clock } from '../../clock.ts';
import { peppolTestTransmissions } from './schema.ts';

export type Transmission = {
  messageId: string;
  merchantId: string;
  /** Participant ids, scheme:identifier (0007:5560360793). */
  sender: string;
  receiver: string;
  /** The UBL document, checked by schema and rules. */
  document: string;
};
export type SendResult =
  | { outcome: 'accepted'; transmissionId: string }
  | { outcome: 'delayed'; transmissionId: string }
  | { outcome: 'rejected'; transmissionId: string | null; reason: string };
export type TransmissionStatus = { outcome: 'delivered' } | { outcome: 'pending' } | { outcome: 'rejected'; reason: string };

export interface AccessPoint {
  readonly name: string;
  /** Hands the document over (the same answer for the same messageId), or throws when it could not. */
  send(t: Transmission): Promise<SendResult>;
  /** What became of a delayed transmission. */
  status(merchantId: string, transmissionId: string): Promise<TransmissionStatus>;
}

/**
 * The built-in test access point (test mode): it keeps what it was handed in its own table, once
 * per message id, and answers by the receiver's identifier (documented in the README):
 * 559100… is rejected, 559200… is delayed and then delivered at the first status check, 559300…
 * is delayed and then rejected; every other receiver gets the document at once.
 */
export const TEST_RECEIVERS = {
  rejected: '0007:5591000004',
  delayed: '0007:5592000003',
  delayedThenRejected: '0007:5593000002',
} as const;

const behaviourOf = (receiver: string) => {
  const id = receiver.slice(receiver.indexOf(':') + 1);
  if (id.startsWith('559100')) return 'rejected';
  if (id.startsWith('559200')) return 'delayed';
  if (id.startsWith('559300')) return 'delayed_then_rejected';
  return 'accepted';
};
const REJECTION = 'The receiver does not accept this document type (test access point)';

export function createTestAccessPoint(deps: { db: Db; clock: Clock }): AccessPoint {
  const { db, clock } = deps;
  return {
    name: 'test',
    async send(t) {
      const [row] = await db
        .insert(peppolTestTransmissions)
        .values({ merchantId: t.merchantId, id: newId('peppolTransmission'), messageId: t.messageId, sender: t.sender, receiver: t.receiver, document: t.document, createdAt: clock.now() })
        .onConflictDoUpdate({ target: [peppolTestTransmissions.merchantId, peppolTestTransmissions.messageId], set: { received: sql`${peppolTestTransmissions.received} + 1` } })
        .returning({ id: peppolTestTransmissions.id, receiver: peppolTestTransmissions.receiver });
      const behaviour = behaviourOf(row!.receiver);
      if (behaviour === 'rejected') return { outcome: 'rejected', transmissionId: row!.id, reason: REJECTION };
      if (behaviour === 'accepted') return { outcome: 'accepted', transmissionId: row!.id };
      return { outcome: 'delayed', transmissionId: row!.id };
    },
    async status(merchantId, transmissionId) {
      const [row] = await db
        .update(peppolTestTransmissions)
        .set({ statusChecks: sql`${peppolTestTransmissions.statusChecks} + 1` })
        .where(and(eq(peppolTestTransmissions.merchantId, merchantId), eq(peppolTestTransmissions.id, transmissionId)))
        .returning({ receiver: peppolTestTransmissions.receiver });
      if (!row) return { outcome: 'rejected', reason: `Unknown transmission ${transmissionId}` };
      return behaviourOf(row.receiver) === 'delayed_then_rejected' ? { outcome: 'rejected', reason: REJECTION } : { outcome: 'delivered' };
    },
  };
}
