// Reference rates for tests: the published table stops at the last half-year someone entered, and
// tests run on dates beyond it. A flat 2.00 % through 2030, clearly test data.
import { parseReferenceRates, type ReferenceRate } from '../../src/domain/late-interest.ts';

export const TEST_REFERENCE_RATES: ReferenceRate[] = parseReferenceRates(
  Array.from({ length: 14 }, (_, i) => ({ from: `${2024 + Math.floor(i / 2)}-${i % 2 === 0 ? '01' : '07'}-01`, rate_bp: 200 })),
);
