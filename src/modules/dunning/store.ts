// Queries of dunning cases. Business time: a case is due when its next_action_at has passed on its
// customer's test clock (frozen_time), else on the real clock. Lanes as in collection: the sweep
// works real time and ready clocks; an advancing clock's cases are worked by its catch-up.
import { and, eq, inArray, sql } from 'drizzle-orm';
import type { Queryable, Tx } from '../../db/client.ts';
import { customers } from '../customers/schema.ts';
import { dunningCases, paymentReadDays } from './schema.ts';

export type CaseRow = typeof dunningCases.$inferSelect;
export type Lane = { kind: 'sweep' } | { kind: 'clock'; merchantId: string; clockId: string };

const laneWhere = (lane: Lane) =>
  lane.kind === 'sweep' ? sql`(tc.id is null or tc.status = 'ready')` : sql`c.merchant_id = ${lane.merchantId} and tc.id = ${lane.clockId} and tc.status = 'advancing'`;

const OWING = sql`i.status in ('open', 'partially_paid') and i.due_date is not null and i.amount_remaining > 0`;

/** Merchants with invoices to adopt but no default policy yet (it is made before adopting). */
export async function merchantsWithoutDefault(q: Queryable, lane: Lane): Promise<string[]> {
  const res = await q.execute<{ merchant_id: string }>(sql`
    select distinct i.merchant_id from invoices i
    join customers c on c.merchant_id = i.merchant_id and c.id = i.customer_id
    left join test_clocks tc on tc.merchant_id = c.merchant_id and tc.id = c.test_clock_id
    where ${OWING} and c.dunning_policy_id is null and ${laneWhere(lane)}
      and not exists (select 1 from dunning_cases d where d.merchant_id = i.merchant_id and d.invoice_id = i.id)
      and not exists (select 1 from dunning_policies p where p.merchant_id = i.merchant_id and p.is_default)`);
  return res.rows.map((r) => r.merchant_id);
}

/**
 * Opens a case for up to `limit` owing invoices that have none, due at once (the sweep decides its
 * first step). Returns how many. A second sweep doing the same loses quietly on the primary key.
 */
export async function adopt(tx: Tx, o: { now: Date; lane: Lane; limit: number }): Promise<number> {
  const now = o.now.toISOString();
  const res = await tx.execute(sql`
    insert into dunning_cases (merchant_id, invoice_id, customer_id, policy_id, status, next_step, next_action_at, shift_seconds, created_at, updated_at)
    select i.merchant_id, i.id, i.customer_id, coalesce(c.dunning_policy_id, p.id), 'active', 0, coalesce(tc.frozen_time, ${now}::timestamptz), 0, ${now}::timestamptz, ${now}::timestamptz
    from invoices i
    join customers c on c.merchant_id = i.merchant_id and c.id = i.customer_id
    left join test_clocks tc on tc.merchant_id = c.merchant_id and tc.id = c.test_clock_id
    left join dunning_policies p on p.merchant_id = i.merchant_id and p.is_default
    where ${OWING} and ${laneWhere(o.lane)} and coalesce(c.dunning_policy_id, p.id) is not null
      and not exists (select 1 from dunning_cases d where d.merchant_id = i.merchant_id and d.invoice_id = i.id)
    limit ${o.limit}
    on conflict do nothing`);
  return res.rowCount ?? 0;
}

/** A due case with everything the decision and the message need, locked (skipping those another sweep holds). */
export type DueCase = {
  c: CaseRow;
  invoice: {
    status: string;
    amountRemaining: number;
    amountCredited: number;
    currency: string;
    number: string | null;
    ocrReference: string | null;
    issueDate: string | null;
    dueDate: string;
    finalizedAt: Date | null;
    locale: 'sv' | 'en';
    paymentMethodType: string | null;
    paymentMethodStatus: string | null;
    deliveryType: string | null;
  };
  customer: {
    name: string;
    email: string | null;
    type: 'person' | 'company';
    testClockId: string | null;
    // The customer's own policy (null: the default, or an experiment's arm).
    dunningPolicyId: string | null;
    reminderFeeAgreedAt: Date | null;
    escalationStopped: boolean;
    escalationPostponedUntil: Date | null;
  };
  timeZone: string;
  livemode: boolean;
  businessNow: Date;
  collectionInProgress: boolean;
  paymentsReadOnDueDate: boolean;
  customerLastMessageAt: Date | null;
};

