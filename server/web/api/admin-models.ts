// /api/v1/admin/models: the fine-tuned model workflow for organisation admins (issue 10).
//
//   GET    /                       endpoints' models, registered models with their latest evaluation, routes, uploads
//   POST   /uploads                {kind: gguf|adapter|modelfile, filename, size} → 201 {id, received: 0, ...}
//   GET    /uploads/:id            {received, size, status, digest}: where to resume an interrupted upload
//   PUT    /uploads/:id?offset=N   the file's bytes from offset N (application/octet-stream, streamed to disk);
//                                  409 {error, offset} when N is not what the server has
//   DELETE /uploads/:id            discard it (file and row)
//   POST   /ollama                 {name, modelfile | modelfileUploadId, description?}: blobs + /api/create +
//                                  register; 201 {model, statuses}
//   POST   /evaluations            {model, limit?}: run the eval split through it; 201 the stored result
//   GET    /evaluations            the latest evaluation per model
//
// Registering a vLLM model or LoRA adapter by name, routes and removal are /api/v1/models (the router's
// registry API); this module adds what needs files and the evaluation.
import { readFile } from "node:fs/promises";
import { Hono } from "hono";
import { z } from "zod";
import { principalOf, requireAdmin } from "../../auth/middleware.ts";
import { recordAudit } from "../../db/queries/audit.ts";
import { getModelUpload, latestEvaluations } from "../../db/queries/finetune.ts";
import { MODEL_UPLOAD_KINDS } from "../../db/schema/finetune.ts";
import { EvalError } from "../../finetune/eval.ts";
import { ModelfileError } from "../../finetune/modelfile.ts";
import { loadIntoOllama, OllamaLoadError } from "../../finetune/ollama-load.ts";
import { evaluationJson, ollamaEndpoint, registryOverview, runEvaluation, uploadJson } from "../../finetune/registry.ts";
import { checkUploadName, discardUpload, startUpload, UploadError, uploadPath, writeChunk } from "../../finetune/uploads.ts";
import { clientIp, type AppContext, type AppEnv } from "../env.ts";
import { ApiError, errors } from "../errors.ts";
import { isUuid, limitBody, readJson } from "../validation.ts";

/** PUT of an upload's bytes: exempt from the API's small default body limit (the route checks the size itself). */
export function isModelUploadChunk(c: AppContext): boolean {
  return c.req.method === "PUT" && /^(\/api\/v1)?\/admin\/models\/uploads\/[0-9a-fA-F-]{36}\/?$/.test(c.req.path);
}

export const startUploadSchema = z.strictObject({
  kind: z.enum(MODEL_UPLOAD_KINDS, { message: `expected one of ${MODEL_UPLOAD_KINDS.join(", ")}` }),
  filename: z.string({ message: "expected a file name" }).min(1).max(200),
  size: z.number({ message: "expected the file size in bytes" }).int().positive({ message: "expected a positive size" }),
});

// Names as Ollama accepts them: model[:tag], optionally namespace/model.
const modelName = z
  .string({ message: "expected a model name" })
  .trim()
  .regex(/^[a-z0-9][a-z0-9._-]*(\/[a-z0-9][a-z0-9._-]*)?(:[A-Za-z0-9][A-Za-z0-9._-]{0,127})?$/, {
    message: "lower-case letters, digits, . _ -, an optional namespace/ and :tag",
  })
  .max(200);

export const loadSchema = z
  .strictObject({
    name: modelName,
    modelfile: z.string().max(256 * 1024).optional(),
    modelfileUploadId: z.string().optional(),
    description: z.string().max(500).optional(),
  })
  .refine((v) => (v.modelfile === undefined) !== (v.modelfileUploadId === undefined), {
    message: "send the Modelfile as text (modelfile) or as an uploaded file (modelfileUploadId), not both",
    path: ["modelfile"],
  });

export const evaluateSchema = z.strictObject({
  model: z.string().trim().min(1).max(200),
  limit: z.number().int().positive().max(10_000).optional(),
});

/** Maps the fine-tuning errors to API errors with their code in the message. */
export function finetuneApiError(err: unknown): ApiError | undefined {
  if (err instanceof ModelfileError) return new ApiError(400, "invalid_modelfile", err.message, { modelfile: [err.message] });
  if (err instanceof UploadError) {
    const e = new ApiError(err.status, err.code === "FT2001" ? "not_gguf" : "upload_failed", err.message);
    return e;
  }
  if (err instanceof OllamaLoadError) {
    const code = err.code === "FT2002" ? "digest_mismatch" : err.code === "FT1004" ? "invalid_request" : "model_server_error";
    return new ApiError(err.status, code, err.message);
  }
  if (err instanceof EvalError) return new ApiError(409, "eval_split_empty", err.message);
  return undefined;
}

async function audit(c: AppContext, eventType: `${string}.${string}`, details: Record<string, unknown>) {
  const p = principalOf(c);
  await recordAudit(c.var.db, { orgId: p.orgId, userId: p.userId, eventType, details, ip: clientIp(c), at: c.var.deps.clock() });
}

