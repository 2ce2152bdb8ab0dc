// The migration worker of one server process: takes jobs from the queue while it has free slots,
// claims the migration (lease.ts), runs it (runMigration, or an injected run for tests), keeps the
// lease alive, and ends the run with its final status. A periodic sweep resumes runs whose worker
// died and sends jobs for queued migrations that have none.
//
// Final status rules:
//   run returned completed                      → completed
//   cancel requested (API) and run not completed → cancelled ("cancelled by a user")
//   run timeout and run not completed            → failed, JOB1001
//   run returned failed / threw                  → failed with its error
//   resumed more than maxResumes times           → failed, JOB1002
//   process shutting down (SIGTERM)              → left running, lease released: resumed on restart
import { hostname } from "node:os";
import type { RunContext, RunOutcome } from "../agents/run.ts";
import type { DatabaseHandle, Db } from "../db/client.ts";
import { recordAudit } from "../db/queries/audit.ts";
import type { ModelRouter } from "../llm/types.ts";
import type { Logger } from "../log.ts";
import {
  addJobEvent,
  claimMigration,
  finishMigration,
  heartbeat,
  releaseLease,
  staleRunning,
  waitingWithoutJob,
  type Claim,
} from "./lease.ts";
import type { JobQueue, MigrationJobData, QueuedJob } from "./queue.ts";
import { collectFineTuningExamples } from "../finetune/collect.ts";

export type RunFn = (ctx: RunContext) => Promise<RunOutcome>;

export interface WorkerOptions {
  /** Runs at once in this process. */
  concurrency: number;
  /** Runs at once per organisation, across all processes sharing the database. */
  orgConcurrency: number;
  /** How often an idle worker looks at the queue (it is also woken by sends from this process). */
  pollMs: number;
  /** Heartbeat and cancel check of each running run. */
  heartbeatMs: number;
  /** A running migration without a heartbeat for this long is taken over (its worker died). */
  staleMs: number;
  /** Resume/enqueue sweep interval. */
  sweepMs: number;
  /** A run is stopped and failed (JOB1001) after this long. */
  runTimeoutMs: number;
  /** After aborting a run, how long to wait for it to return before ending it anyway. */
  abortGraceMs: number;
  /** A run interrupted more often than this is failed (JOB1002) instead of resumed again. */
  maxResumes: number;
  /** On shutdown, how long to wait for aborted runs before releasing their leases anyway. */
  shutdownGraceMs: number;
}

export const DEFAULT_WORKER_OPTIONS: WorkerOptions = {
  concurrency: 2,
  orgConcurrency: 2,
  pollMs: 1000,
  heartbeatMs: 1000,
  staleMs: 30_000,
  sweepMs: 10_000,
  runTimeoutMs: 60 * 60_000,
  abortGraceMs: 30_000,
  maxResumes: 3,
  shutdownGraceMs: 2000,
};

export interface WorkerDeps {
  database: DatabaseHandle;
  logger: Logger;
  queue: JobQueue;
  /** The run; default runMigration from server/agents/run.ts (loaded on first use). */
  run?: RunFn;
  /** The organisation's model router; none means the run works without models. */
  routerFor?: (orgId: string) => ModelRouter | undefined | Promise<ModelRouter | undefined>;
  options?: Partial<WorkerOptions>;
}

type StopReason = "timeout" | "cancel" | "shutdown" | "lost";

interface LocalRun {
  migrationId: string;
  orgId: string;
  abort(reason: StopReason): void;
  done: Promise<void>;
}