const date = (v: unknown) => (v === null || v === undefined ? null : new Date(v as string));

export async function claimDue(tx: Tx, o: { now: Date; lane: Lane; limit: number }): Promise<DueCase[]> {
  const now = o.now.toISOString();
  // The batch is picked and locked first (the due index in order, stopping at the limit); only
  // those rows are then joined with what the decision needs.
  const res = await tx.execute<Record<string, unknown>>(sql`
    with candidates as materialized (
      -- The earliest due cases by the due index alone (no join, so the plan reads them in order and
      -- stops); the lane and each customer's own business time are checked next. Cases of a clock
      -- being advanced among them only make this batch smaller.
      select d.merchant_id, d.invoice_id, d.customer_id, d.next_action_at from dunning_cases d
      where d.status = 'active' and d.next_action_at <= (select greatest(${now}::timestamptz, max(frozen_time)) from test_clocks)
      ${o.lane.kind === 'clock' ? sql`and d.merchant_id = ${o.lane.merchantId} and d.customer_id in (select id from customers where merchant_id = ${o.lane.merchantId} and test_clock_id = ${o.lane.clockId})` : sql``}
      order by d.next_action_at
      limit ${o.limit * 4}
    ), due as materialized (
      -- Each candidate's customer looked up by key (a lateral the planner cannot flatten: "limit 1"):
      -- a join here let it hash every customer once a batch, so a day's sweep grew with all cases.
      select k.merchant_id, k.customer_id
      from candidates k
      cross join lateral (select c.merchant_id, c.test_clock_id from customers c where c.merchant_id = k.merchant_id and c.id = k.customer_id limit 1) c
      left join lateral (select t.id, t.status, t.frozen_time from test_clocks t where t.merchant_id = k.merchant_id and t.id = c.test_clock_id limit 1) tc on true
      where k.next_action_at <= coalesce(tc.frozen_time, ${now}::timestamptz) and ${laneWhere(o.lane)}
      order by k.next_action_at
      limit ${o.limit}
    ), held as materialized (
      -- One message covers all of a customer's invoices at a step, so a customer's due cases are
      -- claimed together: the customer's lock first (another sweep holding it has them all), then
      -- every due case of theirs. Cases are only ever claimed under their customer's lock, so two
      -- sweeps never split a customer between them.
      select u.merchant_id, u.customer_id from (select distinct merchant_id, customer_id from due) u
      where pg_try_advisory_xact_lock(hashtext('dunning:' || u.merchant_id), hashtext(u.customer_id))
    ), pick as (
      -- The rows as locked: their latest versions (another sweep may have moved them since this
      -- statement began), which is what the decision must start from.
      select d.*, coalesce(tc.frozen_time, ${now}::timestamptz) as business_now
      from held h
      join dunning_cases d on d.merchant_id = h.merchant_id and d.customer_id = h.customer_id
      join customers c on c.merchant_id = d.merchant_id and c.id = d.customer_id
      left join test_clocks tc on tc.merchant_id = c.merchant_id and tc.id = c.test_clock_id
      where d.status = 'active' and d.next_action_at <= coalesce(tc.frozen_time, ${now}::timestamptz) and ${laneWhere(o.lane)}
      for update of d skip locked
    )
    select d.*, i.status as i_status, i.amount_remaining, i.amount_credited, i.currency, i.number, i.ocr_reference, i.issue_date, i.due_date,
      i.finalized_at, i.locale,
      coalesce(i.buyer->'paymentMethod'->>'type', c.payment_method->>'type') as pm_type,
      coalesce(i.buyer->'paymentMethod'->>'status', c.payment_method->>'status') as pm_status,
      coalesce(i.buyer->'delivery'->>'type', c.delivery->>'type') as delivery_type,
      c.name, c.email, c.type as customer_type, c.test_clock_id, c.dunning_policy_id as c_dunning_policy_id, c.reminder_fee_agreed_at,
      c.escalation_stopped as c_escalation_stopped, c.escalation_postponed_until as c_escalation_postponed_until,
      m.time_zone, m.livemode,
      exists (select 1 from collection_attempts a where a.merchant_id = d.merchant_id and a.invoice_id = d.invoice_id
        and a.status in ('scheduled', 'processing', 'submitted')) as collection_in_progress,
      exists (select 1 from payment_read_days r where r.merchant_id = d.merchant_id and r.clock_key = coalesce(c.test_clock_id, '')
        and r.day = i.due_date) as payments_read,
      (select max(ms.business_time) from messages ms where ms.merchant_id = d.merchant_id and ms.customer_id = d.customer_id
        and ms.fallback_of is null) as last_message_at
    from pick d
    join invoices i on i.merchant_id = d.merchant_id and i.id = d.invoice_id
    join customers c on c.merchant_id = d.merchant_id and c.id = d.customer_id
    join merchants m on m.id = d.merchant_id
    order by d.next_action_at`);
  return res.rows.map((r) => ({
    c: {
      merchantId: r.merchant_id as string,
      invoiceId: r.invoice_id as string,
      customerId: r.customer_id as string,
      policyId: r.policy_id as string,
      status: r.status as CaseRow['status'],
      nextStep: Number(r.next_step),
      nextActionAt: date(r.next_action_at),
      shiftSeconds: Number(r.shift_seconds),
      lastSentAt: date(r.last_sent_at),
      escalationStopped: r.escalation_stopped as boolean,
      escalationPostponedUntil: date(r.escalation_postponed_until),
      disputedAt: date(r.disputed_at),
      disputeReason: r.dispute_reason as string | null,
      feeAmount: Number(r.fee_amount),
      feeChargedAt: date(r.fee_charged_at),
      closedReason: r.closed_reason as string | null,
      escalatedAt: date(r.escalated_at),
      createdAt: date(r.created_at)!,
      updatedAt: date(r.updated_at)!,
    },
    invoice: {
      status: r.i_status as string,
      amountRemaining: Number(r.amount_remaining),
      amountCredited: Number(r.amount_credited),
      currency: r.currency as string,
      number: r.number as string | null,
      ocrReference: r.ocr_reference as string | null,
      issueDate: r.issue_date as string | null,
      dueDate: r.due_date as string,
      finalizedAt: date(r.finalized_at),
      locale: r.locale as 'sv' | 'en',
      paymentMethodType: r.pm_type as string | null,
      paymentMethodStatus: r.pm_status as string | null,
      deliveryType: r.delivery_type as string | null,
    },
    customer: {
      name: r.name as string,
      email: r.email as string | null,
      type: r.customer_type as 'person' | 'company',
      testClockId: r.test_clock_id as string | null,
      dunningPolicyId: r.c_dunning_policy_id as string | null,
      reminderFeeAgreedAt: date(r.reminder_fee_agreed_at),
      escalationStopped: r.c_escalation_stopped as boolean,
      escalationPostponedUntil: date(r.c_escalation_postponed_until),
    },
    timeZone: r.time_zone as string,
    livemode: r.livemode as boolean,
    businessNow: new Date(r.business_now as string),
    collectionInProgress: r.collection_in_progress as boolean,
    paymentsReadOnDueDate: r.payments_read as boolean,
    customerLastMessageAt: date(r.last_message_at),
  }));
}

