// Reads the reference-rate table (config/reference-rates.json) for late interest. The table is a
// file, not code, so that adding Riksbanken's rate each half-year is a one-line data change.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseReferenceRates, type ReferenceRate } from '../../domain/late-interest.ts';

const REPO_ROOT = resolve(import.meta.dirname, '../../..');

/**
 * The checked table at `path` (relative to the repository root unless absolute). Throws with
 * the path in the message when the file is missing or malformed, so a bad table stops start-up.
 */
export function loadReferenceRates(path = 'config/reference-rates.json'): ReferenceRate[] {
  const file = resolve(REPO_ROOT, path);
  try {
    return parseReferenceRates(JSON.parse(readFileSync(file, 'utf8')));
  } catch (err) {
    throw new Error(`${file}: ${(err as Error).message}`, { cause: err });
  }
}
