import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { readModelXml } from "../sources/dacpac.ts";
import { readSources } from "../sources/read.ts";
import { liveRowsToFragment, type CatalogQueryName, type Row } from "../sources/live.ts";
import type { SourceFile, SourceSet } from "../sources/types.ts";
import { buildCatalog, countByKind, withoutAsts, type BuildOptions } from "./build.ts";
import { dependencyOrder } from "./graph.ts";
import { type Catalog, CatalogSchema, type CatalogObject } from "./model.ts";

function file(p: string, text: string, origin: SourceFile["origin"] = { kind: "file" }): SourceFile {
  return { path: p, text, encoding: "utf-8", origin };
}
function set(files: SourceFile[], extra: Partial<SourceSet> = {}): SourceSet {
  return { files, fragments: [], projects: [], diagnostics: [], ...extra };
}
function build(sql: string | Record<string, string>, opts: BuildOptions = {}): Catalog {
  const files = typeof sql === "string" ? [file("db.sql", sql)] : Object.entries(sql).map(([p, t]) => file(p, t));
  return buildCatalog(set(files), opts);
}
function obj(c: Catalog, id: string, kind?: string): CatalogObject {
  const o = c.objects.find((x) => x.id === id && (!kind || x.kind === kind));
  if (!o) throw new Error(`no object ${id}; have ${c.objects.map((x) => `${x.kind}:${x.id}`).join(", ")}`);
  return o;
}
const codes = (c: Catalog) => c.diagnostics.map((d) => d.code);

const SHOP = `
CREATE SCHEMA Sales;
GO
CREATE TABLE Sales.Customer (
  CustomerId int IDENTITY(1000, 1) NOT NULL CONSTRAINT PK_Customer PRIMARY KEY CLUSTERED,
  Name nvarchar(100) NOT NULL,
  Code varchar(12) COLLATE Latin1_General_CS_AS NULL,
  Email dbo.EmailAddress NULL,
  Label AS (Code + N': ' + Name) PERSISTED,
  Since datetime2(3) NOT NULL CONSTRAINT DF_Customer_Since DEFAULT (sysutcdatetime()),
  Balance decimal(19, 4) NULL,
  CONSTRAINT UQ_Customer_Code UNIQUE NONCLUSTERED (Code),
  CONSTRAINT CK_Customer_Balance CHECK (Balance >= 0)
);
GO
CREATE TABLE Sales.[Order] (
  OrderId bigint NOT NULL,
  CustomerId int NOT NULL,
  Amount money,
  PRIMARY KEY NONCLUSTERED (OrderId)
);
GO
CREATE INDEX IX_Order_Customer ON Sales.[Order] (CustomerId, OrderId DESC) INCLUDE (Amount) WHERE Amount > 0;
GO
EXEC sp_addextendedproperty @name = N'MS_Description', @value = N'People who buy', @level0type = N'SCHEMA', @level0name = N'Sales', @level1type = N'TABLE', @level1name = N'Customer';
EXEC sp_addextendedproperty N'MS_Description', N'Short code', N'SCHEMA', N'Sales', N'TABLE', N'Customer', N'COLUMN', N'Code';
GO
`;

