// Re-running ONE object of a finished migration run: translate it again from the stored sources,
// validate its model again on Postgres, or both (rebuild). The request is a row in
// migration_object_runs (the truth) and a job on the queue (the delivery), like a migration run;
// a worker (rerun-worker.ts) executes it.
//
//   const r = await requestObjectRerun(deps, { orgId, userId, migrationId, objectId, kind: "translate" });
//   // r.kind: "queued" (r.run) | "not_found" (r.what) | "conflict" (r.code, r.message)
//
// What a re-run may and may not do:
// - Only when the migration's run has ended (completed, failed, cancelled): a running run rewrites
//   every object, so a re-run beside it would be overwritten or would overwrite it (409).
// - One re-run at a time per migration (a partial unique index): each rewrites the run's report and
//   report.json, so two at once could lose one's update (409).
// - Everything it changes is written in ONE transaction at the end (the object's row, its model
//   file, report.json, the run's report, an event, the history row). A re-run that fails or whose
//   worker dies leaves the object exactly as it was.
// - Translation is the rules' (deterministic) translation: model-written SQL the run had accepted
//   for this object is replaced. Validation runs the object's model with the models it reads
//   (their stored SQL, model-written or not) on scratch schemas, with the run's options.
// The execution (translation, validation, the rebuild agent) is in rerun-run.ts, loaded by the
// worker on first use: the pages and the API that import this file do not load the agents.
//
// - Rebuild is translate + validate, then, when the run had used a model (its report counts model
//   calls), the object's model still fails validation, a model may help (a view whose errors are
//   about its own text) and the organisation has a router: the rebuild agent is asked again, up to
//   the run's maxAttempts, under the same Guardian prompt check as in a run, and its SQL is kept
//   only when it passes validation (agentRebuild below).
import { and, asc, desc, eq, inArray, sql } from "drizzle-orm";
import type { Db } from "../db/client.ts";
import { recordAudit } from "../db/queries/audit.ts";
import { getMigration } from "../db/queries/migrations.ts";
import { migrationEvents, migrationModels, migrationObjectRuns, type MigrationObjectRun, type ObjectRerunKind } from "../db/schema/migrations.ts";
import { jobRuntimeFor } from "./registry.ts";
import type { StartDeps } from "./start.ts";

export const RERUN_EVENT_STAGE = "rerun";
export const LIVE_STATUSES = new Set(["queued", "running"]);

/** The run asked a model at least once (its report's agents section counts the calls). */
export function runUsedModel(report: unknown): boolean {
  const calls = (report as { agents?: { modelCalls?: unknown } } | null)?.agents?.modelCalls;
  return typeof calls === "number" && calls > 0;
}

export const RERUN_KIND_LABELS: Record<ObjectRerunKind, string> = { translate: "translation", validate: "validation", rebuild: "rebuild" };

export type RerunRequestResult =
  | { kind: "queued"; run: MigrationObjectRun; object: string }
  | { kind: "not_found"; what: "migration" | "object" }
  | { kind: "conflict"; code: "run_in_progress" | "rerun_in_progress"; message: string };

export const objectKey = (o: { sourceSchema: string; sourceName: string }) => `${o.sourceSchema}.${o.sourceName}`;
const isUniqueViolation = (e: unknown): boolean => {
  for (let x: unknown = e, i = 0; x && typeof x === "object" && i < 4; x = (x as { cause?: unknown }).cause, i++) if ((x as { code?: unknown }).code === "23505") return true;
  return false;
};

export async function activeRerunOf(db: Db, orgId: string, migrationId: string): Promise<(MigrationObjectRun & { object: string }) | undefined> {
  const [r] = await db
    .select({ run: migrationObjectRuns, schema: migrationModels.sourceSchema, name: migrationModels.sourceName })
    .from(migrationObjectRuns)
    .innerJoin(migrationModels, eq(migrationModels.id, migrationObjectRuns.modelId))
    .where(and(eq(migrationObjectRuns.orgId, orgId), eq(migrationObjectRuns.migrationId, migrationId), inArray(migrationObjectRuns.status, ["queued", "running"])))
    .limit(1);
  return r ? { ...r.run, object: `${r.schema}.${r.name}` } : undefined;
}

