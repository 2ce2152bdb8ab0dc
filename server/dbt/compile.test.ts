import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { compileDataTests, generateSchemaName, ProjectCompiler, synthesizeTestName, type CompiledDataTest } from "./compile.ts";
import type { DbtProjectInput } from "./project.ts";
import { shopProject } from "./test-fixtures.ts";
import { openSqlSession, type SqlSession } from "./test-sql.ts";

describe("synthesizeTestName matches dbt's test names", () => {
  it.each([
    ["not_null", "orders", { column_name: "order_id" }, "not_null_orders_order_id", "not_null_orders_order_id"],
    // a source test: dbt prefixes the test type with source_ and names the target <source>_<table>
    ["source_not_null", "jaffle_shop_orders", { column_name: "id" }, "source_not_null_jaffle_shop_orders_id", "source_not_null_jaffle_shop_orders_id"],
    ["unique", "customers", { column_name: "customer_id" }, "unique_customers_customer_id", "unique_customers_customer_id"],
    ["relationships", "orders", { column_name: "customer_id", to: "ref('customers')", field: "customer_id" }, "relationships_orders_customer_id__customer_id__ref_customers_", "relationships_orders_customer_id__customer_id__ref_customers_"],
    // jaffle_shop's well-known test: name is the full name, alias is dbt's shortened file name
    [
      "accepted_values",
      "orders",
      { column_name: "status", values: ["placed", "shipped", "completed", "return_pending", "returned"] },
      "accepted_values_orders_status__placed__shipped__completed__return_pending__returned",
      "accepted_values_orders_1ce6ab157c285f7cd2ac656013faf758",
    ],
    ["accepted_values", "t", { column_name: "flag", values: [1, 0], quote: false }, "accepted_values_t_flag__False__1__0", "accepted_values_t_flag__False__1__0"],
  ])("%s on %s", (type, model, args, name, alias) => expect(synthesizeTestName(type, model, args)).toEqual({ name, alias }));
});

describe("generateSchemaName (dbt's default)", () => {
  it.each([
    [undefined, "dev", "dev"],
    ["marts", "dev", "dev_marts"],
  ])("%s in %s → %s", (custom, target, expected) => expect(generateSchemaName(custom, target)).toBe(expected));
});

describe("ProjectCompiler", () => {
  const compiler = new ProjectCompiler(shopProject(), { schema: "scratch" });
  it("puts models in dependency order and leaves ephemeral models out", () => {
    const { models, diagnostics } = compiler.compileAll();
    expect(diagnostics).toEqual([]);
    expect(models.map((m) => m.name)).toEqual(["stg_sales__customer", "stg_sales__order_line", "customer_orders"]);
  });
  it("inlines an ephemeral model as dbt's CTE", () => {
    const c = compiler.compile("customer_orders");
    expect(c.ok).toBe(true);
    expect(c.sql.startsWith("with __dbt__cte__int_order_lines_joined as (\nselect l.order_id")).toBe(true);
    expect(c.sql).toContain("\n) select full_name, sum(quantity)");
    expect(c.sql).toContain('from "scratch"."stg_sales__order_line" as l');
    expect(c.dependsOn).toEqual(["int_order_lines_joined"]);
  });
  it("resolves materialization with dbt's precedence", () => {
    expect(compiler.compile("stg_sales__customer").materialized).toBe("view");
    expect(compiler.compile("customer_orders").materialized).toBe("incremental");
    const p = shopProject();
    p.models![0]!.sql = "{{ config(materialized='table') }}" + p.models![0]!.sql;
    expect(new ProjectCompiler(p, { schema: "s" }).compile("stg_sales__customer").materialized).toBe("table");
  });
  it("applies a custom schema and alias as dbt does", () => {
    const p = shopProject();
    p.models![0]!.config = { schema: "staging", alias: "customers" };
    const c = new ProjectCompiler(p, { schema: "dev" });
    expect(c.compile("stg_sales__customer").relation).toEqual({ schema: "dev_staging", identifier: "customers" });
    expect(c.compile("int_order_lines_joined").sql).toContain('"dev_staging"."customers"');
  });
  it("renders on-run-start hooks with the project's macros", () => {
    expect(compiler.compileHooks()).toEqual([{ sql: "create schema if not exists tsql", ok: true, diagnostics: [] }]);
    const p = shopProject();
    p.onRunStart = ["{{ not_a_macro() }}"];
    expect(new ProjectCompiler(p, { schema: "s" }).compileHooks()[0]!.diagnostics[0]!.code).toBe("DBT3001");
  });
  it("leaves disabled models out, as dbt does, and fails a ref to one", () => {
    const p = shopProject();
    p.models![0]!.config = { enabled: false };
    const c = new ProjectCompiler(p, { schema: "s" });
    const all = c.compileAll();
    expect(all.disabled).toEqual(["stg_sales__customer"]);
    expect(all.models.map((m) => m.name)).not.toContain("stg_sales__customer");
    const d = c.compile("customer_orders").diagnostics[0]!;
    expect(d.code).toBe("DBT3002");
    expect(d.message).toContain("'stg_sales__customer' which is disabled");
    const tests = compileDataTests(c);
    expect(tests.some((t) => t.attachedTo.kind === "model" && t.attachedTo.model === "stg_sales__customer")).toBe(false);
    expect(tests.some((t) => t.test === "relationships" && t.attachedTo.kind === "model")).toBe(false);
  });
  it("reports a ref cycle", () => {
    const p: DbtProjectInput = {
      name: "p",
      profile: "p",
      models: [
        { name: "a", path: "models/marts/a.sql", sql: "select * from {{ ref('b') }}" },
        { name: "b", path: "models/marts/b.sql", sql: "select * from {{ ref('a') }}" },
      ],
    };
    expect(new ProjectCompiler(p, { schema: "s" }).compileAll().diagnostics.map((d) => d.code)).toContain("DBT3012");
  });
});

