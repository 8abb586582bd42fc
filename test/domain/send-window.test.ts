import t from 'tap';
import fc from 'fast-check';
import {
  addDays,
  calendarDate,
  daysBetween,
  instantAtLocalTime,
  startOfDayInstant,
  toLocalTime,
  type CalendarDate,
  type LocalTime,
} from '../../src/domain/calendar-date.ts';
import {
  isSendDay,
  isSendable,
  localTimeOnDay,
  nextSendable,
  parseTimeOfDay,
  stepDay,
  stepNominalTime,
  type QuietHours,
} from '../../src/domain/send-window.ts';

const d = calendarDate;
const at = (iso: string) => new Date(iso);
const STOCKHOLM = 'Europe/Stockholm';
const NIGHT: QuietHours = { start: '21:00', end: '08:00' }; // the default: wraps midnight
const LUNCH: QuietHours = { start: '12:00', end: '13:00' }; // a span within the day
const HOUR = 3_600_000;
const MINUTE = 60_000;

function dateIn(from: string, to: string): fc.Arbitrary<CalendarDate> {
  return fc.integer({ min: 0, max: daysBetween(d(from), d(to)) }).map((n) => addDays(d(from), n));
}

// Lexicographic (date, time) order.
const before = (a: LocalTime, b: LocalTime) => a.date < b.date || (a.date === b.date && a.msOfDay < b.msOfDay);

t.test('parseTimeOfDay takes 24-hour HH:MM only', async (t) => {
  t.equal(parseTimeOfDay('00:00'), 0);
  t.equal(parseTimeOfDay('08:00'), 480);
  t.equal(parseTimeOfDay('21:30'), 1290);
  t.equal(parseTimeOfDay('23:59'), 1439);
  for (const bad of ['24:00', '7:00', '07:0', '07:000', ' 07:00', '07:60', '07.00', '', 7, null, undefined]) {
    t.equal(parseTimeOfDay(bad), null, JSON.stringify(bad));
  }
});

