import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { useRuntimeDb } from "./testdb.ts";

const t = useRuntimeDb({ beforeAll, afterAll });
type Row = [string, string, string | null, string];

const J = `'{"info":{"type":1,"address":{"town":"Bristol","county":"Avon"},"tags":["Sport", "Water polo"]},"type":"Basic","n":1.50,"ok":true,"none":null,"arr":[{"b":1}],"key with space":"x","esc":"a\\"b\\u00e9"}'`;

const rows: Row[] = [
  ["path 'strict $.a.\"b c\"[2]'", `tsql.tsql_json_path('strict $.a."b c"[2]')`, '{strict,k:a,"k:b c",i:2}', "§9 paths (mode, quoted key, index)"],
  ["path '$' (lax default)", "tsql.tsql_json_path('$')", "{lax}", "§9 paths (lax default)"],
  ["ISJSON('{\"a\":1}')", `tsql.tsql_isjson('{"a":1}')`, "1", "§9 ISJSON (object)"],
  ["ISJSON('[1,2]')", "tsql.tsql_isjson('[1,2]')", "1", "§9 ISJSON (array)"],
  ["ISJSON('1')", "tsql.tsql_isjson('1')", "0", "§9 ISJSON (scalar without type → 0)"],
  ["ISJSON('abc')", "tsql.tsql_isjson('abc')", "0", "§9 ISJSON (invalid)"],
  ["ISJSON('')", "tsql.tsql_isjson('')", "0", "§9 ISJSON"],
  ["ISJSON(NULL)", "tsql.tsql_isjson(NULL)", null, "§9 ISJSON (NULL → NULL)"],
  ["ISJSON('{\"a\":1,\"a\":2}') duplicates not checked", `tsql.tsql_isjson('{"a":1,"a":2}')`, "1", "§9 ISJSON"],
  ["ISJSON('1', VALUE)", "tsql.tsql_isjson('1', 'VALUE')", "1", "§9 ISJSON VALUE"],
  ["ISJSON('true', SCALAR)", "tsql.tsql_isjson('true', 'SCALAR')", "0", "§9 ISJSON SCALAR (number or string only)"],
  ["ISJSON('\"s\"', SCALAR)", `tsql.tsql_isjson('"s"', 'SCALAR')`, "1", "§9 ISJSON SCALAR"],
  ["ISJSON('[1]', OBJECT)", "tsql.tsql_isjson('[1]', 'OBJECT')", "0", "§9 ISJSON OBJECT"],
  ["ISJSON('[1]', ARRAY)", "tsql.tsql_isjson('[1]', 'ARRAY')", "1", "§9 ISJSON ARRAY"],
  ["JSON_VALUE(j, '$.info.address.town')", `tsql.tsql_json_value(${J}, '$.info.address.town')`, "Bristol", "§9 JSON_VALUE (MS example)"],
  ["JSON_VALUE(j, '$.info.tags[0]')", `tsql.tsql_json_value(${J}, '$.info.tags[0]')`, "Sport", "§9 JSON_VALUE (array index)"],
  ["JSON_VALUE(j, '$.n') number as written", `tsql.tsql_json_value(${J}, '$.n')`, "1.50", "§9 JSON_VALUE (number text kept)"],
  ["JSON_VALUE(j, '$.ok')", `tsql.tsql_json_value(${J}, '$.ok')`, "true", "§9 JSON_VALUE (boolean)"],
  ["JSON_VALUE(j, '$.none')", `tsql.tsql_json_value(${J}, '$.none')`, null, "§9 JSON_VALUE (null)"],
  ["JSON_VALUE(j, '$.esc') unescaped", `tsql.tsql_json_value(${J}, '$.esc')`, 'a"bé', "§9 JSON_VALUE (string unescaped)"],
  ["JSON_VALUE(j, '$.\"key with space\"')", `tsql.tsql_json_value(${J}, '$."key with space"')`, "x", "§9 paths (quoted key)"],
  ["JSON_VALUE(j, '$.info') object → NULL (lax)", `tsql.tsql_json_value(${J}, '$.info')`, null, "§9 JSON_VALUE lax (object)"],
  ["JSON_VALUE(j, '$.missing') → NULL (lax)", `tsql.tsql_json_value(${J}, 'lax $.missing')`, null, "§9 JSON_VALUE lax (missing)"],
  ["JSON_VALUE(j, '$.arr.b') no array unwrapping", `tsql.tsql_json_value(${J}, '$.arr.b')`, null, "§9 JSON_VALUE (PG lax jsonpath would return 1)"],
  ["JSON_VALUE(j, '$.Type') keys are case-sensitive", `tsql.tsql_json_value(${J}, '$.Type')`, null, "§9 paths (case-sensitive keys)"],
  ["JSON_VALUE(long string) > 4000 → NULL (lax)", `tsql.tsql_json_value('{"s":"' || repeat('x', 4001) || '"}', '$.s')`, null, "§9 JSON_VALUE (4000 characters)"],
  ["JSON_QUERY(j, '$.info.address')", `tsql.tsql_json_query(${J}, '$.info.address')`, '{"town":"Bristol","county":"Avon"}', "§9 JSON_QUERY (original text)"],
  ["JSON_QUERY(j, '$.info.tags') keeps spacing", `tsql.tsql_json_query(${J}, '$.info.tags')`, '["Sport", "Water polo"]', "§9 JSON_QUERY (original text)"],
  ["JSON_QUERY(j, '$.type') scalar → NULL", `tsql.tsql_json_query(${J}, '$.type')`, null, "§9 JSON_QUERY lax (scalar)"],
  ["JSON_QUERY('[1, 2]')", "tsql.tsql_json_query('[1, 2]')", "[1, 2]", "§9 JSON_QUERY (default path $)"],
];

