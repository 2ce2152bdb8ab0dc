// The Postgres-backed job queue that carries migration runs: pg-boss 10 over the server's own
// database handle.
//
// Why pg-boss (and this version):
// - Its `db: { executeSql }` option lets it run on a connection we already have. That is what makes
//   the queue work on BOTH drivers: postgres.js (DATABASE_URL) and the embedded PGlite that
//   `npm start` uses with no database configured. graphile-worker needs a `pg` Pool and LISTEN/NOTIFY
//   on it, which PGlite in-process cannot provide.
// - Fetching is `FOR UPDATE SKIP LOCKED`: several server processes on one database share the queue
//   and no job is handed to two of them.
// - 10.4.2 is the last major line whose engines allow Node 20 (11+ need Node 22); it is plain
//   JavaScript (pg, cron-parser, serialize-error) and needs no install scripts.
//
// The queue is only the delivery mechanism. The migrations table stays the truth about a run
// (queued/running/...); the worker claims a migration row before running it, so a duplicate job
// (a sweep racing an API send) is harmless.
import PgBoss from "pg-boss";
import type { DatabaseHandle } from "../db/client.ts";
import type { Logger } from "../log.ts";

export const MIGRATION_QUEUE = "migration-run";
/** Re-runs of one object of a finished run (server/jobs/rerun.ts). */
export const RERUN_QUEUE = "object-rerun";
export const QUEUE_SCHEMA = "pgboss";

export interface MigrationJobData {
  migrationId: string;
  orgId: string;
}

export interface RerunJobData {
  rerunId: string;
  orgId: string;
}

export interface QueuedJob {
  id: string;
  data: MigrationJobData;
}

export interface JobQueue {
  /** Puts a run of the migration on the queue; `delaySeconds` defers when it may start. */
  send(data: MigrationJobData, options?: { delaySeconds?: number }): Promise<string | null>;
  /** Takes at most one job no other process has; undefined when there is none. */
  fetch(): Promise<QueuedJob | undefined>;
  /** Marks a fetched job done (whatever happened to the run: its outcome is on the migration row). */
  complete(jobId: string, output?: Record<string, unknown>): Promise<void>;
  /** The same for re-runs of one object (their own queue, so that a long migration run does not hold them up). */
  sendRerun(data: RerunJobData): Promise<string | null>;
  fetchRerun(): Promise<{ id: string; data: RerunJobData } | undefined>;
  completeRerun(jobId: string, output?: Record<string, unknown>): Promise<void>;
  stop(): Promise<void>;
}

type SqlResult = { rows: unknown[] };

/** pg-boss's bring-your-own-connection adapter for our handle (postgres.js or PGlite). */
export function executeSqlAdapter(handle: DatabaseHandle): { executeSql(text: string, values?: unknown[]): Promise<SqlResult> } {
  // pg-boss was written for pg, which sends undefined as NULL and plain objects as JSON text;
  // postgres.js and PGlite want that done for them.
  const norm = (values: unknown[] | undefined) =>
    (values ?? []).map((v) =>
      v === undefined ? null : v !== null && typeof v === "object" && !Array.isArray(v) && !(v instanceof Date) && !Buffer.isBuffer(v) ? JSON.stringify(v) : v,
    );
  if (handle.raw.kind === "postgres") {
    const client = handle.raw.db.$client;
    return {
      async executeSql(text, values) {
        if (values && values.length > 0) {
          const r = await client.unsafe(text, norm(values) as never[]);
          return { rows: [...r] };
        }
        // Parameterless commands may be several statements including BEGIN/COMMIT (pg-boss's
        // locked maintenance). postgres.js refuses BEGIN on a pooled connection, so these run on a
        // reserved one, as one simple-protocol query.
        const conn = await client.reserve();
        try {
          const r = (await conn.unsafe(text)) as unknown as unknown[];
          const last = r.length > 0 && Array.isArray(r[r.length - 1]) ? (r[r.length - 1] as unknown[]) : r;
          return { rows: [...last] };
        } finally {
          conn.release();
        }
      },
    };
  }
  const pglite = handle.raw.db.$client;
  return {
    async executeSql(text, values) {
      if (values && values.length > 0) {
        const r = await pglite.query(text, norm(values));
        return { rows: r.rows };
      }
      const results = await pglite.exec(text);
      return { rows: results[results.length - 1]?.rows ?? [] };
    },
  };
}

