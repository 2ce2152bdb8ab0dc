// Data protection (issue 9 part 8): an organisation's admin exports all of the organisation's
// data, and erases it.
//
// Which tables: every table of the schema with an org_id column is organisation data, found in
// information_schema at run time rather than listed here, so that a table added later is
// exported and erased without anyone remembering this file; plus the LangGraph checkpoints,
// keyed by migration id (thread_id). Exceptions are named below with their reason.
//
// Export never contains credentials: password hashes, API-key hashes, session ids and any
// encrypted secret (dm1:...) anywhere in a row are replaced by "[redacted]"; the anonymisation
// mappings of fine-tuning (originals of masked names) stay on the server by design.
//
// Erasure: scope "data" deletes the organisation's work (migrations with their uploaded sources,
// generated projects, models, events and stored source credentials; training examples and their
// mappings; model-call logs; run checkpoints) and keeps accounts, settings and the model registry.
// Scope "organization" deletes everything, users and the organisation included. Audit entries
// outlive both: on "organization" every person in them is pseudonymised through the database
// function audit_pseudonymise, which blanks the erasable subject (user id, address, e-mail...)
// and leaves the hashed columns untouched, so `audit verify` still passes (see chain.ts).
// With DATABASE_OWNER_URL only the schema's owner may execute audit_pseudonymise: erasures run, as
// one transaction, on the owner's pool (server/db/roles.ts, ownerDbFor); export stays on the
// application's role.
import { randomBytes } from "node:crypto";
import { rm } from "node:fs/promises";
import { sql } from "drizzle-orm";
import { strToU8, zipSync, type Zippable } from "fflate";
import { queryRows, type Db } from "../db/client.ts";
import { iterateAuditLogs, recordAudit } from "../db/queries/audit.ts";
import { ownerDbFor } from "../db/roles.ts";
import { uploadDir } from "../finetune/uploads.ts";
import { isEncryptedSecret } from "./secrets.ts";

/** Never exported: session ids are hashes of live tokens; the mappings hold un-anonymised originals. */
const NOT_EXPORTED = new Set(["sessions", "fine_tuning_mappings", "audit_logs", "audit_anchors"]);
/** Kept by a "data" erasure: accounts, settings, the model registry (not the customer's data). */
const KEPT_BY_DATA_ERASURE = new Set([
  "users",
  "sessions",
  "api_keys",
  "guardian_policies",
  "llm_org_settings",
  "llm_tier_routes",
  "fine_tuning_settings",
  "registered_models",
  "model_uploads",
  "model_evaluations",
]);
/** Never deleted here: the audit log outlives erasure. */
const NEVER_ERASED = new Set(["audit_logs", "audit_anchors", "encryption_keys"]);

const REDACTED = "[redacted]";
const SECRET_COLUMN = /(^|_)(password|secret|token|credential|encrypted)s?(_|$)|_hash$/;
const KEEP_COLUMN = new Set(["content_hash", "sha256"]);

interface TableInfo {
  schema: string;
  name: string;
  columns: string[];
  /** How rows of the organisation are found: by org_id, or by thread_id = a migration id. */
  key: "org_id" | "thread_id";
}

async function organisationTables(db: Db): Promise<TableInfo[]> {
  const rows = await queryRows<{ table_schema: string; table_name: string; column_name: string }>(
    db,
    sql`select c.table_schema, c.table_name, c.column_name
        from information_schema.columns c
        join information_schema.tables t on t.table_schema = c.table_schema and t.table_name = c.table_name and t.table_type = 'BASE TABLE'
        where c.table_schema in (current_schema(), 'langgraph')
        order by c.table_schema, c.table_name, c.ordinal_position`,
  );
  const byTable = new Map<string, { schema: string; name: string; columns: string[] }>();
  for (const r of rows) {
    const k = `${r.table_schema}.${r.table_name}`;
    const t = byTable.get(k) ?? { schema: r.table_schema, name: r.table_name, columns: [] };
    t.columns.push(r.column_name);
    byTable.set(k, t);
  }
  const out: TableInfo[] = [];
  for (const t of byTable.values()) {
    if (t.columns.includes("org_id")) out.push({ ...t, key: "org_id" });
    else if (t.columns.includes("thread_id")) out.push({ ...t, key: "thread_id" });
  }
  return out;
}

const ident = (s: string) => `"${s.replace(/"/g, '""')}"`;

function whereOrg(t: TableInfo, orgId: string) {
  const table = sql.raw(`${ident(t.schema)}.${ident(t.name)}`);
  return t.key === "org_id"
    ? sql`from ${table} where org_id = ${orgId}::uuid`
    : sql`from ${table} where thread_id in (select id::text from migrations where org_id = ${orgId}::uuid)`;
}

