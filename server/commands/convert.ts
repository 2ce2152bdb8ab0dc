// datamigrate convert <path...> --out <dir> [--target postgres|sqlserver] [--var name=value] [--force]
import { formatDiagnostic } from "../diagnostics.ts";
import { ConvertError, convertPaths, diagnosticCounts, prepareOutDir, writeConversion } from "../translate/project/index.ts";
import type { Command } from "./types.ts";

const help = `Usage: datamigrate convert <path...> --out <dir> [--target postgres|sqlserver] [--var name=value] [--force]
                          [--validate [--database-url URL]]

Converts SQL Server sources into a dbt project and writes report.json, report.html and report.csv
beside it.
  <path>               a .sql file, a folder (SSDT project or tree of .sql files), a .zip, a
                       .sqlproj, a .dacpac, or a live server (as for \`inspect\`)
  --out <dir>          where to write the project (must be empty unless --force)
  --target <t>         postgres (default: T-SQL translated) or sqlserver (T-SQL kept, references
                       and project structure converted)
  --var name=value     a SQLCMD variable for $(name) (repeatable)
  --collation name     default collation when no source states one
  --name <project>     dbt project name (default: from the database name)
  --force              write into a non-empty --out directory
  --json               print the report summary as JSON
  --validate           then validate the project (as \`datamigrate validate\`): run every model and
                       data test on synthesised data and write an evidence grade per object into
                       the report (Postgres target only)
  --database-url URL   the Postgres to validate on (default: an embedded PGlite)

Exits 1 when nothing could be read or the output cannot be written, 2 on bad arguments, else 0
(objects that could not be converted are listed in the report, not signalled by the exit code).`;

export interface ConvertArgs {
  paths: string[];
  out: string;
  target: "postgres" | "sqlserver";
  vars: Record<string, string>;
  collation?: string;
  name?: string;
  force: boolean;
  json: boolean;
  validate: boolean;
  databaseUrl?: string;
}

export function parseConvertArgs(args: string[]): ConvertArgs | string {
  const out: Partial<ConvertArgs> & { paths: string[]; vars: Record<string, string> } = { paths: [], vars: {}, target: "postgres", force: false, json: false, validate: false };
  const value = (i: number, a: string, flag: string): [string | undefined, number] =>
    a === flag ? [args[i + 1], i + 1] : [a.slice(flag.length + 1), i];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    const flag = a.startsWith("--") ? a.split("=")[0]! : undefined;
    if (flag === "--force" && a === flag) out.force = true;
    else if (flag === "--json" && a === flag) out.json = true;
    else if (flag === "--validate" && a === flag) out.validate = true;
    else if (flag === "--out" || flag === "--target" || flag === "--var" || flag === "--collation" || flag === "--name" || flag === "--database-url") {
      const [v, next] = value(i, a, flag);
      i = next;
      if (v === undefined || v === "") return `${flag} expects a value`;
      if (flag === "--out") out.out = v;
      else if (flag === "--target") {
        if (v !== "postgres" && v !== "sqlserver") return `--target must be postgres or sqlserver, got '${v}'`;
        out.target = v;
      } else if (flag === "--var") {
        const m = v.match(/^([^=]+)=(.*)$/s);
        if (!m) return `--var expects name=value, got '${v}'`;
        out.vars[m[1]!] = m[2]!;
      } else if (flag === "--collation") out.collation = v;
      else if (flag === "--database-url") out.databaseUrl = v;
      else {
        if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(v)) return `--name must be a dbt project name (letters, digits, underscore), got '${v}'`;
        out.name = v;
      }
    } else if (a.startsWith("--")) return `unknown option '${a}'`;
    else out.paths.push(a);
  }
  if (out.paths.length === 0) return "give at least one path to convert";
  if (!out.out) return "--out <dir> is required";
  if (out.databaseUrl && !out.validate) return "--database-url goes with --validate";
  if (out.validate && out.target === "sqlserver") return "--validate runs the project on Postgres; it needs --target postgres";
  return out as ConvertArgs;
}

