// A business rule of Peppol BIS Billing 3.0: its id, how grave it is, what it requires, and a
// function that returns how many times it fires on a document (once per element that breaks it,
// as a Schematron assert fires once per context node).
import type { Doc } from './document.ts';

export type Flag = 'fatal' | 'warning';

export interface Rule {
  id: string;
  flag: Flag;
  text: string;
  fires: (doc: Doc) => number;
}

export const rule = (id: string, flag: Flag, text: string, fires: (doc: Doc) => number): Rule => ({ id, flag, text, fires });

/** How many of `contexts` fail `ok`. */
export const failing = <T>(contexts: T[], ok: (c: T) => boolean): number => contexts.filter((c) => !ok(c)).length;

/** 1 when a document-level assertion fails, else 0. */
export const unless = (ok: boolean): number => (ok ? 0 : 1);
