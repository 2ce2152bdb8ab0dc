import { describe, expect, it } from "vitest";
import { one } from "./test-support.ts";

describe("SELECT clauses", () => {
  it.each([
    ["SELECT DISTINCT TOP (10) PERCENT WITH TIES a FROM t ORDER BY a", { query: { distinct: true, top: { percent: true, withTies: true, expr: { kind: "Paren" } }, orderBy: [{}] } }],
    ["SELECT TOP 5 * FROM t", { query: { top: { expr: { value: "5" }, percent: false }, columns: [{ expr: { kind: "Star" } }] } }],
    ["SELECT t.* , u.x AS [y z], w = 1, 'lit' AS 'alias', v v2 FROM t", { query: { columns: [
      { expr: { kind: "Star", table: { name: { value: "t" } } } },
      { alias: { value: "y z", quote: "bracket" }, aliasStyle: "as" },
      { alias: { value: "w" }, aliasStyle: "equals" },
      { alias: { value: "alias" }, aliasStyle: "string" },
      { alias: { value: "v2" }, aliasStyle: "bare" },
    ] } }],
    ["SELECT @a = a, @b += b FROM t", { query: { columns: [{ kind: "SelectAssign", variable: { name: "@a" }, op: "=" }, { kind: "SelectAssign", op: "+=" }] } }],
    ["SELECT a INTO #tmp FROM t", { query: { into: { name: { value: "#tmp" } } } }],
    ["SELECT a FROM t WHERE b = 1 GROUP BY a HAVING COUNT(*) > 1", { query: { where: { kind: "Binary" }, groupBy: { items: [{ kind: "ColumnRef" }] }, having: { op: ">" } } }],
    ["SELECT a, b FROM t GROUP BY ROLLUP (a, b)", { query: { groupBy: { items: [{ kind: "GroupingSets", type: "ROLLUP", sets: [[{}], [{}]] }] } } }],
    ["SELECT a FROM t GROUP BY CUBE (a)", { query: { groupBy: { items: [{ type: "CUBE" }] } } }],
    ["SELECT a FROM t GROUP BY GROUPING SETS ((a, b), (a), ())", { query: { groupBy: { items: [{ type: "GROUPING SETS", sets: [[{}, {}], [{}], []] }] } } }],
    ["SELECT a FROM t GROUP BY a WITH ROLLUP", { query: { groupBy: { with: "ROLLUP" } } }],
    ["SELECT a FROM t ORDER BY a OFFSET 10 ROWS FETCH NEXT 5 ROWS ONLY", { query: { offset: { value: "10" }, fetch: { value: "5" } } }],
    ["SELECT a FROM t FOR XML PATH('row'), ROOT('rows'), TYPE, ELEMENTS XSINIL", { query: { for: { mode: "XML", submode: "PATH", name: "row", options: [{ name: "ROOT", value: "rows" }, { name: "TYPE" }, { name: "ELEMENTS XSINIL" }] } } }],
    ["SELECT a FROM t FOR JSON AUTO, INCLUDE_NULL_VALUES, WITHOUT_ARRAY_WRAPPER", { query: { for: { mode: "JSON", submode: "AUTO", options: [{ name: "INCLUDE_NULL_VALUES" }, { name: "WITHOUT_ARRAY_WRAPPER" }] } } }],
    ["SELECT a FROM t OPTION (RECOMPILE, MAXDOP 1, OPTIMIZE FOR (@p = 1))", { query: { option: [{ name: "RECOMPILE" }, { name: "MAXDOP", value: "1" }, { name: "OPTIMIZE FOR" }] } }],
    ["SELECT a FROM t UNION ALL SELECT b FROM u EXCEPT SELECT c FROM v ORDER BY 1", { query: { kind: "SetOperation", op: "EXCEPT", left: { kind: "SetOperation", op: "UNION ALL" }, orderBy: [{}] } }],
    ["SELECT a FROM t UNION SELECT b FROM u INTERSECT SELECT c FROM v", { query: { op: "UNION", right: { kind: "SetOperation", op: "INTERSECT" } } }],
    ["(SELECT 1) UNION (SELECT 2)", { query: { kind: "SetOperation", left: { kind: "ParenQuery" }, right: { kind: "ParenQuery" } } }],
    ["WITH c (x) AS (SELECT 1), d AS (SELECT x FROM c) SELECT * FROM d", { with: { ctes: [{ name: { value: "c" }, columns: [{ value: "x" }] }, { name: { value: "d" } }] } }],
    ["WITH r AS (SELECT 1 n UNION ALL SELECT n + 1 FROM r WHERE n < 10) SELECT n FROM r OPTION (MAXRECURSION 100)", { with: { ctes: [{ query: { kind: "SetOperation" } }] }, query: { option: [{ name: "MAXRECURSION" }] } }],
    ["SELECT SUM(x) OVER w AS s, AVG(x) OVER (w ROWS UNBOUNDED PRECEDING) FROM t WINDOW w AS (PARTITION BY g ORDER BY d)", { query: { columns: [{ alias: { value: "s" }, expr: { over: { windowName: { value: "w" } } } }, { expr: { over: { windowName: { value: "w" }, frame: { unit: "ROWS" } } } }], windows: [{ name: { value: "w" }, spec: { partitionBy: [{}], orderBy: [{}] } }] } }],
    ["WITH XMLNAMESPACES ('urn:x' AS x) SELECT 1", { with: { xmlNamespaces: [{ prefix: { value: "x" }, isDefault: false }], ctes: [] } }],
  ])("%s", (sql, want) => {
    expect(one(sql)).toMatchObject({ kind: "SelectStatement", ...want });
  });
});