function busyMessage(a: { kind: ObjectRerunKind; status: string; object: string }): string {
  return `a re-run of ${a.object} (${RERUN_KIND_LABELS[a.kind]}) is ${a.status} for this migration; wait for it to end, then try again`;
}

/** Queues a re-run of one object; checks (organisation, run ended, none active) come first and write nothing. */
export async function requestObjectRerun(
  deps: StartDeps,
  input: { orgId: string; userId: string | null; migrationId: string; objectId: string; kind: ObjectRerunKind; ip?: string | null; via?: string },
): Promise<RerunRequestResult> {
  const db = deps.database.db;
  const m = await getMigration(db, input.orgId, input.migrationId);
  if (!m) return { kind: "not_found", what: "migration" };
  const [o] = await db
    .select({ id: migrationModels.id, sourceSchema: migrationModels.sourceSchema, sourceName: migrationModels.sourceName })
    .from(migrationModels)
    .where(and(eq(migrationModels.id, input.objectId), eq(migrationModels.migrationId, m.id), eq(migrationModels.orgId, input.orgId)));
  if (!o) return { kind: "not_found", what: "object" };
  if (LIVE_STATUSES.has(m.status))
    return { kind: "conflict", code: "run_in_progress", message: `the migration's run is ${m.status}; an object can be re-run once the run has ended` };
  const active = await activeRerunOf(db, input.orgId, m.id);
  if (active) return { kind: "conflict", code: "rerun_in_progress", message: busyMessage(active) };
  let run: MigrationObjectRun;
  try {
    // The status is checked again in the insert: a run that started in between is not raced.
    const rows = await db.execute(sql`
      insert into migration_object_runs (migration_id, org_id, model_id, kind, requested_by)
      select ${m.id}, ${input.orgId}, ${o.id}, ${input.kind}, ${input.userId}
      where exists (select 1 from migrations where id = ${m.id} and org_id = ${input.orgId} and status not in ('queued', 'running'))
      returning id`);
    const id = (Array.isArray(rows) ? rows : (rows as { rows: unknown[] }).rows)[0] as { id: string } | undefined;
    if (!id) return { kind: "conflict", code: "run_in_progress", message: "the migration's run started again; an object can be re-run once the run has ended" };
    [run] = (await db.select().from(migrationObjectRuns).where(eq(migrationObjectRuns.id, id.id))) as [MigrationObjectRun];
  } catch (e) {
    if (!isUniqueViolation(e)) throw e;
    const now = await activeRerunOf(db, input.orgId, m.id);
    return { kind: "conflict", code: "rerun_in_progress", message: now ? busyMessage(now) : "another re-run of this migration was requested at the same moment; try again" };
  }
  const object = objectKey(o);
  await db.insert(migrationEvents).values({
    migrationId: m.id,
    orgId: input.orgId,
    stage: RERUN_EVENT_STAGE,
    object,
    message: `re-run of the ${RERUN_KIND_LABELS[input.kind]} requested`,
    data: { type: "rerun_requested", rerunId: run.id, kind: input.kind, by: input.userId },
  });
  await recordAudit(db, {
    orgId: input.orgId,
    userId: input.userId,
    eventType: "migration.object_rerun_requested",
    details: { migrationId: m.id, rerunId: run.id, modelId: o.id, object, kind: input.kind, ...(input.via ? { via: input.via } : {}) },
    ip: input.ip ?? null,
    at: (deps.clock ?? (() => new Date()))(),
  });
  const runtime = jobRuntimeFor(deps.database);
  if (runtime) {
    // A failed send is not fatal: the worker's sweep sends jobs for queued re-runs that have none.
    await runtime.queue.sendRerun({ rerunId: run.id, orgId: input.orgId }).catch((err: unknown) => deps.logger?.warn({ err, rerunId: run.id }, "could not queue the re-run; the sweep will"));
    runtime.wakeReruns?.();
  }
  return { kind: "queued", run, object };
}

/** The re-runs of one object, newest first. */
export async function listObjectReruns(db: Db, orgId: string, migrationId: string, modelId: string, limit = 20): Promise<MigrationObjectRun[]> {
  return db
    .select()
    .from(migrationObjectRuns)
    .where(and(eq(migrationObjectRuns.orgId, orgId), eq(migrationObjectRuns.migrationId, migrationId), eq(migrationObjectRuns.modelId, modelId)))
    .orderBy(desc(migrationObjectRuns.createdAt), desc(migrationObjectRuns.id))
    .limit(limit);
}

