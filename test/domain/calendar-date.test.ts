// The cached wall clock (offsets per quarter hour) agrees with Intl's formatter for any instant in
// zones with odd offsets and transitions: half-hour DST (Lord Howe), +5:45 (Kathmandu), historic
// local mean time (Amsterdam before 1937), southern-hemisphere DST (Santiago).
import t from 'tap';
import fc from 'fast-check';
import { toLocalTime } from '../../src/domain/calendar-date.ts';

const ZONES = ['Europe/Stockholm', 'America/Santiago', 'Australia/Lord_Howe', 'Asia/Kathmandu', 'Pacific/Chatham', 'Europe/Amsterdam', 'UTC'];

function viaIntl(ms: number, tz: string) {
  const f = new Intl.DateTimeFormat('en-US', { timeZone: tz, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' });
  const p = Object.fromEntries(f.formatToParts(ms).map((x) => [x.type, x.value]));
  return { date: `${p.year}-${p.month}-${p.day}`, msOfDay: ((Number(p.hour) % 24) * 3600 + Number(p.minute) * 60 + Number(p.second)) * 1000 };
}

t.test('toLocalTime matches Intl for random instants 1900–2100', async (t) => {
  const lo = Date.UTC(1900, 0, 2);
  const hi = Date.UTC(2100, 0, 1);
  fc.assert(
    fc.property(fc.integer({ min: lo, max: hi }), fc.constantFrom(...ZONES), (ms, tz) => {
      const got = toLocalTime(new Date(ms), tz);
      const want = viaIntl(ms, tz);
      return got.date === want.date && Math.floor(got.msOfDay / 1000) * 1000 === want.msOfDay;
    }),
    { numRuns: 20_000 },
  );
  t.pass('20 000 instants agree');
});

t.test('every second around DST transitions in Stockholm and Lord Howe', async (t) => {
  for (const [tz, around] of [['Europe/Stockholm', Date.UTC(2026, 2, 29, 1, 0)], ['Europe/Stockholm', Date.UTC(2026, 9, 25, 1, 0)], ['Australia/Lord_Howe', Date.UTC(2026, 3, 4, 15, 0)]] as const) {
    let bad = 0;
    for (let ms = around - 3600_000; ms <= around + 3600_000; ms += 1000) {
      const got = toLocalTime(new Date(ms), tz);
      const want = viaIntl(ms, tz);
      if (got.date !== want.date || got.msOfDay !== want.msOfDay) bad++;
    }
    t.equal(bad, 0, `${tz} around ${new Date(around).toISOString()}`);
  }
});
