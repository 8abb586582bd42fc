// Standard Webhooks signatures (https://www.standardwebhooks.com/), so merchants can
// verify deliveries with any of the published libraries instead of code of ours.
import { createHmac, randomBytes } from 'node:crypto';

const SECRET_PREFIX = 'whsec_';
// The spec asks for 24 to 64 bytes; 256 bits is the strength of HMAC-SHA256 itself.
const SECRET_BYTES = 32;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
// The id is part of the signed string "id.timestamp.body"; a '.' in it would let
// two different (id, timestamp, body) triples sign the same bytes. It also goes
// into a header, so nothing outside visible ASCII.
const MSG_ID = /^[\x21-\x2d\x2f-\x7e]+$/;

export function generateSecret(): string {
  return SECRET_PREFIX + randomBytes(SECRET_BYTES).toString('base64');
}

/** `v1,<base64 HMAC-SHA256 of "msgId.timestamp.body">`, keyed with the decoded secret. */
export function sign(secret: string, msgId: string, timestampSeconds: number, body: string): string {
  if (!MSG_ID.test(msgId)) throw new RangeError('sign: msgId must be non-empty visible ASCII without "."');
  // The verifier compares this against its clock in whole seconds.
  if (!Number.isSafeInteger(timestampSeconds) || timestampSeconds < 0) {
    throw new RangeError('sign: timestampSeconds must be a non-negative integer');
  }
  const mac = createHmac('sha256', secretKey(secret)).update(`${msgId}.${timestampSeconds}.${body}`, 'utf8');
  return `v1,${mac.digest('base64')}`;
}

/**
 * The three Standard Webhooks headers. During secret rotation pass the current and
 * the previous secret: the receiver accepts the message if any one signature
 * matches, so it keeps working whichever secret it has configured.
 */
export function signatureHeaders(
  secrets: readonly string[],
  msgId: string,
  timestampSeconds: number,
  body: string,
): Record<string, string> {
  if (secrets.length === 0) throw new RangeError('signatureHeaders: at least one secret is required');
  return {
    'webhook-id': msgId,
    'webhook-timestamp': String(timestampSeconds),
    'webhook-signature': secrets.map((s) => sign(s, msgId, timestampSeconds, body)).join(' '),
  };
}

function secretKey(secret: string): Buffer {
  const encoded = secret.startsWith(SECRET_PREFIX) ? secret.slice(SECRET_PREFIX.length) : '';
  // Buffer.from(…, 'base64') silently skips junk, which would turn a corrupted
  // secret into a different key instead of an error.
  if (encoded === '' || !BASE64.test(encoded)) {
    throw new RangeError(`webhook secret must be "${SECRET_PREFIX}" followed by base64`);
  }
  return Buffer.from(encoded, 'base64');
}
