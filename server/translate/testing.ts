// Test-only: run translated T-SQL on a real database (TEST_DATABASE_URL) or PGlite, in a schema of
// its own that also holds the runtime functions, and read results back as text.
import type { Diagnostic } from "../diagnostics.ts";
import { translateScript } from "./index.ts";
import { openRuntimeDb, type RuntimeDb } from "./runtime/testdb.ts";
import { ident } from "./scope.ts";

export interface ExecDb {
  db: RuntimeDb;
  /** Translates `tsql` (setup statements then one final query), runs it, returns the last statement's rows as text. */
  run(tsql: string): Promise<{ rows: (string | null)[][]; sql: string; diagnostics: Diagnostic[] }>;
  close(): Promise<void>;
}

export async function openExecDb(): Promise<ExecDb> {
  const db = await openRuntimeDb();
  await db.exec(`SET search_path TO ${db.schema}, public`);
  let n = 0;
  return {
    db,
    async run(tsql: string) {
      // Each case gets its own schema for tables so cases do not see each other's objects.
      const caseSchema = `${db.schema}_c${++n}`;
      await db.exec(`CREATE SCHEMA ${caseSchema}; SET search_path TO ${caseSchema}, ${db.schema}, public`);
      const t = translateScript(tsql, { file: "case.sql", runtimeSchema: db.schema, options: { defaultSchema: "dbo" } });
      const stmts = t.statements.filter((s) => s.sql);
      const sqls: string[] = [];
      try {
        for (let i = 0; i < stmts.length - 1; i++) {
          const s = stmts[i]!.sql.replaceAll(/\bdbo\./g, "");
          sqls.push(s);
          for (const part of splitStatements(s)) await db.exec(part);
        }
        const last = stmts[stmts.length - 1];
        if (!last) return { rows: [], sql: "", diagnostics: t.diagnostics };
        const lastSql = last.sql.replaceAll(/\bdbo\./g, "");
        sqls.push(lastSql);
        const parts = splitStatements(lastSql);
        for (const p of parts.slice(0, -1)) await db.exec(p);
        const finalSql = parts[parts.length - 1]!;
        const cols = last.outputColumns?.map((c) => c.name);
        let rows: Record<string, unknown>[];
        if (cols && cols.length && cols.every((c) => c) && /^\s*(SELECT|WITH)\b/i.test(finalSql)) {
          rows = await db.rows(`SELECT ${cols.map((c, i) => `(dm_q.${ident(c)})::text AS c${i}`).join(", ")} FROM (${finalSql}) AS dm_q`);
          return { rows: rows.map((r) => cols.map((_, i) => (r[`c${i}`] === null || r[`c${i}`] === undefined ? null : String(r[`c${i}`])))), sql: sqls.join(";\n"), diagnostics: t.diagnostics };
        }
        rows = await db.rows(finalSql);
        return { rows: rows.map((r) => Object.values(r).map((v) => (v === null || v === undefined ? null : String(v)))), sql: sqls.join(";\n"), diagnostics: t.diagnostics };
      } catch (e) {
        const err = e instanceof Error ? e : new Error(String(e));
        err.message = `${err.message}\n--- translated SQL:\n${sqls.join(";\n")}`;
        throw err;
      } finally {
        await db.exec(`SET search_path TO ${db.schema}, public; DROP SCHEMA ${caseSchema} CASCADE`);
      }
    },
    close: () => db.close(),
  };
}

/** The translator joins the statements of one T-SQL statement (MERGE split) with ";\n". */
function splitStatements(sql: string): string[] {
  return sql.split(/;\n(?=(?:DELETE|UPDATE|MERGE|INSERT|CREATE|WITH|SELECT)\b)/).filter((s) => s.trim());
}
