import nunjucks from "nunjucks";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { dbtMacros, installSql, resolveRuntimeFunctions, runtimeFunctions } from "./registry.ts";
import { useRuntimeDb } from "./testdb.ts";

const all = [...runtimeFunctions.values()];

/** CREATE statements of an entry: header, parameter names, language, volatility and body. */
function statements(sql: string) {
  const out: { fn: string; params: string[]; language: string; volatility: string; parallelSafe: boolean; body: string }[] = [];
  const re = /CREATE OR REPLACE FUNCTION @schema@\.(\w+)\(([^)]*)\)\s*RETURNS ([\s\S]*?) AS \$fn\$([\s\S]*?)\$fn\$;/g;
  for (const m of sql.matchAll(re)) {
    const params = m[2]!
      .split(",")
      .map((p) => p.trim().replace(/^VARIADIC\s+/i, "").split(/\s+/)[0]!)
      .filter(Boolean);
    const attrs = m[3]!;
    out.push({
      fn: m[1]!,
      params,
      language: /LANGUAGE (\w+)/.exec(attrs)?.[1] ?? "",
      volatility: /\b(IMMUTABLE|STABLE|VOLATILE)\b/.exec(attrs)?.[1] ?? "",
      parallelSafe: /PARALLEL SAFE/.test(attrs),
      body: m[4]!,
    });
  }
  return out;
}

/** The argument text of every call of fn in body (balanced parentheses). */
function callArgs(body: string, fn: string): string[] {
  const out: string[] = [];
  let from = 0;
  for (;;) {
    const at = body.indexOf(`@schema@.${fn}(`, from);
    if (at < 0) return out;
    let depth = 0;
    let i = at + fn.length + 9;
    const start = i + 1;
    for (; i < body.length; i++) {
      if (body[i] === "(") depth++;
      else if (body[i] === ")" && --depth === 0) break;
    }
    out.push(body.slice(start, i));
    from = i;
  }
}

const createdBy = new Map<string, string>();
for (const f of all) for (const s of statements(f.sql)) createdBy.set(s.fn, f.name);

