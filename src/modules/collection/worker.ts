// The collection worker: every pollMs it claims due attempts (leases; any number of workers share
// them, each attempt submitted by one), submits them to their processor, and applies the results
// the processors have. Due by business time, so it follows real time and ready test clocks (an
// advancing clock's attempts are worked by its catch-up, as of each step). Started in worker and
// all processes, like webhook delivery; it runs no work in the API process.
import type { Logger } from 'pino';
import type { Clock } from '../../clock.ts';
import type { CollectionService } from './service.ts';

export function createCollectionWorker(deps: { collection: Pick<CollectionService, 'pass'>; wall: Clock; log: Logger; pollMs: number }) {
  const { collection, wall, log } = deps;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;

  function tick(): void {
    if (running) return;
    running = (async () => {
      try {
        // A full batch means more may be due: keep going until a pass moves nothing.
        while ((await collection.pass(wall)) > 0 && timer);
      } catch (err) {
        log.error({ err }, 'collection pass failed; trying again on the next tick');
      }
    })().finally(() => {
      running = undefined;
    });
  }

  return {
    start(): void {
      timer = setInterval(tick, deps.pollMs);
      tick();
    },
    /** Stops polling and waits for the pass in progress (its submissions and results are recorded). */
    async stop(): Promise<void> {
      if (timer) clearInterval(timer);
      timer = undefined;
      await running;
    },
  };
}
export type CollectionWorker = ReturnType<typeof createCollectionWorker>;
