// The closed catalogue of problem codes and the error a use case throws when a guard fails. The
// HTTP layer (src/http/problem.ts) turns these into RFC 9457 responses; nothing here knows HTTP
// beyond each code's status.

export const PROBLEMS = {
  validation_failed: { status: 400, title: 'The request is not valid' },
  invalid_json: { status: 400, title: 'The request body is not valid JSON' },
  invalid_idempotency_key: { status: 400, title: 'The Idempotency-Key header is not valid' },
  invalid_webhook_url: { status: 400, title: 'The webhook endpoint URL is not allowed' },
  authentication_required: { status: 401, title: 'An API key is required' },
  invalid_api_key: { status: 401, title: 'The API key is not valid' },
  api_key_revoked: { status: 401, title: 'The API key has been revoked' },
  test_mode_only: { status: 403, title: 'Only test-mode API keys can do this' },
  not_found: { status: 404, title: 'No such object' },
  route_not_found: { status: 404, title: 'No such route' },
  external_id_taken: { status: 409, title: 'The external_id is already used by another customer' },
  invalid_state: { status: 409, title: "The object's current state does not allow this" },
  // 409, not 400/422: the request is fine, the merchant is not ready; the same request succeeds
  // once the settings named in `errors` (location `merchant`) are set with PATCH /v1/merchant.
  seller_settings_incomplete: { status: 409, title: 'The seller settings an invoice needs are incomplete' },
  // Peppol e-invoices are for companies: a consumer (customer type person) never gets one.
  peppol_not_applicable: { status: 409, title: 'The customer cannot receive a Peppol e-invoice' },
  // A merchant or customer setting a Peppol document needs is missing or malformed: `errors` name
  // them (location `merchant`: PATCH /v1/merchant; `customer`: PATCH /v1/customers/{id}).
  peppol_settings_invalid: { status: 409, title: 'The settings a Peppol e-invoice needs are missing or malformed' },
  // The document built would break a Peppol rule or the UBL schema (a defect on our side): it is
  // never served or sent; `detail` names the rules.
  peppol_document_invalid: { status: 422, title: 'The e-invoice would be rejected by the Peppol network' },
  customer_has_live_subscriptions: { status: 409, title: 'The customer has subscriptions that are not canceled' },
  customer_exists: { status: 409, title: 'A former customer with the same national id, external_id or email exists' },
  // A payment plan cannot take these invoices over: `errors` name each (`invoices[1]`) and why.
  invoice_not_plannable: { status: 409, title: 'An invoice cannot go into a payment plan' },
  idempotency_request_in_progress: { status: 409, title: 'A request with this Idempotency-Key is still in progress' },
  // The bank file cannot be imported as a whole: `line` (BgMax) or `path` (camt.054) and `reason` say why.
  payment_file_invalid: { status: 422, title: 'The bank file is malformed or not for this merchant' },
  // A reminder template that does not parse or names what a reminder does not have: `errors` name the part and the variable.
  template_invalid: { status: 422, title: 'The template is not valid or names something a reminder does not have' },
  payload_too_large: { status: 413, title: 'The request body is too large' },
  unsupported_media_type: { status: 415, title: 'The request body must be application/json' },
  idempotency_key_reused: { status: 422, title: 'The Idempotency-Key was used with a different request' },
  rate_limited: { status: 429, title: 'Too many requests' },
  internal_error: { status: 500, title: 'Internal server error' },
  service_unavailable: { status: 503, title: 'The service is not available' },
} as const;
export type ProblemCode = keyof typeof PROBLEMS;

// Where a named field is. `merchant`: a setting of the merchant (PATCH /v1/merchant), not part of
// this request; `customer`: a field of the customer the request concerns (PATCH /v1/customers/{id}).
export const FIELD_LOCATIONS = ['body', 'query', 'path', 'header', 'merchant', 'customer'] as const;
export type FieldError = { field: string; location: (typeof FIELD_LOCATIONS)[number]; message: string };

/** A failed guard in a use case; the code becomes the problem `type`. */
export class DomainError extends Error {
  readonly code: ProblemCode;
  readonly errors: FieldError[] | undefined;
  readonly headers: Record<string, string> | undefined;
  // customer_exists: the id of the existing customer, a member of the problem.
  readonly customer: string | undefined;
  // payment_file_invalid: where in the file (1-based line or XML element path) and why.
  readonly fileError: { line?: number; path?: string; reason: string } | undefined;
  constructor(
    code: ProblemCode,
    detail: string,
    opts: { errors?: FieldError[]; headers?: Record<string, string>; customer?: string; fileError?: { line?: number; path?: string; reason: string } } = {},
  ) {
    super(detail);
    this.code = code;
    this.errors = opts.errors;
    this.headers = opts.headers;
    this.customer = opts.customer;
    this.fileError = opts.fileError;
  }
}

/** One `validation_failed` from field errors: the detail lists them all, the fields name them. */
export function invalid(errors: FieldError[]): DomainError {
  return new DomainError('validation_failed', errors.map((e) => `${e.field} ${e.message}`).join('; '), { errors });
}

/** A `validation_failed` about one body field. */
export function invalidField(field: string, message: string): DomainError {
  return invalid([{ field, location: 'body', message }]);
}
