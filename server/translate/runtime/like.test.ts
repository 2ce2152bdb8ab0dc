import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { tsqlLikeToPostgres, type LikeOptions } from "./like.ts";
import { useRuntimeDb } from "./testdb.ts";

// [T-SQL pattern, ESCAPE, options, Postgres operator, Postgres pattern] — TSQL-SEMANTICS.md §3 LIKE, §2.1
const translations: [string, string | null, LikeOptions, string, string][] = [
  ["abc%", null, {}, "ILIKE", "abc%"],
  ["abc%", null, { ci: false }, "LIKE", "abc%"],
  ["a_c", null, { unicode: true }, "ILIKE", "a_c"],
  ["a_c", null, {}, "~*", "^(?:a.c) *$"],
  ["%[a-c]%", null, {}, "~*", "^(?:.*[a-c].*)$".replace(")$", ") *$")],
  ["[^0-9]%", null, { ci: false }, "~", "^(?:[^0-9].*) *$"],
  ["50!%%", "!", {}, "ILIKE", "50\\%%"],
  ["a\\b%", null, {}, "ILIKE", "a\\\\b%"],
  ["a.b%", null, {}, "ILIKE", "a.b%"],
  ["a.b", null, {}, "~*", "^(?:a\\.b) *$"],
  ["[%]%", null, {}, "~*", "^(?:[%].*) *$"],
  ["[-a]%", null, {}, "~*", "^(?:[\\-a].*) *$"],
  ["x_y", "_", { unicode: true }, "ILIKE", "xy"],
  ["x__y%", "_", { unicode: true }, "ILIKE", "x\\_y%"],
];

describe("tsqlLikeToPostgres (TSQL-SEMANTICS.md §3 LIKE)", () => {
  it.each(translations)("%j ESCAPE %j %j → %s %j", (pattern, escape, options, operator, pgPattern) => {
    expect(tsqlLikeToPostgres(pattern, escape, options)).toEqual({ ok: true, operator, pattern: pgPattern });
  });
  it.each([
    ["[abc", null],
    ["a[]", null],
    ["ab!", "!"],
    ["ab", "!!"],
  ])("refuses %j ESCAPE %j with a reason", (pattern, escape) => {
    const r = tsqlLikeToPostgres(pattern, escape);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason.length).toBeGreaterThan(10);
  });
});

const t = useRuntimeDb({ beforeAll, afterAll });

// [subject, T-SQL pattern, ESCAPE, options, SQL Server result] — each is checked three ways: the
// TypeScript translation, the run-time tsql_like(), and the value SQL Server documents.
const cases: [string, string, string | null, LikeOptions, boolean][] = [
  ["abc   ", "abc", null, {}, true],
  ["abc   ", "abc", null, { unicode: true }, false],
  ["abc", "abc ", null, {}, false],
  ["abc  ", "abc ", null, {}, true],
  ["ABC", "a%", null, {}, true],
  ["ABC", "a%", null, { ci: false }, false],
  ["b", "[a-c]", null, {}, true],
  ["B", "[a-c]", null, {}, true],
  ["d", "[a-c]", null, {}, false],
  ["d", "[^a-c]", null, {}, true],
  ["10%", "10!%", "!", {}, true],
  ["100", "10!%", "!", {}, false],
  ["a\\b", "a\\b", null, {}, true],
  ["axb", "a.b", null, {}, false],
  ["a.b", "a.b", null, {}, true],
  ["x\ny", "x%y", null, {}, true],
  ["", "", null, {}, true],
  ["  ", "", null, {}, true],
  ["  ", "", null, { unicode: true }, false],
  ["50% off", "%[%]%", null, {}, true],
  ["50 off", "%[%]%", null, {}, false],
  ["ab", "a_", null, {}, true],
  ["a", "a_", null, {}, false],
  ["-", "[-a]", null, {}, true],
];

describe("LIKE: translation, tsql_like and SQL Server agree (TSQL-SEMANTICS.md §3 LIKE, §2.1 trailing blanks)", () => {
  it.each(cases)("%j LIKE %j ESCAPE %j %j = %s", async (subject, pattern, escape, options, expected) => {
    const tr = tsqlLikeToPostgres(pattern, escape, options);
    if (!tr.ok) throw new Error(tr.reason);
    const lit = (s: string) => `'${s.replace(/'/g, "''")}'`;
    expect(await t.value(`${lit(subject)} ${tr.operator} ${lit(tr.pattern)}`)).toBe(String(expected));
    const esc = escape === null ? "NULL" : lit(escape);
    expect(await t.value(`tsql.tsql_like(${lit(subject)}, ${lit(pattern)}, ${esc}, ${options.ci ?? true}, ${options.unicode ?? false})`)).toBe(
      String(expected),
    );
  });
});
