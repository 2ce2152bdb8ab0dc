// Several server processes started together on one database (compose replicas, a restart of all of
// them): pg-boss's setup used to make Postgres answer "deadlock detected" to all but one of them.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { testConfig } from "../config.ts";
import { createLogger } from "../log.ts";
import { startServer } from "../web/server.ts";
import { createTestDb } from "../../test/support/db.ts";

const url = process.env.TEST_DATABASE_URL;

describe.skipIf(!url)("servers starting together on one Postgres", () => {
  it("all start (the job queue's setup takes turns)", async () => {
    const testDb = await createTestDb({ migrate: false });
    const dirs = Array.from({ length: 4 }, () => mkdtempSync(path.join(tmpdir(), "dm-start-")));
    try {
      const started = await Promise.allSettled(
        dirs.map((dataDir) => startServer({ config: testConfig({ port: 0, dataDir, databaseUrl: testDb.url, logLevel: "error" }), logger: createLogger("silent") })),
      );
      for (const s of started) if (s.status === "fulfilled") await s.value.close();
      expect(started.map((s) => (s.status === "rejected" ? String(s.reason) : "ok"))).toEqual(["ok", "ok", "ok", "ok"]);
    } finally {
      await testDb.dispose();
      for (const d of dirs) rmSync(d, { recursive: true, force: true });
    }
  }, 120_000);
});
if (!url) console.log("server/jobs/startup.test.ts: TEST_DATABASE_URL is not set, skipping (needs a real Postgres)");
