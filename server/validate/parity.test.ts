import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { compareRelations, ParityError, type ParityOptions, type RowDifference } from "./parity.ts";
import { openTestConnections, type TestConnections } from "./testing.ts";

let t: TestConnections;
beforeAll(async () => {
  t = await openTestConnections();
  await t.left.exec(`
    create schema a; create schema b;
    -- integer key, planted: id 7 changed, id 13 missing on b, id 5001 extra on b
    create table a.orders (id int primary key, customer varchar(20), amount numeric(12,2), placed timestamp(6), note text);
    insert into a.orders select g, 'c' || (g % 97), (g % 1000) / 4.0, timestamp '2024-02-28 23:59:59' + g * interval '1 minute' + interval '0.123456 second', case when g % 5 = 0 then null else 'n' || g end from generate_series(1, 5000) g;
    create table b.orders (id bigint primary key, customer varchar(40), amount numeric(14,4), placed timestamp(3), note text);
    insert into b.orders select id, customer, amount, placed, note from a.orders;
    update b.orders set amount = amount + 0.01 where id = 7;
    delete from b.orders where id = 13;
    insert into b.orders values (5001, 'new', 1, timestamp '2024-12-31 23:59:59.997', null);

    -- text key under a case-insensitive collation; values differ only in scale and trailing spaces
    create table a.products (code varchar(10) primary key, name varchar(30), price numeric(10,2));
    create table b.products (code text primary key, name text, price numeric(10,4));
    insert into a.products values ('abc', 'Widget', 1.50), ('XYZ', 'Gadget  ', 2), ('m-1', 'Thing', 0);
    insert into b.products values ('ABC', 'Widget', 1.5000), ('xyz', 'Gadget', 2.0), ('M-1', 'thing', 0);

    -- composite key, large enough for the hash segmentation to bisect
    create table a.lines (order_id int, line_no int, qty int, primary key (order_id, line_no));
    create table b.lines (order_id int, line_no int, qty int, primary key (order_id, line_no));
    insert into a.lines select g / 10, g % 10, g from generate_series(0, 9999) g;
    insert into b.lines select * from a.lines;
    update b.lines set qty = -1 where order_id = 500 and line_no = 3;
    delete from b.lines where order_id = 999 and line_no = 9;
  `);
});
afterAll(async () => {
  await t?.dispose();
});

const side = (schema: string, name: string, which: "left" | "right") => ({ connection: which === "left" ? t.left : t.right, relation: { schema, name } });
const compare = (name: string, o: ParityOptions) => compareRelations(side("a", name, "left"), side("b", name, "right"), o);
// Drivers differ in how they return bigint (string or number): keys are compared as text.
const k = (key: Record<string, unknown>) => JSON.stringify(Object.fromEntries(Object.entries(key).map(([n, v]) => [n, String(v)])));
const summary = (ds: RowDifference[]) =>
  ds.map((d) => (d.kind === "changed" ? `changed ${k(d.key)} ${d.columns.map((c) => c.column).join(",")}` : d.kind === "duplicate_key" ? `dup ${d.side}` : `${d.kind} ${k(d.key)}`)).sort();