describe("FROM sources", () => {
  const from = (sql: string) => {
    const s = one(sql);
    if (s.kind !== "SelectStatement" || s.query.kind !== "Select") throw new Error("select");
    return s.query.from;
  };
  it.each([
    ["SELECT * FROM a INNER JOIN b ON a.id = b.id LEFT OUTER JOIN c ON c.id = b.id", [{ kind: "Join", joinType: "LEFT", left: { kind: "Join", joinType: "INNER" }, right: { name: { name: { value: "c" } } } }]],
    ["SELECT * FROM a RIGHT JOIN b ON 1 = 1 FULL OUTER JOIN c ON 1 = 1 CROSS JOIN d", [{ joinType: "CROSS", left: { joinType: "FULL", left: { joinType: "RIGHT" } } }]],
    ["SELECT * FROM a INNER HASH JOIN b ON a.x = b.x", [{ joinType: "INNER", hint: "HASH" }]],
    ["SELECT * FROM a CROSS APPLY dbo.f(a.x) f OUTER APPLY (SELECT TOP 1 * FROM b) o", [{ joinType: "OUTER APPLY", left: { joinType: "CROSS APPLY", right: { kind: "TableFunction", alias: { value: "f" } } }, right: { kind: "DerivedTable", alias: { value: "o" } } }]],
    ["SELECT * FROM (SELECT 1 AS x) AS d (y)", [{ kind: "DerivedTable", alias: { value: "d" }, columns: [{ value: "y" }] }]],
    ["SELECT * FROM (VALUES (1, 'a'), (2, 'b')) v (n, s)", [{ kind: "ValuesTable", rows: [[{}, {}], [{}, {}]], columns: [{}, {}] }]],
    ["SELECT * FROM t WITH (NOLOCK, INDEX(ix_a))", [{ kind: "TableRef", hints: [{ name: "NOLOCK" }, { name: "INDEX", args: [{}] }] }]],
    ["SELECT * FROM t x (NOLOCK)", [{ kind: "TableRef", alias: { value: "x" }, hints: [{ name: "NOLOCK" }] }]],
    ["SELECT * FROM srv.db.dbo.t", [{ name: { server: { value: "srv" }, database: { value: "db" }, schema: { value: "dbo" }, name: { value: "t" }, partCount: 4 } }]],
    ["SELECT * FROM db..t", [{ name: { database: { value: "db" }, name: { value: "t" }, partCount: 3 } }]],
    ["SELECT * FROM @tv AS v", [{ kind: "VariableTableRef", variable: { name: "@tv" }, alias: { value: "v" } }]],
    ["SELECT * FROM #t, ##g", [{ name: { name: { value: "#t" } } }, { name: { name: { value: "##g" } } }]],
    ["SELECT * FROM t FOR SYSTEM_TIME AS OF '2020-01-01' AS h", [{ forSystemTime: { type: "AS OF" }, alias: { value: "h" } }]],
    ["SELECT * FROM t FOR SYSTEM_TIME BETWEEN @a AND @b", [{ forSystemTime: { type: "BETWEEN", args: [{}, {}] } }]],
    ["SELECT * FROM s PIVOT (SUM(v) FOR k IN ([a], [b])) AS p", [{ kind: "Pivot", aggregate: { upperName: "SUM" }, column: { name: { value: "k" } }, values: [{ value: "a" }, { value: "b" }], alias: { value: "p" } }]],
    ["SELECT * FROM s UNPIVOT (v FOR k IN (a, b)) u", [{ kind: "Unpivot", valueColumn: { value: "v" }, forColumn: { value: "k" }, columns: [{}, {}], alias: { value: "u" } }]],
    ["SELECT * FROM OPENJSON(@j) WITH (id int '$.id', doc nvarchar(max) '$.d' AS JSON) j", [{ kind: "TableFunction", call: { upperName: "OPENJSON" }, withSchema: [{ name: { value: "id" }, path: "$.id", asJson: false }, { asJson: true }], alias: { value: "j" } }]],
    ["SELECT * FROM @x.nodes('/r/i') AS n(c)", [{ kind: "TableFunction", call: { kind: "MethodCall", method: { value: "nodes" } }, alias: { value: "n" }, columns: [{ value: "c" }] }]],
    ["SELECT * FROM t CROSS APPLY t.x.nodes('/a') AS n(c)", [{ right: { kind: "TableFunction", call: { kind: "MethodCall", target: { kind: "ColumnRef", name: { value: "x" } } } } }]],
    ["SELECT * FROM (a JOIN b ON a.x = b.x)", [{ kind: "Join" }]],
    ["SELECT * FROM ((SELECT 1 AS a) x JOIN t ON 1 = 1)", [{ kind: "Join", left: { kind: "DerivedTable", alias: { value: "x" } } }]],
    ["SELECT * FROM ((SELECT 1 AS a) UNION (SELECT 2)) u", [{ kind: "DerivedTable", query: { kind: "SetOperation" }, alias: { value: "u" } }]],
    ["SELECT * FROM STRING_SPLIT(@s, ',') AS s", [{ kind: "TableFunction", call: { upperName: "STRING_SPLIT" } }]],
    ["SELECT * FROM OPENROWSET(BULK 'f.parquet', FORMAT = 'PARQUET') WITH (id int, n varchar(10) COLLATE Latin1_General_100_BIN2_UTF8 '$.n', c int 3) AS r", [{ kind: "TableFunction", call: { upperName: "OPENROWSET" }, withSchema: [{ name: { value: "id" } }, { path: "$.n" }, { path: "3" }], alias: { value: "r" } }]],
  ])("%s", (sql, want) => {
    expect(from(sql)).toMatchObject(want);
  });
});
