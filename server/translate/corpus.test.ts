// Corpus check: every view and inline function of the corpus databases that translates without an
// error diagnostic must also be accepted by Postgres (created over tables mapped with mapColumnType).
// Reads DATAMIGRATE_CORPUS; skips (saying so) when it is unset. Nothing from the corpus is committed.
import { existsSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { dependencyOrder } from "../catalog/graph.ts";
import { inspectPaths } from "../catalog/inspect.ts";
import type { Catalog } from "../catalog/model.ts";
import { mapColumnType, postgresIdentifier as ident, translateQuery, translateStatement } from "./index.ts";
import { openRuntimeDb } from "./runtime/testdb.ts";

const root = process.env.DATAMIGRATE_CORPUS;
const DBS: [string, string][] = [
  ["Northwind", "northwind-pubs/samples/databases/northwind-pubs/instnwnd.sql"],
  ["pubs", "northwind-pubs/samples/databases/northwind-pubs/instpubs.sql"],
  ["Sakila", "sakila/sql-server-sakila-db/sql-server-sakila-schema.sql"],
  ["AdventureWorks", "adventureworks/samples/databases/adventure-works/oltp-install-script/instawdb.sql"],
  ["AdventureWorksDW", "adventureworks/samples/databases/adventure-works/data-warehouse-install-script/instawdbdw.sql"],
  ["AdventureWorksLT", "awlt/scripts/adventureworksLT.sql"],
  ["WideWorldImporters", "wwi/samples/databases/wide-world-importers/wwi-ssdt/wwi-ssdt"],
];

async function check(catalog: Catalog): Promise<{ created: number; refused: number; blocked: number; failed: string[] }> {
  const db = await openRuntimeDb();
  const rt = db.schema;
  const failed: string[] = [];
  let created = 0;
  let refused = 0;
  let blocked = 0;
  const notCreated = new Set<string>();
  try {
    const ids = dependencyOrder(catalog).order;
    const byId = new Map(catalog.objects.map((o) => [o.id, o]));
    const schemas = new Set(catalog.objects.filter((o) => o.kind === "table" || o.kind === "view" || o.kind === "function").map((o) => o.schema));
    const sch = (s: string) => ident(`${rt}_${s}`);
    for (const s of schemas) await db.exec(`CREATE SCHEMA ${sch(s)}`);
    const rel = (schema: string | undefined, name: string) => {
      const o = catalog.objects.find((x) => x.name.toLowerCase() === name.toLowerCase() && (!schema || x.schema.toLowerCase() === schema.toLowerCase()) && x.kind !== "index" && x.kind !== "schema");
      return `${sch(o?.schema ?? schema ?? "dbo")}.${ident(o?.name ?? name)}`;
    };
    const ctx = {
      catalog,
      runtimeSchema: rt,
      resolveRelation: (n: { schema?: { value: string }; name: { value: string } }) => rel(n.schema?.value, n.name.value),
      resolveFunction: (n: { schema?: { value: string }; name: { value: string } }) => rel(n.schema?.value, n.name.value),
    };
    for (const id of ids) {
      const o = byId.get(id)!;
      if (o.kind === "table") {
        const cols = o.columns.map((c) => `${ident(c.name)} ${c.type && !c.type.userDefined ? mapColumnType(c.type).sql : "text"}`);
        await db.exec(`CREATE TABLE ${sch(o.schema)}.${ident(o.name)} (${cols.join(", ")})`);
        continue;
      }
      const ast = o.module?.ast;
      if (!ast || (ast.kind !== "CreateView" && ast.kind !== "CreateFunction")) {
        if (o.kind === "procedure" || o.kind === "function") notCreated.add(o.id);
        continue;
      }
      if (o.dependsOn.some((d) => notCreated.has(d))) {
        // Needs an object that was refused: not a translation failure of its own.
        blocked++;
        notCreated.add(o.id);
        continue;
      }
      const t = ast.kind === "CreateView" ? translateQuery(ast.with ? { kind: "SelectStatement", with: ast.with, query: ast.query, loc: ast.loc, comments: [] } : ast.query, ctx) : translateStatement(ast, ctx);
      if (t.diagnostics.some((d) => d.severity === "error") || !t.sql) {
        refused++;
        notCreated.add(o.id);
        continue;
      }
      const sql = ast.kind === "CreateView" ? `CREATE VIEW ${sch(o.schema)}.${ident(o.name)} AS ${t.sql}` : t.sql;
      try {
        await db.exec(sql);
        created++;
        if (ast.kind === "CreateFunction") {
          // PL/pgSQL checks statements only when they run: call it once with NULL arguments. Data errors
          // are fine; undefined objects or syntax (SQLSTATE class 42) are translation failures.
          try {
            const call = `${rel(o.schema, o.name)}(${ast.params.map(() => "NULL").join(", ")})`;
            await db.rows(ast.returns.kind === "Scalar" ? `SELECT ${call}` : `SELECT * FROM ${call}`);
          } catch (e) {
            const code = (e as { code?: string }).code ?? "";
            if (code.startsWith("42")) throw e;
          }
        }
      } catch (e) {
        notCreated.add(o.id);
        failed.push(`${o.id}: ${e instanceof Error ? e.message : String(e)}\n${sql.slice(0, 600)}`);
      }
    }
  } finally {
    await db.close();
  }
  return { created, refused, blocked, failed };
}

describe.skipIf(!root)("corpus views and functions run on Postgres", () => {
  for (const [name, path] of DBS) {
    it.skipIf(!root || !existsSync(`${root}/${path}`))(name, async () => {
      const catalog = (await inspectPaths([`${root}/${path}`], { skipValidation: true })).catalog;
      const r = await check(catalog);
      console.log(`${name}: ${r.created} created on Postgres, ${r.refused} refused with a diagnostic, ${r.blocked} blocked by a refused dependency, ${r.failed.length} failed`);
      expect(r.failed).toEqual([]);
    }, 120_000);
  }
});

if (!root) {
  describe("corpus views and functions run on Postgres", () => {
    it.skip("DATAMIGRATE_CORPUS is not set: corpus check skipped", () => {});
  });
}
