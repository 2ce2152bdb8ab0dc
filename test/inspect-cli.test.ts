// End to end: `npm run -s datamigrate -- inspect ...` as a user runs it (a real process).
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeZip } from "./fixtures/zip-writer.ts";

const ROOT = path.join(import.meta.dirname, "..");

function cli(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ["--import", "tsx", path.join(ROOT, "server/cli.ts"), ...args], { cwd: ROOT, encoding: "utf8", timeout: 120_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe("datamigrate inspect (process)", () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), "dm-cli-"));
    const sqlproj = `<Project Sdk="Microsoft.Build.Sql/0.2.0"><PropertyGroup><Name>Shop</Name></PropertyGroup></Project>`;
    writeFileSync(
      path.join(dir, "shop.zip"),
      makeZip([
        { name: "Shop.sqlproj", data: sqlproj },
        { name: "Tables/Customer.sql", data: Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from("CREATE TABLE dbo.Customer (Id int NOT NULL PRIMARY KEY);\r\n", "utf16le")]) },
        { name: "Views/vCustomer.sql", data: "\ufeffCREATE VIEW dbo.vCustomer AS SELECT Id FROM dbo.Customer;" },
        { name: "../outside.sql", data: "CREATE TABLE dbo.Evil (a int);" },
      ]),
    );
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("--json over an SSDT zip: objects with dependencies, the hostile entry reported", () => {
    const zip = path.join(dir, "shop.zip");
    const r = cli(["inspect", zip, "--json"]);
    expect(r.status).toBe(0);
    const json = JSON.parse(r.stdout) as { objects: unknown[]; diagnostics: { code: string; file: string; line: number }[] };
    expect(json.objects).toEqual([
      { schema: "dbo", name: "Customer", kind: "table", file: `${zip}/Tables/Customer.sql`, line: 1, dependsOn: [] },
      { schema: "dbo", name: "vCustomer", kind: "view", file: `${zip}/Views/vCustomer.sql`, line: 1, dependsOn: ["dbo.Customer"] },
    ]);
    expect(json.diagnostics).toEqual([{ code: "SRC1102", severity: "error", message: expect.stringContaining("../outside.sql"), file: zip, line: 1 }]);
  });

  it("exits 1 when nothing is readable, and says why", () => {
    const r = cli(["inspect", path.join(dir, "missing.sql")]);
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/SRC1004/);
    expect(r.stdout).toMatch(/CAT1012/);
  });
});
