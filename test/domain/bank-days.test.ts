import t from 'tap';
import fc from 'fast-check';
import {
  addDays,
  addMonthsClamped,
  calendarDate,
  compare,
  dayOfWeek,
  daysBetween,
  fromParts,
  parseCalendarDate,
  startOfDayInstant,
  toCalendarDate,
  toParts,
  type CalendarDate,
} from '../../src/domain/calendar-date.ts';
import { addBankDays, easterSunday, isBankDay, nextBankDay, swedishHolidays } from '../../src/domain/bank-days.ts';

const d = calendarDate;
const STOCKHOLM = 'Europe/Stockholm';

// Any date in [from, to], for properties.
function dateIn(from: string, to: string): fc.Arbitrary<CalendarDate> {
  return fc.integer({ min: 0, max: daysBetween(d(from), d(to)) }).map((n) => addDays(d(from), n));
}

t.test('parseCalendarDate accepts exactly YYYY-MM-DD real dates', async (t) => {
  for (const s of ['2026-04-05', '2024-02-29', '2000-02-29', '0001-01-01', '9999-12-31', '2026-12-31']) {
    t.equal(parseCalendarDate(s), s, s);
  }
  const bad = [
    '2023-02-29', // not a leap year
    '1900-02-29', // divisible by 100, not by 400
    '2026-04-31',
    '2026-13-01',
    '2026-00-10',
    '2026-01-00',
    '2026-01-32',
    '0000-01-01', // no year zero
    '2026-4-5',
    '20260405',
    ' 2026-04-05',
    '2026-04-05 ',
    '2026-04-05T00:00:00Z',
    '+02026-04-05',
    '2026/04/05',
    '\uff12\uff10\uff12\uff16-04-05', // full-width digits
    '',
  ];
  for (const s of bad) t.equal(parseCalendarDate(s), null, JSON.stringify(s));
  t.throws(() => calendarDate('2026-02-30'), RangeError);
  t.throws(() => fromParts(2026, 2, 29), RangeError);
  t.throws(() => fromParts(10000, 1, 1), RangeError);
  t.equal(fromParts(33, 7, 4), '0033-07-04', 'years below 100 are not shifted into the 1900s');
  t.same(toParts(d('2026-04-05')), { year: 2026, month: 4, day: 5 });
});

t.test('day arithmetic', async (t) => {
  const cases: [from: string, n: number, to: string][] = [
    ['2026-12-31', 1, '2027-01-01'],
    ['2027-01-01', -1, '2026-12-31'],
    ['2024-02-28', 1, '2024-02-29'],
    ['2023-02-28', 1, '2023-03-01'],
    ['2000-02-28', 1, '2000-02-29'],
    ['1900-02-28', 1, '1900-03-01'],
    ['2026-01-01', 365, '2027-01-01'],
    ['2028-01-01', 366, '2029-01-01'],
    ['1970-01-01', -1, '1969-12-31'],
    ['2026-04-05', 0, '2026-04-05'],
  ];
  for (const [from, n, to] of cases) {
    t.equal(addDays(d(from), n), to, `${from} + ${n}`);
    t.equal(daysBetween(d(from), d(to)), n, `days from ${from} to ${to}`);
  }
  t.throws(() => addDays(d('9999-12-31'), 1), RangeError);
  t.throws(() => addDays(d('2026-01-01'), 0.5), RangeError);

  // 0 = Sunday … 6 = Saturday
  const weekdays: [string, number][] = [
    ['2026-04-05', 0],
    ['2026-04-06', 1],
    ['2026-06-19', 5],
    ['2026-10-31', 6],
    ['1970-01-01', 4],
    ['2000-01-01', 6],
    ['1753-03-01', 4], // Sweden's first Gregorian day
  ];
  for (const [s, dow] of weekdays) t.equal(dayOfWeek(d(s)), dow, `weekday of ${s}`);

  t.equal(compare(d('2026-01-01'), d('2026-01-02')), -1);
  t.equal(compare(d('2026-01-02'), d('2026-01-02')), 0);
  t.equal(compare(d('2027-01-01'), d('2026-12-31')), 1);

  t.test('property: agrees with Date in UTC', async (t) => {
    // Date covers years 0001–9999 with ISO strings of this exact shape.
    const firstDay = -719_162; // 0001-01-01
    t.equal(addDays(d('1970-01-01'), firstDay), '0001-01-01');
    t.equal(addDays(d('1970-01-01'), 2_932_896), '9999-12-31');
    fc.assert(
      fc.property(fc.integer({ min: firstDay, max: 2_932_896 }), (n) => {
        const date = new Date(n * 86_400_000);
        const ours = addDays(d('1970-01-01'), n);
        return (
          ours === date.toISOString().slice(0, 10) &&
          dayOfWeek(ours) === date.getUTCDay() &&
          daysBetween(d('1970-01-01'), ours) === n
        );
      }),
    );
    t.pass('property holds');
  });
});

