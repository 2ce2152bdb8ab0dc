// Executing a claimed re-run of one object (see rerun.ts for the rules): translation, validation of
// the object's model with what it reads, the rebuild agent, and the one transaction that writes
// the result. Loaded by the re-run worker on first use (it pulls in the agents and the validator).
import { createHash } from "node:crypto";
import type { z } from "zod";
import { and, eq, sql } from "drizzle-orm";
import { ModelSqlAnswer, NOT_FOR_MODELS, promptContext, promptConventions } from "../agents/graph.ts";
import { sourceOf } from "../agents/persist.ts";
import { loadPrompt, neutraliseComments, refuseModelAnswer, renderPrompt } from "../agents/prompts.ts";
import { validateConversion } from "../agents/validation.ts";
import { loadWorkspace, type Workspace } from "../agents/workspace.ts";
import type { CatalogObject } from "../catalog/model.ts";
import type { Db } from "../db/client.ts";
import { recordAudit } from "../db/queries/audit.ts";
import { getMigration } from "../db/queries/migrations.ts";
import {
  migrationEvents,
  migrationFiles,
  migrationModels,
  migrationObjectRuns,
  migrations,
  type EvidenceGrade,
  type MigrationModel,
  type MigrationObjectRun,
  type ObjectResultSnapshot,
} from "../db/schema/migrations.ts";
import { renderReportJson, summarize, type Report } from "../dbt/report.ts";
import { inspectSqlForPrompt, neutralizeSqlForPrompt } from "../guardian/detect/index.ts";
import { DEFAULT_POLICY, getPolicy } from "../guardian/policies.ts";
import type { ModelRouter, StructuredResult } from "../llm/types.ts";
import type { Logger } from "../log.ts";
import type { ConvertResult } from "../translate/project/convert.ts";
import { LIVE_STATUSES, objectKey, RERUN_EVENT_STAGE, RERUN_KIND_LABELS, RerunError, runUsedModel } from "./rerun.ts";

export interface RerunContext {
  db: Db;
  log: Logger;
  signal: AbortSignal;
  /** The validation database (server configuration); absent: embedded PGlite. */
  validationDatabaseUrl?: string | undefined;
  /** The organisation's model router, for a rebuild of a run that used a model. */
  router?: ModelRouter | undefined;
}


const sha = (s: string | null | undefined) => (s == null ? null : createHash("sha256").update(s).digest("hex"));

function snapshotOf(r: Pick<MigrationModel, "status" | "evidenceGrade" | "diagnostics" | "modelPath" | "generatedSql">): ObjectResultSnapshot {
  const diags = (Array.isArray(r.diagnostics) ? r.diagnostics : []) as Array<{ severity?: unknown }>;
  return {
    status: r.status,
    evidenceGrade: r.evidenceGrade ?? null,
    errors: diags.filter((d) => d?.severity === "error").length,
    warnings: diags.filter((d) => d && d.severity !== "error" && d.severity !== "note").length,
    modelPath: r.modelPath ?? null,
    generatedSqlHash: sha(r.generatedSql),
  };
}

/** Model names named through ref() (in a model's SQL, or in a data test's `to:`). */
function refsOf(sqlText: string): string[] {
  return [...sqlText.matchAll(/\bref\(\s*['"]([^'"]+)['"]\s*(?:,\s*['"]([^'"]+)['"]\s*)?\)/g)].map((m) => m[2] ?? m[1]!);
}

/** Models that data tests point at: `to: {kind: "ref", model}` as the converter writes them, or `ref('x')` text. */
function testRefs(v: unknown, out: string[] = []): string[] {
  if (typeof v === "string") out.push(...refsOf(v));
  else if (Array.isArray(v)) for (const x of v) testRefs(x, out);
  else if (v && typeof v === "object") {
    const o = v as Record<string, unknown>;
    if (o.kind === "ref" && typeof o.model === "string") out.push(o.model);
    for (const x of Object.values(o)) testRefs(x, out);
  }
  return out;
}

