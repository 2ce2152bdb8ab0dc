// Evaluates the imported OWASP CRS 941 (XSS) and 942 (SQL injection) rules on one request input,
// with CRS's paranoia levels: a rule runs only when the configured level is >= its own.
//
// An input is a value at a location (an argument value or name, a cookie value or name, a header,
// the path); a rule applies when its targets name that location (ARGS, ARGS_NAMES,
// REQUEST_COOKIES, REQUEST_HEADERS:User-Agent, REQUEST_FILENAME, XML:/* …, exclusions such as
// !REQUEST_HEADERS:Cookie honoured). The value is turned into bytes (UTF-8) and run through the
// rule's transformations (./transform.ts), then the operator: @rx (converted once to a RegExp),
// @pm, @contains, @streq, and @detectSQLi/@detectXSS, which call Guardian's own detectors.
// Chained rules see the captures (TX:0..9) and the matched value (MATCHED_VARS) of the rule before.
//
// Backtracking: the CRS patterns are RE2-compatible, but V8's engine backtracks, and some rules
// go polynomial on crafted input (942370: 195 ms on 1 KB of '-'). ModSecurity bounds this with
// a PCRE match limit (the rule then silently does not match). Here every pattern can also run on
// re2js, RE2's linear-time automaton, with the CRS pattern as written: the rules the importer
// measured as backtracking (`linearEngine` in rules.generated.ts) always do, and so does every
// rule on a value longer than V8_MAX_BYTES. Short values on the other rules use V8, several
// times faster; its worst case there is bounded by the short length (a quadratic pattern on
// 512 bytes). No value is cut or windowed: the whole value is matched.
import { RE2JS } from "re2js";
import { detectSqli } from "../sqli.ts";
import { detectXss } from "../xss.ts";
import { MAX_PARANOIA_LEVEL, MIN_PARANOIA_LEVEL } from "./levels.ts";
import { CRS_RULES } from "./rules.generated.ts";
import { fromBytes, toBytes, TRANSFORMATIONS } from "./transform.ts";
import type { CrsOperatorSpec, CrsRuleSpec, CrsTargetSpec } from "./types.ts";

export type CrsLocation =
  | "ARGS"
  | "ARGS_NAMES"
  | "REQUEST_COOKIES"
  | "REQUEST_COOKIES_NAMES"
  | "REQUEST_HEADERS"
  | "REQUEST_FILENAME"
  | "REQUEST_BASENAME"
  | "XML";

export interface CrsInput {
  location: CrsLocation;
  /** The argument, cookie or header name (a header name in any case). */
  name?: string;
  value: string;
  /** The value is already a byte string (one char per byte), not text to UTF-8-encode. */
  bytes?: boolean;
}

export interface CrsMatch {
  id: number;
  family: "sqli" | "xss";
  paranoiaLevel: number;
  severity: string;
  msg: string;
}

/** Values up to this many bytes run on V8 (rules not marked as backtracking); longer ones on re2js. */
export const V8_MAX_BYTES = 512;

interface CompiledOp {
  spec: CrsOperatorSpec;
  /** V8 RegExp (absent for the rules that backtrack). */
  re?: RegExp;
  /** re2js, compiled on first use. */
  re2?: RE2JS;
  phrases?: string[];
}

interface CompiledRule {
  spec: CrsRuleSpec;
  op: CompiledOp;
  chain: Array<{ targets: CrsTargetSpec[]; op: CompiledOp; transformations: string[] }>;
  /** Transformation key for the cache: the list after the last t:none. */
  tkey: string;
  tfns: Array<(s: string) => string>;
  /** Regex keys of excluded names, per collection. */
  include: (input: CrsInput) => boolean;
}

function compileOp(spec: CrsOperatorSpec, linear: boolean): CompiledOp {
  const op: CompiledOp = { spec };
  if (spec.js && linear) op.re2 = RE2JS.compile(spec.arg);
  else if (spec.js) op.re = new RegExp(spec.js.source, spec.js.flags);
  if (spec.js && !op.re2) {
    // compiled on the first long value
    let re2: RE2JS | undefined;
    Object.defineProperty(op, "re2", { get: () => (re2 ??= RE2JS.compile(spec.arg)), enumerable: true });
  }
  if (spec.phrases) op.phrases = spec.phrases.map((p) => p.toLowerCase());
  return op;
}

