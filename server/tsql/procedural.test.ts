import { describe, expect, it } from "vitest";
import { one, parse } from "./test-support.ts";

describe("procedural statements", () => {
  it.each([
    ["DECLARE @a int = 1, @b nvarchar(10), @c AS decimal(5,2) = 0.5", { kind: "Declare", items: [{ kind: "DeclareVariable", name: "@a", value: { value: "1" } }, { name: "@b", type: { args: [10] } }, { name: "@c" }] }],
    ["DECLARE @t TABLE (id int PRIMARY KEY, v varchar(10) NULL, INDEX ix (v))", { kind: "Declare", items: [{ kind: "DeclareTableVariable", name: "@t", columns: [{}, {}], indexes: [{}] }] }],
    ["DECLARE @c CURSOR", { kind: "Declare", items: [{ kind: "DeclareCursorVariable", name: "@c" }] }],
    ["DECLARE cur CURSOR LOCAL FAST_FORWARD FOR SELECT a FROM t", { kind: "DeclareCursor", name: { value: "cur" }, cursor: { options: ["LOCAL", "FAST_FORWARD"], query: { query: { kind: "Select" } } } }],
    ["DECLARE cur INSENSITIVE SCROLL CURSOR FOR SELECT a FROM t FOR UPDATE OF a", { kind: "DeclareCursor", cursor: { options: ["INSENSITIVE", "SCROLL"], forUpdate: [{ value: "a" }] } }],
    ["SET @x = (SELECT COUNT(*) FROM t)", { kind: "SetVariable", variable: { name: "@x" }, op: "=", value: { kind: "Subquery" } }],
    ["SET @n *= 2", { kind: "SetVariable", op: "*=" }],
    ["SET @c = CURSOR FORWARD_ONLY FOR SELECT 1", { kind: "SetVariable", cursor: { options: ["FORWARD_ONLY"] } }],
    ["SET @x.modify('insert <a/> into /r')", { kind: "SetVariable", method: { method: { value: "modify" } } }],
    ["SET NOCOUNT ON", { kind: "SetOption", options: ["NOCOUNT"], value: "ON" }],
    ["SET ANSI_NULLS, QUOTED_IDENTIFIER OFF", { kind: "SetOption", options: ["ANSI_NULLS", "QUOTED_IDENTIFIER"], value: "OFF" }],
    ["SET TRANSACTION ISOLATION LEVEL READ UNCOMMITTED", { kind: "SetOption", options: ["TRANSACTION ISOLATION LEVEL"], value: "READ UNCOMMITTED" }],
    ["SET IDENTITY_INSERT dbo.t ON", { kind: "SetOption", options: ["IDENTITY_INSERT"], table: { name: { value: "t" } }, value: "ON" }],
    ["SET DATEFORMAT dmy", { kind: "SetOption", options: ["DATEFORMAT"], value: "DMY" }],
    ["SET ROWCOUNT @n", { kind: "SetOption", options: ["ROWCOUNT"], expr: { kind: "Variable" } }],
    ["SET STATISTICS IO ON", { kind: "SetOption", options: ["STATISTICS IO"], value: "ON" }],
    ["IF @a = 1 PRINT 'a' ELSE IF @a = 2 PRINT 'b' ELSE PRINT 'c'", { kind: "If", then: { kind: "Print" }, else: { kind: "If", else: { kind: "Print" } } }],
    ["IF EXISTS (SELECT 1 FROM t) BEGIN SELECT 1; SELECT 2 END ELSE BEGIN RETURN END", { kind: "If", condition: { kind: "Exists" }, then: { kind: "Block", body: [{}, {}] }, else: { kind: "Block", body: [{ kind: "Return" }] } }],
    ["IF OBJECT_ID('dbo.t') IS NOT NULL DROP TABLE dbo.t", { kind: "If", condition: { kind: "IsNull", not: true }, then: { kind: "Drop" } }],
    ["WHILE @i < 10 BEGIN SET @i += 1; IF @i = 5 BREAK; ELSE CONTINUE; END", { kind: "While", body: { kind: "Block", body: [{ kind: "SetVariable" }, { kind: "If", then: { kind: "Break" }, else: { kind: "Continue" } }] } }],
    ["BEGIN TRY SELECT 1/0 END TRY BEGIN CATCH SELECT ERROR_MESSAGE(); THROW; END CATCH", { kind: "TryCatch", tryBody: [{}], catchBody: [{ kind: "SelectStatement" }, { kind: "Throw" }] }],
    ["THROW 50001, N'Bad thing', 1", { kind: "Throw", number: { value: "50001" }, message: { literalType: "nstring" }, state: { value: "1" } }],
    ["RAISERROR (N'Row %d of %s', 16, 1, @n, @s) WITH NOWAIT, LOG", { kind: "Raiserror", severity: { value: "16" }, state: { value: "1" }, args: [{}, {}], options: ["NOWAIT", "LOG"], legacy: false }],
    ["RAISERROR 50001 'legacy message %d', @n", { kind: "Raiserror", legacy: true, errorNumber: { value: "50001" }, message: { value: "legacy message %d" }, args: [{ name: "@n" }] }],
    ["RETURN", { kind: "Return" }],
    ["RETURN -1", { kind: "Return", value: { kind: "Unary" } }],
    ["PRINT 'a' + CAST(@n AS varchar)", { kind: "Print", value: { kind: "Binary" } }],
    ["GOTO done", { kind: "Goto", label: "done" }],
    ["WAITFOR DELAY '00:00:05'", { kind: "Waitfor", mode: "DELAY" }],
    ["WAITFOR TIME @t", { kind: "Waitfor", mode: "TIME" }],
    ["EXEC dbo.p 1, @b = 'x', @c = @out OUTPUT, @d = DEFAULT", { kind: "Exec", keyword: true, upperName: "P", args: [{ value: { value: "1" } }, { name: "@b" }, { name: "@c", output: true }, { value: { kind: "DefaultValue" } }] }],
    ["EXECUTE @rc = [db].dbo.p", { kind: "Exec", returnVariable: { name: "@rc" }, procedure: { database: { value: "db" } } }],
    ["EXEC @procName @x", { kind: "Exec", procedure: { kind: "Variable", name: "@procName" }, upperName: "", args: [{}] }],
    ["EXEC sp_executesql @sql, N'@id int, @n int OUTPUT', @id = 1, @n = @n OUTPUT", { kind: "Exec", upperName: "SP_EXECUTESQL", args: [{ value: { kind: "Variable" } }, { value: { literalType: "nstring" } }, { name: "@id" }, { output: true }] }],
    ["EXEC ('SELECT * FROM ' + @t)", { kind: "ExecString", parts: [{ value: "SELECT * FROM " }, { name: "@t" }] }],
    ["EXEC (@sql) AT LinkedSrv", { kind: "ExecString", at: { value: "LinkedSrv" } }],
    ["EXEC dbo.p WITH RECOMPILE", { kind: "Exec", options: ["RECOMPILE"] }],
    ["EXEC p WITH RESULT SETS ((a int))", { kind: "Exec", options: ["RESULT SETS ((a int))"] }],
    ["BEGIN TRANSACTION t1 WITH MARK 'm'", { kind: "Transaction", action: "BEGIN", name: { value: "t1" }, mark: "m" }],
    ["BEGIN DISTRIBUTED TRAN", { kind: "Transaction", action: "BEGIN DISTRIBUTED" }],
    ["COMMIT TRAN @name", { kind: "Transaction", action: "COMMIT", name: { kind: "Variable" } }],
    ["COMMIT WORK", { kind: "Transaction", action: "COMMIT", work: true }],
    ["ROLLBACK TRANSACTION", { kind: "Transaction", action: "ROLLBACK" }],
    ["SAVE TRAN sp1", { kind: "Transaction", action: "SAVE", name: { value: "sp1" } }],
    ["OPEN cur", { kind: "CursorOp", op: "OPEN", cursor: { value: "cur" } }],
    ["CLOSE GLOBAL cur", { kind: "CursorOp", op: "CLOSE", global: true }],
    ["DEALLOCATE @c", { kind: "CursorOp", op: "DEALLOCATE", cursor: { kind: "Variable" } }],
    ["FETCH NEXT FROM cur INTO @a, @b", { kind: "Fetch", direction: "NEXT", into: [{ name: "@a" }, { name: "@b" }] }],
    ["FETCH ABSOLUTE 5 FROM cur", { kind: "Fetch", direction: "ABSOLUTE", offset: { value: "5" } }],
    ["FETCH cur", { kind: "Fetch", cursor: { value: "cur" } }],
    ["USE [AdventureWorks]", { kind: "Use", database: { value: "AdventureWorks", quote: "bracket" } }],
  ])("%s", (sql, want) => {
    expect(one(sql)).toMatchObject(want);
  });

  it("labels and statements without terminators", () => {
    const r = parse("start:\nSELECT 1\nSELECT 2 GOTO start\nIF 1 = 1 RETURN\nPRINT 'x'");
    expect(r.diagnostics).toEqual([]);
    expect(r.batches[0]!.statements.map((s) => s.kind)).toEqual(["Label", "SelectStatement", "SelectStatement", "Goto", "If", "Print"]);
  });

  it("a bare procedure name at the start of a batch is an EXEC", () => {
    const r = parse("sp_who2 'active'\nGO\nsp_help");
    expect(r.batches.map((b) => b.statements[0])).toMatchObject([{ kind: "Exec", keyword: false, args: [{}] }, { kind: "Exec", upperName: "SP_HELP" }]);
  });

  it("SET QUOTED_IDENTIFIER OFF makes double quotes strings for what follows", () => {
    const r = parse('SET QUOTED_IDENTIFIER OFF\nGO\nSELECT "text"');
    const sel = r.batches[1]!.statements[0]!;
    expect(sel).toMatchObject({ query: { columns: [{ expr: { kind: "Literal", value: "text" } }] } });
  });

  it("leading comments are attached to statements", () => {
    const r = parse("-- Creates the table\n/* owner: sales */\nCREATE TABLE t (\n  -- the key\n  id int)\nSELECT 1 -- trailing");
    const [ct] = r.batches[0]!.statements;
    expect(ct!.comments.map((c) => c.text)).toEqual(["-- Creates the table", "/* owner: sales */"]);
    expect(ct).toMatchObject({ columns: [{ comments: [{ text: "-- the key" }] }] });
    expect(r.batches[0]!.comments.map((c) => c.text)).toEqual(["-- Creates the table", "/* owner: sales */", "-- the key", "-- trailing"]);
    expect(r.batches[0]!.comments[3]!.loc).toMatchObject({ line: 6, column: 10 });
    expect(r.batches[0]!.statements[1]).toMatchObject({ kind: "SelectStatement", trailingComments: [{ text: "-- trailing" }], comments: [] });
  });

  it("a same-line comment after a statement (or its semicolon) trails it, the next line's leads the next", () => {
    const r = parse("SET NOCOUNT ON; -- quiet\n-- now the work\nSELECT 1 -- one\nSELECT 2");
    const [a, b, c] = r.batches[0]!.statements;
    expect(a).toMatchObject({ trailingComments: [{ text: "-- quiet" }] });
    expect(b).toMatchObject({ comments: [{ text: "-- now the work" }], trailingComments: [{ text: "-- one" }] });
    expect(c!.comments).toEqual([]);
    const t = parse("CREATE TABLE t (\n  a int, -- the key\n  b int -- last one\n)").batches[0]!.statements[0]!;
    expect(t).toMatchObject({ columns: [{ trailingComments: [{ text: "-- the key" }] }, { trailingComments: [{ text: "-- last one" }] }] });
  });
});
