import { describe, expect, it } from "vitest";
import type { Statement } from "./ast.ts";
import { parseScript } from "./index.ts";
import { printExpr, printStatement } from "./print.ts";
import { expr } from "./test-support.ts";

/** The tree without locations, comments and spelling-only fields, keys sorted: what must survive printing. */
function canonical(x: unknown): unknown {
  if (Array.isArray(x)) return x.map(canonical);
  if (x && typeof x === "object") {
    const src = x as Record<string, unknown>;
    const o: Record<string, unknown> = {};
    for (const k of Object.keys(src).sort()) {
      const v = src[k];
      if (v === undefined || ["loc", "comments", "trailingComments", "keyword", "text"].includes(k)) continue;
      if (k === "typeName" && src.kind === "DataType" && src.userDefined === false) continue; // int vs INT
      o[k] = canonical(v);
    }
    return o;
  }
  return x;
}

function statements(sql: string): Statement[] {
  const r = parseScript(sql, { file: "rt.sql" });
  expect(r.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
  return r.batches.flatMap((b) => b.statements);
}

const scripts = [
  "SELECT DISTINCT TOP (10) PERCENT WITH TIES a AS x, b y, z = c + 1, 'lit' AS 'l', t.* FROM dbo.t AS t WITH (NOLOCK) WHERE a BETWEEN 1 AND 2 ORDER BY a DESC",
  "WITH c (n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM c WHERE n < 5) SELECT n FROM c OPTION (MAXRECURSION 10)",
  "SELECT a, COUNT(*) FROM t GROUP BY GROUPING SETS ((a), ()) HAVING COUNT(*) > 1 ORDER BY 1 OFFSET 5 ROWS FETCH NEXT 10 ROWS ONLY",
  "SELECT * FROM a LEFT HASH JOIN b ON a.id = b.id CROSS APPLY dbo.f(a.x) AS f OUTER APPLY (SELECT TOP 1 * FROM c) AS o",
  "SELECT * FROM s PIVOT (SUM(v) FOR k IN ([x], [y])) AS p",
  "SELECT * FROM s UNPIVOT (v FOR k IN (a, b)) AS u",
  "SELECT * FROM OPENJSON(@j) WITH (id INT '$.id', d NVARCHAR(MAX) '$.d' AS JSON) AS j",
  "SELECT x.value('.', 'int') FROM @doc.nodes('/r') AS n(x) FOR XML PATH('row'), ROOT('rows'), TYPE",
  "SELECT * FROM t FOR SYSTEM_TIME BETWEEN @a AND @b AS h",
  "SELECT ROW_NUMBER() OVER (PARTITION BY a ORDER BY b ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW), STRING_AGG(c, ',') WITHIN GROUP (ORDER BY c) FROM t",
  "SELECT SUM(x) OVER w AS s, AVG(x) OVER (w ROWS UNBOUNDED PRECEDING) FROM t WINDOW w AS (PARTITION BY g ORDER BY d)",
  "INSERT INTO dbo.t (a, b) OUTPUT inserted.a INTO @ids (a) VALUES (1, DEFAULT), (2, N'x')",
  "INSERT t EXEC dbo.p 1, @b = 2",
  "UPDATE TOP (5) t SET a += 1, @v = b = 2 OUTPUT deleted.a FROM t JOIN u ON u.id = t.id WHERE t.x IN (SELECT y FROM z)",
  "DELETE FROM t OUTPUT deleted.* WHERE CURRENT OF cur",
  "MERGE INTO tgt AS t USING src AS s ON t.id = s.id WHEN MATCHED AND t.v <> s.v THEN UPDATE SET t.v = s.v WHEN NOT MATCHED THEN INSERT (id, v) VALUES (s.id, s.v) WHEN NOT MATCHED BY SOURCE THEN DELETE OUTPUT $action INTO @log;",
  "CREATE TABLE [dbo].[T] ([Id] INT IDENTITY(1, 1) NOT FOR REPLICATION NOT NULL, [Code] NVARCHAR(20) COLLATE Latin1_General_CI_AS NULL CONSTRAINT [DF] DEFAULT (N''), [Total] AS ([a] * [b]) PERSISTED, [g] UNIQUEIDENTIFIER ROWGUIDCOL NOT NULL, CONSTRAINT [PK] PRIMARY KEY CLUSTERED ([Id] ASC) WITH (FILLFACTOR = 90) ON [PRIMARY], CONSTRAINT FK FOREIGN KEY (Code) REFERENCES dbo.C (Code) ON DELETE CASCADE, CHECK ([Id] > 0), INDEX ix NONCLUSTERED (Code) INCLUDE (Total) WHERE Code IS NOT NULL) ON [PRIMARY] TEXTIMAGE_ON [PRIMARY]",
  "CREATE TABLE e (Id INT PRIMARY KEY, F DATETIME2 GENERATED ALWAYS AS ROW START HIDDEN NOT NULL, T DATETIME2 GENERATED ALWAYS AS ROW END NOT NULL, PERIOD FOR SYSTEM_TIME (F, T)) WITH (SYSTEM_VERSIONING = ON (HISTORY_TABLE = dbo.eh))",
  "ALTER TABLE t WITH CHECK ADD CONSTRAINT fk FOREIGN KEY (a) REFERENCES u (a)",
  "ALTER TABLE t ALTER COLUMN c NVARCHAR(10) NOT NULL",
  "ALTER TABLE t DROP CONSTRAINT IF EXISTS a, COLUMN b",
  "CREATE OR ALTER VIEW v (a) WITH SCHEMABINDING AS SELECT a FROM dbo.t WITH CHECK OPTION",
  "CREATE PROCEDURE p @a INT = 1, @b NVARCHAR(MAX) OUTPUT, @t dbo.TT READONLY WITH RECOMPILE AS BEGIN SET NOCOUNT ON; IF @a > 0 BEGIN SELECT 1 END ELSE PRINT 'x'; BEGIN TRY EXEC sp_executesql N'SELECT 1' END TRY BEGIN CATCH THROW; END CATCH; RETURN 0 END",
  "CREATE FUNCTION dbo.f (@x INT) RETURNS @r TABLE (id INT PRIMARY KEY) AS BEGIN INSERT @r VALUES (@x); RETURN END",
  "CREATE FUNCTION dbo.g () RETURNS TABLE AS RETURN (SELECT 1 AS a)",
  "CREATE FUNCTION dbo.h (@d DATE) RETURNS INT WITH SCHEMABINDING AS BEGIN RETURN DATEPART(year, @d) END",
  "CREATE TRIGGER tr ON dbo.t AFTER INSERT, UPDATE AS IF UPDATE(a) ROLLBACK TRANSACTION",
  "CREATE TRIGGER ddl ON DATABASE FOR CREATE_TABLE AS PRINT 'no'",
  "CREATE TYPE dbo.L AS TABLE (id INT NOT NULL, INDEX ix HASH (id) WITH (BUCKET_COUNT = 8)) WITH (MEMORY_OPTIMIZED = ON)",
  "CREATE SEQUENCE s AS BIGINT START WITH 1 INCREMENT BY 1 NO MINVALUE MAXVALUE 100 CYCLE NO CACHE",
  "CREATE SYNONYM dbo.x FOR srv.db.dbo.t",
  "CREATE UNIQUE NONCLUSTERED INDEX ix ON dbo.t (a ASC, b DESC) INCLUDE (c) WHERE d > 0 WITH (ONLINE = ON) ON [IDX]",
  "CREATE STATISTICS st ON dbo.t (a, b) WITH FULLSCAN",
  "DECLARE @a INT = 1, @t TABLE (x INT), @c CURSOR",
  "DECLARE cur CURSOR LOCAL FAST_FORWARD FOR SELECT a FROM t",
  "SET TRANSACTION ISOLATION LEVEL SNAPSHOT",
  "SET IDENTITY_INSERT dbo.t ON",
  "WHILE @i < 10 BEGIN SET @i += 1; IF @i = 5 BREAK; ELSE CONTINUE END",
  "RAISERROR (N'%s', 16, 1, @x) WITH NOWAIT",
  "WAITFOR DELAY '00:00:01'",
  "EXEC @rc = dbo.p @a = 1, @b = @o OUTPUT, @c = DEFAULT",
  "EXEC ('SELECT ' + @c) AT srv",
  "BEGIN TRANSACTION t WITH MARK 'm'",
  "FETCH ABSOLUTE 5 FROM GLOBAL cur INTO @a",
  "EXEC sys.sp_addextendedproperty @name = N'MS_Description', @value = N'x', @level0type = N'SCHEMA', @level0name = N'dbo'",
  "TRUNCATE TABLE dbo.t",
  "BULK INSERT dbo.t FROM 'c:\\f.csv' WITH (FIRSTROW = 2)",
  "DROP TABLE IF EXISTS a, b",
  "lbl: GOTO lbl",
];

describe("print → parse gives the same tree", () => {
  it.each(scripts)("%s", (sql) => {
    const first = statements(sql);
    const printed = first.map((s) => printStatement(s) + ";").join("\n");
    const second = statements(printed);
    expect(canonical(second)).toEqual(canonical(first));
  });
});

describe("expressions print with the precedence the tree has", () => {
  it.each([
    ["(1 + 2) * 3", "(1 + 2) * 3"],
    ["a COLLATE Latin1_General_BIN", "a COLLATE Latin1_General_BIN"],
    ["CAST(x AS decimal(18, 2))", "CAST(x AS DECIMAL(18, 2))"],
    ["CONVERT(varchar(10), d, 120)", "CONVERT(VARCHAR(10), d, 120)"],
    ["N'it''s'", "N'it''s'"],
    ["[a]]b].[c d]", "[a]]b].[c d]"],
    ["- - 1", "- -1"],
    ["geography::Point(1, 2, 4326)", "geography::Point(1, 2, 4326)"],
  ])("%s", (sql, want) => {
    expect(printExpr(expr(sql))).toBe(want);
  });
});
