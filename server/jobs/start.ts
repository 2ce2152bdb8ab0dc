// Starting a migration run: validate the input, store the migration and its uploaded files in one
// transaction, put a job on the queue and answer at once. The run happens in a worker (worker.ts).
//
// Used by POST /api/v1/migrations and by the UI's upload form:
//
//   import { startMigration, StartMigrationError } from "../../jobs/start.ts";
//   const m = await startMigration(c.var.deps, { orgId, userId, name, target, files: [{ filename, content }] });
//   // m.id, m.status === "queued"; StartMigrationError has .status (400/413/415), .code, .fields
import { createHash, randomUUID } from "node:crypto";
import { z } from "zod";
import type { DatabaseHandle } from "../db/client.ts";
import { recordAudit } from "../db/queries/audit.ts";
import { decryptSecret, encryptSecret, isEncryptedSecret, SecretKeyMissingError } from "../guardian/secrets.ts";
import { MIGRATION_TARGETS, migrations, migrationSources, type Migration, type MigrationConfig, type MigrationTarget } from "../db/schema/migrations.ts";
import type { Logger } from "../log.ts";
import { jobRuntimeFor } from "./registry.ts";

/** Limits on uploaded sources. The HTTP body limit of the upload route derives from them. */
export const UPLOAD_LIMITS = {
  maxFiles: 50,
  maxFileBytes: 100 * 1024 * 1024,
  maxTotalBytes: 200 * 1024 * 1024,
} as const;

export const SOURCE_EXTENSIONS = [".sql", ".zip", ".dacpac"] as const;

export interface UploadedFile {
  filename: string;
  content: Buffer;
}

/** A live SQL Server to read the schema from (instead of files). */
export const sourceConnectionSchema = z.strictObject({
  host: z.string({ message: "expected a host name or address" }).trim().min(1, { message: "required" }).max(255, { message: "at most 255 characters" }),
  port: z
    .number({ message: "expected an integer between 1 and 65535" })
    .int({ message: "expected an integer between 1 and 65535" })
    .min(1, { message: "expected an integer between 1 and 65535" })
    .max(65535, { message: "expected an integer between 1 and 65535" })
    .default(1433),
  database: z.string({ message: "expected a database name" }).trim().min(1, { message: "required" }).max(128, { message: "at most 128 characters" }),
  user: z.string({ message: "expected a user name" }).trim().min(1, { message: "required" }).max(128, { message: "at most 128 characters" }),
  password: z.string({ message: "expected a string" }).max(1024, { message: "at most 1024 characters" }).optional(),
  encrypt: z.boolean({ message: "expected true or false" }).default(true),
  trustServerCertificate: z.boolean({ message: "expected true or false" }).default(false),
});
export type SourceConnection = z.output<typeof sourceConnectionSchema>;

/** Run options (validated by the run itself: server/agents/workspace.ts RunOptions). */
export const runOptionsSchema = z.record(z.string(), z.unknown(), { message: "expected an object" });

/**
 * Settings that belong to the server's configuration, never to a migration's options: with them a
 * user could point the server at any database it reaches. A request that sets one is refused; the
 * run ignores them in stored configs too (RunOptions does not have them).
 */
export const SERVER_ONLY_OPTIONS: Record<string, string> = {
  validationDatabaseUrl: "not allowed: the validation database is set by the server's configuration (VALIDATION_DATABASE_URL)",
  // 0 turns the timeout off (tests write it into stored configs); from a user it would let a model's
  // SQL run forever.
  statementTimeoutMs: "not allowed: the validation statement timeout is set by the server",
};

function checkOptions(options: Record<string, unknown> | undefined): void {
  if (!options) return;
  const fields: Record<string, string[]> = {};
  for (const k of Object.keys(options)) {
    // Case-insensitive: a near-miss spelling is refused the same way, not silently stored.
    const hit = Object.keys(SERVER_ONLY_OPTIONS).find((s) => s.toLowerCase() === k.toLowerCase());
    if (hit) fields[`options.${k}`] = [SERVER_ONLY_OPTIONS[hit]!];
  }
  if (Object.keys(fields).length) throw new StartMigrationError(400, "validation_failed", `the request sets server-only options: ${Object.keys(fields).join(", ")}`, fields);
}

export const migrationNameSchema = z
  .string({ message: "expected a name" })
  .trim()
  .min(1, { message: "required" })
  .max(200, { message: "at most 200 characters" });

export const migrationTargetSchema = z.enum(MIGRATION_TARGETS, { message: `expected one of ${MIGRATION_TARGETS.join(", ")}` });

