// Benchmark: `inspect` of a generated 10,000-object database (target: < 10 s, < 1 GiB peak RSS).
//   npx tsx bench/inspect.ts [--objects 10000] [--layout ssdt|script|corpus] [--keep]
// The database is synthetic, written here: schemas of tables with keys, defaults, checks and foreign
// keys, views joining tables and other views, procedures with control flow and DML, functions of
// the three kinds, triggers, indexes, synonyms and sequences. `ssdt` writes one object per file
// (like an SSDT project), `script` one big GO-separated install script. The measurement runs the
// inspect command in a fresh process (the parent only generates and reads the child's report).
// `corpus` (needs DATAMIGRATE_CORPUS) scales up the WideWorldImporters SSDT project instead.
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

const args = process.argv.slice(2);
const opt = (name: string, dflt: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && args[i + 1] ? args[i + 1]! : dflt;
};

if (args[0] === "--child") {
  // Child: run the command as the CLI does, stdout to a sink, then report time and peak RSS.
  const { inspect } = await import("../server/commands/inspect.ts");
  const target = args[1]!;
  const write = process.stdout.write.bind(process.stdout);
  let bytes = 0;
  process.stdout.write = ((chunk: string | Uint8Array) => {
    bytes += typeof chunk === "string" ? Buffer.byteLength(chunk) : chunk.length;
    return true;
  }) as typeof process.stdout.write;
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  const code = await inspect.run([target, "--json"]);
  const ms = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  const cpuMs = (cpu.user + cpu.system) / 1000;
  const maxRssMiB = process.resourceUsage().maxRSS / 1024;
  process.stdout.write = write;
  const { catalogStats } = await import("../server/catalog/build.ts").then(async (m) => {
    // A second, in-process pass split by stage, for the record.
    const { readSources } = await import("../server/sources/read.ts");
    const r0 = performance.now();
    const sources = await readSources([target]);
    const r1 = performance.now();
    const catalog = m.buildCatalog(sources, { skipValidation: true });
    const r2 = performance.now();
    const { CatalogSchema } = await import("../server/catalog/model.ts");
    CatalogSchema.parse(catalog);
    const r3 = performance.now();
    return { catalogStats: { readMs: r1 - r0, buildMs: r2 - r1, validateMs: r3 - r2, counts: m.countByKind(catalog), diagnostics: catalog.diagnostics.length } };
  });
  process.stdout.write(JSON.stringify({ code, ms, cpuMs, jsonBytes: bytes, maxRssMiB, ...catalogStats }) + "\n");
  process.exit(0);
}

// ---------------------------------------------------------------------------------------------
// Generator

interface Obj {
  file: string;
  text: string;
}