t.test('addMonthsClamped clamps to the end of shorter months', async (t) => {
  const cases: [from: string, n: number, to: string][] = [
    ['2026-01-31', 1, '2026-02-28'],
    ['2028-01-31', 1, '2028-02-29'], // leap year
    ['2026-03-31', 1, '2026-04-30'],
    ['2026-01-30', 1, '2026-02-28'],
    ['2026-01-29', 1, '2026-02-28'],
    ['2026-01-28', 1, '2026-02-28'],
    ['2026-01-31', 2, '2026-03-31'], // from the anchor, not chained through February
    ['2026-01-31', 13, '2027-02-28'],
    ['2026-12-15', 1, '2027-01-15'],
    ['2026-03-31', -1, '2026-02-28'],
    ['2026-01-15', -1, '2025-12-15'],
    ['2024-02-29', 12, '2025-02-28'],
    ['2024-02-29', 48, '2028-02-29'],
    ['2026-05-31', -15, '2025-02-28'],
    ['2026-08-31', 0, '2026-08-31'],
  ];
  for (const [from, n, to] of cases) t.equal(addMonthsClamped(d(from), n), to, `${from} + ${n} months`);
  t.throws(() => addMonthsClamped(d('2026-01-31'), 1.5), RangeError);
});

t.test('toCalendarDate and startOfDayInstant across the Stockholm DST changes', async (t) => {
  // Spring: 2026-03-29 02:00 CET -> 03:00 CEST (01:00Z); the day is 23 hours long.
  // Autumn: 2026-10-25 03:00 CEST -> 02:00 CET (01:00Z); the day is 25 hours long.
  const instants: [instant: string, date: string][] = [
    ['2026-03-28T22:59:59.999Z', '2026-03-28'],
    ['2026-03-28T23:00:00Z', '2026-03-29'],
    ['2026-03-28T23:30:00Z', '2026-03-29'],
    ['2026-03-29T00:59:59Z', '2026-03-29'], // 01:59:59 CET
    ['2026-03-29T01:00:00Z', '2026-03-29'], // 03:00 CEST
    ['2026-03-29T21:59:59.999Z', '2026-03-29'],
    ['2026-03-29T22:00:00Z', '2026-03-30'],
    ['2026-10-24T21:59:59.999Z', '2026-10-24'],
    ['2026-10-24T22:00:00Z', '2026-10-25'],
    ['2026-10-25T00:30:00Z', '2026-10-25'], // 02:30 CEST
    ['2026-10-25T01:30:00Z', '2026-10-25'], // 02:30 CET, the second time round
    ['2026-10-25T22:59:59.999Z', '2026-10-25'],
    ['2026-10-25T23:00:00Z', '2026-10-26'],
    ['2026-06-30T22:00:00Z', '2026-07-01'],
  ];
  for (const [instant, date] of instants) {
    t.equal(toCalendarDate(new Date(instant), STOCKHOLM), date, `${instant} in Stockholm`);
  }
  t.equal(toCalendarDate(new Date('2026-03-28T23:30:00Z'), 'UTC'), '2026-03-28');
  t.equal(toCalendarDate(new Date('2026-03-28T23:30:00Z'), 'America/New_York'), '2026-03-28');

  const starts: [date: string, instant: string][] = [
    ['2026-03-28', '2026-03-27T23:00:00.000Z'],
    ['2026-03-29', '2026-03-28T23:00:00.000Z'],
    ['2026-03-30', '2026-03-29T22:00:00.000Z'],
    ['2026-10-24', '2026-10-23T22:00:00.000Z'],
    ['2026-10-25', '2026-10-24T22:00:00.000Z'],
    ['2026-10-26', '2026-10-25T23:00:00.000Z'],
  ];
  for (const [date, instant] of starts) {
    t.equal(startOfDayInstant(d(date), STOCKHOLM).toISOString(), instant, `start of ${date} in Stockholm`);
  }
  const hours = (a: string, b: string) =>
    (startOfDayInstant(d(b), STOCKHOLM).getTime() - startOfDayInstant(d(a), STOCKHOLM).getTime()) / 3_600_000;
  t.equal(hours('2026-03-29', '2026-03-30'), 23, 'spring-forward day is 23 h');
  t.equal(hours('2026-10-25', '2026-10-26'), 25, 'fall-back day is 25 h');

  // Zones whose clocks changed at midnight, or that skipped a date.
  const odd: [date: string, zone: string, instant: string][] = [
    ['2018-11-04', 'America/Sao_Paulo', '2018-11-04T03:00:00.000Z'], // 00:00 -> 01:00: day starts at 01:00
    ['2019-02-17', 'America/Sao_Paulo', '2019-02-17T03:00:00.000Z'], // 00:00 -> 23:00 the day before
    ['2026-04-05', 'Australia/Lord_Howe', '2026-04-04T13:00:00.000Z'], // half-hour DST
    ['2011-12-30', 'Pacific/Apia', '2011-12-30T10:00:00.000Z'], // never happened: when 12-31 began
    ['2011-12-31', 'Pacific/Apia', '2011-12-30T10:00:00.000Z'],
  ];
  for (const [date, zone, instant] of odd) {
    t.equal(startOfDayInstant(d(date), zone).toISOString(), instant, `start of ${date} in ${zone}`);
  }

  t.throws(() => toCalendarDate(new Date('nope'), STOCKHOLM), RangeError);
  t.throws(() => toCalendarDate(new Date(), 'Europe/Nowhere'), RangeError);
  t.throws(() => startOfDayInstant(d('2026-01-01'), 'Europe/Nowhere'), RangeError);

  t.test('property: startOfDayInstant is the first instant of the date', async (t) => {
    const zones = [
      STOCKHOLM,
      'UTC',
      'America/Sao_Paulo',
      'America/St_Johns',
      'Australia/Lord_Howe',
      'Asia/Kathmandu',
      'Pacific/Chatham',
      'Pacific/Apia',
    ];
    fc.assert(
      fc.property(dateIn('1900-01-02', '2100-12-31'), fc.constantFrom(...zones), (date, zone) => {
        fc.pre(!(zone === 'Pacific/Apia' && date === '2011-12-30'));
        const start = startOfDayInstant(date, zone).getTime();
        return (
          toCalendarDate(new Date(start), zone) === date &&
          toCalendarDate(new Date(start - 1), zone) === addDays(date, -1)
        );
      }),
      { numRuns: 500 },
    );
    t.pass('property holds');
  });
});

