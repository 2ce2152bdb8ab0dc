// Issue 10 "done when": from a completed migration, an admin exports anonymised JSONL, registers a
// model file through the admin routes (against the fake Ollama), routes a tier to it, and sees an
// evaluation score for it. Plus: admin only, organisation isolation, the upload body limit.
import { createHash } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { withTestApp } from "../../../test/support/app.ts";
import { startFakeOllama, type FakeLlmServer } from "../../../test/support/fake-llm.ts";
import { setFineTuningSettings } from "../../db/queries/finetune.ts";
import { migrationFiles, migrationModels } from "../../db/schema/migrations.ts";
import { TrainingLine } from "../../finetune/export.ts";
import { fakeGguf, ollamaCreateRoutes, type OllamaCreateState } from "../../finetune/fake-ollama-create.ts";
import { payrollModels, SECRET_IDENTIFIERS, SECRET_LITERALS, seedMigration } from "../../finetune/test-fixtures.ts";
import { createModelRouter } from "../../llm/index.ts";
import { z } from "zod";

let dataDir: string;
let ollama: FakeLlmServer;
let state: OllamaCreateState;

beforeAll(async () => {
  const r = ollamaCreateRoutes();
  state = r.state;
  ollama = await startFakeOllama({ models: ["datamigrate-coder-small"], extraRoutes: r.routes });
});
afterAll(async () => {
  await ollama.close();
  await rm(dataDir, { recursive: true, force: true });
});

dataDir = path.join(os.tmpdir(), `dm-admin-models-${process.pid}-${Date.now()}`);
const t = withTestApp({ config: { dataDir } });
// The fake's port is known only once it listens; the app reads this same config object lazily.
beforeAll(() => {
  t.config.ollamaUrl = ollama.url;
});

const PROJECT: Record<string, string> = {
  "dbt_project.yml": 'name: evalproj\nversion: "1.0.0"\nprofile: evalproj\nmodel-paths: ["models"]\n',
  "models/marts/totals.sql": "select 1 as id, 'a' as label\n",
  "models/marts/schema.yml": "version: 2\nmodels:\n  - name: totals\n    columns:\n      - name: id\n        data_tests: [not_null, unique]\n",
};

async function member(adminToken: string) {
  const email = `member-${Math.random().toString(36).slice(2)}@example.com`;
  const res = await t.postJson("/api/v1/organization/members", { email, password: "correct horse battery staple", role: "member" }, t.bearer(adminToken));
  expect(res.status).toBe(201);
  return t.login(email, "correct horse battery staple");
}

function put(p: string, body: Uint8Array, token: string) {
  return t.app.request(p, { method: "PUT", headers: { ...t.bearer(token), "Content-Type": "application/octet-stream" }, body });
}