describe("buildCatalog from scripts: tables", () => {
  const fk = "ALTER TABLE Sales.[Order] ADD CONSTRAINT FK_Order_Customer FOREIGN KEY (CustomerId) REFERENCES Sales.Customer (CustomerId) ON DELETE CASCADE;\n";
  // The ALTER comes in a file read before the table's: table alterations wait for every CREATE.
  const c = build({ "a_fk.sql": fk, "b_shop.sql": SHOP, "c_type.sql": "CREATE TYPE dbo.EmailAddress FROM nvarchar(320) NULL;" });

  it("is a valid catalog", () => {
    expect(() => CatalogSchema.parse(c)).not.toThrow();
    expect(c.diagnostics).toEqual([]);
  });

  it("records columns with SQL Server types, nullability, identity, computed, defaults, collations", () => {
    const t = obj(c, "Sales.Customer");
    expect(t).toMatchObject({ kind: "table", schema: "Sales", name: "Customer", file: "b_shop.sql", line: 4, description: "People who buy" });
    expect(t.columns).toEqual([
      { name: "CustomerId", nullable: false, type: { name: "int" }, identity: { seed: "1000", increment: "1" } },
      { name: "Name", nullable: false, type: { name: "nvarchar", length: 100 }, collation: "SQL_Latin1_General_CP1_CI_AS" },
      { name: "Code", nullable: true, type: { name: "varchar", length: 12 }, collation: "Latin1_General_CS_AS", collationExplicit: true, description: "Short code" },
      { name: "Email", nullable: true, type: { name: "EmailAddress", schema: "dbo", userDefined: true }, collation: "SQL_Latin1_General_CP1_CI_AS" },
      { name: "Label", nullable: true, computed: { expression: "(Code + N': ' + Name)", persisted: true } },
      { name: "Since", nullable: false, type: { name: "datetime2", scale: 3 }, default: { name: "DF_Customer_Since", expression: "(sysutcdatetime())" } },
      { name: "Balance", nullable: true, type: { name: "decimal", precision: 19, scale: 4 } },
    ]);
    expect(t.constraints).toEqual([
      { kind: "primary_key", name: "PK_Customer", columns: ["CustomerId"], clustered: true },
      { kind: "default", name: "DF_Customer_Since", columns: ["Since"], expression: "(sysutcdatetime())" },
      { kind: "unique", name: "UQ_Customer_Code", columns: ["Code"], clustered: false },
      { kind: "check", name: "CK_Customer_Balance", columns: [], expression: "Balance >= 0" },
    ]);
    expect(t.dependsOn).toEqual(["dbo.EmailAddress"]);
  });

  it("applies ALTER TABLE and CREATE INDEX; PK columns become NOT NULL; FK gives a dependency", () => {
    const o = obj(c, "Sales.Order");
    expect(o.columns.find((x) => x.name === "OrderId")?.nullable).toBe(false);
    expect(o.columns.find((x) => x.name === "Amount")).toEqual({ name: "Amount", nullable: true, type: { name: "money" } });
    expect(o.constraints).toContainEqual({
      kind: "foreign_key",
      name: "FK_Order_Customer",
      columns: ["CustomerId"],
      references: { schema: "Sales", name: "Customer", columns: ["CustomerId"] },
      onDelete: "CASCADE",
    });
    expect(o.indexes).toEqual([{ name: "IX_Order_Customer", unique: false, clustered: false, columns: ["CustomerId", "OrderId DESC"], include: ["Amount"], filter: "Amount > 0" }]);
    expect(o.dependsOn).toEqual(["Sales.Customer"]);
    expect(obj(c, "Sales.Order.IX_Order_Customer", "index")).toMatchObject({ parent: { schema: "Sales", name: "Order" }, dependsOn: ["Sales.Order"] });
  });

  it("counts per kind leave out implicit schemas", () => {
    expect(countByKind(c)).toEqual({ schema: 1, table: 2, index: 1, type: 1 });
    expect(obj(c, "dbo", "schema").implicit).toBe(true);
  });
});

describe("collations", () => {
  it.each<[string, string, BuildOptions, string | undefined]>([
    ["the default", "CREATE TABLE t (a varchar(10));", {}, "SQL_Latin1_General_CP1_CI_AS"],
    ["configured", "CREATE TABLE t (a varchar(10));", { defaultCollation: "Latin1_General_100_CS_AS" }, "Latin1_General_100_CS_AS"],
    ["the script's CREATE DATABASE", "CREATE DATABASE Shop COLLATE Japanese_CI_AS;\nGO\nCREATE TABLE t (a nchar(2));", {}, "Japanese_CI_AS"],
    ["an explicit column collation", "CREATE TABLE t (a varchar(10) COLLATE Latin1_General_BIN2);", { defaultCollation: "X_CI_AS" }, "Latin1_General_BIN2"],
    ["none for a non-character column", "CREATE TABLE t (a int);", {}, undefined],
  ])("%s", (_what, sql, opts, expected) => {
    expect(obj(build(sql, opts), "dbo.t").columns[0]?.collation).toBe(expected);
  });

  it("an alias type over a character type takes the collation too", () => {
    const c = build("EXEC sp_addtype N'shortname', N'nvarchar(40)', N'NOT NULL';\nGO\nCREATE TABLE t (n shortname);");
    expect(obj(c, "dbo.shortname", "type").baseType).toEqual({ name: "nvarchar", length: 40 });
    expect(obj(c, "dbo.t").columns[0]?.collation).toBe("SQL_Latin1_General_CP1_CI_AS");
  });
});

