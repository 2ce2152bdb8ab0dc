// The model router: tier → chain of models → the first structured answer that fits the schema.
//
// Per model tried: a per-attempt timeout, retries with exponential backoff for transient failures
// (connection refused, 5xx, 429 honouring Retry-After), and a circuit breaker per endpoint, all
// cockatiel policies; an overall deadline per request bounds everything, so a request never hangs.
// Cloud providers are refused unless the organisation allows outbound access for that provider.
// Every model tried is recorded in llm_calls.
import {
  BrokenCircuitError,
  circuitBreaker,
  CircuitState,
  ConsecutiveBreaker,
  DelegateBackoff,
  handleWhen,
  retry,
  TaskCancelledError,
  timeout,
  TimeoutStrategy,
  type CircuitBreakerPolicy,
  type IRetryBackoffContext,
} from "cockatiel";
import { z } from "zod";
import type { Config } from "../config.ts";
import type { Db } from "../db/client.ts";
import { loadRoutingState, recordLlmCalls, type LlmCallInput, type LlmSettings } from "../db/queries/llm.ts";
import type { LlmCallOutcome, LlmProvider, RegisteredModel } from "../db/schema/llm.ts";
import { getPolicy, providerAllowed, type GuardianPolicy } from "../guardian/policies.ts";
import type { Logger } from "../log.ts";
import { loadDefaultRoutes, type DefaultRoutes } from "./defaults.ts";
import {
  chat,
  configuredEndpoints,
  isCloudProvider,
  listModels,
  normalizeEndpointUrl,
  ProviderError,
  type Endpoint,
  type EndpointModel,
  type FetchLike,
} from "./providers.ts";
import type { ComplexityTier, ModelRouter, StructuredRequest, StructuredResult } from "./types.ts";

export interface ResilienceSettings {
  /** One attempt at one model. */
  timeoutMs: number;
  /** The whole request, every model and retry included. */
  deadlineMs: number;
  /** Extra attempts per model for transient failures. */
  maxRetries: number;
  /** First backoff delay; doubles per retry (with jitter), capped at retryMaxDelayMs. */
  retryBaseMs: number;
  retryMaxDelayMs: number;
  /** Consecutive endpoint failures that open its circuit. */
  breakerFailures: number;
  /** How long an open circuit refuses calls before letting one test call through. */
  breakerCooldownMs: number;
}

export interface ModelRouterOptions {
  db: Db;
  config: Config;
  logger?: Logger;
  /** Overrides config.llm (tests use short durations). */
  resilience?: Partial<ResilienceSettings>;
  /** Overrides ollama-models/defaults.json. */
  defaults?: DefaultRoutes;
  /** For tests; defaults to the global fetch. */
  fetch?: FetchLike;
}

export interface ResolvedModel {
  model: string;
  provider: LlmProvider;
  endpoint: Endpoint;
  source: "registered" | "default";
}

export interface EndpointListing {
  provider: LlmProvider;
  endpoint: string;
  ok: boolean;
  error?: string;
  circuit: "closed" | "open" | "half_open";
  models: EndpointModel[];
}

export interface ModelRouterHandle extends ModelRouter {
  /** The chain a request for this tier would try, with names that cannot be resolved reported. */
  resolveChain(orgId: string, tier: ComplexityTier, model?: string): Promise<{ chain: ResolvedModel[]; unresolved: { model: string; error: string }[] }>;
  /** /api/tags and /v1/models of every configured local endpoint (cloud endpoints are never listed). */
  listEndpointModels(options?: { timeoutMs?: number }): Promise<EndpointListing[]>;
  circuitState(endpointUrl: string): "closed" | "open" | "half_open";
  readonly endpoints: readonly Endpoint[];
}

