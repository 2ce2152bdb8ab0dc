// Audit retention: removes events older than the retention period, without breaking verification.
//
// Append-only and retention pull in opposite directions; this is how they meet. The application
// never deletes audit rows itself. The database function audit_prune (SECURITY DEFINER, owned by
// the schema owner) removes, per chain, the longest PREFIX of rows older than the cut-off — never
// a row in the middle — and writes an anchor: the seq and hash of the last removed row. In the
// same transaction an `audit.retention` event is appended to the chain, recording that anchor,
// so the anchor is itself covered by the chain: verification starts from the anchor, and an
// anchor that no chain row confirms is reported. The function refuses cut-offs newer than 30 days.
// With DATABASE_OWNER_URL only the owner may execute audit_prune: the pass runs on the owner's
// pool (server/db/roles.ts, ownerDbFor), whichever Db the caller holds.
import cron, { type ScheduledTask } from "node-cron";
import { sql } from "drizzle-orm";
import { z } from "zod";
import { queryRows, type Db } from "../../db/client.ts";
import { recordAudit } from "../../db/queries/audit.ts";
import { ownerDbFor } from "../../db/roles.ts";
import type { Logger } from "../../log.ts";
import { auditChains } from "./verify.ts";

export const MIN_RETENTION_DAYS = 30;
export const DEFAULT_RETENTION_DAYS = 365;
/** Every day at 03:17 server time: outside working hours, off the round hour. */
export const DEFAULT_RETENTION_SCHEDULE = "17 3 * * *";

export interface PruneResult {
  orgId: string | null;
  removed: number;
  anchorSeq: number | null;
}

/** Removes each chain's rows older than `before` (oldest prefix only) and records the anchor. */
export async function pruneAuditLog(db: Db, options: { before: Date; now: Date; orgId?: string | null }): Promise<PruneResult[]> {
  const owner = ownerDbFor(db);
  const chains = options.orgId !== undefined ? [options.orgId] : await auditChains(owner);
  const results: PruneResult[] = [];
  for (const orgId of chains) {
    const result = await owner.transaction(async (tx) => {
      const t = tx as unknown as Db;
      const [r] = await queryRows<{ removed: number; anchor_seq: string | number | null; anchor_hash: string | null }>(
        t,
        sql`select removed, anchor_seq, anchor_hash from audit_prune(${orgId}::uuid, ${options.before.toISOString()}::timestamptz)`,
      );
      const removed = Number(r?.removed ?? 0);
      if (removed > 0 && r?.anchor_seq != null) {
        await recordAudit(t, {
          orgId,
          userId: null,
          eventType: "audit.retention",
          details: { throughSeq: Number(r.anchor_seq), anchorHash: r.anchor_hash, removed, before: options.before.toISOString() },
          at: options.now,
        });
      }
      return { orgId, removed, anchorSeq: r?.anchor_seq == null ? null : Number(r.anchor_seq) };
    });
    results.push(result);
  }
  return results;
}

const retentionEnv = z.object({
  DATAMIGRATE_AUDIT_RETENTION_DAYS: z.coerce
    .number({ message: "expected a whole number of days" })
    .int({ message: "expected a whole number of days" })
    .min(MIN_RETENTION_DAYS, { message: `expected at least ${MIN_RETENTION_DAYS} days` })
    .default(DEFAULT_RETENTION_DAYS),
  DATAMIGRATE_AUDIT_RETENTION_SCHEDULE: z
    .string()
    .refine((v) => cron.validate(v), { message: "expected a cron expression such as '17 3 * * *'" })
    .default(DEFAULT_RETENTION_SCHEDULE),
});

export interface RetentionSettings {
  days: number;
  schedule: string;
}

/** Reads DATAMIGRATE_AUDIT_RETENTION_DAYS (default 365, at least 30) and _SCHEDULE (cron). */
export function retentionSettings(env: NodeJS.ProcessEnv = process.env): RetentionSettings {
  const raw: Record<string, string> = {};
  for (const k of Object.keys(retentionEnv.shape)) if (env[k]) raw[k] = env[k]!;
  const parsed = retentionEnv.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new Error(`${String(issue.path[0])}: ${issue.message}`);
  }
  return { days: parsed.data.DATAMIGRATE_AUDIT_RETENTION_DAYS, schedule: parsed.data.DATAMIGRATE_AUDIT_RETENTION_SCHEDULE };
}

/** One retention pass: everything older than `days` before `now`. */
export async function runRetention(db: Db, settings: RetentionSettings, now: Date): Promise<PruneResult[]> {
  const before = new Date(now.getTime() - settings.days * 86_400_000);
  return pruneAuditLog(db, { before, now });
}

/**
 * Schedules retention on node-cron. The returned stop() must be called on shutdown. With several
 * server processes each runs it; audit_prune's per-chain lock makes the second pass a no-op.
 */
export function startAuditRetention(db: Db, logger: Logger, settings: RetentionSettings = retentionSettings()): { stop(): void } {
  const task: ScheduledTask = cron.schedule(
    settings.schedule,
    async () => {
      try {
        const results = await runRetention(db, settings, new Date());
        const removed = results.reduce((s, r) => s + r.removed, 0);
        if (removed) logger.info({ removed, days: settings.days }, "audit retention removed old events");
      } catch (err) {
        logger.error({ err }, "audit retention failed");
      }
    },
    { name: "audit-retention", noOverlap: true },
  );
  return {
    stop: () => {
      void task.stop();
    },
  };
}
