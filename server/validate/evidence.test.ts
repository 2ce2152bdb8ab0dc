import { describe, expect, it } from "vitest";
import { withTestDb } from "../../test/support/db.ts";
import { createOrganizationWithAdmin } from "../db/queries/accounts.ts";
import { addMigrationModels, listMigrationModels } from "../db/queries/migration-models.ts";
import { createMigration } from "../db/queries/migrations.ts";
import { gradeModel, storeEvidenceGrade, storeEvidenceGrades, weakest, type GradeInput } from "./evidence.ts";

const ran = (tests: string[], extra: Partial<GradeInput> = {}): GradeInput => ({ compiled: true, ran: true, status: "ran", tests: tests.map((status) => ({ status })), ...extra });

describe("gradeModel", () => {
  it.each([
    ["not compiled", { compiled: false, ran: false, status: "not_compiled", tests: [] }, "failed"],
    ["failed on Postgres", { compiled: true, ran: false, status: "failed", tests: [] }, "failed"],
    ["skipped (upstream failed)", { compiled: true, ran: false, status: "skipped", tests: [] }, "compiled"],
    ["ran, no tests", ran([]), "ran"],
    ["ran, all tests pass", ran(["pass", "pass"]), "tests_passed"],
    ["ran, one test fails", ran(["pass", "fail"]), "ran"],
    ["ran, a test errors", ran(["pass", "error"]), "ran"],
    ["ran, a warn-severity test found rows", ran(["pass", "warn"]), "ran"],
    ["ran, skipped tests only", ran(["skipped"]), "ran"],
    ["parity equal", ran(["pass"], { parity: { equal: true } }), "verified_equal"],
    ["parity equal without tests", ran([], { parity: { equal: true } }), "verified_equal"],
    ["parity different", ran(["pass"], { parity: { equal: false } }), "failed"],
    ["incremental second run failed", ran(["pass"], { incremental: { ran: false } }), "failed"],
  ] as const)("%s → %s", (_, input, grade) => {
    expect(gradeModel(input as GradeInput)).toBe(grade);
  });

  it("an object is as proven as its weakest model", () => {
    expect(weakest("tests_passed", "ran")).toBe("ran");
    expect(weakest("verified_equal", "failed")).toBe("failed");
    expect(weakest("compiled", "verified_equal")).toBe("compiled");
  });
});

describe("storeEvidenceGrade", () => {
  const t = withTestDb();
  it("writes the grade on the organisation's migration object only", async () => {
    const { organization, user } = await createOrganizationWithAdmin(t.db, { organizationName: "V", email: "v@example.com", passwordHash: "x" });
    const other = await createOrganizationWithAdmin(t.db, { organizationName: "W", email: "w@example.com", passwordHash: "x" });
    const m = await createMigration(t.db, organization.id, { userId: user.id, name: "m", config: { target: "postgres" } });
    await addMigrationModels(t.db, organization.id, m.id, [
      { sourceSchema: "dbo", sourceName: "vA", sourceKind: "view" },
      { sourceSchema: "dbo", sourceName: "vB", sourceKind: "view" },
    ]);
    expect(await storeEvidenceGrade(t.db, other.organization.id, m.id, { schema: "dbo", name: "vA" }, "verified_equal")).toBe(0);
    expect(await storeEvidenceGrade(t.db, organization.id, m.id, { schema: "dbo", name: "vA" }, "tests_passed")).toBe(1);
    const rows = await listMigrationModels(t.db, organization.id, m.id);
    expect(rows.map((r) => [r.sourceName, r.evidenceGrade])).toEqual([
      ["vA", "tests_passed"],
      ["vB", null],
    ]);
    expect(await storeEvidenceGrades(t.db, organization.id, m.id, { "dbo.vA": "ran", "dbo.vB": "verified_equal", "dbo.gone": "failed" })).toBe(2);
    expect((await listMigrationModels(t.db, organization.id, m.id)).map((r) => r.evidenceGrade)).toEqual(["ran", "verified_equal"]);
  });
});
