// The model router against fake Ollama / OpenAI-compatible / Anthropic servers on loopback.
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { refusedUrl, startFakeAnthropic, startFakeOllama, startFakeOpenAI, type FakeLlmServer } from "../../test/support/fake-llm.ts";
import { withTestDb } from "../../test/support/db.ts";
import { Writable } from "node:stream";
import { loadConfig, testConfig, type Config } from "../config.ts";
import { createLogger } from "../log.ts";
import { createOrganizationWithAdmin } from "../db/queries/accounts.ts";
import {
  listLlmCalls,
  registerModel,
  removeModel,
  getTierRoutes,
  loadRoutingState,
  setLlmSettings,
  setModelEnabled,
  setTierRoute,
  summarizeLlmCalls,
} from "../db/queries/llm.ts";
import { updatePolicy } from "../guardian/policies.ts";
import { createModelRouter, type ResilienceSettings } from "./router.ts";
import type { StructuredRequest } from "./types.ts";

const testDb = withTestDb();
const servers: FakeLlmServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});
const keep = (s: FakeLlmServer) => (servers.push(s), s);

const Answer = z.object({ sql: z.string(), confidence: z.number().min(0).max(1) });
const GOOD = { sql: "select 1", confidence: 0.9 };

let orgSeq = 0;
async function newOrg(): Promise<string> {
  const n = ++orgSeq;
  const { organization } = await createOrganizationWithAdmin(testDb.db, {
    organizationName: `LLM org ${n}`,
    email: `llm${n}-${Math.random().toString(36).slice(2, 8)}@example.com`,
    passwordHash: "not-a-real-hash",
  });
  return organization.id;
}

const FAST: Partial<ResilienceSettings> = { timeoutMs: 5000, deadlineMs: 20_000, maxRetries: 1, retryBaseMs: 10, retryMaxDelayMs: 50, breakerFailures: 50, breakerCooldownMs: 60_000 };

function router(config: Partial<Config>, resilience: Partial<ResilienceSettings> = {}) {
  return createModelRouter({ db: testDb.db, config: testConfig(config), resilience: { ...FAST, ...resilience } });
}

function request(orgId: string, over: Partial<StructuredRequest<z.infer<typeof Answer>>> = {}): StructuredRequest<z.infer<typeof Answer>> {
  return {
    orgId,
    agent: "rebuild",
    tier: "SIMPLE",
    messages: [
      { role: "system", content: "You translate T-SQL." },
      { role: "user", content: "select top 1 1" },
    ],
    schema: Answer,
    schemaName: "fix",
    ...over,
  };
}

let org: string;
beforeAll(async () => {
  org = await newOrg();
});