t.test('Easter Sunday', async (t) => {
  const known: [year: number, easter: string][] = [
    [1818, '1818-03-22'], // the earliest possible date
    [1943, '1943-04-25'], // the latest possible date
    [2000, '2000-04-23'],
    [2008, '2008-03-23'],
    [2019, '2019-04-21'],
    [2024, '2024-03-31'],
    [2025, '2025-04-20'],
    [2026, '2026-04-05'],
    [2027, '2027-03-28'],
    [2038, '2038-04-25'],
    [2285, '2285-03-22'],
  ];
  for (const [year, easter] of known) t.equal(easterSunday(year), easter, `Easter ${year}`);
  for (const bad of [1582, 10000, 2026.5]) t.throws(() => easterSunday(bad), RangeError, `year ${bad}`);

  t.test('property: agrees with Gauss’s algorithm, on a Sunday from 22 March to 25 April', async (t) => {
    // Gauss's Easter formula with its two exceptions: an independent derivation.
    const gauss = (y: number): string => {
      const a = y % 19;
      const b = y % 4;
      const c = y % 7;
      const k = Math.floor(y / 100);
      const p = Math.floor((13 + 8 * k) / 25);
      const q = Math.floor(k / 4);
      const M = (15 - p + k - q) % 30;
      const N = (4 + k - q) % 7;
      const dd = (19 * a + M) % 30;
      const e = (2 * b + 4 * c + 6 * dd + N) % 7;
      if (dd === 29 && e === 6) return fromParts(y, 4, 19);
      if (dd === 28 && e === 6 && (11 * M + 11) % 30 < 19) return fromParts(y, 4, 18);
      return addDays(fromParts(y, 3, 22), dd + e);
    };
    fc.assert(
      fc.property(fc.integer({ min: 1583, max: 9999 }), (y) => {
        const easter = easterSunday(y);
        return (
          easter === gauss(y) &&
          dayOfWeek(easter) === 0 &&
          easter >= fromParts(y, 3, 22) &&
          easter <= fromParts(y, 4, 25)
        );
      }),
      { numRuns: 2000 },
    );
    t.pass('property holds');
  });
});