/** Shared by the API and the admin page (which authenticates by cookie). */
export async function handleChunk(c: AppContext): Promise<Response> {
  const p = principalOf(c);
  const id = c.req.param("id") ?? "";
  if (!isUuid(id)) throw errors.notFound("upload");
  const raw = c.req.query("offset") ?? c.req.header("upload-offset") ?? "0";
  if (!/^\d{1,15}$/.test(raw)) throw errors.validation({ offset: ["expected a byte offset"] });
  try {
    const r = await writeChunk(c.var.db, c.var.deps.config.dataDir, p.orgId, id, Number(raw), c.req.raw.body);
    if (r.upload.status === "complete") await audit(c, "model.uploaded", { uploadId: id, kind: r.upload.kind, filename: r.upload.filename, digest: r.upload.digest });
    return c.json({ ...uploadJson(r.upload), interrupted: r.interrupted });
  } catch (err) {
    if (err instanceof UploadError && err.status === 409) {
      return c.json({ error: { code: "offset_mismatch", message: err.message }, offset: err.received ?? 0 }, 409);
    }
    throw finetuneApiError(err) ?? err;
  }
}

export async function handleStartUpload(c: AppContext, input: z.output<typeof startUploadSchema>): Promise<Response> {
  const p = principalOf(c);
  const bad = checkUploadName(input.kind, input.filename);
  if (bad) throw errors.validation({ filename: [bad] });
  try {
    const u = await startUpload(c.var.db, c.var.deps.config.dataDir, p.orgId, { userId: p.userId, ...input });
    return c.json(uploadJson(u), 201);
  } catch (err) {
    throw finetuneApiError(err) ?? err;
  }
}

export async function loadModel(c: AppContext, input: z.output<typeof loadSchema>) {
  const p = principalOf(c);
  const url = ollamaEndpoint(c.var.deps.config);
  if (!url) throw errors.conflict("no_ollama", "no Ollama endpoint is configured on this server (OLLAMA_URL)");
  let modelfile = input.modelfile;
  if (input.modelfileUploadId !== undefined) {
    const u = isUuid(input.modelfileUploadId) ? await getModelUpload(c.var.db, p.orgId, input.modelfileUploadId) : undefined;
    if (!u || u.kind !== "modelfile" || u.status !== "complete") throw errors.validation({ modelfileUploadId: ["not a complete Modelfile upload of your organisation"] });
    modelfile = await readFile(uploadPath(c.var.deps.config.dataDir, u), "utf8");
  }
  try {
    const r = await loadIntoOllama(c.var.db, c.var.deps.config.dataDir, p.orgId, url, {
      name: input.name,
      modelfile: modelfile!,
      description: input.description ?? null,
    });
    await audit(c, "model.registered", { name: r.model.name, provider: "ollama", endpointUrl: url, kind: r.model.kind, loaded: true });
    return r;
  } catch (err) {
    throw finetuneApiError(err) ?? err;
  }
}

export function adminModelsApi(): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.use(requireAdmin());

  app.get("/", async (c) => c.json(await registryOverview(c.var.db, c.var.deps.config, principalOf(c).orgId)));

  app.post("/uploads", limitBody(4 * 1024), async (c) => handleStartUpload(c, await readJson(c, startUploadSchema)));

  app.get("/uploads/:id", async (c) => {
    const id = c.req.param("id");
    const u = isUuid(id) ? await getModelUpload(c.var.db, principalOf(c).orgId, id) : undefined;
    if (!u) throw errors.notFound("upload");
    return c.json(uploadJson(u));
  });

  app.put("/uploads/:id", (c) => handleChunk(c));

  app.delete("/uploads/:id", async (c) => {
    const id = c.req.param("id");
    if (!isUuid(id) || !(await discardUpload(c.var.db, c.var.deps.config.dataDir, principalOf(c).orgId, id))) throw errors.notFound("upload");
    return c.body(null, 204);
  });

  app.post("/ollama", limitBody(300 * 1024), async (c) => {
    const r = await loadModel(c, await readJson(c, loadSchema));
    return c.json({ model: { name: r.model.name, provider: r.model.provider, kind: r.model.kind, endpointUrl: r.model.endpointUrl }, statuses: r.statuses, blobsSent: r.blobsSent }, 201);
  });

  app.get("/evaluations", async (c) => {
    const evals = await latestEvaluations(c.var.db, principalOf(c).orgId);
    return c.json({ items: [...evals.values()].map(evaluationJson) });
  });

  app.post("/evaluations", limitBody(4 * 1024), async (c) => {
    const p = principalOf(c);
    const input = await readJson(c, evaluateSchema);
    try {
      const e = await runEvaluation(c.var.db, c.var.deps.config, p.orgId, input.model, { logger: c.var.log, ...(input.limit ? { limit: input.limit } : {}) });
      await audit(c, "model.evaluated", { model: e.model, examples: e.examples, passRate: e.passRate, baselinePassRate: e.baselinePassRate });
      return c.json(evaluationJson(e), 201);
    } catch (err) {
      throw finetuneApiError(err) ?? err;
    }
  });

  return app;
}
