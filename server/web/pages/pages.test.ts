import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { TEST_PASSWORD, withTestApp, type TestApp } from "../../../test/support/app.ts";

const FORM = "application/x-www-form-urlencoded";

function cookieFrom(res: Response, name: string): string | undefined {
  for (const line of res.headers.getSetCookie()) {
    const [pair] = line.split(";");
    const [k, v] = pair!.split("=");
    if (k === name) return v;
  }
  return undefined;
}

function browser(t: TestApp) {
  const origin = t.config.publicOrigin;
  const cookieName = t.config.cookieSecure ? "__Host-session" : "session";
  return {
    cookieName,
    post(p: string, fields: Record<string, string | string[]>, opts: { cookie?: string; headers?: Record<string, string> } = {}) {
      const body = new URLSearchParams();
      for (const [k, v] of Object.entries(fields)) for (const x of Array.isArray(v) ? v : [v]) body.append(k, x);
      return t.app.request(p, {
        method: "POST",
        headers: {
          "Content-Type": FORM,
          Origin: origin,
          ...(opts.cookie ? { Cookie: `${cookieName}=${opts.cookie}` } : {}),
          ...opts.headers,
        },
        body,
      });
    },
    get(p: string, opts: { cookie?: string; headers?: Record<string, string> } = {}) {
      return t.app.request(p, { headers: { ...(opts.cookie ? { Cookie: `${cookieName}=${opts.cookie}` } : {}), ...opts.headers } });
    },
  };
}