const BASE = `
CREATE TABLE dbo.Customer (Id int PRIMARY KEY, Name nvarchar(50));
GO
CREATE TABLE Sales.Orders (Id int PRIMARY KEY, CustomerId int);
GO
CREATE TABLE Sales.Customer (Id int PRIMARY KEY);
GO
CREATE SEQUENCE dbo.Seq AS int START WITH 1;
GO
CREATE TYPE dbo.IdList AS TABLE (Id int NOT NULL PRIMARY KEY);
GO
CREATE SYNONYM dbo.Clients FOR dbo.Customer;
GO
CREATE SYNONYM dbo.Remote FOR Archive.dbo.OldOrders;
GO
CREATE FUNCTION dbo.fnTax (@x money) RETURNS money AS BEGIN RETURN @x * 1.2; END;
GO
CREATE PROCEDURE dbo.uspLog @msg nvarchar(100) AS PRINT @msg;
GO
`;

describe("dependencies", () => {
  it.each<[string, string, string, string[], { name: string; reason: string }[]]>([
    ["a view on a table", "CREATE VIEW dbo.v AS SELECT Id FROM dbo.Customer;", "dbo.v", ["dbo.Customer"], []],
    ["a CTE name is not a dependency", "CREATE VIEW dbo.v AS WITH Customer AS (SELECT 1 AS Id) SELECT Id FROM Customer;", "dbo.v", [], []],
    [
      "temp tables and table variables are not dependencies",
      "CREATE PROCEDURE dbo.p AS BEGIN CREATE TABLE #t (a int); DECLARE @t TABLE (a int); SELECT * FROM #t JOIN @t AS v ON 1 = 1; END;",
      "dbo.p",
      [],
      [],
    ],
    ["a 1-part name resolves in the module's schema first", "CREATE VIEW Sales.v AS SELECT Id FROM Customer;", "Sales.v", ["Sales.Customer"], []],
    ["then in dbo", "CREATE VIEW Sales.v2 AS SELECT o.Id FROM Orders AS o JOIN Customer AS c ON 1 = 1 JOIN Seq2 s ON 1 = 1;", "Sales.v2", ["Sales.Customer", "Sales.Orders"], [{ name: "Seq2", reason: "missing" }]],
    ["a synonym is the dependency", "CREATE VIEW dbo.v AS SELECT Id FROM dbo.Clients;", "dbo.v", ["dbo.Clients"], []],
    [
      "procedures, functions, sequences, table types; system procedures ignored",
      "CREATE PROCEDURE dbo.p @ids dbo.IdList READONLY AS BEGIN EXEC dbo.uspLog N'x'; EXEC sp_help; SELECT dbo.fnTax(1), NEXT VALUE FOR dbo.Seq; END;",
      "dbo.p",
      ["dbo.IdList", "dbo.Seq", "dbo.fnTax", "dbo.uspLog"],
      [],
    ],
    [
      "cross-database and linked-server names are listed, not dependencies",
      "CREATE VIEW dbo.v AS SELECT a.Id FROM Archive.dbo.Orders AS a JOIN [srv1].Archive.dbo.Orders AS b ON 1 = 1;",
      "dbo.v",
      [],
      [
        { name: "Archive.dbo.Orders", reason: "cross_database" },
        { name: "srv1.Archive.dbo.Orders", reason: "linked_server" },
      ],
    ],
    [
      "dynamic SQL is listed",
      "CREATE PROCEDURE dbo.p @sql nvarchar(max) AS BEGIN EXEC (@sql); EXEC sp_executesql @sql; END;",
      "dbo.p",
      [],
      [{ name: "dynamic SQL", reason: "dynamic_sql" }],
    ],
    [
      "constant dynamic SQL is read like code; a USE inside it is not",
      "CREATE PROCEDURE dbo.p AS BEGIN EXEC ('SELECT * FROM dbo.' + 'Customer'); EXEC sp_executesql @stmt = N'UPDATE Sales.Orders SET Id = 1'; EXEC ('USE other; SELECT * FROM t'); END;",
      "dbo.p",
      ["Sales.Orders", "dbo.Customer"],
      [{ name: "dynamic SQL", reason: "dynamic_sql" }],
    ],
    [
      "EXEC ... AT is a linked server",
      "CREATE PROCEDURE dbo.p AS EXEC ('SELECT 1') AT srv1;",
      "dbo.p",
      [],
      [{ name: "srv1 (EXEC ... AT)", reason: "linked_server" }],
    ],
    [
      "OPENQUERY is an external rowset",
      "CREATE VIEW dbo.v AS SELECT * FROM OPENQUERY(srv1, 'SELECT 1');",
      "dbo.v",
      [],
      [{ name: "OPENQUERY", reason: "external_rowset" }],
    ],
    [
      "XML methods on alias.column are not function references",
      "CREATE VIEW dbo.v AS SELECT s.ref.value(N'(x)[1]', 'money') AS x, [s].ref.query('.') AS q FROM dbo.Customer CROSS APPLY (SELECT CAST(Name AS xml) AS d) AS c CROSS APPLY c.d.nodes(N'/a') AS s(ref);",
      "dbo.v",
      ["dbo.Customer"],
      [],
    ],
    ["UPDATE through an alias of its FROM", "CREATE PROCEDURE dbo.p AS UPDATE c SET Name = N'x' FROM dbo.Customer AS c;", "dbo.p", ["dbo.Customer"], []],
    ["a trigger depends on its table; inserted/deleted are not tables", "CREATE TRIGGER dbo.tr ON dbo.Customer AFTER UPDATE AS SELECT * FROM inserted JOIN deleted ON 1 = 1;", "dbo.tr", ["dbo.Customer"], []],
    ["a missing object is listed", "CREATE VIEW dbo.v AS SELECT * FROM dbo.Nowhere;", "dbo.v", [], [{ name: "dbo.Nowhere", reason: "missing" }]],
  ])("%s", (_what, sql, id, dependsOn, unresolved) => {
    const c = build(`CREATE SCHEMA Sales;\nGO\n${BASE}${sql}\nGO\n`);
    const o = obj(c, id);
    expect(o.dependsOn).toEqual(dependsOn);
    expect(c.unresolved.filter((u) => u.from === id).map((u) => ({ name: u.name, reason: u.reason }))).toEqual(unresolved);
    // Every unresolved entry is also a diagnostic at the referencing object's file.
    for (const u of c.unresolved.filter((x) => x.from === id)) {
      expect(c.diagnostics.some((d) => d.file === u.file && d.line === u.line && /^CAT100[2-5]$/.test(d.code))).toBe(true);
    }
  });

  it("resolves synonyms to their targets and lists external ones", () => {
    const c = build(`${BASE}CREATE VIEW dbo.v AS SELECT Id FROM dbo.Clients;\nGO\nCREATE VIEW dbo.w AS SELECT * FROM dbo.Remote;\n`);
    expect(obj(c, "dbo.Clients")).toMatchObject({ kind: "synonym", synonymTarget: "dbo.Customer", dependsOn: ["dbo.Customer"] });
    expect(obj(c, "dbo.v").references).toEqual([{ name: "dbo.Clients", role: "table", line: 20, resolved: "dbo.Customer", via: "dbo.Clients" }]);
    expect(obj(c, "dbo.Remote").synonymTarget).toBeUndefined();
    expect(c.unresolved).toContainEqual({ from: "dbo.Remote", name: "Archive.dbo.OldOrders", reason: "cross_database", file: "db.sql", line: 14 });
    // Through an external synonym the view depends on the synonym only.
    expect(obj(c, "dbo.w").dependsOn).toEqual(["dbo.Remote"]);
  });

  it("treats the script's own database (USE) as local in 3-part names", () => {
    const c = build("USE master;\nGO\nUSE Shop;\nGO\nCREATE TABLE dbo.T (a int);\nGO\nCREATE VIEW dbo.v AS SELECT a FROM Shop.dbo.T JOIN Shop..T AS t2 ON 1 = 1;\n");
    expect(obj(c, "dbo.v").dependsOn).toEqual(["dbo.T"]);
    expect(c.unresolved).toEqual([]);
    expect(c.databaseName).toBe("Shop");
    // master stays another database.
    const m = build("USE master;\nGO\nCREATE VIEW dbo.v AS SELECT * FROM master.dbo.spt_values;\n");
    expect(m.unresolved.map((u) => u.reason)).toEqual(["cross_database"]);
  });
});

