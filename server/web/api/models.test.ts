// /api/v1/models through the real app, with fake model endpoints on loopback.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startFakeOllama, startFakeOpenAI, type FakeLlmServer } from "../../../test/support/fake-llm.ts";
import { TEST_PASSWORD, withTestApp } from "../../../test/support/app.ts";
import { recordLlmCalls } from "../../db/queries/llm.ts";

const t = withTestApp();
let ollama: FakeLlmServer;
let vllm: FakeLlmServer;

beforeAll(async () => {
  ollama = await startFakeOllama({ models: ["datamigrate-coder-small", "acme-ft"] });
  vllm = await startFakeOpenAI({ models: ["Qwen/Qwen2.5-Coder-32B-Instruct", "acme-lora"] });
  // The app reads its config on first request; the fakes' ports are only known now.
  Object.assign(t.config, { ollamaUrl: ollama.url, openaiCompatUrl: `${vllm.url}/v1` });
});
afterAll(async () => {
  await Promise.all([ollama?.close(), vllm?.close()]);
});

const send = (method: string, path: string, token: string, body?: unknown) =>
  t.app.request(path, {
    method,
    headers: { ...t.bearer(token), ...(body !== undefined ? { "Content-Type": "application/json" } : {}) },
    ...(body !== undefined ? { body: typeof body === "string" ? body : JSON.stringify(body) } : {}),
  });
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const json = async (res: Response): Promise<any> => res.json();

async function memberOf(adminToken: string): Promise<string> {
  const email = `member-${Math.random().toString(36).slice(2, 8)}@example.com`;
  const res = await send("POST", "/api/v1/organization/members", adminToken, { email, password: TEST_PASSWORD, role: "member" });
  expect(res.status).toBe(201);
  return t.login(email, TEST_PASSWORD);
}

