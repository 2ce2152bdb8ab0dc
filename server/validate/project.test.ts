// validateProject and the `validate` command on a project written to disk by convert.
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { parseValidateArgs, validate } from "../commands/validate.ts";
import { convertPaths, writeConversion } from "../translate/project/index.ts";
import { validateProject } from "./project.ts";

const TSQL = `
CREATE TABLE dbo.Region (RegionCode char(2) NOT NULL PRIMARY KEY, Name nvarchar(30) NOT NULL);
GO
CREATE TABLE dbo.Customer (CustomerID int NOT NULL PRIMARY KEY, RegionCode char(2) NULL REFERENCES dbo.Region(RegionCode), Name varchar(40) NOT NULL);
GO
CREATE VIEW dbo.vCustomer AS SELECT c.CustomerID, c.Name, r.Name AS RegionName FROM dbo.Customer c JOIN dbo.Region r ON r.RegionCode = c.RegionCode;
GO
CREATE PROCEDURE dbo.usp_Touch @CustomerID int AS UPDATE dbo.Customer SET Name = Name WHERE CustomerID = @CustomerID;
GO
`;

let dir: string;
let out: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "dm-vp-"));
  await writeFile(path.join(dir, "db.sql"), TSQL, "utf8");
  const c = await convertPaths([path.join(dir, "db.sql")]);
  out = path.join(dir, "project");
  await writeConversion(c.result, out);
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("validateProject", () => {
  it("rebuilds the catalog from the sources report.json names, runs, and writes an evidence grade on every object of report.json", async () => {
    const r = await validateProject(out, { ...(process.env.TEST_DATABASE_URL ? { databaseUrl: process.env.TEST_DATABASE_URL } : {}), rows: 10 });
    expect(r.run?.loads.map((l) => l.rows)).toEqual([10, 10]);
    const report = JSON.parse(await readFile(path.join(out, "report.json"), "utf8"));
    const grades = Object.fromEntries(report.objects.map((o: { name: string; evidence: string }) => [o.name, o.evidence]));
    expect(grades).toEqual({ Region: "tests_passed", Customer: "tests_passed", vCustomer: "tests_passed", usp_Touch: "failed" });
    expect(report.validation.evidence).toEqual({ verified_equal: 0, tests_passed: 3, ran: 0, compiled: 0, failed: 1 });
    expect(report.validation.models.every((m: { status: string }) => m.status === "ran")).toBe(true);
  });

  it("says so when the directory is not a dbt project", async () => {
    const r = await validateProject(dir);
    expect(r.diagnostics.map((d) => d.code)).toContain("VAL1008");
    expect(r.run).toBeUndefined();
  });
});

describe("datamigrate validate", () => {
  it.each([
    [["p"], { dir: "p", sources: [], json: false, keep: false }],
    [["p", "--json", "--keep", "--rows", "5"], { dir: "p", sources: [], json: true, keep: true, rows: 5 }],
    [["--database-url=postgres://x/y", "p", "--sources", "a.sql", "--sources", "b.sql"], { dir: "p", databaseUrl: "postgres://x/y", sources: ["a.sql", "b.sql"], json: false, keep: false }],
    [[], "give exactly one dbt project directory"],
    [["p", "q"], "give exactly one dbt project directory"],
    [["p", "--rows", "0"], "--rows expects a positive whole number, got '0'"],
    [["p", "--source"], "--source expects a value"],
    [["p", "--bogus"], "unknown option '--bogus'"],
  ] as const)("%j → %j", (args, expected) => {
    expect(parseValidateArgs([...args])).toEqual(expected);
  });

  it("prints JSON with the grades and exits 0 when every model ran", async () => {
    let printed = "";
    const spy = vi.spyOn(process.stdout, "write").mockImplementation((s: string | Uint8Array) => {
      printed += String(s);
      return true;
    });
    try {
      const code = await validate.run([out, "--json", "--rows", "5", ...(process.env.TEST_DATABASE_URL ? ["--database-url", process.env.TEST_DATABASE_URL] : [])]);
      expect(code).toBe(0);
    } finally {
      spy.mockRestore();
    }
    const j = JSON.parse(printed);
    expect(j.grades).toEqual({ verified_equal: 0, tests_passed: 3, ran: 0, compiled: 0, failed: 1 });
    expect(j.models.length).toBe(3);
  });
});
