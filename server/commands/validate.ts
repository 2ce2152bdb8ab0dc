// datamigrate validate <dbt-project-dir> [--database-url URL] [--source <mssql>] [--sources PATH]... [--rows N] [--json] [--keep]
import { formatDiagnostic } from "../diagnostics.ts";
import type { Command } from "./types.ts";

const help = `Usage: datamigrate validate <dbt-project-dir> [--database-url URL] [--source <connection>] [--sources PATH]... [--rows N] [--json] [--keep]

Runs a converted dbt project on Postgres in fresh scratch schemas: creates the source tables, loads
data (synthesised from the catalog with a fixed seed, or copied from the live source), runs every
model in DAG order with its materialisation (incremental ones twice), then the data tests; grades
every object (verified_equal > tests_passed > ran > compiled > failed) and writes the grades as
"evidence" into the project's report.json (and report.html/csv).
  --database-url URL   the validation Postgres (default: DATABASE_URL if set, else PGlite in memory)
  --source <conn>      SQL Server to copy rows from (ADO connection string or mssql:// URL; read-only)
  --sources PATH       the sources given to convert, to rebuild the catalog (repeatable; default:
                       the files named in report.json, when they still exist)
  --rows N             rows per table (synthesised; the row cap when copying). Default 60 / 10000
  --timeout-ms N       per statement (default 30000)
  --keep               keep the scratch schemas for inspection
  --json               print the result as JSON

Exits 0 when every model ran, 1 when any failed (or the project could not be read), 2 on bad arguments.`;

export interface ValidateArgs {
  dir: string;
  databaseUrl?: string;
  source?: string;
  sources: string[];
  rows?: number;
  timeoutMs?: number;
  json: boolean;
  keep: boolean;
}

export function parseValidateArgs(args: string[]): ValidateArgs | string {
  const out: Partial<ValidateArgs> & { sources: string[] } = { sources: [], json: false, keep: false };
  const rest: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    const flag = a.startsWith("--") ? a.split("=")[0]! : undefined;
    if (flag === "--json" && a === flag) out.json = true;
    else if (flag === "--keep" && a === flag) out.keep = true;
    else if (flag === "--database-url" || flag === "--source" || flag === "--sources" || flag === "--rows" || flag === "--timeout-ms") {
      let v: string | undefined;
      if (a === flag) v = args[++i];
      else v = a.slice(flag.length + 1);
      if (v === undefined || v === "") return `${flag} expects a value`;
      if (flag === "--database-url") out.databaseUrl = v;
      else if (flag === "--source") out.source = v;
      else if (flag === "--sources") out.sources.push(v);
      else {
        if (!/^\d+$/.test(v) || Number(v) < 1) return `${flag} expects a positive whole number, got '${v}'`;
        if (flag === "--rows") out.rows = Number(v);
        else out.timeoutMs = Number(v);
      }
    } else if (a.startsWith("--")) return `unknown option '${a}'`;
    else rest.push(a);
  }
  if (rest.length !== 1) return "give exactly one dbt project directory";
  out.dir = rest[0]!;
  return out as ValidateArgs;
}

export const validate: Command = {
  name: "validate",
  summary: "run a converted dbt project on Postgres with data and tests, and grade every object",
  help,
  async run(args) {
    const parsed = parseValidateArgs(args);
    if (typeof parsed === "string") {
      process.stderr.write(`datamigrate validate: ${parsed}\n\n${help}\n`);
      return 2;
    }
    const databaseUrl = parsed.databaseUrl ?? process.env.DATABASE_URL;
    // Loaded on use: every other command would pay for PGlite, postgres and drizzle at start-up.
    const { EVIDENCE_GRADES } = await import("../validate/evidence.ts");
    const { validateProject } = await import("../validate/project.ts");
    const r = await validateProject(parsed.dir, {
      ...(databaseUrl ? { databaseUrl } : {}),
      ...(parsed.source ? { source: parsed.source } : {}),
      ...(parsed.sources.length ? { sourcePaths: parsed.sources } : {}),
      ...(parsed.rows ? { rows: parsed.rows } : {}),
      ...(parsed.timeoutMs ? { statementTimeoutMs: parsed.timeoutMs } : {}),
      keep: parsed.keep,
    });
    const failedModels = r.run?.models.filter((m) => m.status === "failed" || m.status === "not_compiled") ?? [];
    if (parsed.json) {
      process.stdout.write(
        JSON.stringify({ grades: r.grades, evidence: r.evidence, models: r.run?.models.map(({ diagnostics: _d, ...m }) => m) ?? [], loads: r.run?.loads ?? [], diagnostics: r.diagnostics, ms: r.run?.ms ?? 0 }, null, 2) + "\n",
      );
    } else {
      for (const d of r.diagnostics) if (d.severity !== "note") process.stderr.write(formatDiagnostic(d) + "\n");
      const run = r.run;
      if (run) {
        const ran = run.models.filter((m) => m.status === "ran").length;
        const tests = run.models.flatMap((m) => m.tests);
        process.stdout.write(
          [
            `validated on ${run.backend} in ${(run.ms / 1000).toFixed(1)} s${run.kept ? ` (schemas kept: ${run.schemas.models}*)` : ""}`,
            `  data          ${run.loads.reduce((a, l) => a + l.rows, 0)} rows in ${run.loads.length} tables`,
            `  models        ${ran} of ${run.models.length} ran`,
            `  data tests    ${tests.filter((t) => t.status === "pass").length} passed, ${tests.filter((t) => t.status === "fail" || t.status === "error").length} failed, ${tests.filter((t) => t.status === "skipped").length} skipped`,
            `  evidence      ${EVIDENCE_GRADES.map((g) => `${g} ${r.grades[g]}`).join(", ")}`,
            ...failedModels.map((m) => `  failed ${m.path}${m.error?.line ? `:${m.error.line}` : ""}: ${m.error?.message ?? ""}`),
            ...(r.written.length ? [`  report: ${r.written.find((f) => f.endsWith(".html")) ?? r.written[0]}`] : []),
          ].join("\n") + "\n",
        );
      }
    }
    return !r.run || !r.run.setup.ok || failedModels.length ? 1 : 0;
  },
};
