// Fake model servers on loopback that speak the real HTTP protocols, scripted per test.
//
//   const ollama = await startFakeOllama({ models: ["datamigrate-coder-small"] });
//   ollama.push({ content: { sql: "select 1" }, tokensIn: 12, tokensOut: 5 });   // next /api/chat answer
//   ollama.push({ status: 503 }, { hang: true }, { content: "not json" });        // a queue of answers
//   ollama.script.byModel = { "m-large": [{ content: {...} }] };                  // answers per model
//   ollama.script.chat = (req, n) => ({ content: ... });                          // or a function
//   ... OLLAMA_URL = ollama.url ...
//   ollama.chatRequests()  // every /api/chat (or /v1/chat/completions) body received, in order
//   await ollama.close();
//
// Ollama: POST /api/chat (stream:false → one JSON object; stream true or absent → NDJSON, as the
// real server), GET /api/tags, GET /api/version, GET|HEAD / ("Ollama is running").
// OpenAI-compatible (vLLM): POST /v1/chat/completions (stream:true → SSE "data:" chunks ending with
// [DONE]), GET /v1/models. Anthropic: POST /v1/messages (forced tool_use answer), for the
// refused-by-policy tests.
//
// Which answer a chat request gets: script.byModel[model] queue first, then the shared queue
// (push / script.steps), then script.chat(req, n), else 404 "model not found" when the model is not
// in `models` (as Ollama and vLLM do), else 500 "no scripted response" so a test that forgot to
// script something fails loudly instead of hanging.
//
// extraRoutes: handlers that run before everything above, with the request body unread, so other
// tests can add endpoints (e.g. Ollama's HEAD/POST /api/blobs/:digest and POST /api/create) without
// editing this file. A handler returns false to decline (fall through to the built-in routes).
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";

export type FakeStep =
  /** A successful answer. An object is sent as its JSON text; a string verbatim (so "not json" tests malformed output). */
  | {
      content: unknown;
      tokensIn?: number;
      tokensOut?: number;
      delayMs?: number;
      /** The model name echoed in the answer (default: the requested one). */
      model?: string;
    }
  /** An HTTP error with the protocol's error body (or `body` as given). */
  | { status: number; message?: string; body?: unknown; headers?: Record<string, string>; delayMs?: number }
  /** Never answers; the connection stays open until the client gives up or the server closes. */
  | { hang: true }
  /** A raw HTTP response body, e.g. a truncated or non-JSON envelope. */
  | { raw: string; status?: number; contentType?: string; delayMs?: number }
  /** Closes the socket without any answer (a crash mid-request). */
  | { destroy: true; delayMs?: number };

export interface RecordedRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  /** Parsed JSON body, or undefined for no/unparseable body (see raw). Not read for extraRoutes. */
  body: any;
  raw: string;
  at: number;
}

export interface ChatRequestInfo {
  model: string;
  /** The whole JSON request body (messages, format / response_format, stream, options, ...). */
  body: any;
  headers: IncomingHttpHeaders;
}

export interface ExtraRoute {
  method?: string;
  /** Exact path (no query) or a RegExp tested against it. */
  path: string | RegExp;
  handler: (
    req: IncomingMessage,
    res: ServerResponse,
    ctx: { url: URL; server: FakeLlmServer },
  ) => void | boolean | Promise<void | boolean>;
}

export interface FakeScript {
  /** Model names that /api/tags and /v1/models list and that chat accepts. */
  models?: string[];
  /** Shared queue of chat answers, consumed in order. */
  steps?: FakeStep[];
  /** Queues per requested model, consumed before the shared queue. */
  byModel?: Record<string, FakeStep[]>;
  /** Called when no queue has an answer; n counts chat requests from 1. */
  chat?: (req: ChatRequestInfo, n: number) => FakeStep | Promise<FakeStep>;
  /** Answer for the listing routes (/api/tags, /v1/models) instead of the model list. */
  listing?: FakeStep;
  extraRoutes?: ExtraRoute[];
}

