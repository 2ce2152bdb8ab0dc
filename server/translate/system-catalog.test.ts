// Code reading SQL Server's system catalog (sys.*, INFORMATION_SCHEMA, sysobjects...) has no
// Postgres meaning: the translator refuses it (TR1022) and the project conversion leaves the object
// out of the setup (no on-run-start function, a disabled model) instead of emitting SQL that reads
// a relation Postgres does not have.
import { describe, expect, it } from "vitest";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { buildCatalog } from "../catalog/build.ts";
import { readSources } from "../sources/read.ts";
import { translateScript } from "./index.ts";
import { convertCatalog } from "./project/convert.ts";

describe("system catalog references", () => {
  it.each([
    ["SELECT c.name FROM sys.columns AS c WHERE c.object_id = 1", "sys.columns"],
    ["SELECT TABLE_NAME FROM INFORMATION_SCHEMA.TABLES", "INFORMATION_SCHEMA.TABLES"],
    ["SELECT name FROM sysobjects WHERE xtype = 'U'", "sysobjects"],
    ["SELECT name FROM master.sys.databases", "master.sys.databases"],
    ["SELECT o.name FROM dbo.T AS t JOIN sys.objects AS o ON o.object_id = t.Id", "sys.objects"],
  ])("%s is refused naming %s", (sql, name) => {
    const t = translateScript(`CREATE TABLE dbo.T (Id INT);\n${sql};`, { file: "case.sql", options: { defaultSchema: "dbo" } });
    const d = t.diagnostics.filter((x) => x.code === "TR1022");
    expect(d).toHaveLength(1);
    expect(d[0]!.severity).toBe("error");
    expect(d[0]!.message).toContain(name);
  });

  it.each([
    ["SELECT Id FROM dbo.T"],
    ["SELECT name FROM dbo.SystemSettings"],
  ])("%s is not a system object", (sql) => {
    const t = translateScript(`CREATE TABLE dbo.T (Id INT);\nCREATE TABLE dbo.SystemSettings (name INT);\n${sql};`, { file: "case.sql", options: { defaultSchema: "dbo" } });
    expect(t.diagnostics.filter((x) => x.code === "TR1022")).toEqual([]);
  });

  it("a function or view reading sys.* is unsupported and not created at setup; its neighbours convert", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "dm-sys-"));
    try {
      await writeFile(
        path.join(dir, "db.sql"),
        `CREATE TABLE dbo.Item (Id INT NOT NULL PRIMARY KEY, Name NVARCHAR(20) NULL);
GO
CREATE FUNCTION dbo.ColumnCount (@id INT) RETURNS TABLE AS RETURN (SELECT COUNT(*) AS n FROM sys.columns WHERE object_id = @id);
GO
CREATE FUNCTION dbo.Twice (@x INT) RETURNS INT AS BEGIN RETURN @x * 2; END;
GO
CREATE VIEW dbo.TableNames AS SELECT t.name FROM sys.tables AS t;
GO
CREATE VIEW dbo.Items AS SELECT Id, dbo.Twice(Id) AS Id2 FROM dbo.Item;
GO
`,
        "utf8",
      );
      const catalog = buildCatalog(await readSources([path.join(dir, "db.sql")]));
      const r = convertCatalog(catalog);
      const byName = new Map(r.report.objects.map((o) => [o.name.toLowerCase(), o]));
      for (const bad of ["columncount", "tablenames"]) {
        const o = byName.get(bad)!;
        expect(o.status, bad).toBe("unsupported");
        expect(o.diagnostics.some((d) => d.code === "TR1022" && d.severity === "error")).toBe(true);
      }
      expect(r.project.onRunStart.join(" ")).not.toMatch(/column_count/);
      expect(r.project.onRunStart.join(" ")).toMatch(/twice/);
      expect(r.project.models.find((m) => m.name === "table_names")?.config.enabled).toBe(false);
      expect(byName.get("items")!.status).toBe("converted");
      expect(r.project.macros.map((m) => m.content).join("\n")).not.toMatch(/\bsys\./);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
