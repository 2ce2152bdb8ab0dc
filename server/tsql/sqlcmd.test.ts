import { describe, expect, it } from "vitest";
import { parseScript } from "./index.ts";
import { preprocessSqlcmd } from "./sqlcmd.ts";

describe("batches", () => {
  it.each([
    ["SELECT 1\nGO\nSELECT 2\nGO\n", 2],
    ["SELECT 1\ngo\n\n\nSELECT 2", 2],
    ["SELECT 1", 1],
    ["GO\nGO\nSELECT 1\nGO", 1],
    ["CREATE PROCEDURE p AS SELECT 1\nGO\nEXEC p", 2],
  ])("%j has %i batches", (sql, n) => {
    const r = parseScript(sql, { file: "b.sql" });
    expect(r.batches).toHaveLength(n);
    expect(r.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
  });

  it("GO n sets repeat, and batch text and line are right", () => {
    const r = parseScript("SELECT 1\nGO\n\nINSERT t VALUES (1)\nGO 3\n", { file: "b.sql" });
    expect(r.batches[1]).toMatchObject({ repeat: 3, loc: { line: 4 } });
    expect(r.batches[1]!.text.trim()).toBe("INSERT t VALUES (1)");
    const st = r.batches[1]!.statements[0]!;
    expect(st.loc).toMatchObject({ file: "b.sql", line: 4, column: 1 });
    expect(r.batches[1]!.text.slice(st.loc.offset, st.loc.end)).toBe("INSERT t VALUES (1)");
  });

  it("a procedure body runs to the end of its batch", () => {
    const r = parseScript("CREATE PROC p AS\nSELECT 1\nSELECT 2\nGO\nSELECT 3", { file: "b.sql" });
    const p = r.batches[0]!.statements[0]!;
    expect(p.kind).toBe("CreateProcedure");
    if (p.kind === "CreateProcedure") expect(p.body.map((s) => s.kind)).toEqual(["SelectStatement", "SelectStatement"]);
    expect(r.batches[1]!.statements).toHaveLength(1);
  });

  it("each batch records the ANSI_NULLS / QUOTED_IDENTIFIER settings it starts with", () => {
    const r = parseScript("CREATE VIEW a AS SELECT 1 x\nGO\nSET ANSI_NULLS OFF\nSET QUOTED_IDENTIFIER OFF\nGO\nCREATE PROC p AS SELECT 1\nGO\nSET ANSI_NULLS ON\nGO\nCREATE PROC q AS SELECT 1", { file: "b.sql" });
    expect(r.batches.map((b) => [b.settings.ansiNulls, b.settings.quotedIdentifier])).toEqual([[true, true], [true, true], [false, false], [false, false], [true, false]]);
  });

  it("initial settings can be given (a module read from a live server)", () => {
    const r = parseScript('SELECT "x"', { file: "m.sql", settings: { ansiNulls: false, quotedIdentifier: false } });
    expect(r.batches[0]!.settings).toMatchObject({ ansiNulls: false, quotedIdentifier: false, dateFirst: 7 });
    expect(r.batches[0]!.statements[0]).toMatchObject({ query: { columns: [{ expr: { kind: "Literal", value: "x" } }] } });
  });

  it.each([
    ["SET DATEFIRST 1", { dateFirst: 1 }],
    ["SET DATEFIRST @d", { dateFirst: null }],
    ["SET DATEFORMAT dmy", { dateFormat: "dmy" }],
    ["SET LANGUAGE British", { language: "british", dateFirst: null, dateFormat: null }],
    ["SET LANGUAGE us_english", { language: "us_english", dateFirst: 7, dateFormat: "mdy" }],
    ["SET LANGUAGE N'Deutsch'", { language: "deutsch", dateFormat: null }],
    ["SET CONCAT_NULL_YIELDS_NULL OFF", { concatNullYieldsNull: false }],
    ["SET ANSI_WARNINGS, ARITHABORT OFF", { ansiWarnings: false, arithAbort: false }],
    ["SET XACT_ABORT ON", { xactAbort: true }],
  ])("%s carries into the next batch", (set, want) => {
    const r = parseScript(`${set}\nGO\nSELECT 1`, { file: "s.sql" });
    expect(r.batches[0]!.settings).toMatchObject({ dateFirst: 7, dateFormat: "mdy", concatNullYieldsNull: true, xactAbort: false });
    expect(r.batches[1]!.settings).toMatchObject(want);
  });

  it("CR-only line ends count lines and split batches like LF", () => {
    const r = parseScript("SELECT 1\rGO\rSELECT x FROM", { file: "mac.sql" });
    expect(r.batches).toHaveLength(2);
    expect(r.diagnostics[0]).toMatchObject({ code: "TSQL2001", line: 3 });
  });

  it("onBatch streams batches without keeping them", () => {
    const seen: number[] = [];
    const r = parseScript("SELECT 1\nGO\nSELECT 2\nGO\nSELECT 3", { file: "b.sql", onBatch: (b) => seen.push(b.statements.length) });
    expect(seen).toEqual([1, 1, 1]);
    expect(r.batches).toEqual([]);
  });
});

describe("SQLCMD", () => {
  it.each([
    [":setvar Db \"Sales\"\nUSE [$(Db)]", {}, "Sales"],
    [":setvar Db Sales\nUSE $(Db)", {}, "Sales"],
    [":setvar Db Sales\nUSE $(Db)", { Db: "Override" }, "Override"],
    ["USE $(db)", { DB: "CaseInsensitive" }, "CaseInsensitive"],
    ["  :SETVAR Db X\r\nUSE $(Db)\r\n", {}, "X"],
  ])("%j with %j uses database %s", (sql, vars, db) => {
    const r = parseScript(sql, { file: "s.sql", vars });
    expect(r.diagnostics).toEqual([]);
    const use = r.batches.flatMap((b) => b.statements).find((s) => s.kind === "Use");
    expect(use).toMatchObject({ kind: "Use", database: { value: db } });
  });

  it("an undefined variable is one error naming file and line, without a cascade of syntax errors", () => {
    const r = parseScript("SELECT 1\nGO\nUSE $(Missing)\nSELECT * FROM $(Db).dbo.t WHERE x = $(Val)", { file: "deploy.sql" });
    expect(r.diagnostics).toEqual([
      expect.objectContaining({ code: "TSQL1101", severity: "error", file: "deploy.sql", line: 3, column: 5 }),
      expect.objectContaining({ code: "TSQL1101", line: 4, column: 15 }),
      expect.objectContaining({ code: "TSQL1101", line: 4, column: 37 }),
    ]);
    expect(r.batches[1]!.statements.map((s) => s.kind)).toEqual(["Use", "SelectStatement"]);
  });

  it("directive lines keep later line numbers right", () => {
    const r = parseScript(":setvar A 1\n:on error exit\nSELECT $(A)\nGO\nSELECT x FROM", { file: "s.sql" });
    const sel = r.batches[0]!.statements[0]!;
    expect(sel.loc.line).toBe(3);
    const err = r.diagnostics.find((d) => d.code === "TSQL2001")!;
    expect(err).toMatchObject({ file: "s.sql", line: 5 });
  });

  it(":r includes a file through the reader, and lines map back to each file", () => {
    const files: Record<string, string> = { "inc/tables.sql": "CREATE TABLE a (x int)\nGO\nCREATE TABLE b (y int)\n" };
    const r = parseScript("PRINT 'start'\n:r inc/tables.sql\nSELECT z FROM\n", {
      file: "main.sql",
      readFile: (p) => (files[p] !== undefined ? { text: files[p]!, file: p } : undefined),
    });
    const stmts = r.batches.flatMap((b) => b.statements);
    expect(stmts.map((s) => [s.kind, s.loc.file, s.loc.line])).toEqual([
      ["Print", "main.sql", 1],
      ["CreateTable", "inc/tables.sql", 1],
      ["CreateTable", "inc/tables.sql", 3],
      ["Command", "main.sql", 3],
    ]);
    // The error is at the end of input, on the line after the last one of main.sql.
    expect(r.diagnostics.find((d) => d.code === "TSQL2001")).toMatchObject({ file: "main.sql", line: 4 });
  });

  it.each([
    [undefined, "TSQL1102"],
    [() => undefined, "TSQL1103"],
  ])(":r without a usable reader is a diagnostic (%#)", (readFile, code) => {
    const r = parseScript(":r other.sql\nSELECT 1", { file: "m.sql", ...(readFile ? { readFile } : {}) });
    expect(r.diagnostics).toContainEqual(expect.objectContaining({ code, file: "m.sql", line: 1 }));
    expect(r.batches[0]!.statements).toHaveLength(1);
  });

  it("a file including itself is refused", () => {
    const r = parseScript(":r self.sql\nSELECT 1", { file: "self.sql", readFile: () => ({ text: ":r self.sql\n", file: "self.sql" }) });
    expect(r.diagnostics.map((d) => d.code)).toContain("TSQL1103");
  });

  it("$(var) and directives inside block comments are left alone; inside strings they are substituted", () => {
    const r = parseScript("/*\n Example: SELECT * FROM [$(TableName)]\n:setvar X 1\n*/\nPRINT N'$(Db)' -- $(Other)\n", { file: "c.sql", vars: { Db: "Sales" } });
    expect(r.diagnostics).toEqual([]);
    expect(r.batches[0]!.statements[0]).toMatchObject({ kind: "Print", value: { value: "Sales" } });
    expect(r.batches[0]!.comments[0]!.text).toContain("$(TableName)");
  });

  it("text without SQLCMD syntax is returned unchanged", () => {
    const p = preprocessSqlcmd("SELECT ':x' -- $ not a var\n", { file: "f.sql" });
    expect(p.unchanged).toBe(true);
  });

  it("lineOffset shifts every reported line", () => {
    const r = parseScript("SELECT 1\nSELECT x FROM", { file: "mod.sql", lineOffset: 99 });
    expect(r.batches[0]!.statements[0]!.loc.line).toBe(100);
    expect(r.diagnostics[0]).toMatchObject({ line: 101 });
  });
});
