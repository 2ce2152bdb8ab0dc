// A worker process for the multi-process tests (processes.test.ts): a real child process on the
// database in DATABASE_URL, running a fake run that writes one model row per step (upserts, as the
// real run does) and records each invocation as an event. Prints "ready" when it takes jobs.
//
//   DATABASE_URL=postgres://... WORKER_CONCURRENCY=1 tsx server/jobs/test-worker-process.ts
import { eq } from "drizzle-orm";
import { openDatabase } from "../db/client.ts";
import { migrationEvents, migrationModels, migrations } from "../db/schema/migrations.ts";
import { createLogger } from "../log.ts";
import { startJobs } from "./index.ts";
import type { RunFn } from "./worker.ts";

const url = process.env.DATABASE_URL;
if (!url) throw new Error("DATABASE_URL is required");
const database = await openDatabase({ kind: "postgres", url });

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    const onAbort = () => (clearTimeout(t), resolve());
    const t = setTimeout(() => (signal.removeEventListener("abort", onAbort), resolve()), ms);
    signal.addEventListener("abort", onAbort, { once: true });
  });

const run: RunFn = async (ctx) => {
  await ctx.db.insert(migrationEvents).values({ migrationId: ctx.migrationId, orgId: ctx.orgId, stage: "test", message: "run invoked", data: { type: "invocation", pid: process.pid } });
  const [m] = await ctx.db.select({ config: migrations.config }).from(migrations).where(eq(migrations.id, ctx.migrationId));
  const options = (m?.config.options ?? {}) as { objects?: number; stepMs?: number };
  for (let i = 0; i < (options.objects ?? 5); i++) {
    if (ctx.signal.aborted) return { status: "cancelled" };
    const row = { migrationId: ctx.migrationId, orgId: ctx.orgId, sourceSchema: "dbo", sourceName: `T${i}`, sourceKind: "table", status: "converted" };
    await ctx.db
      .insert(migrationModels)
      .values(row)
      .onConflictDoUpdate({ target: [migrationModels.migrationId, migrationModels.sourceSchema, migrationModels.sourceName, migrationModels.sourceKind], set: { status: "converted" } });
    await sleep(options.stepMs ?? 50, ctx.signal);
  }
  return { status: "completed" };
};

const jobs = await startJobs({
  database,
  logger: createLogger((process.env.LOG_LEVEL as "silent" | undefined) ?? "silent"),
  run,
  options: {
    concurrency: Number(process.env.WORKER_CONCURRENCY ?? 1),
    orgConcurrency: 8,
    pollMs: 50,
    heartbeatMs: 100,
    staleMs: 1500,
    sweepMs: 300,
  },
});
process.stdout.write("ready\n");
const stop = async () => {
  await jobs.stop();
  await database.close();
  process.exit(0);
};
process.once("SIGTERM", () => void stop());
process.once("SIGINT", () => void stop());
