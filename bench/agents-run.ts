// Agent-graph benchmark (issue 7): a whole migration run of a corpus database through runMigration
// with no model reachable: sources stored in the app database, read, assessed, planned, converted,
// validated (synthesised data), optimised, persisted. Target: AdventureWorks OLTP in under 30 s.
//   DATAMIGRATE_CORPUS=/work/corpus npx tsx bench/agents-run.ts [name] [--validation-url URL] [--runs N]
// Names as in test/convert/corpus.ts (default adventureworks-oltp). The app database is an
// in-memory PGlite; validation runs on an embedded PGlite in a worker unless --validation-url.
import path from "node:path";
import { sqlUpload } from "./sql-upload.ts";
import { eq } from "drizzle-orm";
import { pino } from "pino";
import { CORPUS_DATABASES } from "../test/convert/corpus.ts";
import { openDatabase } from "../server/db/client.ts";
import { migrateDatabase } from "../server/db/migrate.ts";
import { migrationModels, migrations } from "../server/db/schema/migrations.ts";
import { runMigration } from "../server/agents/run.ts";
import { createRunFixture } from "../server/agents/testing.ts";

const root = process.env.DATAMIGRATE_CORPUS;
if (!root) {
  console.log("DATAMIGRATE_CORPUS is not set: skipping (the corpus is not part of the repository)");
  process.exit(0);
}
const args = process.argv.slice(2);
const opt = (name: string) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const name = args.find((a, i) => !a.startsWith("--") && !(i > 0 && args[i - 1]!.startsWith("--"))) ?? "adventureworks-oltp";
const validationUrl = opt("--validation-url");
const runs = Number(opt("--runs") ?? "1");
const rel = CORPUS_DATABASES[name];
if (!rel) throw new Error(`unknown database ${name}; one of ${Object.keys(CORPUS_DATABASES).join(", ")}`);

const log = pino({ level: "silent" });
for (let run = 1; run <= runs; run++) {
  const handle = await openDatabase({ kind: "pglite-memory" });
  await migrateDatabase(handle);
  const sql = sqlUpload(path.join(root, rel[0]!));
  const { orgId, migrationId } = await createRunFixture(handle.db, { sql, filename: `${name}.sql`, config: {} });
  const started = performance.now();
  const r = await runMigration({ db: handle.db, orgId, migrationId, signal: new AbortController().signal, log, ...(validationUrl ? { validationDatabaseUrl: validationUrl } : {}) });
  const wall = performance.now() - started;
  const [m] = await handle.db.select().from(migrations).where(eq(migrations.id, migrationId));
  const rows = await handle.db.select({ grade: migrationModels.evidenceGrade, tier: migrationModels.tier }).from(migrationModels).where(eq(migrationModels.migrationId, migrationId));
  const grades: Record<string, number> = {};
  const tiers: Record<string, number> = {};
  for (const x of rows) {
    grades[x.grade ?? "none"] = (grades[x.grade ?? "none"] ?? 0) + 1;
    tiers[x.tier ?? "none"] = (tiers[x.tier ?? "none"] ?? 0) + 1;
  }
  const stageMs = m!.stages.map((s) => `${s.name} ${s.startedAt && s.finishedAt ? `${Date.parse(s.finishedAt) - Date.parse(s.startedAt)} ms` : s.status}`);
  console.log(
    `${name} run ${run}: ${r.status}${r.error ? ` (${r.error})` : ""} in ${(wall / 1000).toFixed(1)} s (validation on ${validationUrl ? "Postgres" : "PGlite in a worker thread"})\n` +
      `  stages: ${stageMs.join(", ")}\n  objects ${rows.length}; grades ${JSON.stringify(grades)}; tiers ${JSON.stringify(tiers)}`,
  );
  await handle.close();
}
