// dbt-compatible rendering of the Jinja our generated projects use, for validation without dbt.
// nunjucks parses and runs the templates; this module supplies dbt's context (ref, source,
// config, var, env_var, is_incremental, this, target, return, our macros) with dbt's documented
// semantics, and turns every construct outside that subset into a diagnostic instead of
// rendering something plausible. The subset is listed in server/dbt/README.md.
import { createRequire } from "node:module";
import nunjucks from "nunjucks";
import { diagnostic, type Diagnostic, type SourceLocation } from "../diagnostics.ts";

export type TargetType = "postgres" | "sqlserver";

/** A relation as dbt renders it: each part double-quoted, joined with dots. */
export interface RelationParts {
  database?: string;
  schema?: string;
  identifier: string;
}

/** What a ref() resolves to: a relation, or an ephemeral model that dbt inlines as a CTE. */
export type RefResolution = ({ kind?: "relation" } & RelationParts) | { kind: "ephemeral"; name: string } | { kind: "disabled"; name: string };

export interface DbtTarget {
  name: string;
  schema: string;
  type: TargetType;
  database?: string;
  threads?: number;
  [key: string]: unknown;
}

export interface RenderContext {
  /** For diagnostics: the file the SQL came from. */
  file?: string;
  /** The model being rendered (dbt's `model` variable; its materialization decides is_incremental()). */
  model?: { name: string; materialized?: string; config?: Record<string, unknown> };
  resolveRef(model: string, packageName?: string): RefResolution | undefined;
  resolveSource(source: string, table: string): RelationParts | undefined;
  /** The relation of the model itself ({{ this }}). */
  this?: RelationParts;
  /** Project vars (dbt_project.yml `vars:`). */
  vars?: Record<string, unknown>;
  /** --vars from the command line; they override project vars, as in dbt. */
  cliVars?: Record<string, unknown>;
  /** Environment for env_var(); process.env is not read unless passed here. */
  env?: Record<string, string | undefined>;
  target: DbtTarget;
  /**
   * The model's table already exists from a previous run (and this is not a full refresh).
   * is_incremental() is true only when this is set AND the model is materialized incremental,
   * as in dbt.
   */
  isIncremental?: boolean;
  fullRefresh?: boolean;
  macros?: MacroLibrary;
  /** Default: now. {{ run_started_at }} renders like Python's datetime. */
  runStartedAt?: Date;
  /** Extra template variables (a generic test's arguments: model, column_name, ...). */
  extraGlobals?: Record<string, unknown>;
}

export interface RenderResult {
  /** The rendered SQL ('' when rendering failed). */
  sql: string;
  /** False when any error diagnostic was produced. */
  ok: boolean;
  diagnostics: Diagnostic[];
  /** Everything passed to config(...), merged in call order. */
  config: Record<string, unknown>;
  refs: Array<{ model: string; package?: string }>;
  sources: Array<{ source: string; table: string }>;
  /** Ephemeral models referenced (their CTEs must be injected; see injectEphemeralCtes). */
  ephemeral: string[];
  vars: string[];
  envVars: string[];
}

// ---------------------------------------------------------------------------------------------
// Errors

class JinjaFailure extends Error {
  constructor(
    readonly code: string,
    message: string,
    /** Set when the failure already knows where it happened (inside a macro file). */
    readonly at?: SourceLocation,
    /** 1-based line within the template being rendered, when known without nunjucks' help. */
    readonly line?: number,
  ) {
    super(message);
  }
}

/** dbt's return(): stops the macro and makes the value its result. */
class ReturnSignal extends Error {
  constructor(readonly value: unknown) {
    super("return()");
  }
}

// ---------------------------------------------------------------------------------------------
// Relations

function quoteIdent(s: string): string {
  return `"${s.replace(/"/g, '""')}"`;
}

/** dbt's Relation object: renders quoted, exposes database/schema/identifier/name, include(). */
export class DbtRelation {
  constructor(
    readonly database: string | undefined,
    readonly schema: string | undefined,
    readonly identifier: string,
  ) {}
  get name(): string {
    return this.identifier;
  }
  get table(): string {
    return this.identifier;
  }
  include(...args: unknown[]): DbtRelation {
    const { positional, keywords } = splitArgs(args);
    const flag = (name: string, i: number) => (keywords[name] ?? positional[i] ?? true) !== false;
    return new DbtRelation(
      flag("database", 0) ? this.database : undefined,
      flag("schema", 1) ? this.schema : undefined,
      this.identifier,
    );
  }
  render(): string {
    return this.toString();
  }
  toString(): string {
    return [this.database, this.schema, this.identifier]
      .filter((p): p is string => p !== undefined && p !== "")
      .map(quoteIdent)
      .join(".");
  }
}

function relationOf(p: RelationParts): DbtRelation {
  return new DbtRelation(p.database, p.schema, p.identifier);
}

// ---------------------------------------------------------------------------------------------
// Arguments: nunjucks passes keyword arguments as a trailing object flagged __keywords.

