import { describe, expect, it } from "vitest";
import { expr, shape } from "./test-support.ts";

describe("precedence", () => {
  it.each([
    ["1 + 2 * 3", "(1 + (2 * 3))"],
    ["(1 + 2) * 3", "([(1 + 2)] * 3)"],
    ["a - b - c", "((a - b) - c)"],
    ["-a * b", "((- a) * b)"],
    ["~a & b | c", "(((~ a) & b) | c)"],
    ["a + b % c", "(a + (b % c))"],
    ["a || b + c", "((a || b) + c)"],
    ["x = 1 OR y = 2 AND z = 3", "((x = 1) OR ((y = 2) AND (z = 3)))"],
    ["NOT a = 1 AND b = 2", "((NOT (a = 1)) AND (b = 2))"],
    ["a BETWEEN 1 AND 2 AND b = 1", "((a BETWEEN 1 AND 2) AND (b = 1))"],
    ["a NOT BETWEEN b + 1 AND c", "(a NOT BETWEEN (b + 1) AND c)"],
    ["a NOT LIKE 'x!%%' ESCAPE '!'", "(a NOT LIKE 'x!%%' ESCAPE '!')"],
    ["a IN (1, 2) OR a IS NOT NULL", "((a IN 1, 2) OR (a IS NOT NULL))"],
    ["a NOT IN (1)", "(a NOT IN 1)"],
    ["a > = 1", "(a >= 1)"],
    ["a !< 1", "(a !< 1)"],
    ["a + b COLLATE Latin1_General_BIN", "(a + (b COLLATE Latin1_General_BIN))"],
    ["t.c + @v - @@ROWCOUNT", "((t.c + @v) - @@ROWCOUNT)"],
  ])("%s", (sql, want) => {
    const e = expr(`CASE WHEN ${sql} THEN 1 END`);
    if (e.kind !== "Case") throw new Error("case");
    expect(shape(e.whens[0]!.when)).toBe(want);
  });
});

