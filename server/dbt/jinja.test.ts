// The renderer against dbt's documented semantics, one construct per row.
import { describe, expect, it } from "vitest";
import { DbtRelation, injectEphemeralCtes, parseMacros, renderModelSql, type RenderContext } from "./jinja.ts";

const macros = parseMacros([
  {
    path: "macros/tsql/money.sql",
    content: [
      "{% macro cents_to_units(column, scale=2) -%}",
      "    ({{ column }} / 100)::numeric(16, {{ scale }})",
      "{%- endmacro %}",
      "",
      "{% macro tsql_len(expr) %}length(rtrim({{ expr }})){% endmacro %}",
      "{% macro twice(x) %}{{ return(x * 2) }}{% endmacro %}",
      "{% macro uses_other(x) %}{{ tsql_len(x) }}{% endmacro %}",
      "{% macro broken() %}",
      "select",
      "  {{ no_such_function() }}",
      "{% endmacro %}",
      "{% macro schema_of_this() %}{{ this.schema }}{% endmacro %}",
      "{% macro with_do() %}{% set xs = [] %}{% do xs.append(1) %}{{ xs | length }}{% endmacro %}",
    ].join("\n"),
  },
]);

function ctx(over: Partial<RenderContext> = {}): RenderContext {
  return {
    file: "models/marts/m.sql",
    model: { name: "m", materialized: "table" },
    resolveRef: (model, pkg) => {
      if (pkg !== undefined && pkg !== "shop") return undefined;
      if (model === "eph") return { kind: "ephemeral", name: "eph" };
      if (["orders", "customers"].includes(model)) return { schema: "scratch", identifier: model };
      return undefined;
    },
    resolveSource: (s, t) => (s === "sales" && t === "customer" ? { schema: "Sales", identifier: "Customer" } : undefined),
    this: { schema: "scratch", identifier: "m" },
    vars: { country: "NL", limit: 10 },
    env: { DBT_SCHEMA: "analytics" },
    target: { name: "dev", schema: "scratch", type: "postgres" },
    macros,
    ...over,
  };
}