const defaultRun: RunFn = async (ctx) => (await import("../agents/run.ts")).runMigration(ctx);

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** The run's promise, or "abandoned" when it was aborted and did not return within the grace period. */
function withGrace<T>(p: Promise<T>, signal: AbortSignal, graceMs: number): Promise<T | "abandoned"> {
  return new Promise((resolve, reject) => {
    let timer: NodeJS.Timeout | undefined;
    const onAbort = () => {
      timer = setTimeout(() => resolve("abandoned"), graceMs);
      timer.unref();
    };
    if (signal.aborted) onAbort();
    else signal.addEventListener("abort", onAbort, { once: true });
    p.then(
      (v) => {
        clearTimeout(timer);
        signal.removeEventListener("abort", onAbort);
        resolve(v);
      },
      (e) => {
        clearTimeout(timer);
        signal.removeEventListener("abort", onAbort);
        reject(e);
      },
    );
  });
}

export class MigrationWorker {
  readonly options: WorkerOptions;
  readonly workerId = `${hostname()}:${process.pid}`;
  private readonly db: Db;
  private readonly log: Logger;
  private readonly run: RunFn;
  private readonly local = new Map<string, LocalRun>();
  private fetching = false;
  private stopping = false;
  private started = false;
  private pollTimer: NodeJS.Timeout | undefined;
  private sweepTimer: NodeJS.Timeout | undefined;
  private rewake = false;

  constructor(private readonly deps: WorkerDeps) {
    this.options = { ...DEFAULT_WORKER_OPTIONS, ...deps.options };
    this.db = deps.database.db;
    this.log = deps.logger.child({ component: "migration-worker" });
    this.run = deps.run ?? defaultRun;
  }

  /** Migrations running in this process now. */
  get runningHere(): string[] {
    return [...this.local.keys()];
  }

  start(): void {
    if (this.started) return;
    this.started = true;
    this.pollTimer = setInterval(() => this.wake(), this.options.pollMs);
    this.pollTimer.unref();
    this.sweepTimer = setInterval(() => void this.sweep(), this.options.sweepMs);
    this.sweepTimer.unref();
    void this.sweep().then(() => this.wake());
  }

  /** Looks for jobs now (called by sends in this process, by the poll timer, and when a run ends). */
  wake(): void {
    if (!this.started || this.stopping) return;
    if (this.fetching) {
      this.rewake = true;
      return;
    }
    this.fetching = true;
    void (async () => {
      try {
        do {
          this.rewake = false;
          while (!this.stopping && this.local.size < this.options.concurrency) {
            const job = await this.deps.queue.fetch();
            if (!job) break;
            await this.take(job);
          }
        } while (this.rewake && !this.stopping);
      } catch (err) {
        this.log.warn({ err }, "could not fetch jobs");
      } finally {
        this.fetching = false;
      }
    })();
  }

  abortLocal(migrationId: string, reason: "cancel"): boolean {
    const r = this.local.get(migrationId);
    if (!r) return false;
    r.abort(reason);
    return true;
  }

