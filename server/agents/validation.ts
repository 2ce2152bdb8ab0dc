// The test stage's work: run the converted project on the validation database (server/validate),
// grade every report object, and read the plans of the models for the optimize stage, before the
// scratch schemas are dropped.
import { objectEvidence } from "../validate/project.ts";
import { runValidation, type ModelResult } from "../validate/run.ts";
import { openConnection, type Connection } from "../validate/connection.ts";
import type { EvidenceGrade } from "../validate/evidence.ts";
import type { ConvertResult } from "../translate/project/convert.ts";
import type { Workspace } from "./workspace.ts";

export interface ValidationOutcome {
  /** Per report object ("schema.name"). */
  grades: Record<string, EvidenceGrade>;
  /** Compact evidence per object for migration_models.validation. */
  byObject: Record<string, Record<string, unknown>>;
  /** The first error of each object's failing model (what rebuild is told). */
  errors: Record<string, string>;
  perf: Record<string, { rows?: number; cost?: number; planRows?: number }>;
  summary: Record<string, unknown>;
}

const q = (s: string) => `"${s.replace(/"/g, '""')}"`;
const EXPLAIN_LIMIT = 300;
const DEFAULT_STATEMENT_TIMEOUT_MS = 30_000;

function modelsOf(o: { schema: string; name: string; model: string | null }, models: ModelResult[]): ModelResult[] {
  return models.filter((m) => (o.model && m.path === o.model) || (m.origin && m.origin.schema.toLowerCase() === o.schema.toLowerCase() && m.origin.name.toLowerCase() === o.name.toLowerCase()));
}

/** Rejects when the signal fires; the validation itself cannot be interrupted and finishes in the background. */
function abortable<T>(p: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(Object.assign(new Error("cancelled"), { name: "AbortError" }));
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(Object.assign(new Error("cancelled"), { name: "AbortError" }));
    signal.addEventListener("abort", onAbort, { once: true });
    p.then(
      (v) => {
        signal.removeEventListener("abort", onAbort);
        resolve(v);
      },
      (e) => {
        signal.removeEventListener("abort", onAbort);
        reject(e);
      },
    );
  });
}

