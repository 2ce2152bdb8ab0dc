// The graph with the real model router (server/llm) against a fake Ollama on loopback that speaks
// the real HTTP protocol: the rebuild loop through HTTP, malformed output, no model reachable.
import { asc, eq } from "drizzle-orm";
import { afterEach, describe, expect, it } from "vitest";
import { refusedUrl, startFakeOllama, type FakeLlmServer } from "../../test/support/fake-llm.ts";
import { withTestDb } from "../../test/support/db.ts";
import { testConfig } from "../config.ts";
import { migrationModels } from "../db/schema/migrations.ts";
import { createModelRouter } from "../llm/router.ts";
import { runMigration } from "./run.ts";
import { BAD_CHECKSUM_SQL, GOOD_CHECKSUM_SQL, createRunFixture, silentLog } from "./testing.ts";

const testDb = withTestDb();
const servers: FakeLlmServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});
const MODELS = ["datamigrate-coder-small", "datamigrate-coder-large"];
const FAST = { timeoutMs: 5000, deadlineMs: 20_000, maxRetries: 0, retryBaseMs: 10, retryMaxDelayMs: 50, breakerFailures: 50, breakerCooldownMs: 60_000 };

async function run(ollamaUrl: string) {
  const { db } = testDb;
  const { orgId, migrationId } = await createRunFixture(db, { config: { options: testDb.url ? {} : { statementTimeoutMs: 0 } } });
  const router = createModelRouter({ db, config: testConfig({ ollamaUrl }), resilience: FAST });
  const r = await runMigration({ db, orgId, migrationId, signal: new AbortController().signal, router, log: silentLog, ...(testDb.url ? { validationDatabaseUrl: testDb.url } : {}) });
  const rows = await db.select().from(migrationModels).where(eq(migrationModels.migrationId, migrationId)).orderBy(asc(migrationModels.sourceName));
  return { r, v: rows.find((x) => x.sourceName === "vChecksum")!, rows };
}
const codes = (row: { diagnostics: unknown[] }) => (row.diagnostics as Array<{ code: string }>).map((d) => d.code);
const agentOf = (body: { messages: Array<{ role: string; content: string }> }) => /DataMigrate (\w+) agent/.exec(body.messages[0]?.content ?? "")?.[1] ?? "assess";

describe("agent graph through the model router and a fake Ollama", { timeout: 300_000 }, () => {
  it("rebuild converges over HTTP: the execute answer fails validation, the rebuild answer passes and is kept", async () => {
    const ollama = await startFakeOllama({
      models: MODELS,
      chat: (req) => {
        const agent = agentOf(req.body);
        if (agent === "assess") return { content: { summary: "small shop database" } };
        return { content: { sql: agent === "execute" ? BAD_CHECKSUM_SQL : GOOD_CHECKSUM_SQL, notes: "" } };
      },
    });
    servers.push(ollama);
    const { r, v, rows } = await run(ollama.url);
    expect(r).toEqual({ status: "completed" });
    expect(ollama.chatRequests().map(agentOf)).toEqual(["assess", "execute", "rebuild"]);
    // The answer's schema went to Ollama as the JSON-schema `format`.
    expect(ollama.chatRequests()[1].format).toMatchObject({ type: "object", properties: { sql: { type: "string" } } });
    expect(v.evidenceGrade).toBe("ran");
    expect(v.generatedSql).toContain("hashtext(c.name)");
    expect(rows.find((x) => x.sourceName === "vChecksumCity")!.evidenceGrade).toBe("ran");
  });

  it("malformed model output over HTTP is ignored: deterministic result kept with AGT2002", async () => {
    const ollama = await startFakeOllama({ models: MODELS, chat: (req) => (agentOf(req.body) === "assess" ? { content: "{not json" } : { content: "SELECT 1 -- not JSON at all" }) });
    servers.push(ollama);
    const { r, v } = await run(ollama.url);
    expect(r).toEqual({ status: "completed" });
    expect(v.evidenceGrade).toBe("failed");
    expect(codes(v)).toEqual(expect.arrayContaining(["TR1008", "AGT2002"]));
    expect(v.generatedSql).toContain("could not convert");
  });

  it("no model reachable (connection refused): the run completes with the deterministic results and AGT2001, asking once", async () => {
    const { r, v, rows } = await run(await refusedUrl());
    expect(r).toEqual({ status: "completed" });
    expect(codes(v)).toContain("AGT2001");
    for (const row of rows) expect(row.evidenceGrade, row.sourceName).toBeTruthy();
  });
});
