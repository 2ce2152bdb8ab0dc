// One migration run: the entry point the job layer (server/jobs) calls. The job layer owns
// migrations.status / startedAt / finishedAt; this fills in everything else (stages, events,
// models, files, report) and answers how the run ended.
//
// Resuming: the graph is checkpointed under thread_id = migration id. When a checkpoint of an
// unfinished run exists (the process died, the job was picked up again), the graph continues from
// it: finished stages and objects already answered by a model are not redone, and every row the
// run writes is an upsert, so nothing is duplicated. A finished run's checkpoints are deleted, so
// running the migration again starts afresh.
import { loadConfig } from "../config.ts";
import type { Db } from "../db/client.ts";
import type { ModelRouter } from "../llm/types.ts";
import type { Logger } from "../log.ts";
import { openCheckpointer } from "./checkpoint.ts";
import { buildGraph, initialState } from "./graph.ts";
import { addEvent, closeStages, resetStages, type PersistTarget } from "./persist.ts";
import { RunInputError } from "./workspace.ts";

export interface RunContext {
  db: Db;
  orgId: string;
  migrationId: string;
  signal: AbortSignal;
  router?: ModelRouter;
  log: Logger;
  /**
   * The validation database; default the server's VALIDATION_DATABASE_URL, else an embedded PGlite.
   * Never from the migration's options (a user must not choose which database the server connects to).
   */
  validationDatabaseUrl?: string;
}

export interface RunOutcome {
  status: "completed" | "failed" | "cancelled";
  error?: string;
}

/** Upper bound of graph steps: execute and rebuild take one step per object. */
const RECURSION_LIMIT = 100_000;

function databaseUrl(): string | undefined {
  try {
    return loadConfig().databaseUrl;
  } catch {
    return process.env.DATABASE_URL || undefined;
  }
}

function configuredValidationUrl(): string | undefined {
  try {
    return loadConfig().validationDatabaseUrl;
  } catch {
    return process.env.VALIDATION_DATABASE_URL || undefined;
  }
}

const isAbort = (e: unknown) => !!e && typeof e === "object" && ((e as { name?: string }).name === "AbortError" || (e as { name?: string }).name === "GraphInterrupt");

export async function runMigration(ctx: RunContext): Promise<RunOutcome> {
  const t: PersistTarget = { db: ctx.db, orgId: ctx.orgId, migrationId: ctx.migrationId };
  const log = ctx.log.child({ migrationId: ctx.migrationId });
  let cp: Awaited<ReturnType<typeof openCheckpointer>> | undefined;
  try {
    if (ctx.signal.aborted) return { status: "cancelled" };
    cp = await openCheckpointer(ctx.db, databaseUrl());
    const validationDatabaseUrl = ctx.validationDatabaseUrl ?? configuredValidationUrl();
    const graph = buildGraph({ target: t, ...(ctx.router ? { router: ctx.router } : {}), log, signal: ctx.signal, validationDatabaseUrl }, cp.saver);
    // durability "sync": a step's checkpoint is written before the next step starts, so a model answer
    // that was received is never asked for again after a crash.
    const config = { configurable: { thread_id: ctx.migrationId }, recursionLimit: RECURSION_LIMIT, signal: ctx.signal, durability: "sync" as const };
    const snapshot = await graph.getState(config);
    const resuming = snapshot.next.length > 0;
    if (resuming) {
      log.info({ next: snapshot.next, checkpointer: cp.kind }, "resuming migration run from its checkpoint");
      await addEvent(t, snapshot.next[0] ?? "assess", `run resumed from checkpoint at ${snapshot.next.join(", ")}`, undefined, { next: snapshot.next });
      await graph.invoke(null, config);
    } else {
      if (snapshot.values && Object.keys(snapshot.values).length) await cp.saver.deleteThread(ctx.migrationId);
      await resetStages(t);
      await addEvent(t, "assess", "run started", undefined, { checkpointer: cp.kind, router: !!ctx.router });
      await graph.invoke(initialState(), config);
    }
    // Finished: a later run of this migration is a new run, not a resumption.
    await cp.saver.deleteThread(ctx.migrationId).catch(() => {});
    return { status: "completed" };
  } catch (e) {
    if (ctx.signal.aborted || isAbort(e)) {
      await closeStages(t, "skipped", "cancelled").catch(() => {});
      await addEvent(t, "run", "run cancelled").catch(() => {});
      return { status: "cancelled" };
    }
    const cause = (e as { cause?: unknown })?.cause;
    const err = e instanceof RunInputError ? e : cause instanceof RunInputError ? cause : e;
    const message = err instanceof RunInputError ? `${err.code}: ${err.message}` : err instanceof Error ? err.message : String(err);
    log.error({ err: e }, "migration run failed");
    await closeStages(t, "failed", message).catch(() => {});
    await addEvent(t, "run", `run failed: ${message}`).catch(() => {});
    return { status: "failed", error: message };
  } finally {
    await cp?.close().catch(() => {});
  }
}
