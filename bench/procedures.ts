// Classify and compile every procedure of the corpus databases (catalog built first, not timed).
//   DATAMIGRATE_CORPUS=/work/corpus npx tsx bench/procedures.ts
import path from "node:path";
import { inspectPaths } from "../server/catalog/inspect.ts";
import { compileProcedures } from "../server/translate/procedures/index.ts";

const root = process.env.DATAMIGRATE_CORPUS;
if (!root) {
  console.log("DATAMIGRATE_CORPUS is not set: nothing to measure");
  process.exit(0);
}
const OLA = ["CommandExecute.sql", "CommandLog.sql", "DatabaseBackup.sql", "DatabaseIntegrityCheck.sql", "IndexOptimize.sql", "Queue.sql", "QueueDatabase.sql"].map((f) => `ola/${f}`);
const DBS: [string, string[]][] = [
  ["AdventureWorks", ["adventureworks/samples/databases/adventure-works/oltp-install-script/instawdb.sql"]],
  ["WideWorldImporters", ["wwi/samples/databases/wide-world-importers/wwi-ssdt/wwi-ssdt"]],
  ["DataWithBaraa", ["baraa/scripts"]],
  ["procfwk", ["procfwk/MetadataDB"]],
  ["tSQLt", ["tsqlt/Source"]],
  ["Ola Hallengren", OLA],
];
const main = async () => {
  console.log("| database | procedures+triggers | models | best of 5 (ms) | per object (ms) |");
  console.log("|---|---|---|---|---|");
  for (const [name, rel] of DBS) {
    const { catalog } = await inspectPaths(rel.map((p) => path.join(root, p)), {});
    let best = Infinity;
    let r = compileProcedures(catalog);
    for (let i = 0; i < 5; i++) {
      const t0 = performance.now();
      r = compileProcedures(catalog);
      best = Math.min(best, performance.now() - t0);
    }
    console.log(`| ${name} | ${r.reportObjects.length} | ${r.models.length} | ${best.toFixed(0)} | ${(best / Math.max(1, r.reportObjects.length)).toFixed(2)} |`);
  }
};
void main();
