import { describe, expect, it } from "vitest";
import { parseScript } from "./index.ts";
import { MAX_CHAIN, MAX_DEPTH } from "./parser.ts";

const parse = (sql: string) => parseScript(sql, { file: "r.sql" });

describe("error recovery", () => {
  it.each([
    ["SELECT a FROM\nINSERT t VALUES (1)", ["Command", "Insert"], 1],
    ["SELECT 1 +\nSELECT 2\nSELECT 3", ["Command", "SelectStatement", "SelectStatement"], 1],
    ["CREATE TABLE t (a int,, b int)\nSELECT 1", ["Command", "SelectStatement"], 1],
    ["UPDATE t SET WHERE x = 1;\nDELETE FROM t", ["Command", "Delete"], 1],
  ])("%j", (sql, kinds, line) => {
    const r = parse(sql);
    expect(r.batches[0]!.statements.map((s) => s.kind)).toEqual(kinds);
    const err = r.diagnostics.find((d) => d.severity === "error")!;
    expect(err).toMatchObject({ code: "TSQL2001", file: "r.sql" });
    expect(err.line).toBeGreaterThanOrEqual(line);
    expect(err.column).toBeGreaterThan(0);
  });

  it("an error inside a procedure keeps the procedure and the rest of its body", () => {
    const r = parse("CREATE PROC p AS\nBEGIN\n  SELECT 1\n  SELECT FROM WHERE\n  PRINT 'after'\nEND\nGO\nSELECT 2");
    const p = r.batches[0]!.statements[0]!;
    expect(p.kind).toBe("CreateProcedure");
    if (p.kind !== "CreateProcedure") return;
    const block = p.body[0]!;
    expect(block.kind).toBe("Block");
    if (block.kind !== "Block") return;
    expect(block.body.map((s) => s.kind)).toEqual(["SelectStatement", "Command", "Print"]);
    expect(block.body[1]).toMatchObject({ kind: "Command", error: true, text: "SELECT FROM WHERE" });
    expect(r.diagnostics.filter((d) => d.severity === "error")).toEqual([expect.objectContaining({ line: 4, column: 10 })]);
    expect(r.batches[1]!.statements).toHaveLength(1);
  });

  it("an error in one batch does not affect the next", () => {
    const r = parse("CREATE TABLE (\nGO\nCREATE TABLE ok (a int)");
    expect(r.batches[1]!.statements[0]!.kind).toBe("CreateTable");
  });

  it("statements outside the modelled subset are Commands with a note, text kept", () => {
    const r = parse("CREATE LOGIN bob WITH PASSWORD = 'x'\nGRANT SELECT ON dbo.t TO bob\nALTER DATABASE d\nSET RECOVERY SIMPLE\nSELECT 1");
    expect(r.batches[0]!.statements.map((s) => (s.kind === "Command" ? `${s.keyword}|${s.text}` : s.kind))).toEqual([
      "CREATE LOGIN|CREATE LOGIN bob WITH PASSWORD = 'x'",
      "GRANT|GRANT SELECT ON dbo.t TO bob",
      "ALTER DATABASE|ALTER DATABASE d\nSET RECOVERY SIMPLE",
      "SelectStatement",
    ]);
    expect(r.diagnostics.every((d) => d.severity === "note" && d.code === "TSQL2002")).toBe(true);
  });

  it.each([
    ["unterminated string", "SELECT 'abc\nGO\nSELECT 1", "TSQL1001"],
    ["unterminated comment", "SELECT 1 /* never closed\nGO\nSELECT 2", "TSQL1002"],
    ["truncated statement", "CREATE TABLE t (a int", "TSQL2001"],
    ["binary garbage", "\u0000\u0001\u0002SELECT", "TSQL1003"],
  ])("%s gives a diagnostic, not an exception", (_name, sql, code) => {
    const r = parse(sql);
    expect(r.diagnostics.map((d) => d.code)).toContain(code);
  });

  it("10,000 nested parentheses give a nesting diagnostic, not a stack overflow", () => {
    const sql = `SELECT ${"(".repeat(10_000)}1${")".repeat(10_000)}\nGO\nSELECT 2`;
    const r = parse(sql);
    expect(r.diagnostics.map((d) => d.code)).toContain("TSQL2003");
    expect(r.batches[1]!.statements[0]!.kind).toBe("SelectStatement");
  });

  it("a chain of 1,000 operators parses, a longer one is refused (the tree would be too deep to serialise)", () => {
    const chain = (n: number) => `SELECT ${Array.from({ length: n + 1 }, (_, i) => `'p${i}'`).join(" + ")}\nGO\nSELECT 2`;
    const ok = parse(chain(MAX_CHAIN));
    expect(ok.diagnostics).toEqual([]);
    expect(() => JSON.stringify(ok.batches)).not.toThrow();
    const long = parse(chain(MAX_CHAIN + 1));
    expect(long.diagnostics.map((d) => d.code)).toEqual(["TSQL2003"]);
    expect(long.batches[0]!.statements[0]).toMatchObject({ kind: "Command", error: true });
    expect(long.batches[1]!.statements[0]!.kind).toBe("SelectStatement");
  });

  it("a long UNION ALL chain (data scripts) is built balanced, in order", () => {
    const n = 5000;
    const r = parse(`INSERT INTO t (a) ${Array.from({ length: n }, (_, i) => `SELECT ${i}`).join(" UNION ALL ")}`);
    expect(r.diagnostics).toEqual([]);
    const ins = r.batches[0]!.statements[0]!;
    if (ins.kind !== "Insert" || ins.source.kind !== "Query") throw new Error("insert");
    const values: string[] = [];
    let depth = 0;
    const visit = (q: import("./ast.ts").QueryExpr, d: number) => {
      depth = Math.max(depth, d);
      if (q.kind === "SetOperation") {
        expect(q.op).toBe("UNION ALL");
        visit(q.left, d + 1);
        visit(q.right, d + 1);
      } else if (q.kind === "Select") values.push((q.columns[0] as { expr: { value: string } }).expr.value);
    };
    visit(ins.source.query, 0);
    expect(values).toEqual(Array.from({ length: n }, (_, i) => String(i)));
    expect(depth).toBeLessThan(20);
    expect(() => JSON.stringify(r.batches)).not.toThrow();
  });

  it("an ELSE IF ladder is a chain: 1,000 links parse, more are refused", () => {
    const ladder = (n: number) => `IF @x = 0 PRINT 0\n${Array.from({ length: n }, (_, i) => `ELSE IF @x = ${i + 1} PRINT ${i + 1}`).join("\n")}\nGO\nSELECT 1`;
    const ok = parse(ladder(MAX_CHAIN));
    expect(ok.diagnostics).toEqual([]);
    expect(ok.batches[0]!.statements[0]!.kind).toBe("If");
    const long = parse(ladder(MAX_CHAIN + 1));
    expect(long.diagnostics.map((d) => d.code)).toEqual(["TSQL2003"]);
    expect(long.batches[1]!.statements[0]!.kind).toBe("SelectStatement");
  });

  it("deep but legal nesting parses", () => {
    const n = Math.floor(MAX_DEPTH / 4);
    const r = parse(`SELECT ${"(".repeat(n)}1${")".repeat(n)}`);
    expect(r.diagnostics).toEqual([]);
  });

  it("deeply nested blocks and subqueries are bounded too", () => {
    const blocks = `${"IF 1 = 1 BEGIN ".repeat(5000)}SELECT 1${" END".repeat(5000)}`;
    expect(parse(blocks).diagnostics.map((d) => d.code)).toContain("TSQL2003");
    const subq = `SELECT ${"(SELECT ".repeat(3000)}1${")".repeat(3000)}`;
    expect(parse(subq).diagnostics.map((d) => d.code)).toContain("TSQL2003");
  });
});