function generate(total: number): Obj[] {
  const out: Obj[] = [];
  const schemas = ["Sales", "Purchasing", "Warehouse", "Finance", "People", "Ops", "Audit", "Reporting"];
  // Proportions of a typical OLTP + reporting database.
  const nTables = Math.round(total * 0.3);
  const nIndexes = Math.round(total * 0.15);
  const nViews = Math.round(total * 0.2);
  const nProcs = Math.round(total * 0.2);
  const nFuncs = Math.round(total * 0.07);
  const nTriggers = Math.round(total * 0.04);
  const nSeq = Math.round(total * 0.02);
  const nSyn = total - nTables - nIndexes - nViews - nProcs - nFuncs - nTriggers - nSeq - schemas.length;
  const tName = (i: number) => `${schemas[i % schemas.length]}.[Entity${i}]`;
  for (const s of schemas) out.push({ file: `Security/${s}.sql`, text: `CREATE SCHEMA [${s}] AUTHORIZATION [dbo];\n` });
  for (let i = 0; i < nTables; i++) {
    const fk = i > 0 ? `,\n    CONSTRAINT [FK_Entity${i}_Parent] FOREIGN KEY ([ParentId]) REFERENCES ${tName(Math.max(0, i - 1 - (i % 7)))} ([Id])` : "";
    out.push({
      file: `${schemas[i % schemas.length]}/Tables/Entity${i}.sql`,
      text: `CREATE TABLE ${tName(i)} (
    [Id]          INT              IDENTITY (1, 1) NOT NULL,
    [ParentId]    INT              NULL,
    [Code]        NVARCHAR (20)    NOT NULL,
    [Name]        NVARCHAR (200)   COLLATE Latin1_General_100_CI_AS NULL,
    [Amount]      DECIMAL (19, 4)  CONSTRAINT [DF_Entity${i}_Amount] DEFAULT ((0)) NOT NULL,
    [Status]      TINYINT          NOT NULL,
    [Payload]     NVARCHAR (MAX)   NULL,
    [RowVersion]  ROWVERSION       NOT NULL,
    [CreatedAt]   DATETIME2 (7)    CONSTRAINT [DF_Entity${i}_CreatedAt] DEFAULT (sysutcdatetime()) NOT NULL,
    [Label]       AS ([Code] + N'-' + CONVERT (NVARCHAR (10), [Id])),
    CONSTRAINT [PK_Entity${i}] PRIMARY KEY CLUSTERED ([Id] ASC),
    CONSTRAINT [UQ_Entity${i}_Code] UNIQUE NONCLUSTERED ([Code] ASC),
    CONSTRAINT [CK_Entity${i}_Status] CHECK ([Status] BETWEEN 0 AND 9)${fk}
);
`,
    });
  }
  for (let i = 0; i < nIndexes; i++) {
    const t = i % nTables;
    out.push({
      file: `${schemas[t % schemas.length]}/Tables/Indexes/IX_Entity${t}_${i}.sql`,
      text: `CREATE NONCLUSTERED INDEX [IX_Entity${t}_${i}]\n    ON ${tName(t)}([ParentId] ASC, [CreatedAt] DESC)\n    INCLUDE([Amount], [Status]) WHERE ([Status] > (0));\n`,
    });
  }
  for (let i = 0; i < nSeq; i++) out.push({ file: `Sequences/Seq${i}.sql`, text: `CREATE SEQUENCE [Ops].[Seq${i}] AS BIGINT START WITH 1 INCREMENT BY 1 CACHE 50;\n` });
  for (let i = 0; i < nFuncs; i++) {
    const t = tName(i % nTables);
    const s = schemas[i % schemas.length];
    const k = i % 3;
    const text =
      k === 0
        ? `CREATE FUNCTION [${s}].[fnTotal${i}] (@id INT)\nRETURNS DECIMAL (19, 4)\nWITH SCHEMABINDING\nAS\nBEGIN\n    DECLARE @total DECIMAL (19, 4);\n    SELECT @total = SUM(e.[Amount]) FROM ${t} AS e WHERE e.[ParentId] = @id;\n    RETURN ISNULL(@total, 0);\nEND\n`
        : k === 1
          ? `CREATE FUNCTION [${s}].[fnChildren${i}] (@id INT)\nRETURNS TABLE\nAS\nRETURN (\n    WITH tree AS (\n        SELECT e.[Id], e.[ParentId], 0 AS depth FROM ${t} AS e WHERE e.[Id] = @id\n        UNION ALL\n        SELECT c.[Id], c.[ParentId], tree.depth + 1 FROM ${t} AS c JOIN tree ON c.[ParentId] = tree.[Id]\n    )\n    SELECT [Id], depth FROM tree\n);\n`
          : `CREATE FUNCTION [${s}].[fnRows${i}] (@from DATETIME2)\nRETURNS @r TABLE ([Id] INT NOT NULL PRIMARY KEY, [Code] NVARCHAR (20))\nAS\nBEGIN\n    INSERT @r ([Id], [Code]) SELECT [Id], [Code] FROM ${t} WHERE [CreatedAt] >= @from;\n    RETURN;\nEND\n`;
    out.push({ file: `${s}/Functions/fn${i}.sql`, text });
  }
  for (let i = 0; i < nViews; i++) {
    const s = schemas[i % schemas.length];
    const a = tName((i * 3) % nTables);
    const b = tName((i * 3 + 1) % nTables);
    // Every fourth view reads an earlier view: chains for the dependency order.
    const c = i >= 4 && i % 4 === 0 ? `[${schemas[(i - 4) % schemas.length]}].[v${i - 4}]` : tName((i * 3 + 2) % nTables);
    out.push({
      file: `${s}/Views/v${i}.sql`,
      text: `CREATE VIEW [${s}].[v${i}]\nAS\nSELECT a.[Id], a.[Code], b.[Name], SUM(a.[Amount]) OVER (PARTITION BY a.[Status] ORDER BY a.[CreatedAt]) AS running,\n       CASE WHEN b.[Status] IN (1, 2) THEN N'open' ELSE N'closed' END AS state\nFROM ${a} AS a\nLEFT JOIN ${b} AS b ON b.[ParentId] = a.[Id]\nWHERE EXISTS (SELECT 1 FROM ${c} AS c WHERE c.[Id] = a.[ParentId]);\n`,
    });
  }
  for (let i = 0; i < nProcs; i++) {
    const s = schemas[i % schemas.length];
    const t = tName(i % nTables);
    const v = `[${schemas[i % schemas.length]}].[v${i % nViews}]`;
    out.push({
      file: `${s}/Stored Procedures/usp${i}.sql`,
      text: `CREATE PROCEDURE [${s}].[usp${i}]
    @id INT,
    @code NVARCHAR (20) = NULL,
    @rows INT OUTPUT
AS
BEGIN
    SET NOCOUNT ON;
    SET XACT_ABORT ON;
    DECLARE @now DATETIME2 = SYSUTCDATETIME(), @i INT = 0;
    DECLARE @changes TABLE ([Id] INT, [Action] NVARCHAR (10));
    BEGIN TRY
        BEGIN TRANSACTION;
        IF @code IS NULL
            SELECT @code = [Code] FROM ${t} WHERE [Id] = @id;
        WHILE @i < 3
        BEGIN
            SET @i += 1;
            UPDATE e SET [Amount] = e.[Amount] + 1, [Status] = (@i % 9)
            FROM ${t} AS e
            WHERE e.[ParentId] = @id;
        END;
        MERGE ${t} AS target
        USING (SELECT @id AS [Id], @code AS [Code]) AS src ON target.[Id] = src.[Id]
        WHEN MATCHED THEN UPDATE SET [Code] = src.[Code]
        WHEN NOT MATCHED THEN INSERT ([Code], [Status]) VALUES (src.[Code], 0)
        OUTPUT src.[Id], $action INTO @changes;
        SELECT @rows = COUNT(*) FROM ${v} WHERE [Id] = @id;
        INSERT INTO [Ops].[Entity${8 * (i % Math.floor((nTables - 6) / 8)) + 5}] ([Code], [Status]) SELECT [Code], 1 FROM #work;
        COMMIT TRANSACTION;
    END TRY
    BEGIN CATCH
        IF @@TRANCOUNT > 0 ROLLBACK TRANSACTION;
        THROW;
    END CATCH;
END
`,
    });
  }
  for (let i = 0; i < nTriggers; i++) {
    const t = tName(i % nTables);
    const s = schemas[i % schemas.length];
    out.push({
      file: `${s}/Tables/Triggers/tr${i}.sql`,
      text: `CREATE TRIGGER [${s}].[tr${i}] ON ${t}\nAFTER INSERT, UPDATE\nAS\nBEGIN\n    SET NOCOUNT ON;\n    UPDATE e SET [Status] = 1 FROM ${t} AS e JOIN inserted AS i ON i.[Id] = e.[Id] WHERE i.[Status] IS NULL;\nEND\n`,
    });
  }
  for (let i = 0; i < nSyn; i++) {
    out.push({ file: `Synonyms/syn${i}.sql`, text: `CREATE SYNONYM [Reporting].[syn${i}] FOR ${tName(i % nTables)};\n` });
  }
  return out;
}

