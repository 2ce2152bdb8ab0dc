// The fake model servers speak the real wire formats: these tests pin what router and other tests rely on.
import { afterEach, describe, expect, it } from "vitest";
import { readBody, refusedUrl, startFakeAnthropic, startFakeOllama, startFakeOpenAI, type FakeLlmServer } from "./fake-llm.ts";

const open: FakeLlmServer[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((s) => s.close()));
});
const keep = <T extends FakeLlmServer>(s: T) => (open.push(s), s);
const json = async (res: Response | Promise<Response>): Promise<any> => (await res).json();
const post = (url: string, body: unknown) =>
  fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });

describe("fake Ollama", () => {
  it("answers /api/chat (stream:false) with the message, counts and done, and records the request", async () => {
    const o = keep(await startFakeOllama({ models: ["m1"] }));
    o.push({ content: { answer: 42 }, tokensIn: 7, tokensOut: 3 });
    const res = await post(`${o.url}/api/chat`, { model: "m1", messages: [{ role: "user", content: "hi" }], format: { type: "object" }, stream: false });
    expect(res.status).toBe(200);
    const body = await json(res);
    expect(body).toMatchObject({ model: "m1", done: true, message: { role: "assistant", content: '{"answer":42}' }, prompt_eval_count: 7, eval_count: 3 });
    expect(o.chatRequests()[0].format).toEqual({ type: "object" });
  });

  it("streams NDJSON when stream is not false, ending with a done line", async () => {
    const o = keep(await startFakeOllama({ models: ["m1"] }));
    o.push({ content: "a fairly long piece of text that spans chunks" });
    const res = await post(`${o.url}/api/chat`, { model: "m1", messages: [] });
    expect(res.headers.get("content-type")).toContain("application/x-ndjson");
    const lines = (await res.text()).trim().split("\n").map((l) => JSON.parse(l));
    expect(lines.length).toBeGreaterThan(2);
    expect(lines.at(-1).done).toBe(true);
    expect(lines.map((l) => l.message.content).join("")).toBe("a fairly long piece of text that spans chunks");
  });

  it("lists models on /api/tags with :latest tags; unknown model is 404; unscripted chat is 500", async () => {
    const o = keep(await startFakeOllama({ models: ["m1"] }));
    o.addModel("m2");
    const tags = await json(fetch(`${o.url}/api/tags`));
    expect(tags.models.map((m: { name: string }) => m.name)).toEqual(["m1:latest", "m2:latest"]);
    const nf = await post(`${o.url}/api/chat`, { model: "nope", messages: [], stream: false });
    expect(nf.status).toBe(404);
    expect((await json(nf)).error).toMatch(/not found/);
    const unscripted = await post(`${o.url}/api/chat`, { model: "m1", messages: [], stream: false });
    expect(unscripted.status).toBe(500);
  });

  it("plays per-model queues before the shared queue, error statuses with headers, and raw bodies", async () => {
    const o = keep(await startFakeOllama({ models: ["a", "b"], byModel: { b: [{ content: "from b" }] } }));
    o.push({ status: 429, headers: { "retry-after": "2" } }, { raw: "{truncated" });
    const b = await json(post(`${o.url}/api/chat`, { model: "b", messages: [], stream: false }));
    expect(b.message.content).toBe("from b");
    const limited = await post(`${o.url}/api/chat`, { model: "a", messages: [], stream: false });
    expect(limited.status).toBe(429);
    expect(limited.headers.get("retry-after")).toBe("2");
    expect(await limited.json()).toHaveProperty("error");
    const raw = await post(`${o.url}/api/chat`, { model: "a", messages: [], stream: false });
    expect(await raw.text()).toBe("{truncated");
  });

  it("a hanging answer stays open until the client aborts; close() ends it", async () => {
    const o = keep(await startFakeOllama({ models: ["m"] }));
    o.push({ hang: true });
    const ac = new AbortController();
    const pending = post(`${o.url}/api/chat`, { model: "m", messages: [], stream: false });
    const aborted = fetch(`${o.url}/api/chat`, { method: "POST", body: "{}", signal: ac.signal }).catch((e: Error) => e.name);
    ac.abort();
    expect(await aborted).toBe("AbortError");
    await o.close();
    await expect(pending).rejects.toThrow();
  });

  it("extraRoutes run first with the body unread and may decline", async () => {
    const o = keep(
      await startFakeOllama({
        models: [],
        extraRoutes: [
          {
            method: "POST",
            path: /^\/api\/blobs\/sha256:[0-9a-f]+$/,
            handler: async (req, res) => {
              const body = await readBody(req);
              res.writeHead(201).end(String(body.length));
            },
          },
          { path: "/api/tags", handler: () => false },
        ],
      }),
    );
    const res = await fetch(`${o.url}/api/blobs/sha256:abc`, { method: "POST", body: "12345" });
    expect(res.status).toBe(201);
    expect(await res.text()).toBe("5");
    expect((await json(fetch(`${o.url}/api/tags`))).models).toEqual([]);
  });
});

describe("fake OpenAI-compatible", () => {
  it("answers /v1/chat/completions with choices and usage and lists /v1/models", async () => {
    const v = keep(await startFakeOpenAI({ models: ["qwen"] }));
    v.push({ content: { ok: true }, tokensIn: 11, tokensOut: 4 });
    const res = await post(`${v.url}/v1/chat/completions`, { model: "qwen", messages: [], response_format: { type: "json_schema" } });
    const body = await json(res);
    expect(body.choices[0].message.content).toBe('{"ok":true}');
    expect(body.usage).toEqual({ prompt_tokens: 11, completion_tokens: 4, total_tokens: 15 });
    const models = await json(fetch(`${v.url}/v1/models`));
    expect(models).toMatchObject({ object: "list", data: [{ id: "qwen", object: "model" }] });
  });

  it("streams SSE chunks ending with [DONE] when stream is true", async () => {
    const v = keep(await startFakeOpenAI({ models: ["qwen"] }));
    v.push({ content: "hello streaming world" });
    const text = await (await post(`${v.url}/v1/chat/completions`, { model: "qwen", messages: [], stream: true })).text();
    const events = text.split("\n\n").filter(Boolean);
    expect(events.at(-1)).toBe("data: [DONE]");
    const joined = events
      .slice(0, -1)
      .map((e) => JSON.parse(e.slice(6)).choices[0].delta.content ?? "")
      .join("");
    expect(joined).toBe("hello streaming world");
  });

  it("error statuses carry the OpenAI error object", async () => {
    const v = keep(await startFakeOpenAI({ models: ["qwen"] }));
    v.push({ status: 503, message: "overloaded" });
    const res = await post(`${v.url}/v1/chat/completions`, { model: "qwen", messages: [] });
    expect(res.status).toBe(503);
    expect((await json(res)).error.message).toBe("overloaded");
  });
});

describe("fake Anthropic and refused URL", () => {
  it("answers with a tool_use block and usage", async () => {
    const a = keep(await startFakeAnthropic({ models: ["claude"] }));
    a.push({ content: { x: 1 } });
    const body = await json(post(`${a.url}/v1/messages`, { model: "claude", messages: [], tools: [{ name: "answer" }] }));
    expect(body.content[0]).toMatchObject({ type: "tool_use", name: "answer", input: { x: 1 } });
    expect(body.usage.input_tokens).toBe(10);
  });

  it("refusedUrl is a loopback port that refuses connections", async () => {
    const url = await refusedUrl();
    await expect(fetch(`${url}/api/tags`)).rejects.toThrow();
  });
});
