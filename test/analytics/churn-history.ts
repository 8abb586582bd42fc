// Subscription histories written as rows (customers, prices, subscriptions, their item changes as
// `subscription.updated` events, failed collections, defaulted plans, escalations), a generator of
// random ones, and an independent recomputation of the churn figures by sampling each customer's
// state just before and at every instant something changed, in plain loops.
import type { Db } from '../../src/db/client.ts';
import { newId } from '../../src/db/ids.ts';
import { customers } from '../../src/modules/customers/schema.ts';
import { products, prices } from '../../src/modules/catalog/schema.ts';
import { subscriptions, subscriptionItems } from '../../src/modules/subscriptions/schema.ts';
import { events } from '../../src/modules/events/schema.ts';
import { invoices } from '../../src/modules/invoices/schema.ts';
import { collectionAttempts } from '../../src/modules/collection/schema.ts';
import { paymentPlans } from '../../src/modules/payment-plans/schema.ts';
import { dunningCases } from '../../src/modules/dunning/schema.ts';
import { monthlyAmount, INVOLUNTARY_WINDOW_DAYS } from '../../src/domain/churn-metrics.ts';
import { prng } from './season.ts';

export type HPrice = {
  id: string;
  currency: string;
  unitAmount: number;
  taxBehavior: 'exclusive' | 'inclusive';
  vatRate: 0 | 6 | 12 | 25;
  type: 'recurring' | 'one_time';
  interval: 'month' | 'quarter' | 'year' | null;
  count: number | null;
};
export type HItems = { price: string; quantity: number }[];
export type HSub = {
  id: string;
  customerId: string;
  currency: string;
  startDate: string;
  trialEnd?: string | null;
  endedAt?: Date | null;
  reason?: 'too_expensive' | 'switched_provider' | 'no_longer_needed' | 'payment_problems' | 'unhappy_with_service' | 'other' | null;
  initiator?: 'customer' | 'merchant' | 'involuntary' | null;
  items: HItems;
  changes?: { at: Date; items: HItems }[];
  /** Canceled at `from` (with a reason and initiator), reactivated at `to`. */
  gaps?: { from: Date; to: Date; reason: NonNullable<HSub['reason']>; initiator: NonNullable<HSub['initiator']> }[];
};
export type History = {
  customers: { id: string; name: string }[];
  prices: HPrice[];
  subs: HSub[];
  failedCollections: { customerId: string; at: Date }[];
  defaultedPlans: { customerId: string; at: Date }[];
  escalations: { customerId: string; at: Date }[];
};

export const price = (p: Omit<HPrice, 'id' | 'count' | 'vatRate' | 'taxBehavior' | 'type'> & Partial<HPrice>): HPrice => ({
  id: newId('price'),
  count: p.interval ? 1 : null,
  vatRate: 25,
  taxBehavior: 'exclusive',
  type: p.interval ? 'recurring' : 'one_time',
  ...p,
});

