// Imports the OWASP Core Rule Set's XSS (941xxx) and SQL-injection (942xxx) rules into Guardian:
//
//   npx tsx scripts/crs-import.ts <CRS git dir or checkout> [--rev HEAD] [--out server/guardian/detect/crs/rules.generated.ts]
//
// Reads rules/REQUEST-941-*.conf and rules/REQUEST-942-*.conf (and any .data file they reference
// with @pmFromFile) and writes one TypeScript module: per rule its id, paranoia level, operator,
// targets, transformations, chained rules and msg, with every PCRE pattern converted to a
// JavaScript RegExp source. A rule that cannot be converted faithfully is written to the
// `skipped` list with the reason; nothing is dropped silently. The CRS is Apache-2.0
// (server/guardian/detect/crs/LICENSE-coreruleset.txt).
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";

import type { CrsChainSpec, CrsOperatorSpec, CrsRuleSpec, CrsTargetSpec } from "../server/guardian/detect/crs/types.ts";
export type { CrsChainSpec, CrsOperatorSpec, CrsRuleSpec, CrsTargetSpec };

export const SUPPORTED_TRANSFORMATIONS = new Set([
  "none",
  "utf8toUnicode",
  "urlDecodeUni",
  "urlDecode",
  "htmlEntityDecode",
  "jsDecode",
  "cssDecode",
  "removeNulls",
  "lowercase",
  "replaceComments",
  "removeCommentsChar",
  "compressWhitespace",
  "removeWhitespace",
]);
const SUPPORTED_OPERATORS = new Set(["rx", "pm", "pmFromFile", "detectSQLi", "detectXSS", "contains", "streq"]);

// ---------------------------------------------------------------------------------------------
// PCRE → JavaScript

export class ConversionError extends Error {}

const PCRE_SPACE = "\\t\\n\\v\\f\\r ";

/**
 * Converts one PCRE pattern (as ModSecurity compiles it: no UTF mode, so one character is one
 * byte) into a JavaScript RegExp source to be run on a byte string (one char per byte, 0..255).
 * Differences handled: inline (?i) and a whole-pattern (?i:…); \x{HH}; \s/\S (PCRE's set has no
 * NBSP, JS's does); `.` (PCRE matches \r); `$` (PCRE also matches before a final \n); \A \z \Z;
 * \h \v (PCRE classes); a `]` first in a class; \Q…\E. Possessive quantifiers, atomic groups,
 * lookbehind with alternation of different lengths, conditionals, recursion, \K, \R, \X and
 * Unicode properties raise ConversionError (the rule is then listed as skipped).
 */
