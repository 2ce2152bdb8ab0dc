// Parses every .sql file of the third-party corpus (never committed; see /work/shared/CORPUS.md).
// Skipped, saying so, when DATAMIGRATE_CORPUS is not set.
import { readFileSync } from "node:fs";
import { relative } from "node:path";
import { describe, expect, it } from "vitest";
import type { Node } from "./ast.ts";
import { decodeSql, includeReader, sqlFiles } from "./corpus-support.ts";
import { parseScript, walk } from "./index.ts";
import { printStatement } from "./print.ts";

/** The tree without locations, comments and spelling-only fields, keys sorted. */
function canonical(x: unknown): string {
  return JSON.stringify(x, function (this: Record<string, unknown>, k: string, v: unknown) {
    if (["loc", "comments", "trailingComments", "keyword", "text"].includes(k)) return undefined;
    if (k === "typeName" && this.kind === "DataType" && this.userDefined === false) return undefined;
    if (v && typeof v === "object" && !Array.isArray(v)) {
      const o: Record<string, unknown> = {};
      for (const key of Object.keys(v).sort()) o[key] = (v as Record<string, unknown>)[key];
      return o;
    }
    return v;
  });
}

const root = process.env.DATAMIGRATE_CORPUS;

interface FolderStats {
  files: number;
  statements: number;
  commands: number;
  errors: number;
  /** Statements whose printed text does not parse back to the same tree. */
  roundTripFailures: number;
}

describe.skipIf(!root)("corpus", () => {
  it("parses every .sql file without an exception and reports what it found", () => {
    const perFolder = new Map<string, FolderStats>();
    const commandKeywords = new Map<string, number>();
    for (const file of sqlFiles(root!)) {
      const rel = relative(root!, file);
      const folder = rel.split(/[\\/]/)[0]!;
      const stats = perFolder.get(folder) ?? { files: 0, statements: 0, commands: 0, errors: 0, roundTripFailures: 0 };
      perFolder.set(folder, stats);
      stats.files++;
      const text = decodeSql(readFileSync(file));
      const r = parseScript(text, {
        file: rel,
        readFile: includeReader(root!),
      });
      for (const b of r.batches) {
        walk(b.statements, (n: Node) => {
          const loc = (n as { loc?: { line: number } }).loc;
          if (loc && !(loc.line >= 1)) throw new Error(`${rel}: ${n.kind} has no location`);
          if ("comments" in n && n.kind !== "ColumnDef" && n.kind !== "Batch") stats.statements++;
          if (n.kind === "Command" && !n.error) {
            stats.commands++;
            commandKeywords.set(n.keyword, (commandKeywords.get(n.keyword) ?? 0) + 1);
          }
        });
        for (const st of b.statements) {
          expect(st.loc.offset).toBeGreaterThanOrEqual(0);
          expect(st.loc.end).toBeLessThanOrEqual(b.text.length);
          if (st.kind === "Command") continue;
          const again = parseScript(printStatement(st), { file: "printed.sql" }).batches[0]?.statements ?? [];
          if (again.length !== 1 || canonical(again[0]) !== canonical(st)) stats.roundTripFailures++;
        }
      }
      stats.errors += r.diagnostics.filter((d) => d.severity === "error").length;
    }
    const table = [...perFolder].map(([folder, s]) => `${folder.padEnd(16)} files ${String(s.files).padStart(4)}  statements ${String(s.statements).padStart(6)}  commands ${String(s.commands).padStart(4)}  errors ${String(s.errors).padStart(4)}  round-trip failures ${s.roundTripFailures}`);
    const top = [...commandKeywords].sort((a, b) => b[1] - a[1]).slice(0, 30).map(([k, n]) => `${k} ${n}`);
    console.log(`corpus ${root}\n${table.join("\n")}\nCommand fallbacks by keyword: ${top.join(", ")}`);
    expect(perFolder.size).toBeGreaterThan(0);
    // Printing loses nothing the parser keeps, on every folder of real code (antlr's conformance set has non-SQL-Server dialect files).
    for (const [folder, s] of perFolder) if (folder !== "antlr") expect(s.roundTripFailures, folder).toBe(0);
  }, 300_000);
});

describe.skipIf(!!root)("corpus (skipped)", () => {
  it("DATAMIGRATE_CORPUS is not set: the corpus test is skipped", () => {
    console.log("DATAMIGRATE_CORPUS is not set; skipping the corpus parse test");
  });
});
