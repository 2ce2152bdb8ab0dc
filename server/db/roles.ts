// Two database roles (issue 9): the schema's OWNER and the APPLICATION's role.
//
// The audit log's guards are triggers (migrations/0003, 0008). Whoever owns audit_logs can
// `ALTER TABLE audit_logs DISABLE TRIGGER ALL` and rewrite rows and chain heads together,
// consistently; so an attacker who gets SQL through the application gets that too when the
// application connects as the owner. With DATABASE_OWNER_URL set, the database itself enforces
// the rule instead:
//   - migrations, the job queue's schema (pg-boss) and the checkpointer's (langgraph) are created
//     on the owner's connection at start, and then the owner grants DATABASE_URL's role exactly
//     what the application does with them (grantApplicationRole below);
//   - audit_logs: SELECT and INSERT only. audit_anchors and audit_chain_heads: SELECT only (the
//     heads are moved by the SECURITY DEFINER trigger audit_chain_advance, which runs as the owner;
//     anchors are written by audit_prune). encryption_keys: SELECT and INSERT. No TRUNCATE, TRIGGER
//     or REFERENCES anywhere; ALTER TABLE needs ownership.
//   - audit_prune() and audit_pseudonymise() (SECURITY DEFINER) are the owner's alone: audit
//     retention and erasure run on a small pool of owner connections (ownerDbFor), used for those
//     operations only.
// Without DATABASE_OWNER_URL everything runs on one role as before, and start-up warns when that
// role owns audit_logs (warnIfApplicationOwnsAuditLog).
import { sql } from "drizzle-orm";
import type { Logger } from "../log.ts";
import { openDatabase, queryRows, type DatabaseHandle, type Db } from "./client.ts";

/** Schemas that libraries create for themselves (pg-boss, PostgresSaver), granted like ours. */
export const LIBRARY_SCHEMAS = ["pgboss", "langgraph"] as const;

/** Connections of the owner's pool: migrations take two at once (lock + migrator), retention and erasure one each. */
const OWNER_POOL_SIZE = 3;

export async function openOwnerDatabase(url: string): Promise<DatabaseHandle> {
  return openDatabase({ kind: "postgres", url, max: OWNER_POOL_SIZE, applicationName: "datamigrate-owner" });
}

// The owner's Db for an application Db. A WeakMap rather than a parameter threaded through every
// caller of retention and erasure (HTTP handlers, the scheduler, the CLI): those keep passing the
// application's Db and the functions that need the owner look it up here.
const ownerDbs = new WeakMap<object, Db>();

export function registerOwnerDb(appDb: Db, ownerDb: Db): void {
  ownerDbs.set(appDb, ownerDb);
}

export function unregisterOwnerDb(appDb: Db): void {
  ownerDbs.delete(appDb);
}

/** The Db that runs owner-only work (audit retention, erasure) for `db`: its owner pool, else `db` itself. */
export function ownerDbFor(db: Db): Db {
  return ownerDbs.get(db) ?? db;
}

const ident = (s: string) => `"${s.replace(/"/g, '""')}"`;

/** Whether the connection's role owns audit_logs, or is a member of its owner (superusers are members of every role). */
export async function roleControlsAuditLog(db: Db): Promise<{ role: string; owner: string; controls: boolean } | undefined> {
  const [r] = await queryRows<{ role: string; owner: string; controls: boolean }>(
    db,
    sql`select current_user::text as role, pg_get_userbyid(c.relowner)::text as owner, pg_has_role(current_user, c.relowner, 'MEMBER') as controls
        from pg_class c where c.oid = to_regclass('audit_logs')`,
  );
  return r;
}

