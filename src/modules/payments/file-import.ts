// Bank-file import (POST /v1/payment-files): the file is parsed on upload, so a malformed file or
// one paid to another bankgiro is refused at once and nothing is stored; a good file is stored
// (bytes + sha256, once per merchant) with its import job on the same transaction. The job records
// the file's payments through the payments core (recordBatch) in batches, each batch and the
// progress that counts it in one transaction: a worker killed mid-import resumes after the last
// committed batch, and every transaction carries its bank key (externalKey), so nothing is
// recorded twice, whether the same file, an overlapping file, or two workers on one file.
//
// Deductions (BgMax TK21, camt.054 debit entries) are counted and totalled on the file and left
// for manual handling: they are money leaving the account, not a payment of an invoice.
import { createHash } from 'node:crypto';
import type { Db, Tx } from '../../db/client.ts';
import { newId } from '../../db/ids.ts';
import { inTransaction, openTransaction, queryableFor, type Caller } from '../../db/unit-of-work.ts';
import { toPage, type Page, type PageParams } from '../../db/page.ts';
import type { Clock } from '../../clock.ts';
import { DomainError } from '../../kernel/errors.ts';
import type { JobSender } from '../../jobs/queue.ts';
import type { MerchantService } from '../merchants/service.ts';
import { parseBankGiroDigits } from './file-accounts.ts';
import { parseBankFile, type BankTransaction, type ParseError, type ParsedBankFile } from './files/bank-file.ts';
import type { PaymentInput, PaymentService } from './service.ts';
import * as store from './file-store.ts';
import type { PaymentFileRow } from './file-store.ts';

export type PaymentFileDeps = {
  db: Db;
  clock: Clock;
  jobs: JobSender;
  merchants: Pick<MerchantService, 'get'>;
  payments: Pick<PaymentService, 'recordBatch'>;
  // A file read in full: the day's due-date reminders need not wait for the cut-off.
  dunning: { paymentsRead(tx: Tx, merchantId: string): Promise<void> };
  /** Payments recorded per transaction (PAYMENT_FILE_BATCH_SIZE). */
  batchSize?: number;
};

function where(e: { line?: number | undefined; path?: string | undefined }): string {
  return e.line !== undefined ? `line ${e.line}` : e.path !== undefined ? e.path : 'the file';
}

function fileInvalid(e: ParseError): DomainError {
  const at = where(e);
  return new DomainError('payment_file_invalid', `${at}: ${e.reason}`, {
    errors: [{ field: 'body', location: 'body', message: `${at}: ${e.reason}` }],
    fileError: { ...(e.line !== undefined ? { line: e.line } : {}), ...(e.path !== undefined ? { path: e.path } : {}), reason: e.reason },
  });
}

const formatBankgiro = (digits: string) => `${digits.slice(0, -4)}-${digits.slice(-4)}`;

/** The external key of a bank transaction: format and payee account first, so keys of two banks never meet. */
export function externalKeyOf(format: ParsedBankFile['format'], t: BankTransaction): string {
  return `${format}/${t.payeeAccount}/${t.key}`;
}

/** A bank transaction as the payments core records it. */
export function toPaymentInput(file: { id: string; format: ParsedBankFile['format'] }, t: BankTransaction): PaymentInput {
  return {
    amount: t.amount,
    currency: t.currency,
    date: t.bookingDate,
    method: file.format === 'bgmax' ? 'bankgiro' : 'bank_transfer',
    reference: t.reference.type === 'none' ? null : t.reference.value,
    payer: { name: t.payer.name, nationalId: t.payer.organisationNumber, bankgiro: t.payer.bankgiro, account: t.payer.account },
    externalKey: externalKeyOf(file.format, t),
    metadata: { payment_file: file.id },
  };
}

