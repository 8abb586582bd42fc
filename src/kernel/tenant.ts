// Who a use case acts for. Every merchant row is scoped by merchantId; livemode picks test or live.
export type Tenant = { merchantId: string; livemode: boolean };

/** Who is calling: resolved from the API key on every request. */
export type Principal = Tenant & { keyId: string };
