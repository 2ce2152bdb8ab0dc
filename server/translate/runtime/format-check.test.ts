import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { formatCultureSupported, formatPatternSupported } from "./format.ts";
import { useRuntimeDb } from "./testdb.ts";

const t = useRuntimeDb({ beforeAll, afterAll });

// Each pattern is checked in TypeScript and against tsql_format on the database: the translation-time
// verdict must be exactly "the run-time function does not refuse it" (TSQL-SEMANTICS.md §7.3).
const numberPatterns = ["N", "N0", "n3", "C", "C2", "P", "P1", "D", "D8", "F", "F4", "#,##0.00", "0.##", "000", "###-##-####", "#", "0", "Total: #,##0", "0.0%", "0‰", "0;(0)", "0,,", "#,##0,", "0.0E+0", "0e0", "X", "G", "abc", "0.0.0", "'x'0", "\\#0", "#,#-##0"];
const datePatterns = ["d", "D", "t", "T", "f", "F", "g", "G", "M", "m", "Y", "y", "s", "O", "R", "u", "U", "yyyy-MM-dd", "dd/MM/yyyy", "MMM", "%d", "HH:mm:ss.fff", "hh:mm tt", "yyyy'T'HH", "yyyy zzz", "HHH", "ffffffff", "yyyy K", "gg yyyy", "ss.FFF", "'unterminated", "\\d MMMM", "ttt"];

describe("formatPatternSupported agrees with tsql_format (TSQL-SEMANTICS.md §7.3)", () => {
  it.each(numberPatterns)("number pattern %j", async (p) => {
    const verdict = formatPatternSupported(p, "number");
    const sql = `tsql.tsql_format(12345, '${p.replace(/'/g, "''")}')`;
    if (verdict.ok) expect(await t.value(sql)).not.toBeNull();
    else await expect(t.value(sql)).rejects.toThrow(/cannot reproduce SQL Server exactly/);
  });
  it.each(datePatterns)("date pattern %j", async (p) => {
    const verdict = formatPatternSupported(p, "datetime");
    const sql = `tsql.tsql_format(timestamp '2024-08-09 13:05:07.123', '${p.replace(/'/g, "''")}')`;
    if (verdict.ok) expect(await t.value(sql)).not.toBeNull();
    else await expect(t.value(sql)).rejects.toThrow(/cannot reproduce SQL Server exactly/);
  });
  it("cultures", () => {
    expect(formatCultureSupported(undefined).ok).toBe(true);
    expect(formatCultureSupported("en-US").ok).toBe(true);
    expect(formatCultureSupported("de-DE").ok).toBe(false);
  });
});
