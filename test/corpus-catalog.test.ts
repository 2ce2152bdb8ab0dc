// Runs the readers and the catalog over each development-corpus database (../shared/CORPUS.md) and
// prints the counts per object kind. Skipped, saying so, when DATAMIGRATE_CORPUS is not set: the
// corpus is third-party code and never part of the repository.
import { existsSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { buildCatalog, countByKind } from "../server/catalog/build.ts";
import { readSources } from "../server/sources/read.ts";

const CORPUS = process.env.DATAMIGRATE_CORPUS;

const DATABASES: Record<string, string[]> = {
  "northwind-pubs": ["northwind-pubs/samples/databases/northwind-pubs/instnwnd.sql", "northwind-pubs/samples/databases/northwind-pubs/instpubs.sql"],
  chinook: ["chinook/ChinookDatabase/DataSources/Chinook_SqlServer.sql"],
  "chinook-autoincrement": ["chinook/ChinookDatabase/DataSources/Chinook_SqlServer_AutoIncrementPKs.sql"],
  sakila: ["sakila/sql-server-sakila-db/sql-server-sakila-schema.sql"],
  "adventureworks-oltp": ["adventureworks/samples/databases/adventure-works/oltp-install-script/instawdb.sql"],
  "adventureworks-dw": ["adventureworks/samples/databases/adventure-works/data-warehouse-install-script/instawdbdw.sql"],
  awlt: ["awlt/scripts/adventureworksLT.sql"],
  wwi: ["wwi/samples/databases/wide-world-importers/wwi-ssdt/wwi-ssdt"],
  baraa: ["baraa/scripts"],
  procfwk: ["procfwk/MetadataDB"],
  tsqlt: ["tsqlt/Source"],
  ola: ["ola"],
};

/** Object names a plain text scan finds after CREATE/ALTER at the start of a line (outside comments and strings). */
function scannedNames(text: string): Set<string> {
  const names = new Set<string>();
  const noBlock = text.replace(/\/\*[\s\S]*?\*\/|--[^\n]*|N?'(?:[^']|'')*'/g, (m) => m.replace(/[^\n]/g, " "));
  const rx = /^[ \t]*(?:CREATE|ALTER|CREATE[ \t]+OR[ \t]+ALTER)[ \t]+(TABLE|VIEW|PROC|PROCEDURE|FUNCTION|TRIGGER|SEQUENCE|SYNONYM)[ \t]+((?:\[[^\]]+\]|"[^"]+"|[\w@$#]+)(?:[ \t]*\.[ \t]*(?:\[[^\]]+\]|"[^"]+"|[\w@$#]+))*)/gim;
  for (const m of noBlock.matchAll(rx)) {
    const parts = m[2]!.split(/\s*\.\s*/).map((p) => p.replace(/^[["]|[\]"]$/g, ""));
    const name = parts[parts.length - 1]!;
    if (name.startsWith("#")) continue;
    names.add(`${parts.length > 1 ? parts[parts.length - 2]! : "dbo"}.${name}`.toLowerCase());
  }
  return names;
}

describe.skipIf(!CORPUS)("catalog over the development corpus", () => {
  const summary: Record<string, Record<string, number>> = {};

  it.each(Object.entries(DATABASES))("%s: read without a crash, every scripted object found", async (name, rels) => {
    const paths = rels.map((r) => path.join(CORPUS!, r));
    for (const p of paths) expect(existsSync(p), p).toBe(true);
    const started = Date.now();
    const sources = await readSources(paths);
    const catalog = buildCatalog(sources);
    const counts = countByKind(catalog);
    summary[name] = counts;
    const errors = catalog.diagnostics.filter((d) => d.severity === "error");
    console.log(
      `${name}: ${JSON.stringify(counts)} — database ${catalog.databaseName ?? "(unnamed)"}, collation ${catalog.defaultCollation}, ${catalog.unresolved.length} unresolved, ${sources.files.length} files, ${catalog.diagnostics.length} diagnostics (${errors.length} errors), ${Date.now() - started} ms`,
    );
    expect(sources.files.length).toBeGreaterThan(0);
    // Every module and table the scripts define parsed into its statement (no Command fallback).
    const unparsed = catalog.diagnostics.filter((d) => d.code === "CAT1009");
    if (unparsed.length) console.log(`${name}: unparsed objects:\n  ${unparsed.map((d) => `${d.file}:${d.line} ${d.message}`).join("\n  ")}`);
    expect(unparsed).toEqual([]);
    expect(catalog.objects.filter((o) => o.module && !o.module.ast)).toEqual([]);

    // Cross-check with a plain text scan of the model's files: every CREATE/ALTER of a table, view,
    // routine, trigger, sequence or synonym at the start of a line is an object of the catalog.
    // Database-level DDL triggers have no schema; the scan files them under dbo.
    const inCatalog = new Set(catalog.objects.map((o) => `${o.schema || "dbo"}.${o.name}`.toLowerCase()));
    const missing: string[] = [];
    for (const f of sources.files) {
      if (f.origin.buildAction === "None") continue;
      for (const n of scannedNames(f.text)) if (!inCatalog.has(n)) missing.push(`${n} (${f.path})`);
    }
    if (missing.length) console.log(`${name}: scanned but not in the catalog:\n  ${missing.join("\n  ")}`);
    expect(missing).toEqual([]);
  });

  it("prints the summary", () => {
    const kinds = ["schema", "table", "view", "procedure", "function", "trigger", "type", "sequence", "synonym", "index"];
    const lines = [`database                 ${kinds.map((k) => k.slice(0, 9).padStart(9)).join(" ")}`];
    for (const [db, counts] of Object.entries(summary)) lines.push(`${db.padEnd(24)} ${kinds.map((k) => String(counts[k] ?? 0).padStart(9)).join(" ")}`);
    console.log(lines.join("\n"));
    expect(Object.keys(summary)).toHaveLength(Object.keys(DATABASES).length);
  });
});

describe.skipIf(!!CORPUS)("catalog over the development corpus", () => {
  it("is skipped: DATAMIGRATE_CORPUS is not set (see ../shared/CORPUS.md)", () => {
    console.log("corpus catalog test skipped: set DATAMIGRATE_CORPUS to the corpus folder to run it");
    expect(CORPUS).toBeFalsy();
  });
});

