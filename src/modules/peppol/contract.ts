// The API shape of an invoice's Peppol delivery: where it stands and, when it failed, why.
import { Type, type Static } from 'typebox';
import { Id, Nullable, Timestamp } from '../../http/schemas.ts';
import { PEPPOL_DELIVERY_STATUSES, type peppolDeliveries } from './schema.ts';

export const PeppolDelivery = Type.Object(
  {
    id: Id('peppolDelivery', 'The delivery id, also the message id the access point knows it by'),
    object: Type.Literal('peppol_delivery'),
    livemode: Type.Boolean(),
    invoice: Id('invoice'),
    customer: Id('customer'),
    participant_id: Type.String({ description: 'The receiver, as the invoice recorded the customer’s peppol delivery', examples: ['0007:5560360793'] }),
    status: Type.Enum(PEPPOL_DELIVERY_STATUSES, {
      description:
        '`queued` (waiting for the worker or a retry), `sending` (a worker has it), `awaiting` (the access point accepted it, delivery to the receiver not confirmed yet), `delivered` (invoice.sent), `failed` (invoice.delivery_failed: see `reason`)',
    }),
    attempts: Type.Integer({ description: 'Times a worker took it (sends and status checks)' }),
    access_point: Type.String({ description: '`test`: the built-in test access point', examples: ['test'] }),
    transmission_id: Nullable(Type.String({ description: 'The access point’s id of the transmission' })),
    reason: Nullable(Type.String({ description: 'Why it failed, or why the last try did not get through' })),
    created_at: Timestamp('When the invoice was queued'),
    updated_at: Timestamp('Last change'),
    delivered_at: Nullable(Timestamp('When the receiver’s access point had it')),
  },
  {
    $id: 'PeppolDelivery',
    description: 'An invoice’s delivery over the Peppol network',
    examples: [
      {
        id: 'ped_01KB2Y5M8Q0ZC3V1S7N4D6F9XA',
        object: 'peppol_delivery',
        livemode: false,
        invoice: 'in_01KB2Y5M8Q0ZC3V1S7N4D6F9XB',
        customer: 'cus_01KB2Y5M8Q0ZC3V1S7N4D6F9XC',
        participant_id: '0007:5560360793',
        status: 'delivered',
        attempts: 1,
        access_point: 'test',
        transmission_id: 'ptx_01KB2Y5M8Q0ZC3V1S7N4D6F9XD',
        reason: null,
        created_at: '2026-11-25T09:00:00.000Z',
        updated_at: '2026-11-25T09:00:01.000Z',
        delivered_at: '2026-11-25T09:00:01.000Z',
      },
    ],
  },
);
export type PeppolDeliveryResource = Static<typeof PeppolDelivery>;

export function toPeppolDeliveryResource(row: typeof peppolDeliveries.$inferSelect): PeppolDeliveryResource {
  return {
    id: row.id,
    object: 'peppol_delivery',
    livemode: row.livemode,
    invoice: row.invoiceId,
    customer: row.customerId,
    participant_id: row.participantId,
    status: row.status,
    attempts: row.attempts,
    access_point: row.accessPoint,
    transmission_id: row.transmissionId,
    reason: row.reason,
    created_at: row.createdAt.toISOString(),
    updated_at: row.updatedAt.toISOString(),
    delivered_at: row.deliveredAt?.toISOString() ?? null,
  };
}
