import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { problemResponses } from '../../http/schemas.ts';
import type { PaymentService } from './service.ts';
import {
  AssignPaymentBody,
  BalanceTransactionList,
  CreatePaymentBody,
  CreateRefundBody,
  CustomerParams,
  ListBalanceTransactionsQuery,
  ListPaymentsQuery,
  ListRefundsQuery,
  Payment,
  PaymentList,
  PaymentParams,
  Refund,
  RefundList,
  RefundParams,
  toBalanceTransactionResource,
  toPaymentResource,
  toRefundResource,
} from './contract.ts';

const tags = ['Payments'];

export const paymentRoutes =
  (deps: { payments: PaymentService }): FastifyPluginAsyncTypebox =>
  async (app) => {
    const { payments } = deps;
    const page = (q: { limit?: number | undefined; starting_after?: string | undefined; ending_before?: string | undefined }) => ({
      limit: q.limit ?? 10,
      startingAfter: q.starting_after,
      endingBefore: q.ending_before,
    });

    app.post('/v1/payments', {
      schema: {
        operationId: 'createPayment',
        summary: 'Record a payment',
        description:
          'Records money received (amount, currency, date, method, reference, payer) and matches it: to the `invoice` named; else by its OCR reference (or the RF form of it); else, for the `customer` named or the one customer whose national id the payer gave, to their one payable invoice of exactly this amount. What the invoice does not need becomes the customer’s credit balance (used on their next invoice); a payment whose customer is unknown is `unmatched` and waits for `POST /v1/payments/{id}/assign`. Send an Idempotency-Key to retry safely.',
        tags,
        body: CreatePaymentBody,
        response: { 201: Payment, ...problemResponses('validation_failed', 'invalid_state', 'idempotency_key_reused') },
      },
      handler: async (req, reply) => {
        const row = await payments.create(req.caller, req.body);
        reply.code(201);
        return toPaymentResource(row, req.principal.livemode);
      },
    });

    app.get('/v1/payments', {
      schema: {
        operationId: 'listPayments',
        summary: 'List payments',
        description: 'Newest first; `status=unmatched` is the queue of payments waiting to be assigned. Filter by customer or invoice.',
        tags,
        querystring: ListPaymentsQuery,
        response: { 200: PaymentList, ...problemResponses('validation_failed') },
      },
      handler: async (req) => {
        const { status, customer, invoice } = req.query;
        const p = await payments.list(req.caller, { status, customerId: customer, invoiceId: invoice }, page(req.query));
        return { object: 'list' as const, data: p.data.map((r) => toPaymentResource(r, req.principal.livemode)), has_more: p.hasMore };
      },
    });

    app.get('/v1/payments/:id', {
      schema: {
        operationId: 'getPayment',
        summary: 'Retrieve a payment',
        description: 'With where its money went: applied to its invoice, held as customer credit, unapplied, refunded.',
        tags,
        params: PaymentParams,
        response: { 200: Payment, ...problemResponses('validation_failed', 'not_found') },
      },
      handler: async (req) => toPaymentResource(await payments.get(req.caller, req.params.id), req.principal.livemode),
    });

    app.post('/v1/payments/:id/assign', {
      schema: {
        operationId: 'assignPayment',
        summary: 'Assign an unmatched payment',
        description:
          'Gives an unmatched payment to an `invoice` (what it does not need becomes that customer’s credit) or to a `customer`’s credit balance. A payment is matched once: assigning a matched payment is 409 invalid_state.',
        tags,
        params: PaymentParams,
        body: AssignPaymentBody,
        response: { 200: Payment, ...problemResponses('validation_failed', 'not_found', 'invalid_state', 'idempotency_key_reused') },
      },
      handler: async (req) => toPaymentResource(await payments.assign(req.caller, req.params.id, req.body), req.principal.livemode),
    });

    app.post('/v1/payments/:id/refunds', {
      schema: {
        operationId: 'createRefund',
        summary: 'Refund a payment',
        description:
          'Pays back all of a payment (no `amount`) or part of it, never more than it still holds: first what was never applied, then the credit it left with the customer (409 if that credit has been used on an invoice since), then what it paid on its invoice, which is open again by that much (`invoice.updated`).',
        tags,
        params: PaymentParams,
        body: CreateRefundBody,
        response: { 201: Refund, ...problemResponses('validation_failed', 'not_found', 'invalid_state', 'idempotency_key_reused') },
      },
      handler: async (req, reply) => {
        const row = await payments.refund(req.caller, req.params.id, req.body ?? {});
        reply.code(201);
        return toRefundResource(row, req.principal.livemode);
      },
    });

    app.get('/v1/payments/:id/refunds', {
      schema: {
        operationId: 'listRefunds',
        summary: "List a payment's refunds",
        description: 'Newest first.',
        tags,
        params: PaymentParams,
        querystring: ListRefundsQuery,
        response: { 200: RefundList, ...problemResponses('validation_failed', 'not_found') },
      },
      handler: async (req) => {
        const p = await payments.listRefunds(req.caller, req.params.id, page(req.query));
        return { object: 'list' as const, data: p.data.map((r) => toRefundResource(r, req.principal.livemode)), has_more: p.hasMore };
      },
    });

    app.get('/v1/refunds/:id', {
      schema: {
        operationId: 'getRefund',
        summary: 'Retrieve a refund',
        description: 'With where the money came from: unapplied, customer credit, or the invoice the payment paid.',
        tags,
        params: RefundParams,
        response: { 200: Refund, ...problemResponses('validation_failed', 'not_found') },
      },
      handler: async (req) => toRefundResource(await payments.getRefund(req.caller, req.params.id), req.principal.livemode),
    });

    app.get('/v1/customers/:id/balance-transactions', {
      schema: {
        operationId: 'listCustomerBalanceTransactions',
        summary: "List a customer's balance transactions",
        description: "Every change of the customer's credit balance, newest first: overpayments, credit used on invoices, refunds, assignments, each with the balance after it.",
        tags: ['Customers'],
        params: CustomerParams,
        querystring: ListBalanceTransactionsQuery,
        response: { 200: BalanceTransactionList, ...problemResponses('validation_failed', 'not_found') },
      },
      handler: async (req) => {
        const p = await payments.listBalanceTransactions(req.caller, req.params.id, page(req.query));
        return { object: 'list' as const, data: p.data.map((r) => toBalanceTransactionResource(r, req.principal.livemode)), has_more: p.hasMore };
      },
    });
  };
