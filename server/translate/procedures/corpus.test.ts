// Corpus check (DATAMIGRATE_CORPUS): every procedure and trigger of the development corpus is
// classified with a reason; every etl/mixed procedure either became models or is needs_review with
// an error diagnostic saying why; the models produced run on Postgres (TEST_DATABASE_URL) or PGlite
// over empty source tables, first as a full run and then as an incremental run.
// Nothing from the corpus is committed; the counts are printed for the issue note.
import { existsSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { inspectPaths } from "../../catalog/inspect.ts";
import { openRuntimeDb, type RuntimeDb } from "../runtime/testdb.ts";
import { openWarehouseFor } from "./testing.ts";

const root = process.env.DATAMIGRATE_CORPUS;
const OLA = ["CommandExecute.sql", "CommandLog.sql", "DatabaseBackup.sql", "DatabaseIntegrityCheck.sql", "IndexOptimize.sql", "Queue.sql", "QueueDatabase.sql"];
const DBS: [string, string[]][] = [
  ["AdventureWorks", ["adventureworks/samples/databases/adventure-works/oltp-install-script/instawdb.sql"]],
  ["WideWorldImporters", ["wwi/samples/databases/wide-world-importers/wwi-ssdt/wwi-ssdt"]],
  ["DataWithBaraa warehouse", ["baraa/scripts"]],
  ["procfwk", ["procfwk/MetadataDB"]],
  ["tSQLt", ["tsqlt/Source"]],
  ["Ola Hallengren", OLA.map((f) => `ola/${f}`)],
];

const count = <T,>(xs: T[], key: (x: T) => string) => {
  const m: Record<string, number> = {};
  for (const x of xs) m[key(x)] = (m[key(x)] ?? 0) + 1;
  return Object.fromEntries(Object.entries(m).sort());
};

describe.skipIf(!root)("procedures of the development corpus", () => {
  let db: RuntimeDb;
  beforeAll(async () => {
    db = await openRuntimeDb();
  }, 120_000);
  afterAll(async () => {
    await db?.close();
  });

  it.each(DBS)("%s: classified with reasons; etl procedures become running models or needs_review with reasons", async (name, rel) => {
    const paths = rel.map((p) => path.join(root!, p));
    if (!paths.every((p) => existsSync(p))) {
      console.log(`${name}: not in the corpus folder, skipped`);
      return;
    }
    const { catalog } = await inspectPaths(paths, {});
    const w = await openWarehouseFor(db, catalog, "corpus", { createSources: true });
    try {
      const objs = w.compiled.reportObjects;
      expect(objs.length).toBeGreaterThan(0);
      for (const o of objs) {
        expect(o.reason.length, o.id).toBeGreaterThan(20);
        if (o.status === "converted") expect(o.models.length + o.lineage.length, o.id).toBeGreaterThan(0);
        if (o.status === "needs_review") expect(o.diagnostics.some((d) => d.severity === "error"), o.id).toBe(true);
        if (o.class === "etl" || o.class === "mixed") expect(["converted", "needs_review"]).toContain(o.status);
      }
      const full = await w.run({ incremental: false });
      const inc = await w.run({ incremental: true });
      const reasons = count(
        objs.filter((o) => o.status === "needs_review"),
        (o) => o.diagnostics.find((d) => d.severity === "error")!.code,
      );
      console.log(
        JSON.stringify({
          database: name,
          objects: objs.length,
          byClass: count(objs, (o) => `${o.kind}:${o.class}`),
          byStatus: count(objs, (o) => o.status),
          models: w.compiled.models.length,
          modelsRan: full.ran.length,
          needsReviewByFirstCode: reasons,
          runErrors: [...full.errors, ...inc.errors].map((e) => e.split("\n")[0]),
        }),
      );
      expect(full.errors).toEqual([]);
      expect(inc.errors).toEqual([]);
    } finally {
      await w.drop();
    }
  }, 300_000);
});

describe.skipIf(root)("procedures of the development corpus", () => {
  it("skipped: DATAMIGRATE_CORPUS is not set", () => {
    expect(root).toBeUndefined();
  });
});
