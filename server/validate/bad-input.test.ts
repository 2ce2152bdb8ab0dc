// Bad input: each ends its own step with a clear diagnostic, cleans up, and the rest goes on.
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Catalog } from "../catalog/model.ts";
import type { DbtProject } from "../dbt/project.ts";
import { convertPaths } from "../translate/project/index.ts";
import { postgresDialect, type ColumnInfo, type Connection, type RelationName, type Row } from "./connection.ts";
import { copyTables } from "./copy.ts";
import { runValidation } from "./run.ts";
import { openTestConnections, type TestConnections } from "./testing.ts";

const TSQL = `
CREATE TABLE dbo.Region (RegionCode char(2) NOT NULL PRIMARY KEY, Name nvarchar(30) NOT NULL);
GO
CREATE TABLE dbo.Customer (CustomerID int NOT NULL PRIMARY KEY, RegionCode char(2) NULL REFERENCES dbo.Region(RegionCode), Name varchar(40) NOT NULL, Credit decimal(9,2) NULL);
GO
CREATE VIEW dbo.vCustomer AS SELECT c.CustomerID, c.Name, r.Name AS RegionName FROM dbo.Customer c JOIN dbo.Region r ON r.RegionCode = c.RegionCode;
GO
`;

let dir: string;
let project: DbtProject;
let catalog: Catalog;
let t: TestConnections;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "dm-bad-"));
  await writeFile(path.join(dir, "db.sql"), TSQL, "utf8");
  const c = await convertPaths([path.join(dir, "db.sql")]);
  project = c.result.project;
  catalog = c.catalog;
  t = await openTestConnections();
});
afterAll(async () => {
  await t?.dispose();
  await rm(dir, { recursive: true, force: true });
});

const withModel = (p: DbtProject, name: string, sql: string): DbtProject => ({
  ...p,
  models: [...p.models, { name, path: `models/marts/${name}.sql`, sql, materialized: "table", config: {}, columns: [], data_tests: [] } as unknown as DbtProject["models"][number]],
});
const onPostgres = !!process.env.TEST_DATABASE_URL;

describe.skipIf(!onPostgres)("limits on Postgres (PGlite has no work_mem or temp_file_limit; its statement timeout is tested below)", () => {
  it("a model that loops forever is cancelled by the statement timeout (VAL3005); the others run", async () => {
    const conn = await t.open();
    const p = withModel(project, "forever", "with recursive r(n) as (select 1 union all select n + 1 from r) select count(*) as n from r");
    const started = Date.now();
    const r = await runValidation(p, { connection: conn, catalog, rows: 5, statementTimeoutMs: 1500 });
    const m = r.models.find((x) => x.name === "forever")!;
    expect(m.status).toBe("failed");
    expect(m.diagnostics.map((d) => d.code)).toContain("VAL3005");
    expect(m.error?.message).toMatch(/statement timeout \(1500 ms\)/);
    expect(Date.now() - started).toBeLessThan(20_000);
    expect(r.models.filter((x) => x.name !== "forever").every((x) => x.status === "ran")).toBe(true);
    expect((await conn.query(`select count(*)::int as n from pg_namespace where nspname like '${r.schemas.models}%'`))[0]).toEqual({ n: 0 });
  });

  it("a connection opened by the validator carries its limits from the first statement (startup parameters)", async () => {
    const conn = await t.open({ statementTimeoutMs: 300, workMem: "1MB" });
    expect(await conn.query("show work_mem")).toEqual([{ work_mem: "1MB" }]);
    await expect(conn.query("select pg_sleep(3)")).rejects.toMatchObject({ code: "57014" });
  });

  it("a model that eats memory hits work_mem and temp_file_limit (VAL3006); the others run", async () => {
    const conn = await t.open();
    const p = withModel(project, "hog", "select g, md5(g::text) as h from generate_series(1, 3000000) g order by h");
    const r = await runValidation(p, { connection: conn, catalog, rows: 5, workMem: "64kB", tempFileLimit: "1MB", statementTimeoutMs: 30_000 });
    const m = r.models.find((x) => x.name === "hog")!;
    expect(m.status).toBe("failed");
    expect(m.diagnostics.map((d) => d.code)).toContain("VAL3006");
    expect(m.error?.message).toMatch(/memory or disk limits/);
    expect(r.models.filter((x) => x.name !== "hog").every((x) => x.status === "ran")).toBe(true);
  });
});

