// Many senders, crashes: two in-process workers and two `node src/main.ts worker` processes share
// 200 queued e-mails and the SMTP server gets each Message-ID exactly once; a worker that dies after
// the server accepted a message and before recording it leaves a lease that runs out, and the
// message is sent again with the same Message-ID and recorded once; stop waits for a send in flight.
import t from 'tap';
import { sql } from 'drizzle-orm';
import { fixedClock, systemClock } from '../../src/clock.ts';
import { newId } from '../../src/db/ids.ts';
import { openTransaction } from '../../src/db/unit-of-work.ts';
import { createServices } from '../../src/services.ts';
import { createLogger } from '../../src/logger.ts';
import { claimDue } from '../../src/modules/messages/store.ts';
import { createMessageWorker } from '../../src/modules/messages/worker.ts';
import type { Mailer } from '../../src/modules/messages/mailer.ts';
import { workerProcesses } from '../helpers/worker-process.ts';
import { TEST_SECRETS_KEY } from '../helpers/secrets-key.ts';
import { messageWorld } from './helpers.ts';

const LEASE_MS = 5 * 60_000;
const silent = createLogger('silent');
const count = async (w: { database: { db: any } }, q: ReturnType<typeof sql>) => (await w.database.db.execute(q)).rows[0].n as number;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Counts the sends that went through this mailer. */
function counted(mailer: Mailer): { n: number; mailer: Mailer } {
  const c: { n: number; mailer: Mailer } = { n: 0, mailer };
  c.mailer = { ...mailer, send: (m) => (c.n++, mailer.send(m)) };
  return c;
}

t.test('two in-process workers and two worker processes send 200 e-mails, each Message-ID once', async (t) => {
  const w = await messageWorld(t);
  const processes = workerProcesses(t, w.database.url, { SMTP_URL: w.smtp.url, MESSAGE_POLL_MS: '50', COLLECTION_POLL_MS: '60000' });
  const procs = [processes(), processes()];
  await sleep(4000); // started and polling

  const c = await w.customer();
  const queued = await openTransaction(w.database.db, async (tx) => {
    const out = [];
    for (let i = 0; i < 200; i++) {
      out.push(await w.services.messages.enqueue(tx, w.reminder(c, [{ id: newId('invoice'), number: `F-${i}`, amount_remaining: 100 + i }], { attachPdf: false })));
    }
    return out;
  });
  t.equal(queued.filter(Boolean).length, 200);

  const a = counted(w.mailer);
  const b = counted(w.mailer);
  const second = createServices({ db: w.database.db, clock: w.clock, jobs: w.jobs.sender, allowPrivateUrls: true, secretsKey: TEST_SECRETS_KEY, mailer: b.mailer });
  const first = createServices({ db: w.database.db, clock: w.clock, jobs: w.jobs.sender, allowPrivateUrls: true, secretsKey: TEST_SECRETS_KEY, mailer: a.mailer });
  const workers = [first, second].map((s) => createMessageWorker({ messages: s.messages, wall: systemClock, log: silent, pollMs: 20 }));
  workers.forEach((x) => x.start());

  await w.smtp.waitFor(200, 90_000);
  for (let i = 0; i < 200 && (await count(w, sql`select count(*)::int as n from messages where status = 'sent'`)) < 200; i++) await sleep(100);
  await Promise.all(workers.map((x) => x.stop()));
  procs.forEach((p) => p.child.kill('SIGTERM'));
  await Promise.all(procs.map((p) => p.exited));
  await sleep(300);

  const ids = w.smtp.received.map((m) => m.messageId);
  t.equal(ids.length, 200, 'the server got 200 e-mails');
  t.equal(new Set(ids).size, 200, 'each Message-ID once');
  t.same(new Set(ids), new Set(queued.map((m) => m!.messageIdHeader)));
  t.equal(await count(w, sql`select count(*)::int as n from messages where status = 'sent' and attempts = 1`), 200, 'all sent, each on its first try');
  t.equal(await count(w, sql`select count(*)::int as n from events where type = 'reminder.sent'`), 200, 'reminder.sent once each');
  t.comment(`in-process workers sent ${a.n} and ${b.n}, the worker processes ${200 - a.n - b.n}`);
  t.ok(a.n + b.n < 200, 'the worker processes took part');
});

