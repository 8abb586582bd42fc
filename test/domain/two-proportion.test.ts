import t from 'tap';
import fc from 'fast-check';
import { MIN_EXPECTED, normalCdf, twoProportion, Z_95 } from '../../src/domain/two-proportion.ts';

const close = (t: { ok(ok: boolean, message: string): unknown }, got: number, want: number, eps: number, what: string) => t.ok(Math.abs(got - want) <= eps, `${what}: ${got} ≈ ${want} (±${eps})`);

t.test('55/100 against 40/100, by hand', async (t) => {
  // Control a: 40 of 100 (0.40); arm b: 55 of 100 (0.55).
  // difference        = 0.55 − 0.40 = 0.15
  // unpooled SE       = sqrt(0.40·0.60/100 + 0.55·0.45/100) = sqrt(0.0024 + 0.002475) = sqrt(0.004875) = 0.0698212
  // 95 % CI           = 0.15 ± 1.959964 · 0.0698212 = 0.15 ± 0.1368470 = [0.0131530, 0.2868470]
  // pooled p          = 95/200 = 0.475; pooled SE = sqrt(0.475·0.525·(1/100 + 1/100)) = sqrt(0.0049875) = 0.0706222
  // z                 = 0.15 / 0.0706222 = 2.12398
  // two-sided p-value = 2·(1 − Φ(2.12398)) = 0.03367
  // expected successes/failures per arm = 100·0.475 = 47.5 and 52.5: enough to tell.
  const r = twoProportion({ successes: 40, n: 100 }, { successes: 55, n: 100 });
  close(t, r.difference, 0.15, 1e-12, 'difference');
  close(t, r.standardError, 0.0698212, 1e-7, 'standard error');
  close(t, r.ci95.low, 0.013153, 1e-6, 'CI low');
  close(t, r.ci95.high, 0.286847, 1e-6, 'CI high');
  close(t, r.z, 2.12398, 1e-5, 'z');
  close(t, r.pValue, 0.03367, 1e-5, 'p-value');
  t.equal(r.tooSmallToTell, false);

  const back = twoProportion({ successes: 55, n: 100 }, { successes: 40, n: 100 });
  close(t, back.difference, -0.15, 1e-12, 'the other way round');
  close(t, back.ci95.low, -0.286847, 1e-6, 'mirrored CI');
  close(t, back.pValue, r.pValue, 1e-12, 'same p-value');
});

t.test('too small to tell', async (t) => {
  // 3/20 vs 6/20: pooled 0.225, expected successes per arm 20·0.225 = 4.5 < 10.
  t.equal(twoProportion({ successes: 3, n: 20 }, { successes: 6, n: 20 }).tooSmallToTell, true);
  // 200 per arm at pooled 0.05: 10 expected successes each: just enough.
  t.equal(twoProportion({ successes: 10, n: 200 }, { successes: 10, n: 200 }).tooSmallToTell, false);
  t.equal(twoProportion({ successes: 9, n: 200 }, { successes: 10, n: 200 }).tooSmallToTell, true, '19/400 · 200 = 9.5 < 10');
  const empty = twoProportion({ successes: 0, n: 0 }, { successes: 5, n: 10 });
  t.same(empty, { difference: 0, standardError: 0, ci95: { low: 0, high: 0 }, z: 0, pValue: 1, tooSmallToTell: true }, 'an empty arm');
  const all = twoProportion({ successes: 50, n: 50 }, { successes: 50, n: 50 });
  t.equal(all.z, 0);
  t.equal(all.pValue, 1);
  t.equal(all.tooSmallToTell, true, 'no failures expected');
  t.throws(() => twoProportion({ successes: 5, n: 4 }, { successes: 1, n: 4 }), RangeError);
  t.throws(() => twoProportion({ successes: 1.5, n: 4 }, { successes: 1, n: 4 }), RangeError);
  t.equal(MIN_EXPECTED, 10);
});

t.test('the normal CDF', async (t) => {
  for (const [x, want] of [[0, 0.5], [1, 0.8413447461], [-1, 0.1586552539], [Z_95, 0.975], [2.5758293035489, 0.995], [-3, 0.0013498980], [6, 0.9999999990]] as const) {
    close(t, normalCdf(x), want, 2e-7, `Φ(${x})`);
  }
});

t.test('properties: the interval holds the difference, the p-value is a probability, symmetric in the arms', async (t) => {
  const arm = fc.integer({ min: 1, max: 5000 }).chain((n) => fc.record({ n: fc.constant(n), successes: fc.integer({ min: 0, max: n }) }));
  fc.assert(
    fc.property(arm, arm, (a, b) => {
      const r = twoProportion(a, b);
      const s = twoProportion(b, a);
      return r.ci95.low <= r.difference && r.difference <= r.ci95.high && r.pValue >= 0 && r.pValue <= 1 && Math.abs(r.difference + s.difference) < 1e-12 && Math.abs(r.pValue - s.pValue) < 1e-12 && r.tooSmallToTell === s.tooSmallToTell;
    }),
  );
  t.pass('checked');
});
