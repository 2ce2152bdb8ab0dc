// The worker for re-runs of one object (rerun.ts): takes jobs from the re-run queue, claims the
// re-run row, executes it with a heartbeat and a time limit, and records how it ended. One at a
// time per process: a re-run validates one model and is short; the migration runs keep their slots.
//
// A re-run writes its result in one transaction at its end, so there is nothing to resume: a
// re-run whose worker stopped (no heartbeat for staleMs) is failed by any worker's sweep, and the
// object is as it was before.
import type { DatabaseHandle, Db } from "../db/client.ts";
import { recordAudit } from "../db/queries/audit.ts";
import { eq, sql } from "drizzle-orm";
import { migrationObjectRuns, type MigrationObjectRun } from "../db/schema/migrations.ts";
import type { ModelRouter } from "../llm/types.ts";
import type { Logger } from "../log.ts";
import type { JobQueue } from "./queue.ts";
import { claimObjectRerun, failObjectRerun, RerunError, rerunsToSweep } from "./rerun.ts";
import type { RerunContext, RerunOutcome } from "./rerun-run.ts";

export interface RerunWorkerOptions {
  pollMs: number;
  heartbeatMs: number;
  staleMs: number;
  sweepMs: number;
  /** A re-run still going after this long is stopped and failed (JOB2001). */
  timeoutMs: number;
}

export type ExecuteRerunFn = (ctx: RerunContext, run: MigrationObjectRun) => Promise<RerunOutcome>;

export interface RerunWorkerDeps {
  database: DatabaseHandle;
  logger: Logger;
  queue: JobQueue;
  options: RerunWorkerOptions;
  validationDatabaseUrl?: () => string | undefined;
  /** The organisation's model router (a rebuild of a run that used a model asks it again). */
  routerFor?: (orgId: string) => ModelRouter | undefined | Promise<ModelRouter | undefined>;
  /** Tests inject a slow or failing execution. */
  execute?: ExecuteRerunFn;
}

const messageOf = (e: unknown) => (e instanceof RerunError ? `${e.code}: ${e.message}` : e instanceof Error ? e.message.split("\n")[0]! : String(e));

export class RerunWorker {
  private readonly db: Db;
  private readonly log: Logger;
  private busy = false;
  private rewake = false;
  private stopping = false;
  private current: { id: string; abort: AbortController } | undefined;
  /** The fetch loop of wake(), while it runs: stop() waits for it (a job it fetched as stop() began is not taken). */
  private loop: Promise<void> | undefined;
  private pollTimer: NodeJS.Timeout | undefined;
  private sweepTimer: NodeJS.Timeout | undefined;

  constructor(private readonly deps: RerunWorkerDeps) {
    this.db = deps.database.db;
    this.log = deps.logger.child({ component: "rerun-worker" });
  }

  start(): void {
    this.pollTimer = setInterval(() => this.wake(), this.deps.options.pollMs);
    this.pollTimer.unref();
    this.sweepTimer = setInterval(() => void this.sweep(), this.deps.options.sweepMs);
    this.sweepTimer.unref();
    void this.sweep().then(() => this.wake());
  }

  wake(): void {
    if (this.stopping) return;
    if (this.busy) {
      this.rewake = true;
      return;
    }
    this.busy = true;
    this.loop = (async () => {
      try {
        do {
          this.rewake = false;
          for (;;) {
            if (this.stopping) break;
            const job = await this.deps.queue.fetchRerun();
            if (!job) break;
            await this.take(job);
          }
        } while (this.rewake && !this.stopping);
      } catch (err) {
        this.log.warn({ err }, "could not fetch re-run jobs");
      } finally {
        this.busy = false;
      }
    })();
  }

  async stop(): Promise<void> {
    this.stopping = true;
    clearInterval(this.pollTimer);
    clearInterval(this.sweepTimer);
    this.current?.abort.abort(new Error("shutdown"));
    // take() ends within the loop: an aborted re-run is failed (JOB2003), a job fetched meanwhile is not taken.
    await this.loop;
  }

  /** Sends jobs for queued re-runs that have none; fails those whose worker stopped. */
  async sweep(): Promise<void> {
    if (this.stopping) return;
    try {
      const { waiting, stale } = await rerunsToSweep(this.db, { staleMs: this.deps.options.staleMs, minAgeMs: 2000 });
      for (const r of waiting) await this.deps.queue.sendRerun({ rerunId: r.id, orgId: r.orgId });
      for (const r of stale) {
        if (this.current?.id === r.id) continue;
        if (await failObjectRerun(this.db, r, "JOB2002: the worker running this re-run stopped before it finished; nothing was changed, request it again"))
          await this.audit(r, "failed", { error: "JOB2002" });
      }
      if (waiting.length) this.wake();
    } catch (err) {
      this.log.warn({ err }, "re-run sweep failed");
    }
  }

