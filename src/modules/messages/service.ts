// Messages: every message to a customer is stored whole before anything is sent, and delivered
// once. The dunning sweep enqueues a reminder in its own transaction; the message_invoices rows,
// unique per invoice and step, make "one reminder per invoice and step" hold whatever runs twice.
//
// E-mail is sent by a worker (pass): it leases queued messages, sends them outside any
// transaction, then records the outcome in one transaction: sent (reminder.sent), retried later
// with backoff, or bounced with a fallback message on the next allowed channel (a webhook
// fallback records reminder.requested, for the merchant's system to send), or failed when none is
// left. Other delivery choices (Kivra, Peppol, paper) go out as reminder.requested at once.
//
// Exactly once, precisely: in our records a step reaches an invoice once. At the SMTP boundary it
// is at least once: a worker that dies after the server accepted a message and before recording it
// leaves a lease that runs out, and the message is sent again with the same Message-ID header, by
// which the receiving side (and the merchant, in GET /v1/messages) recognises the resend.
import type { Logger } from 'pino';
import type { Db, Tx } from '../../db/client.ts';
import { newId } from '../../db/ids.ts';
import { openTransaction, queryableFor, type Caller } from '../../db/unit-of-work.ts';
import { toPage, type Page, type PageParams } from '../../db/page.ts';
import type { Clock } from '../../clock.ts';
import { DomainError } from '../../kernel/errors.ts';
import type { Tenant } from '../../kernel/tenant.ts';
import type { StepKind, Tone } from '../../domain/dunning-policy.ts';
import type { DeliveryType } from '../customers/choices.ts';
import type { EventService, NewEvent } from '../events/service.ts';
import type { MerchantService } from '../merchants/service.ts';
import { toMessageResource } from './contract.ts';
import { composeEml, type Address, type Mailer, type OutgoingMail, type SendResult } from './mailer.ts';
import * as store from './store.ts';

export type MessageRow = store.MessageRow;
export type Message = MessageRow & { invoices: store.MessageInvoiceRow[] };
export type FallbackChannel = 'webhook';

/** What the dunning sweep hands over, rendered, for one customer and step. */
export type NewReminderMessage = {
  merchantId: string;
  customerId: string;
  policyId: string | null;
  step: { key: string; kind: StepKind; tone: Tone };
  locale: 'sv' | 'en';
  /** The customer's delivery choice: e-mail is sent by Omtanke, the rest is requested by webhook. */
  delivery: DeliveryType;
  toAddress: string | null;
  rendered: { subject: string; text: string; html: string };
  attachPdf: boolean;
  currency: string;
  amountDue: number;
  feeAmount: number;
  interestAmount: number;
  businessTime: Date;
  invoices: { invoiceId: string; amountRemaining: number }[];
  fallbackChannels: FallbackChannel[];
  /** The running experiment and arm the customer is in (reminder analytics count the message for it). */
  experiment?: { id: string; arm: string } | null;
};

/** An invoice's PDF to attach (the invoices module renders it). */
export type InvoicePdf = (tenant: Tenant, invoiceId: string) => Promise<{ filename: string; content: Buffer }>;

// Real-time leases: well past the SMTP timeouts (mailer.ts), short enough that a crashed worker's
// claims come back soon.
const LEASE_MS = 5 * 60_000;
const BATCH = 50;
const SENDING_AT_ONCE = 10;
// Backoff after a temporary failure (4xx, connection trouble), by attempts made so far; after the
// last the message is given up as bounced and falls back to the next channel.
const BACKOFF_MS = [60_000, 5 * 60_000, 30 * 60_000, 2 * 3600_000, 6 * 3600_000, 12 * 3600_000, 24 * 3600_000];
export const MAX_ATTEMPTS = BACKOFF_MS.length + 1;

const EMAIL_DELIVERIES = new Set<DeliveryType>(['email_pdf', 'email_html']);

/** SMTP_FROM's address; the display name is the merchant's. */
function fromAddress(smtpFrom: string): string {
  return (/<([^>]+)>\s*$/.exec(smtpFrom)?.[1] ?? smtpFrom).trim();
}