export type CaseChange = Pick<CaseRow, 'merchantId' | 'invoiceId' | 'policyId' | 'status' | 'nextStep' | 'nextActionAt' | 'shiftSeconds' | 'lastSentAt' | 'feeAmount' | 'feeChargedAt' | 'closedReason' | 'escalatedAt'>;

/** Writes many cases' progress in one statement. */
export async function writeCases(tx: Tx, rows: CaseChange[], now: Date): Promise<void> {
  if (rows.length === 0) return;
  const json = JSON.stringify(
    rows.map((r) => ({
      merchant_id: r.merchantId,
      invoice_id: r.invoiceId,
      policy_id: r.policyId,
      status: r.status,
      next_step: r.nextStep,
      next_action_at: r.nextActionAt?.toISOString() ?? null,
      shift_seconds: r.shiftSeconds,
      last_sent_at: r.lastSentAt?.toISOString() ?? null,
      fee_amount: r.feeAmount,
      fee_charged_at: r.feeChargedAt?.toISOString() ?? null,
      closed_reason: r.closedReason,
      escalated_at: r.escalatedAt?.toISOString() ?? null,
    })),
  );
  await tx.execute(sql`
    update dunning_cases d set policy_id = v.policy_id, status = v.status, next_step = v.next_step, next_action_at = v.next_action_at, shift_seconds = v.shift_seconds,
      last_sent_at = v.last_sent_at, fee_amount = v.fee_amount, fee_charged_at = v.fee_charged_at, closed_reason = v.closed_reason,
      escalated_at = v.escalated_at, updated_at = ${now.toISOString()}::timestamptz
    from jsonb_to_recordset(${json}::jsonb) as v(merchant_id text, invoice_id text, policy_id text, status text, next_step int, next_action_at timestamptz,
      shift_seconds int, last_sent_at timestamptz, fee_amount bigint, fee_charged_at timestamptz, closed_reason text, escalated_at timestamptz)
    where d.merchant_id = v.merchant_id and d.invoice_id = v.invoice_id`);
}