describe("a validation database that cannot be used", () => {
  it("ends the run with VAL1009 and nothing else", async () => {
    const r = await runValidation(project, { databaseUrl: "postgres://postgres@127.0.0.1:1/nowhere", catalog });
    expect(r.setup.ok).toBe(false);
    expect(r.diagnostics.map((d) => d.code)).toEqual(["VAL1009"]);
    expect(r.diagnostics[0]!.message).toMatch(/cannot use the validation database \(postgres at 127\.0\.0\.1:1\/nowhere\)/);
    expect(r.models).toEqual([]);
  });
});

/** A source whose stream delivers `okBatches` batches of a table and then drops the connection. */
function flakySource(rows: Record<string, Row[]>, columns: Record<string, ColumnInfo[]>, failOn: string, okBatches: number): Connection {
  const keyOf = (r: RelationName) => `${r.schema}.${r.name}`.toLowerCase();
  let current = "";
  return {
    dialect: postgresDialect,
    description: "fake SQL Server",
    query: async () => [],
    exec: async () => {},
    describe: async (r) => {
      current = keyOf(r);
      return columns[current];
    },
    async *stream(_sql, batchRows = 1000) {
      const all = rows[current] ?? [];
      for (let i = 0, b = 0; i < all.length; i += batchRows, b++) {
        if (current === failOn && b >= okBatches) throw new Error("Connection lost - read ECONNRESET");
        yield all.slice(i, i + batchRows);
      }
    },
    close: async () => {},
  };
}

