// A worker killed mid-run (a real process, SIGKILL) resumes from its checkpoint: no object lost or
// duplicated, and no model answer asked for twice. Needs a real Postgres (the embedded PGlite is
// single-process): skipped without TEST_DATABASE_URL.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { asc, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDb, type TestDb } from "../../test/support/db.ts";
import { migrationEvents, migrationModels, migrations } from "../db/schema/migrations.ts";
import { createRunFixture } from "./testing.ts";

const VIEWS = 6;
// Six views the rules refuse (CHECKSUM), each over its own table: six execute steps.
const SQL = Array.from({ length: VIEWS }, (_, i) => i + 1)
  .map((i) => `CREATE TABLE dbo.T${i} (id int NOT NULL PRIMARY KEY, name nvarchar(20) NOT NULL);\nGO\nCREATE VIEW dbo.vT${i} AS SELECT id, CHECKSUM(name) AS h FROM dbo.T${i};\nGO\n`)
  .join("");

const root = path.resolve(fileURLToPath(new URL("../..", import.meta.url)));
const tsx = path.join(root, "node_modules/.bin/tsx");

function child(env: Record<string, string>): ChildProcess {
  return spawn(tsx, [path.join(root, "server/agents/testing-child.ts")], { cwd: root, env: { ...process.env, ...env }, stdio: ["ignore", "ignore", "pipe"] });
}
const lines = (f: string) => (existsSync(f) ? readFileSync(f, "utf8").split("\n").filter(Boolean) : []);

describe.skipIf(!process.env.TEST_DATABASE_URL)("resume after SIGKILL (real process, Postgres checkpointer)", { timeout: 300_000 }, () => {
  let testDb: TestDb;
  beforeAll(async () => {
    testDb = await createTestDb();
  });
  afterAll(async () => {
    await testDb?.dispose();
  });

  it("a worker killed while waiting for a model resumes: every object once, finished answers not asked again", async () => {
    const { db, url } = testDb;
    const { orgId, migrationId } = await createRunFixture(db, { sql: Buffer.from(SQL), config: {} });
    const calls = path.join(mkdtempSync(path.join(tmpdir(), "dm-agents-")), "calls.txt");
    const env = { DATABASE_URL: url!, VALIDATION_DATABASE_URL: url!, ORG_ID: orgId, MIGRATION_ID: migrationId, CALLS_FILE: calls };

    // Run 1: the 4th model call (assess summary + 2 execute answers before it) never answers.
    const first = child({ ...env, HANG_AT: "4" });
    let stderr = "";
    first.stderr!.on("data", (d) => (stderr += String(d)));
    const exited = new Promise<number | null>((resolve) => first.on("exit", (code, signal) => resolve(signal ? -1 : code)));
    for (let i = 0; i < 600 && !lines(calls).some((l) => l.startsWith("waiting")); i++) {
      if (first.exitCode !== null) throw new Error(`worker exited early: ${stderr}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(lines(calls).some((l) => l.startsWith("waiting"))).toBe(true);
    first.kill("SIGKILL");
    expect(await exited).toBe(-1);
    const beforeKill = lines(calls).filter((l) => l.startsWith("answered"));
    expect(beforeKill).toEqual(["answered assess ", "answered execute dbo.vT1", "answered execute dbo.vT2"]);

    // Run 2: a fresh process on the same migration.
    const second = child(env);
    second.stderr!.on("data", (d) => (stderr += String(d)));
    const code = await new Promise<number | null>((resolve) => second.on("exit", (c) => resolve(c)));
    expect(code, stderr).toBe(0);

    const answered = lines(calls).filter((l) => l.startsWith("answered"));
    // Each view answered exactly once over both processes; assess was not run again.
    expect(answered.filter((l) => l.startsWith("answered execute")).sort()).toEqual(Array.from({ length: VIEWS }, (_, i) => `answered execute dbo.vT${i + 1}`));
    expect(answered.filter((l) => l.startsWith("answered assess")).length).toBe(1);
    expect(answered.filter((l) => l.startsWith("answered rebuild")).length).toBe(0);

    const rows = await db.select().from(migrationModels).where(eq(migrationModels.migrationId, migrationId)).orderBy(asc(migrationModels.sourceName));
    expect(rows.length).toBe(VIEWS * 2);
    expect(new Set(rows.map((r) => `${r.sourceSchema}.${r.sourceName}.${r.sourceKind}`)).size).toBe(rows.length);
    for (const r of rows.filter((x) => x.sourceKind === "view")) {
      expect(r.evidenceGrade, r.sourceName).toBe("ran");
      expect(r.attempts, r.sourceName).toBe(1);
    }
    const events = await db.select().from(migrationEvents).where(eq(migrationEvents.migrationId, migrationId));
    expect(events.filter((e) => e.message.startsWith("run resumed from checkpoint at execute")).length).toBe(1);
    expect(events.filter((e) => e.message === "run started").map((e) => e.data.checkpointer)).toEqual(["postgres"]);
    const [m] = await db.select().from(migrations).where(eq(migrations.id, migrationId));
    expect(m!.stages.map((s) => [s.name, s.status])).toEqual([["assess", "completed"], ["plan", "completed"], ["execute", "completed"], ["test", "completed"], ["rebuild", "skipped"], ["optimize", "completed"]]);
    expect((m!.report as { agents: { accepted: string[] } }).agents.accepted.length).toBe(VIEWS);
  });
});
