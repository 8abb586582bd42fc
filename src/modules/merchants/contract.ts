import { Type } from 'typebox';
import { Id, Nullable, Timestamp, ListOf, ListQuery } from '../../http/schemas.ts';
import type { ApiKey, Merchant } from './service.ts';

export const MerchantResource = Type.Object({
  id: Id('merchant'),
  object: Type.Literal('merchant'),
  name: Type.String(),
  livemode: Type.Boolean({ description: 'Live merchants have sk_live_ keys and move real money' }),
  created_at: Timestamp('When the merchant was created'),
}, { description: 'The merchant (tenant) that owns the API key' });

export const ApiKeyResource = Type.Object({
  id: Id('apiKey'),
  object: Type.Literal('api_key'),
  name: Nullable(Type.String()),
  livemode: Type.Boolean(),
  redacted: Type.String({ description: 'Mode and last four characters of the secret', examples: ['sk_test_…9fQz'] }),
  created_at: Timestamp('When the key was created'),
  revoked_at: Nullable(Timestamp('When the key was revoked')),
}, { description: 'An API key, without its secret' });

export const NewApiKeyResource = Type.Object({
  ...ApiKeyResource.properties,
  secret: Type.String({ description: 'The key itself. Shown only in this response: store it now.', examples: ['sk_test_4eC39HqLyjWDarjtT1zdp7dc9fQz0a1b2c3d4e5f'] }),
}, { description: 'The new API key with its secret (shown once)' });

export const CreateApiKeyBody = Type.Object(
  { name: Type.Optional(Type.String({ minLength: 1, maxLength: 100, examples: ['CRM integration'] })) },
  { additionalProperties: false, examples: [{ name: 'CRM integration' }] },
);

export const ApiKeyParams = Type.Object({ id: Id('apiKey', 'The API key id') });
export const ListApiKeysQuery = Type.Object(
  {
    ...ListQuery,
    starting_after: Type.Optional(Id('apiKey')),
    ending_before: Type.Optional(Id('apiKey')),
  },
  { additionalProperties: false },
);
export const ApiKeyList = ListOf(ApiKeyResource, 'A page of API keys, newest first');

export function toMerchantResource(m: Merchant) {
  return { id: m.id, object: 'merchant' as const, name: m.name, livemode: m.livemode, created_at: m.createdAt.toISOString() };
}

export function toApiKeyResource(k: ApiKey) {
  return {
    id: k.id,
    object: 'api_key' as const,
    name: k.name,
    livemode: k.livemode,
    redacted: k.redacted,
    created_at: k.createdAt.toISOString(),
    revoked_at: k.revokedAt?.toISOString() ?? null,
  };
}
