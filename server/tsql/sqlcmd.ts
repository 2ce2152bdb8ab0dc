// SQLCMD pre-processing, done on lines before lexing (as sqlcmd itself does): `:setvar`, `:r`,
// `:on error` and the other colon directives, and `$(var)` substitution. Values given by the user
// override `:setvar`. Directive lines become empty lines and included files are spliced in, and a
// line map keeps every later diagnostic pointing at the right file and line.
import type { Diagnostic } from "../diagnostics.ts";
import { TSQL } from "./codes.ts";

export interface SqlcmdOptions {
  file: string;
  /** User-supplied values; they win over `:setvar` in the script. */
  vars?: Record<string, string>;
  /**
   * Resolves `:r path` (path as written, relative paths are relative to `fromFile`). Returns the
   * decoded text and the file name to report, or undefined when it cannot be read.
   */
  readFile?: (path: string, fromFile: string) => { text: string; file: string } | undefined;
  /** Added to every line number (the text starts at line 1 + lineOffset of `file`). */
  lineOffset?: number;
}

export interface Preprocessed {
  text: string;
  /** Line of `text` (1-based) → file and line of the original source. */
  mapLine: (line: number) => { file: string; line: number };
  diagnostics: Diagnostic[];
  /** Variables in effect at the end (script `:setvar`s with user values applied). */
  variables: Record<string, string>;
  /** Files spliced in by `:r`, in order. */
  includes: string[];
  /** True when the text had no SQLCMD syntax at all (returned unchanged). */
  unchanged: boolean;
}

const DIRECTIVE = /^[ \t]*:(setvar|r|on|connect|out|error|exit|quit|reset|ed|listvar|serverlist|help|xml|perftrace|!!)(?=[ \t\r]|$)(.*)$/i;
const HAS_DIRECTIVE = /(^|\n)[ \t]*:(setvar|r|on|connect|out|error|exit|quit|reset|ed|listvar|serverlist|help|xml|perftrace|!!)(?=[ \t\r\n]|$)/i;
const VAR_REF = /\$\(([A-Za-z_][\w.-]*)\)/g;
const MAX_INCLUDE_DEPTH = 16;