/** Removes credentials from a row: secret-looking columns and dm1: ciphertexts at any depth. */
export function redactRow(row: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(row)) out[k] = SECRET_COLUMN.test(k) && !KEEP_COLUMN.has(k) && v !== null ? REDACTED : redactValue(v);
  return out;
}

function redactValue(v: unknown): unknown {
  if (isEncryptedSecret(v)) return REDACTED;
  if (v instanceof Date) return v.toISOString();
  if (v instanceof Uint8Array) return { base64: Buffer.from(v).toString("base64") };
  if (Array.isArray(v)) return v.map(redactValue);
  if (v && typeof v === "object") {
    const o: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) o[k] = /password|secret/i.test(k) && typeof x === "string" ? REDACTED : redactValue(x);
    return o;
  }
  return v;
}

export interface OrganizationExport {
  format: "datamigrate-organization-export";
  version: 1;
  exportedAt: string;
  organization: Record<string, unknown>;
  /** Table name → rows (org-scoped tables, credentials redacted). */
  tables: Record<string, Record<string, unknown>[]>;
  /** The organisation's audit log, oldest first, with its personal fields. */
  audit: Record<string, unknown>[];
}

export async function exportOrganizationData(db: Db, orgId: string, now: Date): Promise<OrganizationExport> {
  const [org] = await queryRows<Record<string, unknown>>(db, sql`select * from organizations where id = ${orgId}::uuid`);
  if (!org) throw new Error(`no organisation ${orgId}`);
  const tables: Record<string, Record<string, unknown>[]> = {};
  for (const t of await organisationTables(db)) {
    if (NOT_EXPORTED.has(t.name)) continue;
    const rows = await queryRows<Record<string, unknown>>(db, sql`select * ${whereOrg(t, orgId)}`);
    const name = t.schema === "langgraph" ? `langgraph.${t.name}` : t.name;
    tables[name] = rows.map(redactRow);
  }
  const audit: Record<string, unknown>[] = [];
  for await (const a of iterateAuditLogs(db, orgId, {})) {
    audit.push({
      id: a.id,
      seq: a.seq,
      createdAt: a.createdAt.toISOString(),
      eventType: a.eventType,
      details: a.details,
      userId: a.userId,
      ip: a.ip,
      personal: a.personal,
      pseudonym: a.pseudonym,
      prevHash: a.prevHash,
      hash: a.hash,
    });
  }
  return {
    format: "datamigrate-organization-export",
    version: 1,
    exportedAt: now.toISOString(),
    organization: redactRow(org),
    tables,
    audit,
  };
}

const safeName = (s: string) => s.replace(/[^A-Za-z0-9._-]+/g, "_").replace(/^\.+/, "_").slice(0, 120) || "_";

/**
 * The export as a zip: export.json (everything, sources as base64), plus the uploaded sources
 * and generated dbt projects as files, for people who want to open them.
 */
export function exportToZip(data: OrganizationExport): Uint8Array {
  const tree: Zippable = { "export.json": strToU8(JSON.stringify(data, null, 2)) };
  const sources: Zippable = {};
  for (const s of data.tables.migration_sources ?? []) {
    const content = (s.content as { base64?: string } | undefined)?.base64;
    if (!content) continue;
    const dir = ((sources[safeName(String(s.migration_id))] ??= {}) as Zippable);
    dir[`${safeName(String(s.id)).slice(0, 8)}-${safeName(String(s.filename))}`] = Buffer.from(content, "base64");
  }
  if (Object.keys(sources).length) tree.sources = sources;
  const projects: Zippable = {};
  for (const f of data.tables.migration_files ?? []) {
    const base = `${safeName(String(f.migration_id))}/`;
    const rel = String(f.path).split("/").filter((p) => p && p !== "." && p !== "..").map(safeName).join("/");
    projects[base + rel] = strToU8(String(f.content));
  }
  if (Object.keys(projects).length) tree.projects = projects;
  return zipSync(tree, { level: 6 });
}

export type ErasureScope = "data" | "organization";

export interface ErasureResult {
  scope: ErasureScope;
  /** Rows deleted per table (cascades included in their parent's table only). */
  deleted: Record<string, number>;
  pseudonymisedAuditRows: number;
}

/**
 * Erases the organisation's data (see the top of this file). One transaction: all or nothing.
 * Tables are deleted parents first where foreign keys allow; a table whose rows are still
 * referenced is retried after the others.
 */
