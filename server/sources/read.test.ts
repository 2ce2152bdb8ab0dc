import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeZip } from "../../test/fixtures/zip-writer.ts";
import { decodeSqlBytes } from "./decode.ts";
import { readBuffer, readSources } from "./read.ts";
import { parseSqlProject, selectProjectFiles } from "./sqlproj.ts";
import { checkEntryName, readZip } from "./zip.ts";

const SCRIPT = "CREATE TABLE dbo.Café (\r\n  Id int NOT NULL, -- clé\r\n  Nom nvarchar(20)\r\n);\r\nGO\r\n";
const NORMALISED = SCRIPT.replace(/\r\n/g, "\n");

function utf16be(text: string): Buffer {
  const le = Buffer.from(text, "utf16le");
  const be = Buffer.alloc(le.length);
  for (let i = 0; i < le.length; i += 2) {
    be[i] = le[i + 1]!;
    be[i + 1] = le[i]!;
  }
  return be;
}

describe("decodeSqlBytes", () => {
  it.each([
    ["UTF-8 without BOM", Buffer.from(SCRIPT, "utf8"), "utf-8"],
    ["UTF-8 with BOM", Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(SCRIPT, "utf8")]), "utf-8-bom"],
    ["UTF-16 LE with BOM", Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(SCRIPT, "utf16le")]), "utf-16le"],
    ["UTF-16 BE with BOM", Buffer.concat([Buffer.from([0xfe, 0xff]), utf16be(SCRIPT)]), "utf-16be"],
  ])("%s: decodes, strips the BOM, normalises CRLF", (_name, bytes, encoding) => {
    const r = decodeSqlBytes(bytes);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.encoding).toBe(encoding);
    expect(r.text).toBe(NORMALISED);
    expect(r.warning).toBeUndefined();
  });

  it("keeps line numbers: one LF per CRLF, lone CR counts as a line end", () => {
    const r = decodeSqlBytes(Buffer.from("a\r\nb\rc\n\r\nd"));
    expect(r.ok && r.text.split("\n")).toEqual(["a", "b", "c", "", "d"]);
  });

  it("reads invalid UTF-8 without BOM as windows-1252 and says so", () => {
    const r = decodeSqlBytes(Buffer.from([0x53, 0x45, 0x4c, 0x45, 0x43, 0x54, 0x20, 0x27, 0xe9, 0x27]));
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.encoding).toBe("windows-1252");
    expect(r.text).toBe("SELECT 'é'");
    expect(r.warning?.code).toBe("SRC1002");
  });

  it("reads UTF-16 LE without BOM (NULs on odd bytes only) with a warning", () => {
    const r = decodeSqlBytes(Buffer.from("SELECT 1;\n", "utf16le"));
    expect(r.ok && r.text).toBe("SELECT 1;\n");
    expect(r.ok && r.warning?.code).toBe("SRC1003");
  });

  it.each([
    ["NUL bytes in no UTF-16 pattern", Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d, 0x49, 0x48, 0x44, 0x52])],
    ["control characters", Buffer.from("\x01\x02\x03\x04\x05\x06\x07\x08 binary-ish \x0e\x0f\x10\x11")],
  ])("refuses a binary file (%s)", (_name, bytes) => {
    const r = decodeSqlBytes(bytes);
    expect(r.ok).toBe(false);
    expect(!r.ok && r.code).toBe("SRC1001");
  });
});

describe("checkEntryName", () => {
  it.each([
    ["Tables/Orders.sql", true, "Tables/Orders.sql"],
    ["./Tables\\Orders.sql", true, "Tables/Orders.sql"],
    ["../evil.sql", false, "SRC1102"],
    ["a/../../evil.sql", false, "SRC1102"],
    ["a\\..\\..\\evil.sql", false, "SRC1102"],
    ["/etc/passwd", false, "SRC1101"],
    ["C:\\Windows\\evil.sql", false, "SRC1101"],
    ["\\\\server\\share\\x.sql", false, "SRC1101"],
  ])("%s → ok=%s", (name, ok, expected) => {
    const r = checkEntryName(name);
    expect(r.ok).toBe(ok);
    if (r.ok) expect(r.name).toBe(expected);
    else expect(r.code).toBe(expected);
  });
});

