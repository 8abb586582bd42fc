// The two-proportion z-test an experiment's results use: is arm B's share of successes different
// from control A's? The difference comes with a 95 % confidence interval from the unpooled standard
// error (Wald), the z statistic and two-sided p-value from the pooled one (the test under "no
// difference"), and a flag when the samples are too small for the normal approximation.

/** The two-sided 97.5th percentile of the standard normal distribution. */
export const Z_95 = 1.959963984540054;
/** Expected successes and failures per arm (pooled rate × n) below this: too small to tell. */
export const MIN_EXPECTED = 10;

/** Φ(x), the standard normal CDF, from the complementary error function (the Numerical Recipes erfcc: relative error below 1.2e-7). */
export function normalCdf(x: number): number {
  return 0.5 * erfc(-x / Math.SQRT2);
}

function erfc(x: number): number {
  const z = Math.abs(x);
  const t = 1 / (1 + 0.5 * z);
  const r =
    t *
    Math.exp(
      -z * z -
        1.26551223 +
        t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))),
    );
  return x >= 0 ? r : 2 - r;
}

export type TwoProportion = {
  /** p_b − p_a. */
  difference: number;
  /** Unpooled: sqrt(p_a(1−p_a)/n_a + p_b(1−p_b)/n_b), for the interval. */
  standardError: number;
  ci95: { low: number; high: number };
  /** difference / pooled standard error; 0 when that is 0 (both arms all successes or all failures). */
  z: number;
  /** Two-sided, 2(1 − Φ(|z|)). */
  pValue: number;
  /** An arm is empty, or an arm's expected successes or failures under the pooled rate are below MIN_EXPECTED. */
  tooSmallToTell: boolean;
};

/** Arm b against control a: successes and sample sizes (integers, 0 ≤ successes ≤ n). */
export function twoProportion(a: { successes: number; n: number }, b: { successes: number; n: number }): TwoProportion {
  for (const [name, arm] of [['a', a], ['b', b]] as const) {
    if (!Number.isInteger(arm.n) || !Number.isInteger(arm.successes) || arm.n < 0 || arm.successes < 0 || arm.successes > arm.n) {
      throw new RangeError(`twoProportion: ${name} must have integer 0 ≤ successes ≤ n, got ${arm.successes}/${arm.n}`);
    }
  }
  if (a.n === 0 || b.n === 0) return { difference: 0, standardError: 0, ci95: { low: 0, high: 0 }, z: 0, pValue: 1, tooSmallToTell: true };
  const pa = a.successes / a.n;
  const pb = b.successes / b.n;
  const difference = pb - pa;
  const standardError = Math.sqrt((pa * (1 - pa)) / a.n + (pb * (1 - pb)) / b.n);
  const pooled = (a.successes + b.successes) / (a.n + b.n);
  const pooledSe = Math.sqrt(pooled * (1 - pooled) * (1 / a.n + 1 / b.n));
  const z = pooledSe === 0 ? 0 : difference / pooledSe;
  const pValue = pooledSe === 0 ? 1 : Math.min(1, 2 * (1 - normalCdf(Math.abs(z))));
  const expected = [a.n, b.n].flatMap((n) => [n * pooled, n * (1 - pooled)]);
  return {
    difference,
    standardError,
    ci95: { low: difference - Z_95 * standardError, high: difference + Z_95 * standardError },
    z,
    pValue,
    tooSmallToTell: expected.some((e) => e < MIN_EXPECTED),
  };
}