export function preprocessSqlcmd(text: string, options: SqlcmdOptions): Preprocessed {
  const offset = options.lineOffset ?? 0;
  const rootFile = options.file;
  const userVars = options.vars ?? {};
  if (text.indexOf("$(") < 0 && !HAS_DIRECTIVE.test(text)) {
    return {
      text,
      mapLine: offset === 0 ? (line) => ({ file: rootFile, line }) : (line) => ({ file: rootFile, line: line + offset }),
      diagnostics: [],
      variables: { ...userVars },
      includes: [],
      unchanged: true,
    };
  }
  const vars: Record<string, string> = { ...userVars };
  const diagnostics: Diagnostic[] = [];
  const out: string[] = [];
  // Segment i: output lines from segOut[i] on come from segFile[i] starting at segLine[i].
  const segOut: number[] = [];
  const segFile: string[] = [];
  const segLine: number[] = [];
  const includes: string[] = [];
  const segment = (file: string, line: number) => {
    const at = out.length + 1;
    if (segOut.length && segOut[segOut.length - 1] === at) {
      segFile[segFile.length - 1] = file;
      segLine[segLine.length - 1] = line;
    } else {
      segOut.push(at);
      segFile.push(file);
      segLine.push(line);
    }
  };

  // Lexical state carried across lines, so that directives and $(var) inside block comments are left
  // alone (SSDT's post-deployment template documents `$(TableName)` in a comment).
  let commentDepth = 0;
  let inString = false;
  /** Advances the state over `line`; returns the ranges [start, end) that are code (not comment). */
  const scan = (line: string): [number, number][] => {
    const code: [number, number][] = [];
    let from = commentDepth > 0 ? -1 : 0;
    for (let i = 0; i < line.length; i++) {
      const c = line.charCodeAt(i);
      if (commentDepth > 0) {
        if (c === 42 && line.charCodeAt(i + 1) === 47) {
          commentDepth--;
          i++;
          if (commentDepth === 0) from = i + 1;
        } else if (c === 47 && line.charCodeAt(i + 1) === 42) {
          commentDepth++;
          i++;
        }
        continue;
      }
      if (inString) {
        if (c === 39) inString = false;
        continue;
      }
      if (c === 39) inString = true;
      else if (c === 45 && line.charCodeAt(i + 1) === 45) {
        code.push([from, i]);
        return code;
      } else if (c === 47 && line.charCodeAt(i + 1) === 42) {
        code.push([from, i]);
        commentDepth = 1;
        i++;
      }
    }
    if (commentDepth === 0 && from >= 0) code.push([from, line.length]);
    return code;
  };

  const substitute = (line: string, file: string, lineNo: number): string => {
    const wasInComment = commentDepth > 0;
    const hasRef = line.indexOf("$(") >= 0;
    if (!hasRef) {
      if (line.indexOf("/*") >= 0 || line.indexOf("*/") >= 0 || line.indexOf("'") >= 0 || wasInComment) scan(line);
      return line;
    }
    const code = scan(line);
    const inCode = (i: number) => code.some(([a, b]) => i >= a && i < b);
    return line.replace(VAR_REF, (whole, name: string, col: number) => {
      if (!inCode(col)) return whole;
      const key = Object.keys(vars).find((k) => k.toLowerCase() === name.toLowerCase());
      if (key !== undefined) return vars[key]!;
      diagnostics.push({
        code: TSQL.SqlcmdUndefinedVariable,
        severity: "error",
        message: `SQLCMD variable $(${name}) is not defined: pass it with --var ${name}=value or add :setvar ${name} to the script`,
        file,
        line: lineNo,
        column: col + 1,
      });
      return whole;
    });
  };

  const run = (src: string, file: string, firstLine: number, stack: string[]) => {
    const lines = src.split("\n");
    segment(file, firstLine);
    for (let i = 0; i < lines.length; i++) {
      const lineNo = firstLine + i;
      const raw = lines[i]!;
      const m = raw.indexOf(":") >= 0 && commentDepth === 0 && !inString ? DIRECTIVE.exec(raw.endsWith("\r") ? raw.slice(0, -1) : raw) : null;
      if (!m) {
        out.push(substitute(raw, file, lineNo));
        continue;
      }
      const name = m[1]!.toLowerCase();
      const rest = substitute(m[2]!, file, lineNo).trim();
      const cr = raw.endsWith("\r") ? "\r" : "";
      if (name === "setvar") {
        const sm = /^([A-Za-z_][\w.-]*)(?:[ \t]+(?:"((?:[^"]|"")*)"|(\S+)))?/.exec(rest);
        if (sm) {
          const v = sm[2] !== undefined ? sm[2].replace(/""/g, '"') : sm[3];
          const userKey = Object.keys(userVars).find((k) => k.toLowerCase() === sm[1]!.toLowerCase());
          if (userKey === undefined) {
            const existing = Object.keys(vars).find((k) => k.toLowerCase() === sm[1]!.toLowerCase());
            if (existing !== undefined) delete vars[existing];
            if (v !== undefined) vars[sm[1]!] = v;
          }
        }
        out.push(cr);
        continue;
      }
      if (name === "r") {
        const path = rest.replace(/^"(.*)"$/, "$1").trim();
        const res = options.readFile ? safeRead(options.readFile, path, file) : undefined;
        if (!options.readFile) {
          diagnostics.push({ code: TSQL.SqlcmdIncludeUnavailable, severity: "warning", message: `:r ${path} was not included: no file reader was given, so its statements are missing`, file, line: lineNo });
          out.push(cr);
          continue;
        }
        if (!res) {
          diagnostics.push({ code: TSQL.SqlcmdIncludeFailed, severity: "error", message: `:r ${path}: the file cannot be read`, file, line: lineNo });
          out.push(cr);
          continue;
        }
        if (stack.includes(res.file) || stack.length >= MAX_INCLUDE_DEPTH) {
          diagnostics.push({ code: TSQL.SqlcmdIncludeFailed, severity: "error", message: `:r ${path}: includes nest too deeply or include themselves (${[...stack, res.file].join(" -> ")})`, file, line: lineNo });
          out.push(cr);
          continue;
        }
        includes.push(res.file);
        let inc = res.text;
        if (inc.charCodeAt(0) === 0xfeff) inc = inc.slice(1);
        run(inc, res.file, 1, [...stack, res.file]);
        segment(file, lineNo + 1);
        continue;
      }
      if (name !== "on") {
        diagnostics.push({ code: TSQL.SqlcmdDirectiveIgnored, severity: "note", message: `SQLCMD directive :${m[1]} is ignored`, file, line: lineNo });
      }
      out.push(cr);
    }
  };
  run(text, rootFile, 1 + offset, [rootFile]);

  const mapLine = (line: number) => {
    // Binary search for the last segment starting at or before `line`.
    let lo = 0;
    let hi = segOut.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (segOut[mid]! <= line) lo = mid;
      else hi = mid - 1;
    }
    return { file: segFile[lo]!, line: segLine[lo]! + (line - segOut[lo]!) };
  };
  return { text: out.join("\n"), mapLine, diagnostics, variables: vars, includes, unchanged: false };
}

function safeRead(
  read: NonNullable<SqlcmdOptions["readFile"]>,
  path: string,
  from: string,
): { text: string; file: string } | undefined {
  try {
    return read(path, from);
  } catch {
    return undefined;
  }
}