describe("routing by tier", () => {
  it("uses the default local models from ollama-models/defaults.json: small for SIMPLE, large for COMPLEX", async () => {
    const o = keep(await startFakeOllama({ models: ["datamigrate-coder-small", "datamigrate-coder-large"] }));
    o.script.chat = () => ({ content: GOOD, tokensIn: 21, tokensOut: 8 });
    const r = router({ ollamaUrl: o.url });
    const simple = await r.structured(request(org, { tier: "SIMPLE" }));
    const complex = await r.structured(request(org, { tier: "COMPLEX" }));
    expect(simple).toMatchObject({ ok: true, value: GOOD, model: "datamigrate-coder-small", endpoint: o.url, tokensIn: 21, tokensOut: 8 });
    expect(complex).toMatchObject({ ok: true, model: "datamigrate-coder-large" });
    const [first] = o.chatRequests();
    // Ollama gets the answer's JSON schema as `format`, no streaming, and the messages as given.
    expect(first.stream).toBe(false);
    expect(first.format).toMatchObject({ type: "object", properties: { sql: { type: "string" }, confidence: { type: "number" } }, required: ["sql", "confidence"] });
    expect(first.messages).toEqual(request(org).messages);
  });

  it("per-organisation routes override the defaults for that organisation only", async () => {
    const o = keep(await startFakeOllama({ models: ["datamigrate-coder-small"] }));
    const v = keep(await startFakeOpenAI({ models: ["qwen-lora-acme"] }));
    o.script.chat = () => ({ content: GOOD });
    v.script.chat = () => ({ content: { sql: "select 2", confidence: 1 }, tokensIn: 30, tokensOut: 9 });
    const mine = await newOrg();
    const other = await newOrg();
    await registerModel(testDb.db, mine, { name: "qwen-lora-acme", provider: "openai_compat", endpointUrl: v.url, kind: "lora" });
    await setTierRoute(testDb.db, mine, "SIMPLE", ["qwen-lora-acme"]);
    const r = router({ ollamaUrl: o.url, openaiCompatUrl: `${v.url}/v1` });

    const a = await r.structured(request(mine));
    expect(a).toMatchObject({ ok: true, model: "qwen-lora-acme", endpoint: v.url, value: { sql: "select 2" }, tokensIn: 30, tokensOut: 9 });
    const sent = v.chatRequests()[0];
    expect(sent.response_format).toMatchObject({ type: "json_schema", json_schema: { name: "fix", strict: true, schema: { type: "object" } } });
    expect(sent.stream).toBe(false);
    // An optional field cannot be strict in OpenAI's sense: sent with strict false, still validated here.
    v.script.chat = () => ({ content: { sql: "select 3" } });
    const loose = await r.structured({ ...request(mine), schema: z.object({ sql: z.string(), why: z.string().optional() }) });
    expect(loose).toMatchObject({ ok: true, value: { sql: "select 3" } });
    expect(v.chatRequests()[1].response_format.json_schema.strict).toBe(false);

    const b = await r.structured(request(other));
    expect(b).toMatchObject({ ok: true, model: "datamigrate-coder-small" });
    // Another organisation's route and model are invisible here.
    expect(await getTierRoutes(testDb.db, other)).toEqual({});
  });

  it("a forced model (evaluation) is the only one tried", async () => {
    const o = keep(await startFakeOllama({ models: ["datamigrate-coder-small", "ft-1"] }));
    o.script.byModel = { "ft-1": [{ status: 500 }, { status: 500 }] };
    o.script.chat = () => ({ content: GOOD });
    const orgId = await newOrg();
    await registerModel(testDb.db, orgId, { name: "ft-1", provider: "ollama", endpointUrl: o.url, kind: "fine_tuned" });
    const res = await router({ ollamaUrl: o.url }).structured(request(orgId, { model: "ft-1" }));
    expect(res).toMatchObject({ ok: false, reason: "unavailable" });
    expect(o.chatRequests().map((b) => b.model)).toEqual(["ft-1", "ft-1"]);
  });
});

