// One function per wire protocol: send a structured chat request, return the text and token counts;
// list the models an endpoint serves. Failures are ProviderErrors that say whether they are
// transient (worth a retry) and whether they count against the endpoint (circuit breaker).
//
// Ollama goes through the `ollama` package with a fetch bound to the one configured endpoint (the
// package can otherwise reach ollama.com for web search). OpenAI-compatible servers (vLLM, and the
// OpenAI cloud) and Anthropic use plain fetch: their request is one small JSON POST, and an SDK
// would bring its own retries and timeouts that would fight the router's cockatiel policies.
import { Ollama } from "ollama";
import type { Config } from "../config.ts";
import type { LlmProvider } from "../db/schema/llm.ts";
import type { ChatMessage } from "./types.ts";

export interface Endpoint {
  provider: LlmProvider;
  /** Base URL, no trailing slash, no /v1. */
  url: string;
  apiKey?: string;
}

export type FailureKind = "network" | "http" | "protocol" | "timeout" | "aborted" | "policy";

export class ProviderError extends Error {
  readonly kind: FailureKind;
  readonly status: number | undefined;
  readonly retryAfterMs: number | undefined;
  constructor(message: string, info: { kind: FailureKind; status?: number; retryAfterMs?: number }) {
    super(message);
    this.name = "ProviderError";
    this.kind = info.kind;
    this.status = info.status;
    this.retryAfterMs = info.retryAfterMs;
  }
  /** Worth trying the same endpoint again: connection failures, 5xx, 429. */
  get transient(): boolean {
    return this.kind === "network" || (this.kind === "http" && (this.status === 429 || (this.status ?? 0) >= 500));
  }
  /** Says the endpoint itself is unwell (feeds the circuit breaker); a 4xx or bad output does not. */
  get endpointFailure(): boolean {
    return this.kind === "network" || this.kind === "timeout" || (this.kind === "http" && (this.status ?? 0) >= 500);
  }
}

export const LOCAL_PROVIDERS: readonly LlmProvider[] = ["ollama", "openai_compat"];
export const isCloudProvider = (p: LlmProvider) => p === "anthropic" || p === "openai";

/** A trailing /v1 is accepted in OPENAI_COMPAT_URL (as vLLM documents it) and removed here. */
export function normalizeEndpointUrl(url: string): string {
  return url.replace(/\/+$/, "").replace(/\/v1$/, "");
}

/** The endpoints this appliance may call. Cloud ones exist only when their key is set. */
export function configuredEndpoints(config: Config): Endpoint[] {
  const out: Endpoint[] = [];
  if (config.ollamaUrl) out.push({ provider: "ollama", url: normalizeEndpointUrl(config.ollamaUrl) });
  if (config.openaiCompatUrl)
    out.push({ provider: "openai_compat", url: normalizeEndpointUrl(config.openaiCompatUrl), ...(config.openaiCompatApiKey ? { apiKey: config.openaiCompatApiKey } : {}) });
  if (config.anthropic.apiKey) out.push({ provider: "anthropic", url: normalizeEndpointUrl(config.anthropic.url), apiKey: config.anthropic.apiKey });
  if (config.openai.apiKey) out.push({ provider: "openai", url: normalizeEndpointUrl(config.openai.url), apiKey: config.openai.apiKey });
  return out;
}

export interface ChatCall {
  model: string;
  messages: ChatMessage[];
  /** JSON schema of the expected answer. */
  jsonSchema: Record<string, unknown>;
  schemaName: string;
}

export interface ChatAnswer {
  text: string;
  tokensIn: number;
  tokensOut: number;
}

export type FetchLike = typeof fetch;

function parseRetryAfter(value: string | null): number | undefined {
  if (!value) return undefined;
  const v = value.trim();
  if (/^\d+(\.\d+)?$/.test(v)) return Math.round(Number(v) * 1000);
  const at = Date.parse(v);
  return Number.isNaN(at) ? undefined : Math.max(0, at - Date.now());
}

function describeNetworkError(err: unknown): string {
  const cause = (err as { cause?: { code?: string; message?: string } })?.cause;
  if (cause?.code) return `${cause.code}${cause.message ? `: ${cause.message}` : ""}`;
  return err instanceof Error ? err.message : String(err);
}

async function errorText(res: Response): Promise<string> {
  const text = (await res.text().catch(() => "")).slice(0, 1000);
  try {
    const j = JSON.parse(text) as { error?: unknown; message?: unknown };
    if (typeof j.error === "string") return j.error;
    if (j.error && typeof j.error === "object" && typeof (j.error as { message?: unknown }).message === "string")
      return (j.error as { message: string }).message;
    if (typeof j.message === "string") return j.message;
  } catch {
    // not JSON: the text itself
  }
  return text || res.statusText;
}

