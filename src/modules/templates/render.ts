// Rendering reminder templates, and checking a merchant's template before it is saved.
//
// Each (locale, part kind) has its own Handlebars environment with that locale's partials, compiled
// up front: a partial compiled lazily would be cached with the options of whichever template used
// it first, and an HTML partial compiled without escaping would then stay unescaped. HTML escapes
// every {{ }}; subject and text are plain text and are not HTML-escaped. Every template compiles in
// strict mode with only our helpers known, and checkTemplate refuses, at save time, anything the
// ReminderContext does not have, so a misspelt variable never reaches a customer.
import { createHash } from 'node:crypto';
import Handlebars from 'handlebars';
import { TONES, type TemplateName } from '../../domain/dunning-policy.ts';
import { CONTEXT_SHAPE, type ContextShape, type ReminderContext } from './context.ts';
import { LOCALES, PARTIALS, PARTIAL_NAMES, type Locale, type TemplateParts } from './defaults.ts';
import { sampleContexts } from './sample.ts';

export type TemplateField = 'subject' | 'html' | 'text';
export type TemplateProblem = { field: TemplateField; message: string };
type Kind = 'html' | 'text';

// Value helpers (usable in (sub-expressions)) and block helpers.
const VALUE_HELPERS: Record<string, { arity: [number, number]; fn: (...args: unknown[]) => unknown }> = {
  eq: { arity: [2, 2], fn: (a, b) => a === b },
  ne: { arity: [2, 2], fn: (a, b) => a !== b },
  and: { arity: [2, 5], fn: (...args) => args.every(Boolean) },
  or: { arity: [2, 5], fn: (...args) => args.some(Boolean) },
  not: { arity: [1, 1], fn: (a) => !a },
};
const BUILTIN_BLOCKS = new Set(['if', 'unless', 'each', 'with']);
export const HELPER_NAMES = [...Object.keys(VALUE_HELPERS), ...BUILTIN_BLOCKS, 'if-tone'];

type HelperOptions = Handlebars.HelperOptions;

function createEnv(locale: Locale, kind: Kind): typeof Handlebars {
  const env = Handlebars.create();
  for (const [name, h] of Object.entries(VALUE_HELPERS)) {
    // Handlebars passes its options object last; the helpers see only their arguments.
    env.registerHelper(name, (...args: unknown[]) => h.fn(...args.slice(0, -1)));
  }
  // {{#if-tone "friendly" "neutral"}}…{{else}}…{{/if-tone}}: the message's tone, wherever the block is.
  env.registerHelper('if-tone', function (this: unknown, ...args: unknown[]) {
    const options = args.at(-1) as HelperOptions;
    const tone = (options.data?.root as ReminderContext | undefined)?.tone;
    return args.slice(0, -1).includes(tone) ? options.fn(this) : options.inverse(this);
  });
  for (const [name, source] of Object.entries(PARTIALS[locale][kind])) env.registerPartial(name, env.compile(source, compileOptions(kind)));
  return env;
}

function compileOptions(kind: Kind): CompileOptions {
  const knownHelpers: Record<string, boolean> = {};
  for (const name of HELPER_NAMES) knownHelpers[name] = true;
  return { strict: true, knownHelpers, knownHelpersOnly: true, noEscape: kind === 'text', preventIndent: kind === 'html' };
}

const ENVS = new Map<string, typeof Handlebars>();
for (const locale of LOCALES) for (const kind of ['html', 'text'] as const) ENVS.set(`${locale}/${kind}`, createEnv(locale, kind));

const compile = (locale: Locale, kind: Kind, source: string) => ENVS.get(`${locale}/${kind}`)!.compile(source, compileOptions(kind));

// Templates sent are compiled once per process; the bound keeps memory flat whatever is sent.
// Only renderReminder fills it: checks and previews of drafts compile afresh.
const COMPILED = new Map<string, Handlebars.TemplateDelegate>();
const MAX_COMPILED = 500;

function compiled(locale: Locale, kind: Kind, source: string): Handlebars.TemplateDelegate {
  const key = `${locale}/${kind}/${createHash('sha256').update(source).digest('base64')}`;
  let t = COMPILED.get(key);
  if (t === undefined) {
    if (COMPILED.size >= MAX_COMPILED) COMPILED.clear();
    t = compile(locale, kind, source);
    COMPILED.set(key, t);
  }
  return t;
}

