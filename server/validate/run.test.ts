// The validation run on a project converted here from T-SQL written for these tests.
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { convertPaths } from "../translate/project/index.ts";
import type { DbtProject } from "../dbt/project.ts";
import type { Catalog } from "../catalog/model.ts";
import { runValidation, type ValidationResult } from "./run.ts";
import { openTestConnections, type TestConnections } from "./testing.ts";

const TSQL = `
CREATE TABLE dbo.Region (RegionCode char(2) NOT NULL PRIMARY KEY, Name nvarchar(30) NOT NULL);
GO
CREATE TABLE dbo.Customer (
  CustomerID int IDENTITY(1,1) NOT NULL PRIMARY KEY,
  RegionCode char(2) NULL REFERENCES dbo.Region(RegionCode),
  Name varchar(40) NOT NULL,
  Status varchar(10) NOT NULL CONSTRAINT CK_Customer_Status CHECK (Status IN ('active', 'closed')),
  Credit decimal(9,2) NULL
);
GO
CREATE VIEW dbo.vCustomerRegion AS
SELECT c.CustomerID, c.Name, r.Name AS RegionName, c.Credit
FROM dbo.Customer c LEFT JOIN dbo.Region r ON r.RegionCode = c.RegionCode;
GO
CREATE VIEW dbo.vActive AS
SELECT CustomerID, UPPER(Name) AS Name FROM dbo.vCustomerRegion WHERE Credit > 0;
GO
`;

let dir: string;
let project: DbtProject;
let catalog: Catalog;
let t: TestConnections;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "dm-val-"));
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

const withModel = (p: DbtProject, name: string, sql: string, materialized: "table" | "view" | "incremental" | "ephemeral" = "table", config: Record<string, unknown> = {}): DbtProject => ({
  ...p,
  models: [...p.models, { name, path: `models/marts/${name}.sql`, sql, materialized, config, columns: [], data_tests: [] } as unknown as DbtProject["models"][number]],
});

async function schemasLeft(prefix: string): Promise<string[]> {
  return (await t.left.query(`select nspname from pg_namespace where nspname like '${prefix}%'`)).map((r) => String(r.nspname));
}

describe("a validation run", () => {
  let r: ValidationResult;
  beforeAll(async () => {
    r = await runValidation(project, { connection: t.left, catalog, rows: 30, schemaPrefix: "dm_val_run1" });
  });

  it("creates the sources, loads synthesised rows, runs every model in DAG order and the data tests", () => {
    expect(r.setup).toEqual({ ok: true });
    expect(r.loads.map((l) => [l.table, l.rows])).toEqual([
      ["dbo.Region", 30],
      ["dbo.Customer", 30],
    ]);
    const names = r.models.map((m) => m.name);
    expect(names.indexOf("v_customer_region")).toBeLessThan(names.indexOf("v_active"));
    for (const m of r.models) expect(m.status, `${m.name}: ${m.error?.message}`).toBe("ran");
    expect(r.models.find((m) => m.name === "v_customer_region")!.rows).toBe(30);
  });

  it("records test results per model and grades every model", () => {
    const stg = r.models.find((m) => m.name === "stg_dbo__customer")!;
    expect(stg.tests.map((x) => x.test)).toEqual(expect.arrayContaining(["unique", "not_null", "accepted_values", "relationships"]));
    expect(stg.tests.every((x) => x.status === "pass")).toBe(true);
    expect(stg.evidence).toBe("tests_passed");
    expect(Object.values(r.grades).reduce((a, b) => a + b, 0)).toBe(r.models.length);
  });

  it("drops its scratch schemas afterwards", async () => {
    expect(await schemasLeft("dm_val_run1")).toEqual([]);
  });
});

