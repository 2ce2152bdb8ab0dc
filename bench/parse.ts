// Lex + parse throughput of the T-SQL front end (server/tsql), on one core.
//   npx tsx --expose-gc bench/parse.ts [--mb 50] [--write]
// (--expose-gc lets the streamed run measure the heap that is really retained, after collection.)
// Generates a large script of mixed T-SQL (DDL, procedures, queries, data inserts), measures the
// lexer alone and lexer+parser (streaming batches through onBatch, then keeping the whole result),
// and, when DATAMIGRATE_CORPUS is set, the same over every .sql file of the corpus.
// --write replaces the "T-SQL parse" section of bench/RESULTS.md with the numbers.
import { readFileSync, writeFileSync, existsSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { decodeSql, sqlFiles } from "../server/tsql/corpus-support.ts";
import { parseScript, tokenize } from "../server/tsql/index.ts";

const args = process.argv.slice(2);
const mb = Number(args[args.indexOf("--mb") + 1] ?? 0) || 50;

function generate(targetChars: number): string {
  const parts: string[] = [];
  let size = 0;
  for (let i = 0; size < targetChars; i++) {
    const chunk = `-- object ${i}
CREATE TABLE [dbo].[Orders_${i}](
	[OrderID] [int] IDENTITY(1,1) NOT NULL,
	[CustomerID] [nchar](5) COLLATE SQL_Latin1_General_CP1_CI_AS NULL,
	[OrderDate] [datetime] NULL CONSTRAINT [DF_Orders_${i}_OrderDate] DEFAULT (getdate()),
	[Freight] [money] NULL,
	[Total] AS ([Freight]*(1.1)) PERSISTED,
	CONSTRAINT [PK_Orders_${i}] PRIMARY KEY CLUSTERED ([OrderID] ASC) WITH (PAD_INDEX = OFF, FILLFACTOR = 90) ON [PRIMARY]
) ON [PRIMARY]
GO
CREATE PROCEDURE [dbo].[usp_Orders_${i}] @From datetime, @To datetime = NULL, @Count int OUTPUT
AS
BEGIN
	SET NOCOUNT ON;
	DECLARE @n int = 0, @s nvarchar(max) = N'';
	IF @To IS NULL SET @To = GETDATE();
	BEGIN TRY
		WITH recent AS (
			SELECT o.OrderID, o.CustomerID, ROW_NUMBER() OVER (PARTITION BY o.CustomerID ORDER BY o.OrderDate DESC) AS rn
			FROM dbo.Orders_${i} o WITH (NOLOCK)
			WHERE o.OrderDate BETWEEN @From AND @To AND o.Freight > $10.00
		)
		SELECT r.CustomerID, COUNT(*) AS Orders, SUM(CASE WHEN r.rn = 1 THEN 1 ELSE 0 END) AS Latest
		FROM recent r LEFT JOIN dbo.Customers c ON c.CustomerID = r.CustomerID
		GROUP BY r.CustomerID HAVING COUNT(*) > 1 ORDER BY Orders DESC;
		SET @Count = @@ROWCOUNT;
		UPDATE o SET o.Freight += 1 FROM dbo.Orders_${i} o WHERE o.OrderID IN (SELECT TOP (10) OrderID FROM dbo.Orders_${i});
	END TRY
	BEGIN CATCH
		THROW;
	END CATCH
END
GO
INSERT INTO [dbo].[Orders_${i}] ([CustomerID], [OrderDate], [Freight]) VALUES (N'ALFKI', '1996-07-04T00:00:00', 32.38), (N'VINET', '1996-07-05', 11.61), (N'TOMSP', '1996-07-08', 65.83)
INSERT INTO [dbo].[Orders_${i}] ([CustomerID], [OrderDate], [Freight]) VALUES (N'HANAR', '1996-07-08T00:00:00', 41.34), (N'VICTE', '1996-07-09', 51.30), (N'SUPRD', '1996-07-10', 58.17)
GO
`;
    parts.push(chunk);
    size += chunk.length;
  }
  return parts.join("");
}

/**
 * Best of `runs`: wall-clock ms and CPU ms of this process (user + system, which includes V8's GC
 * helper threads). On a shared machine the CPU figure is the one that says what one core does.
 */
function time(fn: () => void, runs = 3): { wall: number; cpu: number } {
  let wall = Infinity;
  let cpu = Infinity;
  for (let i = 0; i < runs; i++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    fn();
    wall = Math.min(wall, performance.now() - t0);
    const c = process.cpuUsage(c0);
    cpu = Math.min(cpu, (c.user + c.system) / 1000);
  }
  return { wall, cpu };
}
const rate = (mb: number, t: { wall: number; cpu: number }) => `${(mb / (t.cpu / 1000)).toFixed(1)} MB/s (wall ${(mb / (t.wall / 1000)).toFixed(1)})`;

const lines: string[] = [];
const log = (s: string) => {
  console.log(s);
  lines.push(s);
};

const text = generate(mb * 1_000_000);
const sizeMb = Buffer.byteLength(text) / 1e6;
log(`Machine: ${cpus()[0]?.model ?? "?"} (${cpus().length} cores, shared with other jobs; load average ${loadavg()[0]!.toFixed(1)} at the start), Node ${process.version}.`);
log("Rates are MB per second of this process's CPU time (best of 3 runs); wall-clock rates, which suffer from the sharing, in parentheses.");
log("");
log("| input | size | lexer only | lexer + parser | memory |");
log("|---|---|---|---|---|");

// Lexer alone (tokens of a 5 MB slice, to keep the token array small).
const slice = text.slice(0, 5_000_000);
const lexMs = time(() => void tokenize(slice, { file: "gen.sql" }));
const sliceMb = slice.length / 1e6;

// Lexer + parser, streaming batches (what a reader does with a huge file).
let statements = 0;
const streamMs = time(() => {
  statements = 0;
  parseScript(text, { file: "gen.sql", onBatch: (b) => void (statements += b.statements.length) });
}, 2);
// Retained heap while streaming: sampled after a forced collection every 2,000 batches (needs --expose-gc).
const gc = (globalThis as { gc?: () => void }).gc;
let retained = "run with --expose-gc to measure";
if (gc) {
  gc();
  const heap0 = process.memoryUsage().heapUsed;
  let peak = 0;
  let n = 0;
  parseScript(text, {
    file: "gen.sql",
    onBatch: () => {
      if (++n % 2000 === 0) {
        gc();
        peak = Math.max(peak, process.memoryUsage().heapUsed - heap0);
      }
    },
  });
  retained = `${(peak / 1e6).toFixed(0)} MB retained (after GC)`;
}
log(`| generated script (${statements} top-level statements, streamed with onBatch) | ${sizeMb.toFixed(1)} MB | ${rate(sliceMb, lexMs)} | ${rate(sizeMb, streamMs)} | ${retained} |`);

// Lexer + parser keeping the whole tree (10 MB).
const ten = generate(10_000_000);
let keptPeak = 0;
const keepMs = time(() => {
  const before = process.memoryUsage().heapUsed;
  const r = parseScript(ten, { file: "gen10.sql" });
  keptPeak = Math.max(keptPeak, process.memoryUsage().heapUsed - before);
  if (r.batches.length === 0) throw new Error("nothing parsed");
});
let treeSize = `${(keptPeak / 1e6).toFixed(0)} MB heap growth (tree + garbage)`;
if (gc) {
  gc();
  const before = process.memoryUsage().heapUsed;
  const kept = parseScript(ten, { file: "gen10.sql" });
  gc();
  treeSize = `${((process.memoryUsage().heapUsed - before) / 1e6).toFixed(0)} MB retained by the tree (${kept.batches.length} batches)`;
}
log(`| generated script, whole tree kept | ${(ten.length / 1e6).toFixed(1)} MB | | ${rate(ten.length / 1e6, keepMs)} | ${treeSize} |`);

const corpus = process.env.DATAMIGRATE_CORPUS;
if (corpus && existsSync(corpus)) {
  const texts: string[] = [];
  for (const f of sqlFiles(corpus)) texts.push(decodeSql(readFileSync(f)));
  const chars = texts.reduce((n, t) => n + Buffer.byteLength(t), 0) / 1e6;
  const lexC = time(() => {
    for (const t of texts) tokenize(t, { file: "c.sql" });
  });
  const parseC = time(() => {
    for (const t of texts) parseScript(t, { file: "c.sql" });
  });
  log(`| corpus (${texts.length} .sql files under DATAMIGRATE_CORPUS) | ${chars.toFixed(1)} MB | ${rate(chars, lexC)} | ${rate(chars, parseC)} | |`);
} else {
  log("| corpus | DATAMIGRATE_CORPUS not set: skipped | | | |");
}

if (args.includes("--write")) {
  const path = "bench/RESULTS.md";
  const header = "## T-SQL parse (bench/parse.ts)";
  const notes = [
    "",
    "Memory: with `onBatch` the parser holds one batch at a time (tokens are dropped after each top-level",
    "statement). Keeping the whole tree costs about 20-30 times the source size: a 50 MB DDL script",
    "(AdventureWorks' instawdb.sql repeated) retained 1.0 GB of heap after GC (rss 1.24 GB); a 50 MB INSERT",
    "script (Chinook repeated) 1.2 GB. The default Node heap limit on this machine is 4.3 GB. Nesting is",
    "capped at 300 levels (TSQL2003): 10,000 nested parentheses give a diagnostic, not a stack overflow.",
    "",
    "The machine is shared by several jobs, so rates move a lot between runs (the same code measured",
    "11.8 MB/s wall-clock streamed and 13.0 MB/s on the corpus at load average 6; see the CPU-time figures).",
  ];
  const section = `${header}\n\nLex + parse throughput of server/tsql on one core (target: at least 5 MB/s). Sizes are UTF-8 bytes.\nRun: \`npx tsx --expose-gc bench/parse.ts --write\` (set DATAMIGRATE_CORPUS for the corpus row).\n\n${[...lines, ...notes].join("\n")}\n\n`;
  let doc = existsSync(path) ? readFileSync(path, "utf8") : "# Benchmark results\n";
  const start = doc.indexOf(header);
  if (start >= 0) {
    const next = doc.indexOf("\n## ", start + header.length);
    doc = doc.slice(0, start) + section + (next >= 0 ? doc.slice(next + 1) : "").replace(/^\n+/, "");
  } else doc = doc.replace(/\n*$/, "\n\n") + section;
  writeFileSync(path, doc);
  console.log(`wrote ${path}`);
}