describe("runtime registry records", () => {
  it.each(all.map((f) => [f.name, f] as const))("%s is complete and consistent", (_name, f) => {
    expect(f.name).toMatch(/^tsql_[a-z0-9_]+$/);
    expect(f.semantics).toMatch(/(TSQL-SEMANTICS|ARCHITECTURE)\.md/);
    expect(f.guarantees.length).toBeGreaterThan(10);
    expect(f.signatures.length).toBeGreaterThan(0);
    expect(f.tsql.length).toBeGreaterThan(3);
    expect(f.callSite.length).toBeGreaterThan(3);
    expect(f.sql).not.toMatch(/CREATE FUNCTION|CREATE\s+OR\s+REPLACE\s+FUNCTION\s+(?!@schema@\.)/);
    // every reference to another runtime function is schema-qualified and declared in dependsOn
    const referenced = new Set([...f.sql.matchAll(/@schema@\.(tsql_\w+)\(/g)].map((m) => createdBy.get(m[1]!) ?? `?${m[1]}`));
    referenced.delete(f.name);
    expect([...referenced].sort()).toEqual([...f.dependsOn].sort());
    const unqualified = [...f.sql.matchAll(/(?<![.\w])(tsql_\w+)\(/g)].map((m) => m[1]).filter((n) => createdBy.has(n!));
    expect(unqualified).toEqual([]);
    const stmts = statements(f.sql);
    // the translator finds functions by the names in `signatures`: every created function is listed
    const listed = new Set(f.signatures.map((sig) => sig.slice(0, sig.indexOf("(")).trim()));
    for (const st of stmts) expect(listed).toContain(st.fn);
    if (f.name !== "tsql_ci_as_collation") {
      expect(stmts.length).toBe((f.sql.match(/CREATE OR REPLACE FUNCTION/g) ?? []).length);
      expect(stmts.length).toBeGreaterThan(0);
    }
    const order = ["IMMUTABLE", "STABLE", "VOLATILE"];
    for (const s of stmts) {
      expect(order).toContain(s.volatility);
      expect(s.parallelSafe).toBe(true);
    }
    if (stmts.length > 0) {
      const loosest = stmts.map((s) => order.indexOf(s.volatility)).reduce((a, b) => Math.max(a, b));
      expect(order[loosest]).toBe(f.volatility);
      expect(stmts.some((s) => s.language === f.language)).toBe(true);
    }
  });

  // A call to tsql_raise/tsql_unsupported whose arguments are all constants is folded (raised) when
  // the statement is planned, even if its CASE branch is never taken. Passing every parameter in the
  // context makes the arguments constant only when the whole call is constant, and then the guarding
  // condition is constant too.
  it.each(
    all.flatMap((f) =>
      statements(f.sql)
        .filter((s) => s.language === "sql")
        .flatMap((s) =>
          ["tsql_raise", "tsql_unsupported"].flatMap((fn) => callArgs(s.body, fn).map((args) => [s.fn, fn, args, s.params] as const)),
        ),
    ),
  )("%s: %s call passes every parameter in its arguments", (_fn, _raise, args, params) => {
    for (const p of params) expect(args).toMatch(new RegExp(`\\b${p}\\b`));
  });
});

describe("installSql / resolveRuntimeFunctions", () => {
  it("orders dependencies first and closes over them", () => {
    const fns = resolveRuntimeFunctions(["tsql_hashbytes"]);
    const names = fns.map((f) => f.name);
    expect(names).toContain("tsql_sha1");
    expect(names).toContain("tsql_cp1252");
    expect(names).toContain("tsql_utf16le");
    expect(names).not.toContain("tsql_datediff");
    for (const f of fns) for (const d of f.dependsOn) expect(names.indexOf(d)).toBeLessThan(names.indexOf(f.name));
    const everything = resolveRuntimeFunctions();
    expect(everything.map((f) => f.name)).not.toContain("tsql_ci_as_collation");
    expect(everything.length).toBe(all.length - 1);
  });
  it("rejects unknown functions and unsafe schema names", () => {
    expect(() => installSql(["tsql_nope"])).toThrow(/unknown runtime function/);
    expect(() => installSql(undefined, { schema: "x; drop table y" })).toThrow(/identifier/);
    expect(() => installSql(undefined, { schema: "Tsql" })).toThrow(/identifier/);
  });
  it("qualifies everything with the chosen schema", () => {
    const sql = installSql(["tsql_len"], { schema: "rt" });
    expect(sql).toContain("CREATE SCHEMA IF NOT EXISTS rt;");
    expect(sql).toContain("CREATE OR REPLACE FUNCTION rt.tsql_len(");
    expect(sql).not.toContain("@schema@");
  });
});

const t = useRuntimeDb({ beforeAll, afterAll });

describe("installation on the database", () => {
  it("is idempotent (installing twice succeeds)", async () => {
    await t.db().exec(installSql(undefined, { schema: t.db().schema }));
    expect(await t.value("tsql.tsql_len('ab ')")).toBe("2");
  });
  it("a subset installs with its dependencies into its own schema", async () => {
    const db = t.db();
    const schema = `${db.schema}_sub`;
    try {
      await db.exec(installSql(["tsql_hashbytes"], { schema }));
      expect(await db.text(`encode(${schema}.tsql_hashbytes('MD5', 'abc'), 'hex')`)).toBe("900150983cd24fb0d6963f7d28e17f72");
      await expect(db.text(`${schema}.tsql_len('a')`)).rejects.toThrow(/does not exist/);
    } finally {
      await db.exec(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    }
  });
  it("raise calls are not folded when their branch is not taken (column arguments, planning with constants)", async () => {
    expect(
      await t.value(
        "(SELECT string_agg(tsql.tsql_datetime2fromparts(2011, 8, 15, 14, 23, 44, f, 3)::text, ',' ORDER BY f) FROM (VALUES (5), (50)) v(f))",
      ),
    ).toBe("2011-08-15 14:23:44.005,2011-08-15 14:23:44.05");
    expect(await t.value("(SELECT string_agg(encode(tsql.tsql_cp1252(x), 'hex'), ',') FROM (VALUES ('a')) v(x))")).toBe("61");
    expect(await t.value("encode(tsql.tsql_cp1252('abc'), 'hex')")).toBe("616263");
  });
});

describe("inlining: the SQL-language scalar functions disappear into the calling query", () => {
  // A SQL function that is not inlined re-initialises its whole body expression on every call
  // (measured: ~170 µs per call for a 13-branch CASE against ~3 µs for the same body in PL/pgSQL),
  // so SQL is used only for bodies that inline, and PL/pgSQL for the rest.
  it.each([
    ["tsql_datediff", "tsql.tsql_datediff('month', c, c + interval '40 days')", "tsql_datediff_big("],
    ["tsql_eomonth", "tsql.tsql_eomonth(c::date)", "tsql_dt_range("],
    ["tsql_datetime_round", "tsql.tsql_datetime_round(c)", null],
    ["tsql_datetime", "tsql.tsql_datetime(c)", "tsql_dt_range("],
    ["tsql_datetime_add", "tsql.tsql_datetime_add(c, 1.5)", "tsql_dt_range("],
    ["tsql_datefromparts", "tsql.tsql_datefromparts(2011, 8, extract(day FROM c)::int)", null],
    ["tsql_datetime2fromparts", "tsql.tsql_datetime2fromparts(2011, 8, 15, 14, 23, 44, extract(day FROM c)::int, 3)", null],
    ["tsql_len", "tsql.tsql_len(c::text)", null],
    ["tsql_datalength", "tsql.tsql_datalength(c::text, true)", null],
    ["tsql_left", "tsql.tsql_left(c::text, 3)", null],
    ["tsql_right", "tsql.tsql_right(c::text, 3)", null],
    ["tsql_substring", "tsql.tsql_substring(c::text, 0, 3)", null],
    ["tsql_charindex", "tsql.tsql_charindex('0', c::text)", null],
    ["tsql_stuff", "tsql.tsql_stuff(c::text, 2, 1, 'x')", null],
    ["tsql_replicate", "tsql.tsql_replicate(c::text, 2, 8000)", null],
    ["tsql_space", "tsql.tsql_space(extract(day FROM c)::int)", null],
    ["tsql_quotename", "tsql.tsql_quotename(c::text)", null],
    ["tsql_replace_ci", "tsql.tsql_replace_ci(c::text, '-', '/')", null],
    ["tsql_like", "tsql.tsql_like(c::text, '2024%')", null],
    ["tsql_patindex", "tsql.tsql_patindex('%[0-9]%', c::text)", null],
    ["tsql_ci_key", "tsql.tsql_ci_key(c::text)", null],
    ["tsql_cast_int", "tsql.tsql_cast_int(extract(day FROM c)::text)", null],
    ["tsql_try_cast_int", "tsql.tsql_try_cast_int(c::text)", null],
    ["tsql_try_cast_numeric", "tsql.tsql_try_cast_numeric(extract(day FROM c)::text, 5, 2)", null],
    ["tsql_to_bit", "tsql.tsql_to_bit(c::text)", null],
    ["tsql_isnumeric", "tsql.tsql_isnumeric(c::text)", null],
    ["tsql_round", "tsql.tsql_round(extract(day FROM c), 1)", null],
    ["tsql_money", "tsql.tsql_money(extract(day FROM c))", null],
    ["tsql_ci_key (uuid text)", "tsql.tsql_uuid_to_varchar(gen_random_uuid())", null],
    ["tsql_xml_escape", "tsql.tsql_xml_escape(c::text)", null],
  ])("%s", async (name, expr, allowed) => {
    const schema = t.db().schema;
    const plan = await t.rows(
      `EXPLAIN (VERBOSE, COSTS OFF) SELECT ${expr.replace(/\btsql\./g, `${schema}.`)} FROM generate_series(1, 2) g CROSS JOIN LATERAL (SELECT timestamp '2024-01-31 10:00' + g * interval '1 day' AS c) v`,
    );
    const text = plan.map((r) => Object.values(r).join(" ")).join("\n");
    const called = [...text.matchAll(new RegExp(`${schema}\\.(tsql_\\w+)\\(`, "g"))].map((m) => `${m[1]}(`);
    // only PL/pgSQL helpers (or the one named) may remain as calls
    for (const c of called) expect([allowed, "tsql_like_regex(", "tsql_raise(", "tsql_datepart_name(", "tsql_sha1("]).toContain(c);
    expect(called).not.toContain(`${name.split(" ")[0]}(`);
  });
});

describe("dbt macros", () => {
  const files = dbtMacros();
  it("one macro file per function plus the schema and install macros, all under macros/tsql/", () => {
    expect(files.length).toBe(resolveRuntimeFunctions().length + 2);
    for (const f of files) expect(f.path).toMatch(/^macros\/tsql\/[a-z0-9_]+\.sql$/);
    expect(new Set(files.map((f) => f.path)).size).toBe(files.length);
    expect(files.map((f) => f.path)).toContain("macros/tsql/install_tsql_runtime.sql");
  });
  it("only plain Jinja: macro, raw, var(); nothing inside raw blocks can end them", () => {
    for (const f of files) {
      const tags = [...f.content.matchAll(/\{%-?\s*(\w+)/g)].map((m) => m[1]);
      for (const tag of tags) expect(["macro", "endmacro", "raw", "endraw"]).toContain(tag);
    }
    for (const fn of all) expect(fn.sql).not.toMatch(/\{%-?\s*endraw/);
  });

  function render(schemaVar?: string): string {
    const env = new nunjucks.Environment(null, { autoescape: false });
    env.addGlobal("var", (name: string, dflt: string) => (name === "tsql_runtime_schema" && schemaVar ? schemaVar : dflt));
    const template = files.map((f) => f.content).join("\n") + "\n{{ install_tsql_runtime() }}";
    return env.renderString(template, {});
  }
  const normalise = (sql: string) =>
    sql
      .split("\n")
      .filter((l) => !l.startsWith("--"))
      .join("\n")
      .replace(/\s+/g, " ")
      .trim()
      .toLowerCase();

  it("rendered install macro equals installSql() for the var-selected schema", () => {
    expect(normalise(render("dbt_rt"))).toBe(normalise(installSql(undefined, { schema: "dbt_rt" })));
    expect(normalise(render())).toBe(normalise(installSql()));
  });
  it("DataMigrate's own dbt Jinja renderer (server/dbt) renders the same SQL", async () => {
    const { parseMacros, renderModelSql } = await import("../../dbt/jinja.ts");
    const macros = parseMacros(files);
    expect(macros.diagnostics).toEqual([]);
    const r = renderModelSql("{{ install_tsql_runtime() }}", {
      target: { name: "dev", schema: "scratch", type: "postgres" },
      resolveRef: () => undefined,
      resolveSource: () => undefined,
      macros,
      vars: { tsql_runtime_schema: "dbt_rt2" },
    });
    expect(r.diagnostics).toEqual([]);
    expect(normalise(r.sql)).toBe(normalise(installSql(undefined, { schema: "dbt_rt2" })));
  });
  it("rendered install macro runs on the database", async () => {
    const db = t.db();
    const schema = `${db.schema}_dbt`;
    try {
      await db.exec(render(schema));
      expect(await db.text(`${schema}.tsql_datediff('year', timestamp '2024-12-31', timestamp '2025-01-01')`)).toBe("1");
    } finally {
      await db.exec(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    }
  });
});

describe("TypeScript tables agree with the SQL", () => {
  it("canonicalDatepart matches tsql_datepart_name for every spelling (TSQL-SEMANTICS.md §6.2)", async () => {
    const { DATEPART_SPELLINGS, canonicalDatepart } = await import("./dateparts.ts");
    const list = DATEPART_SPELLINGS.map((s) => `('${s.toUpperCase()}')`).join(", ");
    const rs = await t.rows(`SELECT p, tsql.tsql_datepart_name(p) AS c FROM (VALUES ${list}) v(p)`);
    for (const r of rs) expect(canonicalDatepart(String(r.p))).toBe(r.c);
    expect(canonicalDatepart("fortnight")).toBeUndefined();
    expect(canonicalDatepart("constructor")).toBeUndefined();
  });
  it("every function named in runtimeFunctionDiagnostics exists and every code is documented", async () => {
    const { runtimeFunctionDiagnostics, runtimeDiagnosticCodes } = await import("./diagnostics.ts");
    const { readFileSync } = await import("node:fs");
    const doc = readFileSync(new URL("../../../docs/diagnostic-codes.md", import.meta.url), "utf8");
    for (const [fn, codes] of Object.entries(runtimeFunctionDiagnostics)) {
      expect(runtimeFunctions.has(fn)).toBe(true);
      for (const c of codes) expect(runtimeDiagnosticCodes[c]).toBeDefined();
    }
    for (const c of Object.values(runtimeDiagnosticCodes)) expect(doc).toMatch(new RegExp(`^\\| ${c.code} \\| ${c.severity} \\|`, "m"));
  });
});

describe("README", () => {
  it("documents every runtime function", async () => {
    const { readFileSync } = await import("node:fs");
    const readme = readFileSync(new URL("./README.md", import.meta.url), "utf8");
    for (const name of runtimeFunctions.keys()) expect(readme).toContain(`### \`${name}\``);
  });
});
