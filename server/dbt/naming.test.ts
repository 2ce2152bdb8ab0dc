import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  NameScope,
  POSTGRES_RESERVED_WORDS,
  intermediateModelName,
  isPlainPostgresIdentifier,
  martModelName,
  normaliseIdentifier,
  quotePostgresIdentifier,
  splitWords,
  stagingModelName,
  toIdentifier,
  truncateUtf8,
} from "./naming.ts";
import { openSqlSession, type SqlSession } from "./test-sql.ts";

describe("toIdentifier (snake)", () => {
  it.each([
    ["PersonID", "person_id"],
    ["HTTPStatus", "http_status"],
    ["SalesOrderID", "sales_order_id"],
    ["rowguid", "rowguid"],
    ["ModifiedDate", "modified_date"],
    ["AddressLine1", "address_line1"],
    ["MD5Hash", "md5_hash"],
    ["ID", "id"],
    ["Order Details", "order_details"],
    ["[Order Details]", "order_details"],
    ["Sales Amount ($)", "sales_amount"],
    ["e-mail", "e_mail"],
    ["first.name", "first_name"],
    ["  padded  ", "padded"],
    ["already_snake", "already_snake"],
    ["__Private", "private"],
    ["Città", "citta"],
    ["Größe", "große"],
    ["2020Sales", "_2020_sales"],
    ["$$$", "unnamed"],
    ["Order", "order_"],
    ["User", "user_"],
    ["Left", "left_"],
    ["Time", "time"], // a col_name keyword: allowed as a column name unquoted
    ["XMLData", "xml_data"],
    ["ProductModelIllustrationID", "product_model_illustration_id"],
  ])("%s → %s", (input, expected) => expect(toIdentifier(input)).toBe(expected));
});

describe("toIdentifier (other styles)", () => {
  it.each([
    ["PersonID", "lower", "personid"],
    ["PersonID", "preserve", "PersonID"],
    ["Order Details", "lower", "order details"],
    ["Order", "lower", "order_"],
    ["Order", "preserve", "Order"],
  ] as const)("%s (%s) → %s", (input, style, expected) => expect(toIdentifier(input, { style })).toBe(expected));
  it("keeps reserved words when asked (the generator quotes them)", () => expect(toIdentifier("Order", { reserved: "keep" })).toBe("order"));
});

describe("63-byte limit", () => {
  const long = "ThisIsAVeryLongColumnNameThatSomeoneTypedIntoSqlServerBecauseTheyCould";
  const a = normaliseIdentifier(long);
  const b = normaliseIdentifier(long + "2");
  it("cuts to at most 63 bytes", () => {
    expect(Buffer.byteLength(a.name)).toBeLessThanOrEqual(63);
    expect(a.changes).toContain("truncated");
  });
  it("keeps two long names with a common prefix distinct", () => expect(a.name).not.toBe(b.name));
  it("is stable", () => expect(normaliseIdentifier(long).name).toBe(a.name));
  it("never splits a multi-byte character", () => {
    const n = normaliseIdentifier("é".repeat(40) + "x".repeat(40), { style: "preserve" }).name;
    expect(Buffer.byteLength(n)).toBeLessThanOrEqual(63);
    expect(n).not.toContain("\uFFFD");
  });
  it.each([
    ["abc", 2, "ab"],
    ["aé", 2, "a"],
    ["aé", 3, "aé"],
  ])("truncateUtf8(%s, %d) → %s", (s, n, expected) => expect(truncateUtf8(s, n)).toBe(expected));
});

describe("splitWords", () => {
  it.each([
    ["HTTPStatusCode", ["HTTP", "Status", "Code"]],
    ["getHTTPResponse", ["get", "HTTP", "Response"]],
    ["ID", ["ID"]],
    ["a_b c", ["a", "b", "c"]],
  ])("%s", (s, words) => expect(splitWords(s)).toEqual(words));
});

