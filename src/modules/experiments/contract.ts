// The experiment resource, its bodies, its results and the list query.
import { Type, type Static } from 'typebox';
import { Id, ListOf, ListQuery, Metadata, Nullable, Timestamp } from '../../http/schemas.ts';
import { TONES } from '../../domain/dunning-policy.ts';
import { EXPERIMENT_STATUSES } from './schema.ts';
import type { ExperimentRow } from './store.ts';
import type { ExperimentResults } from './service.ts';

const EXP = 'exp_01KB2Y5M8Q0ZC3V1S7N4D6F9XA';

const ArmFields = {
  key: Type.String({ pattern: '^[a-z0-9_]{1,40}$', description: 'Unique within the experiment; the first arm is the control the others are compared with' }),
  policy: Nullable(Id('dunningPolicy', 'The dunning policy its customers’ new reminder processes follow; null: the merchant’s default')),
  tone: Nullable(Type.Enum(TONES, { description: 'The tone of every message its customers get, whatever the step says; null: each step’s own tone' })),
};

export const Arm = Type.Object({ ...ArmFields, weight: Type.Integer({ minimum: 1, maximum: 1000, description: 'Its share of customers: weight / the sum of weights' }) }, { additionalProperties: false });

export const Experiment = Type.Object(
  {
    id: Id('experiment'),
    object: Type.Literal('experiment'),
    livemode: Type.Boolean(),
    name: Type.String(),
    status: Type.Enum(EXPERIMENT_STATUSES, { description: 'running: customers are split over the arms; stopped: everyone gets the winner, until another experiment starts' }),
    arms: Type.Array(Arm, { description: 'In order; the first is the control' }),
    winner: Nullable(Type.String({ description: 'The arm chosen when it was stopped' })),
    metadata: Metadata,
    created: Timestamp('When it was created (and started)'),
    stopped_at: Nullable(Timestamp('When it was stopped')),
  },
  {
    $id: 'Experiment',
    description:
      'A tone or policy experiment: the merchant’s customers without a dunning policy of their own are split over the arms by a stable hash of the experiment and customer ids (the same customer always lands in the same arm), and get the arm’s policy for reminder processes that start while it runs and the arm’s tone in every message.',
    examples: [
      {
        id: EXP,
        object: 'experiment',
        livemode: false,
        name: 'Friendly or firm second reminder',
        status: 'running',
        arms: [
          { key: 'control', policy: null, tone: null, weight: 1 },
          { key: 'friendly', policy: null, tone: 'friendly', weight: 1 },
        ],
        winner: null,
        metadata: {},
        created: '2026-12-01T09:00:00.000Z',
        stopped_at: null,
      },
    ],
  },
);

export const CreateExperimentBody = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 200 }),
    arms: Type.Array(Type.Object({ ...ArmFields, weight: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 1, description: 'Its share (default 1: equal shares)' })) }, { additionalProperties: false }), {
      minItems: 2,
      maxItems: 10,
      description: 'Two to ten arms; the first is the control',
    }),
    metadata: Type.Optional(Metadata),
  },
  {
    additionalProperties: false,
    examples: [{ name: 'Friendly or firm', arms: [{ key: 'control', policy: null, tone: null }, { key: 'firm', policy: null, tone: 'firm' }] }],
  },
);
export type CreateExperimentInput = Static<typeof CreateExperimentBody>;

export const StopExperimentBody = Type.Object(
  { winner: Type.String({ pattern: '^[a-z0-9_]{1,40}$', description: 'The key of the arm everyone gets from now on' }) },
  { additionalProperties: false, examples: [{ winner: 'friendly' }] },
);

export const ExperimentParams = Type.Object({ id: Id('experiment', 'The experiment id') });
export const ListExperimentsQuery = Type.Object(
  { ...ListQuery, status: Type.Optional(Type.Enum(EXPERIMENT_STATUSES)), starting_after: Type.Optional(Id('experiment')), ending_before: Type.Optional(Id('experiment')) },
  { additionalProperties: false },
);
export const ExperimentList = ListOf(Experiment, 'A page of experiments, newest first');

const Count = (description: string) => Type.Integer({ minimum: 0, description });
const Bp = (description: string) => Type.Integer({ description: `${description}, in basis points (100 = 1 percentage point)` });

