// Idempotency-Key on POST and PATCH. The whole request runs in one transaction that also stores its
// response, so a crash either keeps both or neither: a retry after a crash redoes the work exactly
// once, and a retry after success replays the first response byte for byte. The handler gets that
// transaction explicitly as `req.caller.tx`, and its use case runs every query on it.
import { createHash } from 'node:crypto';
import type { FastifyInstance, RouteHandlerMethod } from 'fastify';
import type { Db } from '../db/client.ts';
import { openTransaction } from '../db/unit-of-work.ts';
import type { Clock } from '../clock.ts';
import { DomainError } from '../kernel/errors.ts';
import * as store from './idempotency-store.ts';

export const IDEMPOTENT_METHODS = new Set(['POST', 'PATCH']);
const KEY_PATTERN = /^[\x21-\x7e]{1,255}$/;

/** Key order must not matter: `{"a":1,"b":2}` and `{"b":2,"a":1}` are the same request. */
function canonical(value: unknown): string {
  // A raw body (a bank file): its bytes, by hash.
  if (Buffer.isBuffer(value)) return `bytes:${createHash('sha256').update(value).digest('hex')}`;
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.keys(value as object)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k])}`);
    return `{${entries.join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

export function registerIdempotency(app: FastifyInstance, deps: { db: Db; clock: Clock; ttlHours: number }) {
  app.addHook('onRoute', (route) => {
    const methods = [route.method].flat();
    if (!methods.some((m) => IDEMPOTENT_METHODS.has(m))) return;
    const handler = route.handler as RouteHandlerMethod;
    route.handler = async function idempotent(req, reply) {
      const raw = req.headers['idempotency-key'];
      if (raw === undefined) return handler.call(this, req, reply);
      if (typeof raw !== 'string' || !KEY_PATTERN.test(raw)) {
        throw new DomainError('invalid_idempotency_key', 'Idempotency-Key must be 1–255 printable ASCII characters (a UUID is a good choice)');
      }
      const merchantId = req.principal.merchantId;
      const fingerprint = createHash('sha256')
        .update(`${req.method} ${req.url.split('?')[0]}\n${canonical(req.body ?? null)}`)
        .digest('hex');
      return openTransaction(deps.db, async (tx) => {
        if (!(await store.tryLockKey(tx, merchantId, raw))) {
          throw new DomainError('idempotency_request_in_progress', 'A request with this Idempotency-Key is still being processed; retry shortly');
        }
        const now = deps.clock.now();
        const prior = await store.findLiveResponse(tx, merchantId, raw, now);
        if (prior) {
          if (prior.fingerprint !== fingerprint) {
            throw new DomainError('idempotency_key_reused', 'This Idempotency-Key was used with a different method, path or body; use a new key for a new request');
          }
          reply.code(prior.statusCode).header('idempotent-replayed', 'true').type('application/json; charset=utf-8');
          return prior.body;
        }
        req.caller = { ...req.caller, tx };
        const payload = await handler.call(this, req, reply);
        // The response must be stored before it is sent, in this transaction.
        if (payload === reply || reply.sent) throw new Error(`${req.routeOptions.url}: idempotent handlers must return their payload, not call reply.send()`);
        const body = String(reply.serialize(payload));
        await store.saveResponse(tx, {
          merchantId,
          key: raw,
          fingerprint,
          statusCode: reply.statusCode,
          body,
          createdAt: now,
          expiresAt: new Date(now.getTime() + deps.ttlHours * 3600_000),
        });
        reply.type('application/json; charset=utf-8');
        return body;
      });
    };
  });
}