function effectiveTransformations(ts: string[]): string[] {
  const last = ts.lastIndexOf("none");
  return ts.slice(last + 1);
}

function keyMatches(key: string | undefined, name: string | undefined): boolean {
  if (key === undefined) return true;
  if (name === undefined) return false;
  if (key.startsWith("/") && key.endsWith("/") && key.length > 1) return new RegExp(key.slice(1, -1)).test(name);
  return key.toLowerCase() === name.toLowerCase();
}

const regexKeyCache = new Map<string, RegExp>();
function keyMatchesCached(key: string | undefined, name: string | undefined): boolean {
  if (key !== undefined && key.startsWith("/") && key.endsWith("/") && key.length > 1) {
    if (name === undefined) return false;
    let re = regexKeyCache.get(key);
    if (!re) regexKeyCache.set(key, (re = new RegExp(key.slice(1, -1))));
    return re.test(name);
  }
  return keyMatches(key, name);
}

function includer(targets: CrsTargetSpec[]): (input: CrsInput) => boolean {
  const inc = targets.filter((t) => !t.exclude);
  const exc = targets.filter((t) => t.exclude);
  return (input) => {
    const hit = inc.some((t) => {
      if (t.collection === "XML") return input.location === "XML";
      if (t.collection !== input.location) return false;
      return keyMatchesCached(t.key, input.name);
    });
    if (!hit) return false;
    return !exc.some((t) => t.collection === input.location && keyMatchesCached(t.key, input.name));
  };
}

let compiled: CompiledRule[] | null = null;

/** The rules, compiled on first use (once per process). */
export function compiledRules(): CompiledRule[] {
  if (compiled) return compiled;
  compiled = CRS_RULES.map((spec) => {
    const ts = effectiveTransformations(spec.transformations);
    return {
      spec,
      op: compileOp(spec.operator, !!spec.linearEngine),
      chain: spec.chain.map((c) => ({ targets: c.targets, op: compileOp(c.operator, !!spec.linearEngine), transformations: effectiveTransformations(c.transformations) })),
      tkey: ts.join(","),
      tfns: ts.map((t) => TRANSFORMATIONS[t]!),
      include: includer(spec.targets),
    };
  });
  return compiled;
}

interface OpResult {
  matched: boolean;
  captures?: string[];
}

function runOp(op: CompiledOp, value: string, tx: string[], cache: Map<string, boolean>): OpResult {
  const spec = op.spec;
  let res: OpResult;
  switch (spec.name) {
    case "rx": {
      if (op.re && value.length <= V8_MAX_BYTES) {
        const m = op.re.exec(value);
        res = m ? { matched: true, captures: Array.from({ length: 10 }, (_, i) => m[i] ?? "") } : { matched: false };
        break;
      }
      const re2 = op.re2!;
      // test() runs RE2's DFA (several times faster); the capturing matcher only after a match
      if (!re2.test(value)) {
        res = { matched: false };
        break;
      }
      const m = re2.matcher(value);
      res = m.find() ? { matched: true, captures: Array.from({ length: 10 }, (_, i) => (i <= m.groupCount() ? (m.group(i) ?? "") : "")) } : { matched: false };
      break;
    }
    case "pm":
    case "pmFromFile": {
      const low = value.toLowerCase();
      const hit = op.phrases!.find((p) => low.includes(p));
      res = hit !== undefined ? { matched: true, captures: [hit] } : { matched: false };
      break;
    }
    case "contains":
      res = { matched: value.includes(expand(spec.arg, tx)) };
      break;
    case "streq":
      res = { matched: value === expand(spec.arg, tx) };
      break;
    case "detectSQLi":
    case "detectXSS": {
      const key = `${spec.name}\0${value}`;
      let hit = cache.get(key);
      if (hit === undefined) {
        const text = fromBytes(value);
        hit = (spec.name === "detectSQLi" ? detectSqli(text) : detectXss(text)).flagged;
        cache.set(key, hit);
      }
      res = { matched: hit };
      break;
    }
    default:
      res = { matched: false };
  }
  if (spec.negated) return { matched: !res.matched };
  return res;
}

