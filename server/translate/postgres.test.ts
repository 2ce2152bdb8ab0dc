// Table tests in the sqlglot manner: one line states one contract (T-SQL in → Postgres out), plus
// the refusals: constructs that cannot be translated exactly must carry an error diagnostic.
import { describe, expect, it } from "vitest";
import { parseScript } from "../tsql/index.ts";
import { mapColumnType, translateScript, translateStatement } from "./index.ts";
import { runTranslate, parseTranslateArgs } from "../commands/translate.ts";

const SCHEMA = `CREATE TABLE dbo.T (id int NOT NULL, name varchar(20) NULL, nname nvarchar(30) NULL, cs varchar(10) COLLATE Latin1_General_CS_AS NULL, flag bit NULL, amt decimal(10,2) NULL, m money NULL, d datetime NULL, dt date NULL, g uniqueidentifier NULL, code char(4) NULL, tiny tinyint NULL, x xml NULL);\n`;

function last(tsql: string) {
  const t = translateScript(SCHEMA + tsql, { file: "t.sql" });
  return t.statements[t.statements.length - 1]!;
}

describe.each([
  ["SELECT id FROM T WHERE name = 'Abc '", "SELECT t.id FROM dbo.t AS t WHERE (lower(rtrim(t.name, ' ')) = 'abc')"],
  ["SELECT id FROM T WHERE cs = 'Abc '", "SELECT t.id FROM dbo.t AS t WHERE (rtrim(t.cs, ' ') = 'Abc')"],
  ["SELECT id FROM T WHERE name IN ('a', 'B')", "SELECT t.id FROM dbo.t AS t WHERE (lower(rtrim(t.name, ' ')) IN ('a', 'b'))"],
  ["SELECT name FROM T ORDER BY name DESC", "SELECT t.name FROM dbo.t AS t ORDER BY lower(t.name) DESC NULLS LAST"],
  ["SELECT id FROM T ORDER BY amt", "SELECT t.id FROM dbo.t AS t ORDER BY t.amt NULLS FIRST"],
  ["SELECT name, COUNT(*) AS c FROM T GROUP BY name", "SELECT min(t.name) AS name, (count(*))::integer AS c FROM dbo.t AS t GROUP BY lower(rtrim(t.name, ' '))"],
  ["SELECT DISTINCT name FROM T", "SELECT DISTINCT ON (lower(rtrim(t.name, ' '))) t.name FROM dbo.t AS t"],
  ["SELECT name + '!' AS s FROM T", "SELECT t.name || '!' AS s FROM dbo.t AS t"],
  ["SELECT id + '1' AS s FROM T", "SELECT t.id + 1 AS s FROM dbo.t AS t"],
  ["SELECT code + 'x' AS s FROM T", "SELECT rpad(t.code, 4) || 'x' AS s FROM dbo.t AS t"],
  ["SELECT id / 2 AS a, amt / 3 AS b FROM T", "SELECT t.id / 2 AS a, (t.amt::numeric / 3)::numeric(14,6) AS b FROM dbo.t AS t"],
  ["SELECT AVG(id) AS a, SUM(id) AS s, AVG(amt) AS b FROM T", "SELECT ((sum(t.id))::integer / (count(t.id)))::integer AS a, (sum(t.id))::integer AS s, round(avg(t.amt), 6)::numeric(38,6) AS b FROM dbo.t AS t"],
  ["SELECT ISNULL(name, 'n/a') AS a FROM T", "SELECT coalesce(t.name, 'n/a'::varchar(20)) AS a FROM dbo.t AS t"],
  ["SELECT id FROM T WHERE flag = 1", "SELECT t.id FROM dbo.t AS t WHERE (t.flag = true)"],
  ["SELECT id FROM T WHERE flag = 0", "SELECT t.id FROM dbo.t AS t WHERE (t.flag = false)"],
  ["SELECT CAST(amt AS int) AS a, CAST(m AS int) AS b FROM T", "SELECT trunc(t.amt)::integer AS a, round(t.m)::integer AS b FROM dbo.t AS t"],
  ["SELECT TRY_CAST(name AS int) AS a FROM T", "SELECT tsql.tsql_try_cast_int(t.name) AS a FROM dbo.t AS t"],
  ["SELECT DATEDIFF(day, d, dt) AS a FROM T", "SELECT tsql.tsql_datediff('day', t.d::timestamp, t.dt::timestamp) AS a FROM dbo.t AS t"],
  ["SELECT DATEADD(month, 1, dt) AS a FROM T", "SELECT tsql.tsql_dateadd('month', 1, t.dt::date) AS a FROM dbo.t AS t"],
  ["SELECT d + 1 AS a FROM T", "SELECT tsql.tsql_datetime_add(t.d, 1) AS a FROM dbo.t AS t"],
  ["SELECT TOP 10 id FROM T ORDER BY id", "SELECT t.id FROM dbo.t AS t ORDER BY t.id NULLS FIRST LIMIT 10"],
  ["SELECT TOP 1 WITH TIES id FROM T ORDER BY id", "SELECT t.id FROM dbo.t AS t ORDER BY t.id NULLS FIRST FETCH FIRST 1 ROWS WITH TIES"],
  ["SELECT id FROM T ORDER BY id OFFSET 5 ROWS FETCH NEXT 10 ROWS ONLY", "SELECT t.id FROM dbo.t AS t ORDER BY t.id NULLS FIRST OFFSET 5 ROWS FETCH NEXT 10 ROWS ONLY"],
  ["SELECT a.id FROM T a CROSS APPLY (SELECT TOP 1 b.id FROM T b WHERE b.id > a.id) x", "SELECT a.id FROM dbo.t AS a CROSS JOIN LATERAL (SELECT b.id FROM dbo.t AS b WHERE (b.id > a.id) LIMIT 1) AS x"],
  ["SELECT a.id FROM T a OUTER APPLY (SELECT b.id FROM T b WHERE b.id > a.id) x", "SELECT a.id FROM dbo.t AS a LEFT JOIN LATERAL (SELECT b.id FROM dbo.t AS b WHERE (b.id > a.id)) AS x ON true"],
  ["WITH r AS (SELECT 1 AS n UNION ALL SELECT n + 1 FROM r WHERE n < 5) SELECT n FROM r", "WITH RECURSIVE r_dm_rec AS (SELECT dm_a1.c1::integer AS n, 0 AS dm_depth FROM (SELECT 1 AS n) AS dm_a1(c1) UNION ALL SELECT dm_a2.c1::integer AS n, CASE WHEN dm_a2.c2 + 1 > 100 THEN tsql.tsql_raise('The statement terminated. The maximum recursion 100 has been exhausted before statement completion.', NULL::integer, (dm_a2.c2 + 1)::text) ELSE dm_a2.c2 + 1 END AS dm_depth FROM (SELECT r.n + 1, r.dm_depth FROM r_dm_rec AS r WHERE (r.n < 5)) AS dm_a2(c1, c2)), r AS (SELECT n FROM r_dm_rec) SELECT r.n FROM r"],
  ["SELECT id FROM T GROUP BY id WITH ROLLUP", "SELECT t.id FROM dbo.t AS t GROUP BY ROLLUP(t.id)"],
  ["SELECT total = id * 2 FROM T", "SELECT t.id * 2 AS total FROM dbo.t AS t"],
  ["SELECT LEN(name) AS a, LEFT(name, 2) AS b, CHARINDEX('a', name) AS c FROM T", "SELECT tsql.tsql_len(t.name) AS a, tsql.tsql_left(t.name, 2::bigint) AS b, tsql.tsql_charindex('a', t.name, 1, true) AS c FROM dbo.t AS t"],
  ["SELECT id FROM T WHERE name LIKE 'a[b-d]%'", "SELECT t.id FROM dbo.t AS t WHERE tsql.tsql_like(t.name, 'a[b-d]%', NULL, true, false)"],
  ["SELECT STRING_AGG(name, ',') WITHIN GROUP (ORDER BY name) AS s FROM T", "SELECT string_agg(t.name, ',' ORDER BY lower(t.name) NULLS FIRST) AS s FROM dbo.t AS t"],
  ["SELECT NEWID() AS a", "SELECT gen_random_uuid() AS a"],
  ["SELECT NEXT VALUE FOR dbo.s AS a", "SELECT nextval('dbo.s') AS a"],
  ["SELECT id FROM T WITH (NOLOCK) OPTION (MAXDOP 1)", "SELECT t.id FROM dbo.t AS t"],
  ["SELECT id FROM T WHERE id % 2 = 0 AND id ^ 1 > 0", "SELECT t.id FROM dbo.t AS t WHERE (((t.id % 2) = 0) AND ((t.id # 1) > 0))"],
  ["SELECT CONVERT(varchar(10), d, 103) AS a FROM T", "SELECT left(tsql.tsql_convert_dt(t.d::timestamp, 103, 3), 10) AS a FROM dbo.t AS t"],
  ["SELECT COALESCE(id, amt) AS a FROM T", "SELECT coalesce(t.id::numeric(12,2), t.amt::numeric(12,2)) AS a FROM dbo.t AS t"],
])("%s", (tsql, pg) => {
  it("translates to the Postgres text", () => {
    const s = last(tsql);
    expect(s.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
    expect(s.sql).toBe(pg);
  });
});

describe.each([
  ["SELECT CHECKSUM(name) FROM T", "TR1008"],
  ["SELECT foo(id) FROM T", "TR1001"],
  ["SELECT a + b FROM Missing", "TR1002"],
  ["SELECT a FROM Missing WHERE a = 'x'", "TR1002"],
  ["INSERT INTO T (id) EXEC dbo.p", "TR1009"],
  ["DECLARE @x int = 1", "TR1010"],
  ["SELECT x.value('for $a in /a return $a', 'int') FROM T", "TR1003"],
  ["SELECT x.value('(/a[@b=1])[1]', 'int') FROM T", "TR1003"],
  ["SELECT x.query('/a') FROM T", "TR1003"],
  ["SELECT name FROM T FOR XML PATH('row')", "TR1018"],
  ["SELECT name FROM T FOR JSON PATH", "TR1018"],
  ["SET ANSI_NULLS OFF", "TR1007"],
  ["SELECT CONVERT(datetime, '31/12/2024') FROM T", "TR1013"],
  ["SELECT name FROM T WHERE name = cs", "TR1005"],
  ["UPDATE T SET name = 'x' OUTPUT deleted.name WHERE id = 1", "TR1012"],
  ["MERGE T AS t USING T AS s ON t.id = s.id WHEN MATCHED THEN UPDATE SET name = s.name OUTPUT $action;", "TR1011"],
  ["SELECT * FROM OPENQUERY(srv, 'select 1')", "TR1017"],
  ["SELECT id FROM otherdb.dbo.T", "TR1017"],
  ["SELECT FORMAT(amt, 'C', 'de-DE') FROM T", "TR1014"],
  ["SELECT DATEADD(microsecond, 1, d) FROM T", "TR1021"],
  ["SELECT CAST(1 AS sql_variant)", "TR1006"],
  ["CREATE TABLE h (n hierarchyid)", "TR1006"],
  ["SELECT TOP 10 PERCENT WITH TIES id FROM T ORDER BY id", "TR1003"],
  ["SELECT SUM(flag) FROM T", "TR1021"],
  ["SELECT name FROM T t WHERE t.name > ALL (SELECT q.a FROM Missing q)", "TR1002"],
])("refuses %s", (tsql, code) => {
  it(`with ${code}`, () => {
    const s = last(tsql);
    expect(s.diagnostics.filter((d) => d.severity === "error").map((d) => d.code)).toContain(code);
    expect(s.diagnostics.every((d) => d.file === "t.sql" && d.line >= 1)).toBe(true);
  });
});

describe.each([
  ["SELECT id FROM T WITH (NOLOCK)", "TR3001", "note"],
  ["SELECT name FROM T ORDER BY name", "TR2003", "functional_difference"],
  ["WITH r AS (SELECT 1 AS n UNION ALL SELECT n + 1 FROM r WHERE n < 3) SELECT n FROM r", "TR2008", "functional_difference"],
  ["MERGE T AS t USING T AS s ON t.id = s.id WHEN NOT MATCHED BY SOURCE THEN DELETE;", "TR2007", "functional_difference"],
  ["SELECT tiny + tiny AS s FROM T", "TR2009", "functional_difference"],
])("notes %s", (tsql, code, severity) => {
  it(`with ${code} (${severity})`, () => {
    const s = last(tsql);
    expect(s.diagnostics.find((d) => d.code === code)?.severity).toBe(severity);
  });
});

describe.each([
  [{ name: "tinyint" }, "smallint", "$col BETWEEN 0 AND 255"],
  [{ name: "bit" }, "boolean", undefined],
  [{ name: "money" }, "numeric(19,4)", "$col BETWEEN -922337203685477.5808 AND 922337203685477.5807"],
  [{ name: "smallmoney" }, "numeric(10,4)", "$col BETWEEN -214748.3648 AND 214748.3647"],
  [{ name: "uniqueidentifier" }, "uuid", undefined],
  [{ name: "datetime" }, "timestamp(3)", undefined],
  [{ name: "datetime2", scale: 3 }, "timestamp(3)", undefined],
  [{ name: "datetime2", scale: 7 }, "timestamp(6)", undefined],
  [{ name: "smalldatetime" }, "timestamp(0)", undefined],
  [{ name: "datetimeoffset", scale: 7 }, "timestamptz(6)", undefined],
  [{ name: "time", scale: 0 }, "time(0)", undefined],
  [{ name: "decimal", precision: 18, scale: 0 }, "numeric(18,0)", undefined],
  [{ name: "float" }, "double precision", undefined],
  [{ name: "float", precision: 24 }, "real", undefined],
  [{ name: "varchar", length: -1 }, "text", undefined],
  [{ name: "nvarchar", length: 50 }, "varchar(50)", undefined],
  [{ name: "nchar", length: 3 }, "char(3)", undefined],
  [{ name: "varbinary", length: -1 }, "bytea", undefined],
  [{ name: "image" }, "bytea", undefined],
  [{ name: "ntext" }, "text", undefined],
  [{ name: "xml" }, "xml", undefined],
  [{ name: "rowversion" }, "bytea", undefined],
  [{ name: "date" }, "date", "$col BETWEEN '0001-01-01' AND '9999-12-31'"],
])("mapColumnType(%j)", (type, sql, check) => {
  it(`is ${sql}`, () => {
    const m = mapColumnType(type);
    expect(m.sql).toBe(sql);
    expect(m.check).toBe(check);
    expect(m.diagnostics.every((d) => d.severity !== "error")).toBe(true);
  });
});

describe.each([["sql_variant"], ["hierarchyid"], ["geography"], ["geometry"]])("mapColumnType(%s)", (name) => {
  it("is reported as an error", () => {
    expect(mapColumnType({ name }).diagnostics.map((d) => [d.code, d.severity])).toEqual([["TR1006", "error"]]);
  });
});

describe("datetimeoffset and datetime2(7) carry functional-difference notes", () => {
  it("notes the offset loss and the 7th digit", () => {
    expect(mapColumnType({ name: "datetimeoffset", scale: 7 }).diagnostics.map((d) => d.code).sort()).toEqual(["TR2001", "TR2002"]);
  });
});

describe("DDL", () => {
  it("renders identity, defaults, checks and constraints", () => {
    const t = translateScript("CREATE TABLE dbo.A (id int IDENTITY(10,5) NOT NULL CONSTRAINT PK_A PRIMARY KEY CLUSTERED, f bit NOT NULL DEFAULT 0, t tinyint NULL, r int NULL REFERENCES dbo.A (id), CONSTRAINT CK_A CHECK (t > 1))", { file: "a.sql" });
    expect(t.sql).toBe(`CREATE TABLE dbo.a (
  id integer GENERATED BY DEFAULT AS IDENTITY (START WITH 10 INCREMENT BY 5) NOT NULL CONSTRAINT pk_a PRIMARY KEY,
  f boolean NOT NULL DEFAULT (0 <> 0),
  t smallint,
  r integer REFERENCES dbo.a (id),
  CONSTRAINT ck_a CHECK ((t > 1)),
  CHECK (t BETWEEN 0 AND 255)
);`);
  });
  it("gives sequences SQL Server's defaults explicitly", () => {
    expect(translateScript("CREATE SEQUENCE dbo.s", { file: "s.sql" }).sql).toBe("CREATE SEQUENCE dbo.s AS bigint INCREMENT BY 1 MINVALUE -9223372036854775808 MAXVALUE 9223372036854775807 START WITH -9223372036854775808 NO CYCLE;");
  });
});

describe("scripts", () => {
  it("resolve objects created later in the input (late name resolution)", () => {
    const t = translateScript("CREATE FUNCTION dbo.a(@x int) RETURNS int AS BEGIN RETURN dbo.b(@x) + 1 END\nGO\nCREATE FUNCTION dbo.b(@x int) RETURNS int AS BEGIN RETURN @x * 2 END", { file: "f.sql" });
    expect(t.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
    expect(t.sql.startsWith("SET check_function_bodies = false;")).toBe(true);
  });
  it("translate ALTER TABLE, alias types and index names", () => {
    const t = translateScript("CREATE TYPE dbo.Name FROM nvarchar(50) NULL; CREATE TABLE dbo.P (id int NOT NULL, n dbo.Name); ALTER TABLE dbo.P ADD CONSTRAINT PK_P PRIMARY KEY (id); ALTER TABLE dbo.P ADD c int NULL; ALTER TABLE dbo.P WITH NOCHECK ADD CONSTRAINT CK_P CHECK (c > 0); CREATE INDEX IX_N ON dbo.P (n); SELECT id FROM dbo.P WHERE n = 'x'", { file: "a.sql" });
    expect(t.sql).toBe(`CREATE TABLE dbo.p (
  id integer NOT NULL,
  n varchar(50)
);
ALTER TABLE dbo.p ADD CONSTRAINT pk_p PRIMARY KEY (id);
ALTER TABLE dbo.p ADD COLUMN c integer;
ALTER TABLE dbo.p ADD CONSTRAINT ck_p CHECK ((c > 0)) NOT VALID;
CREATE INDEX p_ix_n ON dbo.p (n);
SELECT p.id FROM dbo.p AS p WHERE (lower(rtrim(p.n, ' ')) = 'x');`);
  });
  it("refuses a computed column Postgres cannot generate, keeping the table", () => {
    const t = translateScript("CREATE FUNCTION dbo.f(@x int) RETURNS int AS BEGIN RETURN @x END\nGO\nCREATE TABLE dbo.C (a int, b AS dbo.f(a), c AS a * 2)", { file: "c.sql" });
    expect(t.sql).toContain("b integer,\n  c integer GENERATED ALWAYS AS (a * 2) STORED");
    expect(t.diagnostics.find((d) => d.code === "TR1003")?.message).toMatch(/computed column b cannot be a Postgres generated column \(it calls a user function\)/);
  });
});

describe("translateStatement and relation rendering", () => {
  it("uses resolveRelation and records runtime functions", () => {
    const p = parseScript("SELECT LEN(c.Name) AS n FROM Sales.Customer c", { file: "v.sql" });
    const st = p.batches[0]!.statements[0]!;
    const t = translateStatement(st, { resolveRelation: (n) => `{{ ref('stg_${n.name.value.toLowerCase()}') }}` });
    expect(t.sql).toBe("SELECT tsql.tsql_len(c.name) AS n FROM {{ ref('stg_customer') }} AS c");
    expect(t.runtimeFunctions).toEqual(["tsql_len"]);
    // LEN of an unknown type still translates (LEN converts to string), no error
    expect(t.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
  });
});

describe("other entry points", () => {
  it("translateExpression types an expression", async () => {
    const { parseExpression } = await import("../tsql/index.ts");
    const { translateExpression } = await import("./index.ts");
    const t = translateExpression(parseExpression("1.0 / 3").expr!, {});
    expect(t.sql).toBe("((1.0::numeric(2,1))::numeric / 3)::numeric(7,6)");
    expect(t.outputColumns?.[0]?.type).toMatchObject({ name: "decimal", precision: 7, scale: 6 });
  });
  it("translateQuery keeps the T-SQL text for the sqlserver target", async () => {
    const { translateQuery } = await import("./index.ts");
    const p = parseScript("SELECT TOP 1 a FROM t WITH (NOLOCK)", { file: "s.sql" });
    const st = p.batches[0]!.statements[0]!;
    const t = translateQuery(st as never, { target: "sqlserver", batchText: p.batches[0]!.text });
    expect(t.sql).toBe("SELECT TOP 1 a FROM t WITH (NOLOCK)");
    expect(t.diagnostics).toEqual([]);
  });
});

describe("translate CLI", () => {
  const run = async (args: string[], input: string) => {
    let out = "";
    let err = "";
    const parsed = parseTranslateArgs(args);
    if (typeof parsed === "string") throw new Error(parsed);
    const code = await runTranslate(parsed, input, (s) => (out += s), (s) => (err += s));
    return { code, out, err };
  };
  it("exits 0 when everything is exact, notes on stderr", async () => {
    const r = await run(["--to", "postgres"], `${SCHEMA}GO\nSELECT id FROM T WITH (NOLOCK) WHERE name = 'x'`);
    expect(r.code).toBe(0);
    expect(r.out).toContain("lower(rtrim(t.name, ' ')) = 'x'");
    expect(r.err).toContain("TR3001");
  });
  it("exits 3 with diagnostics when something is refused", async () => {
    const r = await run([], "SELECT CHECKSUM(1)");
    expect(r.code).toBe(3);
    expect(r.err).toMatch(/<stdin>:1:\d+: error TR1008/);
  });
  it("passes T-SQL through for --to sqlserver", async () => {
    const r = await run(["--to", "sqlserver"], "SELECT TOP 1 * FROM T\nGO\n");
    expect(r.code).toBe(0);
    expect(r.out).toBe("SELECT TOP 1 * FROM T\nGO\n");
  });
  it("rejects unknown options", () => {
    expect(parseTranslateArgs(["--to", "oracle"])).toMatch(/postgres or sqlserver/);
  });
});
