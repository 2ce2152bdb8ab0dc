import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { withTestApp } from "../../test/support/app.ts";
import { VIEWS_DIR } from "../web/render.ts";

function expectSecurityHeaders(res: Response): void {
  const csp = res.headers.get("content-security-policy") ?? "";
  for (const directive of ["default-src 'self'", "object-src 'none'", "base-uri 'none'", "frame-ancestors 'none'", "script-src 'self'"]) {
    expect(csp).toContain(directive);
  }
  expect(csp).not.toContain("unsafe-inline");
  expect(csp).not.toContain("unsafe-eval");
  expect(res.headers.get("x-content-type-options")).toBe("nosniff");
  expect(res.headers.get("x-frame-options")).toBe("DENY");
  expect(res.headers.get("referrer-policy")).toBe("no-referrer");
  expect(res.headers.get("cross-origin-opener-policy")).toBe("same-origin");
}

describe("security headers, plain http, no trusted proxy", () => {
  const t = withTestApp();

  it.each([
    ["a page", "/login", 200],
    ["the API", "/healthz", 200],
    ["a static file", "/static/app.css", 200],
    ["an API error", "/api/v1/migrations", 401],
    ["a missing page", "/no-such-page", 404],
  ])("are on %s", async (_what, url, status) => {
    const res = await t.get(url);
    expect(res.status).toBe(status);
    expectSecurityHeaders(res);
  });

  it("sends no HSTS over plain http, and ignores X-Forwarded-Proto from an untrusted client", async () => {
    expect((await t.get("/login")).headers.get("strict-transport-security")).toBeNull();
    expect((await t.get("/login", { "x-forwarded-proto": "https" })).headers.get("strict-transport-security")).toBeNull();
  });

  it("sends HSTS of at least a year on a TLS request", async () => {
    const res = await t.app.request("https://datamigrate.example/login");
    const hsts = res.headers.get("strict-transport-security") ?? "";
    expect(Number(/max-age=(\d+)/.exec(hsts)?.[1])).toBeGreaterThanOrEqual(31_536_000);
  });
});

describe("security headers behind a trusted proxy", () => {
  const t = withTestApp({ config: { trustProxy: true } });

  it("sends HSTS when the proxy says the client used https", async () => {
    const res = await t.get("/login", { "x-forwarded-proto": "https" });
    expect(res.status).toBe(200);
    expectSecurityHeaders(res);
    const hsts = res.headers.get("strict-transport-security") ?? "";
    expect(Number(/max-age=(\d+)/.exec(hsts)?.[1])).toBeGreaterThanOrEqual(31_536_000);
  });

  it("sends none when the proxy says http", async () => {
    expect((await t.get("/login", { "x-forwarded-proto": "http" })).headers.get("strict-transport-security")).toBeNull();
  });
});

describe("templates work under the CSP", () => {
  // The policy forbids inline script and style: a template with one would silently break in the browser.
  const files: string[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const p = path.join(dir, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (name.endsWith(".njk")) files.push(p);
    }
  };
  walk(VIEWS_DIR);

  it.each(files.map((f) => [path.relative(VIEWS_DIR, f), f]))("%s has no inline script, style or event handler", (_name, file) => {
    const text = readFileSync(file, "utf8");
    expect(text).not.toMatch(/<script(?![^>]*\ssrc=)[^>]*>/i);
    expect(text).not.toMatch(/<style[\s>]/i);
    expect(text).not.toMatch(/\sstyle\s*=/i);
    expect(text).not.toMatch(/\son[a-z]+\s*=/i);
    expect(text).not.toMatch(/\shx-on[:-]/i);
    expect(text).not.toMatch(/javascript:/i);
  });
});