/**
 * The part of the project the object's model needs: the model and every model it reads or its
 * data tests compare with (through ref, transitively), every source, macro and hook. Models take their stored SQL (what the run
 * kept, model-written or not) over the rules' translation.
 */
export function projectFor(c: ConvertResult, modelPath: string, stored: Map<string, string>): ConvertResult["project"] {
  const models = c.project.models.map((m) => (stored.has(m.path) ? { ...m, sql: stored.get(m.path)! } : m));
  // (Functions become macros, not models: they are validated through the project's hooks.)
  if (modelPath.startsWith("models/") && !models.some((m) => m.path === modelPath) && stored.has(modelPath)) {
    // A model only a model-written translation produced: validated from its stored text alone.
    const name = modelPath.split("/").pop()!.replace(/\.sql$/, "");
    models.push({ name, path: modelPath, sql: stored.get(modelPath)!, config: {}, columns: [], data_tests: [] });
  }
  const byName = new Map(models.map((m) => [m.name, m]));
  const keep = new Set<string>();
  const start = models.find((m) => m.path === modelPath);
  const todo = start ? [start.name] : [];
  while (todo.length) {
    const n = todo.pop()!;
    if (keep.has(n)) continue;
    keep.add(n);
    const m = byName.get(n);
    // Its SQL's refs, and those of its data tests (relationships tests name the model they check against).
    const named = m ? [...refsOf(m.sql), ...testRefs([m.columns, m.data_tests])] : [];
    for (const r of named) if (byName.has(r) && !keep.has(r)) todo.push(r);
  }
  return { ...c.project, models: models.filter((m) => keep.has(m.name)) };
}

/**
 * The catalog as the part of the project needs it: only the tables its models read (through
 * source()), what those tables reference (foreign-key parents: synthesised rows need them), and
 * what the catalog's functions read (they are created as hooks). Creating and filling every table
 * of a large database would cost a re-run of one view nearly as much as the whole validation.
 * The project's sources are cut to the same tables (their data tests run on every source table).
 */