/**
 * fetch restricted to one endpoint, bound to the attempt's abort signal, turning network failures and
 * non-2xx answers into ProviderErrors (the ollama package would otherwise console.log on some of them).
 */
export function boundFetch(base: string, signal: AbortSignal, fetchImpl: FetchLike = fetch): FetchLike {
  return (async (input: string | URL | Request, init?: RequestInit) => {
    const url = typeof input === "string" ? input : input instanceof URL ? input.href : input.url;
    if (url !== base && !url.startsWith(`${base}/`)) {
      throw new ProviderError(`refusing to call ${new URL(url).origin}: not the configured endpoint ${base}`, { kind: "policy" });
    }
    let res: Response;
    try {
      res = await fetchImpl(url, { ...init, signal });
    } catch (err) {
      if (signal.aborted) throw new ProviderError("request aborted", { kind: "aborted" });
      throw new ProviderError(`cannot reach ${base}: ${describeNetworkError(err)}`, { kind: "network" });
    }
    if (!res.ok) {
      const message = await errorText(res);
      throw new ProviderError(`HTTP ${res.status} from ${base}: ${message}`, {
        kind: "http",
        status: res.status,
        retryAfterMs: parseRetryAfter(res.headers.get("retry-after")),
      });
    }
    return res;
  }) as FetchLike;
}

/** Reads a JSON body; a truncated or non-JSON envelope is a protocol error, as is an aborted read. */
async function readEnvelope<T>(res: Response, base: string, signal: AbortSignal): Promise<T> {
  let text: string;
  try {
    text = await res.text();
  } catch (err) {
    if (signal.aborted) throw new ProviderError("request aborted", { kind: "aborted" });
    throw new ProviderError(`connection to ${base} broke while reading the answer: ${describeNetworkError(err)}`, { kind: "network" });
  }
  try {
    return JSON.parse(text) as T;
  } catch {
    throw new ProviderError(`malformed response envelope from ${base}: ${text.slice(0, 200)}`, { kind: "protocol" });
  }
}

function rethrow(err: unknown, base: string, signal: AbortSignal): never {
  if (err instanceof ProviderError) throw err;
  if (signal.aborted) throw new ProviderError("request aborted", { kind: "aborted" });
  // The ollama package's own JSON parse of the envelope, or anything unexpected in the answer.
  throw new ProviderError(`unexpected answer from ${base}: ${err instanceof Error ? err.message : String(err)}`, { kind: "protocol" });
}

const num = (v: unknown) => (typeof v === "number" && Number.isFinite(v) ? v : 0);

async function ollamaChat(ep: Endpoint, call: ChatCall, signal: AbortSignal, fetchImpl?: FetchLike): Promise<ChatAnswer> {
  const client = new Ollama({ host: ep.url, fetch: boundFetch(ep.url, signal, fetchImpl) });
  try {
    const res = await client.chat({
      model: call.model,
      messages: call.messages,
      format: call.jsonSchema,
      stream: false,
      options: { temperature: 0 },
    });
    if (!res || typeof res.message?.content !== "string") {
      throw new ProviderError(`answer from ${ep.url} has no message content`, { kind: "protocol" });
    }
    return { text: res.message.content, tokensIn: num(res.prompt_eval_count), tokensOut: num(res.eval_count) };
  } catch (err) {
    rethrow(err, ep.url, signal);
  }
}

