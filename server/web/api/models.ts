// /api/v1/models: the organisation's model registry, tier routes and outbound allowance.
//
//   GET    /                registered models, the models every configured endpoint serves, this
//                           organisation's effective tier routes and its outbound settings
//   POST   /                (admin) register a model by name: {name, provider, endpointUrl?, kind?, baseModel?, description?, enabled?};
//                           the answer says whether the endpoint serves that name now (`served`: true, false, null = cannot tell)
//   PATCH  /:name           (admin) {enabled?, description?}
//   DELETE /:name           (admin) remove it (and take it out of every route)
//   PUT    /routes          (admin) {routes: {SIMPLE?: [names], ...}}: chains, primary first; [] = back to the default
//   PUT    /settings        (admin) {allowOutbound, allowedProviders}: cloud providers stay refused unless both allow them
//   GET    /calls           the call log (?migrationId, limit, offset) and a summary per model and outcome
//
// Models can only point at endpoints configured on this server (OLLAMA_URL, OPENAI_COMPAT_URL, cloud
// keys): the router never calls an address a browser supplied.
import { Hono } from "hono";
import { z } from "zod";
import { principalOf, requireAdmin } from "../../auth/middleware.ts";
import { recordAudit } from "../../db/queries/audit.ts";
import {
  getLlmSettings,
  getTierRoutes,
  listLlmCalls,
  listRegisteredModels,
  ModelNameTakenError,
  registerModel,
  removeModel,
  setLlmSettings,
  setModelEnabled,
  setTierRoute,
  summarizeLlmCalls,
} from "../../db/queries/llm.ts";
import { CLOUD_PROVIDERS, LLM_PROVIDERS, MODEL_KINDS, type LlmCall, type RegisteredModel } from "../../db/schema/llm.ts";
import { loadDefaultRoutes } from "../../llm/defaults.ts";
import { configuredEndpoints, isCloudProvider, normalizeEndpointUrl } from "../../llm/providers.ts";
import { listEndpointModels } from "../../llm/router.ts";
import { COMPLEXITY_TIERS, type ComplexityTier } from "../../llm/types.ts";
import { clientIp, type AppContext, type AppEnv } from "../env.ts";
import { errors } from "../errors.ts";
import { isUuid, limitBody, paginationSchema, readJson, readQuery } from "../validation.ts";

const NAME_MESSAGE = "expected a model name as its server knows it (letters, digits, . _ : / @ -; at most 200 characters)";
export const modelNameField = z
  .string({ message: NAME_MESSAGE })
  .trim()
  .min(1, { message: "required" })
  .max(200, { message: NAME_MESSAGE })
  .regex(/^[A-Za-z0-9][A-Za-z0-9._:/@-]*$/, { message: NAME_MESSAGE });

export const registerModelSchema = z.strictObject({
  name: modelNameField,
  provider: z.enum(LLM_PROVIDERS, { message: `expected one of ${LLM_PROVIDERS.join(", ")}` }),
  endpointUrl: z.string({ message: "expected a URL" }).trim().max(500, { message: "at most 500 characters" }).optional(),
  kind: z.enum(MODEL_KINDS, { message: `expected one of ${MODEL_KINDS.join(", ")}` }).default("base"),
  baseModel: modelNameField.optional(),
  description: z.string({ message: "expected text" }).trim().max(1000, { message: "at most 1000 characters" }).optional(),
  enabled: z.boolean({ message: "expected true or false" }).default(true),
});

export const updateModelSchema = z
  .strictObject({
    enabled: z.boolean({ message: "expected true or false" }).optional(),
  })
  .refine((v) => v.enabled !== undefined, { message: "nothing to change: expected enabled" });

const MAX_CHAIN = 10;
// Piped so that the length and uniqueness checks run only on a list (zod would also report them for a string).
const chainField = z.array(modelNameField, { message: "expected a list of model names" }).pipe(
  z
    .array(z.string())
    .max(MAX_CHAIN, { message: `at most ${MAX_CHAIN} models` })
    .refine((names) => new Set(names).size === names.length, { message: "a model may appear only once" }),
);

