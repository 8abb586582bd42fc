// What each event type carries, for the OpenAPI document: `Event` is a union discriminated by
// `type` (one schema per type, `data.object` the resource by $ref), and the document's top-level
// `webhooks` section describes the POST every type is delivered as. The runtime event responses
// are not validated against these (they serialise the stored JSON as it is);
// test/http/contract.test.ts checks that the events the API records match them.
import { Type, type TSchema } from 'typebox';
import { Id, Timestamp } from '../../http/schemas.ts';
import { Customer } from '../customers/contract.ts';
import { Price, Product } from '../catalog/contract.ts';
import { Subscription } from '../subscriptions/contract.ts';
import { CreditNote, Invoice } from '../invoices/contract.ts';
import { Endpoint as WebhookEndpoint } from '../webhooks/routes.ts';
import { CustomerBalanceTransaction, Payment } from '../payments/contract.ts';
import { CollectionAttempt } from '../collection/contract.ts';
import { CollectionEscalation } from '../dunning/contract.ts';
import { Message } from '../messages/contract.ts';
import { PaymentPlan } from '../payment-plans/contract.ts';
import { Experiment } from '../experiments/contract.ts';
import { ChurnRisk } from '../churn-risk/contract.ts';
import { API_VERSION, EVENT_TYPES, type EventType } from './types.ts';

type Payload = { object: TSchema; built: boolean };
const built = (object: TSchema): Payload => ({ object, built: true });
/** Registered but not emitted yet; typed with the closest resource there is. */
const planned = (object: TSchema): Payload => ({ object, built: false });

/** Every event type's data.object. Adding a type to EVENT_TYPES without a payload here fails to compile. */
export const EVENT_PAYLOADS: Record<EventType, Payload> = {
  'customer.created': built(Customer),
  'customer.updated': built(Customer),
  'customer.returned': built(Customer),
  'product.created': built(Product),
  'product.updated': built(Product),
  'price.created': built(Price),
  'price.updated': built(Price),
  'subscription.created': built(Subscription),
  'subscription.updated': built(Subscription),
  'subscription.paused': built(Subscription),
  'subscription.resumed': built(Subscription),
  'subscription.canceled': built(Subscription),
  'subscription.reactivated': built(Subscription),
  'invoice.created': built(Invoice),
  'invoice.updated': built(Invoice),
  'invoice.deleted': built(Invoice),
  'invoice.finalized': built(Invoice),
  'invoice.sent': built(Invoice),
  'invoice.delivery_failed': built(Invoice),
  'invoice.paid': built(Invoice),
  'invoice.partially_paid': built(Invoice),
  'invoice.overdue': planned(Invoice),
  'invoice.voided': built(Invoice),
  'invoice.marked_uncollectible': built(Invoice),
  'credit_note.created': built(CreditNote),
  'invoice.credited': built(Invoice),
  'invoice.in_collection': built(Invoice),
  'payment.received': built(Payment),
  'payment.failed': built(CollectionAttempt),
  'payment.unmatched': built(Payment),
  'payment.assigned': built(Payment),
  'payment.refunded': built(Payment),
  'customer_balance_transaction.created': built(CustomerBalanceTransaction),
  'payment_method.changed': built(Customer),
  'payment_method.action_required': built(CollectionAttempt),
  'delivery.changed': built(Customer),
  'reminder.sent': built(Message),
  'reminder.requested': built(Message),
  'payment_plan.created': built(PaymentPlan),
  'payment_plan.missed': built(PaymentPlan),
  'payment_plan.defaulted': built(PaymentPlan),
  'payment_plan.canceled': built(PaymentPlan),
  'payment_plan.completed': built(PaymentPlan),
  'collection.escalated': built(CollectionEscalation),
  'customer.churn_risk_changed': built(ChurnRisk),
  'experiment.created': built(Experiment),
  'experiment.stopped': built(Experiment),
  'webhook_endpoint.disabled': built(WebhookEndpoint),
};

function pascal(s: string): string {
  return s
    .split(/[._]/)
    .map((w) => w.charAt(0).toUpperCase() + w.slice(1))
    .join('');
}

/** The component name of one event type's schema: customer.created → CustomerCreatedEvent. */
export const eventSchemaName = (type: EventType) => `${pascal(type)}Event`;

/** `*.updated` always says what changed; other types that change a field say so when they do. */
const hasPreviousAttributes = (type: EventType) => type.endsWith('.updated');

const PreviousAttributes = (description: string) =>
  Type.Record(Type.String(), Type.Unknown(), {
    description,
    examples: [{ email: 'anna@example.se', updated_at: '2026-11-25T09:00:00.000Z' }],
  });

function eventSchema(type: EventType): TSchema {
  const { object, built } = EVENT_PAYLOADS[type];
  const resource = (object as { $id?: string }).$id;
  const previous = hasPreviousAttributes(type)
    ? PreviousAttributes("The previous values of the fields that changed (in the object's own shape)")
    : Type.Optional(PreviousAttributes('Present when the change replaced field values: their previous values (for example `status`)'));
  return Type.Object(
    {
      id: Id('event'),
      object: Type.Literal('event'),
      type: Type.Literal(type),
      api_version: Type.String({ examples: [API_VERSION] }),
      livemode: Type.Boolean(),
      created_at: Timestamp('When the change happened'),
      data: Type.Object(
        {
          object: object,
          previous_attributes: previous,
        },
        { additionalProperties: false, description: `The ${resource ?? 'object'} as it was right after the change` },
      ),
    },
    {
      $id: eventSchemaName(type),
      description: `\`${type}\`: ${EVENT_TYPES[type]}.${built ? '' : ' Not emitted yet (the feature is not built); data.object is typed with the closest schema there is.'}`,
    },
  );
}

export const EVENT_SCHEMAS = Object.fromEntries((Object.keys(EVENT_TYPES) as EventType[]).map((type) => [type, eventSchema(type)])) as Record<
  EventType,
  TSchema
>;

/** The Event component: one of the event types, discriminated by `type` (a `switch (event.type)` narrows data.object). */
export const EventUnion = {
  $id: 'Event',
  description: 'A state change, as listed by GET /v1/events and delivered by webhooks: one of the event types, discriminated by `type`.',
  oneOf: Object.values(EVENT_SCHEMAS),
  discriminator: {
    propertyName: 'type',
    mapping: Object.fromEntries((Object.keys(EVENT_TYPES) as EventType[]).map((type) => [type, `#/components/schemas/${eventSchemaName(type)}`])),
  },
} as unknown as TSchema;

const example = {
  id: 'evt_01KB2Y5M8Q0ZC3V1S7N4D6F9XA',
  object: 'event',
  type: 'customer.updated',
  api_version: API_VERSION,
  livemode: false,
  created_at: '2026-11-25T10:00:00.000Z',
  data: {
    object: (Customer as unknown as { examples: Record<string, unknown>[] }).examples[0],
    previous_attributes: { email: 'anna.a@example.se', updated_at: '2026-11-25T09:00:00.000Z' },
  },
};
/** An event as GET /v1/events and a webhook show it. */
export const EVENT_EXAMPLE = example;
