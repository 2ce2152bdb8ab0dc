// The SQL Server source adapter against a recorded runner (no server here): the SQL it sends for a
// copy, the kinds it reads from sys.columns, and a copy into Postgres that keeps every digit.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { copyTables } from "./copy.ts";
import { mssqlConnection, mssqlDialect } from "./connection-mssql.ts";
import { openTestConnections, type TestConnections } from "./testing.ts";

const COLUMNS = [
  { name: "OrderID", type: "bigint", nullable: false, scale: 0 },
  { name: "Amount", type: "money", nullable: true, scale: 4 },
  { name: "PlacedAt", type: "datetime2", nullable: true, scale: 7 },
  { name: "Note", type: "nvarchar", nullable: true, scale: 0 },
  { name: "Shipped", type: "bit", nullable: false, scale: 0 },
];

let t: TestConnections;
beforeAll(async () => {
  t = await openTestConnections();
  await t.left.exec(`create schema ms; create table ms.orders (orderid bigint, amount numeric(19,4), placedat timestamp(6), note text, shipped boolean)`);
});
afterAll(async () => {
  await t?.dispose();
});

describe("SQL Server source adapter", () => {
  it.each([
    [mssqlDialect.relation({ schema: "Sales", name: "Order]s" }), "[Sales].[Order]]s]"],
    [mssqlDialect.limit("select a from t", 5), "select top (5) a from t"],
    [mssqlDialect.exactText("[x]", "timestamp"), "convert(varchar(27), [x], 121)"],
    [mssqlDialect.exactText("[x]", "decimal"), "convert(varchar(60), [x])"],
    [String(mssqlDialect.exactText("[x]", "text")), "undefined"],
  ])("%s", (got, expected) => {
    expect(got).toBe(expected);
  });

  it("refuses parity normalisation rather than guessing it", () => {
    expect(() => mssqlDialect.md5("x")).toThrow(/not available yet/);
  });

  it("copies through the adapter with exact decimals, bigints and 100 ns datetimes", async () => {
    const sent: string[] = [];
    const conn = await mssqlConnection("Server=nowhere;Database=x", {
      runnerFactory: async () => ({
        async run(_n, text) {
          sent.push(text);
          if (/sys\.columns/.test(text)) return COLUMNS;
          return [
            { OrderID: "9007199254740993", Amount: "922337203685477.5807", PlacedAt: "2024-02-29 23:59:59.9999999", Note: "tab\there ", Shipped: true },
            { OrderID: "2", Amount: null, PlacedAt: null, Note: null, Shipped: false },
          ];
        },
        close: async () => {},
      }),
    });
    expect((await conn.describe({ schema: "Sales", name: "Orders" }))!.map((c) => c.kind)).toEqual(["integer", "decimal", "timestamp", "text", "boolean"]);
    const r = await copyTables(conn, t.left, [{ id: "Sales.Orders", source: { schema: "Sales", name: "Orders" }, target: { schema: "ms", name: "orders" } }], { rowCap: 100 });
    expect(r.tables[0]).toMatchObject({ ok: true, rows: 2 });
    expect(sent.at(-1)).toBe(
      "select top (101) convert(varchar(60), [OrderID]) as [OrderID], convert(varchar(60), [Amount]) as [Amount], convert(varchar(27), [PlacedAt], 121) as [PlacedAt], [Note], [Shipped] from [Sales].[Orders]",
    );
    expect(await t.left.query(`select orderid::text as id, amount::text as amount, placedat::text as placed, note, shipped from ms.orders order by orderid`)).toEqual([
      { id: "2", amount: null, placed: null, note: null, shipped: false },
      // Postgres keeps microseconds: the 7th digit rounds, the rest arrives as written.
      { id: "9007199254740993", amount: "922337203685477.5807", placed: "2024-03-01 00:00:00", note: "tab\there ", shipped: true },
    ]);
  });
});
