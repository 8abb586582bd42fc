// The payment file resource (an imported bank file) as the API shows it.
import { Type, type Static } from 'typebox';
import { Id, ListOf, ListQuery, Nullable, Timestamp } from '../../http/schemas.ts';
import { PAYMENT_FILE_FORMATS, PAYMENT_FILE_STATUSES } from './schema.ts';
import type { PaymentFileRow } from './file-store.ts';

const Money = (description: string) => Type.Integer({ description: `${description}, in minor units (öre)` });
const T = '2026-11-25T09:00:00.000Z';

export const PAYMENT_FILE_MEDIA_TYPES = ['text/plain', 'application/octet-stream', 'application/xml', 'text/xml'] as const;

export const PaymentFileBody = Type.String({
  format: 'binary',
  description:
    'The bank file itself, byte for byte: BgMax (Latin-1, as Bankgirot delivers it) as text/plain or application/octet-stream; camt.054 (.001.02 or .001.08) as application/xml or text/xml. The format is recognised from the content.',
});

export const PaymentFile = Type.Object(
  {
    id: Id('paymentFile'),
    object: Type.Literal('payment_file'),
    livemode: Type.Boolean(),
    status: Type.Enum(PAYMENT_FILE_STATUSES, {
      description: 'processing (the import job is recording its payments), completed (every payment recorded), failed (see last_error)',
    }),
    format: Type.Enum(PAYMENT_FILE_FORMATS),
    version: Type.String({ description: "camt.054 message version ('02', '08'); BgMax layout version ('01')" }),
    sha256: Type.String({ description: 'Of the bytes received: the same file uploaded again is this payment file' }),
    size: Type.Integer({ description: 'Bytes' }),
    payee_accounts: Type.Array(Type.String(), { description: 'What the file was paid to: BgMax payee bankgiros, camt.054 account ids (IBAN or bankgiro)' }),
    file_created_at: Nullable(Type.String({ description: 'When the bank wrote the file, as the file states it' })),
    test_file: Type.Boolean({ description: 'BgMax test marker (T)' }),
    progress: Type.Object(
      {
        payments_total: Type.Integer({ description: 'Payments in the file' }),
        payments_done: Type.Integer({ description: 'Payments recorded so far, in file order' }),
      },
      { description: 'The import job moves payments_done in the same transaction as each batch it records' },
    ),
    counts: Type.Object({
      payments: Type.Integer({ description: 'Payments (money in) in the file' }),
      matched: Type.Integer({ description: 'Recorded and matched (paid an invoice or became customer credit)' }),
      unmatched: Type.Integer({ description: 'Recorded into the unmatched queue (GET /v1/payments?status=unmatched)' }),
      duplicates: Type.Integer({ description: 'Already recorded under the same bank key (another file), not recorded again' }),
      deductions: Type.Integer({ description: 'Deductions (BgMax TK21, camt.054 debits): not recorded, left for manual handling' }),
    }),
    totals: Type.Object({
      file_payments: Money('Sum of the payments, as read from the file'),
      file_deductions: Money('Sum of the deductions, as read from the file'),
      recorded: Money('Sum of the payments recorded by this import (matched + unmatched)'),
      matched: Money('Recorded and matched'),
      unmatched: Money('Recorded into the unmatched queue'),
      duplicates: Money('Already recorded before'),
    }, { description: 'All currencies of the file together (BgMax files are SEK, or rarely have EUR sections)' }),
    last_error: Nullable(Type.String({ description: 'The last error of the import job (it retries; an import resumes where it stopped)' })),
    created_at: Timestamp('When the file was uploaded'),
    updated_at: Timestamp('When the import last progressed'),
    completed_at: Nullable(Timestamp('When every payment was recorded')),
  },
  {
    $id: 'PaymentFile',
    description: 'An imported bank file (BgMax or camt.054) and how its import went: progress, counts and totals, from the file and as recorded',
    examples: [
      {
        id: 'pf_01KB2Y5M8Q0ZC3V1S7N4D6F9XA',
        object: 'payment_file',
        livemode: false,
        status: 'completed',
        format: 'bgmax',
        version: '01',
        sha256: '9c56cc51b374c3ba189210d5b6d4bf57790d351c96c47c02190ecf1e430635ab',
        size: 2025,
        payee_accounts: ['50501055'],
        file_created_at: '2026-11-25T06:30:00.000000',
        test_file: false,
        progress: { payments_total: 3, payments_done: 3 },
        counts: { payments: 3, matched: 2, unmatched: 1, duplicates: 0, deductions: 0 },
        totals: { file_payments: 59700, file_deductions: 0, recorded: 59700, matched: 39800, unmatched: 19900, duplicates: 0 },
        last_error: null,
        created_at: T,
        updated_at: T,
        completed_at: T,
      },
    ],
  },
);
export type PaymentFileResource = Static<typeof PaymentFile>;

export const PaymentFileList = ListOf(PaymentFile, 'Imported bank files, newest first');
export const PaymentFileParams = Type.Object({ id: Id('paymentFile') });
export const ListPaymentFilesQuery = Type.Object(
  { ...ListQuery, starting_after: Type.Optional(Id('paymentFile')), ending_before: Type.Optional(Id('paymentFile')) },
  { additionalProperties: false },
);

export function toPaymentFileResource(r: PaymentFileRow, livemode: boolean): PaymentFileResource {
  return {
    id: r.id,
    object: 'payment_file',
    livemode,
    status: r.status,
    format: r.format,
    version: r.version,
    sha256: r.sha256,
    size: r.size,
    payee_accounts: r.payeeAccounts,
    file_created_at: r.fileCreatedAt,
    test_file: r.isTest,
    progress: { payments_total: r.paymentCount, payments_done: r.transactionsDone },
    counts: { payments: r.paymentCount, matched: r.matchedCount, unmatched: r.unmatchedCount, duplicates: r.duplicateCount, deductions: r.deductionCount },
    totals: {
      file_payments: r.paymentAmount,
      file_deductions: r.deductionAmount,
      recorded: r.matchedAmount + r.unmatchedAmount,
      matched: r.matchedAmount,
      unmatched: r.unmatchedAmount,
      duplicates: r.duplicateAmount,
    },
    last_error: r.lastError,
    created_at: r.createdAt.toISOString(),
    updated_at: r.updatedAt.toISOString(),
    completed_at: r.completedAt ? r.completedAt.toISOString() : null,
  };
}