export function pcreToJs(pattern: string): { source: string; flags: string } {
  let p = pattern;
  let flags = "";
  const lead = /^\(\?([a-zA-Z]+)\)/.exec(p);
  if (lead) {
    for (const f of lead[1]!) {
      if (f === "i") flags += flags.includes("i") ? "" : "i";
      else if (f === "s") flags += flags.includes("s") ? "" : "s";
      else throw new ConversionError(`inline flag (?${f}) is not supported`);
    }
    p = p.slice(lead[0].length);
  }
  const whole = /^\(\?([a-zA-Z]+):([\s\S]*)\)$/.exec(p);
  if (whole && balancedGroup(p)) {
    for (const f of whole[1]!) {
      if (f === "i") flags += flags.includes("i") ? "" : "i";
      else throw new ConversionError(`inline flag (?${f}:…) is not supported`);
    }
    p = whole[2]!;
  }
  const dotAll = flags.includes("s");
  flags = flags.replace("s", "");
  let out = "";
  let inClass = false;
  let classStart = -1;
  let classHasS = false;
  let classHasNotS = false;
  let i = 0;
  const hex2 = (n: number) => `\\x${n.toString(16).padStart(2, "0")}`;
  while (i < p.length) {
    const c = p[i]!;
    if (c === "\\") {
      const n = p[i + 1];
      if (n === undefined) throw new ConversionError("pattern ends with a backslash");
      if (n === "x" && p[i + 2] === "{") {
        const end = p.indexOf("}", i + 3);
        if (end < 0) throw new ConversionError("unterminated \\x{");
        const v = parseInt(p.slice(i + 3, end), 16);
        if (!(v >= 0 && v <= 0xff)) throw new ConversionError(`\\x{${p.slice(i + 3, end)}} is above 0xFF (ModSecurity matches bytes)`);
        out += hex2(v);
        i = end + 1;
        continue;
      }
      if (n === "Q") {
        const end = p.indexOf("\\E", i + 2);
        const lit = p.slice(i + 2, end < 0 ? p.length : end);
        out += lit.replace(/[\\^$.*+?()[\]{}|\/-]/g, "\\$&");
        i = end < 0 ? p.length : end + 2;
        continue;
      }
      if (n === "s") {
        if (inClass) {
          classHasS = true;
          out += PCRE_SPACE;
        } else out += `[${PCRE_SPACE}]`;
        i += 2;
        continue;
      }
      if (n === "S") {
        if (inClass) {
          classHasNotS = true;
          out += "\\S";
        } else out += `[^${PCRE_SPACE}]`;
        i += 2;
        continue;
      }
      if (n === "h") {
        out += inClass ? "\\t \\xa0" : "[\\t \\xa0]";
        i += 2;
        continue;
      }
      if (n === "v") {
        out += inClass ? "\\n\\v\\f\\r\\x85" : "[\\n\\v\\f\\r\\x85]";
        i += 2;
        continue;
      }
      if (!inClass && n === "A") {
        out += "^";
        i += 2;
        continue;
      }
      if (!inClass && n === "z") {
        out += "$";
        i += 2;
        continue;
      }
      if (!inClass && n === "Z") {
        out += "(?=\\n?$)";
        i += 2;
        continue;
      }
      if (n === "e") {
        out += "\\x1b";
        i += 2;
        continue;
      }
      if (n === "a") {
        out += "\\x07";
        i += 2;
        continue;
      }
      if ("KRXpPCGgkN".includes(n)) throw new ConversionError(`\\${n} has no JavaScript equivalent`);
      if (/[1-9]/.test(n) && inClass) throw new ConversionError(`octal escape \\${n} in a class`);
      out += c + n;
      i += 2;
      continue;
    }
    if (inClass) {
      if (c === "]" && i > classStart) {
        inClass = false;
        if (classHasNotS) {
          if (!classHasS) throw new ConversionError("\\S inside a character class");
        }
        out += "]";
        i++;
        continue;
      }
      if (c === "[" && p[i + 1] === ":") throw new ConversionError("POSIX class [:…:]");
      if (c === "[") {
        out += "\\[";
        i++;
        continue;
      }
      out += c;
      i++;
      continue;
    }
    if (c === "[") {
      inClass = true;
      classHasS = false;
      classHasNotS = false;
      out += "[";
      i++;
      if (p[i] === "^") {
        out += "^";
        i++;
      }
      // A ']' right after '[' or '[^' is a literal in PCRE, an empty class in JS.
      if (p[i] === "]") {
        out += "\\]";
        i++;
      }
      classStart = i;
      continue;
    }
    if (c === ".") {
      out += dotAll ? "[\\s\\S]" : "[^\\n]";
      i++;
      continue;
    }
    if (c === "$") {
      out += "(?=\\n?$)";
      i++;
      continue;
    }
    if (c === "(" && p[i + 1] === "?") {
      const rest = p.slice(i + 2);
      if (rest.startsWith(":") || rest.startsWith("=") || rest.startsWith("!")) {
        out += "(?" + rest[0];
        i += 3;
        continue;
      }
      if (rest.startsWith("<=") || rest.startsWith("<!")) {
        out += "(?" + rest.slice(0, 2);
        i += 4;
        continue;
      }
      if (rest.startsWith("P<")) {
        out += "(?<";
        i += 4;
        continue;
      }
      if (/^<[A-Za-z_]/.test(rest)) {
        out += "(?<";
        i += 3;
        continue;
      }
      if (rest.startsWith(">")) throw new ConversionError("atomic group (?>…)");
      if (rest.startsWith("(")) throw new ConversionError("conditional group (?(…)…)");
      if (/^[R0-9&]/.test(rest)) throw new ConversionError("recursion (?R)");
      if (rest.startsWith("#")) throw new ConversionError("comment group (?#…)");
      throw new ConversionError(`inline modifier group (?${rest.slice(0, 3)}… inside the pattern`);
    }
    if ((c === "+" || c === "?" || c === "*" || c === "}") && p[i + 1] === "+" && i > 0 && p[i - 1] !== "\\") {
      // "x*+", "x++", "x?+", "x{2}+": possessive. (A literal "}" followed by "+" only counts if it closes a quantifier.)
      if (c !== "}" || /\{\d+(?:,\d*)?$/.test(p.slice(0, i))) throw new ConversionError("possessive quantifier");
    }
    out += c;
    i++;
  }
  if (inClass) throw new ConversionError("unterminated character class");
  try {
    new RegExp(out, flags);
  } catch (err) {
    throw new ConversionError(`JavaScript rejects the converted pattern: ${(err as Error).message}`);
  }
  return { source: out, flags };
}

function balancedGroup(p: string): boolean {
  // true when the '(' at 0 closes at the last character
  let depth = 0;
  let inClass = false;
  for (let i = 0; i < p.length; i++) {
    const c = p[i]!;
    if (c === "\\") {
      i++;
      continue;
    }
    if (inClass) {
      if (c === "]") inClass = false;
      continue;
    }
    if (c === "[") {
      inClass = true;
      if (p[i + 1] === "^") i++;
      if (p[i + 1] === "]") i++;
      continue;
    }
    if (c === "(") depth++;
    if (c === ")") {
      depth--;
      if (depth === 0 && i < p.length - 1) return false;
    }
  }
  return depth === 0;
}

// ---------------------------------------------------------------------------------------------
// ModSecurity configuration parsing

interface RawDirective {
  line: number;
  kind: "SecRule" | "SecAction" | "SecMarker";
  args: string[];
}

/** Splits a .conf file into directives: continuation lines joined, comments dropped, quoted arguments unescaped (\" → "). */
export function parseDirectives(text: string, file = "(conf)"): RawDirective[] {
  const lines = text.split("\n");
  const out: RawDirective[] = [];
  for (let i = 0; i < lines.length; i++) {
    const start = i + 1;
    let l = lines[i]!;
    if (/^\s*#/.test(l) || !l.trim()) continue;
    while (/\\\s*$/.test(l) && i + 1 < lines.length) l = l.replace(/\\\s*$/, "") + lines[++i]!.replace(/^\s+/, "");
    const args = splitArgs(l.trim());
    const kind = args.shift();
    if (kind === "SecRule" || kind === "SecAction" || kind === "SecMarker") out.push({ line: start, kind, args });
    else throw new Error(`${file}:${start}: unexpected directive ${kind}`);
  }
  return out;
}

function splitArgs(s: string): string[] {
  const out: string[] = [];
  let i = 0;
  while (i < s.length) {
    while (s[i] === " " || s[i] === "\t") i++;
    if (i >= s.length) break;
    if (s[i] === '"') {
      let v = "";
      i++;
      while (i < s.length && s[i] !== '"') {
        if (s[i] === "\\" && s[i + 1] === '"') {
          v += '"';
          i += 2;
        } else v += s[i++];
      }
      i++;
      out.push(v);
    } else {
      let v = "";
      while (i < s.length && s[i] !== " " && s[i] !== "\t") v += s[i++];
      out.push(v);
    }
  }
  return out;
}

/** Splits an action list on commas outside single quotes. */
export function parseActions(s: string): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  let cur = "";
  let q = false;
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (c === "'" && s[i - 1] !== "\\") q = !q;
    if (c === "," && !q) {
      if (cur.trim()) out.push(action(cur.trim()));
      cur = "";
    } else cur += c;
  }
  if (cur.trim()) out.push(action(cur.trim()));
  return out;
}

