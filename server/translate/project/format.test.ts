// The layout of generated models: whitespace only, never a changed token.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { formatModelSql } from "./format.ts";

const squash = (s: string) => s.replace(/\s+/g, "");

describe("formatModelSql", () => {
  it("puts one clause per line, one select item per line, and indents subqueries", () => {
    const sql = "SELECT a.x AS x, count(*) AS n FROM {{ source('s', 't') }} AS a LEFT JOIN (SELECT y, z FROM {{ ref('m') }} WHERE z > 0) AS b ON b.y = a.x WHERE a.x <> 'FROM x, y' GROUP BY a.x ORDER BY 1\n";
    expect(formatModelSql(sql)).toBe(
      [
        "SELECT",
        "    a.x AS x,",
        "    count(*) AS n",
        "FROM {{ source('s', 't') }} AS a",
        "LEFT JOIN (",
        "    SELECT",
        "        y,",
        "        z",
        "    FROM {{ ref('m') }}",
        "    WHERE z > 0",
        ") AS b",
        "    ON b.y = a.x",
        "WHERE a.x <> 'FROM x, y'",
        "GROUP BY a.x",
        "ORDER BY 1",
        "",
      ].join("\n"),
    );
  });

  it.each([
    ["strings and quoted identifiers keep their spaces", `SELECT 'a  ,  b' AS "x  y" FROM t`],
    ["Jinja is copied as written", "{# a comment, FROM here #}\nSELECT {{ config(materialized='table') }} 1 AS one"],
    ["a line comment ends its line", "SELECT 1 -- one, FROM\n, 2"],
    ["DISTINCT ON stays with SELECT", "SELECT DISTINCT ON (a) a, b FROM t"],
    ["set operations", "SELECT 1 AS a UNION ALL SELECT 2 EXCEPT SELECT 3"],
    ["casts and arrays", "SELECT x::numeric(10,2), y[1], $$ a, b $$ FROM t"],
  ])("%s", (_why, sql) => {
    const out = formatModelSql(sql);
    expect(squash(out)).toBe(squash(sql));
    for (const keep of sql.match(/'[^']*'|"[^"]*"|\{[#{%][\s\S]*?[#}%]\}|\$\$[\s\S]*?\$\$|--[^\n]*/g) ?? []) expect(out).toContain(keep);
  });

  it("returns the input unchanged when it cannot be tokenised (an unterminated string)", () => {
    expect(formatModelSql("SELECT 'abc FROM t")).toBe("SELECT 'abc FROM t");
  });

  it("never changes anything but whitespace, whatever the text", () => {
    const piece = fc.constantFrom("SELECT", "FROM", "WHERE", "JOIN", "LEFT", "ON", "(", ")", ",", "a", "b.c", "'x, y'", '"q q"', "{{ ref('m') }}", "-- c\n", "::int", "1", " ", "\n", "UNION", "ALL", "DISTINCT", "WITH", "AS");
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 40 }), (parts) => {
        const sql = parts.join(" ");
        const out = formatModelSql(sql);
        expect(squash(out)).toBe(squash(sql));
      }),
      { numRuns: 500 },
    );
  });
});
