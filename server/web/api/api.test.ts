import { describe, expect, it } from "vitest";
import { TEST_PASSWORD, withTestApp } from "../../../test/support/app.ts";

type Json = Record<string, any>;
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

describe("API /api/v1", () => {
  const t = withTestApp();

  describe("register", () => {
    it("creates an organisation with the user as admin and answers 201", async () => {
      const res = await t.postJson("/api/v1/auth/register", {
        email: "Founder@Example.com",
        password: TEST_PASSWORD,
        organizationName: "Founders Ltd",
      });
      expect(res.status).toBe(201);
      const body = (await res.json()) as Json;
      expect(body.user).toMatchObject({ email: "founder@example.com", role: "admin" });
      expect(body.organization).toMatchObject({ name: "Founders Ltd" });
      expect(JSON.stringify(body)).not.toContain(TEST_PASSWORD);
      expect(JSON.stringify(body)).not.toContain("argon2");
    });

    it("refuses a second account with the same e-mail (any case) with 409", async () => {
      const body = { email: "dup@example.com", password: TEST_PASSWORD, organizationName: "A" };
      expect((await t.postJson("/api/v1/auth/register", body)).status).toBe(201);
      const res = await t.postJson("/api/v1/auth/register", { ...body, email: "DUP@example.com" });
      expect(res.status).toBe(409);
      expect(await res.json()).toEqual({
        error: { code: "email_taken", message: expect.any(String), fields: { email: ["already registered"] } },
      });
    });

    it("stores the password as argon2id with at least 19 MiB and 2 passes", async () => {
      const { email } = await t.registerOrg();
      const { findUserByEmailForLogin } = await import("../../db/queries/accounts.ts");
      const user = await findUserByEmailForLogin(t.testDb.db, email);
      const m = /^\$argon2id\$v=19\$m=(\d+),t=(\d+),p=\d+\$/.exec(user!.passwordHash);
      expect(m).not.toBeNull();
      expect(Number(m![1])).toBeGreaterThanOrEqual(19456);
      expect(Number(m![2])).toBeGreaterThanOrEqual(2);
    });
  });

  describe("login", () => {
    it("answers {token, expiresAt} and the token authenticates", async () => {
      const { email } = await t.registerOrg();
      const res = await t.postJson("/api/v1/auth/login", { email, password: TEST_PASSWORD });
      expect(res.status).toBe(200);
      const body = (await res.json()) as Json;
      expect(Object.keys(body).sort()).toEqual(["expiresAt", "token"]);
      expect(body.token).toMatch(/^[a-z2-7]{32}$/); // 160 random bits, base32
      expect(new Date(body.expiresAt).getTime()).toBeGreaterThan(t.clock.now().getTime());
      const me = await t.get("/api/v1/me", t.bearer(body.token));
      expect(me.status).toBe(200);
      expect(((await me.json()) as Json).user.email).toBe(email);
    });

    it("stores only the SHA-256 of the token", async () => {
      const { token } = await t.adminOf();
      const { sql } = await import("drizzle-orm");
      const { queryRows } = await import("../../db/client.ts");
      const { hashToken } = await import("../../auth/tokens.ts");
      const rows = await queryRows<{ id: string }>(t.testDb.db, sql`select id from sessions`);
      expect(rows.some((r) => r.id === token)).toBe(false);
      expect(rows.some((r) => r.id === hashToken(token))).toBe(true);
    });

    it.each([
      ["wrong password", (email: string) => ({ email, password: "not the password at all" })],
      ["unknown e-mail", () => ({ email: "nobody@example.com", password: TEST_PASSWORD })],
    ])("rejects a %s with 401 and the same message", async (_label, body) => {
      const { email } = await t.registerOrg();
      const res = await t.postJson("/api/v1/auth/login", body(email));
      expect(res.status).toBe(401);
      expect(await res.json()).toEqual({ error: { code: "invalid_credentials", message: "e-mail or password is wrong" } });
    });

    it("records successful and failed logins in the audit log", async () => {
      const admin = await t.adminOf();
      t.clock.advance(1000);
      await t.postJson("/api/v1/auth/login", { email: admin.email, password: "wrong wrong wrong" });
      const res = await t.get("/api/v1/security/audit-logs", t.bearer(admin.token));
      expect(res.status).toBe(200);
      const types = ((await res.json()) as Json).items.map((i: Json) => i.eventType);
      expect(types).toEqual(["auth.login_failed", "auth.login", "auth.register"]);
    });
  });

  describe("sessions", () => {
    it("slide forward with use and expire after the idle window", async () => {
      const { token } = await t.adminOf();
      const idle = t.config.session.idleMs;
      // Used after 60% of the idle window: extended, so still valid after another 60%.
      t.clock.advance(idle * 0.6);
      expect((await t.get("/api/v1/me", t.bearer(token))).status).toBe(200);
      t.clock.advance(idle * 0.6);
      expect((await t.get("/api/v1/me", t.bearer(token))).status).toBe(200);
      // Idle for longer than the window: gone.
      t.clock.advance(idle + 1000);
      const res = await t.get("/api/v1/me", t.bearer(token));
      expect(res.status).toBe(401);
      expect(((await res.json()) as Json).error.code).toBe("unauthenticated");
    });

    it("end at the absolute timeout however active they are", async () => {
      const { token } = await t.adminOf();
      const { idleMs, absoluteMs } = t.config.session;
      let elapsed = 0;
      while (elapsed + idleMs * 0.4 < absoluteMs) {
        t.clock.advance(idleMs * 0.4);
        elapsed += idleMs * 0.4;
        expect((await t.get("/api/v1/me", t.bearer(token))).status).toBe(200);
      }
      t.clock.advance(absoluteMs - elapsed + 1000);
      expect((await t.get("/api/v1/me", t.bearer(token))).status).toBe(401);
    });

    it("logout invalidates the token", async () => {
      const { token } = await t.adminOf();
      const res = await t.app.request("/api/v1/auth/logout", { method: "POST", headers: t.bearer(token) });
      expect(res.status).toBe(204);
      expect((await t.get("/api/v1/me", t.bearer(token))).status).toBe(401);
      expect((await t.get("/api/v1/migrations", t.bearer(token))).status).toBe(401);
    });

    it("each login is a new session, and logging out one leaves the other", async () => {
      const a = await t.adminOf();
      const second = await t.login(a.email, a.password);
      expect(second).not.toBe(a.token);
      await t.app.request("/api/v1/auth/logout", { method: "POST", headers: t.bearer(a.token) });
      expect((await t.get("/api/v1/me", t.bearer(second))).status).toBe(200);
    });

    it("a password change ends every session and the old password", async () => {
      const a = await t.adminOf();
      const other = await t.login(a.email, a.password);
      const res = await t.postJson(
        "/api/v1/auth/password",
        { currentPassword: a.password, newPassword: "a brand new passphrase" },
        t.bearer(a.token),
      );
      expect(res.status).toBe(200);
      const fresh = ((await res.json()) as Json).token as string;
      expect((await t.get("/api/v1/me", t.bearer(a.token))).status).toBe(401);
      expect((await t.get("/api/v1/me", t.bearer(other))).status).toBe(401);
      expect((await t.get("/api/v1/me", t.bearer(fresh))).status).toBe(200);
      expect((await t.postJson("/api/v1/auth/login", { email: a.email, password: a.password })).status).toBe(401);
      expect((await t.postJson("/api/v1/auth/login", { email: a.email, password: "a brand new passphrase" })).status).toBe(200);
    });

    it("a password change needs the current password", async () => {
      const a = await t.adminOf();
      const res = await t.postJson("/api/v1/auth/password", { currentPassword: "guess guess guess", newPassword: "another passphrase" }, t.bearer(a.token));
      expect(res.status).toBe(400);
      expect(((await res.json()) as Json).error.fields).toEqual({ currentPassword: ["does not match"] });
      expect((await t.get("/api/v1/me", t.bearer(a.token))).status).toBe(200);
    });

    it.each([
      ["no header", undefined],
      ["a malformed header", "Token abc"],
      ["an unknown token", "Bearer aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"],
      ["an unknown API key", "Bearer dmk_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"],
    ])("401 with %s", async (_label, header) => {
      const res = await t.get("/api/v1/migrations", header ? { Authorization: header } : {});
      expect(res.status).toBe(401);
      expect(((await res.json()) as Json).error.code).toBe("unauthenticated");
    });
  });

  describe("migrations", () => {
    it("POST creates (201 {id, status, ...}); GET lists and reads it", async () => {
      const a = await t.adminOf();
      const res = await t.postJson("/api/v1/migrations", { name: "Sales DW", target: "postgres" }, t.bearer(a.token));
      expect(res.status).toBe(201);
      const created = (await res.json()) as Json;
      expect(created).toMatchObject({ name: "Sales DW", status: "queued", target: "postgres", createdBy: a.userId });
      expect(created.id).toMatch(/^[0-9a-f-]{36}$/);
      const one = await t.get(`/api/v1/migrations/${created.id}`, t.bearer(a.token));
      expect(one.status).toBe(200);
      // The detail is the summary plus the run: stages, objects, counts, sources.
      expect(await one.json()).toMatchObject({ ...created, stages: [], objects: [], sources: [] });
      const list = (await (await t.get("/api/v1/migrations", t.bearer(a.token))).json()) as Json;
      expect(list).toMatchObject({ total: 1, limit: 20, offset: 0 });
      expect(list.items).toEqual([created]);
    });

    it("paginates newest first", async () => {
      const a = await t.adminOf();
      for (const name of ["m1", "m2", "m3", "m4", "m5"]) {
        expect((await t.postJson("/api/v1/migrations", { name, target: "postgres" }, t.bearer(a.token))).status).toBe(201);
      }
      const p1 = (await (await t.get("/api/v1/migrations?limit=2", t.bearer(a.token))).json()) as Json;
      const p3 = (await (await t.get("/api/v1/migrations?limit=2&offset=4", t.bearer(a.token))).json()) as Json;
      expect(p1.total).toBe(5);
      expect(p1.items.map((m: Json) => m.name)).toEqual(["m5", "m4"]);
      expect(p3.items.map((m: Json) => m.name)).toEqual(["m1"]);
    });

    it.each([
      ["limit=0", { limit: ["expected an integer between 1 and 100"] }],
      ["limit=101", { limit: ["expected an integer between 1 and 100"] }],
      ["limit=abc", { limit: ["expected an integer between 1 and 100"] }],
      ["offset=-1", { offset: ["expected a non-negative integer"] }],
      ["offset=0x10", { offset: ["expected a non-negative integer"] }],
      ["limit=1e1", { limit: ["expected an integer between 1 and 100"] }],
    ])("rejects ?%s with 400 naming the parameter", async (query, fields) => {
      const a = await t.adminOf();
      const res = await t.get(`/api/v1/migrations?${query}`, t.bearer(a.token));
      expect(res.status).toBe(400);
      expect(((await res.json()) as Json).error).toMatchObject({ code: "validation_failed", fields });
    });

    it.each(["not-a-uuid", "00000000-0000-4000-8000-000000000000"])("GET /migrations/%s is 404", async (id) => {
      const a = await t.adminOf();
      const res = await t.get(`/api/v1/migrations/${id}`, t.bearer(a.token));
      expect(res.status).toBe(404);
      expect(await res.json()).toEqual({ error: { code: "not_found", message: "migration not found" } });
    });
  });

  describe("tenant isolation", () => {
    it("organisation B gets 404 for organisation A's migration and never sees it in lists", async () => {
      const a = await t.adminOf("Org A");
      const b = await t.adminOf("Org B");
      const created = (await (await t.postJson("/api/v1/migrations", { name: "secret", target: "postgres" }, t.bearer(a.token))).json()) as Json;
      const bRead = await t.get(`/api/v1/migrations/${created.id}`, t.bearer(b.token));
      expect(bRead.status).toBe(404);
      // Indistinguishable from an id that does not exist.
      const missing = await t.get("/api/v1/migrations/00000000-0000-4000-8000-000000000000", t.bearer(b.token));
      expect(await bRead.json()).toEqual(await missing.json());
      const bList = (await (await t.get("/api/v1/migrations", t.bearer(b.token))).json()) as Json;
      expect(bList.items.map((m: Json) => m.id)).not.toContain(created.id);
      expect(bList.total).toBe(0);
    });

    it("organisation B cannot revoke A's API key (404) and the key keeps working", async () => {
      const a = await t.adminOf();
      const b = await t.adminOf();
      const key = (await (await t.postJson("/api/v1/api-keys", { name: "ci", scopes: ["read"] }, t.bearer(a.token))).json()) as Json;
      const res = await t.app.request(`/api/v1/api-keys/${key.id}`, { method: "DELETE", headers: t.bearer(b.token) });
      expect(res.status).toBe(404);
      expect((await t.get("/api/v1/migrations", t.bearer(key.key))).status).toBe(200);
      const bKeys = (await (await t.get("/api/v1/api-keys", t.bearer(b.token))).json()) as Json;
      expect(bKeys.items).toEqual([]);
    });

    it("members, audit logs and the dashboard are per organisation", async () => {
      const a = await t.adminOf();
      const b = await t.adminOf();
      const bMembers = (await (await t.get("/api/v1/organization/members", t.bearer(b.token))).json()) as Json;
      expect(bMembers.items.map((m: Json) => m.email)).toEqual([b.email]);
      const bLogs = (await (await t.get("/api/v1/security/audit-logs?limit=100", t.bearer(b.token))).json()) as Json;
      expect(bLogs.items.every((i: Json) => i.userId === b.userId)).toBe(true);
      expect(JSON.stringify(bLogs)).not.toContain(a.email);
      const dash = (await (await t.get("/api/v1/security/dashboard", t.bearer(b.token))).json()) as Json;
      expect(dash.users).toBe(1);
      expect(dash.organization.id).toBe(b.orgId);
    });
  });

  describe("members", () => {
    it("an admin adds a member who can log in with the member role", async () => {
      const a = await t.adminOf();
      const res = await t.postJson(
        "/api/v1/organization/members",
        { email: "new.member@example.com", password: "member passphrase 1" },
        t.bearer(a.token),
      );
      expect(res.status).toBe(201);
      expect(await res.json()).toMatchObject({ email: "new.member@example.com", role: "member" });
      const token = await t.login("new.member@example.com", "member passphrase 1");
      const me = (await (await t.get("/api/v1/me", t.bearer(token))).json()) as Json;
      expect(me.organization.id).toBe(a.orgId);
      expect(me.scopes).toEqual(["read", "write"]);
    });

    it("a member can neither add members nor read the security pages (403)", async () => {
      const a = await t.adminOf();
      await t.postJson("/api/v1/organization/members", { email: "m2@example.com", password: "member passphrase 2" }, t.bearer(a.token));
      const m = await t.login("m2@example.com", "member passphrase 2");
      const add = await t.postJson("/api/v1/organization/members", { email: "m3@example.com", password: "member passphrase 3" }, t.bearer(m));
      expect(add.status).toBe(403);
      for (const path of ["/api/v1/security/dashboard", "/api/v1/security/audit-logs"]) {
        const res = await t.get(path, t.bearer(m));
        expect(res.status).toBe(403);
        expect(((await res.json()) as Json).error.code).toBe("forbidden");
      }
    });
  });

  describe("security", () => {
    it("the dashboard reports real counts from the database", async () => {
      const a = await t.adminOf();
      await t.postJson("/api/v1/auth/login", { email: a.email, password: "bad bad bad bad" });
      t.clock.advance(1000);
      await t.postJson("/api/v1/api-keys", { name: "k", scopes: ["read"] }, t.bearer(a.token));
      const res = await t.get("/api/v1/security/dashboard", t.bearer(a.token));
      expect(res.status).toBe(200);
      const d = (await res.json()) as Json;
      expect(d).toMatchObject({ users: 1, activeSessions: 1, activeApiKeys: 1 });
      expect(d.last24h.failedLogins).toBe(1);
      expect(d.last24h.events).toMatchObject({ "auth.register": 1, "auth.login": 1, "auth.login_failed": 1, "api_key.created": 1 });
      expect(d.recentEvents[0].eventType).toBe("api_key.created");
      // The head of the organisation's chain is the newest event: what an admin records outside.
      expect(d.chainHead).toEqual({ seq: d.recentEvents[0].seq, hash: d.recentEvents[0].hash });
      expect(d.last24h.rejectedCredentials).toBe(0);
    });

    it("audit logs filter by event type", async () => {
      const a = await t.adminOf();
      const res = await t.get("/api/v1/security/audit-logs?eventType=auth.register", t.bearer(a.token));
      const body = (await res.json()) as Json;
      expect(body.total).toBe(1);
      expect(body.items[0]).toMatchObject({ eventType: "auth.register", userId: a.userId });
    });
  });

  describe("API keys", () => {
    async function keyWith(token: string, scopes: string[]) {
      const res = await t.postJson("/api/v1/api-keys", { name: `key ${scopes.join("+")}`, scopes }, t.bearer(token));
      expect(res.status).toBe(201);
      return (await res.json()) as Json;
    }

    it("is shown once and stored only as a hash", async () => {
      const a = await t.adminOf();
      const created = await keyWith(a.token, ["read"]);
      expect(created.key).toMatch(/^dmk_[a-z2-7]{32}$/);
      expect(created.prefix).toBe(created.key.slice(0, 10));
      const list = await (await t.get("/api/v1/api-keys", t.bearer(a.token))).text();
      expect(list).not.toContain(created.key);
      const { sql } = await import("drizzle-orm");
      const { queryRows } = await import("../../db/client.ts");
      const rows = await queryRows<{ key_hash: string }>(t.testDb.db, sql`select key_hash from api_keys`);
      expect(rows.map((r) => r.key_hash)).not.toContain(created.key);
    });

    it.each([
      // scopes, GET migrations, POST migration, GET security dashboard
      [["read"], 200, 403, 403],
      [["write"], 403, 201, 403],
      [["read", "write"], 200, 201, 403],
      [["read", "admin"], 200, 403, 200],
      [["read", "write", "admin"], 200, 201, 200],
    ])("scopes %j: list %i, create %i, security %i", async (scopes, list, create, security) => {
      const a = await t.adminOf();
      const { key } = await keyWith(a.token, scopes);
      expect((await t.get("/api/v1/migrations", t.bearer(key))).status).toBe(list);
      expect((await t.postJson("/api/v1/migrations", { name: "x", target: "postgres" }, t.bearer(key))).status).toBe(create);
      expect((await t.get("/api/v1/security/dashboard", t.bearer(key))).status).toBe(security);
    });

    it("records last use", async () => {
      const a = await t.adminOf();
      const { id, key } = await keyWith(a.token, ["read"]);
      t.clock.advance(5000);
      const usedAt = t.clock.now().toISOString();
      await t.get("/api/v1/migrations", t.bearer(key));
      const list = (await (await t.get("/api/v1/api-keys", t.bearer(a.token))).json()) as Json;
      expect(list.items.find((k: Json) => k.id === id).lastUsedAt).toBe(usedAt);
    });

    it("stops working when revoked", async () => {
      const a = await t.adminOf();
      const { id, key } = await keyWith(a.token, ["read"]);
      expect((await t.get("/api/v1/migrations", t.bearer(key))).status).toBe(200);
      const res = await t.app.request(`/api/v1/api-keys/${id}`, { method: "DELETE", headers: t.bearer(a.token) });
      expect(res.status).toBe(204);
      // A fresh minute: refusals are recorded one by one up to a per-minute budget (spray guard).
      t.clock.advance(60_000);
      expect((await t.get("/api/v1/migrations", t.bearer(key))).status).toBe(401);
      const list = (await (await t.get("/api/v1/api-keys", t.bearer(a.token))).json()) as Json;
      expect(list.items.find((k: Json) => k.id === id).revokedAt).not.toBeNull();
      // The refused key is an authentication event of the organisation it belonged to.
      const d = (await (await t.get("/api/v1/security/dashboard", t.bearer(a.token))).json()) as Json;
      expect(d.last24h.rejectedCredentials).toBe(1);
    });

    it("a member cannot mint an admin key, and keys cannot mint keys", async () => {
      const a = await t.adminOf();
      await t.postJson("/api/v1/organization/members", { email: "keys.member@example.com", password: "member passphrase 4" }, t.bearer(a.token));
      const m = await t.login("keys.member@example.com", "member passphrase 4");
      const res = await t.postJson("/api/v1/api-keys", { name: "x", scopes: ["admin"] }, t.bearer(m));
      expect(res.status).toBe(403);
      const { key } = await keyWith(a.token, ["read", "write", "admin"]);
      expect((await t.postJson("/api/v1/api-keys", { name: "y", scopes: ["read"] }, t.bearer(key))).status).toBe(403);
    });

    it("cannot log out (it is revoked instead)", async () => {
      const a = await t.adminOf();
      const { key } = await keyWith(a.token, ["read", "write"]);
      const res = await t.app.request("/api/v1/auth/logout", { method: "POST", headers: t.bearer(key) });
      expect(res.status).toBe(403);
    });
  });

  describe("bad input", () => {
    it.each([
      ["missing fields", {}, { email: expect.any(Array), password: expect.any(Array), organizationName: expect.any(Array) }],
      ["an unknown field", { email: "u@example.com", password: TEST_PASSWORD, organizationName: "O", role: "admin" }, { role: ["unknown field"] }],
      ["a bad e-mail", { email: "not-an-email", password: TEST_PASSWORD, organizationName: "O" }, { email: ["expected an e-mail address"] }],
      ["a short password", { email: "s@example.com", password: "short", organizationName: "O" }, { password: ["at least 12 characters"] }],
      ["an overlong organisation name", { email: "l@example.com", password: TEST_PASSWORD, organizationName: "x".repeat(101) }, { organizationName: ["at most 100 characters"] }],
      ["a wrong type", { email: "w@example.com", password: 12345678901234, organizationName: "O" }, { password: ["expected a password"] }],
    ])("register with %s: 400 naming the fields, nothing written", async (_label, body, fields) => {
      const { sql } = await import("drizzle-orm");
      const { queryRows } = await import("../../db/client.ts");
      const count = async () => (await queryRows<{ n: number }>(t.testDb.db, sql`select count(*)::int as n from organizations`))[0]!.n;
      const before = await count();
      const res = await t.postJson("/api/v1/auth/register", body);
      expect(res.status).toBe(400);
      const err = ((await res.json()) as Json).error;
      expect(err.code).toBe("validation_failed");
      expect(err.fields).toEqual(fields);
      expect(await count()).toBe(before);
    });

    it.each([
      ["an unknown field", { name: "x", target: "postgres", status: "done" }, { status: ["unknown field"] }],
      ["an unknown target", { name: "x", target: "oracle" }, { target: ["expected one of postgres, sqlserver"] }],
      ["an empty name", { name: "   ", target: "postgres" }, { name: ["required"] }],
      ["an overlong name", { name: "n".repeat(201), target: "postgres" }, { name: ["at most 200 characters"] }],
      ["an array body", [1, 2], { "(body)": expect.any(Array) }],
      ["a null body", null, { "(body)": expect.any(Array) }],
      ["a NUL character (Postgres text cannot hold one)", { name: "a\u0000b", target: "postgres" }, { name: ["must not contain NUL characters"] }],
    ])("POST /migrations with %s: 400", async (_label, body, fields) => {
      const a = await t.adminOf();
      const res = await t.postJson("/api/v1/migrations", body, t.bearer(a.token));
      expect(res.status).toBe(400);
      expect(((await res.json()) as Json).error).toMatchObject({ code: "validation_failed", fields });
    });

    it.each([
      ["malformed JSON", 400, "malformed_json", "application/json", '{"name": "x",'],
      ["an empty body", 400, "malformed_json", "application/json", ""],
      ["a form body", 415, "unsupported_media_type", "application/x-www-form-urlencoded", "name=x&target=postgres"],
      ["text", 415, "unsupported_media_type", "text/plain", '{"name":"x","target":"postgres"}'],
    ])("POST /migrations with %s: %i %s", async (_label, status, code, type, body) => {
      const a = await t.adminOf();
      const res = await t.app.request("/api/v1/migrations", { method: "POST", headers: { ...t.bearer(a.token), "Content-Type": type }, body });
      expect(res.status).toBe(status);
      const err = ((await res.json()) as Json).error;
      expect(err.code).toBe(code);
      expect(err.message).not.toMatch(/at .*\.ts:\d+/); // no stack trace
    });

    it("an oversized body is 413 before anything is parsed", async () => {
      const a = await t.adminOf();
      const res = await t.postJson("/api/v1/migrations", { name: "x".repeat(20_000), target: "postgres" }, t.bearer(a.token));
      expect(res.status).toBe(413);
      expect(((await res.json()) as Json).error.code).toBe("payload_too_large");
      const login = await t.postJson("/api/v1/auth/login", { email: "a@example.com", password: "p".repeat(5000) });
      expect(login.status).toBe(413);
    });

    it("an unknown API route is a JSON 404 (or 401 when anonymous)", async () => {
      const a = await t.adminOf();
      const res = await t.get("/api/v1/nothing-here", t.bearer(a.token));
      expect(res.status).toBe(404);
      expect(((await res.json()) as Json).error.code).toBe("not_found");
      expect((await t.get("/api/v1/nothing-here")).status).toBe(401);
    });

    it.each(["PUT", "DELETE", "PATCH"])("an unsupported method on an API route (%s) is a JSON 404, not the HTML app's", async (method) => {
      const a = await t.adminOf();
      const res = await t.app.request("/api/v1/migrations", { method, headers: t.bearer(a.token) });
      expect(res.status).toBe(404);
      expect(((await res.json()) as Json).error.code).toBe("not_found");
    });

    it("every response carries a request id", async () => {
      const res = await t.get("/api/v1/migrations");
      expect(res.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
    });
  });

  describe("logs", () => {
    it("never contain passwords, tokens or API keys, and every request line has its request id", async () => {
      const a = await t.adminOf();
      const key = (await (await t.postJson("/api/v1/api-keys", { name: "log", scopes: ["read"] }, t.bearer(a.token))).json()) as Json;
      await t.get("/api/v1/migrations", t.bearer(key.key));
      const res = await t.get("/api/v1/migrations?limit=1", t.bearer(a.token));
      const logs = t.logs();
      expect(logs).not.toContain(TEST_PASSWORD);
      expect(logs).not.toContain(a.token);
      expect(logs).not.toContain(key.key);
      const lines = logs.trim().split("\n").map((l) => JSON.parse(l) as Json);
      const requests = lines.filter((l) => l.msg === "request");
      expect(requests.length).toBeGreaterThan(3);
      expect(requests.every((l) => typeof l.reqId === "string" && l.reqId.length > 0)).toBe(true);
      expect(requests.some((l) => l.reqId === res.headers.get("x-request-id"))).toBe(true);
    });
  });
});

describe("API rate limit", () => {
  const t = withTestApp({ rateLimits: { auth: { max: 3, windowMs: 60_000 } } });

  it("answers 429 with Retry-After past the limit, and recovers after the window", async () => {
    const attempt = () => t.postJson("/api/v1/auth/login", { email: "x@example.com", password: "whatever whatever" });
    for (let i = 0; i < 3; i++) expect((await attempt()).status).toBe(401);
    const limited = await attempt();
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(((await limited.json()) as Json).error.code).toBe("rate_limited");
    // A sliding window: allowed again once Retry-After has passed, not at the next fixed boundary.
    t.clock.advance(Number(limited.headers.get("retry-after")) * 1000);
    expect((await attempt()).status).toBe(401);
  });
});
