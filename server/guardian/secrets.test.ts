import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { withTestDb } from "../../test/support/db.ts";
import {
  configureSecretKey,
  decryptSecret,
  encryptSecret,
  generateSecretKey,
  initSecrets,
  loadSecretKey,
  parseSecretKey,
  SecretDecryptError,
  SecretKeyError,
  SecretKeyMissingError,
  secretKeyFingerprint,
} from "./secrets.ts";

const testDb = withTestDb();
const dirs: string[] = [];
const tmp = () => {
  const d = mkdtempSync(path.join(os.tmpdir(), "dm-secrets-"));
  dirs.push(d);
  return d;
};
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});
afterEach(() => configureSecretKey(null));

describe("encryptSecret / decryptSecret", () => {
  const key = generateSecretKey();

  it("round-trips, with a fresh IV each time", () => {
    const a = encryptSecret("p@ss wörd;Server=x", "migration:1:password", { key });
    const b = encryptSecret("p@ss wörd;Server=x", "migration:1:password", { key });
    expect(a).not.toBe(b);
    expect(a).not.toContain("p@ss");
    expect(decryptSecret(a, "migration:1:password", { key })).toBe("p@ss wörd;Server=x");
  });

  it("fails clearly with another key, another context or altered bytes", () => {
    const token = encryptSecret("secret", "ctx", { key });
    expect(() => decryptSecret(token, "ctx", { key: generateSecretKey() })).toThrow(/encrypted with key .* configured key is/);
    expect(() => decryptSecret(token, "other", { key })).toThrow(SecretDecryptError);
    const raw = Buffer.from(token.slice(4), "base64url");
    raw[raw.length - 1] = raw[raw.length - 1]! ^ 1;
    expect(() => decryptSecret(`dm1:${raw.toString("base64url")}`, "ctx", { key })).toThrow(/integrity/);
    expect(() => decryptSecret("plain", "ctx", { key })).toThrow(/dm1/);
  });

  it("uses the configured process key, and refuses without one", () => {
    expect(() => encryptSecret("x")).toThrow(SecretKeyMissingError);
    configureSecretKey(key);
    expect(decryptSecret(encryptSecret("x"), "", { key })).toBe("x");
  });
});

describe("loading the key", () => {
  const hex = "11".repeat(32);

  it("accepts hex and base64 of 32 bytes and nothing else", () => {
    expect(parseSecretKey(hex)).toEqual(Buffer.alloc(32, 0x11));
    expect(parseSecretKey(Buffer.alloc(32, 7).toString("base64"))).toEqual(Buffer.alloc(32, 7));
    expect(() => parseSecretKey("short")).toThrow(SecretKeyError);
    expect(() => parseSecretKey(Buffer.alloc(16).toString("base64"))).toThrow(/32 bytes/);
  });

  it("reads DATAMIGRATE_SECRET_KEY, or the _FILE, never both", () => {
    const d = tmp();
    const f = path.join(d, "k");
    writeFileSync(f, `${hex}\n`);
    expect(loadSecretKey({ env: { DATAMIGRATE_SECRET_KEY: hex }, dataDir: d, embedded: false })?.source).toBe("env");
    expect(loadSecretKey({ env: { DATAMIGRATE_SECRET_KEY_FILE: f }, dataDir: d, embedded: false })).toMatchObject({ source: "file" });
    expect(() => loadSecretKey({ env: { DATAMIGRATE_SECRET_KEY: hex, DATAMIGRATE_SECRET_KEY_FILE: f }, dataDir: d, embedded: false })).toThrow(/not both/);
    expect(() => loadSecretKey({ env: { DATAMIGRATE_SECRET_KEY_FILE: path.join(d, "missing") }, dataDir: d, embedded: false })).toThrow(/cannot read/);
  });

  it("generates and keeps a key in DATA_DIR for the embedded database only", () => {
    const d = tmp();
    expect(loadSecretKey({ env: {}, dataDir: d, embedded: false })).toBeNull();
    const first = loadSecretKey({ env: {}, dataDir: d, embedded: true })!;
    expect(first.source).toBe("generated");
    expect(statSync(path.join(d, "secret.key")).mode & 0o077).toBe(0);
    const again = loadSecretKey({ env: {}, dataDir: d, embedded: false })!;
    expect(again).toMatchObject({ source: "data-dir" });
    expect(again.key).toEqual(first.key);
    expect(readFileSync(path.join(d, "secret.key"), "utf8")).not.toContain(hex);
  });

  it("at start: remembers the key's fingerprint and refuses a missing or different key afterwards", async () => {
    const d = tmp();
    const db = testDb.db;
    const env = { DATAMIGRATE_SECRET_KEY: hex };
    expect(await initSecrets({ db, env: {}, dataDir: d, embedded: false })).toBeNull();
    await initSecrets({ db, env, dataDir: d, embedded: false });
    expect(encryptSecret("x")).toMatch(/^dm1:/);
    await expect(initSecrets({ db, env: {}, dataDir: d, embedded: false })).rejects.toThrow(
      new RegExp(`encrypted with key ${secretKeyFingerprint(Buffer.alloc(32, 0x11))}, but no key is configured`),
    );
    await expect(initSecrets({ db, env: { DATAMIGRATE_SECRET_KEY: "22".repeat(32) }, dataDir: d, embedded: false })).rejects.toThrow(
      /not the one this database/,
    );
    await expect(initSecrets({ db, env, dataDir: d, embedded: false })).resolves.toMatchObject({ source: "env" });
  });
});
