import { describe, expect, it } from "vitest";
import type { CreateTable } from "./ast.ts";
import { one } from "./test-support.ts";

const ssmsTable = `CREATE TABLE [Sales].[Order Lines](
	[OrderLineID] [int] IDENTITY(1,1) NOT FOR REPLICATION NOT NULL,
	[Code] [nvarchar](20) COLLATE Latin1_General_CI_AS NULL,
	[Qty] [decimal](18, 3) NOT NULL CONSTRAINT [DF_Qty] DEFAULT ((0)),
	[Price] money SPARSE NULL,
	[Total] AS ([Qty]*[Price]) PERSISTED,
	[rowguid] [uniqueidentifier] ROWGUIDCOL NOT NULL DEFAULT (newid()),
	[OrderID] int NOT NULL REFERENCES Sales.Orders (OrderID) ON DELETE CASCADE,
	[Note] varchar(max) MASKED WITH (FUNCTION = 'default()') NULL,
	CONSTRAINT [PK_OrderLines] PRIMARY KEY CLUSTERED ([OrderLineID] ASC)
		WITH (PAD_INDEX = OFF, STATISTICS_NORECOMPUTE = OFF, FILLFACTOR = 90) ON [PRIMARY],
	CONSTRAINT [UQ_Code] UNIQUE NONCLUSTERED ([Code] DESC),
	CONSTRAINT [FK_Order] FOREIGN KEY ([OrderID]) REFERENCES [Sales].[Orders] ([OrderID]) ON UPDATE NO ACTION NOT FOR REPLICATION,
	CONSTRAINT [CK_Qty] CHECK NOT FOR REPLICATION (([Qty]>(0))),
	INDEX IX_Code NONCLUSTERED (Code) INCLUDE (Qty) WHERE Code IS NOT NULL
) ON [PRIMARY] TEXTIMAGE_ON [PRIMARY]`;

describe("CREATE TABLE", () => {
  it("SSMS-style table with every column and constraint form", () => {
    const t = one(ssmsTable) as CreateTable;
    expect(t).toMatchObject({
      kind: "CreateTable",
      name: { schema: { value: "Sales", quote: "bracket" }, name: { value: "Order Lines" } },
      onFileGroup: "[PRIMARY]",
      textImageOn: "PRIMARY",
      columns: [
        { name: { value: "OrderLineID" }, type: { name: "INT" }, identity: { seed: { value: "1" }, increment: { value: "1" } }, notForReplication: true, nullable: false },
        { type: { name: "NVARCHAR", args: [20] }, collation: "Latin1_General_CI_AS", nullable: true },
        { type: { name: "DECIMAL", args: [18, 3] }, default: { name: { value: "DF_Qty" }, expr: { kind: "Paren" } } },
        { sparse: true },
        { computed: { persisted: true, expr: { kind: "Paren" } } },
        { rowguidcol: true, default: { expr: { kind: "Paren" } } },
        { constraints: [{ kind: "ForeignKey", refTable: { name: { value: "Orders" } }, refColumns: [{ value: "OrderID" }], onDelete: "CASCADE" }] },
        { mask: "default()" },
      ],
      constraints: [
        { kind: "PrimaryKey", name: { value: "PK_OrderLines" }, clustered: true, columns: [{ name: { value: "OrderLineID" }, direction: "ASC" }], options: [{ name: "PAD_INDEX", value: "OFF" }, {}, { name: "FILLFACTOR", value: "90" }], onFileGroup: "[PRIMARY]" },
        { kind: "Unique", clustered: false, columns: [{ direction: "DESC" }] },
        { kind: "ForeignKey", columns: [{ value: "OrderID" }], onUpdate: "NO ACTION", notForReplication: true },
        { kind: "Check", notForReplication: true, expr: { kind: "Paren" } },
      ],
      indexes: [{ name: { value: "IX_Code" }, clustered: false, include: [{ value: "Qty" }], where: { kind: "IsNull", not: true } }],
    });
    expect(t.columns[4]!.type).toBeUndefined();
  });

  it.each([
    [`CREATE TABLE dbo.Emp (Id int PRIMARY KEY, ValidFrom datetime2 GENERATED ALWAYS AS ROW START HIDDEN NOT NULL,
      ValidTo datetime2 GENERATED ALWAYS AS ROW END HIDDEN NOT NULL, PERIOD FOR SYSTEM_TIME (ValidFrom, ValidTo))
      WITH (SYSTEM_VERSIONING = ON (HISTORY_TABLE = dbo.EmpHistory, DATA_CONSISTENCY_CHECK = ON))`,
      { columns: [{ constraints: [{ kind: "PrimaryKey", columns: [] }] }, { generatedAlways: "ROW START", hidden: true }, { generatedAlways: "ROW END" }],
        period: { start: { value: "ValidFrom" }, end: { value: "ValidTo" } },
        options: [{ name: "SYSTEM_VERSIONING", value: "ON", options: [{ name: "HISTORY_TABLE", value: "dbo.EmpHistory" }, { name: "DATA_CONSISTENCY_CHECK", value: "ON" }] }] }],
    [`CREATE TABLE dbo.Cart (Id int NOT NULL PRIMARY KEY NONCLUSTERED HASH WITH (BUCKET_COUNT = 1000000), UserId int NOT NULL INDEX ix_user NONCLUSTERED,
      INDEX ix_hash HASH (UserId) WITH (BUCKET_COUNT = 64)) WITH (MEMORY_OPTIMIZED = ON, DURABILITY = SCHEMA_ONLY)`,
      { columns: [{ constraints: [{ kind: "PrimaryKey", clustered: false, hash: true, options: [{ name: "BUCKET_COUNT", value: "1000000" }] }] }, { index: { name: { value: "ix_user" } } }],
        indexes: [{ hash: true }], options: [{ name: "MEMORY_OPTIMIZED", value: "ON" }, { name: "DURABILITY", value: "SCHEMA_ONLY" }] }],
    ["CREATE TABLE #t (a int NULL, b AS a + 1)", { name: { name: { value: "#t" } }, columns: [{ nullable: true }, { computed: { persisted: false } }] }],
    ["CREATE TABLE p (id int) ON ps_date (d)", { onFileGroup: "ps_date (d)" }],
    ["CREATE TABLE n (id int) AS NODE", { asType: "NODE" }],
    ["CREATE TABLE t WITH (DISTRIBUTION = HASH(id)) AS SELECT id FROM s", { asSelect: { query: { kind: "Select" } }, options: [{ name: "DISTRIBUTION" }] }],
  ])("%s", (sql, want) => {
    expect(one(sql)).toMatchObject({ kind: "CreateTable", ...want });
  });
});

