import t from 'tap';
import fc from 'fast-check';
import { addDays, calendarDate, daysBetween, type CalendarDate } from '../../src/domain/calendar-date.ts';
import {
  lateInterest,
  MissingReferenceRateError,
  parseReferenceRates,
  type LateInterestInput,
  type ReferenceRate,
} from '../../src/domain/late-interest.ts';
import { loadReferenceRates } from '../../src/modules/dunning/reference-rates.ts';

const d = calendarDate;
// Our own table, so the tests don't move when the shipped one is updated. 2.00 % for 2025H2 and
// 2026H1, 3.00 % for 2026H2; nothing known from 2027.
const RATES: ReferenceRate[] = parseReferenceRates([
  { from: '2025-07-01', rate_bp: 200 },
  { from: '2026-01-01', rate_bp: 200 },
  { from: '2026-07-01', rate_bp: 300 },
]);
const TEN_THOUSAND_KR = 1_000_000; // öre

function interest(over: Partial<LateInterestInput> & Pick<LateInterestInput, 'dueDate' | 'asOf'>) {
  return lateInterest({ balances: [{ from: over.dueDate, amount: TEN_THOUSAND_KR }], rates: RATES, marginBp: 800, ...over });
}

t.test('parseReferenceRates', async (t) => {
  const list = [
    { from: '2026-01-01', rate_bp: 200 },
    { from: '2026-07-01', rate_bp: -50 },
  ];
  t.same(parseReferenceRates(list), list, 'a plain list');
  t.same(parseReferenceRates({ source: 'riksbank.se', rates: list }), list, 'the config file shape');
  const bad: [json: unknown, message: RegExp][] = [
    [null, /non-empty list/],
    [[], /non-empty list/],
    [{ rates: 'none' }, /non-empty list/],
    ['2026-01-01', /non-empty list/],
    [[42], /\[0\]: expected \{ from, rate_bp \}/],
    [[{ from: '2026-02-01', rate_bp: 200 }], /\[0\]\.from: expected 'YYYY-01-01' or 'YYYY-07-01'/],
    [[{ from: '2026-1-1', rate_bp: 200 }], /\[0\]\.from/],
    [[{ from: 20260101, rate_bp: 200 }], /\[0\]\.from/],
    [[{ from: '2026-01-01', rate_bp: 2.5 }], /\[0\]\.rate_bp/],
    [[{ from: '2026-01-01', rate_bp: '200' }], /\[0\]\.rate_bp/],
    [[{ from: '2026-01-01', rate_bp: 225 }], /\[0\]\.rate_bp: expected whole basis points in steps of 50/],
    [[{ from: '2026-01-01', rate_bp: 20_050 }], /\[0\]\.rate_bp/],
    [[{ from: '2026-01-01', rate: 200 }], /\[0\]\.rate_bp/],
    [[list[0], list[0]], /\[1\]\.from: 2026-01-01 must be the half-year right after 2026-01-01/],
    [[list[1], list[0]], /\[1\]\.from/],
    [[{ from: '2025-01-01', rate_bp: 300 }, list[0]], /\[1\]\.from: 2026-01-01 must be the half-year right after 2025-01-01 \(2025-07-01\)/],
  ];
  for (const [json, message] of bad) t.throws(() => parseReferenceRates(json), message, JSON.stringify(json));
});

t.test('the shipped table loads', async (t) => {
  t.same(loadReferenceRates(), [
    { from: '2023-07-01', rate_bp: 350 },
    { from: '2024-01-01', rate_bp: 400 },
    { from: '2024-07-01', rate_bp: 400 },
    { from: '2025-01-01', rate_bp: 300 },
    { from: '2025-07-01', rate_bp: 200 },
    { from: '2026-01-01', rate_bp: 200 },
  ]);
  t.throws(() => loadReferenceRates('config/no-such-file.json'), /no-such-file\.json: ENOENT/);
});

