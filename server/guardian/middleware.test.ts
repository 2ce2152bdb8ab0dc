import { and, eq, inArray } from "drizzle-orm";
import { Hono } from "hono";
import { describe, expect, it, vi } from "vitest";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { TEST_PASSWORD, withTestApp, type TestApp } from "../../test/support/app.ts";
import { sessionCookieName } from "../auth/middleware.ts";
import { testConfig } from "../config.ts";
import { auditLogs } from "../db/schema/audit.ts";
import { createLogger } from "../log.ts";
import type { AppEnv } from "../web/env.ts";
import { ApiError } from "../web/errors.ts";
import {
  collectInputs,
  cookieInputs,
  guardFields,
  guardInputs,
  isExcludedField,
  MAX_GUARDED_BODY,
  MAX_SCANNED_VALUES,
  pathInputs,
  scanInputs,
  SESSION_COOKIES,
  splitSections,
  stripFirstDoctype,
  type RequestInput,
} from "./middleware.ts";
import { MAX_PATH_SEGMENTS } from "./detect/crs/index.ts";
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
    for (const name of ["sql", "modelSql", "source.definition", "tsql", "modelfile", "password", "newPassword", "source.password", "apiKey", "token", "clientSecret"]) {
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

  it("SQL Server vocabulary passes: an organisation 'Northwind migration', searches for sys.objects, xp_cmdshell, STRING_AGG", async () => {
    const a = await t.registerOrg("Northwind migration");
    const token = await t.login(a.email, a.password);
    for (const q of ["reads sys.objects and sys.columns", "procs that call xp_cmdshell", "STRING_AGG", "tempdb", "Exec Summary", "information_schema"]) {
      const res = await t.get(`/api/v1/me?q=${encodeURIComponent(q)}`, t.bearer(token));
      expect(res.status, q).toBe(200);
    }
    expect(await auditRows(a.orgId, ["guardian.blocked", "guardian.detected"])).toEqual([]);
    // and an injection using the same names is still refused
    const res = await t.get(`/api/v1/me?q=${encodeURIComponent("1 union select name from sys.objects--")}`, t.bearer(token));
    expect(res.status).toBe(400);
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

/** A small app with the context the middleware reads (no session, no routes of the product) and the API's error answers. */
function bareApp(t: TestApp): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.use(async (c, next) => {
    c.set("deps", { config: t.config, database: t.testDb.handle, logger: createLogger("silent"), clock: () => new Date(), rateLimits: { auth: { max: 1, windowMs: 1 }, api: { max: 1, windowMs: 1 } } });
    c.set("db", t.testDb.db);
    c.set("log", createLogger("silent"));
    c.set("principal", undefined);
    await next();
  });
  app.onError((err, c) => (err instanceof ApiError ? c.json(err.body(), err.status) : c.json({ error: String(err) }, 500)));
  return app;
}

describe("guardInputs and uploads", () => {
  const t = withTestApp();

  // A small app with the middleware in front of a handler that reads the multipart body itself, as the upload routes do.
  function uploadApp() {
    const app = bareApp(t);
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

// Object names as they appear in SQL Server databases (Northwind / AdventureWorks-style views and
// tables, bracketed names with spaces, apostrophes, symbols) and model names as providers spell them.
const OBJECT_NAMES = [
  "dbo.Customer",
  "[Order Details]",
  "dbo.[Order Details]",
  "[dbo].[Order Details Extended]",
  "O'Brien",
  "dbo.[O'Brien Accounts]",
  "[Customer's Orders]",
  "Sales & Marketing",
  "[Sales by Category]",
  "[Summary of Sales by Quarter]",
  "[Ten Most Expensive Products]",
  "[Alphabetical list of products]",
  "[Product Sales for 1997]",
  "[Customer and Suppliers by City]",
  "[Employee Sales by Country]",
  "HumanResources.vEmployee",
  "Production.[Product Model]",
  "[dbo].[ufnGetContactInformation]",
  "dbo.uspGetBillOfMaterials",
  "Kunden (alt)",
  "Ümlaut_Tabelle",
  "#TempOrders",
  "50% Discount",
  "[100%]",
  "[A/B Tests]",
  "[Price < 100]",
  "[Tags <beta>]",
  "[He said \"hi\"]",
  "[C#]",
  "[@param]",
  "dbo.[Table; Name]",
  "[Select Orders]",
  "[Update Log]",
  "[Delete Queue]",
  "[Union Members]",
  "[Order By Date]",
  "[Benchmark Results]",
  "[Sleep Log]",
  "a=b",
  "2147483647",
  "Qwen/Qwen2.5-Coder-32B-Instruct",
  "llama3.1:8b",
  "hf.co/bartowski/Qwen2.5-Coder-7B-Instruct-GGUF:Q4_K_M",
  "sqlcoder:7b-q4_0",
  "project.zip",
];
const UUID = "3f2504e0-4f89-11d3-9a0c-0305e82c3301";
/** The app's routes that carry a name or an id in the path (server/web/pages, server/web/api), and the brief's objects-by-name shape. */
const ROUTES = [
  (n: string) => `/migrations/${UUID}/objects/${n}`,
  (n: string) => `/api/v1/migrations/${UUID}/objects/${n}`,
  (n: string) => `/migrations/${UUID}/download/${n}`,
  (n: string) => `/api/v1/migrations/${n}`,
  (n: string) => `/api/v1/models/${n}`,
  (n: string) => `/api/v1/api-keys/${n}`,
  (n: string) => `/admin/models/uploads/${n}`,
];
/** A name as a client puts it in a URL: each character the URL syntax reserves percent-encoded ('/' kept where a route takes it). */
const inPath = (name: string) => name.split("/").map(encodeURIComponent).join("/");

describe("path, cookies, numbers (scanInputs)", () => {
  it("decodes each path segment (a %2F stays inside its segment) and keeps one that is not UTF-8 as sent", () => {
    const ins = pathInputs("/api/v1/models/a%2Fb/%5BOrder%20Details%5D/%C0%27x");
    expect(ins.map((i) => [i.pathPart, i.value])).toEqual([
      ["filename", "/api/v1/models/a%2Fb/[Order Details]/%C0%27x"],
      ["basename", "%C0%27x"],
    ]);
    expect(pathInputs("/migrations/").map((i) => i.pathPart)).toEqual(["filename"]);
  });

  it("refuses, rather than half-checks, a path of more non-plain segments than the detectors take", () => {
    const junk = Array.from({ length: MAX_PATH_SEGMENTS + 1 }, () => "a%20b").join("/");
    const found = scanInputs(pathInputs(`/${junk}/1%27%20union%20select%20password%20from%20users--`));
    expect(found.map((d) => d.kind)).toEqual(["limit"]);
    // As many plain segments as one likes, and up to the limit of others, are checked as usual.
    expect(scanInputs(pathInputs(`/${"a/".repeat(100)}x`))).toEqual([]);
    const within = Array.from({ length: MAX_PATH_SEGMENTS - 1 }, () => "a%20b").join("/");
    expect(scanInputs(pathInputs(`/${within}/1%27%20union%20select%20password%20from%20users--`)).map((d) => d.kind)).toEqual(["sqli"]);
  });

  it.each(OBJECT_NAMES)("lets a realistic name pass in every route's path at the default level: %s", (name) => {
    for (const route of ROUTES) {
      const p = route(inPath(name));
      expect(scanInputs(pathInputs(new URL(p, "http://x").pathname)), p).toEqual([]);
    }
  });

  it("is no stricter on a path segment than on the same text as a query value", () => {
    // Includes names Guardian's own SQLi detector flagged wherever they appeared when this was
    // written ([Exec Summary]: sqli.exec; [Northwind].[dbo].[Orders]: sqli.system_database). CRS's
    // ARGS rules do not run on the path ("[Select Orders]" was crs:942360 as a query value only).
    const kinds = (ds: Array<{ kind: string }>) => [...new Set(ds.map((d) => d.kind))];
    for (const name of [...OBJECT_NAMES, "[Exec Summary]", "[Northwind].[dbo].[Orders]"]) {
      const asPath = kinds(scanInputs(pathInputs(new URL(`/migrations/${UUID}/objects/${inPath(name)}`, "http://x").pathname)));
      const asQuery = kinds(scanInputs([{ location: "query", name: "object", value: name }]));
      for (const k of asPath) expect(asQuery, name).toContain(k);
    }
    // ...and an attack is flagged in both.
    const attack = "1' union select password from users--";
    expect(scanInputs(pathInputs(`/migrations/${UUID}/objects/${inPath(attack)}`)).map((d) => d.kind)).toEqual(["sqli"]);
  });

  it.each([
    ["sqli", "/api/v1/migrations/1%27%20union%20select%20password%20from%20users--"],
    ["sqli", "/api/v1/migrations/1%20or%201%3D1"],
    ["sqli", "/migrations/1%20and%20sleep(5)/report"],
    ["sqli", "/api/v1/models/x%27%3B%20drop%20table%20users--"],
    ["xss", "/migrations/%3Cscript%3Ealert(1)%3C%2Fscript%3E"],
    ["xss", `/migrations/${UUID}/objects/%3Cimg%20src%3Dx%20onerror%3Dalert(1)%3E`],
    ["xss", "/api/v1/models/javascript:alert(document.cookie)"],
    // Double-encoded: the detectors decode the layer the URL parser left.
    ["xss", "/migrations/%253Cscript%253Ealert(1)%253C%252Fscript%253E"],
  ])("flags %s carried by a path: %s", (kind, p) => {
    const found = scanInputs(pathInputs(p));
    expect(found.map((d) => d.kind)).toContain(kind);
    expect(found.every((d) => d.location === "path" && d.name === "path")).toBe(true);
  });

  it("runs the CRS rules that target REQUEST_FILENAME on the whole decoded path (941 XSS, 942160 at level 1)", () => {
    const rules = (p: string, pl = 1) => scanInputs(pathInputs(p), pl).flatMap((d) => d.rules);
    expect(rules("/migrations/%3Cscript%3Ealert(1)%3C%2Fscript%3E")).toContain("crs:941110");
    expect(rules("/migrations/1%20and%20sleep(5)")).toContain("crs:942160");
  });

  it("keeps the app's session cookie out entirely, credential-named cookies' values too", () => {
    for (const secure of [true, false]) expect(SESSION_COOKIES.has(sessionCookieName(testConfig({ cookieSecure: secure })))).toBe(true);
    const ins = cookieInputs("session=' or 1=1--; __Host-session=<script>alert(1)</script>; JSESSIONID=1' or '1'='1; XSRF-TOKEN=<svg onload=alert(1)>; jwt=' or 1=1--; theme=dark");
    expect(ins.map((i) => [i.name, i.value])).toEqual([
      ["JSESSIONID", "JSESSIONID"],
      ["XSRF-TOKEN", "XSRF-TOKEN"],
      ["jwt", "jwt"],
      ["theme", "theme"],
      ["theme", "dark"],
    ]);
    expect(scanInputs(ins)).toEqual([]);
  });

  it("scans cookie values and names (CRS REQUEST_COOKIES / REQUEST_COOKIES_NAMES)", () => {
    const value = scanInputs(cookieInputs("theme=dark; pref=%3Cscript%3Ealert(1)%3C%2Fscript%3E"));
    expect(value).toMatchObject([{ kind: "xss", location: "cookie", name: "pref" }]);
    expect(value[0]!.rules).toContain("crs:941100");
    const name = scanInputs(cookieInputs("1' union select name from users--=1"));
    expect(name.map((d) => [d.kind, d.location])).toEqual([["sqli", "cookie"]]);
    // A credential-named cookie's value is left out, never its name (nor a query or JSON name that says "token" or "sql").
    expect(scanInputs(cookieInputs("csrftoken<script>alert(1)</script>=1")).map((d) => [d.kind, d.location])).toEqual([["xss", "cookie"]]);
    expect(scanInputs(cookieInputs("auth_key' union select password from users--=1")).map((d) => [d.kind, d.location])).toEqual([["sqli", "cookie"]]);
    const named = (name: string) => scanInputs([{ location: "query", name, value: name, isName: true }]).map((d) => d.kind);
    expect(named("token<script>alert(1)</script>")).toEqual(["xss"]);
    expect(named("x_sql' union select password from users--")).toEqual(["sqli"]);
    // A rule that targets cookie names and values but not the own detectors' verdict: an overflow probe as a name.
    expect(scanInputs(cookieInputs("4294967295=1")).flatMap((d) => d.rules)).toEqual(["crs:942220"]);
  });

  it.each(["2147483648", "4294967295", "4294967296", "-2147483649", "1e309", "2.2250738585072011e-308", "0000012345", "json.4294967295"])(
    "checks a number-like word with the CRS rules: %s (942220, integer overflow)",
    (value) => {
      for (const location of ["query", "form", "json", "cookie", "xml"] as const) {
        expect(scanInputs([{ location, name: "n", value }]), location).toMatchObject([{ kind: "sqli", rules: ["crs:942220"] }]);
      }
    },
  );

  it.each(["12345", "2024-01-01", "3.14", "-1", "1e5", UUID, "dbo.Customer", "o.brien@example.com", "9223372036854775807"])(
    "still lets an ordinary plain word pass, at every level: %s",
    (value) => {
      // 9223372036854775807 (BIGINT max) is not in 942220's list, and plain words skip Guardian's own detectors.
      for (const pl of [1, 2, 3, 4]) expect(scanInputs([{ location: "query", name: "n", value }], pl), `PL${pl}`).toEqual([]);
    },
  );
});

describe("guardInputs: path and cookies through the app", () => {
  const t = withTestApp();

  const guardianRows = (orgId: string) =>
    t.testDb.db
      .select()
      .from(auditLogs)
      .where(and(eq(auditLogs.orgId, orgId), inArray(auditLogs.eventType, ["guardian.blocked", "guardian.detected"])));

  it("refuses a path carrying SQL injection or XSS (400, audited with location 'path'), logs it under a 'log' policy", async () => {
    const a = await t.adminOf();
    const res = await t.get("/api/v1/migrations/1%27%20union%20select%20password%20from%20users--", t.bearer(a.token));
    expect(res.status).toBe(400);
    const body = (await res.json()) as Json;
    expect(body.error.code).toBe("guardian_blocked");
    expect(body.error.message).toContain("the request path looks like SQL injection");
    expect(Object.keys(body.error.fields)).toEqual(["path"]);
    const rows = await guardianRows(a.orgId);
    expect(rows).toHaveLength(1);
    expect(rows[0]!.eventType).toBe("guardian.blocked");
    expect(rows[0]!.details).toMatchObject({ action: "block", kinds: ["sqli"], path: "(in the erasable part)" });
    expect((rows[0]!.details as Json).inputs.every((i: Json) => i.location === "path")).toBe(true);
    // The offending text (the path itself) only in the erasable part.
    expect(JSON.stringify(rows[0]!.details)).not.toContain("password");
    expect(rows[0]!.personal).toMatchObject({ path: "/api/v1/migrations/1' union select password from users--" });
    expect((rows[0]!.personal as Json).excerpt).toContain("union select password");

    const cookie = { Cookie: `${sessionCookieName(t.config)}=${a.token}` };
    const page = await t.app.request("/migrations/%3Cscript%3Ealert(1)%3C%2Fscript%3E", { headers: cookie });
    expect(page.status).toBe(400);
    expect(page.headers.get("content-type")).toContain("text/html");
    expect((await guardianRows(a.orgId)).at(-1)!.details).toMatchObject({ action: "block", kinds: ["xss"] });

    // Policy on 'log': the request goes on (to the route's own 404), and a detection is audited.
    await updatePolicy(t.testDb.db, { orgId: a.orgId, userId: a.userId, ip: null, at: t.clock.now() }, { sqliAction: "log" });
    const logged = await t.get("/api/v1/migrations/1%27%20union%20select%20password%20from%20users--", t.bearer(a.token));
    expect(logged.status).toBe(404);
    expect((await guardianRows(a.orgId)).at(-1)!.details).toMatchObject({ action: "log", kinds: ["sqli"] });
  });

  it("lets the app's routes take realistic object and model names in the path at the default level", async () => {
    const a = await t.adminOf();
    const cookie = { Cookie: `${sessionCookieName(t.config)}=${a.token}` };
    for (const name of OBJECT_NAMES) {
      const page = await t.app.request(`/migrations/${UUID}/objects/${inPath(name)}`, { headers: cookie });
      expect(page.status, name).toBe(404); // no such migration: the route answered, Guardian did not
      const api = await t.app.request(`/api/v1/models/${inPath(name)}`, { method: "DELETE", headers: t.bearer(a.token) });
      expect(api.status, name).toBe(404);
      expect(((await api.json()) as Json).error.code, name).not.toBe("guardian_blocked");
    }
    expect(await guardianRows(a.orgId)).toEqual([]);
  });

  it("scans cookies other than the session cookie, whose value is never scanned nor logged", async () => {
    const a = await t.adminOf();
    const session = `${sessionCookieName(t.config)}=${a.token}`;
    // The session cookie next to a hostile one: refused for the hostile one, named in the message.
    const res = await t.app.request("/settings/members", { headers: { Cookie: `${session}; pref=%3Cscript%3Ealert(1)%3C%2Fscript%3E`, Accept: "application/json" } });
    expect(res.status).toBe(400);
    expect(((await res.json()) as Json).error.message).toContain("cookie 'pref'");
    const rows = await guardianRows(a.orgId);
    expect(rows.at(-1)!.details).toMatchObject({ inputs: [{ kind: "xss", location: "cookie", field: "pref" }] });
    const stored = JSON.stringify(rows.map((r) => [r.details, r.personal]));
    expect(stored).not.toContain(a.token);
    expect(t.logs()).not.toContain(a.token);
    // Ordinary cookies pass; a session cookie holding attack text is not scanned (it is only a credential, and an invalid one here).
    expect((await t.app.request("/settings/members", { headers: { Cookie: `${session}; theme=dark; lang=en-GB; _ga=GA1.1.123456789.1700000000` } })).status).toBe(200);
    const apiRes = await t.get("/api/v1/me", { ...t.bearer(a.token), Cookie: "session=1' union select password from users--; __Host-session=<script>alert(1)</script>" });
    expect(apiRes.status).toBe(200);
    expect(await guardianRows(a.orgId)).toHaveLength(1);
  });

  it("refuses an integer-overflow probe in a query value (CRS 942220), lets ordinary numbers pass", async () => {
    const a = await t.adminOf();
    const refused = await t.get("/api/v1/me?limit=4294967295", t.bearer(a.token));
    expect(refused.status).toBe(400);
    expect(((await refused.json()) as Json).error.fields.limit[0]).toContain("crs:942220");
    expect((await t.get("/api/v1/me?limit=100&from=2024-01-01", t.bearer(a.token))).status).toBe(200);
  });
});

describe("lenient XML reading in linear time: the same result as the regular expressions it replaces", () => {
  const DOCTYPE = /<!DOCTYPE[^[>]*(?:\[[^\]]*\][^>]*)?>/i;
  const samples = [
    "<a>1</a>",
    '<!DOCTYPE a><a>1</a>',
    '<!doctype a SYSTEM "x"><a/>',
    '<!DOCTYPE a [<!ENTITY e "<script>">]><a>&e;</a>',
    "<!DOCTYPE a [<!ENTITY e 'x'>] ><a/>",
    "<!DOCTYPE [ <!DOCTYPE b><a/>",
    "<!DOCTYPE a [ x ] <!DOCTYPE b><a/>",
    "<!DOCTYPE a [ x ] no end",
    "<!DOCTYPE<!DOCTYPE<!DOCTYPE a>",
    "<!DOCTYPE ".repeat(5) + "[ ] >",
    "<!DOCTYPE a [ ".repeat(4) + "<!DOCTYPE b>",
    "no declaration at all",
    "<!-- a --><b>x</b><!-- c",
    "<!--<!-- x --> -->",
    "<a><![CDATA[<script>]]><![CDATA[ y ]]></a><![CDATA[ open",
  ];
  it.each(samples)("%s", (text) => {
    expect(stripFirstDoctype(text)).toBe(text.replace(DOCTYPE, ""));
    expect(splitSections(text, "<!--", "-->", "").rest).toBe(text.replace(/<!--[\s\S]*?-->/g, ""));
    const cdata = splitSections(text, "<![CDATA[", "]]>", "<>");
    expect(cdata.inner).toEqual([...text.matchAll(/<!\[CDATA\[([\s\S]*?)\]\]>/g)].map((m) => m[1]));
    expect(cdata.rest).toBe(text.replace(/<!\[CDATA\[[\s\S]*?\]\]>/g, "<>"));
  });

  it("agrees on 20000 texts made of the pieces that matter (fixed seed)", () => {
    const pieces = ["<!DOCTYPE", "<!doctype", "[", "]", ">", "<", " a", "<!--", "-->", "<![CDATA[", "]]>", "x", "-", "!"];
    let seed = 12345;
    const next = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
    for (let n = 0; n < 20000; n++) {
      const text = Array.from({ length: Math.floor(next() * 14) }, () => pieces[Math.floor(next() * pieces.length)]).join("");
      expect(stripFirstDoctype(text), text).toBe(text.replace(DOCTYPE, ""));
      expect(splitSections(text, "<!--", "-->", "").rest, text).toBe(text.replace(/<!--[\s\S]*?-->/g, ""));
      expect(splitSections(text, "<![CDATA[", "]]>", "<>").rest, text).toBe(text.replace(/<!\[CDATA\[[\s\S]*?\]\]>/g, "<>"));
    }
  });
});

describe("guardInputs: XML bodies and collection limits", () => {
  const t = withTestApp();

  it("reads JSON, XML and form bodies only up to MAX_GUARDED_BODY: a larger one is refused, not buffered whole (declared or streamed)", async () => {
    const app = bareApp(t);
    app.post("/in", guardInputs(), async (c) => c.json({ length: (await c.req.text()).length }));
    const big = JSON.stringify({ note: "a".repeat(MAX_GUARDED_BODY) });
    const declared = await app.request("/in", { method: "POST", headers: { "Content-Type": "application/json" }, body: big });
    expect(declared.status).toBe(400);
    expect(JSON.stringify(await declared.json())).toContain("more input than is checked");
    // Streamed, with no Content-Length: read up to the limit, then refused.
    const chunk = new TextEncoder().encode("a".repeat(64 * 1024));
    let sent = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent === 0) controller.enqueue(new TextEncoder().encode('{"note":"'));
        if (sent > 2 * MAX_GUARDED_BODY) {
          controller.enqueue(new TextEncoder().encode('"}'));
          controller.close();
          return;
        }
        controller.enqueue(chunk);
        sent += chunk.byteLength;
      },
    });
    const streamed = await app.request("/in", { method: "POST", headers: { "Content-Type": "application/json" }, body: stream, duplex: "half" } as RequestInit);
    expect(streamed.status).toBe(400);
    // …having read about the limit, not the whole stream (2 MiB and more)
    expect(sent).toBeLessThan(MAX_GUARDED_BODY + 4 * chunk.byteLength);
    const form = await app.request("/in", { method: "POST", headers: { "Content-Type": "application/x-www-form-urlencoded" }, body: `note=${"a".repeat(MAX_GUARDED_BODY)}` });
    expect(form.status).toBe(400);
    // Below the limit: scanned (an attack at the very end is found), and a clean body reaches the handler intact.
    const tail = await app.request("/in", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ note: "b ".repeat(40_000), q: "1' union select password from users--" }) });
    expect(tail.status).toBe(400);
    const clean = JSON.stringify({ note: "b ".repeat(40_000) });
    const ok = await app.request("/in", { method: "POST", headers: { "Content-Type": "application/json" }, body: clean });
    expect(ok.status).toBe(200);
    expect(((await ok.json()) as Json).length).toBe(clean.length);
    const okForm = await app.request("/in", { method: "POST", headers: { "Content-Type": "application/x-www-form-urlencoded" }, body: "name=O%27Brien+sales&q=1%27+union+select+password+from+users--" });
    expect(okForm.status).toBe(400);
  });

  function xmlApp() {
    const app = bareApp(t);
    app.post("/in", guardInputs(), async (c) => c.json({ body: await c.req.text() }));
    return app;
  }
  const post = (body: string, type = "application/xml") => xmlApp().request("/in", { method: "POST", headers: { "Content-Type": type }, body });

  it("scans element text and attribute values (entities decoded), under each XML media type", async () => {
    for (const type of ["application/xml", "text/xml; charset=utf-8", "application/soap+xml", "application/atom+xml"]) {
      const text = await post(`<?xml version="1.0"?><order><customer>1' union select password from users--</customer></order>`, type);
      expect(text.status, type).toBe(400);
      const body = (await text.json()) as Json;
      expect(Object.keys(body.error.fields)).toEqual(["order.customer"]);
      // The CRS rules that target XML:/* ran on it too.
      expect(body.error.fields["order.customer"][0]).toMatch(/crs:942\d+/);
    }
    const attr = await post(`<order id="x&quot; onmouseover=&quot;alert(1)"><n>ok</n></order>`);
    expect(attr.status).toBe(400);
    expect(Object.keys(((await attr.json()) as Json).error.fields)).toEqual(["order.@id"]);
    const encoded = await post(`<a><note>&lt;img src=x onerror=alert(1)&gt;</note></a>`);
    expect(encoded.status).toBe(400);
    const cdata = await post(`<a><note><![CDATA[<script>alert(1)</script>]]></note></a>`);
    expect(cdata.status).toBe(400);
  });

  it("lets ordinary XML through to the handler, body intact, and never scans secret or SQL elements", async () => {
    const doc = `<?xml version="1.0" encoding="utf-8"?>\n<migration name="O'Brien &amp; Sons" target="postgres"><object schema="dbo">[Order Details]</object><sql>DELETE FROM t WHERE 1=1; SELECT '&lt;script&gt;'</sql><password>' or 1=1 --</password><note>Q3 -- final, select customers 2024</note></migration>`;
    const res = await post(doc);
    expect(res.status).toBe(200);
    expect(((await res.json()) as Json).body).toBe(doc);
  });

  it("resolves no entity: an external one is never read, an internal one's text is checked as a value", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "xxe-"));
    const file = path.join(dir, "payload.txt");
    writeFileSync(file, "<script>alert(1)</script>");
    // Were the external entity read, its content would be refused; it is not, and the document still has its text checked.
    const external = await post(`<!DOCTYPE a [<!ENTITY x SYSTEM "file://${file}">]><a>&x; hello</a>`);
    expect(external.status).toBe(200);
    const externalAttack = await post(`<!DOCTYPE a [<!ENTITY x SYSTEM "file://${file}">]><a><b>1' union select password from users--</b></a>`);
    expect(externalAttack.status).toBe(400);
    const internal = await post(`<!DOCTYPE a [<!ENTITY x "&lt;script&gt;alert(1)&lt;/script&gt;">]><a>&x;</a>`);
    expect(internal.status).toBe(400);
    expect(Object.keys(((await internal.json()) as Json).error.fields)).toEqual(["(doctype entity)"]);
  });

  it("leaves malformed XML to the handler, after checking the text it can find", async () => {
    const broken = `<a><b>unclosed</a`;
    const res = await post(broken);
    expect(res.status).toBe(200);
    expect(((await res.json()) as Json).body).toBe(broken);
    expect((await post(`<a><b x="<img src=x onerror=alert(1)>">unclosed</a`)).status).toBe(400);
    expect((await post(`<__proto__><p>1' union select password from users--</p></__proto__>`)).status).toBe(400);
  });

  it("refuses, rather than half-checks, a body with more values than are collected (XML and JSON)", async () => {
    const many = MAX_SCANNED_VALUES * 2 + 10;
    const xml = `<a>${"<v>ok</v>".repeat(many)}<v>1' union select password from users--</v></a>`;
    const x = await post(xml);
    expect(x.status).toBe(400);
    expect(((await x.json()) as Json).error.message).toContain("more input than is checked");
    // JSON: plain words (not scanned, so under the scanned-value budget) used to end collection silently before the payload.
    const json = JSON.stringify({ pad: Array.from({ length: many }, () => "ok"), note: "1' union select password from users--" });
    const j = await post(json, "application/json");
    expect(j.status).toBe(400);
    expect(((await j.json()) as Json).error.message).toContain("more input than is checked");
    const deep = JSON.stringify(Array.from({ length: 40 }).reduce((acc: unknown) => ({ n: acc }), "1' union select password from users--"));
    expect((await post(deep, "application/json")).status).toBe(400);
    // Below the limits, the same padding passes.
    expect((await post(JSON.stringify({ pad: Array.from({ length: 100 }, () => "ok") }), "application/json")).status).toBe(200);
  });

  it("collects the path, query, cookies and headers of a request", async () => {
    const app = new Hono<AppEnv>();
    app.get("/*", async (c) => c.json(await collectInputs(c as never)));
    const res = await app.request("/a/%5Bb%5D?q=1", { headers: { Cookie: "session=secret-token; theme=dark", "User-Agent": "ua" } });
    const ins = (await res.json()) as RequestInput[];
    expect(ins.map((i) => `${i.location}:${i.pathPart ?? (i.isName ? "name" : "value")}:${i.value}`)).toEqual([
      "path:filename:/a/[b]",
      "path:basename:[b]",
      "query:name:q",
      "query:value:1",
      "cookie:name:theme",
      "cookie:value:dark",
      "header:value:ua",
    ]);
  });
});
