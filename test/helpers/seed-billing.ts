// Set-based seeding of many due subscriptions (tests of the billing run and its benchmark): one
// product, one monthly price, a customer and a subscription per row, all in a few statements.
import { sql } from 'drizzle-orm';
import type { Db } from '../../src/db/client.ts';

export type SeedOptions = {
  merchantId: string;
  count: number;
  // First day of the period to bill (the subscriptions' next billing date).
  nextBillDate: string;
  unitAmount?: number;
  // Distinguishes several seeds for one merchant.
  tag?: string;
  testClockId?: string | null;
};

/** Ids made of 26 digits fit the API's id pattern and sort in seeding order. */
const id = (prefix: string, tag: string) => sql.raw(`'${prefix}_' || lpad('${tag}' || g::text, 26, '0')`);

export async function seedDueSubscriptions(db: Db, o: SeedOptions): Promise<{ priceId: string }> {
  const tag = o.tag ?? '9';
  const productId = `prod_${tag.padStart(26, '0')}`;
  const priceId = `price_${tag.padStart(26, '0')}`;
  const now = new Date().toISOString();
  const day = Number(o.nextBillDate.slice(8, 10));
  await db.execute(sql`
    insert into products (merchant_id, id, name, active, metadata, created_at, updated_at)
    values (${o.merchantId}, ${productId}, 'Omtanke Bas', true, '{}', ${now}, ${now})`);
  await db.execute(sql`
    insert into prices (merchant_id, id, product_id, active, currency, unit_amount, tax_behavior, vat_rate, type,
      recurring_interval, recurring_interval_count, metadata, created_at, updated_at)
    values (${o.merchantId}, ${priceId}, ${productId}, true, 'SEK', ${o.unitAmount ?? 19900}, 'inclusive', 25, 'recurring', 'month', 1, '{}', ${now}, ${now})`);
  await db.execute(sql`
    insert into customers (merchant_id, id, type, name, email, address_line1, postal_code, city, country, locale, metadata,
      created_at, updated_at, test_clock_id)
    select ${o.merchantId}, ${id('cus', tag)}, 'person', 'Kund ' || g, 'kund' || g || '@example.se', 'Storgatan ' || g,
      '111 22', 'Stockholm', 'SE', 'sv', '{}', ${now}, ${now}, ${o.testClockId ?? null}
    from generate_series(1, ${o.count}) g`);
  await db.execute(sql`
    insert into subscriptions (merchant_id, id, customer_id, status, currency, interval_months, billing_anchor_day, start_date,
      next_bill_date, cancel_at_period_end, metadata, created_at, updated_at)
    select ${o.merchantId}, ${id('sub', tag)}, ${id('cus', tag)}, 'active', 'SEK', 1, ${day}, ${o.nextBillDate}::date,
      ${o.nextBillDate}::date, false, '{}', ${now}, ${now}
    from generate_series(1, ${o.count}) g`);
  await db.execute(sql`
    insert into subscription_items (merchant_id, id, subscription_id, price_id, quantity, created_at)
    select ${o.merchantId}, ${id('si', tag)}, ${id('sub', tag)}, ${priceId}, 1, ${now}
    from generate_series(1, ${o.count}) g`);
  return { priceId };
}
