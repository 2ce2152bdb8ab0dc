import fc from "fast-check";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { withTestDb } from "../../test/support/db.ts";
import { countExamples, loadMapping, setFineTuningSettings } from "../db/queries/finetune.ts";
import { tokenize, TokenType } from "../tsql/index.ts";
import { Anonymiser, luhnValid, personalDataKind } from "./anonymise.ts";
import { collectFineTuningExamples, contentHash, qualityScore, splitOf, taskTypeOf } from "./collect.ts";
import { evalPathFor, exportTrainingFiles, exportTrainingJsonl, TrainingLine } from "./export.ts";
import { payrollModels, SECRET_IDENTIFIERS, SECRET_LITERALS, seedMigration, seedOrg } from "./test-fixtures.ts";

const testDb = withTestDb();

/** Fails with the offending original when any secret shows up in the text. */
function expectNoSecrets(text: string, identifiers: string[], literals: string[]) {
  const lower = text.toLowerCase();
  for (const id of identifiers) {
    // Names are words: word boundaries so that `n_12` never counts as containing `n`.
    const re = new RegExp(`(^|[^A-Za-z0-9_])${id.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}($|[^A-Za-z0-9_])`, "i");
    expect(re.test(text), `identifier '${id}' leaked`).toBe(false);
  }
  for (const lit of literals) expect(lower.includes(lit.toLowerCase()), `literal '${lit}' leaked`).toBe(false);
}

describe("personal data detection", () => {
  it.each([
    ["jane.doe@example.org", "email"],
    ["4111 1111 1111 1111", "card"],
    ["5500-0000-0000-0004", "card"],
    ["GB82 WEST 1234 5698 7654 32", "account"],
    ["12345678", "account"],
    ["+44 20 7946 0958", "phone"],
    ["(555) 123-4567", "phone"],
    ["Winston Churchill", "name"],
    ["Permanent Contract", "name"],
    ["active", undefined],
    ["2024-01-01", undefined],
  ])("%s → %s", (value, kind) => {
    expect(personalDataKind(value)).toBe(kind);
  });

  it("Luhn", () => {
    expect(luhnValid("4111111111111111")).toBe(true);
    expect(luhnValid("4111111111111112")).toBe(false);
  });
});

