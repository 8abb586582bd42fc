// A small read-only tree over a UBL document, with elements named by namespace (cbc:/cac:) rather
// than by whatever prefixes the file happens to use, so that the rules can be written as plain
// path look-ups. Parsed with @xmldom/xmldom; no I/O.
import { DOMParser, type Element as DomElement, type Node as DomNode } from '@xmldom/xmldom';

export const NS = {
  cbc: 'urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2',
  cac: 'urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2',
  invoice: 'urn:oasis:names:specification:ubl:schema:xsd:Invoice-2',
  creditNote: 'urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2',
} as const;

const PREFIX_OF: Record<string, string> = { [NS.cbc]: 'cbc:', [NS.cac]: 'cac:', [NS.invoice]: 'ubl:', [NS.creditNote]: 'cn:' };

export interface El {
  /** `cbc:ID`, `cac:Party`, `ubl:Invoice`, `cn:CreditNote`; other namespaces as `{uri}local`. */
  name: string;
  attrs: Record<string, string>;
  children: El[];
  parent: El | null;
  /** The concatenated text of the element and its descendants (XPath string value). */
  text: string;
}

export class XmlError extends Error {}

/** Parses a document; throws XmlError when it is not well-formed XML. */
export function parseXml(xml: string): El {
  const errors: string[] = [];
  const doc = new DOMParser({
    onError: (level, message) => {
      if (level !== 'warning') errors.push(message);
    },
  }).parseFromString(xml, 'text/xml');
  const root = doc.documentElement;
  if (errors.length || !root) throw new XmlError(errors[0] ?? 'not an XML document');
  return fromDom(root, null);
}

/** The tree of an element already parsed (a test set wraps its documents). */
export function fromDom(node: DomElement, parent: El | null): El {
  const uri = node.namespaceURI ?? '';
  const prefix = PREFIX_OF[uri];
  const el: El = { name: prefix ? prefix + node.localName : `{${uri}}${node.localName}`, attrs: {}, children: [], parent, text: '' };
  for (let i = 0; i < node.attributes.length; i++) {
    const a = node.attributes.item(i)!;
    if (a.name === 'xmlns' || a.name.startsWith('xmlns:')) continue;
    el.attrs[a.localName ?? a.name] = a.value;
  }
  let text = '';
  for (let c: DomNode | null = node.firstChild; c; c = c.nextSibling) {
    if (c.nodeType === 1) {
      const child = fromDom(c as DomElement, el);
      el.children.push(child);
      text += child.text;
    } else if (c.nodeType === 3 || c.nodeType === 4) {
      text += c.nodeValue ?? '';
    }
  }
  el.text = text;
  return el;
}

/** Children named `name`. */
export const kids = (el: El | null | undefined, name: string): El[] => (el ? el.children.filter((c) => c.name === name) : []);

/** Every element reached by a `/`-separated path of child names (`cac:Party/cbc:EndpointID`). */
export function all(el: El | null | undefined, path: string): El[] {
  let cur: El[] = el ? [el] : [];
  for (const step of path.split('/')) cur = cur.flatMap((e) => kids(e, step));
  return cur;
}

export const first = (el: El | null | undefined, path: string): El | undefined => all(el, path)[0];
export const has = (el: El | null | undefined, path: string): boolean => all(el, path).length > 0;

/** XPath normalize-space. */
export const norm = (s: string | undefined): string => (s ?? '').replace(/[\s]+/g, ' ').trim();

/** normalize-space of the first element on the path ('' when absent). */
export const val = (el: El | null | undefined, path: string): string => norm(first(el, path)?.text);

/** Every descendant (document order) named `name`: `//cac:TaxCategory`. */
export function descendants(el: El, name: string): El[] {
  const out: El[] = [];
  const walk = (e: El) => {
    for (const c of e.children) {
      if (c.name === name) out.push(c);
      walk(c);
    }
  };
  walk(el);
  return out;
}

/** Every element of the tree, the root first. */
export function everyElement(el: El): El[] {
  const out: El[] = [el];
  for (const c of el.children) out.push(...everyElement(c));
  return out;
}

/** The number value of an element's text as XPath would read it (NaN when not a number). */
export function num(s: string | undefined): number {
  const t = norm(s);
  if (!/^[+-]?(\d+(\.\d*)?|\.\d+)$/.test(t)) return NaN;
  return Number(t);
}

/** XPath round(): half away up (round(-2.5) = -2). */
export const xround = (x: number): number => Math.floor(x + 0.5 + 1e-9);

/** round(x * 100) div 100, as the rules write it. */
export const round2 = (x: number): number => xround(x * 100) / 100;

/** Equality of two decimals as xs:decimal would see them (amounts carry at most a few decimals). */
export const same = (a: number, b: number): boolean => Math.abs(a - b) < 1e-9;