function action(a: string): [string, string] {
  const k = a.indexOf(":");
  if (k < 0) return [a, ""];
  let v = a.slice(k + 1).trim();
  if (v.startsWith("'") && v.endsWith("'")) v = v.slice(1, -1);
  return [a.slice(0, k).trim(), v];
}

export function parseTargets(s: string): CrsTargetSpec[] {
  const out: CrsTargetSpec[] = [];
  // '|' inside /regex/ keys must not split
  const parts: string[] = [];
  let cur = "";
  let inRe = false;
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (c === "/" && s[i - 1] === ":" && !cur.endsWith("XML:")) inRe = true;
    else if (c === "/" && inRe && s[i - 1] !== "\\" && (s[i + 1] === "|" || i === s.length - 1)) inRe = false;
    if (c === "|" && !inRe) {
      parts.push(cur);
      cur = "";
    } else cur += c;
  }
  parts.push(cur);
  for (let part of parts) {
    const exclude = part.startsWith("!");
    if (exclude) part = part.slice(1);
    const k = part.indexOf(":");
    const collection = k < 0 ? part : part.slice(0, k);
    let key = k < 0 ? undefined : part.slice(k + 1);
    if (key !== undefined && collection === "REQUEST_HEADERS") key = key.toLowerCase();
    out.push({ collection, ...(key !== undefined ? { key } : {}), ...(exclude ? { exclude } : {}) });
  }
  return out;
}

