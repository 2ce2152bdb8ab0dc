// The job runtime of this process, found by the database handle it runs on. The HTTP app and the
// pages only have the handle (AppDeps.database); when no worker runs in this process (an API-only
// process, or a test app) there is nothing here and a created migration simply waits, queued, for
// a worker's sweep to send its job.
import type { DatabaseHandle } from "../db/client.ts";
import type { JobQueue } from "./queue.ts";

export interface JobRuntime {
  queue: JobQueue;
  /** Makes the local worker look for jobs now instead of at its next poll. */
  wake(): void;
  /** The same for re-runs of one object. */
  wakeReruns?(): void;
  /** Aborts a run of this migration if it runs in this process; true when one did. */
  abortLocal(migrationId: string, reason: string): boolean;
}

const runtimes = new WeakMap<DatabaseHandle, JobRuntime>();

export function registerJobRuntime(handle: DatabaseHandle, runtime: JobRuntime): () => void {
  runtimes.set(handle, runtime);
  return () => {
    if (runtimes.get(handle) === runtime) runtimes.delete(handle);
  };
}

export function jobRuntimeFor(handle: DatabaseHandle): JobRuntime | undefined {
  return runtimes.get(handle);
}