describe("parity over two relations with planted differences", () => {
  it.each([
    ["direct fetch", { fetchThreshold: 100_000 }],
    ["range bisection", { fetchThreshold: 20, fanout: 4 }],
  ] as const)("integer key (%s): names the changed, missing and extra rows", async (_, extra) => {
    const r = await compare("orders", { key: ["id"], ...extra });
    expect(r.equal).toBe(false);
    expect(r.stats.mode).toBe("range");
    expect(r.rowCount).toEqual({ left: 5000, right: 5000 });
    expect(summary(r.differences)).toEqual(['changed {"id":"7"} amount', 'extra {"id":"5001"}', 'missing {"id":"13"}']);
    const changed = r.differences.find((d) => d.kind === "changed");
    expect(changed && changed.kind === "changed" && changed.columns[0]).toMatchObject({ column: "amount", left: "1.75", right: "1.7600" });
    if (extra.fetchThreshold === 20) expect(r.stats.rowsFetched).toBeLessThan(1000);
  });

  it("the portable md5 checksums (used between different servers) name the same rows as the same-dialect fast hash", async () => {
    const { fastHash: _f, ...portable } = t.right.dialect;
    const right = { ...t.right, dialect: portable, describe: t.right.describe, query: t.right.query };
    const r = await compareRelations(side("a", "orders", "left"), { connection: right, relation: { schema: "b", name: "orders" } }, { key: ["id"], fetchThreshold: 20, fanout: 4 });
    expect(summary(r.differences)).toEqual(['changed {"id":"7"} amount', 'extra {"id":"5001"}', 'missing {"id":"13"}']);
  });

  it("profiles count, nulls, distinct, min, max and sum per column and flag what differs", async () => {
    const r = await compare("orders", { key: ["id"] });
    const amount = r.profiles.find((p) => p.column === "amount")!;
    expect(amount.left.count).toBe(5000);
    expect(amount.differs).toContain("sum");
    const note = r.profiles.find((p) => p.column === "note")!;
    expect(note.left.nulls).toBe(1000);
    expect(note.right.nulls).toBe(1001);
    expect(r.profiles.find((p) => p.column === "placed")!.differs).toEqual(["max"]);
  });

  it("a case-insensitive key matches 'abc' with 'ABC'; trailing spaces and decimal scale are not differences", async () => {
    const r = await compare("products", { key: ["code"] });
    expect(summary(r.differences)).toEqual(['changed {"code":"m-1"} name']);
    const ci = await compare("products", { key: ["code"], caseInsensitiveValues: true });
    expect(ci.equal).toBe(true);
    expect(ci.differences).toEqual([]);
  });

  it("a case-sensitive key (collation _CS_) sees missing and extra rows instead", async () => {
    const r = await compare("products", { key: ["code"], collations: { code: "Latin1_General_CS_AS" } });
    expect(summary(r.differences)).toEqual([
      'extra {"code":"ABC"}',
      'extra {"code":"M-1"}',
      'extra {"code":"xyz"}',
      'missing {"code":"XYZ"}',
      'missing {"code":"abc"}',
      'missing {"code":"m-1"}',
    ]);
  });

  it.each([
    ["direct fetch", { fetchThreshold: 100_000 }],
    ["hash bisection", { fetchThreshold: 50 }],
  ] as const)("composite key (%s): finds the changed and missing lines", async (_, extra) => {
    const r = await compare("lines", { key: ["order_id", "line_no"], profiles: false, ...extra });
    expect(r.stats.mode).toBe("hash");
    expect(summary(r.differences)).toEqual(['changed {"order_id":"500","line_no":"3"} qty', 'missing {"order_id":"999","line_no":"9"}']);
    if (extra.fetchThreshold === 50) {
      expect(r.stats.segments).toBeGreaterThan(1);
      expect(r.stats.rowsFetched).toBeLessThan(2000);
    }
  });

  it("equal relations are equal, in both modes", async () => {
    expect((await compareRelations(side("a", "orders", "left"), side("a", "orders", "right"), { key: ["id"], fetchThreshold: 10 })).equal).toBe(true);
    const r = await compareRelations(side("a", "lines", "left"), side("a", "lines", "right"), { key: ["order_id", "line_no"], fetchThreshold: 10 });
    expect(r.equal).toBe(true);
    expect(r.differences).toEqual([]);
  });

  it("stops naming rows at maxDifferences and says so", async () => {
    const r = await compare("orders", { key: ["id"], maxDifferences: 1 });
    expect(r.differences).toHaveLength(1);
    expect(r.truncated).toBe(true);
  });

  it("refuses without a key, or when a relation or key column is missing", async () => {
    await expect(compare("orders", { key: [] })).rejects.toThrow(ParityError);
    await expect(compare("nope", { key: ["id"] })).rejects.toThrow(/does not exist/);
    await expect(compare("orders", { key: ["nope"] })).rejects.toThrow(/not on both sides/);
  });
});
