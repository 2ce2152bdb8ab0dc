import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { compileDataTests, ProjectCompiler } from "./compile.ts";
import type { DbtProjectInput } from "./project.ts";
import { renderDbtProject } from "./render.ts";
import { buildStaging, type TableSpec } from "./staging.ts";
import { openSqlSession, type SqlSession } from "./test-sql.ts";
import { checkDbtProject, validateRenderedProject } from "./writer.ts";

// A tiny order-entry schema, written for this test.
const tables: TableSpec[] = [
  {
    schema: "dbo",
    name: "Customers",
    description: "People who order",
    columns: [
      { name: "CustomerID", dataType: "integer", nullable: false },
      { name: "CompanyName", dataType: "varchar(40)", nullable: false, description: "Legal name" },
      { name: "Region", dataType: "varchar(15)" },
    ],
    primaryKey: ["CustomerID"],
    uniqueKeys: [["CompanyName"]],
    acceptedValues: [{ column: "Region", values: ["North", "South"] }],
  },
  {
    schema: "dbo",
    name: "Orders",
    columns: [
      { name: "OrderID", dataType: "integer", nullable: false },
      { name: "CustomerID", dataType: "integer" },
      { name: "Order", dataType: "smallint", castTo: "integer" },
      { name: "Priority", dataType: "integer" },
    ],
    primaryKey: ["OrderID"],
    foreignKeys: [
      { columns: ["CustomerID"], references: { schema: "dbo", table: "Customers", columns: ["CustomerID"] } },
      { columns: ["CustomerID"], references: { schema: "archive", table: "OldCustomers", columns: ["ID"] } },
    ],
    acceptedValues: [{ column: "Priority", values: [1, 2, 3] }],
  },
  {
    schema: "dbo",
    name: "Order Details",
    columns: [
      { name: "OrderID", dataType: "integer", nullable: false },
      { name: "ProductID", dataType: "integer", nullable: false },
      { name: "Quantity", dataType: "smallint" },
    ],
    primaryKey: ["OrderID", "ProductID"],
    foreignKeys: [
      { columns: ["OrderID"], references: { schema: "dbo", table: "Orders", columns: ["OrderID"] } },
      { columns: ["OrderID", "ProductID"], references: { schema: "dbo", table: "Orders", columns: ["OrderID", "Priority"] } },
    ],
  },
  { schema: "Sales", name: "OrderDetails", columns: [{ name: "ID", dataType: "integer" }], primaryKey: ["NoSuchColumn"] },
];

const result = buildStaging(tables, { file: "schema.sql" });

describe("buildStaging", () => {
  it("names models per the guide", () =>
    expect(result.models.map((m) => m.name)).toEqual(["stg_dbo__customers", "stg_dbo__order_details", "stg_dbo__orders", "stg_sales__order_details"]));
  it("gives one source per schema, tables keeping their real identifier", () => {
    expect(result.sources.map((s) => s.name)).toEqual(["dbo", "sales"]);
    expect(result.sources[0]!.tables.map((t) => [t.name, t.identifier])).toEqual([
      ["customers", "Customers"],
      ["order_details", "Order Details"],
      ["orders", "Orders"],
    ]);
  });
  it("renames and casts only", () =>
    expect(result.models.find((m) => m.name === "stg_dbo__orders")!.sql).toBe(
      'select\n    "OrderID" as order_id,\n    "CustomerID" as customer_id,\n    cast("Order" as integer) as order_,\n    "Priority" as priority\nfrom {{ source(\'dbo\', \'orders\') }}\n',
    ));
  it("quotes source columns for SQL Server with brackets", () =>
    expect(buildStaging([tables[1]!], { target: "sqlserver" }).models[0]!.sql).toContain("cast([Order] as integer) as order_"));
  it.each<[string, string, unknown[]]>([
    ["stg_dbo__customers", "customer_id", [{ test: "unique" }, { test: "not_null" }]],
    ["stg_dbo__customers", "company_name", [{ test: "unique" }, { test: "not_null" }]],
    ["stg_dbo__customers", "region", [{ test: "accepted_values", values: ["North", "South"] }]],
    ["stg_dbo__orders", "customer_id", [{ test: "relationships", to: { kind: "ref", model: "stg_dbo__customers" }, field: "customer_id" }]],
    ["stg_dbo__orders", "priority", [{ test: "accepted_values", values: [1, 2, 3], quote: false }]],
    ["stg_dbo__order_details", "order_id", [{ test: "not_null" }, { test: "relationships", to: { kind: "ref", model: "stg_dbo__orders" }, field: "order_id" }]],
  ])("%s.%s tests", (model, column, tests) => {
    const c = result.models.find((m) => m.name === model)!.columns!.find((x) => x.name === column)!;
    expect(c.data_tests).toEqual(tests);
  });
  it("tests a composite key as a combination", () =>
    expect(result.models.find((m) => m.name === "stg_dbo__order_details")!.data_tests).toEqual([{ test: "unique_combination", columns: ["order_id", "product_id"] }]));
  it("records renames for the mapping and for ref rewriting", () => {
    expect(result.columnsOf.get("dbo.orders")!.get("Order")).toBe("order_");
    expect(result.modelOf.get("dbo.order details")).toBe("stg_dbo__order_details");
    expect(result.sourceOf.get("sales.orderdetails")).toEqual({ source: "sales", table: "order_details" });
  });
  it.each([
    ["DBT1002", "reserved column name"],
    ["DBT5001", "constraint on a missing column"],
    ["DBT5002", "foreign key to a table not converted"],
    ["DBT5003", "composite foreign key"],
  ])("reports %s (%s)", (code) => expect(result.diagnostics.map((d) => d.code)).toContain(code));
});