export async function validateConversion(
  w: Workspace,
  c: ConvertResult,
  opts: { signal: AbortSignal; onProgress?: (m: string) => void; /** From server configuration (VALIDATION_DATABASE_URL); absent: embedded PGlite. */ validationDatabaseUrl?: string | undefined },
): Promise<ValidationOutcome> {
  const out: ValidationOutcome = { grades: {}, byObject: {}, errors: {}, perf: {}, summary: {} };
  const o = w.config.options;
  if (w.config.target !== "postgres" || o.validate === false) {
    // Nothing runs: converted objects are as proven as compiled text, refused ones failed.
    for (const r of c.report.objects) out.grades[`${r.schema}.${r.name}`] = r.status === "unsupported" ? "failed" : "compiled";
    out.summary = { skipped: w.config.target !== "postgres" ? "validation runs on Postgres; the sqlserver target is not run" : "validation switched off in the migration options" };
    return out;
  }
  const timeoutMs = o.statementTimeoutMs ?? DEFAULT_STATEMENT_TIMEOUT_MS;
  const work = async () => {
    let conn: Connection | undefined;
    try {
      // Always with a statement timeout: model-written SQL is untrusted and may never end. On PGlite
      // this puts the database in a worker thread that can be stopped (server/validate/README.md).
      conn = await openConnection(opts.validationDatabaseUrl, timeoutMs > 0 ? { statementTimeoutMs: timeoutMs } : {});
    } catch (e) {
      throw Object.assign(new Error(`the validation database cannot be used: ${(e instanceof Error ? e.message : String(e)).split("\n")[0]}`), { code: (e as { code?: unknown })?.code });
    }
    try {
      const run = await runValidation(c.project, {
        connection: conn,
        catalog: w.catalog,
        keep: true,
        ...(o.rows ? { rows: o.rows } : {}),
        ...(timeoutMs > 0 ? { statementTimeoutMs: timeoutMs } : {}),
        ...(opts.onProgress ? { onProgress: opts.onProgress } : {}),
      });
      try {
        // Plans on the validation data, while the relations still exist.
        let n = 0;
        for (const m of run.models) {
          // Staging models are renames and casts of one table: only the others get suggestions.
          if (m.status !== "ran" || n >= EXPLAIN_LIMIT || m.path.startsWith("models/staging/")) {
            if (m.rows !== undefined) out.perf[m.name] = { rows: m.rows };
            continue;
          }
          n++;
          const perf: { rows?: number; cost?: number; planRows?: number } = m.rows !== undefined ? { rows: m.rows } : {};
          try {
            const rows = await conn.query(`EXPLAIN (FORMAT JSON) SELECT * FROM ${m.relationName.schema ? `${q(m.relationName.schema)}.` : ""}${q(m.relationName.name)}`);
            const first = rows[0] ? Object.values(rows[0])[0] : undefined;
            const plan = (typeof first === "string" ? JSON.parse(first) : first) as Array<{ Plan?: { "Total Cost"?: number; "Plan Rows"?: number } }> | undefined;
            if (plan?.[0]?.Plan) {
              perf.cost = plan[0].Plan["Total Cost"];
              perf.planRows = plan[0].Plan["Plan Rows"];
            }
          } catch {
            // A plan that cannot be read only means no suggestion for this model.
          }
          out.perf[m.name] = perf;
        }
      } finally {
        const schemas = [run.schemas.models, run.schemas.runtime, ...Object.values(run.schemas.sources)].filter(Boolean);
        for (const s of schemas) await conn.exec(`DROP SCHEMA IF EXISTS ${q(s)} CASCADE`).catch(() => {});
      }
      for (const r of c.report.objects) {
        const id = `${r.schema}.${r.name}`;
        const mine = modelsOf(r, run.models);
        out.grades[id] = objectEvidence(r, run.models, run.setup.ok, run.setup.failedHooks);
        if (mine.length)
          out.byObject[id] = {
            models: mine.map((m) => ({
              name: m.name,
              path: m.path,
              status: m.status,
              rows: m.rows ?? null,
              evidence: m.evidence,
              tests: { passed: m.tests.filter((x) => x.status === "pass").length, failed: m.tests.filter((x) => x.status === "fail" || x.status === "error").length },
              ...(m.error ? { error: m.error } : {}),
              failingTests: m.tests.filter((x) => x.status === "fail" || x.status === "error").slice(0, 5).map((x) => ({ name: x.name, failures: x.failures ?? null, error: x.error ?? null, sample: (x.sample ?? []).slice(0, 5) })),
            })),
          };
        const failing = mine.find((m) => m.status === "failed" || m.status === "not_compiled" || m.tests.some((x) => x.status === "fail" || x.status === "error"));
        if (failing) {
          const failedTest = failing.tests.find((x) => x.status === "fail" || x.status === "error");
          out.errors[id] = failing.error
            ? `${failing.error.code ? `${failing.error.code}: ` : ""}${failing.error.message}${failing.error.line ? ` (model line ${failing.error.line})` : ""}`
            : failedTest
              ? `data test ${failedTest.name} failed${failedTest.failures !== undefined ? ` (${failedTest.failures} rows)` : ""}${failedTest.error ? `: ${failedTest.error}` : ""}`
              : `model ${failing.status}`;
        } else if (!run.setup.ok && r.model) out.errors[id] = `setup failed: ${run.setup.error ?? "unknown"}`;
      }
      const grades: Record<string, number> = {};
      for (const g of Object.values(out.grades)) grades[g] = (grades[g] ?? 0) + 1;
      out.summary = {
        backend: run.backend,
        ms: run.ms,
        data: "synthesised",
        rows: run.loads.reduce((a, l) => a + l.rows, 0),
        setup: run.setup,
        evidence: grades,
        models: run.models.length,
        diagnostics: run.diagnostics.map(({ code, severity, message, file, line }) => ({ code, severity, message, file, line })).slice(0, 100),
      };
      return out;
    } finally {
      await conn.close().catch(() => {});
    }
  };
  return abortable(work(), opts.signal);
}
