// Several real worker processes on one Postgres database: no job runs twice, and a worker killed
// with SIGKILL mid-run has its run picked up by another and completed, with no object duplicated.
// Needs a real Postgres (PGlite is one process by design): skipped without TEST_DATABASE_URL.
import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";
import { and, eq, sql } from "drizzle-orm";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createTestDb, type TestDb } from "../../test/support/db.ts";
import { migrationEvents, migrationModels } from "../db/schema/migrations.ts";
import { createLogger } from "../log.ts";
import { startJobs, type Jobs } from "./index.ts";
import { startMigration } from "./start.ts";
import { makeOrg, waitFor, waitForStatus } from "./test-support.ts";

const ROOT = path.resolve(import.meta.dirname, "../..");
const WORKER = path.join(ROOT, "server", "jobs", "test-worker-process.ts");

const hasPostgres = !!process.env.TEST_DATABASE_URL;
if (!hasPostgres) {
  // eslint-disable-next-line no-console
  console.warn("processes.test.ts: skipped (set TEST_DATABASE_URL: several processes need a real Postgres)");
}

describe.skipIf(!hasPostgres)("worker processes sharing one database", () => {
  let testDb: TestDb;
  let jobs: Jobs;
  const children: ChildProcess[] = [];

  beforeAll(async () => {
    testDb = await createTestDb();
    // This process only sends jobs (like an API-only server); the children run them.
    jobs = await startJobs({ database: testDb.handle, logger: createLogger("silent"), options: { concurrency: 0 } });
  });
  afterEach(async () => {
    for (const c of children.splice(0)) {
      if (c.exitCode === null && c.signalCode === null) {
        c.kill("SIGTERM");
        await new Promise((r) => c.once("exit", r));
      }
    }
  });
  afterAll(async () => {
    await jobs?.stop();
    await testDb?.dispose();
  });

  async function spawnWorker(concurrency = 1): Promise<ChildProcess> {
    // node --import tsx, not the tsx CLI: the CLI runs the script in a grandchild, which a SIGKILL
    // of the child would not reach.
    const child = spawn(process.execPath, ["--import", "tsx", WORKER], {
      cwd: ROOT,
      env: { ...process.env, DATABASE_URL: testDb.url!, WORKER_CONCURRENCY: String(concurrency) },
      stdio: ["ignore", "pipe", "inherit"],
    });
    children.push(child);
    await new Promise<void>((resolve, reject) => {
      let out = "";
      child.stdout!.on("data", (d: Buffer) => {
        out += d.toString();
        if (out.includes("ready")) resolve();
      });
      child.once("exit", (code) => reject(new Error(`worker exited early (${code})`)));
    });
    return child;
  }

  async function invocations(migrationId: string): Promise<number[]> {
    const rows = await testDb.db
      .select({ data: migrationEvents.data })
      .from(migrationEvents)
      .where(and(eq(migrationEvents.migrationId, migrationId), eq(migrationEvents.stage, "test")))
      .orderBy(migrationEvents.id);
    return rows.map((r) => Number(r.data.pid));
  }

  it("two processes share the queue and never run a migration twice", async () => {
    const orgs = [await makeOrg(testDb.db), await makeOrg(testDb.db)];
    const deps = { database: testDb.handle };
    const [a, b] = await Promise.all([spawnWorker(1), spawnWorker(1)]);
    const ids: string[] = [];
    for (let i = 0; i < 8; i++) {
      const o = orgs[i % 2]!;
      const m = await startMigration(deps, { ...o, name: `p${i}`, target: "postgres", options: { objects: 4, stepMs: 100 } });
      ids.push(m.id);
    }
    for (const id of ids) await waitForStatus(testDb.db, id, ["completed", "failed", "cancelled"], 60_000);
    const runs = await Promise.all(ids.map(invocations));
    // Exactly one invocation per migration, and both processes took part.
    expect(runs.map((r) => r.length)).toEqual(ids.map(() => 1));
    const pids = new Set(runs.flat());
    expect(pids).toEqual(new Set([a!.pid, b!.pid]));
    for (const id of ids) expect((await waitForStatus(testDb.db, id, ["completed"])).status).toBe("completed");
  }, 180_000);

  it("a worker killed with SIGKILL mid-run: another process resumes the run, which completes with no object lost or duplicated", async () => {
    const o = await makeOrg(testDb.db);
    const m = await startMigration({ database: testDb.handle }, { ...o, name: "killed", target: "postgres", options: { objects: 12, stepMs: 150 } });
    const a = await spawnWorker(1);
    const rowsOf = async () => {
      const [r] = await testDb.db.select({ n: sql<number>`count(*)::int` }).from(migrationModels).where(eq(migrationModels.migrationId, m.id));
      return Number(r?.n ?? 0);
    };
    await waitFor("the run to write some objects", async () => (await rowsOf()) >= 3);
    a.kill("SIGKILL");
    await new Promise((r) => a.once("exit", r));
    expect(await rowsOf()).toBeLessThan(12);
    const b = await spawnWorker(1);
    const done = await waitForStatus(testDb.db, m.id, ["completed", "failed", "cancelled"], 60_000);
    expect(done.status).toBe("completed");
    expect(await invocations(m.id)).toEqual([a.pid, b.pid]);
    expect(await rowsOf()).toBe(12);
    const distinct = await testDb.db.execute(sql`select count(distinct source_name)::int as n from migration_models where migration_id = ${m.id}`);
    expect(Number((distinct as unknown as { n: number }[])[0]!.n)).toBe(12);
    const types = (await testDb.db.select({ data: migrationEvents.data }).from(migrationEvents).where(and(eq(migrationEvents.migrationId, m.id), eq(migrationEvents.stage, "queue")))).map((e) => e.data.type);
    expect(types).toEqual(["started", "resumed", "finished"]);
  }, 180_000);
});
