import { readFileSync } from "node:fs";
import net from "node:net";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  CATALOG_QUERIES,
  type CatalogQueryName,
  type QueryRunner,
  type Row,
  isLiveSource,
  readLive,
  redactConnectionString,
} from "./live.ts";
import { readSources } from "./read.ts";

const RECORDED = JSON.parse(readFileSync(path.join(import.meta.dirname, "../../test/fixtures/live/shop.json"), "utf8")) as Record<CatalogQueryName, Row[]>;
const URL_WITH_SECRET = "mssql://reader:S3cr3t!pw@db.internal:1433/Shop";

/** Answers each catalog query from recorded results; can be told to fail some. */
function recordedRunner(fail: Partial<Record<CatalogQueryName, Error>> = {}): { runner: QueryRunner; asked: string[]; closed: () => boolean } {
  const asked: string[] = [];
  let closed = false;
  return {
    asked,
    closed: () => closed,
    runner: {
      async run(name, sqlText) {
        asked.push(name);
        expect(sqlText).toBe(CATALOG_QUERIES[name]);
        // Read-only: every catalog query is a plain SELECT.
        expect(sqlText.trimStart()).toMatch(/^SELECT\b/);
        const err = fail[name];
        if (err) throw err;
        const rows = RECORDED[name];
        if (!rows) throw new Error(`no recorded rows for ${name}`);
        return structuredClone(rows);
      },
      async close() {
        closed = true;
      },
    },
  };
}

describe("isLiveSource / redactConnectionString", () => {
  it.each([
    ["mssql://u:p@h/db", true],
    ["sqlserver://h:1433/db", true],
    ["Server=tcp:h,1433;Database=db;User Id=u;Password=p", true],
    ["Data Source=h;Initial Catalog=db", true],
    ["./db/Tables", false],
    ["server.sql", false],
  ])("%s is live: %s", (input, live) => expect(isLiveSource(input)).toBe(live));

  it.each([
    [URL_WITH_SECRET, "mssql://db.internal:1433/Shop"],
    ["sqlserver://h/db", "sqlserver://h/db"],
    ["Server=h,1433;Database=Shop;User Id=reader;Password=S3cr3t!pw;Encrypt=true", "Server=h,1433;Database=Shop;Encrypt=true"],
    ["Data Source=h;PWD={S3cr3t;x}};y};UID=sa;Initial Catalog=Shop", "Data Source=h;Initial Catalog=Shop"],
    ["Server=h;Password=\"S3cr3t;z\";Database=Shop", "Server=h;Database=Shop"],
  ])("%s → %s", (input, redacted) => {
    const r = redactConnectionString(input);
    expect(r).toBe(redacted);
    expect(r).not.toMatch(/S3cr3t|reader|UID=sa/);
  });
});

