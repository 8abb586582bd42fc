import t from 'tap';
import fc from 'fast-check';
import { addDays, calendarDate, fromParts, type CalendarDate } from '../../src/domain/calendar-date.ts';
import { isBankDay } from '../../src/domain/bank-days.ts';
import { defaultFirstDueDate, instalmentDates, missedAt, settleEarlyEnd, splitInstalments } from '../../src/domain/payment-plan.ts';

const d = calendarDate;
const TZ = 'Europe/Stockholm';

t.test('splitInstalments: exact sums, whole kronor after the first, the odd amount first', async (t) => {
  t.same(splitInstalments(49900, 3), [16700, 16600, 16600]);
  t.same(splitInstalments(100037, 3), [33437, 33300, 33300], 'öre on the first');
  t.same(splitInstalments(20000, 2), [10000, 10000]);
  t.same(splitInstalments(200, 2), [100, 100]);
  t.equal(splitInstalments(199, 2), null, 'under 1 kr each');
  t.throws(() => splitInstalments(10000, 1), RangeError);
  t.throws(() => splitInstalments(10000, 25), RangeError);
  fc.assert(
    fc.property(fc.integer({ min: 0, max: 10_000_000_000 }), fc.integer({ min: 2, max: 24 }), (total, n) => {
      const parts = splitInstalments(total, n);
      if (parts === null) return total < n * 100;
      return (
        parts.length === n &&
        parts.reduce((s, p) => s + p, 0) === total &&
        parts.slice(1).every((p) => p === parts[1] && p % 100 === 0 && p >= 100) &&
        parts[0]! >= parts[1]! &&
        parts[0]! - parts[1]! < n * 100
      );
    }),
  );
});

t.test('instalmentDates: one interval apart from the first, each on a bank day', async (t) => {
  t.same(instalmentDates(d('2027-01-31'), 4, 'month'), ['2027-02-01', '2027-03-01', '2027-03-31', '2027-04-30'], '31 Jan is a Sunday; 28 Feb a Sunday; the 31st kept where the month has one');
  t.same(instalmentDates(d('2027-03-24'), 2, 'week'), ['2027-03-24', '2027-03-31'], 'Easter week: Wednesday to Wednesday');
  t.same(instalmentDates(d('2027-12-24'), 2, 'month'), ['2027-12-27', '2028-01-24'], 'julafton moved to the next bank day');
  t.equal(defaultFirstDueDate(d('2027-01-10')), '2027-01-25', '14 days on, Sunday moved to Monday');
  fc.assert(
    fc.property(fc.integer({ min: 0, max: 3650 }), fc.integer({ min: 2, max: 24 }), fc.constantFrom('month' as const, 'week' as const), (offset, n, interval) => {
      const first = addDays(fromParts(2026, 1, 1), offset);
      const dates = instalmentDates(first, n, interval);
      return dates.length === n && dates.every(isBankDay) && dates.every((x, i) => i === 0 || x > dates[i - 1]!) && dates[0]! >= first;
    }),
  );
});

t.test('settleEarlyEnd: the principal first, earliest first; nothing made or lost', async (t) => {
  const taken = [{ id: 'a', amount: 19900 }, { id: 'b', amount: 30000 }];
  const r = settleEarlyEnd(taken, 16796);
  t.same([...r.paid], [['a', 16796], ['b', 0]]);
  t.same([...r.returned], [['a', 3104], ['b', 30000]]);
  const all = settleEarlyEnd(taken, 60000);
  t.same([...all.returned], [['a', 0], ['b', 0]], 'more than the principal (interest, fee): nothing goes back');
  fc.assert(
    fc.property(fc.array(fc.integer({ min: 1, max: 1_000_000 }), { minLength: 1, maxLength: 10 }), fc.integer({ min: 0, max: 20_000_000 }), (amounts, received) => {
      const list = amounts.map((amount, i) => ({ id: `i${i}`, amount }));
      const { paid, returned } = settleEarlyEnd(list, received);
      const principal = amounts.reduce((s, a) => s + a, 0);
      const paidSum = [...paid.values()].reduce((s, a) => s + a, 0);
      return (
        list.every((x) => paid.get(x.id)! + returned.get(x.id)! === x.amount && paid.get(x.id)! >= 0 && returned.get(x.id)! >= 0) &&
        paidSum === Math.min(received, principal) &&
        // Earliest first: once one invoice gets something back, every later one gets all of it back.
        list.every((x, i) => i === 0 || returned.get(list[i - 1]!.id) === 0 || paid.get(x.id) === 0)
      );
    }),
  );
});

t.test('missedAt: a grace after the last reminder, never before 10 days after the due date', async (t) => {
  const due = d('2027-03-24') as CalendarDate;
  const now = new Date('2027-03-25T10:00:00Z');
  t.equal(missedAt({ settled: true, claimable: false, dueDate: due, timeZone: TZ, reminders: null }, now), null, 'paid: never');
  t.same(missedAt({ settled: false, claimable: false, dueDate: due, timeZone: TZ, reminders: null }, now), { at: now, final: true }, 'voided or written off: at once');
  t.same(
    missedAt({ settled: false, claimable: true, dueDate: due, timeZone: TZ, reminders: { status: 'closed', lastSentAt: new Date('2027-03-31T08:00:00Z'), nextActionAt: null } }, now),
    { at: new Date('2027-04-07T08:00:00Z'), final: true },
    'a week after the reminder',
  );
  t.same(
    missedAt({ settled: false, claimable: true, dueDate: due, timeZone: TZ, reminders: { status: 'closed', lastSentAt: new Date('2027-03-25T08:00:00Z'), nextActionAt: null } }, now),
    { at: new Date('2027-04-02T22:00:00Z'), final: true },
    'not before the start of the tenth day after the due date (local midnight, summer time)',
  );
  const waiting = missedAt({ settled: false, claimable: true, dueDate: due, timeZone: TZ, reminders: { status: 'active', lastSentAt: null, nextActionAt: new Date('2027-03-31T06:00:00Z') } }, now)!;
  t.same(waiting, { at: new Date('2027-04-07T06:00:00Z'), final: false }, 'the reminder still to come: look again a grace after it');
  const disputed = missedAt({ settled: false, claimable: true, dueDate: due, timeZone: TZ, reminders: { status: 'disputed', lastSentAt: null, nextActionAt: null } }, new Date('2027-05-01T10:00:00Z'))!;
  t.same(disputed, { at: new Date('2027-05-02T10:00:00Z'), final: false }, 'disputed: never missed, looked at daily');
});