describe("a project built from it", () => {
  const project: DbtProjectInput = { name: "orders", profile: "orders", sources: result.sources, models: result.models };
  it("is consistent and validates against the fusion schemas", () => {
    expect(checkDbtProject(project)).toEqual([]);
    expect(validateRenderedProject(renderDbtProject(project))).toEqual([]);
  });

  describe("runs on Postgres and its constraint tests find planted violations", () => {
    let session: SqlSession;
    let failures: Map<string, number>;
    beforeAll(async () => {
      session = await openSqlSession();
      const s = session.schema;
      await session.query(`
        create table ${s}."Customers" ("CustomerID" int, "CompanyName" varchar(40), "Region" varchar(15));
        insert into ${s}."Customers" values (1, 'A', 'North'), (2, 'B', 'West'), (3, 'B', null);
        create table ${s}."Orders" ("OrderID" int, "CustomerID" int, "Order" smallint, "Priority" int);
        insert into ${s}."Orders" values (10, 1, 1, 1), (11, 9, 2, 4), (12, null, 3, 2);
        create table ${s}."Order Details" ("OrderID" int, "ProductID" int, "Quantity" smallint);
        insert into ${s}."Order Details" values (10, 1, 5), (10, 1, 6), (13, 2, 1);
        create table ${s}."OrderDetails" ("ID" int);
      `);
      const compiler = new ProjectCompiler(project, { schema: s, sourceRelation: (_src, t) => ({ schema: s, identifier: t.identifier ?? t.name }) });
      for (const m of compiler.compileAll().models) await session.query(`create view "${m.relation.schema}"."${m.relation.identifier}" as ${m.sql}`);
      failures = new Map();
      for (const t of compileDataTests(compiler)) failures.set(t.name, (await session.query(t.sql)).length);
    });
    afterAll(async () => session?.close());

    it.each<[string, number]>([
      ["unique_stg_dbo__customers_customer_id", 0],
      ["unique_stg_dbo__customers_company_name", 1], // 'B' twice
      ["accepted_values_stg_dbo__customers_region__North__South", 1], // West (NULL is not a value)
      ["relationships_stg_dbo__orders_customer_id__customer_id__ref_stg_dbo__customers_", 1], // customer 9
      ["accepted_values_stg_dbo__orders_priority__False__1__2__3", 1], // 4
      ["datamigrate_unique_combination_stg_dbo__order_details_order_id__product_id", 1], // (10, 1) twice
      ["relationships_stg_dbo__order_details_order_id__order_id__ref_stg_dbo__orders_", 1], // order 13
    ])("%s: %d failing row(s)", (name, n) => {
      expect(failures.has(name), [...failures.keys()].join("\n")).toBe(true);
      expect(failures.get(name)).toBe(n);
    });
  });
});
