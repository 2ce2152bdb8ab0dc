// The job layer of a server process: the queue and (unless disabled) a worker.
//
//   const jobs = await startJobs({ database, logger, options: jobsConfigFromEnv(env) });
//   ... jobs.stop() before the database closes.
//
// API-only processes pass `options.concurrency: 0`: they send jobs but run none.
import type { DatabaseHandle } from "../db/client.ts";
import type { Logger } from "../log.ts";
import { openJobQueue, type JobQueue } from "./queue.ts";
import { registerJobRuntime } from "./registry.ts";
import { DEFAULT_WORKER_OPTIONS, MigrationWorker, type WorkerDeps, type WorkerOptions } from "./worker.ts";
import { RerunWorker, type RerunWorkerDeps } from "./rerun-worker.ts";
import { loadConfig } from "../config.ts";

export { startMigration, StartMigrationError, UPLOAD_LIMITS, SOURCE_EXTENSIONS, type StartMigrationInput, type UploadedFile, type SourceConnection } from "./start.ts";
export { cancelMigration, type CancelResult } from "./cancel.ts";
export { requestObjectRerun, listObjectReruns, rerunJson, type RerunRequestResult } from "./rerun.ts";
export { RerunWorker } from "./rerun-worker.ts";
export { MigrationWorker, DEFAULT_WORKER_OPTIONS, type WorkerOptions, type RunFn } from "./worker.ts";
export { jobsConfigFromEnv } from "./config.ts";

export interface Jobs {
  queue: JobQueue;
  /** Undefined when this process runs no migrations (concurrency 0). */
  worker: MigrationWorker | undefined;
  /** Re-runs of one object; undefined when this process runs no jobs. */
  reruns: RerunWorker | undefined;
  stop(): Promise<void>;
}

export async function startJobs(deps: {
  database: DatabaseHandle;
  logger: Logger;
  options?: Partial<WorkerOptions>;
  run?: WorkerDeps["run"];
  routerFor?: WorkerDeps["routerFor"];
  /** Tests inject the re-run's execution. */
  executeRerun?: RerunWorkerDeps["execute"];
}): Promise<Jobs> {
  const options = { ...DEFAULT_WORKER_OPTIONS, ...deps.options };
  // pg-boss's own expiry is a backstop behind the run timeout and the heartbeat.
  const queue = await openJobQueue(deps.database, deps.logger, { expireInSeconds: Math.ceil((options.runTimeoutMs + options.abortGraceMs) / 1000) + 300 });
  const worker =
    options.concurrency > 0
      ? new MigrationWorker({ database: deps.database, logger: deps.logger, queue, options, ...(deps.run ? { run: deps.run } : {}), ...(deps.routerFor ? { routerFor: deps.routerFor } : {}) })
      : undefined;
  const reruns =
    options.concurrency > 0
      ? new RerunWorker({
          database: deps.database,
          logger: deps.logger,
          queue,
          options: { pollMs: options.pollMs, heartbeatMs: options.heartbeatMs, staleMs: options.staleMs, sweepMs: options.sweepMs, timeoutMs: Math.min(options.runTimeoutMs, 15 * 60_000) },
          validationDatabaseUrl: () => {
            try {
              return loadConfig().validationDatabaseUrl;
            } catch {
              return process.env.VALIDATION_DATABASE_URL || undefined;
            }
          },
          ...(deps.routerFor ? { routerFor: deps.routerFor } : {}),
          ...(deps.executeRerun ? { execute: deps.executeRerun } : {}),
        })
      : undefined;
  const unregister = registerJobRuntime(deps.database, {
    queue,
    wake: () => worker?.wake(),
    wakeReruns: () => reruns?.wake(),
    abortLocal: (id) => worker?.abortLocal(id, "cancel") ?? false,
  });
  worker?.start();
  reruns?.start();
  let stopping: Promise<void> | undefined;
  return {
    queue,
    worker,
    reruns,
    stop: () =>
      (stopping ??= (async () => {
        unregister();
        await reruns?.stop();
        await worker?.stop();
        await queue.stop();
      })()),
  };
}
