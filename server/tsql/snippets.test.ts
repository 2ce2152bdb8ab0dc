import { describe, expect, it } from "vitest";
import { parse } from "./test-support.ts";

// Small scripts in the styles real code bases use; each line states the statement kinds it must give.
describe("scripts without terminators parse into the right statements", () => {
  it.each([
    ["DECLARE c CURSOR FOR SELECT a FROM t OPEN c FETCH NEXT FROM c INTO @a CLOSE c DEALLOCATE c", "DeclareCursor CursorOp Fetch CursorOp CursorOp"],
    ["SELECT * FROM t\nSET @x = 1\nIF @x = 1 SELECT 1 ELSE SELECT 2", "SelectStatement SetVariable If"],
    ["SELECT IDENTITY(int, 1, 1) AS id INTO #t FROM x\nDROP TABLE #t", "SelectStatement Drop"],
    ["INSERT INTO #t EXEC ('SELECT 1')\nEXEC @rc = dbo.p @a = 1 OUTPUT", "Insert Exec"],
    ["SELECT T.c.value('.', 'int') AS v FROM @x.nodes('/a') T(c) WHERE T.c.exist('b') = 1", "SelectStatement"],
    [";WITH c AS (SELECT 1 a) SELECT a FROM c;", "SelectStatement"],
    ["BEGIN TRAN\nUPDATE t SET a = 1\nIF @@ERROR <> 0 ROLLBACK TRAN ELSE COMMIT TRAN", "Transaction Update If"],
    ["SELECT a, b FROM t GROUP BY a, b WITH CUBE\nSELECT ALL a FROM t ORDER BY 1 OFFSET 0 ROWS", "SelectStatement SelectStatement"],
    ["WHILE EXISTS (SELECT 1 FROM q)\nBEGIN\n  DELETE TOP (1000) FROM q\n  WAITFOR DELAY '00:00:01'\nEND", "While"],
    ["SELECT * FROM t TABLESAMPLE (10 PERCENT) REPEATABLE (5)\nPRINT 'done'", "SelectStatement Print"],
    ["CREATE TABLE #x (a int)\nINSERT #x SELECT 1\nSELECT * FROM #x x WITH (NOLOCK) WHERE x.a = 1", "CreateTable Insert SelectStatement"],
    ["IF NOT EXISTS (SELECT * FROM sys.schemas WHERE name = N'app')\nEXEC('CREATE SCHEMA app')", "If"],
    ["SET XACT_ABORT ON\nSET NOCOUNT ON;\nSET ANSI_WARNINGS OFF", "SetOption SetOption SetOption"],
    ["RAISERROR('x', 16, 1) WITH NOWAIT;\nRETURN\nEND_LABEL:\nPRINT 1", "Raiserror Return Label Print"],
    ["SELECT a = 1, b = CASE WHEN x > 0 THEN 'p' ELSE 'n' END, [c d] = 3", "SelectStatement"],
    ["EXEC sp_rename 'dbo.a', 'b'\nEXEC sp_executesql N'SELECT @p', N'@p int', 1", "Exec Exec"],
    ["DELETE t WHERE x = 1\nINSERT t (a) VALUES (1)\nUPDATE t SET a = a + 1", "Delete Insert Update"],
    ["SELECT * FROM a WHERE a.x IN (SELECT b FROM u UNION SELECT c FROM v) AND NOT a.y IN (1, 2)", "SelectStatement"],
    ["CREATE SCHEMA app AUTHORIZATION dbo\nGO\nCREATE TABLE app.t (id int)", "CreateSchema CreateTable"],
    ["ALTER AUTHORIZATION ON SCHEMA::app TO dbo\nGRANT EXECUTE ON SCHEMA::app TO role1\nDENY SELECT ON app.t TO public", "Command Command Command"],
    ["DBCC CHECKIDENT ('t', RESEED, 0)\nCHECKPOINT\nSELECT 1", "Command Command SelectStatement"],
    ["SELECT x FROM t WHERE CONTAINS((a, b), 'x') AND FREETEXT(c, 'y')\nSELECT * FROM CONTAINSTABLE(t, (a, b), 'x') AS k", "SelectStatement SelectStatement"],
    ["SELECT $PARTITION.pf(col), CHOOSE(2, 'a', 'b') FROM t WITH (FORCESEEK (ix (a, b))) ORDER BY a COLLATE Latin1_General_BIN DESC", "SelectStatement"],
  ])("%j", (sql, kinds) => {
    const r = parse(sql);
    expect(r.diagnostics.filter((d) => d.severity === "error" || d.severity === "warning")).toEqual([]);
    expect(r.batches.flatMap((b) => b.statements).map((s) => s.kind).join(" ")).toBe(kinds);
  });
});