describe("fallbacks", () => {
  async function twoModels(o: FakeLlmServer) {
    const orgId = await newOrg();
    await registerModel(testDb.db, orgId, { name: "primary", provider: "ollama", endpointUrl: o.url });
    await registerModel(testDb.db, orgId, { name: "backup", provider: "ollama", endpointUrl: o.url });
    await setTierRoute(testDb.db, orgId, "MEDIUM", ["primary", "backup"]);
    return orgId;
  }

  it("falls back when the first model keeps failing with 5xx (after its retries)", async () => {
    const o = keep(await startFakeOllama({ models: ["primary", "backup"] }));
    o.script.byModel = { primary: [{ status: 500, message: "CUDA out of memory" }, { status: 502 }], backup: [{ content: GOOD }] };
    const orgId = await twoModels(o);
    const res = await router({ ollamaUrl: o.url }).structured(request(orgId, { tier: "MEDIUM" }));
    expect(res).toMatchObject({ ok: true, model: "backup" });
    expect(o.chatRequests().map((b) => b.model)).toEqual(["primary", "primary", "backup"]);
    const calls = await listLlmCalls(testDb.db, orgId);
    expect(calls.map((c) => [c.model, c.outcome]).sort()).toEqual([
      ["backup", "ok"],
      ["primary", "error"],
    ]);
    expect(calls.find((c) => c.model === "primary")!.error).toMatch(/502/);
  });

  it("falls back when the first model times out (a hanging server)", async () => {
    const o = keep(await startFakeOllama({ models: ["primary", "backup"] }));
    o.script.byModel = { primary: [{ hang: true }], backup: [{ content: GOOD }] };
    const orgId = await twoModels(o);
    const res = await router({ ollamaUrl: o.url }, { timeoutMs: 200 }).structured(request(orgId, { tier: "MEDIUM" }));
    expect(res).toMatchObject({ ok: true, model: "backup" });
    // A timeout is not retried on the same model: the next one is a better use of the deadline.
    expect(o.chatRequests().map((b) => b.model)).toEqual(["primary", "backup"]);
    const calls = await listLlmCalls(testDb.db, orgId);
    expect(calls.find((c) => c.model === "primary")).toMatchObject({ outcome: "timeout" });
  });

  it("malformed JSON and schema-violating output are rejected and the next model is tried", async () => {
    const o = keep(await startFakeOllama({ models: ["m1", "m2", "m3"] }));
    o.script.byModel = {
      m1: [{ content: '{"sql": "select 1", "confidence": ' }],
      m2: [{ content: { sql: 42, confidence: 7 } }],
      m3: [{ content: "```json\n" + JSON.stringify(GOOD) + "\n```" }],
    };
    const orgId = await newOrg();
    for (const name of ["m1", "m2", "m3"]) await registerModel(testDb.db, orgId, { name, provider: "ollama", endpointUrl: o.url });
    await setTierRoute(testDb.db, orgId, "CRITICAL", ["m1", "m2", "m3"]);
    const res = await router({ ollamaUrl: o.url }).structured(request(orgId, { tier: "CRITICAL" }));
    expect(res).toMatchObject({ ok: true, model: "m3", value: GOOD });
    const calls = await listLlmCalls(testDb.db, orgId);
    expect(Object.fromEntries(calls.map((c) => [c.model, c.outcome]))).toEqual({ m1: "invalid_output", m2: "invalid_output", m3: "ok" });
    expect(calls.find((c) => c.model === "m1")!.error).toMatch(/not valid JSON/);
    expect(calls.find((c) => c.model === "m2")!.error).toMatch(/sql.*confidence|does not match/);
  });

  it("when every model answers with invalid output the reason is invalid_output, with each attempt", async () => {
    const o = keep(await startFakeOllama({ models: ["m1", "m2"] }));
    o.script.chat = () => ({ content: { nope: true } });
    const orgId = await newOrg();
    for (const name of ["m1", "m2"]) await registerModel(testDb.db, orgId, { name, provider: "ollama", endpointUrl: o.url });
    await setTierRoute(testDb.db, orgId, "SIMPLE", ["m1", "m2"]);
    const res = await router({ ollamaUrl: o.url }).structured(request(orgId));
    expect(res).toMatchObject({ ok: false, reason: "invalid_output" });
    if (!res.ok) expect(res.attempts.map((a) => a.model)).toEqual(["m1", "m2"]);
  });

  it("a malformed response envelope is an error, not a crash", async () => {
    const v = keep(await startFakeOpenAI({ models: ["x"] }));
    v.push({ raw: "{truncated" });
    const orgId = await newOrg();
    await registerModel(testDb.db, orgId, { name: "x", provider: "openai_compat", endpointUrl: v.url });
    await setTierRoute(testDb.db, orgId, "SIMPLE", ["x"]);
    const res = await router({ openaiCompatUrl: v.url }).structured(request(orgId));
    expect(res).toMatchObject({ ok: false, reason: "unavailable" });
    if (!res.ok) expect(res.attempts[0]!.error).toMatch(/malformed response envelope/);
  });
});