export async function findCase(q: Queryable, merchantId: string, invoiceId: string, o: { forUpdate?: boolean } = {}): Promise<CaseRow | undefined> {
  const query = q.select().from(dunningCases).where(and(eq(dunningCases.merchantId, merchantId), eq(dunningCases.invoiceId, invoiceId)));
  const [row] = o.forUpdate ? await query.for('update') : await query;
  return row;
}

export async function insertCase(tx: Tx, row: CaseRow): Promise<void> {
  await tx.insert(dunningCases).values(row).onConflictDoNothing();
}

export async function updateCase(tx: Tx, row: CaseRow): Promise<void> {
  const { merchantId, invoiceId, ...rest } = row;
  await tx.update(dunningCases).set(rest).where(and(eq(dunningCases.merchantId, merchantId), eq(dunningCases.invoiceId, invoiceId)));
}

/** The earliest moment a case of this advancing clock falls due (adopting what is new first), or null. */
export async function earliestDueForClock(tx: Tx, merchantId: string, clockId: string, until: Date, after: Date | undefined): Promise<Date | null> {
  const res = await tx.execute<{ at: string | null }>(sql`
    select min(d.next_action_at) as at from dunning_cases d
    join customers c on c.merchant_id = d.merchant_id and c.id = d.customer_id
    where d.merchant_id = ${merchantId} and c.test_clock_id = ${clockId} and d.status = 'active' and d.next_action_at <= ${until.toISOString()}::timestamptz
      ${after ? sql`and d.next_action_at > ${after.toISOString()}::timestamptz` : sql``}`);
  const at = res.rows[0]?.at;
  return at ? new Date(at) : null;
}

/**
 * Notes that today's payment files were read, for real time ('') and for each of the merchant's
 * test clocks (their own today), and makes the cases of invoices due that day look again now.
 */
export async function notePaymentsRead(tx: Tx, merchantId: string, now: Date): Promise<void> {
  const at = now.toISOString();
  await tx.execute(sql`
    with days as (
      select '' as clock_key, (${at}::timestamptz at time zone m.time_zone)::date as day, ${at}::timestamptz as business_now
      from merchants m where m.id = ${merchantId}
      union all
      select tc.id, (tc.frozen_time at time zone m.time_zone)::date, tc.frozen_time
      from test_clocks tc join merchants m on m.id = tc.merchant_id where tc.merchant_id = ${merchantId} and tc.status = 'ready'
    ), noted as (
      insert into payment_read_days (merchant_id, clock_key, day, read_at)
      select ${merchantId}, clock_key, day, ${at}::timestamptz from days
      on conflict do nothing
    )
    update dunning_cases d set next_action_at = days.business_now
    from days, invoices i, customers c
    where d.merchant_id = ${merchantId} and d.status = 'active' and d.next_action_at > days.business_now
      and i.merchant_id = d.merchant_id and i.id = d.invoice_id and i.due_date = days.day
      and c.merchant_id = d.merchant_id and c.id = d.customer_id and coalesce(c.test_clock_id, '') = days.clock_key`);
}

export type SentMessage = { id: string; step_key: string; channel: string; status: string; to_address: string | null; business_time: string; sent_at: string | null };

/** Messages sent about one invoice (the case view). */
export async function messagesOfInvoice(q: Queryable, merchantId: string, invoiceId: string): Promise<SentMessage[]> {
  return (await messagesOfInvoices(q, merchantId, [invoiceId])).get(invoiceId) ?? [];
}

