// The message worker: every pollMs it leases due e-mails (any number of workers share them, each
// message sent by one at a time), sends them and records the outcomes. Started in worker and all
// processes, like collection; it runs no work in the API process.
import type { Logger } from 'pino';
import type { Clock } from '../../clock.ts';
import type { MessageService } from './service.ts';

export function createMessageWorker(deps: { messages: Pick<MessageService, 'pass'>; wall: Clock; log: Logger; pollMs: number }) {
  const { messages, wall, log } = deps;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;

  function tick(): void {
    if (running) return;
    running = (async () => {
      try {
        // A claimed batch means more may be due: keep going until a pass claims nothing.
        while ((await messages.pass(wall)) > 0 && timer);
      } catch (err) {
        log.error({ err }, 'message pass failed; trying again on the next tick');
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
    /** Stops polling and waits for the pass in progress (its sends finish and are recorded). */
    async stop(): Promise<void> {
      if (timer) clearInterval(timer);
      timer = undefined;
      await running;
    },
  };
}
export type MessageWorker = ReturnType<typeof createMessageWorker>;
