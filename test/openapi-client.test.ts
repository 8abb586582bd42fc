// The OpenAPI document as a typed contract: openapi-typescript turns the generated document into
// types, and a small merchant flow written against them with openapi-fetch compiles with the
// repo's tsc, without a cast. `// @ts-expect-error` lines prove the types bite: a switch case that
// names an event type that does not exist, a mistyped data.object, a problem code that does not
// exist, both sides of an either/or body, an unknown field on an action without fields. No
// network and no database: compile only.
//
// openapi-typescript 6 (with openapi-fetch 0.8, its pair): version 7 builds its output with the
// TypeScript 5 compiler API (a peer dependency, typescript ^5), which the repo's TypeScript 7
// does not provide and npm cannot install beside it under the same name.
import t from 'tap';
import { execFile } from 'node:child_process';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import openapiTS from 'openapi-typescript';
import { generateOpenapi } from '../scripts/openapi.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
// Inside the repo's node_modules, so `openapi-fetch` and @types/node resolve as for any client.
const DIR = fileURLToPath(new URL(`../node_modules/.cache/omtanke-openapi-client-${process.pid}/`, import.meta.url));

const FLOW = `
import createClient from 'openapi-fetch';
import type { components, paths } from './api.ts';

type Event = components['schemas']['Event'];
type Customer = components['schemas']['Customer'];
type Problem = components['schemas']['Problem'];

const client = createClient<paths>({ baseUrl: 'http://localhost:3000', headers: { authorization: 'Bearer sk_test_x' } });

export async function merchantFlow(): Promise<string> {
  const customer = await client.POST('/v1/customers', {
    params: { header: { 'idempotency-key': 'c-1' } },
    body: { name: 'Anna Andersson', email: 'anna@example.se', national_id: '19811218-9876' },
  });
  if (!customer.data) throw new Error(problemText(customer.error));
  const c: Customer = customer.data;

  const product = await client.POST('/v1/products', { body: { name: 'Omtanke Pro' } });
  if (!product.data) throw new Error(problemText(product.error));

  const price = await client.POST('/v1/prices', {
    body: { product: product.data.id, unit_amount: 19900, type: 'recurring', recurring: { interval: 'month' } },
  });
  if (!price.data) throw new Error(problemText(price.error));
  const unitAmount: number = price.data.unit_amount;

  const subscription = await client.POST('/v1/subscriptions', { body: { customer: c.id, items: [{ price: price.data.id, quantity: 1 }] } });
  if (!subscription.data) throw new Error(problemText(subscription.error));
  const status: 'scheduled' | 'trialing' | 'active' | 'paused' | 'canceled' = subscription.data.status;

  const invoices = await client.GET('/v1/invoices', { params: { query: { customer: c.id, limit: 10 } } });
  if (!invoices.data) throw new Error(problemText(invoices.error));
  const invoice = invoices.data.data[0];
  if (!invoice) return 'no invoice';
  const due: number = invoice.amount_due;

  const credit = await client.POST('/v1/credit-notes', { body: { invoice: invoice.id, amount: 5000, reason: 'order_change' } });
  if (!credit.data) throw new Error(problemText(credit.error));
  const credited: number = credit.data.amount;

  const archived = await client.POST('/v1/customers/{id}/archive', { params: { path: { id: c.id } } });
  const isArchived: boolean | undefined = archived.data?.archived;

  return [c.name, unitAmount, status, due, credited, isArchived].join(' ');
}

function problemText(problem: Problem | undefined): string {
  if (!problem) return 'no answer';
  switch (problem.code) {
    case 'validation_failed':
      return (problem.errors ?? []).map((e) => e.field + ' ' + e.message).join('; ');
    case 'rate_limited':
      return 'slow down';
    // @ts-expect-error: not a problem code
    case 'out_of_coffee':
      return 'never';
    default:
      return problem.title;
  }
}

/** A webhook handler: the switch narrows data.object by the event type. */
export function handle(event: Event): string {
  switch (event.type) {
    case 'customer.created':
      return event.data.object.name;
    case 'customer.updated': {
      const previous: Record<string, unknown> = event.data.previous_attributes;
      return event.data.object.email ?? String(Object.keys(previous));
    }
    case 'price.created':
      // @ts-expect-error: a price has no name
      return event.data.object.name;
    case 'invoice.finalized': {
      const n: string | null = event.data.object.number;
      // @ts-expect-error: amount_due is a number
      const wrong: string = event.data.object.amount_due;
      return String(n) + wrong;
    }
    case 'credit_note.created':
      return event.data.object.number;
    case 'subscription.canceled':
      return event.data.object.cancellation_details?.reason ?? 'unknown';
    case 'webhook_endpoint.disabled':
      return event.data.object.url;
    // @ts-expect-error: there is no such event type
    case 'customer.deleted':
      return 'never';
    default:
      return event.type;
  }
}

export async function refusedByTheTypes(customer: string, price: string, product: string, invoice: string) {
  // @ts-expect-error: items xor price
  await client.POST('/v1/subscriptions', { body: { customer, items: [{ price }], price } });
  // @ts-expect-error: items or price is required
  await client.POST('/v1/subscriptions', { body: { customer } });
  // @ts-expect-error: trial_period_days xor trial_end
  await client.POST('/v1/subscriptions', { body: { customer, price, trial_period_days: 14, trial_end: '2026-12-25' } });
  // @ts-expect-error: recurring goes with type recurring only
  await client.POST('/v1/prices', { body: { product, unit_amount: 100, type: 'one_time', recurring: { interval: 'month' } } });
  // @ts-expect-error: a recurring price needs recurring
  await client.POST('/v1/prices', { body: { product, unit_amount: 100, type: 'recurring' } });
  // @ts-expect-error: amount xor lines
  await client.POST('/v1/credit-notes', { body: { invoice, amount: 100, lines: [{ line_no: 1 }] } });
  // @ts-expect-error: archive takes no fields
  await client.POST('/v1/customers/{id}/archive', { params: { path: { id: customer } }, body: { reason: 'x' } });
}
`;