/** The JSON schema sent to the model, cached per zod schema (agents reuse a handful of schemas). */
const jsonSchemas = new WeakMap<object, Record<string, unknown>>();
export function jsonSchemaOf(schema: z.ZodType): Record<string, unknown> {
  let s = jsonSchemas.get(schema);
  if (!s) {
    const { $schema: _ignored, ...rest } = z.toJSONSchema(schema, { unrepresentable: "any" }) as Record<string, unknown>;
    s = rest;
    jsonSchemas.set(schema, s);
  }
  return s;
}

/** Models sometimes wrap JSON in a markdown fence despite the format: accept exactly that wrapping. */
function stripFence(text: string): string {
  const m = /^\s*```(?:json)?\s*\n([\s\S]*?)\n?```\s*$/.exec(text);
  return m ? m[1]! : text;
}

export function parseStructured<T>(text: string, schema: z.ZodType<T>): { ok: true; value: T } | { ok: false; error: string } {
  let json: unknown;
  try {
    json = JSON.parse(stripFence(text));
  } catch (err) {
    return { ok: false, error: `output is not valid JSON (${err instanceof Error ? err.message : "parse error"}): ${text.slice(0, 200)}` };
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    const issues = parsed.error.issues.slice(0, 5).map((i) => `${i.path.length ? i.path.join(".") : "(root)"}: ${i.message}`);
    return { ok: false, error: `output does not match the schema: ${issues.join("; ")}` };
  }
  return { ok: true, value: parsed.data };
}

class CancelledError extends Error {}

