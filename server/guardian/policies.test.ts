import { and, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { TEST_PASSWORD, withTestApp } from "../../test/support/app.ts";
import { auditLogs } from "../db/schema/audit.ts";
import { DEFAULT_POLICY, getPolicy, policyUpdateSchema } from "./policies.ts";

type Json = Record<string, any>;

describe("organisation policies", () => {
  // Without a stored policy the app default applies: keep it generous for this file's own traffic.
  const t = withTestApp({ rateLimits: { api: { max: 10_000, windowMs: 60_000 } } });

  const patch = (token: string, body: unknown) =>
    t.app.request("/api/v1/policies", {
      method: "PATCH",
      headers: { ...t.bearer(token), "Content-Type": "application/json" },
      body: JSON.stringify(body),
    });

  async function memberOf(adminToken: string): Promise<string> {
    const email = `member-${Math.random().toString(36).slice(2, 8)}@example.com`;
    const res = await t.postJson("/api/v1/organization/members", { email, password: TEST_PASSWORD, role: "member" }, t.bearer(adminToken));
    expect(res.status).toBe(201);
    return t.login(email, TEST_PASSWORD);
  }

  it("starts on the defaults, not stored", async () => {
    const a = await t.adminOf();
    const res = await t.get("/api/v1/policies", t.bearer(a.token));
    expect(res.status).toBe(200);
    const body = (await res.json()) as Json;
    expect(body).toMatchObject({
      stored: false,
      rateLimitPerUser: DEFAULT_POLICY.rateLimitPerUser,
      promptInjectionAction: "neutralise",
      sqliAction: "block",
      allowedModelProviders: null,
    });
  });

  it("an admin changes their organisation's policy; another organisation's stays its own", async () => {
    const a = await t.adminOf("Org A");
    const b = await t.adminOf("Org B");
    const res = await patch(a.token, { rateLimitPerUser: 250, sqliAction: "log", allowedModelProviders: ["ollama", "openai_compat", "ollama"] });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ stored: true, rateLimitPerUser: 250, sqliAction: "log", allowedModelProviders: ["ollama", "openai_compat"] });

    // B sees B's (default) policy, never A's.
    const seenByB = (await (await t.get("/api/v1/policies", t.bearer(b.token))).json()) as Json;
    expect(seenByB).toMatchObject({ stored: false, rateLimitPerUser: DEFAULT_POLICY.rateLimitPerUser, sqliAction: "block" });

    // B's change lands on B; A's policy is untouched.
    expect((await patch(b.token, { rateLimitPerUser: 5 })).status).toBe(200);
    expect((await getPolicy(t.testDb.db, a.orgId)).rateLimitPerUser).toBe(250);
    expect((await getPolicy(t.testDb.db, b.orgId)).rateLimitPerUser).toBe(5);

    // No way to name another organisation: an orgId in the body is an unknown field.
    const sneaky = await patch(b.token, { orgId: a.orgId, rateLimitPerUser: 1 });
    expect(sneaky.status).toBe(400);
    expect((await getPolicy(t.testDb.db, a.orgId)).rateLimitPerUser).toBe(250);
  });

  it("members and non-admin API keys cannot read or change it", async () => {
    const a = await t.adminOf();
    const member = await memberOf(a.token);
    expect((await t.get("/api/v1/policies", t.bearer(member))).status).toBe(403);
    expect((await patch(member, { sqliAction: "log" })).status).toBe(403);

    const keyRes = await t.postJson("/api/v1/api-keys", { name: "ci", scopes: ["read", "write"] }, t.bearer(a.token));
    expect(keyRes.status).toBe(201);
    const key = ((await keyRes.json()) as Json).key as string;
    expect((await t.get("/api/v1/policies", t.bearer(key))).status).toBe(403);
    expect((await getPolicy(t.testDb.db, a.orgId)).stored).toBe(false);
  });

  it("rejects invalid values with field errors", async () => {
    const a = await t.adminOf();
    const res = await patch(a.token, { promptInjectionThreshold: 2, rateLimitPerOrg: 0, xssAction: "ignore", allowedModelProviders: ["skynet"], paranoiaLevel: 5 });
    expect(res.status).toBe(400);
    const fields = ((await res.json()) as Json).error.fields as Json;
    expect(Object.keys(fields).sort()).toEqual(["allowedModelProviders.0", "paranoiaLevel", "promptInjectionThreshold", "rateLimitPerOrg", "xssAction"]);
    expect(fields.paranoiaLevel).toEqual(["at most 4"]);
    const ok = await patch(a.token, { paranoiaLevel: 3 });
    expect(ok.status).toBe(200);
    expect(((await ok.json()) as Json).paranoiaLevel).toBe(3);
    expect((await getPolicy(t.testDb.db, a.orgId)).paranoiaLevel).toBe(3);
  });

  it("audits every change with the old and new values, in the organisation's own log", async () => {
    const a = await t.adminOf();
    expect((await patch(a.token, { promptInjectionThreshold: 0.7, promptInjectionAction: "block" })).status).toBe(200);
    // A no-op change is not an event.
    expect((await patch(a.token, { promptInjectionThreshold: 0.7 })).status).toBe(200);
    const rows = await t.testDb.db
      .select()
      .from(auditLogs)
      .where(and(eq(auditLogs.orgId, a.orgId), eq(auditLogs.eventType, "policy.updated")));
    expect(rows).toHaveLength(1);
    expect(rows[0]!.userId).toBe(a.userId);
    expect(rows[0]!.details).toMatchObject({
      changes: { promptInjectionThreshold: { from: 0.5, to: 0.7 }, promptInjectionAction: { from: "neutralise", to: "block" } },
    });
  });

  it("the rate limit follows the policy at once, with Retry-After, exact at the window edge", async () => {
    const a = await t.adminOf();
    expect((await patch(a.token, { rateLimitPerUser: 3 })).status).toBe(200);
    // Start in a fresh window: the PATCH and the sign-in counted in this one.
    const now = t.clock.now().getTime();
    t.clock.set(new Date(Math.floor(now / 60_000) * 60_000 + 120_000));
    const me = () => t.get("/api/v1/me", t.bearer(a.token));
    for (let i = 0; i < 3; i++) expect((await me()).status).toBe(200);
    const refused = await me();
    expect(refused.status).toBe(429);
    // 3 hits at the window start: the next fits when 3 × (remaining/60 s) + 1 ≤ 3, i.e. 20 s into the next window: 80 s.
    expect(refused.headers.get("retry-after")).toBe("80");
    t.clock.advance(79_999);
    expect((await me()).status).toBe(429);
    t.clock.advance(1);
    expect((await me()).status).toBe(200);
    const audited = await t.testDb.db
      .select()
      .from(auditLogs)
      .where(and(eq(auditLogs.orgId, a.orgId), eq(auditLogs.eventType, "rate_limit.exceeded")));
    // Two refusals, in two windows: each window's first is audited.
    expect(audited).toHaveLength(2);
  });

  it("the policies page: admins edit, members are refused", async () => {
    const a = await t.adminOf();
    const cookie = { Cookie: `${t.config.cookieSecure ? "__Host-session" : "session"}=${a.token}` };
    const page = await t.get("/settings/policies", cookie);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('name="rateLimitPerUser"');
    expect(html).toContain("runs on the defaults");

    const form = new URLSearchParams({
      promptInjectionThreshold: "0.4",
      promptInjectionAction: "block",
      sqliAction: "block",
      xssAction: "log",
      paranoiaLevel: "3",
      rateLimitPerUser: "120",
      rateLimitPerApiKey: "60",
      rateLimitPerOrg: "2000",
      providerMode: "only",
    });
    form.append("allowedModelProviders", "ollama");
    const post = (body: URLSearchParams, headers: Record<string, string>) =>
      t.app.request("/settings/policies", {
        method: "POST",
        headers: { "Content-Type": "application/x-www-form-urlencoded", Origin: t.config.publicOrigin, ...headers },
        body,
      });
    const saved = await post(form, cookie);
    expect(saved.status).toBe(200);
    expect(await saved.text()).toContain("Policy saved.");
    expect(await getPolicy(t.testDb.db, a.orgId)).toMatchObject({
      promptInjectionThreshold: 0.4,
      xssAction: "log",
      paranoiaLevel: 3,
      rateLimitPerUser: 120,
      allowedModelProviders: ["ollama"],
    });
    // the form shows the stored level selected
    expect(await (await t.app.request("/settings/policies", { headers: cookie })).text()).toMatch(/<option value="3" selected>/);

    const bad = new URLSearchParams(form);
    bad.set("rateLimitPerUser", "0");
    const invalid = await post(bad, cookie);
    expect(invalid.status).toBe(422);
    expect(await invalid.text()).toContain("at least 1 request per minute");

    const member = await memberOf(a.token);
    const memberCookie = { Cookie: `${t.config.cookieSecure ? "__Host-session" : "session"}=${member}` };
    expect((await t.get("/settings/policies", memberCookie)).status).toBe(403);
    expect((await post(form, memberCookie)).status).toBe(403);
  });
});

describe("paranoiaLevel in a policy update", () => {
  it("accepts whole numbers 1..4 (also as form text), refuses anything else with a message", () => {
    for (const v of [1, 2, 3, 4, "3"]) expect(policyUpdateSchema.safeParse({ paranoiaLevel: v }).success, String(v)).toBe(true);
    for (const v of [0, 5, 2.5, "high", -1]) {
      const r = policyUpdateSchema.safeParse({ paranoiaLevel: v });
      expect(r.success, String(v)).toBe(false);
      expect(r.error!.issues[0]!.path).toEqual(["paranoiaLevel"]);
    }
    expect(DEFAULT_POLICY.paranoiaLevel).toBe(1);
  });
});

