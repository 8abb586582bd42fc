import type { Db } from '../../db/client.ts';
import { newId } from '../../db/ids.ts';
import { inTransaction, openTransaction, queryableFor, type Caller, type Work } from '../../db/unit-of-work.ts';
import { toPage, type Page, type PageParams } from '../../db/page.ts';
import type { Clock } from '../../clock.ts';
import { DomainError, invalid } from '../../kernel/errors.ts';
import { generateSecret, hashSecret, redactSecret, SECRET_PATTERN } from './keys.ts';
import type { Principal } from '../../kernel/tenant.ts';
import * as store from './store.ts';
import { applySettings, DEFAULT_SETTINGS, type SettingsInput } from './settings.ts';
import type { InvoiceLedger } from '../invoices/ledger.ts';
import { OCR_SERIES } from '../invoices/compose.ts';

export type Merchant = store.MerchantRow;
export type ApiKey = store.ApiKeyRow;

export type AuthResult =
  | { ok: true; principal: Principal }
  | { ok: false; code: 'invalid_api_key' | 'api_key_revoked' };

export function createMerchantService(deps: { db: Db; clock: Clock; ledger: Pick<InvoiceLedger, 'issuedCount'> }) {
  const { db, clock, ledger } = deps;

  async function issueKey(tx: Parameters<typeof store.insertApiKey>[0], merchant: Merchant, name: string | null) {
    const secret = generateSecret(merchant.livemode);
    const key: ApiKey = {
      merchantId: merchant.id,
      id: newId('apiKey'),
      name,
      livemode: merchant.livemode,
      secretHash: hashSecret(secret),
      redacted: redactSecret(secret),
      createdAt: clock.now(),
      revokedAt: null,
    };
    await store.insertApiKey(tx, key);
    return { key, secret };
  }

  return {
    /** Creates a merchant with its first API key; the secret is returned once and never again. */
    async createMerchant(input: { name: string; livemode: boolean }) {
      return openTransaction(db, async (tx) => {
        const merchant: Merchant = { ...DEFAULT_SETTINGS, id: newId('merchant'), name: input.name, livemode: input.livemode, createdAt: clock.now() };
        await store.insertMerchant(tx, merchant);
        const { key, secret } = await issueKey(tx, merchant, 'default');
        return { merchant, key, secret };
      });
    },

    /** The merchant of `scope`, read on its transaction when it has one (other modules use this). */
    async get(scope: Work & { merchantId: string }): Promise<Merchant> {
      const m = await store.findMerchant(queryableFor(db, scope), scope.merchantId);
      if (!m) throw new DomainError('not_found', `No such merchant: ${scope.merchantId}`);
      return m;
    },

    async getMerchant(caller: Caller): Promise<Merchant> {
      const { merchantId } = caller;
      const m = await store.findMerchant(queryableFor(db, caller), merchantId);
      if (!m) throw new DomainError('not_found', `No such merchant: ${merchantId}`);
      return m;
    },

    /** Seller details for invoices and payments: only the fields sent change; all checked at once. */
    async updateSettings(caller: Caller, input: SettingsInput): Promise<Merchant> {
      const { merchantId } = caller;
      return inTransaction(db, caller, async (tx) => {
        const current = await store.findMerchant(tx, merchantId, { forUpdate: true });
        if (!current) throw new DomainError('not_found', `No such merchant: ${merchantId}`);
        const now = clock.now();
        const result = applySettings(current, input, now);
        if (!result.ok) {
          throw invalid(result.errors.map((e) => ({ ...e, location: 'body' as const })));
        }
        // References already issued were built for one control level; switching would let a new
        // reference repeat an old one (000166 is sequence 1 with a length digit, 16 without).
        if (result.value.ocrLengthDigit !== current.ocrLengthDigit && (await ledger.issuedCount(tx, merchantId, OCR_SERIES)) > 0) {
          throw new DomainError('invalid_state', 'ocr_length_digit is fixed once OCR references have been issued (it is agreed with Bankgirot)');
        }
        return store.updateMerchant(tx, { ...result.value, updatedAt: now });
      });
    },

    async hasAnyMerchant(): Promise<boolean> {
      return (await store.countMerchants(db)) > 0;
    },

    async createApiKey(caller: Caller, input: { name?: string | undefined }) {
      const { merchantId } = caller;
      return inTransaction(db, caller, async (tx) => {
        const merchant = await store.findMerchant(tx, merchantId);
        if (!merchant) throw new DomainError('not_found', `No such merchant: ${merchantId}`);
        return issueKey(tx, merchant, input.name ?? null);
      });
    },

    async listApiKeys(caller: Caller, page: PageParams): Promise<Page<ApiKey>> {
      return toPage(await store.listApiKeys(queryableFor(db, caller), caller.merchantId, page), page);
    },

    /** Revoking is final and takes effect on the next request; revoking twice returns the same key. */
    async revokeApiKey(caller: Caller, keyId: string): Promise<ApiKey> {
      const { merchantId } = caller;
      return inTransaction(db, caller, async (tx) => {
        const key = await store.findApiKey(tx, merchantId, keyId);
        if (!key) throw new DomainError('not_found', `No such API key: ${keyId}`);
        if (key.revokedAt) return key;
        return (await store.revokeApiKey(tx, merchantId, keyId, clock.now()))!;
      });
    },

    async authenticate(secret: string): Promise<AuthResult> {
      if (!SECRET_PATTERN.test(secret)) return { ok: false, code: 'invalid_api_key' };
      const key = await store.findApiKeyByHash(db, hashSecret(secret));
      if (!key) return { ok: false, code: 'invalid_api_key' };
      if (key.revokedAt) return { ok: false, code: 'api_key_revoked' };
      return { ok: true, principal: { merchantId: key.merchantId, livemode: key.livemode, keyId: key.id } };
    },
  };
}
export type MerchantService = ReturnType<typeof createMerchantService>;