  private async audit(r: MigrationObjectRun, how: "completed" | "failed", details: Record<string, unknown>): Promise<void> {
    await recordAudit(this.db, {
      orgId: r.orgId,
      userId: null,
      eventType: `migration.object_rerun_${how}`,
      details: { migrationId: r.migrationId, rerunId: r.id, modelId: r.modelId, kind: r.kind, requestedBy: r.requestedBy, ...details },
      at: new Date(),
    }).catch((err: unknown) => this.log.warn({ err, rerunId: r.id }, "could not audit the re-run's end"));
  }

  private async take(job: { id: string; data: { rerunId?: unknown; orgId?: unknown } }): Promise<void> {
    const { rerunId, orgId } = job.data ?? {};
    if (typeof rerunId !== "string" || typeof orgId !== "string") {
      await this.deps.queue.completeRerun(job.id, { dropped: "malformed" });
      return;
    }
    // Stopping: the re-run stays queued, its job is left to expire; the next start's sweep sends it again.
    if (this.stopping) return;
    const run = await claimObjectRerun(this.db, rerunId, orgId);
    if (!run) {
      await this.deps.queue.completeRerun(job.id, { dropped: "not queued" });
      return;
    }
    const ac = new AbortController();
    this.current = { id: run.id, abort: ac };
    // stop() began while the re-run was being claimed: it ends at once (JOB2003).
    if (this.stopping) ac.abort(new Error("shutdown"));
    const log = this.log.child({ rerunId: run.id, migrationId: run.migrationId });
    const o = this.deps.options;
    const timeout = setTimeout(() => ac.abort(new Error("timeout")), o.timeoutMs);
    timeout.unref();
    const beat = setInterval(() => {
      void this.db
        .update(migrationObjectRuns)
        .set({ updatedAt: sql`now()` })
        .where(eq(migrationObjectRuns.id, run.id))
        .catch((err: unknown) => log.warn({ err }, "re-run heartbeat failed"));
    }, o.heartbeatMs);
    beat.unref();
    try {
      const validationDatabaseUrl = this.deps.validationDatabaseUrl?.();
      // Only a rebuild may ask a model; a router that cannot be built means "no model" (recorded in the history).
      const router = run.kind === "rebuild" ? await Promise.resolve(this.deps.routerFor?.(run.orgId)).catch((err: unknown) => (log.warn({ err }, "no model router for the re-run"), undefined)) : undefined;
      const ctx: RerunContext = { db: this.db, log, signal: ac.signal, ...(validationDatabaseUrl ? { validationDatabaseUrl } : {}), ...(router ? { router } : {}) };
      // Loaded on first use: the agents and the validator are not needed until a re-run runs.
      const execute = this.deps.execute ?? (await import("./rerun-run.ts")).executeObjectRerun;
      const outcome = await execute(ctx, run);
      log.info({ after: outcome.after }, "object re-run completed");
      await this.audit(run, "completed", { before: outcome.detail.before, after: outcome.after });
      await this.deps.queue.completeRerun(job.id, { status: "completed" });
    } catch (err) {
      const timedOut = ac.signal.aborted && (ac.signal.reason as Error | undefined)?.message === "timeout";
      // Stopped by shutdown (stop()): whatever the interrupted step threw (an AbortError of the validator, of fetch…), it is JOB2003.
      const message = timedOut
        ? `JOB2001: the re-run did not finish within ${Math.round(o.timeoutMs / 1000)} s and was stopped; nothing was changed`
        : ac.signal.aborted && !(err instanceof RerunError)
          ? "JOB2003: the re-run was stopped before it finished (the server shut down); nothing was changed, request it again"
          : messageOf(err);
      if (!(err instanceof RerunError)) log.warn({ err }, "object re-run failed");
      if (await failObjectRerun(this.db, run, message)) await this.audit(run, "failed", { error: message });
      await this.deps.queue.completeRerun(job.id, { status: "failed" }).catch(() => {});
    } finally {
      clearTimeout(timeout);
      clearInterval(beat);
      this.current = undefined;
    }
  }
}
