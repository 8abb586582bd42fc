// The pool refuses queries inside a unit of work: a use case that read through the pool while its
// transaction is open would not see its own writes and, under load, would wait for a connection
// that the waiting requests themselves hold. This proves the guard that turns that into an error.
import t from 'tap';
import { sql } from 'drizzle-orm';
import { freshDatabase } from '../helpers/db.ts';
import { inTransaction, openTransaction, PoolUsedInsideUnitOfWork, queryableFor } from '../../src/db/unit-of-work.ts';

t.test('inside a unit of work only its transaction can be queried', async (t) => {
  const { db } = await freshDatabase(t, { poolMax: 2 });
  const one = sql`select 1 as n`;

  // drizzle wraps the driver's error ("Failed query: …"); the guard's error is its cause.
  const refused = async (work: Promise<unknown>, what: string) => {
    const err = await work.then(() => undefined, (e: unknown) => e);
    const cause = (err as { cause?: unknown } | undefined)?.cause ?? err;
    t.ok(cause instanceof PoolUsedInsideUnitOfWork, what);
  };
  await refused(
    openTransaction(db, async () => {
      await db.execute(one);
    }),
    'the pool refuses a query from inside a transaction',
  );
  await refused(
    openTransaction(db, async () => {
      // Detached work started inside (fire-and-forget) is still inside: it must be a job instead.
      await new Promise((resolve, reject) => setTimeout(() => db.execute(one).then(resolve, reject), 5));
    }),
    'work started from inside inherits the refusal',
  );
  const n = await openTransaction(db, async (tx) => {
    const joined = await inTransaction(db, { tx }, async (inner) => {
      t.equal(inner, tx, 'a use case handed a transaction joins it');
      return (await queryableFor(db, { tx }).execute(one)).rows[0];
    });
    return joined;
  });
  t.same(n, { n: 1 });
  t.same((await db.execute(one)).rows[0], { n: 1 }, 'outside, the pool serves as before');

  // A transaction that waited for the pool still ends and gives back its connection.
  const burst = await Promise.all(Array.from({ length: 20 }, (_, i) => openTransaction(db, async (tx) => (await tx.execute(sql`select ${i}::int as i`)).rows[0])));
  t.equal(burst.length, 20, '20 transactions on a pool of 2 all finish');
});
