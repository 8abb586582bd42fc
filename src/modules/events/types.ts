// The one registry of event types. Routes validate against it, the OpenAPI document lists it and
// the README's table is generated from it (`npm run openapi`). Add a type here before emitting it.
export const EVENT_TYPES = {
  'customer.created': 'A customer was created',
  'customer.updated': 'A customer changed (including archived and restored)',
  'customer.returned': 'A former customer came back (unarchived), with their earlier choices in force',
  'product.created': 'A product was created',
  'product.updated': 'A product changed (including archived with active: false)',
  'price.created': 'A price was created',
  'price.updated': "A price's nickname, metadata or active flag changed",
  'subscription.created': 'A subscription was created',
  'subscription.updated': 'A subscription changed',
  'subscription.paused': 'A subscription was paused',
  'subscription.resumed': 'A paused subscription was resumed',
  'subscription.canceled': 'A subscription was canceled',
  'subscription.reactivated': 'A canceled subscription was reactivated',
  'invoice.created': 'An invoice was created',
  'invoice.updated': 'A draft invoice changed, an invoice’s metadata, or a refund reopened part of a paid invoice',
  'invoice.deleted': 'A draft invoice was deleted',
  'invoice.finalized': 'An invoice was finalized and numbered',
  'invoice.sent': 'An invoice was sent to the customer',
  'invoice.paid': 'An invoice was paid in full',
  'invoice.partially_paid': 'A payment covered part of an invoice',
  'invoice.overdue': 'An invoice passed its due date unpaid',
  'invoice.voided': 'An invoice was voided',
  'invoice.marked_uncollectible': 'An invoice was marked uncollectible',
  'credit_note.created': 'A credit note was issued',
  'invoice.credited': 'A credit note reduced an invoice',
  'invoice.in_collection': 'An invoice was handed to debt collection',
  'payment.received': 'A payment was recorded (matched or not)',
  'payment.failed': 'A collection attempt (card, Swish, autogiro) was declined or failed',
  'payment.unmatched': 'A payment could not be matched to an invoice',
  'payment.assigned': 'An unmatched payment was assigned by hand to an invoice or to a customer’s credit',
  'payment.refunded': 'A payment was refunded, in full or in part',
  'customer_balance_transaction.created': "A customer's credit balance changed (overpayment, credit used on an invoice, refund, assignment)",
  'payment_method.changed': "A customer's payment method changed",
  'payment_method.action_required': "A customer's payment method keeps failing or can no longer be charged (an expired card, say): ask the customer to update it",
  'delivery.changed': "A customer's invoice delivery choice changed",
  'reminder.sent': 'A payment reminder was sent',
  'reminder.requested': 'A reminder is due and was requested',
  'payment_plan.created': 'A payment plan was agreed',
  'payment_plan.missed': 'An installment of a payment plan was missed',
  'payment_plan.completed': 'A payment plan was paid in full',
  'collection.escalated': 'A debt was escalated to collection',
  'customer.churn_risk_changed': "A customer's churn risk changed",
  'webhook_endpoint.disabled': 'A webhook endpoint was disabled (410 Gone, or failing for 5 days)',
} as const;

export type EventType = keyof typeof EVENT_TYPES;
export const EVENT_TYPE_NAMES = Object.keys(EVENT_TYPES) as EventType[];

/** The shape of event payloads; bumped when an object's JSON changes incompatibly. */
export const API_VERSION = '2026-11-25';
