import { describe, expect, it } from "vitest";
import { withTestDb } from "../../../test/support/db.ts";
import { createOrganizationWithAdmin } from "./accounts.ts";
import { createMigration, getMigration, listMigrations } from "./migrations.ts";
import { addMigrationModels, listFineTuningExamples, listMigrationModels, recordFineTuningExample } from "./migration-models.ts";

describe("tenant-scoped queries", () => {
  const t = withTestDb();
  let n = 0;
  async function org() {
    const { organization, user } = await createOrganizationWithAdmin(t.db, {
      organizationName: `Q${++n}`,
      email: `q${n}@example.com`,
      passwordHash: "x",
    });
    return { orgId: organization.id, userId: user.id };
  }

  it("a migration and its objects are invisible to another organisation", async () => {
    const a = await org();
    const b = await org();
    const m = await createMigration(t.db, a.orgId, { userId: a.userId, name: "m", config: { target: "postgres" } });
    const added = await addMigrationModels(t.db, a.orgId, m.id, [
      { sourceSchema: "dbo", sourceName: "Orders", sourceKind: "table" },
      { sourceSchema: "dbo", sourceName: "Customers", sourceKind: "table", diagnostics: [{ code: "X" }] },
    ]);
    expect(added).toHaveLength(2);
    expect((await listMigrationModels(t.db, a.orgId, m.id)).map((x) => x.sourceName)).toEqual(["Customers", "Orders"]);
    expect(await getMigration(t.db, b.orgId, m.id)).toBeUndefined();
    expect((await listMigrations(t.db, b.orgId, { limit: 10, offset: 0 })).total).toBe(0);
    expect(await listMigrationModels(t.db, b.orgId, m.id)).toEqual([]);
    // B cannot attach objects to A's migration.
    expect(await addMigrationModels(t.db, b.orgId, m.id, [{ sourceSchema: "dbo", sourceName: "X", sourceKind: "view" }])).toBeUndefined();
    expect(await listMigrationModels(t.db, a.orgId, m.id)).toHaveLength(2);
  });

  it("fine-tuning examples are per organisation", async () => {
    const a = await org();
    const b = await org();
    await recordFineTuningExample(t.db, a.orgId, { taskType: "translate", input: "select 1", output: "select 1", score: 1 });
    expect(await listFineTuningExamples(t.db, a.orgId, "translate")).toHaveLength(1);
    expect(await listFineTuningExamples(t.db, b.orgId)).toEqual([]);
  });
});