function describe(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

export function createModelRouter(options: ModelRouterOptions): ModelRouterHandle {
  const { db, config, logger } = options;
  const r: ResilienceSettings = {
    timeoutMs: config.llm.timeoutMs,
    deadlineMs: config.llm.deadlineMs,
    maxRetries: config.llm.maxRetries,
    retryBaseMs: 250,
    retryMaxDelayMs: 10_000,
    breakerFailures: config.llm.breakerFailures,
    breakerCooldownMs: config.llm.breakerCooldownMs,
    ...options.resilience,
  };
  const defaults = options.defaults ?? loadDefaultRoutes();
  const endpoints = configuredEndpoints(config);
  const fetchImpl = options.fetch;
  const breakers = new Map<string, CircuitBreakerPolicy>();

  const endpointKey = (ep: Endpoint) => `${ep.provider} ${ep.url}`;
  const breakerFor = (ep: Endpoint) => {
    let b = breakers.get(endpointKey(ep));
    if (!b) {
      b = circuitBreaker(
        handleWhen((e) => e instanceof ProviderError && e.endpointFailure),
        { halfOpenAfter: r.breakerCooldownMs, breaker: new ConsecutiveBreaker(r.breakerFailures) },
      );
      b.onBreak(() => logger?.warn({ endpoint: ep.url, provider: ep.provider }, "model endpoint circuit opened"));
      b.onReset(() => logger?.info({ endpoint: ep.url, provider: ep.provider }, "model endpoint circuit closed"));
      breakers.set(endpointKey(ep), b);
    }
    return b;
  };
  const stateName = (s: CircuitState | undefined) => (s === CircuitState.Open || s === CircuitState.Isolated ? "open" : s === CircuitState.HalfOpen ? "half_open" : "closed");

  const findEndpoint = (provider: LlmProvider, url: string) => {
    const u = normalizeEndpointUrl(url);
    return endpoints.find((e) => e.provider === provider && e.url === u);
  };

  function resolveName(name: string, registered: Map<string, RegisteredModel>): ResolvedModel | { error: string } {
    const reg = registered.get(name);
    if (reg) {
      if (!reg.enabled) return { error: "model is disabled" };
      const ep = findEndpoint(reg.provider, reg.endpointUrl);
      if (!ep) return { error: `its endpoint ${reg.endpointUrl} (${reg.provider}) is not configured on this server` };
      return { model: name, provider: reg.provider, endpoint: ep, source: "registered" };
    }
    if (defaults.models.includes(name)) {
      const ep = endpoints.find((e) => e.provider === "ollama");
      if (!ep) return { error: "no Ollama endpoint is configured (OLLAMA_URL)" };
      return { model: name, provider: "ollama", endpoint: ep, source: "default" };
    }
    return { error: "model is not registered" };
  }

  function buildChain(state: { models: RegisteredModel[]; routes: Partial<Record<ComplexityTier, string[]>> }, tier: ComplexityTier, forced?: string) {
    const registered = new Map(state.models.map((m) => [m.name, m]));
    const names = forced ? [forced] : (state.routes[tier] ?? defaults.tiers[tier]);
    const chain: ResolvedModel[] = [];
    const unresolved: { model: string; error: string }[] = [];
    for (const name of [...new Set(names)]) {
      const res = resolveName(name, registered);
      if ("error" in res) unresolved.push({ model: name, error: res.error });
      else chain.push(res);
    }
    return { chain, unresolved };
  }

  /**
   * Why a provider may not be sent this organisation's prompt, or undefined when it may. Two
   * independent allowances, both required: the organisation's Guardian policy (allowedModelProviders,
   * any provider kind) and, for cloud providers, the router's own outbound settings. Neither can
   * open what the other closes.
   */
  const refusal = (settings: LlmSettings, policy: GuardianPolicy, provider: LlmProvider): string | undefined => {
    if (!providerAllowed(policy, provider)) return `the organisation's Guardian policy does not allow prompts to be sent to ${provider} models`;
    if (isCloudProvider(provider) && !(settings.allowOutbound && (settings.allowedProviders as string[]).includes(provider)))
      return `${provider} is a cloud provider and this organisation does not allow outbound access to it`;
    return undefined;
  };

  /** One model, with retries and the endpoint's breaker; resolves to the answer or throws. */
  async function callModel(target: ResolvedModel, req: StructuredRequest<unknown>, signal: AbortSignal, deadline: number) {
    const callerCancelled = () => req.signal?.aborted === true;
    const remaining = () => deadline - Date.now();
    const call = { model: target.model, messages: req.messages, jsonSchema: jsonSchemaOf(req.schema), schemaName: req.schemaName };
    const backoff = new DelegateBackoff<IRetryBackoffContext<unknown>>((ctx) => {
      const err = "error" in ctx.result ? ctx.result.error : undefined;
      // cockatiel's wait is not abortable: never wait past the deadline.
      const cap = Math.max(0, remaining() - 10);
      if (err instanceof ProviderError && err.retryAfterMs !== undefined) return Math.min(err.retryAfterMs, cap);
      const exp = Math.min(r.retryMaxDelayMs, r.retryBaseMs * 2 ** (ctx.attempt - 1));
      return Math.min(cap, Math.round(exp / 2 + Math.random() * (exp / 2)));
    });
    // A retry is worth it only for transient failures, and only if its wait fits in the deadline.
    const retryPolicy = retry(
      handleWhen(
        (e) =>
          e instanceof ProviderError &&
          e.transient &&
          (e.retryAfterMs ?? Math.min(r.retryMaxDelayMs, r.retryBaseMs)) < remaining() - 10,
      ),
      { maxAttempts: r.maxRetries, backoff },
    );
    const breaker = breakerFor(target.endpoint);
    return retryPolicy.execute(
      ({ signal: retrySignal }) =>
        breaker.execute(async ({ signal: breakerSignal }) => {
          const budget = Math.min(r.timeoutMs, remaining());
          if (budget <= 0) throw new ProviderError("no time left before the request's deadline", { kind: "timeout" });
          try {
            return await timeout(budget, TimeoutStrategy.Aggressive).execute(
              ({ signal: s }) => chat(target.endpoint, call, s, fetchImpl),
              breakerSignal,
            );
          } catch (err) {
            if (err instanceof TaskCancelledError || (err instanceof ProviderError && err.kind === "aborted")) {
              if (callerCancelled()) throw new CancelledError();
              throw new ProviderError(`no answer within ${budget} ms`, { kind: "timeout" });
            }
            throw err;
          }
        }, retrySignal),
      signal,
    );
  }

  async function structured<T>(req: StructuredRequest<T>): Promise<StructuredResult<T>> {
    const started = Date.now();
    const deadline = started + r.deadlineMs;
    const attempts: { model: string; endpoint: string; error: string }[] = [];
    const calls: LlmCallInput[] = [];
    const cancelled = (): StructuredResult<T> => ({ ok: false, reason: "cancelled", message: "the request was cancelled", attempts });
    if (req.signal?.aborted) return cancelled();

    let state: Awaited<ReturnType<typeof loadRoutingState>>;
    let policy: GuardianPolicy;
    try {
      // The Guardian policy is read with the routes: a policy that cannot be read means no call (fail closed).
      [state, policy] = await Promise.all([loadRoutingState(db, req.orgId), getPolicy(db, req.orgId)]);
    } catch (err) {
      logger?.error({ err: describe(err), orgId: req.orgId }, "cannot load model routes");
      return { ok: false, reason: "unavailable", message: `cannot load the model routes: ${describe(err)}`, attempts };
    }
    const { chain, unresolved } = buildChain(state, req.tier, req.model);
    for (const u of unresolved) attempts.push({ model: u.model, endpoint: "", error: u.error });
    if (req.signal?.aborted) return cancelled();

    // One signal for the deadline and the caller's cancel. Wired by hand (not AbortSignal.any) so that
    // the listener on a run-long caller signal is removed after every request.
    const ctl = new AbortController();
    const timer = setTimeout(() => ctl.abort(), r.deadlineMs);
    const onCallerAbort = () => ctl.abort();
    req.signal?.addEventListener("abort", onCallerAbort, { once: true });
    const signal = ctl.signal;
    let sawInvalid = false;
    let refusals = 0;
    const base = { orgId: req.orgId, migrationId: req.migrationId ?? null, agent: req.agent, tier: req.tier };
    try {
      for (const target of chain) {
        const endpoint = target.endpoint.url;
        const refused = refusal(state.settings, policy, target.provider);
        if (refused) {
          refusals += 1;
          const error = refused;
          attempts.push({ model: target.model, endpoint, error });
          calls.push({ ...base, model: target.model, provider: target.provider, endpoint, latencyMs: 0, outcome: "refused", error });
          continue;
        }
        if (req.signal?.aborted) return cancelled();
        if (Date.now() >= deadline) {
          attempts.push({ model: target.model, endpoint, error: `not tried: the request's deadline (${r.deadlineMs} ms) passed` });
          continue;
        }
        const t0 = Date.now();
        let outcome: LlmCallOutcome;
        let error: string;
        try {
          const answer = await callModel(target, req as StructuredRequest<unknown>, signal, deadline);
          const latencyMs = Date.now() - t0;
          const parsed = parseStructured(answer.text, req.schema);
          const row = { ...base, model: target.model, provider: target.provider, endpoint, latencyMs, tokensIn: answer.tokensIn, tokensOut: answer.tokensOut };
          if (parsed.ok) {
            calls.push({ ...row, outcome: "ok" });
            return { ok: true, value: parsed.value, model: target.model, endpoint, tokensIn: answer.tokensIn, tokensOut: answer.tokensOut, latencyMs: Date.now() - started };
          }
          sawInvalid = true;
          attempts.push({ model: target.model, endpoint, error: parsed.error });
          calls.push({ ...row, outcome: "invalid_output", error: parsed.error });
          continue;
        } catch (err) {
          if (err instanceof CancelledError || req.signal?.aborted) {
            calls.push({ ...base, model: target.model, provider: target.provider, endpoint, latencyMs: Date.now() - t0, outcome: "error", error: "cancelled by the caller" });
            return cancelled();
          }
          if (err instanceof BrokenCircuitError) {
            outcome = "circuit_open";
            error = `circuit open for ${endpoint}: too many recent failures; retrying after the cool-down`;
          } else if (err instanceof ProviderError && err.kind === "timeout") {
            outcome = "timeout";
            error = err.message;
          } else if (err instanceof TaskCancelledError) {
            outcome = "timeout";
            error = `no answer before the request's deadline (${r.deadlineMs} ms)`;
          } else {
            outcome = "error";
            error = describe(err);
          }
        }
        attempts.push({ model: target.model, endpoint, error });
        calls.push({ ...base, model: target.model, provider: target.provider, endpoint, latencyMs: Date.now() - t0, outcome, error });
      }
    } finally {
      clearTimeout(timer);
      req.signal?.removeEventListener("abort", onCallerAbort);
      if (calls.length) {
        try {
          await recordLlmCalls(db, calls);
        } catch (err) {
          // The answer matters more than its log line.
          logger?.error({ err: describe(err), orgId: req.orgId }, "cannot record model calls");
        }
      }
    }

    const tried = chain.length;
    if (tried > 0 && refusals === tried) {
      return { ok: false, reason: "refused_by_policy", message: `every model for this tier was refused by the organisation's policy: ${[...new Set(calls.filter((c) => c.outcome === "refused").map((c) => c.error))].join("; ")}`, attempts };
    }
    if (sawInvalid) {
      return { ok: false, reason: "invalid_output", message: "no model produced output that matches the schema", attempts };
    }
    const message =
      tried === 0
        ? unresolved.length
          ? `no usable model for tier ${req.tier}: ${unresolved.map((u) => `${u.model} (${u.error})`).join(", ")}`
          : `no model configured for tier ${req.tier}`
        : `no model answered for tier ${req.tier}`;
    return { ok: false, reason: "unavailable", message, attempts };
  }

  async function resolveChain(orgId: string, tier: ComplexityTier, model?: string) {
    return buildChain(await loadRoutingState(db, orgId), tier, model);
  }

  const listEndpointModelsImpl = (opts: { timeoutMs?: number } = {}) =>
    listEndpoints(endpoints, fetchImpl, opts.timeoutMs, (ep) => stateName(breakers.get(endpointKey(ep))?.state));

  return {
    structured,
    resolveChain,
    listEndpointModels: listEndpointModelsImpl,
    circuitState: (url) => {
      const u = normalizeEndpointUrl(url);
      const b = [...breakers.entries()].find(([k]) => k.endsWith(` ${u}`))?.[1];
      return stateName(b?.state);
    },
    endpoints,
  };
}

async function listEndpoints(
  endpoints: readonly Endpoint[],
  fetchImpl: FetchLike | undefined,
  timeoutMs = 5000,
  circuitOf: (ep: Endpoint) => EndpointListing["circuit"] = () => "closed",
): Promise<EndpointListing[]> {
  // Cloud endpoints are never listed: listing is not organisation-scoped, so no outbound allowance applies.
  const local = endpoints.filter((e) => !isCloudProvider(e.provider));
  return Promise.all(
    local.map(async (ep): Promise<EndpointListing> => {
      const circuit = circuitOf(ep);
      try {
        const models = await timeout(timeoutMs, TimeoutStrategy.Aggressive).execute(({ signal }) => listModels(ep, signal, fetchImpl));
        return { provider: ep.provider, endpoint: ep.url, ok: true, circuit, models };
      } catch (err) {
        const error = err instanceof TaskCancelledError ? `no answer within ${timeoutMs} ms` : describe(err);
        return { provider: ep.provider, endpoint: ep.url, ok: false, error, circuit, models: [] };
      }
    }),
  );
}

/** The models every configured local endpoint serves (/api/tags, /v1/models), for the admin page and API. */
export function listEndpointModels(config: Config, options: { timeoutMs?: number; fetch?: FetchLike } = {}): Promise<EndpointListing[]> {
  return listEndpoints(configuredEndpoints(config), options.fetch, options.timeoutMs);
}
