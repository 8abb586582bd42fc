// The collection worker: every pollMs it claims due attempts (leases; any number of workers share
// them, each attempt submitted by one), submits them to their processor, and applies the results
// the processors have. Due by business time, so it follows real time and ready test clocks (an
// advancing clock's attempts are worked by its catch-up, as of each step). Started in worker and
// all processes, like webhook delivery; it runs no work in the API process.
import type { Logger } from 'pino';
import type { Clock } from '../../clock.ts';
import { createPoller, type Poller } from '../../jobs/poller.ts';
import type { CollectionService } from './service.ts';

export function createCollectionWorker(deps: { collection: Pick<CollectionService, 'pass'>; wall: Clock; log: Logger; pollMs: number }): Poller {
  return createPoller({ name: 'collection', pass: () => deps.collection.pass(deps.wall), log: deps.log, pollMs: deps.pollMs });
}
export type CollectionWorker = Poller;
