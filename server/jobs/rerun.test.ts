// Re-running one object of a finished run: only that object's result changes (with its history),
// the run's report and files follow, and a re-run that cannot finish changes nothing. The last
// test goes through the job queue and the worker, with the audit trail.
import { and, asc, eq, sql } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { withTestDb } from "../../test/support/db.ts";
import { runMigration } from "../agents/run.ts";
import { BAD_CHECKSUM_SQL, GOOD_CHECKSUM_SQL, createRunFixture, scriptedRouter, silentLog } from "../agents/testing.ts";
import type { Db } from "../db/client.ts";
import { migrationFiles, migrationModels, migrationObjectRuns, migrations, type MigrationModel } from "../db/schema/migrations.ts";
import { createLogger } from "../log.ts";
import { startJobs } from "./index.ts";
import type { JobQueue } from "./queue.ts";
import { RerunWorker } from "./rerun-worker.ts";
import { loadWorkspace } from "../agents/workspace.ts";
import { claimObjectRerun, requestObjectRerun, RerunError } from "./rerun.ts";
import { executeObjectRerun, projectFor, scopeToProject } from "./rerun-run.ts";
import { waitFor } from "./test-support.ts";

const t = withTestDb();
const logger = createLogger("silent");

async function rows(db: Db, migrationId: string): Promise<MigrationModel[]> {
  return db.select().from(migrationModels).where(eq(migrationModels.migrationId, migrationId)).orderBy(asc(migrationModels.sourceName));
}
const byName = (rs: MigrationModel[], n: string) => rs.find((r) => r.sourceName === n)!;
/** A row without its timestamps, for comparing what a re-run left alone. */
const plain = ({ updatedAt: _u, createdAt: _c, ...r }: MigrationModel) => r;