  /** Stops taking jobs; runs in progress are aborted and their leases released for a resume elsewhere or on restart. */
  async stop(): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    clearInterval(this.pollTimer);
    clearInterval(this.sweepTimer);
    const runs = [...this.local.values()];
    for (const r of runs) r.abort("shutdown");
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      Promise.allSettled(runs.map((r) => r.done)),
      new Promise((resolve) => {
        timer = setTimeout(resolve, this.options.shutdownGraceMs);
        timer.unref();
      }),
    ]);
    clearTimeout(timer);
    // Runs that did not stop in time (a slow step cannot be interrupted) give their lease up now;
    // whatever they still write is repeated idempotently by the resumed run.
    const left = runs.filter((r) => this.local.has(r.migrationId)).map((r) => r.migrationId);
    if (left.length) {
      this.log.warn({ migrations: left }, "runs still busy at shutdown; releasing them for resume");
      await releaseLease(this.db, left).catch((err) => this.log.warn({ err }, "could not release leases"));
    }
  }

  /** Resumes runs of dead workers and sends jobs for queued migrations that have none. */
  async sweep(orgId?: string): Promise<void> {
    if (this.stopping) return;
    try {
      const o = this.options;
      const stale = orgId ? [] : (await staleRunning(this.db, o.staleMs)).filter((m) => !this.local.has(m.id));
      const waiting = await waitingWithoutJob(this.db, { orgConcurrency: o.orgConcurrency, staleMs: o.staleMs, minAgeMs: orgId ? 0 : 2000 }, orgId);
      for (const m of [...stale, ...waiting]) await this.deps.queue.send({ migrationId: m.id, orgId: m.orgId });
      if (stale.length) this.log.info({ migrations: stale.map((m) => m.id) }, "resuming runs whose worker stopped");
      if (stale.length || waiting.length) this.wake();
    } catch (err) {
      this.log.warn({ err }, "job sweep failed");
    }
  }

  private async take(job: QueuedJob): Promise<void> {
    const data = job.data as Partial<MigrationJobData> | undefined;
    if (!data || typeof data.migrationId !== "string" || typeof data.orgId !== "string") {
      this.log.warn({ jobId: job.id }, "dropping a job without a migration");
      await this.deps.queue.complete(job.id, { dropped: "malformed" });
      return;
    }
    let claim: Claim;
    try {
      claim = await claimMigration(this.db, { migrationId: data.migrationId, orgId: data.orgId }, this.options);
    } catch (err) {
      // The job stays active; pg-boss's expiry and the sweep bring the migration back.
      this.log.error({ err, migrationId: data.migrationId }, "could not claim a migration");
      return;
    }
    if (claim.kind !== "start" && claim.kind !== "resume") {
      // busy: the sweep sends it again once its organisation has a free slot.
      await this.deps.queue.complete(job.id, { dropped: claim.kind });
      return;
    }
    const m = claim.migration;
    let release!: () => void;
    const done = new Promise<void>((r) => (release = r));
    const ac = new AbortController();
    let reason: StopReason | undefined;
    const abort = (r: StopReason) => {
      if (reason) return;
      reason = r;
      ac.abort(new Error(`run stopped: ${r}`));
    };
    this.local.set(m.id, { migrationId: m.id, orgId: m.orgId, abort, done });
    void this.execute(job, claim, ac, () => reason, abort)
      .catch((err) => this.log.error({ err, migrationId: m.id }, "migration job failed unexpectedly"))
      .finally(() => {
        this.local.delete(m.id);
        release();
        if (!this.stopping) {
          void this.sweep(m.orgId);
          this.wake();
        }
      });
  }

  private async execute(
    job: QueuedJob,
    claim: Extract<Claim, { kind: "start" | "resume" }>,
    ac: AbortController,
    reasonOf: () => StopReason | undefined,
    abort: (r: StopReason) => void,
  ): Promise<void> {
    const m = claim.migration;
    const o = this.options;
    const log = this.log.child({ migrationId: m.id, orgId: m.orgId });
    if (claim.kind === "resume" && claim.resumes > o.maxResumes) {
      await this.finish(m, { status: "failed", error: `JOB1002: the run was interrupted ${claim.resumes} times (its worker stopped each time); not resuming it again` }, log);
      await this.deps.queue.complete(job.id, { status: "failed" });
      return;
    }
    if (claim.kind === "start") {
      await addJobEvent(this.db, m, "started", `run started (worker ${this.workerId})`, { worker: this.workerId });
      await recordAudit(this.db, {
        orgId: m.orgId,
        userId: null,
        eventType: "migration.started",
        details: { migrationId: m.id, createdBy: m.userId, worker: this.workerId },
        at: new Date(),
      }).catch((err) => log.warn({ err }, "could not audit the run start"));
    } else {
      await addJobEvent(this.db, m, "resumed", `run resumed after its worker stopped (resume ${claim.resumes} of at most ${o.maxResumes})`, {
        worker: this.workerId,
        resume: claim.resumes,
      });
    }
    log.info({ kind: claim.kind }, "migration run started");

    const timeout = setTimeout(() => abort("timeout"), o.runTimeoutMs);
    timeout.unref();
    let beating = false;
    const beat = setInterval(() => {
      if (beating || ac.signal.aborted) return;
      beating = true;
      heartbeat(this.db, m.id)
        .then((h) => {
          if (h.lost) abort("lost");
          else if (h.cancelRequested) abort("cancel");
        })
        .catch((err) => log.warn({ err }, "heartbeat failed"))
        .finally(() => (beating = false));
    }, o.heartbeatMs);
    beat.unref();

    let outcome: RunOutcome | "abandoned";
    try {
      const router = await this.deps.routerFor?.(m.orgId);
      const ctx: RunContext = { db: this.db, orgId: m.orgId, migrationId: m.id, signal: ac.signal, log, ...(router ? { router } : {}) };
      outcome = await withGrace(this.run(ctx), ac.signal, o.abortGraceMs);
    } catch (err) {
      log.error({ err }, "migration run threw");
      outcome = { status: "failed", error: messageOf(err) };
    } finally {
      clearTimeout(timeout);
      clearInterval(beat);
    }

    const reason = reasonOf();
    if (reason === "shutdown") {
      // Not an end: the next worker (after restart, or another process) resumes it at once.
      await releaseLease(this.db, [m.id]);
      await this.deps.queue.complete(job.id, { released: "shutdown" });
      log.info("migration run released for resume (shutdown)");
      return;
    }
    if (reason === "lost") {
      await this.deps.queue.complete(job.id, { dropped: "lost" });
      log.warn("migration run stopped: the migration is no longer running here (finished or taken over elsewhere)");
      return;
    }
    const completed = outcome !== "abandoned" && outcome.status === "completed";
    let final: { status: "completed" | "failed" | "cancelled"; error?: string | null };
    if (completed) final = { status: "completed", error: null };
    else if (reason === "cancel") final = { status: "cancelled", error: "cancelled by a user" };
    else if (reason === "timeout") {
      final = {
        status: "failed",
        error: `JOB1001: the run did not finish within ${Math.round(o.runTimeoutMs / 1000)} s and was stopped${outcome === "abandoned" ? " (it did not stop when asked; its partial results may be incomplete)" : ""}`,
      };
    } else if (outcome === "abandoned") final = { status: "failed", error: "the run did not stop when asked" };
    else final = { status: outcome.status, error: outcome.error ?? (outcome.status === "failed" ? "the run failed without a message" : null) };
    await this.finish(m, final, log);
    await this.deps.queue.complete(job.id, { status: final.status });
  }

  private async finish(
    m: { id: string; orgId: string; userId: string | null },
    final: { status: "completed" | "failed" | "cancelled"; error?: string | null },
    log: Logger,
  ): Promise<void> {
    const row = await finishMigration(this.db, m.id, final, {
      message: final.error ? `run ${final.status}: ${final.error}` : `run ${final.status}`,
      data: { status: final.status, ...(final.error ? { error: final.error } : {}) },
    });
    if (!row) {
      log.warn({ status: final.status }, "migration was no longer running when its run ended; status left as it was");
      return;
    }
    await recordAudit(this.db, {
      orgId: m.orgId,
      userId: null,
      eventType: `migration.${final.status}`,
      details: { migrationId: m.id, createdBy: m.userId, ...(final.error ? { error: final.error } : {}) },
      at: new Date(),
    }).catch((err) => log.warn({ err }, "could not audit the run end"));
    log.info({ status: final.status, error: final.error }, "migration run ended");
    if (final.status === "completed") {
      // Every validated conversion is a training example (issue 10); collection is idempotent, and a
      // failure here must not change the run's outcome.
      await collectFineTuningExamples(this.db, m.orgId, { migrationId: m.id })
        .then((r) => log.info({ collected: r }, "fine-tuning examples collected"))
        .catch((err) => log.warn({ err }, "could not collect fine-tuning examples"));
    }
  }
}