describe("failures end their own step and the run goes on", () => {
  it("maps a Postgres error position back to the model file's line; dependants are skipped, the rest runs", async () => {
    const sql = `{{ config(materialized='table') }}\n\nselect customer_id,\n       name,\n       credit * 2 as doubled,\n       nosuchcolumn\nfrom {{ ref('stg_dbo__customer') }}`;
    let p = withModel(project, "broken", sql);
    p = withModel(p, "after_broken", "select * from {{ ref('broken') }}", "view");
    const r = await runValidation(p, { connection: t.left, catalog, rows: 5 });
    const b = r.models.find((m) => m.name === "broken")!;
    expect(b.status).toBe("failed");
    expect(b.error?.message).toMatch(/nosuchcolumn/);
    expect(b.error?.line).toBe(6);
    expect(b.diagnostics.find((d) => d.code === "VAL3001")).toMatchObject({ file: "models/marts/broken.sql", line: 6 });
    expect(b.evidence).toBe("failed");
    const after = r.models.find((m) => m.name === "after_broken")!;
    expect(after, JSON.stringify(after)).toMatchObject({ status: "skipped", evidence: "compiled" });
    expect(r.models.find((m) => m.name === "v_active")!.status).toBe("ran");
  });

  it("a failing data test keeps a sample of the failing rows; the model grades ran, not tests_passed", async () => {
    const p = withModel(project, "credits", "select customer_id, credit from {{ ref('stg_dbo__customer') }}");
    const m = p.models.find((x) => x.name === "credits")!;
    (m as { columns: unknown[] }).columns = [
      { name: "customer_id", data_tests: [{ test: "unique" }, { test: "not_null" }] },
      { name: "credit", data_tests: [{ test: "not_null" }] },
    ];
    const r = await runValidation(p, { connection: t.left, catalog, rows: 30, failingRowSample: 2 });
    const res = r.models.find((x) => x.name === "credits")!;
    const failing = res.tests.find((x) => x.column === "credit")!;
    expect(failing.status).toBe("fail");
    expect(failing.failures).toBeGreaterThan(0);
    expect(failing.sample).toHaveLength(2);
    expect(failing.sample!.every((row) => Object.values(row).every((v) => v === null))).toBe(true);
    expect(res.tests.filter((x) => x.column === "customer_id").map((x) => x.status)).toEqual(["pass", "pass"]);
    expect(res.evidence).toBe("ran");
  });

  it("a model over the row cap fails with VAL3002 and is dropped", async () => {
    const p = withModel(project, "runaway", "select a.customer_id, b.customer_id as other from {{ ref('stg_dbo__customer') }} a cross join {{ ref('stg_dbo__customer') }} b");
    const r = await runValidation(p, { connection: t.left, catalog, rows: 30, modelRowCap: 500 });
    const m = r.models.find((x) => x.name === "runaway")!;
    expect(m.status).toBe("failed");
    expect(m.diagnostics.map((d) => d.code)).toContain("VAL3002");
    expect(r.models.filter((x) => x.name !== "runaway").every((x) => x.status === "ran")).toBe(true);
  });

  it("an incremental model runs twice: full, then incremental after new rows", async () => {
    const p = withModel(
      project,
      "inc_customers",
      "select customer_id, name from {{ ref('stg_dbo__customer') }}\n{% if is_incremental() %}where customer_id > (select coalesce(max(customer_id), 0) from {{ this }}){% endif %}",
      "incremental",
      { unique_key: "customer_id" },
    );
    const r = await runValidation(p, { connection: t.left, catalog, rows: 20, incrementalRows: 7 });
    const m = r.models.find((x) => x.name === "inc_customers")!;
    expect(m.rows).toBe(20);
    expect(m.incremental).toEqual({ ran: true, rowsAfter: 27, matchesFullRefresh: true });
    expect(m.evidence).toBe("ran");
  });

  it("an incremental filter that misses new rows is flagged against a full refresh (VAL3008)", async () => {
    const p = withModel(
      project,
      "inc_lossy",
      "select customer_id, name from {{ ref('stg_dbo__customer') }}\n{% if is_incremental() %}where customer_id < 0{% endif %}",
      "incremental",
      { unique_key: "customer_id" },
    );
    const r = await runValidation(p, { connection: t.left, catalog, rows: 20, incrementalRows: 7 });
    const m = r.models.find((x) => x.name === "inc_lossy")!;
    expect(m.incremental).toMatchObject({ ran: true, rowsAfter: 20, matchesFullRefresh: false });
    expect(m.diagnostics.find((d) => d.code === "VAL3008")?.message).toMatch(/holds 20 rows where a full refresh builds 27 \(missing/);
  });

  it("a history-dependent incremental model (a compiled procedure's appends) is not compared with a full refresh", async () => {
    const p = withModel(
      project,
      "inc_history",
      "select customer_id, name from {{ ref('stg_dbo__customer') }}\n{% if is_incremental() %}where customer_id < 0{% endif %}",
      "incremental",
      { unique_key: "customer_id" },
    );
    p.models[p.models.length - 1]!.meta = { datamigrate: { procedure: "dbo.usp_Load", history_dependent: true } };
    const r = await runValidation(p, { connection: t.left, catalog, rows: 20, incrementalRows: 7 });
    const m = r.models.find((x) => x.name === "inc_history")!;
    expect(m.incremental).toEqual({ ran: true, rowsAfter: 20 });
    expect(m.diagnostics.filter((d) => d.code === "VAL3008")).toEqual([]);
  });

  it("an ephemeral model ran when a model that refs it ran; an unused one is only compiled", async () => {
    let p = withModel(project, "eph_used", "select customer_id from {{ ref('stg_dbo__customer') }}", "ephemeral");
    p = withModel(p, "eph_unused", "select 1 as x", "ephemeral");
    p = withModel(p, "uses_eph", "select count(*) as n from {{ ref('eph_used') }}");
    const r = await runValidation(p, { connection: t.left, catalog, rows: 5 });
    expect(r.models.find((m) => m.name === "uses_eph")).toMatchObject({ status: "ran", rows: 1 });
    expect(r.models.find((m) => m.name === "eph_used")).toMatchObject({ status: "ran", evidence: "ran" });
    expect(r.models.find((m) => m.name === "eph_unused")).toMatchObject({ status: "skipped", evidence: "compiled" });
  });

  it("a validation database that is not empty is left alone; a taken prefix is replaced", async () => {
    await t.left.exec(`create schema if not exists dm_val_taken; create table if not exists dm_val_taken.keep_me (x int); insert into dm_val_taken.keep_me values (1)`);
    const r = await runValidation(project, { connection: t.left, catalog, rows: 5, schemaPrefix: "dm_val_taken" });
    expect(r.diagnostics.map((d) => d.code)).toContain("VAL1002");
    expect(r.schemas.models).not.toBe("dm_val_taken");
    expect(r.models.every((m) => m.status === "ran")).toBe(true);
    expect(await t.left.query(`select x from dm_val_taken.keep_me`)).toEqual([{ x: 1 }]);
    expect(await schemasLeft(r.schemas.models)).toEqual([]);
  });

  it("parity: a model equal to the source's relation is verified_equal, a different one fails with VAL4001 naming the row", async () => {
    const r = await runValidation(project, {
      connection: t.left,
      catalog,
      rows: 12,
      parity: {
        connection: t.right,
        relationOf: async (m) => {
          if (m.name === "v_active") return m.relationName;
          if (m.name !== "v_customer_region") return undefined;
          await t.right.exec(`drop schema if exists exp cascade; create schema exp;
            create table exp.vcr as select * from ${m.relation};
            update exp.vcr set name = name || '!' where customerid = (select min(customerid) from exp.vcr)`);
          return { schema: "exp", name: "vcr" };
        },
        keyOf: (m) => (m.name === "v_customer_region" ? ["customerid"] : undefined),
      },
    });
    const active = r.models.find((m) => m.name === "v_active")!;
    expect(active.parity?.equal).toBe(true);
    expect(active.evidence).toBe("verified_equal");
    const vcr = r.models.find((m) => m.name === "v_customer_region")!;
    expect(vcr.evidence, JSON.stringify(vcr.parity) + JSON.stringify(vcr.diagnostics)).toBe("failed");
    expect(vcr.diagnostics.map((d) => d.code)).toContain("VAL4001");
    expect(vcr.parity?.differences?.map((d) => d.kind)).toEqual(["changed"]);
    expect(r.grades.verified_equal).toBe(1);
  });

  it("keep leaves the schemas for inspection", async () => {
    const r = await runValidation(project, { connection: t.left, catalog, rows: 5, keep: true, schemaPrefix: "dm_val_kept" });
    expect(r.kept).toBe(true);
    expect((await schemasLeft("dm_val_kept")).length).toBeGreaterThan(1);
    expect(await t.left.query(`select count(*)::int as n from "dm_val_kept"."v_customer_region"`)).toEqual([{ n: 5 }]);
  });
});

describe("rows given by the caller (synthesize: false, beforeModels)", () => {
  it("leaves the source tables empty except for the rows beforeModels inserts, and lists every data test once", async () => {
    const r = await runValidation(project, {
      connection: t.left,
      catalog,
      synthesize: false,
      schemaPrefix: "dm_val_given",
      async beforeModels(conn, at) {
        expect(at.sourceSchemas.dbo).toMatch(/^dm_val_given_s\d$/);
        await conn.exec(`INSERT INTO ${at.sourceTable("dbo", "Region")} (regioncode, name) VALUES ('PT', 'Portugal'), ('NO', 'Norway');
          INSERT INTO ${at.sourceTable("dbo", "Customer")} (regioncode, name, status, credit) VALUES ('PT', 'Ana', 'active', 10), (NULL, 'Bo', 'closed', 0), ('NO', 'Cy', 'active', NULL)`);
      },
    });
    expect(r.setup).toEqual({ ok: true });
    expect(r.loads).toEqual([]);
    expect(r.models.find((m) => m.name === "v_customer_region")!.rows).toBe(3);
    expect(r.models.find((m) => m.name === "v_active")!.rows).toBe(1);
    const perModel = [...r.models.flatMap((m) => m.tests), ...r.sourceTests];
    expect(r.tests.length).toBeGreaterThan(0);
    expect(new Set(r.tests)).toEqual(new Set(perModel));
    expect(r.tests).toHaveLength(perModel.length);
    expect(await schemasLeft("dm_val_given")).toEqual([]);
  });

  it("a beforeModels that throws fails the setup (VAL1003) and the scratch schemas are dropped", async () => {
    const r = await runValidation(project, {
      connection: t.left,
      catalog,
      synthesize: false,
      schemaPrefix: "dm_val_badhook",
      beforeModels: (conn, at) => conn.exec(`INSERT INTO ${at.sourceTable("dbo", "Region")} (regioncode) VALUES ('PT')`),
    });
    expect(r.setup.ok).toBe(false);
    expect(r.setup.error).toMatch(/null value|not-null/i);
    expect(r.diagnostics.map((d) => d.code)).toContain("VAL1003");
    expect(r.models).toEqual([]);
    expect(await schemasLeft("dm_val_badhook")).toEqual([]);
  });
});
