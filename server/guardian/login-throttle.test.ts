import { and, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { withTestApp } from "../../test/support/app.ts";
import { auditLogs } from "../db/schema/audit.ts";
import { DEFAULT_LOGIN_THROTTLE } from "./rate-limit.ts";

type Json = Record<string, any>;

describe("login throttling through the app", () => {
  const t = withTestApp();
  const free = DEFAULT_LOGIN_THROTTLE.account.freeFailures;
  const base = DEFAULT_LOGIN_THROTTLE.account.baseLockMs / 1000;

  it("locks an account after repeated failures with a doubling Retry-After, even for the right password; success resets", async () => {
    const a = await t.registerOrg();
    const attempt = (password: string) => t.postJson("/api/v1/auth/login", { email: a.email, password });
    for (let i = 0; i < free; i++) expect((await attempt("wrong password")).status).toBe(401);
    // This failure starts the first lock.
    expect((await attempt("wrong password")).status).toBe(401);
    const locked = await attempt(a.password);
    expect(locked.status).toBe(429);
    expect(locked.headers.get("retry-after")).toBe(String(base));
    expect(((await locked.json()) as Json).error.code).toBe("rate_limited");

    t.clock.advance(base * 1000);
    expect((await attempt("wrong password")).status).toBe(401);
    // Back-off: the next lock is twice as long.
    expect((await attempt(a.password)).headers.get("retry-after")).toBe(String(2 * base));

    t.clock.advance(2 * base * 1000);
    expect((await attempt(a.password)).status).toBe(200);
    // The success forgot the failures: one wrong password is not locked out again.
    expect((await attempt("wrong password")).status).toBe(401);
    expect((await attempt(a.password)).status).toBe(200);

    const throttled = await t.testDb.db.select().from(auditLogs).where(eq(auditLogs.eventType, "auth.login_throttled"));
    expect(throttled.length).toBeGreaterThanOrEqual(1);
    expect(JSON.stringify(throttled.map((r) => r.details))).not.toContain(a.email);
  });

  it("the sign-in page answers the lock with its form, a message and Retry-After", async () => {
    const a = await t.registerOrg();
    const post = (password: string) =>
      t.app.request("/login", {
        method: "POST",
        headers: { "Content-Type": "application/x-www-form-urlencoded", Origin: t.config.publicOrigin },
        body: new URLSearchParams({ email: a.email, password }),
      });
    for (let i = 0; i <= free; i++) expect((await post("wrong password")).status).toBe(401);
    const res = await post(a.password);
    expect(res.status).toBe(429);
    expect(res.headers.get("retry-after")).toBe(String(base));
    const html = await res.text();
    expect(html).toContain("Too many failed sign-ins");
    expect(html).toContain('name="email"');
    const rows = await t.testDb.db
      .select()
      .from(auditLogs)
      .where(and(eq(auditLogs.eventType, "auth.login_throttled")));
    expect(rows.length).toBeGreaterThanOrEqual(1);
  });
});
