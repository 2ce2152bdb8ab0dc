import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildCatalog } from "../catalog/build.ts";
import type { Catalog } from "../catalog/model.ts";
import { readSources } from "../sources/read.ts";
import { sourceDdl } from "../translate/project/index.ts";
import { literalHints, loadOrder, synthesizeData, type SynthesisResult } from "./synthesize.ts";
import { openTestConnections, type TestConnections } from "./testing.ts";

const TSQL = `
CREATE TABLE dbo.Region (RegionCode char(2) NOT NULL PRIMARY KEY, Name nvarchar(30) NOT NULL UNIQUE);
CREATE TABLE dbo.Customer (
  CustomerID int IDENTITY(100, 5) NOT NULL PRIMARY KEY,
  RegionCode char(2) NULL REFERENCES dbo.Region(RegionCode),
  Name varchar(12) NOT NULL,
  Status varchar(10) NOT NULL CONSTRAINT CK_Status CHECK (Status IN ('active', 'closed', 'new')),
  Credit decimal(7,2) NULL,
  Score tinyint NOT NULL CONSTRAINT DF_Score DEFAULT (7),
  Born date NULL,
  Seen datetime2(3) NULL,
  IsVip bit NOT NULL,
  Ref uniqueidentifier NULL
);
CREATE TABLE dbo.Employee (EmployeeID int NOT NULL PRIMARY KEY, ManagerID int NOT NULL REFERENCES dbo.Employee(EmployeeID), StoreID int NOT NULL);
CREATE TABLE dbo.Store (StoreID int NOT NULL PRIMARY KEY, ManagerID int NOT NULL REFERENCES dbo.Employee(EmployeeID));
ALTER TABLE dbo.Employee ADD CONSTRAINT FK_Employee_Store FOREIGN KEY (StoreID) REFERENCES dbo.Store(StoreID);
CREATE TABLE dbo.OrderLine (
  CustomerID int NOT NULL REFERENCES dbo.Customer(CustomerID),
  LineNo smallint NOT NULL,
  Amount money NOT NULL,
  Note nvarchar(max) NULL,
  CONSTRAINT PK_OrderLine PRIMARY KEY (CustomerID, LineNo)
);
`;

let t: TestConnections;
let catalog: Catalog;
let result: SynthesisResult;
const schemaName = (s: string) => `syn_${s.toLowerCase()}`;
beforeAll(async () => {
  const dir = await mkdtemp(path.join(tmpdir(), "dm-syn-"));
  await writeFile(path.join(dir, "db.sql"), TSQL, "utf8");
  catalog = buildCatalog(await readSources([path.join(dir, "db.sql")]));
  await rm(dir, { recursive: true, force: true });
  t = await openTestConnections();
  for (const s of sourceDdl(catalog, { schemaName }).statements) await t.left.exec(s);
  result = await synthesizeData(catalog, t.left, { schemaName, rows: 40, rowsPerTable: { "dbo.region": 6 }, seed: 7 });
});
afterAll(async () => {
  await t?.dispose();
});

const q = (sql: string) => t.left.query(sql);

describe("synthesised data", () => {
  it("loads parents before children, with the requested row counts, and every constraint holds (the server enforces PK, UNIQUE, FK, NOT NULL)", () => {
    expect(loadOrder(catalog.objects.filter((o) => o.kind === "table")).map((o) => o.id)).toEqual(["dbo.Region", "dbo.Customer", "dbo.Store", "dbo.Employee", "dbo.OrderLine"]);
    expect(result.tables.map((x) => [x.table, x.rows, x.ok])).toEqual([
      ["dbo.Region", 6, true],
      ["dbo.Customer", 40, true],
      ["dbo.Store", 40, true],
      ["dbo.Employee", 40, true],
      ["dbo.OrderLine", 40, true],
    ]);
    expect(result.diagnostics).toEqual([]);
  });

  it("loads a self-referencing table and a cycle of foreign keys, and puts the cycle's constraint back", async () => {
    const [r] = await q(`select (select count(*)::int from syn_dbo.employee e where not exists (select 1 from syn_dbo.employee m where m.employeeid = e.managerid)) as orphans,
      (select count(*)::int from syn_dbo.store s where not exists (select 1 from syn_dbo.employee e where e.employeeid = s.managerid)) as store_orphans,
      (select count(*)::int from pg_constraint where contype = 'f' and conrelid = 'syn_dbo.store'::regclass) as store_fks`);
    expect(r).toEqual({ orphans: 0, store_orphans: 0, store_fks: 1 });
  });

  it("respects CHECK IN-lists, lengths, tinyint range, identity seed and step", async () => {
    const [r] = await q(`select count(*) filter (where status not in ('active','closed','new')) as bad_status,
      max(length(name)) as max_name, min(score) as min_score, max(score) as max_score,
      min(customerid) as min_id, bool_and((customerid - 100) % 5 = 0) as stepped from syn_dbo.customer`);
    // count(*) is bigint: a string from postgres.js, a number from PGlite.
    expect({ ...r, bad_status: Number(r!.bad_status), min_id: Number(r!.min_id) }).toMatchObject({ bad_status: 0, max_name: 12, min_id: 100, stepped: true });
    expect(Number(r!.min_score)).toBeGreaterThanOrEqual(0);
    expect(Number(r!.max_score)).toBeLessThanOrEqual(255);
  });

  it("includes the values where SQL Server and Postgres differ", async () => {
    const [r] = await q(`select
      count(*) filter (where name = '') as empty, count(*) filter (where name like '% ') as trailing,
      count(*) filter (where name <> lower(name) and name <> upper(name)) as mixed,
      count(*) filter (where credit is null) as nulls, count(*) filter (where credit < 0) as negative,
      count(*) filter (where credit = 0) as zero, count(*) filter (where credit * 10 % 10 = 5) as halves,
      count(*) filter (where to_char(seen, 'MM-DD') = '02-29') as leap, count(*) filter (where to_char(seen, 'MM-DD HH24:MI') = '12-31 23:59') as year_end,
      count(*) filter (where length(name) = 12) as longest, count(*) filter (where score = 7) as defaulted
      from syn_dbo.customer`);
    for (const k of ["empty", "trailing", "mixed", "nulls", "negative", "zero", "halves", "leap", "year_end", "longest", "defaulted"]) expect(Number(r![k]), k).toBeGreaterThan(0);
  });

  it("is deterministic for a seed", async () => {
    const other = await openTestConnections();
    try {
      for (const s of sourceDdl(catalog, { schemaName }).statements) await other.left.exec(s);
      await synthesizeData(catalog, other.left, { schemaName, rows: 40, rowsPerTable: { "dbo.region": 6 }, seed: 7 });
      const dump = (c: typeof t.left) => c.query(`select md5(string_agg(x::text, ',' order by x::text)) as h from syn_dbo.orderline x`);
      expect(await dump(other.left)).toEqual(await dump(t.left));
    } finally {
      await other.dispose();
    }
  });
});