describe("script semantics", () => {
  it("keeps module text and AST, and the SET options in force when it was created", () => {
    const c = build("SET QUOTED_IDENTIFIER OFF;\nSET ANSI_NULLS OFF;\nGO\nCREATE VIEW dbo.v AS SELECT 1 AS a;\nGO\nSET ANSI_NULLS ON;\nGO\nCREATE PROCEDURE dbo.p AS SELECT 2;\n");
    const v = obj(c, "dbo.v");
    expect(v.module).toMatchObject({ text: "CREATE VIEW dbo.v AS SELECT 1 AS a", usesAnsiNulls: false, usesQuotedIdentifier: false });
    expect(v.module?.ast?.kind).toBe("CreateView");
    expect(v.module?.batch?.text).toContain("CREATE VIEW dbo.v");
    expect(obj(c, "dbo.p").module).toMatchObject({ usesAnsiNulls: true, usesQuotedIdentifier: false });
  });

  it("withoutAsts gives plain data that survives JSON and still validates", () => {
    const c = build("CREATE TABLE dbo.T (a int);\nGO\nCREATE VIEW dbo.v AS SELECT a FROM dbo.T;\n");
    const plain = withoutAsts(c);
    const back = CatalogSchema.parse(JSON.parse(JSON.stringify(plain)));
    expect(back.objects.find((o) => o.id === "dbo.v")?.module).toEqual({ text: "CREATE VIEW dbo.v AS SELECT a FROM dbo.T", usesAnsiNulls: true, usesQuotedIdentifier: true });
    expect(obj(c, "dbo.v").module?.ast?.kind).toBe("CreateView"); // the original is untouched
    expect(back.objects.map((o) => o.dependsOn)).toEqual(c.objects.map((o) => o.dependsOn));
  });

  it("a 1-part trigger name takes its table's schema; a database trigger has none", () => {
    const c = build("CREATE SCHEMA Sales;\nGO\nCREATE TABLE Sales.T (a int);\nGO\nCREATE TRIGGER trT ON Sales.T AFTER INSERT AS SELECT 1;\nGO\nCREATE TRIGGER ddlLog ON DATABASE FOR CREATE_TABLE AS SELECT 1;\n");
    expect(obj(c, "Sales.trT")).toMatchObject({ kind: "trigger", parent: { schema: "Sales", name: "T" }, dependsOn: ["Sales.T"] });
    expect(obj(c, "ddlLog")).toMatchObject({ kind: "trigger", schema: "" });
  });

  it("classifies functions", () => {
    const c = build(
      "CREATE FUNCTION dbo.s() RETURNS int AS BEGIN RETURN 1; END;\nGO\nCREATE FUNCTION dbo.i() RETURNS TABLE AS RETURN SELECT 1 AS a;\nGO\nCREATE FUNCTION dbo.m() RETURNS @r TABLE (a int) AS BEGIN INSERT @r VALUES (1); RETURN; END;\nGO\n",
    );
    expect(["dbo.s", "dbo.i", "dbo.m"].map((id) => obj(c, id).functionKind)).toEqual(["scalar", "inline_tvf", "multi_tvf"]);
  });

  it("DROP then CREATE replaces quietly; a second CREATE warns and the later wins", () => {
    const c = build({
      "1.sql": "CREATE TABLE dbo.T (a int);\nGO\nDROP TABLE IF EXISTS dbo.T;\nGO\nCREATE TABLE dbo.T (b int);\nGO\n",
      "2.sql": "CREATE TABLE dbo.T (c int);\n",
    });
    expect(obj(c, "dbo.T").columns.map((x) => x.name)).toEqual(["c"]);
    expect(c.diagnostics.map((d) => [d.code, d.file, d.line])).toEqual([["CAT1001", "2.sql", 1]]);
  });

  it("a stub created by constant dynamic SQL and then ALTERed is one object, without warnings", () => {
    const c = build(
      "IF OBJECT_ID(N'dbo.p') IS NULL EXEC sp_executesql @statement = N'CREATE PROCEDURE dbo.p AS';\nGO\nALTER PROCEDURE dbo.p AS SELECT * FROM dbo.T;\nGO\nIF 1 = 1 EXEC('CREATE VIEW dbo.v AS SELECT 1 AS a') ELSE EXEC('CREATE VIEW dbo.v AS SELECT 2 AS a');\nGO\nCREATE TABLE dbo.T (a int);\n",
    );
    expect(obj(c, "dbo.p").module?.text).toMatch(/^ALTER PROCEDURE dbo\.p AS SELECT/);
    expect(obj(c, "dbo.p").dependsOn).toEqual(["dbo.T"]);
    expect(obj(c, "dbo.v").kind).toBe("view");
    expect(codes(c)).toEqual([]);
  });

  it("records an object whose CREATE does not parse, flagged, with its text", () => {
    const c = build(
      "CREATE VIEW dbo.v AS SELECT (1 + FROM dbo.T;\nGO\nCREATE FUNCTION [dbo].[f] (@a int) RETURNS TABLE AS RETURN (SELECT * FROM dbo.T WHERE )\nGO\nCREATE TABLE dbo.T (a int,, b int);\nGO\n",
    );
    expect(c.objects.filter((o) => !o.implicit).map((o) => [o.kind, o.id, o.functionKind, o.line])).toEqual([
      ["table", "dbo.T", undefined, 5],
      ["function", "dbo.f", "inline_tvf", 3],
      ["view", "dbo.v", undefined, 1],
    ]);
    expect(obj(c, "dbo.v").module).toMatchObject({ text: "CREATE VIEW dbo.v AS SELECT (1 + FROM dbo.T;", unparsed: true });
    expect(obj(c, "dbo.v").module?.ast).toBeUndefined();
    expect(c.diagnostics.filter((d) => d.code === "CAT1009").map((d) => d.line)).toEqual([1, 3, 5]);
    expect(c.diagnostics.filter((d) => d.code === "TSQL2001").map((d) => d.line)).toEqual([1, 3, 5]);
  });

  it("reports an ALTER TABLE of a table no input defines", () => {
    const c = build("ALTER TABLE dbo.Ghost ADD b int;\n");
    expect(c.diagnostics).toEqual([expect.objectContaining({ code: "CAT1010", file: "db.sql", line: 1 })]);
  });

  it("ignores temporary tables and procedures", () => {
    const c = build("CREATE TABLE #t (a int);\nGO\nCREATE PROCEDURE #p AS SELECT 1;\nGO\n");
    expect(c.objects.filter((o) => !o.implicit)).toEqual([]);
  });

  it("runs SSDT deployment scripts after the model, with :r includes and project variables", () => {
    const proj = "proj/Shop.sqlproj";
    const s = set(
      [
        file("proj/Scripts/Post.sql", ":r .\\Procs\\Late.sql\nGO\nINSERT dbo.T VALUES (1);\n", { kind: "sqlproj", container: proj, buildAction: "PostDeploy" }),
        file("proj/Scripts/Procs/Late.sql", "CREATE PROCEDURE dbo.Late AS SELECT * FROM $(Archive).dbo.T2 JOIN dbo.T ON 1 = 1;\n", { kind: "sqlproj", container: proj, buildAction: "None" }),
        file("proj/Tables/T.sql", "CREATE TABLE dbo.T (a int)", { kind: "sqlproj", container: proj, buildAction: "Build" }),
        file("proj/Tables/Unbuilt.sql", "CREATE TABLE dbo.Unbuilt (a int)", { kind: "sqlproj", container: proj, buildAction: "None" }),
      ],
      { projects: [{ path: proj, name: "Shop", sqlcmdVariables: { Archive: "ShopArchive" } }] },
    );
    const c = buildCatalog(s);
    expect(c.objects.filter((o) => !o.implicit).map((o) => o.id)).toEqual(["dbo.T", "dbo.Late"]);
    expect(obj(c, "dbo.Late").dependsOn).toEqual(["dbo.T"]);
    expect(c.unresolved).toEqual([expect.objectContaining({ name: "ShopArchive.dbo.T2", reason: "cross_database" })]);
    const c2 = buildCatalog(s, { vars: { Archive: "Shop" } });
    expect(c2.unresolved).toEqual([expect.objectContaining({ name: "Shop.dbo.T2", reason: "missing" })]);
    expect(buildCatalog(s, { includeDeployScripts: false }).objects.filter((o) => !o.implicit).map((o) => o.id)).toEqual(["dbo.T"]);
  });
});