export async function writeHistory(db: Db, merchantId: string, h: History): Promise<void> {
  const now = new Date('2024-01-01T00:00:00Z');
  const productId = newId('product');
  for (let i = 0; i < h.customers.length; i += 500) {
    const batch = h.customers.slice(i, i + 500);
    await db.insert(customers).values(batch.map((c) => ({ merchantId, id: c.id, type: 'person' as const, name: c.name, email: `${c.name.toLowerCase()}@example.se`, locale: 'sv' as const, metadata: {}, createdAt: now, updatedAt: now })));
  }
  await db.insert(products).values({ merchantId, id: productId, name: 'Tidning', active: true, metadata: {}, createdAt: now, updatedAt: now });
  await db.insert(prices).values(
    h.prices.map((p) => ({
      merchantId, id: p.id, productId, active: true, currency: p.currency, unitAmount: p.unitAmount, taxBehavior: p.taxBehavior, vatRate: p.vatRate, type: p.type,
      recurringInterval: p.interval, recurringIntervalCount: p.count, nickname: `${p.unitAmount}/${p.interval ?? 'once'}`, metadata: {}, createdAt: now, updatedAt: now,
    })),
  );
  for (let i = 0; i < h.subs.length; i += 300) {
    const batch = h.subs.slice(i, i + 300);
    await db.insert(subscriptions).values(
      batch.map((s) => ({
        merchantId, id: s.id, customerId: s.customerId, status: s.endedAt ? ('canceled' as const) : ('active' as const), currency: s.currency, intervalMonths: 1, billingAnchorDay: 1,
        startDate: s.startDate, trialEnd: s.trialEnd ?? null, cancelAtPeriodEnd: false, endedAt: s.endedAt ?? null, canceledAt: s.endedAt ?? null,
        cancellationReason: s.reason ?? null, cancellationInitiator: s.endedAt ? (s.initiator ?? 'merchant') : null, metadata: {}, createdAt: now, updatedAt: now,
      })),
    );
    const current = batch.flatMap((s) => (s.changes?.at(-1)?.items ?? s.items).map((it) => ({ merchantId, id: newId('subscriptionItem'), subscriptionId: s.id, priceId: it.price, quantity: it.quantity, createdAt: now })));
    if (current.length > 0) await db.insert(subscriptionItems).values(current);
    const changes = batch.flatMap((s) =>
      (s.changes ?? []).map((c, k) => {
        const before = k === 0 ? s.items : s.changes![k - 1]!.items;
        const resource = (items: HItems) => items.map((it) => ({ id: newId('subscriptionItem'), price: it.price, quantity: it.quantity }));
        return {
          merchantId, id: newId('event'), type: 'subscription.updated', apiVersion: '2026-01-01', livemode: false, objectId: s.id,
          data: { object: { id: s.id, object: 'subscription', items: resource(c.items) }, previous_attributes: { items: resource(before), metadata: {} } },
          createdAt: c.at,
        };
      }),
    );
    if (changes.length > 0) await db.insert(events).values(changes);
    // Cancellations and reactivations as their events tell them (the row keeps only the last end).
    const event = (s: HSub, type: string, at: Date, object: Record<string, unknown>) => ({
      merchantId, id: newId('event'), type, apiVersion: '2026-01-01', livemode: false, objectId: s.id, data: { object: { id: s.id, object: 'subscription', customer: s.customerId, ...object } }, createdAt: at,
    });
    const lifecycle = batch.flatMap((s) => [
      ...(s.gaps ?? []).flatMap((g) => [
        event(s, 'subscription.canceled', g.from, { status: 'canceled', ended_at: g.from.toISOString(), cancellation_details: { reason: g.reason, feedback: null, initiator: g.initiator } }),
        event(s, 'subscription.reactivated', g.to, { status: 'active', ended_at: null, cancellation_details: null }),
      ]),
      ...(s.endedAt ? [event(s, 'subscription.canceled', s.endedAt, { status: 'canceled', ended_at: s.endedAt.toISOString() })] : []),
    ]);
    if (lifecycle.length > 0) await db.insert(events).values(lifecycle);
  }
  const signalInvoice = async (customerId: string) => {
    const id = newId('invoice');
    await db.insert(invoices).values({
      merchantId, id, customerId, billingReason: 'manual', status: 'open', currency: 'SEK', dueDate: '2026-01-01', subtotal: 100, vatTotal: 0, total: 100, rounding: 0,
      amountDue: 100, amountPaid: 0, amountCredited: 0, amountRemaining: 100, vatBreakdown: [], reverseCharge: false, locale: 'sv', paymentTermsDays: 30, metadata: {}, createdAt: now, updatedAt: now,
    });
    return id;
  };
  for (const f of h.failedCollections) {
    const invoiceId = await signalInvoice(f.customerId);
    await db.insert(collectionAttempts).values({
      merchantId, id: newId('collectionAttempt'), invoiceId, customerId: f.customerId, attemptNumber: 1, method: 'card',
      paymentMethod: { type: 'card', token: 'tok', brand: 'visa', last4: '4242' }, currency: 'SEK', amount: 100, dueDate: '2026-01-01', dueAt: f.at,
      status: 'exhausted', processor: 'test', outcome: 'declined', completedAt: f.at, createdAt: f.at, updatedAt: f.at,
    });
  }
  for (const p of h.defaultedPlans) {
    await db.insert(paymentPlans).values({
      merchantId, id: newId('paymentPlan'), customerId: p.customerId, status: 'defaulted', currency: 'SEK', interval: 'month', principal: 100, interest: 0, fee: 0, total: 100,
      endedAt: p.at, metadata: {}, createdAt: now, updatedAt: now,
    });
  }
  for (const e of h.escalations) {
    const invoiceId = await signalInvoice(e.customerId);
    await db.insert(dunningCases).values({ merchantId, invoiceId, customerId: e.customerId, policyId: 'dp_x', status: 'escalated', nextStep: 0, escalatedAt: e.at, createdAt: now, updatedAt: now });
  }
}