export interface QueueOptions {
  /** pg-boss maintenance (archiving finished jobs) interval. */
  maintenanceIntervalSeconds?: number;
  /**
   * pg-boss's own expiry of an active job, a backstop only: lost workers are detected faster by the
   * worker's heartbeat sweep. Must exceed the run timeout.
   */
  expireInSeconds: number;
}

export async function openJobQueue(handle: DatabaseHandle, logger: Logger, options: QueueOptions): Promise<JobQueue> {
  const boss = new PgBoss({
    db: executeSqlAdapter(handle) as PgBoss.Db,
    schema: QUEUE_SCHEMA,
    migrate: true,
    supervise: true,
    schedule: false,
    maintenanceIntervalSeconds: options.maintenanceIntervalSeconds ?? 120,
    archiveCompletedAfterSeconds: 3600,
  });
  boss.on("error", (err: unknown) => logger.warn({ err }, "job queue maintenance error"));
  await withStartupLock(handle, async () => {
    await boss.start();
    // Retries are not pg-boss's: a lost run is resumed by the worker's sweep from the migration row.
    await boss.createQueue(MIGRATION_QUEUE, { name: MIGRATION_QUEUE, retryLimit: 0 });
    await boss.createQueue(RERUN_QUEUE, { name: RERUN_QUEUE, retryLimit: 0 });
  });
  let stopped = false;
  return {
    send: (data, o) =>
      boss.send(MIGRATION_QUEUE, data, {
        retryLimit: 0,
        expireInSeconds: Math.min(options.expireInSeconds, 23 * 3600),
        ...(o?.delaySeconds ? { startAfter: o.delaySeconds } : {}),
      }),
    async fetch() {
      const [job] = await boss.fetch<MigrationJobData>(MIGRATION_QUEUE, { batchSize: 1 });
      return job ? { id: job.id, data: job.data } : undefined;
    },
    async complete(jobId, output) {
      await boss.complete(MIGRATION_QUEUE, jobId, output ?? {});
    },
    sendRerun: (data) => boss.send(RERUN_QUEUE, data, { retryLimit: 0, expireInSeconds: Math.min(options.expireInSeconds, 23 * 3600) }),
    async fetchRerun() {
      const [job] = await boss.fetch<RerunJobData>(RERUN_QUEUE, { batchSize: 1 });
      return job ? { id: job.id, data: job.data } : undefined;
    },
    async completeRerun(jobId, output) {
      await boss.complete(RERUN_QUEUE, jobId, output ?? {});
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      await boss.stop({ graceful: false, close: false, wait: true });
    },
  };
}

/**
 * Server processes that start together on one database would run pg-boss's schema setup and queue
 * creation at the same time, and Postgres answers one of them "deadlock detected" (seen with two
 * processes in server/guardian/rate-limit-shared.test.ts). A session-level advisory lock, held on a
 * connection of its own, lets them take turns. PGlite is one process: nothing to wait for.
 */
async function withStartupLock<T>(handle: DatabaseHandle, f: () => Promise<T>): Promise<T> {
  if (handle.raw.kind !== "postgres") return f();
  const conn = await handle.raw.db.$client.reserve();
  try {
    await conn.unsafe("select pg_advisory_lock(hashtext('datamigrate:job-queue-setup'))");
    try {
      return await f();
    } finally {
      await conn.unsafe("select pg_advisory_unlock(hashtext('datamigrate:job-queue-setup'))");
    }
  } finally {
    conn.release();
  }
}