const MODEL = readFileSync(path.join(import.meta.dirname, "../../test/fixtures/dacpac/shop-model.xml"), "utf8");
const RECORDED = JSON.parse(readFileSync(path.join(import.meta.dirname, "../../test/fixtures/live/shop.json"), "utf8")) as Record<CatalogQueryName, Row[]>;

describe("the same database from a dacpac and from a live server", () => {
  const fromDacpac = buildCatalog(set([], { fragments: [readModelXml(MODEL, "shop.dacpac/model.xml", "shop.dacpac").fragment] }));
  const live = liveRowsToFragment(RECORDED, "mssql://db:1433/Shop");
  const fromLive = buildCatalog(set([], { fragments: [live.fragment], diagnostics: live.diagnostics }));
  const shape = (c: Catalog) =>
    c.objects
      .filter((o) => o.id !== "Sales.uspSecret" && !o.implicit && o.kind !== "schema")
      .map((o) => ({ id: o.id, kind: o.kind, functionKind: o.functionKind, dependsOn: o.dependsOn }));

  it("gives the same objects, kinds and dependencies", () => {
    expect(shape(fromLive)).toEqual(shape(fromDacpac));
    expect(shape(fromDacpac)).toContainEqual({ id: "Sales.vCustomerTotals", kind: "view", functionKind: undefined, dependsOn: ["Sales.Order", "dbo.Clients"] });
    expect(shape(fromDacpac)).toContainEqual({ id: "Sales.fnOrdersOf", kind: "function", functionKind: "inline_tvf", dependsOn: ["Sales.Order", "dbo.fnWithTax"] });
    expect(shape(fromDacpac)).toContainEqual({ id: "Sales.trgOrderAudit", kind: "trigger", functionKind: undefined, dependsOn: ["Sales.Customer", "Sales.Order"] });
    expect(shape(fromDacpac)).toContainEqual({ id: "Sales.uspPlaceOrder", kind: "procedure", functionKind: undefined, dependsOn: ["Sales.Customer", "Sales.Order", "Sales.OrderNumbers"] });
  });

  it.each([
    ["dacpac", fromDacpac],
    ["live", fromLive],
  ])("%s: parses module bodies, takes the database collation, lists what is unresolved", (_name, c) => {
    expect(c.defaultCollation).toBe("Latin1_General_100_CI_AS");
    expect(c.compatibilityLevel).toBe(150);
    for (const o of c.objects.filter((x) => x.module)) {
      expect(o.module?.ast?.kind).toMatch(/^Create(View|Procedure|Function|Trigger)$/);
      expect(o.module?.unparsed).toBeUndefined();
    }
    expect(c.unresolved.map((u) => `${u.from} ${u.reason} ${u.name}`).sort()).toEqual([
      "Sales.uspPlaceOrder cross_database ShopArchive.dbo.OldOrder",
      "dbo.Archive cross_database ShopArchive.dbo.OldOrder",
    ]);
    expect(obj(c, "dbo.Clients").synonymTarget).toBe("Sales.Customer");
    expect(obj(c, "Sales.Customer").columns.find((x) => x.name === "Code")?.collation).toBe("Latin1_General_CS_AS");
    expect(obj(c, "Sales.Customer").columns.find((x) => x.name === "Name")?.collation).toBe("Latin1_General_100_CI_AS");
    expect(obj(c, "Sales.Order").dependsOn).toEqual(["Sales.Customer"]);
  });

  it("cross-checks with the server's dependency list", () => {
    const rows = structuredClone(RECORDED);
    // The server says the trigger also reads dbo.fnWithTax, which its body does not show.
    rows.dependencies!.push({ referencing_id: 837578022, referenced_server_name: null, referenced_database_name: null, referenced_schema_name: "dbo", referenced_entity_name: "fnWithTax", referenced_id: 741577680, is_ambiguous: false });
    const c = buildCatalog(set([], { fragments: [liveRowsToFragment(rows, "live").fragment] }));
    expect(obj(c, "Sales.trgOrderAudit").dependsOn).toEqual(["Sales.Customer", "Sales.Order", "dbo.fnWithTax"]);
    expect(c.diagnostics).toContainEqual(expect.objectContaining({ code: "CAT1008", severity: "note" }));
  });

  it("a 1-part name binds where the server bound it", () => {
    const frag = {
      source: "live",
      origin: "live" as const,
      objects: [
        { schema: "dbo", name: "Customer", kind: "table" as const, file: "live", line: 1, columns: [] },
        { schema: "Sales", name: "Customer", kind: "table" as const, file: "live", line: 1, columns: [] },
        {
          schema: "dbo",
          name: "v",
          kind: "view" as const,
          file: "live/dbo.v",
          line: 1,
          module: { text: "CREATE VIEW dbo.v AS SELECT * FROM Customer" },
          declaredDependencies: [{ schema: "Sales", name: "Customer" }],
        },
      ],
    };
    const c = buildCatalog(set([], { fragments: [frag] }));
    expect(obj(c, "dbo.v").dependsOn).toEqual(["Sales.Customer"]);
    expect(c.diagnostics).toEqual([]);
  });

  it("a module body that does not parse is flagged, and the server's dependencies are used", () => {
    const rows = structuredClone(RECORDED);
    const m = rows.modules!.find((x) => x["object_id"] === 709577566)!;
    m["definition"] = "this is not a view";
    const c = buildCatalog(set([], { fragments: [liveRowsToFragment(rows, "live").fragment] }));
    const v = obj(c, "Sales.vCustomerTotals");
    expect(v.module?.unparsed).toBe(true);
    expect(v.dependsOn).toEqual(["Sales.Order", "dbo.Clients"]);
    expect(c.diagnostics).toContainEqual(expect.objectContaining({ code: "CAT1009", file: "live/Sales.vCustomerTotals" }));
  });
});

