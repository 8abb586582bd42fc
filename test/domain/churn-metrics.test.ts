// The churn rules that are not SQL: periods on calendar months and ISO weeks, and a price line's MRR.
import t from 'tap';
import fc from 'fast-check';
import { bucketStart, monthlyAmount, periodsOf, MAX_PERIODS } from '../../src/domain/churn-metrics.ts';
import { addDays, compare, dayOfWeek, fromParts, type CalendarDate } from '../../src/domain/calendar-date.ts';

const d = (s: string) => s as CalendarDate;

t.test('periods: calendar months and ISO weeks, the ends cut at from and to', async (t) => {
  t.same(periodsOf(d('2026-01-15'), d('2026-03-10'), 'month'), [
    { start: '2026-01-15', end: '2026-02-01' },
    { start: '2026-02-01', end: '2026-03-01' },
    { start: '2026-03-01', end: '2026-03-10' },
  ]);
  // 1 February 2026 is a Sunday: its ISO week began on Monday 26 January.
  t.same(periodsOf(d('2026-02-01'), d('2026-02-16'), 'week'), [
    { start: '2026-02-01', end: '2026-02-02' },
    { start: '2026-02-02', end: '2026-02-09' },
    { start: '2026-02-09', end: '2026-02-16' },
  ]);
  // ISO week 1 of 2026 starts on Monday 29 December 2025.
  t.equal(bucketStart(d('2026-01-01'), 'week'), '2025-12-29');
  t.equal(bucketStart(d('2026-01-04'), 'week'), '2025-12-29');
  t.equal(bucketStart(d('2026-01-05'), 'week'), '2026-01-05');
  t.equal(bucketStart(d('2024-02-29'), 'month'), '2024-02-01');
  t.equal(periodsOf(d('2016-01-01'), d('2026-01-01'), 'month').length, 120);
  t.ok(periodsOf(d('2016-01-01'), d('2026-01-02'), 'month').length > MAX_PERIODS, 'one day more is one period more');
});

t.test('periods tile [from, to) without gaps or overlaps', async (t) => {
  const day = fc.integer({ min: 0, max: 3000 }).map((n) => addDays(d('2020-01-01'), n));
  fc.assert(
    fc.property(day, fc.integer({ min: 1, max: 400 }), fc.constantFrom('month' as const, 'week' as const), (from, span, interval) => {
      const to = addDays(from, span);
      const ps = periodsOf(from, to, interval);
      if (ps[0]!.start !== from || ps.at(-1)!.end !== to) return false;
      for (let i = 0; i < ps.length; i++) {
        const p = ps[i]!;
        if (compare(p.start, p.end) >= 0) return false;
        if (i > 0 && ps[i - 1]!.end !== p.start) return false;
        // Every inner boundary is a month's first day or a Monday.
        if (i > 0 && (interval === 'month' ? !p.start.endsWith('-01') : dayOfWeek(p.start) !== 1)) return false;
      }
      return true;
    }),
  );
  t.pass('tiled');
  t.equal(fromParts(2026, 3, 1), '2026-03-01');
});

t.test('MRR of a price line: without VAT, a month’s share, one-time prices none', async (t) => {
  const line = { unitAmount: 10_000, quantity: 1, taxBehavior: 'exclusive' as const, vatRate: 25, type: 'recurring' as const, interval: 'month' as const, intervalCount: 1 };
  t.equal(monthlyAmount(line), 10_000);
  t.equal(monthlyAmount({ ...line, quantity: 3 }), 30_000);
  t.equal(monthlyAmount({ ...line, unitAmount: 37_500, interval: 'quarter', taxBehavior: 'inclusive' }), 10_000, '375 kr a quarter with 25 % VAT: 300 kr net, 100 kr a month');
  t.equal(monthlyAmount({ ...line, unitAmount: 99_900, interval: 'year', taxBehavior: 'inclusive', vatRate: 12 }), 7433, '999 kr a year with 12 % VAT: 891.96 kr net, 74.33 kr a month');
  t.equal(monthlyAmount({ ...line, unitAmount: 29_700, interval: 'quarter', vatRate: 6 }), 9900, 'exclusive: the VAT rate does not matter');
  t.equal(monthlyAmount({ ...line, unitAmount: 50_000, intervalCount: 6 }), 8333, 'every 6 months: 500 kr / 6');
  t.equal(monthlyAmount({ ...line, unitAmount: 25, interval: 'quarter' }), 8, '0.25 kr a quarter: 8.33 öre, rounded');
  t.equal(monthlyAmount({ ...line, type: 'one_time', interval: null, intervalCount: null }), 0);
});
