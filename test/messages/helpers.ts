// A real SMTP server on a free loopback port (smtp-server), parsing what it receives (mailparser),
// and a reminder to enqueue for an invoice, as the dunning sweep would hand it over.
import { SMTPServer, type SMTPServerAddress } from 'smtp-server';
import { simpleParser, type ParsedMail } from 'mailparser';
import type { AddressInfo } from 'node:net';
import { billingWorld, type BillingWorld } from '../billing/world.ts';
import { openTransaction } from '../../src/db/unit-of-work.ts';
import { createSmtpMailer, type Mailer } from '../../src/modules/messages/mailer.ts';
import type { NewReminderMessage } from '../../src/modules/messages/service.ts';

type T = Parameters<typeof billingWorld>[0];

/** What the server answers a recipient or a message with: undefined accepts, a code refuses. */
export type Verdict = (to: string) => { code: number; message: string } | undefined;

/** hold: the server answers a message only when this resolves (a worker can be killed meanwhile). */
export type SmtpOptions = { rcpt?: Verdict; data?: Verdict; hold?: (mail: ParsedMail) => Promise<void> };

export async function smtpServer(t: T, o: SmtpOptions = {}) {
  const received: ParsedMail[] = [];
  const arrivals: Array<() => void> = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onRcptTo(address: SMTPServerAddress, _session, cb) {
      const v = o.rcpt?.(address.address);
      if (!v) return cb();
      cb(Object.assign(new Error(v.message), { responseCode: v.code }));
    },
    onData(stream, session, cb) {
      simpleParser(stream).then(
        async (mail) => {
          await o.hold?.(mail);
          const to = session.envelope.rcptTo[0]?.address ?? '';
          const v = o.data?.(to);
          if (v) return cb(Object.assign(new Error(v.message), { responseCode: v.code }));
          received.push(mail);
          arrivals.splice(0).forEach((f) => f());
          cb();
        },
        (err) => cb(err),
      );
    },
  });
  // A worker killed mid-session resets its connection: smtp-server reports that as an 'error'
  // event, which would otherwise be an uncaught exception in the test process.
  server.on('error', () => {});
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.server.address() as AddressInfo).port;
  t.teardown(() => new Promise<void>((r) => server.close(() => r())));
  return {
    url: `smtp://127.0.0.1:${port}`,
    port,
    received,
    /** Resolves once `n` messages have arrived (or fails after `ms`). */
    async waitFor(n: number, ms = 60_000): Promise<void> {
      const until = Date.now() + ms;
      while (received.length < n) {
        if (Date.now() > until) throw new Error(`expected ${n} messages, got ${received.length}`);
        await new Promise<void>((r) => {
          arrivals.push(r);
          setTimeout(r, 200);
        });
      }
    },
  };
}

/** A billing world whose reminders go to `mailer` (default: this SMTP server). */
export async function messageWorld(t: T, o: SmtpOptions & { mailer?: Mailer } = {}) {
  const smtp = await smtpServer(t, o);
  const mailer = o.mailer ?? createSmtpMailer(smtp.url);
  t.teardown(() => mailer.close());
  const w = await billingWorld(t, { mailer });
  const invoice = async (customer: string, amount = 19900): Promise<any> =>
    w.must(w.api('POST', '/v1/invoices', { customer, auto_finalize: true, lines: [{ description: 'Tjänst', unit_amount: amount, tax_behavior: 'inclusive', vat_rate: 25 }] }), 201, 'invoice');

  /** A reminder for the customer's invoices at one step, as the sweep would enqueue it. */
  function reminder(customer: any, invoices: any[], over: Partial<NewReminderMessage> = {}): NewReminderMessage {
    const amountDue = invoices.reduce((s, i) => s + i.amount_remaining, 0);
    return {
      merchantId: w.m.id,
      customerId: customer.id,
      policyId: null,
      step: { key: 'reminder_1', kind: 'reminder', tone: 'friendly' },
      locale: 'sv',
      delivery: 'email_pdf',
      toAddress: customer.email ?? null,
      rendered: {
        subject: `Påminnelse: ${invoices.map((i) => i.number).join(', ')}`,
        text: `Hej ${customer.name}! Vi saknar betalning av ${invoices.map((i) => i.number).join(', ')}: ${amountDue / 100} kr.`,
        html: `<p>Hej ${customer.name}! Vi saknar betalning av <b>${invoices.map((i) => i.number).join(', ')}</b>.</p>`,
      },
      attachPdf: true,
      currency: 'SEK',
      amountDue,
      feeAmount: 0,
      interestAmount: 0,
      businessTime: w.clock.now(),
      invoices: invoices.map((i) => ({ invoiceId: i.id, amountRemaining: i.amount_remaining })),
      fallbackChannels: ['webhook'],
      ...over,
    };
  }

  const enqueue = (input: NewReminderMessage) => openTransaction(w.database.db, (tx) => w.services.messages.enqueue(tx, input));
  const eventsOf = async (type: string) => (await w.api('GET', `/v1/events?type=${type}&limit=100`)).json.data;
  return { ...w, smtp, mailer, invoice, reminder, enqueue, eventsOf };
}
export type MessageWorld = Awaited<ReturnType<typeof messageWorld>>;
export type { BillingWorld };
