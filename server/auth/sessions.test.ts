import { describe, expect, it } from "vitest";
import { withTestDb } from "../../test/support/db.ts";
import { createOrganizationWithAdmin } from "../db/queries/accounts.ts";
import { createApiKey, validateApiKey } from "./api-keys.ts";
import { hashPassword, verifyPassword } from "./password.ts";
import { createSession, invalidateUserSessions, validateSessionToken } from "./sessions.ts";
import { generateSessionToken, hashToken } from "./tokens.ts";

const HOUR = 3_600_000;
const policy = { idleMs: 10 * HOUR, absoluteMs: 30 * HOUR };
const t0 = new Date("2030-06-01T00:00:00Z");
const at = (hours: number) => new Date(t0.getTime() + hours * HOUR);

describe("sessions (Lucia design)", () => {
  const t = withTestDb();
  let n = 0;
  async function user() {
    const { user } = await createOrganizationWithAdmin(t.db, { organizationName: "S", email: `s${++n}@example.com`, passwordHash: "x" });
    return user;
  }

  it("tokens carry 160 random bits and differ every time", () => {
    const tokens = new Set(Array.from({ length: 1000 }, generateSessionToken));
    expect(tokens.size).toBe(1000);
    for (const tok of tokens) expect(tok).toMatch(/^[a-z2-7]{32}$/);
    expect(hashToken("abc")).toBe("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  });

  it.each([
    // hours of use pattern → valid at the end?
    ["used within the idle window", [4, 8], true],
    ["idle for exactly the window", [10], false],
    ["extended by use at 6h, then idle 9h", [6, 15], true],
    ["not extended by use at 2h (less than half used), then idle to 10h", [2, 10], false],
    ["active past the absolute timeout", [6, 12, 18, 24, 29, 30], false],
  ])("%s", async (_label, hours, validAtEnd) => {
    const u = await user();
    const { token } = await createSession(t.db, u, policy, t0);
    let ok = true;
    for (const h of hours) ok = (await validateSessionToken(t.db, token, policy, at(h))) !== null;
    expect(ok).toBe(validAtEnd);
  });

  it("never extends past the absolute timeout", async () => {
    const u = await user();
    const { token } = await createSession(t.db, u, policy, t0);
    for (const h of [6, 12, 18, 24]) await validateSessionToken(t.db, token, policy, at(h));
    const v = await validateSessionToken(t.db, token, policy, at(28));
    expect(v!.session.expiresAt.getTime()).toBe(at(30).getTime());
  });

  it("housekeeping removes only expired sessions", async () => {
    const { deleteExpiredSessions } = await import("../db/queries/credentials.ts");
    const u = await user();
    const old = await createSession(t.db, u, policy, at(-100));
    const live = await createSession(t.db, u, policy, at(99));
    expect(await deleteExpiredSessions(t.db, at(100))).toBeGreaterThanOrEqual(1);
    expect(await validateSessionToken(t.db, live.token, policy, at(100))).not.toBeNull();
    expect(await validateSessionToken(t.db, old.token, policy, at(-99))).toBeNull();
  });

  it("invalidating a user's sessions ends them all", async () => {
    const u = await user();
    const a = await createSession(t.db, u, policy, t0);
    const b = await createSession(t.db, u, policy, t0);
    await invalidateUserSessions(t.db, u.orgId, u.id);
    expect(await validateSessionToken(t.db, a.token, policy, at(1))).toBeNull();
    expect(await validateSessionToken(t.db, b.token, policy, at(1))).toBeNull();
  });

  it("an API key validates until revoked and records its use", async () => {
    const u = await user();
    const { key, apiKey } = await createApiKey(t.db, u, { name: "k", scopes: ["write", "read", "read"] }, t0);
    expect(apiKey.scopes).toEqual(["read", "write"]);
    expect(apiKey.keyHash).toBe(hashToken(key));
    const v = await validateApiKey(t.db, key, at(1));
    expect(v!.apiKey.lastUsedAt).toEqual(at(1));
    expect(await validateApiKey(t.db, key.slice(0, -1) + (key.endsWith("a") ? "b" : "a"), at(1))).toBeNull();
  });
});

describe("passwords", () => {
  it("verify only the right password", async () => {
    const h = await hashPassword("a long enough passphrase");
    expect(h.startsWith("$argon2id$")).toBe(true);
    expect(await verifyPassword(h, "a long enough passphrase")).toBe(true);
    expect(await verifyPassword(h, "a long enough passphrasE")).toBe(false);
    expect(await verifyPassword("not a hash", "x")).toBe(false);
  });
});