/** Renders the three parts of a template for `ctx` (throws if a template names what ctx lacks). */
export function renderReminder(t: TemplateParts, ctx: ReminderContext): TemplateParts {
  return render(t, ctx, compiled);
}

/** renderReminder for a draft (a preview): compiled for this once, not kept. */
export function renderDraft(t: TemplateParts, ctx: ReminderContext): TemplateParts {
  return render(t, ctx, compile);
}

function render(t: TemplateParts, ctx: ReminderContext, by: typeof compile): TemplateParts {
  const run = (kind: Kind, source: string) => by(ctx.locale, kind, source)(ctx);
  return {
    // A subject is one header line.
    subject: run('text', t.subject).replace(/\s+/g, ' ').trim(),
    html: run('html', t.html),
    text: run('text', t.text).replace(/\n{3,}/g, '\n\n').trim() + '\n',
  };
}

// ---------------------------------------------------------------------------------------------
// The checker: walks each part's syntax tree with the context's shape in scope.

type Frame = { shape: ContextShape; loop: boolean };
type Walk = {
  kind: Kind;
  frames: Frame[];
  params: Map<string, ContextShape>[]; // block params (as |x i|), innermost last
  depth: number; // block nesting
  loops: number; // #each nesting
  problems: string[];
};

const MAX_BLOCK_DEPTH = 12;
const MAX_LOOP_DEPTH = 2;
const DATA_IN_LOOP = new Set(['index', 'first', 'last', 'key']);
const at = (node: hbs.AST.Node) => (node.loc ? ` (line ${node.loc.start.line})` : '');
const isObject = (s: ContextShape): s is { [key: string]: ContextShape } => s !== true && !('$each' in s);
const isList = (s: ContextShape): s is { $each: ContextShape } => s !== true && '$each' in s;

function walkParts(shape: ContextShape, parts: string[], original: string): ContextShape | string {
  let s = shape;
  for (const part of parts) {
    if (isList(s) && part === 'length') s = true;
    else if (isObject(s) && Object.hasOwn(s, part)) s = (s as Record<string, ContextShape>)[part]!;
    else return `unknown variable "${original}"`;
  }
  return s;
}

function resolve(w: Walk, p: hbs.AST.PathExpression): ContextShape | string {
  if (p.data) {
    const [head, ...rest] = p.parts;
    if (head === 'root') return walkParts(CONTEXT_SHAPE, rest, p.original);
    if (head !== undefined && DATA_IN_LOOP.has(head) && rest.length === 0) {
      return w.frames.some((f) => f.loop) || w.loops > 0 ? true : `"${p.original}" is only known inside {{#each}}`;
    }
    return `unknown variable "${p.original}"`;
  }
  if (p.depth > 0) {
    if (p.depth >= w.frames.length) return `"${p.original}" goes above the top of the context`;
    return walkParts(w.frames[w.frames.length - 1 - p.depth]!.shape, p.parts, p.original);
  }
  const head = p.parts[0];
  if (head !== undefined && !/^this\b/.test(p.original)) {
    for (let i = w.params.length - 1; i >= 0; i--) {
      const bound = w.params[i]!.get(head);
      if (bound !== undefined) return walkParts(bound, p.parts.slice(1), p.original);
    }
  }
  return walkParts(w.frames.at(-1)!.shape, p.parts, p.original);
}

function checkExpression(w: Walk, e: hbs.AST.Expression): ContextShape | null {
  switch (e.type) {
    case 'PathExpression': {
      const s = resolve(w, e as hbs.AST.PathExpression);
      if (typeof s === 'string') {
        w.problems.push(s + at(e));
        return null;
      }
      return s;
    }
    case 'SubExpression': {
      const sub = e as hbs.AST.SubExpression;
      checkHelperCall(w, sub.path, sub.params, sub.hash, sub);
      return true;
    }
    case 'StringLiteral':
    case 'NumberLiteral':
    case 'BooleanLiteral':
    case 'NullLiteral':
    case 'UndefinedLiteral':
      return true;
    default:
      w.problems.push(`${e.type} is not allowed${at(e)}`);
      return null;
  }
}

function simpleName(p: hbs.AST.PathExpression | hbs.AST.Literal): string | null {
  if (p.type !== 'PathExpression') return null;
  const path = p as hbs.AST.PathExpression;
  return !path.data && path.depth === 0 && path.parts.length === 1 && path.original === path.parts[0] ? path.parts[0]! : null;
}