export async function getObjectRerun(db: Db, orgId: string, rerunId: string): Promise<MigrationObjectRun | undefined> {
  const [r] = await db.select().from(migrationObjectRuns).where(and(eq(migrationObjectRuns.orgId, orgId), eq(migrationObjectRuns.id, rerunId)));
  return r;
}

export function rerunJson(r: MigrationObjectRun) {
  return {
    id: r.id,
    migrationId: r.migrationId,
    objectId: r.modelId,
    kind: r.kind,
    status: r.status,
    requestedBy: r.requestedBy,
    before: r.before,
    after: r.after,
    detail: r.detail,
    error: r.error,
    createdAt: r.createdAt.toISOString(),
    startedAt: r.startedAt?.toISOString() ?? null,
    finishedAt: r.finishedAt?.toISOString() ?? null,
  };
}

export class RerunError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = "RerunError";
  }
}

/** Claims a queued re-run for this worker; undefined when it is not queued any more (a duplicate job). */
export async function claimObjectRerun(db: Db, rerunId: string, orgId: string): Promise<MigrationObjectRun | undefined> {
  const [r] = await db
    .update(migrationObjectRuns)
    .set({ status: "running", startedAt: sql`now()`, updatedAt: sql`now()` })
    .where(and(eq(migrationObjectRuns.id, rerunId), eq(migrationObjectRuns.orgId, orgId), eq(migrationObjectRuns.status, "queued")))
    .returning();
  return r;
}

/** Ends a re-run as failed (with its `before`, which did not change); the object is untouched. */
export async function failObjectRerun(db: Db, run: Pick<MigrationObjectRun, "id" | "orgId" | "migrationId" | "modelId" | "kind">, error: string): Promise<boolean> {
  return db.transaction(async (tx) => {
    const [r] = await tx
      .update(migrationObjectRuns)
      .set({ status: "failed", error, finishedAt: sql`now()`, updatedAt: sql`now()` })
      .where(and(eq(migrationObjectRuns.id, run.id), inArray(migrationObjectRuns.status, ["queued", "running"])))
      .returning({ id: migrationObjectRuns.id });
    if (!r) return false;
    const [o] = await tx.select({ sourceSchema: migrationModels.sourceSchema, sourceName: migrationModels.sourceName }).from(migrationModels).where(eq(migrationModels.id, run.modelId));
    await tx.insert(migrationEvents).values({
      migrationId: run.migrationId,
      orgId: run.orgId,
      stage: RERUN_EVENT_STAGE,
      ...(o ? { object: objectKey(o) } : {}),
      message: `re-run of the ${RERUN_KIND_LABELS[run.kind]} failed: ${error}`,
      data: { type: "rerun_failed", rerunId: run.id, kind: run.kind, error },
    });
    return true;
  });
}

/** Queued re-runs with no job waiting (created while no worker ran), and running ones whose worker stopped. */
export async function rerunsToSweep(db: Db, limits: { staleMs: number; minAgeMs: number }): Promise<{ waiting: Array<{ id: string; orgId: string }>; stale: MigrationObjectRun[] }> {
  const { QUEUE_SCHEMA, RERUN_QUEUE } = await import("./queue.ts");
  const res = await db.execute(sql`
    select r.id, r.org_id as "orgId" from migration_object_runs r
    where r.status = 'queued' and r.created_at < now() - make_interval(secs => ${limits.minAgeMs / 1000})
      and not exists (select 1 from ${sql.raw(QUEUE_SCHEMA)}.job j where j.name = ${RERUN_QUEUE} and j.data->>'rerunId' = r.id::text and j.state < 'completed')
    order by r.created_at limit 100`);
  const waiting = (Array.isArray(res) ? res : (res as { rows: unknown[] }).rows) as Array<{ id: string; orgId: string }>;
  const stale = await db
    .select()
    .from(migrationObjectRuns)
    .where(and(eq(migrationObjectRuns.status, "running"), sql`${migrationObjectRuns.updatedAt} < now() - make_interval(secs => ${limits.staleMs / 1000})`))
    .orderBy(asc(migrationObjectRuns.updatedAt))
    .limit(100);
  return { waiting, stale };
}