export interface FakeLlmServer {
  readonly kind: "ollama" | "openai" | "anthropic";
  /** http://127.0.0.1:PORT (no trailing slash). */
  readonly url: string;
  readonly script: FakeScript;
  /** Every request received, in order. */
  readonly requests: RecordedRequest[];
  /** Bodies of the chat requests only. */
  chatRequests(): any[];
  /** Appends answers to the shared queue. */
  push(...steps: FakeStep[]): void;
  /** Adds a model to the listing (idempotent). */
  addModel(name: string): void;
  removeModel(name: string): void;
  /** Closes the server and every open connection (hanging requests included). */
  close(): Promise<void>;
}

export async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json; charset=utf-8", "content-length": Buffer.byteLength(text), ...headers });
  res.end(text);
}

const contentText = (content: unknown) => (typeof content === "string" ? content : JSON.stringify(content));
const roughTokens = (text: string) => Math.max(1, Math.ceil(text.length / 4));

type Protocol = {
  kind: FakeLlmServer["kind"];
  chatPath: string;
  errorBody(status: number, message: string): unknown;
  notFound(model: string): { status: number; body: unknown };
  listing(models: string[]): unknown;
  listingPaths: string[];
  /** Writes a successful answer (streaming or not, per the request). */
  answer(res: ServerResponse, req: ChatRequestInfo, step: Extract<FakeStep, { content: unknown }>): Promise<void>;
  misc?(req: RecordedRequest, res: ServerResponse): boolean;
};

const OLLAMA: Protocol = {
  kind: "ollama",
  chatPath: "/api/chat",
  errorBody: (_status, message) => ({ error: message }),
  notFound: (model) => ({ status: 404, body: { error: `model "${model}" not found, try pulling it first` } }),
  listing: (models) => ({
    models: models.map((name) => ({
      name: name.includes(":") ? name : `${name}:latest`,
      model: name.includes(":") ? name : `${name}:latest`,
      modified_at: "2026-01-01T00:00:00Z",
      size: 4_700_000_000,
      digest: "0".repeat(64),
      details: { parent_model: "", format: "gguf", family: "qwen2", families: ["qwen2"], parameter_size: "7.6B", quantization_level: "Q4_K_M" },
    })),
  }),
  listingPaths: ["/api/tags"],
  async answer(res, req, step) {
    const text = contentText(step.content);
    const model = step.model ?? req.model;
    const tokensIn = step.tokensIn ?? 10;
    const tokensOut = step.tokensOut ?? roughTokens(text);
    const final = {
      model,
      created_at: new Date().toISOString(),
      done: true,
      done_reason: "stop",
      total_duration: 1_000_000,
      load_duration: 1000,
      prompt_eval_count: tokensIn,
      prompt_eval_duration: 1000,
      eval_count: tokensOut,
      eval_duration: 1000,
    };
    if (req.body?.stream === false) {
      sendJson(res, 200, { ...final, message: { role: "assistant", content: text } });
      return;
    }
    // The real default: NDJSON, one message fragment per line, then the counts on the done line.
    res.writeHead(200, { "content-type": "application/x-ndjson" });
    const parts = text.length ? text.match(/[\s\S]{1,16}/g)! : [""];
    for (const part of parts) {
      res.write(`${JSON.stringify({ model, created_at: new Date().toISOString(), message: { role: "assistant", content: part }, done: false })}\n`);
    }
    res.end(`${JSON.stringify({ ...final, message: { role: "assistant", content: "" } })}\n`);
  },
  misc(req, res) {
    if (req.path === "/" && (req.method === "GET" || req.method === "HEAD")) {
      res.writeHead(200, { "content-type": "text/plain; charset=utf-8" });
      res.end(req.method === "HEAD" ? undefined : "Ollama is running");
      return true;
    }
    if (req.path === "/api/version" && req.method === "GET") {
      sendJson(res, 200, { version: "0.12.0" });
      return true;
    }
    return false;
  },
};

