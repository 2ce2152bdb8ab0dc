// Bad input through the readers and the catalog: every problem is a diagnostic with a code, a file
// and a line; the rest of the input is still read; nothing throws.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildCatalog } from "../server/catalog/build.ts";
import { inspectPaths } from "../server/catalog/inspect.ts";
import { readModelXml } from "../server/sources/dacpac.ts";
import type { SourceSet } from "../server/sources/types.ts";

const one = (text: string, p = "bad.sql"): SourceSet => ({
  files: [{ path: p, text, encoding: "utf-8", origin: { kind: "file" } }],
  fragments: [],
  projects: [],
  diagnostics: [],
});

describe("bad scripts", () => {
  it.each([
    ["truncated statement", "CREATE TABLE dbo.A (a int);\nGO\nCREATE VIEW dbo.v AS SELECT a FROM dbo.A WHERE\n"],
    ["unterminated string", "CREATE TABLE dbo.A (a int);\nGO\nCREATE PROCEDURE dbo.p AS SELECT 'never closed\nFROM dbo.A;\n"],
    ["unterminated comment", "CREATE TABLE dbo.A (a int);\nGO\n/* never closed\nCREATE VIEW dbo.v AS SELECT 1 AS x;\n"],
    ["unbalanced BEGIN", "CREATE TABLE dbo.A (a int);\nGO\nCREATE PROCEDURE dbo.p AS BEGIN SELECT 1;\nGO\n"],
  ])("%s: the good objects are kept, the problem has a code, file and line", (_name, text) => {
    const c = buildCatalog(one(text));
    expect(c.objects.map((o) => o.id)).toContain("dbo.A");
    expect(c.diagnostics.length).toBeGreaterThan(0);
    for (const d of c.diagnostics) {
      expect(d.code).toMatch(/^(TSQL|CAT)\d{4}$/);
      expect(d.file).toBe("bad.sql");
      expect(d.line).toBeGreaterThanOrEqual(1);
    }
  });

  it("deep nesting at batch level does not overflow", () => {
    const depth = 2000;
    const text = `CREATE TABLE dbo.A (a int);\nGO\n${"IF 1 = 1 BEGIN\n".repeat(depth)}SELECT 1;\n${"END\n".repeat(depth)}GO\nCREATE VIEW dbo.v AS SELECT a FROM dbo.A;\n`;
    const c = buildCatalog(one(text));
    expect(c.objects.map((o) => o.id)).toEqual(expect.arrayContaining(["dbo.A", "dbo.v"]));
    expect(c.diagnostics.some((d) => d.code.startsWith("TSQL"))).toBe(true);
  });

  it("a 50 MB install script is read and its objects found", { timeout: 180_000 }, () => {
    const parts = ["CREATE TABLE dbo.Big (Id int PRIMARY KEY, Name nvarchar(100), Note nvarchar(max));\nGO\n"];
    let size = parts[0]!.length;
    for (let i = 0; size < 50 * 1024 * 1024; i++) {
      const line = `INSERT INTO dbo.Big (Id, Name, Note) VALUES (${i}, N'name ${i}', N'a note with ''quotes'' ${i}');\n${i % 1000 === 999 ? "GO\n" : ""}`;
      parts.push(line);
      size += line.length;
    }
    parts.push("GO\nCREATE VIEW dbo.vBig AS SELECT Id FROM dbo.Big;\nGO\n");
    const c = buildCatalog(one(parts.join(""), "big.sql"));
    expect(c.objects.filter((o) => !o.implicit).map((o) => o.id)).toEqual(["dbo.Big", "dbo.vBig"]);
    expect(c.diagnostics).toEqual([]);
  });
});

describe("any text in, a catalog or diagnostics out", () => {
  const pieces = [
    "CREATE TABLE ", "CREATE VIEW ", "CREATE PROCEDURE ", "CREATE FUNCTION ", "CREATE SYNONYM ", "ALTER TABLE ", "DROP ", "EXEC ", "EXEC('",
    "dbo.", "[x]", "\"y\"", "t", " AS ", " SELECT ", " FROM ", " JOIN ", " ON ", " WITH ", "(", ")", ",", ";", "'", "N'", "--", "/*", "*/", "\nGO\n",
    " BEGIN ", " END ", " IF ", " RETURNS TABLE ", " RETURN ", "@v", "#t", " INT", " FOR ", ":setvar ", "$(v)", "\n", " ",
  ];
  it("buildCatalog never throws and every diagnostic has a location", () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...pieces), { maxLength: 60 }), fc.string({ maxLength: 20 }), (ps, noise) => {
        const c = buildCatalog(one(ps.join("") + noise));
        for (const d of c.diagnostics) {
          expect(typeof d.code).toBe("string");
          expect(d.line).toBeGreaterThanOrEqual(1);
        }
      }),
      { numRuns: 300 },
    );
  });

  it("readModelXml never throws on mangled XML", () => {
    const xml = '<DataSchemaModel><Model><Element Type="SqlTable" Name="[dbo].[T]"><Relationship Name="Columns"><Entry><Element Type="SqlSimpleColumn" Name="[dbo].[T].[a]"/></Entry></Relationship></Element></Model></DataSchemaModel>';
    fc.assert(
      fc.property(fc.integer({ min: 0, max: xml.length }), fc.integer({ min: 0, max: 20 }), fc.string({ maxLength: 5 }), (at, cut, ins) => {
        const mangled = xml.slice(0, at) + ins + xml.slice(at + cut);
        const r = readModelXml(mangled, "m.xml", "m");
        for (const d of r.diagnostics) expect(d.line).toBeGreaterThanOrEqual(1);
      }),
      { numRuns: 300 },
    );
  });
});

describe("inspectPaths: one bad input does not stop the others", () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), "dm-bad-"));
    writeFileSync(path.join(dir, "good.sql"), "CREATE TABLE dbo.Good (a int);\n");
    writeFileSync(path.join(dir, "image.sql"), Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 0x10, 0x4a, 0x46, 0x49, 0x46, 0, 1, 1, 0, 0, 1]));
    writeFileSync(path.join(dir, "broken.dacpac"), Buffer.from("PK\u0003\u0004 this is not really a zip"));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("reads the good file and reports the others with their paths", async () => {
    const r = await inspectPaths([path.join(dir, "image.sql"), path.join(dir, "broken.dacpac"), path.join(dir, "good.sql")]);
    expect(r.readable).toBe(true);
    expect(r.json.objects.map((o) => o.name)).toEqual(["Good"]);
    expect(r.json.diagnostics.map((d) => [d.code, path.basename(d.file), d.line])).toEqual([
      ["SRC1001", "image.sql", 1],
      ["SRC1105", "broken.dacpac", 1],
    ]);
  });
});
