// The job layer in one process, with an injected run (the graph is tested on its own): statuses,
// cancellation, per-organisation limits, timeouts, resuming a run whose worker died.
import { eq, sql } from "drizzle-orm";
import { afterEach, describe, expect, it } from "vitest";
import { withTestDb } from "../../test/support/db.ts";
import { migrationModels, migrations } from "../db/schema/migrations.ts";
import { createLogger } from "../log.ts";
import { cancelMigration } from "./cancel.ts";
import { startJobs, type Jobs } from "./index.ts";
import { startMigration } from "./start.ts";
import { controllableRun, jobEvents, makeOrg, statusOf, waitFor, waitForStatus } from "./test-support.ts";
import type { RunFn, WorkerOptions } from "./worker.ts";

const FAST: Partial<WorkerOptions> = { pollMs: 50, heartbeatMs: 50, sweepMs: 100, staleMs: 1000, abortGraceMs: 500 };
const sqlFile = (text: string) => ({ filename: "schema.sql", content: Buffer.from(text) });

describe("migration jobs (one process)", () => {
  const t = withTestDb();
  const logger = createLogger("silent");
  let jobs: Jobs | undefined;
  afterEach(async () => {
    await jobs?.stop();
    jobs = undefined;
  });
  const start = async (run: RunFn, options: Partial<WorkerOptions> = {}) => {
    jobs = await startJobs({ database: t.handle, logger, run, options: { ...FAST, ...options } });
    return jobs;
  };
  const deps = () => ({ database: t.handle, logger });

  it("queued → running → completed; the run gets the migration and writes its rows; events and audit", async () => {
    const seen: string[] = [];
    await start(async (ctx) => {
      seen.push(ctx.migrationId);
      expect((await statusOf(ctx.db, ctx.migrationId)).status).toBe("running");
      await ctx.db.insert(migrationModels).values({ migrationId: ctx.migrationId, orgId: ctx.orgId, sourceSchema: "dbo", sourceName: "T", sourceKind: "table", status: "converted" });
      return { status: "completed" };
    });
    const o = await makeOrg(t.db);
    const m = await startMigration(deps(), { ...o, name: "one", target: "postgres", files: [sqlFile("create table t (a int);")] });
    expect(m.status).toBe("queued");
    const s = await waitForStatus(t.db, m.id, ["completed", "failed"]);
    expect(s).toMatchObject({ status: "completed", error: null });
    expect(s.startedAt).toBeInstanceOf(Date);
    expect(s.finishedAt!.getTime()).toBeGreaterThanOrEqual(s.startedAt!.getTime());
    expect(seen).toEqual([m.id]);
    const ev = await jobEvents(t.db, m.id);
    expect(ev.map((e) => e.data.type)).toEqual(["started", "finished"]);
    expect(ev[1]!.data).toMatchObject({ status: "completed" });
    // The run's end is audited right after its status is written (a separate transaction), so a
    // reader that saw "completed" may look before the event is committed: wait for it, briefly.
    const auditTypes = async () => {
      const audit = await t.db.execute(sql`select event_type from audit_logs where details->>'migrationId' = ${m.id} order by created_at, seq`);
      return (Array.isArray(audit) ? audit : (audit as { rows: { event_type: string }[] }).rows).map((r: { event_type: string }) => r.event_type);
    };
    let types = await auditTypes();
    for (let i = 0; i < 50 && !types.includes("migration.completed"); i++) {
      await new Promise((r) => setTimeout(r, 100));
      types = await auditTypes();
    }
    expect(types).toEqual(expect.arrayContaining(["migration.created", "migration.started", "migration.completed"]));
  });

  it("a run that fails or throws ends failed with its error", async () => {
    await start(async (ctx) => {
      const [m] = await ctx.db.select({ name: migrations.name }).from(migrations).where(eq(migrations.id, ctx.migrationId));
      if (m!.name === "throws") throw new Error("boom in the graph");
      return { status: "failed", error: "AGT1002: nothing readable" };
    });
    const o = await makeOrg(t.db);
    const a = await startMigration(deps(), { ...o, name: "fails", target: "postgres" });
    const b = await startMigration(deps(), { ...o, name: "throws", target: "postgres" });
    expect(await waitForStatus(t.db, a.id, ["completed", "failed"])).toMatchObject({ status: "failed", error: "AGT1002: nothing readable" });
    expect(await waitForStatus(t.db, b.id, ["completed", "failed"])).toMatchObject({ status: "failed", error: "boom in the graph" });
  });

  it("cancel while queued: cancelled at once and never run", async () => {
    const r = controllableRun();
    // No worker yet: the migration waits, queued.
    const o = await makeOrg(t.db);
    const m = await startMigration(deps(), { ...o, name: "c1", target: "postgres" });
    const res = await cancelMigration(deps(), { ...o, migrationId: m.id });
    expect(res.kind).toBe("cancelled");
    expect(await statusOf(t.db, m.id)).toMatchObject({ status: "cancelled" });
    await start(r.run);
    // Another migration of the same org runs, proving the worker is alive and skipped the cancelled one.
    const m2 = await startMigration(deps(), { ...o, name: "c2", target: "postgres" });
    await waitFor("second run", async () => r.isRunning(m2.id));
    r.release(m2.id);
    await waitForStatus(t.db, m2.id, ["completed"]);
    expect(r.started).toEqual([m2.id]);
    expect((await jobEvents(t.db, m.id)).map((e) => e.data.type)).toEqual(["finished"]);
    // Cancelling again reports that it already ended.
    expect((await cancelMigration(deps(), { ...o, migrationId: m.id })).kind).toBe("finished");
  });

  it("cancel while running: the run's signal fires and the migration ends cancelled", async () => {
    const r = controllableRun();
    await start(r.run);
    const o = await makeOrg(t.db);
    const m = await startMigration(deps(), { ...o, name: "running", target: "postgres" });
    await waitFor("run to start", async () => r.isRunning(m.id));
    const res = await cancelMigration(deps(), { ...o, migrationId: m.id });
    expect(res.kind).toBe("requested");
    expect(await waitForStatus(t.db, m.id, ["cancelled", "completed", "failed"])).toMatchObject({ status: "cancelled", error: "cancelled by a user" });
    expect((await jobEvents(t.db, m.id)).map((e) => e.data.type)).toEqual(["started", "cancel_requested", "finished"]);
  });

  it("a cancel request reaches a run in another process through the heartbeat", async () => {
    const r = controllableRun();
    await start(r.run);
    const o = await makeOrg(t.db);
    const m = await startMigration(deps(), { ...o, name: "remote cancel", target: "postgres" });
    await waitFor("run to start", async () => r.isRunning(m.id));
    // What the API of another process does: only the event, no local abort.
    const { addJobEvent } = await import("./lease.ts");
    await addJobEvent(t.db, { id: m.id, orgId: o.orgId }, "cancel_requested", "cancellation requested");
    expect(await waitForStatus(t.db, m.id, ["cancelled", "completed", "failed"])).toMatchObject({ status: "cancelled" });
  });

  it("per-organisation limit: never more than N runs of one organisation at once; other organisations are not held up", async () => {
    const r = controllableRun();
    await start(r.run, { concurrency: 4, orgConcurrency: 2 });
    const a = await makeOrg(t.db);
    const b = await makeOrg(t.db);
    const ma: { id: string }[] = [];
    for (let i = 0; i < 4; i++) ma.push(await startMigration(deps(), { ...a, name: `a${i}`, target: "postgres" }));
    const mb = await startMigration(deps(), { ...b, name: "b0", target: "postgres" });
    await waitFor("two of A and B running", async () => r.isRunning(mb.id) && ma.filter((m) => r.isRunning(m.id)).length === 2);
    // The other two of A wait, queued, while slots are taken.
    const statuses = await Promise.all(ma.map((m) => statusOf(t.db, m.id)));
    expect(statuses.filter((s) => s.status === "queued")).toHaveLength(2);
    // Release A's runs one by one: each frees a slot for the next, oldest first.
    for (let done = 0; done < 4; done++) {
      const running = await waitFor("an A run", async () => ma.find((m) => r.isRunning(m.id)));
      r.release(running.id);
      await waitForStatus(t.db, running.id, ["completed"]);
    }
    r.release(mb.id);
    await waitForStatus(t.db, mb.id, ["completed"]);
    expect(r.maxForOrg(a.orgId)).toBe(2);
    expect(r.started.filter((id) => ma.some((m) => m.id === id))).toEqual(ma.map((m) => m.id));
  });

  it("a run that exceeds the time limit is stopped and failed with JOB1001, even if it ignores its signal", async () => {
    await start(() => new Promise(() => {}), { runTimeoutMs: 300, abortGraceMs: 100 });
    const o = await makeOrg(t.db);
    const m = await startMigration(deps(), { ...o, name: "hangs", target: "postgres" });
    const s = await waitForStatus(t.db, m.id, ["failed", "completed"]);
    expect(s.status).toBe("failed");
    expect(s.error).toMatch(/^JOB1001: the run did not finish within 0 s and was stopped/);
  });

  it("a running migration whose worker stopped heart-beating is resumed (and given up after maxResumes)", async () => {
    const calls: string[] = [];
    const o = await makeOrg(t.db);
    const m = await startMigration(deps(), { ...o, name: "orphan", target: "postgres" });
    // What a SIGKILLed worker leaves behind: running, no heartbeat for a long time.
    await t.db.execute(sql`update migrations set status = 'running', started_at = now() - interval '1 hour', updated_at = now() - interval '1 hour' where id = ${m.id}`);
    await start(async (ctx) => {
      calls.push(ctx.migrationId);
      return { status: "completed" };
    });
    expect(await waitForStatus(t.db, m.id, ["completed", "failed"])).toMatchObject({ status: "completed" });
    expect(calls).toEqual([m.id]);
    expect((await jobEvents(t.db, m.id)).map((e) => e.data.type)).toEqual(["resumed", "finished"]);

    const m2 = await startMigration(deps(), { ...o, name: "crashes every time", target: "postgres" });
    await waitForStatus(t.db, m2.id, ["completed"]);
    await t.db.execute(sql`update migrations set status = 'running', finished_at = null, updated_at = now() - interval '1 hour' where id = ${m2.id}`);
    const { addJobEvent } = await import("./lease.ts");
    for (let i = 0; i < 3; i++) await addJobEvent(t.db, { id: m2.id, orgId: o.orgId }, "resumed", "earlier resume");
    const s = await waitForStatus(t.db, m2.id, ["failed"]);
    expect(s.error).toMatch(/^JOB1002: the run was interrupted 4 times/);
  });

  it("a queued migration created while no worker ran is picked up by the worker's sweep", async () => {
    const o = await makeOrg(t.db);
    const m = await startMigration(deps(), { ...o, name: "early", target: "postgres" });
    await t.db.execute(sql`update migrations set created_at = now() - interval '1 minute' where id = ${m.id}`);
    await start(async () => ({ status: "completed" }));
    expect(await waitForStatus(t.db, m.id, ["completed"])).toMatchObject({ status: "completed" });
  });
});
