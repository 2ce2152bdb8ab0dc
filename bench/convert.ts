// Convert benchmark: a whole database read, converted into a dbt project (sources, staging models,
// view models, UDFs, tests, report) and written to disk.
//   npx tsx bench/convert.ts                     synthetic database written by this script
//   DATAMIGRATE_CORPUS=/work/corpus npx tsx bench/convert.ts
//                                                AdventureWorks OLTP (instawdb.sql), target < 3 s
// Options: --runs N (default 5), --json.
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { existsSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { inspectPaths } from "../server/catalog/inspect.ts";
import { convertCatalog, writeConversion } from "../server/translate/project/index.ts";

const args = process.argv.slice(2);
const runs = Number(args[args.indexOf("--runs") + 1]) || 5;
const json = args.includes("--json");

/** A retail-like database of our own: 70 tables, 20 views, 10 functions, 10 procedures, 5 triggers. */
function synthetic(): string {
  const out: string[] = ["CREATE SCHEMA Shop;\nGO"];
  for (let t = 0; t < 70; t++) {
    const parent = t > 0 ? t - 1 : undefined;
    out.push(`CREATE TABLE Shop.Table${t} (
    Table${t}ID int IDENTITY(1,1) NOT NULL CONSTRAINT PK_Table${t} PRIMARY KEY,
    ${parent !== undefined ? `Table${parent}ID int NOT NULL CONSTRAINT FK_Table${t}_Table${parent} REFERENCES Shop.Table${parent} (Table${parent}ID),` : ""}
    Code nvarchar(20) NOT NULL CONSTRAINT UQ_Table${t}_Code UNIQUE,
    Status varchar(10) NOT NULL CONSTRAINT CK_Table${t}_Status CHECK (Status IN ('new', 'open', 'closed')) CONSTRAINT DF_Table${t}_Status DEFAULT ('new'),
    Amount money NOT NULL CONSTRAINT DF_Table${t}_Amount DEFAULT (0),
    Quantity smallint NULL,
    Price decimal(12, 4) NULL,
    CreatedAt datetime NOT NULL CONSTRAINT DF_Table${t}_CreatedAt DEFAULT (GETDATE()),
    ModifiedAt datetime2(3) NULL,
    Note nvarchar(max) NULL
);
GO
EXEC sys.sp_addextendedproperty @name = N'MS_Description', @value = N'Table number ${t}.', @level0type = N'SCHEMA', @level0name = N'Shop', @level1type = N'TABLE', @level1name = N'Table${t}';
GO`);
  }
  for (let v = 0; v < 20; v++) {
    const t = v * 3 + 1;
    out.push(`CREATE VIEW Shop.vView${v} AS
SELECT TOP (100) a.Table${t}ID, a.Code + N'-' + b.Code AS Codes, ISNULL(a.Quantity, 0) AS Quantity,
       DATEDIFF(day, a.CreatedAt, ISNULL(a.ModifiedAt, a.CreatedAt)) AS AgeDays, LEN(a.Code) AS CodeLength,
       CONVERT(varchar(10), a.CreatedAt, 112) AS CreatedKey, SUM(a.Amount) OVER (PARTITION BY a.Status) AS StatusAmount,
       CASE WHEN a.Status = 'open' THEN 1 ELSE 0 END AS IsOpen
FROM Shop.Table${t} AS a
JOIN Shop.Table${t - 1} AS b ON b.Table${t - 1}ID = a.Table${t - 1}ID
WHERE a.Amount > 0
ORDER BY a.CreatedAt DESC;
GO`);
  }
  for (let f = 0; f < 10; f++) {
    out.push(`CREATE FUNCTION Shop.fnTotal${f} (@Quantity int, @Price decimal(12, 4)) RETURNS decimal(18, 4) AS BEGIN RETURN @Quantity * @Price; END;
GO`);
  }
  for (let p = 0; p < 10; p++) {
    out.push(`CREATE PROCEDURE Shop.uspClose${p} @ID int AS BEGIN SET NOCOUNT ON; UPDATE Shop.Table${p} SET Status = 'closed', ModifiedAt = SYSDATETIME() WHERE Table${p}ID = @ID; END;
GO`);
  }
  for (let g = 0; g < 5; g++) {
    out.push(`CREATE TRIGGER Shop.trTable${g} ON Shop.Table${g} AFTER UPDATE AS BEGIN SET NOCOUNT ON; END;
GO`);
  }
  return out.join("\n");
}

async function main(): Promise<void> {
  const corpus = process.env.DATAMIGRATE_CORPUS;
  const aw = corpus ? path.join(corpus, "adventureworks/samples/databases/adventure-works/oltp-install-script/instawdb.sql") : undefined;
  let input: string;
  let label: string;
  let cleanupInput: (() => Promise<void>) | undefined;
  if (aw && existsSync(aw)) {
    input = aw;
    label = "AdventureWorks OLTP (instawdb.sql)";
  } else {
    if (!json) console.log(corpus ? "instawdb.sql not found under DATAMIGRATE_CORPUS; using the synthetic database" : "DATAMIGRATE_CORPUS not set; using the synthetic database");
    const dir = await mkdtemp(path.join(tmpdir(), "dm-bench-convert-in-"));
    input = path.join(dir, "shop.sql");
    await writeFile(input, synthetic(), "utf8");
    label = "synthetic (70 tables, 20 views, 10 functions, 10 procedures, 5 triggers)";
    cleanupInput = () => rm(dir, { recursive: true, force: true });
  }
  const rows: Array<{ run: number; readMs: number; convertMs: number; writeMs: number; totalMs: number }> = [];
  let last: { objects: number; models: number; files: number; rate: number } | undefined;
  for (let i = 0; i < runs; i++) {
    const out = await mkdtemp(path.join(tmpdir(), "dm-bench-convert-out-"));
    const t0 = performance.now();
    const r = await inspectPaths([input]);
    const t1 = performance.now();
    const result = convertCatalog(r.catalog);
    const t2 = performance.now();
    // What the CLI does: render, check, validate every YAML file against the fusion schemas, write
    // the project and report.json/html/csv.
    const written = await writeConversion(result, out, { force: true });
    const t3 = performance.now();
    const yamlErrors = written.projectDiagnostics.filter((d) => d.severity === "error");
    if (yamlErrors.length) throw new Error(`YAML errors: ${yamlErrors.map((d) => d.message).join("; ")}`);
    rows.push({ run: i + 1, readMs: t1 - t0, convertMs: t2 - t1, writeMs: t3 - t2, totalMs: t3 - t0 });
    last = { objects: result.report.summary.objects, models: result.project.models.length, files: written.files.length, rate: result.report.summary.conversionRate };
    await rm(out, { recursive: true, force: true });
  }
  await cleanupInput?.();
  const sorted = [...rows].sort((a, b) => a.totalMs - b.totalMs);
  const median = sorted[Math.floor(sorted.length / 2)]!;
  if (json) {
    console.log(JSON.stringify({ input: label, runs: rows, median, ...last }, null, 2));
    return;
  }
  const f = (n: number) => n.toFixed(0).padStart(7);
  console.log(`${label}: ${last!.objects} objects → ${last!.models} models, ${last!.files} files, conversion rate ${(last!.rate * 100).toFixed(1)}%`);
  console.log("run   read+catalog    convert   render+validate+write     total");
  for (const r of rows) console.log(`${String(r.run).padStart(3)}   ${f(r.readMs)} ms  ${f(r.convertMs)} ms         ${f(r.writeMs)} ms      ${f(r.totalMs)} ms${r.run === 1 ? "  (cold: JIT, schema compilation)" : ""}`);
  console.log(`first run ${rows[0]!.totalMs.toFixed(0)} ms, median ${median.totalMs.toFixed(0)} ms (target < 3000 ms)`);
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
