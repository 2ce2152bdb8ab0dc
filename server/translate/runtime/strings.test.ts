import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { useRuntimeDb } from "./testdb.ts";

const t = useRuntimeDb({ beforeAll, afterAll });

// [T-SQL expression, Postgres call, value SQL Server documents (as text), TSQL-SEMANTICS.md reference]
type Row = [string, string, string | null, string];

const rows: Row[] = [
  ["LEN('abc   ')", "tsql.tsql_len('abc   ')", "3", "§3 LEN (trailing spaces ignored)"],
  ["LEN('  abc')", "tsql.tsql_len('  abc')", "5", "§3 LEN (leading spaces kept)"],
  ["LEN('')", "tsql.tsql_len('')", "0", "§3 LEN"],
  ["LEN(NULL)", "tsql.tsql_len(NULL)", null, "§3 LEN"],
  ["LEN(N'a😀')", "tsql.tsql_len('a😀')", "3", "§3 LEN (surrogate pair counts 2 without SC collation)"],
  ["LEN('abc' + CHAR(9))", "tsql.tsql_len('abc' || chr(9))", "4", "§3 LEN (only U+0020 is trimmed)"],
  ["DATALENGTH('abc  ')", "tsql.tsql_datalength('abc  ')", "5", "§3 DATALENGTH varchar (trailing spaces count)"],
  ["DATALENGTH(N'abc  ')", "tsql.tsql_datalength('abc  ', true)", "10", "§3 DATALENGTH nvarchar (2 per unit)"],
  ["DATALENGTH(N'a😀')", "tsql.tsql_datalength('a😀', true)", "6", "§3 DATALENGTH nvarchar (surrogate pair 4 bytes)"],
  ["DATALENGTH('é')", "tsql.tsql_datalength('é')", "1", "§3 DATALENGTH varchar CP1252"],
  ["DATALENGTH(0x0102)", "tsql.tsql_datalength('\\x0102'::bytea)", "2", "§3 DATALENGTH varbinary"],
  ["DATALENGTH(NULL)", "tsql.tsql_datalength(NULL::text)", null, "§3 DATALENGTH"],
  ["LEFT('abc', 2)", "tsql.tsql_left('abc', 2)", "ab", "§3 LEFT"],
  ["LEFT('abc', 10)", "tsql.tsql_left('abc', 10)", "abc", "§3 LEFT (n > length)"],
  ["LEFT(NULL, 1)", "tsql.tsql_left(NULL, 1)", null, "§3 LEFT"],
  ["RIGHT('abc', 2)", "tsql.tsql_right('abc', 2)", "bc", "§3 RIGHT"],
  ["RIGHT('abc', 0)", "tsql.tsql_right('abc', 0)", "", "§3 RIGHT"],
  ["SUBSTRING('abcdef', 2, 3)", "tsql.tsql_substring('abcdef', 2, 3)", "bcd", "§3 SUBSTRING"],
  ["SUBSTRING('abcdef', 0, 3)", "tsql.tsql_substring('abcdef', 0, 3)", "ab", "§3 SUBSTRING (start < 1: start+len-1 chars)"],
  ["SUBSTRING('abcdef', -2, 3)", "tsql.tsql_substring('abcdef', -2, 3)", "", "§3 SUBSTRING (start < 1, nothing left)"],
  ["SUBSTRING('abcdef', -1, 5)", "tsql.tsql_substring('abcdef', -1, 5)", "abc", "§3 SUBSTRING"],
  ["SUBSTRING('abc', 5, 2)", "tsql.tsql_substring('abc', 5, 2)", "", "§3 SUBSTRING (start past end)"],
  ["SUBSTRING(0x010203, 2, 1)", "encode(tsql.tsql_substring('\\x010203'::bytea, 2, 1), 'hex')", "02", "§3 SUBSTRING (binary)"],
  ["CHARINDEX('b', 'abcabc')", "tsql.tsql_charindex('b', 'abcabc')", "2", "§3 CHARINDEX"],
  ["CHARINDEX('B', 'abcabc') CI", "tsql.tsql_charindex('B', 'abcabc')", "2", "§3 CHARINDEX (collation CI)"],
  ["CHARINDEX('B', 'abcabc' COLLATE ..._CS_AS)", "tsql.tsql_charindex('B', 'abcabc', 1, false)", "0", "§3 CHARINDEX (CS collation)"],
  ["CHARINDEX('b', 'abcabc', 3)", "tsql.tsql_charindex('b', 'abcabc', 3)", "5", "§3 CHARINDEX (start)"],
  ["CHARINDEX('b', 'abcabc', 0)", "tsql.tsql_charindex('b', 'abcabc', 0)", "2", "§3 CHARINDEX (start 0 → 1)"],
  ["CHARINDEX('b', 'abcabc', -5)", "tsql.tsql_charindex('b', 'abcabc', -5)", "2", "§3 CHARINDEX (negative start → 1)"],
  ["CHARINDEX('z', 'abc')", "tsql.tsql_charindex('z', 'abc')", "0", "§3 CHARINDEX (absent)"],
  ["CHARINDEX('b', 'abc', 10)", "tsql.tsql_charindex('b', 'abc', 10)", "0", "§3 CHARINDEX (start past end)"],
  ["CHARINDEX('', 'abc')", "tsql.tsql_charindex('', 'abc')", "0", "§3 CHARINDEX ⚠ empty find"],
  ["CHARINDEX(NULL, 'abc')", "tsql.tsql_charindex(NULL, 'abc')", null, "§3 CHARINDEX (NULL)"],
  ["CHARINDEX('É', 'café') accent-sensitive", "tsql.tsql_charindex('E', 'café')", "0", "§2.1 CI_AS accent-sensitive"],
  ["CHARINDEX('É', 'CAFé')", "tsql.tsql_charindex('É', 'CAFé')", "4", "§2.1 CI_AS (case-insensitive on accented letters)"],
  ["PATINDEX('%ter%', 'interesting data')", "tsql.tsql_patindex('%ter%', 'interesting data')", "3", "§3 PATINDEX (MS example)"],
  ["PATINDEX('%[0-9]%', 'abc123')", "tsql.tsql_patindex('%[0-9]%', 'abc123')", "4", "§3 PATINDEX (class)"],
  ["PATINDEX('%[^a-c]%', 'abcd')", "tsql.tsql_patindex('%[^a-c]%', 'abcd')", "4", "§3 PATINDEX (negated class)"],
  ["PATINDEX('%A_C%', 'xxabc')", "tsql.tsql_patindex('%A_C%', 'xxabc')", "3", "§3 PATINDEX (CI, _)"],
  ["PATINDEX('ab%', 'abc')", "tsql.tsql_patindex('ab%', 'abc')", "1", "§3 PATINDEX (anchored at 1)"],
  ["PATINDEX('bc%', 'abc')", "tsql.tsql_patindex('bc%', 'abc')", "0", "§3 PATINDEX (no leading %: must match at 1)"],
  ["PATINDEX('%a%', 'banana')", "tsql.tsql_patindex('%a%', 'banana')", "2", "§3 PATINDEX (first match)"],
  ["PATINDEX('%z%', 'abc')", "tsql.tsql_patindex('%z%', 'abc')", "0", "§3 PATINDEX (none)"],
  ["PATINDEX('%[%]%', '50% off')", "tsql.tsql_patindex('%[%]%', '50% off')", "3", "§3 LIKE ([%] literal)"],
  ["PATINDEX(NULL, 'a')", "tsql.tsql_patindex(NULL, 'a')", null, "§3 PATINDEX (NULL)"],
  ["STUFF('abcdef', 2, 3, 'ijklmn')", "tsql.tsql_stuff('abcdef', 2, 3, 'ijklmn')", "aijklmnef", "§3 STUFF (MS example)"],
  ["STUFF('abc', 0, 1, 'x')", "tsql.tsql_stuff('abc', 0, 1, 'x')", null, "§3 STUFF (start ≤ 0 → NULL)"],
  ["STUFF('abc', 4, 1, 'x')", "tsql.tsql_stuff('abc', 4, 1, 'x')", null, "§3 STUFF (start > length → NULL)"],
  ["STUFF('abc', 1, -1, 'x')", "tsql.tsql_stuff('abc', 1, -1, 'x')", null, "§3 STUFF (len < 0 → NULL)"],
  ["STUFF('abc', 2, 10, 'x')", "tsql.tsql_stuff('abc', 2, 10, 'x')", "ax", "§3 STUFF (len past end)"],
  ["STUFF('abc', 2, 0, 'x')", "tsql.tsql_stuff('abc', 2, 0, 'x')", "axbc", "§3 STUFF (len 0 inserts)"],
  ["STUFF('abc', 2, 1, NULL)", "tsql.tsql_stuff('abc', 2, 1, NULL)", "ac", "§3 STUFF (NULL replacement deletes)"],
  ["REPLICATE('ab', 3)", "tsql.tsql_replicate('ab', 3)", "ababab", "§3 REPLICATE"],
  ["REPLICATE('ab', -1)", "tsql.tsql_replicate('ab', -1)", null, "§3 REPLICATE (n < 0 → NULL)"],
  ["REPLICATE('ab', 0)", "tsql.tsql_replicate('ab', 0)", "", "§3 REPLICATE"],
  ["LEN(REPLICATE('x', 9000)) varchar", "length(tsql.tsql_replicate('x', 9000, 8000))", "8000", "§3 REPLICATE (8000-byte cap)"],
  ["LEN(REPLICATE(CAST('x' AS varchar(max)), 9000))", "length(tsql.tsql_replicate('x', 9000))", "9000", "§3 REPLICATE (max type: no cap)"],
  ["SPACE(3)", "'[' || tsql.tsql_space(3) || ']'", "[   ]", "§3 SPACE"],
  ["SPACE(-1)", "tsql.tsql_space(-1)", null, "§3 SPACE (n < 0 → NULL)"],
  ["QUOTENAME('abc[]def')", "tsql.tsql_quotename('abc[]def')", "[abc[]]def]", "§3 QUOTENAME (MS example)"],
  ["QUOTENAME('a''b', '''')", "tsql.tsql_quotename('a''b', '''')", "'a''b'", "§3 QUOTENAME (quote)"],
  ["QUOTENAME('a\"b', '\"')", "tsql.tsql_quotename('a\"b', '\"')", '"a""b"', "§3 QUOTENAME (double quote)"],
  ["QUOTENAME('a)b', '(')", "tsql.tsql_quotename('a)b', '(')", "(a))b)", "§3 QUOTENAME (parentheses)"],
  ["QUOTENAME('ab', '>')", "tsql.tsql_quotename('ab', '>')", "<ab>", "§3 QUOTENAME (angle)"],
  ["QUOTENAME('ab', '}')", "tsql.tsql_quotename('ab', '}')", "{ab}", "§3 QUOTENAME (braces)"],
  ["QUOTENAME('ab', '`')", "tsql.tsql_quotename('ab', '`')", "`ab`", "§3 QUOTENAME (backtick)"],
  ["QUOTENAME('ab', 'x')", "tsql.tsql_quotename('ab', 'x')", null, "§3 QUOTENAME (other → NULL)"],
  ["QUOTENAME(REPLICATE('a', 129))", "tsql.tsql_quotename(repeat('a', 129))", null, "§3 QUOTENAME (> 128 → NULL)"],
  ["REPLACE('aBcb', 'b', 'x') CI", "tsql.tsql_replace_ci('aBcb', 'b', 'x')", "axcx", "§3 REPLACE (CI)"],
  ["REPLACE('a.b.c', '.', '\\')", "tsql.tsql_replace_ci('a.b.c', '.', '\\')", "a\\b\\c", "§3 REPLACE (find and replacement literal)"],
  ["REPLACE('abc', NULL, 'x')", "tsql.tsql_replace_ci('abc', NULL, 'x')", null, "§3 REPLACE (NULL)"],
  ["REPLACE('abc', '', 'x')", "tsql.tsql_replace_ci('abc', '', 'x')", "abc", "§3 REPLACE ⚠ empty find"],
  ["'abc   ' LIKE 'abc' (varchar)", "tsql.tsql_like('abc   ', 'abc')", "true", "§2.1 LIKE (match expression blanks ignored, non-Unicode)"],
  ["N'abc   ' LIKE N'abc'", "tsql.tsql_like('abc   ', 'abc', NULL, true, true)", "false", "§2.1 LIKE (Unicode: blanks count)"],
  ["'abc' LIKE 'abc '", "tsql.tsql_like('abc', 'abc ')", "false", "§2.1 LIKE (pattern blanks count)"],
  ["'ABC' LIKE 'a%'", "tsql.tsql_like('ABC', 'a%')", "true", "§2.1 LIKE (CI)"],
  ["'ABC' LIKE 'a%' (CS)", "tsql.tsql_like('ABC', 'a%', NULL, false)", "false", "§3 LIKE (CS collation)"],
  ["'b' LIKE '[a-c]'", "tsql.tsql_like('b', '[a-c]')", "true", "§3 LIKE (range)"],
  ["'d' LIKE '[a-c]'", "tsql.tsql_like('d', '[a-c]')", "false", "§3 LIKE (range)"],
  ["'d' LIKE '[^a-c]'", "tsql.tsql_like('d', '[^a-c]')", "true", "§3 LIKE (negated)"],
  ["'a-' LIKE 'a[-]'", "tsql.tsql_like('a-', 'a[-]')", "true", "§3 LIKE (literal - in class)"],
  ["'10%' LIKE '10!%' ESCAPE '!'", "tsql.tsql_like('10%', '10!%', '!')", "true", "§3 LIKE (ESCAPE)"],
  ["'100' LIKE '10!%' ESCAPE '!'", "tsql.tsql_like('100', '10!%', '!')", "false", "§3 LIKE (ESCAPE)"],
  ["'a_b' LIKE 'a[_]b'", "tsql.tsql_like('a_b', 'a[_]b')", "true", "§3 LIKE ([_] literal)"],
  ["'axb' LIKE 'a[_]b'", "tsql.tsql_like('axb', 'a[_]b')", "false", "§3 LIKE ([_] literal)"],
  ["'[x' LIKE '[[]x'", "tsql.tsql_like('[x', '[[]x')", "true", "§3 LIKE ([[] literal)"],
  ["'a.c' LIKE 'a.c' vs 'abc'", "tsql.tsql_like('abc', 'a.c')", "false", "§3 LIKE (regex metacharacters literal)"],
  ["'a\\c' LIKE 'a\\c'", "tsql.tsql_like('a\\c', 'a\\c')", "true", "§3 LIKE (backslash is not an escape)"],
  ["'x' + CHAR(10) + 'y' LIKE 'x%y'", "tsql.tsql_like('x' || chr(10) || 'y', 'x%y')", "true", "§3 LIKE (% spans newlines)"],
  ["NULL LIKE 'a'", "tsql.tsql_like(NULL, 'a')", null, "§3 LIKE (NULL)"],
  ["LIKE pattern 'a[b-d]%_' as a regex", "tsql.tsql_like_regex('a[b-d]%_')", "a[b-d].*.", "§3 LIKE (pattern → regex)"],
  ["LIKE pattern '1!%[^.]' ESCAPE '!' as a regex", "tsql.tsql_like_regex('1!%[^.]', '!')", "1%[^\\.]", "§3 LIKE (ESCAPE, negated class)"],
  ["LIKE pattern 'a+b(c)' as a regex", "tsql.tsql_like_regex('a+b(c)')", "a\\+b\\(c\\)", "§3 LIKE (metacharacters escaped)"],
  ["FOR XML PATH escaping of 'a&b<c>'", "tsql.tsql_xml_escape('a&b<c>')", "a&amp;b&lt;c&gt;", "§8 FOR XML PATH('') ⚠"],
];

