// Messages on real PostgreSQL and a real SMTP server: a reminder enqueued in a transaction is sent
// once (subject, bodies, Message-ID, invoice PDFs), a step reaches an invoice once however often
// and concurrently it is enqueued, a 5xx bounce falls back to reminder.requested, a 4xx is retried
// with backoff, and without SMTP_URL the message is kept as an .eml file and in the API.
import t from 'tap';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { simpleParser } from 'mailparser';
import { sql } from 'drizzle-orm';
import { openTransaction } from '../../src/db/unit-of-work.ts';
import { createFileMailer } from '../../src/modules/messages/mailer.ts';
import { MAX_ATTEMPTS } from '../../src/modules/messages/service.ts';
import { PROBLEM } from '../billing/world.ts';
import { call } from '../helpers/app.ts';
import { messageWorld } from './helpers.ts';

const count = async (w: { database: { db: any } }, q: ReturnType<typeof sql>) => (await w.database.db.execute(q)).rows[0].n as number;

t.test('an e-mail reminder is sent once, whole: subject, text, html, Message-ID, From, the invoice PDF', async (t) => {
  const w = await messageWorld(t);
  const c = await w.customer({ email: 'asa@example.se' });
  const inv = await w.invoice(c.id);
  const m = await w.enqueue(w.reminder(c, [inv]));
  t.match(m, { status: 'queued', channel: 'email', attempts: 0, toAddress: 'asa@example.se' });
  t.match(m!.messageIdHeader, /^<msg_[0-9A-Z]{26}@omtanke\.invalid>$/);
  t.equal((await w.eventsOf('reminder.sent')).length, 0, 'no event before it is sent');

  t.equal(await w.services.messages.runOnce(), 1);
  t.equal(w.smtp.received.length, 1);
  const mail = w.smtp.received[0]!;
  t.equal(mail.subject, `Påminnelse: ${inv.number}`);
  t.match(mail.text, /Hej Åsa Öberg! Vi saknar betalning/);
  t.match(mail.html, /<b>F-/);
  t.equal(mail.messageId, m!.messageIdHeader);
  t.same(mail.from?.value, [{ address: 'no-reply@localhost', name: 'Fjällräven Åkeri AB' }], "the merchant's name as the sender");
  t.equal((mail.replyTo?.value[0] as any)?.address, 'faktura@fjallraven-akeri.example', "replies go to the merchant's contact address");
  t.equal(mail.attachments.length, 1);
  t.equal(mail.attachments[0]!.contentType, 'application/pdf');
  t.equal(mail.attachments[0]!.filename, `${inv.number}.pdf`);
  t.equal(mail.attachments[0]!.content.subarray(0, 5).toString(), '%PDF-');

  const got = (await w.api('GET', `/v1/messages/${m!.id}`)).json;
  t.match(got, {
    id: m!.id,
    object: 'message',
    status: 'sent',
    channel: 'email',
    to: 'asa@example.se',
    subject: mail.subject,
    attempts: 1,
    invoices: [{ invoice: inv.id, amount_remaining: inv.amount_remaining }],
    step: { key: 'reminder_1', kind: 'reminder', tone: 'friendly' },
    amount_due: inv.amount_remaining,
    message_id_header: m!.messageIdHeader,
    fallback_of: null,
    business_time: w.clock.now().toISOString(),
  });
  t.ok(got.sent_at);
  const sent = await w.eventsOf('reminder.sent');
  t.equal(sent.length, 1);
  t.match(sent[0].data.object, { id: m!.id, object: 'message', status: 'sent' });

  // Nothing is sent twice.
  t.equal(await w.services.messages.runOnce(), 0);
  t.equal(w.smtp.received.length, 1);

  // email_html without the PDF: no attachment.
  const inv2 = await w.invoice(c.id);
  await w.enqueue(w.reminder(c, [inv2], { delivery: 'email_html', attachPdf: false }));
  await w.services.messages.runOnce();
  t.equal(w.smtp.received[1]!.attachments.length, 0);
});