export const convert: Command = {
  name: "convert",
  summary: "convert SQL Server sources into a dbt project (Postgres or SQL Server) with a report",
  help,
  async run(args) {
    const parsed = parseConvertArgs(args);
    if (typeof parsed === "string") {
      process.stderr.write(`datamigrate convert: ${parsed}\n\n${help}\n`);
      return 2;
    }
    try {
      // Refuse a bad --out before the (possibly long) read.
      await prepareOutDir(parsed.out, parsed.force);
    } catch (e) {
      process.stderr.write(`datamigrate convert: ${e instanceof Error ? e.message : String(e)}\n`);
      return 1;
    }
    const started = Date.now();
    const c = await convertPaths(parsed.paths, {
      target: parsed.target,
      sqlcmdVars: parsed.vars,
      ...(parsed.collation ? { defaultCollation: parsed.collation } : {}),
      ...(parsed.name ? { projectName: parsed.name } : {}),
    });
    if (!c.readable) {
      for (const d of c.catalog.diagnostics) process.stderr.write(formatDiagnostic(d) + "\n");
      process.stderr.write("datamigrate convert: nothing readable in the inputs; no project written\n");
      return 1;
    }
    let written;
    try {
      written = await writeConversion(c.result, parsed.out, { force: true });
    } catch (e) {
      process.stderr.write(`datamigrate convert: ${e instanceof ConvertError || e instanceof Error ? e.message : String(e)}\n`);
      return 1;
    }
    const s = written.report.summary;
    const top = diagnosticCounts(written.report).slice(0, 8);
    let grades: Record<string, number> | undefined;
    let validationErrors: string[] = [];
    if (parsed.validate) {
      // Loaded only here: the validation stack (PGlite, postgres, drizzle) costs a plain convert ~0.3 s.
      const { validateProject } = await import("../validate/project.ts");
      const v = await validateProject(written.dir, { catalog: c.catalog, ...(parsed.databaseUrl ? { databaseUrl: parsed.databaseUrl } : {}) });
      grades = v.grades;
      validationErrors = v.diagnostics.filter((d) => d.severity === "error").slice(0, 10).map(formatDiagnostic);
    }
    if (parsed.json) {
      process.stdout.write(JSON.stringify({ out: written.dir, summary: s, codes: Object.fromEntries(top), ...(grades ? { evidence: grades } : {}) }, null, 2) + "\n");
      return 0;
    }
    const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
    const lines = [
      `${c.catalog.inputs.files} file(s) read → dbt project '${c.result.project.name}' (target ${parsed.target}) in ${written.dir} (${Date.now() - started} ms)`,
      `  objects          ${String(s.objects).padStart(5)}`,
      `  converted        ${String(s.converted).padStart(5)}`,
      `  needs_review     ${String(s.needs_review).padStart(5)}`,
      `  unsupported      ${String(s.unsupported).padStart(5)}`,
      `  conversion rate  ${pct(s.conversionRate).padStart(6)}`,
      `  models ${c.result.project.models.length} (${c.result.project.models.filter((m) => m.config.enabled === false).length} disabled), sources ${c.result.project.sources.length}, macros ${c.result.project.macros.length}`,
    ];
    if (top.length) lines.push(`  top diagnostic codes: ${top.map(([code, n]) => `${code} ×${n}`).join(", ")}`);
    const yamlErrors = written.projectDiagnostics.filter((d) => d.severity === "error");
    if (yamlErrors.length) {
      lines.push(`  ${yamlErrors.length} project error(s) found by the dbt writer:`);
      for (const d of yamlErrors.slice(0, 10)) lines.push(`    ${formatDiagnostic(d)}`);
    }
    if (grades) {
      lines.push(`  evidence: ${Object.entries(grades).map(([g, n]) => `${g} ${n}`).join(", ")}`);
      if (validationErrors.length) {
        lines.push(`  validation errors (first ${validationErrors.length}):`);
        for (const e of validationErrors) lines.push(`    ${e}`);
      }
    }
    lines.push(`  report: ${written.dir}/report.html`);
    process.stdout.write(lines.join("\n") + "\n");
    return 0;
  },
};
