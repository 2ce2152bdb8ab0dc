// Execution tests: T-SQL → Postgres, run on real Postgres (TEST_DATABASE_URL) or PGlite, compared
// with the value SQL Server documents. Each case cites its TSQL-SEMANTICS.md section.
// Booleans print as true/false (bit maps to boolean); everything else as Postgres text.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openExecDb, type ExecDb } from "./testing.ts";

let ex: ExecDb;
beforeAll(async () => {
  ex = await openExecDb();
}, 120_000);
afterAll(async () => {
  await ex?.close();
});

const T = `CREATE TABLE dbo.People (id int NOT NULL PRIMARY KEY, name varchar(20) NULL, nname nvarchar(20) NULL, code char(5) NULL, cs varchar(20) COLLATE Latin1_General_CS_AS NULL, flag bit NULL, qty int NULL, price decimal(10,2) NULL, m money NULL, f float NULL, born date NULL, ts datetime NULL, g uniqueidentifier NULL);
INSERT INTO dbo.People (id, name, nname, code, cs, flag, qty, price, m, f, born, ts) VALUES
 (1, 'abc', N'abc', 'ab', 'abc', 1, 1, 10.25, 10.5, 1.5, '20240131', '2024-01-31T10:00:00'),
 (2, 'ABC ', N'ABC', 'AB', 'ABC', 0, 2, 20.50, 20.25, 2.5, '20241231', '2024-12-31T23:59:59'),
 (3, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL),
 (4, 'b', N'b', 'b', 'b', 1, 4, 1.00, 1, 3.25, '20250101', '2025-01-01T00:00:00');
`;

type Case = [name: string, section: string, tsql: string, expected: (string | null)[][]];

