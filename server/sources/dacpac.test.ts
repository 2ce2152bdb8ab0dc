import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { makeZip } from "../../test/fixtures/zip-writer.ts";
import { readModelXml, splitBracketName } from "./dacpac.ts";
import { readBuffer } from "./read.ts";
import type { ObjectDraft } from "./types.ts";

const MODEL = readFileSync(path.join(import.meta.dirname, "../../test/fixtures/dacpac/shop-model.xml"), "utf8");
const FILE = "shop.dacpac/model.xml";

function byName(objects: ObjectDraft[], kind: string, schema: string, name: string): ObjectDraft {
  const o = objects.find((x) => x.kind === kind && x.schema === schema && x.name === name);
  if (!o) throw new Error(`no ${kind} ${schema}.${name}`);
  return o;
}

describe("splitBracketName", () => {
  it.each([
    ["[dbo].[T]", ["dbo", "T"]],
    ["[Sales].[Order]].Lines].[Id]", ["Sales", "Order].Lines", "Id"]],
    ["[a.b].[c]", ["a.b", "c"]],
    ["dbo.T", ["dbo", "T"]],
  ])("%s", (input, expected) => expect(splitBracketName(input)).toEqual(expected));
});

describe("readModelXml", () => {
  const { fragment, diagnostics } = readModelXml(MODEL, FILE, "shop.dacpac");
  const objs = fragment.objects;

  it("reads database options", () => {
    expect(fragment.database).toEqual({ collation: "Latin1_General_100_CI_AS", compatibilityLevel: 150 });
  });

  it("reads tables with column types, identity, collation, computed columns, user types", () => {
    const t = byName(objs, "table", "Sales", "Customer");
    expect(t.columns).toEqual([
      { name: "CustomerId", nullable: false, type: { name: "int" }, identity: { seed: "1000", increment: "1" } },
      { name: "Name", nullable: false, type: { name: "nvarchar", length: 100 } },
      { name: "Code", nullable: true, type: { name: "varchar", length: 12 }, collation: "Latin1_General_CS_AS", description: "Customer's short code" },
      { name: "Email", nullable: true, type: { name: "EmailAddress", schema: "dbo", userDefined: true } },
      { name: "Notes", nullable: true, type: { name: "nvarchar", length: -1 } },
      { name: "Label", nullable: true, computed: { expression: "([Code]+N': '+[Name])", persisted: true } },
    ]);
    expect(t.description).toBe("People and companies who buy from us");
    expect(t.line).toBe(MODEL.split("\n").findIndex((l) => l.includes('Name="[Sales].[Customer]">')) + 1);
  });

  it("attaches PK, FK, CHECK, DEFAULT and indexes to their tables", () => {
    const t = byName(objs, "table", "Sales", "Order");
    expect(t.constraints).toEqual([
      { kind: "primary_key", name: "PK_Order", columns: ["OrderId"], clustered: false },
      { kind: "foreign_key", name: "FK_Order_Customer", columns: ["CustomerId"], references: { schema: "Sales", name: "Customer", columns: ["CustomerId"] }, onDelete: "CASCADE" },
      { kind: "default", name: "DF_Order_PlacedAt", columns: ["PlacedAt"], expression: "(sysutcdatetime())" },
      { kind: "check", name: "CK_Order_Amount", columns: [], expression: "([Amount]>=(0))" },
    ]);
    expect(t.columns?.find((c) => c.name === "PlacedAt")?.default).toEqual({ name: "DF_Order_PlacedAt", expression: "(sysutcdatetime())" });
    expect(t.columns?.find((c) => c.name === "Amount")?.type).toEqual({ name: "decimal", precision: 19, scale: 4 });
    expect(t.indexes).toEqual([
      { name: "IX_Order_Customer", unique: false, clustered: false, columns: ["CustomerId", "PlacedAt DESC"], include: ["Amount"] },
      { name: "IX_Order_Big", unique: false, clustered: false, columns: ["Amount"], include: [], filter: "([Amount]>(1000))" },
    ]);
    expect(objs.filter((o) => o.kind === "index").map((o) => [o.name, o.parent])).toEqual([
      ["IX_Order_Customer", { schema: "Sales", name: "Order" }],
      ["IX_Order_Big", { schema: "Sales", name: "Order" }],
    ]);
    expect(byName(objs, "table", "Sales", "Customer").constraints).toEqual([{ kind: "primary_key", name: "PK_Customer", columns: ["CustomerId"], clustered: true }]);
  });

  it("reads types, sequences, synonyms (local and cross-database)", () => {
    expect(byName(objs, "type", "dbo", "EmailAddress").baseType).toEqual({ name: "nvarchar", length: 320 });
    const tt = byName(objs, "type", "Sales", "OrderIdList");
    expect(tt.isTableType).toBe(true);
    expect(tt.columns).toEqual([{ name: "OrderId", nullable: false, type: { name: "bigint" } }]);
    expect(tt.constraints).toEqual([{ kind: "primary_key", columns: ["OrderId"] }]);
    expect(byName(objs, "sequence", "Sales", "OrderNumbers").kind).toBe("sequence");
    expect(byName(objs, "synonym", "dbo", "Clients").synonymFor).toEqual({ schema: "Sales", name: "Customer" });
    expect(byName(objs, "synonym", "dbo", "Archive").synonymFor).toEqual({ database: "ShopArchive", schema: "dbo", name: "OldOrder" });
  });

  it("rebuilds module text from the header annotation, or synthesises the header", () => {
    const v = byName(objs, "view", "Sales", "vCustomerTotals");
    expect(v.module?.text).toMatch(/^CREATE VIEW \[Sales\]\.\[vCustomerTotals\]\r\nAS\nSELECT c\.CustomerId/);
    expect(v.module?.usesAnsiNulls).toBe(true);
    expect(v.declaredDependencies).toEqual([{ schema: "dbo", name: "Clients" }, { schema: "Sales", name: "Order" }]);
    const f = byName(objs, "function", "dbo", "fnWithTax");
    expect(f.functionKind).toBe("scalar");
    expect(f.module?.text).toBe("CREATE FUNCTION [dbo].[fnWithTax](@amount decimal(19,4))\nRETURNS decimal(19,4)\nAS\nBEGIN\n    RETURN @amount * 1.2;\nEND");
    const itvf = byName(objs, "function", "Sales", "fnOrdersOf");
    expect(itvf.functionKind).toBe("inline_tvf");
    expect(itvf.module?.text).toMatch(/^CREATE FUNCTION \[Sales\]\.\[fnOrdersOf\]\(@customerId int\)\r\nRETURNS TABLE\r\nAS\nRETURN \(/);
    const p = byName(objs, "procedure", "Sales", "uspPlaceOrder");
    expect(p.module?.text).toMatch(/^CREATE PROCEDURE \[Sales\]\.\[uspPlaceOrder\] @customerId int, @amount decimal\(19,4\)\nAS\nBEGIN/);
    const tr = byName(objs, "trigger", "Sales", "trgOrderAudit");
    expect(tr.parent).toEqual({ schema: "Sales", name: "Order" });
    expect(tr.module?.text).toMatch(/^CREATE TRIGGER \[Sales\]\.\[trgOrderAudit\] ON \[Sales\]\.\[Order\] AFTER INSERT\nAS\nBEGIN/);
  });

  it("reads everything without diagnostics; unread element types are ignored or noted", () => {
    expect(diagnostics).toEqual([]);
    expect(objs.filter((o) => o.kind === "schema").map((o) => o.name)).toEqual(["Sales"]);
  });
});

describe("broken model.xml", () => {
  it("reports a broken element with its line and reads the rest", () => {
    const lines = MODEL.split("\n");
    const at = lines.findIndex((l) => l.includes('<Element Type="SqlSequence"'));
    // Break the sequence element: an unclosed <Property>.
    lines[at + 1] = '\t\t\t<Property Name="StartValue" Value="1">';
    const { fragment, diagnostics } = readModelXml(lines.join("\n"), FILE, "shop.dacpac");
    expect(diagnostics).toHaveLength(1);
    expect(diagnostics[0]).toMatchObject({ code: "SRC1302", severity: "error", file: FILE });
    expect(diagnostics[0]!.line).toBeGreaterThanOrEqual(at + 1);
    expect(diagnostics[0]!.line).toBeLessThanOrEqual(at + 4);
    expect(diagnostics[0]!.message).toMatch(/\[Sales\]\.\[OrderNumbers\]/);
    expect(fragment.objects.some((o) => o.kind === "sequence")).toBe(false);
    expect(fragment.objects.filter((o) => o.kind === "table")).toHaveLength(2);
    expect(fragment.objects.some((o) => o.name === "uspPlaceOrder")).toBe(true);
  });

  it("reports a truncated file and keeps the elements before the cut", () => {
    const cut = MODEL.slice(0, MODEL.indexOf('<Element Type="SqlView"') + 60);
    const { fragment, diagnostics } = readModelXml(cut, FILE, "shop.dacpac");
    expect(diagnostics.map((d) => d.code)).toEqual(["SRC1303"]);
    // The line where the unterminated element opens.
    expect(diagnostics[0]!.line).toBe(MODEL.split("\n").findIndex((l) => l.includes('<Element Type="SqlView"')) + 1);
    expect(fragment.objects.filter((o) => o.kind === "table")).toHaveLength(2);
    expect(fragment.objects.some((o) => o.kind === "view")).toBe(false);
  });

  it("reports a file that is not a dacpac model at all", () => {
    const { fragment, diagnostics } = readModelXml("<html><body>oops</body></html>", FILE, "x");
    expect(fragment.objects).toEqual([]);
    expect(diagnostics.map((d) => d.code)).toEqual(["SRC1302", "SRC1302"]);
  });
});

describe("dacpac container", () => {
  it("reads model.xml from the zip", async () => {
    const zip = makeZip([
      { name: "Origin.xml", data: "<DacOrigin/>" },
      { name: "model.xml", data: Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(MODEL)]) },
    ]);
    const set = await readBuffer("shop.dacpac", zip);
    expect(set.diagnostics).toEqual([]);
    expect(set.fragments).toHaveLength(1);
    expect(set.fragments[0]!.origin).toBe("dacpac");
    expect(set.fragments[0]!.objects.find((o) => o.kind === "view")?.file).toBe("shop.dacpac/model.xml");
  });

  it("reports a dacpac without model.xml", async () => {
    const set = await readBuffer("empty.dacpac", makeZip([{ name: "Origin.xml", data: "<DacOrigin/>" }]));
    expect(set.fragments).toEqual([]);
    expect(set.diagnostics.map((d) => d.code)).toEqual(["SRC1301"]);
  });
});
