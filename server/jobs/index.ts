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

export { startMigration, StartMigrationError, UPLOAD_LIMITS, SOURCE_EXTENSIONS, type StartMigrationInput, type UploadedFile, type SourceConnection } from "./start.ts";
export { cancelMigration, type CancelResult } from "./cancel.ts";
export { MigrationWorker, DEFAULT_WORKER_OPTIONS, type WorkerOptions, type RunFn } from "./worker.ts";
export { jobsConfigFromEnv } from "./config.ts";

export interface Jobs {
  queue: JobQueue;
  /** Undefined when this process runs no migrations (concurrency 0). */
  worker: MigrationWorker | undefined;
  stop(): Promise<void>;
}

export async function startJobs(deps: {
  database: DatabaseHandle;
  logger: Logger;
  options?: Partial<WorkerOptions>;
  run?: WorkerDeps["run"];
  routerFor?: WorkerDeps["routerFor"];
}): Promise<Jobs> {
  const options = { ...DEFAULT_WORKER_OPTIONS, ...deps.options };
  // pg-boss's own expiry is a backstop behind the run timeout and the heartbeat.
  const queue = await openJobQueue(deps.database, deps.logger, { expireInSeconds: Math.ceil((options.runTimeoutMs + options.abortGraceMs) / 1000) + 300 });
  const worker =
    options.concurrency > 0
      ? new MigrationWorker({ database: deps.database, logger: deps.logger, queue, options, ...(deps.run ? { run: deps.run } : {}), ...(deps.routerFor ? { routerFor: deps.routerFor } : {}) })
      : undefined;
  const unregister = registerJobRuntime(deps.database, {
    queue,
    wake: () => worker?.wake(),
    abortLocal: (id) => worker?.abortLocal(id, "cancel") ?? false,
  });
  worker?.start();
  let stopping: Promise<void> | undefined;
  return {
    queue,
    worker,
    stop: () =>
      (stopping ??= (async () => {
        unregister();
        await worker?.stop();
        await queue.stop();
      })()),
  };
}