t.test('toLocalTime and instantAtLocalTime', async (t) => {
  t.same(toLocalTime(at('2026-12-07T07:00:00Z'), STOCKHOLM), { date: '2026-12-07', msOfDay: 8 * HOUR });
  t.same(toLocalTime(at('2026-07-01T06:00:00.250Z'), STOCKHOLM), { date: '2026-07-01', msOfDay: 8 * HOUR + 250 });
  t.same(toLocalTime(at('2026-12-06T23:30:00Z'), STOCKHOLM), { date: '2026-12-07', msOfDay: 30 * MINUTE });
  // Wall time, not elapsed time: 08:00 on the 23-hour day is 7 hours after midnight.
  t.same(toLocalTime(at('2026-03-29T06:00:00Z'), STOCKHOLM), { date: '2026-03-29', msOfDay: 8 * HOUR });
  t.same(toLocalTime(at('1969-12-31T23:59:59.999Z'), 'UTC'), { date: '1969-12-31', msOfDay: 86_400_000 - 1 });

  const cases: [date: string, hhmm: number, zone: string, instant: string][] = [
    ['2026-12-07', 8 * 60, STOCKHOLM, '2026-12-07T07:00:00.000Z'],
    ['2026-07-01', 10 * 60, STOCKHOLM, '2026-07-01T08:00:00.000Z'],
    ['2026-12-07', 0, STOCKHOLM, '2026-12-06T23:00:00.000Z'],
    // Spring forward, 2026-03-29: 02:00 CET -> 03:00 CEST (01:00Z); 02:00–02:59 never happen.
    ['2026-03-29', 1 * 60 + 59, STOCKHOLM, '2026-03-29T00:59:00.000Z'],
    ['2026-03-29', 2 * 60, STOCKHOLM, '2026-03-29T01:00:00.000Z'],
    ['2026-03-29', 2 * 60 + 30, STOCKHOLM, '2026-03-29T01:00:00.000Z'],
    ['2026-03-29', 3 * 60, STOCKHOLM, '2026-03-29T01:00:00.000Z'],
    ['2026-03-29', 3 * 60 + 1, STOCKHOLM, '2026-03-29T01:01:00.000Z'],
    ['2026-03-29', 8 * 60, STOCKHOLM, '2026-03-29T06:00:00.000Z'],
    // Fall back, 2026-10-25: 03:00 CEST -> 02:00 CET (01:00Z); 02:00–02:59 happen twice.
    ['2026-10-25', 1 * 60 + 59, STOCKHOLM, '2026-10-24T23:59:00.000Z'],
    ['2026-10-25', 2 * 60 + 30, STOCKHOLM, '2026-10-25T00:30:00.000Z'], // the first time round
    ['2026-10-25', 3 * 60, STOCKHOLM, '2026-10-25T02:00:00.000Z'],
    ['2026-10-25', 8 * 60, STOCKHOLM, '2026-10-25T07:00:00.000Z'],
    ['2018-11-04', 30, 'America/Sao_Paulo', '2018-11-04T03:00:00.000Z'], // midnight skipped: 01:00 local
    ['2011-12-30', 12 * 60, 'Pacific/Apia', '2011-12-30T10:00:00.000Z'], // the date never happened
    ['2026-04-05', 1 * 60 + 45, 'Australia/Lord_Howe', '2026-04-04T14:45:00.000Z'], // half-hour fall-back (02:00 -> 01:30): first time
  ];
  for (const [date, minutes, zone, instant] of cases) {
    t.equal(instantAtLocalTime(d(date), minutes * MINUTE, zone).toISOString(), instant, `${date} +${minutes} min in ${zone}`);
  }
  t.throws(() => instantAtLocalTime(d('2026-01-01'), 86_400_000, STOCKHOLM), RangeError);
  t.throws(() => instantAtLocalTime(d('2026-01-01'), -1, STOCKHOLM), RangeError);
  t.throws(() => instantAtLocalTime(d('2026-01-01'), 0.5, STOCKHOLM), RangeError);

  const zones = [STOCKHOLM, 'UTC', 'America/Sao_Paulo', 'America/New_York', 'Australia/Lord_Howe', 'Pacific/Apia', 'Asia/Kathmandu'];
  t.test('property: the first instant that reaches the wall time', async (t) => {
    fc.assert(
      fc.property(dateIn('1990-01-01', '2040-12-31'), fc.integer({ min: 0, max: 86_400_000 - 1 }), fc.constantFrom(...zones), (date, ms, zone) => {
        const target = { date, msOfDay: ms };
        const r = instantAtLocalTime(date, ms, zone).getTime();
        return !before(toLocalTime(new Date(r), zone), target) && before(toLocalTime(new Date(r - 1), zone), target);
      }),
      { numRuns: 1000 },
    );
    t.pass('property holds');
  });
  t.test('property: round trip from an instant lands on it or on the first time round', async (t) => {
    fc.assert(
      fc.property(fc.integer({ min: Date.UTC(1990, 0, 1), max: Date.UTC(2040, 0, 1) }), fc.constantFrom(...zones), (ms, zone) => {
        const local = toLocalTime(new Date(ms), zone);
        const r = instantAtLocalTime(local.date, local.msOfDay, zone);
        const back = toLocalTime(r, zone);
        return r.getTime() <= ms && back.date === local.date && back.msOfDay === local.msOfDay && ms - r.getTime() <= 2 * HOUR;
      }),
      { numRuns: 1000 },
    );
    t.pass('property holds');
  });
});

t.test('send days: not Sundays, public holidays, midsommarafton, julafton, nyårsafton', async (t) => {
  const days: [date: string, send: boolean][] = [
    ['2026-12-05', true], // Saturday
    ['2026-12-06', false], // Sunday
    ['2026-12-07', true],
    ['2026-12-23', true],
    ['2026-12-24', false], // julafton
    ['2026-12-25', false], // juldagen
    ['2026-12-26', false], // annandag jul (Saturday)
    ['2026-12-28', true],
    ['2026-12-31', false], // nyårsafton
    ['2027-01-01', false],
    ['2027-01-02', true], // Saturday
    ['2026-01-05', true], // trettondagsafton
    ['2026-01-06', false],
    ['2026-04-02', true], // skärtorsdagen
    ['2026-04-03', false], // långfredagen
    ['2026-04-04', true], // påskafton: a Saturday like any other
    ['2026-04-06', false], // annandag påsk
    ['2026-04-30', true], // valborgsmässoafton
    ['2026-05-01', false],
    ['2026-05-14', false], // Kristi himmelsfärdsdag
    ['2026-06-05', true],
    ['2026-06-06', false], // nationaldagen (a Saturday in 2026)
    ['2025-06-06', false], // nationaldagen on a Friday
    ['2026-06-19', false], // midsommarafton
    ['2026-06-20', false], // midsommardagen
    ['2026-06-22', true],
    ['2026-10-31', false], // alla helgons dag
  ];
  for (const [date, send] of days) t.equal(isSendDay(d(date)), send, `${date} ${send ? 'is' : 'is not'} a send day`);
});