/** One-role install on Postgres: say once what the application's role could do, and how to split. */
export async function warnIfApplicationOwnsAuditLog(database: DatabaseHandle, logger: Logger): Promise<void> {
  if (database.kind !== "postgres") return;
  const r = await roleControlsAuditLog(database.db);
  if (!r?.controls) return;
  logger.warn(
    { role: r.role, owner: r.owner },
    `the database role '${r.role}' of DATABASE_URL owns audit_logs (or is a superuser or a member of its owner '${r.owner}'): ` +
      "anyone who gets SQL through the application could run ALTER TABLE audit_logs DISABLE TRIGGER ALL and rewrite or delete " +
      "audit rows together with their chain heads, leaving a log that still verifies. Run the application as a role that does " +
      "not own the schema: DATABASE_OWNER_URL = the owner (migrations, grants, retention, erasure), DATABASE_URL = a login role " +
      "without ownership (INSTALL.md, \"Database roles\")",
  );
}

export class RoleSplitError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "RoleSplitError";
  }
}

/**
 * With DATABASE_OWNER_URL: checks that the two connections are one database and two roles, and
 * that the application's role cannot act as the owner (not the owner, not a member of it, not a
 * superuser); otherwise the split would be only apparent, and start-up stops saying so.
 * Returns the application's role name.
 */
export async function checkRoleSplit(app: Db, owner: Db): Promise<string> {
  const [a] = await queryRows<{ role: string; db: string }>(app, sql`select current_user::text as role, current_database()::text as db`);
  const [o] = await queryRows<{ role: string; db: string }>(owner, sql`select current_user::text as role, current_database()::text as db`);
  if (!a || !o) throw new RoleSplitError("could not read the roles of DATABASE_URL and DATABASE_OWNER_URL");
  if (a.db !== o.db) {
    throw new RoleSplitError(`DATABASE_URL (database '${a.db}') and DATABASE_OWNER_URL (database '${o.db}') must name the same database`);
  }
  if (a.role === o.role) {
    throw new RoleSplitError(`DATABASE_URL and DATABASE_OWNER_URL both log in as '${a.role}': the application needs a role of its own that does not own the schema`);
  }
  const [m] = await queryRows<{ member: boolean; superuser: boolean }>(
    owner,
    sql`select pg_has_role(${a.role}, current_user, 'MEMBER') as member, (select rolsuper from pg_roles where rolname = ${a.role}) as superuser`,
  );
  if (m?.member || m?.superuser) {
    throw new RoleSplitError(
      `DATABASE_URL's role '${a.role}' is ${m.superuser ? "a superuser" : `a member of the owner '${o.role}'`}: it could still disable the audit log's guards. ` +
        "Give the application a plain login role (NOSUPERUSER, not granted the owner's role)",
    );
  }
  return a.role;
}

/**
 * The owner grants the application's role what the application does, and nothing more (see the
 * top of this file). Idempotent, run at every start after migrations, so tables added by a later
 * migration are covered; earlier grants are revoked first, so the exceptions below hold whatever
 * was granted before.
 */