function parseOperator(s: string, dataFile: (name: string) => string): CrsOperatorSpec {
  let negated = false;
  let rest = s;
  if (rest.startsWith("!")) {
    negated = true;
    rest = rest.slice(1);
  }
  if (!rest.startsWith("@")) rest = "@rx " + rest;
  const m = /^@(\w+)\s?([\s\S]*)$/.exec(rest);
  if (!m) throw new ConversionError(`cannot read operator ${s}`);
  const name = m[1]!;
  const arg = m[2]!;
  const op: CrsOperatorSpec = { name, negated, arg };
  if (!SUPPORTED_OPERATORS.has(name)) throw new ConversionError(`operator @${name} is not supported`);
  if (name === "rx") op.js = pcreToJs(arg);
  if (name === "pm") op.phrases = arg.split(/\s+/).filter(Boolean);
  if (name === "pmFromFile") {
    op.phrases = arg
      .split(/\s+/)
      .filter(Boolean)
      .flatMap((f) => dataFile(f).split("\n"))
      .map((l) => l.trim())
      .filter((l) => l && !l.startsWith("#"));
  }
  return op;
}

export interface ImportResult {
  version: string;
  rules: CrsRuleSpec[];
  skipped: Array<{ id: number; paranoiaLevel: number; family: string; reason: string; line: number; file: string }>;
}

/** Parses one rules file. `dataFile` reads a .data file next to it. */
export function importConf(file: string, text: string, dataFile: (name: string) => string, out: ImportResult): void {
  const family = /941/.test(file) ? "xss" : "sqli";
  const dirs = parseDirectives(text, file);
  let markerPl = 1;
  let lastRule: { chain: CrsChainSpec[] } | null = null;
  let expectChain = false;
  for (const d of dirs) {
    if (d.kind === "SecMarker") continue;
    if (d.kind === "SecAction") continue;
    const [vars, opText, actText = ""] = d.args;
    const actions = parseActions(actText);
    const get = (k: string) => actions.find(([n]) => n === k)?.[1];
    const ts = actions.filter(([n]) => n === "t").map(([, v]) => v);
    const hasChain = actions.some(([n]) => n === "chain");
    if (expectChain) {
      // a chained rule
      expectChain = hasChain;
      if (!lastRule) continue;
      try {
        lastRule.chain.push({
          targets: parseTargets(vars!),
          operator: parseOperator(opText!, dataFile),
          transformations: ts,
          capture: actions.some(([n]) => n === "capture"),
        });
      } catch (err) {
        const r = lastRule as unknown as CrsRuleSpec;
        out.rules.splice(out.rules.indexOf(r), 1);
        out.skipped.push({ id: r.id, paranoiaLevel: r.paranoiaLevel, family, reason: `chained rule: ${(err as Error).message}`, line: d.line, file });
        lastRule = null;
      }
      continue;
    }
    const id = Number(get("id"));
    // The paranoia-level markers: "SecRule TX:DETECTION_PARANOIA_LEVEL "@lt N" … skipAfter" — rules after it run at PL >= N.
    if (vars === "TX:DETECTION_PARANOIA_LEVEL") {
      const n = /^@lt (\d)$/.exec(opText ?? "");
      if (n) markerPl = Number(n[1]);
      continue;
    }
    const tagPl = actions.find(([n, v]) => n === "tag" && /^paranoia-level\/\d$/.test(v))?.[1];
    const pl = tagPl ? Number(tagPl.slice(-1)) : markerPl;
    if (tagPl && pl !== markerPl) throw new Error(`${file}:${d.line}: rule ${id} is tagged paranoia-level/${pl} but sits after the PL${markerPl} marker`);
    if (!tagPl && !get("msg")) {
      // housekeeping rule without a message (941010: switches REQUEST_FILENAME off for 'xss-perf-disable' rules when the path is plain)
      out.skipped.push({ id, paranoiaLevel: pl, family, reason: `housekeeping rule without msg (${opText}; ${actions.filter(([n]) => n === "ctl").map(([, v]) => v).join(" ")})`, line: d.line, file });
      expectChain = hasChain;
      lastRule = null;
      continue;
    }
    try {
      const unknownT = ts.find((t) => !SUPPORTED_TRANSFORMATIONS.has(t));
      if (unknownT) throw new ConversionError(`transformation t:${unknownT} is not implemented`);
      const rule: CrsRuleSpec = {
        id,
        paranoiaLevel: pl,
        family,
        severity: get("severity") ?? "",
        msg: get("msg") ?? "",
        targets: parseTargets(vars!),
        operator: parseOperator(opText!, dataFile),
        transformations: ts,
        multiMatch: actions.some(([n]) => n === "multiMatch"),
        perfDisable: actions.some(([n, v]) => n === "tag" && v === "xss-perf-disable"),
        capture: actions.some(([n]) => n === "capture"),
        chain: [],
        line: d.line,
        file,
      };
      out.rules.push(rule);
      lastRule = rule;
    } catch (err) {
      if (!(err instanceof ConversionError)) throw err;
      out.skipped.push({ id, paranoiaLevel: pl, family, reason: err.message, line: d.line, file });
      lastRule = null;
    }
    expectChain = hasChain;
  }
}

