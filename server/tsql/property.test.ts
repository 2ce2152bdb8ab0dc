import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseScript } from "./index.ts";
import { printStatement } from "./print.ts";
import { expectLocated } from "./test-support.ts";

// Pieces of T-SQL that stress the lexer and the parser when shuffled together.
const fragments = [
  "SELECT", "FROM", "WHERE", "(", ")", ",", ";", "'", "''", "N'x'", "[", "]", '"', "/*", "*/", "--", "\n", "GO\n", "\nGO 2\n",
  "BEGIN", "END", "CASE", "WHEN", "THEN", "ELSE", "IF", "WHILE", "CREATE", "TABLE", "PROCEDURE", "AS", "@v", "@@x", "#t",
  "0x1F", "$1.5", "1e5", "=", "+=", "::", ".", "*", "INSERT", "INTO", "VALUES", "MERGE", "USING", "ON", "WITH", "EXEC",
  ":setvar a 1\n", "$(a)", ":r x.sql\n", "TRY", "CATCH", "OUTPUT", "JOIN", "APPLY", "OVER", "PARTITION", "BY", "x", "t.c",
];

describe("property: any input gives a result, never an exception", () => {
  it("arbitrary unicode strings", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary", maxLength: 400 }), (s) => {
        const r = parseScript(s, { file: "p.sql" });
        expect(Array.isArray(r.batches)).toBe(true);
        for (const d of r.diagnostics) expect(d.line).toBeGreaterThanOrEqual(1);
      }),
      { numRuns: 400 },
    );
  });

  it("shuffled T-SQL fragments", () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...fragments), { maxLength: 80 }), fc.array(fc.constantFrom(" ", "", "\n")), (parts, seps) => {
        const s = parts.map((p, i) => p + (seps[i % Math.max(1, seps.length)] ?? " ")).join("");
        const t0 = performance.now();
        const r = parseScript(s, { file: "p.sql", vars: { a: "1" } });
        expectLocated(r);
        // A bound generous enough for a loaded CI machine: it catches runaway backtracking, not slowness.
        expect(performance.now() - t0).toBeLessThan(2000);
        // Every statement's offsets lie within its batch text.
        for (const b of r.batches) {
          for (const st of b.statements) {
            expect(st.loc.offset!).toBeGreaterThanOrEqual(0);
            expect(st.loc.end!).toBeLessThanOrEqual(b.text.length);
          }
        }
      }),
      { numRuns: 500 },
    );
  });

  it("statement text round-trips: the slices of the statements cover the non-blank batch text", () => {
    const stmt = fc.constantFrom("SELECT a FROM t", "INSERT t VALUES (1)", "UPDATE t SET a = 1", "DELETE FROM t", "EXEC p 1", "PRINT 'x'", "DECLARE @a int", "SET @a = 2", "BEGIN SELECT 1 END");
    fc.assert(
      fc.property(fc.array(stmt, { minLength: 1, maxLength: 20 }), fc.constantFrom("\n", ";\n", " ", ";"), (stmts, sep) => {
        const text = stmts.join(sep);
        const r = parseScript(text, { file: "p.sql" });
        expect(r.diagnostics).toEqual([]);
        const b = r.batches[0]!;
        expect(b.statements.map((s) => b.text.slice(s.loc.offset, s.loc.end))).toEqual(stmts);
      }),
      { numRuns: 200 },
    );
  });

  it("whatever parses prints back to text that parses to the same tree", () => {
    const canonical = (x: unknown) =>
      JSON.stringify(x, function (this: Record<string, unknown>, k: string, v: unknown) {
        if (["loc", "comments", "trailingComments", "keyword", "text"].includes(k)) return undefined;
        if (k === "typeName" && this.kind === "DataType" && this.userDefined === false) return undefined;
        if (v && typeof v === "object" && !Array.isArray(v)) {
          const o: Record<string, unknown> = {};
          for (const key of Object.keys(v).sort()) o[key] = (v as Record<string, unknown>)[key];
          return o;
        }
        return v;
      });
    const words = [...fragments, "UPDATE", "DELETE", "TOP", "NOT", "NULL", "IS", "IN", "LIKE", "BETWEEN", "AND", "OR", "CAST", "PIVOT", "FOR", "XML", "CURSOR", "FETCH", "NEXT", "OPEN", "DECLARE", "SET", "int", "varchar(10)", "1", "DEFAULT", "IDENTITY(1,1)", "lbl:", "GOTO"];
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...words), { maxLength: 60 }), (parts) => {
        const r = parseScript(parts.join(" "), { file: "p.sql" });
        for (const b of r.batches) {
          for (const st of b.statements) {
            if (st.kind === "Command") continue;
            const again = parseScript(printStatement(st), { file: "q.sql" }).batches[0]?.statements ?? [];
            expect(again).toHaveLength(1);
            expect(canonical(again[0])).toBe(canonical(st));
          }
        }
      }),
      { numRuns: 1000 },
    );
  });
});