// --- The independent recomputation -----------------------------------------------------------

/** Midnight of a local date in Europe/Stockholm (CET/CEST, EU rules: last Sunday of March and October at 01:00 UTC). */
export function stockholmMidnight(date: string): number {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const lastSunday = (month: number) => {
    const last = new Date(Date.UTC(y, month, 0));
    return Date.UTC(y, month - 1, last.getUTCDate() - last.getUTCDay(), 1);
  };
  const guess = Date.UTC(y, m - 1, d) - 3_600_000;
  const summer = guess - 3_600_000 >= lastSunday(3) - 3_600_000 && guess < lastSunday(10);
  return summer ? Date.UTC(y, m - 1, d) - 7_200_000 : guess;
}

type Piece = { sub: HSub; from: number; to: number; mrr: number };

/** Each subscription's lives as pieces with constant items (the whole history of one customer). */
function piecesOf(h: History): Map<string, Piece[]> {
  const byPrice = new Map(h.prices.map((p) => [p.id, p]));
  const mrrOf = (items: HItems) =>
    items.reduce((s, it) => {
      const p = byPrice.get(it.price)!;
      return s + monthlyAmount({ unitAmount: p.unitAmount, quantity: it.quantity, taxBehavior: p.taxBehavior, vatRate: p.vatRate, type: p.type, interval: p.interval, intervalCount: p.count });
    }, 0);
  const out = new Map<string, Piece[]>();
  for (const s of h.subs) {
    // Its lives: the gaps between a cancellation and a reactivation cut it; each life ends with its own reason.
    const start = stockholmMidnight(s.trialEnd ?? s.startDate);
    const lives: { from: number; to: number; sub: HSub }[] = [];
    let from = start;
    for (const g of [...(s.gaps ?? [])].sort((a, b) => a.from.getTime() - b.from.getTime())) {
      lives.push({ from, to: g.from.getTime(), sub: { ...s, reason: g.reason, initiator: g.initiator } });
      from = Math.max(from, g.to.getTime());
    }
    lives.push({ from, to: s.endedAt ? s.endedAt.getTime() : Infinity, sub: s });
    const cuts = [-Infinity, ...(s.changes ?? []).map((c) => c.at.getTime()), Infinity];
    const itemsAt = [s.items, ...(s.changes ?? []).map((c) => c.items)];
    for (const life of lives) {
      if (life.to <= life.from) continue;
      for (let k = 0; k < itemsAt.length; k++) {
        const a = Math.max(life.from, cuts[k]!);
        const b = Math.min(life.to, cuts[k + 1]!);
        if (b > a) out.set(s.customerId, [...(out.get(s.customerId) ?? []), { sub: life.sub, from: a, to: b, mrr: mrrOf(itemsAt[k]!) }]);
      }
    }
  }
  return out;
}

