import { and, eq, inArray } from "drizzle-orm";
import { Hono } from "hono";
import { describe, expect, it, vi } from "vitest";
import { TEST_PASSWORD, withTestApp } from "../../test/support/app.ts";
import { auditLogs } from "../db/schema/audit.ts";
import { createLogger } from "../log.ts";
import type { AppEnv } from "../web/env.ts";
import { ApiError } from "../web/errors.ts";
import { guardFields, guardInputs, isExcludedField, MAX_SCANNED_VALUES, scanInputs, type RequestInput } from "./middleware.ts";
import { getPolicy, updatePolicy } from "./policies.ts";

// getPolicy wrapped in a spy (same behaviour), to show the guard does not read the policy on its own
// for an authenticated request: the policy comes with the credential lookup (server/auth).
vi.mock("./policies.ts", async (importOriginal) => {
  const m = await importOriginal<typeof import("./policies.ts")>();
  return { ...m, getPolicy: vi.fn(m.getPolicy) };
});

type Json = Record<string, any>;

describe("scanInputs", () => {
  const q = (name: string, value: string, location: RequestInput["location"] = "form"): RequestInput => ({ location, name, value });

  it.each([
    "O'Brien sales",
    "select customers 2024",
    "Update orders from 2023 (delete old)",
    "Sales & Marketing <EU>",
    "AT&T; Johnson & Johnson",
    "Q3 -- final",
    "drop-off analysis",
    "o'brien@example.com",
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36",
    "Kundenstamm “Müller & Söhne” – Ü-Tabelle",
    "C:\\data\\exports\\sales.csv",
  ])("lets benign text pass: %s", (value) => {
    expect(scanInputs([q("name", value)])).toEqual([]);
  });

  it.each([
    ["sqli", "1' or '1'='1"],
    ["sqli", "1 union select password from users"],
    ["sqli", "name; drop table users--"],
    ["sqli", "%27%20OR%201%3D1--"],
    ["xss", "<script>alert(1)</script>"],
    ["xss", "x\" onmouseover=\"alert(1)"],
    ["xss", "&lt;img src=x onerror=alert(1)&gt;"],
    ["xss", "%3Csvg%2Fonload%3Dalert(1)%3E"],
  ])("flags %s: %s", (kind, value) => {
    const found = scanInputs([q("description", value)]);
    expect(found.map((d) => d.kind)).toContain(kind);
    expect(found[0]!.rules.length).toBeGreaterThan(0);
  });

  it("refuses, rather than half-checks, more input than the per-request budget", () => {
    const padding = Array.from({ length: MAX_SCANNED_VALUES }, (_, i) => q(`pad.${i}`, "a b"));
    const found = scanInputs([...padding, q("payload", "1' or '1'='1")]);
    expect(found.map((d) => d.kind)).toEqual(["limit"]);
    expect(scanInputs(padding)).toEqual([]);
  });

  it("never scans SQL fields or secrets", () => {
    const attack = "x'; drop table users; --<script>alert(1)</script>";
    for (const name of ["sql", "modelSql", "source.definition", "tsql", "password", "newPassword", "source.password", "apiKey", "token", "clientSecret"]) {
      expect(isExcludedField(name), name).toBe(true);
      expect(scanInputs([q(name, attack)]), name).toEqual([]);
    }
    expect(isExcludedField("name")).toBe(false);
    expect(isExcludedField("description")).toBe(false);
  });
});