t.test('isSendable: quiet hours in local wall time', async (t) => {
  const cases: [instant: string, quiet: QuietHours, zone: string, sendable: boolean, why: string][] = [
    ['2026-12-07T06:59:59.999Z', NIGHT, STOCKHOLM, false, 'Monday 07:59:59.999 CET'],
    ['2026-12-07T07:00:00Z', NIGHT, STOCKHOLM, true, 'Monday 08:00 CET: quiet ends'],
    ['2026-12-07T19:59:59.999Z', NIGHT, STOCKHOLM, true, 'Monday 20:59:59.999'],
    ['2026-12-07T20:00:00Z', NIGHT, STOCKHOLM, false, 'Monday 21:00: quiet starts'],
    ['2026-12-07T23:30:00Z', NIGHT, STOCKHOLM, false, 'Tuesday 00:30, across midnight'],
    ['2026-07-01T05:59:00Z', NIGHT, STOCKHOLM, false, 'summer 07:59 CEST'],
    ['2026-07-01T06:00:00Z', NIGHT, STOCKHOLM, true, 'summer 08:00 CEST'],
    ['2026-07-01T18:59:00Z', NIGHT, STOCKHOLM, true, 'summer 20:59 CEST'],
    ['2026-07-01T19:00:00Z', NIGHT, STOCKHOLM, false, 'summer 21:00 CEST'],
    ['2026-12-05T11:00:00Z', NIGHT, STOCKHOLM, true, 'Saturday noon'],
    ['2026-12-06T11:00:00Z', NIGHT, STOCKHOLM, false, 'Sunday noon'],
    ['2026-12-25T11:00:00Z', NIGHT, STOCKHOLM, false, 'juldagen noon'],
    ['2026-12-24T11:00:00Z', NIGHT, STOCKHOLM, false, 'julafton noon'],
    ['2026-06-19T10:00:00Z', NIGHT, STOCKHOLM, false, 'midsommarafton noon'],
    ['2026-06-06T10:00:00Z', NIGHT, STOCKHOLM, false, 'nationaldagen noon'],
    ['2026-12-07T10:59:59Z', LUNCH, STOCKHOLM, true, '11:59:59 before a same-day span'],
    ['2026-12-07T11:00:00Z', LUNCH, STOCKHOLM, false, '12:00 in the span'],
    ['2026-12-07T12:00:00Z', LUNCH, STOCKHOLM, true, '13:00 after the span'],
    ['2026-12-07T23:30:00Z', LUNCH, STOCKHOLM, true, '00:30 with no night quiet'],
    // The local date decides: Sunday 23:30 UTC is already Monday in Stockholm.
    ['2026-12-27T23:30:00Z', { start: '02:00', end: '06:00' }, STOCKHOLM, true, 'Monday 00:30 in Stockholm'],
    ['2026-12-27T23:30:00Z', { start: '02:00', end: '06:00' }, 'UTC', false, 'still Sunday in UTC'],
    ['2026-12-07T07:00:00Z', NIGHT, 'America/New_York', false, '02:00 in New York'],
    ['2026-12-07T13:00:00Z', NIGHT, 'America/New_York', true, '08:00 in New York'],
    ['2026-12-07T03:00:00Z', { start: '10:00', end: '10:00' }, STOCKHOLM, true, 'equal start and end: no quiet hours'],
  ];
  for (const [instant, quiet, zone, sendable, why] of cases) t.equal(isSendable(at(instant), zone, quiet), sendable, why);
  t.throws(() => isSendable(at('2026-12-07T12:00:00Z'), STOCKHOLM, { start: '25:00', end: '08:00' }), RangeError);
  t.throws(() => isSendable(at('2026-12-07T12:00:00Z'), 'Europe/Nowhere', NIGHT), RangeError);
});