/** Messages sent about each of these invoices, oldest first (the escalation's record). */
export async function messagesOfInvoices(q: Queryable, merchantId: string, invoiceIds: string[]): Promise<Map<string, SentMessage[]>> {
  const out = new Map<string, SentMessage[]>();
  if (invoiceIds.length === 0) return out;
  const res = await q.execute<SentMessage & { invoice_id: string }>(sql`
    select mi.invoice_id, m.id, m.step_key, m.channel, m.status, m.to_address, m.business_time, m.sent_at from message_invoices mi
    join messages m on m.merchant_id = mi.merchant_id and m.id = mi.message_id
    where mi.merchant_id = ${merchantId} and mi.invoice_id = any(${sql.param(invoiceIds)}::text[])
    order by m.business_time, m.id`);
  for (const { invoice_id, ...m } of res.rows) out.set(invoice_id, [...(out.get(invoice_id) ?? []), m]);
  return out;
}

/** What dunning reads of a customer outside the sweep (a case opened by hand, a preview, an escalation). */
export async function customerFacts(q: Queryable, merchantId: string, customerId: string) {
  return (await customersFacts(q, merchantId, [customerId])).get(customerId);
}

export async function customersFacts(q: Queryable, merchantId: string, customerIds: string[]) {
  const rows = await q
    .select({
      name: customers.name,
      email: customers.email,
      type: customers.type,
      dunningPolicyId: customers.dunningPolicyId,
      reminderFeeAgreedAt: customers.reminderFeeAgreedAt,
      delivery: customers.delivery,
      paymentMethod: customers.paymentMethod,
      nationalId: customers.nationalId,
      nationalIdKind: customers.nationalIdKind,
      phone: customers.phone,
      addressLine1: customers.addressLine1,
      addressLine2: customers.addressLine2,
      postalCode: customers.postalCode,
      city: customers.city,
      country: customers.country,
      externalId: customers.externalId,
      testClockId: customers.testClockId,
      id: customers.id,
    })
    .from(customers)
    .where(and(eq(customers.merchantId, merchantId), inArray(customers.id, [...new Set(customerIds)])));
  return new Map(rows.map((r) => [r.id, r]));
}

// Payment plans (plan-hold.ts): the cases of invoices a plan takes over, gives back, or issues.

/** The cases of these invoices, locked in invoice id order (before their invoices: the sweep's lock order). */
export async function lockCasesOf(tx: Tx, merchantId: string, invoiceIds: string[]): Promise<CaseRow[]> {
  if (invoiceIds.length === 0) return [];
  return tx
    .select()
    .from(dunningCases)
    .where(and(eq(dunningCases.merchantId, merchantId), inArray(dunningCases.invoiceId, [...new Set(invoiceIds)])))
    .orderBy(dunningCases.invoiceId)
    .for('update');
}

/** Opens cases (paused, or active with the given time) for invoices that have none. */
export async function insertCases(tx: Tx, rows: CaseRow[]): Promise<void> {
  if (rows.length > 0) await tx.insert(dunningCases).values(rows).onConflictDoNothing();
}

/** Moves these invoices' cases from one status to another, due at `at` (null: not planned). */
export async function setCaseStatus(tx: Tx, merchantId: string, invoiceIds: string[], from: CaseRow['status'], to: CaseRow['status'], at: Date | null, now: Date): Promise<void> {
  if (invoiceIds.length === 0) return;
  await tx
    .update(dunningCases)
    .set({ status: to, nextActionAt: at, updatedAt: now })
    .where(and(eq(dunningCases.merchantId, merchantId), inArray(dunningCases.invoiceId, invoiceIds), eq(dunningCases.status, from)));
}

/** Where each of these invoices is in its reminder process (an instalment's last reminder decides when it is missed). */
export async function caseStates(q: Queryable, merchantId: string, invoiceIds: string[]): Promise<Map<string, Pick<CaseRow, 'status' | 'lastSentAt' | 'nextActionAt' | 'policyId' | 'nextStep'>>> {
  if (invoiceIds.length === 0) return new Map();
  const rows = await q
    .select({ invoiceId: dunningCases.invoiceId, status: dunningCases.status, lastSentAt: dunningCases.lastSentAt, nextActionAt: dunningCases.nextActionAt, policyId: dunningCases.policyId, nextStep: dunningCases.nextStep })
    .from(dunningCases)
    .where(and(eq(dunningCases.merchantId, merchantId), inArray(dunningCases.invoiceId, invoiceIds)));
  return new Map(rows.map(({ invoiceId, ...r }) => [invoiceId, r]));
}
