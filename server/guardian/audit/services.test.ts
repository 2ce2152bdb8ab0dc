// A server that stops writes the summaries of refused credentials it was still counting: a spray
// of bad tokens in the last minute before a shutdown is not lost from the audit log.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { testConfig } from "../../config.ts";
import { queryRows } from "../../db/client.ts";
import { createLogger } from "../../log.ts";
import { startServer } from "../../web/server.ts";
import { createTestDb } from "../../../test/support/db.ts";
import { PER_ADDRESS_PER_MINUTE } from "./rejected-credentials.ts";
import { verifyAuditLog } from "./verify.ts";

describe("shutdown and refused-credential summaries", () => {
  it("every refusal of the last minute is in the audit log after close (recorded one by one or counted in a summary)", async () => {
    const testDb = await createTestDb({ migrate: false });
    const dataDir = mkdtempSync(path.join(tmpdir(), "dm-flush-"));
    // Postgres when TEST_DATABASE_URL is set, else the embedded database in dataDir (reopened below).
    const config = testConfig({ port: 0, dataDir, logLevel: "error", ...(testDb.url ? { databaseUrl: testDb.url } : {}) });
    try {
      const first = await startServer({ config, logger: createLogger("silent") });
      const sent = 40; // one address, below the request rate limit: 5 recorded, the rest summarised
      try {
        for (let i = 0; i < sent; i++) {
          const res = await fetch(`${first.url}/api/v1/me`, { headers: { Authorization: `Bearer dmk_${String(i).padStart(32, "x")}` } });
          expect(res.status).toBe(401);
          await res.arrayBuffer();
        }
      } finally {
        await first.close();
      }
      // A second start reads what the first one left (the same database, whichever kind).
      const second = await startServer({ config, logger: createLogger("silent") });
      try {
        const rows = await queryRows<{ event_type: string; details: Record<string, unknown> }>(
          second.database.db,
          sql`select event_type, details from audit_logs where event_type in ('auth.token_rejected', 'auth.token_rejected_summary') order by seq`,
        );
        const individual = rows.filter((r) => r.event_type === "auth.token_rejected").length;
        const summarised = rows.filter((r) => r.event_type === "auth.token_rejected_summary").reduce((n, r) => n + Number(r.details.count), 0);
        // The spray may straddle a clock minute: then two minutes each record up to 5 on their own.
        expect(individual).toBeGreaterThanOrEqual(PER_ADDRESS_PER_MINUTE);
        expect(individual).toBeLessThanOrEqual(2 * PER_ADDRESS_PER_MINUTE);
        expect(individual + summarised).toBe(sent);
        const report = await verifyAuditLog(second.database.db);
        expect(report.ok).toBe(true);
      } finally {
        await second.close();
      }
    } finally {
      await testDb.dispose();
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 120_000);
});