t.test('a step reaches an invoice once: enqueued twice, concurrently, or overlapping', async (t) => {
  const w = await messageWorld(t);
  const c = await w.customer();
  const [a, b, d] = [await w.invoice(c.id, 10000), await w.invoice(c.id, 20000), await w.invoice(c.id, 30000)];

  const first = await w.enqueue(w.reminder(c, [a]));
  t.ok(first);
  t.equal(await w.enqueue(w.reminder(c, [a])), null, 'the same invoice and step again: nothing');
  t.ok(await w.enqueue(w.reminder(c, [a], { step: { key: 'reminder_2', kind: 'reminder', tone: 'neutral' } })), 'another step is another message');

  // Two transactions at once: the second waits for the first's row, then finds it and writes nothing.
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  const one = openTransaction(w.database.db, async (tx) => {
    const m = await w.services.messages.enqueue(tx, w.reminder(c, [b]));
    await gate;
    return m;
  });
  await new Promise((r) => setTimeout(r, 100));
  const two = openTransaction(w.database.db, (tx) => w.services.messages.enqueue(tx, w.reminder(c, [b])));
  await new Promise((r) => setTimeout(r, 200));
  release();
  const [m1, m2] = await Promise.all([one, two]);
  t.ok(m1, 'the first transaction wrote the message');
  t.equal(m2, null, 'the concurrent second found it and wrote nothing');

  // A rolled-back sweep leaves nothing behind: the next one writes the message.
  await openTransaction(w.database.db, async (tx) => {
    await w.services.messages.enqueue(tx, w.reminder(c, [d], { step: { key: 'due_date', kind: 'due_date', tone: 'friendly' } }));
    throw new Error('rollback');
  }).catch(() => {});
  t.ok(await w.enqueue(w.reminder(c, [d], { step: { key: 'due_date', kind: 'due_date', tone: 'friendly' } })), 'after a rollback the step is still to come');

  // Overlapping: b already has reminder_1, d is new: the message covers d alone.
  const overlap = await w.enqueue(w.reminder(c, [b, d]));
  t.same(overlap!.invoices.map((i) => i.invoiceId), [d.id]);
  t.equal(overlap!.amountDue, d.amount_remaining, "the amount due leaves out the invoice that already had this step");

  t.equal(await count(w, sql`select count(*)::int as n from message_invoices where step_key = 'reminder_1'`), 3);
  t.equal(await count(w, sql`select count(*)::int as n from messages where step_key = 'reminder_1'`), 3);
  await w.services.messages.runOnce();
  t.equal(w.smtp.received.length, 5, 'one e-mail per message');
});

t.test('one message covering several invoices, each PDF attached', async (t) => {
  const w = await messageWorld(t);
  const c = await w.customer();
  const invoices = [await w.invoice(c.id, 10000), await w.invoice(c.id, 25000)];
  const m = await w.enqueue(w.reminder(c, invoices));
  await w.services.messages.runOnce();
  const mail = w.smtp.received[0]!;
  t.same(mail.attachments.map((a) => a.filename).sort(), invoices.map((i) => `${i.number}.pdf`).sort());
  const got = (await w.api('GET', `/v1/messages/${m!.id}`)).json;
  t.same(got.invoices.map((i: any) => i.invoice).sort(), invoices.map((i) => i.id).sort());
  t.equal(got.amount_due, 35000);
  for (const inv of invoices) t.same((await w.api('GET', `/v1/messages?invoice=${inv.id}`)).json.data.map((x: any) => x.id), [m!.id], 'found by either invoice');
});

t.test('Kivra, Peppol and paper go out as reminder.requested at once; e-mail without address falls back or fails', async (t) => {
  const w = await messageWorld(t);
  const c = await w.customer();
  const inv = await w.invoice(c.id);
  const kivra = await w.enqueue(w.reminder(c, [inv], { delivery: 'kivra', toAddress: null }));
  t.match(kivra, { channel: 'webhook', status: 'sent', delivery: 'kivra', nextAttemptAt: null });
  t.ok(kivra!.sentAt);
  const requested = await w.eventsOf('reminder.requested');
  t.equal(requested.length, 1);
  t.match(requested[0].data.object, { id: kivra!.id, channel: 'webhook', delivery: 'kivra', subject: `Påminnelse: ${inv.number}`, invoices: [{ invoice: inv.id }] });
  t.match(requested[0].data.object.html, /<p>Hej/, 'the rendered message travels with the event');
  t.equal((await w.eventsOf('reminder.sent')).length, 1);

  const noAddress = await w.enqueue(w.reminder(c, [inv], { step: { key: 'reminder_2', kind: 'reminder', tone: 'neutral' }, toAddress: null }));
  t.match(noAddress, { channel: 'webhook', status: 'sent', delivery: 'email_pdf', fallbackChannels: [] }, 'e-mail without an address: the webhook fallback');
  const nowhere = await w.enqueue(w.reminder(c, [inv], { step: { key: 'pre_due', kind: 'pre_due', tone: 'friendly' }, toAddress: null, fallbackChannels: [] }));
  t.match(nowhere, { status: 'failed', channel: 'email' }, 'no address and no fallback: failed, and kept');
  t.match(nowhere!.lastError, /no e-mail address/);
  t.equal(await w.services.messages.runOnce(), 0, 'nothing for the sender');
  t.equal(w.smtp.received.length, 0);
});

