// Text that PostgreSQL cannot store is refused at the edge, not discovered by the database as a 500:
// a NUL character (U+0000, refused by both text and jsonb) or an unpaired UTF-16 surrogate
// (`\ud800`, which no UTF-8 encoding can represent). Every string and object key of a parsed body,
// query string and path is checked once, before validation; the field path is named the way
// fieldErrors names it (dotted segments, array items by index: `items.0.price`). Bodies nested
// deeper than any request of this API needs are refused the same way, before recursive code
// (validation, fingerprints, serialisation) can run out of stack on them.
import type { FieldError } from '../kernel/errors.ts';

/** At most this many problems are listed; a body full of NULs does not need a 10,000-line answer. */
const MAX_ERRORS = 20;
/** No request body of this API nests more than a few levels; 32 leaves room and stops `[[[[…`. */
export const MAX_DEPTH = 32;

/** Why `s` cannot be stored, or undefined when it can. */
export function unsafeText(s: string): string | undefined {
  if (s.includes('\u0000')) return 'the NUL character (\\u0000)';
  if (!s.isWellFormed()) {
    const i = lonePosition(s);
    const unit = s.charCodeAt(i).toString(16).padStart(4, '0');
    return `an unpaired UTF-16 surrogate (\\u${unit})`;
  }
  return undefined;
}

function lonePosition(s: string): number {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) {
      const next = s.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) i++;
      else return i;
    } else if (c >= 0xdc00 && c <= 0xdfff) return i;
  }
  return 0;
}

/** A key that cannot be stored, written so it can be echoed safely: `k\u0000`. */
function printable(key: string): string {
  let out = '';
  for (let i = 0; i < key.length; i++) {
    const c = key.charCodeAt(i);
    const pairHigh = c >= 0xd800 && c <= 0xdbff && (key.charCodeAt(i + 1) & 0xfc00) === 0xdc00;
    if (pairHigh) {
      out += key[i]! + key[i + 1]!;
      i++;
    } else if (c === 0 || (c >= 0xd800 && c <= 0xdfff)) out += `\\u${c.toString(16).padStart(4, '0')}`;
    else out += key[i];
  }
  return out;
}

/**
 * Every string and key in `value` that cannot be stored, and every object or array nested deeper
 * than `maxDepth`, as field errors. `root` names the value itself ('(body)'). Iterative, so a
 * deeply nested body cannot overflow the stack here.
 */
export function unsafeTextErrors(value: unknown, location: FieldError['location'], opts: { root?: string; maxDepth?: number } = {}): FieldError[] {
  const root = opts.root ?? '(body)';
  const maxDepth = opts.maxDepth ?? Infinity;
  const out: FieldError[] = [];
  const stack: Array<{ value: unknown; path: string; depth: number }> = [{ value, path: '', depth: 0 }];
  const join = (path: string, key: string) => (path ? `${path}.${key}` : key);
  while (stack.length > 0 && out.length < MAX_ERRORS) {
    const { value, path, depth } = stack.pop()!;
    if (typeof value === 'string') {
      const why = unsafeText(value);
      if (why) out.push({ field: path || root, location, message: `must not contain ${why}` });
      continue;
    }
    if (value === null || typeof value !== 'object') continue;
    if (depth >= maxDepth) {
      out.push({ field: path || root, location, message: `is nested deeper than ${maxDepth} levels` });
      continue;
    }
    if (Array.isArray(value)) {
      for (let i = value.length - 1; i >= 0; i--) stack.push({ value: value[i], path: join(path, String(i)), depth: depth + 1 });
    } else {
      const children: Array<{ value: unknown; path: string; depth: number }> = [];
      for (const key of Object.keys(value)) {
        const why = unsafeText(key);
        if (why) out.push({ field: join(path, printable(key)), location, message: `is a field name that must not contain ${why}` });
        else children.push({ value: (value as Record<string, unknown>)[key], path: join(path, key), depth: depth + 1 });
      }
      for (let i = children.length - 1; i >= 0; i--) stack.push(children[i]!);
    }
  }
  return out.slice(0, MAX_ERRORS);
}
