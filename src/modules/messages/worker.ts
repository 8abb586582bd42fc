// The message worker: every pollMs it leases due e-mails (any number of workers share them, each
// message sent by one at a time), sends them and records the outcomes. Started in worker and all
// processes, like collection; it runs no work in the API process.
import type { Logger } from 'pino';
import type { Clock } from '../../clock.ts';
import { createPoller, type Poller } from '../../jobs/poller.ts';
import type { MessageService } from './service.ts';

export function createMessageWorker(deps: { messages: Pick<MessageService, 'pass'>; wall: Clock; log: Logger; pollMs: number }): Poller {
  return createPoller({ name: 'message', pass: () => deps.messages.pass(deps.wall), log: deps.log, pollMs: deps.pollMs });
}
export type MessageWorker = Poller;
