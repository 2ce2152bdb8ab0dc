// New migration: upload .sql files, an SSDT folder as .zip or a .dacpac, or describe a SQL Server
// to read live; choose target, naming and validation; start the run. Also the "test connection"
// button and cancelling a run.
import { Hono } from "hono";
import { z } from "zod";
import type { Principal } from "../../auth/principal.ts";
import { MIGRATION_TARGETS } from "../../db/schema/migrations.ts";
import { UPLOAD_LIMITS } from "../../jobs/start.ts";
import type { AppContext, AppEnv } from "../env.ts";
import { errors, type FieldErrors } from "../errors.ts";
import { redirectAfterPost, renderPage, renderPartial } from "../render.ts";
import { isUuid } from "../validation.ts";
import { cancelFromPage, startFromPage, type ConnectionInput, type StartInput } from "./run-adapter.ts";

/** Whole upload (all files and fields). The per-page form limit (16 KB) does not apply to this one route. */
export const UPLOAD_BODY_LIMIT = UPLOAD_LIMITS.maxTotalBytes + 1024 * 1024;
export const MAX_FILES = UPLOAD_LIMITS.maxFiles;
const ALLOWED = /\.(sql|zip|dacpac)$/i;


const checkbox = z.preprocess((v) => v === "on" || v === "true" || v === "1", z.boolean());
const optionalText = (max: number) =>
  z.preprocess((v) => (typeof v === "string" && v.trim() === "" ? undefined : typeof v === "string" ? v.trim() : v), z.string().max(max).optional());

export const connectionSchema = z.object({
  host: z.preprocess((v) => (typeof v === "string" ? v.trim() : v), z.string().min(1, { message: "required" }).max(253).regex(/^[A-Za-z0-9._\-\\]+$/, { message: "a host name or IP address (letters, digits, '.', '-', '\\')" })),
  port: z.preprocess((v) => (v === "" || v === undefined ? 1433 : Number(v)), z.number({ message: "a port number" }).int({ message: "a whole number" }).min(1, { message: "1 to 65535" }).max(65535, { message: "1 to 65535" })),
  database: z.preprocess((v) => (typeof v === "string" ? v.trim() : v), z.string().min(1, { message: "required" }).max(128)),
  user: z.preprocess((v) => (typeof v === "string" ? v.trim() : v), z.string().min(1, { message: "required" }).max(256)),
  password: z.string().max(1024).catch(""),
  encrypt: checkbox,
  trustServerCertificate: checkbox,
});

const optionsSchema = z.object({
  name: z.preprocess((v) => (typeof v === "string" ? v.trim() : v), z.string({ message: "required" }).min(1, { message: "required" }).max(200, { message: "at most 200 characters" })),
  target: z.enum(MIGRATION_TARGETS, { message: `one of ${MIGRATION_TARGETS.join(", ")}` }),
  sourceType: z.enum(["upload", "connection"]).catch("upload"),
  projectName: optionalText(64).pipe(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, { message: "letters, digits and _; not starting with a digit" }).optional()),
  validate: checkbox,
  rows: z.preprocess((v) => (v === "" || v === undefined ? 60 : Number(v)), z.number({ message: "a number" }).int({ message: "a whole number" }).min(1, { message: "at least 1" }).max(100_000, { message: "at most 100,000" })),
  maxAttempts: z.preprocess((v) => (v === "" || v === undefined ? 3 : Number(v)), z.number({ message: "a number" }).int({ message: "a whole number" }).min(0, { message: "0 to 10" }).max(10, { message: "0 to 10" })),
});

function me(c: AppContext): Principal {
  return c.var.principal!;
}

function formContext(values: Record<string, string> = {}, fields: FieldErrors = {}, error?: string) {
  return {
    // Checkbox defaults only on a fresh form: an unticked box is absent from a posted one.
    values: { target: "postgres", rows: "60", maxAttempts: "3", port: "1433", sourceType: "upload", ...(Object.keys(values).length ? {} : { validate: "on", encrypt: "on" }), ...values },
    fields,
    error,
    targets: MIGRATION_TARGETS,
    maxFiles: MAX_FILES,
    uploadLimitMb: Math.round(UPLOAD_LIMITS.maxTotalBytes / 1024 / 1024),
  };
}

type Body = Record<string, string | File | (string | File)[]>;

async function parseMultipart(c: AppContext): Promise<Body> {
  const type = c.req.header("content-type") ?? "";
  if (!/^(multipart\/form-data|application\/x-www-form-urlencoded)\s*(;|$)/i.test(type)) throw errors.unsupportedMediaType("multipart/form-data");
  try {
    return await c.req.parseBody({ all: true });
  } catch {
    throw errors.malformedForm();
  }
}

function texts(body: Body): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(body)) {
    const first = (Array.isArray(v) ? v : [v]).find((x): x is string => typeof x === "string");
    if (first !== undefined) out[k] = first;
  }
  return out;
}

function fieldErrorsOf(error: z.ZodError, prefix = ""): FieldErrors {
  const f: FieldErrors = {};
  for (const i of error.issues) (f[prefix + (i.path.join(".") || "form")] ??= []).push(i.message);
  return f;
}

/** The connection string live.ts reads (an mssql:// URL; SQL Server logins). */
export function connectionString(conn: z.output<typeof connectionSchema>): string {
  const u = new URL("mssql://placeholder");
  u.hostname = conn.host;
  u.port = String(conn.port);
  u.pathname = `/${encodeURIComponent(conn.database)}`;
  u.username = encodeURIComponent(conn.user);
  u.password = encodeURIComponent(conn.password);
  u.searchParams.set("encrypt", String(conn.encrypt));
  u.searchParams.set("trustServerCertificate", String(conn.trustServerCertificate));
  return u.toString();
}

