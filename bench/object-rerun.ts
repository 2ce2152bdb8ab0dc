// Re-running one object of a finished run (server/jobs/rerun.ts): how long translate, validate and
// rebuild of ONE object take, against the whole run it replaces a re-run of.
//   npx tsx bench/object-rerun.ts [source.sql | folder of .sql] [--object schema.name] [--validation-url URL] [--runs N] [--all]
// --all: re-validates EVERY object that has a model, one by one, and compares each grade with the
// whole run's (a re-run validates the object's model with only what it reads).
// Default source: the shop fixture (server/agents/fixtures/shop.sql). A folder's .sql files are
// concatenated with GO (an SSDT project such as test/fixtures/shop-ssdt). The app database is an
// in-memory PGlite; validation runs on an embedded PGlite in a worker unless --validation-url.
import { statSync } from "node:fs";
import path from "node:path";
import { sqlUpload } from "./sql-upload.ts";
import { fileURLToPath } from "node:url";
import { and, eq } from "drizzle-orm";
import { pino } from "pino";
import { openDatabase } from "../server/db/client.ts";
import { migrateDatabase } from "../server/db/migrate.ts";
import { migrationModels, migrations } from "../server/db/schema/migrations.ts";
import { runMigration } from "../server/agents/run.ts";
import { createRunFixture } from "../server/agents/testing.ts";
import { claimObjectRerun, requestObjectRerun } from "../server/jobs/rerun.ts";
import { executeObjectRerun } from "../server/jobs/rerun-run.ts";
import { startJobs } from "../server/jobs/index.ts";
import { migrationObjectRuns } from "../server/db/schema/migrations.ts";

const args = process.argv.slice(2);
const opt = (name: string) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const source = args.find((a, i) => !a.startsWith("--") && !(i > 0 && args[i - 1]!.startsWith("--"))) ?? fileURLToPath(new URL("../server/agents/fixtures/shop.sql", import.meta.url));
const validationUrl = opt("--validation-url");
const runs = Number(opt("--runs") ?? "3");
const wanted = opt("--object");

const log = pino({ level: "silent" });
const handle = await openDatabase({ kind: "pglite-memory" });
await migrateDatabase(handle);
const db = handle.db;
const { orgId, migrationId } = await createRunFixture(db, { sql: sqlUpload(source), filename: `${path.basename(source)}${statSync(source).isFile() ? "" : ".sql"}`, config: {} });
const v = validationUrl ? { validationDatabaseUrl: validationUrl } : {};
const t0 = performance.now();
const r = await runMigration({ db, orgId, migrationId, signal: new AbortController().signal, log, ...v });
const whole = performance.now() - t0;
await db.update(migrations).set({ status: "completed", finishedAt: new Date() }).where(eq(migrations.id, migrationId));
const objects = await db.select().from(migrationModels).where(eq(migrationModels.migrationId, migrationId));
const target =
  (wanted ? objects.find((o) => `${o.sourceSchema}.${o.sourceName}`.toLowerCase() === wanted.toLowerCase()) : undefined) ??
  objects.filter((o) => o.sourceKind === "view" && o.modelPath && o.evidenceGrade !== "failed").sort((a, b) => a.sourceName.localeCompare(b.sourceName))[0]!;
const grades: Record<string, number> = {};
for (const o of objects) grades[o.evidenceGrade ?? "none"] = (grades[o.evidenceGrade ?? "none"] ?? 0) + 1;
console.log(
  `${path.basename(source)}: whole run ${r.status} in ${(whole / 1000).toFixed(1)} s, ${objects.length} objects (grades ${JSON.stringify(grades)}); re-running ${target.sourceKind} ${target.sourceSchema}.${target.sourceName} (${target.evidenceGrade}); validation on ${validationUrl ? "Postgres" : "PGlite in a worker thread"}`,
);
for (const kind of ["translate", "validate", "rebuild"] as const) {
  const times: number[] = [];
  let last = "";
  for (let i = 0; i < runs; i++) {
    const req = await requestObjectRerun({ database: handle }, { orgId, userId: null, migrationId, objectId: target.id, kind });
    if (req.kind !== "queued") throw new Error(`not queued: ${JSON.stringify(req)}`);
    const run = (await claimObjectRerun(db, req.run.id, orgId))!;
    const s = performance.now();
    const out = await executeObjectRerun({ db, log, signal: new AbortController().signal, ...v }, run);
    times.push(performance.now() - s);
    last = `${JSON.stringify(out.detail.timingsMs)} → ${out.after.status}/${out.after.evidenceGrade}`;
  }
  times.sort((a, b) => a - b);
  console.log(`  ${kind}: median ${(times[Math.floor(times.length / 2)]! / 1000).toFixed(2)} s (min ${(times[0]! / 1000).toFixed(2)}, max ${(times[times.length - 1]! / 1000).toFixed(2)}; ${runs} runs); last ${last}`);
}
{
  // Through the job queue, as the API and the page ask for it: request → the worker's claim → completed.
  if (validationUrl) process.env.VALIDATION_DATABASE_URL = validationUrl;
  const jobs = await startJobs({ database: handle, logger: log, run: async () => ({ status: "completed" }) });
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const s = performance.now();
    const req = await requestObjectRerun({ database: handle }, { orgId, userId: null, migrationId, objectId: target.id, kind: "validate" });
    if (req.kind !== "queued") throw new Error(`not queued: ${JSON.stringify(req)}`);
    for (;;) {
      const [x] = await db.select({ status: migrationObjectRuns.status, error: migrationObjectRuns.error }).from(migrationObjectRuns).where(eq(migrationObjectRuns.id, req.run.id));
      if (x!.status === "failed") throw new Error(x!.error ?? "failed");
      if (x!.status === "completed") break;
      await new Promise((r) => setTimeout(r, 20));
    }
    times.push(performance.now() - s);
  }
  await jobs.stop();
  times.sort((a, b) => a - b);
  console.log(`  validate through the queue (request → completed, polled every 20 ms): median ${(times[Math.floor(times.length / 2)]! / 1000).toFixed(2)} s (min ${(times[0]! / 1000).toFixed(2)}, max ${(times[times.length - 1]! / 1000).toFixed(2)}; ${runs} runs)`);
}
if (args.includes("--all")) {
  const differ: string[] = [];
  let n = 0;
  const s = performance.now();
  for (const o of objects.filter((x) => x.modelPath)) {
    const req = await requestObjectRerun({ database: handle }, { orgId, userId: null, migrationId, objectId: o.id, kind: "validate" });
    if (req.kind !== "queued") throw new Error(`not queued: ${JSON.stringify(req)}`);
    const out = await executeObjectRerun({ db, log, signal: new AbortController().signal, ...v }, (await claimObjectRerun(db, req.run.id, orgId))!);
    n++;
    if (out.after.evidenceGrade !== o.evidenceGrade) differ.push(`${o.sourceKind} ${o.sourceSchema}.${o.sourceName}: run ${o.evidenceGrade}, re-run ${out.after.evidenceGrade} ${JSON.stringify((out.detail as { validation?: unknown }).validation)}`);
  }
  console.log(`  --all: ${n} objects re-validated one by one in ${((performance.now() - s) / 1000).toFixed(1)} s; ${differ.length} grade(s) differ from the whole run${differ.length ? `:\n    ${differ.join("\n    ")}` : ""}`);
}
const [row] = await db.select({ grade: migrationModels.evidenceGrade }).from(migrationModels).where(and(eq(migrationModels.id, target.id)));
console.log(`  object afterwards: ${row!.grade}`);
await handle.close();