const TSCONFIG = {
  compilerOptions: {
    target: 'es2024',
    lib: ['es2024', 'dom'],
    module: 'nodenext',
    moduleResolution: 'nodenext',
    types: [],
    strict: true,
    noEmit: true,
    allowImportingTsExtensions: true,
    skipLibCheck: true,
    noUncheckedIndexedAccess: true,
  },
  files: ['api.ts', 'flow.ts'],
};

t.test('a client flow type-checks against the generated document (openapi-typescript + openapi-fetch)', async (t) => {
  await mkdir(DIR, { recursive: true });
  t.teardown(() => rm(DIR, { recursive: true, force: true }));
  const doc = await generateOpenapi();
  const types = await openapiTS(doc as unknown as Parameters<typeof openapiTS>[0]);
  t.match(types, /"Customer": \{|Customer: \{/, 'components["schemas"]["Customer"] is named');
  await writeFile(`${DIR}api.ts`, types);
  await writeFile(`${DIR}flow.ts`, FLOW);
  await writeFile(`${DIR}package.json`, JSON.stringify({ type: 'module' }));
  await writeFile(`${DIR}tsconfig.json`, JSON.stringify(TSCONFIG, null, 2));

  // The repo's tsc (TypeScript 7) is a native executable: run it directly, not through a Node
  // wrapper that tap's process hooks would follow.
  const tsc = (await import(fileURLToPath(new URL('../node_modules/typescript/lib/getExePath.js', import.meta.url)))).default() as string;
  const run = await promisify(execFile)(tsc, ['-p', `${DIR}tsconfig.json`], { cwd: ROOT }).then(
    () => ({ code: 0, out: '' }),
    (e: { code?: number; stdout?: string; stderr?: string }) => ({ code: e.code ?? 1, out: `${e.stdout ?? ''}${e.stderr ?? ''}` }),
  );
  t.equal(run.code, 0, 'tsc compiles the flow: every @ts-expect-error is an error, and nothing else is');
  t.equal(run.out, '', run.out);
});