t.test('hand-computed examples', async (t) => {
  // 10 000 kr, 30 days at 2 % + 8 = 10 %: 1 000 000 × 0.10 × 30 / 365 = 8219.18 öre.
  t.same(interest({ dueDate: d('2026-03-01'), asOf: d('2026-03-31') }), {
    amount: 8219,
    periods: [{ from: '2026-03-02', to: '2026-03-31', days: 30, rate_bp: 1000, principal: TEN_THOUSAND_KR, amount: 8219 }],
    rate_bp_now: 1000,
  });

  // Across 1 July: 10 days at 10 % (2739.73) and 10 days at 11 % (3013.70); exact sum 5753.42.
  // The total is the rounded exact sum, not the sum of the rounded periods (5754).
  t.same(interest({ dueDate: d('2026-06-20'), asOf: d('2026-07-10') }), {
    amount: 5753,
    periods: [
      { from: '2026-06-21', to: '2026-06-30', days: 10, rate_bp: 1000, principal: TEN_THOUSAND_KR, amount: 2740 },
      { from: '2026-07-01', to: '2026-07-10', days: 10, rate_bp: 1100, principal: TEN_THOUSAND_KR, amount: 3014 },
    ],
    rate_bp_now: 1100,
  });

  // 4 000 kr paid on 11 March: that day still earns on 10 000 kr (10 days, 2739.73), then
  // 20 days on 6 000 kr (3287.67); exact sum 6027.40.
  t.same(
    interest({
      dueDate: d('2026-03-01'),
      asOf: d('2026-03-31'),
      balances: [
        { from: d('2026-03-01'), amount: TEN_THOUSAND_KR },
        { from: d('2026-03-11'), amount: 600_000 },
      ],
    }),
    {
      amount: 6027,
      periods: [
        { from: '2026-03-02', to: '2026-03-11', days: 10, rate_bp: 1000, principal: TEN_THOUSAND_KR, amount: 2740 },
        { from: '2026-03-12', to: '2026-03-31', days: 20, rate_bp: 1000, principal: 600_000, amount: 3288 },
      ],
      rate_bp_now: 1000,
    },
  );

  // Paid in full the day after the due date: one day (273.97 öre), and nothing after.
  const oneDayLate = interest({
    dueDate: d('2026-03-01'),
    asOf: d('2026-03-31'),
    balances: [
      { from: d('2026-02-01'), amount: TEN_THOUSAND_KR }, // from the invoice date: fine
      { from: d('2026-03-02'), amount: 0 },
    ],
  });
  t.equal(oneDayLate.amount, 274);
  t.same(oneDayLate.periods.map((p) => [p.from, p.to, p.days]), [['2026-03-02', '2026-03-02', 1]]);

  // A balance paid before the due date changes the principal from the first day.
  t.equal(
    interest({
      dueDate: d('2026-03-01'),
      asOf: d('2026-03-31'),
      balances: [
        { from: d('2026-02-01'), amount: TEN_THOUSAND_KR },
        { from: d('2026-02-27'), amount: 500_000 },
      ],
    }).amount,
    4110, // half of 8219.18 = 4109.59
  );

  // Half an öre rounds up: 1825 öre × 10 % / 365 = 0.5 öre; 1824 öre gives 0.4997.
  const oneDay = (amount: number) =>
    interest({ dueDate: d('2026-03-01'), asOf: d('2026-03-02'), balances: [{ from: d('2026-03-01'), amount }] }).amount;
  t.equal(oneDay(1825), 1);
  t.equal(oneDay(1824), 0);
});

t.test('rates: margin, negative reference rates, unchanged rates, leap years', async (t) => {
  const minus = parseReferenceRates([
    { from: '2017-01-01', rate_bp: -50 },
    { from: '2017-07-01', rate_bp: -50 },
  ]);
  const march2017 = { dueDate: d('2017-03-01'), asOf: d('2017-03-31'), rates: minus };
  t.equal(interest({ ...march2017 }).periods[0]?.rate_bp, 750, '−0.50 % + 8 = 7.50 %');
  t.equal(interest({ ...march2017 }).amount, 6164); // 1 000 000 × 0.075 × 30 / 365 = 6164.38
  t.same(interest({ ...march2017, marginBp: 0 }), { amount: 0, periods: [], rate_bp_now: 0 }, 'below zero counts as zero');
  t.equal(interest({ ...march2017, marginBp: 1000 }).periods[0]?.rate_bp, 950, 'an agreed margin');

  // 2024H1 and 2024H2 were both 4.00 %: one period across 1 July.
  const flat = parseReferenceRates([
    { from: '2024-01-01', rate_bp: 400 },
    { from: '2024-07-01', rate_bp: 400 },
  ]);
  t.same(
    interest({ dueDate: d('2024-06-20'), asOf: d('2024-07-10'), rates: flat }).periods.map((p) => [p.from, p.to, p.days, p.rate_bp]),
    [['2024-06-21', '2024-07-10', 20, 1200]],
  );

  // Actual/365: a whole leap year earns 366/365 of the yearly rate.
  const y2028 = parseReferenceRates([
    { from: '2027-07-01', rate_bp: 200 },
    { from: '2028-01-01', rate_bp: 200 },
    { from: '2028-07-01', rate_bp: 200 },
  ]);
  const leap = interest({ dueDate: d('2027-12-31'), asOf: d('2028-12-31'), rates: y2028 });
  t.equal(leap.periods.reduce((n, p) => n + p.days, 0), 366);
  t.equal(leap.amount, 100_274); // 1 000 000 × 0.10 × 366 / 365 = 100 273.97
});

t.test('no interest on or before the due date', async (t) => {
  t.same(interest({ dueDate: d('2026-03-01'), asOf: d('2026-03-01') }), { amount: 0, periods: [], rate_bp_now: 1000 });
  t.same(interest({ dueDate: d('2026-03-01'), asOf: d('2026-02-01') }), { amount: 0, periods: [], rate_bp_now: 1000 });
  t.same(
    interest({ dueDate: d('2027-03-01'), asOf: d('2027-02-01') }),
    { amount: 0, periods: [], rate_bp_now: null },
    'no rate known yet, none needed',
  );
});

