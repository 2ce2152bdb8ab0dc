// Cold `datamigrate convert` benchmark: what a user waits for when running the CLI once.
//   DATAMIGRATE_CORPUS=/work/corpus npx tsx bench/convert-cold.ts [--runs N] [--root DIR]
// Runs `node --import tsx server/cli.ts convert instawdb.sql --out <tmp>` N times (default 5), each
// in a fresh process, and reports wall time per run plus the time the command itself reports.
// Then one more fresh process times the phases in order (boot, module imports, read+parse+catalog,
// convert, render, YAML validation, write), each the first time it runs in that process.
// --root runs another checkout's CLI (e.g. an older commit unpacked beside this one), for before/after.
// (The synthetic database of bench/convert.ts is used when the corpus is absent.)
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const args = process.argv.slice(2);
const opt = (name: string) => (args.includes(name) ? args[args.indexOf(name) + 1] : undefined);

async function phases(root: string, input: string): Promise<void> {
  const boot = performance.now();
  const t: Record<string, number> = { "node + tsx boot": boot };
  let last = boot;
  const mark = (name: string) => {
    const now = performance.now();
    t[name] = now - last;
    last = now;
  };
  const imp = (rel: string) => import(pathToFileURL(path.join(root, rel)).href);
  await imp("server/commands/index.ts");
  const project = await imp("server/translate/project/index.ts");
  const inspect = await imp("server/catalog/inspect.ts");
  const dbt = await imp("server/dbt/index.ts");
  mark("module imports (cli + convert's modules)");
  const { readFile } = await import("node:fs/promises");
  await readFile(input, "utf8");
  mark("read the file");
  const r = await inspect.inspectPaths([input]);
  mark("read + parse + catalog (inspectPaths)");
  const result = project.convertCatalog(r.catalog);
  mark("convert (names, models, translation, tests, report)");
  const files = dbt.renderDbtProject(dbt.parseDbtProject(result.project));
  mark("render the dbt project");
  dbt.validateRenderedProject(files);
  mark("validate every YAML file (fusion schemas)");
  const out = mkdtempSync(path.join(tmpdir(), "dm-cold-phases-"));
  await project.writeConversion(result, out, { force: true });
  mark("writeConversion (render+validate again, warm; write files + report)");
  rmSync(out, { recursive: true, force: true });
  process.stdout.write(JSON.stringify(t) + "\n");
}

async function main(): Promise<void> {
  const here = path.dirname(fileURLToPath(import.meta.url));
  const root = path.resolve(opt("--root") ?? path.join(here, ".."));
  if (args.includes("--phases")) return phases(root, opt("--phases")!);
  const runs = Number(opt("--runs")) || 5;
  const corpus = process.env.DATAMIGRATE_CORPUS;
  let input = corpus ? path.join(corpus, "adventureworks/samples/databases/adventure-works/oltp-install-script/instawdb.sql") : "";
  let tmpInput: string | undefined;
  if (!input || !existsSync(input)) {
    // A small database of our own keeps the script usable without the corpus.
    tmpInput = mkdtempSync(path.join(tmpdir(), "dm-cold-in-"));
    input = path.join(tmpInput, "shop.sql");
    const t = Array.from({ length: 40 }, (_, i) => `CREATE TABLE dbo.T${i} (Id int NOT NULL PRIMARY KEY, Code nvarchar(20) NOT NULL UNIQUE, Amount money NULL);\nGO\nCREATE VIEW dbo.V${i} AS SELECT Id, LEN(Code) AS L, ISNULL(Amount, 0) AS A FROM dbo.T${i};\nGO`);
    writeFileSync(input, t.join("\n"));
    console.log("DATAMIGRATE_CORPUS not set (or instawdb.sql absent): using a synthetic 40-table database");
  }
  const cli = path.join(root, "server/cli.ts");
  console.log(`input ${path.basename(input)}, CLI ${cli}`);
  const walls: number[] = [];
  for (let i = 0; i < runs; i++) {
    const out = mkdtempSync(path.join(tmpdir(), "dm-cold-out-"));
    const t0 = performance.now();
    const p = spawnSync(process.execPath, ["--import", "tsx", cli, "convert", input, "--out", out, "--force"], { cwd: root, encoding: "utf8" });
    const wall = performance.now() - t0;
    rmSync(out, { recursive: true, force: true });
    if (p.status !== 0) throw new Error(`convert failed (${p.status}): ${p.stderr}`);
    const own = /\((\d+) ms\)/.exec(p.stdout)?.[1];
    walls.push(wall);
    console.log(`run ${i + 1}: wall ${wall.toFixed(0)} ms, command's own timing ${own ?? "?"} ms`);
  }
  const sorted = [...walls].sort((a, b) => a - b);
  console.log(`wall: min ${sorted[0]!.toFixed(0)} ms, median ${sorted[Math.floor(sorted.length / 2)]!.toFixed(0)} ms, max ${sorted[sorted.length - 1]!.toFixed(0)} ms`);
  const ph = spawnSync(process.execPath, ["--import", "tsx", fileURLToPath(import.meta.url), "--phases", input, "--root", root], { cwd: root, encoding: "utf8" });
  if (ph.status !== 0) throw new Error(`phases failed: ${ph.stderr}`);
  const t = JSON.parse(ph.stdout.trim().split("\n").pop()!) as Record<string, number>;
  console.log("phases of one cold process:");
  for (const [k, v] of Object.entries(t)) console.log(`  ${v.toFixed(0).padStart(6)} ms  ${k}`);
  if (tmpInput) rmSync(tmpInput, { recursive: true, force: true });
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