export function createPaymentFileService(deps: PaymentFileDeps) {
  const { db, clock, jobs, merchants, payments } = deps;
  const batchSize = deps.batchSize ?? 2000;

  /** Every payee account of the file must be the merchant's: a BgMax payee bankgiro, a camt.054 account that is a bankgiro. */
  function checkPayee(file: ParsedBankFile, merchantBankgiro: string | null): void {
    const own = merchantBankgiro ? merchantBankgiro.replace(/\D/g, '') : null;
    for (const account of file.payeeAccounts) {
      const bankgiro = file.format === 'bgmax' ? account : parseBankGiroDigits(account);
      if (bankgiro === null || bankgiro === own) continue; // an IBAN: merchants have no IBAN setting to compare with
      const deposit = file.deposits.find((d) => d.payeeAccount === account);
      const at = deposit?.source ?? {};
      throw fileInvalid({
        ...at,
        reason: own
          ? `the file is paid to bankgiro ${formatBankgiro(bankgiro)}, not this merchant's bankgiro ${formatBankgiro(own)}`
          : `the file is paid to bankgiro ${formatBankgiro(bankgiro)}, and this merchant has no bankgiro (set it with PATCH /v1/merchant)`,
      });
    }
  }

  async function upload(caller: Caller, input: { content: Buffer; contentType?: string | undefined }): Promise<{ file: PaymentFileRow; created: boolean }> {
    if (input.content.length === 0) throw fileInvalid({ line: 1, reason: 'the body is empty: send the bank file itself as the body' });
    const parsed = parseBankFile(input.content, input.contentType);
    if (!parsed.ok) throw fileInvalid(parsed.error);
    const f = parsed.file;
    const sha256 = createHash('sha256').update(input.content).digest('hex');
    return inTransaction(db, caller, async (tx) => {
      const merchant = await merchants.get({ merchantId: caller.merchantId, tx });
      checkPayee(f, merchant.bankgiro);
      const existing = await store.findBySha256(tx, caller.merchantId, sha256);
      if (existing) return { file: existing, created: false };
      const now = clock.now();
      const payments = f.transactions.filter((t) => t.kind === 'payment');
      const row = await store.insertFile(tx, {
        merchantId: caller.merchantId,
        id: newId('paymentFile'),
        livemode: caller.livemode,
        status: payments.length === 0 ? 'completed' : 'processing',
        format: f.format,
        version: f.version,
        contentType: input.contentType ?? null,
        sha256,
        size: input.content.length,
        content: input.content,
        payeeAccounts: f.payeeAccounts,
        fileCreatedAt: f.createdAt,
        isTest: f.isTest,
        paymentCount: payments.length,
        paymentAmount: f.totals.amount,
        deductionCount: f.totals.deductionCount,
        deductionAmount: f.totals.deductionAmount,
        transactionsDone: 0,
        matchedCount: 0,
        matchedAmount: 0,
        unmatchedCount: 0,
        unmatchedAmount: 0,
        duplicateCount: 0,
        duplicateAmount: 0,
        lastError: null,
        createdAt: now,
        updatedAt: now,
        completedAt: payments.length === 0 ? now : null,
      });
      // Another request stored the same file meanwhile (it committed while this insert waited).
      if (!row) return { file: (await store.findBySha256(tx, caller.merchantId, sha256))!, created: false };
      if (row.status === 'processing') await jobs.send(tx, 'payment-file-import', { merchantId: row.merchantId, fileId: row.id });
      else await deps.dunning.paymentsRead(tx, row.merchantId);
      return { file: row, created: true };
    });
  }

  /**
   * The import job: records the payments after `transactions_done`, one batch per transaction,
   * under the file's row lock (so two workers on one file take turns and never record a batch
   * twice). Safe to run again at any point.
   */
  async function importFile(merchantId: string, fileId: string): Promise<void> {
    const file = await store.findFile(db, merchantId, fileId);
    if (!file || file.status !== 'processing') return;
    const content = await store.fileContent(db, merchantId, fileId);
    const parsed = parseBankFile(content!, file.contentType ?? undefined);
    if (!parsed.ok) {
      // Cannot happen for a file that parsed on upload, unless the parser changed since.
      await store.updateFile(db, merchantId, fileId, { status: 'failed', lastError: `${where(parsed.error)}: ${parsed.error.reason}`.slice(0, 500), updatedAt: clock.now() });
      return;
    }
    const list = parsed.file.transactions.filter((t) => t.kind === 'payment');
    const tenant = { merchantId, livemode: file.livemode };
    for (;;) {
      const more = await openTransaction(db, async (tx) => {
        const f = await store.findFile(tx, merchantId, fileId, { forUpdate: true });
        if (!f || f.status !== 'processing') return false;
        const now = clock.now();
        const start = f.transactionsDone;
        const slice = list.slice(start, start + batchSize);
        const results = slice.length > 0 ? await payments.recordBatch(tx, tenant, slice.map((t) => toPaymentInput(f, t))) : [];
        const c = { matchedCount: f.matchedCount, matchedAmount: f.matchedAmount, unmatchedCount: f.unmatchedCount, unmatchedAmount: f.unmatchedAmount, duplicateCount: f.duplicateCount, duplicateAmount: f.duplicateAmount };
        for (const r of results) {
          const amount = r.payment.amount;
          if (r.duplicate) (c.duplicateCount++, (c.duplicateAmount += amount));
          else if (r.payment.status === 'unmatched') (c.unmatchedCount++, (c.unmatchedAmount += amount));
          else (c.matchedCount++, (c.matchedAmount += amount));
        }
        const done = start + slice.length;
        const finished = done >= list.length;
        await store.updateFile(tx, merchantId, fileId, {
          ...c,
          transactionsDone: done,
          lastError: null,
          updatedAt: now,
          ...(finished ? { status: 'completed' as const, completedAt: now } : {}),
        });
        if (finished) await deps.dunning.paymentsRead(tx, merchantId);
        return !finished;
      });
      if (!more) return;
    }
  }

  return {
    upload,
    importFile,

    /** Records a failure the job will retry (the import stays `processing`; the next attempt resumes). */
    async noteError(merchantId: string, fileId: string, message: string): Promise<void> {
      await store.updateFile(db, merchantId, fileId, { lastError: message.slice(0, 500), updatedAt: clock.now() });
    },

    async get(caller: Caller, id: string): Promise<PaymentFileRow> {
      const row = await store.findFile(queryableFor(db, caller), caller.merchantId, id);
      if (!row) throw new DomainError('not_found', `No such payment file: ${id}`);
      return row;
    },

    async list(caller: Caller, page: PageParams): Promise<Page<PaymentFileRow>> {
      return toPage(await store.listFiles(queryableFor(db, caller), caller.merchantId, page), page);
    },

    /** Sends a job for every import a crashed process left unfinished (the worker's start-up sweep). */
    async resumeInterrupted(): Promise<number> {
      const files = await store.listProcessing(db, 1000);
      if (files.length === 0) return 0;
      await openTransaction(db, async (tx) => {
        for (const f of files) await jobs.send(tx, 'payment-file-import', { merchantId: f.merchantId, fileId: f.id });
      });
      return files.length;
    },
  };
}
export type PaymentFileService = ReturnType<typeof createPaymentFileService>;