describe("constructs render as dbt renders them", () => {
  it.each<[string, string, string, Partial<RenderContext>?]>([
    ["ref renders a quoted relation", "select * from {{ ref('orders') }}", 'select * from "scratch"."orders"'],
    ["two-argument ref (package, model)", "{{ ref('shop', 'orders') }}", '"scratch"."orders"'],
    ["ref with double quotes", '{{ ref("customers") }}', '"scratch"."customers"'],
    ["ref with a database", "{{ ref('orders') }}", '"db"."scratch"."orders"', { resolveRef: () => ({ database: "db", schema: "scratch", identifier: "orders" }) }],
    ["ref attributes", "{{ ref('orders').schema }}.{{ ref('orders').identifier }}.{{ ref('orders').name }}", "scratch.orders.orders"],
    ["relation include(database=false)", "{{ ref('orders').include(database=false) }}", '"scratch"."orders"', { resolveRef: () => ({ database: "db", schema: "scratch", identifier: "orders" }) }],
    ["ephemeral ref becomes dbt's CTE name", "select * from {{ ref('eph') }}", "select * from __dbt__cte__eph"],
    ["source renders a quoted relation", "{{ source('sales', 'customer') }}", '"Sales"."Customer"'],
    ["config renders an empty string", "{{ config(materialized='incremental') }}select 1", "select 1"],
    ["var from the project", "{{ var('country') }}", "NL"],
    ["var falls back to its default", "{{ var('missing', 'fallback') }}", "fallback"],
    ["var default as keyword", "{{ var('missing', default=3) }}", "3"],
    ["cli vars override project vars", "{{ var('country') }}", "BE", { cliVars: { country: "BE" } }],
    ["var value used in an expression", "{{ var('limit') + 1 }}", "11"],
    ["is_incremental() is false on the first run", "{% if is_incremental() %}inc{% else %}full{% endif %}", "full", { model: { name: "m", materialized: "incremental" } }],
    ["is_incremental() on a later run", "{% if is_incremental() %}inc{% else %}full{% endif %}", "inc", { model: { name: "m", materialized: "incremental" }, isIncremental: true }],
    ["is_incremental() false for a table model even when the table exists", "{% if is_incremental() %}inc{% else %}full{% endif %}", "full", { isIncremental: true }],
    ["is_incremental() false on a full refresh", "{% if is_incremental() %}inc{% else %}full{% endif %}", "full", { model: { name: "m", materialized: "incremental" }, isIncremental: true, fullRefresh: true }],
    [
      "config(materialized='incremental') in the SQL makes is_incremental() true",
      "{{ config(materialized='incremental') }}{% if is_incremental() %}inc{% endif %}",
      "inc",
      { isIncremental: true },
    ],
    ["this", "select max(id) from {{ this }}", 'select max(id) from "scratch"."m"'],
    ["env_var set", "{{ env_var('DBT_SCHEMA') }}", "analytics"],
    ["env_var default", "{{ env_var('NOT_SET', 'x') }}", "x"],
    ["target", "{{ target.name }}/{{ target.schema }}/{{ target.type }}", "dev/scratch/postgres"],
    ["our macro with a default argument", "select {{ cents_to_units('amount') }}", "select (amount / 100)::numeric(16, 2)"],
    ["our macro with a keyword argument", "{{ cents_to_units('amount', scale=4) }}", "(amount / 100)::numeric(16, 4)"],
    ["macro calling a macro", "{{ uses_other('name') }}", "length(rtrim(name))"],
    ["return() gives the macro's value", "{{ twice(21) }}", "42"],
    ["macro sees this", "{{ schema_of_this() }}", "scratch"],
    ["do statement", "{{ with_do() }}", "1"],
    ["adapter.quote", "{{ adapter.quote('Order') }}", '"Order"'],
    ["Python-style constants", "{{ True }} {{ 1 if None is none else 2 }}", "True 1"],
    ["booleans and none print as Python does", "{{ true }} {{ false }} {{ none }}", "True False None"],
    ["lists and dicts print as Python reprs", "{{ ['a', 1, \"it's\"] }} {{ {'k': 'v'} }}", "['a', 1, \"it's\"] {'k': 'v'}"],
    ["indexing strings and lists, negative too", "{{ 'abc'[0] }}{{ ['x', 'y'][-1] }}", "ay"],
    ["str.upper / lower / strip", "{{ ' Ab '.strip().upper() }}{{ 'X'.lower() }}", "ABx"],
    ["str.replace replaces every occurrence (Python)", "{{ 'a-b-c'.replace('-', '_') }}", "a_b_c"],
    ["str.split() on whitespace, str.join", "{{ '-'.join('a  b c'.split()) }}", "a-b-c"],
    ["str.startswith / endswith", "{{ 'stg_x'.startswith('stg_') }} {{ 'x.sql'.endswith('.csv') }}", "True False"],
    ["list.append in a do statement", "{% set cols = [] %}{% do cols.append('a') %}{% do cols.append('b') %}{{ cols | join(', ') }}", "a, b"],
    ["dict.items in a for loop", "{% for k, v in {'a': 1, 'b': 2}.items() %}{{ k }}={{ v }};{% endfor %}", "a=1;b=2;"],
    ["dict.get with default", "{{ {'a': 1}.get('b', 'none here') }}", "none here"],
    ["comments and whitespace control", "select 1 {#- comment -#}  as x", "select 1as x"],
    ["one final newline is dropped, like Jinja's default", "select 1\n", "select 1"],
    ["as_number filter", "{{ '5' | as_number + 1 }}", "6"],
  ])("%s", (_label, sql, expected, over) => {
    const r = renderModelSql(sql, ctx(over));
    expect(r.diagnostics).toEqual([]);
    expect(r.ok).toBe(true);
    expect(r.sql).toBe(expected);
  });
});

