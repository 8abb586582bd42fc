import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { problemResponses } from '../../http/schemas.ts';
import type { AnalyticsService } from './service.ts';
import { ReminderAnalytics, RemindersQuery, toGroupResource } from './contract.ts';

const tags = ['Analytics'];

export const analyticsRoutes =
  (deps: { analytics: Pick<AnalyticsService, 'reminders'> }): FastifyPluginAsyncTypebox =>
  async (app) => {
    const { analytics } = deps;

    app.get('/v1/analytics/reminders', {
      schema: {
        operationId: 'getReminderAnalytics',
        summary: 'What reminders achieved',
        description: [
          'Per step, policy, tone or channel: the reminders delivered in [from, to) and what became of their invoices and customers, counted from the rows as they are now (figures of recent messages still grow).',
          '**Delivered**: a message with status `sent` or `stored`; a bounced e-mail is not, its fallback message (`fallback_of`) is, in its own channel. Queued and failed messages are left out.',
          '**Paid** means paid in full (the invoice’s status is `paid`), on the booking date of the last payment applied to it (`payments.date`, the day the money arrived); an invoice settled only by a credit note or customer credit is not counted as paid. A payment dated before the message’s day counts as day 0.',
          '**Within 2 bank days**: paid on or before the 2nd Swedish bank day after the day the message went out (its business time in the merchant’s time zone); weekends, public holidays, midsommarafton, julafton and nyårsafton are not bank days, and the message’s own day never counts as one. **Within 7 days**: on or before the 7th calendar day after it.',
          'Each invoice counts once per group, from its first delivered message in the group; with `group_by=step` that is its one message at that step.',
          '**Escalated**: the invoice was handed to the collection agency (`collection.escalated`, status `in_collection`) at or after that message’s business time.',
          '**Churned within 90 days**: the customer (counted once per group, from their first message in it) had a subscription not yet ended at the message and, 90 days (of 24 hours) later, none that has not ended.',
          'Rates are in basis points of their denominator. `from` must come before `to`, at most 24 months apart (400 naming the field).',
        ].join('\n\n'),
        tags,
        querystring: RemindersQuery,
        response: { 200: ReminderAnalytics, ...problemResponses('validation_failed') },
      },
      handler: async (req) => {
        const r = await analytics.reminders(req.caller, { from: req.query.from, to: req.query.to, groupBy: req.query.group_by ?? 'step' });
        return {
          object: 'reminder_analytics' as const,
          livemode: req.principal.livemode,
          from: r.from,
          to: r.to,
          group_by: r.groupBy,
          time_zone: r.timeZone,
          groups: r.groups.map(toGroupResource),
        };
      },
    });
  };
