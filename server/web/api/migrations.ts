// /api/v1/migrations: the organisation's migration projects and their runs.
//
//   POST /                 multipart/form-data (name, target, files..., options?) or JSON
//                          {name, target, source?, options?}: 201 with the migration, status queued;
//                          the run happens in a worker (server/jobs)
//   GET  /                 paged list
//   GET  /:id              the migration with stages, objects (status, evidence, tier, diagnostics), counts
//   POST /:id/cancel       queued: cancelled at once (200); running: requested (202), ends cancelled
//   GET  /:id/events       progress as server-sent events (resumable with Last-Event-ID); ends when the run ends
//   POST /:id/objects/:objectId/rerun   {kind: translate|validate|rebuild}: 202 with the re-run, queued;
//                          404 unknown migration/object (or another organisation's); 409 while the
//                          run is queued/running or another re-run of the migration is active
//   GET  /:id/objects/:objectId/reruns  the object's re-runs, newest first (status, before/after)
//   GET  /:id/reruns/:rerunId           one re-run (poll it until completed or failed)
import type { MiddlewareHandler } from "hono";
import { Hono } from "hono";
import { streamSSE } from "hono/streaming";
import { z } from "zod";
import { principalOf } from "../../auth/middleware.ts";
import { guardFields } from "../../guardian/middleware.ts";
import { listMigrationObjects } from "../../db/queries/migration-models.ts";
import { getMigration, listMigrationEvents, listMigrationSources, listMigrations } from "../../db/queries/migrations.ts";
import type { Migration, MigrationStatus, MigrationTarget } from "../../db/schema/migrations.ts";
import { cancelMigration } from "../../jobs/cancel.ts";
import { getObjectRerun, listObjectReruns, requestObjectRerun, rerunJson } from "../../jobs/rerun.ts";
import { OBJECT_RERUN_KINDS } from "../../db/schema/migrations.ts";
import {
  migrationNameSchema,
  migrationTargetSchema,
  runOptionsSchema,
  sourceConnectionSchema,
  startMigration,
  StartMigrationError,
  UPLOAD_LIMITS,
  type UploadedFile,
} from "../../jobs/start.ts";
import { clientIp, type AppContext, type AppEnv } from "../env.ts";
import { ApiError, errors } from "../errors.ts";
import { fieldErrors, isUuid, limitBody, nulCharacterFields, paginationSchema, readJson, readQuery } from "../validation.ts";

export const createMigrationSchema = z.strictObject({
  name: migrationNameSchema,
  target: migrationTargetSchema,
  source: sourceConnectionSchema.optional(),
  options: runOptionsSchema.optional(),
});

export const objectRerunSchema = z.strictObject({
  kind: z.enum(OBJECT_RERUN_KINDS, { message: `expected one of ${OBJECT_RERUN_KINDS.join(", ")}` }),
});

const TERMINAL: MigrationStatus[] = ["completed", "failed", "cancelled"];
/** JSON bodies stay small; uploads get room for their files (plus multipart overhead). */
const JSON_BODY_LIMIT = 16 * 1024;
export const UPLOAD_BODY_LIMIT = UPLOAD_LIMITS.maxTotalBytes + 1024 * 1024;
/** How often an open event stream looks for new events. */
export const EVENT_POLL_MS = 300;
const KEEPALIVE_MS = 15_000;
/** Guardian's input middleware scans multipart bodies up to this size itself (server/guardian/middleware.ts). */
const GUARDIAN_MULTIPART_SCAN_LIMIT = 64 * 1024;

function isMultipart(c: AppContext): boolean {
  return /^multipart\/form-data\s*;/i.test(c.req.header("content-type") ?? "");
}

/** The upload request, which the API's default body limit must let through (its own limit applies). */
export function isSourceUpload(c: AppContext): boolean {
  return c.req.method === "POST" && /^\/api\/v1\/migrations\/?$/.test(c.req.path) && isMultipart(c);
}

/** The config as clients see it: a source password is never sent back. */
function publicConfig(config: Migration["config"]): Record<string, unknown> {
  const source = config.source as Record<string, unknown> | undefined;
  if (!source || typeof source !== "object") return config;
  const { password, ...rest } = source;
  return { ...config, source: { ...rest, hasPassword: typeof password === "string" && password.length > 0 } };
}

export function migrationJson(m: Migration) {
  return {
    id: m.id,
    name: m.name,
    status: m.status,
    target: m.config.target,
    config: publicConfig(m.config),
    createdBy: m.userId,
    createdAt: m.createdAt.toISOString(),
    updatedAt: m.updatedAt.toISOString(),
    startedAt: m.startedAt?.toISOString() ?? null,
    finishedAt: m.finishedAt?.toISOString() ?? null,
    error: m.error,
  };
}

function countBy<T>(items: T[], key: (t: T) => string | null): Record<string, number> {
  const out: Record<string, number> = {};
  for (const i of items) {
    const k = key(i) ?? "none";
    out[k] = (out[k] ?? 0) + 1;
  }
  return out;
}

