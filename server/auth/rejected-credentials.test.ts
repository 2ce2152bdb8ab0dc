// Refused bearer credentials are audited (auth.token_rejected): reason, fingerprint, address, the
// organisation when the credential names one; a spray is coalesced into per-minute summaries.
import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { withTestApp } from "../../test/support/app.ts";
import { queryRows } from "../db/client.ts";
import { verifyAuditLog } from "../guardian/audit/verify.ts";
import { PER_ADDRESS_PER_MINUTE, PER_MINUTE } from "../guardian/audit/rejected-credentials.ts";
import { credentialFingerprint, generateSessionToken, hashToken } from "./tokens.ts";

const t = withTestApp({ config: { trustProxy: true } });

interface Row {
  org_id: string | null;
  user_id: string | null;
  event_type: string;
  details: Record<string, unknown>;
  ip: string | null;
  personal: Record<string, unknown> | null;
}

async function rejected(fingerprint: string): Promise<Row[]> {
  return queryRows<Row>(
    t.testDb.db,
    sql`select org_id, user_id, event_type, details, ip, personal from audit_logs
        where event_type = 'auth.token_rejected' and details->>'fingerprint' = ${fingerprint} order by created_at, seq`,
  );
}

/** Starts the next clock minute, so that the per-minute limits start from zero. */
function nextMinute(): void {
  const now = t.clock.now().getTime();
  t.clock.set(new Date((Math.floor(now / 60_000) + 1) * 60_000 + 1_000));
}

const from = (ip: string, auth: string) => ({ Authorization: auth, "X-Forwarded-For": ip });

describe("refused bearer credentials are audited", () => {
  it("an unknown session token: 401, recorded in the chain without organisation, never the token", async () => {
    nextMinute();
    const token = generateSessionToken();
    const res = await t.get("/api/v1/migrations", from("203.0.113.7", `Bearer ${token}`));
    expect(res.status).toBe(401);
    const rows = await rejected(credentialFingerprint(token));
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      org_id: null,
      user_id: null,
      ip: "203.0.113.7",
      details: { outcome: "failure", reason: "unknown", credential: "session", method: "GET", path: "/api/v1/migrations" },
    });
    const text = JSON.stringify(rows[0]);
    expect(text).not.toContain(token);
    expect(text).not.toContain(hashToken(token));
  });

  it("an unknown API key and a malformed header (scheme kept, value only fingerprinted)", async () => {
    nextMinute();
    const key = `dmk_${"q".repeat(32)}`;
    expect((await t.get("/api/v1/me", from("203.0.113.8", `Bearer ${key}`))).status).toBe(401);
    expect((await rejected(credentialFingerprint(key)))[0]).toMatchObject({ org_id: null, details: { reason: "unknown", credential: "api_key" } });

    const basic = Buffer.from("alice:hunter2").toString("base64");
    expect((await t.get("/api/v1/me", from("203.0.113.8", `Basic ${basic}`))).status).toBe(401);
    const [row] = await rejected(credentialFingerprint(basic));
    expect(row).toMatchObject({ org_id: null, details: { reason: "malformed", credential: "authorization_header", scheme: "Basic" } });
    expect(JSON.stringify(row)).not.toContain(basic);
  });

  it("an expired session and a revoked API key are recorded under their organisation and user", async () => {
    nextMinute();
    const admin = await t.adminOf("Rejected Org");
    const created = await t.postJson("/api/v1/api-keys", { name: "ci", scopes: ["read"] }, t.bearer(admin.token));
    expect(created.status).toBe(201);
    const { id: apiKeyId, key } = (await created.json()) as { id: string; key: string };
    const del = await t.app.request(`/api/v1/api-keys/${apiKeyId}`, { method: "DELETE", headers: t.bearer(admin.token) });
    expect(del.status).toBe(204);
    expect((await t.get("/api/v1/me", from("198.51.100.4", `Bearer ${key}`))).status).toBe(401);
    expect(await rejected(credentialFingerprint(key))).toMatchObject([
      { org_id: admin.orgId, user_id: admin.userId, ip: "198.51.100.4", details: { reason: "revoked", credential: "api_key", apiKeyId } },
    ]);

    t.clock.advance(t.config.session.absoluteMs + 1);
    expect((await t.get("/api/v1/me", from("198.51.100.4", `Bearer ${admin.token}`))).status).toBe(401);
    expect(await rejected(credentialFingerprint(admin.token))).toMatchObject([
      { org_id: admin.orgId, user_id: admin.userId, details: { reason: "expired", credential: "session" } },
    ]);
    // Afterwards the session is gone: the same token is unknown.
    expect((await t.get("/api/v1/me", from("198.51.100.4", `Bearer ${admin.token}`))).status).toBe(401);
    const both = await rejected(credentialFingerprint(admin.token));
    expect(both).toHaveLength(2);
    expect(both.find((r) => r.org_id === null)).toMatchObject({ user_id: null, details: { reason: "unknown" } });
  });

  it("a spray is coalesced: a few rows per address and minute, a bounded number per minute, the rest in one summary", async () => {
    nextMinute();
    const db = t.testDb.db;
    const [before] = await queryRows<{ n: number }>(db, sql`select count(*)::int as n from audit_logs`);
    // One address, 3 × the per-address limit.
    const one = Array.from({ length: PER_ADDRESS_PER_MINUTE * 3 }, () => generateSessionToken());
    for (const tok of one) expect((await t.get("/api/v1/me", from("192.0.2.1", `Bearer ${tok}`))).status).toBe(401);
    // Many addresses, one try each: more than the per-minute limit.
    const many = Array.from({ length: PER_MINUTE + 20 }, (_, i) => ({ ip: `10.9.${i >> 8}.${i & 255}`, tok: generateSessionToken() }));
    await Promise.all(many.map(({ ip, tok }) => t.get("/api/v1/me", from(ip, `Bearer ${tok}`))));
    const [during] = await queryRows<{ n: number }>(db, sql`select count(*)::int as n from audit_logs`);
    expect(during!.n - before!.n).toBe(PER_MINUTE);
    const recordedFromOne = (await Promise.all(one.map((tok) => rejected(credentialFingerprint(tok))))).flat();
    expect(recordedFromOne).toHaveLength(PER_ADDRESS_PER_MINUTE);

    // The next refusal after the minute writes the summary of what was only counted.
    t.clock.advance(60_000);
    await t.get("/api/v1/me", from("192.0.2.2", `Bearer ${generateSessionToken()}`));
    const summaries = await queryRows<Row>(
      db,
      sql`select org_id, user_id, event_type, details, ip, personal from audit_logs where event_type = 'auth.token_rejected_summary' order by seq desc limit 1`,
    );
    const counted = one.length + many.length - PER_MINUTE;
    expect(summaries[0]).toMatchObject({
      org_id: null,
      details: { outcome: "failure", count: counted, reasons: { unknown: counted }, limits: { perAddressPerMinute: PER_ADDRESS_PER_MINUTE, perMinute: PER_MINUTE } },
    });
    expect((summaries[0]!.personal!.topAddresses as { ip: string; count: number }[])[0]).toEqual({ ip: "192.0.2.1", count: PER_ADDRESS_PER_MINUTE * 2 });
    const [after] = await queryRows<{ n: number }>(db, sql`select count(*)::int as n from audit_logs`);
    expect(after!.n - during!.n).toBe(2); // the summary and the new minute's first refusal
    expect((await verifyAuditLog(db)).ok).toBe(true);
  });
});
