// validateProject: validate a dbt project written by `convert` (a directory), then write the
// evidence grades into its report.json (and re-render report.html/csv). Used by
// `datamigrate validate` and by `convert --validate`.
import { access, readFile } from "node:fs/promises";
import path from "node:path";
import { inspectPaths } from "../catalog/inspect.ts";
import type { Catalog } from "../catalog/model.ts";
import { diagnostic, type Diagnostic } from "../diagnostics.ts";
import { readDbtProject } from "../dbt/reader.ts";
import { Report, writeReport } from "../dbt/report.ts";
import type { Connection } from "./connection.ts";
import { mssqlConnection } from "./connection-mssql.ts";
import { EVIDENCE_GRADES, weakest, type EvidenceGrade } from "./evidence.ts";
import { runValidation, type ModelResult, type ValidationOptions, type ValidationResult } from "./run.ts";

export interface ValidateProjectOptions extends Omit<ValidationOptions, "catalog" | "source"> {
  /** The catalog the project was converted from (convert --validate has it in hand). */
  catalog?: Catalog;
  /** The sources given to convert, to rebuild the catalog; default: the files named in report.json, when they exist. */
  sourcePaths?: string[];
  /** Live SQL Server to copy rows from (ADO string or mssql:// URL), or an open Connection. */
  source?: string | Connection;
  /** Write evidence into report.json. Default true. */
  writeReport?: boolean;
}

export interface ValidateProjectResult {
  run?: ValidationResult;
  /** Evidence per report object ("schema.name" → grade). */
  evidence: Record<string, EvidenceGrade>;
  grades: Record<EvidenceGrade, number>;
  diagnostics: Diagnostic[];
  /** Report files rewritten. */
  written: string[];
}

const exists = (p: string) =>
  access(p).then(
    () => true,
    () => false,
  );

async function readReport(dir: string): Promise<Report | undefined> {
  try {
    return Report.parse(JSON.parse(await readFile(path.join(dir, "report.json"), "utf8")));
  } catch {
    return undefined;
  }
}

/** The catalog again, from the given paths or from the source files the report names. */
async function rebuildCatalog(report: Report | undefined, paths: string[] | undefined, diagnostics: Diagnostic[]): Promise<Catalog | undefined> {
  let inputs = paths;
  if (!inputs?.length) {
    const files = [...new Set((report?.objects ?? []).map((o) => (typeof o.file === "string" ? o.file : undefined)).filter((f): f is string => !!f))];
    const found = (await Promise.all(files.map(async (f) => ((await exists(f)) ? f : undefined)))).filter((f): f is string => !!f);
    if (!files.length || found.length < files.length) return undefined;
    inputs = found;
  }
  const r = await inspectPaths(inputs);
  if (!r.readable) {
    diagnostics.push(diagnostic("VAL1007", "warning", `the sources ${inputs.join(", ")} could not be read again; source tables are created from the sources files without keys, and hold no rows`, { file: inputs[0] ?? "", line: 1 }));
    return undefined;
  }
  return r.catalog;
}

/** Grade of a report object: its models' weakest grade; converted objects without a model (UDFs) count as compiled when the hooks ran. */
export function objectEvidence(o: { schema: string; name: string; model: string | null; status: string }, models: ModelResult[], setupOk: boolean, failedHooks: Array<{ hook: string }> = []): EvidenceGrade {
  // A function created by an on-run-start hook (macros/udf/create_x.sql) whose hook failed.
  const macro = o.model ? /^macros\/udf\/(create_[A-Za-z0-9_]+)\.sql$/.exec(o.model)?.[1] : undefined;
  if (macro && failedHooks.some((h) => new RegExp(`\\b${macro}\\(`).test(h.hook))) return "failed";
  const mine = models.filter((m) => (o.model && m.path === o.model) || (m.origin && m.origin.schema.toLowerCase() === o.schema.toLowerCase() && m.origin.name.toLowerCase() === o.name.toLowerCase()));
  if (mine.length) return mine.map((m) => m.evidence).reduce(weakest);
  if (o.status === "unsupported" || !setupOk) return "failed";
  return "compiled";
}

