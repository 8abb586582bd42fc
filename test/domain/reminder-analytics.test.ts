import t from 'tap';
import { bankDayDeadlines, rateBp, spanProblem } from '../../src/domain/reminder-analytics.ts';
import type { CalendarDate } from '../../src/domain/calendar-date.ts';

const d = (s: string) => s as CalendarDate;

t.test('the 2-bank-day deadline of each message day', async (t) => {
  // Easter 2026: Good Friday 3 April, Easter Monday 6 April; 1 May a Friday holiday.
  const got = Object.fromEntries(bankDayDeadlines(d('2026-03-31'), d('2026-04-05')).map((x) => [x.day, x.deadline]));
  t.same(got, {
    '2026-03-31': '2026-04-02', // Tuesday: Wednesday, Thursday
    '2026-04-01': '2026-04-07', // Wednesday: Thursday, then Good Friday and Easter Monday are closed: Tuesday
    '2026-04-02': '2026-04-08', // Thursday: Tuesday, Wednesday
    '2026-04-03': '2026-04-08', // Good Friday itself does not count
    '2026-04-04': '2026-04-08',
    '2026-04-05': '2026-04-08',
  });
  t.same(bankDayDeadlines(d('2026-04-29'), d('2026-04-30')).map((x) => x.deadline), ['2026-05-04', '2026-05-05'], '1 May is closed');
  t.same(bankDayDeadlines(d('2026-12-22'), d('2026-12-23')).map((x) => x.deadline), ['2026-12-28', '2026-12-29'], 'julafton and juldagar');
  t.same(bankDayDeadlines(d('2026-02-02'), d('2026-02-01')), [], 'an empty span');
});

t.test('rates in basis points, rounded half up', async (t) => {
  t.equal(rateBp(55, 100), 5500);
  t.equal(rateBp(1, 3), 3333);
  t.equal(rateBp(2, 3), 6667);
  t.equal(rateBp(1, 20_000), 1, '0.5 bp rounds up');
  t.equal(rateBp(1, 20_001), 0);
  t.equal(rateBp(7, 7), 10_000);
  t.equal(rateBp(0, 0), null);
});

t.test('the span a request may ask', async (t) => {
  t.equal(spanProblem(d('2026-01-01'), d('2026-02-01')), null);
  t.equal(spanProblem(d('2024-02-29'), d('2026-02-28')), null, '24 months from a leap day end on 28 February');
  t.match(spanProblem(d('2024-02-29'), d('2026-03-01')), { field: 'to' });
  t.match(spanProblem(d('2026-01-01'), d('2026-01-01')), { field: 'to', message: /after from/ });
  t.match(spanProblem(d('2026-02-01'), d('2026-01-01')), { field: 'to' });
});
