import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseScript } from "./index.ts";
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
});
