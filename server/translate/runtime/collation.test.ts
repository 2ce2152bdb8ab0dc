import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { installSql } from "./registry.ts";
import { useRuntimeDb } from "./testdb.ts";

const t = useRuntimeDb({ beforeAll, afterAll });
type Row = [string, string, string | null, string];

const eq = (a: string, b: string) => `tsql.tsql_ci_key(${a}) = tsql.tsql_ci_key(${b})`;
const rows: Row[] = [
  ["'abc' = 'ABC'", eq("'abc'", "'ABC'"), "true", "§2.1 CI_AS (case-insensitive)"],
  ["'abc' = 'abc   '", eq("'abc'", "'abc   '"), "true", "§2.1 trailing spaces ignored in ="],
  ["'abc' = '  abc'", eq("'abc'", "'  abc'"), "false", "§2.1 (leading spaces count)"],
  ["'abc' = 'abc' + CHAR(9)", eq("'abc'", "'abc' || chr(9)"), "false", "§2.1 (only U+0020 is padding)"],
  ["'resume' = 'résumé'", eq("'resume'", "'résumé'"), "false", "§2.1 CI_AS (accent-sensitive)"],
  ["'RÉSUMÉ' = 'résumé'", eq("'RÉSUMÉ'", "'résumé'"), "true", "§2.1 CI_AS (case folding of accented letters)"],
  ["NULL = 'a'", eq("NULL", "'a'"), null, "§2.1 (NULL comparison unknown)"],
  ["'a' < 'B' (ORDER BY collation)", "tsql.tsql_ci_sort_key('a') < tsql.tsql_ci_sort_key('B')", "true", "§2.1 Ordering (CI; C order would say false)"],
  ["'e' < 'é' < 'f'", "tsql.tsql_ci_sort_key('e') < tsql.tsql_ci_sort_key('é') AND tsql.tsql_ci_sort_key('é') < tsql.tsql_ci_sort_key('f')", "true", "§2.1 Ordering (accents secondary)"],
  ["'Abc' and 'abc ' tie", "tsql.tsql_ci_sort_key('Abc') = tsql.tsql_ci_sort_key('abc ')", "true", "§2.1 Ordering (collation-equal values tie)"],
  ["'é' ≠ 'e' as sort keys", "tsql.tsql_ci_sort_key('é') = tsql.tsql_ci_sort_key('e')", "false", "§2.1 (accent-sensitive)"],
  ["'Zebra' > 'apple'", "tsql.tsql_ci_sort_key('Zebra') > tsql.tsql_ci_sort_key('apple')", "true", "§2.1 Ordering"],
  ["CAST('6F9619FF-8B86-D011-B42D-00C04FC964FF' AS uniqueidentifier)", "tsql.tsql_cast_uuid('6F9619FF-8B86-D011-B42D-00C04FC964FF')", "6f9619ff-8b86-d011-b42d-00c04fc964ff", "§5.1 uniqueidentifier"],
  ["CAST('0E984725-C51C-4BF4-9960-E1C80E27ABA0wrong' AS uniqueidentifier) extra characters ignored", "tsql.tsql_cast_uuid('0E984725-C51C-4BF4-9960-E1C80E27ABA0wrong')", "0e984725-c51c-4bf4-9960-e1c80e27aba0", "§5.1 uniqueidentifier ⚠ (uniqueidentifier page example: truncated at 36 characters)"],
  ["CAST('{6F9619FF-8B86-D011-B42D-00C04FC964FF}' AS uniqueidentifier)", "tsql.tsql_cast_uuid('{6F9619FF-8B86-D011-B42D-00C04FC964FF}')", "6f9619ff-8b86-d011-b42d-00c04fc964ff", "§5.1 uniqueidentifier (braces)"],
  ["TRY_CAST('6F9619FF8B86D011B42D00C04FC964FF' AS uniqueidentifier)", "tsql.tsql_try_cast_uuid('6F9619FF8B86D011B42D00C04FC964FF')", null, "§5.1 (Postgres would accept the hyphenless form)"],
  ["TRY_CAST('xyz' AS uniqueidentifier)", "tsql.tsql_try_cast_uuid('xyz')", null, "§4.4 TRY_CAST"],
  ["NEWID() text form is upper-case", "tsql.tsql_uuid_to_varchar('6f9619ff-8b86-d011-b42d-00c04fc964ff')", "6F9619FF-8B86-D011-B42D-00C04FC964FF", "§10 NEWID, §5.1 uniqueidentifier"],
];

