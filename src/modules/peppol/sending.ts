// Sending e-invoices over Peppol, exactly once per invoice. The finalising transaction writes an
// outbox row for each invoice whose buyer chose peppol delivery (its unique key: one per invoice,
// whatever retries or concurrent billing do). Workers (the shared poller) claim due rows with a
// lease (FOR UPDATE SKIP LOCKED), build and check the document with no transaction open, hand it
// to the access point with the row id as message id, and record the outcome with its event
// (invoice.sent, invoice.delivery_failed) in one transaction, fenced by the claim: a worker whose
// lease ran out and was taken over records nothing. A worker that dies after the access point
// accepted resends with the same message id when its lease runs out; the access point recognises it.
import { and, eq, sql } from 'drizzle-orm';
import type { Db, Tx } from '../../db/client.ts';
import { newId } from '../../db/ids.ts';
import { inTransaction, queryableFor, type Caller } from '../../db/unit-of-work.ts';
import type { Clock } from '../../clock.ts';
import { DomainError } from '../../kernel/errors.ts';
import type { Tenant } from '../../kernel/tenant.ts';
import type { EventService } from '../events/service.ts';
import type { EventType } from '../events/types.ts';
import type { InvoiceRow } from '../invoices/compose.ts';
import { toInvoiceResource } from '../invoices/contract.ts';
import type { InvoiceService } from '../invoices/service.ts';
import type { Logger } from 'pino';
import type { AccessPoint, SendResult, TransmissionStatus } from './access-point.ts';
import { peppolDeliveries } from './schema.ts';
import type { PeppolService } from './service.ts';

export type PeppolDelivery = typeof peppolDeliveries.$inferSelect;

const LEASE_MS = 5 * 60_000;
const BATCH = 20;
/** A delayed transmission's status is asked again after this long. */
export const STATUS_CHECK_MS = 60_000;
/** Waits after an access point could not be reached; after the last one the delivery fails. */
export const RETRY_DELAYS_MS = [60_000, 5 * 60_000, 30 * 60_000, 2 * 3600_000, 6 * 3600_000, 12 * 3600_000, 24 * 3600_000];

/** The outbox side, used in the finalising transactions (invoices and billing). */
export function createPeppolOutbox(deps: { clock: Clock; accessPointFor: (livemode: boolean) => string | null }) {
  return {
    /** One delivery per invoice whose buyer chose peppol delivery (idempotent). Returns how many were new. */
    async enqueueForInvoices(tx: Tx, tenant: Tenant, invoices: InvoiceRow[]): Promise<number> {
      const now = deps.clock.now();
      const rows = invoices.flatMap((inv) => {
        const delivery = inv.buyer?.delivery;
        if (inv.status === 'draft' || delivery?.type !== 'peppol' || !delivery.participant_id) return [];
        return [{
          merchantId: tenant.merchantId,
          id: newId('peppolDelivery'),
          livemode: tenant.livemode,
          invoiceId: inv.id,
          customerId: inv.customerId,
          participantId: delivery.participant_id,
          status: 'queued' as const,
          nextAttemptAt: now,
          accessPoint: deps.accessPointFor(tenant.livemode) ?? 'none',
          createdAt: now,
          updatedAt: now,
        }];
      });
      if (!rows.length) return 0;
      const inserted = await tx.insert(peppolDeliveries).values(rows).onConflictDoNothing().returning({ id: peppolDeliveries.id });
      return inserted.length;
    },
  };
}
export type PeppolOutbox = ReturnType<typeof createPeppolOutbox>;

type Outcome =
  | { status: 'delivered'; transmissionId: string | null }
  | { status: 'awaiting'; transmissionId: string; nextAttemptAt: Date }
  | { status: 'queued'; reason: string; nextAttemptAt: Date }
  | { status: 'failed'; reason: string; transmissionId?: string | null };

