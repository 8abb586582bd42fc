import t from 'tap';
import { createHash } from 'node:crypto';
import { armIndex, splitPoint } from '../../src/domain/experiment-split.ts';
import { newId } from '../../src/db/ids.ts';

const customers = Array.from({ length: 10_000 }, () => newId('customer'));
const experiment = 'exp_01KB2Y5M8Q0ZC3V1S7N4D6F9XA';

t.test('the same customer always lands in the same arm', async (t) => {
  const first = customers.map((c) => armIndex(experiment, c, [1, 1]));
  const again = customers.map((c) => armIndex(experiment, c, [1, 1]));
  t.same(again, first, 'repeated calls agree');
  // Known answers, so that a change of the hash (and with it every running experiment's split) fails here.
  const fixed = 'cus_01KB2Y5M8Q0ZC3V1S7N4D6F9XA';
  const digest = createHash('sha256').update(`${experiment}:${fixed}`).digest('hex');
  t.equal(splitPoint(experiment, fixed), parseInt(digest.slice(0, 13), 16) / 2 ** 52, 'the first 52 bits of sha256("exp_…:cus_…")');
  t.ok(splitPoint(experiment, fixed) >= 0 && splitPoint(experiment, fixed) < 1);
  t.not(
    customers.slice(0, 200).map((c) => armIndex(experiment, c, [1, 1])).join(''),
    customers.slice(0, 200).map((c) => armIndex('exp_01KB2Y5M8Q0ZC3V1S7N4D6F9XB', c, [1, 1])).join(''),
    'another experiment splits differently',
  );
});

t.test('balanced within tolerance on 10,000 customers', async (t) => {
  for (const weights of [[1, 1], [1, 1, 1], [1, 2, 1], [9, 1]]) {
    const total = weights.reduce((s, w) => s + w, 0);
    const counts = weights.map(() => 0);
    for (const c of customers) counts[armIndex(experiment, c, weights)]!++;
    weights.forEach((w, i) => {
      const p = w / total;
      const want = customers.length * p;
      // Four standard deviations of a binomial count: fails by chance about once in 16,000 runs, but the ids are random per run.
      const tolerance = 4 * Math.sqrt(customers.length * p * (1 - p));
      t.ok(Math.abs(counts[i]! - want) <= tolerance, `weights ${weights}: arm ${i} has ${counts[i]} (expected ${want} ± ${tolerance.toFixed(0)})`);
    });
  }
  // The split points themselves are uniform: each tenth of [0, 1) holds about a tenth.
  const deciles = Array<number>(10).fill(0);
  for (const c of customers) deciles[Math.floor(splitPoint(experiment, c) * 10)]!++;
  t.ok(deciles.every((n) => Math.abs(n - 1000) <= 4 * Math.sqrt(10_000 * 0.1 * 0.9)), `deciles ${deciles}`);
});

t.test('bad weights', async (t) => {
  t.throws(() => armIndex(experiment, 'cus_x', []), RangeError);
  t.throws(() => armIndex(experiment, 'cus_x', [1, 0]), RangeError);
  t.equal(armIndex(experiment, 'cus_x', [5]), 0);
});