const cases: Case[] = [
  // §2 collation: CI_AS default, trailing spaces ignored
  ["= is case-insensitive and ignores trailing spaces", "§2.3", `${T} SELECT id FROM dbo.People WHERE name = 'abc' ORDER BY id`, [["1"], ["2"]]],
  ["<> follows the same collation", "§2.3", `${T} SELECT id FROM dbo.People WHERE name <> 'ABC' ORDER BY id`, [["4"]]],
  ["IN is collation-aware", "§2.3", `${T} SELECT id FROM dbo.People WHERE name IN ('ABC', 'B') ORDER BY id`, [["1"], ["2"], ["4"]]],
  ["case-sensitive column keeps case", "§2.1", `${T} SELECT id FROM dbo.People WHERE cs = 'abc' ORDER BY id`, [["1"]]],
  ["GROUP BY collapses collation-equal values", "§2.3", `${T} SELECT COUNT(*) AS c FROM dbo.People WHERE name IS NOT NULL GROUP BY name ORDER BY c DESC`, [["2"], ["1"]]],
  ["DISTINCT collapses collation-equal values", "§2.3", `${T} SELECT COUNT(*) AS c FROM (SELECT DISTINCT name FROM dbo.People WHERE name IS NOT NULL) d`, [["2"]]],
  ["join on strings is case-insensitive", "§2.3", `${T} SELECT COUNT(*) AS c FROM dbo.People a JOIN dbo.People b ON a.name = b.name WHERE a.id = 1`, [["2"]]],
  ["ORDER BY is case-insensitive, NULLs first", "§2.3 §8", `${T} SELECT id FROM dbo.People ORDER BY name, id`, [["3"], ["1"], ["2"], ["4"]]],
  ["ORDER BY DESC puts NULLs last", "§8 NULL ordering", `${T} SELECT id FROM dbo.People ORDER BY qty DESC`, [["4"], ["2"], ["1"], ["3"]]],
  ["MIN of strings uses collation order", "§2.3", `${T} SELECT MAX(cs) AS mx, MAX(name) AS m2 FROM dbo.People WHERE id IN (1, 4)`, [["b", "b"]]],
  ["UNION collapses collation-equal rows", "§2.3", `${T} SELECT COUNT(*) AS c FROM (SELECT name FROM dbo.People WHERE id = 1 UNION SELECT name FROM dbo.People WHERE id = 2) u`, [["1"]]],
  ["LIKE is case-insensitive, [a-c] class", "§3 LIKE", `${T} SELECT id FROM dbo.People WHERE name LIKE '[a-c]%' ORDER BY id`, [["1"], ["2"], ["4"]]],
  ["LIKE [^a] and ESCAPE", "§3 LIKE", `SELECT CASE WHEN 'b' LIKE '[^a]' THEN 1 ELSE 0 END AS x, CASE WHEN '10%' LIKE '10!%' ESCAPE '!' THEN 1 ELSE 0 END AS y`, [["1", "1"]]],
  ["LIKE: varchar trailing blanks of the match expression ignored", "§2.1", `${T} SELECT id FROM dbo.People WHERE name LIKE 'abc' ORDER BY id`, [["1"], ["2"]]],
  // §3 strings
  ["LEN ignores trailing spaces", "§3 LEN", `SELECT LEN('ab  ') AS a, LEN('  ab') AS b, LEN(N'') AS c`, [["2", "4", "0"]]],
  ["DATALENGTH counts bytes", "§3 DATALENGTH", `SELECT DATALENGTH('ab  ') AS a, DATALENGTH(N'ab') AS b`, [["4", "4"]]],
  ["+ concatenates strings, NULL yields NULL", "§3 +", `${T} SELECT name + '-' + nname AS s FROM dbo.People WHERE id IN (1, 3) ORDER BY id`, [["abc-abc"], [null]]],
  ["+ with a number is addition", "§3 +", `SELECT '1' + 1 AS x`, [["2"]]],
  ["char(n) keeps its padding in concatenation", "§5.1 char", `${T} SELECT code + '|' AS s FROM dbo.People WHERE id = 1`, [["ab   |"]]],
  ["CONCAT ignores NULL", "§3 CONCAT", `SELECT CONCAT('a', NULL, 'b', 1) AS s`, [["ab1"]]],
  ["CONCAT_WS skips NULLs", "§3 CONCAT_WS", `SELECT CONCAT_WS(',', 'a', NULL, 'b') AS s`, [["a,b"]]],
  ["LEFT/RIGHT", "§3 LEFT", `SELECT LEFT('abcdef', 2) AS l, RIGHT('abcdef', 2) AS r, LEFT('ab', 5) AS l2`, [["ab", "ef", "ab"]]],
  ["SUBSTRING with start below 1", "§3 SUBSTRING", `SELECT SUBSTRING('abcdef', 0, 3) AS a, SUBSTRING('abcdef', -1, 3) AS b, SUBSTRING('abc', 5, 2) AS c`, [["ab", "a", ""]]],
  ["CHARINDEX is case-insensitive, with start", "§3 CHARINDEX", `SELECT CHARINDEX('B', 'abcb') AS a, CHARINDEX('b', 'abcb', 3) AS b, CHARINDEX('z', 'abc') AS c`, [["2", "4", "0"]]],
  ["PATINDEX", "§3 PATINDEX", `SELECT PATINDEX('%[0-9]%', 'ab12') AS a, PATINDEX('%Z%', 'abz') AS b`, [["3", "3"]]],
  ["STUFF", "§3 STUFF", `SELECT STUFF('abcdef', 2, 3, 'XY') AS a, STUFF('abc', 5, 1, 'x') AS b`, [["aXYef", null]]],
  ["REPLICATE and SPACE", "§3 REPLICATE", `SELECT REPLICATE('ab', 3) AS a, REPLICATE('ab', -1) AS b, '[' + SPACE(2) + ']' AS c`, [["ababab", null, "[  ]"]]],
  ["QUOTENAME", "§3 QUOTENAME", `SELECT QUOTENAME('a]b') AS a, QUOTENAME('x', '''') AS b`, [["[a]]b]", "'x'"]]],
  ["REPLACE is case-insensitive", "§3 REPLACE", `SELECT REPLACE('aBcb', 'b', 'x') AS a`, [["axcx"]]],
  ["STRING_SPLIT", "§3 STRING_SPLIT", `SELECT value FROM STRING_SPLIT('a,b,,c', ',')`, [["a"], ["b"], [""], ["c"]]],
  ["N'' literals compare with varchar", "§3 N''", `${T} SELECT id FROM dbo.People WHERE nname = N'ABC' ORDER BY id`, [["1"], ["2"]]],
  // §4 numbers
  ["integer division truncates", "§4.1", `SELECT 7 / 2 AS a, -7 / 2 AS b, -7 % 2 AS c`, [["3", "-3", "-1"]]],
  ["CAST decimal → int truncates", "§4.1 CAST", `SELECT CAST(2.7 AS int) AS a, CAST(-2.7 AS int) AS b, CONVERT(int, 9.99) AS c`, [["2", "-2", "9"]]],
  ["AVG of int keeps int", "§4.3", `${T} SELECT AVG(qty) AS a FROM dbo.People WHERE id IN (1, 2)`, [["1"]]],
  ["SUM of int is int", "§4.3", `${T} SELECT SUM(qty) AS s FROM dbo.People`, [["7"]]],
  ["AVG of decimal has scale max(s,6)", "§4.3", `${T} SELECT AVG(price) AS a FROM dbo.People WHERE id IN (1, 2)`, [["15.375000"]]],
  ["ROUND half away from zero, also float", "§4.1 ROUND", `SELECT ROUND(2.5, 0) AS a, ROUND(-2.5, 0) AS b, ROUND(CAST(2.5 AS float), 0) AS c, ROUND(748.58, -2) AS d`, [["3.0", "-3.0", "3", "700.00"]]],
  ["ROUND with truncation", "§4.1 ROUND", `SELECT ROUND(1.79, 1, 1) AS a`, [["1.70"]]],
  ["decimal division scale", "§4.2", `SELECT 1.0 / 3 AS a`, [["0.333333"]]],
  ["money keeps 4 decimals", "§4.4", `${T} SELECT m * 2 AS a FROM dbo.People WHERE id = 1`, [["21.0000"]]],
  ["float is double precision", "§4.4", `SELECT CAST(0.1 AS float) + CAST(0.2 AS float) AS a`, [["0.30000000000000004"]]],
  ["ISNUMERIC", "§4.4", `SELECT ISNUMERIC('12.5') AS a, ISNUMERIC('abc') AS b`, [["1", "0"]]],
  // §5 types and conversions
  ["ISNULL takes the first argument's type and length", "§5.3", `${T} SELECT ISNULL(code, 'abcdefgh') AS a FROM dbo.People WHERE id = 3`, [["abcde"]]],
  ["COALESCE uses the highest precedence type", "§5.3", `SELECT COALESCE(NULL, 1, 2.5) AS a`, [["1.0"]]],
  ["varchar compared with int converts the string", "§5.2", `SELECT CASE WHEN '10' = 10 THEN 1 ELSE 0 END AS a, CASE WHEN ' 5 ' > 4 THEN 1 ELSE 0 END AS b`, [["1", "1"]]],
  ["bit = 1 / bit = 0", "§5.2 bit", `${T} SELECT id FROM dbo.People WHERE flag = 1 ORDER BY id`, [["1"], ["4"]]],
  ["bit column against 0", "§5.2 bit", `${T} SELECT id FROM dbo.People WHERE flag = 0`, [["2"]]],
  ["TRY_CAST returns NULL", "§4.4 TRY_*", `SELECT TRY_CAST('abc' AS int) AS a, TRY_CAST('12' AS int) AS b, TRY_CONVERT(decimal(5,2), 'x') AS c`, [[null, "12", null]]],
  ["CAST of non-zero number to bit", "§4.4 bit", `SELECT CAST(5 AS bit) AS a, CAST(0 AS bit) AS b`, [["true", "false"]]],
  ["CAST bit to varchar gives 1/0", "§4.4 bit", `${T} SELECT CAST(flag AS varchar(1)) AS a FROM dbo.People WHERE id = 2`, [["0"]]],
  ["CONVERT style 101/103/104/112/120/121/23", "§7.1", `SELECT CONVERT(varchar(10), CAST('20060408' AS datetime), 101) AS a, CONVERT(varchar(10), CAST('20060408' AS datetime), 103) AS b, CONVERT(varchar(10), CAST('20060408' AS datetime), 104) AS c, CONVERT(varchar(8), CAST('20060408' AS datetime), 112) AS d, CONVERT(varchar(19), CAST('2006-04-08T21:05:04' AS datetime), 120) AS e, CONVERT(varchar(23), CAST('2006-04-08T21:05:04.570' AS datetime), 121) AS f, CONVERT(varchar(10), CAST('20060408' AS date), 23) AS g`, [["04/08/2006", "08/04/2006", "08.04.2006", "20060408", "2006-04-08 21:05:04", "2006-04-08 21:05:04.570", "2006-04-08"]]],
  ["CONVERT style 0/1/3/110/114/126", "§7.1", `SELECT CONVERT(varchar(30), CAST('2006-04-08T21:05:04.570' AS datetime), 0) AS a, CONVERT(varchar(8), CAST('20060408' AS datetime), 1) AS b, CONVERT(varchar(8), CAST('20060408' AS datetime), 3) AS c, CONVERT(varchar(10), CAST('20060408' AS datetime), 110) AS d, CONVERT(varchar(12), CAST('2006-04-08T21:05:04.570' AS datetime), 114) AS e, CONVERT(varchar(30), CAST('2006-04-08T21:05:04.570' AS datetime), 126) AS f`, [["Apr  8 2006  9:05PM", "04/08/06", "08/04/06", "04-08-2006", "21:05:04:570", "2006-04-08T21:05:04.570"]]],
  ["CAST(datetime AS varchar) uses style 0", "§7.1", `SELECT CAST(CAST('2024-01-05T13:07:00' AS datetime) AS varchar(30)) AS a`, [["Jan  5 2024  1:07PM"]]],
  ["FORMAT N2 and a date pattern", "§7.3", `SELECT FORMAT(1234.567, 'N2') AS a, FORMAT(CAST('2024-08-09' AS date), 'yyyy-MM-dd') AS b, FORMAT(CAST('2024-08-09' AS date), 'dd/MM/yyyy') AS c`, [["1,234.57", "2024-08-09", "09/08/2024"]]],
  ["money to varchar uses 2 decimals", "§4.4 money", `${T} SELECT CAST(m AS varchar(20)) AS a FROM dbo.People WHERE id = 2`, [["20.25"]]],
  // §6 dates
  ["DATEDIFF counts boundaries", "§6.3", `SELECT DATEDIFF(year, '2024-12-31', '2025-01-01') AS y, DATEDIFF(month, '2024-01-31', '2024-02-01') AS m, DATEDIFF(day, '2024-01-01 23:59', '2024-01-02 00:01') AS d, DATEDIFF(week, '2024-01-06', '2024-01-07') AS w`, [["1", "1", "1", "1"]]],
  ["DATEDIFF on columns", "§6.3", `${T} SELECT DATEDIFF(day, born, ts) AS d FROM dbo.People WHERE id = 2`, [["0"]]],
  ["DATEADD clamps month ends and keeps a date a date", "§6.1", `SELECT DATEADD(month, 1, CAST('20060831' AS date)) AS a, DATEADD(day, 1, CAST('20240228' AS date)) AS b`, [["2006-09-30", "2024-02-29"]]],
  ["DATEADD on datetime rounds to 1/300 s", "§6.1", `SELECT DATEADD(day, 365, CAST('2000-01-01T01:01:01.111' AS datetime)) AS a`, [["2000-12-31 01:01:01.11"]]],
  ["datetime + n adds days", "§6.1", `${T} SELECT ts + 1 AS a, ts - 0.5 AS b FROM dbo.People WHERE id = 1`, [["2024-02-01 10:00:00", "2024-01-30 22:00:00"]]],
  ["DATEPART weekday follows DATEFIRST 7", "§6.2", `SELECT DATEPART(weekday, CAST('2007-10-30' AS date)) AS a, DATEPART(week, CAST('2007-10-30' AS date)) AS b, DATENAME(month, CAST('2007-10-30' AS date)) AS c, DATENAME(weekday, CAST('2007-10-30' AS date)) AS d`, [["3", "44", "October", "Tuesday"]]],
  ["SET DATEFIRST 1 changes weekday", "§1 DATEFIRST", `SET DATEFIRST 1; SELECT DATEPART(weekday, CAST('2007-10-28' AS date)) AS a`, [["7"]]],
  ["YEAR/MONTH/DAY, EOMONTH, DATEFROMPARTS", "§6.1", `SELECT YEAR('2024-02-10') AS y, MONTH('2024-02-10') AS m, DAY('2024-02-10') AS d, EOMONTH(CAST('2024-02-10' AS date)) AS e, DATEFROMPARTS(2024, 2, 29) AS f`, [["2024", "2", "10", "2024-02-29", "2024-02-29"]]],
  ["date string literal compared with a date column", "§6.4", `${T} SELECT id FROM dbo.People WHERE born = '2024-12-31'`, [["2"]]],
  ["GETDATE is a datetime", "§6.1", `SELECT CASE WHEN GETDATE() > '20200101' THEN 1 ELSE 0 END AS a`, [["1"]]],
  // §8 queries
  ["TOP n", "§8 TOP", `${T} SELECT TOP 2 id FROM dbo.People ORDER BY id DESC`, [["4"], ["3"]]],
  ["TOP n PERCENT rounds up", "§8 TOP PERCENT", `${T} SELECT TOP 30 PERCENT id FROM dbo.People ORDER BY id`, [["1"], ["2"]]],
  ["TOP WITH TIES", "§8 WITH TIES", `${T} SELECT TOP 1 WITH TIES flag AS f FROM dbo.People ORDER BY flag DESC`, [["true"], ["true"]]],
  ["OFFSET/FETCH", "§8 OFFSET", `${T} SELECT id FROM dbo.People ORDER BY id OFFSET 1 ROWS FETCH NEXT 2 ROWS ONLY`, [["2"], ["3"]]],
  ["CROSS APPLY / OUTER APPLY", "§8 APPLY", `${T} SELECT p.id, x.c FROM dbo.People p OUTER APPLY (SELECT COUNT(*) AS c FROM dbo.People q WHERE q.qty < p.qty) x ORDER BY p.id`, [["1", "0"], ["2", "1"], ["3", "0"], ["4", "2"]]],
  ["CROSS APPLY removes rows", "§8 APPLY", `${T} SELECT p.id FROM dbo.People p CROSS APPLY (SELECT TOP 1 q.id FROM dbo.People q WHERE q.qty > p.qty) x ORDER BY p.id`, [["1"], ["2"]]],
  ["PIVOT groups by the other columns", "§8 PIVOT", `CREATE TABLE dbo.S (yr int, q varchar(2), amt int); INSERT INTO dbo.S VALUES (2024, 'Q1', 10), (2024, 'q1', 5), (2024, 'Q2', 7), (2025, 'Q1', 1); SELECT yr, [Q1], [Q2] FROM (SELECT yr, q, amt FROM dbo.S) s PIVOT (SUM(amt) FOR q IN ([Q1], [Q2])) p ORDER BY yr`, [["2024", "15", "7"], ["2025", "1", null]]],
  ["UNPIVOT skips NULLs", "§8 UNPIVOT", `CREATE TABLE dbo.W (id int, a int, b int); INSERT INTO dbo.W VALUES (1, 10, NULL), (2, 20, 30); SELECT id, col, val FROM dbo.W UNPIVOT (val FOR col IN (a, b)) u ORDER BY id, col`, [["1", "a", "10"], ["2", "a", "20"], ["2", "b", "30"]]],
  ["FOR XML PATH('') aggregation with escaping", "§8 FOR XML", `${T} SELECT STUFF((SELECT ',' + name FROM dbo.People WHERE name IS NOT NULL ORDER BY id FOR XML PATH('')), 1, 1, '') AS s`, [["abc,ABC ,b"]]],
  ["FOR XML PATH, TYPE .value() keeps characters", "§8 FOR XML", `CREATE TABLE dbo.X (v varchar(10)); INSERT INTO dbo.X VALUES ('a&b'), ('<c>'); SELECT (SELECT ';' + v FROM dbo.X ORDER BY v FOR XML PATH(''), TYPE).value('.', 'nvarchar(max)') AS s, (SELECT ';' + v FROM dbo.X ORDER BY v FOR XML PATH('')) AS e`, [[";<c>;a&b", ";&lt;c&gt;;a&amp;b"]]],
  ["STRING_AGG WITHIN GROUP", "§3 STRING_AGG", `${T} SELECT STRING_AGG(name, ';') WITHIN GROUP (ORDER BY id DESC) AS s FROM dbo.People`, [["b;ABC ;abc"]]],
  ["recursive CTE", "§8 recursive CTE", `WITH n AS (SELECT 1 AS i, CAST('x' AS varchar(10)) AS p UNION ALL SELECT i + 1, p + 'x' FROM n WHERE i < 3) SELECT i, p FROM n ORDER BY i`, [["1", "x"], ["2", "xx"], ["3", "xxx"]]],
  ["GROUP BY ROLLUP and GROUPING", "§8 ROLLUP", `${T} SELECT flag, SUM(qty) AS s, GROUPING(flag) AS g FROM dbo.People WHERE flag IS NOT NULL GROUP BY ROLLUP(flag) ORDER BY g, flag`, [["false", "2", "0"], ["true", "5", "0"], [null, "7", "1"]]],
  ["WITH CUBE", "§8 ROLLUP", `${T} SELECT COUNT(*) AS c FROM dbo.People GROUP BY flag WITH CUBE`, [["1"], ["1"], ["2"], ["4"]].sort() as string[][]],
  ["alias = expr", "§8 alias", `${T} SELECT total = qty * 2 FROM dbo.People WHERE id = 4`, [["8"]]],
  ["window ORDER BY puts NULLs first", "§8 NULL ordering", `${T} SELECT id, ROW_NUMBER() OVER (ORDER BY qty) AS rn FROM dbo.People ORDER BY id`, [["1", "2"], ["2", "3"], ["3", "1"], ["4", "4"]]],
  ["JSON_VALUE / ISJSON / OPENJSON", "§9", `SELECT JSON_VALUE('{"a":{"b":"x"}}', '$.a.b') AS a, ISJSON('{"a":1}') AS b, ISJSON('1') AS c`, [["x", "1", "0"]]],
  ["OPENJSON default schema", "§9 OPENJSON", `SELECT [key], value, type FROM OPENJSON('{"a":1,"b":"x"}')`, [["a", "1", "2"], ["b", "x", "1"]]],
  ["NEWID is a uniqueidentifier", "§10 NEWID", `SELECT CASE WHEN LEN(CAST(NEWID() AS varchar(36))) = 36 THEN 1 ELSE 0 END AS a`, [["1"]]],
  ["HASHBYTES SHA2_256 of varchar", "§10 HASHBYTES", `SELECT CONVERT(varchar(70), HASHBYTES('SHA2_256', 'abc'), 2) AS h`, [["BA7816BF8F01CFEA414140DE5DAE2223B00361A396177A9CB410FF61F20015AD"]]],
  ["CASE branches take the highest precedence type", "§5.2 CASE", `SELECT CASE WHEN 1 = 1 THEN 1 ELSE 2.5 END AS a`, [["1.0"]]],
  ["IIF", "§5.3 IIF", `SELECT IIF(2 > 1, 'yes', 'no') AS a`, [["yes"]]],
  ["GROUP BY an expression over a string", "§2.3", `${T} SELECT LOWER(LEFT(name, 1)) AS l, COUNT(*) AS c FROM dbo.People WHERE name IS NOT NULL GROUP BY LEFT(name, 1) ORDER BY c`, [["b", "1"], ["a", "2"]]],
  ["ROLLUP over a string column gives NULL in the total row", "§8 ROLLUP", `${T} SELECT UPPER(RTRIM(name)) AS n, COUNT(*) AS c FROM dbo.People WHERE name IS NOT NULL GROUP BY ROLLUP(name) ORDER BY c, n`, [["B", "1"], ["ABC", "2"], [null, "3"]]],
  ["CHOOSE and NULLIF", "§5.3", `SELECT CHOOSE(2, 'a', 'b', 'c') AS a, CHOOSE(5, 'a', 'b') AS b, NULLIF('A', 'a ') AS c`, [["b", null, null]]],
  ["DATENAME of every common part", "§6.2", `SELECT DATENAME(year, CAST('2007-10-30T12:15:32' AS datetime2)) AS y, DATENAME(quarter, CAST('2007-10-30' AS date)) AS q, DATENAME(dayofyear, CAST('2007-10-30' AS date)) AS dy`, [["2007", "4", "303"]]],
  ["DATEPART of time parts", "§6.2", `SELECT DATEPART(hour, CAST('2007-10-30T12:15:32.1234567' AS datetime2)) AS h, DATEPART(minute, CAST('2007-10-30T12:15:32.1234567' AS datetime2)) AS mi, DATEPART(millisecond, CAST('2007-10-30T12:15:32.1234567' AS datetime2)) AS ms, DATEPART(iso_week, CAST('2007-10-30' AS date)) AS iw`, [["12", "15", "123", "44"]]],
  ["DATEDIFF_BIG and DATEDIFF in seconds", "§6.3", `SELECT DATEDIFF_BIG(second, '2000-01-01', '2100-01-01') AS a, DATEDIFF(second, '2005-12-31 23:59:59.9999999', '2006-01-01 00:00:00.0000000') AS b`, [["3155760000", "1"]]],
  ["DATEADD on a string literal returns datetime", "§6.1", `SELECT DATEADD(day, 1, '2024-02-28') AS a`, [["2024-02-29 00:00:00"]]],
  ["datetime - datetime is a datetime from 1900-01-01", "§6.1", `SELECT CAST('2024-01-02T12:00:00' AS datetime) - CAST('2024-01-01' AS datetime) AS a`, [["1900-01-02 12:00:00"]]],
  ["DATETIMEFROMPARTS and TIMEFROMPARTS", "§6.1", `SELECT DATETIMEFROMPARTS(2024, 1, 2, 3, 4, 5, 6) AS a, DATEFROMPARTS(2024, NULL, 1) AS b`, [["2024-01-02 03:04:05.007", null]]],
  ["TRY_CONVERT to date with a style", "§7.2", `SELECT TRY_CONVERT(date, '31/12/2024', 103) AS a, TRY_CONVERT(date, 'xx', 103) AS b, CONVERT(datetime, '12/31/2024', 101) AS c`, [["2024-12-31", null, "2024-12-31 00:00:00"]]],
  ["CONVERT money styles", "§7.1 money", `SELECT CONVERT(varchar(20), CAST(3510.9152 AS money), 1) AS a, CONVERT(varchar(20), CAST(4235.9819 AS money), 2) AS b`, [["3,510.92", "4235.9819"]]],
  ["CAST float to varchar keeps 6 significant digits", "§4.4 float", `SELECT CAST(CAST(1234567.0 AS float) AS varchar(30)) AS a, CONCAT('x', CAST(0.5 AS float)) AS b`, [["1.23457e+006", "x0.5"]]],
  ["COUNT_BIG and GROUPING SETS", "§8 GROUPING SETS", `${T} SELECT COUNT_BIG(*) AS c FROM dbo.People GROUP BY GROUPING SETS ((flag), ()) ORDER BY c`, [["1"], ["1"], ["2"], ["4"]]],
  ["EXCEPT and UNION ALL", "§8 set operations", `SELECT 1 AS a UNION ALL SELECT 1 EXCEPT SELECT 2`, [["1"]]],
  ["STRING_SPLIT with ordinal", "§3 STRING_SPLIT", `SELECT value, ordinal FROM STRING_SPLIT('x,y', ',', 1) ORDER BY ordinal DESC`, [["y", "2"], ["x", "1"]]],
  ["OPENJSON WITH schema", "§9 OPENJSON", `SELECT id, nm FROM OPENJSON('[{"id":1,"nm":"a"},{"id":2,"nm":"b"}]') WITH (id int '$.id', nm varchar(10) '$.nm') ORDER BY id`, [["1", "a"], ["2", "b"]]],
  ["JSON_QUERY returns objects", "§9 JSON_QUERY", `SELECT JSON_QUERY('{"a":{"b":1}}', '$.a') AS a, JSON_QUERY('{"a":1}', '$.a') AS b`, [['{"b":1}', null]]],
  ["LIKE with N'' pattern keeps trailing blanks significant", "§2.1 LIKE", `SELECT CASE WHEN N'abc ' LIKE N'abc' THEN 1 ELSE 0 END AS u, CASE WHEN 'abc ' LIKE 'abc' THEN 1 ELSE 0 END AS a`, [["0", "1"]]],
  ["CAST int to a too short varchar gives *", "§7.1 int → char(n)", `SELECT CAST(12345 AS varchar(3)) AS a`, [["*"]]],
  ["IIF with bit column", "§5.3 IIF", `${T} SELECT IIF(flag = 1, 'y', 'n') AS a FROM dbo.People WHERE id IN (1, 2) ORDER BY id`, [["y"], ["n"]]],
  ["CONCAT converts bit and date like CAST", "§3 CONCAT", `${T} SELECT CONCAT(flag, '|', born) AS a FROM dbo.People WHERE id = 1`, [["1|2024-01-31"]]],
  ["QUOTENAME, REVERSE, UPPER, LTRIM", "§3", `SELECT REVERSE('abc') AS a, UPPER('abc') AS b, LTRIM('  x ') + '|' AS c, RTRIM(' x  ') + '|' AS d`, [["cba", "ABC", "x |", " x|"]]],
  ["SUBSTRING over a column and CHARINDEX start", "§3", `${T} SELECT SUBSTRING(name, 2, 10) AS a FROM dbo.People WHERE id = 1`, [["bc"]]],
  ["money arithmetic rounds to 4 places", "§4.4 money", `SELECT CAST(1 AS money) / 3 AS a`, [["0.3333"]]],
  ["CAST to tinyint within range", "§4.1 overflow", `SELECT CAST(200 AS tinyint) AS a`, [["200"]]],
  ["UPDATE with += and a CASE", "§8 UPDATE", `${T} UPDATE dbo.People SET qty += 10 WHERE flag = 1; SELECT id, qty FROM dbo.People WHERE flag = 1 ORDER BY id`, [["1", "11"], ["4", "14"]]],
  ["DELETE ... OUTPUT deleted.* → RETURNING", "§8 OUTPUT", `CREATE TABLE dbo.D (id int, v varchar(5)); INSERT INTO dbo.D VALUES (1, 'a'), (2, 'b'); DELETE FROM dbo.D OUTPUT deleted.id WHERE v = 'A'`, [["1"]]],
  ["MERGE with a matched condition and delete", "§8 MERGE", `CREATE TABLE dbo.Tg (id int, v int); CREATE TABLE dbo.Sr (id int, v int); INSERT INTO dbo.Tg VALUES (1, 1), (2, 2); INSERT INTO dbo.Sr VALUES (1, 0), (2, 5); MERGE dbo.Tg AS t USING dbo.Sr AS s ON t.id = s.id WHEN MATCHED AND s.v = 0 THEN DELETE WHEN MATCHED THEN UPDATE SET v = s.v; SELECT id, v FROM dbo.Tg ORDER BY id`, [["2", "5"]]],
  ["temp table created then queried", "§8 temp tables", `CREATE TABLE #w (k varchar(5)); INSERT INTO #w VALUES ('A'), ('a '); SELECT COUNT(DISTINCT k) AS c FROM #w`, [["1"]]],
  ["views see their tables' collation", "§2.3", `${T} CREATE VIEW dbo.V AS SELECT id, name FROM dbo.People; SELECT COUNT(*) AS c FROM dbo.V WHERE name = 'ABC'`, [["2"]]],
  ["xml.value and xml.exist with a default namespace", "§5.1 xml", `CREATE TABLE dbo.Doc (id int, x xml); INSERT INTO dbo.Doc VALUES (1, '<Survey xmlns="urn:s"><Total>12.5</Total><Name>A&amp;B &lt;x&gt;</Name></Survey>'), (2, '<Survey xmlns="urn:s"><Name>c</Name></Survey>'); SELECT id, x.value('declare default element namespace "urn:s"; (/Survey/Total)[1]', 'decimal(9,2)') AS total, x.value('declare default element namespace "urn:s"; (/Survey/Name)[1]', 'nvarchar(20)') AS nm, x.exist('declare default element namespace "urn:s"; /Survey/Total') AS has FROM dbo.Doc ORDER BY id`, [["1", "12.50", "A&B <x>", "true"], ["2", null, "c", "false"]]],
  ["CROSS APPLY xml.nodes() with a prefixed namespace", "§5.1 xml", `CREATE TABLE dbo.Ci (id int, info xml); INSERT INTO dbo.Ci VALUES (1, '<ci:Info xmlns:ci="urn:c"><ci:phone><ci:number>111</ci:number></ci:phone><ci:phone><ci:number>222</ci:number></ci:phone></ci:Info>'), (2, '<ci:Info xmlns:ci="urn:c"/>'); SELECT c.id, p.ref.value('declare namespace ci="urn:c"; (ci:number)[1]', 'varchar(10)') AS num FROM dbo.Ci c OUTER APPLY c.info.nodes('declare namespace ci="urn:c"; /ci:Info/ci:phone') AS p(ref) ORDER BY c.id, num`, [["1", "111"], ["1", "222"], ["2", null]]],
  ["xml.nodes() then attributes and string(.)", "§5.1 xml", `CREATE TABLE dbo.St (x xml); INSERT INTO dbo.St VALUES ('<Steps><Step LotSize="5">Cut <b>it</b></Step><Step LotSize="7">Glue</Step></Steps>'); SELECT s.ref.value('@LotSize[1]', 'int') AS lot, s.ref.value('string(.)[1]', 'nvarchar(20)') AS step FROM dbo.St CROSS APPLY x.nodes('/Steps/Step') AS s(ref) ORDER BY lot`, [["5", "Cut it"], ["7", "Glue"]]],
  ["absolute paths from a root node", "§5.1 xml", `CREATE TABLE dbo.Rs (x xml); INSERT INTO dbo.Rs VALUES ('<Resume xmlns="urn:r"><Name><First>Ann</First></Name></Resume>'); SELECT r.ref.value('declare default element namespace "urn:r"; (/Resume/Name/First)[1]', 'nvarchar(10)') AS f FROM dbo.Rs CROSS APPLY x.nodes('declare default element namespace "urn:r"; /Resume') AS r(ref)`, [["Ann"]]],
  ["IN (subquery) compares with the collation", "§2.3", `${T} CREATE TABLE dbo.K (k varchar(10)); INSERT INTO dbo.K VALUES ('ABC'); SELECT id FROM dbo.People WHERE name IN (SELECT k FROM dbo.K) ORDER BY id`, [["1"], ["2"]]],
  ["UNION with ORDER BY over strings", "§2.3 §8", `SELECT 'b' AS v UNION SELECT 'A' UNION SELECT 'a ' ORDER BY v`, [["A"], ["b"]]],
  ["SELECT DISTINCT ... ORDER BY", "§2.3", `${T} SELECT DISTINCT flag FROM dbo.People ORDER BY flag DESC`, [["true"], ["false"], [null]]],
  ["simple CASE on a string uses the collation", "§2.3", `${T} SELECT CASE name WHEN 'ABC' THEN 'x' ELSE 'y' END AS c FROM dbo.People WHERE id IN (1, 4) ORDER BY id`, [["x"], ["y"]]],
  ["window PARTITION BY a string is case-insensitive", "§2.3", `${T} SELECT c FROM (SELECT id, COUNT(*) OVER (PARTITION BY name) AS c FROM dbo.People) x WHERE id = 1`, [["2"]]],
  ["int column against a numeric string, varchar column against an int", "§5.2", `CREATE TABLE dbo.N (i int, v varchar(5)); INSERT INTO dbo.N VALUES (7, ' 7 '); SELECT COUNT(*) AS c FROM dbo.N WHERE i = '007' AND v = 7`, [["1"]]],
  ["date column against GETDATE() - n", "§5.2 §6.1", `${T} SELECT COUNT(*) AS c FROM dbo.People WHERE born > GETDATE() - 36500`, [["3"]]],
  ["FULL and RIGHT joins", "§8", `CREATE TABLE dbo.L1 (a int); CREATE TABLE dbo.R1 (a int); INSERT INTO dbo.L1 VALUES (1), (2); INSERT INTO dbo.R1 VALUES (2), (3); SELECT l.a AS la, r.a AS ra FROM dbo.L1 l FULL OUTER JOIN dbo.R1 r ON l.a = r.a ORDER BY COALESCE(l.a, r.a)`, [["1", null], ["2", "2"], [null, "3"]]],
  ["SYSDATETIME, GETUTCDATE, SYSUTCDATETIME are date/times", "§6.1", `SELECT CASE WHEN SYSDATETIME() > '2020-01-01' AND GETUTCDATE() > '2020-01-01' AND SYSUTCDATETIME() > '2020-01-01' THEN 1 ELSE 0 END AS a`, [["1"]]],
  ["FORMAT with more .NET patterns", "§7.3", `SELECT FORMAT(CAST('2024-08-09T13:05:00' AS datetime), 'MMM d, yyyy HH:mm') AS a, FORMAT(0.5, 'P0') AS b, FORMAT(42, 'D5') AS c`, [["Aug 9, 2024 13:05", "50%", "00042"]]],
  ["scalar function with variables, SET and REPLICATE", "§8 functions", `CREATE FUNCTION dbo.lz(@Value int) RETURNS varchar(8) AS BEGIN DECLARE @r varchar(8); SET @r = CONVERT(varchar(8), @Value); SET @r = REPLICATE('0', 8 - DATALENGTH(@r)) + @r; RETURN (@r); END; SELECT dbo.lz(42) AS a`, [["00000042"]]],
  ["scalar function: SELECT TOP 1 @v = col, collation-aware lookup", "§8 SELECT @v", `${T} CREATE FUNCTION dbo.pid(@n varchar(20)) RETURNS int AS BEGIN DECLARE @id int; SELECT TOP 1 @id = id FROM dbo.People WHERE name = @n ORDER BY id; RETURN @id; END; SELECT dbo.pid('ABC') AS a, dbo.pid('zzz') AS b`, [["1", null]]],
  ["SELECT @v = ... with no row keeps the previous value", "§8 SELECT @v", `${T} CREATE FUNCTION dbo.keep() RETURNS int AS BEGIN DECLARE @v int = 5; SELECT @v = id FROM dbo.People WHERE 1 = 0; RETURN @v; END; SELECT dbo.keep() AS a`, [["5"]]],
  ["variable assignment truncates strings silently", "§3 declared lengths", `CREATE FUNCTION dbo.tr() RETURNS varchar(10) AS BEGIN DECLARE @s varchar(3); SET @s = 'abcdef'; RETURN @s; END; SELECT dbo.tr() AS a`, [["abc"]]],
  ["IF/ELSE and WHILE in a function", "§8 functions", `CREATE FUNCTION dbo.fact(@n int) RETURNS bigint AS BEGIN DECLARE @r bigint = 1, @i int = 2; IF @n < 0 RETURN NULL; WHILE @i <= @n BEGIN SET @r = @r * @i; SET @i += 1; END; RETURN @r; END; SELECT dbo.fact(5) AS a, dbo.fact(-1) AS b`, [["120", null]]],
  ["multi-statement table-valued function", "§8 functions", `${T} CREATE FUNCTION dbo.info(@id int) RETURNS @r TABLE (id int NOT NULL, label nvarchar(10) NULL) AS BEGIN IF @id IS NOT NULL BEGIN IF EXISTS (SELECT * FROM dbo.People WHERE id = @id AND flag = 1) INSERT INTO @r SELECT @id, 'flagged'; INSERT INTO @r SELECT id, name FROM dbo.People WHERE id = @id; END RETURN; END; SELECT id, label FROM dbo.info(1) ORDER BY label`, [["1", "abc"], ["1", "flagged"]]],
  ["computed columns become generated columns", "§8 DDL", `CREATE TABLE dbo.G (q int, p decimal(10,2), total AS q * p); INSERT INTO dbo.G (q, p) VALUES (3, 1.25); SELECT total FROM dbo.G`, [["3.75"]]],
  ["INSERT without a column list skips the identity column", "§8 DDL", `CREATE TABLE dbo.Id (id int IDENTITY(1,1) PRIMARY KEY, v varchar(5)); INSERT INTO dbo.Id VALUES ('a'); INSERT INTO dbo.Id VALUES ('b'); SELECT id, v FROM dbo.Id ORDER BY id`, [["1", "a"], ["2", "b"]]],
  ["m/d/yy literals use the 2049 cutoff", "§1 two-digit year", `SELECT CAST('09/14/94' AS datetime) AS a, CAST('1/2/49' AS date) AS b`, [["1994-09-14 00:00:00", "2049-01-02"]]],
  ["UNION converts branches by precedence", "§5.2 UNION", `${T} SELECT 1.5 AS a UNION ALL SELECT 2.25 UNION ALL SELECT 3`, [["1.50"], ["2.25"], ["3.00"]]],
  ["UNION of bit and int columns", "§5.2 UNION", `${T} SELECT flag AS f FROM dbo.People WHERE id = 1 UNION ALL SELECT qty FROM dbo.People WHERE id = 4 UNION ALL SELECT '7'`, [["1"], ["4"], ["7"]]],
  ["MIN/MAX of a string as a window function", "§2.3 MIN/MAX", `${T} SELECT id, MAX(name) OVER (PARTITION BY flag) AS mx FROM dbo.People WHERE id IN (1, 2, 4) ORDER BY id`, [["1", "b"], ["2", "ABC "], ["4", "b"]]],
  ["MAXRECURSION lets a deeper recursion finish", "§8 recursive CTE", `WITH n AS (SELECT 1 AS i UNION ALL SELECT i + 1 FROM n WHERE i < 150) SELECT COUNT(*) AS c, MAX(i) AS m FROM n OPTION (MAXRECURSION 200)`, [["150", "150"]]],
  ["the default limit allows 100 recursion levels", "§8 recursive CTE", `WITH n AS (SELECT 1 AS i UNION ALL SELECT i + 1 FROM n WHERE i < 101) SELECT MAX(i) AS m FROM n`, [["101"]]],
  ["INTERSECT and EXCEPT compare with the collation", "§2.1 set operations", `SELECT COUNT(*) AS c FROM (SELECT 'abc' AS v INTERSECT SELECT 'ABC ') i`, [["1"]]],
  ["EXCEPT removes collation-equal rows", "§2.1 set operations", `SELECT UPPER(RTRIM(v)) AS v FROM (SELECT v FROM (VALUES ('a'), ('B'), ('b ')) t(v) EXCEPT SELECT 'A') e`, [["B"]]],
  ["UPDATE ... OUTPUT deleted and inserted", "§8 OUTPUT", `CREATE TABLE dbo.U (id int PRIMARY KEY, v int); INSERT INTO dbo.U VALUES (1, 10), (2, 20); UPDATE dbo.U SET v = v + 1 OUTPUT deleted.v AS old_v, inserted.v AS new_v WHERE id = 2`, [["20", "21"]]],
  ["DELETE ... OUTPUT deleted.* INTO an archive table", "§8 OUTPUT", `CREATE TABLE dbo.Live (id int, v varchar(5)); CREATE TABLE dbo.Arch (id int, v varchar(5)); INSERT INTO dbo.Live VALUES (1, 'a'), (2, 'b'); DELETE FROM dbo.Live OUTPUT deleted.id, deleted.v INTO dbo.Arch (id, v) WHERE id = 1; SELECT a.id, a.v, (SELECT COUNT(*) FROM dbo.Live) AS left_rows FROM dbo.Arch a`, [["1", "a", "1"]]],
  ["DELETE TOP (n) removes n qualifying rows", "§8 TOP in DML", `CREATE TABLE dbo.Q (id int, k varchar(2)); INSERT INTO dbo.Q VALUES (1, 'a'), (2, 'A'), (3, 'b'); DELETE TOP (1) FROM dbo.Q WHERE k = 'a'; SELECT COUNT(*) AS c, SUM(CASE WHEN k = 'B' THEN 1 ELSE 0 END) AS b FROM dbo.Q`, [["2", "1"]]],
  // DML
  ["UPDATE with FROM/JOIN", "§8 UPDATE", `${T} CREATE TABLE dbo.Bonus (pid int, amt int); INSERT INTO dbo.Bonus VALUES (1, 100), (4, 400); UPDATE p SET qty = p.qty + b.amt FROM dbo.People p JOIN dbo.Bonus b ON b.pid = p.id; SELECT id, qty FROM dbo.People ORDER BY id`, [["1", "101"], ["2", "2"], ["3", null], ["4", "404"]]],
  ["DELETE with FROM/JOIN", "§8 DELETE", `${T} CREATE TABLE dbo.Gone (pid int); INSERT INTO dbo.Gone VALUES (2), (3); DELETE p FROM dbo.People p JOIN dbo.Gone g ON g.pid = p.id; SELECT id FROM dbo.People ORDER BY id`, [["1"], ["4"]]],
  ["INSERT ... OUTPUT inserted → RETURNING", "§8 OUTPUT", `CREATE TABLE dbo.O (id int IDENTITY(1,1), v varchar(5)); INSERT INTO dbo.O (v) OUTPUT inserted.id, inserted.v VALUES ('a'), ('b')`, [["1", "a"], ["2", "b"]]],
  ["MERGE with NOT MATCHED BY SOURCE", "§8 MERGE", `CREATE TABLE dbo.Tgt (id int, v varchar(5)); CREATE TABLE dbo.Src (id int, v varchar(5)); INSERT INTO dbo.Tgt VALUES (1, 'a'), (2, 'b'); INSERT INTO dbo.Src VALUES (2, 'B'), (3, 'c'); MERGE dbo.Tgt AS t USING dbo.Src AS s ON t.id = s.id WHEN MATCHED THEN UPDATE SET v = s.v WHEN NOT MATCHED THEN INSERT (id, v) VALUES (s.id, s.v) WHEN NOT MATCHED BY SOURCE THEN DELETE; SELECT id, v FROM dbo.Tgt ORDER BY id`, [["2", "B"], ["3", "c"]]],
  ["SELECT INTO a temp table", "§8 SELECT INTO", `${T} SELECT id, name INTO #t FROM dbo.People WHERE id < 3; SELECT COUNT(*) AS c FROM #t WHERE name = 'ABC'`, [["2"]]],
  ["sequence NEXT VALUE FOR starts at the type minimum by default", "§10 sequences", `CREATE SEQUENCE dbo.sq AS int START WITH 5; SELECT NEXT VALUE FOR dbo.sq AS a`, [["5"]]],
  ["scalar and inline table-valued functions", "§8 functions", `CREATE FUNCTION dbo.twice(@x int) RETURNS int AS BEGIN RETURN @x * 2 END; CREATE FUNCTION dbo.upto(@n int) RETURNS TABLE AS RETURN (SELECT v = @n - 1 UNION ALL SELECT @n); SELECT dbo.twice(v) AS t FROM dbo.upto(3) ORDER BY t`, [["4"], ["6"]]],
];

