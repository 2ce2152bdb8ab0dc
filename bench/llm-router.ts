// Model router costs against the fake Ollama server on loopback:
//   1. overhead per call: router.structured (routes from the database, JSON schema, cockatiel
//      policies, output validation, llm_calls insert) minus a bare fetch of the same /api/chat;
//   2. time to "unavailable" when every endpoint refuses connections (production retry settings),
//      first call (circuit closed) and later calls (circuit open);
//   3. time to "unavailable" when every endpoint hangs, bounded by the per-attempt timeout and the
//      overall deadline, first call and later calls.
//   npx tsx bench/llm-router.ts [calls]        (TEST_DATABASE_URL=postgres://... for Postgres instead of PGlite)
import { z } from "zod";
import { testConfig } from "../server/config.ts";
import { createOrganizationWithAdmin } from "../server/db/queries/accounts.ts";
import { createModelRouter, type ResilienceSettings } from "../server/llm/router.ts";
import type { StructuredRequest } from "../server/llm/types.ts";
import { createTestDb } from "../test/support/db.ts";
import { refusedUrl, startFakeOllama } from "../test/support/fake-llm.ts";

const N = Number(process.argv[2] ?? 500);
const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))]!;
const fmt = (x: number) => x.toFixed(2);

const Answer = z.object({ sql: z.string(), confidence: z.number().min(0).max(1), notes: z.array(z.string()) });
const GOOD = { sql: "select order_id, sum(amount) as total from {{ ref('stg_orders') }} group by order_id", confidence: 0.8, notes: ["ok"] };

async function main() {
  const testDb = await createTestDb();
  const db = testDb.db;
  const { organization } = await createOrganizationWithAdmin(db, { organizationName: "bench", email: `bench-${Date.now()}@example.com`, passwordHash: "x" });
  const req = (over: Partial<StructuredRequest<z.infer<typeof Answer>>> = {}): StructuredRequest<z.infer<typeof Answer>> => ({
    orgId: organization.id,
    agent: "rebuild",
    tier: "SIMPLE",
    messages: [
      { role: "system", content: "You repair dbt models translated from T-SQL." },
      { role: "user", content: "The model fails with: column \"amount\" does not exist. ".repeat(20) },
    ],
    schema: Answer,
    schemaName: "repair",
    ...over,
  });
  const prod = testConfig().llm;
  console.log(`database: ${testDb.url ? "postgres" : "pglite (memory)"}; calls: ${N}; production settings: timeout ${prod.timeoutMs} ms, deadline ${prod.deadlineMs} ms, ${prod.maxRetries} retries, breaker after ${prod.breakerFailures} failures, cool-down ${prod.breakerCooldownMs} ms`);

  // 1. overhead
  const ollama = await startFakeOllama({ models: ["datamigrate-coder-small", "datamigrate-coder-large"] });
  ollama.script.chat = () => ({ content: GOOD, tokensIn: 200, tokensOut: 40 });
  const router = createModelRouter({ db, config: testConfig({ ollamaUrl: ollama.url }) });
  const body = JSON.stringify({ model: "datamigrate-coder-small", messages: req().messages, format: { type: "object" }, stream: false });
  const raw: number[] = [];
  const routed: number[] = [];
  for (let i = 0; i < 50; i++) {
    await router.structured(req());
    await (await fetch(`${ollama.url}/api/chat`, { method: "POST", body, headers: { "content-type": "application/json" } })).json();
  }
  for (let i = 0; i < N; i++) {
    let t0 = performance.now();
    await (await fetch(`${ollama.url}/api/chat`, { method: "POST", body, headers: { "content-type": "application/json" } })).json();
    raw.push(performance.now() - t0);
    t0 = performance.now();
    const r = await router.structured(req());
    routed.push(performance.now() - t0);
    if (!r.ok) throw new Error(`unexpected failure: ${r.message}`);
  }
  console.log("\n| path | p50 ms | p95 ms |\n|---|---|---|");
  console.log(`| bare fetch of /api/chat | ${fmt(pct(raw, 50))} | ${fmt(pct(raw, 95))} |`);
  console.log(`| router.structured (same answer) | ${fmt(pct(routed, 50))} | ${fmt(pct(routed, 95))} |`);
  console.log(`| overhead (difference of the percentiles) | ${fmt(pct(routed, 50) - pct(raw, 50))} | ${fmt(pct(routed, 95) - pct(raw, 95))} |`);
  await ollama.close();

  // 2. every endpoint refuses connections, production retry/breaker settings
  const down = createModelRouter({ db, config: testConfig({ ollamaUrl: await refusedUrl(), openaiCompatUrl: await refusedUrl() }) });
  const unavailable = async (r: ReturnType<typeof createModelRouter>, n: number) => {
    const times: number[] = [];
    for (let i = 0; i < n; i++) {
      const t0 = performance.now();
      const res = await r.structured(req());
      times.push(performance.now() - t0);
      if (res.ok || res.reason !== "unavailable") throw new Error("expected unavailable");
    }
    return times;
  };
  const [firstDown] = await unavailable(down, 1);
  const laterDown = await unavailable(down, 50);
  console.log("\n| every endpoint | first call ms (circuit closed) | later calls p50 / p95 ms (circuit open) |\n|---|---|---|");
  console.log(`| connection refused (2 default models, ${prod.maxRetries} retries each, backoff from 250 ms) | ${fmt(firstDown!)} | ${fmt(pct(laterDown, 50))} / ${fmt(pct(laterDown, 95))} |`);

  // 3. every endpoint hangs: bounded by timeout and deadline
  const hung = await startFakeOllama({ models: ["datamigrate-coder-small", "datamigrate-coder-large"] });
  hung.script.chat = () => ({ hang: true });
  for (const settings of [
    { timeoutMs: 1000, deadlineMs: 60_000, breakerFailures: 2 },
    { timeoutMs: 60_000, deadlineMs: 1500, breakerFailures: 2 },
  ] satisfies Partial<ResilienceSettings>[]) {
    const r = createModelRouter({ db, config: testConfig({ ollamaUrl: hung.url }), resilience: settings });
    const [first] = await unavailable(r, 1);
    const later = await unavailable(r, 20);
    console.log(
      `| hanging (timeout ${settings.timeoutMs} ms, deadline ${settings.deadlineMs} ms, breaker after ${settings.breakerFailures}) | ${fmt(first!)} | ${fmt(pct(later, 50))} / ${fmt(pct(later, 95))} |`,
    );
  }
  await hung.close();
  await testDb.dispose();
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