export function createPeppolSender(deps: {
  db: Db;
  clock: Clock;
  events: Pick<EventService, 'record'>;
  peppol: Pick<PeppolService, 'invoiceUbl'>;
  invoices: Pick<InvoiceService, 'get'>;
  accessPoints: { test: AccessPoint; live?: AccessPoint | undefined };
  log?: Pick<Logger, 'warn'> | undefined;
}) {
  const { db, events, peppol, invoices, accessPoints } = deps;
  const apFor = (livemode: boolean) => (livemode ? accessPoints.live : accessPoints.test);

  /** Claims due deliveries (queued, awaiting a status, or leased by a worker that died). */
  async function claim(wallNow: Date): Promise<PeppolDelivery[]> {
    const leaseUntil = new Date(wallNow.getTime() + LEASE_MS);
    const modes = accessPoints.live ? sql`true` : sql`d.livemode = false`;
    const r = await db.execute(sql`
      update peppol_deliveries d
         set lease_until = ${leaseUntil}, attempts = d.attempts + 1, updated_at = ${wallNow},
             status = case when d.status = 'queued' then 'sending' else d.status end
       where (d.merchant_id, d.id) in (
         select merchant_id, id from peppol_deliveries d
          where status in ('queued', 'sending', 'awaiting') and next_attempt_at <= ${wallNow}
            and (lease_until is null or lease_until < ${wallNow}) and ${modes}
          order by next_attempt_at
          limit ${BATCH}
          for update skip locked)
      returning d.merchant_id, d.id, d.livemode, d.invoice_id, d.customer_id, d.participant_id, d.status, d.attempts, d.transmission_id`);
    return (r.rows as Record<string, unknown>[]).map((x) => ({
      merchantId: x.merchant_id as string,
      id: x.id as string,
      livemode: x.livemode as boolean,
      invoiceId: x.invoice_id as string,
      customerId: x.customer_id as string,
      participantId: x.participant_id as string,
      status: x.status as PeppolDelivery['status'],
      attempts: x.attempts as number,
      transmissionId: x.transmission_id as string | null,
    })) as PeppolDelivery[];
  }

  /** Records the outcome and its event in one transaction, if the claim still holds. */
  async function record(d: PeppolDelivery, o: Outcome, wallNow: Date): Promise<boolean> {
    const tenant = { merchantId: d.merchantId, livemode: d.livemode };
    return inTransaction(db, {}, async (tx) => {
      const r = await tx.execute(sql`
        update peppol_deliveries
           set status = ${o.status}, lease_until = null, updated_at = ${wallNow},
               transmission_id = coalesce(${'transmissionId' in o ? (o.transmissionId ?? null) : null}, transmission_id),
               reason = ${'reason' in o ? o.reason : null},
               next_attempt_at = ${'nextAttemptAt' in o ? o.nextAttemptAt : wallNow},
               delivered_at = ${o.status === 'delivered' ? wallNow : null}
         where merchant_id = ${d.merchantId} and id = ${d.id} and attempts = ${d.attempts}
           and status in ('sending', 'awaiting')
        returning id`);
      if (!r.rows.length) return false; // another worker took it over after our lease ran out
      const type: EventType | null = o.status === 'delivered' ? 'invoice.sent' : o.status === 'failed' ? 'invoice.delivery_failed' : null;
      if (type) {
        const inv = await invoices.get({ ...tenant, tx }, d.invoiceId);
        await events.record(tx, tenant, { type, objectId: inv.id, object: toInvoiceResource(inv, inv.lines, d.livemode) });
      }
      return true;
    });
  }

  const fromSend = (r: SendResult, wallNow: Date): Outcome =>
    r.outcome === 'accepted'
      ? { status: 'delivered', transmissionId: r.transmissionId }
      : r.outcome === 'delayed'
        ? { status: 'awaiting', transmissionId: r.transmissionId, nextAttemptAt: new Date(wallNow.getTime() + STATUS_CHECK_MS) }
        : { status: 'failed', reason: r.reason, transmissionId: r.transmissionId };
  const fromStatus = (d: PeppolDelivery, s: TransmissionStatus, wallNow: Date): Outcome =>
    s.outcome === 'delivered'
      ? { status: 'delivered', transmissionId: d.transmissionId }
      : s.outcome === 'rejected'
        ? { status: 'failed', reason: s.reason }
        : { status: 'awaiting', transmissionId: d.transmissionId!, nextAttemptAt: new Date(wallNow.getTime() + STATUS_CHECK_MS) };

  async function work(d: PeppolDelivery, wallNow: Date): Promise<Outcome> {
    const ap = apFor(d.livemode)!;
    if (d.status === 'awaiting') return fromStatus(d, await ap.status(d.merchantId, d.transmissionId!), wallNow);
    const inv = await invoices.get({ merchantId: d.merchantId, livemode: d.livemode }, d.invoiceId);
    if (inv.status === 'void') return { status: 'failed', reason: `Invoice ${inv.number} was voided before it was sent` };
    let document: string;
    try {
      document = (await peppol.invoiceUbl({ merchantId: d.merchantId, livemode: d.livemode }, d.invoiceId)).xml;
    } catch (err) {
      // Settings the network would reject (or a consumer): never sent; the merchant is told why.
      if (err instanceof DomainError) return { status: 'failed', reason: `${err.code}: ${err.message}` };
      throw err;
    }
    const sender = `0007:${(inv.seller?.organisationNumber ?? '').replace(/\D/g, '')}`;
    return fromSend(await ap.send({ messageId: d.id, merchantId: d.merchantId, sender, receiver: d.participantId, document }), wallNow);
  }

  /** One pass: claims due deliveries and works them. Returns how many it moved. */
  async function pass(wall: Clock): Promise<number> {
    const wallNow = wall.now();
    const claimed = await claim(wallNow);
    await Promise.all(
      claimed.map(async (d) => {
        let outcome: Outcome;
        try {
          outcome = await work(d, wallNow);
        } catch (err) {
          // Not known to be handed over: tried again later with the same message id.
          const delay = RETRY_DELAYS_MS[d.attempts - 1];
          const reason = err instanceof Error ? err.message : String(err);
          deps.log?.warn({ err, delivery_id: d.id }, 'sending an e-invoice failed; it is tried again');
          const later = new Date(wallNow.getTime() + (delay ?? STATUS_CHECK_MS));
          if (d.status === 'awaiting') outcome = { status: 'awaiting', transmissionId: d.transmissionId!, nextAttemptAt: later };
          else outcome = delay === undefined ? { status: 'failed', reason } : { status: 'queued', reason, nextAttemptAt: later };
        }
        await record(d, outcome, wallNow);
      }),
    );
    return claimed.length;
  }

  return {
    pass,
    /** The delivery of an invoice (404 when its buyer did not choose peppol delivery). */
    async delivery(tenant: Caller, invoiceId: string): Promise<PeppolDelivery> {
      await invoices.get(tenant, invoiceId); // 404 for an unknown invoice
      const [row] = await queryableFor(db, tenant)
        .select()
        .from(peppolDeliveries)
        .where(and(eq(peppolDeliveries.merchantId, tenant.merchantId), eq(peppolDeliveries.invoiceId, invoiceId)));
      if (!row) throw new DomainError('not_found', `Invoice ${invoiceId} has no Peppol delivery: its customer did not choose peppol delivery when it was finalised`);
      return row;
    },
    /** Passes until nothing is due (tests, a test clock's catch-up). */
    async drain(wall: Clock): Promise<number> {
      let total = 0;
      for (let n = await pass(wall); n > 0; n = await pass(wall)) total += n;
      return total;
    },
  };
}
export type PeppolSender = ReturnType<typeof createPeppolSender>;