/** %{TX.2} macro expansion (the only macros the chained rules use). */
function expand(arg: string, tx: string[]): string {
  return arg.replace(/%\{tx\.(\d)\}/gi, (_, d: string) => tx[Number(d)] ?? "");
}

export interface CrsEvalOptions {
  /** Only rules of this family. */
  family?: "sqli" | "xss";
  /** Leave out @detectSQLi / @detectXSS (the caller runs Guardian's detectors itself). */
  skipLibinjection?: boolean;
  /**
   * Guardian's verdicts (detectSqli / detectXss at the default threshold) on the input's text, when
   * the caller already has them: @detectSQLi / @detectXSS on the untransformed value reuse them.
   */
  known?: { sqli: boolean; xss: boolean };
}

/** Every CRS rule (941/942) that fires on the input at the paranoia level (1..4). */
export function evaluateCrs(input: CrsInput, paranoiaLevel: number, opts: CrsEvalOptions = {}): CrsMatch[] {
  const pl = Math.min(Math.max(Math.trunc(paranoiaLevel) || 1, MIN_PARANOIA_LEVEL), MAX_PARANOIA_LEVEL);
  const bytes = input.bytes ? input.value : toBytes(input.value);
  // Rule 941010: REQUEST_FILENAME is dropped from the xss-perf-disable rules when the path has only plain characters.
  const plainPath = input.location === "REQUEST_FILENAME" && /^[ \-./0-9A-Z_a-z]*$/.test(bytes);
  const views = new Map<string, string[]>();
  const libCache = new Map<string, boolean>();
  if (opts.known && (input.bytes || fromBytes(bytes) === input.value)) {
    libCache.set(`detectSQLi\0${bytes}`, opts.known.sqli);
    libCache.set(`detectXSS\0${bytes}`, opts.known.xss);
  }
  const out: CrsMatch[] = [];
  for (const r of compiledRules()) {
    const spec = r.spec;
    if (spec.paranoiaLevel > pl) continue;
    if (opts.family && spec.family !== opts.family) continue;
    if (opts.skipLibinjection && (spec.operator.name === "detectSQLi" || spec.operator.name === "detectXSS")) continue;
    if (plainPath && spec.perfDisable) continue;
    if (!r.include(input)) continue;
    // every intermediate value of the transformation pipeline (multiMatch runs the operator on each)
    let steps = views.get(r.tkey);
    if (!steps) {
      steps = [bytes];
      let cur = bytes;
      for (const f of r.tfns) {
        const next = f(cur);
        if (next !== cur) steps.push(next);
        cur = next;
      }
      views.set(r.tkey, steps);
    }
    const candidates = spec.multiMatch ? steps : [steps[steps.length - 1]!];
    let fired = false;
    for (const value of candidates) {
      const res = runOp(r.op, value, [], libCache);
      if (!res.matched) continue;
      const tx = res.captures ?? [];
      let chainOk = true;
      for (const c of r.chain) {
        const vals: string[] = [];
        for (const t of c.targets) {
          if (t.exclude) continue;
          if (t.collection === "TX" && t.key !== undefined && /^\d$/.test(t.key)) vals.push(tx[Number(t.key)] ?? "");
          else if (t.collection === "MATCHED_VARS" || t.collection === "MATCHED_VAR") vals.push(value);
        }
        let any = false;
        for (let v of vals) {
          for (const tn of c.transformations) v = TRANSFORMATIONS[tn]?.(v) ?? v;
          if (runOp(c.op, v, tx, libCache).matched) {
            any = true;
            break;
          }
        }
        if (!any) {
          chainOk = false;
          break;
        }
      }
      if (chainOk) {
        fired = true;
        break;
      }
    }
    if (fired) out.push({ id: spec.id, family: spec.family, paranoiaLevel: spec.paranoiaLevel, severity: spec.severity, msg: spec.msg });
  }
  return out;
}