type HolidayRow = [date: string, name: string, publicHoliday: boolean];
const rows = (year: number): HolidayRow[] =>
  swedishHolidays(year).map((h): HolidayRow => [h.date, h.name, h.publicHoliday]);

t.test('Swedish holidays 2025', async (t) => {
  t.same(rows(2025), [
    ['2025-01-01', 'Nyårsdagen', true],
    ['2025-01-06', 'Trettondedag jul', true],
    ['2025-04-18', 'Långfredagen', true],
    ['2025-04-20', 'Påskdagen', true],
    ['2025-04-21', 'Annandag påsk', true],
    ['2025-05-01', 'Första maj', true],
    ['2025-05-29', 'Kristi himmelsfärdsdag', true],
    ['2025-06-06', 'Nationaldagen', true],
    ['2025-06-08', 'Pingstdagen', true], // after nationaldagen this year
    ['2025-06-20', 'Midsommarafton', false],
    ['2025-06-21', 'Midsommardagen', true],
    ['2025-11-01', 'Alla helgons dag', true],
    ['2025-12-24', 'Julafton', false],
    ['2025-12-25', 'Juldagen', true],
    ['2025-12-26', 'Annandag jul', true],
    ['2025-12-31', 'Nyårsafton', false],
  ]);
});

t.test('Swedish holidays 2026', async (t) => {
  t.same(rows(2026), [
    ['2026-01-01', 'Nyårsdagen', true],
    ['2026-01-06', 'Trettondedag jul', true],
    ['2026-04-03', 'Långfredagen', true],
    ['2026-04-05', 'Påskdagen', true],
    ['2026-04-06', 'Annandag påsk', true],
    ['2026-05-01', 'Första maj', true],
    ['2026-05-14', 'Kristi himmelsfärdsdag', true],
    ['2026-05-24', 'Pingstdagen', true],
    ['2026-06-06', 'Nationaldagen', true],
    ['2026-06-19', 'Midsommarafton', false],
    ['2026-06-20', 'Midsommardagen', true],
    ['2026-10-31', 'Alla helgons dag', true],
    ['2026-12-24', 'Julafton', false],
    ['2026-12-25', 'Juldagen', true],
    ['2026-12-26', 'Annandag jul', true],
    ['2026-12-31', 'Nyårsafton', false],
  ]);
});

