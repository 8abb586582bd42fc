// A background loop for work found in the data (due collection attempts, due reminders): every
// pollMs it runs `pass` until a pass moves nothing. Started in worker and all processes; any
// number of processes may run the same poller (each pass claims its rows with locks or leases).
import type { Logger } from 'pino';

export function createPoller(deps: { name: string; pass: () => Promise<number>; log: Pick<Logger, 'error'>; pollMs: number }) {
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;

  function tick(): void {
    if (running) return;
    running = (async () => {
      try {
        // A full batch means more may be due: keep going until a pass moves nothing.
        while ((await deps.pass()) > 0 && timer);
      } catch (err) {
        deps.log.error({ err }, `${deps.name} pass failed; trying again on the next tick`);
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
    /** Stops polling and waits for the pass in progress (its work is recorded). */
    async stop(): Promise<void> {
      if (timer) clearInterval(timer);
      timer = undefined;
      await running;
    },
  };
}
export type Poller = ReturnType<typeof createPoller>;