export async function grantApplicationRole(owner: Db, appRole: string): Promise<void> {
  const app = ident(appRole);
  await owner.transaction(async (tx) => {
    const t = tx as unknown as Db;
    // Concurrent GRANTs on one object fail ("tuple concurrently updated"): servers starting together take turns.
    await t.execute(sql`select pg_advisory_xact_lock(hashtext('datamigrate:grants'))`);
    const [s] = await queryRows<{ schema: string }>(t, sql`select current_schema()::text as schema`);
    if (!s?.schema) throw new RoleSplitError("the owner's connection has no current schema (search_path)");
    const main = ident(s.schema);
    const run = (text: string) => t.execute(sql.raw(text));
    await run(`grant usage on schema ${main} to ${app}`);
    await run(`revoke all on all tables in schema ${main} from ${app}`);
    await run(`grant select, insert, update, delete on all tables in schema ${main} to ${app}`);
    await run(`revoke insert, update, delete on audit_anchors, audit_chain_heads from ${app}`);
    await run(`revoke update, delete on audit_logs, encryption_keys from ${app}`);
    await run(`revoke all on all sequences in schema ${main} from ${app}`);
    await run(`grant usage, select on all sequences in schema ${main} to ${app}`);
    // Functions are executable by PUBLIC unless revoked: these two are the owner's only.
    await run(`revoke execute on function audit_prune(uuid, timestamptz), audit_pseudonymise(uuid, uuid, text) from public, ${app}`);
    // Before Postgres 15, PUBLIC may CREATE in schema public: the app role could then add functions
    // where the owner-run audit functions resolve names. Taken away (needs the schema's owner or a superuser).
    const canCreate = async () =>
      (await queryRows<{ ok: boolean }>(t, sql`select has_schema_privilege(${appRole}, current_schema(), 'CREATE') as ok`))[0]?.ok === true;
    if (await canCreate()) {
      try {
        await t.transaction(async (sp) => {
          await (sp as unknown as Db).execute(sql.raw(`revoke create on schema ${main} from public, ${app}`));
        });
      } catch {
        // not the schema's owner: said below
      }
      if (await canCreate())
        throw new RoleSplitError(
          `the application's role "${appRole}" may create objects in schema ${s.schema} (CREATE granted to it or to PUBLIC), and the owner's role could not revoke it: as the schema's owner run REVOKE CREATE ON SCHEMA ${main} FROM PUBLIC, ${app}`,
        );
    }
    const present = await queryRows<{ nspname: string }>(t, sql`select nspname::text as nspname from pg_namespace where nspname in ('pgboss', 'langgraph')`);
    for (const { nspname } of present) {
      const sch = ident(nspname);
      await run(`grant usage on schema ${sch} to ${app}`);
      await run(`grant select, insert, update, delete on all tables in schema ${sch} to ${app}`);
      await run(`grant usage, select on all sequences in schema ${sch} to ${app}`);
    }
  });
}

/** PostgresSaver's tables (schema langgraph), created by the owner: the application's role may not create schemas. */
export async function setUpCheckpointSchema(ownerUrl: string): Promise<void> {
  const { PostgresSaver } = await import("@langchain/langgraph-checkpoint-postgres");
  const saver = PostgresSaver.fromConnString(ownerUrl, { schema: "langgraph" });
  try {
    await saver.setup();
  } finally {
    await saver.end();
  }
}

/**
 * Start-up with DATABASE_OWNER_URL, after migrations ran on the owner: checks the split, creates
 * the library schemas on the owner (`setUpJobQueue` installs pg-boss's schema and queue on the
 * owner's handle; the caller passes it so that this layer does not depend on the job queue),
 * grants the application's role, and registers the owner pool for retention and erasure.
 */
export async function prepareApplicationRole(options: {
  database: DatabaseHandle;
  owner: DatabaseHandle;
  ownerUrl: string;
  logger: Logger;
  setUpJobQueue(owner: DatabaseHandle): Promise<void>;
}): Promise<void> {
  const { database, owner, logger } = options;
  const appRole = await checkRoleSplit(database.db, owner.db);
  await options.setUpJobQueue(owner);
  // PostgresSaver.setup() is CREATE ... IF NOT EXISTS, which races between processes starting together.
  if (owner.raw.kind !== "postgres") throw new RoleSplitError("DATABASE_OWNER_URL must be a postgres:// URL");
  const lock = await owner.raw.db.$client.reserve();
  try {
    await lock`select pg_advisory_lock(hashtext('datamigrate:checkpoint-setup'))`;
    try {
      await setUpCheckpointSchema(options.ownerUrl);
    } finally {
      await lock`select pg_advisory_unlock(hashtext('datamigrate:checkpoint-setup'))`;
    }
  } finally {
    lock.release();
  }
  await grantApplicationRole(owner.db, appRole);
  registerOwnerDb(database.db, owner.db);
  const r = await roleControlsAuditLog(database.db);
  if (r?.controls) throw new RoleSplitError(`after the grants, DATABASE_URL's role '${appRole}' still controls audit_logs (owner '${r.owner}')`);
  logger.info({ applicationRole: appRole, ownerRole: r?.owner }, "database roles split: the application's role cannot change or remove audit rows");
}
