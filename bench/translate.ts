// Translator benchmark and corpus coverage.
//   npx tsx bench/translate.ts                 view-sized statements per second on one core (own T-SQL)
//   DATAMIGRATE_CORPUS=/work/corpus npx tsx bench/translate.ts [--coverage]
//     also translates every view and function of the corpus databases and counts diagnostics per code.
import { buildCatalog } from "../server/catalog/build.ts";
import { inspectPaths } from "../server/catalog/inspect.ts";
import type { SourceSet } from "../server/sources/types.ts";
import type { Catalog } from "../server/catalog/model.ts";
import { parseScript } from "../server/tsql/index.ts";
import type { ViewStatement } from "../server/tsql/ast.ts";
import { translateQuery, translateStatement } from "../server/translate/index.ts";

const SCHEMA = `
CREATE TABLE Sales.Customer (CustomerID int NOT NULL PRIMARY KEY, Name nvarchar(100) NOT NULL, Region varchar(20) NULL, CreatedAt datetime NOT NULL, IsActive bit NOT NULL);
CREATE TABLE Sales.SalesOrder (SalesOrderID int NOT NULL PRIMARY KEY, CustomerID int NOT NULL, OrderDate datetime NOT NULL, DueDate date NULL, Status tinyint NOT NULL, Total money NOT NULL, Comment nvarchar(max) NULL);
CREATE TABLE Sales.SalesOrderLine (SalesOrderID int NOT NULL, LineNo int NOT NULL, ProductCode char(10) NOT NULL, Qty smallint NOT NULL, UnitPrice decimal(12,4) NOT NULL, Discount decimal(5,4) NOT NULL);
`;

const VIEW = `CREATE VIEW Sales.vCustomerOrders AS
SELECT c.CustomerID, c.Name AS CustomerName, UPPER(c.Region) AS Region,
       COUNT(o.SalesOrderID) AS Orders, SUM(l.Qty * l.UnitPrice * (1 - l.Discount)) AS Revenue,
       AVG(l.Qty) AS AvgQty, MAX(o.OrderDate) AS LastOrder,
       DATEDIFF(day, MIN(o.OrderDate), MAX(o.OrderDate)) AS ActiveDays,
       CASE WHEN SUM(o.Total) > 10000 THEN 'Gold' WHEN SUM(o.Total) > 1000 THEN 'Silver' ELSE 'Bronze' END AS Tier,
       ISNULL(c.Region, 'n/a') + '-' + CONVERT(varchar(10), c.CreatedAt, 112) AS Tag
FROM Sales.Customer c WITH (NOLOCK)
JOIN Sales.SalesOrder o ON o.CustomerID = c.CustomerID
LEFT JOIN Sales.SalesOrderLine l ON l.SalesOrderID = o.SalesOrderID
WHERE c.IsActive = 1 AND o.Status IN (1, 2, 5) AND c.Name LIKE N'[A-M]%' AND o.OrderDate >= '20200101'
GROUP BY c.CustomerID, c.Name, c.Region, c.CreatedAt
HAVING COUNT(o.SalesOrderID) > 2`;

function bench(): void {
  const files: SourceSet["files"] = [{ path: "bench.sql", text: `${SCHEMA}\nGO\n${VIEW}`, encoding: "utf-8", origin: { kind: "file" } }];
  const catalog = buildCatalog({ files, fragments: [], projects: [], diagnostics: [] }, { skipValidation: true });
  const view = catalog.objects.find((o) => o.kind === "view")!.module!.ast as ViewStatement;
  const check = translateQuery(view.query, { catalog });
  const errors = check.diagnostics.filter((d) => d.severity === "error");
  if (errors.length) throw new Error(`bench view does not translate exactly: ${errors.map((d) => d.message).join("; ")}`);
  const once = () => translateQuery(view.query, { catalog });
  for (let i = 0; i < 1000; i++) once();
  const n = 20_000;
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < n; i++) once();
  const secs = Number(process.hrtime.bigint() - t0) / 1e9;
  // Parse + translate from text (what the CLI does per statement).
  const text = VIEW.replace(/^CREATE VIEW [^\n]*\n/, "");
  const full = () => {
    const p = parseScript(text, { file: "q.sql" });
    return translateStatement(p.batches[0]!.statements[0]!, { catalog });
  };
  for (let i = 0; i < 500; i++) full();
  const m = 10_000;
  const t1 = process.hrtime.bigint();
  for (let i = 0; i < m; i++) full();
  const secs2 = Number(process.hrtime.bigint() - t1) / 1e9;
  console.log(`view-sized query (3 joins, 10 select items, GROUP BY/HAVING, typed from the catalog): ${Math.round(n / secs)} translations/s on one core (${n} in ${secs.toFixed(2)} s)`);
  console.log(`same query parsed from text and translated: ${Math.round(m / secs2)} statements/s`);
  console.log(check.sql);
}