function toApiError(err: unknown): never {
  if (err instanceof StartMigrationError) {
    if (err.status === 415) throw new ApiError(415, err.code, err.message, err.fields);
    if (err.status === 413) throw new ApiError(413, err.code, err.message, err.fields);
    if (err.status === 503) throw new ApiError(503, err.code, err.message, err.fields);
    throw new ApiError(400, err.code, err.message, err.fields);
  }
  throw err;
}

const uploadFieldsSchema = z.strictObject({
  name: z.string({ message: "expected a name" }),
  target: z.string({ message: `expected a target` }),
  options: z.string({ message: "expected a JSON object" }).optional(),
});

async function readUpload(c: AppContext): Promise<{ name: string; target: string; options?: Record<string, unknown>; files: UploadedFile[] }> {
  let body: Record<string, string | File | (string | File)[]>;
  try {
    body = (await c.req.parseBody({ all: true })) as typeof body;
  } catch {
    throw errors.validation({ "(body)": ["the multipart/form-data body could not be parsed"] }, "the upload could not be read");
  }
  const fields: Record<string, unknown> = {};
  const files: File[] = [];
  for (const [k, v] of Object.entries(body)) {
    const values = Array.isArray(v) ? v : [v];
    if (k === "files" || k === "files[]") {
      for (const f of values) {
        if (typeof f === "string") throw errors.validation({ files: ["expected file uploads, got a text field"] });
        files.push(f);
      }
      continue;
    }
    if (values.length !== 1 || typeof values[0] !== "string") throw errors.validation({ [k]: [typeof values[0] === "string" ? "given more than once" : "unexpected file (upload files as 'files')"] });
    fields[k] = values[0];
  }
  const nul = nulCharacterFields(fields);
  if (Object.keys(nul).length) throw errors.validation(nul);
  // Larger uploads are left to the handler by Guardian's middleware: their text fields are checked here.
  if (!(Number(c.req.header("content-length") ?? NaN) <= GUARDIAN_MULTIPART_SCAN_LIMIT)) await guardFields(c, fields as Record<string, string>);
  const parsed = uploadFieldsSchema.safeParse(fields);
  if (!parsed.success) throw errors.validation(fieldErrors(parsed.error));
  let options: Record<string, unknown> | undefined;
  if (parsed.data.options !== undefined && parsed.data.options.trim() !== "") {
    let value: unknown;
    try {
      value = JSON.parse(parsed.data.options);
    } catch {
      throw errors.validation({ options: ["expected a JSON object"] });
    }
    const o = runOptionsSchema.safeParse(value);
    if (!o.success || Array.isArray(value)) throw errors.validation({ options: ["expected a JSON object"] });
    options = o.data;
  }
  if (files.length === 0) throw errors.validation({ files: ["at least one .sql, .zip or .dacpac file is required"] });
  const uploaded = await Promise.all(files.map(async (f) => ({ filename: f.name, content: Buffer.from(await f.arrayBuffer()) })));
  return { name: parsed.data.name, target: parsed.data.target, ...(options ? { options } : {}), files: uploaded };
}

const jsonLimit = limitBody(JSON_BODY_LIMIT);
const uploadLimit = limitBody(UPLOAD_BODY_LIMIT);
const postLimit: MiddlewareHandler<AppEnv> = (c, next) => (isMultipart(c) ? uploadLimit(c, next) : jsonLimit(c, next));

function lastEventId(c: AppContext): number {
  const raw = c.req.header("last-event-id") ?? c.req.query("after") ?? "0";
  if (!/^\d{1,15}$/.test(raw.trim())) throw errors.validation({ "Last-Event-ID": ["expected the id of an event (a non-negative integer)"] });
  return Number(raw.trim());
}

