// Secrets at rest (stored source credentials: live SQL Server passwords, connection strings):
// AES-256-GCM with one 32-byte key per installation.
//
// Where the key comes from, in order:
//   1. DATAMIGRATE_SECRET_KEY        64 hex digits, or base64 of 32 bytes (`openssl rand -base64 32`)
//   2. DATAMIGRATE_SECRET_KEY_FILE   a file holding the same (the Docker secrets convention)
//   3. <DATA_DIR>/secret.key         kept from an earlier start
//   4. embedded database only (PGlite, single process, DATA_DIR is the whole state): generated
//      into <DATA_DIR>/secret.key (mode 0600) with a warning to back it up with the data.
// With a real Postgres and none of 1-3, nothing is generated: several servers may share that
// database and each would invent its own key. Storing a secret then fails with SecretKeyMissingError.
//
// The database remembers the fingerprints of keys it has been used with (encryption_keys), so a
// server started without its key, or with another one, refuses to start with a clear message
// instead of failing later on the first decryption.
//
// Ciphertext: "dm1:" + base64url(fingerprint[8] | iv[12] | tag[16] | ciphertext). An optional
// context string (e.g. "migration:<id>:password") is bound as additional authenticated data, so a
// ciphertext copied into another row does not decrypt there.
import { createCipheriv, createDecipheriv, createHmac, randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { sql } from "drizzle-orm";
import { queryRows, type Db } from "../db/client.ts";
import type { Logger } from "../log.ts";

const PREFIX = "dm1:";
const FP_BYTES = 8;
const IV_BYTES = 12;
const TAG_BYTES = 16;
export const SECRET_KEY_FILENAME = "secret.key";

export class SecretKeyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "SecretKeyError";
  }
}

export class SecretKeyMissingError extends SecretKeyError {
  constructor() {
    super(
      "no encryption key for stored credentials: set DATAMIGRATE_SECRET_KEY (64 hex digits or base64 of 32 bytes, " +
        "e.g. `openssl rand -base64 32`) or DATAMIGRATE_SECRET_KEY_FILE (a file holding it, e.g. a Docker secret)",
    );
    this.name = "SecretKeyMissingError";
  }
}

export class SecretDecryptError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "SecretDecryptError";
  }
}

/** 64 hex digits or base64/base64url of exactly 32 bytes. */
export function parseSecretKey(text: string, origin = "the key"): Buffer {
  const t = text.trim();
  if (/^[0-9a-fA-F]{64}$/.test(t)) return Buffer.from(t, "hex");
  if (/^[A-Za-z0-9+/_-]{42,44}={0,2}$/.test(t)) {
    const b = Buffer.from(t.replace(/-/g, "+").replace(/_/g, "/"), "base64");
    if (b.length === 32) return b;
  }
  throw new SecretKeyError(`${origin}: expected 32 bytes as 64 hex digits or base64 (e.g. \`openssl rand -base64 32\`), got ${t.length} characters`);
}

export function generateSecretKey(): Buffer {
  return randomBytes(32);
}

/** A public name of a key (HMAC of a constant): tells keys apart without revealing them. */
export function secretKeyFingerprint(key: Buffer): string {
  return createHmac("sha256", key).update("datamigrate secret key fingerprint v1").digest("hex").slice(0, FP_BYTES * 2);
}

let current: Buffer | null = null;

/** Sets the process-wide key (start-up does this; tests may too). Null forgets it. */
export function configureSecretKey(key: Buffer | null): void {
  if (key && key.length !== 32) throw new SecretKeyError("the key must be 32 bytes");
  current = key ? Buffer.from(key) : null;
}

export function hasSecretKey(): boolean {
  return current !== null;
}

function keyOrThrow(key: Buffer | undefined): Buffer {
  const k = key ?? current;
  if (!k) throw new SecretKeyMissingError();
  return k;
}

export function isEncryptedSecret(value: unknown): value is string {
  return typeof value === "string" && value.startsWith(PREFIX);
}

/** Encrypts with the configured key (or `options.key`). `context` must be given again to decrypt. */
export function encryptSecret(plaintext: string, context = "", options: { key?: Buffer } = {}): string {
  const key = keyOrThrow(options.key);
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv("aes-256-gcm", key, iv);
  cipher.setAAD(Buffer.from(`datamigrate:${context}`, "utf8"));
  const ct = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
  const fp = Buffer.from(secretKeyFingerprint(key), "hex");
  return PREFIX + Buffer.concat([fp, iv, cipher.getAuthTag(), ct]).toString("base64url");
}