describe("the same database from an SSDT project, a dacpac and a live server", () => {
  const fixtures = path.join(import.meta.dirname, "../../test/fixtures");
  const catalogs: Record<string, () => Promise<Catalog>> = {
    ssdt: async () => buildCatalog(await readSources([path.join(fixtures, "shop-ssdt")])),
    dacpac: async () => buildCatalog(set([], { fragments: [readModelXml(MODEL, "shop.dacpac/model.xml", "shop.dacpac").fragment] })),
    live: async () => buildCatalog(set([], { fragments: [liveRowsToFragment(RECORDED, "live").fragment] })),
  };
  /** The facts every reader must agree on (expression texts differ: servers normalise them). */
  const facts = (c: Catalog) =>
    c.objects
      .filter((o) => o.id !== "Sales.uspSecret" && o.kind !== "schema")
      .map((o) => ({
        id: o.id,
        kind: o.kind,
        functionKind: o.functionKind,
        dependsOn: o.dependsOn,
        description: o.description,
        synonymTarget: o.synonymTarget,
        baseType: o.baseType,
        // A server also knows the type (so the collation) of a computed column; scripts do not say.
        // Only a server states the output columns of views and functions (scripts would need type inference).
        columns: (o.kind === "view" || o.kind === "function" ? [] : o.columns).map((x) => ({ name: x.name, type: x.type, nullable: x.nullable, identity: x.identity, collation: x.computed ? "-" : x.collation, explicit: x.collationExplicit, description: x.description, computed: !!x.computed })),
        constraints: o.constraints
          .filter((k) => k.name !== "UQ_Customer_Code")
          // System-generated names (PK__TT_Order__C3905BCF...) exist only once the server made them.
          .map((k) => ({ kind: k.kind, name: /__/.test(k.name ?? "") ? "" : (k.name ?? ""), columns: k.columns, references: k.references, onDelete: k.onDelete }))
          .sort((a, b) => (a.kind + a.name < b.kind + b.name ? -1 : 1)),
        indexes: o.indexes.map((i) => ({ name: i.name, unique: i.unique, clustered: i.clustered, columns: i.columns, include: i.include })).sort((a, b) => (a.name < b.name ? -1 : 1)),
      }));

  it.each([["dacpac"], ["live"]])("ssdt and %s agree", async (other) => {
    const ssdt = await catalogs.ssdt!();
    const them = await catalogs[other]!();
    expect(facts(ssdt)).toEqual(facts(them));
    expect(ssdt.defaultCollation).toBe(them.defaultCollation);
    const schemas = (c: Catalog) => c.objects.filter((o) => o.kind === "schema").map((o) => o.id).sort();
    expect(schemas(ssdt)).toEqual(schemas(them));
    expect(ssdt.unresolved.map((u) => `${u.from} ${u.reason} ${u.name}`).sort()).toEqual(them.unresolved.map((u) => `${u.from} ${u.reason} ${u.name}`).sort());
  });
});

