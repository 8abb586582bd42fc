// The UBL 2.1 schema check (OASIS XSDs from the Peppol validation kit) with xmllint compiled to
// WebAssembly: no native build. The schema files are read once per process and handed to xmllint
// under their relative names; several documents can be checked in one call (each call starts a
// WebAssembly instance, about 0.2 s).
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { validateXML } from 'xmllint-wasm';

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
  const preload = ['common', 'maindoc'].flatMap((sub) =>
    readdirSync(join(dir, sub))
      .filter((f) => f.endsWith('.xsd'))
      .map((f) => ({ fileName: `${sub}/${f}`, contents: readFileSync(join(dir, sub, f), 'utf8') })),
  );
  const entry = { fileName: 'UBL-Invoice-or-CreditNote-2.1.xsd', contents: readFileSync(join(dir, 'UBL-Invoice-or-CreditNote-2.1.xsd'), 'utf8') };
  loaded = { entry, preload };
  return loaded;
}

export interface SchemaResult {
  valid: boolean;
  errors: string[];
}

/** Checks documents against the UBL 2.1 Invoice/CreditNote schema, one result per document. */
export async function checkSchema(documents: string[]): Promise<SchemaResult[]> {
  if (!documents.length) return [];
  const { entry, preload } = schemaFiles();
  const names = documents.map((_, i) => `document-${i}.xml`);
  const result = await validateXML({
    xml: documents.map((contents, i) => ({ fileName: names[i]!, contents })),
    schema: entry,
    preload,
  });
  return names.map((name) => {
    const errors = result.errors.filter((e) => !e.loc || e.loc.fileName === name).map((e) => e.message ?? e.rawMessage);
    return { valid: errors.length === 0, errors };
  });
}