const livingAt = (ps: Piece[], t: number) => ps.filter((p) => p.from <= t && p.to > t);
const mrrAt = (ps: Piece[], t: number, currency: string) => livingAt(ps, t).filter((p) => p.sub.currency === currency).reduce((s, p) => s + p.mrr, 0);

export type ExpectedPeriod = {
  customers_at_start: number; new_customers: number; returning_customers: number; churned_customers: number; customers_at_end: number;
  voluntary_churn: number; involuntary_churn: number; churn_by_reason: Record<string, number>;
  mrr: Record<string, { at_start: number; new: number; returning: number; expansion: number; contraction: number; churned: number; at_end: number }>;
};

/** The figures per period [start, end) (instants), sampling each customer 1 ms before and at each change. */
export function recompute(h: History, periods: { start: number; end: number }[], currency?: string): ExpectedPeriod[] {
  const sel: History = currency ? { ...h, subs: h.subs.filter((s) => s.currency === currency) } : h;
  const pieces = piecesOf(sel);
  const window = INVOLUNTARY_WINDOW_DAYS * 86_400_000;
  const inWindow = (customerId: string, list: { customerId: string; at: Date }[], t: number) => list.some((x) => x.customerId === customerId && x.at.getTime() > t - window && x.at.getTime() <= t);
  return periods.map(({ start, end }) => {
    const e: ExpectedPeriod = { customers_at_start: 0, new_customers: 0, returning_customers: 0, churned_customers: 0, customers_at_end: 0, voluntary_churn: 0, involuntary_churn: 0, churn_by_reason: {}, mrr: {} };
    const money = (c: string) => (e.mrr[c] ??= { at_start: 0, new: 0, returning: 0, expansion: 0, contraction: 0, churned: 0, at_end: 0 });
    for (const [customerId, ps] of pieces) {
      const currencies = [...new Set(ps.map((p) => p.sub.currency))];
      // The state at a period's edge is the one just before it: a move at its first instant is its own.
      if (livingAt(ps, start - 1).length > 0) e.customers_at_start++;
      if (livingAt(ps, end - 1).length > 0) e.customers_at_end++;
      for (const c of currencies) {
        if (livingAt(ps, start - 1).some((p) => p.sub.currency === c)) money(c).at_start += mrrAt(ps, start - 1, c);
        if (livingAt(ps, end - 1).some((p) => p.sub.currency === c)) money(c).at_end += mrrAt(ps, end - 1, c);
      }
      const firstStart = Math.min(...ps.map((p) => p.from));
      const instants = [...new Set(ps.flatMap((p) => [p.from, p.to]))].filter((t) => t >= start && t < end).sort((a, b) => a - b);
      for (const t of instants) {
        const was = livingAt(ps, t - 1).length > 0;
        const is = livingAt(ps, t).length > 0;
        for (const c of currencies) {
          const before = mrrAt(ps, t - 1, c);
          const after = mrrAt(ps, t, c);
          if (!was && is) money(c)[t === firstStart ? 'new' : 'returning'] += after;
          else if (was && !is) money(c).churned += before;
          else if (after > before) money(c).expansion += after - before;
          else if (after < before) money(c).contraction += before - after;
        }
        if (!was && is) e[t === firstStart ? 'new_customers' : 'returning_customers']++;
        if (was && !is) {
          e.churned_customers++;
          const ending = ps.filter((p) => p.to === t).map((p) => p.sub).sort((a, b) => (a.id < b.id ? 1 : -1))[0]!;
          const involuntary = ending.initiator === 'involuntary' || inWindow(customerId, h.failedCollections, t) || inWindow(customerId, h.defaultedPlans, t) || inWindow(customerId, h.escalations, t);
          e[involuntary ? 'involuntary_churn' : 'voluntary_churn']++;
          const r = ending.reason ?? 'null';
          e.churn_by_reason[r] = (e.churn_by_reason[r] ?? 0) + 1;
        }
      }
    }
    // Currencies that neither lived at the start nor moved are not listed.
    for (const [c, m] of Object.entries(e.mrr)) if (Object.entries(m).every(([k, v]) => k === 'at_end' || v === 0)) delete e.mrr[c];
    return e;
  });
}