describe("NameScope: collisions are disambiguated deterministically", () => {
  it("gives the base name to the original that sorts first, whatever the input order", () => {
    const one = new NameScope({ what: "column of dbo.Orders" }).assign(["Order_ID", "OrderID", "ORDER ID"]);
    const two = new NameScope({ what: "column of dbo.Orders" }).assign(["OrderID", "ORDER ID", "Order_ID"]);
    expect([...one.entries()].sort()).toEqual([...two.entries()].sort());
    expect(one.get("ORDER ID")).toBe("order_id");
    expect(one.get("OrderID")).toBe("order_id_2");
    expect(one.get("Order_ID")).toBe("order_id_3");
  });
  it("reports each rename with DBT1001", () => {
    const scope = new NameScope({ what: "column of dbo.Orders", at: { file: "orders.sql", line: 3 } });
    scope.assign(["OrderID", "Order_ID"]);
    expect(scope.diagnostics).toHaveLength(1);
    expect(scope.diagnostics[0]).toMatchObject({ code: "DBT1001", severity: "warning", file: "orders.sql", line: 3 });
    expect(scope.diagnostics[0]!.message).toContain("'Order_ID'");
    expect(scope.diagnostics[0]!.message).toContain("order_id_2");
  });
  it("skips a suffix that is itself taken", () => {
    const m = new NameScope({ what: "column" }).assign(["A", "a_2", "a "]);
    expect(new Set(m.values()).size).toBe(3);
    expect(m.get("a_2")).toBe("a_2");
  });
  it("returns the same name for the same original", () => {
    const s = new NameScope({ what: "model" });
    expect(s.name("Customer")).toBe(s.name("Customer"));
  });
  it("respects reserved names", () => {
    const s = new NameScope({ what: "model" }).reserve("customers");
    expect(s.name("Customers")).toBe("customers_2");
  });
  it.each([
    ["Order", "DBT1002"],
    ["x".repeat(80), "DBT1003"],
    ["###", "DBT1004"],
  ])("reports %s with %s", (name, code) => {
    const s = new NameScope({ what: "column" });
    s.name(name);
    expect(s.diagnostics.map((d) => d.code)).toContain(code);
  });
  it("with normalise: false, keeps already-built names and only makes them unique", () => {
    const s = new NameScope({ what: "model", normalise: false });
    expect(s.name("stg_sales__orders")).toBe("stg_sales__orders");
    expect(s.name("STG_sales__orders")).toBe("STG_sales__orders_2");
    expect(s.diagnostics.map((d) => d.code)).toEqual(["DBT1001"]);
  });
  it("in preserve style, names differing only in case are distinct", () => {
    const m = new NameScope({ what: "column", style: "preserve" }).assign(["Id", "ID"]);
    expect(m.get("Id")).toBe("Id");
    expect(m.get("ID")).toBe("ID");
  });
});

describe("model names per the structure guide", () => {
  it.each([
    [stagingModelName("Sales", "SalesOrderHeader"), "stg_sales__sales_order_header"],
    [stagingModelName("dbo", "Order Details"), "stg_dbo__order_details"],
    [stagingModelName("HumanResources", "Order"), "stg_human_resources__order"],
    [intermediateModelName("Orders", "PivotedToCustomers"), "int_orders_pivoted_to_customers"],
    [intermediateModelName("vSalesPerson"), "int_v_sales_person"],
    [martModelName("CustomerOrders"), "customer_orders"],
  ])("%s", (actual, expected) => expect(actual).toBe(expected));
  it("keeps model names within 63 bytes", () => {
    expect(Buffer.byteLength(stagingModelName("AVeryLongSchemaNameIndeed", "AnEvenLongerTableNameThatGoesOnAndOnForever"))).toBeLessThanOrEqual(63);
  });
});

describe("quoting", () => {
  it.each([
    ["person_id", "person_id"],
    ["order", '"order"'],
    ["PersonID", '"PersonID"'],
    ['a"b', '"a""b"'],
    ["time", "time"],
  ])("%s → %s", (n, q) => expect(quotePostgresIdentifier(n)).toBe(q));
  it("plain identifiers need no quotes", () => expect(isPlainPostgresIdentifier("_2020_sales")).toBe(true));
});

describe("the reserved-word list matches Postgres", () => {
  let session: SqlSession;
  beforeAll(async () => {
    session = await openSqlSession();
  });
  afterAll(async () => session?.close());
  it("contains every R and T keyword of the server, and nothing else but system_user", async () => {
    const rows = await session.query<{ word: string }>("select word from pg_get_keywords() where catcode in ('R', 'T')");
    const server = new Set(rows.map((r) => r.word));
    expect(server.size).toBeGreaterThan(50);
    expect([...server].filter((w) => !POSTGRES_RESERVED_WORDS.has(w))).toEqual([]);
    expect([...POSTGRES_RESERVED_WORDS].filter((w) => !server.has(w) && w !== "system_user")).toEqual([]);
  });
  it("every normalised name is accepted unquoted as a column name", async () => {
    const names = ["Order", "User", "Left", "Time", "2020Sales", "$$$", "HTTPStatus", "Group", "Table", "Select", "Window"].map((n) => toIdentifier(n));
    await session.query(`create table naming_probe (${names.map((n) => `${n} int`).join(", ")})`);
    const rows = await session.query<{ column_name: string }>(
      `select column_name from information_schema.columns where table_schema = '${session.schema}' and table_name = 'naming_probe' order by ordinal_position`,
    );
    expect(rows.map((r) => r.column_name)).toEqual(names);
  });
});