async function postJson(ep: Endpoint, path: string, headers: Record<string, string>, body: unknown, signal: AbortSignal, fetchImpl?: FetchLike) {
  const f = boundFetch(ep.url, signal, fetchImpl);
  return f(`${ep.url}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json", accept: "application/json", ...headers },
    body: JSON.stringify(body),
  });
}

/**
 * OpenAI's strict mode rejects a schema with an optional property or an open object; such a schema
 * is sent with strict false (vLLM enforces it either way) and the answer is still validated by zod.
 */
export function strictCompatible(schema: unknown): boolean {
  if (Array.isArray(schema)) return schema.every(strictCompatible);
  if (!schema || typeof schema !== "object") return true;
  const s = schema as { type?: unknown; properties?: Record<string, unknown>; required?: string[]; additionalProperties?: unknown };
  if (s.properties) {
    const keys = Object.keys(s.properties);
    if (s.additionalProperties !== false || keys.some((k) => !(s.required ?? []).includes(k))) return false;
  }
  return Object.values(s).every(strictCompatible);
}

interface OpenAiCompletion {
  choices?: { message?: { content?: string | null; refusal?: string | null } }[];
  usage?: { prompt_tokens?: number; completion_tokens?: number };
}

async function openaiChat(ep: Endpoint, call: ChatCall, signal: AbortSignal, fetchImpl?: FetchLike): Promise<ChatAnswer> {
  const res = await postJson(
    ep,
    "/v1/chat/completions",
    ep.apiKey ? { authorization: `Bearer ${ep.apiKey}` } : {},
    {
      model: call.model,
      messages: call.messages,
      temperature: 0,
      stream: false,
      response_format: { type: "json_schema", json_schema: { name: call.schemaName, schema: call.jsonSchema, strict: strictCompatible(call.jsonSchema) } },
    },
    signal,
    fetchImpl,
  );
  const body = await readEnvelope<OpenAiCompletion>(res, ep.url, signal);
  const message = body?.choices?.[0]?.message;
  if (!message) throw new ProviderError(`answer from ${ep.url} has no choices`, { kind: "protocol" });
  // A refusal is the model declining: treat it as output that does not fit the schema.
  const text = typeof message.content === "string" ? message.content : (message.refusal ?? "");
  return { text, tokensIn: num(body.usage?.prompt_tokens), tokensOut: num(body.usage?.completion_tokens) };
}

interface AnthropicMessage {
  content?: ({ type: "text"; text: string } | { type: "tool_use"; name: string; input: unknown } | { type: string })[];
  usage?: { input_tokens?: number; output_tokens?: number };
}

async function anthropicChat(ep: Endpoint, call: ChatCall, signal: AbortSignal, fetchImpl?: FetchLike): Promise<ChatAnswer> {
  // Structured output from Claude: one forced tool whose input schema is the answer's schema.
  const tool = call.schemaName.replace(/[^a-zA-Z0-9_-]/g, "_").slice(0, 64) || "answer";
  const system = call.messages.filter((m) => m.role === "system").map((m) => m.content).join("\n\n");
  const res = await postJson(
    ep,
    "/v1/messages",
    { "x-api-key": ep.apiKey ?? "", "anthropic-version": "2023-06-01" },
    {
      model: call.model,
      max_tokens: 8192,
      temperature: 0,
      ...(system ? { system } : {}),
      messages: call.messages.filter((m) => m.role !== "system"),
      tools: [{ name: tool, description: `Answer with a ${call.schemaName}`, input_schema: call.jsonSchema }],
      tool_choice: { type: "tool", name: tool },
    },
    signal,
    fetchImpl,
  );
  const body = await readEnvelope<AnthropicMessage>(res, ep.url, signal);
  const blocks = body?.content ?? [];
  const use = blocks.find((b): b is { type: "tool_use"; name: string; input: unknown } => b.type === "tool_use");
  const text = use ? JSON.stringify(use.input) : blocks.map((b) => ("text" in b ? b.text : "")).join("");
  return { text, tokensIn: num(body.usage?.input_tokens), tokensOut: num(body.usage?.output_tokens) };
}

export function chat(ep: Endpoint, call: ChatCall, signal: AbortSignal, fetchImpl?: FetchLike): Promise<ChatAnswer> {
  switch (ep.provider) {
    case "ollama":
      return ollamaChat(ep, call, signal, fetchImpl);
    case "openai_compat":
    case "openai":
      return openaiChat(ep, call, signal, fetchImpl);
    case "anthropic":
      return anthropicChat(ep, call, signal, fetchImpl);
  }
}

export interface EndpointModel {
  name: string;
  provider: LlmProvider;
  endpoint: string;
  /** Ollama: size in bytes, family, quantisation; vLLM: owner and root (the base of a LoRA). */
  details?: Record<string, unknown>;
}

/** The models an endpoint serves: Ollama /api/tags, OpenAI-compatible /v1/models. */
export async function listModels(ep: Endpoint, signal: AbortSignal, fetchImpl?: FetchLike): Promise<EndpointModel[]> {
  try {
    if (ep.provider === "ollama") {
      const client = new Ollama({ host: ep.url, fetch: boundFetch(ep.url, signal, fetchImpl) });
      const res = await client.list();
      return (res.models ?? []).map((m) => ({
        name: m.name,
        provider: ep.provider,
        endpoint: ep.url,
        details: { size: m.size, digest: m.digest, family: m.details?.family, parameterSize: m.details?.parameter_size, quantization: m.details?.quantization_level },
      }));
    }
    const f = boundFetch(ep.url, signal, fetchImpl);
    const res = await f(`${ep.url}/v1/models`, { headers: { accept: "application/json", ...(ep.apiKey ? { authorization: `Bearer ${ep.apiKey}` } : {}) } });
    const body = await readEnvelope<{ data?: { id?: unknown; owned_by?: unknown; root?: unknown; parent?: unknown }[] }>(res, ep.url, signal);
    if (!Array.isArray(body?.data)) throw new ProviderError(`model list from ${ep.url} has no data array`, { kind: "protocol" });
    return body.data
      .filter((m) => typeof m.id === "string")
      .map((m) => ({ name: m.id as string, provider: ep.provider, endpoint: ep.url, details: { ownedBy: m.owned_by, root: m.root, parent: m.parent } }));
  } catch (err) {
    rethrow(err, ep.url, signal);
  }
}
