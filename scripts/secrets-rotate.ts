// `npm run --silent secrets:rotate` seals every stored secret (today: webhook signing secrets, also
// previous ones in a rotation overlap, also of deleted endpoints) under the first key of
// SECRETS_KEY, opening each with whichever listed key it names; plaintext secrets from before
// encryption at rest are sealed too. Prints one JSON line; exits 1 if any secret could not be
// opened (its key is not in SECRETS_KEY), naming each. Safe to run while the API serves: a row
// is replaced only if it still holds what was read. Run it again at any time: it only touches
// what is not yet under the first key. The procedure is in the README (Operations).
import { openScriptDatabase } from './script-db.ts';
import { createSecretVault, sealStoredSecrets } from '../src/modules/webhooks/secrets.ts';

const database = await openScriptDatabase();
let failed = false;
try {
  const vault = createSecretVault(database.config.SECRETS_KEY);
  const report = await sealStoredSecrets(database.db, vault, 'all');
  process.stdout.write(`${JSON.stringify({ key_id: vault.currentKeyId(), webhook_secrets_resealed: report.resealed, failed: report.failed })}\n`);
  for (const f of report.failed) process.stderr.write(`not re-sealed: ${f.error}\n`);
  failed = report.failed.length > 0;
} finally {
  await database.pool.end();
}
process.exit(failed ? 1 : 0);
