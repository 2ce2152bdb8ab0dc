// datamigrate translate --to postgres|sqlserver [--schema FILE]...  (T-SQL on stdin → SQL on stdout)
import { readFile } from "node:fs/promises";
import { buildCatalog } from "../catalog/build.ts";
import type { Catalog } from "../catalog/model.ts";
import type { SourceSet } from "../sources/types.ts";
import { formatDiagnostic } from "../diagnostics.ts";
import { translateScript, type Target } from "../translate/index.ts";
import { installSql } from "../translate/runtime/index.ts";
import type { Command } from "./types.ts";

const help = `Usage: datamigrate translate [--to postgres|sqlserver] [--schema FILE]... [--runtime] [--datefirst N]

Reads T-SQL batches (queries, DML, DDL, GO-separated) on stdin and writes the translation on stdout.
  --to postgres     (default) SQL for Postgres 15+ that keeps SQL Server's semantics
  --to sqlserver    the T-SQL statements as written (pass-through)
  --schema FILE     T-SQL defining the source objects (tables, views, functions); their column types
                    and collations drive the translation. Repeatable. Without it, CREATE TABLE
                    statements in the input itself are the schema.
  --runtime         also print the CREATE FUNCTION statements of the runtime functions used (schema tsql)
  --datefirst N     SET DATEFIRST in force (default 7)

Exit 0: everything was translated exactly (functional differences and notes go to stderr).
Exit 3: something could not be translated exactly; the diagnostics on stderr say what and where.`;

interface TranslateArgs {
  to: Target;
  schemas: string[];
  runtime: boolean;
  datefirst?: number;
}

export function parseTranslateArgs(args: string[]): TranslateArgs | string {
  const out: TranslateArgs = { to: "postgres", schemas: [], runtime: false };
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    const value = (flag: string): string | undefined => (a === flag ? args[++i] : a.startsWith(`${flag}=`) ? a.slice(flag.length + 1) : undefined);
    if (a === "--to" || a.startsWith("--to=")) {
      const v = value("--to");
      if (v !== "postgres" && v !== "sqlserver") return `--to expects postgres or sqlserver, got '${v ?? ""}'`;
      out.to = v;
    } else if (a === "--schema" || a.startsWith("--schema=")) {
      const v = value("--schema");
      if (!v) return "--schema expects a file";
      out.schemas.push(v);
    } else if (a === "--datefirst" || a.startsWith("--datefirst=")) {
      const v = Number(value("--datefirst"));
      if (!Number.isInteger(v) || v < 1 || v > 7) return "--datefirst expects 1..7";
      out.datefirst = v;
    } else if (a === "--runtime") out.runtime = true;
    else return `unknown argument '${a}'`;
  }
  return out;
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

export async function runTranslate(parsed: TranslateArgs, input: string, out: (s: string) => void, err: (s: string) => void): Promise<number> {
  let catalog: Catalog | undefined;
  if (parsed.schemas.length) {
    const files: SourceSet["files"] = [];
    for (const f of parsed.schemas) files.push({ path: f, text: (await readFile(f, "utf8")).replace(/\r\n?/g, "\n"), encoding: "utf-8", origin: { kind: "file" } });
    catalog = buildCatalog({ files, fragments: [], projects: [], diagnostics: [] }, { skipValidation: true });
    for (const d of catalog.diagnostics) if (d.severity === "error") err(`${formatDiagnostic(d)}\n`);
  }
  const r = translateScript(input, {
    file: "<stdin>",
    target: parsed.to,
    ...(catalog ? { catalog } : {}),
    ...(parsed.datefirst ? { options: { datefirst: parsed.datefirst } } : {}),
  });
  if (parsed.runtime && r.runtimeFunctions.length) out(installSql(r.runtimeFunctions));
  out(r.sql + (r.sql.endsWith("\n") || !r.sql ? "" : "\n"));
  let exact = true;
  for (const d of r.diagnostics) {
    err(`${formatDiagnostic(d)}\n`);
    if (d.severity === "error") exact = false;
  }
  return exact ? 0 : 3;
}

export const translate: Command = {
  name: "translate",
  summary: "translate T-SQL on stdin to Postgres (or keep it for SQL Server) on stdout",
  help,
  async run(args) {
    const parsed = parseTranslateArgs(args);
    if (typeof parsed === "string") {
      process.stderr.write(`datamigrate translate: ${parsed}\n\n${help}\n`);
      return 2;
    }
    const input = await readStdin();
    return runTranslate(parsed, input, (s) => process.stdout.write(s), (s) => process.stderr.write(s));
  },
};