export interface StartMigrationInput {
  orgId: string;
  userId: string | null;
  name: string;
  target: MigrationTarget;
  options?: Record<string, unknown>;
  files?: UploadedFile[];
  source?: SourceConnection;
  /** For the audit log. */
  ip?: string | null;
  via?: string;
}

/** What the caller needs; AppDeps (c.var.deps) satisfies it. */
export interface StartDeps {
  database: DatabaseHandle;
  clock?: () => Date;
  logger?: Logger;
}

export class StartMigrationError extends Error {
  constructor(
    readonly status: 400 | 413 | 415 | 503,
    readonly code: string,
    message: string,
    readonly fields?: Record<string, string[]>,
  ) {
    super(message);
    this.name = "StartMigrationError";
  }
}

const ZIP_MAGIC = Buffer.from([0x50, 0x4b, 0x03, 0x04]);
const EMPTY_ZIP_MAGIC = Buffer.from([0x50, 0x4b, 0x05, 0x06]);

/** The file name without any directory part a browser or client may send; undefined when unusable. */
export function cleanFilename(raw: string): string | undefined {
  const base = raw.split(/[\\/]/).pop()?.trim() ?? "";
  // eslint-disable-next-line no-control-regex
  if (!base || base === "." || base === ".." || /[\u0000-\u001f\u007f]/.test(base) || base.length > 255) return undefined;
  return base;
}

/** Checks uploaded files; throws StartMigrationError naming the first problem file. */
export function checkFiles(files: UploadedFile[], limits: { maxFiles: number; maxFileBytes: number; maxTotalBytes: number } = UPLOAD_LIMITS): UploadedFile[] {
  const fail = (status: 400 | 413 | 415, code: string, message: string): never => {
    throw new StartMigrationError(status, code, message, { files: [message] });
  };
  if (files.length > limits.maxFiles) fail(400, "too_many_files", `at most ${limits.maxFiles} files per migration (got ${files.length})`);
  const seen = new Set<string>();
  let total = 0;
  const out: UploadedFile[] = [];
  for (const f of files) {
    const name = cleanFilename(f.filename);
    if (!name) fail(400, "invalid_filename", `a file has an unusable name ('${f.filename.slice(0, 80)}')`);
    const ext = SOURCE_EXTENSIONS.find((e) => name!.toLowerCase().endsWith(e));
    if (!ext) {
      fail(415, "unsupported_file_type", `'${name}' is not a source file: expected .sql (T-SQL scripts), .zip (SSDT project) or .dacpac`);
    }
    if (f.content.length === 0) fail(400, "empty_file", `'${name}' is empty`);
    if (f.content.length > limits.maxFileBytes) {
      fail(413, "file_too_large", `'${name}' is ${f.content.length} bytes; at most ${limits.maxFileBytes} bytes per file`);
    }
    if (ext !== ".sql" && !(f.content.subarray(0, 4).equals(ZIP_MAGIC) || f.content.subarray(0, 4).equals(EMPTY_ZIP_MAGIC))) {
      fail(400, "not_a_zip", `'${name}' is not a zip archive (a ${ext} file is one)`);
    }
    const key = name!.toLowerCase();
    if (seen.has(key)) fail(400, "duplicate_file", `two files are named '${name}'`);
    seen.add(key);
    total += f.content.length;
    out.push({ filename: name!, content: f.content });
  }
  if (total > limits.maxTotalBytes) fail(413, "upload_too_large", `the files add up to ${total} bytes; at most ${limits.maxTotalBytes} bytes per migration`);
  return out;
}

/**
 * Creates the migration (status queued) with its sources and enqueues its run. Returns as soon as
 * the rows are stored; the run happens in a worker. A migration with neither files nor a source
 * connection is accepted (the JSON {name, target} form) and its run fails with AGT1002.
 */
