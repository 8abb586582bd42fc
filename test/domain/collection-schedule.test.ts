// The collection retry rule as a table: attempts on the due date and 1, 3, 5 days after; a hard
// decline stops at once and asks the customer to act; after the last attempt only a card that kept
// being declined does; a processor failure never does.
import t from 'tap';
import { afterFailure, attemptOffsetDays, MAX_ATTEMPTS } from '../../src/domain/collection-schedule.ts';

t.test('attempt offsets', async (t) => {
  t.same([1, 2, 3, 4].map(attemptOffsetDays), [0, 1, 3, 5]);
  for (const n of [0, 5, -1, 1.5, Number.NaN]) t.equal(attemptOffsetDays(n), null, `attempt ${n}`);
  t.equal(MAX_ATTEMPTS, 4);
});

t.test('after a failed attempt', async (t) => {
  const insufficient = { status: 'declined', code: 'insufficient_funds' } as const;
  const processor = { status: 'failed', code: 'processor_error' } as const;
  const rows: [string, ReturnType<typeof afterFailure>, ReturnType<typeof afterFailure>][] = [
    ['card declined, attempt 1', afterFailure(1, 'card', insufficient), { next: { attemptNumber: 2, offsetDays: 1 }, actionRequired: false }],
    ['card declined, attempt 3', afterFailure(3, 'card', insufficient), { next: { attemptNumber: 4, offsetDays: 5 }, actionRequired: false }],
    ['card declined, last', afterFailure(4, 'card', insufficient), { next: null, actionRequired: true }],
    ['swish declined, last', afterFailure(4, 'swish', insufficient), { next: null, actionRequired: false }],
    ['autogiro declined, last', afterFailure(4, 'autogiro', insufficient), { next: null, actionRequired: false }],
    ['card processor error, last', afterFailure(4, 'card', processor), { next: null, actionRequired: false }],
    ['processor error, attempt 2', afterFailure(2, 'autogiro', processor), { next: { attemptNumber: 3, offsetDays: 3 }, actionRequired: false }],
    ['expired card, attempt 1', afterFailure(1, 'card', { status: 'declined', code: 'expired_card' }), { next: null, actionRequired: true }],
    ['closed Swish account', afterFailure(2, 'swish', { status: 'declined', code: 'swish_account_closed' }), { next: null, actionRequired: true }],
    ['invalid mandate', afterFailure(1, 'autogiro', { status: 'declined', code: 'mandate_invalid' }), { next: null, actionRequired: true }],
    ['a hard code as a failure is retried', afterFailure(1, 'card', { status: 'failed', code: 'expired_card' }), { next: { attemptNumber: 2, offsetDays: 1 }, actionRequired: false }],
  ];
  for (const [what, got, want] of rows) t.same(got, want, what);
});
