// Contracts of the convert pipeline on T-SQL written here: one line per rule.
import { describe, expect, it } from "vitest";
import { buildCatalog } from "../../catalog/build.ts";
import type { Catalog } from "../../catalog/model.ts";
import { readSources } from "../../sources/read.ts";
import { checkDbtProject, renderDbtProject, validateRenderedProject } from "../../dbt/index.ts";
import { mkdir, mkdtemp, writeFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { convertCatalog } from "./convert.ts";
import { defaultExpression, sourceDdl } from "./ddl.ts";
import { parseCheckInList } from "./tests.ts";
import { openConnection } from "../../validate/connection.ts";
import { runProject } from "../../validate/project-run.ts";
import { loadDbtProjectDir } from "./load.ts";

async function catalogOf(sql: string): Promise<Catalog> {
  const dir = await mkdtemp(path.join(tmpdir(), "dm-cnv-"));
  try {
    await writeFile(path.join(dir, "db.sql"), sql, "utf8");
    return buildCatalog(await readSources([path.join(dir, "db.sql")]));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

describe("CHECK constraints that become accepted_values", () => {
  it.each([
    ["Status IN ('a', 'b')", { column: "Status", values: ["a", "b"] }],
    ["([Status]='a' OR [Status]='b')", { column: "Status", values: ["a", "b"] }],
    ["([Kind]=(1) OR [Kind]=(2) OR [Kind]=(3))", { column: "Kind", values: [1, 2, 3] }],
    ["[Code] IN (N'x', N'it''s')", { column: "Code", values: ["x", "it's"] }],
    ["(Quantity > 0)", undefined],
    ["([A]='x' OR [B]='y')", undefined],
    ["Status IN ('a', lower('B'))", undefined],
    ["([Status]='a')", undefined],
  ])("%s → %j", (expr, expected) => {
    expect(parseCheckInList(expr)).toEqual(expected);
  });
});

describe("defaults reproduced in the source DDL", () => {
  it.each([
    ["((0))", "integer", "0"],
    ["((1))", "boolean", "true"],
    ["((0))", "boolean", "false"],
    ["(N'open')", "varchar(10)", "'open'"],
    ["(getdate())", "timestamp(3)", "localtimestamp"],
    ["(GETUTCDATE())", "timestamp(3)", "(now() at time zone 'utc')"],
    ["(newid())", "uuid", "gen_random_uuid()"],
    ["([dbo].[fnNext]())", "integer", undefined],
    ["(getdate())", "varchar(20)", undefined],
  ])("%s as %s → %s", (expr, type, expected) => {
    expect(defaultExpression(expr, type)).toBe(expected);
  });
});

const SHOP = `
CREATE TABLE dbo.Item (ItemID int IDENTITY(5,2) NOT NULL PRIMARY KEY, Doc xml NULL, Label nvarchar(20) NOT NULL DEFAULT (N'none'), Flag tinyint NULL);
GO
CREATE VIEW dbo.vItemDoc AS SELECT r.ItemID, r.B FROM Remote1.Warehouse.dbo.ItemDoc AS r;
GO
CREATE VIEW dbo.vItemDocTop AS SELECT TOP (1) ItemID, B FROM dbo.vItemDoc ORDER BY B;
GO
CREATE VIEW dbo.vItems AS SELECT Item.ItemID, UPPER(Label) AS Label FROM dbo.Item;
GO
CREATE TRIGGER dbo.trItem ON dbo.Item AFTER INSERT AS BEGIN SET NOCOUNT ON; END;
GO
CREATE VIEW dbo.vLabels (Id, Lbl) AS WITH x AS (SELECT ItemID, Label FROM dbo.Item WHERE Label <> N'none') SELECT ItemID, Label FROM x;
GO
`;

describe("what cannot be converted is written disabled, with everything that reads it", () => {
  it("disables a view the translator refuses and the view that reads it, and runs the rest", async () => {
    const catalog = await catalogOf(SHOP);
    const r = convertCatalog(catalog);
    const byName = new Map(r.project.models.map((m) => [m.name, m]));
    expect(byName.get("v_item_doc")!.config.enabled).toBe(false);
    expect(byName.get("v_item_doc_top")!.config.enabled).toBe(false);
    expect(byName.get("v_items")!.config.enabled).toBeUndefined();
    expect(byName.get("v_item_doc")!.sql).toContain("Original T-SQL");
    const top = r.report.objects.find((o) => o.name === "vItemDocTop")!;
    expect(top.status).toBe("unsupported");
    expect(top.diagnostics.map((d) => d.code)).toContain("CNV2003");
    const doc = r.report.objects.find((o) => o.name === "vItemDoc")!;
    expect(doc.diagnostics.map((d) => d.code)).toContain("CNV3004");
    expect(validateRenderedProject(renderDbtProject(r.project))).toEqual([]);
    const run = await runProject(r.project, { catalog });
    expect(run.setup.ok).toBe(true);
    expect(run.disabled.sort()).toEqual(["v_item_doc", "v_item_doc_top"]);
    expect(run.models.map((m) => [m.name, m.status])).toEqual([
      ["stg_dbo__item", "ran"],
      ["v_items", "ran"],
      ["v_labels", "ran"],
    ]);
  }, 60_000);
});

describe("foreign keys as relationships tests", () => {
  it.each([
    ["an int key", "int", undefined],
    ["a case-insensitive string key", "nvarchar(10)", "warn"],
    ["a case-sensitive string key", "nvarchar(10) COLLATE Latin1_General_CS_AS", undefined],
  ])("on %s: severity %s", async (_what, type, severity) => {
    const catalog = await catalogOf(`CREATE TABLE dbo.P (K ${type} NOT NULL PRIMARY KEY);\nGO\nCREATE TABLE dbo.C (Id int NOT NULL PRIMARY KEY, K ${type} NULL REFERENCES dbo.P (K));\nGO\n`);
    const r = convertCatalog(catalog);
    const test = r.project.models.find((m) => m.name === "stg_dbo__c")!.columns.find((c) => c.name === "k")!.data_tests[0];
    expect(test).toEqual({ test: "relationships", to: { kind: "ref", model: "stg_dbo__p" }, field: "k", ...(severity ? { config: { severity } } : {}) });
  });
});

describe("views with a CTE and a column list", () => {
  it("keep the CTE and take their column names from the list", async () => {
    const catalog = await catalogOf(SHOP);
    const r = convertCatalog(catalog);
    const labels = r.project.models.find((m) => m.name === "v_labels")!;
    expect(labels.columns.map((c) => c.name)).toEqual(["id", "lbl"]);
    const run = await runProject(r.project, {
      catalog,
      keep: true,
      beforeModels: (db, x) => db.exec(`INSERT INTO ${x.sourceTable("dbo", "Item")} (itemid, label) VALUES (1, 'none'), (2, 'NONE '), (3, 'red')`),
    });
    try {
      // Label <> N'none' under CI_AS with trailing spaces ignored: only 'red' differs.
      expect(await run.db!.query(`select id, lbl from ${run.relation("v_labels")}`)).toEqual([{ id: 3, lbl: "red" }]);
    } finally {
      await run.close();
    }
  }, 60_000);
});

describe("source DDL", () => {
  it("keeps identity seeds, defaults, keys and the tinyint range, spelled as the translator spells names", async () => {
    const ddl = sourceDdl(await catalogOf(SHOP));
    expect(ddl.sql).toContain('CREATE SCHEMA IF NOT EXISTS "dbo"');
    expect(ddl.sql).toContain("itemid integer GENERATED BY DEFAULT AS IDENTITY (START WITH 5 INCREMENT BY 2) NOT NULL");
    expect(ddl.sql).toContain("label varchar(20) DEFAULT 'none' NOT NULL");
    expect(ddl.sql).toContain("flag smallint CHECK (flag BETWEEN 0 AND 255)");
    expect(ddl.sql).toMatch(/PRIMARY KEY \(itemid\)/);
  });
});

describe("target sqlserver: T-SQL kept, references converted", () => {
  it("replaces table references by source()/ref() and keeps a bare table name usable as a qualifier", async () => {
    const r = convertCatalog(await catalogOf(SHOP), { target: "sqlserver" });
    const items = r.project.models.find((m) => m.name === "v_items")!;
    expect(items.sql.trim()).toBe("SELECT Item.ItemID, UPPER(Label) AS Label FROM {{ source('dbo', 'item') }} AS [Item]");
    const top = r.project.models.find((m) => m.name === "v_item_doc_top")!;
    expect(top.sql).toContain("FROM {{ ref('v_item_doc') }} AS [vItemDoc]");
    expect(r.project.models.every((m) => m.config.enabled !== false)).toBe(true);
    expect(r.project.onRunStart).toEqual([]);
    const files = renderDbtProject(r.project);
    expect(validateRenderedProject(files)).toEqual([]);
    expect(checkDbtProject(r.project).filter((d) => d.severity === "error")).toEqual([]);
    expect(files.get("profiles.yml")).toContain("type: sqlserver");
    const stg = r.project.models.find((m) => m.name === "stg_dbo__item")!;
    expect(stg.sql).toContain("cast([ItemID] as int) as item_id");
  });
});

describe("row-level security policies", () => {
  it("are listed in the report as unsupported with what to do instead", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "dm-cnv-rls-"));
    try {
      const file = path.join(dir, "rls.sql");
      await writeFile(
        file,
        "CREATE TABLE dbo.Doc (DocID int NOT NULL PRIMARY KEY, Owner sysname NOT NULL);\nGO\nCREATE FUNCTION dbo.fnMine (@Owner sysname) RETURNS TABLE WITH SCHEMABINDING AS RETURN SELECT 1 AS ok WHERE @Owner = USER_NAME();\nGO\nCREATE SECURITY POLICY [dbo].[DocFilter]\n  ADD FILTER PREDICATE dbo.fnMine(Owner) ON dbo.Doc WITH (STATE = ON);\nGO\n",
        "utf8",
      );
      const r = convertCatalog(buildCatalog(await readSources([file])));
      const policy = r.report.objects.find((o) => o.kind === "security_policy");
      expect(policy).toMatchObject({ schema: "dbo", name: "DocFilter", status: "unsupported", model: null });
      expect(policy!.diagnostics[0]).toMatchObject({ code: "CNV3014", line: 5 });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe("runProject (server/validate) on a hand-written project", () => {
  it("creates tables and views, inlines ephemeral models as CTEs, skips what depends on a failure, and runs tests", async () => {
    const db = await openConnection(process.env.TEST_DATABASE_URL);
    try {
      const run = await runProject(
        {
          name: "h",
          profile: "h",
          sources: [{ name: "raw", schema: "raw", tables: [{ name: "nums", columns: [{ name: "n", data_type: "integer", data_tests: [{ test: "not_null" }] }] }] }],
          models: [
            { name: "int_even", path: "models/intermediate/int_even.sql", sql: "select n from {{ source('raw', 'nums') }} where n % 2 = 0" },
            { name: "evens", path: "models/marts/evens.sql", sql: "select n * 10 as n10 from {{ ref('int_even') }}", columns: [{ name: "n10", data_tests: [{ test: "unique" }] }] },
            { name: "broken", path: "models/marts/broken.sql", sql: "select no_such_column from {{ ref('evens') }}", materialized: "view" },
            { name: "after_broken", path: "models/marts/after_broken.sql", sql: "select * from {{ ref('broken') }}" },
          ],
        },
        {
          connection: db,
          keep: true,
          async beforeModels(d, r) {
            await d.exec(`INSERT INTO ${r.sourceTable("raw", "nums")} VALUES (1), (2), (4), (NULL)`);
          },
        },
      );
      expect(run.setup).toEqual({ ok: true });
      // DAG order (ties by name); the ephemeral model is not run itself but inlined into evens.
      expect(run.models.map((m) => [m.name, m.materialized, m.status])).toEqual([
        ["evens", "table", "ran"],
        ["broken", "view", "failed"],
        ["after_broken", "table", "skipped"],
      ]);
      expect(run.models.find((m) => m.name === "broken")!.error).toMatch(/no_such_column/);
      expect(await db.query(`select n10 from ${run.relation("evens")} order by n10`)).toEqual([{ n10: 20 }, { n10: 40 }]);
      expect(run.tests.map((t) => [t.name, t.status, t.failures])).toEqual([
        ["source_not_null_raw_nums_n", "fail", 1],
        ["unique_evens_n10", "pass", 0],
      ]);
      await run.close();
      // The scratch schemas are gone; the database handle stays open for its owner.
      expect(await db.query(`select count(*)::int as c from pg_namespace where nspname like '${run.schema}%'`)).toEqual([{ c: 0 }]);
    } finally {
      await db.close();
    }
  }, 60_000);
});

describe("loadDbtProjectDir", () => {
  it("reads layers, hooks, sources, models and tests, and reports tests it cannot run", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "dm-cnv-load-"));
    try {
      const put = async (rel: string, text: string) => {
        await mkdir(path.dirname(path.join(dir, rel)), { recursive: true });
        await writeFile(path.join(dir, rel), text, "utf8");
      };
      await put("dbt_project.yml", "name: p\nprofile: p\non-run-start:\n  - \"select 1\"\nmodels:\n  p:\n    marts:\n      +materialized: table\n");
      await put("models/staging/raw/_raw__sources.yml", "version: 2\nsources:\n  - name: raw\n    schema: raw\n    tables:\n      - name: t\n        columns:\n          - name: a\n            data_type: integer\n");
      await put("models/marts/m.sql", "select a from {{ source('raw', 't') }}\n");
      await put(
        "models/marts/_marts__models.yml",
        "version: 2\nmodels:\n  - name: m\n    config:\n      enabled: false\n    columns:\n      - name: a\n        data_tests:\n          - unique\n          - dbt_utils.not_constant\n          - relationships:\n              arguments:\n                to: source('raw', 't')\n                field: a\n",
      );
      const { project, diagnostics } = await loadDbtProjectDir(dir);
      expect(project.layers.marts).toBe("table");
      expect(project.onRunStart).toEqual(["select 1"]);
      expect(project.sources[0]!.tables[0]!.columns[0]).toMatchObject({ name: "a", data_type: "integer" });
      expect(project.models[0]).toMatchObject({ name: "m", path: "models/marts/m.sql", config: { enabled: false } });
      expect(project.models[0]!.columns[0]!.data_tests).toEqual([
        { test: "unique" },
        { test: "relationships", to: { kind: "source", source: "raw", table: "t" }, field: "a" },
      ]);
      expect(diagnostics.map((d) => [d.code, d.file])).toEqual([["CNV4001", "models/marts/_marts__models.yml"]]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

// An ETL procedure written for this test: TRUNCATE then INSERT ... SELECT rebuilds the table.
const ETL = `
CREATE TABLE dbo.SalesRaw (SaleID int NOT NULL PRIMARY KEY, Region nvarchar(20) NULL, Amount decimal(10, 2) NOT NULL);
GO
CREATE TABLE dbo.RegionTotal (Region nvarchar(20) NOT NULL PRIMARY KEY, Total decimal(12, 2) NOT NULL, Sales int NOT NULL);
GO
CREATE PROCEDURE dbo.usp_LoadRegionTotal
AS
BEGIN
    SET NOCOUNT ON;
    TRUNCATE TABLE dbo.RegionTotal;
    INSERT INTO dbo.RegionTotal (Region, Total, Sales)
    SELECT ISNULL(Region, N'unknown'), SUM(Amount), COUNT(*)
    FROM dbo.SalesRaw
    GROUP BY ISNULL(Region, N'unknown');
END;
GO
CREATE PROCEDURE dbo.usp_SetAmount @SaleID int, @Amount decimal(10, 2)
AS
    UPDATE dbo.SalesRaw SET Amount = @Amount WHERE SaleID = @SaleID;
GO
`;

describe("procedures (server/translate/procedures) wired into convert", () => {
  it("classifies a CLR procedure too: application code outside dbt, with the reason and CNV3003", async () => {
    const r = convertCatalog(
      await catalogOf(`CREATE TABLE dbo.T (ID int PRIMARY KEY);
GO
CREATE PROCEDURE dbo.usp_Clr @x int
AS EXTERNAL NAME ClrTools.[Tools.Procedures].Run;
GO
`),
    );
    const o = r.report.objects.find((x) => x.name === "usp_Clr")!;
    expect(o).toMatchObject({ kind: "procedure", status: "unsupported", class: "application" });
    expect(o.reason).toMatch(/CLR procedure.*\.NET/);
    expect(o.diagnostics.map((d) => d.code)).toContain("CNV3003");
  });

  it("reports each procedure with its class, reason and status; an etl procedure becomes a table model that runs", async () => {
    const catalog = await catalogOf(ETL);
    const r = convertCatalog(catalog);
    const byName = Object.fromEntries(r.report.objects.map((o) => [o.name, o]));
    expect(byName["usp_LoadRegionTotal"]).toMatchObject({ kind: "procedure", status: "converted", class: "etl", model: "models/marts/dbo/region_total.sql", models: ["region_total"] });
    expect(byName["usp_LoadRegionTotal"]!.reason).toEqual(expect.any(String));
    expect(byName["usp_LoadRegionTotal"]!.lineage).toEqual(expect.arrayContaining([expect.objectContaining({ model: "region_total" })]));
    expect(byName["usp_SetAmount"]).toMatchObject({ kind: "procedure", status: "unsupported", class: "application" });
    expect((byName["usp_SetAmount"]!.diagnostics as { code: string; severity: string }[]).filter((d) => d.code === "CNV3015")).toEqual([expect.objectContaining({ severity: "note" })]);
    expect(r.report.objects.some((o) => o.diagnostics.some((d) => d.code === "CNV3001"))).toBe(false);
    const model = r.project.models.find((m) => m.name === "region_total")!;
    expect(model.materialized).toBe("table");
    expect(validateRenderedProject(renderDbtProject(r.project))).toEqual([]);

    const run = await runProject(r.project, {
      catalog,
      keep: true,
      beforeModels: (db, x) => db.exec(`INSERT INTO ${x.sourceTable("dbo", "SalesRaw")} (saleid, region, amount) VALUES (1, 'north', 10.50), (2, 'north', 4.50), (3, NULL, 7), (4, 'south', 1.25)`),
    });
    try {
      expect(run.models.filter((m) => m.status !== "ran")).toEqual([]);
      const rows = await run.db!.query(`select region, total::text as total, sales::int as sales from ${run.relation("region_total")} order by region`);
      expect(rows).toEqual([
        { region: "north", total: "15.00", sales: 2 },
        { region: "south", total: "1.25", sales: 1 },
        { region: "unknown", total: "7.00", sales: 1 },
      ]);
    } finally {
      await run.close();
    }
  }, 60_000);

  it("keeps procedures as before on the sqlserver target", async () => {
    const r = convertCatalog(await catalogOf(ETL), { target: "sqlserver" });
    const proc = r.report.objects.find((o) => o.name === "usp_LoadRegionTotal")!;
    expect(proc.diagnostics.map((d) => d.code)).toEqual(["CNV3001"]);
    expect(r.project.models.some((m) => m.name === "region_total")).toBe(false);
  });
});