describe("readLive against recorded catalog results", () => {
  it("runs every catalog query once, closes the connection, builds the fragment", async () => {
    const rec = recordedRunner();
    const r = await readLive(URL_WITH_SECRET, { runnerFactory: async () => rec.runner });
    expect(rec.asked).toEqual(Object.keys(CATALOG_QUERIES));
    expect(rec.closed()).toBe(true);
    const fr = r.fragment!;
    expect(fr.source).toBe("mssql://db.internal:1433/Shop");
    expect(fr.origin).toBe("live");
    expect(fr.database).toEqual({ name: "Shop", collation: "Latin1_General_100_CI_AS", compatibilityLevel: 150 });

    const customer = fr.objects.find((o) => o.kind === "table" && o.name === "Customer")!;
    expect(customer.rowCount).toBe(1204);
    expect(customer.description).toBe("People and companies who buy from us");
    expect(customer.columns).toEqual([
      { name: "CustomerId", nullable: false, type: { name: "int" }, identity: { seed: "1000", increment: "1" } },
      { name: "Name", nullable: false, type: { name: "nvarchar", length: 100 }, collation: "Latin1_General_100_CI_AS" },
      { name: "Code", nullable: true, type: { name: "varchar", length: 12 }, collation: "Latin1_General_CS_AS", description: "Customer's short code" },
      { name: "Email", nullable: true, type: { name: "EmailAddress", userDefined: true, schema: "dbo" }, collation: "Latin1_General_100_CI_AS" },
      { name: "Notes", nullable: true, type: { name: "nvarchar", length: -1 }, collation: "Latin1_General_100_CI_AS" },
      { name: "Label", nullable: true, computed: { expression: "([Code]+N': '+[Name])", persisted: true }, collation: "Latin1_General_100_CI_AS" },
    ]);
    expect(customer.constraints).toEqual([
      { kind: "primary_key", name: "PK_Customer", columns: ["CustomerId"], clustered: true },
      { kind: "unique", name: "UQ_Customer_Code", columns: ["Code"], clustered: false },
    ]);
    const order = fr.objects.find((o) => o.kind === "table" && o.name === "Order")!;
    expect(order.columns?.map((c) => c.type)).toEqual([
      { name: "bigint" },
      { name: "int" },
      { name: "decimal", precision: 19, scale: 4 },
      { name: "datetime2", scale: 3 },
    ]);
    expect(order.constraints).toEqual([
      { kind: "default", name: "DF_Order_PlacedAt", columns: ["PlacedAt"], expression: "(sysutcdatetime())" },
      { kind: "primary_key", name: "PK_Order", columns: ["OrderId"], clustered: false },
      { kind: "foreign_key", name: "FK_Order_Customer", columns: ["CustomerId"], references: { schema: "Sales", name: "Customer", columns: ["CustomerId"] }, enabled: true, onDelete: "CASCADE" },
      { kind: "check", name: "CK_Order_Amount", columns: [], expression: "([Amount]>=(0))", enabled: true },
    ]);
    expect(order.indexes).toEqual([
      { name: "IX_Order_Customer", unique: false, clustered: false, columns: ["CustomerId", "PlacedAt DESC"], include: ["Amount"] },
      { name: "IX_Order_Big", unique: false, clustered: false, columns: ["Amount"], include: [], filter: "([Amount]>(1000))" },
    ]);

    const proc = fr.objects.find((o) => o.name === "uspPlaceOrder")!;
    expect(proc.module).toMatchObject({ usesAnsiNulls: false, usesQuotedIdentifier: true });
    expect(proc.module?.text).toMatch(/^CREATE PROCEDURE Sales\.uspPlaceOrder/);
    expect(proc.declaredDependencies).toEqual([
      { schema: "Sales", name: "Order" },
      { schema: "Sales", name: "OrderNumbers" },
      { database: "ShopArchive", schema: "dbo", name: "OldOrder", unresolved: true },
    ]);
    expect(fr.objects.find((o) => o.name === "trgOrderAudit")?.parent).toEqual({ schema: "Sales", name: "Order" });
    expect(fr.objects.find((o) => o.name === "fnOrdersOf")?.functionKind).toBe("inline_tvf");
    expect(fr.objects.find((o) => o.name === "Clients")?.synonymFor).toEqual({ schema: "Sales", name: "Customer" });
    expect(fr.objects.find((o) => o.name === "Archive")?.synonymFor).toEqual({ database: "ShopArchive", schema: "dbo", name: "OldOrder" });
    expect(fr.objects.find((o) => o.kind === "type" && o.name === "EmailAddress")?.baseType).toEqual({ name: "nvarchar", length: 320 });
    expect(fr.objects.find((o) => o.kind === "type" && o.name === "OrderIdList")?.columns).toHaveLength(1);
    expect(fr.objects.find((o) => o.kind === "schema" && o.name === "Sales")?.description).toBe("Selling");

    // A module hidden by missing VIEW DEFINITION is reported, not silently empty.
    expect(r.diagnostics.map((d) => d.code)).toEqual(["SRC1405"]);
    expect(fr.objects.find((o) => o.name === "uspSecret")?.module).toBeUndefined();
  });

  it("a failing catalog query costs only its part, and its message is scrubbed of the password", async () => {
    const rec = recordedRunner({ rowCounts: new Error("permission denied for user reader (pw S3cr3t!pw)") });
    const r = await readLive(URL_WITH_SECRET, { runnerFactory: async () => rec.runner });
    const d = r.diagnostics.find((x) => x.code === "SRC1404")!;
    expect(d.severity).toBe("warning");
    expect(d.message).toMatch(/rowCounts/);
    expect(JSON.stringify(r.diagnostics)).not.toMatch(/S3cr3t|reader/);
    expect(r.fragment?.objects.find((o) => o.name === "Customer")?.rowCount).toBeUndefined();
    expect(r.fragment?.objects.find((o) => o.name === "Customer")?.columns).toHaveLength(6);
  });
});

describe("readLive against unreachable servers (real mssql driver)", () => {
  let closedPort = 0;
  let silent: net.Server;
  let silentPort = 0;
  const sockets: net.Socket[] = [];
  beforeAll(async () => {
    // A port that was just free: connecting to it is refused.
    const probe = net.createServer();
    await new Promise<void>((r) => probe.listen(0, "127.0.0.1", () => r()));
    closedPort = (probe.address() as net.AddressInfo).port;
    await new Promise<void>((r) => probe.close(() => r()));
    // A server that accepts and never answers: the login times out.
    silent = net.createServer((s) => sockets.push(s));
    await new Promise<void>((r) => silent.listen(0, "127.0.0.1", () => r()));
    silentPort = (silent.address() as net.AddressInfo).port;
  });
  afterAll(async () => {
    for (const s of sockets) s.destroy();
    await new Promise<void>((r) => silent.close(() => r()));
  });

  it("connection refused → SRC1401, no credentials anywhere", async () => {
    const input = `mssql://reader:S3cr3t!pw@127.0.0.1:${closedPort}/Shop`;
    const r = await readLive(input, { connectTimeoutMs: 5000 });
    expect(r.fragment).toBeUndefined();
    expect(r.diagnostics).toHaveLength(1);
    expect(r.diagnostics[0]).toMatchObject({ code: "SRC1401", severity: "error", file: `mssql://127.0.0.1:${closedPort}/Shop`, line: 1 });
    expect(JSON.stringify(r)).not.toMatch(/S3cr3t|reader/);
  });

  it("no answer → SRC1402 timeout, also through readSources", async () => {
    const input = `Server=127.0.0.1,${silentPort};Database=Shop;User Id=reader;Password=S3cr3t!pw;Encrypt=false`;
    const set = await readSources([input], { live: { connectTimeoutMs: 400 } });
    expect(set.fragments).toEqual([]);
    expect(set.diagnostics).toHaveLength(1);
    expect(set.diagnostics[0]).toMatchObject({ code: "SRC1402", severity: "error", file: `Server=127.0.0.1,${silentPort};Database=Shop;Encrypt=false` });
    expect(JSON.stringify(set)).not.toMatch(/S3cr3t|reader/);
  });
});
