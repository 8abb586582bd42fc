// `npm run --silent merchant:create -- --name "Acme AB" [--live]` creates a merchant and its first
// API key, and prints one JSON object on stdout (the key is shown this once). Logs go to stderr.
import { parseArgs } from 'node:util';
import { fail, openScriptDatabase } from './script-db.ts';
import { systemClock } from '../src/clock.ts';
import { createMerchantService } from '../src/modules/merchants/service.ts';
import { createInvoiceLedger } from '../src/modules/invoices/ledger.ts';
import { toApiKeyResource, toMerchantResource } from '../src/modules/merchants/contract.ts';

let args;
try {
  args = parseArgs({ options: { name: { type: 'string' }, live: { type: 'boolean', default: false } }, strict: true });
} catch (e) {
  fail(`${(e as Error).message}\nusage: npm run --silent merchant:create -- --name "Acme AB" [--live]`);
}
const name = args!.values.name?.trim();
if (!name || name.length > 200) fail('usage: npm run --silent merchant:create -- --name "Acme AB" [--live]  (name: 1–200 characters)');

const database = await openScriptDatabase();
try {
  const merchants = createMerchantService({ db: database.db, clock: systemClock, ledger: createInvoiceLedger() });
  const { merchant, key, secret } = await merchants.createMerchant({ name: name!, livemode: args!.values.live ?? false });
  process.stdout.write(
    `${JSON.stringify({ merchant: toMerchantResource(merchant), api_key: secret, api_key_id: key.id, key: toApiKeyResource(key) })}\n`,
  );
} finally {
  await database.pool.end();
}
