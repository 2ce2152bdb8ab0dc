// Job settings from the environment (documented in `datamigrate serve --help`). Kept here rather
// than in server/config.ts while that file is being changed by others; it reads the same env.
import { z } from "zod";
import { ConfigError } from "../config.ts";
import type { WorkerOptions } from "./worker.ts";

const count = (max: number) =>
  z.coerce
    .number({ message: `expected an integer between 0 and ${max}` })
    .int({ message: `expected an integer between 0 and ${max}` })
    .min(0, { message: `expected an integer between 0 and ${max}` })
    .max(max, { message: `expected an integer between 0 and ${max}` });

const schema = z.object({
  /** Runs at once in this process; 0: this process runs none (API only). */
  MIGRATION_WORKERS: count(64).default(2),
  /** Runs at once per organisation across all processes. */
  MIGRATION_ORG_CONCURRENCY: count(64).refine((n) => n >= 1, { message: "expected at least 1" }).default(2),
  /** A run still going after this many minutes is stopped and failed (JOB1001). */
  MIGRATION_TIMEOUT_MINUTES: z.coerce
    .number({ message: "expected a number of minutes" })
    .positive({ message: "expected a positive number of minutes" })
    .max(20 * 60, { message: "at most 1200 minutes" })
    .default(60),
});

export function jobsConfigFromEnv(env: NodeJS.ProcessEnv = process.env): Partial<WorkerOptions> {
  const raw: Record<string, string> = {};
  for (const k of Object.keys(schema.shape)) if (env[k] !== undefined && env[k] !== "") raw[k] = env[k]!;
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((i) => `${String(i.path[0])}: ${i.message} (got '${raw[String(i.path[0])]}')`));
  }
  const e = parsed.data;
  return { concurrency: e.MIGRATION_WORKERS, orgConcurrency: e.MIGRATION_ORG_CONCURRENCY, runTimeoutMs: Math.round(e.MIGRATION_TIMEOUT_MINUTES * 60_000) };
}
