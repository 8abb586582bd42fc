// A reminder that bounces: delivery_bounced, and the reminder counted once (its webhook fallback
// reached the customer's systems; the bounced e-mail did not reach anyone).
import t from 'tap';
import { messageWorld } from '../messages/helpers.ts';

t.test('a bounced reminder: delivery_bounced, the reminder counted once', async (t) => {
  const w = await messageWorld(t, { rcpt: (to) => (to.startsWith('bounce') ? { code: 550, message: '5.1.1 No such user' } : undefined) });
  const c = await w.customer({ email: 'bounce@example.se' });
  const inv = await w.invoice(c.id);
  await w.enqueue(w.reminder(c, [inv]));
  await w.services.messages.runOnce();
  t.same((await w.api('GET', '/v1/messages?status=bounced')).json.data.length, 1, 'the e-mail bounced');
  const risk = await w.services.churnRisk.recompute(w.m.id, c.id);
  const codes = Object.fromEntries(risk.reasons.map((r) => [r.code, r.contribution]));
  t.equal(codes.delivery_bounced, 10);
  t.equal(codes.reminder, 6, 'one reminder: the fallback, not the bounce as well');
  t.equal(risk.reasons.find((r) => r.code === 'delivery_bounced')?.detail, 'a message to them bounced');
});
