// The churn risk resource, as GET /v1/customers/{id}/churn-risk returns it and
// customer.churn_risk_changed carries it.
import { Type } from 'typebox';
import { Id, Nullable, Timestamp } from '../../http/schemas.ts';
import { CHURN_RISK_LEVELS, CHURN_RISK_WEIGHT_KEYS, type ChurnRiskLevel } from '../../domain/churn-risk.ts';
import type { ChurnRiskRow } from './store.ts';

const Level = (description: string) => Type.Enum(CHURN_RISK_LEVELS, { description });

const Reason = Type.Object(
  {
    code: Type.Enum(CHURN_RISK_WEIGHT_KEYS, { description: 'The signal (and the weight it is scored with)' }),
    contribution: Type.Integer({ minimum: 0, maximum: 100, description: 'Points of the score it adds' }),
    detail: Type.String({ description: 'What was seen, in words', examples: ['2 reminders received'] }),
  },
  { additionalProperties: false },
);

export const ChurnRisk = Type.Object(
  {
    object: Type.Literal('churn_risk'),
    customer: Id('customer'),
    score: Type.Integer({ minimum: 0, maximum: 100, description: 'The sum of the reasons’ contributions, at most 100' }),
    level: Level('low below 30, medium from 30, high from 60'),
    previous_level: Nullable(Level('The level before this change (in customer.churn_risk_changed); null in GET')),
    reasons: Type.Array(Reason, { description: 'What drove the score, largest contribution first' }),
    suggested_action: Nullable(Type.String({ description: 'What to do about it (null when the risk is low)', examples: ['call before the second reminder'] })),
    computed_at: Timestamp('The business time the signals were read as of'),
  },
  {
    $id: 'ChurnRisk',
    additionalProperties: false,
    description: 'A customer’s churn risk: a score 0–100 from signals in billing, payments and dunning, its level and the reasons behind it',
    examples: [
      {
        object: 'churn_risk',
        customer: 'cus_01KB2Y5M8Q0ZC3V1S7N4D6F9XA',
        score: 49,
        level: 'medium',
        previous_level: null,
        reasons: [
          { code: 'reminder_step', contribution: 16, detail: 'an invoice reached a second reminder' },
          { code: 'reminder', contribution: 12, detail: '2 reminders received' },
          { code: 'failed_collection', contribution: 10, detail: '1 collection declined or failed' },
          { code: 'days_late', contribution: 8, detail: 'paid up to 20 days late' },
          { code: 'late_invoice', contribution: 3, detail: '1 invoice paid late or overdue' },
        ],
        suggested_action: 'offer a payment plan',
        computed_at: '2026-11-25T09:00:00.000Z',
      },
    ],
  },
);

export const ChurnRiskParams = Type.Object({ id: Id('customer', 'The customer id') });

export function toChurnRiskResource(row: ChurnRiskRow, previousLevel: ChurnRiskLevel | null = null) {
  return {
    object: 'churn_risk' as const,
    customer: row.customerId,
    score: row.score,
    level: row.level,
    previous_level: previousLevel,
    reasons: row.reasons,
    suggested_action: row.suggestedAction,
    computed_at: row.computedAt.toISOString(),
  };
}