describe("compileDataTests", () => {
  const tests = compileDataTests(shopProject(), { schema: "scratch" });
  const byName = new Map(tests.map((t) => [t.name, t]));
  it("compiles every declared test", () => {
    expect(tests.every((t) => t.ok)).toBe(true);
    expect(tests).toHaveLength(16);
  });
  it("renders dbt's not_null query", () =>
    expect(byName.get("not_null_stg_sales__customer_customer_id")!.sql).toBe('select customer_id\nfrom "scratch"."stg_sales__customer"\nwhere customer_id is null'));
  it("renders dbt's unique query", () =>
    expect(byName.get("unique_stg_sales__customer_customer_id")!.sql).toBe(
      'select\n    customer_id as unique_field,\n    count(*) as n_records\n\nfrom "scratch"."stg_sales__customer"\nwhere customer_id is not null\ngroup by customer_id\nhaving count(*) > 1',
    ));
  it("quotes accepted values by default", () => expect(byName.get("accepted_values_stg_sales__customer_status__A__I")!.sql).toContain("where value_field not in (\n    'A','I'\n)"));
  it("filters the tested model with `where`, not the parent", () => {
    const t = byName.get("relationships_stg_sales__order_line_customer_id__customer_id__ref_stg_sales__customer_")!;
    expect(t.sql).toContain('from (select * from "scratch"."stg_sales__order_line" where customer_id > 0) dbt_subquery');
    expect(t.sql).toContain('from "scratch"."stg_sales__customer"\n)');
  });
  it("keeps the severity", () => expect(byName.get("accepted_values_stg_sales__customer_status__A__I")!.severity).toBe("warn"));
  it("wraps the query as dbt's get_test_sql does", () => {
    const t = byName.get("not_null_stg_sales__customer_customer_id")!;
    expect(t.countSql).toMatch(/^select\n\s+count\(\*\) as failures,\n\s+count\(\*\) != 0 as should_warn,\n\s+count\(\*\) != 0 as should_error\n\s+from \(/);
    expect(t.countSql).toMatch(/\) dbt_internal_test$/);
  });
  it("renders accepted_values unquoted when quote is false", () => {
    const p = shopProject();
    p.models![0]!.columns![0]!.data_tests = [{ test: "accepted_values", values: [1, 2], quote: false }];
    const t = compileDataTests(p, { schema: "s" }).find((x) => x.test === "accepted_values" && x.attachedTo.kind === "model")!;
    expect(t.sql).toContain("not in (\n    1,2\n)");
  });
  it("tests an ephemeral model through its CTE", () => {
    const p = shopProject();
    p.models![2]!.columns = [{ name: "order_id", data_tests: [{ test: "not_null" }] }];
    const t = compileDataTests(p, { schema: "s" }).find((x) => x.attachedTo.kind === "model" && x.attachedTo.model === "int_order_lines_joined")!;
    expect(t.ok).toBe(true);
    expect(t.sql.startsWith("with __dbt__cte__int_order_lines_joined as (")).toBe(true);
    expect(t.sql).toContain("from __dbt__cte__int_order_lines_joined\nwhere order_id is null");
  });
});

