import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { makeZip } from "../../test/fixtures/zip-writer.ts";
import { inspect, parseInspectArgs } from "./inspect.ts";

async function run(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = "";
  let err = "";
  const o = vi.spyOn(process.stdout, "write").mockImplementation((s: string | Uint8Array) => {
    out += String(s);
    return true;
  });
  const e = vi.spyOn(process.stderr, "write").mockImplementation((s: string | Uint8Array) => {
    err += String(s);
    return true;
  });
  try {
    const code = await inspect.run(args);
    return { code, out, err };
  } finally {
    o.mockRestore();
    e.mockRestore();
  }
}

describe("parseInspectArgs", () => {
  it.each<[string[], unknown]>([
    [["a.sql"], { paths: ["a.sql"], json: false, vars: {} }],
    [["a.sql", "--json", "b"], { paths: ["a.sql", "b"], json: true, vars: {} }],
    [["--var", "Db=Shop", "x", "--var=Env=a=b"], { paths: ["x"], json: false, vars: { Db: "Shop", Env: "a=b" } }],
    [["x", "--collation", "Latin1_General_BIN2"], { paths: ["x"], json: false, vars: {}, collation: "Latin1_General_BIN2" }],
    [["--var", "novalue", "x"], "--var expects name=value, got 'novalue'"],
    [["--frobnicate", "x"], "unknown option '--frobnicate'"],
    [["--json"], "give at least one path"],
  ])("%j", (args, expected) => expect(parseInspectArgs(args)).toEqual(expected));
});

describe("datamigrate inspect", () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), "dm-inspect-"));
    writeFileSync(
      path.join(dir, "shop.sql"),
      [
        "CREATE TABLE dbo.Customer (Id int PRIMARY KEY);",
        "GO",
        "CREATE VIEW dbo.vCustomer AS SELECT Id FROM dbo.Customer JOIN $(Other).dbo.T AS t ON 1 = 1;",
        "GO",
        "CREATE PROCEDURE dbo.p AS SELECT * FROM dbo.vCustomer CROSS JOIN dbo.Missing;",
        "GO",
        "",
      ].join("\r\n"),
    );
    writeFileSync(path.join(dir, "blob.sql"), Buffer.from([0x4d, 0x5a, 0x90, 0, 3, 0, 0, 0, 4, 0, 0, 0, 0xff, 0xff, 0, 0]));
    writeFileSync(path.join(dir, "evil.zip"), makeZip([{ name: "../../etc/x.sql", data: "SELECT 1" }]));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("--json prints objects with dependencies and diagnostics with file and line", async () => {
    const shop = path.join(dir, "shop.sql");
    const r = await run([shop, path.join(dir, "blob.sql"), "--json", "--var", "Other=Archive"]);
    expect(r.code).toBe(0);
    const json = JSON.parse(r.out) as { objects: Record<string, unknown>[]; diagnostics: Record<string, unknown>[] };
    expect(Object.keys(json)).toEqual(["objects", "diagnostics"]);
    expect(json.objects).toEqual([
      { schema: "dbo", name: "Customer", kind: "table", file: shop, line: 1, dependsOn: [] },
      { schema: "dbo", name: "vCustomer", kind: "view", file: shop, line: 3, dependsOn: ["dbo.Customer"] },
      { schema: "dbo", name: "p", kind: "procedure", file: shop, line: 5, dependsOn: ["dbo.vCustomer"] },
    ]);
    for (const d of json.diagnostics) expect(Object.keys(d)).toEqual(["code", "severity", "message", "file", "line"]);
    expect(json.diagnostics.map((d) => [d.code, d.line])).toEqual([
      ["SRC1001", 1],
      ["CAT1003", 3],
      ["CAT1002", 5],
    ]);
    expect(json.diagnostics[1]!.message).toMatch(/Archive\.dbo\.T/);
  });

  it("text output: counts per kind, then diagnostics as file:line", async () => {
    const r = await run([path.join(dir, "shop.sql"), path.join(dir, "evil.zip"), "--var", "Other=Archive"]);
    expect(r.code).toBe(0);
    const lines = r.out.trimEnd().split("\n");
    expect(lines[0]).toBe("1 script file(s), 0 dacpac/server model(s) read");
    expect(lines.slice(1, 4).map((l) => l.trim().split(/\s+/))).toEqual([
      ["table", "1"],
      ["view", "1"],
      ["procedure", "1"],
    ]);
    expect(lines[4]).toBe("unresolved references: 1 cross database, 1 missing");
    expect(lines[5]).toMatch(/^3 diagnostic\(s\)/);
    expect(lines).toContain(`${path.join(dir, "evil.zip")}:1: error SRC1102: zip entry '../../etc/x.sql' skipped: its path climbs out of the archive (\`..\`)`);
    expect(lines.some((l) => l.startsWith(`${path.join(dir, "shop.sql")}:5: warning CAT1002:`))).toBe(true);
  });

  it("an undefined SQLCMD variable is a diagnostic, not a failure", async () => {
    const r = await run([path.join(dir, "shop.sql"), "--json"]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out).diagnostics.some((d: { code: string }) => d.code === "TSQL1101")).toBe(true);
  });

  it("exits non-zero only when nothing is readable", async () => {
    const r = await run([path.join(dir, "blob.sql"), path.join(dir, "nope"), "--json"]);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.out).diagnostics.map((d: { code: string }) => d.code)).toEqual(["SRC1001", "SRC1004", "CAT1012"]);
  });

  it("rejects bad arguments with exit code 2", async () => {
    const r = await run(["--json"]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/give at least one path/);
  });
});
