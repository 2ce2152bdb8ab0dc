import { describe, expect, it } from "vitest";
import { one } from "./test-support.ts";

describe("INSERT", () => {
  it.each([
    ["INSERT INTO dbo.t (a, b) VALUES (1, 'x'), (2, DEFAULT)", { target: { name: { name: { value: "t" } } }, columns: [{ value: "a" }, { value: "b" }], source: { kind: "Values", rows: [[{}, {}], [{}, { kind: "DefaultValue" }]] } }],
    ["INSERT t SELECT * FROM u", { source: { kind: "Query", query: { kind: "Select" } } }],
    ["INSERT INTO t EXEC dbo.p 1", { source: { kind: "ExecSource", exec: { kind: "Exec", upperName: "P" } } }],
    ["INSERT INTO t DEFAULT VALUES", { source: { kind: "DefaultValues" } }],
    ["INSERT INTO t (a) OUTPUT inserted.id, inserted.a INTO @ids (id, a) VALUES (1)", { output: { columns: [{}, {}], into: { kind: "Variable", name: "@ids" }, intoColumns: [{}, {}] } }],
    ["INSERT TOP (5) INTO t WITH (TABLOCK) SELECT a FROM u", { top: {}, target: { hints: [{ name: "TABLOCK" }] } }],
    ["INSERT INTO @tv VALUES (1)", { target: { kind: "VariableTableRef" } }],
    ["WITH c AS (SELECT 1 x) INSERT INTO t (x) SELECT x FROM c", { with: { ctes: [{}] }, source: { kind: "Query" } }],
  ])("%s", (sql, want) => {
    expect(one(sql)).toMatchObject({ kind: "Insert", ...want });
  });
});

describe("UPDATE and DELETE", () => {
  it.each([
    ["UPDATE t SET a = 1, b += 2, @v = c = c + 1 WHERE id = 3", { kind: "Update", set: [{ target: { name: { value: "a" } }, op: "=" }, { op: "+=" }, { variable: { name: "@v" }, target: { name: { value: "c" } } }], where: {} }],
    ["UPDATE x SET x.a = y.b FROM dbo.t x INNER JOIN y ON y.id = x.id", { kind: "Update", target: { name: { name: { value: "x" } } }, from: [{ kind: "Join" }] }],
    ["UPDATE TOP (10) t SET a = DEFAULT OUTPUT deleted.a, inserted.a", { kind: "Update", top: {}, outputResult: { columns: [{}, {}] } }],
    ["UPDATE t SET doc.modify('delete /a') WHERE 1 = 1", { kind: "Update", set: [{ method: true, value: { kind: "MethodCall", method: { value: "modify" } } }] }],
    ["UPDATE t SET c.WRITE(N'x', 0, 1)", { kind: "Update", set: [{ method: true, value: { method: { value: "WRITE" } } }] }],
    ["UPDATE t SET a = 1 WHERE CURRENT OF cur", { kind: "Update", currentOf: "cur" }],
    ["DELETE FROM t WHERE a IN (SELECT a FROM u)", { kind: "Delete", target: { name: { name: { value: "t" } } }, where: { kind: "InSubquery" } }],
    ["DELETE t FROM t JOIN u ON u.id = t.id", { kind: "Delete", from: [{ kind: "Join" }] }],
    ["DELETE TOP (100) FROM t OUTPUT deleted.* INTO archive", { kind: "Delete", top: {}, output: { into: { name: { value: "archive" } } } }],
    ["TRUNCATE TABLE dbo.t", { kind: "Truncate", table: { schema: { value: "dbo" } } }],
    ["BULK INSERT dbo.t FROM 'c:\\data\\t.csv' WITH (FIELDTERMINATOR = ',', FIRSTROW = 2)", { kind: "BulkInsert", from: "c:\\data\\t.csv", options: [{ name: "FIELDTERMINATOR", value: "','" }, { name: "FIRSTROW", value: "2" }] }],
  ])("%s", (sql, want) => {
    expect(one(sql)).toMatchObject(want);
  });
});

describe("MERGE", () => {
  it("every WHEN form and OUTPUT", () => {
    const m = one(`MERGE INTO dbo.Target WITH (HOLDLOCK) AS t
      USING (SELECT id, v FROM src) AS s ON t.id = s.id
      WHEN MATCHED AND t.v <> s.v THEN UPDATE SET t.v = s.v
      WHEN NOT MATCHED BY TARGET THEN INSERT (id, v) VALUES (s.id, s.v)
      WHEN NOT MATCHED BY SOURCE THEN DELETE
      OUTPUT $action, inserted.id, deleted.id INTO @log;`);
    expect(m).toMatchObject({
      kind: "Merge",
      target: { kind: "TableRef", alias: { value: "t" }, hints: [{ name: "HOLDLOCK" }] },
      using: { kind: "DerivedTable", alias: { value: "s" } },
      on: { kind: "Binary", op: "=" },
      whens: [
        { match: "MATCHED", condition: { op: "<>" }, action: { kind: "MergeUpdate", set: [{}] } },
        { match: "NOT MATCHED BY TARGET", action: { kind: "MergeInsert", columns: [{}, {}], values: [{}, {}] } },
        { match: "NOT MATCHED BY SOURCE", action: { kind: "MergeDelete" } },
      ],
      output: { columns: [{ expr: { kind: "PseudoColumn", name: "$ACTION" } }, {}, {}], into: { name: "@log" } },
    });
  });
  it("WHEN NOT MATCHED without BY, DEFAULT VALUES", () => {
    expect(one("MERGE t USING s ON t.id = s.id WHEN NOT MATCHED THEN INSERT DEFAULT VALUES;")).toMatchObject({
      whens: [{ match: "NOT MATCHED BY TARGET", action: { kind: "MergeInsert", defaultValues: true } }],
    });
  });
  it("composable DML as a table source", () => {
    const s = one("INSERT INTO log (a) SELECT a FROM (MERGE t USING s ON t.id = s.id WHEN MATCHED THEN DELETE OUTPUT deleted.a) AS x (a)");
    expect(s).toMatchObject({ kind: "Insert", source: { query: { from: [{ kind: "DmlTable", statement: { kind: "Merge" }, alias: { value: "x" } }] } } });
  });
});
