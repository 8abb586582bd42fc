// The conformance table printed by the rules test and `npm run peppol:rules`: every rule we
// implement and how many of OpenPeppol's unit tests naming it passed.
import { RULES } from '../../domain/peppol/rules.ts';

export function conformanceReport(byRule: Map<string, { named: number; passed: number; skipped: number }>): string {
  const lines = [`${RULES.length} rules implemented (rule, flag, unit tests passed/naming it):`];
  for (const r of RULES) {
    const c = byRule.get(r.id);
    lines.push(`  ${r.id.padEnd(22)} ${r.flag.padEnd(7)} ${c ? `${c.passed}/${c.named}` : 'no unit test (examples and our documents only)'}`);
  }
  const skipped = [...byRule].filter(([id]) => !RULES.some((r) => r.id === id));
  if (skipped.length) lines.push(`Not implemented, their tests skipped: ${skipped.map(([id, c]) => `${id} (${c.named})`).join(', ')}`);
  return lines.join('\n');
}