// The compiled project and its tests, run on Postgres over data with planted violations.
describe("compiled models and tests run on Postgres", () => {
  let session: SqlSession;
  let tests: CompiledDataTest[];
  let compiler: ProjectCompiler;
  beforeAll(async () => {
    session = await openSqlSession();
    const s = session.schema;
    await session.query(`
      create table ${s}."Customer" ("CustomerID" int, "FullName" varchar(100), "Status" char(1));
      insert into ${s}."Customer" values (1, 'Ann', 'A'), (1, 'Ann2', 'A'), (2, 'Bob', 'X'), (3, null, 'I');
      create table ${s}."OrderLine" ("OrderID" int, "LineNo" smallint, "Quantity" int, "CustomerID" int);
      insert into ${s}."OrderLine" values (10, 1, 5, 1), (10, 1, 3, 2), (11, 1, -2, 99), (12, 1, null, 1), (13, 1, 1, -5);
    `);
    const options = { schema: s, sourceRelation: (_src: unknown, t: { identifier?: string; name: string }) => ({ schema: s, identifier: t.identifier ?? t.name }) };
    compiler = new ProjectCompiler(shopProject(), options);
    for (const m of compiler.compileAll().models) {
      expect(m.ok).toBe(true);
      const kind = m.materialized === "view" ? "view" : "table";
      await session.query(`create ${kind} "${m.relation.schema}"."${m.relation.identifier}" as ${m.sql}`);
    }
    tests = compileDataTests(compiler);
  });
  afterAll(async () => session?.close());

  it.each<[string, number]>([
    // source columns are quoted (quote: true), and dbt names the tests after the quoted name
    ["source_unique_sales_customer__CustomerID_", 1],
    ["source_not_null_sales_customer__CustomerID_", 0],
    ["source_not_null_sales_customer__FullName_", 1],
    ["source_accepted_values_sales_customer__Status___A__I__yes", 1],
    ["source_relationships_sales_order_line__CustomerID____CustomerID___source_sales_customer_", 2],
    ["source_datamigrate_unique_combination_sales_order_line__OrderID____LineNo_", 1],
    // quantity NULL passes, as a CHECK constraint does in SQL Server; -2 fails
    ["source_datamigrate_expression_is_true_sales_order_line__Quantity_0", 1],
    ["unique_stg_sales__customer_customer_id", 1],
    ["accepted_values_stg_sales__customer_status__A__I", 1],
    // the where config removes customer -5 from the child side
    ["relationships_stg_sales__order_line_customer_id__customer_id__ref_stg_sales__customer_", 1],
    ["datamigrate_unique_combination_stg_sales__order_line_order_id__line_no", 1],
    ["unique_customer_orders_full_name", 0],
    ["datamigrate_expression_is_true_customer_orders_total_quantity_0", 0],
  ])("%s fails on %d row(s)", async (name, failures) => {
    const t = tests.find((x) => x.name === name);
    expect(t, tests.map((x) => x.name).join("\n")).toBeDefined();
    const rows = await session.query(t!.sql);
    expect(rows).toHaveLength(failures);
    const [count] = await session.query<{ failures: string | number; should_error: boolean }>(t!.countSql);
    expect(Number(count!.failures)).toBe(failures);
    expect(count!.should_error).toBe(failures !== 0);
  });

  it("runs the incremental branch against {{ this }} on the second run", async () => {
    const second = new ProjectCompiler(shopProject(), { ...compiler.options, isIncremental: true }).compile("customer_orders");
    expect(second.sql).toContain(`from "${session.schema}"."customer_orders"`);
    const rows = await session.query(second.sql);
    expect(rows).toEqual([]); // nothing sorts after the last name already loaded
  });
});
