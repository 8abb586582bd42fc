// The UBL 2.1 schema check (OASIS XSDs from the Peppol validation kit) with xmllint compiled to
// WebAssembly: no native build. The schema files are read once per process and handed to xmllint
// under their relative names; several documents can be checked in one call (each call starts a
// WebAssembly instance, about 0.2 s).
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { validateXML } from 'xmllint-wasm';
import { DomainError } from '../../kernel/errors.ts';

/** Where the kit is: PEPPOL_KIT_DIR, else ../shared/peppol beside the repository. */
export function peppolKitDir(): string {
  return process.env.PEPPOL_KIT_DIR ?? resolve(fileURLToPath(import.meta.url), '../../../../../shared/peppol');
}

interface SchemaFiles {
  entry: { fileName: string; contents: string };
  preload: { fileName: string; contents: string }[];
}
let loaded: SchemaFiles | undefined;

function schemaFiles(): SchemaFiles {
  if (loaded) return loaded;
  const dir = join(peppolKitDir(), 'xsd');
  // Without the schemas no document is checked, so none is served or sent: a 503 that says why.
  if (!existsSync(join(dir, 'UBL-Invoice-or-CreditNote-2.1.xsd'))) {
    throw new DomainError('service_unavailable', `The UBL schemas are not installed at ${dir}: set PEPPOL_KIT_DIR to the Peppol validation kit (README, e-invoicing)`);
  }
  const preload = ['common', 'maindoc'].flatMap((sub) =>
    readdirSync(join(dir, sub))
      .filter((f) => f.endsWith('.xsd'))
      .map((f) => ({ fileName: `${sub}/${f}`, contents: readFileSync(join(dir, sub, f), 'utf8') })),
  );
  const entry = { fileName: 'UBL-Invoice-or-CreditNote-2.1.xsd', contents: readFileSync(join(dir, 'UBL-Invoice-or-CreditNote-2.1.xsd'), 'utf8') };
  loaded = { entry, preload };
  return loaded;
}

// Each xmllint call runs its own WebAssembly instance (16–32 MB): a burst of requests waits for a
// slot instead of starting one instance each.
const MAX_RUNNING = 2;
let running = 0;
const waiting: (() => void)[] = [];
async function slot<T>(fn: () => Promise<T>): Promise<T> {
  if (running >= MAX_RUNNING) await new Promise<void>((r) => waiting.push(r));
  running++;
  try {
    return await fn();
  } finally {
    running--;
    waiting.shift()?.();
  }
}

export interface SchemaResult {
  valid: boolean;
  errors: string[];
}

/** Checks documents against the UBL 2.1 Invoice/CreditNote schema, one result per document. */
export async function checkSchema(documents: string[]): Promise<SchemaResult[]> {
  const keys = documents.map((d) => createHash('sha256').update(d).digest('base64'));
  const missing = [...new Set(keys.filter((k) => !known.has(k)))];
  if (missing.length) {
    const texts = missing.map((k) => documents[keys.indexOf(k)]!);
    const batch = validateBatch(texts);
    missing.forEach((k, i) => remember(k, batch.then((r) => r[i]!)));
    // A failed run (the kit missing, say) is not remembered.
    batch.catch(() => missing.forEach((k) => known.delete(k)));
  }
  return Promise.all(keys.map((k) => known.get(k)!));
}

// The same document (a GET repeated, a resend) is checked once: results by content hash, the
// newest CACHE_SIZE kept, a check in flight shared.
const CACHE_SIZE = 1000;
const known = new Map<string, Promise<SchemaResult>>();
function remember(key: string, result: Promise<SchemaResult>): void {
  known.set(key, result);
  if (known.size > CACHE_SIZE) known.delete(known.keys().next().value!);
}

async function validateBatch(documents: string[]): Promise<SchemaResult[]> {
  const { entry, preload } = schemaFiles();
  const names = documents.map((_, i) => `document-${i}.xml`);
  const result = await slot(() =>
    validateXML({
      xml: documents.map((contents, i) => ({ fileName: names[i]!, contents })),
      schema: entry,
      preload,
    }),
  );
  return names.map((name) => {
    const errors = result.errors.filter((e) => !e.loc || e.loc.fileName === name).map((e) => e.message ?? e.rawMessage);
    return { valid: errors.length === 0, errors };
  });
}
