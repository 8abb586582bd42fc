// Bulk writes send a batch's values as one parameter per column (typed arrays, and one JSON array
// per jsonb column). Proves that odd strings and JSON round-trip exactly through both bulk paths:
// bulkInsert (any table) and the events outbox insert, whose payloads share one JSON array.
import t from 'tap';
import { sql } from 'drizzle-orm';
import { bigint, boolean, date, jsonb, pgTable, text, timestamp } from 'drizzle-orm/pg-core';
import { freshDatabase } from '../helpers/db.ts';
import { bulkInsert, decodeRows } from '../../src/db/bulk.ts';
import { openTransaction } from '../../src/db/unit-of-work.ts';
import { systemClock } from '../../src/clock.ts';
import { createServices } from '../../src/services.ts';

const probe = pgTable('bulk_probe', {
  id: text('id').notNull(),
  label: text('label'),
  amount: bigint('amount', { mode: 'number' }).notNull(),
  flag: boolean('flag').notNull(),
  data: jsonb('data').$type<unknown>().notNull(),
  extra: jsonb('extra').$type<unknown>(),
  at: timestamp('at', { withTimezone: true, mode: 'date' }).notNull(),
  day: date('day', { mode: 'string' }),
});

const odd = ['"quoted"', 'back\\slash', '{braces}', 'comma, here', 'NULL', '', 'tab\there', 'new\nline', 'åäö ÅÄÖ', 'emoji 😀', "apo'strophe", '\\"both\\"', '[1,2]'];

t.test('bulkInsert round-trips odd strings, nested JSON, JSON strings and nulls', async (t) => {
  const { db } = await freshDatabase(t);
  await db.execute(sql`create table bulk_probe (id text not null, label text, amount bigint not null, flag boolean not null, data jsonb not null, extra jsonb, at timestamptz not null, day date)`);
  const at = new Date('2026-03-29T01:30:00.000Z');
  const rows = odd.map((s, i) => ({
    id: `p${i}`,
    label: i % 3 === 0 ? null : s,
    amount: 2 ** 52 + i,
    flag: i % 2 === 0,
    data: i % 4 === 0 ? s : { name: s, list: [s, null, i], nested: { [s || 'empty']: s } },
    extra: i % 2 === 0 ? null : [s],
    at,
    day: i % 3 === 1 ? null : '2026-12-31',
  }));
  await bulkInsert(db, probe, rows);
  // drizzle reads a top-level JSON string back through JSON.parse once more: compare those in SQL.
  const back = await db.select().from(probe).orderBy(probe.id);
  const byId = new Map(back.map((r) => [r.id, r]));
  for (const r of rows) {
    if (typeof r.data === 'string') {
      const raw = await db.execute<{ v: string }>(sql`select data #>> '{}' as v from bulk_probe where id = ${r.id}`);
      t.equal(raw.rows[0]!.v, r.data, `${r.id}: the JSON string as written`);
      t.same({ ...byId.get(r.id), data: r.data }, r, `${r.id}: the other columns as written`);
    } else t.same(byId.get(r.id), r, `${r.id}: every value as written`);
  }
  // Hand-written SQL decoded by decodeRows reads exactly what drizzle's own select reads.
  const raw = await db.execute<Record<string, unknown>>(sql`select * from bulk_probe order by id`);
  t.same(decodeRows(probe, raw.rows), back, 'decodeRows decodes raw rows as drizzle does');
  const nulls = await db.execute<{ n: number }>(sql`select count(*)::int as n from bulk_probe where extra is null`);
  t.equal(nulls.rows[0]!.n, rows.filter((r) => r.extra === null).length, 'a null jsonb value is SQL NULL, not the JSON null');
  const strings = await db.execute<{ n: number }>(sql`select count(*)::int as n from bulk_probe where jsonb_typeof(data) = 'string'`);
  t.equal(strings.rows[0]!.n, rows.filter((r) => typeof r.data === 'string').length, 'a string is stored as a JSON string');
});

t.test('events recorded in bulk keep their payloads exactly, shared payloads too', async (t) => {
  const { db } = await freshDatabase(t);
  const services = createServices({ db, clock: systemClock, jobs: { send: async () => {} }, allowPrivateUrls: false });
  const { merchant } = await services.merchants.createMerchant({ name: 'Bulk AB', livemode: false });
  const tenant = { merchantId: merchant.id, livemode: false };
  const objects = odd.map((s, i) => ({ id: `cus_${i}`, object: 'customer', name: s, metadata: { [s || 'empty']: s }, tags: [s, i, null] }));
  await openTransaction(db, async (tx) => {
    await services.events.recordMany(tx, tenant, [
      ...objects.map((o) => ({ type: 'customer.created' as const, objectId: o.id, object: o })),
      // The same object twice (as an invoice's created and finalized events are): sent once, stored twice.
      ...objects.map((o) => ({ type: 'customer.updated' as const, objectId: o.id, object: o, previousAttributes: { name: 'before' } })),
    ]);
  });
  const page = await services.events.list(tenant, {}, { limit: 100 });
  t.equal(page.data.length, objects.length * 2, 'one row per event');
  for (const o of objects) {
    const created = page.data.find((e) => e.type === 'customer.created' && e.objectId === o.id)!;
    const updated = page.data.find((e) => e.type === 'customer.updated' && e.objectId === o.id)!;
    t.same(created.data, { object: o }, `created: ${JSON.stringify(o.name)}`);
    t.same(updated.data, { object: o, previous_attributes: { name: 'before' } }, `updated: ${JSON.stringify(o.name)}`);
  }
});