export async function validateProject(dir: string, opts: ValidateProjectOptions = {}): Promise<ValidateProjectResult> {
  const diagnostics: Diagnostic[] = [];
  const grades = Object.fromEntries(EVIDENCE_GRADES.map((g) => [g, 0])) as Record<EvidenceGrade, number>;
  const out: ValidateProjectResult = { evidence: {}, grades, diagnostics, written: [] };
  const read = await readDbtProject(dir);
  diagnostics.push(...read.diagnostics.filter((d) => d.severity === "error"));
  if (!read.project) {
    diagnostics.push(diagnostic("VAL1008", "error", `${dir} is not a dbt project (no readable dbt_project.yml)`, { file: path.join(dir, "dbt_project.yml"), line: 1 }));
    return out;
  }
  const report = await readReport(dir);
  const catalog = opts.catalog ?? (await rebuildCatalog(report, opts.sourcePaths, diagnostics));
  let source: Connection | undefined;
  let ownSource = false;
  if (typeof opts.source === "string") {
    try {
      source = await mssqlConnection(opts.source);
      ownSource = true;
    } catch (e) {
      diagnostics.push(diagnostic("VAL2204", "error", `cannot connect to the source to copy rows (${(e instanceof Error ? e.message : String(e)).split("\n")[0]}); validating on synthesised data instead`, { file: "source", line: 1 }));
    }
  } else source = opts.source;
  if (source && !catalog) diagnostics.push(diagnostic("VAL2205", "warning", "rows are copied from the source only when the catalog is known (give the converted sources): validating without data", { file: "source", line: 1 }));
  try {
    const { source: _s, sourcePaths: _p, catalog: _c, writeReport: _w, ...runOpts } = opts;
    out.run = await runValidation(read.project, { ...runOpts, ...(catalog ? { catalog } : {}), ...(source && catalog ? { source } : {}) });
  } finally {
    if (ownSource) await source?.close().catch(() => {});
  }
  diagnostics.push(...out.run.diagnostics);
  for (const m of out.run.models) diagnostics.push(...m.diagnostics.filter((d) => d.code.startsWith("VAL")));

  if (report) {
    for (const o of report.objects) {
      const g = objectEvidence(o, out.run.models, out.run.setup.ok, out.run.setup.failedHooks);
      (o as Record<string, unknown>).evidence = g;
      out.evidence[`${o.schema}.${o.name}`] = g;
      grades[g]++;
    }
    const r = report as Record<string, unknown>;
    r.validation = {
      backend: out.run.backend,
      ms: out.run.ms,
      data: source && catalog ? "copied" : catalog ? "synthesised" : "none",
      rows: out.run.loads.reduce((a, l) => a + l.rows, 0),
      setup: out.run.setup,
      evidence: grades,
      models: out.run.models.map((m) => ({
        name: m.name,
        path: m.path,
        status: m.status,
        rows: m.rows ?? null,
        ms: m.ms,
        evidence: m.evidence,
        tests: { passed: m.tests.filter((t) => t.status === "pass").length, failed: m.tests.filter((t) => t.status === "fail" || t.status === "error").length },
        ...(m.error ? { error: m.error } : {}),
        failingTests: m.tests.filter((t) => t.status === "fail" || t.status === "error").map((t) => ({ name: t.name, failures: t.failures ?? null, error: t.error ?? null, sample: t.sample ?? [] })),
      })),
    };
    if (opts.writeReport ?? true) out.written = await writeReport(report, dir, { title: `DataMigrate conversion: ${read.project.name}` });
  } else {
    for (const m of out.run.models) {
      const key = m.origin ? `${m.origin.schema}.${m.origin.name}` : m.name;
      out.evidence[key] = out.evidence[key] ? weakest(out.evidence[key]!, m.evidence) : m.evidence;
    }
    for (const g of Object.values(out.evidence)) grades[g]++;
  }
  return out;
}