describe("collation CI_AS and uniqueidentifier (TSQL-SEMANTICS.md §2, §5.1, §10)", () => {
  it.each(rows)("%s → %s = %s (%s)", async (_tsql, pg, expected) => {
    expect(await t.value(pg)).toBe(expected);
  });

  it("CAST('xyz' AS uniqueidentifier) raises (§5.2)", async () => {
    await expect(t.value("tsql.tsql_cast_uuid('xyz')")).rejects.toThrow(/uniqueidentifier/);
  });

  it("GROUP BY / DISTINCT on tsql_ci_key collapse case and trailing-space variants (§2.3)", async () => {
    const rs = await t.rows(
      "SELECT tsql.tsql_ci_key(x) AS k, count(*)::int AS n FROM (VALUES ('abc'), ('ABC'), ('abc  '), ('abd'), ('ábc')) v(x) GROUP BY 1 ORDER BY tsql.tsql_ci_sort_key(min(x))",
    );
    expect(rs).toEqual([
      { k: "abc", n: 3 },
      { k: "ábc", n: 1 },
      { k: "abd", n: 1 },
    ]);
  });

  it("ORDER BY tsql_ci_sort_key NULLS FIRST sorts like CI_AS (§2.3 ORDER BY, §8 NULL ordering)", async () => {
    const rs = await t.rows(
      "SELECT x FROM (VALUES ('b'), (NULL), ('A'), ('é'), ('e'), ('f'), ('C')) v(x) ORDER BY tsql.tsql_ci_sort_key(x) NULLS FIRST",
    );
    expect(rs.map((r) => r.x)).toEqual([null, "A", "b", "C", "e", "é", "f"]);
  });

  it("the sort key is independent of the database collation (C-collated input) (§2.2)", async () => {
    expect(await t.value(`tsql.tsql_ci_sort_key('a' COLLATE "C") < tsql.tsql_ci_sort_key('B' COLLATE "C")`)).toBe("true");
  });

  it("NEWID() gives a new version-4 uuid per row (§10 NEWID)", async () => {
    const rs = await t.rows("SELECT count(DISTINCT u)::int AS n, bool_and(substr(u::text, 15, 1) = '4') AS v4 FROM (SELECT tsql.tsql_newid() AS u FROM generate_series(1, 50)) s");
    expect(rs[0]).toEqual({ n: 50, v4: true });
  });

  it("uniqueidentifier ORDER BY compares the last 6 bytes first (§5.1, SqlGuid order)", async () => {
    const rs = await t.rows(
      `SELECT u::text AS u FROM (VALUES
        ('00000000-0000-0000-0000-000000000002'::uuid),
        ('ff000000-0000-0000-0000-000000000001'::uuid),
        ('00000000-0000-0000-0100-000000000001'::uuid),
        ('00000000-0000-0001-0000-000000000001'::uuid),
        ('00000000-0001-0000-0000-000000000001'::uuid),
        ('00000001-0000-0000-0000-000000000001'::uuid)) v(u)
       ORDER BY tsql.tsql_uuid_sort_key(u)`,
    );
    // group 1 is compared on its storage bytes (little-endian): ff000000 is stored 00 00 00 ff and
    // sorts before 00000001 (stored 01 00 00 00)
    expect(rs.map((r) => r.u)).toEqual([
      "ff000000-0000-0000-0000-000000000001",
      "00000001-0000-0000-0000-000000000001",
      "00000000-0001-0000-0000-000000000001",
      "00000000-0000-0001-0000-000000000001",
      "00000000-0000-0000-0100-000000000001",
      "00000000-0000-0000-0000-000000000002",
    ]);
  });

  it("ICU nondeterministic collation: works on a server with ICU, refused where ICU is stubbed (PGlite) (§2.2)", async () => {
    const db = t.db();
    const sql = installSql(["tsql_ci_as_collation"], { schema: db.schema, createSchema: false });
    if (db.backend === "postgres") {
      await db.exec(sql);
      expect(await t.value(`'abc' = 'ABC' COLLATE tsql.ci_as`)).toBe("true");
      expect(await t.value(`'abc' = 'abc ' COLLATE tsql.ci_as`)).toBe("false");
      expect(await t.value(`rtrim('abc ', ' ') = 'ABC' COLLATE tsql.ci_as`)).toBe("true");
      expect(await t.value(`'a' = 'á' COLLATE tsql.ci_as`)).toBe("false");
      await expect(t.value(`'abc' LIKE 'a%' COLLATE tsql.ci_as`)).rejects.toThrow(/nondeterministic/);
      await db.exec(sql); // idempotent
    } else {
      await expect(db.exec(sql)).rejects.toThrow(/not case-insensitive here/);
    }
  });
});
