// The migration row as a lease. A worker may run a migration only after claiming its row; while it
// runs it touches `updated_at` (the heartbeat). A `running` row whose heartbeat is older than the
// stale limit belongs to a worker that died (SIGKILL, power loss) and may be claimed again: that
// claim resumes the run (runMigration continues from its checkpoint).
import { and, eq, sql, type SQL } from "drizzle-orm";
import type { Db } from "../db/client.ts";
import { migrationEvents, migrations, type Migration, type MigrationStatus } from "../db/schema/migrations.ts";
import { MIGRATION_QUEUE, QUEUE_SCHEMA } from "./queue.ts";

/** Advisory-lock class of the per-organisation claim lock (the audit log uses its own class). */
const ORG_CLAIM_LOCK_CLASS = 730_101;

/** Events the job layer writes carry data.type; the run's own events do not. */
export const JOB_EVENT_STAGE = "queue";
export type JobEventType = "started" | "resumed" | "cancel_requested" | "finished";

export type Claim =
  | { kind: "start"; migration: Migration }
  | { kind: "resume"; migration: Migration; resumes: number }
  | { kind: "busy"; running: number }
  | { kind: "duplicate" }
  | { kind: "gone"; status?: MigrationStatus };

type Executor = Pick<Db, "execute">;

export function rowsOf<T>(res: unknown): T[] {
  if (Array.isArray(res)) return res as T[];
  return ((res as { rows?: T[] }).rows ?? []) as T[];
}

async function rows<T>(db: Executor, q: SQL): Promise<T[]> {
  return rowsOf<T>(await db.execute(q));
}

const seconds = (ms: number) => sql`make_interval(secs => ${ms / 1000})`;

/**
 * Claims the migration for a run, atomically per organisation: the per-organisation limit counts
 * `running` rows under an advisory lock held for the transaction, so two processes claiming at the
 * same moment cannot both take the last slot.
 */