describe("what rendering records", () => {
  it("config() calls, merged", () => {
    const r = renderModelSql("{{ config(materialized='incremental', unique_key='id') }}{{ config(on_schema_change='fail') }}select 1", ctx());
    expect(r.config).toEqual({ materialized: "incremental", unique_key: "id", on_schema_change: "fail" });
  });
  it("config() with a dict", () => expect(renderModelSql("{{ config({'materialized': 'view'}) }}", ctx()).config).toEqual({ materialized: "view" }));
  it("config.get reads what was set", () => expect(renderModelSql("{{ config(alias='x') }}{{ config.get('alias') }}|{{ config.get('nope', 'd') }}", ctx()).sql).toBe("x|d"));
  it("refs, sources, ephemeral models, vars and env vars used", () => {
    const r = renderModelSql("{{ ref('orders') }} {{ ref('shop', 'customers') }} {{ ref('eph') }} {{ source('sales', 'customer') }} {{ var('country') }} {{ env_var('DBT_SCHEMA') }}", ctx());
    expect(r.refs).toEqual([{ model: "orders" }, { model: "customers", package: "shop" }, { model: "eph" }]);
    expect(r.sources).toEqual([{ source: "sales", table: "customer" }]);
    expect(r.ephemeral).toEqual(["eph"]);
    expect(r.vars).toEqual(["country"]);
    expect(r.envVars).toEqual(["DBT_SCHEMA"]);
  });
});

describe("anything outside the subset is a diagnostic, never silent", () => {
  it.each([
    ["a missing var without default (dbt: compilation error)", "select {{ var('nope') }}", "DBT3004", 1, "Required var 'nope' not found"],
    ["a ref to an unknown model", "select 1\nfrom {{ ref('nope') }}", "DBT3002", 2, "depends on a node named 'nope' which was not found"],
    ["a ref into another package", "{{ ref('other_pkg', 'orders') }}", "DBT3002", 1, "other_pkg.orders"],
    ["a source that is not declared", "{{ source('sales', 'nope') }}", "DBT3003", 1, "source named 'sales.nope'"],
    ["a missing env var", "{{ env_var('NOPE') }}", "DBT3005", 1, "Env var required but not provided: 'NOPE'"],
    ["an env var whose default is none (dbt treats it as no default)", "{{ env_var('NOPE', none) }}", "DBT3005", 1, "NOPE"],
    ["a secret env var in a model", "{{ env_var('DBT_ENV_SECRET_PW', 'x') }}", "DBT3005", 1, "Secret env vars"],
    ["a package macro", "select 1,\n  {{ dbt_utils.star(ref('orders')) }}", "DBT3001", 2, "dbt_utils.star"],
    ["adapter.dispatch", "{{ adapter.dispatch('x')() }}", "DBT3001", 1, "adapter.dispatch"],
    ["an unknown function", "\n\n{{ frobnicate() }}", "DBT3001", 3, "frobnicate"],
    ["an undefined variable", "select {{ nope }}", "DBT3001", 1, "'nope'"],
    ["an undefined variable in a concatenation", "select\n{{ 'a' ~ nope }}", "DBT3001", 2, "joined with ~"],
    ["an unknown filter", "{{ 'x' | nosuch }}", "DBT3001", 1, "nosuch"],
    ["an unknown tag", "{% call statement('x') %}select 1{% endcall %}", "DBT3001", 1, "statement"],
    ["loop controls (jinja2 extension)", "{% for i in [1] %}{% break %}{% endfor %}", "DBT3001", 1, "break"],
    ["versioned ref", "{{ ref('orders', v=2) }}", "DBT3001", 1, "versioned"],
    ["a syntax error", "select 1\n{% if %}", "DBT3006", 2, "Jinja error"],
    ["raise_compiler_error", "{{ exceptions.raise_compiler_error('stop here') }}", "DBT3010", 1, "stop here"],
    ["an error inside a macro points into the macro file", "{{ broken() }}", "DBT3001", 10, "in macro 'broken'"],
    ["prototype access", "{{ range.constructor('return process')() }}", "DBT3009", 1, "constructor"],
    ["prototype access through a computed name", "{% set k = 'constr' ~ 'uctor' %}{{ range[k] }}", "DBT3009", 1, "constructor"],
    ["__proto__", "{{ target.__proto__ }}", "DBT3009", 1, "__proto__"],
    ["a tuple (nunjucks would read it as its last element)", "select 1\n{% if 'a' in ('a', 'b') %}x{% endif %}", "DBT3001", 2, "tuple"],
    ["a slice (not supported by nunjucks)", "{{ 'abc'[1:] }}", "DBT3006", 1, "Jinja error"],
    ["a JavaScript-only method (not in Jinja)", "{% set xs = [] %}{% do xs.push(1) %}", "DBT3001", 1, "xs.push"],
    ["a JavaScript-only property (not in Jinja)", "{{ 'abc'.length }}", "DBT3001", 1, "undefined"],
  ])("%s", (_label, sql, code, line, text) => {
    const r = renderModelSql(sql, ctx());
    expect(r.ok).toBe(false);
    expect(r.sql).toBe("");
    const d = r.diagnostics.find((x) => x.code === code);
    expect(d, JSON.stringify(r.diagnostics)).toBeDefined();
    expect(d!.severity).toBe("error");
    expect(d!.line).toBe(line);
    expect(d!.message).toContain(text);
  });
  it("names the macro file for errors inside macros", () => {
    const d = renderModelSql("{{ broken() }}", ctx()).diagnostics[0]!;
    expect(d.file).toBe("macros/tsql/money.sql");
  });
  it("exceptions.warn is a warning and rendering goes on", () => {
    const r = renderModelSql("{{ exceptions.warn('careful') }}select 1", ctx());
    expect(r.ok).toBe(true);
    expect(r.sql).toBe("select 1");
    expect(r.diagnostics).toMatchObject([{ code: "DBT3011", severity: "warning", message: "careful" }]);
  });
});

