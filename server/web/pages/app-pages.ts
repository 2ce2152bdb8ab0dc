// The signed-in settings pages: members, API keys (the migration pages are in migration-pages.ts).
import { Hono, type MiddlewareHandler } from "hono";
import { z } from "zod";
import { addOrganizationMember } from "../../auth/accounts.ts";
import { createApiKey } from "../../auth/api-keys.ts";
import type { Principal } from "../../auth/principal.ts";
import { PASSWORD_MIN_LENGTH } from "../../auth/password.ts";
import { EmailTakenError, listMembers } from "../../db/queries/accounts.ts";
import { recordAudit } from "../../db/queries/audit.ts";
import { getApiKey, listApiKeys, revokeApiKey } from "../../db/queries/credentials.ts";
import { API_KEY_SCOPES } from "../../db/schema/credentials.ts";
import { apiKeyJson, createApiKeySchema } from "../api/api-keys.ts";
import { accountContext } from "../api/auth.ts";
import { addMemberSchema, memberJson } from "../api/organization.ts";
import { clientIp, type AppContext, type AppEnv } from "../env.ts";
import { readForm } from "../forms.ts";
import { isUuid } from "../validation.ts";
import { redirectAfterPost, renderPage } from "../render.ts";
import { formatTime } from "./migration-views.ts";

/** Signed-out visitors go to the sign-in page (htmx follows HX-Redirect). */
export function requireLogin(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    if (!c.var.principal) {
      if (c.req.header("hx-request") === "true") {
        c.header("HX-Redirect", "/login");
        return c.body(null, 204);
      }
      return c.redirect("/login", 303);
    }
    await next();
  };
}

function me(c: AppContext): Principal {
  return c.var.principal!;
}

function notFoundPage(c: AppContext, what: string): Response {
  return renderPage(c, "error", { title: "Not found", message: `No such ${what} in your organisation.` }, 404);
}

async function membersContext(c: AppContext, extra: Record<string, unknown> = {}) {
  const members = await listMembers(c.var.db, me(c).orgId);
  return { members: members.map((m) => ({ ...memberJson(m), createdAt: formatTime(m.createdAt) })), values: {}, fields: {}, passwordMinLength: PASSWORD_MIN_LENGTH, ...extra };
}

async function apiKeysContext(c: AppContext, extra: Record<string, unknown> = {}) {
  const p = me(c);
  const keys = (await listApiKeys(c.var.db, p.orgId)).filter((k) => p.role === "admin" || k.userId === p.userId);
  return {
    keys: keys.map((k) => ({ ...apiKeyJson(k), lastUsedAt: k.lastUsedAt ? formatTime(k.lastUsedAt) : null })),
    grantableScopes: API_KEY_SCOPES.filter((s) => p.scopes.has(s)),
    values: {},
    fields: {},
    ...extra,
  };
}

// A checkbox group posts zero, one or many values.
const apiKeyForm = z.object({
  name: createApiKeySchema.shape.name,
  scopes: z.preprocess((v) => (v === undefined ? [] : Array.isArray(v) ? v : [v]), createApiKeySchema.shape.scopes),
});
const memberForm = addMemberSchema.strip();

export function appPages(): Hono<AppEnv> {
  const app = new Hono<AppEnv>();

  app.get("/", (c) => c.redirect(c.var.principal ? "/dashboard" : "/login", 303));

  app.use("/settings/*", requireLogin());

  app.get("/settings/members", async (c) => renderPage(c, "members", await membersContext(c)));

  app.post("/settings/members", async (c) => {
    const p = me(c);
    if (p.role !== "admin") return renderPage(c, "error", { title: "Forbidden", message: "Only organisation admins can add members." }, 403);
    const form = await readForm(c, memberForm);
    if (!form.ok) return renderPage(c, "members", await membersContext(c, { values: form.values, fields: form.fields }), 422);
    try {
      const user = await addOrganizationMember(accountContext(c), p, form.data);
      return renderPage(c, "members", await membersContext(c, { notice: `${user.email} can now sign in.` }));
    } catch (err) {
      if (err instanceof EmailTakenError) {
        return renderPage(c, "members", await membersContext(c, { values: { email: form.data.email, role: form.data.role }, fields: { email: ["already registered"] } }), 409);
      }
      throw err;
    }
  });

  app.get("/settings/api-keys", async (c) => renderPage(c, "api-keys", await apiKeysContext(c)));

  app.post("/settings/api-keys", async (c) => {
    const p = me(c);
    const form = await readForm(c, apiKeyForm);
    if (!form.ok) return renderPage(c, "api-keys", await apiKeysContext(c, { values: form.values, fields: form.fields }), 422);
    const denied = form.data.scopes.filter((s) => !p.scopes.has(s));
    if (denied.length) {
      return renderPage(c, "api-keys", await apiKeysContext(c, { values: { name: form.data.name }, error: `Your role cannot grant: ${denied.join(", ")}` }), 403);
    }
    const { key, apiKey } = await createApiKey(c.var.db, { id: p.userId, orgId: p.orgId }, form.data, c.var.deps.clock());
    await recordAudit(c.var.db, {
      orgId: p.orgId,
      userId: p.userId,
      eventType: "api_key.created",
      details: { apiKeyId: apiKey.id, name: apiKey.name, scopes: apiKey.scopes, prefix: apiKey.keyPrefix },
      ip: clientIp(c),
      at: c.var.deps.clock(),
    });
    // The key is in this one response only; it must not be cached anywhere.
    c.header("Cache-Control", "no-store");
    return renderPage(c, "api-keys", await apiKeysContext(c, { createdKey: { name: apiKey.name, key } }), 201);
  });

  app.post("/settings/api-keys/:id/revoke", async (c) => {
    const p = me(c);
    const id = c.req.param("id");
    const existing = isUuid(id) ? await getApiKey(c.var.db, p.orgId, id) : undefined;
    if (!existing || (p.role !== "admin" && existing.userId !== p.userId)) return notFoundPage(c, "API key");
    const now = c.var.deps.clock();
    await revokeApiKey(c.var.db, p.orgId, existing.id, now);
    await recordAudit(c.var.db, {
      orgId: p.orgId,
      userId: p.userId,
      eventType: "api_key.revoked",
      details: { apiKeyId: existing.id, name: existing.name },
      ip: clientIp(c),
      at: now,
    });
    if (c.req.header("hx-request") === "true") return renderPage(c, "api-keys", await apiKeysContext(c));
    return redirectAfterPost(c, "/settings/api-keys");
  });

  return app;
}
