// Contracts of the classifier and the compiler, one line per rule (sqlglot style). The T-SQL is
// written here; execution.test.ts proves the compiled models on a database.
import { describe, expect, it } from "vitest";
import { compileProcedures } from "./compile.ts";
import { classifyAll } from "./classify.ts";
import { BRANCH, CURSOR, WAREHOUSE } from "./fixtures.ts";
import { catalogOf } from "./testing.ts";

const TABLES = `
CREATE TABLE dbo.Src (Id int NOT NULL PRIMARY KEY, Name nvarchar(50) NULL, Amt decimal(10,2) NULL, Modified datetime NULL);
CREATE TABLE dbo.Tgt (Id int NOT NULL PRIMARY KEY, Name nvarchar(50) NULL, Amt decimal(10,2) NULL);
CREATE TABLE dbo.Other (Id int NOT NULL, Name nvarchar(50) NULL);
CREATE TABLE dbo.EtlLog (LogId int IDENTITY PRIMARY KEY, Msg nvarchar(200));
GO
CREATE PROCEDURE dbo.Load AS BEGIN TRUNCATE TABLE dbo.Other; INSERT INTO dbo.Other (Id, Name) SELECT Id, Name FROM dbo.Src; END
GO
`;
const proc = (body: string, params = "") => `${TABLES}\nCREATE PROCEDURE dbo.P ${params} AS\nBEGIN\n${body}\nEND\nGO\n`;
const classOf = (sql: string, id = "dbo.P") => classifyAll(catalogOf(sql)).get(id)!;
const compiled = (sql: string, id = "dbo.P") => {
  const r = compileProcedures(catalogOf(sql));
  return { r, o: r.reportObjects.find((x) => x.id === id)! };
};

describe("classification", () => {
  it.each([
    ["INSERT ... SELECT into a persistent table", proc("INSERT INTO dbo.Tgt (Id, Name, Amt) SELECT Id, Name, Amt FROM dbo.Src;"), "etl", /writes dbo\.Tgt set-based \(INSERT\) from dbo\.Src/],
    ["TRUNCATE + BULK INSERT of a file", proc("TRUNCATE TABLE dbo.Tgt; BULK INSERT dbo.Tgt FROM 'C:\\in\\tgt.csv' WITH (FIRSTROW = 2, FIELDTERMINATOR = ',');"), "etl", /only loads files.*stay dbt sources/],
    ["MERGE", proc("MERGE dbo.Tgt t USING dbo.Src s ON t.Id = s.Id WHEN NOT MATCHED THEN INSERT (Id, Name, Amt) VALUES (s.Id, s.Name, s.Amt);"), "etl", /MERGE/],
    ["single-row UPDATE keyed on a parameter", proc("UPDATE dbo.Tgt SET Name = @n WHERE Id = @id;", "@id int, @n nvarchar(50)"), "application", /keyed on its parameters/],
    ["INSERT VALUES of parameters", proc("INSERT INTO dbo.Tgt (Id, Name) VALUES (@id, @n);", "@id int, @n nvarchar(50)"), "application", /parameterised OLTP call/],
    ["INSERT ... SELECT FROM OPENJSON(@json)", proc("INSERT INTO dbo.Tgt (Id, Name) SELECT Id, Name FROM OPENJSON(@json) WITH (Id int, Name nvarchar(50));", "@json nvarchar(max)"), "application", /parameterised OLTP call/],
    ["a query returning rows for a parameter", proc("SELECT Id, Name FROM dbo.Src WHERE Id = @id;", "@id int"), "application", /returns result sets to its caller filtered by @id/],
    ["DBCC and index maintenance", proc("DBCC CHECKDB; ALTER INDEX ALL ON dbo.Tgt REBUILD;"), "admin", /DBCC/],
    ["reads sys.* catalog views", proc("SELECT name FROM sys.tables;"), "admin", /system catalog sys\.tables/],
    ["only writes a log table", proc("INSERT INTO dbo.EtlLog (Msg) VALUES ('x');"), "admin", /only log tables \(dbo\.EtlLog\)/],
    ["EXECs a load procedure", proc("EXEC dbo.Load; EXEC dbo.Load;"), "orchestration", /runs dbo\.Load in order/],
    ["a load plus a result set", proc("INSERT INTO dbo.Tgt (Id) SELECT Id FROM dbo.Src; SELECT COUNT(*) FROM dbo.Tgt;"), "mixed", /returns 1 result set/],
  ])("%s → %s", (_label, sql, cls, reason) => {
    const c = classOf(sql);
    expect(c.class).toBe(cls);
    expect(c.reason).toMatch(reason);
  });

  it("a procedure that only calls helpers that load nothing is not orchestration", () => {
    const sql = `${TABLES}\nCREATE PROCEDURE dbo.Helper AS PRINT 'x';\nGO\nCREATE PROCEDURE dbo.P AS BEGIN EXEC dbo.Helper; END\nGO\n`;
    expect(classOf(sql)).toMatchObject({ class: "application", reason: expect.stringMatching(/helper procedures \(dbo\.Helper\)/) });
  });

  it("triggers: DML triggers are application side effects, DDL triggers admin", () => {
    const sql = `${TABLES}\nCREATE TRIGGER dbo.trTgt ON dbo.Tgt AFTER INSERT AS INSERT INTO dbo.Other (Id) SELECT Id FROM inserted;\nGO\nCREATE TRIGGER trDdl ON DATABASE FOR CREATE_TABLE AS PRINT 'no';\nGO\n`;
    const all = classifyAll(catalogOf(sql));
    expect(all.get("dbo.trTgt")).toMatchObject({ class: "application", reason: expect.stringMatching(/AFTER INSERT trigger on dbo\.Tgt/) });
    expect([...all.values()].find((c) => c.reason.startsWith("DDL trigger"))?.class).toBe("admin");
  });
});