describe("retries and the circuit breaker", () => {
  it("429 is retried after Retry-After; one longer than the deadline moves on to the next model at once", async () => {
    const o = keep(await startFakeOllama({ models: ["a", "b"] }));
    o.script.byModel = { a: [{ status: 429, headers: { "retry-after": "1" } }, { content: GOOD }] };
    const orgId = await newOrg();
    for (const name of ["a", "b"]) await registerModel(testDb.db, orgId, { name, provider: "ollama", endpointUrl: o.url });
    await setTierRoute(testDb.db, orgId, "SIMPLE", ["a", "b"]);
    const res = await router({ ollamaUrl: o.url }).structured(request(orgId));
    expect(res).toMatchObject({ ok: true, model: "a" });
    const [first, second] = o.requests.filter((q) => q.path === "/api/chat");
    expect(second!.at - first!.at).toBeGreaterThanOrEqual(950);

    o.script.byModel = { a: [{ status: 429, headers: { "retry-after": "3600" } }], b: [{ content: GOOD }] };
    const before = o.chatRequests().length;
    const res2 = await router({ ollamaUrl: o.url }).structured(request(orgId));
    expect(res2).toMatchObject({ ok: true, model: "b" });
    expect(o.chatRequests().slice(before).map((b) => b.model)).toEqual(["a", "b"]);
  });

  it("connection refused is retried with backoff, then the request is unavailable", async () => {
    const down = await refusedUrl();
    const orgId = await newOrg();
    const res = await router({ ollamaUrl: down }, { maxRetries: 2 }).structured(request(orgId));
    expect(res).toMatchObject({ ok: false, reason: "unavailable" });
    if (!res.ok) {
      expect(res.attempts.map((a) => a.model)).toEqual(["datamigrate-coder-small", "datamigrate-coder-large"]);
      expect(res.attempts[0]!.error).toMatch(/ECONNREFUSED|cannot reach/);
    }
  });

  it("the circuit opens after N consecutive failures, skips the endpoint, and closes after the cool-down on success", async () => {
    const o = keep(await startFakeOllama({ models: ["datamigrate-coder-small", "datamigrate-coder-large"] }));
    o.push({ status: 503 }, { status: 503 });
    const orgId = await newOrg();
    const r = router({ ollamaUrl: o.url }, { maxRetries: 0, breakerFailures: 2, breakerCooldownMs: 300 });
    const first = await r.structured(request(orgId));
    expect(first).toMatchObject({ ok: false, reason: "unavailable" });
    expect(r.circuitState(o.url)).toBe("open");
    expect(o.chatRequests()).toHaveLength(2);

    // Open: nothing reaches the server, the answer is immediate.
    const second = await r.structured(request(orgId));
    expect(second).toMatchObject({ ok: false, reason: "unavailable" });
    expect(o.chatRequests()).toHaveLength(2);
    if (!second.ok) expect(second.attempts[0]!.error).toMatch(/circuit open/);

    await new Promise((res) => setTimeout(res, 350));
    o.push({ content: GOOD });
    const third = await r.structured(request(orgId));
    expect(third).toMatchObject({ ok: true, model: "datamigrate-coder-small" });
    expect(r.circuitState(o.url)).toBe("closed");

    const outcomes = (await listLlmCalls(testDb.db, orgId)).map((c) => c.outcome).sort();
    expect(outcomes).toEqual(["circuit_open", "circuit_open", "error", "error", "ok"]);
  });

  it("a 4xx (unknown model) does not open the circuit", async () => {
    const o = keep(await startFakeOllama({ models: ["something-else"] }));
    const orgId = await newOrg();
    const r = router({ ollamaUrl: o.url }, { maxRetries: 0, breakerFailures: 1 });
    const res = await r.structured(request(orgId));
    expect(res).toMatchObject({ ok: false, reason: "unavailable" });
    if (!res.ok) expect(res.attempts[0]!.error).toMatch(/404.*not found/);
    expect(r.circuitState(o.url)).toBe("closed");
  });
});

