// Data tests for view models: one line per rule, stating which guarantee a view keeps of its
// tables' constraints, and which it does not. The last case runs a project on a real database.
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { buildCatalog } from "../../catalog/build.ts";
import type { Catalog } from "../../catalog/model.ts";
import { readSources } from "../../sources/read.ts";
import { runValidation } from "../../validate/run.ts";
import { convertCatalog } from "./convert.ts";

const TABLES = `
CREATE TABLE dbo.Region (RegionID int NOT NULL PRIMARY KEY, Code char(2) NOT NULL UNIQUE, Name nvarchar(40) NULL);
CREATE TABLE dbo.Customer (CustomerID int NOT NULL PRIMARY KEY, RegionID int NULL REFERENCES dbo.Region(RegionID), Name nvarchar(40) NOT NULL, Email varchar(80) NULL);
CREATE TABLE dbo.Address (CustomerID int NOT NULL REFERENCES dbo.Customer(CustomerID), Kind tinyint NOT NULL, City nvarchar(40) NOT NULL, CONSTRAINT PK_Address PRIMARY KEY (CustomerID, Kind));
GO
`;

async function catalogOf(sql: string): Promise<Catalog> {
  const dir = await mkdtemp(path.join(tmpdir(), "dm-vt-"));
  try {
    await writeFile(path.join(dir, "db.sql"), sql, "utf8");
    return buildCatalog(await readSources([path.join(dir, "db.sql")]));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** column → its test names, and the model's composite keys, for the one view `dbo.V`. */
async function testsOf(view: string) {
  const catalog = await catalogOf(`${TABLES}CREATE VIEW dbo.V AS ${view}\nGO\n`);
  const { project } = convertCatalog(catalog);
  const model = project.models.find((m) => m.origin?.name === "V")!;
  expect(model.config?.enabled).not.toBe(false);
  const columns = Object.fromEntries((model.columns ?? []).filter((c) => c.data_tests?.length).map((c) => [c.name, c.data_tests!.map((t) => t.test)]));
  const keys = (model.data_tests ?? []).map((t) => (t.test === "unique_combination" ? t.columns : t.test));
  return { columns, keys };
}

describe("view data tests", () => {
  it.each([
    ["one table: its key is unique and its NOT NULL columns are not null", "SELECT CustomerID, Name, Email FROM dbo.Customer", { customerid: ["not_null", "unique"], name: ["not_null"] }, []],
    ["WHERE, DISTINCT and TOP only remove rows", "SELECT DISTINCT TOP 10 c.CustomerID AS Id, c.Name FROM dbo.Customer c WHERE c.Name LIKE 'A%'", { id: ["not_null", "unique"], name: ["not_null"] }, []],
    ["an expression gets no test", "SELECT CustomerID + 0 AS Id, UPPER(Name) AS Name FROM dbo.Customer", {}, []],
    ["a join to a parent on its key keeps the child's key unique", "SELECT c.CustomerID, r.Code FROM dbo.Customer c JOIN dbo.Region r ON r.RegionID = c.RegionID", { customerid: ["not_null", "unique"], code: ["not_null"] }, []],
    ["the optional side of a LEFT join can be NULL", "SELECT c.CustomerID, r.Code FROM dbo.Customer c LEFT JOIN dbo.Region r ON r.RegionID = c.RegionID", { customerid: ["not_null", "unique"] }, []],
    ["a join to children multiplies rows: no unique", "SELECT c.CustomerID, a.City FROM dbo.Customer c JOIN dbo.Address a ON a.CustomerID = c.CustomerID", { customerid: ["not_null"], city: ["not_null"] }, []],
    ["a RIGHT join makes the first table optional", "SELECT c.CustomerID, r.Code FROM dbo.Customer c RIGHT JOIN dbo.Region r ON r.RegionID = c.RegionID", { code: ["not_null"] }, []],
    ["a composite key becomes unique_combination", "SELECT a.CustomerID, a.Kind, a.City FROM dbo.Address a", { customerid: ["not_null"], kind: ["not_null"], city: ["not_null"] }, [["customerid", "kind"]]],
    ["GROUP BY: nothing is claimed", "SELECT RegionID, COUNT(*) AS N FROM dbo.Customer GROUP BY RegionID", {}, []],
    ["UNION: nothing is claimed", "SELECT CustomerID FROM dbo.Customer UNION ALL SELECT CustomerID FROM dbo.Customer", {}, []],
    ["a derived table: nothing is claimed", "SELECT x.CustomerID FROM (SELECT CustomerID FROM dbo.Customer) x", {}, []],
    ["an ambiguous unqualified column gets no test", "SELECT CustomerID FROM dbo.Customer c JOIN dbo.Address a ON a.CustomerID = c.CustomerID AND a.Kind = 1", {}, []],
    ["a join pinning the whole composite key keeps uniqueness", "SELECT c.CustomerID, a.City FROM dbo.Customer c JOIN dbo.Address a ON a.CustomerID = c.CustomerID AND a.Kind = 1", { customerid: ["not_null", "unique"], city: ["not_null"] }, []],
  ])("%s", async (_why, view, columns, keys) => {
    expect(await testsOf(view)).toEqual({ columns, keys });
  });

  it("the tests run and pass on the synthesised data, so the view reaches tests_passed", async () => {
    const catalog = await catalogOf(`${TABLES}CREATE VIEW dbo.V AS SELECT c.CustomerID, c.Name, r.Code FROM dbo.Customer c JOIN dbo.Region r ON r.RegionID = c.RegionID\nGO\n`);
    const { project } = convertCatalog(catalog);
    const run = await runValidation(project, { catalog, rows: 30, ...(process.env.TEST_DATABASE_URL ? { databaseUrl: process.env.TEST_DATABASE_URL } : {}) });
    const v = run.models.find((m) => m.name === "v")!;
    expect(v.status).toBe("ran");
    expect(v.tests.map((t) => [t.name, t.status])).toEqual(expect.arrayContaining([expect.arrayContaining(["pass"])]));
    expect(v.tests.every((t) => t.status === "pass")).toBe(true);
    expect(v.tests.length).toBe(4);
    expect(v.evidence).toBe("tests_passed");
  }, 120_000);
});