function splitArgs(args: unknown[]): { positional: unknown[]; keywords: Record<string, unknown> } {
  const last = args[args.length - 1];
  if (last && typeof last === "object" && (last as { __keywords?: boolean }).__keywords === true) {
    const { __keywords: _k, ...keywords } = last as Record<string, unknown>;
    return { positional: args.slice(0, -1), keywords };
  }
  return { positional: args, keywords: {} };
}

function bind(fn: string, args: unknown[], params: string[]): { values: Record<string, unknown>; given: Set<string> } {
  const { positional, keywords } = splitArgs(args);
  if (positional.length > params.length) throw new JinjaFailure("DBT3001", `${fn}() takes at most ${params.length} arguments, got ${positional.length}`);
  const values: Record<string, unknown> = {};
  const given = new Set<string>();
  positional.forEach((v, i) => {
    values[params[i]!] = v;
    given.add(params[i]!);
  });
  for (const [k, v] of Object.entries(keywords)) {
    if (!params.includes(k)) throw new JinjaFailure("DBT3001", `${fn}() got an unexpected keyword argument '${k}'`);
    values[k] = v;
    given.add(k);
  }
  return { values, given };
}

// ---------------------------------------------------------------------------------------------
// The nunjucks environment: autoescape off (this is SQL, not HTML), undefined output is an error
// (dbt would not silently print nothing either for our purposes), `{% do %}` as in jinja2.ext.do.

class DoExtension {
  tags = ["do"];
  parse(parser: any, nodes: any): unknown {
    const tok = parser.nextToken();
    const expr = parser.parseExpression();
    parser.advanceAfterBlockEnd(tok.value);
    return new nodes.CallExtension(this, "run", new nodes.NodeList(tok.lineno, tok.colno, [expr]));
  }
  run(): string {
    return "";
  }
}

const env = new nunjucks.Environment([], { autoescape: false, throwOnUndefined: true, dev: true });
env.addExtension("DoExtension", new DoExtension());
// dbt's native-type filters (used in profiles and vars): the value itself, converted.
env.addFilter("as_text", (v: unknown) => (v === null || v === undefined ? "" : String(v)));
env.addFilter("as_number", (v: unknown) => {
  const n = Number(v);
  if (Number.isNaN(n)) throw new JinjaFailure("DBT3001", `as_number: '${String(v)}' is not a number`);
  return n;
});
env.addFilter("as_bool", (v: unknown) => (typeof v === "string" ? v.toLowerCase() === "true" : Boolean(v)));
env.addFilter("as_native", (v: unknown) => v);
(env as unknown as { addTest(name: string, fn: (v: unknown) => boolean): void }).addTest("none", (v: unknown) => v === null || v === undefined);

/**
 * nunjucks templates can reach JavaScript internals through `constructor`/`__proto__`
 * (`{{ range.constructor(...) }}` builds a Function). Model SQL may come from a language model, so
 * our templates run with a copy of the nunjucks runtime that refuses those names. The copy is
 * passed to our templates only; other nunjucks users in the process are unaffected.
 */
const BLOCKED_NAMES = new Set(["constructor", "__proto__", "prototype", "__defineGetter__", "__defineSetter__", "__lookupGetter__", "__lookupSetter__"]);
const baseRuntime = (nunjucks as unknown as { runtime: Record<string, any> }).runtime;

/** Python's str() of a value, as Jinja prints it: True/False/None, lists and dicts in repr form. */
export function pyStr(v: unknown): string {
  if (typeof v === "string") return v;
  if (v === null) return "None";
  if (v === true) return "True";
  if (v === false) return "False";
  if (Array.isArray(v) || isPlainObject(v)) return pyRepr(v);
  return String(v);
}