export function decryptSecret(token: string, context = "", options: { key?: Buffer } = {}): string {
  const key = keyOrThrow(options.key);
  if (!isEncryptedSecret(token)) throw new SecretDecryptError("not an encrypted secret (expected the dm1: format)");
  const raw = Buffer.from(token.slice(PREFIX.length), "base64url");
  if (raw.length < FP_BYTES + IV_BYTES + TAG_BYTES) throw new SecretDecryptError("encrypted secret is truncated");
  const fp = raw.subarray(0, FP_BYTES).toString("hex");
  const mine = secretKeyFingerprint(key);
  if (fp !== mine) {
    throw new SecretDecryptError(`this secret was encrypted with key ${fp}, but the configured key is ${mine} (DATAMIGRATE_SECRET_KEY changed?)`);
  }
  const iv = raw.subarray(FP_BYTES, FP_BYTES + IV_BYTES);
  const tag = raw.subarray(FP_BYTES + IV_BYTES, FP_BYTES + IV_BYTES + TAG_BYTES);
  const decipher = createDecipheriv("aes-256-gcm", key, iv);
  decipher.setAAD(Buffer.from(`datamigrate:${context}`, "utf8"));
  decipher.setAuthTag(tag);
  try {
    return Buffer.concat([decipher.update(raw.subarray(FP_BYTES + IV_BYTES + TAG_BYTES)), decipher.final()]).toString("utf8");
  } catch {
    throw new SecretDecryptError("encrypted secret failed its integrity check (altered, or stored under another context)");
  }
}

export interface LoadedKey {
  key: Buffer;
  source: "env" | "file" | "data-dir" | "generated";
}

/** Finds the key as described at the top of this file; null when none may be generated. */
export function loadSecretKey(options: { env?: NodeJS.ProcessEnv; dataDir: string; embedded: boolean }): LoadedKey | null {
  const env = options.env ?? process.env;
  const inline = env.DATAMIGRATE_SECRET_KEY?.trim();
  const file = env.DATAMIGRATE_SECRET_KEY_FILE?.trim();
  if (inline && file) throw new SecretKeyError("set DATAMIGRATE_SECRET_KEY or DATAMIGRATE_SECRET_KEY_FILE, not both");
  if (inline) return { key: parseSecretKey(inline, "DATAMIGRATE_SECRET_KEY"), source: "env" };
  if (file) {
    let text: string;
    try {
      text = readFileSync(file, "utf8");
    } catch (err) {
      throw new SecretKeyError(`DATAMIGRATE_SECRET_KEY_FILE: cannot read ${file} (${(err as NodeJS.ErrnoException).code ?? "error"})`);
    }
    return { key: parseSecretKey(text, `DATAMIGRATE_SECRET_KEY_FILE (${file})`), source: "file" };
  }
  const kept = path.join(options.dataDir, SECRET_KEY_FILENAME);
  if (existsSync(kept)) return { key: parseSecretKey(readFileSync(kept, "utf8"), kept), source: "data-dir" };
  if (!options.embedded) return null;
  const key = generateSecretKey();
  mkdirSync(options.dataDir, { recursive: true });
  writeFileSync(kept, `${key.toString("base64")}\n`, { mode: 0o600, flag: "wx" });
  return { key, source: "generated" };
}

/**
 * Start-up: loads the key, checks it against the keys this database has used, remembers it, and
 * makes it the process key. Throws SecretKeyError with a message for operators when the database
 * holds secrets of a key that is not configured.
 */
export async function initSecrets(options: {
  db: Db;
  env?: NodeJS.ProcessEnv;
  dataDir: string;
  embedded: boolean;
  logger?: Logger;
}): Promise<LoadedKey | null> {
  const loaded = loadSecretKey(options);
  const known = (await queryRows<{ fingerprint: string }>(options.db, sql`select fingerprint from encryption_keys`)).map((r) => r.fingerprint);
  if (!loaded) {
    if (known.length) {
      throw new SecretKeyError(
        `this database holds credentials encrypted with key ${known.join(", ")}, but no key is configured: ` +
          "set DATAMIGRATE_SECRET_KEY or DATAMIGRATE_SECRET_KEY_FILE to that key",
      );
    }
    configureSecretKey(null);
    options.logger?.warn(
      "no DATAMIGRATE_SECRET_KEY or DATAMIGRATE_SECRET_KEY_FILE: stored source credentials (live servers) cannot be saved until one is set",
    );
    return null;
  }
  const fp = secretKeyFingerprint(loaded.key);
  if (known.length && !known.includes(fp)) {
    throw new SecretKeyError(
      `the configured secret key (${fp}) is not the one this database's credentials were encrypted with (${known.join(", ")}); ` +
        "restore the original DATAMIGRATE_SECRET_KEY",
    );
  }
  if (!known.includes(fp)) await options.db.execute(sql`insert into encryption_keys (fingerprint) values (${fp}) on conflict do nothing`);
  configureSecretKey(loaded.key);
  if (loaded.source === "generated") {
    options.logger?.warn(
      { file: path.join(options.dataDir, SECRET_KEY_FILENAME) },
      "generated an encryption key for stored credentials in the data directory: back it up with the data (without it they cannot be decrypted), or set DATAMIGRATE_SECRET_KEY",
    );
  }
  return loaded;
}
