// Validates dbt YAML against dbt Labs' published JSON Schemas (the strict "fusion" variants, which
// reject the pre-1.10 test-argument style). Every file the writer emits goes through here, and so
// can a user-edited file, so errors point at the line of the offending key.
import type { ErrorObject, ValidateFunction } from "ajv";
import { LineCounter, parseDocument, isNode, type Document } from "yaml";
import { diagnostic, type Diagnostic } from "../diagnostics.ts";
// Pre-compiled (ajv standalone) from the schema files by scripts/gen-dbt-validators.ts: compiling
// the two schemas at first use cost about 1.5 s per process. validators.test.ts fails when the
// generated module no longer matches server/dbt/schemas.
import { validateDbtProject, validateDbtProperties } from "./validators.generated.js";

export type DbtYamlKind = "dbt_project" | "properties";

const SCHEMA_FILES: Record<DbtYamlKind, string> = {
  dbt_project: "dbt_project-latest-fusion.json",
  properties: "dbt_yml_files-latest-fusion.json",
};

const VALIDATORS: Record<DbtYamlKind, ValidateFunction> = {
  dbt_project: validateDbtProject,
  properties: validateDbtProperties,
};

function validatorFor(kind: DbtYamlKind): ValidateFunction {
  return VALIDATORS[kind];
}

/**
 * dbt reads YAML with PyYAML, which follows YAML 1.1 (`yes`, `on`, `010`, `1:20` are not strings
 * there). We parse the same way so that the schema sees what dbt will see.
 */
export const DBT_YAML_VERSION = "1.1" as const;

/**
 * Validates one YAML text. `kind` picks the schema: dbt_project.yml, or any property file
 * (models/sources/seeds/snapshots/macros .yml). Returns diagnostics; empty means valid.
 */
export function validateDbtYaml(kind: DbtYamlKind, text: string, file = kind === "dbt_project" ? "dbt_project.yml" : "properties.yml"): Diagnostic[] {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { version: DBT_YAML_VERSION, lineCounter, prettyErrors: false, uniqueKeys: true });
  const out: Diagnostic[] = [];
  for (const e of doc.errors) {
    const pos = lineCounter.linePos(e.pos[0]);
    out.push(diagnostic("DBT2001", "error", `YAML syntax error: ${e.message.split("\n")[0]}`, { file, line: pos.line, column: pos.col }));
  }
  if (out.length) return out;
  const value: unknown = doc.toJS();
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    return [diagnostic("DBT2002", "error", "the file must be a YAML mapping", { file, line: 1 })];
  }
  // `tests:` still validates, but dbt 1.8+ deprecates it in favour of `data_tests:`.
  if (kind === "properties") {
    const visit = (node: unknown, path: Array<string | number>) => {
      if (Array.isArray(node)) node.forEach((x, i) => visit(x, [...path, i]));
      else if (node !== null && typeof node === "object")
        for (const [k, v] of Object.entries(node)) {
          if (k === "tests" && Array.isArray(v) && path.length > 0)
            out.push(diagnostic("DBT2004", "warning", "`tests:` is deprecated since dbt 1.8; name the list `data_tests:`", { file, line: keyLineOf(doc, lineCounter, [...path, k]) ?? 1 }));
          if (k !== "data_tests" && k !== "tests") visit(v, [...path, k]);
        }
    };
    visit(value, []);
  }
  const validate = validatorFor(kind);
  if (validate(value)) return out;
  for (const e of significantErrors(validate.errors ?? [])) {
    const line = lineOf(doc, lineCounter, e.instancePath, e.params);
    const preTen = preTenTestStyle(e);
    out.push(
      diagnostic(
        preTen ? "DBT2003" : "DBT2002",
        "error",
        preTen ?? `${e.instancePath || "/"} ${describe(e)} (${SCHEMA_FILES[kind]})`,
        { file, line },
      ),
    );
  }
  return out;
}

/** Parses dbt YAML the way dbt does (YAML 1.1). Throws on syntax errors. */
export function parseDbtYaml(text: string): unknown {
  const doc = parseDocument(text, { version: DBT_YAML_VERSION, uniqueKeys: true });
  if (doc.errors.length) throw doc.errors[0];
  return doc.toJS();
}

function describe(e: ErrorObject): string {
  if (e.keyword === "additionalProperties") return `has unknown key '${String((e.params as { additionalProperty: string }).additionalProperty)}'`;
  if (e.keyword === "enum") return `${e.message}: ${(e.params as { allowedValues: unknown[] }).allowedValues.map((v) => JSON.stringify(v)).join(", ")}`;
  return e.message ?? e.keyword;
}