describe("a source that disconnects mid-copy", () => {
  const cols = {
    "dbo.region": [
      { name: "RegionCode", type: "char(2)", kind: "text", nullable: false },
      { name: "Name", type: "nvarchar(30)", kind: "text", nullable: false },
    ] as ColumnInfo[],
    "dbo.customer": [
      { name: "CustomerID", type: "int", kind: "integer", nullable: false },
      { name: "RegionCode", type: "char(2)", kind: "text", nullable: true },
      { name: "Name", type: "varchar(40)", kind: "text", nullable: false },
      { name: "Credit", type: "decimal(9,2)", kind: "decimal", nullable: true, scale: 2 },
    ] as ColumnInfo[],
  };
  const data = {
    "dbo.region": [
      { RegionCode: "NO", Name: "North" },
      { RegionCode: "so", Name: "South " },
    ],
    "dbo.customer": Array.from({ length: 25 }, (_, i) => ({ CustomerID: i + 1, RegionCode: i % 2 ? "NO" : "so", Name: `c${i}`, Credit: i % 3 ? "12345.67" : null })),
  };

  it("copies faithfully up to the row cap, and leaves the failing table empty with VAL2203", async () => {
    await t.left.exec(`create schema cp_src; create table cp_src.region (regioncode char(2), name text); create table cp_src.customer (customerid int, regioncode char(2), name text, credit numeric(9,2))`);
    const src = flakySource(data, cols, "dbo.customer", 2);
    const tables = ["Region", "Customer"].map((n) => ({ id: `dbo.${n}`, source: { schema: "dbo", name: n }, target: { schema: "cp_src", name: n.toLowerCase() } }));
    const r = await copyTables(src, t.left, tables, { batchRows: 10, rowCap: 1 });
    expect(r.tables.map((x) => [x.table, x.rows, x.ok, x.capped])).toEqual([
      ["dbo.Region", 1, true, true],
      ["dbo.Customer", 1, true, true],
    ]);
    const again = await copyTables(flakySource(data, cols, "dbo.customer", 2), t.left, tables.slice(1), { batchRows: 10 });
    expect(again.tables[0]).toMatchObject({ ok: false, rows: 0 });
    expect(again.diagnostics[0]).toMatchObject({ code: "VAL2203", severity: "error" });
    expect(again.diagnostics[0]!.message).toMatch(/stopped after 20 rows: Connection lost/);
    expect(await t.left.query(`select count(*)::int as n from cp_src.customer`)).toEqual([{ n: 0 }]);
  });

  it("in a run: the failed table is empty, the others are copied, every model still runs", async () => {
    const src = flakySource(data, cols, "dbo.customer", 0);
    const r = await runValidation(project, { connection: t.left, catalog, source: src });
    expect(r.loads.map((l) => [l.table, l.rows, l.ok])).toEqual([
      ["dbo.Region", 2, true],
      ["dbo.Customer", 0, false],
    ]);
    expect(r.diagnostics.map((d) => d.code)).toContain("VAL2203");
    expect(r.models.every((m) => m.status === "ran")).toBe(true);
    expect(r.models.find((m) => m.name === "stg_dbo__region")!.rows).toBe(2);
  });

  it("values arrive exactly: decimals as text, trailing spaces kept", async () => {
    await t.left.exec(`create schema cp_exact; create table cp_exact.customer (customerid int, regioncode char(2), name text, credit numeric(9,2))`);
    const src = flakySource({ "dbo.customer": [{ CustomerID: 1, RegionCode: "so", Name: "x  ", Credit: "9999999.99" }] }, cols, "", 0);
    await copyTables(src, t.left, [{ id: "dbo.Customer", source: { schema: "dbo", name: "Customer" }, target: { schema: "cp_exact", name: "customer" } }]);
    expect(await t.left.query(`select credit::text as c, name from cp_exact.customer`)).toEqual([{ c: "9999999.99", name: "x  " }]);
  });
});

describe("a model that loops forever on PGlite (no database URL: PGlite in a worker thread)", () => {
  it("is stopped at the statement timeout (VAL3005) with the worker; the run goes on in a new worker with its data", async () => {
    const src = project.sources.find((s) => s.tables.some((x) => /customer/i.test(x.name)))!;
    const tbl = src.tables.find((x) => /customer/i.test(x.name))!;
    // Ordered after the loop (DAG order falls back to names), and reads the synthesised source rows
    // that had to be replayed into the new worker.
    let p = withModel(project, "aa_forever", "with recursive r(n) as (select 1 union all select n + 1 from r) select count(*) as n from r");
    p = withModel(p, "zz_after", `select * from {{ source('${src.name}', '${tbl.name}') }}`);
    const started = Date.now();
    const r = await runValidation(p, { catalog, rows: 5, statementTimeoutMs: 2000 });
    expect(r.backend).toBe("pglite");
    expect(r.diagnostics.find((d) => d.code === "VAL1010")?.message).toMatch(/statement timeout 2000 ms/);
    const names = r.models.map((x) => x.name);
    const m = r.models.find((x) => x.name === "aa_forever")!;
    expect(m.status).toBe("failed");
    expect(m.diagnostics.map((d) => d.code)).toContain("VAL3005");
    expect(m.error?.message).toMatch(/statement timeout \(2000 ms\)/);
    expect(Date.now() - started).toBeLessThan(60_000);
    const after = r.models.find((x) => x.name === "zz_after")!;
    expect(names.indexOf("zz_after")).toBeGreaterThan(names.indexOf("aa_forever"));
    expect(after.status).toBe("ran");
    expect(after.rows).toBe(5);
    expect(r.models.filter((x) => x.name !== "aa_forever").every((x) => x.status === "ran")).toBe(true);
  }, 120_000);
});