export function scopeToProject(w: Pick<Workspace, "catalog" | "base">, project: ConvertResult["project"]): { catalog: Workspace["catalog"]; project: ConvertResult["project"] } {
  const read = new Set<string>();
  for (const m of project.models)
    for (const x of m.sql.matchAll(/\{\{\s*source\(\s*['"]([^'"]+)['"]\s*,\s*['"]([^'"]+)['"]\s*\)/g)) read.add(`${x[1]!.toLowerCase()}\u0000${x[2]!.toLowerCase()}`);
  const byId = new Map(w.catalog.objects.map((o) => [o.id, o]));
  const todo: string[] = [];
  for (const [id, n] of w.base.names.tables) if (read.has(`${n.source.toLowerCase()}\u0000${n.table.toLowerCase()}`)) todo.push(id);
  for (const o of w.catalog.objects) if (o.kind === "function") todo.push(o.id);
  const keep = new Set<string>();
  while (todo.length) {
    const id = todo.pop()!;
    if (keep.has(id)) continue;
    const o = byId.get(id);
    if (!o) continue;
    keep.add(id);
    todo.push(...o.dependsOn);
  }
  const keptNames = new Set([...w.base.names.tables].filter(([id]) => keep.has(id)).map(([, n]) => `${n.source.toLowerCase()}\u0000${n.table.toLowerCase()}`));
  return {
    catalog: { ...w.catalog, objects: w.catalog.objects.filter((o) => o.kind !== "table" || o.isTableType || keep.has(o.id)) },
    project: { ...project, sources: project.sources.map((src) => ({ ...src, tables: src.tables.filter((t) => keptNames.has(`${src.name.toLowerCase()}\u0000${t.name.toLowerCase()}`)) })).filter((src) => src.tables.length > 0) },
  };
}

type ReportObj = Report["objects"][number];

function reportObjectOf(w: Workspace, row: MigrationModel): ReportObj | undefined {
  return w.base.report.objects.find((o) => o.schema === row.sourceSchema && o.name === row.sourceName && o.kind === row.sourceKind);
}

export interface RerunOutcome {
  after: ObjectResultSnapshot;
  detail: Record<string, unknown>;
}

/**
 * Executes a claimed re-run (status running) and writes its result. Throws RerunError (or any
 * error) when it cannot: then nothing of the object, its files or the report was changed.
 */
export async function executeObjectRerun(ctx: RerunContext, run: MigrationObjectRun): Promise<RerunOutcome> {
  const { db, signal } = ctx;
  const started = Date.now();
  const checkCancel = () => {
    if (signal.aborted) throw new RerunError("JOB2003", "the re-run was stopped before it finished; nothing was changed");
  };
  const m = await getMigration(db, run.orgId, run.migrationId);
  if (!m) throw new RerunError("JOB2004", "the migration no longer exists");
  if (LIVE_STATUSES.has(m.status)) throw new RerunError("JOB2005", `the migration's run is ${m.status}; nothing was changed`);
  const [row] = await db.select().from(migrationModels).where(and(eq(migrationModels.id, run.modelId), eq(migrationModels.orgId, run.orgId)));
  if (!row) throw new RerunError("JOB2004", "the object no longer exists in this migration");
  const key = objectKey(row);
  const before = snapshotOf(row);

  const w = await loadWorkspace(db, run.orgId, run.migrationId);
  checkCancel();
  const ro = reportObjectOf(w, row);
  if (!ro) throw new RerunError("JOB2006", `${row.sourceKind} ${key} is not in the migration's stored sources any more (the rules' conversion has no such object); nothing was changed`);
  const catalogObject = w.catalog.objects.find((o) => o.id === key);
  const storedFiles = new Map(
    (await db.select({ path: migrationFiles.path, content: migrationFiles.content }).from(migrationFiles).where(and(eq(migrationFiles.migrationId, run.migrationId), eq(migrationFiles.orgId, run.orgId)))).map((f) => [f.path, f.content]),
  );
  const timings: Record<string, number> = { load: Date.now() - started };
  const detail: Record<string, unknown> = { kind: run.kind };

  // The row as it will be written; starts as it is.
  const next = {
    sourceSql: row.sourceSql,
    sourceFile: row.sourceFile,
    sourceLine: row.sourceLine,
    generatedSql: row.generatedSql,
    status: row.status,
    diagnostics: (Array.isArray(row.diagnostics) ? row.diagnostics : []) as Array<Record<string, unknown>>,
    evidenceGrade: row.evidenceGrade as EvidenceGrade | null,
    modelPath: row.modelPath,
    tier: row.tier,
    riskFactors: row.riskFactors,
    validation: row.validation,
    attempts: row.attempts,
  };
  const changedFiles = new Map<string, string>();
  let translatedAway = false;
  let modelWritten = false;
  let validationError: string | undefined;

  if (run.kind === "translate" || run.kind === "rebuild") {
    const t0 = Date.now();
    const newSql = ro.model ? (w.base.project.models.find((x) => x.path === ro.model)?.sql ?? w.base.project.macros.find((x) => x.path === ro.model)?.content ?? null) : null;
    const assessment = w.assessments.get(key);
    // The rules' diagnostics, plus the agents' notes that still hold (not "model-written SQL accepted": it is replaced).
    const agentNotes = next.diagnostics.filter((d) => typeof d.code === "string" && d.code.startsWith("AGT") && d.code !== "AGT2005");
    const sqlChanged = newSql !== row.generatedSql || ro.model !== row.modelPath;
    translatedAway = sqlChanged;
    Object.assign(next, {
      ...sourceOf(catalogObject),
      generatedSql: newSql,
      status: ro.status,
      diagnostics: [...(ro.diagnostics as Array<Record<string, unknown>>), ...agentNotes],
      modelPath: ro.model,
      tier: assessment?.tier ?? row.tier,
      riskFactors: assessment?.riskFactors ?? row.riskFactors,
    });
    if (ro.model && newSql !== null && storedFiles.get(ro.model) !== newSql) changedFiles.set(ro.model, newSql);
    if (sqlChanged && run.kind === "translate") {
      // The run's evidence was about the SQL that was replaced: until validated again, the new SQL is only compiled.
      next.evidenceGrade = ro.status === "unsupported" ? "failed" : "compiled";
      next.validation = null;
    }
    detail.translation = { sqlChanged, model: ro.model, replacedModelWritten: sqlChanged && (agentNotesHad(row, "AGT2005") || reportSaysModelWritten(m.report, row)) };
    timings.translate = Date.now() - t0;
  }
  checkCancel();

  if (run.kind === "validate" || run.kind === "rebuild") {
    const t0 = Date.now();
    const files = new Map([...storedFiles, ...changedFiles]);
    const modelPath = next.modelPath;
    const scoped = scopeToProject(w, modelPath ? projectFor(w.base, modelPath, files) : { ...w.base.project, models: [] });
    const project = scoped.project;
    const target: ReportObj = { ...ro, status: next.status as ReportObj["status"], model: modelPath ?? null };
    const c: ConvertResult = { ...w.base, project, report: { ...w.base.report, objects: [target] } };
    const v = await validateConversion({ ...w, catalog: scoped.catalog }, c, { signal, validationDatabaseUrl: ctx.validationDatabaseUrl });
    next.evidenceGrade = v.grades[key] ?? null;
    next.validation = v.byObject[key] ?? null;
    validationError = v.errors[key];
    detail.validation = { models: project.models.length, tables: scoped.catalog.objects.filter((o) => o.kind === "table" && !o.isTableType).length, grade: next.evidenceGrade, ...(v.errors[key] ? { error: v.errors[key] } : {}), ...(typeof v.summary.skipped === "string" ? { skipped: v.summary.skipped } : {}) };
    timings.validate = Date.now() - t0;
  }
  checkCancel();

  if (run.kind === "rebuild") {
    const wantsModel =
      ro.kind === "view" && !!catalogObject?.module && !ro.diagnostics.some((d) => d.severity === "error" && NOT_FOR_MODELS.has(d.code));
    if (!runUsedModel(m.report)) detail.agent = { ran: false, reason: "the run did not use a model" };
    else if (next.evidenceGrade !== "failed") detail.agent = { ran: false, reason: "validation passed: nothing for a model to rebuild" };
    else if (!wantsModel) detail.agent = { ran: false, reason: "a model cannot help this object (not a view, or its errors are about inputs the source lacks)" };
    else if (!ctx.router) detail.agent = { ran: false, reason: "no model router is configured for the organisation" };
    else {
      const t0 = Date.now();
      const a = await agentRebuild(ctx, { w, run, key, ro, o: catalogObject!, files: new Map([...storedFiles, ...changedFiles]), error: validationError, failedSql: next.generatedSql });
      const at = { file: catalogObject!.file, line: catalogObject!.line };
      const notes = a.notes.map((n) => ({ ...n, ...at }));
      next.attempts = (row.attempts ?? 0) + a.calls;
      if (a.accepted) {
        modelWritten = true;
        Object.assign(next, { generatedSql: a.accepted.sql, evidenceGrade: a.accepted.grade, validation: a.accepted.validation, status: a.accepted.status, modelPath: a.accepted.path });
        next.diagnostics = [...(a.accepted.diagnostics as Array<Record<string, unknown>>), ...next.diagnostics.filter((d) => typeof d.code === "string" && d.code.startsWith("AGT") && !notes.some((n) => n.code === d.code)), ...notes];
        changedFiles.set(a.accepted.path, a.accepted.sql);
      } else next.diagnostics = [...next.diagnostics.filter((d) => !notes.some((n) => n.code === d.code)), ...notes];
      detail.agent = { ran: true, calls: a.calls, accepted: !!a.accepted, attempts: a.attempts };
      timings.agent = Date.now() - t0;
    }
  }

  const after = snapshotOf(next);
  detail.timingsMs = { ...timings, total: Date.now() - started };
  detail.filesChanged = [...changedFiles.keys()];

  // The run's report: this object's entry replaced, the summary and grade counts recomputed.
  let report: Report | null = null;
  if (m.report && Array.isArray((m.report as { objects?: unknown }).objects)) {
    const r = structuredClone(m.report) as unknown as Report & { validation?: { evidence?: Record<string, number> } };
    const i = r.objects.findIndex((o) => o.schema === row.sourceSchema && o.name === row.sourceName && o.kind === row.sourceKind);
    const entry: ReportObj = {
      ...(i >= 0 ? r.objects[i]! : ro),
      status: next.status as ReportObj["status"],
      model: next.modelPath ?? null,
      diagnostics: next.diagnostics as ReportObj["diagnostics"],
    };
    if (next.evidenceGrade) entry.evidence = next.evidenceGrade;
    else delete entry.evidence;
    if (modelWritten) entry.modelWritten = true;
    else if (translatedAway) delete entry.modelWritten;
    if (i >= 0) r.objects[i] = entry;
    else r.objects.push(entry);
    r.summary = { ...r.summary, ...summarize(r.objects) };
    if (r.validation && typeof r.validation === "object" && r.validation.evidence) {
      const counts: Record<string, number> = {};
      for (const o of r.objects) if (typeof o.evidence === "string") counts[o.evidence] = (counts[o.evidence] ?? 0) + 1;
      r.validation.evidence = counts;
    }
    report = r;
  }

  checkCancel();
  await db.transaction(async (tx) => {
    // Still ours and the migration still ended: a re-run taken over (stale) or a run started meanwhile writes nothing.
    const [mine] = await tx
      .update(migrationObjectRuns)
      .set({ status: "completed", before, after, detail, error: null, finishedAt: sql`now()`, updatedAt: sql`now()` })
      .where(and(eq(migrationObjectRuns.id, run.id), eq(migrationObjectRuns.status, "running"), sql`exists (select 1 from migrations where id = ${run.migrationId} and status not in ('queued', 'running'))`))
      .returning({ id: migrationObjectRuns.id });
    if (!mine) throw new RerunError("JOB2005", "the re-run was taken over or the migration started running again; nothing was changed");
    await tx
      .update(migrationModels)
      .set({ ...next, updatedAt: new Date() })
      .where(eq(migrationModels.id, row.id));
    for (const [path, content] of changedFiles)
      await tx
        .insert(migrationFiles)
        .values({ migrationId: run.migrationId, orgId: run.orgId, path, content })
        .onConflictDoUpdate({ target: [migrationFiles.migrationId, migrationFiles.path], set: { content, updatedAt: new Date() } });
    if (report) {
      await tx.update(migrations).set({ report: report as unknown as Record<string, unknown>, updatedAt: new Date() }).where(eq(migrations.id, run.migrationId));
      if (storedFiles.has("report.json")) await tx.update(migrationFiles).set({ content: renderReportJson(report), updatedAt: new Date() }).where(and(eq(migrationFiles.migrationId, run.migrationId), eq(migrationFiles.path, "report.json")));
    }
    await tx.insert(migrationEvents).values({
      migrationId: run.migrationId,
      orgId: run.orgId,
      stage: RERUN_EVENT_STAGE,
      object: key,
      message: `re-run of the ${RERUN_KIND_LABELS[run.kind]}: ${before.status}/${before.evidenceGrade ?? "not graded"} → ${after.status}/${after.evidenceGrade ?? "not graded"}`,
      data: { type: "rerun_completed", rerunId: run.id, kind: run.kind, before, after },
    });
  });
  return { after, detail: { ...detail, before } };
}

function agentNotesHad(row: MigrationModel, code: string): boolean {
  return (Array.isArray(row.diagnostics) ? row.diagnostics : []).some((d) => !!d && typeof d === "object" && (d as { code?: unknown }).code === code);
}

function reportSaysModelWritten(report: unknown, row: MigrationModel): boolean {
  const objs = (report as { objects?: Array<Record<string, unknown>> } | null)?.objects;
  return !!objs?.some((o) => o.schema === row.sourceSchema && o.name === row.sourceName && o.kind === row.sourceKind && o.modelWritten === true);
}

interface AgentNote {
  code: string;
  severity: "error" | "warning" | "note";
  message: string;
}

/**
 * The rebuild agent for one object, as the run's rebuild loop does it: Guardian's prompt check on
 * the object's T-SQL (block: not sent; neutralise: comments removed, literals as data), the
 * rebuild prompt with the failing model and its error, the model's SQL refused or validated, and
 * kept only when its grade is not failed. At most the run's maxAttempts answers.
 */
async function agentRebuild(
  ctx: RerunContext,
  a: { w: Workspace; run: MigrationObjectRun; key: string; ro: ReportObj; o: CatalogObject; files: Map<string, string>; error: string | undefined; failedSql: string | null },
): Promise<{ calls: number; notes: AgentNote[]; attempts: Array<Record<string, unknown>>; accepted?: { sql: string; path: string; grade: EvidenceGrade; validation: Record<string, unknown> | null; status: string; diagnostics: unknown[] } }> {
  const { w, run, key, o } = a;
  const router = ctx.router!;
  const notes: AgentNote[] = [];
  const attempts: Array<Record<string, unknown>> = [];
  const pol = await getPolicy(ctx.db, run.orgId).catch(() => ({ ...DEFAULT_POLICY }));
  const check = inspectSqlForPrompt(o.module!.text, { threshold: pol.promptInjectionThreshold });
  let tsql = neutraliseComments(o.module!.text);
  if (check.flagged) {
    const action = pol.promptInjectionAction;
    await recordAudit(ctx.db, {
      orgId: run.orgId,
      userId: null,
      eventType: action === "block" ? "guardian.blocked" : "guardian.detected",
      details: { action, kind: "prompt", source: "migration-sql", migrationId: run.migrationId, rerunId: run.id, object: key, agent: "rebuild", score: check.score, rules: check.rules, threshold: pol.promptInjectionThreshold },
      at: new Date(),
    }).catch((err: unknown) => ctx.log.error({ err, object: key }, "could not audit a Guardian detection"));
    if (action === "block") {
      notes.push({ code: "AGT2006", severity: "warning", message: `not sent to a model: Guardian's prompt check flagged the object's text (${check.rules.join(", ")}); the deterministic result is kept` });
      return { calls: 0, notes, attempts };
    }
    tsql = neutralizeSqlForPrompt(o.module!.text);
    notes.push({ code: "AGT2008", severity: "warning", message: `Guardian's prompt check flagged the object's text (${check.rules.join(", ")}); it was sent to a model with its comments removed and its literals quoted as data` });
  }
  const max = Math.max(1, a.w.config.maxAttempts);
  const base = w.base;
  const modelSql = a.ro.model ? (a.files.get(a.ro.model) ?? base.project.models.find((m) => m.path === a.ro.model)?.sql ?? "") : "";
  let lastError = a.error ?? "the model failed validation";
  let failed = a.failedSql ?? modelSql;
  let calls = 0;
  const tier = w.assessments.get(key)?.tier ?? "SIMPLE";
  const pctx = promptContext(w, base, o);
  for (let attempt = 1; attempt <= max; attempt++) {
    if (ctx.signal.aborted) throw new RerunError("JOB2003", "the re-run was stopped before it finished; nothing was changed");
    const prompt = loadPrompt("rebuild");
    const content = renderPrompt(prompt, {
      conventions: promptConventions(base),
      object: `${o.kind} ${o.id}`,
      tier,
      diagnostics: a.ro.diagnostics.filter((d) => d.severity === "error").map((d) => `- ${d.code}: ${d.message}`).join("\n") || "(none)",
      relations: pctx.relations,
      schema: pctx.schema,
      tsql,
      model: failed,
      error: lastError,
      attempt,
      maxAttempts: max,
    });
    let res: StructuredResult<z.infer<typeof ModelSqlAnswer>>;
    try {
      res = await router.structured({
        orgId: run.orgId,
        migrationId: run.migrationId,
        agent: "rebuild",
        tier,
        messages: [
          { role: "system", content: `DataMigrate rebuild agent, prompt ${prompt.file}. Answer only with the JSON object asked for.` },
          { role: "user", content },
        ],
        schema: ModelSqlAnswer,
        schemaName: "model_sql",
        signal: ctx.signal,
      });
    } catch (e) {
      res = { ok: false, reason: "unavailable", message: e instanceof Error ? e.message : String(e), attempts: [] };
    }
    calls++;
    if (!res.ok) {
      if (res.reason === "cancelled") throw new RerunError("JOB2003", "the re-run was stopped before it finished; nothing was changed");
      attempts.push({ attempt, outcome: res.reason });
      if (res.reason === "unavailable") {
        notes.push({ code: "AGT2001", severity: "warning", message: "AI unavailable (no model answered the re-run's rebuild): the deterministic result is kept" });
        return { calls, notes, attempts };
      }
      notes.push({ code: res.reason === "refused_by_policy" ? "AGT2004" : "AGT2002", severity: "warning", message: `rebuild: ${res.reason === "refused_by_policy" ? "refused by policy" : "the model's answer was malformed or did not fit the schema"} (${res.message.split("\n")[0]!.slice(0, 300)}); the deterministic result is kept` });
      continue;
    }
    const sqlText = res.value.sql.trim().replace(/;\s*$/, "");
    const refusal = await refuseModelAnswer(sqlText);
    if (refusal) {
      attempts.push({ attempt, outcome: "refused", reason: refusal });
      lastError = `your previous answer was refused: ${refusal}`;
      notes.push({ code: "AGT2003", severity: "warning", message: `rebuild: the model's SQL was refused before validation (${refusal}); the deterministic result is kept` });
      continue;
    }
    // The candidate in place of the rules' translation, validated with what it reads.
    const c = w.convert({ [key]: sqlText });
    const ro = c.report.objects.find((x) => x.schema === a.ro.schema && x.name === a.ro.name && x.kind === a.ro.kind);
    const path = ro?.model ?? a.ro.model;
    if (!ro || !path) {
      attempts.push({ attempt, outcome: "no model" });
      continue;
    }
    const files = new Map(a.files);
    files.delete(path);
    const scoped = scopeToProject({ catalog: w.catalog, base: c }, projectFor(c, path, files));
    const v = await validateConversion({ ...w, catalog: scoped.catalog }, { ...c, project: scoped.project, report: { ...c.report, objects: [ro] } }, { signal: ctx.signal, validationDatabaseUrl: ctx.validationDatabaseUrl });
    const grade = v.grades[key];
    attempts.push({ attempt, outcome: grade ?? "not graded", ...(v.errors[key] ? { error: v.errors[key]!.slice(0, 500) } : {}) });
    if (grade && grade !== "failed") {
      const sqlOut = c.project.models.find((m) => m.path === path)?.sql ?? sqlText;
      notes.push({ code: "AGT2005", severity: "note", message: `model-written SQL accepted after validation (grade ${grade}, re-run attempt ${attempt})` });
      return { calls, notes, attempts, accepted: { sql: sqlOut, path, grade, validation: v.byObject[key] ?? null, status: ro.status, diagnostics: ro.diagnostics } };
    }
    lastError = v.errors[key] ?? "the model failed validation";
    failed = sqlText;
  }
  notes.push({ code: "AGT2007", severity: "warning", message: `gave up after ${calls} model attempt(s) in a re-run that did not pass validation; the deterministic result is kept` });
  return { calls, notes, attempts };
}