describe("re-running one object", { timeout: 300_000 }, () => {
  let orgId = "";
  let migrationId = "";
  let userId: string | null = null;
  let original: MigrationModel[] = [];
  const vdb = () => (t.url ? { validationDatabaseUrl: t.url } : {});
  const ctx = () => ({ db: t.db, log: silentLog, signal: new AbortController().signal, ...vdb() });

  beforeAll(async () => {
    // A finished run of the shop fixture (PGlite in process when there is no test Postgres: no statement timeout).
    const f = await createRunFixture(t.db, { config: { options: t.url ? {} : { statementTimeoutMs: 0 } } });
    orgId = f.orgId;
    migrationId = f.migrationId;
    expect(await runMigration({ db: t.db, orgId, migrationId, signal: new AbortController().signal, log: silentLog, ...vdb() })).toEqual({ status: "completed" });
    await t.db.update(migrations).set({ status: "completed", finishedAt: new Date() }).where(eq(migrations.id, migrationId));
    original = await rows(t.db, migrationId);
  });

  it("the run stores where each object's source text starts in its file", () => {
    const v = byName(original, "vCustomerOrders");
    expect(v.sourceFile).toBe("shop.sql");
    expect(v.sourceLine).toBe(5);
    expect(v.sourceSql!.split("\n")[0]).toBe("CREATE VIEW dbo.vCustomerOrders AS");
    // Tables have no module text, so no start line either.
    expect(byName(original, "Customer").sourceLine).toBeNull();
  });

  it("re-translating one object restores its rules' translation and changes no other object; history, file and report follow", async () => {
    const target = byName(original, "vCustomerOrders");
    const other = byName(original, "vPivot");
    // Damage two objects' results; only the re-run object may be repaired.
    await t.db.update(migrationModels).set({ generatedSql: "select 1 as tampered", status: "needs_review", evidenceGrade: "failed" }).where(eq(migrationModels.id, target.id));
    await t.db.update(migrationModels).set({ generatedSql: "select 2 as tampered" }).where(eq(migrationModels.id, other.id));
    await t.db.update(migrationFiles).set({ content: "select 1 as tampered" }).where(and(eq(migrationFiles.migrationId, migrationId), eq(migrationFiles.path, target.modelPath!)));
    const damaged = await rows(t.db, migrationId);

    const req = await requestObjectRerun({ database: t.handle }, { orgId, userId, migrationId, objectId: target.id, kind: "translate" });
    expect(req.kind).toBe("queued");
    const run = await claimObjectRerun(t.db, (req as { run: { id: string } }).run.id, orgId);
    expect(run?.status).toBe("running");
    const out = await executeObjectRerun(ctx(), run!);

    const now = await rows(t.db, migrationId);
    const fixed = byName(now, "vCustomerOrders");
    expect(fixed.generatedSql).toBe(target.generatedSql);
    expect(fixed.status).toBe(target.status);
    // New SQL without a validation of it: compiled, its old evidence dropped.
    expect(fixed.evidenceGrade).toBe("compiled");
    expect(fixed.validation).toBeNull();
    expect(fixed.sourceLine).toBe(5);
    // Every other row is exactly as it was (the other damaged one stays damaged).
    for (const r of now.filter((x) => x.id !== target.id)) expect(plain(r), r.sourceName).toEqual(plain(byName(damaged, r.sourceName)));
    expect(byName(now, "vPivot").generatedSql).toBe("select 2 as tampered");

    const [hist] = await t.db.select().from(migrationObjectRuns).where(eq(migrationObjectRuns.id, run!.id));
    expect(hist).toMatchObject({ status: "completed", kind: "translate", error: null });
    expect(hist!.before).toMatchObject({ status: "needs_review", evidenceGrade: "failed" });
    expect(hist!.after).toMatchObject({ status: target.status, evidenceGrade: "compiled" });
    expect(hist!.before!.generatedSqlHash).not.toBe(hist!.after!.generatedSqlHash);
    expect(out.after).toEqual(hist!.after);
    const [file] = await t.db.select().from(migrationFiles).where(and(eq(migrationFiles.migrationId, migrationId), eq(migrationFiles.path, target.modelPath!)));
    expect(file!.content).toBe(target.generatedSql);
    const [m] = await t.db.select().from(migrations).where(eq(migrations.id, migrationId));
    const report = m!.report as { objects: Array<{ name: string; evidence?: string }>; summary: { objects: number } };
    expect(report.objects.find((o) => o.name === "vCustomerOrders")!.evidence).toBe("compiled");
    expect(report.summary.objects).toBe(report.objects.length);
    const [json] = await t.db.select().from(migrationFiles).where(and(eq(migrationFiles.migrationId, migrationId), eq(migrationFiles.path, "report.json")));
    expect(JSON.parse(json!.content).objects.find((o: { name: string }) => o.name === "vCustomerOrders").evidence).toBe("compiled");
  });

  it("re-validating the object runs its model on Postgres again and restores its evidence", async () => {
    const target = byName(original, "vCustomerOrders");
    const req = await requestObjectRerun({ database: t.handle }, { orgId, userId, migrationId, objectId: target.id, kind: "validate" });
    const run = await claimObjectRerun(t.db, (req as { run: { id: string } }).run.id, orgId);
    await executeObjectRerun(ctx(), run!);
    const fixed = byName(await rows(t.db, migrationId), "vCustomerOrders");
    expect(fixed.evidenceGrade).toBe(target.evidenceGrade);
    expect((fixed.validation as { models: Array<{ status: string }> }).models[0]!.status).toBe("ran");
    const [hist] = await t.db.select().from(migrationObjectRuns).where(eq(migrationObjectRuns.id, run!.id));
    expect(hist!.before).toMatchObject({ evidenceGrade: "compiled" });
    expect(hist!.after).toMatchObject({ evidenceGrade: target.evidenceGrade });
    expect((hist!.detail as { validation: { models: number } }).validation.models).toBeGreaterThanOrEqual(1);
  });

  it("the validated part of the project is the model, what it reads and what its tests compare with, with the stored SQL", () => {
    const project = {
      name: "p",
      models: [
        { name: "a", path: "models/marts/a.sql", sql: "select * from {{ ref('b') }}", config: {}, columns: [], data_tests: [] },
        { name: "b", path: "models/marts/b.sql", sql: "select 1", config: {}, columns: [], data_tests: [] },
        { name: "c", path: "models/marts/c.sql", sql: "select 2", config: {}, columns: [], data_tests: [] },
        { name: "d", path: "models/marts/d.sql", sql: "select 3", config: {}, columns: [], data_tests: [] },
        { name: "e", path: "models/marts/e.sql", sql: "select 4", config: {}, columns: [], data_tests: [] },
        // b's tests check against d (as text) and e (as the converter writes it): both must run too.
      ].map((m) =>
        m.name === "b"
          ? { ...m, columns: [{ name: "x", data_tests: [{ relationships: { to: "ref('d')", field: "x" } }, { test: "relationships", to: { kind: "ref", model: "e" }, field: "x" }] }] }
          : m,
      ),
    };
    const sub = projectFor({ project } as never, "models/marts/a.sql", new Map([["models/marts/b.sql", "select 1 as stored"]]));
    expect(sub.models.map((m) => [m.name, m.sql])).toEqual([
      ["a", "select * from {{ ref('b') }}"],
      ["b", "select 1 as stored"],
      ["d", "select 3"],
      ["e", "select 4"],
    ]);
    // A function's "model" is a macro: no model is made up for it.
    expect(projectFor({ project } as never, "macros/udf/f.sql", new Map([["macros/udf/f.sql", "{% macro f() %}{% endmacro %}"]])).models).toEqual([]);
  });

  it("the validation scratch holds only the tables the model reads and their foreign-key parents", async () => {
    const w = await loadWorkspace(t.db, orgId, migrationId);
    const tablesFor = (name: string) => {
      const { catalog, project } = scopeToProject(w, projectFor(w.base, byName(original, name).modelPath!, new Map()));
      return { tables: catalog.objects.filter((o) => o.kind === "table").map((o) => o.id).sort(), sources: project.sources.flatMap((s) => s.tables.map((x) => x.name)).sort() };
    };
    expect(tablesFor("Customer")).toEqual({ tables: ["dbo.Customer"], sources: ["customer"] });
    // vPivot reads Orders only; Orders references Customer, whose rows the synthesised orders need.
    expect(tablesFor("vPivot").tables).toEqual(["dbo.Customer", "dbo.Orders"]);
    expect(tablesFor("vPivot").sources).toEqual(["customer", "orders"]);
  });

  it("a re-run while the migration runs again fails with JOB2005 and changes nothing", async () => {
    const target = byName(original, "vXml");
    const before = await rows(t.db, migrationId);
    const req = await requestObjectRerun({ database: t.handle }, { orgId, userId, migrationId, objectId: target.id, kind: "rebuild" });
    const run = await claimObjectRerun(t.db, (req as { run: { id: string } }).run.id, orgId);
    await t.db.update(migrations).set({ status: "running" }).where(eq(migrations.id, migrationId));
    try {
      await expect(executeObjectRerun(ctx(), run!)).rejects.toThrow(RerunError);
    } finally {
      await t.db.update(migrations).set({ status: "completed" }).where(eq(migrations.id, migrationId));
    }
    expect((await rows(t.db, migrationId)).map(plain)).toEqual(before.map(plain));
    await t.db.update(migrationObjectRuns).set({ status: "failed" }).where(eq(migrationObjectRuns.id, run!.id));
  });

  it("through the queue: the worker runs a requested rebuild, ends it completed, and the request and the end are audited", async () => {
    const target = byName(original, "vChecksum");
    const jobs = await startJobs({ database: t.handle, logger, run: async () => ({ status: "completed" }), options: { pollMs: 50, heartbeatMs: 50, sweepMs: 200, staleMs: 5000 } });
    try {
      const req = await requestObjectRerun({ database: t.handle }, { orgId, userId, migrationId, objectId: target.id, kind: "rebuild" });
      expect(req.kind).toBe("queued");
      const id = (req as { run: { id: string } }).run.id;
      const done = await waitFor(
        "the re-run to end",
        async () => {
          const [r] = await t.db.select().from(migrationObjectRuns).where(eq(migrationObjectRuns.id, id));
          return r && (r.status === "completed" || r.status === "failed") ? r : undefined;
        },
        240_000,
        100,
      );
      expect(done.error).toBeNull();
      expect(done.status).toBe("completed");
      // vChecksum's CHECKSUM has no Postgres equivalent: the rules refuse it and validation grades it failed, again.
      expect(done.after).toMatchObject({ status: "unsupported", evidenceGrade: "failed" });
      expect((done.detail as { agent: { ran: boolean; reason: string } }).agent).toEqual({ ran: false, reason: "the run did not use a model" });
      const types = await waitFor("the audit of the end", async () => {
        const res = await t.db.execute(sql`select event_type from audit_logs where details->>'rerunId' = ${id} order by seq`);
        const list = (Array.isArray(res) ? res : (res as { rows: unknown[] }).rows).map((r) => (r as { event_type: string }).event_type);
        return list.includes("migration.object_rerun_completed") ? list : undefined;
      });
      expect(types).toEqual(["migration.object_rerun_requested", "migration.object_rerun_completed"]);
    } finally {
      await jobs.stop();
    }
  });

  it("the worker fails a re-run that exceeds its time limit (JOB2001) and one whose worker stopped (JOB2002); the object is untouched, both audited", async () => {
    const target = byName(original, "vXml");
    const before = byName(await rows(t.db, migrationId), "vXml");
    // A re-run left running by a worker that died an hour ago.
    const orphan = await requestObjectRerun({ database: t.handle }, { orgId, userId, migrationId, objectId: target.id, kind: "validate" });
    const orphanId = (orphan as { run: { id: string } }).run.id;
    await t.db.execute(sql`update migration_object_runs set status = 'running', started_at = now() - interval '1 hour', updated_at = now() - interval '1 hour' where id = ${orphanId}`);
    const jobs = await startJobs({
      database: t.handle,
      logger,
      run: async () => ({ status: "completed" }),
      // Never returns by itself: only the time limit ends it.
      executeRerun: (ctx) => new Promise((_, reject) => ctx.signal.addEventListener("abort", () => reject(new Error("aborted")), { once: true })),
      options: { pollMs: 50, heartbeatMs: 50, sweepMs: 100, staleMs: 2000, runTimeoutMs: 300 },
    });
    try {
      const ended = (id: string) =>
        waitFor(`re-run ${id} to end`, async () => {
          const [r] = await t.db.select().from(migrationObjectRuns).where(eq(migrationObjectRuns.id, id));
          return r && r.status !== "queued" && r.status !== "running" ? r : undefined;
        });
      expect((await ended(orphanId)).error).toMatch(/^JOB2002: the worker running this re-run stopped/);
      const slow = await requestObjectRerun({ database: t.handle }, { orgId, userId, migrationId, objectId: target.id, kind: "translate" });
      const slowId = (slow as { run: { id: string } }).run.id;
      const r = await ended(slowId);
      expect(r.status).toBe("failed");
      expect(r.error).toMatch(/^JOB2001: the re-run did not finish within 0 s and was stopped; nothing was changed/);
      expect(plain(byName(await rows(t.db, migrationId), "vXml"))).toEqual(plain(before));
      const audited = await waitFor("both failures audited", async () => {
        const res = await t.db.execute(sql`select details->>'rerunId' as id from audit_logs where event_type = 'migration.object_rerun_failed' and details->>'rerunId' in (${orphanId}, ${slowId})`);
        const ids = (Array.isArray(res) ? res : (res as { rows: unknown[] }).rows).map((x) => (x as { id: string }).id);
        return ids.length === 2 ? ids : undefined;
      });
      expect(audited.sort()).toEqual([orphanId, slowId].sort());
    } finally {
      await jobs.stop();
    }
  });

  it("a re-run stopped by shutdown fails with JOB2003 whatever its interrupted step threw; the object is untouched", async () => {
    const target = byName(original, "vXml");
    const before = byName(await rows(t.db, migrationId), "vXml");
    let started!: () => void;
    const running = new Promise<void>((r) => (started = r));
    const jobs = await startJobs({
      database: t.handle,
      logger,
      run: async () => ({ status: "completed" }),
      // Rejects as a validator or fetch does on abort: a plain error, not a RerunError.
      executeRerun: (ctx) =>
        new Promise((_, reject) => {
          ctx.signal.addEventListener("abort", () => reject(new Error("This operation was aborted")), { once: true });
          started();
        }),
      options: { pollMs: 50, heartbeatMs: 50, sweepMs: 100, staleMs: 5000 },
    });
    const req = await requestObjectRerun({ database: t.handle }, { orgId, userId, migrationId, objectId: target.id, kind: "validate" });
    const id = (req as { run: { id: string } }).run.id;
    try {
      await running;
    } finally {
      await jobs.stop();
    }
    const [r] = await t.db.select().from(migrationObjectRuns).where(eq(migrationObjectRuns.id, id));
    expect(r!.status).toBe("failed");
    expect(r!.error).toMatch(/^JOB2003: the re-run was stopped before it finished/);
    expect(plain(byName(await rows(t.db, migrationId), "vXml"))).toEqual(plain(before));
  });

  it("a job fetched while the worker stops is not taken: stop() waits for the fetch, the re-run stays queued for the next start", async () => {
    const target = byName(original, "vXml");
    const req = await requestObjectRerun({ database: t.handle }, { orgId, userId, migrationId, objectId: target.id, kind: "translate" });
    const id = (req as { run: { id: string } }).run.id;
    let deliver!: (job: { id: string; data: { rerunId: string; orgId: string } } | undefined) => void;
    const fetched = new Promise<{ id: string; data: { rerunId: string; orgId: string } } | undefined>((r) => (deliver = r));
    let fetching!: () => void;
    const asked = new Promise<void>((r) => (fetching = r));
    let calls = 0;
    const executed: string[] = [];
    const queue = {
      fetchRerun: () => (calls++ === 0 ? (fetching(), fetched) : Promise.resolve(undefined)),
      completeRerun: async () => {},
      sendRerun: async () => null,
    } as unknown as JobQueue;
    const worker = new RerunWorker({
      database: t.handle,
      logger,
      queue,
      options: { pollMs: 60_000, heartbeatMs: 60_000, staleMs: 60_000, sweepMs: 60_000, timeoutMs: 60_000 },
      execute: async (_ctx, run) => {
        executed.push(run.id);
        throw new Error("not expected");
      },
    });
    worker.wake();
    await asked;
    let stopped = false;
    const stopping = worker.stop().then(() => (stopped = true));
    await new Promise((r) => setTimeout(r, 20));
    // The fetch is still out: stop() has not returned yet.
    expect(stopped).toBe(false);
    deliver({ id: "job-1", data: { rerunId: id, orgId } });
    await stopping;
    expect(executed).toEqual([]);
    const [r] = await t.db.select().from(migrationObjectRuns).where(eq(migrationObjectRuns.id, id));
    expect(r!.status).toBe("queued");
    await t.db.update(migrationObjectRuns).set({ status: "failed" }).where(eq(migrationObjectRuns.id, id));
  });

  describe("rebuild of a run that used a model: the rebuild agent is asked again", () => {
    const useModel = () => t.db.execute(sql`update migrations set report = jsonb_set(report, '{agents,modelCalls}', '2') where id = ${migrationId}`);
    const rebuild = async (router: ReturnType<typeof scriptedRouter>) => {
      const target = byName(original, "vChecksum");
      const req = await requestObjectRerun({ database: t.handle }, { orgId, userId, migrationId, objectId: target.id, kind: "rebuild" });
      expect(req.kind).toBe("queued");
      const run = await claimObjectRerun(t.db, (req as { run: { id: string } }).run.id, orgId);
      const out = await executeObjectRerun({ ...ctx(), router }, run!);
      return { out, row: byName(await rows(t.db, migrationId), "vChecksum"), target };
    };

    it("answers that keep failing: the rules' result stays, AGT2007, every attempt counted", async () => {
      await useModel();
      const router = scriptedRouter(() => ({ value: { sql: BAD_CHECKSUM_SQL } }));
      const { out, row, target } = await rebuild(router);
      expect(router.calls.map((c) => c.agent)).toEqual(["rebuild", "rebuild", "rebuild"]);
      expect(router.calls[0]!.content).toContain("CHECKSUM(Name)");
      // The second attempt is told why the first failed.
      expect(router.calls[1]!.content).toContain("no_such_column");
      expect(row.evidenceGrade).toBe("failed");
      expect(row.generatedSql).toBe(target.generatedSql);
      expect(row.attempts).toBe(target.attempts + 3);
      expect((row.diagnostics as Array<{ code: string }>).map((d) => d.code)).toContain("AGT2007");
      expect(out.detail.agent).toMatchObject({ ran: true, calls: 3, accepted: false });
    });

    it("an answer that passes validation is kept: model-written SQL, its grade, AGT2005, the model file and the report follow", async () => {
      await useModel();
      const router = scriptedRouter(() => ({ value: { sql: GOOD_CHECKSUM_SQL } }));
      const { out, row, target } = await rebuild(router);
      expect(router.calls).toHaveLength(1);
      expect(row.evidenceGrade).not.toBe("failed");
      expect(row.generatedSql).toContain("hashtext(c.name)");
      expect((row.diagnostics as Array<{ code: string }>).map((d) => d.code)).toContain("AGT2005");
      expect(out.detail.agent).toMatchObject({ ran: true, calls: 1, accepted: true });
      expect(out.after.evidenceGrade).toBe(row.evidenceGrade);
      const [file] = await t.db.select().from(migrationFiles).where(and(eq(migrationFiles.migrationId, migrationId), eq(migrationFiles.path, row.modelPath!)));
      expect(file!.content).toBe(row.generatedSql);
      const [m] = await t.db.select().from(migrations).where(eq(migrations.id, migrationId));
      expect((m!.report as { objects: Array<{ name: string; modelWritten?: boolean; evidence?: string }> }).objects.find((o) => o.name === "vChecksum")).toMatchObject({ modelWritten: true, evidence: row.evidenceGrade });
      // Re-translating it again puts the rules' translation back.
      const req = await requestObjectRerun({ database: t.handle }, { orgId, userId, migrationId, objectId: target.id, kind: "translate" });
      await executeObjectRerun(ctx(), (await claimObjectRerun(t.db, (req as { run: { id: string } }).run.id, orgId))!);
      const back = byName(await rows(t.db, migrationId), "vChecksum");
      expect(back.generatedSql).toBe(target.generatedSql);
      const [m2] = await t.db.select().from(migrations).where(eq(migrations.id, migrationId));
      expect((m2!.report as { objects: Array<{ name: string; modelWritten?: boolean }> }).objects.find((o) => o.name === "vChecksum")!.modelWritten).toBeUndefined();
    });
  });
});