describe("ALTER TABLE", () => {
  it.each([
    ["ALTER TABLE [dbo].[T] WITH CHECK ADD CONSTRAINT [FK_T_U] FOREIGN KEY([UId]) REFERENCES [dbo].[U] ([Id])", { actions: [{ kind: "AddItems", withCheck: true, items: [{ kind: "ForeignKey", name: { value: "FK_T_U" } }] }] }],
    ["ALTER TABLE [dbo].[T] CHECK CONSTRAINT [FK_T_U]", { actions: [{ kind: "CheckConstraints", check: true, names: [{ value: "FK_T_U" }] }] }],
    ["ALTER TABLE t NOCHECK CONSTRAINT ALL", { actions: [{ kind: "CheckConstraints", check: false, all: true }] }],
    ["ALTER TABLE [dbo].[T] ADD CONSTRAINT [DF_T_D] DEFAULT (getdate()) FOR [D]", { actions: [{ kind: "AddItems", items: [{ kind: "Default", forColumn: { value: "D" } }] }] }],
    ["ALTER TABLE t ADD c1 int NULL, c2 varchar(10) NOT NULL CONSTRAINT d DEFAULT ''", { actions: [{ kind: "AddItems", items: [{ kind: "ColumnDef" }, { kind: "ColumnDef", default: {} }] }] }],
    ["ALTER TABLE t ALTER COLUMN c nvarchar(200) COLLATE Latin1_General_BIN NOT NULL", { actions: [{ kind: "AlterColumn", type: { args: [200] }, collation: "Latin1_General_BIN", nullable: false }] }],
    ["ALTER TABLE t DROP CONSTRAINT IF EXISTS pk, COLUMN a, b", { actions: [{ kind: "DropItems", items: [{ type: "CONSTRAINT", ifExists: true }, { type: "COLUMN", name: { value: "a" } }, { type: "COLUMN", name: { value: "b" } }] }] }],
    ["ALTER TABLE t DISABLE TRIGGER ALL", { actions: [{ kind: "TriggerState", enable: false, all: true }] }],
    ["ALTER TABLE t SET (SYSTEM_VERSIONING = OFF)", { actions: [{ kind: "SetOptions", options: [{ name: "SYSTEM_VERSIONING", value: "OFF" }] }] }],
    ["ALTER TABLE t ADD PRIMARY KEY NONCLUSTERED (a, b)", { actions: [{ items: [{ kind: "PrimaryKey", columns: [{}, {}] }] }] }],
  ])("%s", (sql, want) => {
    expect(one(sql)).toMatchObject({ kind: "AlterTable", ...want });
  });
});