describe("never hangs, policy and cancellation", () => {
  it("no model configured: unavailable, without any network call", async () => {
    const orgId = await newOrg();
    const res = await router({ ollamaUrl: undefined, openaiCompatUrl: undefined }).structured(request(orgId));
    expect(res).toMatchObject({ ok: false, reason: "unavailable" });
    if (!res.ok) expect(res.message).toMatch(/no usable model/);
    expect(await listLlmCalls(testDb.db, orgId)).toEqual([]);
  });

  it("every endpoint hanging: unavailable at the overall deadline", async () => {
    const o = keep(await startFakeOllama({ models: ["datamigrate-coder-small", "datamigrate-coder-large"] }));
    o.script.chat = () => ({ hang: true });
    const orgId = await newOrg();
    const res = await router({ ollamaUrl: o.url }, { timeoutMs: 60_000, deadlineMs: 300 }).structured(request(orgId));
    expect(res).toMatchObject({ ok: false, reason: "unavailable" });
    if (!res.ok) expect(res.attempts.map((a) => a.error).join(" ")).toMatch(/deadline|within/);
  });

  it("the caller's abort signal cancels the request", async () => {
    const o = keep(await startFakeOllama({ models: ["datamigrate-coder-small"] }));
    o.script.chat = () => ({ hang: true });
    const orgId = await newOrg();
    const ac = new AbortController();
    const pending = router({ ollamaUrl: o.url }).structured(request(orgId, { signal: ac.signal }));
    setTimeout(() => ac.abort(), 50);
    expect(await pending).toMatchObject({ ok: false, reason: "cancelled" });
  });

  it("cloud providers are refused unless the organisation allows outbound access to that provider", async () => {
    const a = keep(await startFakeAnthropic({ models: ["claude-sonnet"] }));
    a.script.chat = () => ({ content: GOOD, tokensIn: 40, tokensOut: 12 });
    const orgId = await newOrg();
    await registerModel(testDb.db, orgId, { name: "claude-sonnet", provider: "anthropic", endpointUrl: a.url });
    await setTierRoute(testDb.db, orgId, "COMPLEX", ["claude-sonnet"]);
    const r = router({ anthropic: { url: a.url, apiKey: "test-key" } });

    const refused = await r.structured(request(orgId, { tier: "COMPLEX" }));
    expect(refused).toMatchObject({ ok: false, reason: "refused_by_policy" });
    expect(a.requests).toHaveLength(0);

    await setLlmSettings(testDb.db, orgId, { allowOutbound: true, allowedProviders: [] });
    expect(await r.structured(request(orgId, { tier: "COMPLEX" }))).toMatchObject({ ok: false, reason: "refused_by_policy" });
    expect(a.requests).toHaveLength(0);

    await setLlmSettings(testDb.db, orgId, { allowOutbound: true, allowedProviders: ["anthropic"] });
    const allowed = await r.structured(request(orgId, { tier: "COMPLEX" }));
    expect(allowed).toMatchObject({ ok: true, model: "claude-sonnet", value: GOOD, tokensIn: 40, tokensOut: 12 });
    const sent = a.chatRequests()[0];
    expect(a.requests[0]!.headers["x-api-key"]).toBe("test-key");
    expect(sent.system).toBe("You translate T-SQL.");
    expect(sent.tool_choice).toEqual({ type: "tool", name: "fix" });
    expect(sent.tools[0].input_schema).toMatchObject({ type: "object" });

    const outcomes = (await listLlmCalls(testDb.db, orgId)).map((c) => c.outcome).sort();
    expect(outcomes).toEqual(["ok", "refused", "refused"]);
  });

  it("the OpenAI cloud provider too: refused by default, then called with its key once allowed", async () => {
    const cloud = keep(await startFakeOpenAI({ models: ["gpt-x"] }));
    cloud.script.chat = () => ({ content: GOOD });
    const orgId = await newOrg();
    await registerModel(testDb.db, orgId, { name: "gpt-x", provider: "openai", endpointUrl: cloud.url });
    await setTierRoute(testDb.db, orgId, "SIMPLE", ["gpt-x"]);
    const r = router({ openai: { url: cloud.url, apiKey: "sk-test" } });
    expect(await r.structured(request(orgId))).toMatchObject({ ok: false, reason: "refused_by_policy" });
    await setLlmSettings(testDb.db, orgId, { allowOutbound: true, allowedProviders: ["anthropic"] });
    expect(await r.structured(request(orgId))).toMatchObject({ ok: false, reason: "refused_by_policy" });
    expect(cloud.requests).toHaveLength(0);
    await setLlmSettings(testDb.db, orgId, { allowOutbound: true, allowedProviders: ["openai"] });
    expect(await r.structured(request(orgId))).toMatchObject({ ok: true, model: "gpt-x" });
    expect(cloud.requests[0]!.headers.authorization).toBe("Bearer sk-test");
    // Listing never reaches a cloud endpoint (it is not organisation-scoped).
    expect(await r.listEndpointModels()).toEqual([]);
  });

  it("the organisation's Guardian policy (allowedModelProviders) is required too: a cloud provider needs both allowances, a local one the policy's", async () => {
    const cloud = keep(await startFakeAnthropic({ models: ["claude-sonnet"] }));
    cloud.script.chat = () => ({ content: GOOD });
    const local = keep(await startFakeOllama({ models: ["local-coder"] }));
    local.script.chat = () => ({ content: GOOD });
    const orgId = await newOrg();
    await registerModel(testDb.db, orgId, { name: "claude-sonnet", provider: "anthropic", endpointUrl: cloud.url });
    await registerModel(testDb.db, orgId, { name: "local-coder", provider: "ollama", endpointUrl: local.url });
    await setTierRoute(testDb.db, orgId, "COMPLEX", ["claude-sonnet"]);
    await setTierRoute(testDb.db, orgId, "SIMPLE", ["local-coder"]);
    const r = router({ ollamaUrl: local.url, anthropic: { url: cloud.url, apiKey: "test-key" } });
    const admin = { orgId, userId: null as unknown as string, ip: null, at: new Date() };

    // The router's outbound settings allow Anthropic; the Guardian policy allows only local models.
    await setLlmSettings(testDb.db, orgId, { allowOutbound: true, allowedProviders: ["anthropic"] });
    await updatePolicy(testDb.db, admin, { allowedModelProviders: ["ollama", "openai_compat"] });
    const refused = await r.structured(request(orgId, { tier: "COMPLEX" }));
    expect(refused).toMatchObject({ ok: false, reason: "refused_by_policy", message: expect.stringMatching(/Guardian policy does not allow prompts to be sent to anthropic/) });
    expect(cloud.requests).toHaveLength(0);
    expect(await r.structured(request(orgId))).toMatchObject({ ok: true, model: "local-coder" });

    // The Guardian policy allows Anthropic, but the router's outbound settings do not: still refused.
    await updatePolicy(testDb.db, admin, { allowedModelProviders: ["anthropic", "ollama"] });
    await setLlmSettings(testDb.db, orgId, { allowOutbound: false, allowedProviders: ["anthropic"] });
    expect(await r.structured(request(orgId, { tier: "COMPLEX" }))).toMatchObject({ ok: false, reason: "refused_by_policy", message: expect.stringMatching(/does not allow outbound access/) });
    expect(cloud.requests).toHaveLength(0);

    // A Guardian policy without ollama closes the local model too.
    await updatePolicy(testDb.db, admin, { allowedModelProviders: ["anthropic"] });
    expect(await r.structured(request(orgId))).toMatchObject({ ok: false, reason: "refused_by_policy" });
    const localCalls = local.requests.length;

    // Both allow it: called. No list in the policy (null) leaves the router's settings in charge.
    await setLlmSettings(testDb.db, orgId, { allowOutbound: true, allowedProviders: ["anthropic"] });
    expect(await r.structured(request(orgId, { tier: "COMPLEX" }))).toMatchObject({ ok: true, model: "claude-sonnet" });
    await updatePolicy(testDb.db, admin, { allowedModelProviders: null });
    expect(await r.structured(request(orgId))).toMatchObject({ ok: true, model: "local-coder" });
    expect(local.requests.length).toBeGreaterThan(localCalls);
  });

  it("cloud API keys from the environment never reach a log line, wherever the config is logged", () => {
    const config = loadConfig({ ANTHROPIC_API_KEY: "sk-ant-SECRET1", OPENAI_API_KEY: "sk-SECRET2", OPENAI_COMPAT_API_KEY: "SECRET3" });
    expect(config.anthropic.apiKey).toBe("sk-ant-SECRET1");
    let out = "";
    const sink = new Writable({ write: (chunk, _e, cb) => ((out += String(chunk)), cb()) });
    const log = createLogger("info", sink);
    log.info(config, "as the object");
    log.info({ config }, "nested");
    expect(out).toContain("api.anthropic.com");
    expect(out).not.toMatch(/SECRET/);
  });

  it("a registered model whose endpoint is not configured is never called", async () => {
    const o = keep(await startFakeOllama({ models: ["elsewhere"] }));
    const orgId = await newOrg();
    await registerModel(testDb.db, orgId, { name: "elsewhere", provider: "ollama", endpointUrl: o.url });
    await setTierRoute(testDb.db, orgId, "SIMPLE", ["elsewhere"]);
    const res = await router({ ollamaUrl: await refusedUrl() }).structured(request(orgId));
    expect(res).toMatchObject({ ok: false, reason: "unavailable" });
    if (!res.ok) expect(res.attempts[0]!.error).toMatch(/not configured/);
    expect(o.requests).toHaveLength(0);
  });
});