describe("/api/v1/models", () => {
  it("GET lists the endpoints' models, the default routes and the (closed) outbound settings", async () => {
    const a = await t.adminOf();
    const res = await send("GET", "/api/v1/models", a.token);
    expect(res.status).toBe(200);
    const body = await json(res);
    expect(body.items).toEqual([]);
    expect(body.endpoints.map((e: { provider: string; ok: boolean; models: { name: string }[] }) => [e.provider, e.ok, e.models.map((m) => m.name)])).toEqual([
      ["ollama", true, ["datamigrate-coder-small:latest", "acme-ft:latest"]],
      ["openai_compat", true, ["Qwen/Qwen2.5-Coder-32B-Instruct", "acme-lora"]],
    ]);
    expect(body.routes.SIMPLE).toEqual({ models: ["datamigrate-coder-small", "datamigrate-coder-large"], source: "default" });
    expect(body.routes.COMPLEX.models[0]).toBe("datamigrate-coder-large");
    expect(body.settings).toEqual({ allowOutbound: false, allowedProviders: [] });
  });

  it("an admin registers models, routes a tier to them, and removes one (also from the route)", async () => {
    const a = await t.adminOf();
    const lora = await send("POST", "/api/v1/models", a.token, { name: "acme-lora", provider: "openai_compat", kind: "lora", baseModel: "Qwen/Qwen2.5-Coder-32B-Instruct" });
    expect(lora.status).toBe(201);
    expect(await json(lora)).toMatchObject({ name: "acme-lora", provider: "openai_compat", endpointUrl: vllm.url, kind: "lora", enabled: true, cloud: false, served: true });
    const unserved = await send("POST", "/api/v1/models", a.token, { name: "not-pulled-yet", provider: "ollama" });
    expect(await json(unserved)).toMatchObject({ name: "not-pulled-yet", served: false });
    expect((await send("DELETE", "/api/v1/models/not-pulled-yet", a.token)).status).toBe(204);
    const slashy = await send("POST", "/api/v1/models", a.token, { name: "Qwen/Qwen2.5-Coder-32B-Instruct", provider: "openai_compat", endpointUrl: `${vllm.url}/v1/` });
    expect(slashy.status).toBe(201);
    const ft = await send("POST", "/api/v1/models", a.token, { name: "acme-ft", provider: "ollama", endpointUrl: ollama.url, kind: "fine_tuned" });
    expect(ft.status).toBe(201);
    expect((await json(ft)).served).toBe(true);

    const dup = await send("POST", "/api/v1/models", a.token, { name: "acme-ft", provider: "ollama" });
    expect(dup.status).toBe(409);
    expect((await json(dup)).error).toMatchObject({ code: "model_exists", fields: { name: ["already registered"] } });

    const routed = await send("PUT", "/api/v1/models/routes", a.token, {
      routes: { COMPLEX: ["acme-lora", "Qwen/Qwen2.5-Coder-32B-Instruct", "datamigrate-coder-large"], SIMPLE: ["acme-ft"] },
    });
    expect(routed.status).toBe(200);
    const r = (await json(routed)).routes;
    expect(r.COMPLEX).toEqual({ models: ["acme-lora", "Qwen/Qwen2.5-Coder-32B-Instruct", "datamigrate-coder-large"], source: "organization" });
    expect(r.MEDIUM.source).toBe("default");

    const del = await send("DELETE", "/api/v1/models/Qwen/Qwen2.5-Coder-32B-Instruct", a.token);
    expect(del.status).toBe(204);
    const after = await json(await send("GET", "/api/v1/models", a.token));
    expect(after.items.map((m: { name: string }) => m.name)).toEqual(["acme-ft", "acme-lora"]);
    expect(after.routes.COMPLEX.models).toEqual(["acme-lora", "datamigrate-coder-large"]);

    const disabled = await send("PATCH", "/api/v1/models/acme-ft", a.token, { enabled: false });
    expect(await json(disabled)).toMatchObject({ name: "acme-ft", enabled: false });

    // An empty chain gives the tier back to the defaults.
    const reset = await json(await send("PUT", "/api/v1/models/routes", a.token, { routes: { SIMPLE: [] } }));
    expect(reset.routes.SIMPLE.source).toBe("default");
    expect((await send("DELETE", "/api/v1/models/nope", a.token)).status).toBe(404);
  });

  it("bad input is a 400 naming the fields", async () => {
    const a = await t.adminOf();
    const cases: [string, string, unknown, Record<string, unknown>][] = [
      ["POST", "/api/v1/models", {}, { name: [expect.stringMatching(/model name/)], provider: [expect.stringMatching(/expected one of/)] }],
      ["POST", "/api/v1/models", { name: "two words", provider: "ollama" }, { name: [expect.stringMatching(/model name/)] }],
      ["POST", "/api/v1/models", { name: "x", provider: "ollama", kind: "huge" }, { kind: [expect.stringMatching(/base, fine_tuned, lora/)] }],
      ["POST", "/api/v1/models", { name: "x", provider: "ollama", url: "http://x" }, { url: ["unknown field"] }],
      ["POST", "/api/v1/models", { name: "x", provider: "ollama", endpointUrl: "http://169.254.169.254" }, { endpointUrl: [expect.stringMatching(/configured ollama endpoint/)] }],
      ["POST", "/api/v1/models", { name: "x", provider: "anthropic" }, { provider: [expect.stringMatching(/no anthropic endpoint/)] }],
      ["PUT", "/api/v1/models/routes", { routes: { SIMPLE: ["not-registered"] } }, { "routes.SIMPLE.0": [expect.stringMatching(/not a registered model/)] }],
      ["PUT", "/api/v1/models/routes", { routes: { TRIVIAL: ["datamigrate-coder-small"] } }, { "routes.TRIVIAL": ["unknown field"] }],
      ["PUT", "/api/v1/models/routes", { routes: { SIMPLE: ["datamigrate-coder-small", "datamigrate-coder-small"] } }, { "routes.SIMPLE": ["a model may appear only once"] }],
      ["PUT", "/api/v1/models/routes", { routes: { SIMPLE: "datamigrate-coder-small" } }, { "routes.SIMPLE": ["expected a list of model names"] }],
      ["PUT", "/api/v1/models/settings", { allowOutbound: "yes" }, { allowOutbound: ["expected true or false"] }],
      ["PUT", "/api/v1/models/settings", { allowOutbound: true, allowedProviders: ["ollama"] }, { "allowedProviders.0": [expect.stringMatching(/anthropic, openai/)] }],
    ];
    for (const [method, path, body, fields] of cases) {
      const res = await send(method, path, a.token, body);
      expect(res.status, `${method} ${path} ${JSON.stringify(body)}`).toBe(400);
      expect((await json(res)).error, JSON.stringify(body)).toMatchObject({ code: "validation_failed", fields });
    }
    const malformed = await send("POST", "/api/v1/models", a.token, "{not json");
    expect(malformed.status).toBe(400);
    expect((await json(malformed)).error.code).toBe("malformed_json");
    // Nothing was half-registered.
    expect((await json(await send("GET", "/api/v1/models", a.token))).items).toEqual([]);
  });

  it("members can read but not change the registry (403)", async () => {
    const a = await t.adminOf();
    const member = await memberOf(a.token);
    expect((await send("GET", "/api/v1/models", member)).status).toBe(200);
    for (const [method, path, body] of [
      ["POST", "/api/v1/models", { name: "m", provider: "ollama" }],
      ["PUT", "/api/v1/models/routes", { routes: { SIMPLE: [] } }],
      ["PUT", "/api/v1/models/settings", { allowOutbound: true, allowedProviders: ["openai"] }],
      ["PATCH", "/api/v1/models/m", { enabled: false }],
      ["DELETE", "/api/v1/models/m", undefined],
    ] as const) {
      const res = await send(method, path, member, body);
      expect(res.status, `${method} ${path}`).toBe(403);
      expect((await json(res)).error.code).toBe("forbidden");
    }
  });

  it("another organisation sees none of it and cannot remove it", async () => {
    const a = await t.adminOf();
    const b = await t.adminOf();
    expect((await send("POST", "/api/v1/models", a.token, { name: "acme-ft", provider: "ollama" })).status).toBe(201);
    expect((await send("PUT", "/api/v1/models/routes", a.token, { routes: { SIMPLE: ["acme-ft"] } })).status).toBe(200);
    const seen = await json(await send("GET", "/api/v1/models", b.token));
    expect(seen.items).toEqual([]);
    expect(seen.routes.SIMPLE.source).toBe("default");
    expect((await send("DELETE", "/api/v1/models/acme-ft", b.token)).status).toBe(404);
    expect((await send("PUT", "/api/v1/models/routes", b.token, { routes: { SIMPLE: ["acme-ft"] } })).status).toBe(400);
    // The same name is free in another organisation.
    expect((await send("POST", "/api/v1/models", b.token, { name: "acme-ft", provider: "ollama" })).status).toBe(201);
    expect((await json(await send("GET", "/api/v1/models", a.token))).items).toHaveLength(1);
  });

  it("settings allow a cloud provider explicitly; the call log is per organisation", async () => {
    const a = await t.adminOf();
    const b = await t.adminOf();
    const set = await send("PUT", "/api/v1/models/settings", a.token, { allowOutbound: true, allowedProviders: ["anthropic"] });
    expect(await json(set)).toEqual({ settings: { allowOutbound: true, allowedProviders: ["anthropic"] } });
    expect((await json(await send("GET", "/api/v1/models", a.token))).settings).toEqual({ allowOutbound: true, allowedProviders: ["anthropic"] });

    await recordLlmCalls(t.testDb.db, [
      { orgId: a.orgId, agent: "rebuild", tier: "SIMPLE", model: "acme-ft", provider: "ollama", endpoint: ollama.url, tokensIn: 10, tokensOut: 5, latencyMs: 40, outcome: "ok" },
      { orgId: a.orgId, agent: "rebuild", tier: "SIMPLE", model: "acme-ft", provider: "ollama", endpoint: ollama.url, latencyMs: 5, outcome: "invalid_output", error: "not JSON" },
    ]);
    const calls = await json(await send("GET", "/api/v1/models/calls?limit=10", a.token));
    expect(calls.items).toHaveLength(2);
    expect(calls.summary.map((s: { outcome: string; calls: number }) => [s.outcome, s.calls])).toEqual([
      ["invalid_output", 1],
      ["ok", 1],
    ]);
    expect((await json(await send("GET", "/api/v1/models/calls", b.token))).items).toEqual([]);
    expect((await send("GET", "/api/v1/models/calls?migrationId=nope", a.token)).status).toBe(400);
  });
});
