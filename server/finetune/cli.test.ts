// The export-training and eval commands on the server's own database, and the scheduled export.
import { mkdtemp, readFile, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { createTestDb, type TestDb } from "../../test/support/db.ts";
import { evalCommand, parseEvalArgs } from "../commands/eval.ts";
import { exportTraining, parseExportArgs } from "../commands/export-training.ts";
import { openDatabase } from "../db/client.ts";
import { migrateDatabase } from "../db/migrate.ts";
import { TrainingLine } from "./export.ts";
import { exportAllOrganisations, finetuneScheduleFromEnv } from "./schedule.ts";
import { payrollModels, seedMigration, seedOrg } from "./test-fixtures.ts";

let dir: string;
let testDb: TestDb | undefined;
let orgId: string;
const saved = { DATABASE_URL: process.env.DATABASE_URL, DATA_DIR: process.env.DATA_DIR };

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), "dm-ft-cli-"));
  // The command opens the database the environment names: a Postgres test database, or an
  // embedded one in a temporary DATA_DIR (closed again before the command opens it).
  if (process.env.TEST_DATABASE_URL) {
    testDb = await createTestDb();
    orgId = (await seedOrg(testDb.db)).orgId;
    await seedMigration(testDb.db, orgId, payrollModels());
    process.env.DATABASE_URL = testDb.url;
  } else {
    const handle = await openDatabase({ kind: "pglite", dataDir: path.join(dir, "data", "pglite") });
    await migrateDatabase(handle);
    orgId = (await seedOrg(handle.db)).orgId;
    await seedMigration(handle.db, orgId, payrollModels());
    await handle.close();
    delete process.env.DATABASE_URL;
    process.env.DATA_DIR = path.join(dir, "data");
  }
}, 120_000);

afterAll(async () => {
  for (const [k, v] of Object.entries(saved)) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
  await testDb?.dispose();
  await rm(dir, { recursive: true, force: true });
});

describe("arguments", () => {
  it.each([
    [[], /--out FILE is required/],
    [["--out", "x", "--min-score", "2"], /between 0 and 1/],
    [["--out", "x", "--bogus"], /unknown option/],
  ])("export-training %j → %s", (args, message) => {
    expect(parseExportArgs(args)).toMatch(message);
  });
  it("parses", () => {
    expect(parseExportArgs(["--out=t.jsonl", "--min-score", "0.9", "--org", "x"])).toEqual({ out: "t.jsonl", minScore: 0.9, org: "x", schedule: false });
    expect(parseEvalArgs(["--model", "m", "--limit", "3"])).toEqual({ model: "m", limit: 3, json: false });
    expect(parseEvalArgs([])).toMatch(/--model NAME is required/);
  });
  it("scheduled export settings are validated", () => {
    expect(finetuneScheduleFromEnv({})).toEqual({ dir: undefined, cron: "0 2 * * *" });
    expect(() => finetuneScheduleFromEnv({ FINETUNE_EXPORT_CRON: "every night" })).toThrow(/FINETUNE_EXPORT_CRON/);
  });
});

describe("commands", { timeout: 120_000 }, () => {
  it("export-training writes validated JSONL for the only organisation; eval says the eval split is empty", async () => {
    const out = path.join(dir, "out", "train.jsonl");
    const stdout = vi.spyOn(process.stdout, "write").mockImplementation(() => true);
    const stderr = vi.spyOn(process.stderr, "write").mockImplementation(() => true);
    try {
      expect(await exportTraining.run(["--out", out])).toBe(0);
      const both = (await readFile(out, "utf8")) + (await readFile(path.join(dir, "out", "train.eval.jsonl"), "utf8"));
      const lines = both.trimEnd().split("\n");
      expect(lines).toHaveLength(2);
      for (const l of lines) TrainingLine.parse(JSON.parse(l));
      expect(both).not.toMatch(/Payroll|Churchill/i);
      expect(String(stdout.mock.calls.map((c) => c[0]).join(""))).toMatch(/training examples →/);
      expect(await exportTraining.run(["--out", out, "--org", "00000000-0000-4000-8000-000000000000"])).toBe(1);
      // With the default 10 % of migrations in the eval split, this one migration may land on either side.
      const code = await evalCommand.run(["--model", "m", "--org", orgId]);
      expect([0, 1]).toContain(code);
      if (code === 1) expect(String(stderr.mock.calls.map((c) => c[0]).join(""))).toMatch(/FT4001/);
    } finally {
      stdout.mockRestore();
      stderr.mockRestore();
    }
  });
});

describe("scheduled export", () => {
  it("writes each organisation's files into its own folder", async () => {
    const db = await createTestDb();
    try {
      const a = await seedOrg(db.db);
      const b = await seedOrg(db.db, "Empty");
      await seedMigration(db.db, a.orgId, payrollModels());
      const target = path.join(dir, "scheduled");
      const written = await exportAllOrganisations(db.db, target);
      expect(written.find((w) => w.orgId === a.orgId)!.train + written.find((w) => w.orgId === a.orgId)!.eval).toBe(2);
      expect(await readFile(path.join(target, b.orgId, "train.jsonl"), "utf8")).toBe("");
    } finally {
      await db.dispose();
    }
  }, 120_000);
});