t.test('SMTP 550: bounced, and a webhook fallback records reminder.requested; no fallback left: failed', async (t) => {
  const w = await messageWorld(t, { rcpt: (to) => (to.startsWith('bounce') ? { code: 550, message: '5.1.1 No such user' } : undefined) });
  const c = await w.customer({ email: 'bounce@example.se' });
  const inv = await w.invoice(c.id);
  const m = await w.enqueue(w.reminder(c, [inv]));
  await w.services.messages.runOnce();
  const bounced = (await w.api('GET', `/v1/messages/${m!.id}`)).json;
  t.match(bounced, { status: 'bounced', attempts: 1, sent_at: null });
  t.match(bounced.last_error, /^550 .*No such user/);
  const list = (await w.api('GET', `/v1/messages?invoice=${inv.id}`)).json.data;
  t.equal(list.length, 2);
  const fallback = list.find((x: any) => x.id !== m!.id);
  t.match(fallback, { channel: 'webhook', status: 'sent', fallback_of: m!.id, invoices: [{ invoice: inv.id }], subject: bounced.subject, fallback_channels: [] });
  t.not(fallback.message_id_header, bounced.message_id_header);
  const requested = await w.eventsOf('reminder.requested');
  t.equal(requested.length, 1);
  t.equal(requested[0].data.object.id, fallback.id);
  t.same((await w.eventsOf('reminder.sent')).map((e: any) => e.data.object.id), [fallback.id], 'reminder.sent for the fallback only');
  t.same((await w.api('GET', '/v1/messages?status=bounced')).json.data.map((x: any) => x.id), [m!.id]);

  const inv2 = await w.invoice(c.id);
  const lone = await w.enqueue(w.reminder(c, [inv2], { fallbackChannels: [] }));
  await w.services.messages.runOnce();
  t.match((await w.api('GET', `/v1/messages/${lone!.id}`)).json, { status: 'failed', fallback_of: null });
  t.equal((await w.api('GET', `/v1/messages?invoice=${inv2.id}`)).json.data.length, 1, 'no fallback');
  t.equal(w.smtp.received.length, 0);
});

t.test('SMTP 451: retried with backoff, then sent once; too many temporary failures fall back', async (t) => {
  let refusals = 1;
  const w = await messageWorld(t, {
    data: (to) => {
      if (to.startsWith('always')) return { code: 451, message: '4.3.0 Try later' };
      if (refusals-- > 0) return { code: 451, message: '4.7.1 Greylisted' };
      return undefined;
    },
  });
  const c = await w.customer({ email: 'grey@example.se' });
  const m = await w.enqueue(w.reminder(c, [await w.invoice(c.id)], { attachPdf: false }));
  await w.services.messages.runOnce();
  let got = (await w.api('GET', `/v1/messages/${m!.id}`)).json;
  t.match(got, { status: 'queued', attempts: 1 });
  t.match(got.last_error, /451.*Greylisted/);
  t.equal(new Date(got.next_attempt_at).getTime() - w.clock.now().getTime(), 60_000, 'tried again in a minute');
  t.equal(await w.services.messages.runOnce(), 0, 'not before then');
  w.clock.advance(61_000);
  t.equal(await w.services.messages.runOnce(), 1);
  got = (await w.api('GET', `/v1/messages/${m!.id}`)).json;
  t.match(got, { status: 'sent', attempts: 2, last_error: null });
  t.equal(w.smtp.received.length, 1);
  t.equal(w.smtp.received[0]!.messageId, m!.messageIdHeader);

  // A server that never takes it: retried MAX_ATTEMPTS times, then given up as bounced.
  const d = await w.customer({ email: 'always@example.se' });
  const stuck = await w.enqueue(w.reminder(d, [await w.invoice(d.id)], { attachPdf: false }));
  for (let i = 0; i < MAX_ATTEMPTS; i++) {
    t.equal(await w.services.messages.runOnce(), 1, `try ${i + 1}`);
    w.clock.advance(25 * 3600_000);
  }
  got = (await w.api('GET', `/v1/messages/${stuck!.id}`)).json;
  t.match(got, { status: 'bounced', attempts: MAX_ATTEMPTS });
  t.match(got.last_error, /gave up after 8 tries/);
  t.equal((await w.api('GET', `/v1/messages?customer=${d.id}&status=sent`)).json.data[0].fallback_of, stuck!.id, 'the webhook fallback');
});