/** Retention per cohort month: active at the first instant of each following month up to `now`. */
export function recomputeCohorts(h: History, from: string, to: string, now: number): { start: string; customers: number; active: number[] }[] {
  const pieces = piecesOf(h);
  const cohorts = new Map<string, Piece[][]>();
  for (const ps of pieces.values()) {
    const first = Math.min(...ps.map((p) => p.from));
    const day = localDateOf(first);
    if (day < from || day >= to) continue;
    const month = `${day.slice(0, 7)}-01`;
    cohorts.set(month, [...(cohorts.get(month) ?? []), ps]);
  }
  return [...cohorts.keys()].sort().map((month) => {
    const members = cohorts.get(month)!;
    const active: number[] = [];
    for (let k = 0; ; k++) {
      const [y, m] = month.split('-').map(Number) as [number, number];
      const d = new Date(Date.UTC(y, m - 1 + k + 1, 1)).toISOString().slice(0, 10);
      const at = stockholmMidnight(d);
      if (at > now) break;
      active.push(members.filter((ps) => livingAt(ps, at).length > 0).length);
    }
    return { start: month, customers: members.length, active };
  });
}

/** The local date (Stockholm) of an instant. */
export function localDateOf(t: number): string {
  const utcDay = new Date(t).toISOString().slice(0, 10);
  for (const cand of [utcDay, new Date(t + 86_400_000).toISOString().slice(0, 10)].reverse()) if (stockholmMidnight(cand) <= t) return cand;
  return utcDay;
}

/** Former customers at `now`, newest id first: whom the win-back list should hold. */
export function recomputeFormer(h: History, now: number) {
  const pieces = piecesOf(h);
  const out = [];
  for (const [customerId, ps] of pieces) {
    if (ps.some((p) => p.to > now)) continue;
    const end = Math.max(...ps.map((p) => p.to));
    const ending = ps.filter((p) => p.to === end).map((p) => p.sub).sort((a, b) => (a.id < b.id ? 1 : -1))[0]!;
    // Spells: merge the pieces' spans.
    const spans = ps.map((p) => [p.from, p.to] as [number, number]).sort((a, b) => a[0] - b[0]);
    let total = 0;
    let spells = 0;
    let cur: [number, number] | null = null;
    for (const s of spans) {
      if (cur && s[0] <= cur[1]) cur[1] = Math.max(cur[1], s[1]);
      else {
        if (cur) total += cur[1] - cur[0];
        cur = [...s];
        spells++;
      }
    }
    total += cur![1] - cur![0];
    out.push({ id: customerId, ended_at: new Date(end).toISOString(), tenure_days: Math.floor(total / 86_400_000), days_since_leaving: Math.floor((now - end) / 86_400_000), spells, subscription: ending.id, cancellation_reason: ending.reason ?? null });
  }
  return out.sort((a, b) => (a.id < b.id ? 1 : -1));
}