describe("readZip: hostile archives", () => {
  it("skips ../ and absolute entries with a diagnostic and reads the rest", async () => {
    const zip = makeZip([
      { name: "../escape.sql", data: "SELECT 1" },
      { name: "/abs.sql", data: "SELECT 2" },
      { name: "ok/fine.sql", data: "SELECT 3" },
    ]);
    const r = await readZip(zip, { displayPath: "x.zip", want: () => true });
    expect(r.refused).toBe(false);
    expect(r.entries.map((e) => e.name)).toEqual(["ok/fine.sql"]);
    expect(r.diagnostics.map((d) => d.code).sort()).toEqual(["SRC1101", "SRC1102"]);
    expect(r.diagnostics.every((d) => d.file === "x.zip" && d.line === 1)).toBe(true);
  });

  it("refuses more than 20,000 entries before inflating anything", async () => {
    const entries = Array.from({ length: 20_001 }, (_, i) => ({ name: `f${i}.sql`, data: "", method: "store" as const }));
    const r = await readZip(makeZip(entries), { displayPath: "many.zip", want: () => true });
    expect(r.refused).toBe(true);
    expect(r.entries).toEqual([]);
    expect(r.diagnostics[0]?.code).toBe("SRC1103");
  });

  it("accepts exactly the entry limit", async () => {
    const entries = Array.from({ length: 50 }, (_, i) => ({ name: `f${i}.sql`, data: "x", method: "store" as const }));
    const r = await readZip(makeZip(entries), { displayPath: "ok.zip", want: () => true, limits: { maxEntries: 50 } });
    expect(r.refused).toBe(false);
    expect(r.entries).toHaveLength(50);
  });

  it("refuses an archive whose headers declare more than 1 GiB", async () => {
    const zip = makeZip([
      { name: "a.sql", data: "SELECT 1", declaredSize: 700 * 1024 * 1024 },
      { name: "b.sql", data: "SELECT 2", declaredSize: 700 * 1024 * 1024 },
    ]);
    const r = await readZip(zip, { displayPath: "declared.zip", want: () => true });
    expect(r.refused).toBe(true);
    expect(r.diagnostics.at(-1)?.code).toBe("SRC1104");
  });

  it("counts real inflated bytes: headers that under-declare are caught while streaming", async () => {
    // 4 MiB of zeros deflates to a few KB; the header claims 100 bytes.
    const zip = makeZip([{ name: "bomb.sql", data: Buffer.alloc(4 * 1024 * 1024), declaredSize: 100 }]);
    const r = await readZip(zip, { displayPath: "bomb.zip", want: () => true });
    expect(r.refused).toBe(true);
    expect(r.diagnostics.at(-1)?.code).toBe("SRC1104");
  });

  it("stops inflating at the byte budget even when headers are honest", async () => {
    const zip = makeZip([
      { name: "a.sql", data: Buffer.alloc(600_000, 0x20) },
      { name: "b.sql", data: Buffer.alloc(600_000, 0x20) },
    ]);
    const r = await readZip(zip, { displayPath: "big.zip", want: () => true, limits: { maxTotalUncompressed: 1_000_000 } });
    expect(r.refused).toBe(true);
    expect(r.diagnostics.at(-1)?.code).toBe("SRC1104");
    expect(r.diagnostics.at(-1)?.message).toMatch(/1000000/);
  });

  it("reports a file that is not a zip", async () => {
    const r = await readZip(Buffer.from("not a zip at all"), { displayPath: "bad.zip", want: () => true });
    expect(r.refused).toBe(true);
    expect(r.diagnostics[0]?.code).toBe("SRC1105");
  });
});

const SQLPROJ = `\ufeff<?xml version="1.0" encoding="utf-8"?>
<Project DefaultTargets="Build" xmlns="http://schemas.microsoft.com/developer/msbuild/2003" ToolsVersion="4.0">
  <PropertyGroup>
    <Name>Shop</Name>
    <DSP>Microsoft.Data.Tools.Schema.Sql.Sql150DatabaseSchemaProvider</DSP>
    <DefaultSchema>dbo</DefaultSchema>
    <DefaultCollation>Latin1_General_100_CI_AS</DefaultCollation>
  </PropertyGroup>
  <PropertyGroup Condition=" '$(Configuration)|$(Platform)' == 'Debug|AnyCPU' ">
    <OutputPath>bin\\Debug\\</OutputPath>
  </PropertyGroup>
  <ItemGroup>
    <Folder Include="Sales\\Tables" />
  </ItemGroup>
  <ItemGroup>
    <Build Include="Sales\\Tables\\Customer.sql" />
    <Build Include="Sales\\Views\\*.sql" />
    <Build Include="Security\\Sales.sql" />
    <Build Include="Sales\\Tables\\Gone.sql" />
    <None Include="Scripts\\Handy.sql" />
    <PostDeploy Include="Scripts\\Seed.sql" />
  </ItemGroup>
  <ItemGroup>
    <SqlCmdVariable Include="Archive">
      <DefaultValue>ShopArchive</DefaultValue>
      <Value>$(SqlCmdVar__1)</Value>
    </SqlCmdVariable>
  </ItemGroup>
</Project>`;

