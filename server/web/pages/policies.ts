// /settings/policies: the organisation's Guardian policy, for its admins. Members see a 403 page;
// the organisation is the signed-in user's own, never taken from the request.
import { Hono } from "hono";
import { z } from "zod";
import { LLM_PROVIDERS } from "../../db/schema/llm.ts";
import { getPolicy, policyUpdateSchema, updatePolicy, type GuardianPolicy } from "../../guardian/policies.ts";
import { policyJson } from "../api/policies.ts";
import { clientIp, type AppContext, type AppEnv } from "../env.ts";
import { readForm } from "../forms.ts";
import { renderPage } from "../render.ts";
import { requireLogin } from "./app-pages.ts";

// A checkbox group posts zero, one or many values; "any provider" is a separate radio choice.
const policyForm = z
  .object({
    promptInjectionThreshold: policyUpdateSchema.shape.promptInjectionThreshold.unwrap(),
    promptInjectionAction: policyUpdateSchema.shape.promptInjectionAction.unwrap(),
    sqliAction: policyUpdateSchema.shape.sqliAction.unwrap(),
    xssAction: policyUpdateSchema.shape.xssAction.unwrap(),
    // optional: a form without it (an older page) keeps the current level
    paranoiaLevel: policyUpdateSchema.shape.paranoiaLevel,
    rateLimitPerUser: policyUpdateSchema.shape.rateLimitPerUser.unwrap(),
    rateLimitPerApiKey: policyUpdateSchema.shape.rateLimitPerApiKey.unwrap(),
    rateLimitPerOrg: policyUpdateSchema.shape.rateLimitPerOrg.unwrap(),
    providerMode: z.enum(["any", "only"], { message: "choose any provider or a list" }).default("any"),
    allowedModelProviders: z.preprocess(
      (v) => (v === undefined ? [] : Array.isArray(v) ? v : [v]),
      z.array(z.enum(LLM_PROVIDERS, { message: `expected one of ${LLM_PROVIDERS.join(", ")}` })),
    ),
  })
  .strip();

function context(policy: GuardianPolicy, extra: Record<string, unknown> = {}) {
  const json = policyJson(policy);
  return {
    policy: json,
    providers: LLM_PROVIDERS,
    values: {
      ...json,
      providerMode: json.allowedModelProviders === null ? "any" : "only",
      allowedModelProviders: json.allowedModelProviders ?? [],
    },
    fields: {},
    ...extra,
  };
}

function forbidden(c: AppContext): Response {
  return renderPage(c, "error", { title: "Forbidden", message: "Only organisation admins can see and change the security policy." }, 403);
}

export function policiesPages(): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.use("/settings/policies", requireLogin());

  app.get("/settings/policies", async (c) => {
    const p = c.var.principal!;
    if (p.role !== "admin") return forbidden(c);
    return renderPage(c, "policies", context(await getPolicy(c.var.db, p.orgId)));
  });

  app.post("/settings/policies", async (c) => {
    const p = c.var.principal!;
    if (p.role !== "admin") return forbidden(c);
    const form = await readForm(c, policyForm);
    if (!form.ok) {
      const current = await getPolicy(c.var.db, p.orgId);
      const ctx = context(current);
      return renderPage(c, "policies", { ...ctx, values: { ...ctx.values, ...form.values }, fields: form.fields }, 422);
    }
    const { providerMode, allowedModelProviders, ...rest } = form.data;
    const policy = await updatePolicy(
      c.var.db,
      { orgId: p.orgId, userId: p.userId, ip: clientIp(c), at: c.var.deps.clock() },
      { ...rest, allowedModelProviders: providerMode === "any" ? null : allowedModelProviders },
    );
    return renderPage(c, "policies", context(policy, { notice: "Policy saved." }));
  });
  return app;
}