describe("anonymisation", () => {
  it("replaces names consistently across the T-SQL and the dbt side, removes comments, masks personal data", () => {
    const a = new Anonymiser();
    const t = a.tsql("SELECT c.CustomerID, c.[Email] FROM Sales.Customer AS c -- note\nWHERE c.Email = 'x.y@corp.com'");
    const p = a.postgres("select c.customer_id, c.email from {{ source('sales', 'customer') }} as c /* note */ where c.email = 'x.y@corp.com'");
    expect(t).not.toMatch(/note|Customer|Sales|\bEmail\b|corp/i);
    expect(p).not.toMatch(/note|customer|sales|\bemail\b|corp/i);
    // CustomerID and customer_id are one name; so are the table's two spellings.
    const idT = /SELECT (\w+)\.(\w+)/.exec(t)!;
    const idP = /select (\w+)\.(\w+)/.exec(p)!;
    expect(idP[2]).toBe(idT[2]);
    expect(p).toContain("email_1@example.invalid");
    expect(t).toContain("'email_1@example.invalid'");
    // Keywords and built-ins are kept.
    expect(t).toMatch(/^SELECT .* FROM .* AS .*\sWHERE/s);
  });

  it("keeps the T-SQL parseable and the token structure (same token kinds, same count)", () => {
    const src = "SELECT TOP 10 o.[Order Id], SUM(o.Amount) AS Total FROM dbo.Orders o WHERE o.Note LIKE N'%urgent%' GROUP BY o.[Order Id]";
    const out = new Anonymiser().tsql(src);
    const kinds = (s: string) =>
      tokenize(s, { file: "x" })
        .tokens.filter((k) => k.type !== TokenType.EOF)
        .map((k) => (k.type === TokenType.QuotedId ? TokenType.Word : k.type));
    expect(kinds(out)).toEqual(kinds(src));
    expect(out).toContain("LIKE N'%s_1%'");
    expect(out).toContain("TOP 10");
  });

  it("re-uses a stored mapping (a later run of the same migration gives the same replacements)", () => {
    const a = new Anonymiser();
    const first = a.tsql("SELECT Amount FROM Ledger WHERE Region = 'North'");
    const b = new Anonymiser(a.newEntries());
    expect(b.tsql("SELECT Amount FROM Ledger WHERE Region = 'North'")).toBe(first);
    expect(b.tsql("SELECT NewColumn FROM Ledger")).not.toMatch(/n_1\b.*FROM n_1\b/);
    expect(b.newEntries().map((e) => e.original)).toEqual(["newcolumn"]);
  });

  it("property: no generated identifier or literal survives (T-SQL and Postgres)", () => {
    const name = fc.stringMatching(/^[A-Z][a-z]{3,8}[A-Z][a-z]{3,8}$/);
    const literal = fc.stringMatching(/^[A-Z][a-z]{4,10} [0-9]{2,4}$/);
    fc.assert(
      fc.property(fc.uniqueArray(name, { minLength: 3, maxLength: 6 }), fc.array(literal, { minLength: 1, maxLength: 3 }), (names, lits) => {
        const [t, c1, c2, ...rest] = names as [string, string, string, ...string[]];
        const where = lits.map((l, i) => `${[c1, c2, ...rest][i % (2 + rest.length)]} = '${l}'`).join(" AND ");
        const tsql = `SELECT [${c1}], ${c2} ${rest.map((r) => `, x.${r}`).join("")} FROM dbo.[${t}] x WHERE ${where} -- by ${c1}`;
        const pg = `select "${c1}", ${c2.toLowerCase()} from {{ ref('${t}') }} where ${where.replace(/\[|\]/g, "")} /* ${c2} */`;
        const a = new Anonymiser();
        const out = a.tsql(tsql) + a.postgres(pg);
        expectNoSecrets(out, names, lits);
      }),
      { numRuns: 200 },
    );
  });
});

describe("scoring, tasks, split, hash", () => {
  it("scores from grade, diagnostics and attempts", () => {
    expect(qualityScore({ evidenceGrade: "verified_equal", diagnostics: [], attempts: 0 })).toBe(1);
    expect(qualityScore({ evidenceGrade: "tests_passed", diagnostics: [], attempts: 0 })).toBe(0.9);
    expect(qualityScore({ evidenceGrade: "tests_passed", diagnostics: [{ severity: "warning" }, { severity: "warning" }], attempts: 0 })).toBe(0.84);
    expect(qualityScore({ evidenceGrade: "tests_passed", diagnostics: [], attempts: 3 })).toBe(0.8);
    expect(qualityScore({ evidenceGrade: "ran", diagnostics: [], attempts: 0 })).toBe(0);
  });
  it("task types", () => {
    expect(taskTypeOf({ sourceKind: "view", attempts: 0 })).toBe("view_translation");
    expect(taskTypeOf({ sourceKind: "procedure", attempts: 0 })).toBe("procedure_to_models");
    expect(taskTypeOf({ sourceKind: "view", attempts: 2 })).toBe("repair_failed_model");
  });
  it("split is per migration and stable", () => {
    const ids = Array.from({ length: 400 }, (_, i) => `00000000-0000-4000-8000-${String(i).padStart(12, "0")}`);
    const evals = ids.filter((id) => splitOf(id, 10) === "eval").length;
    expect(evals).toBeGreaterThan(15);
    expect(evals).toBeLessThan(80);
    expect(ids.every((id) => splitOf(id, 10) === splitOf(id, 10))).toBe(true);
    expect(splitOf(ids[0]!, 0)).toBe("train");
    expect(splitOf(ids[0]!, 100)).toBe("eval");
  });
  it("hash ignores whitespace and case", () => {
    expect(contentHash("t", "SELECT  1\n", "x")).toBe(contentHash("t", "select 1", "X"));
    expect(contentHash("t", "select 1", "x")).not.toBe(contentHash("t", "select 2", "x"));
  });
});