/** Reads a CRS tree: a bare git dir (read at `rev`) or a checkout. */
export function readCrs(source: string, rev = "HEAD"): { files: Array<[string, string]>; data: (n: string) => string; version: string } {
  const isGit = existsSync(join(source, "HEAD")) && existsSync(join(source, "objects"));
  const git = (...a: string[]) => execFileSync("git", ["--git-dir", source, ...a], { encoding: "utf8", maxBuffer: 64 << 20 });
  let names: string[];
  let read: (p: string) => string;
  let version: string;
  if (isGit) {
    names = git("ls-tree", "--name-only", `${rev}:rules`).split("\n").filter(Boolean);
    read = (p) => git("show", `${rev}:${p}`);
    version = git("rev-parse", rev).trim();
  } else {
    names = readdirSync(join(source, "rules"));
    read = (p) => readFileSync(join(source, p), "utf8");
    let commit = "unknown";
    try {
      commit = execFileSync("git", ["-C", source, "rev-parse", "HEAD"], { encoding: "utf8" }).trim();
    } catch {
      // not a git checkout
    }
    version = commit;
  }
  const files = names.filter((n) => /^REQUEST-94[12]-.*\.conf$/.test(n)).sort().map((n) => [n, read(`rules/${n}`)] as [string, string]);
  if (files.length !== 2) throw new Error(`${source}: expected REQUEST-941-*.conf and REQUEST-942-*.conf under rules/, found ${files.length}`);
  return { files, data: (n) => read(`rules/${n}`), version };
}

// Inputs built to make backtracking patterns go polynomial (repetitions of one fragment).
export const ADVERSARIAL_FRAGMENTS = ["=", "{", "-", "@", "$", "<a b=", " or 1", "'or'", "\\", "a.", ": ", "<", "'", "(", "a ", "%2", "&#", "on", "/*", "union ", "<style", "'a", '"', ",", "a=", "<x", " select", "`", "1 ", "!", "--", "a", "case when ", '" ', "' ", "a'", " in", "x'", "/*!", ";", "\t", "'.", '"a', "<script", "javascript:", "a:", "[", "]", ")", "'1", "1", " and ", "'-", 'a"', "<!", "0x", "*/"];

/**
 * Marks the @rx rules whose JavaScript RegExp backtracks badly: more than 0.5 ms (best of three) on 1 KB of some
 * adversarial fragment repeated. The engine runs those with re2js (RE2's linear-time automaton;
 * the CRS patterns are RE2-compatible by CRS policy) instead of V8's backtracking engine.
 */