t.test('Swedish holidays: other years', async (t) => {
  // The 2027 column of the reference table.
  const y2027 = new Map(swedishHolidays(2027).map((h) => [h.name, h.date]));
  t.equal(y2027.get('Långfredagen'), '2027-03-26');
  t.equal(y2027.get('Påskdagen'), '2027-03-28');
  t.equal(y2027.get('Annandag påsk'), '2027-03-29');
  t.equal(y2027.get('Kristi himmelsfärdsdag'), '2027-05-06');
  t.equal(y2027.get('Pingstdagen'), '2027-05-16');
  t.equal(y2027.get('Midsommarafton'), '2027-06-25');
  t.equal(y2027.get('Midsommardagen'), '2027-06-26');
  t.equal(y2027.get('Alla helgons dag'), '2027-11-06');

  // 2008: Kristi himmelsfärdsdag fell on första maj; both are listed.
  t.same(
    rows(2008).filter(([date]) => date === '2008-05-01'),
    [
      ['2008-05-01', 'Första maj', true],
      ['2008-05-01', 'Kristi himmelsfärdsdag', true],
    ],
  );

  // Before 2005 annandag pingst was the holiday and 6 June an ordinary day.
  const y2003 = rows(2003);
  t.ok(y2003.some(([date, name]) => date === '2003-06-09' && name === 'Annandag pingst'));
  t.notOk(y2003.some(([, name]) => name === 'Nationaldagen'));
  t.equal(isBankDay(d('2003-06-06')), true, '6 June 2003 (Friday) was a bank day');
  t.equal(isBankDay(d('2003-06-09')), false, 'annandag pingst 2003 was not');
  t.notOk(rows(2005).some(([, name]) => name === 'Annandag pingst'));

  // The result is a copy: changing it must not change later answers.
  const mine = swedishHolidays(2026);
  mine.length = 0;
  t.equal(swedishHolidays(2026).length, 16);
  t.equal(isBankDay(d('2026-12-24')), false);

  for (const bad of [1500, 10000, 2026.5]) t.throws(() => swedishHolidays(bad), RangeError, `year ${bad}`);

  t.test('property: holiday rules for any year', async (t) => {
    fc.assert(
      fc.property(fc.integer({ min: 1583, max: 9999 }), (y) => {
        const list = swedishHolidays(y);
        const byName = new Map(list.map((h) => [h.name, h.date]));
        const easter = easterSunday(y);
        const eve = byName.get('Midsommarafton');
        const midsummer = byName.get('Midsommardagen');
        const allSaints = byName.get('Alla helgons dag');
        return (
          list.length === 16 &&
          list.every((h, i) => i === 0 || list[i - 1]!.date <= h.date) &&
          list.every((h) => toParts(h.date).year === y) &&
          byName.get('Långfredagen') === addDays(easter, -2) &&
          byName.get('Kristi himmelsfärdsdag') === addDays(easter, 39) &&
          dayOfWeek(byName.get('Kristi himmelsfärdsdag')!) === 4 &&
          byName.get('Pingstdagen') === addDays(easter, 49) &&
          eve !== undefined &&
          dayOfWeek(eve) === 5 &&
          eve >= fromParts(y, 6, 19) &&
          eve <= fromParts(y, 6, 25) &&
          midsummer === addDays(eve, 1) &&
          allSaints !== undefined &&
          dayOfWeek(allSaints) === 6 &&
          allSaints >= fromParts(y, 10, 31) &&
          allSaints <= fromParts(y, 11, 6)
        );
      }),
      { numRuns: 1000 },
    );
    t.pass('property holds');
  });
});