const OPENAI: Protocol = {
  kind: "openai",
  chatPath: "/v1/chat/completions",
  errorBody: (status, message) => ({
    error: { message, type: status === 429 ? "rate_limit_error" : status >= 500 ? "server_error" : "invalid_request_error", code: status },
  }),
  notFound: (model) => ({
    status: 404,
    body: { error: { message: `The model \`${model}\` does not exist.`, type: "NotFoundError", code: 404 } },
  }),
  listing: (models) => ({
    object: "list",
    data: models.map((id) => ({ id, object: "model", created: 1_767_225_600, owned_by: "vllm", root: id, parent: null })),
  }),
  listingPaths: ["/v1/models"],
  async answer(res, req, step) {
    const text = contentText(step.content);
    const model = step.model ?? req.model;
    const usage = { prompt_tokens: step.tokensIn ?? 10, completion_tokens: step.tokensOut ?? roughTokens(text), total_tokens: 0 };
    usage.total_tokens = usage.prompt_tokens + usage.completion_tokens;
    const id = `chatcmpl-${Math.random().toString(36).slice(2)}`;
    const created = Math.floor(Date.now() / 1000);
    if (req.body?.stream !== true) {
      sendJson(res, 200, {
        id,
        object: "chat.completion",
        created,
        model,
        choices: [{ index: 0, message: { role: "assistant", content: text }, finish_reason: "stop", logprobs: null }],
        usage,
      });
      return;
    }
    res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache" });
    const chunk = (delta: unknown, finish: string | null, extra: object = {}) =>
      `data: ${JSON.stringify({ id, object: "chat.completion.chunk", created, model, choices: [{ index: 0, delta, finish_reason: finish }], ...extra })}\n\n`;
    res.write(chunk({ role: "assistant", content: "" }, null));
    for (const part of text.match(/[\s\S]{1,16}/g) ?? []) res.write(chunk({ content: part }, null));
    res.write(chunk({}, "stop", req.body?.stream_options?.include_usage ? { usage } : {}));
    res.end("data: [DONE]\n\n");
  },
};

const ANTHROPIC: Protocol = {
  kind: "anthropic",
  chatPath: "/v1/messages",
  errorBody: (status, message) => ({
    type: "error",
    error: { type: status === 429 ? "rate_limit_error" : status >= 500 ? "api_error" : "invalid_request_error", message },
  }),
  notFound: (model) => ({ status: 404, body: { type: "error", error: { type: "not_found_error", message: `model: ${model}` } } }),
  listing: (models) => ({
    data: models.map((id) => ({ type: "model", id, display_name: id, created_at: "2026-01-01T00:00:00Z" })),
    has_more: false,
    first_id: models[0] ?? null,
    last_id: models.at(-1) ?? null,
  }),
  listingPaths: ["/v1/models"],
  async answer(res, req, step) {
    // Structured output from Claude comes as a forced tool call: the answer is the tool's input.
    const tool = req.body?.tools?.[0]?.name ?? "answer";
    let input: unknown = step.content;
    const content =
      typeof step.content === "string"
        ? [{ type: "text", text: step.content }]
        : [{ type: "tool_use", id: `toolu_${Math.random().toString(36).slice(2)}`, name: tool, input }];
    sendJson(res, 200, {
      id: `msg_${Math.random().toString(36).slice(2)}`,
      type: "message",
      role: "assistant",
      model: step.model ?? req.model,
      content,
      stop_reason: typeof step.content === "string" ? "end_turn" : "tool_use",
      stop_sequence: null,
      usage: { input_tokens: step.tokensIn ?? 10, output_tokens: step.tokensOut ?? roughTokens(contentText(step.content)) },
    });
  },
};