describe("collection and export from a completed migration", () => {
  it("exports anonymised JSONL that validates, with no original name or literal, and keeps the mapping on the server", async () => {
    const { orgId } = await seedOrg(testDb.db);
    const migrationId = await seedMigration(testDb.db, orgId, [
      ...payrollModels(),
      // Below the grade bar: never an example.
      { sourceSchema: "Payroll", sourceName: "vBroken", sourceKind: "view", sourceSql: "SELECT 1 AS SecretBroken", generatedSql: "select 1 as secret_broken", evidenceGrade: "ran" },
    ]);
    const first = await collectFineTuningExamples(testDb.db, orgId);
    expect(first).toMatchObject({ considered: 2, added: 2, belowThreshold: 0 });
    // Idempotent.
    const again = await collectFineTuningExamples(testDb.db, orgId);
    expect(again.added).toBe(0);
    expect(again.duplicates).toBe(2);

    const { jsonl, count } = await exportTrainingJsonl(testDb.db, orgId);
    expect(count).toBe(2);
    const lines = jsonl.trimEnd().split("\n");
    for (const l of lines) TrainingLine.parse(JSON.parse(l));
    expectNoSecrets(jsonl, [...SECRET_IDENTIFIERS, "SecretBroken"], SECRET_LITERALS);
    const repair = lines.map((l) => TrainingLine.parse(JSON.parse(l))).find((l) => l.messages[1].content.startsWith("Task: repair failed model"));
    expect(repair?.messages[1].content).toContain("Diagnostics: TR2001");
    expect(repair?.messages[2].content).toContain("{{ ref('stg_n_");

    // The mapping exists, on the server only.
    const mapping = await loadMapping(testDb.db, orgId, migrationId);
    expect(mapping.find((m) => m.original === "winston churchill" || m.original === "Winston Churchill")?.replacement).toMatch(/^name_\d+$/);
    expect(jsonl).not.toContain("original");
  });

  it("the threshold is the organisation's: raising it drops the lower-scored example", async () => {
    const { orgId } = await seedOrg(testDb.db);
    await seedMigration(testDb.db, orgId, payrollModels());
    await setFineTuningSettings(testDb.db, orgId, { minScore: 0.95 });
    const r = await collectFineTuningExamples(testDb.db, orgId);
    expect(r).toMatchObject({ added: 1, belowThreshold: 1, minScore: 0.95 });
  });

  it("de-duplicates the same object converted in two migrations, and splits by migration", async () => {
    const { orgId } = await seedOrg(testDb.db);
    await setFineTuningSettings(testDb.db, orgId, { evalPercent: 50 });
    for (let i = 0; i < 6; i++) await seedMigration(testDb.db, orgId, payrollModels(), `m${i}`);
    const r = await collectFineTuningExamples(testDb.db, orgId);
    // Identical objects anonymise identically (fresh mapping per migration, same order).
    expect(r.added).toBe(2);
    expect(r.duplicates).toBe(10);
    const counts = await countExamples(testDb.db, orgId);
    expect(counts.train + counts.eval).toBe(2);
  });

  it("writes train and eval files; another organisation's examples never appear", async () => {
    const a = await seedOrg(testDb.db);
    const b = await seedOrg(testDb.db, "Other Org");
    await seedMigration(testDb.db, a.orgId, payrollModels());
    await setFineTuningSettings(testDb.db, b.orgId, { evalPercent: 0 });
    const dir = await mkdtemp(path.join(os.tmpdir(), "dm-ft-"));
    try {
      const out = path.join(dir, "train.jsonl");
      const r = await exportTrainingFiles(testDb.db, b.orgId, out);
      expect(r.train.count + r.eval.count).toBe(0);
      expect(await readFile(out, "utf8")).toBe("");
      expect(evalPathFor(out)).toBe(path.join(dir, "train.eval.jsonl"));
      const ra = await exportTrainingFiles(testDb.db, a.orgId, out);
      expect(ra.train.count + ra.eval.count).toBe(2);
      const both = (await readFile(out, "utf8")) + (await readFile(evalPathFor(out), "utf8"));
      expect(both.trimEnd().split("\n")).toHaveLength(2);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