describe("dependencyOrder", () => {
  const c = build(
    "CREATE TABLE dbo.T (a int);\nGO\nCREATE VIEW dbo.v3 AS SELECT * FROM dbo.v2;\nGO\nCREATE VIEW dbo.v2 AS SELECT * FROM dbo.v1 JOIN dbo.T ON 1 = 1;\nGO\nCREATE VIEW dbo.v1 AS SELECT * FROM dbo.fn();\nGO\nCREATE FUNCTION dbo.fn() RETURNS TABLE AS RETURN SELECT a FROM dbo.T;\nGO\nCREATE VIEW dbo.a AS SELECT 1 AS x;\n",
  );

  it("puts every object after what it depends on", () => {
    const { order, cycles } = dependencyOrder(c);
    expect(cycles).toEqual([]);
    const pos = new Map(order.map((id, i) => [id, i]));
    for (const o of c.objects) for (const d of o.dependsOn) expect(pos.get(d)!).toBeLessThan(pos.get(o.id)!);
  });

  it("orders views only, following dependencies through other kinds", () => {
    expect(dependencyOrder(c, { kinds: ["view"] }).order).toEqual(["dbo.a", "dbo.v1", "dbo.v2", "dbo.v3"]);
  });

  it("reports cycles and still orders everything", () => {
    const cyc = build("CREATE VIEW dbo.x AS SELECT * FROM dbo.y;\nGO\nCREATE VIEW dbo.y AS SELECT * FROM dbo.x;\nGO\nCREATE VIEW dbo.z AS SELECT * FROM dbo.y;\n");
    const { order, cycles } = dependencyOrder(cyc, { kinds: ["view"] });
    expect(cycles).toEqual([["dbo.x", "dbo.y"]]);
    expect(order).toEqual(["dbo.x", "dbo.y", "dbo.z"]);
    expect(cyc.diagnostics).toContainEqual(expect.objectContaining({ code: "CAT1006", severity: "warning" }));
  });
});