describe("modules", () => {
  it.each([
    ["CREATE VIEW dbo.v (a, b) WITH SCHEMABINDING AS SELECT x, y FROM dbo.t WITH CHECK OPTION", { kind: "CreateView", mode: "CREATE", columns: [{}, {}], options: ["SCHEMABINDING"], checkOption: true }],
    ['CREATE VIEW "Order Details Extended" AS SELECT 1 AS x', { kind: "CreateView", name: { name: { value: "Order Details Extended", quote: "double" } } }],
    ["CREATE OR ALTER VIEW v AS WITH c AS (SELECT 1 x) SELECT x FROM c", { kind: "CreateView", mode: "CREATE OR ALTER", with: { ctes: [{}] } }],
    ["ALTER PROCEDURE p (@a int = NULL, @b nvarchar(max) OUT, @t dbo.TT READONLY) WITH RECOMPILE, EXECUTE AS OWNER AS SET NOCOUNT ON",
      { kind: "CreateProcedure", mode: "ALTER", params: [{ name: "@a", default: { literalType: "null" } }, { output: true }, { readonly: true, type: { userDefined: true, schema: "dbo", name: "TT" } }], options: ["RECOMPILE", "EXECUTE AS OWNER"], body: [{ kind: "SetOption" }] }],
    ["CREATE PROC p AS EXTERNAL NAME asm.[Ns.Class].Method", { kind: "CreateProcedure", externalName: "asm.[Ns.Class].Method", body: [] }],
    ["CREATE FUNCTION dbo.f (@x int) RETURNS int WITH SCHEMABINDING AS BEGIN RETURN @x + 1 END", { kind: "CreateFunction", returns: { kind: "Scalar", type: { name: "INT" } }, options: ["SCHEMABINDING"], body: [{ kind: "Return", value: { kind: "Binary" } }] }],
    ["CREATE FUNCTION dbo.itvf (@x int) RETURNS TABLE AS RETURN (SELECT a FROM t WHERE b = @x)", { kind: "CreateFunction", returns: { kind: "InlineTable" }, returnQuery: { query: { kind: "ParenQuery" } }, body: [] }],
    ["CREATE FUNCTION dbo.itvf2 () RETURNS TABLE RETURN WITH c AS (SELECT 1 a) SELECT a FROM c", { kind: "CreateFunction", returnQuery: { with: { ctes: [{}] }, query: { kind: "Select" } } }],
    ["CREATE FUNCTION dbo.mtvf (@d date) RETURNS @r TABLE (id int PRIMARY KEY, n nvarchar(10)) AS BEGIN INSERT @r VALUES (1, N'a') RETURN END",
      { kind: "CreateFunction", returns: { kind: "TableVariable", variable: "@r", columns: [{ constraints: [{ kind: "PrimaryKey" }] }, {}] }, body: [{ kind: "Insert" }, { kind: "Return" }] }],
    ["CREATE TRIGGER trg ON dbo.t AFTER INSERT, UPDATE NOT FOR REPLICATION AS IF UPDATE(a) UPDATE t SET b = 1 FROM inserted i WHERE i.id = t.id",
      { kind: "CreateTrigger", table: { name: { value: "t" } }, timing: "AFTER", events: ["INSERT", "UPDATE"], notForReplication: true, body: [{ kind: "If", condition: { kind: "FunctionCall", upperName: "UPDATE" } }] }],
    ["CREATE TRIGGER v_ins ON v INSTEAD OF INSERT AS BEGIN SET NOCOUNT ON; INSERT t SELECT * FROM inserted END", { kind: "CreateTrigger", timing: "INSTEAD OF", body: [{ kind: "Block" }] }],
    ["CREATE TRIGGER ddl ON DATABASE FOR CREATE_TABLE, DDL_VIEW_EVENTS AS PRINT EVENTDATA().value('(/E)[1]', 'nvarchar(100)')", { kind: "CreateTrigger", scope: "DATABASE", events: ["CREATE_TABLE", "DDL_VIEW_EVENTS"], body: [{ kind: "Print", value: { kind: "MethodCall" } }] }],
  ])("%s", (sql, want) => {
    expect(one(sql)).toMatchObject(want);
  });
});

