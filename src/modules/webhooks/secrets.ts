// Webhook signing secrets at rest. The merchant must be able to reveal a secret and we must sign
// with it, so it cannot be hashed; it is sealed instead (AES-256-GCM under SECRETS_KEY, see
// src/kernel/secret-box.ts), bound to its endpoint, so the database alone never gives it away.
// Rows from before encryption at rest hold the plaintext `whsec_…`: they are read as they are and
// sealed at start-up (sealStoredSecrets 'plaintext') or by `npm run secrets:rotate` ('all').
import type { Db } from '../../db/client.ts';
import { isSealed, needsReseal, open, parseKeyring, seal, SecretBoxError, type Keyring } from '../../kernel/secret-box.ts';
import * as store from './store.ts';

const PLAINTEXT_PREFIX = 'whsec_';

export type SecretVault = ReturnType<typeof createSecretVault>;

/** Seals and opens one endpoint's secrets. Without a key, every use fails (nothing is ever stored unsealed). */
export function createSecretVault(secretsKey: string | undefined) {
  const ring: Keyring | undefined = secretsKey ? parseKeyring(secretsKey) : undefined;
  const keyring = (): Keyring => {
    if (!ring) throw new SecretBoxError('SECRETS_KEY is not configured: webhook signing secrets cannot be sealed or opened');
    return ring;
  };
  // What a sealed secret is bound to: copied onto another endpoint's row, it does not open.
  const context = (merchantId: string, endpointId: string) => `webhook_endpoints:${merchantId}:${endpointId}`;

  const sealFor = (merchantId: string, endpointId: string, secret: string): string => seal(keyring(), secret, context(merchantId, endpointId));

  /** The secret in a stored value: sealed, or plaintext from before encryption at rest. */
  function openFor(merchantId: string, endpointId: string, stored: string): string {
    if (!isSealed(stored) && stored.startsWith(PLAINTEXT_PREFIX)) return stored;
    try {
      return open(keyring(), stored, context(merchantId, endpointId));
    } catch (e) {
      if (e instanceof SecretBoxError) throw new SecretBoxError(`webhook endpoint ${endpointId} of ${merchantId}: ${e.message}`);
      throw e;
    }
  }

  return {
    /** The id of the key that seals now. */
    currentKeyId: () => keyring().current,
    seal: sealFor,
    open: openFor,
    /** The stored value sealed under the current key (unchanged when it already is). */
    reseal: (merchantId: string, endpointId: string, stored: string): string =>
      needsReseal(keyring(), stored) ? sealFor(merchantId, endpointId, openFor(merchantId, endpointId, stored)) : stored,
  };
}

export type SealReport = { resealed: number; failed: Array<{ merchantId: string; endpointId: string; error: string }> };

/**
 * Seals stored secrets under the current key, endpoint by endpoint (deleted ones too): only the
 * plaintext ones ('plaintext', at start-up), or every one not sealed under the current key ('all',
 * the rotation script). Each row is replaced only if it still holds what was read, so an API
 * rotation or another process doing the same at the same time is never overwritten.
 */
export async function sealStoredSecrets(db: Db, vault: SecretVault, which: 'plaintext' | 'all'): Promise<SealReport> {
  const filter: store.SecretFilter = which === 'plaintext' ? { plaintextPrefix: PLAINTEXT_PREFIX } : { notSealedUnder: `enc:v1:${vault.currentKeyId()}:` };
  const report: SealReport = { resealed: 0, failed: [] };
  const failed = new Set<string>();
  // A row changed under us is looked at again in the next pass (it rarely still needs sealing).
  for (let pass = 0; pass < 3; pass++) {
    let after: { merchantId: string; id: string } | undefined;
    let conflicts = 0;
    for (;;) {
      const rows = await store.listStoredSecrets(db, filter, after, 500);
      if (rows.length === 0) break;
      for (const r of rows) {
        after = { merchantId: r.merchantId, id: r.id };
        const k = `${r.merchantId}/${r.id}`;
        if (failed.has(k)) continue;
        let next: { secret: string; previousSecret: string | null };
        try {
          next = {
            secret: vault.reseal(r.merchantId, r.id, r.secret),
            previousSecret: r.previousSecret === null ? null : vault.reseal(r.merchantId, r.id, r.previousSecret),
          };
        } catch (e) {
          if (!(e instanceof SecretBoxError)) throw e;
          failed.add(k);
          report.failed.push({ merchantId: r.merchantId, endpointId: r.id, error: e.message });
          continue;
        }
        if (await store.replaceStoredSecrets(db, r, next)) report.resealed++;
        else conflicts++;
      }
    }
    if (conflicts === 0) break;
  }
  return report;
}