/** A random history: starts over two years, trials, upgrades and downgrades, switches without a gap, leavers who come back (reactivated or anew), two currencies, signals. */
export function generateHistory(seed: number, n: number): History {
  const r = prng(seed);
  const ps = [
    price({ currency: 'SEK', unitAmount: 9900, interval: 'month' }),
    price({ currency: 'SEK', unitAmount: 19_900, interval: 'month', taxBehavior: 'inclusive' }),
    price({ currency: 'SEK', unitAmount: 29_700, interval: 'quarter', vatRate: 6 }),
    price({ currency: 'SEK', unitAmount: 99_900, interval: 'year', taxBehavior: 'inclusive', vatRate: 12 }),
    price({ currency: 'SEK', unitAmount: 50_000, interval: 'month', count: 6 }),
    price({ currency: 'SEK', unitAmount: 25_000, interval: null }),
    price({ currency: 'EUR', unitAmount: 1500, interval: 'month', vatRate: 0 }),
  ];
  const sek = ps.filter((p) => p.currency === 'SEK');
  const h: History = { customers: [], prices: ps, subs: [], failedCollections: [], defaultedPlans: [], escalations: [] };
  const day0 = Date.UTC(2025, 0, 1);
  const dateAt = (days: number) => new Date(day0 + days * 86_400_000).toISOString().slice(0, 10);
  const instantAt = (days: number) => new Date(day0 + days * 86_400_000 + r.int(0, 23 * 60) * 60_000);
  const items = (currency: string): HItems => {
    const pool = currency === 'EUR' ? ps.filter((p) => p.currency === 'EUR') : sek;
    const list = [{ price: r.pick(pool.filter((p) => p.type === 'recurring')).id, quantity: r.int(1, 3) }];
    if (r.next() < 0.2 && currency === 'SEK') list.push({ price: ps[5]!.id, quantity: 1 });
    return list;
  };
  const reasons = ['too_expensive', 'switched_provider', 'no_longer_needed', 'payment_problems', 'unhappy_with_service', 'other', null] as const;
  type Reason = Exclude<(typeof reasons)[number], null>;
  for (let i = 0; i < n; i++) {
    const customerId = newId('customer');
    h.customers.push({ id: customerId, name: `Kund${i}` });
    const currency = r.next() < 0.15 ? 'EUR' : 'SEK';
    let day = r.int(0, 600);
    for (let spell = 0; spell < 3 && day < 700; spell++) {
      const trial = r.next() < 0.2 ? r.int(7, 30) : 0;
      const sub: HSub = { id: newId('subscription'), customerId, currency, startDate: dateAt(day), trialEnd: trial ? dateAt(day + trial) : null, items: items(currency), changes: [] };
      h.subs.push(sub);
      const length = r.int(1, 400);
      let t = day + trial;
      while (r.next() < 0.4 && t + 10 < day + trial + length) {
        t += r.int(1, 60);
        sub.changes!.push({ at: instantAt(t), items: items(currency) });
      }
      if (length > 60 && r.next() < 0.2) {
        // Canceled and reactivated later (the gap is a churn and a return).
        const from = instantAt(day + trial + r.int(5, Math.floor(length / 2)));
        const to = new Date(from.getTime() + r.int(1, 40) * 86_400_000 + r.int(0, 600) * 60_000);
        if (to.getTime() < day0 + (day + trial + length - 2) * 86_400_000) {
          sub.gaps = [{ from, to, reason: r.pick(reasons.filter((x): x is Reason => x !== null)), initiator: r.pick(['customer', 'merchant', 'involuntary'] as const) }];
          sub.changes = sub.changes!.filter((c) => c.at < from || c.at > to);
        }
      }
      if (day + trial + length < 720 && r.next() < 0.85) {
        const end = instantAt(day + trial + length + (r.next() < 0.05 ? -trial - 2 : 0));
        if (sub.changes!.some((c) => c.at >= end)) sub.changes = sub.changes!.filter((c) => c.at < end);
        sub.endedAt = end;
        sub.reason = r.pick(reasons);
        sub.initiator = r.pick(['customer', 'merchant', 'involuntary'] as const);
        const signal = r.next();
        const at = new Date(end.getTime() - r.int(0, 120) * 86_400_000);
        if (signal < 0.1) h.failedCollections.push({ customerId, at });
        else if (signal < 0.15) h.defaultedPlans.push({ customerId, at });
        else if (signal < 0.2) h.escalations.push({ customerId, at });
        // Switch at once (an overlapping new subscription), come back later, or stay gone.
        const next = r.next();
        if (next < 0.15) day = Math.floor((end.getTime() - day0) / 86_400_000);
        else if (next < 0.45) day = Math.floor((end.getTime() - day0) / 86_400_000) + r.int(1, 200);
        else break;
      } else break;
    }
  }
  return h;
}