describe("compilation outcomes", () => {
  it.each([
    ["TRUNCATE + INSERT → table model", proc("TRUNCATE TABLE dbo.Tgt; INSERT INTO dbo.Tgt (Id, Name, Amt) SELECT Id, Name, Amt FROM dbo.Src;"), "table", undefined],
    ["watermark read from the target → incremental append with {{ this }}", proc("DECLARE @wm datetime = (SELECT MAX(Id) FROM dbo.Tgt); INSERT INTO dbo.Tgt (Id, Name, Amt) SELECT Id, Name, Amt FROM dbo.Src WHERE Id > ISNULL(@wm, 0);"), "incremental", "append"],
    ["MERGE upsert → incremental merge on the key", proc("MERGE dbo.Tgt AS t USING dbo.Src AS s ON t.Id = s.Id WHEN MATCHED THEN UPDATE SET t.Name = s.Name, t.Amt = s.Amt WHEN NOT MATCHED THEN INSERT (Id, Name, Amt) VALUES (s.Id, s.Name, s.Amt);"), "incremental", "merge"],
    ["MERGE with NOT MATCHED BY SOURCE DELETE and full replacement → table", proc("MERGE dbo.Tgt AS t USING dbo.Src AS s ON t.Id = s.Id WHEN MATCHED THEN UPDATE SET t.Name = s.Name, t.Amt = s.Amt WHEN NOT MATCHED BY TARGET THEN INSERT (Id, Name, Amt) VALUES (s.Id, s.Name, s.Amt) WHEN NOT MATCHED BY SOURCE THEN DELETE;"), "table", undefined],
  ])("%s", (_label, sql, materialized, strategy) => {
    const { r, o } = compiled(sql);
    expect(o.status).toBe("converted");
    const m = r.models.find((x) => x.name === "tgt")!;
    expect(m.materialized).toBe(materialized);
    expect(m.config?.incremental_strategy).toBe(strategy);
    // Appends read the target as earlier runs left it; a MERGE that replaces every column need not.
    expect(m.sql.includes("{% if is_incremental() %}{{ this }}")).toBe(strategy === "append");
  });

  it.each([
    ["WHILE loop", proc("WHILE 1 = 1 BEGIN DELETE TOP (10) FROM dbo.Tgt; BREAK; END"), "PROC1001", /WHILE loop/],
    ["IF on data", proc("IF EXISTS (SELECT 1 FROM dbo.Src) INSERT INTO dbo.Tgt (Id) SELECT Id FROM dbo.Src;"), "PROC1005", /depends on data or session state/],
    ["dynamic SQL from a parameter", proc("TRUNCATE TABLE dbo.Tgt; EXEC (@sql);", "@sql nvarchar(max)"), "PROC1002", /not built from constants/],
    ["UPDATE ... FROM a table joined off its key", proc("TRUNCATE TABLE dbo.Tgt; INSERT INTO dbo.Tgt (Id) SELECT Id FROM dbo.Src; UPDATE t SET t.Name = o.Name FROM dbo.Tgt t JOIN dbo.Other o ON o.Name = t.Name;"), "PROC1003", /not its primary or unique key/],
    ["DELETE of rows earlier runs loaded", proc("DELETE FROM dbo.Tgt WHERE Amt < 0;"), "PROC1003", /removes rows that earlier runs loaded/],
    ["MERGE matched on a non-key condition", proc("MERGE dbo.Tgt t USING dbo.Src s ON t.Id = s.Id AND s.Amt > 0 WHEN NOT MATCHED THEN INSERT (Id) VALUES (s.Id);"), "PROC1004", /not an equality of a target column/],
    ["variable drawn at random once", proc("DECLARE @pick int = (SELECT TOP 1 Id FROM dbo.Src ORDER BY NEWID()); TRUNCATE TABLE dbo.Tgt; INSERT INTO dbo.Tgt (Id) SELECT Id FROM dbo.Src WHERE Id <> @pick;"), "PROC1006", /random value/],
    ["@@ROWCOUNT", proc("TRUNCATE TABLE dbo.Tgt; INSERT INTO dbo.Tgt (Id) SELECT Id FROM dbo.Src WHERE @@ROWCOUNT > 0;"), "PROC1006", /@@ROWCOUNT/],
  ])("%s → needs_review %s", (_label, sql, code, message) => {
    const { r, o } = compiled(sql);
    expect(o.status).toBe("needs_review");
    const err = o.diagnostics.find((d) => d.severity === "error")!;
    expect(err.code).toBe(code);
    expect(err.message).toMatch(message);
    expect(err.line).toBeGreaterThan(1);
    expect(r.models.filter((m) => m.name === "tgt")).toEqual([]);
  });

  it("UPDATE and DELETE after a full reload are folded into the model", () => {
    const { r, o } = compiled(proc("TRUNCATE TABLE dbo.Tgt; INSERT INTO dbo.Tgt (Id, Name, Amt) SELECT Id, Name, Amt FROM dbo.Src; UPDATE dbo.Tgt SET Amt = 0 WHERE Amt IS NULL; DELETE FROM dbo.Tgt WHERE Name = N'x';"));
    expect(o.status).toBe("converted");
    const sql = r.models.find((m) => m.name === "tgt")!.sql;
    expect(sql).toMatch(/with __dm_load as/);
    expect(sql).toMatch(/__dm_s1 as \(/);
    expect(sql).toMatch(/__dm_s2 as \(/);
    expect(o.lineage.map((l) => l.effect)).toEqual(expect.arrayContaining([expect.stringMatching(/folded into the model's SELECT \(CASE/), expect.stringMatching(/as a filter/)]));
  });

  it("a batched DELETE TOP (n) loop is one set-based DELETE (folded after a full reload)", () => {
    const { r, o } = compiled(proc("TRUNCATE TABLE dbo.Tgt; INSERT INTO dbo.Tgt (Id, Amt) SELECT Id, Amt FROM dbo.Src; WHILE 1 = 1 BEGIN DELETE TOP (1000) FROM dbo.Tgt WHERE Amt < 0; IF @@ROWCOUNT = 0 BREAK; END"));
    expect(o.status).toBe("converted");
    expect(o.lineage.map((l) => l.effect)).toEqual(expect.arrayContaining([expect.stringMatching(/batched DELETE TOP/), expect.stringMatching(/as a filter/)]));
    expect(r.models.find((m) => m.name === "tgt")!.sql).toMatch(/__dm_s1 as \(/);
  });

  it("procedural noise is noted once per kind, not carried over", () => {
    const { o } = compiled(proc("SET NOCOUNT ON; BEGIN TRY BEGIN TRAN; TRUNCATE TABLE dbo.Tgt; INSERT INTO dbo.Tgt (Id) SELECT Id FROM dbo.Src; PRINT 'a'; PRINT 'b'; COMMIT; END TRY BEGIN CATCH ROLLBACK; THROW; END CATCH"));
    expect(o.status).toBe("converted");
    const notes = o.diagnostics.filter((d) => d.code === "PROC3001").map((d) => d.message.split(" ")[0]);
    expect(notes).toEqual(["SET", "TRY/CATCH", "BEGIN/COMMIT/ROLLBACK", "PRINT"]);
  });

  it("parameters become vars with their defaults; IF on a parameter becomes Jinja", () => {
    const r = compileProcedures(catalogOf(BRANCH));
    expect(r.vars).toEqual({ load_region_sales__region: null });
    const sql = r.models[0]!.sql;
    expect(sql).toContain("{% if var('load_region_sales__region') is none %}");
    expect(sql).toContain("{% else %}");
  });

  it("lineage: statements to models, and the order across procedures", () => {
    const r = compileProcedures(catalogOf(WAREHOUSE));
    const fact = r.reportObjects.find((o) => o.id === "dbo.LoadFactSales")!;
    expect(fact.after).toEqual(["dbo.LoadDimCustomer"]);
    expect(r.order.indexOf("stg.LoadCustomer")).toBeLessThan(r.order.indexOf("dbo.LoadDimCustomer"));
    expect(r.order.indexOf("dbo.LoadDimCustomer")).toBeLessThan(r.order.indexOf("dbo.LoadFactSales"));
    expect(fact.lineage.find((l) => l.model === "fact_sales")).toMatchObject({ statement: "INSERT", file: "procs.sql" });
    expect(r.models.find((m) => m.name === "fact_sales")!.sql).toContain("{{ ref('dim_customer') }}");
    expect(r.selectors.map((s) => s.name)).toEqual(["run_run_nightly"]);
    const dyn = r.reportObjects.find((o) => o.id === "dbo.LoadAllSales")!;
    expect(dyn.models).toEqual(["all_sales"]);
    expect(dyn.lineage.map((l) => l.effect)).toContainEqual(expect.stringMatching(/cursor over 2 constant rows: the loop is unrolled/));
    expect(r.tableModels.get("dbo.factsales")).toBe("fact_sales");
  });

  it("a cursor running total is rewritten set-based; a cursor doing anything else is refused at the statement that does not fit", () => {
    const ok = compileProcedures(catalogOf(CURSOR));
    expect(ok.reportObjects[0]).toMatchObject({ status: "converted", class: "etl" });
    expect(ok.models[0]!.sql).toMatch(/sum\(.*\) OVER \(PARTITION BY __dm_cur\.c2 ORDER BY __dm_cur\.c2/);
    const bad = CURSOR.replace("SET @prev = @acct;", "SET @prev = @acct; DELETE FROM dbo.Txn WHERE TxnId = @id;");
    const r = compileProcedures(catalogOf(bad));
    const err = r.reportObjects[0]!.diagnostics.find((d) => d.severity === "error")!;
    expect([err.code, err.message]).toEqual(["PROC1001", expect.stringMatching(/DELETE in the loop does not fit the running-total pattern/)]);
  });
});

describe("the produced resources are a valid dbt project", () => {
  it("renders YAML that validates against dbt's schemas, with consistent refs", async () => {
    const { renderDbtProject } = await import("../../dbt/render.ts");
    const { checkDbtProject, validateRenderedProject } = await import("../../dbt/writer.ts");
    const c = catalogOf(WAREHOUSE);
    const r = compileProcedures(c);
    const tables = c.objects.filter((o) => o.kind === "table");
    const sources = [...new Set(tables.map((t) => t.schema))].map((s) => ({ name: s.toLowerCase(), schema: s.toLowerCase(), tables: tables.filter((t) => t.schema === s).map((t) => ({ name: t.name.toLowerCase() })) }));
    const project = { name: "procs", profile: "procs", sources, models: r.models, selectors: r.selectors, vars: r.vars };
    expect(checkDbtProject(project).filter((d) => d.severity === "error")).toEqual([]);
    const files = renderDbtProject(project);
    expect(validateRenderedProject(files).filter((d) => d.severity === "error")).toEqual([]);
    expect([...files.keys()]).toEqual(expect.arrayContaining(["models/marts/dbo/fact_sales.sql", "models/intermediate/dbo/int_build_customer_sales__totals.sql", "selectors.yml"]));
  });
});

describe("IF on a parameter: the Jinja picks the branch SQL Server would", () => {
  const sql = proc("TRUNCATE TABLE dbo.Tgt; IF @mode = 'Full' INSERT INTO dbo.Tgt (Id) SELECT Id FROM dbo.Src; ELSE INSERT INTO dbo.Tgt (Id) SELECT Id FROM dbo.Other;", "@mode varchar(10) = NULL");
  it.each([
    ["'FULL  ' (case and trailing spaces ignored)", "FULL  ", "src"],
    ["'full'", "full", "src"],
    ["' full' (a leading space counts)", " full", "other"],
    ["NULL (comparison not true)", null, "other"],
    ["'partial'", "partial", "other"],
  ])("%s", async (_label, mode, table) => {
    const { ProjectCompiler } = await import("../../dbt/compile.ts");
    const r = compileProcedures(catalogOf(sql));
    const project = { name: "p", profile: "p", sources: [{ name: "dbo", schema: "src", tables: ["src", "other", "tgt"].map((name) => ({ name })) }], models: r.models, vars: r.vars };
    const out = new ProjectCompiler(project, { schema: "t", cliVars: { p__mode: mode } }).compile("tgt");
    expect(out.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
    // dbo.Other is rebuilt by dbo.Load, so it is a ref (target schema); dbo.Src is a source.
    const rel = (t: string) => (t === "src" ? `"src"."src"` : `"t"."other"`);
    expect(out.sql).toContain(rel(table));
    expect(out.sql).not.toContain(rel(table === "src" ? "other" : "src"));
  });
});

describe("parameters as vars", () => {
  it("a value with a quote stays one SQL string literal", async () => {
    const { ProjectCompiler } = await import("../../dbt/compile.ts");
    const r = compileProcedures(catalogOf(proc("TRUNCATE TABLE dbo.Tgt; INSERT INTO dbo.Tgt (Id, Name) SELECT Id, Name FROM dbo.Src WHERE Name = @n;", "@n nvarchar(50) = N'x'")));
    expect(r.vars).toEqual({ p__n: "x" });
    const project = { name: "p", profile: "p", sources: [{ name: "dbo", schema: "src", tables: [{ name: "src" }] }], models: r.models, vars: r.vars };
    const out = new ProjectCompiler(project, { schema: "t", cliVars: { p__n: "O'Brien" } }).compile("tgt");
    expect(out.sql).toContain("'O''Brien'");
    expect(out.sql).not.toContain("__DMV_");
  });
});