describe("parseMacros", () => {
  it("finds macros with their parameters and body line", () => {
    const m = macros.macros.get("cents_to_units")!;
    expect(m.params).toEqual([{ name: "column" }, { name: "scale", default: "2" }]);
    expect(m.bodyLine).toBe(2);
    expect(m.file).toBe("macros/tsql/money.sql");
  });
  it("collects generic tests separately", () => {
    const lib = parseMacros([{ path: "tests/generic/t.sql", content: "{% test positive(model, column_name) %}select * from {{ model }} where {{ column_name }} <= 0{% endtest %}" }]);
    expect([...lib.tests.keys()]).toEqual(["positive"]);
    expect(lib.macros.size).toBe(0);
  });
  it.each([
    ["a duplicate macro", "{% macro a() %}1{% endmacro %}{% macro a() %}2{% endmacro %}", "error"],
    ["a materialization", "{% materialization custom, default %}x{% endmaterialization %}", "warning"],
    ["a macro named like a built-in", "{% macro ref(x) %}x{% endmacro %}", "warning"],
  ])("reports %s", (_label, content, severity) => {
    const lib = parseMacros([{ path: "macros/x.sql", content }]);
    expect(lib.diagnostics).toMatchObject([{ code: "DBT3007", severity }]);
  });
});

describe("injectEphemeralCtes (dbt's _inject_ctes_into_sql)", () => {
  const cte = [{ name: "e", sql: "select 1 as x" }];
  it.each([
    ["no WITH: a new one in front", "select * from __dbt__cte__e", "with __dbt__cte__e as (\nselect 1 as x\n) select * from __dbt__cte__e"],
    ["an existing WITH: prepended to its list", "with a as (select 2) select * from a", "with __dbt__cte__e as (\nselect 1 as x\n),  a as (select 2) select * from a"],
    ["WITH RECURSIVE: after RECURSIVE", "WITH RECURSIVE r as (select 1) select * from r", "WITH RECURSIVE __dbt__cte__e as (\nselect 1 as x\n),  r as (select 1) select * from r"],
    ["a leading comment: the new WITH goes before it (sqlparse's token_first keeps comments)", "-- note\nselect 1", "with __dbt__cte__e as (\nselect 1 as x\n) -- note\nselect 1"],
    ["a comment before an existing WITH", "/* c */ with a as (select 2) select 1", "/* c */ with __dbt__cte__e as (\nselect 1 as x\n),  a as (select 2) select 1"],
    ["a column named with_x is not a WITH", "select with_x from t", "with __dbt__cte__e as (\nselect 1 as x\n) select with_x from t"],
  ])("%s", (_label, sql, expected) => expect(injectEphemeralCtes(sql, cte)).toBe(expected));
  it("does nothing without CTEs", () => expect(injectEphemeralCtes("select 1", [])).toBe("select 1"));
});

describe("DbtRelation", () => {
  it.each([
    [new DbtRelation("db", "s", "t"), '"db"."s"."t"'],
    [new DbtRelation(undefined, "s", "t"), '"s"."t"'],
    [new DbtRelation(undefined, "s", 'we"ird'), '"s"."we""ird"'],
    [new DbtRelation("db", "s", "t").include(false, false), '"t"'],
  ])("%s", (r, text) => expect(String(r)).toBe(text));
});