function pyRepr(v: unknown): string {
  if (typeof v === "string") {
    const q = v.includes("'") && !v.includes('"') ? '"' : "'";
    return q + v.replace(/\\/g, "\\\\").replace(q === "'" ? /'/g : /"/g, `\\${q}`).replace(/\n/g, "\\n") + q;
  }
  if (Array.isArray(v)) return `[${v.map(pyRepr).join(", ")}]`;
  if (isPlainObject(v)) return `{${Object.entries(v).map(([k, x]) => `${pyRepr(k)}: ${pyRepr(x)}`).join(", ")}}`;
  return pyStr(v);
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (v === null || typeof v !== "object") return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

/**
 * The Python methods dbt templates call on strings, lists and dicts (`'a'.upper()`,
 * `cols.append(x)`, `d.items()`), with Python's semantics where JavaScript's differ
 * (`replace` replaces every occurrence, `split()` splits on runs of whitespace).
 */
const PY_METHODS: Record<"string" | "array" | "object", Record<string, (self: any) => (...args: any[]) => unknown>> = {
  string: {
    upper: (s: string) => () => s.toUpperCase(),
    lower: (s: string) => () => s.toLowerCase(),
    strip: (s: string) => (chars?: string) => stripChars(s, chars, true, true),
    lstrip: (s: string) => (chars?: string) => stripChars(s, chars, true, false),
    rstrip: (s: string) => (chars?: string) => stripChars(s, chars, false, true),
    split: (s: string) => (sep?: string | null, max?: number) => {
      const parts = sep === undefined || sep === null ? s.trim().split(/\s+/).filter(Boolean) : s.split(sep);
      if (max === undefined || max < 0 || parts.length <= max + 1) return parts;
      return [...parts.slice(0, max), parts.slice(max).join(sep ?? " ")];
    },
    replace: (s: string) => (a: string, b: string) => s.split(a).join(b),
    startswith: (s: string) => (p: string) => s.startsWith(p),
    endswith: (s: string) => (p: string) => s.endsWith(p),
    join: (s: string) => (items: unknown[]) => [...items].map(pyStr).join(s),
    capitalize: (s: string) => () => s.charAt(0).toUpperCase() + s.slice(1).toLowerCase(),
    title: (s: string) => () => s.toLowerCase().replace(/(^|[^A-Za-z])([a-z])/g, (_m, p: string, c: string) => p + c.toUpperCase()),
  },
  array: {
    append: (a: unknown[]) => (x: unknown) => (a.push(x), null),
    extend: (a: unknown[]) => (xs: unknown[]) => (a.push(...xs), null),
    insert: (a: unknown[]) => (i: number, x: unknown) => (a.splice(i, 0, x), null),
    pop: (a: unknown[]) => (i?: number) => (i === undefined ? a.pop() : a.splice(i < 0 ? a.length + i : i, 1)[0]),
    index: (a: unknown[]) => (x: unknown) => a.indexOf(x),
    count: (a: unknown[]) => (x: unknown) => a.filter((y) => y === x).length,
  },
  object: {
    items: (o: Record<string, unknown>) => () => Object.entries(o),
    keys: (o: Record<string, unknown>) => () => Object.keys(o),
    values: (o: Record<string, unknown>) => () => Object.values(o),
    get: (o: Record<string, unknown>) => (k: string, d: unknown = null) => (Object.prototype.hasOwnProperty.call(o, k) ? o[k] : d),
    update: (o: Record<string, unknown>) => (other: Record<string, unknown>) => (Object.assign(o, other), null),
  },
};

function stripChars(s: string, chars: string | undefined, left: boolean, right: boolean): string {
  const set = chars === undefined || chars === null ? null : new Set(chars);
  const drop = (c: string) => (set ? set.has(c) : /\s/.test(c));
  let i = 0;
  let j = s.length;
  if (left) while (i < j && drop(s[i]!)) i++;
  if (right) while (j > i && drop(s[j - 1]!)) j--;
  return s.slice(i, j);
}

const safeRuntime: Record<string, any> = {
  ...baseRuntime,
  memberLookup(obj: unknown, key: unknown) {
    if (BLOCKED_NAMES.has(String(key))) throw new JinjaFailure("DBT3009", `access to '${String(key)}' is not allowed in templates`);
    const k = String(key);
    const kind = typeof obj === "string" ? "string" : Array.isArray(obj) ? "array" : isPlainObject(obj) && !Object.prototype.hasOwnProperty.call(obj, k) ? "object" : undefined;
    const method = kind ? PY_METHODS[kind][k] : undefined;
    if (method && Object.prototype.hasOwnProperty.call(PY_METHODS[kind!], k)) return method(obj);
    // JavaScript's own members (`'x'.length`, `xs.push`, `d.toString`) do not exist in Jinja: a
    // template relying on them would not run in dbt, so they are undefined here too.
    if (typeof obj === "string" || Array.isArray(obj)) return /^-?\d+$/.test(k) ? (obj as any)[Number(k) < 0 ? (obj as any).length + Number(k) : Number(k)] : undefined;
    if (isPlainObject(obj) && !Object.prototype.hasOwnProperty.call(obj, k)) return undefined;
    return baseRuntime.memberLookup(obj, key);
  },
  pyConcat(a: unknown, b: unknown) {
    if (a === undefined || b === undefined) throw new JinjaFailure("DBT3001", "a value joined with ~ is undefined (not part of the supported dbt Jinja subset, or a typo)");
    return pyStr(a instanceof baseRuntime.SafeString ? String(a) : a) + pyStr(b instanceof baseRuntime.SafeString ? String(b) : b);
  },
  // Jinja prints None, True, False and lists the Python way; only a truly undefined value is an error.
  suppressValue(val: unknown) {
    if (val === undefined) return "";
    return val instanceof baseRuntime.SafeString ? val : pyStr(val);
  },
  ensureDefined(val: unknown, lineno: number, colno: number) {
    return val === undefined ? baseRuntime.ensureDefined(val, lineno, colno) : val;
  },
  contextOrFrameLookup(context: any, frame: any, name: string) {
    if (BLOCKED_NAMES.has(name)) throw new JinjaFailure("DBT3009", `access to '${name}' is not allowed in templates`);
    const v = frame.lookup(name);
    if (v !== undefined) return v;
    // Own properties only: a plain context object must not expose Object.prototype members.
    if (Object.prototype.hasOwnProperty.call(context.ctx, name)) return context.ctx[name];
    return context.env.globals[name];
  },
};

const templateCache = new Map<string, nunjucks.Template>();

/**
 * Constructs nunjucks parses but runs differently from Jinja, found before running: a tuple
 * `(a, b)` is a JavaScript comma expression in nunjucks (it yields b), so `x in ('a', 'b')` would
 * silently test a substring of 'b'.
 */
function lintTemplate(source: string): void {
  let root: { findAll(type: unknown): Array<{ children: unknown[]; lineno: number }> };
  try {
    root = (nunjucks as any).parser.parse(source, (env as any).extensionsList, (env as any).opts);
  } catch {
    return; // the compile step reports syntax errors with their position
  }
  const tuple = root.findAll((nunjucks as any).nodes.Group).find((g) => g.children.length > 1);
  if (tuple)
    throw new JinjaFailure("DBT3001", "a tuple literal (a, b) is not part of the supported dbt Jinja subset (it would not mean the same here); use a list [a, b]", undefined, tuple.lineno + 1);
}

// nunjucks compiles `a ~ b` to JavaScript string concatenation (`null` + `true`); Jinja uses str()
// (`None`, `True`, list reprs). Our templates are compiled by a Compiler subclass that routes `~`
// through the runtime's pyConcat instead. The transformer module is not part of nunjucks' index.
const nunjucksTransformer = createRequire(import.meta.url)("nunjucks/src/transformer") as { transform(ast: unknown, asyncFilters: unknown, name: string): unknown };
const BaseCompiler = (nunjucks as any).compiler.Compiler as new (name: string, throwOnUndefined: boolean) => any;
class DbtCompiler extends BaseCompiler {
  compileConcat(node: { left: unknown; right: unknown; lineno: number; colno: number }, frame: unknown): void {
    // Set the position first, as nunjucks does for calls, so an error points at this line.
    this._emit(`(lineno = ${node.lineno}, colno = ${node.colno}, runtime.pyConcat(`);
    this.compile(node.left, frame);
    this._emit(", ");
    this.compile(node.right, frame);
    this._emit("))");
  }
}

function compileToTemplate(source: string, path: string): nunjucks.Template {
  const e = env as any;
  const ast = (nunjucks as any).parser.parse(source, e.extensionsList, e.opts);
  const c = new DbtCompiler(path, true);
  c.compile(nunjucksTransformer.transform(ast, e.asyncFilters, path));
  const props = new Function(c.getCode())();
  return new nunjucks.Template({ type: "code", obj: props } as unknown as string, env, path, true);
}

function compile(source: string, path: string): nunjucks.Template {
  const key = `${path}\u0000${source}`;
  let t = templateCache.get(key);
  if (!t) {
    lintTemplate(source);
    t = compileToTemplate(source, path);
    const tt = t as unknown as { rootRenderFunc: (...a: unknown[]) => unknown };
    const root = tt.rootRenderFunc;
    tt.rootRenderFunc = (e: unknown, ctx: unknown, frame: unknown, _runtime: unknown, cb: unknown) => root(e, ctx, frame, safeRuntime, cb);
    if (templateCache.size > 2000) templateCache.clear();
    templateCache.set(key, t);
  }
  return t;
}

// ---------------------------------------------------------------------------------------------
// Macros from macros/*.sql

export interface MacroDefinition {
  name: string;
  params: Array<{ name: string; default?: string }>;
  body: string;
  file: string;
  /** 1-based line of the body's first character in the file. */
  bodyLine: number;
}

export interface MacroLibrary {
  macros: Map<string, MacroDefinition>;
  /** Generic tests ({% test name(...) %}) found in the same files. */
  tests: Map<string, MacroDefinition>;
  diagnostics: Diagnostic[];
}

const BUILTIN_NAMES = new Set([
  "ref", "source", "config", "var", "env_var", "is_incremental", "this", "target", "return", "log", "exceptions",
  "adapter", "model", "execute", "run_started_at", "True", "False", "None", "should_full_refresh", "should_store_failures",
]);

/** Splits a parameter list at top-level commas (quotes and brackets respected). */
function splitTopLevel(s: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let quote: string | undefined;
  let cur = "";
  for (const ch of s) {
    if (quote) {
      cur += ch;
      if (ch === quote) quote = undefined;
      continue;
    }
    if (ch === "'" || ch === '"') quote = ch;
    else if ("([{".includes(ch)) depth++;
    else if (")]}".includes(ch)) depth--;
    if (ch === "," && depth === 0) {
      out.push(cur);
      cur = "";
    } else cur += ch;
  }
  if (cur.trim()) out.push(cur);
  return out.map((p) => p.trim()).filter(Boolean);
}

const BLOCK_RE = /\{%(-?)\s*(macro|test|materialization|snapshot)\s+([A-Za-z_][A-Za-z0-9_]*)\s*(\((?:[^()]|\([^()]*\))*\))?([^%]*?)\s*(-?)%\}([\s\S]*?)\{%(-?)\s*end\2\s*(-?)%\}/g;

/**
 * Parses macro files the way dbt reads macro-paths: every `{% macro name(args) %}...{% endmacro %}`
 * becomes a global callable; `{% test %}` blocks are collected as generic tests; anything else
 * (materializations, snapshots) is reported as outside the subset.
 */
export function parseMacros(files: Array<{ path: string; content: string }>): MacroLibrary {
  const lib: MacroLibrary = { macros: new Map(), tests: new Map(), diagnostics: [] };
  for (const f of files) {
    const content = jinjaSource(f.content);
    for (const m of content.matchAll(BLOCK_RE)) {
      const [, , kind, name, paramText, , openTrim, rawBody, closeTrim] = m;
      const line = content.slice(0, m.index).split("\n").length;
      if (kind === "materialization" || kind === "snapshot") {
        lib.diagnostics.push(diagnostic("DBT3007", "warning", `{% ${kind} ${name} %} is outside the supported Jinja subset and is ignored`, { file: f.path, line }));
        continue;
      }
      const params = splitTopLevel((paramText ?? "()").slice(1, -1)).map((p) => {
        const eq = p.indexOf("=");
        return eq < 0 ? { name: p.trim() } : { name: p.slice(0, eq).trim(), default: p.slice(eq + 1).trim() };
      });
      let body = rawBody!;
      // The opening tag ends at the first %} of the match (parameter defaults contain none).
      const bodyStart = m.index! + m[0].indexOf("%}") + 2;
      let bodyLine = content.slice(0, bodyStart).split("\n").length;
      if (openTrim === "-") {
        const trimmed = body.trimStart();
        bodyLine += body.slice(0, body.length - trimmed.length).split("\n").length - 1;
        body = trimmed;
      }
      if (closeTrim === "-") body = body.trimEnd();
      const def: MacroDefinition = { name: name!, params, body, file: f.path, bodyLine };
      const into = kind === "test" ? lib.tests : lib.macros;
      if (into.has(name!)) {
        const prev = into.get(name!)!;
        lib.diagnostics.push(
          diagnostic("DBT3007", "error", `${kind} '${name}' is defined twice (${prev.file}:${prev.bodyLine} and here); dbt refuses duplicate macros`, { file: f.path, line }),
        );
        continue;
      }
      if (kind === "macro" && BUILTIN_NAMES.has(name!))
        lib.diagnostics.push(diagnostic("DBT3007", "warning", `macro '${name}' has the name of a dbt built-in; the built-in is used when rendering`, { file: f.path, line }));
      into.set(name!, def);
    }
  }
  return lib;
}

// ---------------------------------------------------------------------------------------------
// Rendering

interface RenderState {
  context: RenderContext;
  config: Record<string, unknown>;
  refs: RenderResult["refs"];
  sources: RenderResult["sources"];
  ephemeral: Set<string>;
  vars: Set<string>;
  envVars: Set<string>;
  notes: Diagnostic[];
  depth: number;
}

function pythonDatetime(d: Date): string {
  const iso = d.toISOString(); // 2024-01-02T03:04:05.678Z
  return `${iso.slice(0, 10)} ${iso.slice(11, 23)}000+00:00`;
}

function buildGlobals(state: RenderState): Record<string, unknown> {
  const ctx = state.context;
  const file = ctx.file ?? "<model>";
  const materialized = () => (state.config.materialized as string | undefined) ?? ctx.model?.materialized;

  const config = (...args: unknown[]) => {
    const { positional, keywords } = splitArgs(args);
    for (const p of positional) {
      if (p && typeof p === "object" && !Array.isArray(p)) Object.assign(state.config, p);
      else throw new JinjaFailure("DBT3001", "config() takes keyword arguments or one dict");
    }
    Object.assign(state.config, keywords);
    return "";
  };
  const configValue = (key: string) => state.config[key] ?? ctx.model?.config?.[key];
  Object.assign(config, {
    get: (...args: unknown[]) => {
      const { values, given } = bind("config.get", args, ["name", "default"]);
      const v = configValue(String(values.name));
      return v !== undefined ? v : given.has("default") ? values.default : null;
    },
    require: (...args: unknown[]) => {
      const { values } = bind("config.require", args, ["name"]);
      const v = configValue(String(values.name));
      if (v === undefined) throw new JinjaFailure("DBT3004", `config '${String(values.name)}' is required but not set`);
      return v;
    },
  });

  const ref = (...args: unknown[]) => {
    const { positional, keywords } = splitArgs(args);
    if ("version" in keywords || "v" in keywords) throw new JinjaFailure("DBT3001", "versioned ref() is outside the supported Jinja subset");
    if (positional.length < 1 || positional.length > 2 || positional.some((p) => typeof p !== "string"))
      throw new JinjaFailure("DBT3001", "ref() takes a model name, or a package and a model name, as strings");
    const [pkg, model] = positional.length === 2 ? (positional as [string, string]) : [undefined, positional[0] as string];
    state.refs.push(pkg !== undefined ? { model, package: pkg } : { model });
    const r = ctx.resolveRef(model, pkg);
    if (!r)
      throw new JinjaFailure("DBT3002", `${ctx.model ? `Model '${ctx.model.name}'` : "The template"} depends on a node named '${pkg ? `${pkg}.` : ""}${model}' which was not found`);
    if (r.kind === "disabled")
      throw new JinjaFailure("DBT3002", `${ctx.model ? `Model '${ctx.model.name}'` : "The template"} depends on a node named '${model}' which is disabled`);
    if (r.kind === "ephemeral") {
      state.ephemeral.add(r.name);
      return `__dbt__cte__${r.name}`;
    }
    return relationOf(r);
  };

  const source = (...args: unknown[]) => {
    const { values } = bind("source", args, ["source_name", "table_name"]);
    const [s, t] = [values.source_name, values.table_name];
    if (typeof s !== "string" || typeof t !== "string") throw new JinjaFailure("DBT3001", "source() takes a source name and a table name, as strings");
    state.sources.push({ source: s, table: t });
    const r = ctx.resolveSource(s, t);
    if (!r) throw new JinjaFailure("DBT3003", `${ctx.model ? `Model '${ctx.model.name}'` : "The template"} depends on a source named '${s}.${t}' which was not found`);
    return relationOf(r);
  };

  const varFn = (...args: unknown[]) => {
    const { values, given } = bind("var", args, ["name", "default"]);
    const name = String(values.name);
    state.vars.add(name);
    if (ctx.cliVars && Object.prototype.hasOwnProperty.call(ctx.cliVars, name)) return ctx.cliVars[name];
    if (ctx.vars && Object.prototype.hasOwnProperty.call(ctx.vars, name)) return ctx.vars[name];
    if (given.has("default")) return values.default;
    const supplied = { ...(ctx.vars ?? {}), ...(ctx.cliVars ?? {}) };
    throw new JinjaFailure(
      "DBT3004",
      `Required var '${name}' not found in config: vars supplied to ${ctx.model?.name ?? "<template>"} = {${Object.keys(supplied).map((k) => `${pyRepr(k)}: ${pyRepr(supplied[k])}`).join(", ")}}`,
    );
  };

  const envVar = (...args: unknown[]) => {
    const { values } = bind("env_var", args, ["var", "default"]);
    const name = String(values.var);
    if (name.startsWith("DBT_ENV_SECRET")) throw new JinjaFailure("DBT3005", `Secret env vars are allowed only in profiles.yml or packages.yml, not in models: '${name}'`);
    state.envVars.add(name);
    const v = ctx.env?.[name];
    if (v !== undefined) return v;
    // dbt treats a None default as no default.
    if (values.default !== undefined && values.default !== null) return values.default;
    throw new JinjaFailure("DBT3005", `Env var required but not provided: '${name}'`);
  };

  const isIncremental = () => Boolean(ctx.isIncremental) && !ctx.fullRefresh && materialized() === "incremental";

  const returnFn = (v: unknown) => {
    throw new ReturnSignal(v);
  };

  const globals: Record<string, unknown> = {
    ref,
    source,
    config,
    var: varFn,
    env_var: envVar,
    is_incremental: isIncremental,
    should_full_refresh: () => Boolean(ctx.fullRefresh),
    // Validation never stores test failures in tables (dbt's --store-failures).
    should_store_failures: () => false,
    this: ctx.this ? relationOf(ctx.this) : undefined,
    target: { ...ctx.target, profile_name: ctx.target.profile_name ?? "default" },
    model: ctx.model ? { name: ctx.model.name, config: { materialized: ctx.model.materialized, ...(ctx.model.config ?? {}) } } : undefined,
    execute: true,
    run_started_at: { toString: () => pythonDatetime(ctx.runStartedAt ?? new Date()) },
    return: returnFn,
    log: () => "",
    exceptions: {
      raise_compiler_error: (msg: unknown) => {
        throw new JinjaFailure("DBT3010", `Compilation Error: ${String(msg)}`);
      },
      warn: (msg: unknown) => {
        state.notes.push(diagnostic("DBT3011", "warning", String(msg), { file, line: 1 }));
        return "";
      },
    },
    adapter: { quote: (s: unknown) => quoteIdent(String(s)) },
    True: true,
    False: false,
    None: null,
  };
  if (globals.this === undefined) delete globals.this;
  if (globals.model === undefined) delete globals.model;

  for (const def of ctx.macros?.macros.values() ?? []) {
    if (BUILTIN_NAMES.has(def.name)) continue;
    globals[def.name] = (...args: unknown[]) => callMacro(def, args, state, globals);
  }
  // dbt turns `{% test name(...) %}` into a macro called test_<name>.
  for (const def of ctx.macros?.tests.values() ?? []) globals[`test_${def.name}`] = (...args: unknown[]) => callMacro(def, args, state, globals);
  Object.assign(globals, ctx.extraGlobals ?? {});
  return globals;
}

function evalExpression(expr: string, globals: Record<string, unknown>, where: SourceLocation): unknown {
  let captured: unknown;
  const t = compile(`{{ __dm_capture(${expr}) }}`, `${where.file}:default`);
  try {
    t.render({ ...globals, __dm_capture: (v: unknown) => ((captured = v), "") });
  } catch (e) {
    throw new JinjaFailure("DBT3006", `cannot evaluate default value '${expr}': ${messageOf(e)}`, where);
  }
  return captured;
}

function callMacro(def: MacroDefinition, args: unknown[], state: RenderState, globals: Record<string, unknown>): unknown {
  if (state.depth > 50) throw new JinjaFailure("DBT3001", `macro '${def.name}' recurses more than 50 levels`);
  const { positional, keywords } = splitArgs(args);
  if (positional.length > def.params.length)
    throw new JinjaFailure("DBT3001", `macro '${def.name}' takes not more than ${def.params.length} argument(s)`);
  const locals: Record<string, unknown> = {};
  def.params.forEach((p, i) => {
    if (i < positional.length) locals[p.name] = positional[i];
    else if (Object.prototype.hasOwnProperty.call(keywords, p.name)) locals[p.name] = keywords[p.name];
    else if (p.default !== undefined) locals[p.name] = evalExpression(p.default, globals, { file: def.file, line: def.bodyLine });
  });
  for (const k of Object.keys(keywords))
    if (!def.params.some((p) => p.name === k)) throw new JinjaFailure("DBT3001", `macro '${def.name}' takes no keyword argument '${k}'`);
  state.depth++;
  try {
    const out = compile(def.body, def.file).render({ ...globals, ...locals });
    return new nunjucks.runtime.SafeString(out);
  } catch (e) {
    const signal = returnSignalOf(e);
    if (signal) return signal.value;
    const failure = failureOf(e);
    if (failure?.at) throw failure;
    const line = def.bodyLine - 1 + (failure?.line ?? errorLine(e) ?? 1);
    const c = failure ?? classify(e, def.body);
    throw new JinjaFailure(c.code, `in macro '${def.name}': ${c.message}`, { file: def.file, line });
  } finally {
    state.depth--;
  }
}

function causes(e: unknown): unknown[] {
  const out: unknown[] = [];
  let cur: unknown = e;
  for (let i = 0; cur && i < 10; i++) {
    out.push(cur);
    cur = (cur as { cause?: unknown }).cause;
  }
  return out;
}

function returnSignalOf(e: unknown): ReturnSignal | undefined {
  return causes(e).find((c): c is ReturnSignal => c instanceof ReturnSignal);
}

function failureOf(e: unknown): JinjaFailure | undefined {
  return causes(e).find((c): c is JinjaFailure => c instanceof JinjaFailure);
}

function messageOf(e: unknown): string {
  const m = e instanceof Error ? e.message : String(e);
  // nunjucks prefixes "(path) [Line n, Column m]\n  "
  return m.replace(/^\(.*\)(?: \[Line \d+(?:, Column \d+)?\])?(?:\n\s*|\s+|$)/, "").replace(/^Error: /, "");
}

/**
 * 1-based line of a nunjucks error. Runtime errors wrapped by nunjucks (they carry a cause)
 * hold a 0-based line; errors nunjucks raises itself (parser, undefined output) a 1-based one.
 */
function errorLine(e: unknown): number | undefined {
  const err = e as { lineno?: number; cause?: unknown };
  if (typeof err.lineno !== "number") return undefined;
  return err.cause !== undefined ? err.lineno + 1 : err.lineno;
}

function classify(e: unknown, source?: string): { code: string; message: string } {
  const msg = messageOf(e);
  let m: RegExpExecArray | null;
  if ((m = /^Unable to call `([^`]*)`, which is (undefined or falsey|not a function)/.exec(msg))) {
    const name = m[1]!.replace(/\["([^"]*)"\]/g, ".$1");
    return { code: "DBT3001", message: `'${name}' is not part of the supported dbt Jinja subset (or is undefined)` };
  }
  if ((m = /^filter not found: (\S+)/.exec(msg))) return { code: "DBT3001", message: `filter '${m[1]}' is not part of the supported dbt Jinja subset` };
  if ((m = /^unknown block tag: (\S+)/.exec(msg))) return { code: "DBT3001", message: `tag {% ${m[1]} %} is not part of the supported dbt Jinja subset` };
  if (/attempted to output null or undefined value/.test(msg)) {
    const expr = source !== undefined ? expressionAt(source, e) : undefined;
    return {
      code: "DBT3001",
      message: `the template prints ${expr ? `'${expr}', ` : ""}a value that is undefined (not part of the supported dbt Jinja subset, or a typo)`,
    };
  }
  return { code: "DBT3006", message: `Jinja error: ${msg}` };
}

/** The `{{ ... }}` expression at a nunjucks error position (1-based line and column). */
function expressionAt(source: string, e: unknown): string | undefined {
  const { lineno, colno } = e as { lineno?: number; colno?: number };
  if (typeof lineno !== "number") return undefined;
  const line = source.split("\n")[lineno - 1];
  if (line === undefined) return undefined;
  const open = line.lastIndexOf("{{", Math.max(0, (colno ?? 1) - 1) + 2);
  if (open < 0) return undefined;
  const close = line.indexOf("}}", open);
  return (close < 0 ? line.slice(open + 2) : line.slice(open + 2, close)).replace(/^-|-$/g, "").trim() || undefined;
}

/**
 * Jinja's lexer normalises line breaks (\r\n, \r → \n) and drops the template's one final line
 * break (keep_trailing_newline=False, dbt's setting) before anything is rendered.
 */
export function jinjaSource(text: string): string {
  const lines = text.split(/\r\n|\r|\n/);
  if (lines[lines.length - 1] === "") lines.pop();
  return lines.join("\n");
}

/** Renders one model's SQL (or any dbt Jinja text) with dbt's semantics for the supported subset. */
export function renderModelSql(sql: string, context: RenderContext): RenderResult {
  const file = context.file ?? "<model>";
  const state: RenderState = {
    context,
    config: {},
    refs: [],
    sources: [],
    ephemeral: new Set(),
    vars: new Set(),
    envVars: new Set(),
    notes: [],
    depth: 0,
  };
  const diagnostics: Diagnostic[] = [...(context.macros?.diagnostics ?? [])];
  let out = "";
  try {
    const globals = buildGlobals(state);
    out = compile(jinjaSource(sql), file).render(globals);
  } catch (e) {
    const signal = returnSignalOf(e);
    if (signal) {
      diagnostics.push(diagnostic("DBT3001", "error", "return() outside a macro", { file, line: errorLine(e) ?? 1 }));
    } else {
      const failure = failureOf(e);
      const { code, message } = failure ? { code: failure.code, message: failure.message } : classify(e, sql);
      diagnostics.push(diagnostic(code, "error", message, failure?.at ?? { file, line: failure?.line ?? errorLine(e) ?? lineOfText(sql, message) }));
    }
    out = "";
  }
  diagnostics.push(...state.notes);
  return {
    sql: out,
    ok: !diagnostics.some((d) => d.severity === "error"),
    diagnostics,
    config: state.config,
    refs: state.refs,
    sources: state.sources,
    ephemeral: [...state.ephemeral],
    vars: [...state.vars],
    envVars: [...state.envVars],
  };
}

/** For errors nunjucks raises without a line (unknown filter): the first line naming the culprit. */
function lineOfText(sql: string, message: string): number {
  const m = /'([^']+)'/.exec(message);
  if (!m) return 1;
  const needle = m[1]!.split(".").pop()!;
  const idx = sql.split("\n").findIndex((l) => l.includes(needle));
  return idx >= 0 ? idx + 1 : 1;
}

// ---------------------------------------------------------------------------------------------
// Ephemeral models

/**
 * dbt inlines ephemeral models as CTEs named __dbt__cte__<model>: after the statement's leading
 * WITH (or WITH RECURSIVE) when it has one, followed by ", ", else in a new WITH in front,
 * followed by " " (dbt-core's _inject_ctes_into_sql, byte for byte on these cases). `ctes` are in
 * dependency order.
 */
export function injectEphemeralCtes(sql: string, ctes: Array<{ name: string; sql: string }>): string {
  if (!ctes.length) return sql;
  const text = ctes.map((c) => ` __dbt__cte__${c.name} as (\n${c.sql}\n)`).join(", ");
  const first = firstTokens(sql);
  if (first.length && first[0]!.word === "with") {
    const after = first[1]?.word === "recursive" ? first[1] : first[0]!;
    return `${sql.slice(0, after.end)}${text}, ${sql.slice(after.end)}`;
  }
  // sqlparse's token_first() skips whitespace but not comments: the new WITH goes before them.
  const start = sql.length - sql.trimStart().length;
  return `${sql.slice(0, start)}with${text} ${sql.slice(start)}`;
}

/** The first two words of a statement, skipping whitespace and comments. */
function firstTokens(sql: string): Array<{ word: string; start: number; end: number }> {
  const out: Array<{ word: string; start: number; end: number }> = [];
  let i = 0;
  while (i < sql.length && out.length < 2) {
    const rest = sql.slice(i);
    const ws = /^\s+/.exec(rest);
    if (ws) {
      i += ws[0].length;
      continue;
    }
    if (rest.startsWith("--")) {
      const nl = rest.indexOf("\n");
      i = nl < 0 ? sql.length : i + nl + 1;
      continue;
    }
    if (rest.startsWith("/*")) {
      const close = rest.indexOf("*/");
      i = close < 0 ? sql.length : i + close + 2;
      continue;
    }
    const w = /^[A-Za-z_][A-Za-z0-9_]*/.exec(rest);
    if (!w) {
      out.push({ word: rest[0]!, start: i, end: i + 1 });
      break;
    }
    out.push({ word: w[0].toLowerCase(), start: i, end: i + w[0].length });
    i += w[0].length;
  }
  return out;
}
