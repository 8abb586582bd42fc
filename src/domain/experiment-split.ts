// The stable split of an experiment: a customer's arm follows from the experiment's id and the
// customer's id alone (sha256 of "exp_…:cus_…", its first 52 bits as a number in [0, 1), laid on
// the arms' cumulative weights), so the same customer lands in the same arm on every call, in every
// process and after every restart, with nothing stored.
import { createHash } from 'node:crypto';

const TWO_52 = 2 ** 52;

/** A uniform number in [0, 1) for this experiment and customer. */
export function splitPoint(experimentId: string, customerId: string): number {
  const digest = createHash('sha256').update(`${experimentId}:${customerId}`).digest();
  // 52 bits: exact in a double. The first 6 bytes are 48 bits, the 7th byte's high nibble 4 more.
  const high = digest.readUIntBE(0, 6);
  return (high * 16 + (digest[6]! >> 4)) / TWO_52;
}

/** The index of the arm (weights > 0, in order) that this experiment puts the customer in. */
export function armIndex(experimentId: string, customerId: string, weights: number[]): number {
  if (weights.length === 0 || weights.some((w) => !(w > 0))) throw new RangeError('armIndex: weights must be positive');
  const total = weights.reduce((s, w) => s + w, 0);
  const at = splitPoint(experimentId, customerId) * total;
  let upTo = 0;
  for (let i = 0; i < weights.length; i++) {
    upTo += weights[i]!;
    if (at < upTo) return i;
  }
  return weights.length - 1;
}