/**
 * A data test written as `- relationships: {to: ..., field: ...}` (arguments beside the test
 * instead of under `arguments:`) is the commonest mistake, and the schema's anyOf turns it into a
 * pile of errors; recognise it and say what to do.
 */
function preTenTestStyle(e: ErrorObject): string | undefined {
  if (e.keyword !== "additionalProperties") return undefined;
  const key = (e.params as { additionalProperty: string }).additionalProperty;
  const m = /\/(data_tests|tests)\/\d+\/([^/]+)$/.exec(e.instancePath);
  if (!m) return undefined;
  const test = m[2]!.replace(/~1/g, "/").replace(/~0/g, "~");
  return `data test '${test}' has argument '${key}' beside the test name (pre-dbt-1.10 style); put it under 'arguments:' (${e.instancePath})`;
}

/**
 * ajv reports every branch of every anyOf. Keep the errors that say something: drop the
 * anyOf/oneOf summaries and "must be string/null" branch noise when a more specific error exists
 * at the same or a deeper path, then keep one error per path and keyword.
 */
function significantErrors(errors: ErrorObject[]): ErrorObject[] {
  const specific = errors.filter((e) => e.keyword !== "anyOf" && e.keyword !== "oneOf");
  const under = (p: string) => specific.some((o) => o.instancePath.startsWith(p + "/"));
  const kept = specific.filter((e) => {
    const sameSpot = specific.filter((o) => o !== e && o.instancePath === e.instancePath);
    if (e.keyword === "type" || e.keyword === "required")
      return !under(e.instancePath) && !sameSpot.some((o) => o.keyword !== "type" && o.keyword !== "required");
    if (e.keyword === "additionalProperties") {
      // `x: {bad: 1}` where x is allowed by another branch: the deeper error is the real one.
      const key = String((e.params as { additionalProperty: string }).additionalProperty).replace(/~/g, "~0").replace(/\//g, "~1");
      return !under(`${e.instancePath}/${key}`);
    }
    return true;
  });
  // One enum error per path, with the allowed values of every branch.
  const merged: ErrorObject[] = [];
  const enumAt = new Map<string, ErrorObject>();
  for (const e of kept.length ? kept : errors) {
    if (e.keyword === "enum") {
      const prev = enumAt.get(e.instancePath);
      const values = (e.params as { allowedValues: unknown[] }).allowedValues;
      if (prev) {
        (prev.params as { allowedValues: unknown[] }).allowedValues.push(...values);
        continue;
      }
      const copy = { ...e, params: { allowedValues: [...values] } };
      enumAt.set(e.instancePath, copy);
      merged.push(copy);
      continue;
    }
    merged.push(e);
  }
  const seen = new Set<string>();
  return merged.filter((e) => {
    const k = `${e.instancePath}|${e.keyword}|${JSON.stringify(e.params)}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

function lineOf(doc: Document, lc: LineCounter, instancePath: string, params: unknown): number {
  const segments = instancePath
    .split("/")
    .slice(1)
    .map((s) => s.replace(/~1/g, "/").replace(/~0/g, "~"))
    .map((s) => (/^\d+$/.test(s) ? Number(s) : s));
  const extra = (params as { additionalProperty?: string }).additionalProperty;
  const candidates = extra !== undefined ? [[...segments, extra], segments] : [segments];
  for (const path of candidates) {
    for (let n = path.length; n >= 0; n--) {
      const node = n === 0 ? doc.contents : doc.getIn(path.slice(0, n), true);
      if (isNode(node) && node.range) {
        // For a key we want the key's line, which is at or before the value's start.
        const keyLine = extra !== undefined && path === candidates[0] && n === path.length ? keyLineOf(doc, lc, path) : undefined;
        return keyLine ?? lc.linePos(node.range[0]).line;
      }
    }
  }
  return 1;
}

function keyLineOf(doc: Document, lc: LineCounter, path: Array<string | number>): number | undefined {
  const parent = path.length > 1 ? doc.getIn(path.slice(0, -1), true) : doc.contents;
  const items = (parent as { items?: Array<{ key?: { value?: unknown; range?: [number, number, number] } }> } | null)?.items;
  const pair = items?.find((p) => p.key?.value === path[path.length - 1]);
  return pair?.key?.range ? lc.linePos(pair.key.range[0]).line : undefined;
}
