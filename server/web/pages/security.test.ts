// The admin security page: dashboard with a server-drawn SVG chart, audit log, exports, erasure.
import { describe, expect, it } from "vitest";
import { withTestApp } from "../../../test/support/app.ts";
import { recordAudit } from "../../db/queries/audit.ts";
import { verifyChain } from "../../guardian/audit/verify.ts";

const t = withTestApp();

function page(path: string, token: string, headers: Record<string, string> = {}) {
  const cookie = `${t.config.cookieSecure ? "__Host-session" : "session"}=${token}`;
  return t.app.request(path, { headers: { Cookie: cookie, ...headers } });
}

function post(path: string, token: string, fields: Record<string, string>) {
  const cookie = `${t.config.cookieSecure ? "__Host-session" : "session"}=${token}`;
  return t.app.request(path, {
    method: "POST",
    headers: { Cookie: cookie, Origin: t.config.publicOrigin, "Content-Type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams(fields),
  });
}

describe("/settings/security", () => {
  it("renders the dashboard for an admin: SVG chart, rules, users, events; escapes logged input; no inline style or script", async () => {
    const a = await t.adminOf("Page Org");
    await recordAudit(t.testDb.db, {
      orgId: a.orgId,
      userId: a.userId,
      eventType: "guardian.blocked",
      details: { rules: ["pi.ignore_previous"], note: "<script>alert(1)</script>" },
      at: t.clock.now(),
    });
    const res = await page("/settings/security", a.token);
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain('<svg class="chart"');
    expect(html).toMatch(/<rect class="chart-bar status-unsupported" x="[\d.]+" y="[\d.]+"/);
    expect(html).toContain("pi.ignore_previous");
    expect(html).toContain(a.email);
    expect(html).not.toContain("<script>alert(1)");
    expect(html).toContain("&lt;script&gt;alert(1)&lt;/script&gt;");
    expect(html).not.toMatch(/\sstyle=/);
    expect(html.match(/<script/g)?.length ?? 0).toBe((await (await page("/settings/members", a.token)).text()).match(/<script/g)?.length ?? 0);
    // htmx asks for the fragment only.
    const fragment = await (await page("/settings/security?type=guardian.*", a.token, { "HX-Request": "true" })).text();
    expect(fragment.startsWith('<section id="security">')).toBe(true);
  });

  it("is forbidden to members", async () => {
    const a = await t.adminOf();
    await t.postJson("/api/v1/organization/members", { email: `pm-${a.orgId}@example.com`, password: "member passphrase 5" }, t.bearer(a.token));
    const m = await t.login(`pm-${a.orgId}@example.com`, "member passphrase 5");
    expect((await page("/settings/security", m)).status).toBe(403);
    expect((await page("/settings/security/audit-log?format=csv", m)).status).toBe(403);
    expect((await page("/settings/security/export", m)).status).toBe(403);
  });

  it("exports the audit log as CSV and the organisation as zip from the page", async () => {
    const a = await t.adminOf();
    const csv = await page("/settings/security/audit-log?format=csv&type=auth.*", a.token);
    expect(csv.status).toBe(200);
    expect(csv.headers.get("content-type")).toMatch(/^text\/csv/);
    expect((await csv.text()).split("\r\n").filter(Boolean)).toHaveLength(3); // header, register, login
    const zip = await page("/settings/security/export?format=zip", a.token);
    expect(zip.headers.get("content-type")).toBe("application/zip");
  });

  it("erases the organisation's work after confirmation by name", async () => {
    const a = await t.adminOf("Erase From Page");
    const wrong = await post("/settings/security/erase", a.token, { scope: "data", confirm: "wrong" });
    expect(wrong.status).toBe(422);
    expect(await wrong.text()).toContain("does not match");
    const ok = await post("/settings/security/erase", a.token, { scope: "data", confirm: "Erase From Page" });
    expect(ok.status).toBe(200);
    expect(await ok.text()).toContain("Erased");
    expect((await verifyChain(t.testDb.db, a.orgId)).ok).toBe(true);
  });
});
