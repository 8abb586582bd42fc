// OpenPeppol's unit test sets as an oracle for our rules: each <test> wraps one document and lists
// rule ids that must not fire (<success>), must fire as fatal (<error>) or as a warning
// (<warning>), optionally exactly `number` times. A test naming a rule we do not implement is
// skipped (counted, not judged). Pure: the caller reads the files.
import { DOMParser, type Element as DomElement } from '@xmldom/xmldom';
import { fromDom } from './xml.ts';
import { checkRules, RULES_BY_ID } from './rules.ts';

export interface Expectation {
  rule: string;
  kind: 'success' | 'error' | 'warning';
  number: number | null;
}

export interface TestOutcome {
  /** 1-based position of the <test> in its set. */
  index: number;
  expectations: Expectation[];
  /** Ids named by the test that we do not implement (the test is then skipped). */
  unimplemented: string[];
  /** What did not come out as listed; empty when the test passed (or was skipped). */
  failures: string[];
}

const elementChildren = (e: DomElement): DomElement[] => {
  const out: DomElement[] = [];
  for (let c = e.firstChild; c; c = c.nextSibling) if (c.nodeType === 1) out.push(c as DomElement);
  return out;
};

/** Runs one test set file (its text) and returns every test's outcome. */
export function runTestSet(xml: string): TestOutcome[] {
  const doc = new DOMParser().parseFromString(xml, 'text/xml');
  const tests = elementChildren(doc.documentElement!).filter((e) => e.localName === 'test');
  return tests.map((test, i) => {
    const expectations: Expectation[] = [];
    let document: DomElement | undefined;
    for (const child of elementChildren(test)) {
      if (child.localName === 'assert') {
        for (const a of elementChildren(child)) {
          if (a.localName !== 'success' && a.localName !== 'error' && a.localName !== 'warning') continue;
          const n = a.getAttribute('number');
          expectations.push({ rule: (a.textContent ?? '').trim(), kind: a.localName, number: n ? Number(n) : null });
        }
      } else if (child.localName === 'Invoice' || child.localName === 'CreditNote') {
        document = child;
      }
    }
    const unimplemented = [...new Set(expectations.map((e) => e.rule).filter((id) => !RULES_BY_ID.has(id)))];
    const outcome: TestOutcome = { index: i + 1, expectations, unimplemented, failures: [] };
    if (unimplemented.length || !document) return outcome;
    const fired = new Map(checkRules(fromDom(document, null)).map((f) => [f.rule, f]));
    for (const e of expectations) {
      const f = fired.get(e.rule);
      if (e.kind === 'success') {
        if (f) outcome.failures.push(`${e.rule} fired ${f.count}× but must not`);
      } else if (!f) {
        outcome.failures.push(`${e.rule} did not fire but must (${e.kind})`);
      } else if ((e.kind === 'error') !== (f.flag === 'fatal')) {
        outcome.failures.push(`${e.rule} fired as ${f.flag}, listed as ${e.kind}`);
      } else if (e.number !== null && f.count !== e.number) {
        outcome.failures.push(`${e.rule} fired ${f.count}×, listed ${e.number}×`);
      }
    }
    return outcome;
  });
}

/** Per rule id: how many tests name it, how many passed, how many were skipped. */
export function tally(outcomes: TestOutcome[]): Map<string, { named: number; passed: number; skipped: number }> {
  const byRule = new Map<string, { named: number; passed: number; skipped: number }>();
  for (const o of outcomes) {
    for (const id of new Set(o.expectations.map((e) => e.rule))) {
      const t = byRule.get(id) ?? { named: 0, passed: 0, skipped: 0 };
      t.named++;
      if (o.unimplemented.length) t.skipped++;
      else if (!o.failures.some((f) => f.startsWith(`${id} `))) t.passed++;
      byRule.set(id, t);
    }
  }
  return byRule;
}
