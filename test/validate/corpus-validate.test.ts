// Issue 6's bar on the development corpus: every converted model of every database runs on
// Postgres with synthesised data, and every report object gets an evidence grade.
// Reads DATAMIGRATE_CORPUS (third-party T-SQL, never committed); skips when it is unset.
import { describe, expect, it } from "vitest";
import { convertPaths } from "../../server/translate/project/index.ts";
import { EVIDENCE_GRADES } from "../../server/validate/evidence.ts";
import { objectEvidence } from "../../server/validate/project.ts";
import { runValidation } from "../../server/validate/run.ts";

const root = process.env.DATAMIGRATE_CORPUS;
const DBS: Array<[string, string]> = [
  ["Northwind", "northwind-pubs/samples/databases/northwind-pubs/instnwnd.sql"],
  ["pubs", "northwind-pubs/samples/databases/northwind-pubs/instpubs.sql"],
  ["Chinook", "chinook/ChinookDatabase/DataSources/Chinook_SqlServer.sql"],
  ["Sakila", "sakila/sql-server-sakila-db/sql-server-sakila-schema.sql"],
  ["AdventureWorks", "adventureworks/samples/databases/adventure-works/oltp-install-script/instawdb.sql"],
  ["AdventureWorksDW", "adventureworks/samples/databases/adventure-works/data-warehouse-install-script/instawdbdw.sql"],
  ["AdventureWorksLT", "awlt/scripts/adventureworksLT.sql"],
  ["WideWorldImporters", "wwi/samples/databases/wide-world-importers/wwi-ssdt/wwi-ssdt"],
];

describe.skipIf(!root)("corpus: every converted model runs on synthesised data (DATAMIGRATE_CORPUS)", () => {
  if (!root) it.skip("DATAMIGRATE_CORPUS is not set: corpus validation skipped", () => {});
  it.each(DBS)("%s", async (_, rel) => {
    const conv = await convertPaths([`${root}/${rel}`]);
    const run = await runValidation(conv.result.project, { catalog: conv.catalog, rows: 30, ...(process.env.TEST_DATABASE_URL ? { databaseUrl: process.env.TEST_DATABASE_URL } : {}) });
    expect(run.setup).toEqual({ ok: true });
    const notRun = run.models.filter((m) => m.status !== "ran").map((m) => `${m.path}: ${m.error?.message}`);
    expect(notRun).toEqual([]);
    for (const o of conv.result.report.objects) expect(EVIDENCE_GRADES).toContain(objectEvidence(o, run.models, run.setup.ok));
  }, 300_000);
});