describe("guardInputs through the app", () => {
  const t = withTestApp();

  async function auditRows(orgId: string | null, types: string[]) {
    return t.testDb.db
      .select()
      .from(auditLogs)
      .where(and(orgId ? eq(auditLogs.orgId, orgId) : eq(auditLogs.eventType, "guardian.blocked"), inArray(auditLogs.eventType, types)));
  }

  it("benign names pass: an organisation called O'Brien sales, a search 'select customers 2024'", async () => {
    const a = await t.registerOrg("O'Brien sales");
    const token = await t.login(a.email, a.password);
    const res = await t.get(`/api/v1/me?q=${encodeURIComponent("select customers 2024")}`, t.bearer(token));
    expect(res.status).toBe(200);
    expect(((await res.json()) as Json).organization.name).toBe("O'Brien sales");
    expect(await auditRows(a.orgId, ["guardian.blocked", "guardian.detected"])).toEqual([]);
  });

  it("a password may contain anything, and is never scanned nor logged", async () => {
    const res = await t.postJson("/api/v1/auth/register", {
      email: `pw-${Date.now()}@example.com`,
      password: "' or 1=1 -- <script>alert(1)</script>",
      organizationName: "Passwords Ltd",
    });
    expect(res.status).toBe(201);
  });

  it("blocks SQL injection in a query string with a clear 400, audited with rule ids and no raw CR/LF", async () => {
    const a = await t.adminOf();
    const payload = "x\r\n' or '1'='1";
    const res = await t.get(`/api/v1/me?search=${encodeURIComponent(payload)}`, t.bearer(a.token));
    expect(res.status).toBe(400);
    const body = (await res.json()) as Json;
    expect(body.error.code).toBe("guardian_blocked");
    expect(body.error.message).toContain("'search'");
    expect(body.error.message).toContain("SQL injection");
    expect(Object.keys(body.error.fields)).toEqual(["search"]);
    const rows = await auditRows(a.orgId, ["guardian.blocked"]);
    expect(rows).toHaveLength(1);
    const row = rows[0]!;
    expect(row.userId).toBe(a.userId);
    expect(row.details).toMatchObject({ action: "block", kinds: ["sqli"], inputs: [{ kind: "sqli", location: "query", field: "search" }] });
    expect((row.details as Json).rules.length).toBeGreaterThan(0);
    const text = JSON.stringify(row.details) + JSON.stringify(row.personal);
    // JSON.stringify would show a raw CR/LF as \r / \n escapes; the stored strings must hold neither character.
    const strings: string[] = [];
    const walk = (v: unknown) => (typeof v === "string" ? strings.push(v) : v && typeof v === "object" ? Object.values(v).forEach(walk) : undefined);
    walk(row.details);
    walk(row.personal);
    expect(strings.some((s) => /[\r\n]/.test(s))).toBe(false);
    expect(text).toContain("or");
  });

  it("blocks XSS in a JSON field; with the policy on 'log' it lets it through and audits a detection", async () => {
    const a = await t.adminOf();
    const create = (name: string) => t.postJson("/api/v1/api-keys", { name, scopes: ["read"] }, t.bearer(a.token));
    const blocked = await create("<img src=x onerror=alert(1)>");
    expect(blocked.status).toBe(400);
    expect(((await blocked.json()) as Json).error.fields).toHaveProperty("name");

    const patched = await t.app.request("/api/v1/policies", {
      method: "PATCH",
      headers: { ...t.bearer(a.token), "Content-Type": "application/json" },
      body: JSON.stringify({ xssAction: "log" }),
    });
    expect(patched.status).toBe(200);
    const logged = await create("<img src=x onerror=alert(1)>");
    expect(logged.status).toBe(201);
    const detected = await auditRows(a.orgId, ["guardian.detected"]);
    expect(detected).toHaveLength(1);
    expect(detected[0]!.details).toMatchObject({ action: "log", kinds: ["xss"] });
    // SQL injection is still blocked: the actions are separate.
    expect((await create("k'; drop table api_keys; --")).status).toBe(400);
  });

  it("one organisation's 'log' policy does not relax another's", async () => {
    const a = await t.adminOf();
    const b = await t.adminOf();
    await t.app.request("/api/v1/policies", {
      method: "PATCH",
      headers: { ...t.bearer(a.token), "Content-Type": "application/json" },
      body: JSON.stringify({ sqliAction: "log", xssAction: "log" }),
    });
    const q = `/api/v1/me?q=${encodeURIComponent("1 union select password from users")}`;
    expect((await t.get(q, t.bearer(a.token))).status).toBe(200);
    expect((await t.get(q, t.bearer(b.token))).status).toBe(400);
  });

  it("honours each organisation's CRS paranoia level: 'Q3 -- final' passes at the default (1), is refused at 2 (crs:942440)", async () => {
    const a = await t.adminOf();
    const b = await t.adminOf();
    const patched = await t.app.request("/api/v1/policies", {
      method: "PATCH",
      headers: { ...t.bearer(a.token), "Content-Type": "application/json" },
      body: JSON.stringify({ paranoiaLevel: 2 }),
    });
    expect(patched.status).toBe(200);
    expect(((await patched.json()) as Json).paranoiaLevel).toBe(2);
    const q = `/api/v1/me?name=${encodeURIComponent("Q3 -- final")}`;
    const refused = await t.get(q, t.bearer(a.token));
    expect(refused.status).toBe(400);
    expect(((await refused.json()) as Json).error.fields.name[0]).toContain("crs:942440");
    const rows = await auditRows(a.orgId, ["guardian.blocked"]);
    expect(rows.at(-1)!.details).toMatchObject({ paranoiaLevel: 2, rules: ["crs:942440"] });
    expect((await t.get(q, t.bearer(b.token))).status).toBe(200);
  });

  it("honours a policy changed just before the request, per organisation, for sessions, API keys and cookies", async () => {
    const a = await t.adminOf();
    const b = await t.adminOf();
    const keyRes = await t.postJson("/api/v1/api-keys", { name: "guard", scopes: ["read"] }, t.bearer(a.token));
    expect(keyRes.status).toBe(201);
    const aKey = ((await keyRes.json()) as Json).key as string;
    const cookie = { Cookie: `${t.config.cookieSecure ? "__Host-session" : "session"}=${a.token}` };
    const change = (orgId: string, userId: string, update: Parameters<typeof updatePolicy>[2]) =>
      updatePolicy(t.testDb.db, { orgId, userId, ip: null, at: t.clock.now() }, update);
    const dashes = `/api/v1/me?name=${encodeURIComponent("Q3 -- final")}`;
    const union = `/api/v1/me?q=${encodeURIComponent("1 union select password from users")}`;

    // Defaults (no stored row): level 1 lets "Q3 -- final" through, SQL injection is blocked.
    expect((await t.get(dashes, t.bearer(a.token))).status).toBe(200);
    expect((await t.get(union, t.bearer(aKey))).status).toBe(400);

    // a: level 2 and SQL injection logged, written straight to the database; the next request sees it.
    await change(a.orgId, a.userId, { paranoiaLevel: 2, sqliAction: "log" });
    expect((await t.get(dashes, t.bearer(a.token))).status).toBe(200); // flagged at level 2, but sqli is only logged
    expect((await t.get(union, t.bearer(a.token))).status).toBe(200);
    expect((await t.get(union, t.bearer(aKey))).status).toBe(200);
    // b keeps the defaults.
    expect((await t.get(union, t.bearer(b.token))).status).toBe(400);
    expect((await t.get(dashes, t.bearer(b.token))).status).toBe(200);

    // a: back to blocking, still at level 2: "Q3 -- final" is now refused (crs:942440), by every credential.
    await change(a.orgId, a.userId, { sqliAction: "block" });
    const refused = await t.get(dashes, t.bearer(aKey));
    expect(refused.status).toBe(400);
    expect(((await refused.json()) as Json).error.fields.name[0]).toContain("crs:942440");
    expect((await t.get(dashes, t.bearer(a.token))).status).toBe(400);
    expect((await t.app.request(`/settings/members?name=${encodeURIComponent("Q3 -- final")}`, { headers: cookie })).status).toBe(400);
    expect((await t.get(dashes, t.bearer(b.token))).status).toBe(200);

    // b: level 2 now; a back to level 1.
    await change(b.orgId, b.userId, { paranoiaLevel: 2 });
    await change(a.orgId, a.userId, { paranoiaLevel: 1 });
    expect((await t.get(dashes, t.bearer(b.token))).status).toBe(400);
    expect((await t.get(dashes, t.bearer(a.token))).status).toBe(200);
    expect((await t.get(dashes, t.bearer(aKey))).status).toBe(200);
  });

  it("reads no policy of its own for an authenticated request (it comes with the credential lookup)", async () => {
    const a = await t.adminOf();
    const keyRes = await t.postJson("/api/v1/api-keys", { name: "guard", scopes: ["read"] }, t.bearer(a.token));
    const aKey = ((await keyRes.json()) as Json).key as string;
    const cookie = { Cookie: `${t.config.cookieSecure ? "__Host-session" : "session"}=${a.token}` };
    const spy = vi.mocked(getPolicy);
    spy.mockClear();
    // Scanned inputs (not one plain word): a User-Agent with spaces, a query value with a space.
    const ua = { "User-Agent": "Mozilla/5.0 (X11; Linux x86_64) test" };
    expect((await t.get("/api/v1/me?q=select%20customers%202024", { ...t.bearer(a.token), ...ua })).status).toBe(200);
    expect((await t.get("/api/v1/me?q=select%20customers%202024", { ...t.bearer(aKey), ...ua })).status).toBe(200);
    expect((await t.get("/api/v1/me?q=1%20union%20select%20password%20from%20users", { ...t.bearer(a.token), ...ua })).status).toBe(400);
    expect((await t.app.request("/settings/members?q=select%20customers%202024", { headers: { ...cookie, ...ua } })).status).toBe(200);
    expect(spy).not.toHaveBeenCalled();
  });

  it("scans query parameter names (CRS ARGS_NAMES)", async () => {
    const a = await t.adminOf();
    const res = await t.get(`/api/v1/me?${encodeURIComponent("<script>alert(1)</script>")}=1`, t.bearer(a.token));
    expect(res.status).toBe(400);
  });

  it("scans selected headers", async () => {
    const a = await t.adminOf();
    const res = await t.get("/api/v1/me", { ...t.bearer(a.token), "User-Agent": "<script>alert(document.cookie)</script>" });
    expect(res.status).toBe(400);
    expect(((await res.json()) as Json).error.message).toContain("header 'user-agent'");
  });

  it("scans registration (anonymous) with the default policy", async () => {
    const res = await t.postJson("/api/v1/auth/register", {
      email: `reg-${Date.now()}@example.com`,
      password: TEST_PASSWORD,
      organizationName: "<script>alert(1)</script>",
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as Json).error.code).toBe("guardian_blocked");
  });

  it("scans HTML form posts and query strings on pages", async () => {
    const a = await t.adminOf();
    const cookie = `${t.config.cookieSecure ? "__Host-session" : "session"}=${a.token}`;
    const page = await t.app.request(`/settings/members?q=${encodeURIComponent("<script>alert(1)</script>")}`, { headers: { Cookie: cookie } });
    expect(page.status).toBe(400);
    expect(page.headers.get("content-type")).toContain("text/html");
    const form = await t.app.request("/settings/members", {
      method: "POST",
      headers: { Cookie: cookie, "Content-Type": "application/x-www-form-urlencoded", Origin: t.config.publicOrigin },
      body: new URLSearchParams({ email: "x@example.com' or 1=1--", password: TEST_PASSWORD, role: "member" }),
    });
    expect(form.status).toBe(400);
  });
});

