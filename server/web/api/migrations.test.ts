// /api/v1/migrations as clients use it: uploads and JSON starts, the run in a worker (the real
// runMigration for the end-to-end cases, an injected one where the test needs control), details,
// cancel, and the progress event stream.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { withTestApp } from "../../../test/support/app.ts";
import { startJobs, type Jobs } from "../../jobs/index.ts";
import { addJobEvent } from "../../jobs/lease.ts";
import { eq } from "drizzle-orm";
import { migrations } from "../../db/schema/migrations.ts";
import { exportOrganizationData } from "../../guardian/data-protection.ts";
import { configureSecretKey, generateSecretKey, isEncryptedSecret } from "../../guardian/secrets.ts";
import { checkFiles, sourcePassword, StartMigrationError } from "../../jobs/start.ts";
import { controllableRun, waitForStatus } from "../../jobs/test-support.ts";
import type { RunFn } from "../../jobs/worker.ts";
import { createLogger } from "../../log.ts";
import { listFineTuningExamples } from "../../db/queries/migration-models.ts";

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

// Our own small T-SQL fixture: two tables, a view over them and a scalar function.
const SHOP_SQL = `
CREATE TABLE dbo.Customer (
  CustomerId INT IDENTITY(1,1) NOT NULL PRIMARY KEY,
  Name NVARCHAR(100) NOT NULL,
  City NVARCHAR(50) NULL
);
GO
CREATE TABLE dbo.[Order] (
  OrderId INT IDENTITY(1,1) NOT NULL PRIMARY KEY,
  CustomerId INT NOT NULL REFERENCES dbo.Customer (CustomerId),
  Amount DECIMAL(10,2) NOT NULL,
  OrderedAt DATETIME2 NOT NULL
);
GO
CREATE VIEW dbo.CustomerTotals AS
SELECT c.CustomerId, c.Name, SUM(o.Amount) AS Total, COUNT(*) AS Orders
FROM dbo.Customer AS c JOIN dbo.[Order] AS o ON o.CustomerId = c.CustomerId
GROUP BY c.CustomerId, c.Name;
GO
CREATE VIEW dbo.BigOrders AS
SELECT o.OrderId, o.Amount, c.Name FROM dbo.[Order] AS o JOIN dbo.Customer AS c ON c.CustomerId = o.CustomerId WHERE o.Amount > 100;
GO
CREATE FUNCTION dbo.Vat (@amount DECIMAL(10,2)) RETURNS DECIMAL(10,2) AS
BEGIN
  RETURN ROUND(@amount * 0.2, 2);
END;
GO
`;

function form(fields: Record<string, string>, files: { name: string; content: string | Uint8Array }[]): FormData {
  const fd = new FormData();
  for (const [k, v] of Object.entries(fields)) fd.append(k, v);
  for (const f of files) fd.append("files", new Blob([f.content]), f.name);
  return fd;
}