function checkHelperCall(w: Walk, path: hbs.AST.PathExpression, params: hbs.AST.Expression[], hash: hbs.AST.Hash | undefined, node: hbs.AST.Node) {
  const name = simpleName(path);
  const helper = name !== null && Object.hasOwn(VALUE_HELPERS, name) ? VALUE_HELPERS[name] : undefined;
  if (helper === undefined) {
    w.problems.push(`unknown helper "${path.original}"${at(node)}; helpers: ${Object.keys(VALUE_HELPERS).join(', ')}`);
    return;
  }
  if (params.length < helper.arity[0] || params.length > helper.arity[1]) w.problems.push(`helper "${name}" takes ${helper.arity.join('–')} arguments${at(node)}`);
  if (hash && hash.pairs.length > 0) w.problems.push(`helper "${name}" takes no key=value arguments${at(node)}`);
  for (const p of params) checkExpression(w, p);
}

function checkProgram(w: Walk, program: hbs.AST.Program | undefined) {
  if (!program) return;
  for (const s of program.body) checkStatement(w, s);
}

function checkStatement(w: Walk, s: hbs.AST.Statement) {
  switch (s.type) {
    case 'ContentStatement':
    case 'CommentStatement':
      return;
    case 'MustacheStatement': {
      const m = s as hbs.AST.MustacheStatement;
      if (!m.escaped && w.kind === 'html') w.problems.push(`{{{…}}} writes without HTML escaping; use {{…}}${at(m)}`);
      if (m.path.type !== 'PathExpression') {
        w.problems.push(`a literal cannot be output as {{…}}${at(m)}`);
        return;
      }
      const path = m.path as hbs.AST.PathExpression;
      const name = simpleName(path);
      if (m.params.length > 0 || m.hash?.pairs.length || (name !== null && Object.hasOwn(VALUE_HELPERS, name))) {
        checkHelperCall(w, path, m.params, m.hash, m);
        return;
      }
      if (name !== null && (BUILTIN_BLOCKS.has(name) || name === 'if-tone')) {
        w.problems.push(`"${name}" is a block helper: use {{#${name} …}}…{{/${name}}}${at(m)}`);
        return;
      }
      const shape = checkExpression(w, path);
      if (shape !== null && shape !== true) w.problems.push(`"${path.original}" is ${isList(shape) ? 'a list: use {{#each}}' : 'an object: name one of its fields'}${at(m)}`);
      return;
    }
    case 'BlockStatement':
      return checkBlock(w, s as hbs.AST.BlockStatement);
    case 'PartialStatement':
    case 'PartialBlockStatement': {
      const p = s as hbs.AST.PartialStatement | hbs.AST.PartialBlockStatement;
      const name = p.name.type === 'PathExpression' ? simpleName(p.name as hbs.AST.PathExpression) : null;
      if (name === null || !(PARTIAL_NAMES as readonly string[]).includes(name)) {
        w.problems.push(`unknown partial "${p.name.type === 'PathExpression' ? (p.name as hbs.AST.PathExpression).original : 'dynamic'}"${at(p)}; partials: ${PARTIAL_NAMES.join(', ')}`);
      } else if (p.params.length > 0 || (p.hash?.pairs.length ?? 0) > 0) {
        w.problems.push(`partial "${name}" takes no arguments${at(p)}`);
      } else if (w.frames.length > 1) {
        w.problems.push(`partial "${name}" must be used outside {{#each}} and {{#with}}${at(p)}`);
      }
      if (s.type === 'PartialBlockStatement') checkProgram(w, (s as hbs.AST.PartialBlockStatement).program);
      return;
    }
    default:
      w.problems.push(`${s.type} is not allowed${at(s)}`);
  }
}