t.test('nextSendable', async (t) => {
  const cases: [from: string, quiet: QuietHours, to: string, why: string][] = [
    ['2026-12-07T12:00:00.000Z', NIGHT, '2026-12-07T12:00:00.000Z', 'sendable: itself'],
    ['2026-12-07T05:00:00.000Z', NIGHT, '2026-12-07T07:00:00.000Z', 'Monday 06:00 -> 08:00 the same morning'],
    ['2026-12-07T20:00:00.000Z', NIGHT, '2026-12-08T07:00:00.000Z', 'Monday 21:00 -> Tuesday 08:00'],
    ['2026-12-05T20:30:00.000Z', NIGHT, '2026-12-07T07:00:00.000Z', 'Saturday evening -> over Sunday to Monday'],
    ['2026-12-06T11:00:00.000Z', NIGHT, '2026-12-07T07:00:00.000Z', 'Sunday noon -> Monday 08:00'],
    ['2026-12-23T20:00:00.000Z', NIGHT, '2026-12-28T07:00:00.000Z', 'before Christmas -> Monday 28th'],
    ['2026-12-30T21:00:00.000Z', NIGHT, '2027-01-02T07:00:00.000Z', 'nyårsafton, nyårsdagen -> Saturday 2 Jan'],
    ['2026-06-18T19:00:00.000Z', NIGHT, '2026-06-22T06:00:00.000Z', 'midsommar weekend -> Monday 08:00 CEST'],
    ['2026-06-05T19:00:00.000Z', NIGHT, '2026-06-08T06:00:00.000Z', 'nationaldagen Saturday, then Sunday'],
    // Across the clock changes (both on a Sunday in Sweden, so never on a send day).
    ['2026-03-28T20:00:00.000Z', NIGHT, '2026-03-30T06:00:00.000Z', 'Saturday 21:00 CET -> Monday 08:00 CEST'],
    ['2026-10-24T19:00:00.000Z', NIGHT, '2026-10-26T07:00:00.000Z', 'Saturday 21:00 CEST -> Monday 08:00 CET'],
    ['2026-12-07T11:30:00.000Z', LUNCH, '2026-12-07T12:00:00.000Z', 'in a lunch span -> 13:00'],
    ['2026-12-06T11:30:00.000Z', LUNCH, '2026-12-06T23:00:00.000Z', 'Sunday with no night quiet -> Monday 00:00'],
  ];
  for (const [from, quiet, to, why] of cases) t.equal(nextSendable(at(from), STOCKHOLM, quiet).toISOString(), to, why);

  t.equal(
    nextSendable(at('2026-12-07T03:00:00Z'), 'America/New_York', NIGHT).toISOString(),
    '2026-12-07T13:00:00.000Z',
    'Sunday 22:00 in New York -> Monday 08:00 EST',
  );
  // Santiago puts its clocks back at the end of Saturday 2026-04-04 (24:00 -03 -> 23:00 -04), a
  // send day, so 23:00–23:59 happen twice and the quiet end comes round a second time.
  const late: QuietHours = { start: '22:00', end: '23:30' };
  t.equal(nextSendable(at('2026-04-05T02:10:00Z'), 'America/Santiago', late).toISOString(), '2026-04-05T02:30:00.000Z', 'first 23:10 -> first 23:30');
  t.equal(nextSendable(at('2026-04-05T03:10:00Z'), 'America/Santiago', late).toISOString(), '2026-04-05T03:30:00.000Z', 'second 23:10 -> second 23:30');

  t.test('property: the first sendable instant, at most five days on', async (t) => {
    const quiets: QuietHours[] = [NIGHT, LUNCH, { start: '22:30', end: '07:15' }, { start: '00:00', end: '09:00' }, { start: '18:00', end: '23:59' }];
    fc.assert(
      fc.property(
        fc.integer({ min: Date.UTC(2024, 0, 1), max: Date.UTC(2030, 0, 1) }),
        fc.constantFrom(...quiets),
        fc.constantFrom(STOCKHOLM, 'America/New_York', 'America/Santiago', 'UTC'),
        (ms, quiet, zone) => {
          const from = new Date(ms);
          const next = nextSendable(from, zone, quiet);
          const gap = next.getTime() - ms;
          if (!isSendable(next, zone, quiet) || gap < 0 || gap > 5 * 24 * HOUR) return false;
          if (gap === 0) return true;
          // Nothing sendable in between: just before, and every 10 minutes from `from`.
          if (isSendable(new Date(next.getTime() - 1), zone, quiet)) return false;
          for (let probe = ms; probe < next.getTime(); probe += 10 * MINUTE) {
            if (isSendable(new Date(probe), zone, quiet)) return false;
          }
          return true;
        },
      ),
      { numRuns: 1000 },
    );
    t.pass('property holds');
  });
});