describe("HTML pages", () => {
  const t = withTestApp();
  const b = () => browser(t);

  async function signIn(email: string, password = TEST_PASSWORD, cookie?: string): Promise<string> {
    const res = await b().post("/login", { email, password }, cookie ? { cookie } : {});
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe("/dashboard");
    const token = cookieFrom(res, b().cookieName);
    expect(token).toBeTruthy();
    return token!;
  }

  describe("health", () => {
    it("/healthz and /readyz answer 200 when the database is reachable", async () => {
      expect((await t.get("/healthz")).status).toBe(200);
      const ready = await t.get("/readyz");
      expect(ready.status).toBe(200);
      expect(await ready.json()).toEqual({ status: "ok", database: "reachable" });
    });

    it("/readyz answers 503 when the database is not", async () => {
      const { createApp } = await import("../../app.ts");
      const { createLogger } = await import("../../log.ts");
      const broken = createApp({
        config: t.config,
        database: { ...t.testDb.handle, ping: () => Promise.reject(new Error("connection refused")) },
        logger: createLogger("silent"),
      });
      const res = await broken.request("/readyz");
      expect(res.status).toBe(503);
      expect(await res.json()).toEqual({ status: "unavailable", database: "unreachable" });
    });
  });

  describe("rendering", () => {
    it("the same URL answers the full page, or the fragment for htmx", async () => {
      const full = await b().get("/login");
      const fullHtml = await full.text();
      expect(full.status).toBe(200);
      expect(fullHtml).toMatch(/^<!doctype html>/);
      expect(fullHtml).toContain('<script src="/static/htmx.min.js"');
      expect(fullHtml).toContain('id="login"');
      const frag = await b().get("/login", { headers: { "HX-Request": "true" } });
      const fragHtml = await frag.text();
      expect(fragHtml).not.toContain("<html");
      expect(fragHtml.trim()).toMatch(/^<section class="card narrow" id="login">/);
      expect(frag.headers.get("vary")).toContain("HX-Request");
      // A boosted navigation wants the whole page.
      const boosted = await b().get("/login", { headers: { "HX-Request": "true", "HX-Boosted": "true" } });
      expect(await boosted.text()).toMatch(/^<!doctype html>/);
    });

    it("serves htmx and the stylesheet itself", async () => {
      const require = createRequire(import.meta.url);
      const htmxFile = path.join(path.dirname(require.resolve("htmx.org/package.json")), "dist", "htmx.min.js");
      const res = await t.get("/static/htmx.min.js");
      expect(res.status).toBe(200);
      expect(res.headers.get("content-type")).toContain("javascript");
      expect(await res.text()).toBe(readFileSync(htmxFile, "utf8"));
      const css = await t.get("/static/app.css");
      expect(css.status).toBe(200);
      expect(css.headers.get("content-type")).toContain("text/css");
      expect((await t.get("/static/nothing.js")).status).toBe(404);
    });

    it("escapes what users typed", async () => {
      // Markup that Guardian lets through (no script): the templates must still escape it.
      const res = await b().post("/register", {
        organizationName: "<b>Tom</b> & Jerry",
        email: "xss@example.com",
        password: TEST_PASSWORD,
      });
      const token = cookieFrom(res, b().cookieName)!;
      const html = await (await b().get("/dashboard", { cookie: token })).text();
      expect(html).not.toContain("<b>Tom</b>");
      expect(html).toContain("&lt;b&gt;Tom&lt;/b&gt; &amp; Jerry");
    });

    it("refuses script in what users type (Guardian), before it is stored", async () => {
      const res = await b().post("/register", {
        organizationName: "<script>alert(1)</script>",
        email: "xss2@example.com",
        password: TEST_PASSWORD,
      });
      expect(res.status).toBe(400);
      expect(await res.text()).toContain("cross-site scripting");
    });
  });

  describe("registration and sign-in", () => {
    it("register signs the new admin in and shows an empty dashboard", async () => {
      const res = await b().post("/register", { organizationName: "Pages Org", email: "pages@example.com", password: TEST_PASSWORD });
      expect(res.status).toBe(303);
      expect(res.headers.get("location")).toBe("/dashboard");
      const token = cookieFrom(res, b().cookieName)!;
      const dash = await b().get("/dashboard", { cookie: token });
      expect(dash.status).toBe(200);
      const html = await dash.text();
      expect(html).toContain("Pages Org");
      expect(html).toContain("No migrations yet");
      expect(html).toContain("pages@example.com · admin");
    });

    it("invalid registration re-renders the form with field errors (422), without the password", async () => {
      const res = await b().post("/register", { organizationName: "", email: "bad", password: "short-pw" });
      expect(res.status).toBe(422);
      const html = await res.text();
      expect(html).toContain("expected an e-mail address");
      expect(html).toContain("at least 12 characters");
      expect(html).not.toContain("short-pw");
    });

    it("a wrong password re-renders the form (401), as a fragment for htmx", async () => {
      const { email } = await t.registerOrg();
      const res = await b().post("/login", { email, password: "definitely wrong" }, { headers: { "HX-Request": "true" } });
      expect(res.status).toBe(401);
      const html = await res.text();
      expect(html).not.toContain("<html");
      expect(html).toContain("E-mail or password is wrong.");
      expect(html).toContain(`value="${email}"`);
      expect(cookieFrom(res, b().cookieName) ?? "").toBe("");
    });

    it("htmx sign-in answers HX-Redirect instead of a 303", async () => {
      const { email } = await t.registerOrg();
      const res = await b().post("/login", { email, password: TEST_PASSWORD }, { headers: { "HX-Request": "true" } });
      expect(res.status).toBe(204);
      expect(res.headers.get("hx-redirect")).toBe("/dashboard");
      expect(cookieFrom(res, b().cookieName)).toBeTruthy();
    });

    it("signed-out visitors are sent to the sign-in page", async () => {
      const res = await b().get("/dashboard");
      expect(res.status).toBe(303);
      expect(res.headers.get("location")).toBe("/login");
      const hx = await b().get("/dashboard", { headers: { "HX-Request": "true" } });
      expect(hx.headers.get("hx-redirect")).toBe("/login");
      const bogus = await b().get("/dashboard", { cookie: "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa" });
      expect(bogus.status).toBe(303);
    });

    it("the session cookie is HttpOnly, SameSite=Lax, Path=/ (and no Secure over plain http)", async () => {
      const { email } = await t.registerOrg();
      const res = await b().post("/login", { email, password: TEST_PASSWORD });
      const line = res.headers.getSetCookie().find((l) => l.startsWith("session="))!;
      expect(line).toMatch(/; HttpOnly/);
      expect(line).toMatch(/; SameSite=Lax/);
      expect(line).toMatch(/; Path=\//);
      expect(line).not.toMatch(/; Secure/);
      expect(line).not.toMatch(/; Domain=/);
    });

    it("sign-out ends the session", async () => {
      const { email } = await t.registerOrg();
      const token = await signIn(email);
      const res = await b().post("/logout", {}, { cookie: token });
      expect(res.status).toBe(303);
      expect(res.headers.get("location")).toBe("/login");
      expect(res.headers.getSetCookie().join("\n")).toMatch(/session=;/);
      expect((await b().get("/dashboard", { cookie: token })).status).toBe(303);
      expect((await t.get("/api/v1/me", t.bearer(token))).status).toBe(401);
    });

    it("an active session's cookie is re-sent when its expiry slides", async () => {
      const { email } = await t.registerOrg();
      const token = await signIn(email);
      const quiet = await b().get("/dashboard", { cookie: token });
      expect(cookieFrom(quiet, b().cookieName)).toBeUndefined();
      t.clock.advance(t.config.session.idleMs * 0.75);
      const res = await b().get("/dashboard", { cookie: token });
      expect(res.status).toBe(200);
      expect(cookieFrom(res, b().cookieName)).toBe(token);
    });
  });

  describe("session fixation", () => {
    it("a session planted before login is not the session after it, and stops working", async () => {
      const attacker = await t.registerOrg("Attacker");
      const victim = await t.registerOrg("Victim");
      // The attacker signs in and plants their own valid session cookie in the victim's browser.
      const planted = await signIn(attacker.email);
      const victimToken = await signIn(victim.email, TEST_PASSWORD, planted);
      expect(victimToken).not.toBe(planted);
      // The planted session no longer exists: the attacker cannot ride the victim's login.
      expect((await b().get("/dashboard", { cookie: planted })).status).toBe(303);
      expect((await t.get("/api/v1/me", t.bearer(planted))).status).toBe(401);
      const html = await (await b().get("/dashboard", { cookie: victimToken })).text();
      expect(html).toContain(victim.email);
      expect(html).not.toContain(attacker.email);
    });

    it("a made-up token planted before login is replaced by a fresh one", async () => {
      const { email } = await t.registerOrg();
      const madeUp = "abcdefghijklmnopqrstuvwxyz234567";
      const token = await signIn(email, TEST_PASSWORD, madeUp);
      expect(token).not.toBe(madeUp);
      expect((await b().get("/dashboard", { cookie: madeUp })).status).toBe(303);
    });
  });

  describe("CSRF", () => {
    it.each([
      ["a foreign Origin", { Origin: "https://evil.example" }],
      ["Sec-Fetch-Site: cross-site", { Origin: "", "Sec-Fetch-Site": "cross-site" }],
      ["a foreign Origin even when same-site", { Origin: "http://other.localhost:8000", "Sec-Fetch-Site": "same-site" }],
    ])("a cross-site form post with %s is rejected (403) and changes nothing", async (_label, headers) => {
      const { email } = await t.registerOrg();
      const token = await signIn(email);
      const res = await b().post("/migrations", { name: "forged", target: "postgres" }, { cookie: token, headers: headers as Record<string, string> });
      expect(res.status).toBe(403);
      expect(await res.text()).toContain("Forbidden");
      const html = await (await b().get("/dashboard", { cookie: token })).text();
      expect(html).not.toContain("forged");
      expect(html).toContain("No migrations yet");
    });

    it("a cross-site login post is rejected and opens no session", async () => {
      const { email } = await t.registerOrg();
      const res = await b().post("/login", { email, password: TEST_PASSWORD }, { headers: { Origin: "https://evil.example" } });
      expect(res.status).toBe(403);
      expect(cookieFrom(res, b().cookieName)).toBeUndefined();
    });

    it("a same-origin post is accepted by Sec-Fetch-Site even behind another host name", async () => {
      const { email } = await t.registerOrg();
      const token = await signIn(email);
      const res = await b().post("/settings/api-keys", { name: "legit", scopes: ["read"] }, { cookie: token, headers: { Origin: "http://127.0.0.1:8000", "Sec-Fetch-Site": "same-origin" } });
      expect(res.status).toBe(201);
      expect(await (await b().get("/settings/api-keys", { cookie: token })).text()).toContain("legit");
    });
  });

  describe("signed-in pages", () => {
    it("another organisation's migration page is 404", async () => {
      const a = await t.adminOf();
      const other = await t.registerOrg();
      const m = (await (await t.postJson("/api/v1/migrations", { name: "A only", target: "postgres" }, t.bearer(a.token))).json()) as { id: string };
      const mine = await b().get(`/migrations/${m.id}`, { cookie: a.token });
      expect(mine.status).toBe(200);
      expect(await mine.text()).toContain("A only");
      const theirs = await b().get(`/migrations/${m.id}`, { cookie: await signIn(other.email) });
      expect(theirs.status).toBe(404);
      expect(await theirs.text()).not.toContain("A only");
    });

    it("an admin adds a member; the member cannot", async () => {
      const a = await t.adminOf();
      const res = await b().post("/settings/members", { email: "page.member@example.com", password: "member passphrase 9", role: "member" }, { cookie: a.token });
      expect(res.status).toBe(200);
      expect(await res.text()).toContain("page.member@example.com can now sign in.");
      const m = await signIn("page.member@example.com", "member passphrase 9");
      const denied = await b().post("/settings/members", { email: "x2@example.com", password: "member passphrase 9" }, { cookie: m });
      expect(denied.status).toBe(403);
      expect(await (await b().get("/settings/members", { cookie: m })).text()).not.toContain("Add a member");
    });

    it("an API key made on the page is shown once, works, and can be revoked", async () => {
      const a = await t.adminOf();
      const res = await b().post("/settings/api-keys", { name: "from page", scopes: ["read"] }, { cookie: a.token });
      expect(res.status).toBe(201);
      expect(res.headers.get("cache-control")).toBe("no-store");
      const key = /dmk_[a-z2-7]{32}/.exec(await res.text())![0];
      expect((await t.get("/api/v1/migrations", t.bearer(key))).status).toBe(200);
      const page = await (await b().get("/settings/api-keys", { cookie: a.token })).text();
      expect(page).not.toContain(key);
      const id = /\/settings\/api-keys\/([0-9a-f-]{36})\/revoke/.exec(page)![1];
      const revoke = await b().post(`/settings/api-keys/${id}/revoke`, {}, { cookie: a.token });
      expect(revoke.status).toBe(303);
      expect((await t.get("/api/v1/migrations", t.bearer(key))).status).toBe(401);
    });

    it("a malformed multipart form is 400, not 500", async () => {
      const res = await t.app.request("/login", {
        method: "POST",
        headers: { "Content-Type": "multipart/form-data; boundary=x", Origin: t.config.publicOrigin },
        body: "garbage",
      });
      expect(res.status).toBe(400);
    });

    it("a form post with a JSON body is 415", async () => {
      const a = await t.adminOf();
      const res = await t.app.request("/migrations", {
        method: "POST",
        headers: { "Content-Type": "application/json", Cookie: `${b().cookieName}=${a.token}`, Origin: t.config.publicOrigin },
        body: JSON.stringify({ name: "x", target: "postgres" }),
      });
      expect(res.status).toBe(415);
    });
  });
});

describe("HTML pages with secure cookies", () => {
  const t = withTestApp({ config: { publicOrigin: "https://dm.example.com", cookieSecure: true } });

  it("the session cookie is __Host-session with Secure", async () => {
    const { email } = await t.registerOrg();
    const res = await browser(t).post("/login", { email, password: TEST_PASSWORD });
    expect(res.status).toBe(303);
    const line = res.headers.getSetCookie().find((l) => l.startsWith("__Host-session="))!;
    expect(line).toMatch(/; Secure/);
    expect(line).toMatch(/; HttpOnly/);
    expect(line).toMatch(/; Path=\//);
    expect(line).toMatch(/; SameSite=Lax/);
    expect(line).not.toMatch(/; Domain=/);
  });

  it("checks the configured public origin, not the request URL's", async () => {
    const { email } = await t.registerOrg();
    const res = await t.app.request("/login", {
      method: "POST",
      headers: { "Content-Type": FORM, Origin: "http://localhost" },
      body: new URLSearchParams({ email, password: TEST_PASSWORD }),
    });
    expect(res.status).toBe(403);
  });
});
