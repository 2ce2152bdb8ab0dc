// One migration run: the entry point the job layer (server/jobs) calls. The job layer owns
// migrations.status / startedAt / finishedAt; this fills in everything else (stages, events,
// models, files, report) and answers how the run ended.
import type { Db } from "../db/client.ts";
import type { ModelRouter } from "../llm/types.ts";
import type { Logger } from "../log.ts";
import { renderDbtProject } from "../dbt/render.ts";
import { renderReportJson } from "../dbt/report.ts";
import { addEvent, closeStages, replaceFiles, resetStages, saveReport, setStage, upsertModels, type PersistTarget } from "./persist.ts";
import { loadWorkspace, RunInputError } from "./workspace.ts";

export interface RunContext {
  db: Db;
  orgId: string;
  migrationId: string;
  signal: AbortSignal;
  router?: ModelRouter;
  log: Logger;
}

export interface RunOutcome {
  status: "completed" | "failed" | "cancelled";
  error?: string;
}

export async function runMigration(ctx: RunContext): Promise<RunOutcome> {
  const t: PersistTarget = { db: ctx.db, orgId: ctx.orgId, migrationId: ctx.migrationId };
  try {
    await resetStages(t);
    await setStage(t, "assess", "running");
    const ws = await loadWorkspace(ctx.db, ctx.orgId, ctx.migrationId);
    await setStage(t, "assess", "completed");
    if (ctx.signal.aborted) return { status: "cancelled" };
    const c = ws.base;
    await upsertModels(
      t,
      c.report.objects.map((o) => {
        const a = ws.assessments.get(`${o.schema}.${o.name}`);
        return {
          sourceSchema: o.schema,
          sourceName: o.name,
          sourceKind: o.kind,
          status: o.status,
          diagnostics: o.diagnostics,
          modelPath: o.model,
          tier: a?.tier ?? "SIMPLE",
          riskFactors: a?.riskFactors ?? [],
          evidenceGrade: o.status === "unsupported" ? "failed" : "compiled",
        };
      }),
    );
    const files = renderDbtProject(c.project);
    files.set("report.json", renderReportJson(c.report));
    await replaceFiles(t, files);
    await saveReport(t, c.report as unknown as Record<string, unknown>);
    await addEvent(t, "optimize", "run completed");
    return { status: "completed" };
  } catch (e) {
    const message = e instanceof RunInputError ? `${e.code}: ${e.message}` : e instanceof Error ? e.message : String(e);
    ctx.log.error({ err: e, migrationId: ctx.migrationId }, "migration run failed");
    await closeStages(t, "failed", message).catch(() => {});
    return { status: "failed", error: message };
  }
}