export const setRoutesSchema = z.strictObject({
  routes: z.strictObject(
    Object.fromEntries(COMPLEXITY_TIERS.map((t) => [t, chainField.optional()])) as Record<ComplexityTier, z.ZodOptional<typeof chainField>>,
    { message: `expected an object with tiers ${COMPLEXITY_TIERS.join(", ")}` },
  ),
});

export const settingsSchema = z.strictObject({
  allowOutbound: z.boolean({ message: "expected true or false" }),
  allowedProviders: z
    .array(z.enum(CLOUD_PROVIDERS, { message: `expected one of ${CLOUD_PROVIDERS.join(", ")}` }), { message: "expected a list of providers" })
    .max(CLOUD_PROVIDERS.length)
    .default([]),
});

const callsQuerySchema = paginationSchema.extend({
  migrationId: z.string().optional(),
});

export function modelJson(m: RegisteredModel) {
  return {
    id: m.id,
    name: m.name,
    provider: m.provider,
    endpointUrl: m.endpointUrl,
    kind: m.kind,
    baseModel: m.baseModel,
    description: m.description,
    enabled: m.enabled,
    cloud: isCloudProvider(m.provider),
    createdAt: m.createdAt.toISOString(),
  };
}

function callJson(c: LlmCall) {
  return {
    id: c.id,
    migrationId: c.migrationId,
    agent: c.agent,
    tier: c.tier,
    model: c.model,
    provider: c.provider,
    endpoint: c.endpoint,
    tokensIn: c.tokensIn,
    tokensOut: c.tokensOut,
    latencyMs: c.latencyMs,
    outcome: c.outcome,
    error: c.error,
    createdAt: c.createdAt.toISOString(),
  };
}

/** Effective chain per tier, saying whether it is the organisation's or the default. */
async function routesView(c: AppContext, orgId: string) {
  const defaults = loadDefaultRoutes();
  const own = await getTierRoutes(c.var.db, orgId);
  return Object.fromEntries(
    COMPLEXITY_TIERS.map((t) => [t, own[t] ? { models: own[t], source: "organization" } : { models: defaults.tiers[t], source: "default" }]),
  );
}

/** Whether the model's endpoint lists it now (Ollama adds ":latest" to untagged names); null when it cannot be asked. */
async function isServed(c: AppContext, m: RegisteredModel): Promise<boolean | null> {
  if (isCloudProvider(m.provider)) return null;
  const listing = (await listEndpointModels(c.var.deps.config, { timeoutMs: 3000 })).find((l) => l.provider === m.provider && l.endpoint === m.endpointUrl);
  if (!listing?.ok) return null;
  return listing.models.some((x) => x.name === m.name || x.name === `${m.name}:latest`);
}

async function audit(c: AppContext, eventType: "model.registered" | "model.updated" | "model.removed", details: Record<string, unknown>) {
  const p = principalOf(c);
  await recordAudit(c.var.db, { orgId: p.orgId, userId: p.userId, eventType, details, ip: clientIp(c), at: c.var.deps.clock() });
}

