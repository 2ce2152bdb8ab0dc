// Differential test: the same templates rendered by our nunjucks-based renderer and by Python's
// Jinja2 (the engine dbt uses), with the same dbt-like context, must give byte-identical SQL.
// Runs when python3 with jinja2 is available and says so when it is not.
import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { DBT_BUILTIN_TESTS } from "./compile.ts";
import { parseMacros, renderModelSql } from "./jinja.ts";
import { GENERIC_TEST_FILES } from "./render.ts";

const probe = spawnSync("python3", ["-c", "import jinja2; print(jinja2.__version__)"], { encoding: "utf8" });
const jinja2Version = probe.status === 0 ? probe.stdout.trim() : undefined;
if (!jinja2Version) console.warn("jinja.jinja2-diff.test.ts: python3 with jinja2 not found; the differential test is skipped");

interface Case {
  name: string;
  template: string;
  vars?: Record<string, unknown>;
  env?: Record<string, string>;
  materialized?: string;
  incremental?: boolean;
  macros?: string;
}

const MACROS = `{% macro cents(col, scale=2) -%}
    ({{ col }} / 100)::numeric(16, {{ scale }})
{%- endmacro %}

{% macro tsql_len(expr) %}length(rtrim({{ expr }})){% endmacro %}

{% macro select_list(cols, prefix='') -%}
{%- for c in cols %}{{ prefix }}{{ c }}{% if not loop.last %}, {% endif %}{% endfor -%}
{%- endmacro %}

{% macro uses_len(x) %}{{ tsql_len(x) }} > 0{% endmacro %}
`;