t.test('a day the table does not cover throws', async (t) => {
  const err = t.throws(() => interest({ dueDate: d('2026-12-20'), asOf: d('2027-01-10') }), MissingReferenceRateError) as unknown;
  t.ok(err instanceof MissingReferenceRateError);
  if (err instanceof MissingReferenceRateError) {
    t.equal(err.day, '2027-01-01');
    t.match(err.message, /no reference rate for 2027-01-01 \(the table covers 2025-07-01 to 2026-12-31\)/);
    t.match(err.message, /half-year from 2027-01-01/);
  }
  t.throws(() => interest({ dueDate: d('2025-06-01'), asOf: d('2025-06-10') }), MissingReferenceRateError, 'before the table');
  // Paid before the uncovered half-year: nothing unpaid there, so no rate is needed.
  const paid = interest({
    dueDate: d('2026-12-01'),
    asOf: d('2027-03-01'),
    balances: [
      { from: d('2026-12-01'), amount: TEN_THOUSAND_KR },
      { from: d('2026-12-11'), amount: 0 },
    ],
  });
  t.equal(paid.amount, 3014); // 10 days at 11 %
  t.equal(paid.rate_bp_now, null);
});

t.test('bad input', async (t) => {
  const base = { dueDate: d('2026-03-01'), asOf: d('2026-03-31') };
  t.throws(() => interest({ ...base, balances: [] }), /first entry must be on or before the due date/);
  t.throws(() => interest({ ...base, balances: [{ from: d('2026-03-02'), amount: 1 }] }), /first entry/);
  t.throws(() => interest({ ...base, balances: [{ from: d('2026-03-01'), amount: -1 }] }), /balances\[0\]\.amount/);
  t.throws(() => interest({ ...base, balances: [{ from: d('2026-03-01'), amount: 1.5 }] }), /balances\[0\]\.amount/);
  t.throws(
    () =>
      interest({
        ...base,
        balances: [
          { from: d('2026-03-01'), amount: 1 },
          { from: d('2026-03-01'), amount: 0 },
        ],
      }),
    /balances\[1\]\.from/,
  );
  t.throws(() => interest({ ...base, marginBp: 8.5 }), RangeError);
});

// Any date in [from, to].
function dateIn(from: string, to: string): fc.Arbitrary<CalendarDate> {
  return fc.integer({ min: 0, max: daysBetween(d(from), d(to)) }).map((n) => addDays(d(from), n));
}

const scenario = fc
  .record({
    dueDate: dateIn('2025-07-01', '2026-12-31'),
    // Up to three changes of the balance, each some days after the last.
    changes: fc.array(fc.record({ after: fc.integer({ min: 1, max: 90 }), amount: fc.integer({ min: 0, max: 50_000_000 }) }), { maxLength: 3 }),
    first: fc.integer({ min: 0, max: 50_000_000 }),
    span: fc.integer({ min: -10, max: 300 }),
    marginBp: fc.integer({ min: 0, max: 2000 }),
  })
  .map(({ dueDate, changes, first, span, marginBp }) => {
    const balances = [{ from: dueDate, amount: first }];
    for (const c of changes) balances.push({ from: addDays(balances.at(-1)!.from, c.after), amount: c.amount });
    const asOf = addDays(dueDate, span);
    return { dueDate, balances, asOf: asOf > d('2026-12-31') ? d('2026-12-31') : asOf, rates: RATES, marginBp };
  });

// The same sum one day at a time, written independently: day D earns on the balance at the end
// of D − 1, at the rate of D's half-year.
function byDay(input: LateInterestInput): number {
  let numerator = 0n;
  for (let day = addDays(input.dueDate, 1); day <= input.asOf; day = addDays(day, 1)) {
    const principal = input.balances.filter((b) => b.from <= addDays(day, -1)).at(-1)!.amount;
    const reference = input.rates.filter((r) => r.from <= day).at(-1)!.rate_bp;
    numerator += BigInt(principal) * BigInt(Math.max(0, reference + input.marginBp));
  }
  return Number((2n * numerator + 3_650_000n) / 7_300_000n);
}

t.test('property: equals the day-by-day sum; periods add up to within rounding', async (t) => {
  fc.assert(
    fc.property(scenario, (input) => {
      const result = lateInterest(input);
      const days = result.periods.reduce((n, p) => n + p.days, 0);
      const rounded = result.periods.reduce((n, p) => n + p.amount, 0);
      return (
        result.amount === byDay(input) &&
        days <= Math.max(0, daysBetween(input.dueDate, input.asOf)) &&
        Math.abs(rounded - result.amount) <= result.periods.length / 2 + 0.5 &&
        result.periods.every((p, i) => p.days === daysBetween(p.from, p.to) + 1 && (i === 0 || result.periods[i - 1]!.to < p.from))
      );
    }),
    { numRuns: 500 },
  );
  t.pass('property holds');
});

t.test('property: never decreases as asOf moves on', async (t) => {
  fc.assert(
    fc.property(scenario, fc.integer({ min: 0, max: 60 }), (input, more) => {
      const later = addDays(input.asOf, more);
      fc.pre(later <= d('2026-12-31'));
      return lateInterest({ ...input, asOf: later }).amount >= lateInterest(input).amount;
    }),
    { numRuns: 500 },
  );
  t.pass('property holds');
});
