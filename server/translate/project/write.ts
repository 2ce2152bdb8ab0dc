// Reading inputs and writing a conversion to disk: the part of `convert` the CLI, the web and the
// agents share. Bad output locations are refused before anything is written.
import { mkdir, readdir, stat, access } from "node:fs/promises";
import { constants } from "node:fs";
import { dirname, resolve } from "node:path";
import type { Diagnostic } from "../../diagnostics.ts";
import { inspectPaths } from "../../catalog/inspect.ts";
import type { Catalog } from "../../catalog/model.ts";
import { writeDbtProject } from "../../dbt/writer.ts";
import { buildReport, writeReport, type Report } from "../../dbt/report.ts";
import { convertCatalog, type ConvertOptions, type ConvertResult } from "./convert.ts";

export class ConvertError extends Error {}

export interface ConvertPathsOptions extends ConvertOptions {
  /** SQLCMD variables for the readers. */
  sqlcmdVars?: Record<string, string>;
  defaultCollation?: string;
}

export interface PathsConversion {
  catalog: Catalog;
  /** False when nothing could be read (then `result` is an empty conversion). */
  readable: boolean;
  result: ConvertResult;
}

export async function convertPaths(paths: string[], opts: ConvertPathsOptions = {}): Promise<PathsConversion> {
  const { sqlcmdVars, defaultCollation, ...convertOpts } = opts;
  const r = await inspectPaths(paths, { ...(sqlcmdVars ? { vars: sqlcmdVars } : {}), ...(defaultCollation ? { defaultCollation } : {}) });
  return { catalog: r.catalog, readable: r.readable, result: convertCatalog(r.catalog, convertOpts) };
}

/** Refuses an output directory that is a file, not empty (unless force) or not writable. */
export async function prepareOutDir(outDir: string, force = false): Promise<string> {
  const dir = resolve(outDir);
  let st;
  try {
    st = await stat(dir);
  } catch {
    st = undefined;
  }
  if (st && !st.isDirectory()) throw new ConvertError(`--out ${outDir} exists and is not a directory`);
  if (st && !force && (await readdir(dir)).length > 0) throw new ConvertError(`--out ${outDir} is not empty; choose an empty directory or pass --force to overwrite the files DataMigrate writes there`);
  if (!st) {
    // Check the nearest existing ancestor first: creating under a read-only or virtual tree
    // (recursive mkdir under /proc never returns on Linux) must be refused, not attempted.
    let anc = dirname(dir);
    for (;;) {
      const s = await stat(anc).catch(() => undefined);
      if (s) {
        if (!s.isDirectory()) throw new ConvertError(`cannot write to --out ${outDir}: ${anc} is not a directory`);
        const writable = await access(anc, constants.W_OK).then(() => true, () => false);
        if (!writable || anc === "/proc" || anc.startsWith("/proc/") || anc === "/sys" || anc.startsWith("/sys/"))
          throw new ConvertError(`cannot write to --out ${outDir}: ${anc} is not writable`);
        break;
      }
      const up = dirname(anc);
      if (up === anc) break;
      anc = up;
    }
  }
  try {
    await mkdir(dir, { recursive: true });
    await access(dir, constants.W_OK);
  } catch (e) {
    throw new ConvertError(`cannot write to --out ${outDir}: ${e instanceof Error ? e.message : String(e)}`);
  }
  return dir;
}

export interface WrittenConversion {
  dir: string;
  files: string[];
  /** The report as written (project-writer diagnostics added to its top-level list). */
  report: Report;
  /** Problems the dbt writer found in the project (YAML schema, consistency). */
  projectDiagnostics: Diagnostic[];
}

/** Writes the dbt project and report.json/html/csv into `outDir` (checked with prepareOutDir). */
export async function writeConversion(result: ConvertResult, outDir: string, opts: { force?: boolean } = {}): Promise<WrittenConversion> {
  const dir = await prepareOutDir(outDir, opts.force);
  try {
    const w = await writeDbtProject(result.project, dir);
    const existing = (result.report.diagnostics as Diagnostic[] | undefined) ?? [];
    const report = buildReport(result.report.objects, { ...result.report, diagnostics: [...existing, ...w.diagnostics.map(({ code, severity, message, file, line }) => ({ code, severity, message, file, line }))] });
    const reportFiles = await writeReport(report, dir, { title: `DataMigrate conversion: ${result.project.name}` });
    return { dir, files: [...w.files, ...reportFiles], report, projectDiagnostics: w.diagnostics };
  } catch (e) {
    if (e instanceof ConvertError) throw e;
    throw new ConvertError(`writing the project into ${outDir} failed: ${e instanceof Error ? e.message : String(e)}`);
  }
}

/** Counts per diagnostic code over the report's objects, most frequent first. */
export function diagnosticCounts(report: Report): Array<[string, number]> {
  const counts = new Map<string, number>();
  for (const o of report.objects) for (const d of o.diagnostics) counts.set(d.code, (counts.get(d.code) ?? 0) + 1);
  return [...counts.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
}