function checkBlock(w: Walk, b: hbs.AST.BlockStatement) {
  const name = simpleName(b.path);
  if (w.depth >= MAX_BLOCK_DEPTH) {
    w.problems.push(`blocks are nested more than ${MAX_BLOCK_DEPTH} deep${at(b)}`);
    return;
  }
  if (b.hash && b.hash.pairs.length > 0) w.problems.push(`{{#${b.path.original}}} takes no key=value arguments${at(b)}`);
  const inner = (fn: () => void) => {
    w.depth++;
    fn();
    w.depth--;
  };
  switch (name) {
    case 'if':
    case 'unless': {
      if (b.params.length !== 1) w.problems.push(`{{#${name}}} takes one argument${at(b)}`);
      for (const p of b.params) checkExpression(w, p);
      if (b.program.blockParams?.length) w.problems.push(`{{#${name}}} has no block parameters${at(b)}`);
      inner(() => {
        checkProgram(w, b.program);
        checkProgram(w, b.inverse);
      });
      return;
    }
    case 'if-tone': {
      if (b.params.length < 1) w.problems.push(`{{#if-tone}} takes one or more tones${at(b)}`);
      for (const p of b.params) {
        if (p.type !== 'StringLiteral' || !(TONES as readonly string[]).includes((p as hbs.AST.StringLiteral).value)) {
          w.problems.push(`{{#if-tone}} takes tones in quotes: ${TONES.map((t) => `"${t}"`).join(', ')}${at(b)}`);
        }
      }
      inner(() => {
        checkProgram(w, b.program);
        checkProgram(w, b.inverse);
      });
      return;
    }
    case 'each':
    case 'with': {
      if (b.params.length !== 1) {
        w.problems.push(`{{#${name}}} takes one argument${at(b)}`);
        return;
      }
      const shape = checkExpression(w, b.params[0]!);
      if (shape === null) return;
      const element = name === 'each' ? (isList(shape) ? shape.$each : null) : isObject(shape) ? shape : null;
      if (element === null) {
        w.problems.push(`{{#${name} ${(b.params[0] as hbs.AST.PathExpression).original ?? ''}}} needs ${name === 'each' ? 'a list (invoices)' : 'an object'}${at(b)}`);
        return;
      }
      if (name === 'each' && w.loops >= MAX_LOOP_DEPTH) {
        w.problems.push(`{{#each}} is nested more than ${MAX_LOOP_DEPTH} deep${at(b)}`);
        return;
      }
      const names = b.program.blockParams ?? [];
      const bound = new Map<string, ContextShape>();
      if (names[0] !== undefined) bound.set(names[0], element);
      if (names[1] !== undefined && name === 'each') bound.set(names[1], true);
      if (names.length > (name === 'each' ? 2 : 1)) w.problems.push(`{{#${name}}} has at most ${name === 'each' ? 2 : 1} block parameters${at(b)}`);
      inner(() => {
        w.frames.push({ shape: element, loop: name === 'each' });
        w.params.push(bound);
        if (name === 'each') w.loops++;
        checkProgram(w, b.program);
        if (name === 'each') w.loops--;
        w.params.pop();
        w.frames.pop();
        // {{else}} runs in the outer context.
        checkProgram(w, b.inverse);
      });
      return;
    }
    default:
      w.problems.push(`unknown block helper "${b.path.original}"${at(b)}; blocks: if, unless, each, with, if-tone`);
  }
}

function checkSource(kind: Kind, source: string): string[] {
  let ast: hbs.AST.Program;
  try {
    ast = Handlebars.parse(source);
  } catch (err) {
    return [`is not a valid template: ${String((err as Error).message).split('\n').slice(0, 3).join(' ').slice(0, 300)}`];
  }
  const w: Walk = { kind, frames: [{ shape: CONTEXT_SHAPE, loop: false }], params: [], depth: 0, loops: 0, problems: [] };
  checkProgram(w, ast);
  return w.problems;
}

/**
 * What is wrong with a template, per part: syntax errors, variables and helpers the ReminderContext
 * does not have, unescaped HTML output, and (when the tree is fine) any error rendering it against
 * sample contexts in both locales. An empty list: the template is safe to save.
 */
export function checkTemplate(t: TemplateParts, name: TemplateName = 'reminder'): TemplateProblem[] {
  const problems: TemplateProblem[] = [];
  const kinds: Record<TemplateField, Kind> = { subject: 'text', html: 'html', text: 'text' };
  for (const field of ['subject', 'html', 'text'] as const) {
    const found = checkSource(kinds[field], t[field]);
    if (found.length > 0) {
      problems.push(...found.slice(0, 10).map((message) => ({ field, message })));
      continue;
    }
    // The tree is fine; rendering is the last word (a partial or helper misused at run time).
    const failed = renderFailure(kinds[field], t[field], name);
    if (failed !== null) problems.push({ field, message: failed });
  }
  return problems;
}

function renderFailure(kind: Kind, source: string, name: TemplateName): string | null {
  for (const locale of LOCALES) {
    const t = compile(locale, kind, source);
    for (const ctx of sampleContexts(locale, name)) {
      try {
        t(ctx);
      } catch (err) {
        return `does not render: ${String((err as Error).message).split('\n')[0]!.slice(0, 300)}`;
      }
    }
  }
  return null;
}