describe("expression forms", () => {
  it.each([
    ["CASE x WHEN 1 THEN 'a' WHEN 2 THEN 'b' ELSE 'c' END", { kind: "Case", operand: { kind: "ColumnRef" }, whens: [{}, {}], else: { kind: "Literal" } }],
    ["IIF(a > 1, 'y', 'n')", { kind: "Iif", condition: { kind: "Binary", op: ">" }, then: { value: "y" }, else: { value: "n" } }],
    ["CAST(x AS decimal(18, 2))", { kind: "Cast", fn: "CAST", type: { name: "DECIMAL", args: [18, 2] } }],
    ["TRY_CAST('1' AS int)", { kind: "Cast", fn: "TRY_CAST", type: { name: "INT" } }],
    ["CONVERT(varchar(10), d, 120)", { kind: "Cast", fn: "CONVERT", type: { name: "VARCHAR", args: [10] }, style: { value: "120" } }],
    ["TRY_CONVERT(nvarchar(max), x)", { kind: "Cast", fn: "TRY_CONVERT", type: { name: "NVARCHAR", args: ["max"] } }],
    ["PARSE('1/2/2020' AS date USING 'en-US')", { kind: "Cast", fn: "PARSE", culture: { value: "en-US" } }],
    ["TRY_PARSE(s AS money)", { kind: "Cast", fn: "TRY_PARSE", type: { name: "MONEY" } }],
    ["(SELECT MAX(id) FROM t)", { kind: "Subquery", query: { kind: "Select" } }],
    ["NEXT VALUE FOR dbo.seq", { kind: "NextValueFor", sequence: { schema: { value: "dbo" }, name: { value: "seq" } } }],
    ["x.value('(/a/@b)[1]', 'int')", { kind: "MethodCall", method: { value: "value" }, target: { kind: "ColumnRef", name: { value: "x" } } }],
    ["t.doc.query('/r')", { kind: "MethodCall", method: { value: "query" }, target: { kind: "ColumnRef", table: { name: { value: "t" } }, name: { value: "doc" } } }],
    ["@x.exist('/a')", { kind: "MethodCall", target: { kind: "Variable", name: "@x" } }],
    ["geography::Point(1, 2, 4326)", { kind: "StaticMethodCall", type: { name: { value: "geography" } }, method: { value: "Point" }, args: [{}, {}, {}] }],
    ["hierarchyid::GetRoot()", { kind: "StaticMethodCall", parens: true }],
    ["$action", { kind: "PseudoColumn", name: "$ACTION" }],
    ["inserted.Name", { kind: "ColumnRef", table: { name: { value: "inserted" } } }],
    ["C.$node_id", { kind: "ColumnRef", table: { name: { value: "C" } }, name: { value: "$node_id" } }],
    ["COUNT(*)", { kind: "FunctionCall", upperName: "COUNT", args: [{ kind: "Star" }] }],
    ["COUNT(DISTINCT a)", { kind: "FunctionCall", distinct: true }],
    ["CURRENT_TIMESTAMP", { kind: "FunctionCall", upperName: "CURRENT_TIMESTAMP", parens: false }],
    ["dbo.fn(1, 'a')", { kind: "FunctionCall", name: { schema: { value: "dbo" } }, upperName: "FN" }],
    ["[db].[dbo].[fn]()", { kind: "FunctionCall", name: { database: { value: "db" }, schema: { value: "dbo" } } }],
    ["ROW_NUMBER() OVER (PARTITION BY a, b ORDER BY c DESC)", { kind: "FunctionCall", over: { partitionBy: [{}, {}], orderBy: [{ direction: "DESC" }] } }],
    ["SUM(x) OVER (ORDER BY d ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)", { over: { frame: { unit: "ROWS", start: { type: "UNBOUNDED PRECEDING" }, end: { type: "CURRENT ROW" } } } }],
    ["AVG(x) OVER (ORDER BY d RANGE BETWEEN 3 PRECEDING AND 1 FOLLOWING)", { over: { frame: { unit: "RANGE", start: { type: "PRECEDING" }, end: { type: "FOLLOWING" } } } }],
    ["STRING_AGG(name, ',') WITHIN GROUP (ORDER BY name)", { kind: "FunctionCall", withinGroup: [{}] }],
    ["SUM(x) OVER w", { kind: "FunctionCall", over: { windowName: { value: "w" }, partitionBy: [] } }],
    ["TRIM('x' FROM s)", { kind: "FunctionCall", trimFrom: true, args: [{}, {}] }],
    ["d AT TIME ZONE 'UTC'", { kind: "AtTimeZone", zone: { value: "UTC" } }],
    ["N'abc' COLLATE Latin1_General_CI_AS", { kind: "Collate", collation: "Latin1_General_CI_AS", expr: { literalType: "nstring" } }],
    ["EXISTS (SELECT 1 FROM t)", { kind: "Exists" }],
    ["IIF(a = ANY (SELECT b FROM t), 1, 0)", { kind: "Iif", condition: { kind: "Binary", right: { kind: "Quantified", quantifier: "ANY" } } }],
    ["x IN (SELECT y FROM t)", { kind: "InSubquery", not: false }],
    ["0x00FF", { kind: "Literal", literalType: "binary", value: "0x00FF" }],
    ["$5.25", { kind: "Literal", literalType: "money" }],
    ["1.5E3", { kind: "Literal", literalType: "float" }],
    ["NULL", { kind: "Literal", literalType: "null" }],
    ["{fn UCASE('a')}", { kind: "FunctionCall", upperName: "UCASE" }],
    ["LEFT(s, 3) + RIGHT(s, 2)", { kind: "Binary", left: { upperName: "LEFT" }, right: { upperName: "RIGHT" } }],
    ["COALESCE(a, NULLIF(b, 0))", { upperName: "COALESCE", args: [{}, { upperName: "NULLIF" }] }],
  ])("%s", (sql, want) => {
    expect(expr(sql)).toMatchObject(want);
  });
});
