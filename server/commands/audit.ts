// datamigrate audit verify|prune: checks the audit hash chains; applies retention by hand.
import { loadConfig } from "../config.ts";
import type { Command } from "./types.ts";

const help = `Usage: datamigrate audit verify [--org ID] [--database-url URL] [--head SEQ:HASH | --heads FILE] [--json]
       datamigrate audit prune [--days N] [--database-url URL]

verify  recomputes every organisation's audit hash chain (or one with --org; --org none is the
        chain of events without an organisation) and reports OK, or the first broken link:
        an edited row, a deleted row (a gap in seq) or a replaced/reordered one, with its id and seq;
        rows removed from the end show against the head the database keeps per chain
        (audit_chain_heads). Every OK line prints the chain's head: keep it outside the database
        (someone able to rewrite the database could rewrite that head too) and pass it back:
        --head SEQ:HASH  one chain's head printed by an earlier verify (with --org)
        --heads FILE     the output of an earlier \`verify --json\`: every chain in it must still reach its head
        Exit code 0 when every chain verifies, 1 when one does not, 2 on bad arguments.
prune   removes audit events older than N days (default DATAMIGRATE_AUDIT_RETENTION_DAYS or 365,
        at least 30) through the database's audit_prune(); the server does this daily on its own.

The database is --database-url, else DATABASE_URL, else the embedded one in DATA_DIR (the
server must not be running on it then: the embedded database is single-process). prune without
--database-url uses DATABASE_OWNER_URL when set: only the schema's owner may prune.`;