describe("JSON (TSQL-SEMANTICS.md §9)", () => {
  it.each(rows)("%s → %s = %s (%s)", async (_tsql, pg, expected) => {
    expect(await t.value(pg)).toBe(expected);
  });
  it.each([
    ["JSON_VALUE strict missing path raises", `tsql.tsql_json_value(${J}, 'strict $.missing')`, /Property cannot be found/],
    ["JSON_VALUE strict object raises", `tsql.tsql_json_value(${J}, 'strict $.info')`, /Scalar value cannot be found/],
    ["JSON_QUERY strict scalar raises", `tsql.tsql_json_query(${J}, 'strict $.type')`, /Object or array cannot be found/],
    ["JSON_VALUE on invalid JSON raises (lax too)", "tsql.tsql_json_value('{bad', '$.a')", /json/i],
    ["a malformed path raises", `tsql.tsql_json_value(${J}, 'info.type')`, /not properly formatted/],
  ])("%s (§9)", async (_name, pg, message) => {
    await expect(t.value(pg)).rejects.toThrow(message);
  });

  it("OPENJSON(object) default schema: key, value, type in document order, duplicates kept (§9 OPENJSON)", async () => {
    const rs = await t.rows(
      `SELECT key, value, type FROM tsql.tsql_openjson('{"s":"a\\u00e9","n":2.0,"b":false,"z":null,"arr":[1, 2],"o":{"x":1},"s":"dup"}')`,
    );
    expect(rs).toEqual([
      { key: "s", value: "aé", type: 1 },
      { key: "n", value: "2.0", type: 2 },
      { key: "b", value: "false", type: 3 },
      { key: "z", value: null, type: 0 },
      { key: "arr", value: "[1, 2]", type: 4 },
      { key: "o", value: '{"x":1}', type: 5 },
      { key: "s", value: "dup", type: 1 },
    ]);
  });
  it("OPENJSON(array, path): keys are 0-based indexes (§9 OPENJSON)", async () => {
    const rs = await t.rows(`SELECT key, value, type FROM tsql.tsql_openjson(${J}, '$.info.tags')`);
    expect(rs).toEqual([
      { key: "0", value: "Sport", type: 1 },
      { key: "1", value: "Water polo", type: 1 },
    ]);
  });
  it("OPENJSON lax missing path and NULL input give no rows; strict raises (§9 OPENJSON)", async () => {
    expect(await t.rows(`SELECT * FROM tsql.tsql_openjson(${J}, '$.missing')`)).toEqual([]);
    expect(await t.rows(`SELECT * FROM tsql.tsql_openjson(NULL)`)).toEqual([]);
    await expect(t.rows(`SELECT * FROM tsql.tsql_openjson(${J}, 'strict $.missing')`)).rejects.toThrow(/Property cannot be found/);
  });
  it("OPENJSON with CROSS APPLY becomes CROSS JOIN LATERAL (§9, §8 APPLY)", async () => {
    const rs = await t.rows(
      `SELECT d.id, o.value FROM (VALUES (1, '["a","b"]'), (2, '[]'), (3, '["c"]')) d(id, j) CROSS JOIN LATERAL tsql.tsql_openjson(d.j) o ORDER BY d.id, o.key`,
    );
    expect(rs).toEqual([
      { id: 1, value: "a" },
      { id: 1, value: "b" },
      { id: 3, value: "c" },
    ]);
  });
});
