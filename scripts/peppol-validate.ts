// npm run peppol:validate -- file.xml [more.xml …]: the UBL 2.1 schema and our Peppol BIS Billing
// 3.0 rules on any Invoice or CreditNote, as the network would check it. Prints every finding;
// exits 1 when a document has a schema error or a fatal rule fires.
// npm run peppol:rules: the rules implemented and how many of OpenPeppol's unit tests each passed.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runTestSet, tally } from '../src/domain/peppol/conformance.ts';
import { conformanceReport } from '../src/modules/peppol/report.ts';
import { peppolKitDir } from '../src/modules/peppol/schema-check.ts';
import { validateUblBatch } from '../src/modules/peppol/validate.ts';

const args = process.argv.slice(2);

if (args[0] === '--rules') {
  const kit = peppolKitDir();
  const outcomes = ['unit-UBL-SE', 'unit-UBL-PEPPOL'].flatMap((dir) =>
    readdirSync(join(kit, dir)).filter((f) => /\.xml?$/.test(f)).flatMap((f) => runTestSet(readFileSync(join(kit, dir, f), 'utf8'))));
  const judged = outcomes.filter((o) => !o.unimplemented.length);
  process.stdout.write(`${conformanceReport(tally(outcomes))}\n`);
  process.stdout.write(`Unit tests: ${judged.filter((o) => !o.failures.length).length} of ${judged.length} judged passed; ${outcomes.length - judged.length} skipped.\n`);
  process.exit(judged.some((o) => o.failures.length) ? 1 : 0);
}

if (!args.length) {
  process.stderr.write('usage: npm run peppol:validate -- invoice.xml [more.xml …]   (or --rules)\n');
  process.exit(2);
}
const texts = args.map((f) => readFileSync(f, 'utf8'));
const results = await validateUblBatch(texts);
let failed = false;
results.forEach((r, i) => {
  process.stdout.write(`${args[i]}: ${r.ok ? 'valid' : 'INVALID'}\n`);
  for (const e of r.schemaErrors) process.stdout.write(`  schema  ${e}\n`);
  for (const f of r.findings) process.stdout.write(`  ${f.flag.padEnd(7)} ${f.rule}${f.count > 1 ? ` (${f.count}×)` : ''}: ${f.message}\n`);
  if (!r.ok) failed = true;
});
process.exit(failed ? 1 : 0);
