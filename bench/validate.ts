// Validation benchmark: convert a corpus database with the convert pipeline, then validate the
// project on the local Postgres with synthesised data (scratch schemas, sources, data, models,
// data tests, grades). Only the validation is timed against the 20 s goal.
//   DATAMIGRATE_CORPUS=/work/corpus npx tsx bench/validate.ts [name...] [--rows N] [--pglite]
// Names: AdventureWorks (default), Northwind, pubs, Chinook, Sakila, AdventureWorksDW,
// AdventureWorksLT, WideWorldImporters, or "all".
import { convertPaths } from "../server/translate/project/index.ts";
import { EVIDENCE_GRADES, type EvidenceGrade } from "../server/validate/evidence.ts";
import { objectEvidence } from "../server/validate/project.ts";
import { runValidation } from "../server/validate/run.ts";

const root = process.env.DATAMIGRATE_CORPUS;
if (!root) {
  console.log("DATAMIGRATE_CORPUS is not set: skipping (the corpus is not part of the repository)");
  process.exit(0);
}
const DBS: Record<string, string[]> = {
  Northwind: [`${root}/northwind-pubs/samples/databases/northwind-pubs/instnwnd.sql`],
  pubs: [`${root}/northwind-pubs/samples/databases/northwind-pubs/instpubs.sql`],
  Chinook: [`${root}/chinook/ChinookDatabase/DataSources/Chinook_SqlServer.sql`],
  Sakila: [`${root}/sakila/sql-server-sakila-db/sql-server-sakila-schema.sql`],
  AdventureWorks: [`${root}/adventureworks/samples/databases/adventure-works/oltp-install-script/instawdb.sql`],
  AdventureWorksDW: [`${root}/adventureworks/samples/databases/adventure-works/data-warehouse-install-script/instawdbdw.sql`],
  AdventureWorksLT: [`${root}/awlt/scripts/adventureworksLT.sql`],
  WideWorldImporters: [`${root}/wwi/samples/databases/wide-world-importers/wwi-ssdt/wwi-ssdt`],
};
const args = process.argv.slice(2);
const rowsArg = args.indexOf("--rows");
const rows = rowsArg >= 0 ? Number(args[rowsArg + 1]) : 60;
const pglite = args.includes("--pglite");
let names = args.filter((a, i) => !a.startsWith("--") && !(rowsArg >= 0 && i === rowsArg + 1));
if (!names.length) names = ["AdventureWorks"];
if (names.includes("all")) names = Object.keys(DBS);
const databaseUrl = pglite ? undefined : (process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test");

for (const name of names) {
  const paths = DBS[name];
  if (!paths) {
    console.log(`${name}: unknown database`);
    continue;
  }
  const t0 = Date.now();
  const conv = await convertPaths(paths);
  const convertMs = Date.now() - t0;
  const project = conv.result.project;
  const t1 = Date.now();
  const run = await runValidation(project, { ...(databaseUrl ? { databaseUrl } : {}), catalog: conv.catalog, rows });
  const secs = (Date.now() - t1) / 1000;
  const grades = Object.fromEntries(EVIDENCE_GRADES.map((g) => [g, 0])) as Record<EvidenceGrade, number>;
  for (const o of conv.result.report.objects) grades[objectEvidence(o, run.models, run.setup.ok)]++;
  const tables = conv.catalog.objects.filter((o) => o.kind === "table").length;
  const views = conv.catalog.objects.filter((o) => o.kind === "view").length;
  const tests = run.models.flatMap((m) => m.tests);
  console.log(`${name}: ${tables} tables, ${views} views; converted in ${(convertMs / 1000).toFixed(1)} s; validated on ${run.backend} in ${secs.toFixed(1)} s`);
  console.log(`  setup ${run.setup.ok ? "ok" : `FAILED: ${run.setup.error}`}; data ${run.loads.reduce((a, l) => a + l.rows, 0)} rows in ${run.loads.filter((l) => l.ok).length}/${run.loads.length} tables`);
  console.log(`  models ${run.models.filter((m) => m.status === "ran").length}/${run.models.length} ran; tests ${tests.filter((t) => t.status === "pass").length} pass, ${tests.filter((t) => t.status === "fail").length} fail, ${tests.filter((t) => t.status === "error").length} error, ${tests.filter((t) => t.status === "skipped").length} skipped`);
  const empty = run.models.filter((m) => m.status === "ran" && m.rows === 0);
  console.log(`  models with rows: ${run.models.filter((m) => (m.rows ?? 0) > 0).length}; ran but empty on the synthesised data: ${empty.length}${empty.length ? ` (${empty.slice(0, 8).map((m) => m.name).join(", ")}${empty.length > 8 ? ", ..." : ""})` : ""}`);
  console.log(`  model grades: ${EVIDENCE_GRADES.map((g) => `${g} ${run.grades[g]}`).join(", ")}`);
  console.log(`  object grades (${conv.result.report.objects.length} objects): ${EVIDENCE_GRADES.map((g) => `${g} ${grades[g]}`).join(", ")}`);
  for (const m of run.models.filter((x) => x.status !== "ran").slice(0, 15)) console.log(`    ${m.status} ${m.path}${m.error?.line ? `:${m.error.line}` : ""}: ${m.error?.message ?? ""}`);
  for (const t of tests.filter((x) => x.status === "fail" || x.status === "error").slice(0, 10)) console.log(`    test ${t.status} ${t.name}: ${t.failures ?? ""} ${t.error ?? ""}`);
  for (const d of run.diagnostics.filter((x) => x.severity === "error" || x.severity === "warning").slice(0, 8)) console.log(`    ${d.code} ${d.message}`);
}