t.test('bank days', async (t) => {
  const countBankDays = (year: number) => {
    let n = 0;
    for (let day = fromParts(year, 1, 1); toParts(day).year === year; day = addDays(day, 1)) {
      if (isBankDay(day)) n++;
    }
    return n;
  };
  // Counted by hand: 261 weekdays, less 12 (2025) and 10 (2026) weekday holidays and eves.
  t.equal(countBankDays(2025), 249, 'bank days in 2025');
  t.equal(countBankDays(2026), 251, 'bank days in 2026');

  const isBank: [date: string, bank: boolean][] = [
    ['2026-04-02', true], // skärtorsdagen is an ordinary day
    ['2026-04-03', false],
    ['2026-04-06', false],
    ['2026-04-07', true],
    ['2026-05-15', true], // the Friday after Kristi himmelsfärdsdag (klämdag) is a bank day
    ['2026-06-19', false],
    ['2026-06-22', true],
    ['2026-01-05', true], // trettondagsafton is a bank day
    ['2026-04-30', true], // valborgsmässoafton is a bank day
    ['2026-12-23', true],
    ['2026-12-24', false],
    ['2026-12-31', false],
    ['2026-10-31', false], // Saturday
    ['2026-10-30', true],
  ];
  for (const [date, bank] of isBank) t.equal(isBankDay(d(date)), bank, `${date} ${bank ? 'is' : 'is not'} a bank day`);

  const next: [from: string, to: string][] = [
    ['2026-04-07', '2026-04-07'], // already a bank day
    ['2026-04-03', '2026-04-07'], // Good Friday over Easter
    ['2026-04-04', '2026-04-07'],
    ['2026-04-06', '2026-04-07'],
    ['2026-03-07', '2026-03-09'], // ordinary weekend
    ['2026-03-08', '2026-03-09'],
    ['2026-05-01', '2026-05-04'],
    ['2026-05-14', '2026-05-15'],
    ['2026-06-19', '2026-06-22'],
    ['2026-12-24', '2026-12-28'],
    ['2026-12-25', '2026-12-28'],
    ['2026-12-31', '2027-01-04'],
    ['2027-01-01', '2027-01-04'],
    ['2027-01-06', '2027-01-07'],
    ['2025-12-24', '2025-12-29'], // Wed: 24, 25, 26 and the weekend
  ];
  for (const [from, to] of next) t.equal(nextBankDay(d(from)), to, `nextBankDay(${from})`);

  const add: [from: string, n: number, to: string][] = [
    ['2026-12-23', 1, '2026-12-28'],
    ['2026-12-23', 2, '2026-12-29'],
    ['2026-12-30', 1, '2027-01-04'],
    ['2026-04-02', 1, '2026-04-07'],
    ['2026-04-04', 1, '2026-04-07'], // from a non-bank day
    ['2026-06-18', 1, '2026-06-22'],
    ['2026-03-02', 5, '2026-03-09'],
    ['2026-03-02', 10, '2026-03-16'],
    ['2026-04-07', -1, '2026-04-02'],
    ['2026-04-04', -1, '2026-04-02'],
    ['2027-01-04', -1, '2026-12-30'],
    ['2026-04-04', 0, '2026-04-04'], // n = 0 is the identity, even on a non-bank day
  ];
  for (const [from, n, to] of add) t.equal(addBankDays(d(from), n), to, `addBankDays(${from}, ${n})`);
  t.throws(() => addBankDays(d('2026-01-01'), 1.5), RangeError);

  const anyDate = dateIn('1990-01-01', '2110-12-31');

  t.test('property: nextBankDay is the first bank day on or after d', async (t) => {
    fc.assert(
      fc.property(anyDate, (date) => {
        const next = nextBankDay(date);
        if (!isBankDay(next) || next < date) return false;
        for (let day = date; day < next; day = addDays(day, 1)) if (isBankDay(day)) return false;
        return true;
      }),
      { numRuns: 2000 },
    );
    t.pass('property holds');
  });

  t.test('property: addBankDays steps over exactly |n| bank days', async (t) => {
    fc.assert(
      fc.property(anyDate, fc.integer({ min: -30, max: 30 }), (date, n) => {
        const result = addBankDays(date, n);
        if (n === 0) return result === date;
        if (!isBankDay(result)) return false;
        // Bank days in (date, result] going forward, [result, date) going back.
        const [lo, hi] = n > 0 ? [addDays(date, 1), result] : [result, addDays(date, -1)];
        let count = 0;
        for (let day = lo; day <= hi; day = addDays(day, 1)) if (isBankDay(day)) count++;
        // From a bank day, n and -n undo each other.
        return count === Math.abs(n) && (!isBankDay(date) || addBankDays(result, -n) === date);
      }),
      { numRuns: 500 },
    );
    t.pass('property holds');
  });
});