describe("guardInputs and uploads", () => {
  const t = withTestApp();

  // A small app with the middleware in front of a handler that reads the multipart body itself, as the upload routes do.
  function uploadApp() {
    const app = new Hono<AppEnv>();
    app.use(async (c, next) => {
      c.set("deps", { config: t.config, database: t.testDb.handle, logger: createLogger("silent"), clock: () => new Date(), rateLimits: { auth: { max: 1, windowMs: 1 }, api: { max: 1, windowMs: 1 } } });
      c.set("db", t.testDb.db);
      c.set("log", createLogger("silent"));
      c.set("principal", undefined);
      await next();
    });
    app.onError((err, c) => (err instanceof ApiError ? c.json(err.body(), err.status) : c.json({ error: String(err) }, 500)));
    app.post("/small-upload", guardInputs({ parseLargeMultipart: true }), async (c) => {
      const body = await c.req.parseBody({ all: true });
      const file = body["files"] as File;
      return c.json({ name: body["name"], file: await file.text() });
    });
    // A large upload: the middleware leaves the body alone; the handler checks its text fields.
    app.post("/upload", guardInputs(), async (c) => {
      const body = await c.req.parseBody({ all: true });
      await guardFields(c, { name: String(body["name"]) });
      const file = body["files"] as File;
      return c.json({ name: body["name"], file: await file.text() });
    });
    return app;
  }

  it("does not scan uploaded T-SQL files, and the handler still reads the body", async () => {
    const sql = "CREATE PROCEDURE p AS BEGIN; DELETE FROM t WHERE 1=1; EXEC xp_cmdshell 'dir'; SELECT '<script>alert(1)</script>' END";
    const form = new FormData();
    form.append("name", "Sales warehouse");
    form.append("files", new File([sql], "proc.sql", { type: "text/plain" }));
    for (const path of ["/small-upload", "/upload"]) {
      const res = await uploadApp().request(path, { method: "POST", body: form });
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ name: "Sales warehouse", file: sql });
    }
  });

  it("scans the upload's text fields", async () => {
    const form = new FormData();
    form.append("name", "x' union select password from users--");
    form.append("files", new File(["select 1"], "a.sql"));
    for (const path of ["/small-upload", "/upload"]) {
      const res = await uploadApp().request(path, { method: "POST", body: form });
      expect(res.status).toBe(400);
    }
  });
});