describe("fine-tuning end to end through the API and the admin page", { timeout: 180_000 }, () => {
  it("export → upload + load into Ollama → route a tier → evaluate → the page shows the score", async () => {
    const admin = await t.adminOf("Acme Widgets");
    const db = t.testDb.db;
    // A completed migration: the payroll objects (anonymisation) and one object with a stored dbt project (evaluation).
    await setFineTuningSettings(db, admin.orgId, { evalPercent: 0 });
    await seedMigration(db, admin.orgId, payrollModels());

    // 1. Export: anonymised JSONL that validates line by line.
    const exp = await t.get("/api/v1/finetune/export?split=train", t.bearer(admin.token));
    expect(exp.status).toBe(200);
    expect(exp.headers.get("content-type")).toMatch(/application\/x-ndjson/);
    const text = await exp.text();
    const lines = text.trimEnd().split("\n");
    expect(lines).toHaveLength(2);
    for (const l of lines) TrainingLine.parse(JSON.parse(l));
    for (const id of SECRET_IDENTIFIERS) expect(new RegExp(`(^|[^A-Za-z0-9_])${id}($|[^A-Za-z0-9_])`, "i").test(text), id).toBe(false);
    for (const lit of SECRET_LITERALS) expect(text.toLowerCase().includes(lit.toLowerCase()), lit).toBe(false);

    // An eval migration with a stored project.
    await setFineTuningSettings(db, admin.orgId, { evalPercent: 100 });
    const evalMigration = await seedMigration(db, admin.orgId, [
      { sourceSchema: "dbo", sourceName: "vTotals", sourceKind: "view", sourceSql: "CREATE VIEW dbo.vTotals AS SELECT 1 AS id, 'a' AS label", generatedSql: PROJECT["models/marts/totals.sql"]!, evidenceGrade: "tests_passed", tier: "SIMPLE" },
    ], "Eval set");
    await db.update(migrationModels).set({ modelPath: "models/marts/totals.sql" }).where(and(eq(migrationModels.migrationId, evalMigration), eq(migrationModels.sourceName, "vTotals")));
    await db.insert(migrationFiles).values(Object.entries(PROJECT).map(([p, content]) => ({ migrationId: evalMigration, orgId: admin.orgId, path: p, content })));
    const collected = await t.postJson("/api/v1/finetune/collect", {}, t.bearer(admin.token));
    expect(collected.status).toBe(200);

    // 2. Upload weights larger than the API's default body limit, then load into Ollama with a Modelfile.
    const weights = fakeGguf(200_000, 5);
    const start = await t.postJson("/api/v1/admin/models/uploads", { kind: "gguf", filename: "acme-coder.gguf", size: weights.length }, t.bearer(admin.token));
    expect(start.status).toBe(201);
    const { id } = (await start.json()) as { id: string };
    const half = await put(`/api/v1/admin/models/uploads/${id}?offset=0`, weights.subarray(0, 120_000), admin.token);
    expect(half.status).toBe(200);
    expect(await half.json()).toMatchObject({ received: 120_000, status: "uploading", interrupted: true });
    const wrong = await put(`/api/v1/admin/models/uploads/${id}?offset=0`, weights, admin.token);
    expect(wrong.status).toBe(409);
    expect(await wrong.json()).toMatchObject({ offset: 120_000 });
    const rest = await put(`/api/v1/admin/models/uploads/${id}?offset=120000`, weights.subarray(120_000), admin.token);
    expect(rest.status).toBe(200);
    const digest = `sha256:${createHash("sha256").update(weights).digest("hex")}`;
    expect(await rest.json()).toMatchObject({ status: "complete", digest });

    const load = await t.postJson(
      "/api/v1/admin/models/ollama",
      { name: "acme-coder:v1", modelfile: 'FROM ./weights/acme-coder.gguf\nPARAMETER temperature 0.1\nPARAMETER stop "<|im_end|>"\n' },
      t.bearer(admin.token),
    );
    expect(load.status).toBe(201);
    expect(await load.json()).toMatchObject({ model: { name: "acme-coder:v1", provider: "ollama", kind: "fine_tuned" }, blobsSent: 1 });
    expect(state.creates.at(-1)).toMatchObject({ model: "acme-coder:v1", files: { "acme-coder.gguf": digest }, parameters: { temperature: 0.1, stop: ["<|im_end|>"] } });

    // 3. Route the SIMPLE tier to it (the router's registry API) and check the router sends SIMPLE work there.
    const route = await t.app.request("/api/v1/models/routes", {
      method: "PUT",
      headers: { ...t.bearer(admin.token), "Content-Type": "application/json" },
      body: JSON.stringify({ routes: { SIMPLE: ["acme-coder:v1"] } }),
    });
    expect(route.status).toBe(200);
    const router = createModelRouter({ db, config: t.config });
    ollama.script.byModel = { "acme-coder:v1": [{ content: { ok: true } }] };
    const routed = await router.structured({ orgId: admin.orgId, agent: "execute", tier: "SIMPLE", messages: [{ role: "user", content: "hi" }], schema: z.object({ ok: z.boolean() }), schemaName: "probe" });
    expect(routed).toMatchObject({ ok: true, model: "acme-coder:v1" });

    // 4. Evaluate: the eval split goes through the model (forced) and is scored by execution.
    ollama.script.byModel = { "acme-coder:v1": [{ content: { sql: "select 1 as id, 'a' as label" } }] };
    const ev = await t.postJson("/api/v1/admin/models/evaluations", { model: "acme-coder:v1" }, t.bearer(admin.token));
    expect(ev.status).toBe(201);
    expect(await ev.json()).toMatchObject({ model: "acme-coder:v1", examples: 1, passed: 1, passRate: 1 });

    // 5. The registry page shows the model, its route and its score.
    const page = await t.app.request("/admin/models", { headers: { Cookie: `${t.config.cookieSecure ? "__Host-session" : "session"}=${admin.token}` } });
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain("acme-coder:v1");
    expect(html).toMatch(/100%<\/strong> pass/);
    expect(html).toContain('src="/static/admin-models.js"');
    expect(html).not.toMatch(/<script>(?!<\/script>)/);
    // The endpoint listing shows what the fake Ollama serves, including the new model.
    expect(html).toContain("datamigrate-coder-small");
  });

  it("members get 403 everywhere; another organisation sees none of it", async () => {
    const admin = await t.adminOf("Org A");
    const memberToken = await member(admin.token);
    for (const [method, p] of [
      ["GET", "/api/v1/admin/models"],
      ["GET", "/api/v1/finetune/export"],
      ["POST", "/api/v1/admin/models/uploads"],
      ["POST", "/api/v1/finetune/collect"],
    ] as const) {
      const res = await t.app.request(p, { method, headers: { ...t.bearer(memberToken), "Content-Type": "application/json" }, ...(method === "POST" ? { body: "{}" } : {}) });
      expect(res.status, `${method} ${p}`).toBe(403);
    }
    const memberPage = await t.app.request("/admin/models", { headers: { Cookie: `${t.config.cookieSecure ? "__Host-session" : "session"}=${memberToken}` } });
    expect(memberPage.status).toBe(403);

    const start = await t.postJson("/api/v1/admin/models/uploads", { kind: "gguf", filename: "a.gguf", size: 10 }, t.bearer(admin.token));
    const { id } = (await start.json()) as { id: string };
    const other = await t.adminOf("Org B");
    expect((await t.get(`/api/v1/admin/models/uploads/${id}`, t.bearer(other.token))).status).toBe(404);
    expect((await put(`/api/v1/admin/models/uploads/${id}?offset=0`, fakeGguf(10), other.token)).status).toBe(404);
    await seedMigration(t.testDb.db, admin.orgId, payrollModels());
    const exp = await t.get("/api/v1/finetune/export", t.bearer(other.token));
    expect(await exp.text()).toBe("");
  });

  it("bad input: not a GGUF (400), a bad file name, an unknown Modelfile instruction with its line", async () => {
    const admin = await t.adminOf();
    const start = await t.postJson("/api/v1/admin/models/uploads", { kind: "gguf", filename: "x.gguf", size: 12 }, t.bearer(admin.token));
    const { id } = (await start.json()) as { id: string };
    const bad = await put(`/api/v1/admin/models/uploads/${id}?offset=0`, new TextEncoder().encode("hello world!"), admin.token);
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ error: { code: "not_gguf", message: expect.stringMatching(/FT2001/) } });
    const name = await t.postJson("/api/v1/admin/models/uploads", { kind: "gguf", filename: "../../etc/passwd.gguf", size: 12 }, t.bearer(admin.token));
    expect(name.status).toBe(400);
    const mf = await t.postJson("/api/v1/admin/models/ollama", { name: "m1", modelfile: "FROM base\nDRAFT other\n" }, t.bearer(admin.token));
    expect(mf.status).toBe(400);
    expect(await mf.json()).toMatchObject({ error: { code: "invalid_modelfile", message: expect.stringMatching(/line 2: unknown instruction DRAFT/) } });
  });

  it("the page: uploads over the session cookie (no form body limit), route and register forms, removal", async () => {
    const admin = await t.adminOf();
    const cookie = `${t.config.cookieSecure ? "__Host-session" : "session"}=${admin.token}`;
    const same = { Cookie: cookie, "Sec-Fetch-Site": "same-origin", Origin: t.config.publicOrigin };
    const data = fakeGguf(50_000, 2);
    const start = await t.app.request("/admin/models/uploads", { method: "POST", headers: { ...same, "Content-Type": "application/json" }, body: JSON.stringify({ kind: "gguf", filename: "p.gguf", size: data.length }) });
    expect(start.status).toBe(201);
    const { id } = (await start.json()) as { id: string };
    const sent = await t.app.request(`/admin/models/uploads/${id}?offset=0`, { method: "PUT", headers: { ...same, "Content-Type": "application/octet-stream" }, body: data });
    expect(sent.status).toBe(200);
    expect(await sent.json()).toMatchObject({ status: "complete" });
    const resume = await t.app.request(`/admin/models/uploads/${id}`, { headers: same });
    expect(await resume.json()).toMatchObject({ received: 50_000 });

    const form = (p: string, fields: Record<string, string>) =>
      t.app.request(p, { method: "POST", headers: { ...same, "Content-Type": "application/x-www-form-urlencoded" }, body: new URLSearchParams(fields).toString() });
    const reg = await form("/admin/models/register", { name: "acme-lora", provider: "ollama", kind: "lora", baseModel: "datamigrate-coder-small" });
    expect(reg.status).toBe(200);
    expect(await reg.text()).toContain("acme-lora is registered");
    const unknown = await form("/admin/models/routes", { tier: "COMPLEX", models: "no-such-model" });
    expect(unknown.status).toBe(422);
    const ok = await form("/admin/models/routes", { tier: "COMPLEX", models: "acme-lora, datamigrate-coder-large" });
    expect(ok.status).toBe(200);
    expect(await ok.text()).toContain("COMPLEX now uses acme-lora → datamigrate-coder-large");
    const removed = await form("/admin/models/remove", { name: "acme-lora" });
    expect(await removed.text()).toContain("acme-lora was removed");
    const routes = (await (await t.get("/api/v1/models", t.bearer(admin.token))).json()) as { routes: unknown };
    expect(JSON.stringify(routes)).not.toContain("acme-lora");
  });
});
