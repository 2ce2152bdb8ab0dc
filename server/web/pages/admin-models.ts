// /admin/models: the model registry page for organisation admins (issue 10). Lists the models of
// every configured endpoint and the organisation's registered models with their latest evaluation;
// routes tiers; registers a vLLM model or LoRA adapter by name; removes; loads an uploaded GGUF into
// Ollama; runs an evaluation; exports training data. Uploads are sent by public/admin-models.js
// (XHR with upload progress, resumable) to the JSON routes under /admin/models/uploads, which share
// their handlers with the API. Members get a 403 page; the organisation is always the signed-in user's.
import { Hono } from "hono";
import { z } from "zod";
import { recordAudit } from "../../db/queries/audit.ts";
import { getModelUpload } from "../../db/queries/finetune.ts";
import { getRegisteredModel, ModelNameTakenError, registerModel, removeModel, setTierRoute } from "../../db/queries/llm.ts";
import { FINE_TUNING_SPLITS } from "../../db/schema/finetune.ts";
import { MODEL_KINDS } from "../../db/schema/llm.ts";
import { exportTrainingJsonl } from "../../finetune/export.ts";
import { registryOverview, runEvaluation, uploadJson } from "../../finetune/registry.ts";
import { discardUpload } from "../../finetune/uploads.ts";
import { configuredEndpoints, loadDefaultRoutes } from "../../llm/index.ts";
import { COMPLEXITY_TIERS } from "../../llm/types.ts";
import { finetuneApiError, handleChunk, handleStartUpload, loadModel, loadSchema, startUploadSchema } from "../api/admin-models.ts";
import { setFineTuningSettings } from "../../db/queries/finetune.ts";
import { clientIp, type AppContext, type AppEnv } from "../env.ts";
import { ApiError } from "../errors.ts";
import { readForm } from "../forms.ts";
import { renderPage } from "../render.ts";
import { isUuid, limitBody, readJson } from "../validation.ts";
import { requireLogin } from "./app-pages.ts";

function forbidden(c: AppContext): Response {
  return renderPage(c, "error", { title: "Forbidden", message: "Only organisation admins can manage models." }, 403);
}

function isAdmin(c: AppContext): boolean {
  return c.var.principal?.role === "admin";
}

async function page(c: AppContext, extra: Record<string, unknown> = {}, status: 200 | 400 | 409 | 422 | 502 = 200): Promise<Response> {
  const overview = await registryOverview(c.var.db, c.var.deps.config, c.var.principal!.orgId);
  return renderPage(
    c,
    "admin-models",
    {
      ...overview,
      tiers: COMPLEXITY_TIERS,
      kinds: MODEL_KINDS,
      providers: configuredEndpoints(c.var.deps.config).filter((e) => e.provider === "ollama" || e.provider === "openai_compat").map((e) => e.provider),
      values: {},
      fields: {},
      ...extra,
    },
    status,
  );
}

async function audit(c: AppContext, eventType: `${string}.${string}`, details: Record<string, unknown>) {
  const p = c.var.principal!;
  await recordAudit(c.var.db, { orgId: p.orgId, userId: p.userId, eventType, details, ip: clientIp(c), at: c.var.deps.clock() });
}

const routeForm = z.object({
  tier: z.enum(COMPLEXITY_TIERS, { message: `expected one of ${COMPLEXITY_TIERS.join(", ")}` }),
  models: z.string().max(2000).default(""),
});
const registerForm = z.object({
  name: z.string().trim().min(1, { message: "required" }).max(200),
  provider: z.enum(["ollama", "openai_compat"], { message: "expected ollama or openai_compat" }),
  kind: z.enum(MODEL_KINDS).default("base"),
  baseModel: z.string().trim().max(200).optional(),
});
const nameForm = z.object({ name: z.string().trim().min(1, { message: "required" }).max(200) });
const loadForm = z.object({
  name: z.string(),
  modelfile: z.string().optional(),
  modelfileUploadId: z.string().optional(),
});
const settingsForm = z.object({
  minScore: z.coerce.number({ message: "expected a number between 0 and 1" }).min(0).max(1),
  evalPercent: z.coerce.number({ message: "expected a percentage" }).int().min(0).max(100),
});