export async function startMigration(deps: StartDeps, input: StartMigrationInput): Promise<Migration> {
  const name = migrationNameSchema.safeParse(input.name);
  if (!name.success) throw new StartMigrationError(400, "validation_failed", "the request has invalid fields", { name: [name.error.issues[0]!.message] });
  const target = migrationTargetSchema.safeParse(input.target);
  if (!target.success) throw new StartMigrationError(400, "validation_failed", "the request has invalid fields", { target: [target.error.issues[0]!.message] });
  if (input.files?.length && input.source) {
    throw new StartMigrationError(400, "validation_failed", "give either files or a source connection, not both", { source: ["not allowed together with files"] });
  }
  checkOptions(input.options);
  const files = input.files ? checkFiles(input.files) : [];
  let source: SourceConnection | undefined;
  if (input.source) {
    const parsed = sourceConnectionSchema.safeParse(input.source);
    if (!parsed.success) {
      const fields: Record<string, string[]> = {};
      for (const i of parsed.error.issues) (fields[["source", ...i.path].join(".")] ??= []).push(i.message);
      throw new StartMigrationError(400, "validation_failed", "the request has invalid fields", fields);
    }
    source = parsed.data;
  }
  // The id is chosen here so that the source password can be encrypted bound to this migration
  // (a ciphertext copied into another migration's row does not decrypt there).
  const id = randomUUID();
  let storedSource: Record<string, unknown> | undefined;
  if (source) {
    const { password, ...rest } = source;
    storedSource = rest;
    if (password) {
      try {
        storedSource = { ...rest, password: encryptSecret(password, sourcePasswordContext(id)) };
      } catch (e) {
        if (!(e instanceof SecretKeyMissingError)) throw e;
        throw new StartMigrationError(503, "secret_key_missing", `source passwords cannot be stored on this server yet: ${e.message}`, {
          "source.password": ["cannot be stored: the server has no encryption key for credentials"],
        });
      }
    }
  }
  // The source password is stored encrypted (never returned by the API, redacted in exports and
  // logs); sourcePassword() below is the one place that decrypts it.
  const config: MigrationConfig = {
    target: target.data,
    ...(input.options && Object.keys(input.options).length ? { options: input.options } : {}),
    ...(storedSource ? { source: storedSource } : {}),
  };
  const db = deps.database.db;
  // One statement when there are no files: the JSON start is the latency-critical path.
  const migration = !files.length
    ? (await db.insert(migrations).values({ id, orgId: input.orgId, userId: input.userId, name: name.data, config }).returning())[0]!
    : await db.transaction(async (tx) => {
    const [m] = await tx.insert(migrations).values({ id, orgId: input.orgId, userId: input.userId, name: name.data, config }).returning();
    if (files.length) {
      await tx.insert(migrationSources).values(
        files.map((f) => ({
          migrationId: m!.id,
          orgId: input.orgId,
          filename: f.filename,
          content: f.content,
          size: f.content.length,
          sha256: createHash("sha256").update(f.content).digest("hex"),
        })),
      );
    }
    return m!;
  });
  await recordAudit(db, {
    orgId: input.orgId,
    userId: input.userId,
    eventType: "migration.created",
    details: {
      migrationId: migration.id,
      name: migration.name,
      target: config.target,
      files: files.map((f) => ({ filename: f.filename, size: f.content.length })),
      ...(source ? { source: { host: source.host, port: source.port, database: source.database } } : {}),
      ...(input.via ? { via: input.via } : {}),
    },
    ip: input.ip ?? null,
    at: (deps.clock ?? (() => new Date()))(),
  });
  await enqueueMigration(deps.database, { migrationId: migration.id, orgId: input.orgId }, deps.logger);
  return migration;
}

/** The authenticated-data context of a migration's stored source password. */
export const sourcePasswordContext = (migrationId: string) => `migration:${migrationId}:source`;

/**
 * The live source's password in clear, for the code that connects to the source (today none: the run
 * refuses live sources with AGT1001). Undefined when the source has none. A value stored before
 * passwords were encrypted is returned as it is. Throws SecretKeyMissingError / SecretDecryptError
 * when the server's key is missing or is not the one it was stored with.
 */
export function sourcePassword(migration: Pick<Migration, "id" | "config">): string | undefined {
  const source = migration.config.source as { password?: unknown } | undefined;
  const pw = source && typeof source === "object" ? source.password : undefined;
  if (typeof pw !== "string" || pw === "") return undefined;
  return isEncryptedSecret(pw) ? decryptSecret(pw, sourcePasswordContext(migration.id)) : pw;
}

/**
 * Sends the run's job when a worker runs in this process; otherwise (or if sending fails) the
 * migration stays queued and a worker's sweep sends it.
 */
export async function enqueueMigration(database: DatabaseHandle, job: { migrationId: string; orgId: string }, logger?: Logger): Promise<void> {
  const runtime = jobRuntimeFor(database);
  if (!runtime) return;
  try {
    await runtime.queue.send(job);
    runtime.wake();
  } catch (err) {
    logger?.warn({ err, migrationId: job.migrationId }, "could not enqueue the migration run; the worker sweep will");
  }
}