/**
 * The WideWorldImporters SSDT project of the corpus, copied `copies` times with its schemas renamed
 * per copy (Sales → Sales_3), without its post-deployment data scripts. Never committed: built in a
 * temporary folder from DATAMIGRATE_CORPUS.
 */
function scaleCorpus(into: string, copies: number): number {
  const corpus = process.env.DATAMIGRATE_CORPUS;
  if (!corpus) throw new Error("--layout corpus needs DATAMIGRATE_CORPUS (see ../shared/CORPUS.md)");
  const src = path.join(corpus, "wwi/samples/databases/wide-world-importers/wwi-ssdt/wwi-ssdt");
  const files: { rel: string; text: string }[] = [];
  const walkDir = (rel: string) => {
    for (const e of readdirSync(path.join(src, rel), { withFileTypes: true })) {
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) {
        if (e.name !== "PostDeploymentScripts" && e.name !== "bin" && e.name !== "obj") walkDir(r);
      } else if (/\.(sql|sqlproj)$/i.test(e.name)) files.push({ rel: r, text: readFileSync(path.join(src, r), "utf8") });
    }
  };
  walkDir("");
  const schemas = /\b(Application|Purchasing|Sales|Warehouse|Website|DataLoadSimulation|Integration|PowerBI|Reports|Sequences|WebApi)\b/g;
  let bytes = 0;
  for (let k = 0; k < copies; k++) {
    for (const f of files) {
      let text = f.text;
      if (f.rel.endsWith(".sqlproj")) text = text.replace(/<PostDeploy [^>]*\/>/g, "");
      else text = text.replace(schemas, `$1_${k}`);
      const p = path.join(into, `copy${k}`, f.rel);
      mkdirSync(path.dirname(p), { recursive: true });
      writeFileSync(p, text);
      bytes += Buffer.byteLength(text);
    }
  }
  return bytes;
}

