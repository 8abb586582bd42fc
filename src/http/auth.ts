// `Authorization: Bearer sk_…` on every /v1 route. The principal (merchant, mode, key) is attached
// to the request; routes pass `req.principal.merchantId` to every service call.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { MerchantService } from '../modules/merchants/service.ts';
import type { Principal } from '../kernel/tenant.ts';
import type { Caller } from '../db/unit-of-work.ts';
import { DomainError } from '../kernel/errors.ts';

declare module 'fastify' {
  interface FastifyRequest {
    principal: Principal;
    /** What routes hand their use case: the tenant, and the request's transaction once one is open. */
    caller: Caller;
  }
}

export function registerAuth(app: FastifyInstance, merchants: Pick<MerchantService, 'authenticate'>) {
  app.decorateRequest('principal', null as unknown as Principal);
  app.decorateRequest('caller', null as unknown as Caller);
  app.addHook('onRequest', async (req: FastifyRequest) => {
    const header = req.headers.authorization;
    if (!header) {
      throw new DomainError('authentication_required', 'Send your API key as `Authorization: Bearer sk_test_…`', {
        headers: { 'www-authenticate': 'Bearer realm="omtanke"' },
      });
    }
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (!match) {
      throw new DomainError('invalid_api_key', 'The Authorization header must be `Bearer <API key>`', {
        headers: { 'www-authenticate': 'Bearer realm="omtanke", error="invalid_request"' },
      });
    }
    const result = await merchants.authenticate(match[1]!);
    if (!result.ok) {
      throw new DomainError(
        result.code,
        result.code === 'api_key_revoked' ? 'This API key has been revoked; use another key' : 'No such API key',
        { headers: { 'www-authenticate': 'Bearer realm="omtanke", error="invalid_token"' } },
      );
    }
    req.principal = result.principal;
    req.caller = { merchantId: result.principal.merchantId, livemode: result.principal.livemode };
  });
}