interface AuditArgs {
  action: "verify" | "prune";
  orgId?: string | null;
  databaseUrl?: string;
  head?: { seq: number; hash: string };
  headsFile?: string;
  json: boolean;
  days?: number;
}

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function parseAuditArgs(args: string[]): AuditArgs | string {
  const [action, ...rest] = args;
  if (action !== "verify" && action !== "prune") return `expected 'verify' or 'prune', got '${action ?? ""}'`;
  const out: AuditArgs = { action, json: false };
  for (let i = 0; i < rest.length; i++) {
    const a = rest[i]!;
    const m = /^(--[a-z-]+)(?:=(.*))?$/s.exec(a);
    if (!m) return `unexpected argument '${a}'`;
    const name = m[1]!;
    if (name === "--json") {
      out.json = true;
      continue;
    }
    const value = m[2] ?? rest[++i];
    if (value === undefined) return `${name} expects a value`;
    if (name === "--org" && action === "verify") {
      if (value === "none") out.orgId = null;
      else if (UUID_RE.test(value)) out.orgId = value.toLowerCase();
      else return `--org expects an organisation id (a UUID) or 'none', got '${value}'`;
    } else if (name === "--database-url") {
      if (!/^postgres(ql)?:\/\//.test(value)) return "--database-url expects postgres://user:password@host:port/database";
      out.databaseUrl = value;
    } else if (name === "--head" && action === "verify") {
      const h = /^(\d{1,15}):([0-9a-f]{64})$/.exec(value);
      if (!h) return "--head expects SEQ:HASH as printed by verify";
      out.head = { seq: Number(h[1]), hash: h[2]! };
    } else if (name === "--heads" && action === "verify") {
      out.headsFile = value;
    } else if (name === "--days" && action === "prune") {
      if (!/^\d{1,6}$/.test(value) || Number(value) < 30) return "--days expects a whole number of at least 30";
      out.days = Number(value);
    } else return `unknown option '${name}'`;
  }
  if (out.head && out.orgId === undefined) return "--head needs --org (a head belongs to one chain)";
  if (out.head && out.headsFile) return "--head and --heads exclude each other";
  return out;
}

export const audit: Command = {
  name: "audit",
  summary: "verify the tamper-evident audit log (hash chains), or apply retention",
  help,
  async run(args) {
    if (args.includes("-h") || args.includes("--help")) {
      process.stdout.write(`${help}\n`);
      return 0;
    }
    const parsed = parseAuditArgs(args);
    if (typeof parsed === "string") {
      process.stderr.write(`datamigrate audit: ${parsed}\n\n${help}\n`);
      return 2;
    }
    let expectHeads: Map<string, { seq: number; hash: string }> | undefined;
    if (parsed.headsFile) {
      const { headsFromReport } = await import("../guardian/audit/verify.ts");
      let text: string;
      try {
        text = (await import("node:fs")).readFileSync(parsed.headsFile, "utf8");
      } catch (e) {
        process.stderr.write(`datamigrate audit: --heads ${parsed.headsFile}: ${(e as Error).message}\n`);
        return 2;
      }
      const heads = headsFromReport(text);
      if (!(heads instanceof Map)) {
        process.stderr.write(`datamigrate audit: ${parsed.headsFile}:${heads.line}: ${heads.message}\n`);
        return 2;
      }
      expectHeads = heads;
    }
    const config = loadConfig(parsed.databaseUrl ? { ...process.env, DATABASE_URL: parsed.databaseUrl } : process.env);
    const { databaseLocation, openDatabase } = await import("../db/client.ts");
    // Pruning is the schema owner's (audit_prune is not executable by the application's role when
    // DATABASE_OWNER_URL splits the roles, server/db/roles.ts); verifying needs only SELECT.
    const handle = await openDatabase(
      parsed.action === "prune" && config.databaseOwnerUrl && !parsed.databaseUrl ? { kind: "postgres", url: config.databaseOwnerUrl } : databaseLocation(config),
    );
    try {
      if (parsed.action === "prune") {
        const { retentionSettings, runRetention } = await import("../guardian/audit/retention.ts");
        const settings = { ...retentionSettings(), ...(parsed.days ? { days: parsed.days } : {}) };
        const results = await runRetention(handle.db, settings, new Date());
        const removed = results.reduce((s, r) => s + r.removed, 0);
        process.stdout.write(`removed ${removed} audit event(s) older than ${settings.days} days from ${results.filter((r) => r.removed).length} chain(s)\n`);
        return 0;
      }
      const { verifyAuditLog, verifyChain } = await import("../guardian/audit/verify.ts");
      const report =
        parsed.head && parsed.orgId !== undefined
          ? await verifyChain(handle.db, parsed.orgId, { expectHead: parsed.head }).then((c) => ({ ok: c.ok, chains: [c] }))
          : await verifyAuditLog(handle.db, {
              ...(parsed.orgId === undefined ? {} : { orgId: parsed.orgId }),
              ...(expectHeads ? { expectHeads } : {}),
            });
      if (parsed.json) {
        process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
      } else {
        const lines: string[] = [];
        for (const c of report.chains) {
          const org = c.orgId ?? "(no organisation)";
          const extra = [
            c.start.anchored ? `from retention anchor seq ${c.start.seq}` : "",
            c.pseudonymisedRows ? `${c.pseudonymisedRows} pseudonymised` : "",
            c.legacyRows ? `${c.legacyRows} unchained legacy row(s)` : "",
          ].filter(Boolean);
          if (c.ok) lines.push(`OK      ${org}  ${c.rows} row(s), head ${c.head.seq}:${c.head.hash}${extra.length ? ` (${extra.join(", ")})` : ""}`);
          else {
            lines.push(`BROKEN  ${org}  ${c.problem!.code} ${c.problem!.kind} at seq ${c.problem!.seq}${c.problem!.id ? ` (row ${c.problem!.id})` : ""}: ${c.problem!.message}`);
            if (c.headAnchor) lines.push(`        head anchor in the database: ${c.headAnchor.seq}:${c.headAnchor.hash}`);
          }
        }
        if (report.chains.length === 0) lines.push("no audit events");
        lines.push(report.ok ? "audit log verifies" : "audit log does NOT verify");
        process.stdout.write(`${lines.join("\n")}\n`);
      }
      return report.ok ? 0 : 1;
    } finally {
      await handle.close();
    }
  },
};
