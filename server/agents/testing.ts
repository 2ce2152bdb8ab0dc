// Test support for the agent graph: a migration with stored sources, and a scripted ModelRouter
// that validates answers against the request's schema the way the real router does.
import { readFileSync } from "node:fs";
import { createHash } from "node:crypto";
import { fileURLToPath } from "node:url";
import { pino } from "pino";
import type { Db } from "../db/client.ts";
import { organizations } from "../db/schema/organizations.ts";
import { migrationSources, migrations, type MigrationConfig } from "../db/schema/migrations.ts";
import type { ModelRouter, StructuredRequest, StructuredResult } from "../llm/types.ts";

export const SHOP_SQL = readFileSync(fileURLToPath(new URL("./fixtures/shop.sql", import.meta.url)));

export const silentLog = pino({ level: "silent" });

export async function createRunFixture(db: Db, opts: { sql?: Buffer; filename?: string; config?: Partial<MigrationConfig> & Record<string, unknown> } = {}): Promise<{ orgId: string; migrationId: string }> {
  const [org] = await db.insert(organizations).values({ name: "agents test" }).returning();
  const [m] = await db
    .insert(migrations)
    .values({ orgId: org!.id, name: "shop", config: { target: "postgres", ...(opts.config ?? {}) } as MigrationConfig, status: "running" })
    .returning();
  const content = opts.sql ?? SHOP_SQL;
  await db.insert(migrationSources).values({
    migrationId: m!.id,
    orgId: org!.id,
    filename: opts.filename ?? "shop.sql",
    content,
    size: content.length,
    sha256: createHash("sha256").update(content).digest("hex"),
  });
  return { orgId: org!.id, migrationId: m!.id };
}

/** What a scripted model "says": JSON text (validated against the schema) or a failure. */
export type ScriptedAnswer = { text: string } | { value: unknown } | { fail: "unavailable" | "refused_by_policy" } | { throw: Error };

export interface ScriptedRouter extends ModelRouter {
  calls: Array<{ agent: string; tier: string; object: string | undefined; content: string }>;
}

/**
 * `answer(req, n)` decides each call's answer (n counts from 0). Answers are parsed and checked
 * against `req.schema` like server/llm does: text that is not JSON, or JSON that does not fit, is
 * invalid_output.
 */
export function scriptedRouter(answer: (req: StructuredRequest<unknown>, n: number, object: string | undefined) => ScriptedAnswer | Promise<ScriptedAnswer>): ScriptedRouter {
  const calls: ScriptedRouter["calls"] = [];
  return {
    calls,
    async structured<T>(req: StructuredRequest<T>): Promise<StructuredResult<T>> {
      const content = req.messages.map((m) => m.content).join("\n");
      const object = /^Object: \S+ (\S+)/m.exec(content)?.[1];
      calls.push({ agent: req.agent, tier: req.tier, object, content });
      const a = await answer(req as StructuredRequest<unknown>, calls.length - 1, object);
      if ("throw" in a) throw a.throw;
      if ("fail" in a) return { ok: false, reason: a.fail, message: a.fail, attempts: [] };
      let raw: unknown;
      if ("text" in a) {
        try {
          raw = JSON.parse(a.text);
        } catch (e) {
          return { ok: false, reason: "invalid_output", message: `not JSON: ${(e as Error).message}`, attempts: [] };
        }
      } else raw = a.value;
      const parsed = req.schema.safeParse(raw);
      if (!parsed.success) return { ok: false, reason: "invalid_output", message: parsed.error.message, attempts: [] };
      return { ok: true, value: parsed.data, model: "scripted", endpoint: "test", tokensIn: 1, tokensOut: 1, latencyMs: 0 };
    },
  };
}

/** The model SQL that fixes dbo.vChecksum (CHECKSUM has no Postgres equivalent; any stable hash will do for the test). */
export const GOOD_CHECKSUM_SQL = "SELECT c.customerid, c.name, hashtext(c.name) AS namehash FROM {{ source('dbo', 'customer') }} AS c";
/** Model SQL that compiles but fails on Postgres (no such column). */
export const BAD_CHECKSUM_SQL = "SELECT c.customerid, c.name, hashtext(c.no_such_column) AS namehash FROM {{ source('dbo', 'customer') }} AS c";
