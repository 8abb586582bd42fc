// Our implementation of the Peppol BIS Billing 3.0 business rules, and the one function that runs
// them: every rule by id, each a small function (see rule.ts), proven on OpenPeppol's own test
// sets (test/peppol/rules.test.ts). Rules we have not implemented are simply not in RULES.
import { parseXml, type El } from './xml.ts';
import { docOf } from './document.ts';
import { EN16931_RULES } from './rules-en16931.ts';
import { PEPPOL_RULES } from './rules-peppol.ts';
import { SE_RULES } from './rules-se.ts';
import type { Flag, Rule } from './rule.ts';

export type { Flag, Rule };

export const RULES: readonly Rule[] = [...EN16931_RULES, ...PEPPOL_RULES, ...SE_RULES];
export const RULES_BY_ID: ReadonlyMap<string, Rule> = new Map(RULES.map((r) => [r.id, r]));

export interface Finding {
  rule: string;
  flag: Flag;
  /** How many elements break the rule. */
  count: number;
  message: string;
}

/** Runs every rule on a parsed Invoice or CreditNote; returns the rules that fire. */
export function checkRules(root: El): Finding[] {
  if (root.name !== 'ubl:Invoice' && root.name !== 'cn:CreditNote') {
    return [{ rule: 'UBL-ROOT', flag: 'fatal', count: 1, message: `The root element ${root.name} is neither a UBL 2.1 Invoice nor a CreditNote` }];
  }
  const doc = docOf(root);
  const findings: Finding[] = [];
  for (const r of RULES) {
    let count: number;
    try {
      count = r.fires(doc);
    } catch {
      // A rule that cannot even be evaluated (an XPath type error in the original) counts as broken.
      count = 1;
    }
    if (count > 0) findings.push({ rule: r.id, flag: r.flag, count, message: r.text });
  }
  return findings;
}

/** Parses and checks a document given as text. */
export const checkRulesXml = (xml: string): Finding[] => checkRules(parseXml(xml));