t.test('stepDay: calendar days or bank days from the due date', async (t) => {
  const cases: [due: string, offset: number, unit: 'days' | 'bank_days', day: string][] = [
    ['2026-12-07', 0, 'days', '2026-12-07'],
    ['2026-12-07', 0, 'bank_days', '2026-12-07'],
    ['2026-12-07', -3, 'days', '2026-12-04'],
    ['2026-12-07', 14, 'days', '2026-12-21'],
    ['2026-12-23', 3, 'bank_days', '2026-12-30'], // 28, 29, 30
    ['2026-12-23', 3, 'days', '2026-12-26'],
    ['2026-04-07', -3, 'bank_days', '2026-03-31'], // back over Easter: 2 Apr, 1 Apr, 31 Mar
    ['2026-04-07', -3, 'days', '2026-04-04'],
    ['2026-06-18', 1, 'bank_days', '2026-06-22'], // over midsommar
  ];
  for (const [due, offset, unit, day] of cases) t.equal(stepDay(d(due), { offset, offset_unit: unit }), day, `${due} ${offset} ${unit}`);
});

t.test('stepNominalTime: the first sendable instant of the step day', async (t) => {
  const cases: [due: string, offset: number, unit: 'days' | 'bank_days', instant: string, why: string][] = [
    ['2026-12-07', 0, 'days', '2026-12-07T07:00:00.000Z', 'due date, 08:00 CET'],
    ['2026-07-01', 0, 'days', '2026-07-01T06:00:00.000Z', 'due date, 08:00 CEST'],
    ['2026-12-21', 3, 'days', '2026-12-28T07:00:00.000Z', 'julafton -> Monday after Christmas'],
    ['2026-06-22', -3, 'days', '2026-06-22T06:00:00.000Z', 'midsommarafton pushes a pre-due step to the due date itself'],
    ['2026-06-09', -3, 'days', '2026-06-08T06:00:00.000Z', 'nationaldagen and Sunday -> Monday'],
    ['2026-03-26', 3, 'days', '2026-03-30T06:00:00.000Z', 'spring-forward Sunday -> Monday 08:00 CEST'],
    ['2026-10-22', 3, 'days', '2026-10-26T07:00:00.000Z', 'fall-back Sunday -> Monday 08:00 CET'],
    ['2026-12-23', 3, 'bank_days', '2026-12-30T07:00:00.000Z', 'bank days land on a send day'],
  ];
  for (const [due, offset, unit, instant, why] of cases) {
    t.equal(stepNominalTime(d(due), { offset, offset_unit: unit }, STOCKHOLM, NIGHT).toISOString(), instant, why);
  }
  t.equal(
    stepNominalTime(d('2026-12-07'), { offset: 0, offset_unit: 'days' }, STOCKHOLM, LUNCH).toISOString(),
    startOfDayInstant(d('2026-12-07'), STOCKHOLM).toISOString(),
    'no night quiet: local midnight',
  );
});

t.test('localTimeOnDay: the payment-file cut-off', async (t) => {
  t.equal(localTimeOnDay(d('2026-12-07'), '10:00', STOCKHOLM).toISOString(), '2026-12-07T09:00:00.000Z');
  t.equal(localTimeOnDay(d('2026-07-01'), '10:00', STOCKHOLM).toISOString(), '2026-07-01T08:00:00.000Z');
  t.equal(localTimeOnDay(d('2026-03-29'), '10:00', STOCKHOLM).toISOString(), '2026-03-29T08:00:00.000Z');
  t.equal(localTimeOnDay(d('2026-10-25'), '10:00', STOCKHOLM).toISOString(), '2026-10-25T09:00:00.000Z');
  t.equal(localTimeOnDay(d('2026-03-29'), '02:30', STOCKHOLM).toISOString(), '2026-03-29T01:00:00.000Z', 'skipped: when clocks jump');
  t.equal(localTimeOnDay(d('2026-10-25'), '02:30', STOCKHOLM).toISOString(), '2026-10-25T00:30:00.000Z', 'repeated: first time');
  t.equal(localTimeOnDay(d('2026-12-07'), '00:00', STOCKHOLM).toISOString(), '2026-12-06T23:00:00.000Z');
  for (const bad of ['24:00', '9:00', '10:60', 'ten']) t.throws(() => localTimeOnDay(d('2026-12-07'), bad, STOCKHOLM), RangeError, bad);
});
