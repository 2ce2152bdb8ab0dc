// docker/postgres-init/10-datamigrate-app-role.sh: the init script compose.yaml mounts into the
// postgres container creates the application's own login role (not the schema's owner) with the
// password of the postgres_app_password secret. Run here with psql against TEST_DATABASE_URL the
// way the postgres image runs it (POSTGRES_USER / POSTGRES_DB in the environment).
import { createHash, createHmac, pbkdf2Sync, randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { spawnSync } from "node:child_process";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const SCRIPT = path.join(REPO, "docker/postgres-init/10-datamigrate-app-role.sh");
const url = process.env.TEST_DATABASE_URL;
const havePsql = spawnSync("psql", ["--version"], { stdio: "ignore" }).status === 0;

/** Whether a SCRAM-SHA-256 verifier (pg_authid.rolpassword) was made from `password` (ASCII: SASLprep is the identity). */
function scramMatches(verifier: string, password: string): boolean {
  const m = /^SCRAM-SHA-256\$(\d+):([^$]+)\$([^:]+):(.+)$/.exec(verifier);
  if (!m) return false;
  const salted = pbkdf2Sync(password, Buffer.from(m[2]!, "base64"), Number(m[1]), 32, "sha256");
  const storedKey = createHash("sha256").update(createHmac("sha256", salted).update("Client Key").digest()).digest();
  return storedKey.toString("base64") === m[3];
}

if (!url || !havePsql) console.log("test/packaging/postgres-init.test.ts: needs TEST_DATABASE_URL and psql, skipping");

describe.skipIf(!url || !havePsql)("docker/postgres-init/10-datamigrate-app-role.sh", () => {
  const suffix = randomBytes(5).toString("hex");
  const dbName = `dm_t_init_${suffix}`;
  const appUser = `dm_init_app_${suffix}`;
  const ownerRole = `dm_init_owner_${suffix}`;
  let dir: string;
  let admin: postgres.Sql;
  const u = new URL(url ?? "postgres://x@localhost/x");

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), "dm-pginit-"));
    admin = postgres(url!, { max: 1, onnotice: () => {} });
    await admin.unsafe(`create database "${dbName}"`);
    await admin.unsafe(`create role "${ownerRole}" nologin`);
  });

  afterAll(async () => {
    await admin.unsafe(`drop database if exists "${dbName}" with (force)`);
    await admin.unsafe(`drop role if exists "${appUser}"`);
    await admin.unsafe(`drop role if exists "${ownerRole}"`);
    await admin.end({ timeout: 5 });
    rmSync(dir, { recursive: true, force: true });
  });

  function run(env: Record<string, string>) {
    const r = spawnSync(SCRIPT, [], {
      env: {
        PATH: process.env.PATH!,
        PGHOST: u.hostname,
        PGPORT: u.port || "5432",
        ...(u.password ? { PGPASSWORD: decodeURIComponent(u.password) } : {}),
        POSTGRES_USER: decodeURIComponent(u.username),
        POSTGRES_DB: dbName,
        DATAMIGRATE_APP_USER: appUser,
        ...env,
      },
      encoding: "utf8",
    });
    return { status: r.status, stderr: r.stderr, stdout: r.stdout };
  }
  function secret(name: string, content: string): string {
    const f = path.join(dir, name);
    writeFileSync(f, content, { mode: 0o600 });
    return f;
  }
  const role = async () =>
    (
      await admin<{ rolsuper: boolean; rolcanlogin: boolean; rolcreatedb: boolean; rolcreaterole: boolean; rolpassword: string | null }[]>`
        select rolsuper, rolcanlogin, rolcreatedb, rolcreaterole, rolpassword from pg_authid where rolname = ${appUser}`
    )[0];

  it("creates a plain login role with the secret file's password (trailing newlines dropped)", async () => {
    const r = run({ DATAMIGRATE_APP_PASSWORD_FILE: secret("pw1", "first-Secret_1\n\n") });
    expect(r.status, r.stderr).toBe(0);
    const row = await role();
    expect(row).toMatchObject({ rolsuper: false, rolcanlogin: true, rolcreatedb: false, rolcreaterole: false });
    expect(scramMatches(row!.rolpassword!, "first-Secret_1")).toBe(true);
    expect(scramMatches(row!.rolpassword!, "first-Secret_1\n")).toBe(false);
  });

  it("runs again on an existing database: new password, and any membership (e.g. of the owner) removed", async () => {
    await admin.unsafe(`grant "${ownerRole}" to "${appUser}"`);
    const r = run({ DATAMIGRATE_APP_PASSWORD_FILE: secret("pw2", "second-Secret_2") });
    expect(r.status, r.stderr).toBe(0);
    expect(scramMatches((await role())!.rolpassword!, "second-Secret_2")).toBe(true);
    const [m] = await admin<{ member: boolean }[]>`select pg_has_role(${appUser}, ${ownerRole}, 'MEMBER') as member`;
    expect(m!.member).toBe(false);
  });

  it.each([
    [{}, "DATAMIGRATE_APP_PASSWORD_FILE is not set"],
    [{ DATAMIGRATE_APP_PASSWORD_FILE: "/nonexistent/pw" }, "cannot read"],
    [{ DATAMIGRATE_APP_PASSWORD_FILE: "EMPTY" }, "is empty"],
    [{ DATAMIGRATE_APP_PASSWORD_FILE: "PW", DATAMIGRATE_APP_USER: "SELF" }, "must differ from POSTGRES_USER"],
  ])("refuses %j before touching the database (%s)", async (env, message) => {
    const e: Record<string, string> = { ...env };
    if (e.DATAMIGRATE_APP_PASSWORD_FILE === "EMPTY") e.DATAMIGRATE_APP_PASSWORD_FILE = secret("empty", "\n");
    if (e.DATAMIGRATE_APP_PASSWORD_FILE === "PW") e.DATAMIGRATE_APP_PASSWORD_FILE = secret("pw3", "third");
    if (e.DATAMIGRATE_APP_USER === "SELF") e.DATAMIGRATE_APP_USER = decodeURIComponent(u.username);
    const before = (await role())!.rolpassword;
    const r = run(e);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(message);
    expect((await role())!.rolpassword).toBe(before);
  });
});