export function adminModelsPages(): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.use("/admin/models", requireLogin());
  app.use("/admin/models/*", requireLogin());
  app.use("/admin/models", async (c, next) => (isAdmin(c) ? next() : forbidden(c)));
  app.use("/admin/models/*", async (c, next) => (isAdmin(c) ? next() : forbidden(c)));

  app.get("/admin/models", (c) => page(c));

  app.post("/admin/models/routes", async (c) => {
    const f = await readForm(c, routeForm);
    if (!f.ok) return page(c, { routeError: "Choose a tier and a list of models.", fields: f.fields }, 422);
    const chain = f.data.models.split(/[\s,]+/).filter(Boolean);
    const p = c.var.principal!;
    const known = new Set(loadDefaultRoutes().models);
    for (const name of chain) if (!known.has(name) && !(await getRegisteredModel(c.var.db, p.orgId, name))) {
      return page(c, { routeError: `'${name}' is not a registered model.` }, 422);
    }
    await setTierRoute(c.var.db, p.orgId, f.data.tier, chain);
    await audit(c, "model.updated", { routes: { [f.data.tier]: chain } });
    return page(c, { notice: chain.length ? `${f.data.tier} now uses ${chain.join(" → ")}.` : `${f.data.tier} is back to the defaults.` });
  });

  app.post("/admin/models/register", async (c) => {
    const f = await readForm(c, registerForm);
    if (!f.ok) return page(c, { registerError: "Check the fields.", fields: f.fields, values: f.values }, 422);
    const p = c.var.principal!;
    const endpoint = configuredEndpoints(c.var.deps.config).find((e) => e.provider === f.data.provider);
    if (!endpoint) return page(c, { registerError: `No ${f.data.provider} endpoint is configured on this server.`, values: f.data }, 422);
    try {
      const m = await registerModel(c.var.db, p.orgId, {
        name: f.data.name,
        provider: f.data.provider,
        endpointUrl: endpoint.url,
        kind: f.data.kind,
        baseModel: f.data.baseModel || null,
      });
      await audit(c, "model.registered", { name: m.name, provider: m.provider, endpointUrl: m.endpointUrl, kind: m.kind });
      return page(c, { notice: `${m.name} is registered. Route a tier to it below.` });
    } catch (err) {
      if (err instanceof ModelNameTakenError) return page(c, { registerError: err.message, values: f.data }, 409);
      throw err;
    }
  });

  app.post("/admin/models/remove", async (c) => {
    const f = await readForm(c, nameForm);
    if (!f.ok) return page(c, { error: "Which model?" }, 422);
    const removed = await removeModel(c.var.db, c.var.principal!.orgId, f.data.name);
    if (removed) await audit(c, "model.removed", { name: removed.name, provider: removed.provider });
    return page(c, removed ? { notice: `${removed.name} was removed from the registry and from every route.` } : { error: "No such model." });
  });

  app.post("/admin/models/load", async (c) => {
    const f = await readForm(c, loadForm);
    if (!f.ok) return page(c, { loadError: "Check the fields.", fields: f.fields }, 422);
    const input = loadSchema.safeParse({
      name: f.data.name.trim(),
      ...(f.data.modelfileUploadId ? { modelfileUploadId: f.data.modelfileUploadId } : { modelfile: f.data.modelfile ?? "" }),
    });
    if (!input.success) return page(c, { loadError: input.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; "), values: { name: f.data.name } }, 422);
    try {
      const r = await loadModel(c, input.data);
      return page(c, { notice: `${r.model.name} was created in Ollama (${r.statuses.join(", ")}) and registered. Route a tier to it, then evaluate it.` });
    } catch (err) {
      const e = err instanceof ApiError ? err : finetuneApiError(err);
      if (!e) throw err;
      return page(c, { loadError: e.message, values: { name: f.data.name } }, e.status === 502 ? 502 : e.status === 409 ? 409 : 422);
    }
  });

  app.post("/admin/models/evaluate", async (c) => {
    const f = await readForm(c, nameForm);
    if (!f.ok) return page(c, { error: "Which model?" }, 422);
    try {
      const e = await runEvaluation(c.var.db, c.var.deps.config, c.var.principal!.orgId, f.data.name, { logger: c.var.log });
      await audit(c, "model.evaluated", { model: e.model, examples: e.examples, passRate: e.passRate, baselinePassRate: e.baselinePassRate });
      return page(c, {
        notice: `${e.model}: ${e.passed} of ${e.examples} eval examples pass validation (${Math.round(e.passRate * 100)}%); the rules alone: ${Math.round(e.baselinePassRate * 100)}%.`,
      });
    } catch (err) {
      const e = finetuneApiError(err);
      if (!e) throw err;
      return page(c, { error: e.message }, 409);
    }
  });

  app.post("/admin/models/settings", async (c) => {
    const f = await readForm(c, settingsForm);
    if (!f.ok) return page(c, { settingsError: "Check the fields.", fields: f.fields }, 422);
    const settings = await setFineTuningSettings(c.var.db, c.var.principal!.orgId, f.data);
    await audit(c, "finetune.settings_changed", { ...settings });
    return page(c, { notice: "Training data settings saved." });
  });

  app.get("/admin/models/export", async (c) => {
    const split = c.req.query("split");
    if (split !== undefined && !(FINE_TUNING_SPLITS as readonly string[]).includes(split)) return page(c, { error: "split is train or eval" }, 400);
    const p = c.var.principal!;
    const r = await exportTrainingJsonl(c.var.db, p.orgId, split ? { split: split as "train" | "eval" } : {});
    await audit(c, "finetune.exported", { split: split ?? "all", minScore: r.minScore, examples: r.count, via: "page" });
    c.header("Content-Type", "application/x-ndjson; charset=utf-8");
    c.header("Content-Disposition", `attachment; filename="datamigrate-${split ?? "all"}.jsonl"`);
    return c.body(r.jsonl);
  });

  // JSON routes for public/admin-models.js.
  app.post("/admin/models/uploads", limitBody(4 * 1024), async (c) => handleStartUpload(c, await readJson(c, startUploadSchema)));
  app.get("/admin/models/uploads/:id", async (c) => {
    const id = c.req.param("id");
    const u = isUuid(id) ? await getModelUpload(c.var.db, c.var.principal!.orgId, id) : undefined;
    if (!u) return c.json({ error: { code: "not_found", message: "upload not found" } }, 404);
    return c.json(uploadJson(u));
  });
  app.put("/admin/models/uploads/:id", (c) => handleChunk(c));
  app.delete("/admin/models/uploads/:id", async (c) => {
    const id = c.req.param("id");
    const ok = isUuid(id) && (await discardUpload(c.var.db, c.var.deps.config.dataDir, c.var.principal!.orgId, id));
    return ok ? c.body(null, 204) : c.json({ error: { code: "not_found", message: "upload not found" } }, 404);
  });
  // A plain form (no JS) can discard too.
  app.post("/admin/models/uploads/:id/discard", async (c) => {
    const id = c.req.param("id");
    if (isUuid(id)) await discardUpload(c.var.db, c.var.deps.config.dataDir, c.var.principal!.orgId, id);
    return page(c, { notice: "Upload discarded." });
  });

  return app;
}