describe("string functions (TSQL-SEMANTICS.md §3)", () => {
  it.each(rows)("%s → %s = %s (%s)", async (_tsql, pg, expected) => {
    expect(await t.value(pg)).toBe(expected);
  });

  it.each([
    ["LEFT('abc', -1) raises", "tsql.tsql_left('abc', -1)", /Invalid length parameter passed to the left function/],
    ["RIGHT('abc', -1) raises", "tsql.tsql_right('abc', -1)", /Invalid length parameter passed to the right function/],
    ["SUBSTRING('abc', 1, -1) raises", "tsql.tsql_substring('abc', 1, -1)", /Invalid length parameter passed to the substring/],
    ["LIKE with a two-character ESCAPE raises", "tsql.tsql_like('a', 'a', '!!')", /invalid escape character/],
    ["LIKE with an unclosed [ is refused", "tsql.tsql_like('a', '[a')", /cannot reproduce/],
    ["STRING_SPLIT with a two-character separator raises", "(SELECT count(*) FROM tsql.tsql_string_split('a,b', ',,'))", /separator/],
  ])("%s (§3)", async (_name, pg, message) => {
    await expect(t.value(pg)).rejects.toThrow(message);
  });

  it("LEFT with a column argument is a plain left() (negative check only fires when negative)", async () => {
    expect(await t.value("(SELECT string_agg(tsql.tsql_left('abcdef', n), ',' ORDER BY n) FROM generate_series(0, 3) n)")).toBe(",a,ab,abc");
  });

  it("STRING_SPLIT('a,,b', ',') gives value and ordinal, empty pieces kept (§3 STRING_SPLIT)", async () => {
    expect(await t.rows("SELECT value, ordinal::int AS ordinal FROM tsql.tsql_string_split('a,,b', ',') ORDER BY ordinal")).toEqual([
      { value: "a", ordinal: 1 },
      { value: "", ordinal: 2 },
      { value: "b", ordinal: 3 },
    ]);
  });
  it("STRING_SPLIT('', ',') is one empty row; STRING_SPLIT(NULL, ',') no rows (§3 STRING_SPLIT)", async () => {
    expect(await t.rows("SELECT value FROM tsql.tsql_string_split('', ',')")).toEqual([{ value: "" }]);
    expect(await t.rows("SELECT value FROM tsql.tsql_string_split(NULL, ',')")).toEqual([]);
  });
  it("STRING_AGG ... WITHIN GROUP (ORDER BY x) follows CI collation order, NULL skipped (§3 STRING_AGG, §2.3)", async () => {
    expect(
      await t.value(
        "(SELECT string_agg(x, ',' ORDER BY tsql.tsql_ci_sort_key(x) NULLS FIRST) FROM (VALUES ('b'), ('A'), (NULL), ('C'), ('a ')) v(x))",
      ),
    ).toMatch(/^(A,a |a ,A),b,C$/);
  });
});
