// Scheduled export of training data (issue 10): on a node-cron schedule, every organisation's
// examples are collected and written as <dir>/<org id>/train.jsonl and train.eval.jsonl (atomically).
// Configured by the environment, read here with zod like the job queue's settings:
//   FINETUNE_EXPORT_DIR    folder to write into; unset = no scheduled export
//   FINETUNE_EXPORT_CRON   cron expression (default "0 2 * * *": every night at 02:00)
// Also: stale (abandoned) model uploads are discarded on the same schedule.
import path from "node:path";
import cron, { type ScheduledTask } from "node-cron";
import { z } from "zod";
import type { Db } from "../db/client.ts";
import { organizations } from "../db/schema/organizations.ts";
import type { Logger } from "../log.ts";
import { exportTrainingFiles } from "./export.ts";
import { sweepStaleUploads } from "./uploads.ts";

export interface FinetuneSchedule {
  dir: string | undefined;
  cron: string;
}

const envSchema = z.object({
  FINETUNE_EXPORT_DIR: z.string().trim().min(1).optional(),
  FINETUNE_EXPORT_CRON: z
    .string()
    .trim()
    .refine((v) => cron.validate(v), { message: "expected a cron expression, e.g. '0 2 * * *'" })
    .default("0 2 * * *"),
});

export function finetuneScheduleFromEnv(env: NodeJS.ProcessEnv = process.env): FinetuneSchedule {
  const raw = Object.fromEntries(Object.entries(env).filter(([k, v]) => k.startsWith("FINETUNE_") && v !== ""));
  const parsed = envSchema.safeParse(raw);
  if (!parsed.success) {
    const i = parsed.error.issues[0]!;
    throw new Error(`${String(i.path[0])}: ${i.message}`);
  }
  return { dir: parsed.data.FINETUNE_EXPORT_DIR ? path.resolve(parsed.data.FINETUNE_EXPORT_DIR) : undefined, cron: parsed.data.FINETUNE_EXPORT_CRON };
}

/** One pass: every organisation's training files; returns what was written. */
export async function exportAllOrganisations(db: Db, dir: string): Promise<Array<{ orgId: string; train: number; eval: number }>> {
  const orgs = await db.select({ id: organizations.id }).from(organizations);
  const out: Array<{ orgId: string; train: number; eval: number }> = [];
  for (const o of orgs) {
    const r = await exportTrainingFiles(db, o.id, path.join(dir, o.id, "train.jsonl"));
    out.push({ orgId: o.id, train: r.train.count, eval: r.eval.count });
  }
  return out;
}

/** Starts the schedule when a folder is configured; stop() on shutdown. */
export function startScheduledExports(db: Db, dataDir: string, logger: Logger, schedule: FinetuneSchedule = finetuneScheduleFromEnv()): { stop(): void } {
  const task: ScheduledTask = cron.schedule(
    schedule.cron,
    async () => {
      try {
        const removed = await sweepStaleUploads(db, dataDir, new Date());
        if (removed) logger.info({ removed }, "abandoned model uploads discarded");
        if (!schedule.dir) return;
        const written = await exportAllOrganisations(db, schedule.dir);
        logger.info({ dir: schedule.dir, organisations: written.length, examples: written.reduce((s, w) => s + w.train + w.eval, 0) }, "training data exported");
      } catch (err) {
        logger.error({ err }, "scheduled training data export failed");
      }
    },
    { name: "finetune-export", noOverlap: true },
  );
  return {
    stop: () => {
      void task.stop();
    },
  };
}
