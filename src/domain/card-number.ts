// Card numbers (PANs) must never enter Omtanke: a card is stored as the card processor's token and
// its brand and last four digits. This finds strings that look like a PAN so a request carrying one
// is refused before anything stores, echoes or logs it.
import { luhnValid } from './national-id.ts';

// A run of 13–19 digits, optionally grouped by single spaces or dashes ("4242 4242 4242 4242").
const DIGIT_RUN = /\d(?:[ -]?\d)*/g;

/** Whether `text` contains a 13–19 digit number (separators ignored) that passes the Luhn check. */
export function containsCardNumber(text: string): boolean {
  for (const match of text.matchAll(DIGIT_RUN)) {
    const digits = match[0].replace(/[ -]/g, '');
    if (digits.length >= 13 && digits.length <= 19 && luhnValid(digits)) return true;
  }
  return false;
}

/**
 * The paths (`card.token`, `metadata.note`) of every string in `value`, keys included, that
 * contains a card number. Only the paths: the values themselves must not travel any further.
 */
export function cardNumberFields(value: unknown, path = ''): string[] {
  if (typeof value === 'string') return containsCardNumber(value) ? [path || '(body)'] : [];
  if (Array.isArray(value)) return value.flatMap((v, i) => cardNumberFields(v, path ? `${path}.${i}` : String(i)));
  if (value && typeof value === 'object') {
    return Object.entries(value).flatMap(([k, v]) => {
      const at = path ? `${path}.${k}` : k;
      // A key is a string too; name the field by position when the key itself is the card number.
      return containsCardNumber(k) ? [path ? `${path}.(key)` : '(key)', ...cardNumberFields(v, path ? `${path}.(key)` : '(key)')] : cardNumberFields(v, at);
    });
  }
  return [];
}