const total = Number(opt("objects", "10000"));
const layout = opt("layout", "ssdt");
const root = mkdtempSync(path.join(tmpdir(), "dm-bench-inspect-"));
const objects = layout === "corpus" ? [] : generate(total);
let target: string;
let bytes = 0;
if (layout === "corpus") {
  target = path.join(root, "wwi-scaled");
  // 366 objects (with indexes) per copy of WideWorldImporters.
  bytes = scaleCorpus(target, Math.ceil(total / 366));
} else if (layout === "script") {
  target = path.join(root, "install.sql");
  const text = objects.map((o) => o.text).join("GO\n") + "GO\n";
  writeFileSync(target, text);
  bytes = Buffer.byteLength(text);
} else {
  target = path.join(root, "db");
  for (const o of objects) {
    const p = path.join(target, o.file);
    mkdirSync(path.dirname(p), { recursive: true });
    writeFileSync(p, o.text);
    bytes += Buffer.byteLength(o.text);
  }
}
console.log(`generated ${layout === "corpus" ? "scaled corpus" : `${objects.length} objects`} (${layout}, ${(bytes / 1024 / 1024).toFixed(1)} MiB of T-SQL) in ${target}`);
const child = spawnSync(process.execPath, ["--import", "tsx", path.join(import.meta.dirname, "inspect.ts"), "--child", target], {
  encoding: "utf8",
  maxBuffer: 64 * 1024 * 1024,
});
if (child.status !== 0) {
  console.error(child.stderr);
  process.exit(1);
}
const report = JSON.parse(child.stdout.trim().split("\n").pop()!) as {
  code: number;
  ms: number;
  cpuMs: number;
  jsonBytes: number;
  maxRssMiB: number;
  readMs: number;
  buildMs: number;
  validateMs: number;
  counts: Record<string, number>;
  diagnostics: number;
};
const found = Object.values(report.counts).reduce((a, b) => a + b, 0);
console.log(`inspect --json: ${(report.ms / 1000).toFixed(2)} s wall (${(report.cpuMs / 1000).toFixed(2)} s CPU), peak RSS ${report.maxRssMiB.toFixed(0)} MiB, exit ${report.code}, ${(report.jsonBytes / 1024 / 1024).toFixed(1)} MiB of JSON`);
console.log(`stages (second pass, in process): read ${report.readMs.toFixed(0)} ms, parse+build ${report.buildMs.toFixed(0)} ms, zod validation ${report.validateMs.toFixed(0)} ms`);
console.log(`objects found: ${found} ${JSON.stringify(report.counts)}; ${report.diagnostics} diagnostics`);
console.log(`targets: < 10 s ${report.ms < 10_000 ? "met" : "MISSED"}, < 1 GiB ${report.maxRssMiB < 1024 ? "met" : "MISSED"}`);
if (!args.includes("--keep")) rmSync(root, { recursive: true, force: true });
