// PATCH /v1/<things>/:id and its POST alias (for clients written against Stripe-style APIs): one
// schema, one handler, two documented operations (`updateX` and `updateXPost`).
export type UpdateMethod = 'PATCH' | 'POST';

export function patchWithPostAlias<S extends { summary: string }>(
  operationId: string,
  schema: S,
  register: (method: UpdateMethod, schema: S & { operationId: string }) => void,
): void {
  register('PATCH', { ...schema, operationId });
  register('POST', { ...schema, operationId: `${operationId}Post`, summary: `${schema.summary} (POST alias of PATCH)` });
}