export const ExperimentResultsSchema = Type.Object(
  {
    object: Type.Literal('experiment_results'),
    experiment: Id('experiment'),
    status: Type.Enum(EXPERIMENT_STATUSES),
    arms: Type.Array(
      Type.Object(
        {
          key: Type.String(),
          customers: Count('Sample size: customers reminded while it ran, each counted from their first such message'),
          messages: Count('Messages delivered to them under the experiment (sent or stored)'),
          invoices_reminded: Count('Invoices those messages covered'),
          paid_within_2_bank_days: Count('Customers every invoice of whose first message was paid in full within 2 bank days of it (the outcome compared)'),
          paid_within_2_bank_days_rate_bp: Nullable(Type.Integer({ minimum: 0, maximum: 10_000, description: 'Of customers, in basis points' })),
          invoices_paid_within_2_bank_days: Count('Invoices paid in full within 2 bank days of their first message under the experiment'),
          churned_within_90_days: Count('Customers with a live subscription at their first message and none 90 days later'),
          churned_within_90_days_rate_bp: Nullable(Type.Integer({ minimum: 0, maximum: 10_000, description: 'Of customers, in basis points' })),
        },
        { additionalProperties: false },
      ),
      { description: 'In the experiment’s order; the first is the control' },
    ),
    comparisons: Type.Array(
      Type.Object(
        {
          arm: Type.String(),
          control: Type.String(),
          difference_bp: Bp('Paid within 2 bank days: the arm’s rate minus the control’s'),
          ci_95_low_bp: Bp('95 % confidence interval of the difference, low end (unpooled standard error)'),
          ci_95_high_bp: Bp('High end'),
          z: Type.Number({ description: 'The two-proportion z statistic (pooled standard error), 4 decimals' }),
          p_value: Type.Number({ minimum: 0, maximum: 1, description: 'Two-sided, 4 decimals' }),
          too_small_to_tell: Type.Boolean({ description: 'An arm has no customers, or fewer than 10 expected successes or failures at the pooled rate: the interval is not to be trusted yet' }),
        },
        { additionalProperties: false },
      ),
      { description: 'Each arm after the first against the first' },
    ),
  },
  {
    $id: 'ExperimentResults',
    description:
      'Per arm, counted from the rows as they are now (after a stop too: the messages sent while it ran keep their outcomes, which mature as payments and cancellations come in).',
    examples: [
      {
        object: 'experiment_results',
        experiment: EXP,
        status: 'running',
        arms: [
          { key: 'control', customers: 400, messages: 610, invoices_reminded: 415, paid_within_2_bank_days: 160, paid_within_2_bank_days_rate_bp: 4000, invoices_paid_within_2_bank_days: 168, churned_within_90_days: 24, churned_within_90_days_rate_bp: 600 },
          { key: 'friendly', customers: 400, messages: 540, invoices_reminded: 412, paid_within_2_bank_days: 220, paid_within_2_bank_days_rate_bp: 5500, invoices_paid_within_2_bank_days: 229, churned_within_90_days: 14, churned_within_90_days_rate_bp: 350 },
        ],
        comparisons: [{ arm: 'friendly', control: 'control', difference_bp: 1500, ci_95_low_bp: 816, ci_95_high_bp: 2184, z: 4.2478, p_value: 0, too_small_to_tell: false }],
      },
    ],
  },
);

export function toExperimentResource(row: ExperimentRow, livemode: boolean): Static<typeof Experiment> {
  return {
    id: row.id,
    object: 'experiment',
    livemode,
    name: row.name,
    status: row.status,
    arms: row.arms,
    winner: row.winner,
    metadata: row.metadata,
    created: row.createdAt.toISOString(),
    stopped_at: row.stoppedAt?.toISOString() ?? null,
  };
}

const bp = (x: number) => Math.round(x * 10_000);
const round4 = (x: number) => Math.round(x * 10_000) / 10_000;

export function toResultsResource(r: ExperimentResults): Static<typeof ExperimentResultsSchema> {
  return {
    object: 'experiment_results',
    experiment: r.experimentId,
    status: r.status,
    arms: r.arms.map((a) => ({
      key: a.key,
      customers: a.customers,
      messages: a.messages,
      invoices_reminded: a.invoicesReminded,
      paid_within_2_bank_days: a.paidWithin2BankDays,
      paid_within_2_bank_days_rate_bp: a.paidRateBp,
      invoices_paid_within_2_bank_days: a.invoicesPaidWithin2BankDays,
      churned_within_90_days: a.churnedWithin90Days,
      churned_within_90_days_rate_bp: a.churnRateBp,
    })),
    comparisons: r.comparisons.map((c) => ({
      arm: c.arm,
      control: c.control,
      difference_bp: bp(c.test.difference),
      ci_95_low_bp: bp(c.test.ci95.low),
      ci_95_high_bp: bp(c.test.ci95.high),
      z: round4(c.test.z),
      p_value: round4(c.test.pValue),
      too_small_to_tell: c.test.tooSmallToTell,
    })),
  };
}