export function modelsApi(): Hono<AppEnv> {
  const app = new Hono<AppEnv>();

  app.get("/", async (c) => {
    const p = principalOf(c);
    const [registered, routes, settings, endpoints] = await Promise.all([
      listRegisteredModels(c.var.db, p.orgId),
      routesView(c, p.orgId),
      getLlmSettings(c.var.db, p.orgId),
      listEndpointModels(c.var.deps.config, { timeoutMs: 3000 }),
    ]);
    return c.json({
      items: registered.map(modelJson),
      endpoints,
      defaults: loadDefaultRoutes().models,
      routes,
      settings,
    });
  });

  app.get("/calls", async (c) => {
    const p = principalOf(c);
    const q = readQuery(c, callsQuerySchema);
    if (q.migrationId !== undefined && !isUuid(q.migrationId)) throw errors.validation({ migrationId: ["expected a migration id"] });
    const filter = q.migrationId ? { migrationId: q.migrationId } : {};
    const [items, summary] = await Promise.all([
      listLlmCalls(c.var.db, p.orgId, { ...filter, limit: q.limit, offset: q.offset }),
      summarizeLlmCalls(c.var.db, p.orgId, filter),
    ]);
    return c.json({ items: items.map(callJson), summary, limit: q.limit, offset: q.offset });
  });

  app.post("/", requireAdmin(), limitBody(8 * 1024), async (c) => {
    const p = principalOf(c);
    const input = await readJson(c, registerModelSchema);
    const candidates = configuredEndpoints(c.var.deps.config).filter((e) => e.provider === input.provider);
    if (candidates.length === 0) {
      throw errors.validation({ provider: [`no ${input.provider} endpoint is configured on this server`] });
    }
    let endpointUrl = candidates[0]!.url;
    if (input.endpointUrl !== undefined) {
      const wanted = normalizeEndpointUrl(input.endpointUrl);
      const match = candidates.find((e) => e.url === wanted);
      if (!match) {
        throw errors.validation({
          endpointUrl: [`must be a configured ${input.provider} endpoint (${candidates.map((e) => e.url).join(", ")})`],
        });
      }
      endpointUrl = match.url;
    }
    try {
      const model = await registerModel(c.var.db, p.orgId, {
        name: input.name,
        provider: input.provider,
        endpointUrl,
        kind: input.kind,
        baseModel: input.baseModel ?? null,
        description: input.description ?? null,
        enabled: input.enabled,
      });
      await audit(c, "model.registered", { name: model.name, provider: model.provider, endpointUrl: model.endpointUrl, kind: model.kind });
      // Registration is by name and succeeds even when the server does not serve it (yet): say so.
      return c.json({ ...modelJson(model), served: await isServed(c, model) }, 201);
    } catch (err) {
      if (err instanceof ModelNameTakenError) throw errors.conflict("model_exists", err.message, { name: ["already registered"] });
      throw err;
    }
  });

  app.put("/routes", requireAdmin(), limitBody(8 * 1024), async (c) => {
    const p = principalOf(c);
    const input = await readJson(c, setRoutesSchema);
    const known = new Set([...(await listRegisteredModels(c.var.db, p.orgId)).map((m) => m.name), ...loadDefaultRoutes().models]);
    const fields: Record<string, string[]> = {};
    for (const tier of COMPLEXITY_TIERS) {
      input.routes[tier]?.forEach((name, i) => {
        if (!known.has(name)) fields[`routes.${tier}.${i}`] = [`'${name}' is not a registered model`];
      });
    }
    if (Object.keys(fields).length) throw errors.validation(fields);
    for (const tier of COMPLEXITY_TIERS) {
      const chain = input.routes[tier];
      if (chain) await setTierRoute(c.var.db, p.orgId, tier, chain);
    }
    await audit(c, "model.updated", { routes: input.routes });
    return c.json({ routes: await routesView(c, p.orgId) });
  });

  app.put("/settings", requireAdmin(), limitBody(4 * 1024), async (c) => {
    const p = principalOf(c);
    const input = await readJson(c, settingsSchema);
    const settings = { allowOutbound: input.allowOutbound, allowedProviders: [...new Set(input.allowedProviders)] };
    await setLlmSettings(c.var.db, p.orgId, settings);
    await audit(c, "model.updated", { settings });
    return c.json({ settings });
  });

  // Names may contain "/" (vLLM serves "Qwen/Qwen2.5-Coder-32B-Instruct").
  app.patch("/:name{.+}", requireAdmin(), limitBody(4 * 1024), async (c) => {
    const p = principalOf(c);
    const name = c.req.param("name");
    const input = await readJson(c, updateModelSchema);
    const model = await setModelEnabled(c.var.db, p.orgId, name, input.enabled!);
    if (!model) throw errors.notFound("model");
    await audit(c, "model.updated", { name, enabled: model.enabled });
    return c.json(modelJson(model));
  });

  app.delete("/:name{.+}", requireAdmin(), async (c) => {
    const p = principalOf(c);
    const name = c.req.param("name");
    const removed = await removeModel(c.var.db, p.orgId, name);
    if (!removed) throw errors.notFound("model");
    await audit(c, "model.removed", { name, provider: removed.provider });
    return c.body(null, 204);
  });

  return app;
}