export function migrationsApi(): Hono<AppEnv> {
  const app = new Hono<AppEnv>();

  app.get("/", async (c) => {
    const p = principalOf(c);
    const page = readQuery(c, paginationSchema);
    const result = await listMigrations(c.var.db, p.orgId, page);
    return c.json({ ...result, items: result.items.map(migrationJson) });
  });

  app.post("/", postLimit, async (c) => {
    const p = principalOf(c);
    const input = isMultipart(c) ? await readUpload(c) : await readJson(c, createMigrationSchema);
    const m = await startMigration(c.var.deps, {
      orgId: p.orgId,
      userId: p.userId,
      name: input.name,
      target: input.target as MigrationTarget,
      ...("options" in input && input.options ? { options: input.options } : {}),
      ...("files" in input ? { files: input.files } : {}),
      ...("source" in input && input.source ? { source: input.source } : {}),
      ip: clientIp(c),
      via: p.via,
    }).catch(toApiError);
    return c.json(migrationJson(m), 201);
  });

  const load = async (c: AppContext) => {
    const p = principalOf(c);
    const id = c.req.param("id");
    // Another organisation's id and a non-existent id look the same.
    const m = isUuid(id) ? await getMigration(c.var.db, p.orgId, id) : undefined;
    if (!m) throw errors.notFound("migration");
    return { p, m };
  };

  app.get("/:id", async (c) => {
    const { p, m } = await load(c);
    const [objects, sources] = await Promise.all([listMigrationObjects(c.var.db, p.orgId, m.id), listMigrationSources(c.var.db, p.orgId, m.id)]);
    return c.json({
      ...migrationJson(m),
      stages: m.stages,
      objects: objects.map((o) => ({
        // The id names the object in /objects/:objectId/rerun and /reruns.
        id: o.id,
        schema: o.schema,
        name: o.name,
        kind: o.kind,
        status: o.status,
        evidence: o.evidence,
        tier: o.tier,
        modelPath: o.modelPath,
        attempts: o.attempts,
        diagnostics: o.diagnostics,
      })),
      counts: {
        objects: objects.length,
        byStatus: countBy(objects, (o) => o.status),
        byEvidence: countBy(objects, (o) => o.evidence),
        byTier: countBy(objects, (o) => o.tier),
      },
      sources: sources.map((s) => ({ filename: s.filename, size: s.size, sha256: s.sha256 })),
    });
  });

  app.post("/:id/cancel", async (c) => {
    const { p, m } = await load(c);
    const r = await cancelMigration(c.var.deps, { orgId: p.orgId, userId: p.userId, migrationId: m.id, ip: clientIp(c) });
    if (r.kind === "not_found") throw errors.notFound("migration");
    if (r.kind === "finished") throw errors.conflict("already_finished", `the migration already ended (${r.migration.status}); there is nothing to cancel`);
    if (r.kind === "cancelled") return c.json(migrationJson(r.migration), 200);
    return c.json({ ...migrationJson(r.migration), cancelRequested: true }, 202);
  });

  app.post("/:id/objects/:objectId/rerun", jsonLimit, async (c) => {
    const p = principalOf(c);
    const id = c.req.param("id");
    const objectId = c.req.param("objectId");
    if (!isUuid(id)) throw errors.notFound("migration");
    if (!isUuid(objectId)) throw errors.notFound("object");
    const input = await readJson(c, objectRerunSchema);
    const r = await requestObjectRerun(c.var.deps, { orgId: p.orgId, userId: p.userId, migrationId: id, objectId, kind: input.kind, ip: clientIp(c), via: p.via });
    if (r.kind === "not_found") throw errors.notFound(r.what);
    if (r.kind === "conflict") throw errors.conflict(r.code, r.message);
    return c.json({ ...rerunJson(r.run), object: r.object }, 202);
  });

  app.get("/:id/objects/:objectId/reruns", async (c) => {
    const { p, m } = await load(c);
    const objectId = c.req.param("objectId");
    if (!isUuid(objectId)) throw errors.notFound("object");
    const items = await listObjectReruns(c.var.db, p.orgId, m.id, objectId, 100);
    return c.json({ items: items.map(rerunJson) });
  });

  app.get("/:id/reruns/:rerunId", async (c) => {
    const { p, m } = await load(c);
    const rerunId = c.req.param("rerunId");
    const r = isUuid(rerunId) ? await getObjectRerun(c.var.db, p.orgId, rerunId) : undefined;
    if (!r || r.migrationId !== m.id) throw errors.notFound("re-run");
    return c.json(rerunJson(r));
  });

  app.get("/:id/events", async (c) => {
    const { p, m } = await load(c);
    let after = lastEventId(c);
    const db = c.var.db;
    return streamSSE(
      c,
      async (stream) => {
        let open = true;
        stream.onAbort(() => {
          open = false;
        });
        let quietSince = Date.now();
        while (open) {
          // Status first, events second: events written before a run ended are all sent before `end`.
          const status = (await getMigration(db, p.orgId, m.id))?.status;
          const events = await listMigrationEvents(db, p.orgId, m.id, { afterId: after, limit: 500 });
          for (const e of events) {
            await stream.writeSSE({
              id: String(e.id),
              event: "progress",
              data: JSON.stringify({ id: e.id, stage: e.stage, object: e.object, message: e.message, data: e.data, createdAt: e.createdAt.toISOString() }),
            });
            after = e.id;
          }
          if (events.length === 500) continue;
          if (!status || TERMINAL.includes(status)) {
            await stream.writeSSE({ event: "end", data: JSON.stringify({ status: status ?? "deleted" }) });
            break;
          }
          if (events.length) quietSince = Date.now();
          else if (Date.now() - quietSince > KEEPALIVE_MS) {
            await stream.write(": keepalive\n\n");
            quietSince = Date.now();
          }
          await stream.sleep(EVENT_POLL_MS);
        }
      },
      async (err) => {
        c.var.log.error({ err, migrationId: m.id }, "event stream failed");
      },
    );
  });

  return app;
}