describe("literal hints from the models", () => {
  it.each([
    ["select * from o where OrderDate between '19970101' and '19971231'", { dates: ["1997-01-01", "1997-12-31"], strings: [] }],
    ["select * from o where status = 'Shipped' and d >= '2001-07-01 00:00:00'", { dates: ["2001-07-01"], strings: ["Shipped"] }],
    ["select * from {{ source('a', 'b') }} where name like 'A%' and x = 'it''s'", { dates: [], strings: ["it's"] }],
    ["select to_char(d, 'YYYY') from t", { dates: [], strings: [] }],
  ])("%s", (sql, expected) => {
    expect(literalHints([sql])).toMatchObject(expected);
  });

  it.each([
    ["select q.qty * abs(q.price) from q", ["price", "qty"]],
    ['select "Unit Price" * 2, a - b, c/d from t', ["a", "b", "c", "d", "unit price"]],
    ["select x from t where y = -1 and z <= 0 and w::text = '5-6'", []],
  ])("arithmetic operands of %s", (sql, expected) => {
    expect(literalHints([sql]).arithmetic).toEqual(expected);
  });

  it("keeps integers that models multiply within what their product can hold, and other integers at the type's extremes", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "dm-syn-"));
    await writeFile(path.join(dir, "db.sql"), "CREATE TABLE dbo.Line (Id int NOT NULL PRIMARY KEY, Qty int NOT NULL, Price int NULL, Other int NOT NULL);", "utf8");
    const lines = buildCatalog(await readSources([path.join(dir, "db.sql")]));
    await rm(dir, { recursive: true, force: true });
    const other = await openTestConnections();
    try {
      for (const s of sourceDdl(lines, { schemaName }).statements) await other.left.exec(s);
      const hints = literalHints(["select l.qty * abs(l.price) as amount from {{ source('dbo', 'line') }} as l"]);
      await synthesizeData(lines, other.left, { schemaName, rows: 60, seed: 3, hints });
      const [r] = await other.left.query(
        `select max(abs(qty::bigint * price::bigint)) as product, max(other) as hi, min(other) as lo, max(abs(qty)) as q from syn_dbo.line`,
      );
      expect(Number(r!.product)).toBeLessThanOrEqual(2147483647);
      expect(Number(r!.q)).toBeGreaterThan(1000);
      expect([Number(r!.hi), Number(r!.lo)]).toEqual([2147483647, -2147483648]);
    } finally {
      await other.dispose();
    }
  });

  it("draws some values from them, so filters on those literals select rows", async () => {
    const other = await openTestConnections();
    try {
      for (const s of sourceDdl(catalog, { schemaName }).statements) await other.left.exec(s);
      await synthesizeData(catalog, other.left, { schemaName, rows: 60, seed: 3, hints: { dates: ["1997-03-01"], strings: ["active-ish"] } });
      const [r] = await other.left.query(`select count(*) filter (where born between '1997-03-01' and '1997-04-01') as hinted_dates from syn_dbo.customer`);
      expect(Number(r!.hinted_dates)).toBeGreaterThan(5);
    } finally {
      await other.dispose();
    }
  });
});