describe("/api/v1/migrations with the job layer", () => {
  const t = withTestApp();
  let jobs: Jobs;
  // The real run by default; a test can switch to a controllable one.
  let run: RunFn | undefined;
  beforeAll(async () => {
    jobs = await startJobs({
      database: t.testDb.handle,
      logger: createLogger("silent"),
      run: (ctx) => (run ? run(ctx) : import("../../agents/run.ts").then((m) => m.runMigration(ctx))),
      options: { pollMs: 50, heartbeatMs: 50, sweepMs: 200, staleMs: 2000 },
    });
  });
  afterAll(async () => {
    await jobs?.stop();
  });
  const upload = (token: string, fd: FormData) => t.app.request("/api/v1/migrations", { method: "POST", headers: t.bearer(token), body: fd });

  it("multipart upload of a T-SQL script: 201 queued at once, then completed with per-object status and evidence", async () => {
    run = undefined;
    const a = await t.adminOf();
    const res = await upload(a.token, form({ name: "Shop", target: "postgres" }, [{ name: "shop.sql", content: SHOP_SQL }]));
    expect(res.status).toBe(201);
    const created = (await res.json()) as Json;
    expect(created).toMatchObject({ name: "Shop", status: "queued", target: "postgres", createdBy: a.userId, error: null, startedAt: null });
    const done = await waitForStatus(t.testDb.db, created.id, ["completed", "failed", "cancelled"], 170_000);
    expect(done.error).toBeNull();
    expect(done.status).toBe("completed");
    const detail = (await (await t.get(`/api/v1/migrations/${created.id}`, t.bearer(a.token))).json()) as Json;
    expect(detail.status).toBe("completed");
    expect(detail.startedAt).not.toBeNull();
    expect(detail.finishedAt).not.toBeNull();
    expect(detail.sources).toEqual([{ filename: "shop.sql", size: Buffer.byteLength(SHOP_SQL), sha256: expect.stringMatching(/^[0-9a-f]{64}$/) }]);
    const names = detail.objects.map((o: Json) => `${o.schema}.${o.name}`);
    expect(names).toEqual(expect.arrayContaining(["dbo.Customer", "dbo.Order", "dbo.CustomerTotals", "dbo.Vat"]));
    for (const o of detail.objects) {
      expect(o).toEqual(expect.objectContaining({ schema: expect.any(String), name: expect.any(String), kind: expect.any(String), status: expect.any(String), diagnostics: expect.any(Array) }));
      expect(["verified_equal", "tests_passed", "ran", "compiled", "failed"]).toContain(o.evidence);
    }
    expect(detail.counts.objects).toBe(detail.objects.length);
    expect(Object.values(detail.counts.byStatus).reduce((x: number, y) => x + (y as number), 0)).toBe(detail.objects.length);
    expect(detail.stages.length).toBeGreaterThan(0);
    // A completed run feeds the fine-tuning set: the view proven by its data tests is an example.
    expect(detail.objects.find((o: Json) => o.name === "BigOrders").evidence).toBe("tests_passed");
    // Collected by the worker right after it records the end.
    let examples = await listFineTuningExamples(t.testDb.db, a.orgId);
    for (let i = 0; i < 100 && !examples.length; i++) {
      await new Promise((r) => setTimeout(r, 100));
      examples = await listFineTuningExamples(t.testDb.db, a.orgId);
    }
    expect(examples.map((e) => e.taskType)).toContain("view_translation");
  }, 180_000);

  it("JSON {name, target} without sources is accepted and its run fails with a clear error", async () => {
    run = undefined;
    const a = await t.adminOf();
    const res = await t.postJson("/api/v1/migrations", { name: "empty", target: "postgres" }, t.bearer(a.token));
    expect(res.status).toBe(201);
    const created = (await res.json()) as Json;
    const done = await waitForStatus(t.testDb.db, created.id, ["completed", "failed"], 170_000);
    expect(done.status).toBe("failed");
    expect(done.error).toMatch(/AGT1002.*no file was uploaded/);
  }, 180_000);

  it("JSON with a source connection: stored, the password encrypted at rest and never comes back", async () => {
    run = async () => ({ status: "failed", error: "live sources are read by the run" });
    configureSecretKey(generateSecretKey());
    const a = await t.adminOf();
    const source = { host: "sql.example.internal", port: 1433, database: "Sales", user: "reader", password: "s3cret-pw", encrypt: true, trustServerCertificate: true };
    const res = await t.postJson("/api/v1/migrations", { name: "live", target: "postgres", source }, t.bearer(a.token));
    expect(res.status).toBe(201);
    const text = await res.text();
    expect(text).not.toContain("s3cret-pw");
    const created = JSON.parse(text) as Json;
    expect(created.config.source).toEqual({ host: "sql.example.internal", port: 1433, database: "Sales", user: "reader", encrypt: true, trustServerCertificate: true, hasPassword: true });
    const one = await (await t.get(`/api/v1/migrations/${created.id}`, t.bearer(a.token))).text();
    const list = await (await t.get(`/api/v1/migrations`, t.bearer(a.token))).text();
    expect(one).not.toContain("s3cret-pw");
    expect(list).not.toContain("s3cret-pw");
    expect(t.logs()).not.toContain("s3cret-pw");
    // At rest: ciphertext bound to this migration, no plaintext anywhere in the row.
    const [row] = await t.testDb.db.select().from(migrations).where(eq(migrations.id, created.id));
    expect(JSON.stringify(row!.config)).not.toContain("s3cret-pw");
    expect(isEncryptedSecret((row!.config.source as { password?: unknown }).password)).toBe(true);
    expect(sourcePassword(row!)).toBe("s3cret-pw");
    // Copied into another migration's row it does not decrypt.
    expect(() => sourcePassword({ ...row!, id: "00000000-0000-4000-8000-000000000000" })).toThrow(/integrity check/);
    // The organisation's data export redacts it.
    const exported = JSON.stringify(await exportOrganizationData(t.testDb.db, a.orgId, new Date()));
    expect(exported).toContain("sql.example.internal");
    expect(exported).not.toContain("s3cret-pw");
    expect(exported).not.toContain((row!.config.source as { password: string }).password);
    // Without a key the password cannot be stored: a clear 503 naming the field, nothing stored.
    configureSecretKey(null);
    const before = ((await (await t.get("/api/v1/migrations", t.bearer(a.token))).json()) as Json).total;
    const nokey = await t.postJson("/api/v1/migrations", { name: "live", target: "postgres", source }, t.bearer(a.token));
    expect(nokey.status).toBe(503);
    const nokeyErr = ((await nokey.json()) as Json).error;
    expect(nokeyErr.code).toBe("secret_key_missing");
    expect(nokeyErr.fields).toEqual({ "source.password": [expect.any(String)] });
    expect(((await (await t.get("/api/v1/migrations", t.bearer(a.token))).json()) as Json).total).toBe(before);
    // A source without a password needs no key.
    const { password: _pw, ...noPassword } = source;
    const plain = await t.postJson("/api/v1/migrations", { name: "live", target: "postgres", source: noPassword }, t.bearer(a.token));
    expect(plain.status).toBe(201);
    expect(((await plain.json()) as Json).config.source.hasPassword).toBe(false);
    const bad = await t.postJson("/api/v1/migrations", { name: "live", target: "postgres", source: { host: "", port: 70000, database: "x", user: "u", extra: 1 } }, t.bearer(a.token));
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as Json).error.fields).toEqual({
      "source.host": ["required"],
      "source.port": ["expected an integer between 1 and 65535"],
      "source.extra": ["unknown field"],
    });
  });

  it("a migration cannot choose the validation database: 400 naming the option, nothing stored; the run ignores a stored one", async () => {
    const a = await t.adminOf();
    const evil = "postgres://postgres@10.0.0.5:5432/payroll";
    const json = await t.postJson("/api/v1/migrations", { name: "v", target: "postgres", options: { rows: 10, validationDatabaseUrl: evil } }, t.bearer(a.token));
    expect(json.status).toBe(400);
    const err = ((await json.json()) as Json).error;
    expect(err.code).toBe("validation_failed");
    expect(err.message).toMatch(/options\.validationDatabaseUrl/);
    expect(err.fields).toEqual({ "options.validationDatabaseUrl": [expect.stringMatching(/server's configuration \(VALIDATION_DATABASE_URL\)/)] });
    const up = await upload(a.token, form({ name: "v", target: "postgres", options: JSON.stringify({ ValidationDatabaseURL: evil }) }, [{ name: "a.sql", content: "create table t (a int);" }]));
    expect(up.status).toBe(400);
    expect(((await up.json()) as Json).error.fields).toEqual({ "options.ValidationDatabaseURL": [expect.any(String)] });
    // Nor switch the validation statement timeout off (0), which would let a model's SQL run forever.
    const off = await t.postJson("/api/v1/migrations", { name: "v", target: "postgres", options: { statementTimeoutMs: 0 } }, t.bearer(a.token));
    expect(off.status).toBe(400);
    expect(((await off.json()) as Json).error.fields).toEqual({ "options.statementTimeoutMs": [expect.stringMatching(/set by the server/)] });
    const list = (await (await t.get("/api/v1/migrations", t.bearer(a.token))).json()) as Json;
    expect(list.total).toBe(0);
    // Other options still pass.
    const ok = await t.postJson("/api/v1/migrations", { name: "v", target: "postgres", options: { rows: 10 } }, t.bearer(a.token));
    expect(ok.status).toBe(201);
    // A config stored before this check (or written by hand) does not reach the run either.
    const { parseRunConfig } = await import("../../agents/workspace.ts");
    expect(parseRunConfig({ target: "postgres", options: { rows: 10, validationDatabaseUrl: evil } }).options).toEqual({ rows: 10 });
  });

  describe("bad uploads are clear 4xx answers and store nothing", () => {
    it.each([
      ["a file of another type", 415, "unsupported_file_type", { name: "x", target: "postgres" }, [{ name: "notes.txt", content: "hello" }], /'notes\.txt' is not a source file/],
      ["an empty file", 400, "empty_file", { name: "x", target: "postgres" }, [{ name: "empty.sql", content: "" }], /'empty\.sql' is empty/],
      ["a .zip that is not a zip", 400, "not_a_zip", { name: "x", target: "postgres" }, [{ name: "proj.zip", content: "plain text" }], /'proj\.zip' is not a zip archive/],
      ["two files with one name", 400, "duplicate_file", { name: "x", target: "postgres" }, [{ name: "a.sql", content: "select 1" }, { name: "A.SQL", content: "select 2" }], /two files are named/],
      ["no name", 400, "validation_failed", { target: "postgres" }, [{ name: "a.sql", content: "select 1" }], /invalid fields/],
      ["an unknown target", 400, "validation_failed", { name: "x", target: "oracle" }, [{ name: "a.sql", content: "select 1" }], /invalid fields/],
      ["no files", 400, "validation_failed", { name: "x", target: "postgres" }, [], /invalid fields/],
      ["an unknown field", 400, "validation_failed", { name: "x", target: "postgres", colour: "red" }, [{ name: "a.sql", content: "select 1" }], /invalid fields/],
      ["options that are not a JSON object", 400, "validation_failed", { name: "x", target: "postgres", options: "[1]" }, [{ name: "a.sql", content: "select 1" }], /invalid fields/],
    ])("%s: %i %s", async (_label, status, code, fields, files, message) => {
      const a = await t.adminOf();
      const res = await upload(a.token, form(fields as Record<string, string>, files));
      expect(res.status).toBe(status);
      const err = ((await res.json()) as Json).error;
      expect(err.code).toBe(code);
      expect(err.message).toMatch(message);
      const list = (await (await t.get("/api/v1/migrations", t.bearer(a.token))).json()) as Json;
      expect(list.total).toBe(0);
    });

    it("a script in the name of a large upload (past Guardian's middleware scan) is still blocked", async () => {
      const a = await t.adminOf();
      const big = "-- padding\n".repeat(8000) + "create table t (a int);";
      for (const name of ["<script>alert(1)</script>", "x' OR '1'='1"]) {
        const res = await upload(a.token, form({ name, target: "postgres" }, [{ name: "big.sql", content: big }]));
        expect(res.status).toBe(400);
        expect(((await res.json()) as Json).error.code).toBe("guardian_blocked");
      }
      const list = (await (await t.get("/api/v1/migrations", t.bearer(a.token))).json()) as Json;
      expect(list.total).toBe(0);
    });

    it("missing name names the field", async () => {
      const a = await t.adminOf();
      const res = await upload(a.token, form({ target: "postgres" }, [{ name: "a.sql", content: "select 1" }]));
      expect(((await res.json()) as Json).error.fields).toEqual({ name: ["expected a name"] });
    });

    it("a body over the upload limit is 413 before it is read", async () => {
      const a = await t.adminOf();
      const res = await t.app.request("/api/v1/migrations", {
        method: "POST",
        headers: { ...t.bearer(a.token), "Content-Type": "multipart/form-data; boundary=x", "Content-Length": String(300 * 1024 * 1024) },
        body: "--x--\r\n",
      });
      expect(res.status).toBe(413);
      expect(((await res.json()) as Json).error.code).toBe("payload_too_large");
    });

    it("per-file and total size limits name the file", () => {
      const big = { filename: "big.sql", content: Buffer.alloc(11, 65) };
      const small = { filename: "small.sql", content: Buffer.alloc(6, 65) };
      const limits = { maxFiles: 3, maxFileBytes: 10, maxTotalBytes: 15 };
      expect(() => checkFiles([big], limits)).toThrow(/'big\.sql' is 11 bytes; at most 10 bytes per file/);
      expect(() => checkFiles([small, { ...small, filename: "b.sql" }, { ...small, filename: "c.sql" }], limits)).toThrow(/add up to 18 bytes; at most 15/);
      expect(() => checkFiles([small, small, small, small], limits)).toThrow(/at most 3 files/);
      try {
        checkFiles([big], limits);
      } catch (e) {
        expect(e).toBeInstanceOf(StartMigrationError);
        expect((e as StartMigrationError).status).toBe(413);
      }
      // Directory parts a client sends are dropped.
      expect(checkFiles([{ filename: "C:\\dumps\\x.sql", content: Buffer.from("a") }], limits)[0]!.filename).toBe("x.sql");
    });
  });

  describe("cancel", () => {
    it("while queued: 200 cancelled at once; again: 409; another organisation: 404", async () => {
      const r = controllableRun();
      run = r.run;
      const a = await t.adminOf();
      const b = await t.adminOf();
      // Hold the organisation's two slots so that the third stays queued.
      const ids: string[] = [];
      for (const name of ["m1", "m2", "m3"]) {
        const res = await upload(a.token, form({ name, target: "postgres" }, [{ name: "a.sql", content: "create table t (a int);" }]));
        ids.push(((await res.json()) as Json).id);
      }
      const { waitFor } = await import("../../jobs/test-support.ts");
      await waitFor("two runs", async () => r.isRunning(ids[0]!) && r.isRunning(ids[1]!));
      expect((await t.app.request(`/api/v1/migrations/${ids[2]}/cancel`, { method: "POST", headers: t.bearer(b.token) })).status).toBe(404);
      const res = await t.app.request(`/api/v1/migrations/${ids[2]}/cancel`, { method: "POST", headers: t.bearer(a.token) });
      expect(res.status).toBe(200);
      expect(((await res.json()) as Json).status).toBe("cancelled");
      const again = await t.app.request(`/api/v1/migrations/${ids[2]}/cancel`, { method: "POST", headers: t.bearer(a.token) });
      expect(again.status).toBe(409);
      expect(((await again.json()) as Json).error.code).toBe("already_finished");
      // While running: 202, then the run ends cancelled.
      const running = await t.app.request(`/api/v1/migrations/${ids[0]}/cancel`, { method: "POST", headers: t.bearer(a.token) });
      expect(running.status).toBe(202);
      expect(((await running.json()) as Json).cancelRequested).toBe(true);
      expect((await waitForStatus(t.testDb.db, ids[0]!, ["cancelled", "completed", "failed"])).status).toBe("cancelled");
      r.release(ids[1]!);
      expect((await waitForStatus(t.testDb.db, ids[1]!, ["completed"])).status).toBe("completed");
      expect(r.started).not.toContain(ids[2]);
    }, 120_000);
  });

  describe("events (server-sent)", () => {
    async function readStream(res: Response): Promise<{ id?: string; event?: string; data: Json }[]> {
      const text = await res.text();
      return text
        .split("\n\n")
        .filter((block) => block.trim() && !block.startsWith(":"))
        .map((block) => {
          const out: { id?: string; event?: string; data: Json } = { data: undefined };
          for (const line of block.split("\n")) {
            const [k, ...rest] = line.split(": ");
            const v = rest.join(": ");
            if (k === "id") out.id = v;
            else if (k === "event") out.event = v;
            else if (k === "data") out.data = JSON.parse(v);
          }
          return out;
        });
    }

    it("delivers a run's events in order, ends with the final status, and resumes after Last-Event-ID", async () => {
      run = async (ctx) => {
        const target = { id: ctx.migrationId, orgId: ctx.orgId };
        for (const step of ["one", "two", "three"]) await addJobEvent(ctx.db, target, "started", `step ${step}`);
        return { status: "completed" };
      };
      const a = await t.adminOf();
      const created = (await (await upload(a.token, form({ name: "sse", target: "postgres" }, [{ name: "a.sql", content: "select 1" }]))).json()) as Json;
      // Opened while queued or running: the stream follows the run to its end.
      const res = await t.get(`/api/v1/migrations/${created.id}/events`, t.bearer(a.token));
      expect(res.status).toBe(200);
      expect(res.headers.get("content-type")).toMatch(/^text\/event-stream/);
      const all = await readStream(res);
      const progress = all.filter((e) => e.event === "progress");
      const messages = progress.map((e) => e.data.message);
      expect(messages).toEqual(expect.arrayContaining(["step one", "step two", "step three"]));
      expect(messages.indexOf("step one")).toBeLessThan(messages.indexOf("step two"));
      expect(messages.indexOf("step two")).toBeLessThan(messages.indexOf("step three"));
      const ids = progress.map((e) => Number(e.id));
      expect([...ids].sort((x, y) => x - y)).toEqual(ids);
      expect(all.at(-1)).toEqual({ event: "end", data: { status: "completed" } });
      expect(progress.at(-1)!.data.data).toMatchObject({ type: "finished", status: "completed" });

      const cut = progress.findIndex((e) => e.data.message === "step two");
      const resumed = await readStream(await t.get(`/api/v1/migrations/${created.id}/events`, { ...t.bearer(a.token), "Last-Event-ID": progress[cut]!.id! }));
      expect(resumed.filter((e) => e.event === "progress").map((e) => e.id)).toEqual(progress.slice(cut + 1).map((e) => e.id));
      expect(resumed.at(-1)!.event).toBe("end");
    });

    it("another organisation's stream is 404; a malformed Last-Event-ID is 400", async () => {
      run = async () => ({ status: "completed" });
      const a = await t.adminOf();
      const b = await t.adminOf();
      const created = (await (await upload(a.token, form({ name: "x", target: "postgres" }, [{ name: "a.sql", content: "select 1" }]))).json()) as Json;
      expect((await t.get(`/api/v1/migrations/${created.id}/events`, t.bearer(b.token))).status).toBe(404);
      expect((await t.get(`/api/v1/migrations/${created.id}`, t.bearer(b.token))).status).toBe(404);
      expect((await t.get(`/api/v1/migrations/${created.id}/events`, { ...t.bearer(a.token), "Last-Event-ID": "abc" })).status).toBe(400);
    });
  });
});