/** Tries to log in and run one query; the message says what failed and what to check. */
export async function testConnection(conn: z.output<typeof connectionSchema>, timeoutMs = 8000): Promise<{ ok: true; version: string } | { ok: false; message: string }> {
  const { createMssqlRunner, scrub } = await import("../../sources/live.ts");
  const input = connectionString(conn);
  let runner: Awaited<ReturnType<typeof createMssqlRunner>> | undefined;
  try {
    runner = await createMssqlRunner(input, { connectTimeoutMs: timeoutMs, requestTimeoutMs: timeoutMs });
    const rows = await runner.run("version" as never, "select cast(serverproperty('ProductVersion') as nvarchar(64)) as version");
    return { ok: true, version: String(rows[0]?.version ?? "unknown") };
  } catch (err) {
    const e = err as { code?: string; message?: string; originalError?: { code?: string } };
    const code = e.code ?? e.originalError?.code ?? "";
    const msg = scrub(e.message ?? String(err), input).replace(conn.password ? conn.password : "\u0000", "***");
    const where = `${conn.host}:${conn.port}`;
    if (code === "ELOGIN") return { ok: false, message: `${where} refused the login (${msg}). Check the user name and password, and that the login may read ${conn.database}.` };
    if (code === "ETIMEOUT" || /timeout/i.test(msg)) return { ok: false, message: `${where} did not answer within ${Math.round(timeoutMs / 1000)} s (${msg}). Check the host name, the port and that a firewall lets this appliance through.` };
    if (/certificate|self[- ]signed|SSL|TLS/i.test(msg)) return { ok: false, message: `TLS failed with ${where} (${msg}). Tick "Trust the server certificate" for a self-signed certificate, or install the CA.` };
    return { ok: false, message: `${where} is not reachable (${msg}). Check the host name and port, and that SQL Server accepts TCP connections.` };
  } finally {
    await runner?.close().catch(() => undefined);
  }
}

export function newMigrationRoutes(): Hono<AppEnv> {
  const app = new Hono<AppEnv>();

  app.get("/migrations/new", (c) => renderPage(c, "migration-new", formContext()));

  app.post("/migrations/test-connection", async (c) => {
    const body = texts(await parseMultipart(c));
    const conn = connectionSchema.safeParse(body);
    if (!conn.success) {
      return renderPartial(c, "connection-result", { ok: false, message: `Fill in ${Object.keys(fieldErrorsOf(conn.error)).join(", ")} first.` }, 422);
    }
    const result = await testConnection(conn.data);
    return renderPartial(c, "connection-result", result.ok ? { ok: true, message: `Connected to ${conn.data.host}:${conn.data.port}, SQL Server ${result.version}.` } : result);
  });

  app.post("/migrations", async (c) => {
    const p = me(c);
    const body = await parseMultipart(c);
    const values = texts(body);
    delete values.password;
    const fail = (fields: FieldErrors, error?: string, status: 413 | 422 = 422) => renderPage(c, "migration-new", formContext(values, fields, error), status);

    const opts = optionsSchema.safeParse(texts(body));
    if (!opts.success) return fail(fieldErrorsOf(opts.error), "Some fields need attention.");
    const o = opts.data;

    const uploads = (Array.isArray(body.files) ? body.files : body.files ? [body.files] : []).filter((f): f is File => typeof f !== "string" && f.size > 0);
    let source: ConnectionInput | undefined;
    let files: StartInput["files"];
    if (o.sourceType === "connection") {
      const conn = connectionSchema.safeParse(texts(body));
      if (!conn.success) return fail(fieldErrorsOf(conn.error), "Complete the SQL Server connection, or choose files to upload instead.");
      source = { ...conn.data, ...(conn.data.password ? {} : { password: undefined }) };
    } else {
      if (!uploads.length) return fail({ files: ["choose at least one .sql, .zip or .dacpac file"] }, "Nothing to migrate: choose the database's scripts, an SSDT project as .zip, or a .dacpac.");
      if (uploads.length > MAX_FILES) return fail({ files: [`at most ${MAX_FILES} files; zip a larger folder`] });
      const bad = uploads.filter((f) => !ALLOWED.test(f.name));
      if (bad.length) return fail({ files: [`not a .sql, .zip or .dacpac file: ${bad.slice(0, 5).map((f) => f.name).join(", ")}`] }, "Only T-SQL scripts (.sql), zipped folders (.zip) and .dacpac files can be migrated.");
      files = await Promise.all(uploads.map(async (f) => ({ filename: f.name.split(/[\\/]/).pop()!, content: Buffer.from(await f.arrayBuffer()) })));
    }
    const input: StartInput = {
      orgId: p.orgId,
      userId: p.userId,
      name: o.name,
      target: o.target,
      // The run's options (server/agents/workspace.ts RunOptions).
      options: { validate: o.validate, rows: o.rows, maxAttempts: o.maxAttempts, ...(o.projectName ? { projectName: o.projectName } : {}) },
      ...(files ? { files } : {}),
      ...(source ? { source } : {}),
    };
    const started = await startFromPage(c, input);
    if (!started.ok) return fail(started.fields ?? {}, started.message);
    return redirectAfterPost(c, `/migrations/${started.id}`);
  });

  app.post("/migrations/:id/cancel", async (c) => {
    const id = c.req.param("id");
    if (!isUuid(id)) return renderPage(c, "error", { title: "Not found", message: "No such migration in your organisation." }, 404);
    const r = await cancelFromPage(c, id);
    if (r === "not-found") return renderPage(c, "error", { title: "Not found", message: "No such migration in your organisation." }, 404);
    return redirectAfterPost(c, `/migrations/${id}`);
  });

  return app;
}
