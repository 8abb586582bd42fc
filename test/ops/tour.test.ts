// The README's API tour, run as written against a started service: `node src/main.ts all` on a
// fresh database prints the development merchant's key; `npm run webhooks:listen` registers
// itself and verifies every delivery; `bash scripts/tour.sh` (the exact text the README shows)
// goes from a customer to a paid invoice; then the payments tour, the dunning tour (a test clock
// walks an unpaid invoice to the collection agency), the e-invoicing tour and the payment plan tour
// (an instalment missed on a test clock, the plan defaulted, the reminders going on). Checks: the
// tour exits 0, its invoice PDF is payable (bankgiro, OCR), every event reaches the listener
// verified, a forged delivery is refused, and the listener removes its endpoint when stopped.
import t from 'tap';
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freshDatabase } from '../helpers/db.ts';
import { startReceiver } from '../helpers/receiver.ts';
import { verifies } from '../webhooks/helpers.ts';
import { TEST_SECRETS_KEY } from '../helpers/secrets-key.ts';
import { pdfText } from '../billing/world.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

type Proc = { child: ChildProcess; out: () => string; err: () => string; exited: Promise<number | string | null> };

function start(t: { teardown(fn: () => unknown): void }, cmd: string, args: string[], env: NodeJS.ProcessEnv): Proc {
  const child = spawn(cmd, args, { cwd: root, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout!.on('data', (c) => (out += c));
  child.stderr!.on('data', (c) => (err += c));
  const exited = new Promise<number | string | null>((r) => child.on('exit', (code, signal) => r(signal ?? code)));
  t.teardown(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  return { child, out: () => out, err: () => err, exited };
}

async function until<T>(what: string, probe: () => T | undefined | Promise<T | undefined>, ms = 30_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

t.test('the README tour runs as written, with webhooks:listen verifying its events', async (t) => {
  const database = await freshDatabase(t, { poolMax: 2 });
  const port = await freePort();
  const api = `http://127.0.0.1:${port}`;
  // Without SMTP_URL the reminders are written as .eml files: here, not under the checkout's .data/.
  const messageDir = mkdtempSync(join(tmpdir(), 'omtanke-tour-messages-'));
  t.teardown(() => rmSync(messageDir, { recursive: true, force: true }));
  const server = start(t, process.execPath, ['src/main.ts', 'all'], {
    MESSAGE_DIR: messageDir,
    DATABASE_URL: database.url,
    SECRETS_KEY: TEST_SECRETS_KEY,
    PORT: String(port),
    HOST: '127.0.0.1',
    BOOTSTRAP_DEV_MERCHANT: 'true',
    WEBHOOK_ALLOW_PRIVATE_URLS: 'true',
    WEBHOOK_POLL_MS: '200',
    LOG_LEVEL: 'warn',
  });
  const key = await until('the development merchant key', () => /API key \(shown once\): (sk_test_\w+)/.exec(server.err())?.[1]);
  await until('readiness', async () => (await fetch(`${api}/readyz`).catch(() => undefined))?.ok || undefined).catch((e: Error) => {
    throw new Error(`${e.message}; the service said:\n${server.err()}`);
  });

  const listener = start(t, process.execPath, ['scripts/webhooks-listen.ts', '--api', api, '--json'], { KEY: key });
  const listening = await until('the listener', () => /Listening on (http:\S+) as webhook endpoint (we_\w+)/.exec(listener.err()) ?? undefined);
  const [, listenUrl, endpointId] = listening;

  const out = mkdtempSync(join(tmpdir(), 'omtanke-tour-'));
  t.teardown(() => rmSync(out, { recursive: true, force: true }));
  const tour = start(t, 'bash', ['scripts/tour.sh'], { API: api, KEY: key, OUT: out });
  const tourExit = await tour.exited;
  t.equal(tourExit, 0, `the tour exits 0${tourExit === 0 ? '' : `:\n${tour.out()}\n${tour.err()}`}`);
  t.match(tour.out(), /"status":"paid"/, 'the tour ends with a paid invoice');

  // The invoice the tour downloaded is one a customer can pay: bankgiro, OCR, an amount and a due date.
  const pdf = readFileSync(join(out, 'faktura.pdf'));
  t.equal(pdf.subarray(0, 5).toString(), '%PDF-');
  const text = await pdfText(pdf);
  const invoiceList = tour.out().split('\n').find((l) => l.startsWith('{"object":"list"') && l.includes('"object":"invoice"'))!;
  const invoice = JSON.parse(invoiceList).data[0];
  t.match(text, invoice.ocr_reference, 'the OCR reference is on the invoice');
  t.match(text, /5050-1055/, 'the bankgiro is on the invoice');
  t.match(text, /199,00/, 'the amount is on the invoice');
  t.match(invoice, { number: 'F-1', status: 'open', total: 19900, amount_due: 19900 });

  // The tour runs as written for a merchant made by merchant:create too (it sets the seller details).
  const made = start(t, process.execPath, ['scripts/merchant-create.ts', '--name', 'Turné AB'], { DATABASE_URL: database.url, SECRETS_KEY: TEST_SECRETS_KEY });
  t.equal(await made.exited, 0, 'merchant:create');
  const bareKey = JSON.parse(made.out()).api_key as string;
  const again = start(t, 'bash', ['scripts/tour.sh'], { API: api, KEY: bareKey, OUT: out });
  const againExit = await again.exited;
  t.equal(againExit, 0, `the tour exits 0 for a new merchant${againExit === 0 ? '' : `:\n${again.out()}\n${again.err()}`}`);
  t.match(again.out(), /"number":"F-1"/, 'its own series starts at F-1');
  t.match(again.out(), /"status":"paid"/);

  // The payments tour, on the same merchant: choices, the sample bank file, an invoice paid by hand.
  const payments = start(t, 'bash', ['scripts/tour-payments.sh'], { API: api, KEY: key });
  const paymentsExit = await payments.exited;
  t.equal(paymentsExit, 0, `the payments tour exits 0${paymentsExit === 0 ? '' : `:\n${payments.out()}\n${payments.err()}`}`);
  const finalInvoice = JSON.parse(payments.out().trim().split('\n').at(-1)!);
  t.match(finalInvoice, { object: 'invoice', status: 'paid' }, 'the payments tour ends with the invoice paid');
  t.match(payments.out(), /"object":"choice_change"/, 'it shows the choices history');
  t.match(payments.out(), /"object":"payment_file".*"status":"completed"/, 'the sample file is booked');

  // Every event the tours caused reaches the listener, verified.
  const expected = ['customer.created', 'customer.updated', 'product.created', 'price.created', 'subscription.created', 'invoice.created', 'invoice.finalized', 'invoice.paid', 'subscription.updated'];
  expected.push('payment_method.changed', 'delivery.changed', 'payment.received', 'payment.unmatched', 'payment.assigned');
  const lines = () =>
    listener
      .out()
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as { verified: boolean; status?: number; event?: { id: string; type: string } });
  await until('every event at the listener', () => expected.every((type) => lines().some((l) => l.event?.type === type)) || undefined);
  t.ok(lines().every((l) => l.verified && l.status === 200), 'every delivery verified and answered 200');
  const ids = lines().map((l) => l.event!.id);
  const events = (await (await fetch(`${api}/v1/events?limit=100`, { headers: { authorization: `Bearer ${key}` } })).json()) as { data: { id: string }[] };
  t.same(new Set(ids), new Set(events.data.map((e) => e.id)), 'the listener got exactly the merchant’s events');

  // A forged delivery is refused and reported.
  const forged = await fetch(listenUrl!, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'webhook-id': 'evt_forged', 'webhook-timestamp': String(Math.floor(Date.now() / 1000)), 'webhook-signature': 'v1,AAAA' },
    body: JSON.stringify({ id: 'evt_forged', type: 'invoice.paid' }),
  });
  t.equal(forged.status, 400, 'a forged signature is refused');
  await until('the refusal printed', () => lines().some((l) => !l.verified) || undefined);
  t.match(lines().find((l) => !l.verified), { verified: false, webhook_id: 'evt_forged' });

  // --forward-to passes each verified delivery on, body and signature unchanged, and answers with
  // the handler's status (so a failing handler gets the retry schedule).
  const handler = await startReceiver(t, () => new Date());
  handler.respond({ status: 500 });
  const forwarder = start(t, process.execPath, ['scripts/webhooks-listen.ts', '--api', api, '--key', key, '--json', '--events', 'customer.created', '--forward-to', handler.url], {});
  await until('the forwarding listener', () => /Listening on/.test(forwarder.err()) || undefined);
  const created = await fetch(`${api}/v1/customers`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', 'idempotency-key': 'tour-forward-1' },
    body: JSON.stringify({ name: 'Örjan Ödmark "test" <åäö>' }),
  });
  t.equal(created.status, 201);
  const forwardedLines = () => forwarder.out().split('\n').filter(Boolean).map((l) => JSON.parse(l) as { verified: boolean; status: number; event: { id: string } });
  await until('a retried, forwarded delivery', () => (forwardedLines().length >= 2 ? true : undefined), 20_000);
  t.same(forwardedLines().map((l) => [l.verified, l.status]), [[true, 500], [true, 200]], 'the handler’s 500 was answered, then the retry went through');
  t.equal(handler.received.length, 2);
  t.ok(verifies(/Signing secret: (whsec_\S+)/.exec(forwarder.err())![1]!, handler.received[1]!), 'the forwarded delivery still verifies with the endpoint secret');
  t.match(JSON.parse(handler.received[1]!.body).data.object.name, 'Örjan Ödmark "test" <åäö>');
  forwarder.child.kill('SIGTERM');
  t.equal(await forwarder.exited, 0);

  // Stopped, the listener removes its endpoint.
  listener.child.kill('SIGTERM');
  t.equal(await listener.exited, 0, 'the listener exits 0 on SIGTERM');
  t.match(listener.err(), `Removed webhook endpoint ${endpointId}`);
  const gone = await fetch(`${api}/v1/webhook-endpoints/${endpointId}`, { headers: { authorization: `Bearer ${key}` } });
  const goneBody = (await gone.json()) as { status?: string };
  t.ok(gone.status === 404 || goneBody.status === 'deleted', `the endpoint is gone (${gone.status} ${JSON.stringify(goneBody).slice(0, 100)})`);

  // The dunning tour, on the same merchant: a test clock walks an unpaid invoice through every step
  // to the collection agency; the e-mails are kept (no SMTP_URL) and the claim handed over.
  const dunning = start(t, 'bash', ['scripts/tour-dunning.sh'], { API: api, KEY: key });
  const dunningExit = await dunning.exited;
  t.equal(dunningExit, 0, `the dunning tour exits 0${dunningExit === 0 ? '' : `:\n${dunning.out()}\n${dunning.err()}`}`);
  const dunningLines = dunning.out().trim().split('\n');
  t.match(JSON.parse(dunningLines.at(-1)!), { status: 'in_collection', amount_remaining: 49900 }, 'the dunning tour ends with the invoice in collection');
  const dunningCase = JSON.parse(dunningLines.find((l) => l.startsWith('{"object":"dunning_case"'))!);
  t.match(dunningCase, { status: 'escalated', reminder_fee: 6000 });
  t.same(dunningCase.messages.map((m: { step: string }) => m.step), ['pre_due', 'due_date', 'reminder_1', 'reminder_2'], 'every message step, in order');
  t.ok(dunningCase.messages.every((m: { status: string; channel: string }) => m.status === 'stored' && m.channel === 'email'), 'each e-mail stored as .eml (no SMTP_URL)');
  t.same(
    dunningCase.messages.map((m: { sent_at: string }) => m.sent_at),
    ['2026-03-30T06:00:00.000Z', '2026-04-01T08:00:00.000Z', '2026-04-08T06:00:00.000Z', '2026-04-15T06:00:00.000Z'],
    'Monday 08:00 after the Sunday; the 10:00 cut-off; past Easter; 14 days on',
  );
  t.equal(dunningCase.escalated_at, '2026-04-29T06:00:00.000Z');
  const escalated = JSON.parse(dunningLines.find((l) => l.includes('"type":"collection.escalated"'))!);
  t.match(escalated.data.object.claim, { principal: 49900, reminder_fee: 6000, interest: 383, interest_rate_bp: 1000, total: 56283 }, 'fee and interest to the escalation day');
  t.match(escalated.data.object.agency, { name: 'Snäll Inkasso AB' });
  const eml = readFileSync(join(messageDir, readdirSync(messageDir)[0]!, `${dunningCase.messages[3].id}.eml`), 'utf8');
  t.match(eml, `Message-ID: <${dunningCase.messages[3].id}@`, 'the second reminder is an .eml file (one merchant directory) with its stable Message-ID');
  t.match(dunning.out(), /Dröjsmålsränta \(10,00\s%\): 1,91\skr/, 'the second reminder shows the interest');

  // The e-invoicing tour: a company customer, an invoice, its UBL (valid offline), sent once.
  const einvoice = start(t, 'bash', ['scripts/tour-peppol.sh'], { API: api, KEY: key, OUT: out });
  const einvoiceExit = await einvoice.exited;
  t.equal(einvoiceExit, 0, `the e-invoicing tour exits 0${einvoiceExit === 0 ? '' : `:\n${einvoice.out()}\n${einvoice.err()}`}`);
  t.match(einvoice.out(), /faktura\.xml: valid/, 'its UBL passes schema and rules');
  t.match(einvoice.out(), /"type":"invoice.sent"/, 'and the worker sent it');
  t.match(readFileSync(join(out, 'faktura.xml'), 'utf8'), /<cbc:EndpointID schemeID="0007">5560360793<\/cbc:EndpointID>/);

  // The payment plan tour: two invoices in three instalments on a test clock; one paid, one missed.
  const plans = start(t, 'bash', ['scripts/tour-plans.sh'], { API: api, KEY: key });
  const plansExit = await plans.exited;
  t.equal(plansExit, 0, `the payment plan tour exits 0${plansExit === 0 ? '' : `:\n${plans.out()}\n${plans.err()}`}`);
  const planLines = plans.out().trim().split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l));
  t.match(planLines.find((l) => l.object === 'payment_plan_offer'), { principal: 49900, fee: 17000, total: 66900 }, 'the offer over the first invoice shows the merchant’s fee');
  t.match(planLines.find((l) => l.status === 'active' && l.instalments), { fee: 17000, total: 96900, instalments: [{ amount: 32300, due_date: '2026-05-18' }, { amount: 32300, due_date: '2026-06-18' }, { amount: 32300, due_date: '2026-07-20' }] });
  t.match(planLines.find((l) => l.missed_instalment !== undefined), { status: 'defaulted', missed_instalment: 2, amount_paid: 32300, instalments: ['paid', 'missed', 'canceled'] });
  t.match(planLines.filter((l) => l.amount_payment_plan !== undefined).slice(-2), [{ status: 'partially_paid', amount_remaining: 17600, amount_payment_plan: 32300 }, { status: 'open', amount_remaining: 30000, amount_payment_plan: 0 }], 'the paid part settled the earlier invoice');
  t.match(planLines.at(-1), { status: 'active', sent: ['due_date', 'reminder_1'] }, 'the invoices’ reminders went on');

  server.child.kill('SIGTERM');
  t.equal(await server.exited, 0, 'the service stops cleanly');
});

t.test('the README shows the tour scripts as they are', async (t) => {
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  for (const [marker, file] of [['tour', 'scripts/tour.sh'], ['tour-payments', 'scripts/tour-payments.sh'], ['tour-dunning', 'scripts/tour-dunning.sh'], ['tour-peppol', 'scripts/tour-peppol.sh'], ['tour-plans', 'scripts/tour-plans.sh']]) {
    const script = readFileSync(join(root, file!), 'utf8');
    const block = new RegExp(`<!-- ${marker}:start[^>]*-->\\n\`\`\`sh\\n([\\s\\S]*?)\`\`\`\\n<!-- ${marker}:end -->`).exec(readme);
    t.ok(block, `the README has the ${marker} block`);
    t.equal(block?.[1], script, `README ${marker} = ${file} (copy it over after editing the script)`);
  }
});
