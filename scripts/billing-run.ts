// `npm run --silent billing:run -- --merchant mer_… [--run brun_…] [--batch 500]` starts a billing
// run for a merchant (or resumes one, e.g. after a crash) and works it off in this process, then
// prints the run as one JSON line. What the hourly schedule does, on demand. Logs go to stderr.
import { parseArgs } from 'node:util';
import { fail, openScriptDatabase } from './script-db.ts';
import { systemClock } from '../src/clock.ts';
import { noJobs } from '../src/jobs/queue.ts';
import { createServices } from '../src/services.ts';

const USAGE = 'usage: npm run --silent billing:run -- --merchant mer_… [--run brun_…] [--batch N]';

let args;
try {
  args = parseArgs({ options: { merchant: { type: 'string' }, run: { type: 'string' }, batch: { type: 'string' } }, strict: true });
} catch (e) {
  fail(`${(e as Error).message}\n${USAGE}`);
}
const { merchant, run: runId, batch } = args!.values;
if (!merchant) fail(USAGE);
const batchSize = batch === undefined ? undefined : Number(batch);
if (batchSize !== undefined && (!Number.isInteger(batchSize) || batchSize < 1)) fail(`--batch must be a positive integer\n${USAGE}`);

const database = await openScriptDatabase();
try {
  const { billing } = createServices({ db: database.db, clock: systemClock, jobs: noJobs, allowPrivateUrls: false, ...(batchSize ? { billingBatchSize: batchSize } : {}) });
  const id = runId ?? (await billing.createRun(merchant!, { trigger: 'api' })).id;
  process.stderr.write(`billing run ${id}\n`);
  const done = await billing.executeRun(merchant!, id);
  process.stdout.write(`${JSON.stringify(done)}\n`);
} finally {
  await database.pool.end();
}