t.test('no SMTP_URL: the message is stored as an .eml file and readable through the API', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'omtanke-messages-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const mailer = createFileMailer(dir);
  t.match(mailer.describe, /no SMTP_URL: messages are kept in the API and written to /);
  const w = await messageWorld(t, { mailer });
  const c = await w.customer();
  const inv = await w.invoice(c.id);
  const m = await w.enqueue(w.reminder(c, [inv]));
  await w.services.messages.runOnce();
  const got = (await w.api('GET', `/v1/messages/${m!.id}`)).json;
  t.match(got, { status: 'stored', attempts: 1 });
  t.ok(got.sent_at);
  t.equal((await w.eventsOf('reminder.sent')).length, 1, 'reminder.sent: it left the queue (status stored says where to)');

  const file = await simpleParser(await readFile(join(dir, w.m.id, `${m!.id}.eml`)));
  t.equal(file.messageId, m!.messageIdHeader);
  t.equal(file.subject, got.subject);
  t.equal(file.attachments.length, 1);
  const res = await call(w.app, { method: 'GET', url: `/v1/messages/${m!.id}/eml`, headers: w.m.auth });
  t.equal(res.status, 200);
  t.match(res.headers['content-type'], /^message\/rfc822/);
  const api = await simpleParser(res.body);
  t.equal(api.messageId, m!.messageIdHeader);
  t.equal(api.subject, got.subject);
  t.equal(api.text, file.text);
  t.equal(api.html, file.html);
  t.same((api.to as any).value, [{ address: 'asa@example.se', name: '' }]);
  t.equal(api.attachments[0]!.filename, file.attachments[0]!.filename);
  t.equal(w.smtp.received.length, 0);
});

t.test('the message routes: list, filters, pages, tenancy and bad input', async (t) => {
  const w = await messageWorld(t);
  const c1 = await w.customer();
  const c2 = await w.customer({ name: 'Bo Berg', email: 'bo@example.se' });
  const i1 = await w.invoice(c1.id);
  const i2 = await w.invoice(c2.id);
  const m1 = await w.enqueue(w.reminder(c1, [i1], { attachPdf: false }));
  const m2 = await w.enqueue(w.reminder(c2, [i2], { delivery: 'paper', toAddress: null }));
  const all = (await w.api('GET', '/v1/messages')).json;
  t.same(all.data.map((x: any) => x.id), [m2!.id, m1!.id], 'newest first');
  t.equal(all.has_more, false);
  t.same((await w.api('GET', `/v1/messages?customer=${c1.id}`)).json.data.map((x: any) => x.id), [m1!.id]);
  t.same((await w.api('GET', `/v1/messages?invoice=${i2.id}`)).json.data.map((x: any) => x.id), [m2!.id]);
  t.same((await w.api('GET', '/v1/messages?status=queued')).json.data.map((x: any) => x.id), [m1!.id]);
  const page = (await w.api('GET', '/v1/messages?limit=1')).json;
  t.equal(page.has_more, true);
  t.same((await w.api('GET', `/v1/messages?limit=1&starting_after=${page.data[0].id}`)).json.data.map((x: any) => x.id), [m1!.id]);
  t.same((await w.api('GET', `/v1/messages?ending_before=${m1!.id}`)).json.data.map((x: any) => x.id), [m2!.id]);
  t.same((await w.api('GET', `/v1/messages/${m1!.id}`)).json, all.data[1], 'get and list agree');

  const other = await w.seller('Annan AB');
  const theirs = w.apiFor(other);
  t.equal((await theirs('GET', `/v1/messages/${m1!.id}`)).status, 404, "another merchant's message is not found");
  t.equal((await theirs('GET', `/v1/messages/${m1!.id}/eml`)).status, 404);
  t.equal((await theirs('GET', '/v1/messages')).json.data.length, 0);
  t.equal((await w.api('GET', '/v1/messages/msg_01KB2Y5M8Q0ZC3V1S7N4D6F9XA')).status, 404);
  for (const [url, field] of [
    ['/v1/messages?status=maybe', 'status'],
    ['/v1/messages?customer=nope', 'customer'],
    ['/v1/messages?invoice=cus_01KB2Y5M8Q0ZC3V1S7N4D6F9XA', 'invoice'],
    ['/v1/messages?limit=0', 'limit'],
    ['/v1/messages?color=red', 'color'],
  ] as const) {
    const bad = await w.api('GET', url);
    t.equal(bad.status, 400, url);
    t.equal(bad.json.type, PROBLEM + 'validation_failed');
    t.match(bad.json.errors, [{ field }], url);
  }
  t.equal((await w.api('GET', '/v1/messages/msg_nope')).status, 400);
});