t.test('a worker that dies after the SMTP server accepted: resent with the same Message-ID, recorded once', async (t) => {
  const w = await messageWorld(t);
  const c = await w.customer();
  const inv = await w.invoice(c.id);
  const m = (await w.enqueue(w.reminder(c, [inv], { attachPdf: false })))!;

  // Claimed and sent, then the process is gone before it records anything.
  const wall = fixedClock(w.clock.now());
  const [claimed] = await claimDue(w.database.db, { now: w.clock.now(), wall: wall.now(), leaseUntil: new Date(wall.now().getTime() + LEASE_MS), limit: 10 });
  t.equal(claimed!.id, m.id);
  t.match(await w.mailer.send({ from: { name: 'X', address: 'no-reply@localhost' }, to: claimed!.toAddress!, subject: claimed!.subject, text: claimed!.textBody, html: claimed!.htmlBody, messageId: claimed!.messageIdHeader, date: wall.now(), merchantId: claimed!.merchantId, id: claimed!.id }), { accepted: true });

  t.equal(await w.services.messages.runOnce(wall), 0, 'while the lease holds nobody takes it');
  wall.advance(LEASE_MS + 1000);
  t.equal(await w.services.messages.runOnce(wall), 1, 'the lease ran out: sent again');
  t.equal(w.smtp.received.length, 2);
  t.same(w.smtp.received.map((x) => x.messageId), [m.messageIdHeader, m.messageIdHeader], 'the same Message-ID both times');
  t.match((await w.api('GET', `/v1/messages/${m.id}`)).json, { status: 'sent', attempts: 1 });
  t.equal((await w.eventsOf('reminder.sent')).length, 1, 'recorded once');
  t.equal(await w.services.messages.runOnce(wall), 0);
});

t.test('a worker process killed while the SMTP server is accepting: the message is sent again, same Message-ID', async (t) => {
  let arrived!: () => void;
  const arrival = new Promise<void>((r) => (arrived = r));
  let release!: () => void;
  const held = new Promise<void>((r) => (release = r));
  let holds = 1;
  const w = await messageWorld(t, { hold: async () => (holds-- > 0 ? (arrived(), held) : undefined) });
  const c = await w.customer();
  const m = (await w.enqueue(w.reminder(c, [await w.invoice(c.id)], { attachPdf: false })))!;
  const worker = workerProcesses(t, w.database.url, { SMTP_URL: w.smtp.url, MESSAGE_POLL_MS: '50' })();
  await arrival; // the message's bytes are at the server; its answer is held
  worker.child.kill('SIGKILL');
  await worker.exited;
  release();
  await sleep(200);
  t.equal(w.smtp.received.length, 1, 'the server took it');
  t.match((await w.api('GET', `/v1/messages/${m.id}`)).json, { status: 'sending', sent_at: null }, 'not recorded: the worker died');

  // Another worker after the lease (real time) ran out.
  const later = fixedClock(new Date(Date.now() + LEASE_MS + 60_000));
  t.equal(await w.services.messages.runOnce(later), 1);
  t.same(w.smtp.received.map((x) => x.messageId), [m.messageIdHeader, m.messageIdHeader]);
  t.match((await w.api('GET', `/v1/messages/${m.id}`)).json, { status: 'sent', attempts: 1 });
  t.equal((await w.eventsOf('reminder.sent')).length, 1);
});

t.test('stop waits for the send in flight and records it', async (t) => {
  let arrived!: () => void;
  const arrival = new Promise<void>((r) => (arrived = r));
  let release!: () => void;
  const held = new Promise<void>((r) => (release = r));
  const w = await messageWorld(t, { hold: async () => (arrived(), held) });
  const c = await w.customer();
  const m = (await w.enqueue(w.reminder(c, [await w.invoice(c.id)], { attachPdf: false })))!;
  const worker = createMessageWorker({ messages: w.services.messages, wall: systemClock, log: silent, pollMs: 20 });
  worker.start();
  await arrival;
  let stopped = false;
  const stopping = worker.stop().then(() => (stopped = true));
  await sleep(300);
  t.equal(stopped, false, 'still waiting for the SMTP answer');
  release();
  await stopping;
  t.match((await w.api('GET', `/v1/messages/${m.id}`)).json, { status: 'sent' }, 'recorded before stop returned');
});
