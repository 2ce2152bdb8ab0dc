import { describe, expect, it } from "vitest";
import { withTestDb } from "../../test/support/db.ts";
import { latestEvaluations, setFineTuningSettings } from "../db/queries/finetune.ts";
import { migrationFiles, migrationModels } from "../db/schema/migrations.ts";
import type { ModelRouter, StructuredRequest, StructuredResult } from "../llm/types.ts";
import { collectFineTuningExamples } from "./collect.ts";
import { EvalError, evaluateModel, projectValidator } from "./eval.ts";
import { seedMigration, seedOrg } from "./test-fixtures.ts";
import { and, eq } from "drizzle-orm";

const testDb = withTestDb();

const PROJECT: Record<string, string> = {
  "dbt_project.yml": 'name: evalproj\nversion: "1.0.0"\nprofile: evalproj\nmodel-paths: ["models"]\n',
  "models/marts/totals.sql": "select 1 as id, 'a' as label\n",
  "models/marts/regions.sql": "select 1 as id union all select 2\n",
  "models/marts/schema.yml":
    "version: 2\nmodels:\n  - name: totals\n    columns:\n      - name: id\n        data_tests: [not_null, unique]\n" +
    "  - name: regions\n    columns:\n      - name: id\n        data_tests: [not_null, unique]\n",
};

/** A router that answers from a script keyed by the object name in the prompt, and records requests. */
function scriptedRouter(answers: Record<string, string | null>): ModelRouter & { requests: StructuredRequest<unknown>[] } {
  const requests: StructuredRequest<unknown>[] = [];
  return {
    requests,
    async structured<T>(req: StructuredRequest<T>): Promise<StructuredResult<T>> {
      requests.push(req as StructuredRequest<unknown>);
      const user = req.messages.find((m) => m.role === "user")!.content;
      const key = Object.keys(answers).find((k) => user.includes(k));
      const sql = key === undefined ? null : answers[key];
      if (sql === null || sql === undefined) return { ok: false, reason: "unavailable", message: "no model reachable", attempts: [] };
      return { ok: true, value: req.schema.parse({ sql }), model: req.model ?? "?", endpoint: "fake", tokensIn: 1, tokensOut: 1, latencyMs: 1 };
    },
  };
}

async function seedEvalOrg() {
  const { orgId } = await seedOrg(testDb.db);
  await setFineTuningSettings(testDb.db, orgId, { evalPercent: 100 });
  const migrationId = await seedMigration(testDb.db, orgId, [
    { sourceSchema: "dbo", sourceName: "vTotals", sourceKind: "view", sourceSql: "CREATE VIEW dbo.vTotals AS SELECT 1 AS id, 'a' AS label", generatedSql: PROJECT["models/marts/totals.sql"]!, evidenceGrade: "tests_passed" },
    { sourceSchema: "dbo", sourceName: "vRegions", sourceKind: "view", sourceSql: "CREATE VIEW dbo.vRegions AS SELECT 1 AS id UNION ALL SELECT 2", generatedSql: PROJECT["models/marts/regions.sql"]!, evidenceGrade: "tests_passed", attempts: 1 },
  ]);
  for (const [name, p] of [["vTotals", "models/marts/totals.sql"], ["vRegions", "models/marts/regions.sql"]] as const) {
    await testDb.db.update(migrationModels).set({ modelPath: p }).where(and(eq(migrationModels.migrationId, migrationId), eq(migrationModels.sourceName, name)));
  }
  await testDb.db.insert(migrationFiles).values(Object.entries(PROJECT).map(([path, content]) => ({ migrationId, orgId, path, content })));
  await collectFineTuningExamples(testDb.db, orgId);
  return { orgId, migrationId };
}

describe("evaluation by execution", { timeout: 180_000 }, () => {
  it("scores each answer with the validation runner and compares with the deterministic baseline; stored", async () => {
    const { orgId } = await seedEvalOrg();
    const router = scriptedRouter({
      vTotals: "select 1 as id, 'a' as label",
      // Duplicates fail the unique test: ran, but not tests_passed.
      vRegions: "select 1 as id union all select 1",
    });
    const e = await evaluateModel(testDb.db, orgId, { model: "acme-coder:v1", router });
    expect(e).toMatchObject({ model: "acme-coder:v1", examples: 2, passed: 1, passRate: 0.5, baselinePassed: 1, baselinePassRate: 0.5 });
    const byObject = Object.fromEntries(e.details.map((d) => [d.object, d]));
    expect(byObject["dbo.vTotals"]).toMatchObject({ passed: true, baselinePassed: true });
    expect(byObject["dbo.vRegions"]).toMatchObject({ passed: false, baselinePassed: false });
    // The model was forced and the agent is "eval".
    expect(router.requests.every((r) => r.model === "acme-coder:v1" && r.agent === "eval")).toBe(true);
    expect((await latestEvaluations(testDb.db, orgId)).get("acme-coder:v1")?.passed).toBe(1);
  });

  it("an unreachable model scores zero with the reason per example", async () => {
    const { orgId } = await seedEvalOrg();
    const e = await evaluateModel(testDb.db, orgId, { model: "down", router: scriptedRouter({}) });
    expect(e.passed).toBe(0);
    expect(e.details.every((d) => String(d.error).startsWith("unavailable"))).toBe(true);
  });

  it("the validator fails an answer that does not run", async () => {
    const { orgId } = await seedEvalOrg();
    const e = await evaluateModel(testDb.db, orgId, { model: "m", router: scriptedRouter({ vTotals: "select id from nowhere_at_all", vRegions: "select 1 as id union all select 2" }) });
    const byObject = Object.fromEntries(e.details.map((d) => [d.object, d]));
    expect(byObject["dbo.vTotals"]).toMatchObject({ passed: false });
    expect(String(byObject["dbo.vTotals"]!.error)).toMatch(/nowhere_at_all/);
    expect(byObject["dbo.vRegions"]).toMatchObject({ passed: true });
  });

  it("an empty eval split is a clear error", async () => {
    const { orgId } = await seedOrg(testDb.db);
    await expect(evaluateModel(testDb.db, orgId, { model: "m", router: scriptedRouter({}) })).rejects.toBeInstanceOf(EvalError);
  });

  it("another organisation's project is never used", async () => {
    const { orgId } = await seedEvalOrg();
    const other = await seedOrg(testDb.db);
    const [obj] = await testDb.db.select().from(migrationModels).where(eq(migrationModels.orgId, orgId));
    expect(await projectValidator(testDb.db, other.orgId)(obj!, "select 1 as id")).toMatchObject({ passed: false, error: expect.stringMatching(/no stored dbt project/) });
  });
});