export async function claimMigration(
  db: Db,
  job: { migrationId: string; orgId: string },
  limits: { orgConcurrency: number; staleMs: number },
): Promise<Claim> {
  return db.transaction(async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(${ORG_CLAIM_LOCK_CLASS}, hashtext(${job.orgId}))`);
    const [row] = await rows<{ status: MigrationStatus; stale: boolean }>(
      tx,
      sql`select status, updated_at < now() - ${seconds(limits.staleMs)} as stale
          from migrations where id = ${job.migrationId} and org_id = ${job.orgId} for update`,
    );
    if (!row) return { kind: "gone" };
    if (row.status !== "queued" && row.status !== "running") return { kind: "gone", status: row.status };
    // Running with a fresh heartbeat: another worker has it (this job is a duplicate).
    if (row.status === "running" && !row.stale) return { kind: "duplicate" };
    const [count] = await rows<{ n: number }>(
      tx,
      sql`select count(*)::int as n from migrations
          where org_id = ${job.orgId} and status = 'running' and id <> ${job.migrationId}`,
    );
    const running = Number(count?.n ?? 0);
    if (running >= limits.orgConcurrency) return { kind: "busy", running };
    const [m] = await tx
      .update(migrations)
      .set({
        status: "running",
        startedAt: sql`coalesce(${migrations.startedAt}, now())`,
        finishedAt: null,
        error: null,
        updatedAt: sql`now()`,
      })
      .where(eq(migrations.id, job.migrationId))
      .returning();
    if (row.status === "queued") return { kind: "start", migration: m! };
    const [r] = await rows<{ n: number }>(
      tx,
      sql`select count(*)::int as n from migration_events
          where migration_id = ${job.migrationId} and stage = ${JOB_EVENT_STAGE} and data->>'type' = 'resumed'`,
    );
    return { kind: "resume", migration: m!, resumes: Number(r?.n ?? 0) + 1 };
  });
}

/**
 * The heartbeat: touches the lease and reports whether a cancel was requested. `lost` when the row
 * is no longer running (finished or cancelled elsewhere).
 */
export async function heartbeat(db: Db, migrationId: string): Promise<{ lost: boolean; cancelRequested: boolean }> {
  const [r] = await rows<{ cancel: boolean }>(
    db,
    sql`update migrations set updated_at = now() where id = ${migrationId} and status = 'running'
        returning exists (select 1 from migration_events e where e.migration_id = ${migrationId}
          and e.stage = ${JOB_EVENT_STAGE} and e.data->>'type' = 'cancel_requested') as cancel`,
  );
  return r ? { lost: false, cancelRequested: !!r.cancel } : { lost: true, cancelRequested: false };
}

/** Gives the lease up without finishing (graceful shutdown): the next sweep anywhere resumes it. */
export async function releaseLease(db: Db, migrationIds: string[]): Promise<void> {
  for (const id of migrationIds) {
    await db.execute(sql`update migrations set updated_at = now() - interval '1 day' where id = ${id} and status = 'running'`);
  }
}

/**
 * Ends a run: sets the final status and writes the `finished` event in one transaction, so that
 * whoever sees the final status (an event stream) also sees the event. Undefined when the row was
 * not running any more.
 */
export async function finishMigration(
  db: Db,
  migrationId: string,
  outcome: { status: "completed" | "failed" | "cancelled"; error?: string | null },
  event: { message: string; data: Record<string, unknown> },
): Promise<Migration | undefined> {
  return db.transaction(async (tx) => {
    const [m] = await tx
      .update(migrations)
      .set({ status: outcome.status, error: outcome.error ?? null, finishedAt: sql`now()`, updatedAt: sql`now()` })
      .where(and(eq(migrations.id, migrationId), eq(migrations.status, "running")))
      .returning();
    if (m) await tx.insert(migrationEvents).values({ migrationId, orgId: m.orgId, stage: JOB_EVENT_STAGE, message: event.message, data: { type: "finished", ...event.data } });
    return m;
  });
}

export async function addJobEvent(
  db: Db,
  m: { id: string; orgId: string },
  type: JobEventType,
  message: string,
  data: Record<string, unknown> = {},
): Promise<void> {
  await db.insert(migrationEvents).values({ migrationId: m.id, orgId: m.orgId, stage: JOB_EVENT_STAGE, message, data: { type, ...data } });
}

const pendingJob = (state: SQL) => sql`exists (select 1 from ${sql.raw(QUEUE_SCHEMA)}.job j
  where j.name = ${MIGRATION_QUEUE} and j.data->>'migrationId' = m.id::text and ${state})`;

/** Running migrations whose worker stopped heart-beating and that have no job waiting. */
export async function staleRunning(db: Db, staleMs: number): Promise<{ id: string; orgId: string }[]> {
  return rows<{ id: string; orgId: string }>(
    db,
    sql`select m.id, m.org_id as "orgId" from migrations m
        where m.status = 'running' and m.updated_at < now() - ${seconds(staleMs)}
          and not ${pendingJob(sql`j.state < 'active'`)}
        order by m.updated_at limit 100`,
  );
}

/**
 * Queued migrations with no job on the queue (created while no worker ran, dropped because their
 * organisation was at its limit, or lost between insert and send), oldest first, at most as many
 * per organisation as it has free slots.
 */
export async function waitingWithoutJob(
  db: Db,
  limits: { orgConcurrency: number; staleMs: number; minAgeMs: number },
  orgId?: string,
): Promise<{ id: string; orgId: string }[]> {
  const orgFilter = orgId ? sql`and m.org_id = ${orgId}` : sql``;
  return rows<{ id: string; orgId: string }>(
    db,
    sql`with waiting as (
          select m.id, m.org_id, row_number() over (partition by m.org_id order by m.created_at, m.id) as rn
          from migrations m
          where m.status = 'queued' and m.created_at < now() - ${seconds(limits.minAgeMs)} ${orgFilter}
            and not ${pendingJob(sql`(j.state < 'active' or (j.state = 'active' and j.started_on > now() - ${seconds(limits.staleMs)}))`)}
        ), busy as (
          select org_id, count(*)::int as n from migrations where status = 'running' group by org_id
        )
        select w.id, w.org_id as "orgId" from waiting w left join busy b on b.org_id = w.org_id
        where w.rn <= ${limits.orgConcurrency} - coalesce(b.n, 0)
        limit 200`,
  );
}

/** Cancels a queued migration at once (with its `finished` event, atomically); undefined when it was not queued (any more). */
export async function cancelQueued(db: Db, orgId: string, migrationId: string, message: string, by: string | null): Promise<Migration | undefined> {
  return db.transaction(async (tx) => {
    const [m] = await tx
      .update(migrations)
      .set({ status: "cancelled", error: message, finishedAt: sql`now()`, updatedAt: sql`now()` })
      .where(and(eq(migrations.id, migrationId), eq(migrations.orgId, orgId), eq(migrations.status, "queued")))
      .returning();
    if (m) {
      await tx.insert(migrationEvents).values({ migrationId, orgId, stage: JOB_EVENT_STAGE, message: "run cancelled before it started", data: { type: "finished", status: "cancelled", by } });
    }
    return m;
  });
}
