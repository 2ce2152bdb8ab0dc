// What the model registry page and API show, and the actions both share: the models every
// configured endpoint serves, the organisation's registered models with their latest evaluation,
// tier routes, uploads, fine-tuning settings and example counts.
import type { Config } from "../config.ts";
import type { Db } from "../db/client.ts";
import { countExamples, getFineTuningSettings, latestEvaluations, listModelUploads } from "../db/queries/finetune.ts";
import { getTierRoutes, listRegisteredModels } from "../db/queries/llm.ts";
import type { ModelEvaluation, ModelUpload } from "../db/schema/finetune.ts";
import { createModelRouter, listEndpointModels, loadDefaultRoutes, normalizeEndpointUrl } from "../llm/index.ts";
import { COMPLEXITY_TIERS } from "../llm/types.ts";
import type { Logger } from "../log.ts";
import { evaluateModel } from "./eval.ts";

export function evaluationJson(e: ModelEvaluation) {
  return {
    id: e.id,
    model: e.model,
    examples: e.examples,
    passed: e.passed,
    passRate: e.passRate,
    baselinePassed: e.baselinePassed,
    baselinePassRate: e.baselinePassRate,
    beatsBaseline: e.passRate > e.baselinePassRate,
    createdAt: e.createdAt.toISOString(),
  };
}

export function uploadJson(u: ModelUpload) {
  return {
    id: u.id,
    kind: u.kind,
    filename: u.filename,
    size: u.size,
    received: u.received,
    status: u.status,
    digest: u.digest,
    createdAt: u.createdAt.toISOString(),
  };
}

export async function registryOverview(db: Db, config: Config, orgId: string, opts: { listTimeoutMs?: number } = {}) {
  const [registered, routes, evals, uploads, settings, counts, endpoints] = await Promise.all([
    listRegisteredModels(db, orgId),
    getTierRoutes(db, orgId),
    latestEvaluations(db, orgId),
    listModelUploads(db, orgId),
    getFineTuningSettings(db, orgId),
    countExamples(db, orgId),
    listEndpointModels(config, { timeoutMs: opts.listTimeoutMs ?? 3000 }),
  ]);
  const defaults = loadDefaultRoutes();
  return {
    endpoints,
    registered: registered.map((m) => {
      const e = evals.get(m.name);
      return {
        name: m.name,
        provider: m.provider,
        endpointUrl: m.endpointUrl,
        kind: m.kind,
        baseModel: m.baseModel,
        description: m.description,
        enabled: m.enabled,
        evaluation: e ? evaluationJson(e) : null,
      };
    }),
    routes: COMPLEXITY_TIERS.map((tier) => ({
      tier,
      models: routes[tier] ?? null,
      defaults: defaults.tiers[tier] ?? [],
    })),
    defaultModels: defaults.models,
    evaluations: [...evals.values()].map(evaluationJson),
    uploads: uploads.map(uploadJson),
    settings,
    examples: counts,
    ollamaConfigured: Boolean(config.ollamaUrl),
  };
}

/** The configured Ollama endpoint, normalised as the router stores endpoints. */
export function ollamaEndpoint(config: Config): string | undefined {
  return config.ollamaUrl ? normalizeEndpointUrl(config.ollamaUrl) : undefined;
}

/** Runs an evaluation through a router built for this server. */
export async function runEvaluation(db: Db, config: Config, orgId: string, model: string, opts: { logger?: Logger; limit?: number } = {}) {
  const router = createModelRouter({ db, config, ...(opts.logger ? { logger: opts.logger } : {}) });
  return evaluateModel(db, orgId, { model, router, ...(opts.limit ? { limit: opts.limit } : {}) });
}