describe("other objects", () => {
  it.each([
    ["CREATE TYPE dbo.Phone FROM varchar(20) NOT NULL", { kind: "CreateType", from: { name: "VARCHAR", args: [20] }, nullable: false }],
    ["CREATE TYPE dbo.IdList AS TABLE (Id int NOT NULL PRIMARY KEY NONCLUSTERED, INDEX ix HASH (Id) WITH (BUCKET_COUNT = 8)) WITH (MEMORY_OPTIMIZED = ON)",
      { kind: "CreateType", table: { columns: [{}], indexes: [{ hash: true }], options: [{ name: "MEMORY_OPTIMIZED" }] } }],
    ["CREATE SEQUENCE dbo.s AS bigint START WITH 1 INCREMENT BY 5 MINVALUE -10 NO MAXVALUE CYCLE CACHE 50",
      { kind: "CreateSequence", type: { name: "BIGINT" }, startWith: { value: "1" }, incrementBy: { value: "5" }, minValue: { kind: "Unary" }, maxValue: null, cycle: true, cache: { value: "50" } }],
    ["ALTER SEQUENCE s RESTART WITH 100", { kind: "CreateSequence", mode: "ALTER", restartWith: { value: "100" } }],
    ["CREATE SYNONYM dbo.Remote FOR srv.db.dbo.t", { kind: "CreateSynonym", target: { server: { value: "srv" }, partCount: 4 } }],
    ["CREATE SCHEMA Sales AUTHORIZATION dbo", { kind: "CreateSchema", name: { value: "Sales" }, authorization: { value: "dbo" } }],
    ["CREATE UNIQUE NONCLUSTERED INDEX ix ON dbo.t (a ASC, b DESC) INCLUDE (c) WHERE (d > 0) WITH (ONLINE = ON, DATA_COMPRESSION = PAGE) ON [IDX]",
      { kind: "CreateIndex", unique: true, clustered: false, columns: [{ direction: "ASC" }, { direction: "DESC" }], include: [{ value: "c" }], where: { kind: "Paren" }, options: [{ name: "ONLINE" }, { name: "DATA_COMPRESSION", value: "PAGE" }], onFileGroup: "[IDX]" }],
    ["CREATE CLUSTERED COLUMNSTORE INDEX cci ON t", { kind: "CreateIndex", clustered: true, columnstore: true, columns: [] }],
    ["CREATE PRIMARY XML INDEX px ON t (doc)", { kind: "CreateIndex", special: "PRIMARY XML" }],
    ["CREATE INDEX ix ON t (a) WITH FILLFACTOR = 80, PAD_INDEX", { kind: "CreateIndex", options: [{ name: "FILLFACTOR", value: "80" }, { name: "PAD_INDEX" }] }],
    ["CREATE STATISTICS st ON dbo.t (a, b) WHERE a > 0 WITH FULLSCAN, NORECOMPUTE", { kind: "CreateStatistics", columns: [{}, {}], where: {}, options: [{ name: "FULLSCAN" }, { name: "NORECOMPUTE" }] }],
    ["DROP TABLE IF EXISTS dbo.a, dbo.b", { kind: "Drop", objectType: "TABLE", ifExists: true, names: [{}, {}] }],
    ["DROP INDEX ix ON dbo.t", { kind: "Drop", objectType: "INDEX", on: { name: { value: "t" } } }],
    ["DROP PROC dbo.p", { kind: "Drop", objectType: "PROCEDURE" }],
    ["EXEC sys.sp_addextendedproperty @name = N'MS_Description', @value = N'The customer', @level0type = N'SCHEMA', @level0name = N'dbo', @level1type = N'TABLE', @level1name = N'Customer', @level2type = N'COLUMN', @level2name = N'Id'",
      { kind: "ExtendedProperty", action: "add", propertyName: "MS_Description", value: { value: "The customer" }, levels: [{ type: "SCHEMA", name: "dbo" }, { type: "TABLE", name: "Customer" }, { type: "COLUMN", name: "Id" }] }],
    ["EXEC sp_addextendedproperty 'MS_Description', 'Positional', 'user', dbo, 'table', T", { kind: "ExtendedProperty", propertyName: "MS_Description", levels: [{ type: "USER", name: "dbo" }, { type: "TABLE", name: "T" }] }],
    ["EXEC sp_dropextendedproperty @name = 'MS_Description', @level0type = 'SCHEMA', @level0name = 'dbo'", { kind: "ExtendedProperty", action: "drop", levels: [{ type: "SCHEMA" }] }],
    ["EXEC sp_addtype id, 'varchar(11)', 'NOT NULL'", { kind: "AddType", name: "id", baseType: { name: "VARCHAR", args: [11] }, nullable: false }],
    ["sp_addtype tid, 'char(6)'", { kind: "AddType", name: "tid", baseType: { name: "CHAR", args: [6] } }],
  ])("%s", (sql, want) => {
    expect(one(sql)).toMatchObject(want);
  });
});