function markBacktracking(rules: CrsRuleSpec[]): void {
  for (const r of rules) {
    for (const o of [r.operator, ...r.chain.map((c) => c.operator)]) {
      if (!o.js || r.linearEngine) continue;
      const re = new RegExp(o.js.source, o.js.flags);
      for (const f of ADVERSARIAL_FRAGMENTS) {
        const text = f.repeat(Math.ceil(1024 / f.length)).slice(0, 1024);
        let best = Infinity;
        for (let k = 0; k < 3 && best > 0.5; k++) {
          const t0 = process.hrtime.bigint();
          re.exec(text);
          best = Math.min(best, Number(process.hrtime.bigint() - t0) / 1e6);
        }
        if (best > 0.5) {
          r.linearEngine = `backtracks: ${best.toFixed(1)} ms on 1 KB of ${JSON.stringify(f)} repeated`;
          break;
        }
      }
    }
  }
}

function main(): void {
  const args = process.argv.slice(2);
  const opt = (n: string) => {
    const i = args.indexOf(n);
    return i >= 0 ? args[i + 1] : undefined;
  };
  const source = args.find((a, i) => !a.startsWith("--") && !args[i - 1]?.startsWith("--"));
  if (!source) {
    process.stderr.write("usage: npx tsx scripts/crs-import.ts <CRS git dir or checkout> [--rev HEAD] [--out FILE]\n");
    process.exit(2);
  }
  const rev = opt("--rev") ?? "HEAD";
  const outFile = resolve(opt("--out") ?? join(import.meta.dirname, "../server/guardian/detect/crs/rules.generated.ts"));
  const crs = readCrs(resolve(source), rev);
  const result: ImportResult = { version: crs.version, rules: [], skipped: [] };
  let crsVer = "";
  for (const [name, text] of crs.files) {
    crsVer ||= /ver:'(OWASP_CRS\/[^']+)'/.exec(text)?.[1] ?? "";
    importConf(name, text, crs.data, result);
  }
  markBacktracking(result.rules);
  const header = [
    "// GENERATED by scripts/crs-import.ts — do not edit; re-run the importer instead.",
    `// Source: OWASP Core Rule Set (coreruleset/coreruleset) ${crsVer} at commit ${crs.version},`,
    `// rules/${crs.files.map(([n]) => n).join(", rules/")}.`,
    "//",
    "// Copyright (c) 2006-2020 Trustwave and contributors. All rights reserved.",
    "// Copyright (c) 2021-2025 CRS project. All rights reserved.",
    "// Licensed under the Apache License, Version 2.0 (the \"License\"); you may not use this file except in",
    "// compliance with the License. You may obtain a copy at http://www.apache.org/licenses/LICENSE-2.0 and",
    "// in ./LICENSE-coreruleset.txt. Distributed on an \"AS IS\" BASIS, WITHOUT WARRANTIES OR CONDITIONS OF",
    "// ANY KIND. Changes from the source: the rules' PCRE patterns are converted to JavaScript RegExp",
    "// sources (pcreToJs in scripts/crs-import.ts); actions other than those listed here are left out.",
    'import type { CrsRuleSpec } from "./types.ts";',
    "",
    `export const CRS_VERSION = ${JSON.stringify(crsVer)};`,
    `export const CRS_COMMIT = ${JSON.stringify(crs.version)};`,
    "",
    "/** Rules that could not be converted faithfully, with the reason (none is dropped silently). */",
    `export const CRS_SKIPPED: Array<{ id: number; paranoiaLevel: number; family: string; reason: string; line: number; file: string }> = ${JSON.stringify(result.skipped, null, 1)};`,
    "",
    `export const CRS_RULES: CrsRuleSpec[] = ${JSON.stringify(result.rules, null, 1)};`,
    "",
  ].join("\n");
  writeFileSync(outFile, header);
  process.stdout.write(`${outFile}: ${result.rules.length} rules, ${result.skipped.length} skipped\n`);
  for (const r of result.rules) if (r.linearEngine) process.stdout.write(`  re2js for ${r.id}: ${r.linearEngine}\n`);
  for (const s of result.skipped) process.stdout.write(`  skipped ${s.id} (PL${s.paranoiaLevel}) ${s.file}:${s.line}: ${s.reason}\n`);
}

if (import.meta.url === `file://${process.argv[1]}`) main();