export async function eraseOrganizationData(
  db: Db,
  input: { orgId: string; actorUserId: string | null; scope: ErasureScope; now: Date; ip?: string | null; dataDir?: string },
): Promise<ErasureResult> {
  const { orgId, scope } = input;
  const result = await ownerDbFor(db).transaction(async (tx) => {
    const t = tx as unknown as Db;
    const tables = (await organisationTables(t)).filter(
      (x) => !NEVER_ERASED.has(x.name) && (scope === "organization" || !KEPT_BY_DATA_ERASURE.has(x.name)),
    );
    const deleted: Record<string, number> = {};
    // Checkpoints are found through the migrations: they go before them. Migrations next, so
    // that their cascades clear most of the rest.
    const order = (x: TableInfo) => (x.key === "thread_id" ? 0 : x.name === "migrations" ? 1 : x.name === "users" ? 3 : 2);
    let pending = [...tables].sort((a, b) => order(a) - order(b) || a.name.localeCompare(b.name));
    for (let round = 0; pending.length && round < 5; round++) {
      const retry: TableInfo[] = [];
      for (const table of pending) {
        try {
          const n = await t.transaction(async (sp) => {
            const rows = await queryRows<{ n: number }>(
              sp as unknown as Db,
              sql`with gone as (delete ${whereOrg(table, orgId)} returning 1) select count(*)::int as n from gone`,
            );
            return rows[0]?.n ?? 0;
          });
          const name = table.schema === "langgraph" ? `langgraph.${table.name}` : table.name;
          deleted[name] = (deleted[name] ?? 0) + n;
        } catch (err) {
          if (round === 4) throw err;
          retry.push(table);
        }
      }
      pending = retry;
    }
    await recordAudit(t, {
      orgId,
      userId: input.actorUserId,
      eventType: "data.erased",
      details: { scope, deleted },
      ip: input.ip ?? null,
      at: input.now,
    });
    let pseudonymised = 0;
    if (scope === "organization") {
      pseudonymised = await pseudonymiseOrganization(t, orgId);
      await t.execute(sql`delete from organizations where id = ${orgId}::uuid`);
      deleted.organizations = 1;
    }
    return { scope, deleted, pseudonymisedAuditRows: pseudonymised };
  });
  // Uploaded model files (fine-tuned weights) live under DATA_DIR, not in the database: they go
  // with the organisation, after the transaction committed.
  if (scope === "organization" && input.dataDir) await rm(uploadDir(input.dataDir, orgId), { recursive: true, force: true });
  return result;
}

const pseudonym = () => `erased-${randomBytes(6).toString("hex")}`;

/** Blanks every person in the organisation's audit log: one stable pseudonym per user. */
async function pseudonymiseOrganization(db: Db, orgId: string): Promise<number> {
  const users = await queryRows<{ user_id: string }>(
    db,
    sql`select distinct user_id from audit_logs where org_id = ${orgId}::uuid and user_id is not null`,
  );
  let n = 0;
  for (const u of users) n += await pseudonymiseUser(db, orgId, u.user_id);
  const [rest] = await queryRows<{ n: number }>(db, sql`select audit_pseudonymise(${orgId}::uuid, null, 'erased') as n`);
  return n + Number(rest?.n ?? 0);
}

/** Blanks one user's subject in the organisation's audit log; returns the rows changed. */
export async function pseudonymiseUser(db: Db, orgId: string, userId: string): Promise<number> {
  const [r] = await queryRows<{ n: number }>(db, sql`select audit_pseudonymise(${orgId}::uuid, ${userId}::uuid, ${pseudonym()}) as n`);
  return Number(r?.n ?? 0);
}

/**
 * Erases one member: their audit entries are pseudonymised, the account deleted (sessions and API
 * keys go with it; their migrations stay with the organisation, without an owner).
 */
export async function eraseUser(db: Db, input: { orgId: string; userId: string; actorUserId: string; now: Date; ip?: string | null }): Promise<{ pseudonymisedAuditRows: number } | undefined> {
  return ownerDbFor(db).transaction(async (tx) => {
    const t = tx as unknown as Db;
    const [user] = await queryRows<{ id: string }>(t, sql`select id from users where id = ${input.userId}::uuid and org_id = ${input.orgId}::uuid`);
    if (!user) return undefined;
    const n = await pseudonymiseUser(t, input.orgId, input.userId);
    await t.execute(sql`delete from users where id = ${input.userId}::uuid and org_id = ${input.orgId}::uuid`);
    await recordAudit(t, {
      orgId: input.orgId,
      userId: input.actorUserId,
      eventType: "member.removed",
      details: { erased: true, pseudonymisedAuditRows: n },
      ip: input.ip ?? null,
      at: input.now,
    });
    return { pseudonymisedAuditRows: n };
  });
}
