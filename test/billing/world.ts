// A billing test world: the real app on a fresh database, a merchant with complete Swedish seller
// settings (set through PATCH /v1/merchant, as a merchant would), and small helpers for customers,
// prices and calls. Shared by test/billing/*.test.ts; keep the exports stable.
import { getDocument } from 'pdfjs-dist/legacy/build/pdf.mjs';
import { buildTestApp, call, type TestMerchant } from '../helpers/app.ts';
import type { Mailer } from '../../src/modules/messages/mailer.ts';

type T = Parameters<typeof buildTestApp>[0];

export const PROBLEM = 'https://docs.omtanke.se/problems/';

export type CallResult = Awaited<ReturnType<typeof call>>;
export type Api = (method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, payload?: unknown) => Promise<CallResult>;

/** What billingWorld's merchant is set up with (PATCH /v1/merchant body). */
export const SELLER_SETTINGS = {
  legal_name: 'Fjällräven Åkeri AB',
  address: { line1: 'Storgatan 12', postal_code: '83130', city: 'Östersund' },
  organisation_number: '556677-8899',
  vat_number: 'SE556677889901',
  f_skatt: true,
  bankgiro: '5050-1055',
  swish_number: '1231181189',
  contact_email: 'faktura@fjallraven-akeri.example',
  contact_phone: '063-12 34 56',
  registered_office: 'Östersund',
  time_zone: 'Europe/Stockholm',
  payment_terms_days: 30,
  invoice_number_prefix: 'F-',
  ocr_length_digit: true,
} as const;

export type PriceOptions = {
  unit_amount: number;
  vat_rate?: 25 | 12 | 6 | 0;
  tax_behavior?: 'exclusive' | 'inclusive';
  currency?: string;
  nickname?: string;
  product_name?: string;
};
export type RecurringPriceOptions = PriceOptions & { interval?: 'month' | 'quarter' | 'year'; interval_count?: number };

export async function billingWorld(t: T, opts: { poolMax?: number; settings?: Record<string, unknown>; mailer?: Mailer } = {}) {
  const world = await buildTestApp(t, { poolMax: opts.poolMax, ...(opts.mailer ? { mailer: opts.mailer } : {}) });
  const { app } = world;

  /** Calls the app as merchant `as` (JSON in, parsed JSON out). */
  function apiFor(as: TestMerchant): Api {
    return (method, url, payload) =>
      call(app, { method, url, headers: as.auth, ...(payload === undefined ? {} : { payload: payload as Record<string, unknown> }) });
  }

  async function must(r: CallResult | Promise<CallResult>, status: number, what: string): Promise<any> {
    const res = await r;
    if (res.status !== status) throw new Error(`${what}: expected ${status}, got ${res.status}: ${res.body}`);
    return res.json;
  }

  /** A new merchant with complete seller settings (overrides merged over SELLER_SETTINGS). */
  async function seller(name = 'Fjällräven Åkeri', settings: Record<string, unknown> = {}): Promise<TestMerchant> {
    const merchant = await world.merchant(name);
    await must(apiFor(merchant)('PATCH', '/v1/merchant', { ...SELLER_SETTINGS, ...settings }), 200, 'merchant settings');
    return merchant;
  }

  const m = await seller('Fjällräven Åkeri', opts.settings ?? {});
  const api = apiFor(m);

  /** A customer of `m` (a Swedish person by default); returns the customer JSON. */
  async function customer(overrides: Record<string, unknown> = {}, as: TestMerchant = m): Promise<any> {
    return must(
      apiFor(as)('POST', '/v1/customers', {
        name: 'Åsa Öberg',
        email: 'asa@example.se',
        national_id: '19811218-9876',
        address: { line1: 'Kungsgatan 3', postal_code: '11143', city: 'Stockholm' },
        ...overrides,
      }),
      201,
      'customer',
    );
  }

  async function product(name = 'Omtanke Pro', as: TestMerchant = m): Promise<any> {
    return must(apiFor(as)('POST', '/v1/products', { name }), 201, 'product');
  }

  async function price(body: Record<string, unknown>, productName: string | undefined, as: TestMerchant): Promise<any> {
    const p = await product(productName, as);
    return must(apiFor(as)('POST', '/v1/prices', { product: p.id, ...body }), 201, 'price');
  }

  /** A recurring price (monthly by default) on a new product; returns the price JSON. */
  function monthlyPrice(o: RecurringPriceOptions, as: TestMerchant = m): Promise<any> {
    const { interval = 'month', interval_count = 1, product_name, ...rest } = o;
    return price({ ...rest, type: 'recurring', recurring: { interval, interval_count } }, product_name, as);
  }

  /** A one-time price on a new product; returns the price JSON. */
  function oneTimePrice(o: PriceOptions, as: TestMerchant = m): Promise<any> {
    const { product_name, ...rest } = o;
    return price({ ...rest, type: 'one_time' }, product_name, as);
  }

  return { ...world, m, api, apiFor, seller, must, customer, product, monthlyPrice, oneTimePrice };
}

export type BillingWorld = Awaited<ReturnType<typeof billingWorld>>;

/** The text of every page of a PDF, as a standard reader (PDF.js) extracts it. */
export async function pdfText(buf: Buffer): Promise<string> {
  const task = getDocument({ data: new Uint8Array(buf), verbosity: 0 });
  const pdf = await task.promise;
  try {
    const pages: string[] = [];
    for (let i = 1; i <= pdf.numPages; i++) {
      const content = await (await pdf.getPage(i)).getTextContent();
      pages.push(content.items.map((item) => ('str' in item ? item.str : '')).join(' '));
    }
    // Text comes back in runs with arbitrary spacing (and NBSPs): collapse all whitespace.
    return pages.join(' ').replace(/\s+/g, ' ');
  } finally {
    await task.destroy();
  }
}

/** Starts a billing run through the API and waits for it to finish (it runs in the background). */
export async function runBilling(api: Api): Promise<any> {
  const started = await api('POST', '/v1/billing-runs');
  if (started.status !== 202) throw new Error(`billing run: ${started.status} ${started.body}`);
  for (let i = 0; i < 500; i++) {
    const r = await api('GET', `/v1/billing-runs/${started.json.id}`);
    if (r.json.status === 'completed' || r.json.status === 'failed') return r.json;
    await new Promise((res) => setTimeout(res, 10));
  }
  throw new Error('billing run did not finish');
}

/** A subscription's invoices, oldest first. */
export async function invoicesOf(api: Api, subscriptionId: string): Promise<any[]> {
  return (await api('GET', `/v1/invoices?subscription=${subscriptionId}&limit=100`)).json.data.reverse();
}
