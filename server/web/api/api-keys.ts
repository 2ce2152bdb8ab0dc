// /api/v1/api-keys: a user's keys for scripts and CI. Managed with a login session only, so
// that a leaked key cannot mint more keys.
import { Hono } from "hono";
import { z } from "zod";
import { createApiKey } from "../../auth/api-keys.ts";
import { principalOf, requireSession } from "../../auth/middleware.ts";
import { recordAudit } from "../../db/queries/audit.ts";
import { getApiKey, listApiKeys, revokeApiKey } from "../../db/queries/credentials.ts";
import { API_KEY_SCOPES, type ApiKey } from "../../db/schema/credentials.ts";
import { clientIp, type AppEnv } from "../env.ts";
import { errors } from "../errors.ts";
import { isUuid, limitBody, readJson } from "../validation.ts";

export const createApiKeySchema = z.strictObject({
  name: z
    .string({ message: "expected a name" })
    .trim()
    .min(1, { message: "required" })
    .max(100, { message: "at most 100 characters" }),
  scopes: z
    .array(z.enum(API_KEY_SCOPES, { message: `expected one of ${API_KEY_SCOPES.join(", ")}` }), {
      message: "expected a list of scopes",
    })
    .min(1, { message: "at least one scope" })
    .max(API_KEY_SCOPES.length, { message: `at most ${API_KEY_SCOPES.length} scopes` }),
});

export function apiKeyJson(k: ApiKey) {
  return {
    id: k.id,
    name: k.name,
    prefix: k.keyPrefix,
    scopes: k.scopes,
    userId: k.userId,
    createdAt: k.createdAt.toISOString(),
    lastUsedAt: k.lastUsedAt?.toISOString() ?? null,
    revokedAt: k.revokedAt?.toISOString() ?? null,
  };
}

export function apiKeysApi(): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.use(requireSession());

  app.get("/", async (c) => {
    const p = principalOf(c);
    const keys = await listApiKeys(c.var.db, p.orgId);
    // Admins see every key of the organisation (to revoke them); members see their own.
    const visible = p.role === "admin" ? keys : keys.filter((k) => k.userId === p.userId);
    return c.json({ items: visible.map(apiKeyJson) });
  });

  app.post("/", limitBody(4 * 1024), async (c) => {
    const p = principalOf(c);
    const input = await readJson(c, createApiKeySchema);
    const denied = input.scopes.filter((s) => !p.scopes.has(s));
    if (denied.length) throw errors.forbidden(`your role cannot grant the scope(s): ${denied.join(", ")}`);
    const { key, apiKey } = await createApiKey(c.var.db, { id: p.userId, orgId: p.orgId }, input, c.var.deps.clock());
    await recordAudit(c.var.db, {
      orgId: p.orgId,
      userId: p.userId,
      eventType: "api_key.created",
      details: { apiKeyId: apiKey.id, name: apiKey.name, scopes: apiKey.scopes, prefix: apiKey.keyPrefix },
      ip: clientIp(c),
      at: c.var.deps.clock(),
    });
    // The only time the key itself is ever shown.
    return c.json({ ...apiKeyJson(apiKey), key }, 201);
  });

  app.delete("/:id", async (c) => {
    const p = principalOf(c);
    const id = c.req.param("id");
    const db = c.var.db;
    const now = c.var.deps.clock();
    const existing = isUuid(id) ? await getApiKey(db, p.orgId, id) : undefined;
    if (!existing || (p.role !== "admin" && existing.userId !== p.userId)) throw errors.notFound("API key");
    const revoked = await revokeApiKey(db, p.orgId, existing.id, now);
    if (!revoked) throw errors.notFound("API key");
    await recordAudit(db, {
      orgId: p.orgId,
      userId: p.userId,
      eventType: "api_key.revoked",
      details: { apiKeyId: id, name: revoked.name },
      ip: clientIp(c),
      at: now,
    });
    return c.body(null, 204);
  });

  return app;
}
