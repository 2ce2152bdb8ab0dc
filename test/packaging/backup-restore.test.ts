// scripts/backup.sh and scripts/restore.sh run for real (pg_dump, pg_restore, dropdb, createdb)
// against the test Postgres, with test/packaging/fake-compose.sh standing in for `docker compose`
// (it runs `exec` commands on this machine). Needs TEST_DATABASE_URL and the Postgres client tools.
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const url = process.env.TEST_DATABASE_URL;
const tools = ["pg_dump", "pg_restore", "dropdb", "createdb", "sha256sum"].every((t) => spawnSync("sh", ["-c", `command -v ${t}`]).status === 0);
if (!url || !tools) console.warn(`test/packaging/backup-restore.test.ts SKIPPED: ${!url ? "TEST_DATABASE_URL is not set" : "Postgres client tools are missing"}`);

describe.skipIf(!url || !tools)("scripts/backup.sh and scripts/restore.sh", () => {
  const name = `dm_t_backup_${process.pid}`;
  let admin: postgres.Sql;
  let db: postgres.Sql;
  let scratch: string;
  let env: Record<string, string>;

  beforeAll(async () => {
    const u = new URL(url!);
    admin = postgres(url!, { max: 1, onnotice: () => {} });
    await admin.unsafe(`drop database if exists ${name} with (force)`);
    await admin.unsafe(`create database ${name}`);
    const dbUrl = new URL(url!);
    dbUrl.pathname = `/${name}`;
    db = postgres(dbUrl.toString(), { max: 1, onnotice: () => {} });
    await db.unsafe(`create table migrations (id int primary key, name text not null, config jsonb)`);
    await db.unsafe(`insert into migrations values (1, 'Sales warehouse', '{"target":"postgres"}'), (2, 'Ünïcode ✓', null)`);
    scratch = mkdtempSync(path.join(os.tmpdir(), "dm-backup-test-"));
    env = {
      PATH: process.env.PATH!,
      COMPOSE: path.join(REPO, "test/packaging/fake-compose.sh"),
      FAKE_COMPOSE_LOG: path.join(scratch, "compose.log"),
      PGHOST: u.hostname,
      PGPORT: u.port || "5432",
      ...(u.password ? { PGPASSWORD: decodeURIComponent(u.password) } : {}),
      DB_USER: decodeURIComponent(u.username) || "postgres",
      DB_NAME: name,
    };
  });

  afterAll(async () => {
    await db?.end();
    await admin?.unsafe(`drop database if exists ${name} with (force)`);
    await admin?.end();
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  });

  it("backs up, and a restore brings back exactly what was backed up, stopping and restarting the app around it", async () => {
    const backups = path.join(scratch, "backups");
    const b = spawnSync("bash", [path.join(REPO, "scripts/backup.sh"), backups], { env, encoding: "utf8" });
    expect(b.status, b.stderr).toBe(0);
    const dumps = readdirSync(backups).filter((f) => f.endsWith(".dump"));
    expect(dumps).toHaveLength(1);
    expect(dumps[0]).toMatch(/^datamigrate-\d{8}T\d{6}Z\.dump$/);
    const dump = path.join(backups, dumps[0]!);
    expect(existsSync(`${dump}.sha256`)).toBe(true);
    expect(readdirSync(backups).some((f) => f.endsWith(".partial"))).toBe(false);

    // Changes after the backup, which the restore must undo (rows and schema).
    await db.unsafe(`delete from migrations where id = 1`);
    await db.unsafe(`insert into migrations values (3, 'after the backup', null)`);
    await db.unsafe(`create table later_table (x int)`);
    await db.end();

    const r = spawnSync("bash", [path.join(REPO, "scripts/restore.sh"), "--yes", dump], { env, encoding: "utf8" });
    expect(r.status, r.stderr + r.stdout).toBe(0);
    expect(readFileSync(env.FAKE_COMPOSE_LOG!, "utf8").trim().split("\n")).toEqual(["stop nginx app", "start nginx app"]);

    const dbUrl = new URL(url!);
    dbUrl.pathname = `/${name}`;
    db = postgres(dbUrl.toString(), { max: 1, onnotice: () => {} });
    const rows = await db.unsafe(`select id, name, config from migrations order by id`);
    expect(rows.map((row) => ({ ...row }))).toEqual([
      { id: 1, name: "Sales warehouse", config: { target: "postgres" } },
      { id: 2, name: "Ünïcode ✓", config: null },
    ]);
    const later = await db.unsafe(`select to_regclass('public.later_table') as t`);
    expect(later[0]!.t).toBeNull();
  });

  it("refuses a dump that does not match its checksum, without stopping anything", () => {
    const dir = path.join(scratch, "tampered");
    const b = spawnSync("bash", [path.join(REPO, "scripts/backup.sh"), dir], { env, encoding: "utf8" });
    expect(b.status, b.stderr).toBe(0);
    const dump = path.join(dir, readdirSync(dir).find((f) => f.endsWith(".dump"))!);
    const bytes = readFileSync(dump);
    bytes.writeUInt8(bytes.readUInt8(bytes.length - 1) ^ 0xff, bytes.length - 1);
    writeFileSync(dump, bytes);
    const log = path.join(scratch, "tampered.log");
    const r = spawnSync("bash", [path.join(REPO, "scripts/restore.sh"), "--yes", dump], { env: { ...env, FAKE_COMPOSE_LOG: log }, encoding: "utf8" });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("does not match its .sha256");
    expect(existsSync(log)).toBe(false);
  });

  it("asks before replacing the database and stops on anything but yes", () => {
    const dir = path.join(scratch, "backups");
    const dump = path.join(dir, readdirSync(dir).find((f) => f.endsWith(".dump"))!);
    const log = path.join(scratch, "cancel.log");
    const r = spawnSync("bash", [path.join(REPO, "scripts/restore.sh"), dump], { env: { ...env, FAKE_COMPOSE_LOG: log }, input: "no\n", encoding: "utf8" });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("cancelled");
    expect(existsSync(log)).toBe(false);
  });
});
