// A season of reminders with known answers: customers, subscriptions, invoices, messages (every
// status, fallbacks, messages covering two invoices), payments (whole, in parts, partial, none),
// escalations, written as rows, and an independent recomputation of every figure in plain loops.
import type { Db } from '../../src/db/client.ts';
import { newId } from '../../src/db/ids.ts';
import { customers } from '../../src/modules/customers/schema.ts';
import { subscriptions } from '../../src/modules/subscriptions/schema.ts';
import { invoices } from '../../src/modules/invoices/schema.ts';
import { payments } from '../../src/modules/payments/schema.ts';
import { messages, messageInvoices } from '../../src/modules/messages/schema.ts';
import { dunningCases } from '../../src/modules/dunning/schema.ts';
import { isBankDay } from '../../src/domain/bank-days.ts';
import { addDays, daysBetween, toCalendarDate, type CalendarDate } from '../../src/domain/calendar-date.ts';

export const TZ = 'Europe/Stockholm';
const DAY = 86_400_000;

/** A small seeded PRNG (mulberry32): the same season every run. */
export function prng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return { next, int: (lo: number, hi: number) => lo + Math.floor(next() * (hi - lo + 1)), pick: <T>(xs: readonly T[]) => xs[Math.floor(next() * xs.length)]! };
}

export type SMessage = { id: string; customerId: string; policyId: string; stepKey: string; tone: string; channel: 'email' | 'webhook'; status: string; businessTime: Date; fallbackOf: string | null; invoiceIds: string[]; experimentId?: string | null; experimentArm?: string | null };
export type SInvoice = { id: string; customerId: string; status: string; total: number; payments: { date: string; amount: number }[]; escalatedAt: Date | null };
export type SSubscription = { id: string; customerId: string; startDate: string; status: string; endedAt: Date | null };
export type Season = { customers: string[]; invoices: SInvoice[]; messages: SMessage[]; subscriptions: SSubscription[] };

const STEPS = [
  { key: 'pre_due', kind: 'pre_due', tone: 'friendly', offset: -3 },
  { key: 'due_date', kind: 'due_date', tone: 'friendly', offset: 0 },
  { key: 'reminder_1', kind: 'reminder', tone: 'friendly', offset: 5 },
  { key: 'reminder_2', kind: 'reminder', tone: 'neutral', offset: 14 },
] as const;

