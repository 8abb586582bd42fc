// Every table, for drizzle-kit and for typed queries. Each module owns its own schema.ts.
export * from '../modules/merchants/schema.ts';
export * from '../modules/customers/schema.ts';
export * from '../modules/catalog/schema.ts';
export * from '../http/idempotency-schema.ts';
export * from '../modules/events/schema.ts';
export * from '../modules/webhooks/schema.ts';
export * from '../modules/test-clocks/schema.ts';
export * from '../modules/subscriptions/schema.ts';
export * from '../modules/invoices/schema.ts';
export * from '../modules/billing/schema.ts';
export * from '../modules/payments/schema.ts';
export * from '../http/rate-limit-schema.ts';
export * from '../modules/collection/schema.ts';
export * from '../modules/dunning/schema.ts';
export * from '../modules/messages/schema.ts';
export * from '../modules/templates/schema.ts';
export * from '../modules/payment-plans/schema.ts';
