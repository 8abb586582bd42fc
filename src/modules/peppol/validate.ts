// Schema + business rules on a UBL document: what the Peppol network would check before it
// accepts it. Used on every document we build and by `npm run peppol:validate`.
import { checkRules, type Finding } from '../../domain/peppol/rules.ts';
import { parseXml, XmlError } from '../../domain/peppol/xml.ts';
import { checkSchema } from './schema-check.ts';

export interface Validation {
  /** No schema error and no fatal rule fired. */
  ok: boolean;
  schemaErrors: string[];
  findings: Finding[];
}

export async function validateUblBatch(documents: string[]): Promise<Validation[]> {
  const schema = await checkSchema(documents);
  return documents.map((xml, i) => {
    let findings: Finding[];
    try {
      findings = checkRules(parseXml(xml));
    } catch (err) {
      if (!(err instanceof XmlError)) throw err;
      findings = [{ rule: 'XML', flag: 'fatal', count: 1, message: `Not well-formed XML: ${err.message}` }];
    }
    const schemaErrors = schema[i]!.errors;
    return { ok: schemaErrors.length === 0 && !findings.some((f) => f.flag === 'fatal'), schemaErrors, findings };
  });
}

export const validateUbl = async (xml: string): Promise<Validation> => (await validateUblBatch([xml]))[0]!;
