// datamigrate inspect <path...> [--json] [--var name=value]
import { formatDiagnostic } from "../diagnostics.ts";
import { KIND_ORDER } from "../catalog/build.ts";
import { inspectPaths } from "../catalog/inspect.ts";
import type { Command } from "./types.ts";

const help = `Usage: datamigrate inspect <path...> [--json] [--var name=value]

Reads SQL Server sources and lists what they define.
  <path>            a .sql file, a folder (an SSDT project or any tree of .sql files), a .zip of
                    either, a .sqlproj, a .dacpac, or a live server as
                    mssql://user:password@host:port/database or "Server=...;Database=...;..."
  --json            print {"objects":[...],"diagnostics":[...]} instead of the text summary
  --var name=value  a SQLCMD variable for $(name) (repeatable; wins over :setvar and the project's)
  --collation name  default collation when no source states one (default SQL_Latin1_General_CP1_CI_AS)

Exits non-zero only when nothing at all could be read.`;

export interface InspectArgs {
  paths: string[];
  json: boolean;
  vars: Record<string, string>;
  collation?: string;
}

export function parseInspectArgs(args: string[]): InspectArgs | string {
  const out: InspectArgs = { paths: [], json: false, vars: {} };
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === "--json") out.json = true;
    else if (a === "--var" || a.startsWith("--var=")) {
      const v = a === "--var" ? args[++i] : a.slice("--var=".length);
      const m = v?.match(/^([^=]+)=(.*)$/s);
      if (!m) return `--var expects name=value, got '${v ?? ""}'`;
      out.vars[m[1]!] = m[2]!;
    } else if (a === "--collation" || a.startsWith("--collation=")) {
      const v = a === "--collation" ? args[++i] : a.slice("--collation=".length);
      if (!v) return "--collation expects a collation name";
      out.collation = v;
    } else if (a.startsWith("--")) return `unknown option '${a}'`;
    else out.paths.push(a);
  }
  if (out.paths.length === 0) return "give at least one path";
  return out;
}

export const inspect: Command = {
  name: "inspect",
  summary: "read scripts, SSDT projects, dacpacs or a live server and list the objects found",
  help,
  async run(args) {
    const parsed = parseInspectArgs(args);
    if (typeof parsed === "string") {
      process.stderr.write(`datamigrate inspect: ${parsed}\n\n${help}\n`);
      return 2;
    }
    const r = await inspectPaths(parsed.paths, {
      vars: parsed.vars,
      ...(parsed.collation ? { defaultCollation: parsed.collation } : {}),
      skipValidation: false,
    });
    if (parsed.json) {
      process.stdout.write(JSON.stringify(r.json, null, 2) + "\n");
    } else {
      const lines: string[] = [];
      const kinds = [...KIND_ORDER].filter((k) => r.counts[k]);
      const width = Math.max(...kinds.map((k) => k.length), 6);
      lines.push(`${r.catalog.inputs.files} script file(s), ${r.catalog.inputs.fragments} dacpac/server model(s) read`);
      for (const k of kinds) lines.push(`  ${k.padEnd(width)} ${String(r.counts[k]).padStart(6)}`);
      if (kinds.length === 0) lines.push("  no objects found");
      if (r.catalog.unresolved.length) {
        const byReason: Record<string, number> = {};
        for (const u of r.catalog.unresolved) byReason[u.reason] = (byReason[u.reason] ?? 0) + 1;
        lines.push(`unresolved references: ${Object.entries(byReason).map(([k, n]) => `${n} ${k.replace(/_/g, " ")}`).join(", ")}`);
      }
      const bySeverity: Record<string, number> = {};
      for (const d of r.catalog.diagnostics) bySeverity[d.severity] = (bySeverity[d.severity] ?? 0) + 1;
      const summary = Object.entries(bySeverity).map(([s, n]) => `${n} ${s}`).join(", ");
      lines.push(`${r.catalog.diagnostics.length} diagnostic(s)${summary ? ` (${summary})` : ""}`);
      for (const d of r.catalog.diagnostics) lines.push(formatDiagnostic(d));
      process.stdout.write(lines.join("\n") + "\n");
    }
    return r.readable ? 0 : 1;
  },
};