/** The instant of a local day at hh:mm in Stockholm (CET in winter, CEST from the last Sunday of March). */
function at(day: CalendarDate, minutes: number): Date {
  const utc = Date.parse(`${day}T00:00:00Z`) + minutes * 60_000;
  // Find the instant whose Stockholm wall time is day + minutes (offset 1 or 2 hours).
  for (const off of [1, 2]) {
    const t = new Date(utc - off * 3_600_000);
    const wall = new Intl.DateTimeFormat('sv-SE', { timeZone: TZ, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(t);
    if (wall === `${day} ${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`) return t;
  }
  return new Date(utc - 3_600_000);
}

/**
 * Generates the season: due dates spread over February–May 2026 (Easter, 1 May and the DST change
 * inside), each invoice walked through the steps until paid, some messages bounced with a webhook
 * fallback, queued or failed, and a few messages exactly on the window's edges.
 */
export function generateSeason(seed: number, o: { customers: number; policies: string[]; experiment?: { id: string; arms: string[] } }): Season {
  const r = prng(seed);
  const season: Season = { customers: [], invoices: [], messages: [], subscriptions: [] };
  for (let c = 0; c < o.customers; c++) {
    const customerId = newId('customer');
    season.customers.push(customerId);
    const policyId = r.pick(o.policies);
    const arm = o.experiment ? r.pick(o.experiment.arms) : null;
    // Subscriptions: none, one or two; some ended at a random moment.
    for (let s = r.int(0, 2); s > 0; s--) {
      const startDate = addDays('2025-10-01' as CalendarDate, r.int(0, 200));
      const ended = r.next() < 0.4;
      season.subscriptions.push({ id: newId('subscription'), customerId, startDate, status: ended ? 'canceled' : r.pick(['active', 'active', 'paused']), endedAt: ended ? new Date(Date.parse('2026-01-15T00:00:00Z') + r.next() * 200 * DAY) : null });
    }
    const invoiceCount = r.int(1, 3);
    const dueBase = addDays('2026-02-10' as CalendarDate, r.int(0, 90));
    const mine: SInvoice[] = [];
    const messagesOfCustomer: SMessage[] = [];
    for (let k = 0; k < invoiceCount; k++) {
      const inv: SInvoice = { id: newId('invoice'), customerId, status: 'open', total: r.int(100, 2000) * 100, payments: [], escalatedAt: null };
      mine.push(inv);
      season.invoices.push(inv);
      // Two of a customer's invoices may share a due date, and then every message of theirs.
      const due = k > 0 && r.next() < 0.5 ? dueBase : addDays(dueBase, r.int(5, 40) * k);
      let paidOn: CalendarDate | null = null;
      const fate = r.next();
      for (const step of STEPS) {
        const day = addDays(due, step.offset);
        if (paidOn && daysBetween(paidOn, day) > 0) break; // paid: no more reminders
        const shared = messagesOfCustomer.find((m) => m.stepKey === step.key && toCalendarDate(m.businessTime, TZ) === day);
        if (shared && r.next() < 0.8) {
          shared.invoiceIds.push(inv.id);
        } else {
          const status = r.pick(['sent', 'sent', 'stored', 'stored', 'bounced', 'queued', 'failed'] as const);
          const m: SMessage = {
            id: newId('message'), customerId, policyId, stepKey: step.key, tone: step.tone, channel: status === 'bounced' ? 'email' : r.pick(['email', 'webhook'] as const),
            status, businessTime: at(day, r.int(8 * 60, 20 * 60)), fallbackOf: null, invoiceIds: [inv.id], experimentId: o.experiment?.id ?? null, experimentArm: arm,
          };
          season.messages.push(m);
          messagesOfCustomer.push(m);
          if (status === 'bounced' && r.next() < 0.8) {
            season.messages.push({ ...m, id: newId('message'), channel: 'webhook', status: 'sent', fallbackOf: m.id, invoiceIds: [] });
          }
        }
        // After each message the customer may pay, some days later (a few before the message's day: crossed in the post).
        if (!paidOn && r.next() < 0.45) paidOn = addDays(day, r.int(-1, 12));
        if (step.key === 'reminder_2' && !paidOn && r.next() < 0.5) inv.escalatedAt = new Date(at(day, 0).getTime() + r.int(-2, 20) * DAY);
      }
      if (paidOn) {
        if (fate < 0.15) {
          // Paid in two parts: the second completes it.
          inv.payments.push({ date: addDays(paidOn, -r.int(1, 6)), amount: inv.total / 2 }, { date: paidOn, amount: inv.total / 2 });
          inv.status = 'paid';
        } else if (fate < 0.25) {
          inv.payments.push({ date: paidOn, amount: inv.total / 2 });
          inv.status = 'partially_paid';
        } else if (fate < 0.3) {
          inv.status = 'paid'; // settled by a credit note: no payment of its own
        } else {
          inv.payments.push({ date: paidOn, amount: inv.total });
          inv.status = 'paid';
        }
      }
    }
  }
  return season;
}

/** Writes the season's rows for a merchant. */
export async function writeSeason(db: Db, merchantId: string, s: Season): Promise<void> {
  const now = new Date('2026-06-01T00:00:00Z');
  const chunks = async <T>(rows: T[], write: (rows: T[]) => Promise<unknown>) => {
    for (let i = 0; i < rows.length; i += 500) await write(rows.slice(i, i + 500));
  };
  await chunks(s.customers, (ids) =>
    db.insert(customers).values(ids.map((id, i) => ({ merchantId, id, type: 'person' as const, name: `Kund ${i}`, email: `kund${i}@example.se`, locale: 'sv' as const, metadata: {}, createdAt: now, updatedAt: now }))),
  );
  await chunks(s.subscriptions, (rows) =>
    db.insert(subscriptions).values(
      rows.map((x) => ({ merchantId, id: x.id, customerId: x.customerId, status: x.status as 'active', currency: 'SEK', intervalMonths: 1, billingAnchorDay: 1, startDate: x.startDate, cancelAtPeriodEnd: false, endedAt: x.endedAt, canceledAt: x.endedAt, metadata: {}, createdAt: now, updatedAt: now })),
    ),
  );
  await chunks(s.invoices, (rows) =>
    db.insert(invoices).values(
      rows.map((x) => {
        const paid = x.payments.reduce((a, p) => a + p.amount, 0);
        const credited = x.status === 'paid' && paid === 0 ? x.total : 0;
        return {
          merchantId, id: x.id, customerId: x.customerId, billingReason: 'manual' as const, status: x.status as 'open', currency: 'SEK', dueDate: '2026-03-01',
          subtotal: x.total, vatTotal: 0, total: x.total, rounding: 0, amountDue: x.total, amountPaid: paid, amountCredited: credited, amountRemaining: x.total - paid - credited,
          vatBreakdown: [], reverseCharge: false, locale: 'sv' as const, paymentTermsDays: 30, metadata: {}, createdAt: now, updatedAt: now,
        };
      }),
    ),
  );
  const pays = s.invoices.flatMap((x) => x.payments.map((p) => ({ ...p, invoice: x })));
  await chunks(pays, (rows) =>
    db.insert(payments).values(
      rows.map((p) => ({
        merchantId, id: newId('payment'), status: 'matched' as const, amount: p.amount, currency: 'SEK', date: p.date, method: 'bankgiro' as const, payer: { name: null, nationalId: null, bankgiro: null, account: null, email: null },
        customerId: p.invoice.customerId, invoiceId: p.invoice.id, matchedBy: 'ocr' as const, amountApplied: p.amount, amountCredited: 0, amountUnapplied: 0, amountRefunded: 0, metadata: {}, createdAt: now, updatedAt: now,
      })),
    ),
  );
  // A refunded payment of an unpaid invoice is no payment (nothing applied).
  await chunks(s.invoices.filter((x) => x.escalatedAt || x.status !== 'open'), (rows) =>
    db.insert(dunningCases).values(rows.map((x) => ({ merchantId, invoiceId: x.id, customerId: x.customerId, policyId: 'dp_x', status: x.escalatedAt ? ('escalated' as const) : ('closed' as const), nextStep: 0, escalatedAt: x.escalatedAt, createdAt: now, updatedAt: now }))),
  );
  await chunks(s.messages, (rows) =>
    db.insert(messages).values(
      rows.map((m) => ({
        merchantId, id: m.id, customerId: m.customerId, kind: 'reminder' as const, policyId: m.policyId, stepKey: m.stepKey, stepKind: m.stepKey === 'pre_due' ? 'pre_due' : m.stepKey === 'due_date' ? 'due_date' : 'reminder', tone: m.tone, locale: 'sv' as const,
        channel: m.channel, delivery: 'email_pdf', toAddress: 'x@example.se', subject: 's', textBody: 't', htmlBody: 'h', attachPdf: false, messageIdHeader: `<${m.id}@test>`, currency: 'SEK', amountDue: 0, feeAmount: 0, interestAmount: 0,
        status: m.status as 'sent', fallbackOf: m.fallbackOf, businessTime: m.businessTime, createdAt: now, updatedAt: now, ...experimentColumns(m),
      })),
    ),
  );
  const links = s.messages.flatMap((m) => m.invoiceIds.map((invoiceId) => ({ merchantId, messageId: m.id, invoiceId, stepKey: m.stepKey, amountRemaining: 0 })));
  await chunks(links, (rows) => db.insert(messageInvoices).values(rows));
}

function experimentColumns(m: SMessage): { experimentId: string | null; experimentArm: string | null } {
  return { experimentId: m.experimentId ?? null, experimentArm: m.experimentArm ?? null };
}

export type Expected = {
  key: string | null;
  messages: number;
  invoices_reminded: number;
  paid_within_2_bank_days: number;
  paid_within_7_days: number;
  paid: number;
  median_days_to_payment: number | null;
  escalated: number;
  customers: number;
  customers_paid_within_2_bank_days: number;
  churned_within_90_days: number;
};

/** Bank days after `a` up to and including `b`. */
function bankDaysAfter(a: CalendarDate, b: CalendarDate): number {
  let n = 0;
  for (let d = addDays(a, 1); daysBetween(d, b) >= 0; d = addDays(d, 1)) if (isBankDay(d)) n++;
  return n;
}

/** The figures recomputed from the season in plain loops, for messages selected by `keep`, grouped by `group`. */
export function expected(s: Season, keep: (m: SMessage) => boolean, group: (m: SMessage) => string | null): Expected[] {
  const byId = new Map(s.messages.map((m) => [m.id, m]));
  const invoicesById = new Map(s.invoices.map((i) => [i.id, i]));
  const delivered = s.messages.filter((m) => (m.status === 'sent' || m.status === 'stored') && keep(m));
  const keys = [...new Set(delivered.map(group))].sort((a, b) => (a === null ? 1 : b === null ? -1 : a < b ? -1 : a > b ? 1 : 0));
  const before = (a: SMessage, b: SMessage) => a.businessTime.getTime() < b.businessTime.getTime() || (a.businessTime.getTime() === b.businessTime.getTime() && a.id < b.id);
  const invoicesOf = (m: SMessage) => (m.fallbackOf ? byId.get(m.fallbackOf)!.invoiceIds : m.invoiceIds);
  const paidOn = (id: string): CalendarDate | null => {
    const inv = invoicesById.get(id)!;
    if (inv.status !== 'paid' || inv.payments.length === 0) return null;
    return inv.payments.map((p) => p.date).sort().at(-1)! as CalendarDate;
  };
  const within2 = (day: CalendarDate, paid: CalendarDate | null) => {
    if (!paid) return false;
    if (daysBetween(day, paid) <= 0) return true;
    const n = bankDaysAfter(day, paid);
    return n < 2 || (n === 2 && isBankDay(paid));
  };
  return keys.map((key) => {
    const mine = delivered.filter((m) => group(m) === key);
    const firstPerInvoice = new Map<string, SMessage>();
    const firstPerCustomer = new Map<string, SMessage>();
    for (const m of mine) {
      for (const id of invoicesOf(m)) if (!firstPerInvoice.has(id) || before(m, firstPerInvoice.get(id)!)) firstPerInvoice.set(id, m);
      if (!firstPerCustomer.has(m.customerId) || before(m, firstPerCustomer.get(m.customerId)!)) firstPerCustomer.set(m.customerId, m);
    }
    let p2 = 0, p7 = 0, paid = 0, esc = 0;
    const days: number[] = [];
    for (const [id, m] of firstPerInvoice) {
      const day = toCalendarDate(m.businessTime, TZ);
      const on = paidOn(id);
      if (on) {
        paid++;
        days.push(Math.max(0, daysBetween(day, on)));
        if (within2(day, on)) p2++;
        if (daysBetween(day, on) <= 7) p7++;
      }
      const e = invoicesById.get(id)!.escalatedAt;
      if (e && e.getTime() >= m.businessTime.getTime()) esc++;
    }
    days.sort((a, b) => a - b);
    let churned = 0, customersPaid = 0;
    for (const [customerId, m] of firstPerCustomer) {
      const t = m.businessTime.getTime();
      const later = t + 90 * DAY;
      const subs = s.subscriptions.filter((x) => x.customerId === customerId);
      const endedBy = (x: SSubscription, when: number) => x.status === 'canceled' && x.endedAt !== null && x.endedAt.getTime() <= when;
      const day = toCalendarDate(m.businessTime, TZ);
      const liveAtMessage = subs.some((x) => x.startDate <= day && !endedBy(x, t));
      const liveLater = subs.some((x) => x.startDate <= toCalendarDate(new Date(later), TZ) && !endedBy(x, later));
      if (liveAtMessage && !liveLater) churned++;
      if (invoicesOf(m).every((id) => within2(day, paidOn(id)))) customersPaid++;
    }
    return {
      key,
      messages: mine.length,
      invoices_reminded: firstPerInvoice.size,
      paid_within_2_bank_days: p2,
      paid_within_7_days: p7,
      paid,
      median_days_to_payment: days.length === 0 ? null : days[Math.floor((days.length - 1) / 2)]!,
      escalated: esc,
      customers: firstPerCustomer.size,
      customers_paid_within_2_bank_days: customersPaid,
      churned_within_90_days: churned,
    };
  });
}
