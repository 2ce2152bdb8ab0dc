// A small but complete project (every kind of resource the writer supports), used by the tests
// of the writer, the renderer and the data-test compiler. Written by hand; no corpus content.
import type { DbtProjectInput } from "./project.ts";

export function shopProject(): DbtProjectInput {
  return {
    name: "shop",
    profile: "shop",
    target: "postgres",
    vars: { default_country: "NL", start_date: "2020-01-01" },
    onRunStart: ["{{ create_tsql_functions() }}"],
    sources: [
      {
        name: "sales",
        database: "Shop",
        schema: "sales",
        description: "Schema Sales of database Shop",
        tables: [
          {
            name: "customer",
            identifier: "Customer",
            description: "One row per customer. Uses {{ braces }} in text.",
            origin: { database: "Shop", schema: "Sales", name: "Customer", kind: "table" },
            // Source columns keep their SQL Server names (the tables are created with them), so they are quoted.
            columns: [
              { name: "CustomerID", quote: true, data_type: "integer", description: "Surrogate key", data_tests: [{ test: "unique" }, { test: "not_null" }] },
              { name: "FullName", quote: true, data_type: "varchar(100)", data_tests: [{ test: "not_null" }] },
              { name: "Status", quote: true, data_type: "char(1)", data_tests: [{ test: "accepted_values", values: ["A", "I", "yes"] }] },
            ],
          },
          {
            name: "order_line",
            identifier: "OrderLine",
            origin: { database: "Shop", schema: "Sales", name: "OrderLine", kind: "table" },
            columns: [
              { name: "OrderID", quote: true, data_type: "integer" },
              { name: "LineNo", quote: true, data_type: "smallint" },
              { name: "Quantity", quote: true, data_type: "integer" },
              {
                name: "CustomerID",
                quote: true,
                data_type: "integer",
                data_tests: [{ test: "relationships", to: { kind: "source", source: "sales", table: "customer" }, field: '"CustomerID"' }],
              },
            ],
            data_tests: [
              { test: "unique_combination", columns: ['"OrderID"', '"LineNo"'] },
              { test: "expression_is_true", expression: '"Quantity" > 0' },
            ],
          },
        ],
      },
    ],
    models: [
      {
        name: "stg_sales__customer",
        path: "models/staging/sales/stg_sales__customer.sql",
        sql: "select\n    \"CustomerID\" as customer_id,\n    \"FullName\" as full_name,\n    \"Status\" as status\nfrom {{ source('sales', 'customer') }}\n",
        description: "Customers, renamed.",
        origin: { database: "Shop", schema: "Sales", name: "Customer", kind: "table" },
        columns: [
          { name: "customer_id", origin: "CustomerID", data_tests: [{ test: "unique" }, { test: "not_null" }] },
          { name: "full_name", origin: "FullName" },
          { name: "status", origin: "Status", data_tests: [{ test: "accepted_values", values: ["A", "I"], config: { severity: "warn" } }] },
        ],
      },
      {
        name: "stg_sales__order_line",
        path: "models/staging/sales/stg_sales__order_line.sql",
        sql: "select \"OrderID\" as order_id, \"LineNo\" as line_no, \"Quantity\" as quantity, \"CustomerID\" as customer_id\nfrom {{ source('sales', 'order_line') }}\n",
        origin: { database: "Shop", schema: "Sales", name: "OrderLine", kind: "table" },
        columns: [
          { name: "order_id", origin: "OrderID", data_tests: [{ test: "not_null" }] },
          { name: "line_no", origin: "LineNo" },
          { name: "quantity", origin: "Quantity" },
          {
            name: "customer_id",
            origin: "CustomerID",
            data_tests: [{ test: "relationships", to: { kind: "ref", model: "stg_sales__customer" }, field: "customer_id", config: { where: "customer_id > 0" } }],
          },
        ],
        data_tests: [{ test: "unique_combination", columns: ["order_id", "line_no"] }],
      },
      {
        name: "int_order_lines_joined",
        path: "models/intermediate/int_order_lines_joined.sql",
        sql: "select l.order_id, l.quantity, c.full_name\nfrom {{ ref('stg_sales__order_line') }} as l\njoin {{ ref('stg_sales__customer') }} as c on c.customer_id = l.customer_id\n",
        origin: { schema: "Sales", name: "vOrderLines", kind: "view" },
      },
      {
        name: "customer_orders",
        path: "models/marts/sales/customer_orders.sql",
        materialized: "incremental",
        config: { unique_key: "full_name", incremental_strategy: "delete+insert", on_schema_change: "append_new_columns" },
        sql:
          "select full_name, sum(quantity) as total_quantity\nfrom {{ ref('int_order_lines_joined') }}\n{% if is_incremental() %}\nwhere full_name > (select coalesce(max(full_name), '') from {{ this }})\n{% endif %}\ngroup by full_name\n",
        description: "Quantity per customer (view Sales.vCustomerOrders).",
        origin: { schema: "Sales", name: "vCustomerOrders", kind: "view" },
        columns: [{ name: "full_name", origin: "FullName", data_tests: [{ test: "unique" }] }, { name: "total_quantity", origin: "TotalQuantity" }],
        data_tests: [{ test: "expression_is_true", expression: "total_quantity >= 0" }],
      },
    ],
    macros: [
      {
        path: "macros/tsql/create_tsql_functions.sql",
        content: "{% macro create_tsql_functions() %}\ncreate schema if not exists tsql\n{% endmacro %}\n",
        docs: [{ name: "create_tsql_functions", description: "Creates the T-SQL emulation functions." }],
      },
      {
        path: "macros/tsql/len.sql",
        content: "{% macro tsql_len(expr) %}length(rtrim({{ expr }}))\n{%- endmacro %}\n",
        docs: [{ name: "tsql_len", description: "LEN: length without trailing spaces.", arguments: [{ name: "expr", type: "string", description: "a string expression" }] }],
      },
    ],
    seeds: [
      {
        name: "country_codes",
        csv: "code,name\nNL,Netherlands\nNO,Norway\n",
        description: "ISO country codes",
        column_types: { code: "char(2)" },
        columns: [{ name: "code", data_tests: [{ test: "unique" }] }],
      },
    ],
    snapshots: [
      { name: "customer_snapshot", relation: { kind: "source", source: "sales", table: "customer" }, strategy: "check", unique_key: "CustomerID", check_cols: "all" },
    ],
    selectors: [{ name: "staging_only", description: "The staging layer", definition: { method: "path", value: "models/staging" } }],
    docs: [{ name: "customer_status", content: "A = active, I = inactive." }],
  };
}
