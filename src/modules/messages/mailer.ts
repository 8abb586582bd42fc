// Where an e-mail goes: an SMTP server (SMTP_URL), or, without one, an .eml file per message, so
// that nothing is silently dropped on a machine with no mail server. A mailer reports one of three
// outcomes and never throws for an SMTP answer: accepted, bounced (refused for good: 5xx) or retry
// (4xx, connection or TLS trouble, a bad login: worth trying again later).
import { createHash } from 'node:crypto';
import { mkdir, writeFile, rename } from 'node:fs/promises';
import { join } from 'node:path';
import nodemailer from 'nodemailer';
import MailComposer from 'nodemailer/lib/mail-composer/index.js';

export type Address = { name: string; address: string };

export type OutgoingMail = {
  from: Address;
  replyTo?: string | undefined;
  to: string;
  subject: string;
  text: string;
  html: string;
  /** The Message-ID header, `<…@…>`: the same on every try, so a resend is recognisable. */
  messageId: string;
  date: Date;
  attachments?: { filename: string; content: Buffer; contentType: string }[] | undefined;
  /** Whose message it is (the file mailer files it by merchant and message id). */
  merchantId: string;
  id: string;
};

export type SendResult = { accepted: true; stored?: string } | { bounced: true; code: number; message: string } | { retry: true; message: string };

export interface Mailer {
  /** Where messages go, for the start banner. */
  readonly describe: string;
  send(m: OutgoingMail): Promise<SendResult>;
  close(): void;
}

function mailOptions(m: OutgoingMail) {
  return {
    from: m.from,
    ...(m.replyTo ? { replyTo: m.replyTo } : {}),
    to: m.to,
    subject: m.subject,
    text: m.text,
    html: m.html,
    messageId: m.messageId,
    date: m.date,
    attachments: m.attachments ?? [],
    // From the Message-ID, so that a message composed again (GET …/eml, a resend) has the same bytes.
    baseBoundary: createHash('sha256').update(m.messageId).digest('hex').slice(0, 16),
  };
}

/** The message as RFC 5322 bytes (.eml), as the SMTP mailer would send it. */
export function composeEml(m: OutgoingMail): Promise<Buffer> {
  return new MailComposer(mailOptions(m)).compile().build();
}

// Errors that are about our side (credentials, TLS, the connection), never about this recipient:
// whatever their code, the message is tried again rather than bounced.
const OUR_SIDE = new Set(['EAUTH', 'ENOAUTH', 'EOAUTH2', 'ETLS', 'ECONNECTION', 'ETIMEDOUT', 'ESOCKET', 'EDNS', 'EPROTOCOL', 'ECONFIG']);

/** Classifies a nodemailer error: 5xx about the message or recipient bounces; the rest is retried. */
export function classifySmtpError(err: unknown): SendResult {
  const e = err as { code?: string; responseCode?: number; response?: string; message?: string };
  const message = (e.response ?? e.message ?? String(err)).slice(0, 500);
  const code = typeof e.responseCode === 'number' ? e.responseCode : undefined;
  if (e.code && OUR_SIDE.has(e.code)) return { retry: true, message };
  if (code !== undefined && code >= 500 && code < 600) return { bounced: true, code, message };
  // Refused before anything was sent (an address that cannot be an address, a message too large).
  if (code === undefined && (e.code === 'EENVELOPE' || e.code === 'EMESSAGE')) return { bounced: true, code: 0, message };
  return { retry: true, message };
}

export function createSmtpMailer(url: string): Mailer {
  const u = new URL(url);
  // One small pool of connections per process; timeouts well inside the sender's lease, so a hung
  // server cannot keep a claim until another worker sends the message a second time.
  const defaults = { pool: 'true', maxConnections: '5', connectionTimeout: '10000', greetingTimeout: '10000', socketTimeout: '60000' };
  for (const [k, v] of Object.entries(defaults)) if (!u.searchParams.has(k)) u.searchParams.set(k, v);
  const transport = nodemailer.createTransport(u.toString());
  return {
    describe: `SMTP ${u.hostname}:${u.port || (u.protocol === 'smtps:' ? 465 : 587)}`,
    async send(m) {
      try {
        await transport.sendMail({ ...mailOptions(m), envelope: { from: m.from.address, to: m.to } });
        return { accepted: true };
      } catch (err) {
        return classifySmtpError(err);
      }
    },
    close: () => transport.close(),
  };
}

/** No SMTP server: each message is written to `<dir>/<merchant_id>/<message_id>.eml` (a resend overwrites it). */
export function createFileMailer(dir: string): Mailer {
  return {
    describe: `no SMTP_URL: messages are kept in the API and written to ${dir}`,
    async send(m) {
      try {
        const folder = join(dir, m.merchantId);
        await mkdir(folder, { recursive: true });
        const path = join(folder, `${m.id}.eml`);
        // Written whole or not at all: a reader never sees half a message.
        const tmp = `${path}.${process.pid}.tmp`;
        await writeFile(tmp, await composeEml(m));
        await rename(tmp, path);
        return { accepted: true, stored: path };
      } catch (err) {
        return { retry: true, message: `writing the .eml file failed: ${(err as Error).message}` };
      }
    },
    close: () => {},
  };
}
