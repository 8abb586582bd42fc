// Our Peppol rules proven on OpenPeppol's test material (../shared/peppol, release 3.0.19): every
// unit test naming an implemented rule comes out as listed, and every example passes the UBL
// schema with no rule firing. Prints the rules implemented and how many unit tests each passed.
import t from 'tap';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runTestSet, tally, type TestOutcome } from '../../src/domain/peppol/conformance.ts';
import { RULES } from '../../src/domain/peppol/rules.ts';
import { peppolKitDir } from '../../src/modules/peppol/schema-check.ts';
import { validateUblBatch } from '../../src/modules/peppol/validate.ts';
import { conformanceReport } from '../../src/modules/peppol/report.ts';

const kit = peppolKitDir();
const setsIn = (dir: string) => readdirSync(join(kit, dir)).filter((f) => /\.xml?$/.test(f)).sort().map((f) => ({ file: `${dir}/${f}`, text: readFileSync(join(kit, dir, f), 'utf8') }));

const outcomesOf = (dir: string) => setsIn(dir).flatMap(({ file, text }) => runTestSet(text).map((o) => ({ file, ...o })));

t.test('SE: all 48 unit tests of SE-R-001…013 come out as listed', async (t) => {
  const outcomes = outcomesOf('unit-UBL-SE');
  t.equal(outcomes.length, 48, '48 tests in 24 sets');
  t.same(outcomes.filter((o) => o.unimplemented.length).map((o) => `${o.file}#${o.index}`), [], 'every SE rule is implemented');
  for (const o of outcomes) t.same(o.failures, [], `${o.file} test ${o.index}`);
  for (let n = 1; n <= 13; n++) t.ok(RULES.some((r) => r.id === `SE-R-${String(n).padStart(3, '0')}`), `SE-R-${String(n).padStart(3, '0')} implemented`);
});

t.test('PEPPOL: every unit test naming an implemented rule comes out as listed', async (t) => {
  const outcomes: (TestOutcome & { file: string })[] = outcomesOf('unit-UBL-PEPPOL');
  t.equal(outcomes.length, 221, '221 tests in the sets');
  const judged = outcomes.filter((o) => !o.unimplemented.length);
  for (const o of judged) t.same(o.failures, [], `${o.file} test ${o.index}`);
  t.comment(`${judged.length} judged, ${outcomes.length - judged.length} skipped (naming rules not implemented)`);
  t.ok(judged.length >= 200, 'most of the Peppol test material is judged');
});

t.test('every example passes the UBL schema and fires no rule', async (t) => {
  const examples = setsIn('examples');
  t.equal(examples.length, 9);
  const results = await validateUblBatch(examples.map((e) => e.text));
  examples.forEach((e, i) => {
    t.same(results[i]!.schemaErrors, [], `${e.file}: schema`);
    t.same(results[i]!.findings.map((f) => f.rule), [], `${e.file}: no rule fires`);
  });
});

t.test('the schema check rejects what the schema forbids, per document', async (t) => {
  const base = readFileSync(join(kit, 'examples/base-example.xml'), 'utf8');
  const broken = base.replace('<cbc:IssueDate>', '<cbc:Bogus>x</cbc:Bogus><cbc:IssueDate>');
  const [good, bad] = await validateUblBatch([base, broken]);
  t.ok(good!.ok);
  t.notOk(bad!.ok);
  t.match(bad!.schemaErrors.join('\n'), /Bogus/);
});

t.test('rules implemented and unit tests passed per rule', async (t) => {
  const outcomes = [...outcomesOf('unit-UBL-SE'), ...outcomesOf('unit-UBL-PEPPOL')];
  const report = conformanceReport(tally(outcomes));
  t.comment(report);
  const byRule = tally(outcomes);
  for (const r of RULES) {
    const c = byRule.get(r.id);
    if (c) t.equal(c.passed, c.named, `${r.id}: ${c.passed}/${c.named}`);
  }
});