describe("the call log and the registry", () => {
  it("records org, migration, agent, tier, model, endpoint, tokens, latency and outcome; summarises per model", async () => {
    const o = keep(await startFakeOllama({ models: ["datamigrate-coder-small"] }));
    o.push({ content: GOOD, tokensIn: 100, tokensOut: 20 }, { content: GOOD, tokensIn: 50, tokensOut: 10 });
    const orgId = await newOrg();
    const r = router({ ollamaUrl: o.url });
    await r.structured(request(orgId, { agent: "execute" }));
    await r.structured(request(orgId, { agent: "rebuild" }));
    const calls = await listLlmCalls(testDb.db, orgId);
    expect(calls).toHaveLength(2);
    expect(calls.map((c) => c.agent).sort()).toEqual(["execute", "rebuild"]);
    expect(calls[0]).toMatchObject({ orgId, migrationId: null, tier: "SIMPLE", model: "datamigrate-coder-small", provider: "ollama", endpoint: o.url, outcome: "ok", error: null });
    expect(calls[0]!.latencyMs).toBeGreaterThanOrEqual(0);
    expect(await summarizeLlmCalls(testDb.db, orgId)).toEqual([
      { model: "datamigrate-coder-small", provider: "ollama", outcome: "ok", calls: 2, tokensIn: 150, tokensOut: 30, avgLatencyMs: expect.any(Number) },
    ]);
    expect(await listLlmCalls(testDb.db, org)).not.toContainEqual(expect.objectContaining({ orgId }));
  });

  it("removing a model takes it out of the routes; the next request uses the rest of the chain", async () => {
    const o = keep(await startFakeOllama({ models: ["a", "b"] }));
    o.script.chat = (req) => ({ content: { ...GOOD, sql: `from ${req.model}` } });
    const orgId = await newOrg();
    for (const name of ["a", "b"]) await registerModel(testDb.db, orgId, { name, provider: "ollama", endpointUrl: o.url });
    await setTierRoute(testDb.db, orgId, "SIMPLE", ["a", "b"]);
    const r = router({ ollamaUrl: o.url });
    expect(await r.structured(request(orgId))).toMatchObject({ ok: true, model: "a" });
    expect(await removeModel(testDb.db, orgId, "a")).toMatchObject({ name: "a" });
    expect(await getTierRoutes(testDb.db, orgId)).toEqual({ SIMPLE: ["b"] });
    expect(await r.structured(request(orgId))).toMatchObject({ ok: true, model: "b", value: { sql: "from b" } });
  });

  it("loads the routing state in one query with the same shapes as the table rows; a disabled model is skipped", async () => {
    const o = keep(await startFakeOllama({ models: ["off", "on"] }));
    o.script.chat = (req) => ({ content: { ...GOOD, sql: `from ${req.model}` } });
    const orgId = await newOrg();
    const off = await registerModel(testDb.db, orgId, { name: "off", provider: "ollama", endpointUrl: o.url, kind: "fine_tuned", baseModel: "qwen" });
    await registerModel(testDb.db, orgId, { name: "on", provider: "ollama", endpointUrl: o.url });
    await setModelEnabled(testDb.db, orgId, "off", false);
    await setTierRoute(testDb.db, orgId, "MEDIUM", ["off", "on"]);
    await setLlmSettings(testDb.db, orgId, { allowOutbound: true, allowedProviders: ["openai"] });
    const state = await loadRoutingState(testDb.db, orgId);
    expect(state.models.find((m) => m.name === "off")).toEqual({ ...off, enabled: false });
    expect(state.routes).toEqual({ MEDIUM: ["off", "on"] });
    expect(state.settings).toEqual({ allowOutbound: true, allowedProviders: ["openai"] });
    expect(await loadRoutingState(testDb.db, await newOrg())).toEqual({ models: [], routes: {}, settings: { allowOutbound: false, allowedProviders: [] } });

    const res = await router({ ollamaUrl: o.url }).structured(request(orgId, { tier: "MEDIUM" }));
    expect(res).toMatchObject({ ok: true, model: "on" });
    expect(o.chatRequests().map((b) => b.model)).toEqual(["on"]);
  });

  it("lists the models of every configured local endpoint, reporting one that is down", async () => {
    const o = keep(await startFakeOllama({ models: ["datamigrate-coder-small"] }));
    const v = keep(await startFakeOpenAI({ models: ["Qwen/Qwen2.5-Coder-32B-Instruct", "acme-lora"] }));
    const listing = await router({ ollamaUrl: o.url, openaiCompatUrl: v.url }).listEndpointModels();
    expect(listing.map((l) => [l.provider, l.ok, l.models.map((m) => m.name)])).toEqual([
      ["ollama", true, ["datamigrate-coder-small:latest"]],
      ["openai_compat", true, ["Qwen/Qwen2.5-Coder-32B-Instruct", "acme-lora"]],
    ]);
    const down = await router({ ollamaUrl: await refusedUrl() }).listEndpointModels();
    expect(down).toEqual([expect.objectContaining({ provider: "ollama", ok: false, models: [] })]);
  });
});
