// /api/v1/policies: the caller's organisation's Guardian policy. Admins only (and API keys with
// the admin scope). The organisation is always the caller's own: there is no organisation id
// in the URL, so one organisation's admin can neither read nor change another's.
//
//   GET   /api/v1/policies   → the policy (stored, or the defaults with "stored": false)
//   PATCH /api/v1/policies   → change any subset of fields; audited as policy.updated
//   PUT   /api/v1/policies   → same as PATCH (fields not sent keep their value)
import { Hono } from "hono";
import { principalOf, requireAdmin } from "../../auth/middleware.ts";
import { getPolicy, policyUpdateSchema, updatePolicy, type GuardianPolicy } from "../../guardian/policies.ts";
import { clientIp, type AppContext, type AppEnv } from "../env.ts";
import { limitBody, readJson } from "../validation.ts";

export function policyJson(p: GuardianPolicy) {
  return {
    promptInjectionThreshold: p.promptInjectionThreshold,
    promptInjectionAction: p.promptInjectionAction,
    sqliAction: p.sqliAction,
    xssAction: p.xssAction,
    paranoiaLevel: p.paranoiaLevel,
    rateLimitPerUser: p.rateLimitPerUser,
    rateLimitPerApiKey: p.rateLimitPerApiKey,
    rateLimitPerOrg: p.rateLimitPerOrg,
    allowedModelProviders: p.allowedModelProviders,
    stored: p.stored,
    updatedAt: p.updatedAt?.toISOString() ?? null,
    updatedBy: p.updatedBy,
  };
}

export function policiesApi(): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.use(requireAdmin());

  app.get("/", async (c) => c.json(policyJson(await getPolicy(c.var.db, principalOf(c).orgId))));

  const change = async (c: AppContext) => {
    const p = principalOf(c);
    const input = await readJson(c, policyUpdateSchema);
    const policy = await updatePolicy(c.var.db, { orgId: p.orgId, userId: p.userId, ip: clientIp(c), at: c.var.deps.clock() }, input);
    return c.json(policyJson(policy));
  };
  app.patch("/", limitBody(4 * 1024), change);
  app.put("/", limitBody(4 * 1024), change);
  return app;
}