describe("assignment checks lengths like SQL Server", () => {
  it("INSERT of a too long string raises instead of truncating", async () => {
    await expect(ex.run(`CREATE TABLE dbo.L (v varchar(3)); INSERT INTO dbo.L VALUES ('abcd'); SELECT v FROM dbo.L`)).rejects.toThrow(/too long/);
  });
});

describe("errors SQL Server raises are raised", () => {
  it("recursion past MAXRECURSION 100", async () => {
    await expect(ex.run(`WITH n AS (SELECT 1 AS i UNION ALL SELECT i + 1 FROM n WHERE i < 102) SELECT MAX(i) AS m FROM n`)).rejects.toThrow(/maximum recursion 100/);
  });
  it("CAST to tinyint out of range", async () => {
    await expect(ex.run(`SELECT CAST(300 AS tinyint) AS a`)).rejects.toThrow(/tinyint/);
  });
  it("SUM of int beyond int range", async () => {
    await expect(ex.run(`CREATE TABLE dbo.B (v int); INSERT INTO dbo.B VALUES (2147483647), (1); SELECT SUM(v) AS s FROM dbo.B`)).rejects.toThrow(/out of range/);
  });
  it("string to int conversion of a non-number", async () => {
    await expect(ex.run(`SELECT CASE WHEN 'abc' = 1 THEN 1 ELSE 0 END AS a`)).rejects.toThrow();
  });
});

describe.each(cases)("%s (%s)", (_name, _section, tsql, expected) => {
  it("runs on Postgres and returns SQL Server's value", async () => {
    const r = await ex.run(tsql);
    const errors = r.diagnostics.filter((d) => d.severity === "error");
    expect(errors, r.sql).toEqual([]);
    const rows = _name === "WITH CUBE" ? [...r.rows].sort() : r.rows;
    expect(rows, r.sql).toEqual(expected);
  });
});