export function createMessageService(deps: {
  db: Db;
  clock: Clock;
  events: Pick<EventService, 'recordMany'>;
  merchants: Pick<MerchantService, 'get'>;
  mailer: Mailer;
  pdf: InvoicePdf;
  /** SMTP_FROM: `Name <address>` or an address. */
  from: string;
  log?: Pick<Logger, 'warn' | 'error'> | undefined;
}) {
  const { db, clock, events, merchants, mailer } = deps;
  const senderAddress = fromAddress(deps.from);
  const domain = senderAddress.split('@')[1]?.includes('.') ? senderAddress.split('@')[1] : 'omtanke.invalid';

  /** reminder.requested (a webhook message: the merchant's system sends it) and reminder.sent. */
  function eventsFor(row: MessageRow, invoices: store.MessageInvoiceRow[], livemode: boolean): NewEvent[] {
    const object = toMessageResource(row, invoices, livemode);
    const sent: NewEvent = { type: 'reminder.sent', objectId: row.id, object };
    return row.channel === 'webhook' ? [{ type: 'reminder.requested', objectId: row.id, object }, sent] : [sent];
  }

  /**
   * Stores a reminder in the sweep's transaction. The invoices that already got this step are
   * dropped (their message_invoices row exists: another message reached them first, or a
   * concurrent sweep is doing so and this waits for it); when none is new, nothing is written and
   * null is returned. The amount due drops what the dropped invoices had left; the rendered text is
   * kept as given (the sweep leaves out invoices it sees already reminded, so only a race drops one).
   */
  async function enqueue(tx: Tx, input: NewReminderMessage): Promise<Message | null> {
    return (await enqueueMany(tx, [input]))[0]!;
  }

  /** enqueue for many messages at once, in three statements (the sweep's batch): the same rules for each. */
  async function enqueueMany(tx: Tx, inputs: NewReminderMessage[]): Promise<(Message | null)[]> {
    if (inputs.length === 0) return [];
    const ids = inputs.map(() => newId('message'));
    const kept = await store.claimInvoices(
      tx,
      inputs.flatMap((input, k) =>
        input.invoices.map((i) => ({ merchantId: input.merchantId, messageId: ids[k]!, invoiceId: i.invoiceId, stepKey: input.step.key, amountRemaining: i.amountRemaining })),
      ),
    );
    const keptBy = new Map<string, store.MessageInvoiceRow[]>();
    for (const k of kept) keptBy.set(k.messageId, [...(keptBy.get(k.messageId) ?? []), k]);
    const livemodes = new Map<string, boolean>();
    for (const merchantId of new Set(inputs.filter((_, k) => keptBy.has(ids[k]!)).map((i) => i.merchantId))) {
      livemodes.set(merchantId, (await merchants.get({ merchantId, tx })).livemode);
    }
    const now = clock.now();
    const rows = inputs.map((input, k) => {
      const invoices = keptBy.get(ids[k]!);
      return invoices ? { row: messageRow(input, ids[k]!, invoices, now), invoices } : null;
    });
    const written = rows.filter((r) => r !== null);
    await store.insertMessages(tx, written.map((r) => r.row));
    const byMerchant = new Map<string, NewEvent[]>();
    for (const { row, invoices } of written) {
      if (row.channel !== 'webhook') continue;
      byMerchant.set(row.merchantId, [...(byMerchant.get(row.merchantId) ?? []), ...eventsFor(row, invoices, livemodes.get(row.merchantId)!)]);
    }
    for (const [merchantId, list] of byMerchant) await events.recordMany(tx, { merchantId, livemode: livemodes.get(merchantId)! }, list);
    return rows.map((r) => (r ? { ...r.row, invoices: r.invoices } : null));
  }

  /** The stored message for one enqueued reminder: its channel from the delivery choice, e-mail queued, webhook sent at once. */
  function messageRow(input: NewReminderMessage, id: string, kept: store.MessageInvoiceRow[], now: Date): MessageRow {
    const keptIds = new Set(kept.map((k) => k.invoiceId));
    const dropped = input.invoices.filter((i) => !keptIds.has(i.invoiceId)).reduce((sum, i) => sum + i.amountRemaining, 0);
    const email = EMAIL_DELIVERIES.has(input.delivery) && !!input.toAddress;
    // Kivra, Peppol and paper go through the merchant's system; e-mail without an address falls back.
    const [channel, fallbackChannels]: [MessageRow['channel'] | null, FallbackChannel[]] = email
      ? ['email', input.fallbackChannels]
      : EMAIL_DELIVERIES.has(input.delivery)
        ? [input.fallbackChannels[0] ?? null, input.fallbackChannels.slice(1)]
        : ['webhook', input.fallbackChannels.filter((c) => c !== 'webhook')];
    return {
      merchantId: input.merchantId,
      id,
      customerId: input.customerId,
      kind: 'reminder',
      policyId: input.policyId,
      stepKey: input.step.key,
      stepKind: input.step.kind,
      tone: input.step.tone,
      locale: input.locale,
      channel: channel ?? 'email',
      delivery: input.delivery,
      toAddress: input.toAddress,
      subject: input.rendered.subject,
      textBody: input.rendered.text,
      htmlBody: input.rendered.html,
      attachPdf: input.attachPdf,
      messageIdHeader: `<${id}@${domain}>`,
      currency: input.currency,
      amountDue: input.amountDue - dropped,
      feeAmount: input.feeAmount,
      interestAmount: input.interestAmount,
      status: channel === 'email' ? 'queued' : channel === 'webhook' ? 'sent' : 'failed',
      attempts: 0,
      leaseUntil: null,
      nextAttemptAt: channel === 'email' ? now : null,
      lastError: channel === null ? 'the customer chose e-mail but has no e-mail address, and the policy has no fallback channel' : null,
      fallbackOf: null,
      fallbackChannels,
      experimentId: input.experiment?.id ?? null,
      experimentArm: input.experiment?.arm ?? null,
      businessTime: input.businessTime,
      createdAt: now,
      sentAt: channel === 'webhook' ? now : null,
      updatedAt: now,
    };
  }

  /** The e-mail as it is sent (and as GET /v1/messages/{id}/eml shows it). */
  async function outgoing(row: MessageRow, invoices: store.MessageInvoiceRow[], merchant: { name: string; legalName: string | null; contactEmail: string | null; livemode: boolean }, date: Date): Promise<OutgoingMail> {
    const tenant = { merchantId: row.merchantId, livemode: merchant.livemode };
    const attachments = row.attachPdf
      ? await Promise.all(
          invoices.map(async (i) => {
            const pdf = await deps.pdf(tenant, i.invoiceId);
            return { filename: pdf.filename, content: pdf.content, contentType: 'application/pdf' };
          }),
        )
      : [];
    const from: Address = { name: merchant.legalName ?? merchant.name, address: senderAddress };
    return {
      from,
      replyTo: merchant.contactEmail ?? undefined,
      to: row.toAddress ?? '',
      subject: row.subject,
      text: row.textBody,
      html: row.htmlBody,
      messageId: row.messageIdHeader,
      date,
      attachments,
      merchantId: row.merchantId,
      id: row.id,
    };
  }

  /** Bounced for good: a fallback on the next channel, or failed when none is left. */
  async function bounce(tx: Tx, row: MessageRow, invoices: store.MessageInvoiceRow[], livemode: boolean, error: string): Promise<void> {
    const now = clock.now();
    const [next, ...rest] = row.fallbackChannels;
    await store.updateMessage(tx, { ...row, status: next ? 'bounced' : 'failed', leaseUntil: null, nextAttemptAt: null, lastError: error, updatedAt: now });
    if (!next) return;
    const id = newId('message');
    const fallback = await store.insertMessage(tx, {
      ...row,
      id,
      channel: next,
      status: 'sent',
      attempts: 0,
      leaseUntil: null,
      nextAttemptAt: null,
      lastError: null,
      messageIdHeader: `<${id}@${domain}>`,
      fallbackOf: row.id,
      fallbackChannels: rest,
      createdAt: now,
      sentAt: now,
      updatedAt: now,
    });
    await events.recordMany(tx, { merchantId: row.merchantId, livemode }, eventsFor(fallback, invoices, livemode));
  }

  /** Records a send's outcome, once: only while the claim is still ours (same lease). */
  async function record(claimed: MessageRow, leaseUntil: Date, result: SendResult, livemode: boolean, sentAt: Date): Promise<void> {
    await openTransaction(db, async (tx) => {
      const row = await store.lockClaimed(tx, { merchantId: claimed.merchantId, id: claimed.id, leaseUntil });
      if (!row) return; // the lease ran out and another worker has it now
      const now = clock.now();
      const attempts = row.attempts + 1;
      const invoices = (await store.invoicesOf(tx, row.merchantId, [row])).get(row.id)!;
      if ('accepted' in result) {
        const sent = await store.updateMessage(tx, { ...row, status: result.stored ? 'stored' : 'sent', attempts, leaseUntil: null, nextAttemptAt: null, lastError: null, sentAt, updatedAt: now });
        await events.recordMany(tx, { merchantId: row.merchantId, livemode }, eventsFor(sent, invoices, livemode));
      } else if ('retry' in result && attempts < MAX_ATTEMPTS) {
        const nextAttemptAt = new Date(now.getTime() + BACKOFF_MS[attempts - 1]!);
        await store.updateMessage(tx, { ...row, status: 'queued', attempts, leaseUntil: null, nextAttemptAt, lastError: result.message, updatedAt: now });
      } else {
        const error = 'bounced' in result ? `${result.code} ${result.message}` : `gave up after ${attempts} tries: ${result.message}`;
        await bounce(tx, { ...row, attempts }, invoices, livemode, error);
      }
    });
  }

  /**
   * One pass of the sender: leases due e-mails and sends each (no transaction open meanwhile),
   * recording every outcome. Returns how many it claimed.
   */
  async function pass(wall: Clock = clock): Promise<number> {
    const leaseUntil = new Date(wall.now().getTime() + LEASE_MS);
    const claimed = await store.claimDue(db, { now: clock.now(), wall: wall.now(), leaseUntil, limit: BATCH });
    const invoicesById = await invoicesForMany(claimed);
    const merchantsById = new Map<string, Awaited<ReturnType<typeof merchants.get>>>();
    const queue = [...claimed];
    const sender = async () => {
      for (let row = queue.shift(); row; row = queue.shift()) {
        let livemode = false;
        let result: SendResult;
        // The Date header, and sent_at when it goes through.
        const date = clock.now();
        try {
          const merchant = merchantsById.get(row.merchantId) ?? (await merchants.get({ merchantId: row.merchantId }));
          merchantsById.set(row.merchantId, merchant);
          livemode = merchant.livemode;
          result = await mailer.send(await outgoing(row, invoicesById.get(row.id)!, merchant, date));
        } catch (err) {
          // Not sent (a PDF that would not render, say): tried again later like a 4xx.
          deps.log?.warn({ err, message_id: row.id }, 'preparing a message failed; it is tried again later');
          result = { retry: true, message: (err as Error).message ?? String(err) };
        }
        try {
          await record(row, leaseUntil, result, livemode, date);
        } catch (err) {
          // Not recorded: the lease runs out and the message is sent again with the same Message-ID.
          deps.log?.error({ err, message_id: row.id }, 'recording a sent message failed; it is sent again when its lease runs out');
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(SENDING_AT_ONCE, claimed.length) }, sender));
    return claimed.length;
  }

  async function invoicesForMany(rows: MessageRow[]): Promise<Map<string, store.MessageInvoiceRow[]>> {
    const out = new Map<string, store.MessageInvoiceRow[]>();
    const byMerchant = new Map<string, MessageRow[]>();
    for (const r of rows) byMerchant.set(r.merchantId, [...(byMerchant.get(r.merchantId) ?? []), r]);
    for (const [merchantId, list] of byMerchant) for (const [id, inv] of await store.invoicesOf(db, merchantId, list)) out.set(id, inv);
    return out;
  }

  async function get(tenant: Caller, id: string): Promise<Message> {
    const q = queryableFor(db, tenant);
    const row = await store.findMessage(q, tenant.merchantId, id);
    if (!row) throw new DomainError('not_found', `No such message: ${id}`);
    return { ...row, invoices: (await store.invoicesOf(q, tenant.merchantId, [row])).get(row.id)! };
  }

  return {
    enqueue,
    enqueueMany,
    pass,
    /** Passes until nothing is due (tests and scripts). */
    async runOnce(wall: Clock = clock): Promise<number> {
      let total = 0;
      for (let n = await pass(wall); n > 0; n = await pass(wall)) total += n;
      return total;
    },

    get,

    async list(tenant: Caller, filter: store.MessageFilter, page: PageParams): Promise<Page<Message>> {
      const q = queryableFor(db, tenant);
      const p = toPage(await store.listMessages(q, tenant.merchantId, filter, page), page);
      const invoices = await store.invoicesOf(q, tenant.merchantId, p.data);
      return { data: p.data.map((r) => ({ ...r, invoices: invoices.get(r.id)! })), hasMore: p.hasMore };
    },

    /** The message as RFC 5322 bytes, as it was (or would be) sent, with its PDFs attached. */
    async eml(tenant: Caller, id: string): Promise<Buffer> {
      const m = await get(tenant, id);
      const merchant = await merchants.get(tenant);
      return composeEml(await outgoing(m, m.invoices, merchant, m.sentAt ?? m.createdAt));
    },
  };
}
export type MessageService = ReturnType<typeof createMessageService>;