const PROJECT_FILES: Record<string, string | Buffer> = {
  "Shop.sqlproj": SQLPROJ,
  "Sales/Tables/Customer.sql": "CREATE TABLE [Sales].[Customer] ([Id] INT NOT NULL PRIMARY KEY)",
  "Sales/Views/vCustomer.sql": "CREATE VIEW Sales.vCustomer AS SELECT Id FROM Sales.Customer",
  "Security/Sales.sql": Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from("CREATE SCHEMA [Sales]\r\n", "utf16le")]),
  "Scripts/Handy.sql": "SELECT 1",
  "Scripts/Seed.sql": "INSERT Sales.Customer VALUES (1)",
  "bin/Debug/Shop.sql": "-- build output, never read",
};

describe("readSources: folders, projects, zips", () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), "dm-src-"));
    for (const [rel, content] of Object.entries(PROJECT_FILES)) {
      mkdirSync(path.dirname(path.join(dir, "proj", rel)), { recursive: true });
      writeFileSync(path.join(dir, "proj", rel), content);
    }
    mkdirSync(path.join(dir, "tree/sub"), { recursive: true });
    writeFileSync(path.join(dir, "tree/a.sql"), "SELECT 1");
    writeFileSync(path.join(dir, "tree/sub/b.SQL"), "SELECT 2");
    writeFileSync(path.join(dir, "tree/readme.md"), "# not sql");
    writeFileSync(path.join(dir, "tree/sub/logo.sql"), Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 0, 0, 0x0d, 0x1a, 0, 0, 0]));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("reads an SSDT project folder: Build items only, settings and SQLCMD variables", async () => {
    const root = path.join(dir, "proj");
    const set = await readSources([root]);
    const rel = set.files.map((f) => path.relative(root, f.path).replace(/\\/g, "/"));
    expect(rel).toEqual(["Sales/Tables/Customer.sql", "Sales/Views/vCustomer.sql", "Scripts/Handy.sql", "Scripts/Seed.sql", "Security/Sales.sql"]);
    // Files outside the Build items are kept (deployment scripts may :r them) but marked None.
    expect(set.files.map((f) => f.origin.buildAction)).toEqual(["Build", "Build", "None", "PostDeploy", "Build"]);
    const schema = set.files.find((f) => f.path.endsWith("Security/Sales.sql"));
    expect(schema?.encoding).toBe("utf-16le");
    expect(schema?.text).toBe("CREATE SCHEMA [Sales]\n");
    expect(set.projects).toHaveLength(1);
    expect(set.projects[0]).toMatchObject({
      name: "Shop",
      defaultSchema: "dbo",
      defaultCollation: "Latin1_General_100_CI_AS",
      targetPlatform: "Sql150",
      sqlcmdVariables: { Archive: "ShopArchive" },
    });
    const codes = set.diagnostics.map((d) => d.code).sort();
    expect(codes).toEqual(["SRC1202", "SRC1203"]); // Gone.sql missing; Handy.sql not built
    expect(set.diagnostics.find((d) => d.code === "SRC1202")?.message).toMatch(/Gone\.sql/);
  });

  it("reads the same project from a .zip, paths prefixed by the archive", async () => {
    const zip = makeZip(Object.entries(PROJECT_FILES).map(([name, data]) => ({ name: name.replace(/\//g, "\\"), data: typeof data === "string" ? Buffer.from(data) : data })));
    const set = await readBuffer("uploads/shop.zip", zip);
    expect(set.files.map((f) => f.path)).toEqual([
      "uploads/shop.zip/Sales/Tables/Customer.sql",
      "uploads/shop.zip/Sales/Views/vCustomer.sql",
      "uploads/shop.zip/Scripts/Handy.sql",
      "uploads/shop.zip/Scripts/Seed.sql",
      "uploads/shop.zip/Security/Sales.sql",
    ]);
    expect(set.files.every((f) => f.origin.kind === "sqlproj")).toBe(true);
    expect(set.projects[0]?.sqlcmdVariables).toEqual({ Archive: "ShopArchive" });
  });

  it("reads any tree of .sql files, skipping non-SQL files and reporting binary ones", async () => {
    const root = path.join(dir, "tree");
    const set = await readSources([root]);
    expect(set.files.map((f) => path.basename(f.path))).toEqual(["a.sql", "b.SQL"]);
    expect(set.files.every((f) => f.origin.kind === "folder")).toBe(true);
    expect(set.diagnostics).toHaveLength(1);
    expect(set.diagnostics[0]).toMatchObject({ code: "SRC1001", severity: "error", line: 1 });
    expect(set.diagnostics[0]?.file).toMatch(/logo\.sql$/);
  });

  it("reports a missing path and still reads the others", async () => {
    const set = await readSources([path.join(dir, "nope.sql"), path.join(dir, "tree/a.sql")]);
    expect(set.files).toHaveLength(1);
    expect(set.diagnostics.map((d) => d.code)).toEqual(["SRC1004"]);
  });

  it("reads a .sqlproj given directly as its folder", async () => {
    const set = await readSources([path.join(dir, "proj", "Shop.sqlproj")]);
    expect(set.files.filter((f) => f.origin.buildAction === "Build")).toHaveLength(3);
    expect(set.projects[0]?.name).toBe("Shop");
  });

  it("a zip that is refused yields no files but the other inputs are read", async () => {
    const bomb = makeZip([{ name: "x.sql", data: Buffer.alloc(2 * 1024 * 1024), declaredSize: 10 }]);
    writeFileSync(path.join(dir, "bomb.zip"), bomb);
    const set = await readSources([path.join(dir, "bomb.zip"), path.join(dir, "tree/a.sql")]);
    expect(set.files.map((f) => path.basename(f.path))).toEqual(["a.sql"]);
    expect(set.diagnostics.map((d) => d.code)).toEqual(["SRC1104"]);
  });
});

describe("SSDT project files", () => {
  it.each<[string, string, string[], string[]]>([
    [
      "classic: Build items only, globs allowed",
      `<Project><ItemGroup><Build Include="Tables\\*.sql" /><Build Include="Views\\v1.sql" /><PostDeploy Include="Scripts\\Post.sql" /></ItemGroup></Project>`,
      ["Tables/A.sql", "Tables/Sub/B.sql", "Views/v1.sql", "Views/v2.sql", "Scripts/Post.sql"],
      ["Tables/A.sql", "Views/v1.sql"],
    ],
    [
      "SDK-style: every .sql file but removed, None and deployment ones",
      `<Project Sdk="Microsoft.Build.Sql/0.2.0"><ItemGroup><Build Remove="Scripts\\**" /><None Include="Tables\\Old.sql" /><PreDeploy Include="Pre.sql" /></ItemGroup></Project>`,
      ["Tables/A.sql", "Tables/Old.sql", "Scripts/Seed.sql", "Pre.sql", "bin/Debug/x.sql", "Views/V.SQL"],
      ["Tables/A.sql", "Views/V.SQL"],
    ],
  ])("%s", (_name, xml, files, built) => {
    const r = parseSqlProject(xml, "p.sqlproj");
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(selectProjectFiles(r.project, files).build).toEqual(built);
  });

  it("a broken .sqlproj is reported with its line, and the folder is read as plain scripts", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "dm-proj-"));
    try {
      writeFileSync(path.join(dir, "Broken.sqlproj"), "<Project>\n  <ItemGroup>\n    <Build Include=\"a.sql\">\n  </ItemGroup>\n</Project>\n");
      writeFileSync(path.join(dir, "a.sql"), "SELECT 1");
      writeFileSync(path.join(dir, "b.sql"), "SELECT 2");
      const set = await readSources([dir]);
      expect(set.diagnostics).toEqual([expect.objectContaining({ code: "SRC1201", severity: "error", line: 4 })]);
      expect(set.files.map((f) => path.basename(f.path))).toEqual(["a.sql", "b.sql"]);
      expect(set.files.every((f) => f.origin.kind === "folder")).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