async function coverage(root: string): Promise<void> {
  const dbs: [string, string[]][] = [
    ["Northwind", [`${root}/northwind-pubs/samples/databases/northwind-pubs/instnwnd.sql`]],
    ["pubs", [`${root}/northwind-pubs/samples/databases/northwind-pubs/instpubs.sql`]],
    ["Chinook", [`${root}/chinook/ChinookDatabase/DataSources/Chinook_SqlServer.sql`]],
    ["Sakila", [`${root}/sakila/sql-server-sakila-db/sql-server-sakila-schema.sql`]],
    ["AdventureWorks", [`${root}/adventureworks/samples/databases/adventure-works/oltp-install-script/instawdb.sql`]],
    ["AdventureWorksDW", [`${root}/adventureworks/samples/databases/adventure-works/data-warehouse-install-script/instawdbdw.sql`]],
    ["AdventureWorksLT", [`${root}/awlt/scripts/adventureworksLT.sql`]],
    ["WideWorldImporters", [`${root}/wwi/samples/databases/wide-world-importers/wwi-ssdt/wwi-ssdt`]],
  ];
  const total = new Map<string, number>();
  let objects = 0;
  let clean = 0;
  const t0 = Date.now();
  for (const [name, paths] of dbs) {
    let catalog: Catalog;
    try {
      catalog = (await inspectPaths(paths, { skipValidation: true })).catalog;
    } catch (e) {
      console.log(`${name}: could not read (${e instanceof Error ? e.message : e})`);
      continue;
    }
    const per = new Map<string, number>();
    let n = 0;
    let ok = 0;
    for (const o of catalog.objects) {
      const ast = o.module?.ast;
      if (!ast) continue;
      let t;
      if (ast.kind === "CreateView") t = translateQuery(ast.query, { catalog, file: o.file });
      else if (ast.kind === "CreateFunction") t = translateStatement(ast, { catalog, file: o.file });
      else continue;
      n++;
      const codes = new Set<string>();
      for (const d of t.diagnostics) {
        per.set(d.code, (per.get(d.code) ?? 0) + 1);
        total.set(d.code, (total.get(d.code) ?? 0) + 1);
        if (d.severity === "error") codes.add(d.code);
        if (process.env.SHOW && d.code === process.env.SHOW) console.log(`  ${d.file}:${d.line} ${d.message}`);
      }
      if (!codes.size) ok++;
    }
    objects += n;
    clean += ok;
    const list = [...per.entries()].sort((a, b) => b[1] - a[1]).map(([c, k]) => `${c}×${k}`).join(" ");
    console.log(`${name}: ${n} views/functions, ${ok} without error (${n ? Math.round((100 * ok) / n) : 0}%); ${list}`);
  }
  console.log(`total: ${objects} objects, ${clean} without error-severity diagnostic (${objects ? Math.round((100 * clean) / objects) : 0}%), ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  console.log([...total.entries()].sort((a, b) => b[1] - a[1]).map(([c, k]) => `${c}: ${k}`).join("\n"));
}

const corpus = process.env.DATAMIGRATE_CORPUS;
if (!process.argv.includes("--coverage-only")) bench();
if (corpus) await coverage(corpus);
else console.log("DATAMIGRATE_CORPUS not set: corpus coverage skipped");