// dbt's generic tests and ours, as dbt's TestExtension turns {% test x %} into a macro test_x.
const TESTS = [DBT_BUILTIN_TESTS, ...Object.values(GENERIC_TEST_FILES).map((f) => f.content)].join("\n");
const TESTS_AS_MACROS = TESTS.replace(/\{%(-?)\s*test\s+/g, "{%$1 macro test_").replace(/\{%(-?)\s*endtest\s*(-?)%\}/g, "{%$1 endmacro $2%}");

const cases: Case[] = [
  { name: "dbt's unique test", template: "{{ test_unique(model='\"s\".\"t\"', column_name='id') }}", macros: TESTS },
  { name: "dbt's not_null test", template: "{{ test_not_null(model='\"s\".\"t\"', column_name='id') }}", macros: TESTS },
  { name: "dbt's accepted_values test", template: "{{ test_accepted_values(model='t', column_name='status', values=['a', 'b', 'c']) }}", macros: TESTS },
  { name: "dbt's accepted_values test, unquoted", template: "{{ test_accepted_values(model='t', column_name='n', values=[1, 2], quote=false) }}", macros: TESTS },
  { name: "dbt's relationships test", template: "{{ test_relationships(model='c', column_name='pid', to='p', field='id') }}", macros: TESTS },
  { name: "dbt's test wrapper", template: "{{ get_test_sql(main_sql='select 1', fail_calc='count(*)', warn_if='!= 0', error_if='!= 0', limit=none) }}", macros: TESTS },
  { name: "our composite-key test", template: "{{ test_datamigrate_unique_combination(model='t', combination_of_columns=['a', 'b']) }}", macros: TESTS },
  { name: "our CHECK test", template: "{{ test_datamigrate_expression_is_true(model='t', expression='x > 0') }}", macros: TESTS },
  { name: "ref", template: "select * from {{ ref('orders') }}" },
  { name: "ref with package", template: "select * from {{ ref('shop', 'orders') }}" },
  { name: "source", template: "select * from {{ source('sales', 'customer') }}" },
  { name: "this and its parts", template: "{{ this }} {{ this.schema }} {{ this.identifier }} {{ this.name }}" },
  { name: "config renders nothing", template: "{{ config(materialized='table', unique_key='id') }}select 1" },
  { name: "is_incremental on a later run", template: "{{ config(materialized='incremental') }}{% if is_incremental() %}inc{% else %}full{% endif %}", incremental: true },
  { name: "is_incremental on the first run", template: "{{ config(materialized='incremental') }}{% if is_incremental() %}inc{% else %}full{% endif %}" },
  { name: "is_incremental of a table model", template: "{% if is_incremental() %}inc{% else %}full{% endif %}", incremental: true, materialized: "table" },
  { name: "var and defaults", template: "{{ var('n') }} {{ var('missing', 'd') }} {{ var('flag', false) }} {{ var('nothing', none) }}", vars: { n: 3 } },
  { name: "var in a condition", template: "{% if var('flag', false) %}y{% else %}n{% endif %}" },
  { name: "env_var", template: "{{ env_var('DM_SET') }} {{ env_var('DM_UNSET', 'fallback') }}", env: { DM_SET: "value" } },
  { name: "target", template: "{{ target.name }}.{{ target.schema }}.{{ target.type }}" },
  { name: "adapter.quote", template: "select {{ adapter.quote('Order') }}" },
  {
    name: "whitespace control in a column list",
    template: "select\n  {%- for c in ['a', 'b'] %}\n  {{ c }}{{ ',' if not loop.last }}\n  {%- endfor %}\nfrom t\n",
  },
  { name: "set and join", template: "{%- set cols = ['a', 'b', 'c'] -%}\nselect {{ cols | join(', ') }}" },
  { name: "loop variables", template: "{% for c in ['x', 'y', 'z'] %}{{ loop.index }}{{ loop.index0 }}{{ loop.first }}{{ loop.last }}{{ loop.length }}:{{ c }};{% endfor %}" },
  { name: "printing lists, None, booleans", template: "{{ [1, 'a', none, true, false] }} {{ none }} {{ true }}" },
  { name: "printing a dict", template: "{{ {'a': 1, 'b': 'x'} }}" },
  { name: "printing a string with a quote in a list", template: "{{ [\"it's\", 'q\"'] }}" },
  { name: "string methods", template: "{{ 'A b'.lower().replace(' ', '_') }} {{ ' x '.strip() }} {{ 'a,b'.split(',') }} {{ 'abc'.upper() }} {{ 'xxaxx'.strip('x') }}" },
  { name: "split on whitespace", template: "{{ 'a  b\tc'.split() }}" },
  { name: "list methods in do", template: "{% set xs = [] %}{% do xs.append(1) %}{% do xs.extend([2, 3]) %}{% do xs.insert(0, 0) %}{{ xs }} {{ xs.pop() }} {{ xs }}" },
  { name: "raw block", template: "{% raw %}{{ not rendered }} {% if %}{% endraw %}" },
  { name: "comments and trimming", template: "{# comment #}select 1 {#- trimmed -#}  as x" },
  { name: "integer arithmetic", template: "{{ 7 // 2 }} {{ 7 % 3 }} {{ 2 ** 10 }} {{ -3 }} {{ 3 / 2 }} {{ 1 + 2 * 3 }}" },
  { name: "comparisons and logic", template: "{{ 1 == 1 }} {{ 1 > 2 }} {{ not none }} {{ true and false }} {{ true or false }} {{ 'x' in 'xyz' }} {{ 2 in [1, 2] }}" },
  { name: "filters", template: "{{ 'x' | upper }} {{ '  y ' | trim }} {{ 'a-b' | replace('-', '+') }} {{ [3, 1, 2] | sort | join(',') }} {{ [1, 2] | length }} {{ 'abc' | length }}" },
  { name: "default filter", template: "{{ missing | default('d') }} {{ none | default('d') }} {{ '' | default('e', true) }}" },
  { name: "first and last", template: "{{ [1, 2, 3] | first }} {{ [1, 2, 3] | last }} {{ [] | join(',') }}|" },
  { name: "is defined", template: "{% if missing is defined %}a{% else %}b{% endif %}{% if target is defined %}c{% endif %}" },
  { name: "block set", template: "{% set x %}inner {{ 1 }}{% endset %}[{{ x | trim }}]" },
  { name: "dict items and get", template: "{% for k, v in {'a': 1, 'b': 2}.items() %}{{ k }}={{ v }};{% endfor %} {{ {'a': 1}.get('b', 'z') }} {{ {'a': 1}.get('a') }}" },
  { name: "dict access", template: "{% set d = {'k': 'v'} %}{{ d.k }} {{ d['k'] }}" },
  { name: "range", template: "{% for i in range(1, 4) %}{{ i }}{% endfor %} {{ range(3) | list }}" },
  { name: "startswith and endswith", template: "{{ 'stg_x'.startswith('stg_') }} {{ 'x.sql'.endswith('.csv') }}" },
  { name: "inline if", template: "{{ 1 if true else 2 }} {{ 'x' if false }}|" },
  { name: "concatenation", template: "{{ 'a' ~ 'b' ~ 1 }} {{ 'x' ~ none ~ true ~ [1, 'y'] }} {{ ref('orders') ~ '_suffix' }}" },
  { name: "nested loops", template: "{% for a in [1, 2] %}{% for b in ['x', 'y'] %}{{ a }}{{ b }}{% if not loop.last %},{% endif %}{% endfor %};{% endfor %}" },
  { name: "trailing newline dropped once", template: "select 1\n\n" },
  { name: "CRLF line breaks", template: "select 1\r\n{% if true %}\r\nx\r\n{% endif %}\r\n" },
  { name: "a macro's trailing newline is output", template: "{{ tsql_len('x') }}|{{ cents('a') }}|", macros: MACROS },
  { name: "is none test", template: "{% if x is none %}none{% endif %}{% set x = none %}{% if x is none %}!{% endif %}" },
  { name: "macro with default and keyword", template: "select {{ cents('amount') }}, {{ cents('x', scale=4) }}", macros: MACROS },
  { name: "macro with a loop and whitespace control", template: "select {{ select_list(['a', 'b'], prefix='t.') }} from t", macros: MACROS },
  { name: "macro calling a macro", template: "where {{ uses_len('name') }}", macros: MACROS },
  {
    name: "an incremental model as the translator writes it",
    template:
      "{{ config(materialized='incremental', unique_key='id') }}\nselect id, amount\nfrom {{ source('sales', 'customer') }}\n{% if is_incremental() %}\nwhere id > (select coalesce(max(id), 0) from {{ this }})\n{% endif %}\n",
    incremental: true,
  },
];

const PYTHON = String.raw`
import json, sys, jinja2

class Relation:
    def __init__(self, schema, identifier, database=None):
        self.database, self.schema, self.identifier = database, schema, identifier
    @property
    def name(self): return self.identifier
    @property
    def table(self): return self.identifier
    def include(self, database=True, schema=True, identifier=True):
        return Relation(self.schema if schema else None, self.identifier, self.database if database else None)
    def __str__(self):
        return ".".join('"%s"' % p for p in (self.database, self.schema, self.identifier) if p)

class Adapter:
    def quote(self, s): return '"%s"' % s

NOTSET = object()

def render(case):
    cfg = {}
    vars_ = case.get("vars") or {}
    env_ = case.get("env") or {}
    def ref(*args, **kw): return Relation("scratch", args[-1])
    def source(s, t): return Relation(s, t)
    def config(*args, **kw):
        cfg.update(kw)
        return ""
    def var(name, default=NOTSET):
        if name in vars_: return vars_[name]
        if default is not NOTSET: return default
        raise Exception("Required var '%s' not found" % name)
    def env_var(name, default=None):
        if name in env_: return env_[name]
        if default is not None: return default
        raise Exception("Env var required but not provided: '%s'" % name)
    def is_incremental():
        return bool(case.get("incremental")) and (cfg.get("materialized") or case.get("materialized")) == "incremental"
    ctx = dict(ref=ref, source=source, config=config, var=var, env_var=env_var, is_incremental=is_incremental, should_store_failures=lambda: False,
               this=Relation("scratch", "m"), target={"name": "dev", "schema": "scratch", "type": "postgres"}, adapter=Adapter())
    env = jinja2.Environment(extensions=["jinja2.ext.do"])
    if case.get("macros"):
        module = env.from_string(case["macros_py"]).make_module(vars=ctx)
        for k in dir(module):
            if not k.startswith("_"):
                ctx[k] = getattr(module, k)
    return env.from_string(case["template"]).render(**ctx)

out = []
for case in json.load(sys.stdin):
    try:
        out.append({"ok": True, "sql": render(case)})
    except Exception as e:
        out.append({"ok": False, "error": str(e)})
print(json.dumps(out))
`;

describe.skipIf(!jinja2Version)(`our renderer and Jinja2 ${jinja2Version ?? ""} agree`, () => {
  const forPython = cases.map((c) => ({ ...c, macros_py: c.macros === TESTS ? TESTS_AS_MACROS : c.macros }));
  const run = spawnSync("python3", ["-c", PYTHON], { input: JSON.stringify(forPython), encoding: "utf8" });
  const expected: Array<{ ok: boolean; sql?: string; error?: string }> = run.status === 0 ? JSON.parse(run.stdout) : [];
  it("ran the Jinja2 side", () => expect(run.stderr).toBe(""));
  it.each(cases.map((c, i) => [c.name, c, i] as const))("%s", (_name, c, i) => {
    const jinja = expected[i]!;
    expect(jinja.ok, jinja.error).toBe(true);
    const ours = renderModelSql(c.template, {
      file: "models/m.sql",
      model: { name: "m", materialized: c.materialized ?? "view" },
      resolveRef: (model) => ({ schema: "scratch", identifier: model }),
      resolveSource: (s, t) => ({ schema: s, identifier: t }),
      this: { schema: "scratch", identifier: "m" },
      vars: c.vars ?? {},
      env: c.env ?? {},
      target: { name: "dev", schema: "scratch", type: "postgres" },
      isIncremental: c.incremental ?? false,
      ...(c.macros ? { macros: parseMacros([{ path: "macros/m.sql", content: c.macros }]) } : {}),
    });
    expect(ours.diagnostics).toEqual([]);
    expect(ours.sql).toBe(jinja.sql);
  });
});
