import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { incrementalStatements } from "./incremental.ts";
import { openSqlSession, type SqlSession } from "./test-sql.ts";

describe("incrementalStatements", () => {
  it.each([
    [undefined, undefined, "append"],
    ["id", undefined, "delete+insert"],
    ["id", "merge", "merge"],
    [["a", "b"], "append", "append"],
  ] as const)("unique_key %j, strategy %s → %s (dbt-postgres default)", (uniqueKey, strategy, expected) => {
    const plan = incrementalStatements({ target: { schema: "s", identifier: "m" }, sql: "select 1 as id", targetColumns: [{ name: "id" }], ...(uniqueKey ? { uniqueKey: [...([] as string[]).concat(uniqueKey)] } : {}), ...(strategy ? { strategy } : {}) });
    expect(plan.strategy).toBe(expected);
    expect(plan.statements[0]).toBe('create temporary table "m__dbt_tmp" as (\nselect 1 as id\n)');
  });
  it("refuses strategies dbt-postgres lacks", () => {
    const plan = incrementalStatements({ target: { schema: "s", identifier: "m" }, sql: "select 1", targetColumns: [], strategy: "insert_overwrite" });
    expect(plan.statements).toEqual([]);
    expect(plan.diagnostics[0]!.code).toBe("DBT3013");
  });
});

describe("incremental runs on Postgres", () => {
  let session: SqlSession;
  const rows = async (table: string) => session.query<{ id: number; v: string }>(`select * from "${session.schema}"."${table}" order by id`);
  beforeAll(async () => {
    session = await openSqlSession();
    await session.query(`create table "${session.schema}".src (id int, v text); insert into "${session.schema}".src values (1, 'a'), (2, 'b');`);
  });
  afterAll(async () => session?.close());

  const run = async (table: string, opts: { uniqueKey?: string; strategy?: string; onSchemaChange?: string; extraColumn?: boolean }) => {
    const s = session.schema;
    const select = `select id, v${opts.extraColumn ? ", 'x' as w" : ""} from "${s}".src`;
    await session.query(`drop table if exists "${s}"."${table}"; create table "${s}"."${table}" as (select id, v from "${s}".src where id = 1)`);
    await session.query(`update "${s}".src set v = 'changed' where id = 1`);
    const plan = incrementalStatements({
      target: { schema: s, identifier: table },
      sql: select,
      targetColumns: [{ name: "id", type: "integer" }, { name: "v", type: "text" }],
      sourceColumns: [{ name: "id", type: "integer" }, { name: "v", type: "text" }, ...(opts.extraColumn ? [{ name: "w", type: "text" }] : [])],
      ...(opts.uniqueKey ? { uniqueKey: opts.uniqueKey } : {}),
      ...(opts.strategy ? { strategy: opts.strategy } : {}),
      ...(opts.onSchemaChange ? { onSchemaChange: opts.onSchemaChange } : {}),
    });
    for (const stmt of plan.statements) await session.query(stmt);
    await session.query(`update "${s}".src set v = 'a' where id = 1`);
    return plan;
  };

  it("append adds every new row (the old version of row 1 stays)", async () => {
    await run("m_append", {});
    expect(await rows("m_append")).toEqual([{ id: 1, v: "a" }, { id: 1, v: "changed" }, { id: 2, v: "b" }]);
  });
  it("delete+insert replaces rows by unique key", async () => {
    await run("m_delins", { uniqueKey: "id" });
    expect(await rows("m_delins")).toEqual([{ id: 1, v: "changed" }, { id: 2, v: "b" }]);
  });
  it("merge updates matched rows and inserts the others", async () => {
    await run("m_merge", { uniqueKey: "id", strategy: "merge" });
    expect(await rows("m_merge")).toEqual([{ id: 1, v: "changed" }, { id: 2, v: "b" }]);
  });
  it("append_new_columns adds the new column", async () => {
    await run("m_newcol", { uniqueKey: "id", onSchemaChange: "append_new_columns", extraColumn: true });
    const r = await session.query<{ id: number; w: string | null }>(`select id, w from "${session.schema}".m_newcol order by id`);
    expect(r).toEqual([{ id: 1, w: "x" }, { id: 2, w: "x" }]);
  });
  it("fail stops with DBT3014 when the columns changed", async () => {
    const plan = await run("m_fail", { uniqueKey: "id", onSchemaChange: "fail", extraColumn: true });
    expect(plan.diagnostics.map((d) => d.code)).toEqual(["DBT3014"]);
  });
});