async function startFake(protocol: Protocol, script: FakeScript): Promise<FakeLlmServer> {
  const models = new Set(script.models ?? []);
  const requests: RecordedRequest[] = [];
  const sockets = new Set<Socket>();
  let chatCount = 0;
  script.steps ??= [];
  script.byModel ??= {};

  const nextStep = async (info: ChatRequestInfo): Promise<FakeStep> => {
    chatCount += 1;
    const own = script.byModel?.[info.model];
    if (own && own.length) return own.shift()!;
    if (script.steps && script.steps.length) return script.steps.shift()!;
    if (script.chat) return script.chat(info, chatCount);
    // Tags may be listed with ":latest"; a bare name matches it, as with Ollama.
    if (models.size && !models.has(info.model) && !models.has(info.model.replace(/:latest$/, ""))) {
      const nf = protocol.notFound(info.model);
      return { status: nf.status, body: nf.body };
    }
    return { status: 500, message: `fake ${protocol.kind}: no scripted response for chat request ${chatCount} (model ${info.model})` };
  };

  const play = async (step: FakeStep, res: ServerResponse, info: ChatRequestInfo | undefined, listing?: unknown) => {
    if ("hang" in step) return; // the socket is destroyed by the client or by close()
    if (step.delayMs) await sleep(step.delayMs);
    if (res.destroyed) return;
    if ("destroy" in step) {
      res.socket?.destroy();
      return;
    }
    if ("raw" in step) {
      res.writeHead(step.status ?? 200, { "content-type": step.contentType ?? "application/json" });
      res.end(step.raw);
      return;
    }
    if ("status" in step) {
      sendJson(res, step.status, step.body ?? protocol.errorBody(step.status, step.message ?? `fake error ${step.status}`), step.headers);
      return;
    }
    if (listing !== undefined) {
      sendJson(res, 200, listing);
      return;
    }
    await protocol.answer(res, info!, step);
  };

  const server: Server = createServer(async (req, res) => {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    const method = req.method ?? "GET";
    try {
      for (const route of script.extraRoutes ?? []) {
        if (route.method && route.method.toUpperCase() !== method) continue;
        if (typeof route.path === "string" ? route.path !== url.pathname : !route.path.test(url.pathname)) continue;
        requests.push({ method, path: url.pathname, headers: req.headers, body: undefined, raw: "", at: Date.now() });
        const handled = await route.handler(req, res, { url, server: fake });
        if (handled !== false) return;
      }
      const raw = (await readBody(req)).toString("utf8");
      let body: any;
      try {
        body = raw ? JSON.parse(raw) : undefined;
      } catch {
        body = undefined;
      }
      const rec: RecordedRequest = { method, path: url.pathname, headers: req.headers, body, raw, at: Date.now() };
      requests.push(rec);

      if (protocol.misc?.(rec, res)) return;
      if (method === "GET" && protocol.listingPaths.includes(url.pathname)) {
        await play(script.listing ?? { content: null }, res, undefined, protocol.listing([...models]));
        return;
      }
      if (method === "POST" && url.pathname === protocol.chatPath) {
        if (!body || typeof body !== "object" || typeof body.model !== "string") {
          sendJson(res, 400, protocol.errorBody(400, "invalid request body: expected JSON with a model"));
          return;
        }
        const info: ChatRequestInfo = { model: body.model, body, headers: req.headers };
        await play(await nextStep(info), res, info);
        return;
      }
      sendJson(res, 404, protocol.errorBody(404, `fake ${protocol.kind}: no route ${method} ${url.pathname}`));
    } catch (err) {
      if (!res.headersSent) sendJson(res, 500, protocol.errorBody(500, `fake ${protocol.kind} failed: ${String(err)}`));
      else res.destroy();
    }
  });
  server.on("connection", (s) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const port = (server.address() as AddressInfo).port;

  const fake: FakeLlmServer = {
    kind: protocol.kind,
    url: `http://127.0.0.1:${port}`,
    script,
    requests,
    chatRequests: () => requests.filter((r) => r.method === "POST" && r.path === protocol.chatPath).map((r) => r.body),
    push: (...steps) => {
      script.steps!.push(...steps);
    },
    addModel: (name) => {
      models.add(name);
    },
    removeModel: (name) => {
      models.delete(name);
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
  return fake;
}

export function startFakeOllama(script: FakeScript = {}): Promise<FakeLlmServer> {
  return startFake(OLLAMA, script);
}

export function startFakeOpenAI(script: FakeScript = {}): Promise<FakeLlmServer> {
  return startFake(OPENAI, script);
}

/** Anthropic Messages API (POST /v1/messages); only ever used to prove the cloud refusal policy. */
export function startFakeAnthropic(script: FakeScript = {}): Promise<FakeLlmServer> {
  return startFake(ANTHROPIC, script);
}

/** A loopback URL on which nothing listens (connection refused), for "endpoint down" tests. */
export async function refusedUrl(): Promise<string> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, "127.0.0.1", () => r()));
  const port = (s.address() as AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return `http://127.0.0.1:${port}`;
}
