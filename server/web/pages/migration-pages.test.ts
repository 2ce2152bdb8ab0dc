// The migration pages through app.request(): data inserted directly (as a run would leave it),
// pages and fragments compared, tenancy checked by URL, downloads unpacked.
import { unzipSync, strFromU8 } from "fflate";
import { eq, sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { TEST_PASSWORD, withTestApp, type TestApp } from "../../../test/support/app.ts";
import { createMigration } from "../../db/queries/migrations.ts";
import { migrationEvents, migrationFiles, migrationModels, migrationObjectRuns, migrations } from "../../db/schema/migrations.ts";

const SOURCE_VIEW = ["CREATE VIEW Sales.vTotals AS", "SELECT c.Id, SUM(o.Amount) AS Total", "FROM Sales.Customer c JOIN Sales.[Order] o ON o.CustomerId = c.Id", "GROUP BY c.Id"].join("\n");
const MODEL_SQL = ["select c.id, sum(o.amount) as total", "from {{ ref('customer') }} c", "join {{ ref('order') }} o on o.customer_id = c.id", "group by c.id"].join("\n");
const SCHEMA_YML = `version: 2
models:
  - name: v_totals
    description: totals per customer
    columns:
      - name: id
        data_tests: [unique, not_null]
  - name: customer
    columns:
      - name: id
`;

function cookieFrom(res: Response, name: string): string | undefined {
  for (const line of res.headers.getSetCookie()) {
    const [pair] = line.split(";");
    const [k, v] = pair!.split("=");
    if (k === name) return v;
  }
  return undefined;
}

function pages(t: TestApp) {
  const cookieName = t.config.cookieSecure ? "__Host-session" : "session";
  const withCookie = (cookie?: string): Record<string, string> => (cookie ? { Cookie: `${cookieName}=${cookie}` } : {});
  return {
    async signIn(email: string): Promise<string> {
      const res = await t.app.request("/login", {
        method: "POST",
        headers: { "Content-Type": "application/x-www-form-urlencoded", Origin: t.config.publicOrigin },
        body: new URLSearchParams({ email, password: TEST_PASSWORD }),
      });
      expect(res.status).toBe(303);
      return cookieFrom(res, cookieName)!;
    },
    get: (path: string, cookie: string, headers: Record<string, string> = {}) => t.app.request(path, { headers: { ...withCookie(cookie), ...headers } }),
    post: (path: string, cookie: string, body: FormData | URLSearchParams, headers: Record<string, string> = {}) =>
      t.app.request(path, { method: "POST", headers: { Origin: t.config.publicOrigin, ...withCookie(cookie), ...headers }, body }),
  };
}

/** A completed migration with three objects, a project and events, as the run leaves it. */
async function seedMigration(t: TestApp, orgId: string, userId: string, name = "Sales warehouse") {
  const db = t.testDb.db;
  const m = await createMigration(db, orgId, { userId, name, config: { target: "postgres" } });
  await db
    .update(migrations)
    .set({
      status: "completed",
      startedAt: new Date(Date.now() - 65_000),
      finishedAt: new Date(),
      stages: ["assess", "plan", "execute", "test", "rebuild", "optimize"].map((s) => ({ name: s, status: "completed" as const })),
    })
    .where(eq(migrations.id, m.id));
  const rows = await db
    .insert(migrationModels)
    .values([
      {
        migrationId: m.id,
        orgId,
        sourceSchema: "Sales",
        sourceName: "vTotals",
        sourceKind: "view",
        sourceSql: SOURCE_VIEW,
        generatedSql: MODEL_SQL,
        status: "needs_review",
        evidenceGrade: "tests_passed",
        modelPath: "models/sales/v_totals.sql",
        tier: "MEDIUM",
        riskFactors: ["aggregation"],
        diagnostics: [
          { code: "TR2001", severity: "warning", message: "SUM over money keeps numeric(19,4)", file: "Sales/Views/vTotals.sql", line: 2 },
          { code: "VAL2001", severity: "error", message: "relation order has no column customer_id", file: "models/sales/v_totals.sql", line: 3 },
          { code: "CAT1002", severity: "warning", message: "Sales.Region is not defined by any input", file: "Sales/Views/vTotals.sql", line: 3 },
        ],
        validation: {
          rows: 12,
          tests: [
            { name: "unique_v_totals_id", column: "id", status: "fail", failures: 2, sample: [{ id: 7, n: 2 }] },
            { name: "not_null_v_totals_id", status: "pass", failures: 0 },
          ],
          parity: { equal: false, rowCount: { left: 12, right: 11 }, differences: [{ kind: "missing", key: { id: 9 }, row: { id: 9, total: "10.0000" } }] },
        },
      },
      {
        migrationId: m.id,
        orgId,
        sourceSchema: "Sales",
        sourceName: "Customer",
        sourceKind: "table",
        status: "converted",
        evidenceGrade: "verified_equal",
        modelPath: "models/sales/customer.sql",
        tier: "SIMPLE",
        generatedSql: "select * from {{ source('sales', 'customer') }}",
        // The shape the run writes (server/agents/validation.ts).
        validation: {
          models: [
            {
              name: "customer",
              path: "models/sales/customer.sql",
              status: "failed",
              rows: null,
              evidence: "failed",
              tests: { passed: 1, failed: 1 },
              error: { code: "VAL2003", message: "column region does not exist", line: 2 },
              failingTests: [{ name: "not_null_customer_id", failures: 3, error: null, sample: [{ id: null, name: "Ann" }] }],
            },
          ],
        },
      },
      { migrationId: m.id, orgId, sourceSchema: "Sales", sourceName: "Order", sourceKind: "table", status: "converted", evidenceGrade: "failed", modelPath: "models/sales/order.sql", tier: "SIMPLE" },
    ])
    .returning();
  await db.insert(migrationFiles).values([
    { migrationId: m.id, orgId, path: "dbt_project.yml", content: "name: sales\nversion: '1.0.0'\n" },
    { migrationId: m.id, orgId, path: "models/sales/v_totals.sql", content: MODEL_SQL },
    { migrationId: m.id, orgId, path: "models/sales/customer.sql", content: "select * from {{ source('sales', 'customer') }}" },
    { migrationId: m.id, orgId, path: "models/sales/order.sql", content: "select * from {{ source('sales', 'order') }}" },
    { migrationId: m.id, orgId, path: "models/sales/schema.yml", content: SCHEMA_YML },
  ]);
  await db.insert(migrationEvents).values({ migrationId: m.id, orgId, stage: "test", object: "Sales.vTotals", message: "2 tests, 1 failed" });
  const byName = Object.fromEntries(rows.map((r) => [r.sourceName, r.id]));
  return { id: m.id, objects: byName as Record<"vTotals" | "Customer" | "Order", string> };
}

/** The element with that id, from its opening tag to the matching close (same tag name). */
function section(html: string, id: string): string {
  const open = new RegExp(`<(\\w+)[^>]*\\bid="${id}"`).exec(html);
  if (!open) throw new Error(`no #${id}`);
  const tag = open[1]!;
  let depth = 0;
  const re = new RegExp(`<${tag}\\b|</${tag}>`, "g");
  re.lastIndex = open.index;
  for (let m = re.exec(html); m; m = re.exec(html)) {
    depth += m[0].startsWith("</") ? -1 : 1;
    if (depth === 0) return html.slice(open.index, m.index + m[0].length);
  }
  throw new Error(`unclosed #${id}`);
}

describe("migration pages", () => {
  const t = withTestApp();
  const p = () => pages(t);

  async function orgWithMigration() {
    const a = await t.adminOf();
    const cookie = await p().signIn(a.email);
    const m = await seedMigration(t, a.orgId, a.userId);
    return { a, cookie, m };
  }

  it("the dashboard shows status, object counts and the evidence summary; search and paging work", async () => {
    const { a, cookie } = await orgWithMigration();
    for (let i = 0; i < 21; i++) await createMigration(t.testDb.db, a.orgId, { userId: a.userId, name: `bulk ${i}`, config: { target: "postgres" } });
    const first = await (await p().get("/dashboard", cookie)).text();
    expect(first).toContain("22 migrations");
    expect(first).toContain("Page 1 of 2");
    const page2 = await (await p().get("/dashboard?page=2", cookie)).text();
    expect(page2).toContain("Sales warehouse");
    expect(page2).toMatch(/<td class="num">3<\/td>/);
    expect(page2).toContain("1 verified equal");
    expect(page2).toContain("1 tests passed");
    const found = await (await p().get("/dashboard?q=warehouse", cookie)).text();
    expect(found).toContain("Sales warehouse");
    expect(found).not.toContain("bulk 3");
    const none = await (await p().get("/dashboard?q=nothing%25like", cookie)).text();
    expect(none).toContain("No migration matches");
  });

  it.each([
    ["migration", (id: string) => `/migrations/${id}`],
    ["migration-report", (id: string) => `/migrations/${id}/report`],
    ["migration-lineage", (id: string) => `/migrations/${id}/lineage`],
    ["migration-downloads", (id: string) => `/migrations/${id}/downloads`],
  ])("%s: the full page and the htmx fragment agree", async (name, url) => {
    const { cookie, m } = await orgWithMigration();
    const full = await (await p().get(url(m.id), cookie)).text();
    const fragment = await (await p().get(url(m.id), cookie, { "HX-Request": "true" })).text();
    expect(full).toContain("<!doctype html>");
    expect(fragment).not.toContain("<html");
    expect(section(full, name).replace(/\s+/g, " ")).toBe(fragment.trim().replace(/\s+/g, " "));
  });

  it("the migration page lists stages and objects; a live run polls, a finished one does not", async () => {
    const { cookie, m } = await orgWithMigration();
    const done = await (await p().get(`/migrations/${m.id}`, cookie)).text();
    expect(done).toContain("Sales.vTotals");
    expect(done).toContain(`/migrations/${m.id}/objects/${m.objects.vTotals}`);
    expect(done).toContain("2 tests, 1 failed");
    expect(done).not.toContain('hx-trigger="every 1s"');
    expect(done).not.toContain("Cancel run");
    await t.testDb.db.update(migrations).set({ status: "running" }).where(eq(migrations.id, m.id));
    const live = await (await p().get(`/migrations/${m.id}?grade=failed`, cookie)).text();
    expect(live).toContain('hx-trigger="every 1s"');
    expect(live).toContain(`hx-get="/migrations/${m.id}?grade=failed"`);
    expect(live).toContain("Cancel run");
    // The grade filter keeps only the failed object.
    expect(section(live, "object-table")).toContain("Sales.Order");
    expect(section(live, "object-table")).not.toContain("Sales.vTotals");
  });

  it("the object view shows source and generated SQL side by side with diagnostics at their lines, the YAML and the validation", async () => {
    const { cookie, m } = await orgWithMigration();
    const res = await p().get(`/migrations/${m.id}/objects/${m.objects.vTotals}`, cookie);
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain('class="side-by-side"');
    // Line numbers and the marked lines of each pane.
    expect(html).toMatch(/<tr id="src-L2" class="marked sev-warning"><td class="ln">2<\/td><td class="src">SELECT c.Id, SUM\(o.Amount\) AS Total<\/td>/);
    expect(html).toMatch(/<tr id="gen-L3" class="marked sev-error"><td class="ln">3<\/td>/);
    expect(html).toContain('href="#gen-L3"');
    expect(html).toContain("relation order has no column customer_id");
    // The YAML entry of this model only.
    expect(html).toContain("description: totals per customer");
    expect(html).not.toMatch(/name: customer\n/);
    // Validation: failing rows, parity, grade.
    expect(html).toContain("Failing rows (sample)");
    expect(html).toContain("Differs from the source: 12 rows in the source, 11 in the model");
    expect(html).toContain("Tests passed");
    const customer = await (await p().get(`/migrations/${m.id}/objects/${m.objects.Customer}`, cookie)).text();
    expect(customer).toContain("VAL2003: column region does not exist (model line 2)");
    expect(customer).toContain("not_null_customer_id");
    expect(customer).toMatch(/<th scope="col">name<\/th>/);
    expect(customer).toContain("<code>Ann</code>");
    const fragment = await (await p().get(`/migrations/${m.id}/objects/${m.objects.vTotals}`, cookie, { "HX-Request": "true" })).text();
    expect(section(html, "migration-object").replace(/\s+/g, " ")).toBe(fragment.trim().replace(/\s+/g, " "));
  });

  it("the re-run buttons are enabled on a finished run and post to the object's re-run endpoint; the queued re-run shows, polls, and blocks a second one (409)", async () => {
    const { a, cookie, m } = await orgWithMigration();
    const action = `/migrations/${m.id}/objects/${m.objects.vTotals}/rerun`;
    const html = section(await (await p().get(`/migrations/${m.id}/objects/${m.objects.vTotals}`, cookie)).text(), "rerun");
    expect(html).toContain(`<form method="post" action="${action}" hx-post="${action}" hx-target="#migration-object"`);
    for (const [kind, label] of [["translate", "Translation"], ["validate", "Validation"], ["rebuild", "Rebuild"]])
      expect(html).toContain(`<button type="submit" name="kind" value="${kind}" class="secondary">${label}</button>`);
    expect(html).not.toContain("disabled");
    expect(html).toContain("Rebuild: both.");

    // The button's post (as htmx sends it): queued, audited, and the page follows it.
    const res = await p().post(action, cookie, new URLSearchParams({ kind: "validate" }), { "HX-Request": "true" });
    expect(res.status).toBe(204);
    expect(res.headers.get("HX-Redirect")).toBe(`/migrations/${m.id}/objects/${m.objects.vTotals}`);
    const [run] = await t.testDb.db.select().from(migrationObjectRuns).where(eq(migrationObjectRuns.migrationId, m.id));
    expect(run).toMatchObject({ kind: "validate", status: "queued", requestedBy: a.userId, modelId: m.objects.vTotals });
    const audit = await t.testDb.db.execute(sql`select details from audit_logs where org_id = ${a.orgId} and event_type = 'migration.object_rerun_requested'`);
    expect((Array.isArray(audit) ? audit : (audit as { rows: unknown[] }).rows).map((r) => (r as { details: { rerunId: string } }).details.rerunId)).toEqual([run!.id]);
    const after = await (await p().get(`/migrations/${m.id}/objects/${m.objects.vTotals}`, cookie)).text();
    expect(after).toContain(`<section id="migration-object" hx-get="/migrations/${m.id}/objects/${m.objects.vTotals}" hx-trigger="every 1s"`);
    expect(section(after, "rerun")).toContain("Re-run of the validation: <span class=\"badge status-queued\">queued</span>");
    expect(section(after, "rerun")).toMatch(/<button type="submit" name="kind" value="translate" class="secondary" disabled aria-describedby="rerun-why"/);
    // Another object of the same migration: disabled, saying which re-run is in the way; it polls too, to get its buttons back.
    const other = await (await p().get(`/migrations/${m.id}/objects/${m.objects.Customer}`, cookie)).text();
    expect(other).toContain("A re-run of Sales.vTotals (validation) is queued; one re-run at a time per migration.");
    expect(other).toContain(`<section id="migration-object" hx-get="/migrations/${m.id}/objects/${m.objects.Customer}" hx-trigger="every 1s"`);
    // A second post anyway (a stale page): 409 with the reason in the swapped fragment; nothing written.
    const again = await p().post(`/migrations/${m.id}/objects/${m.objects.Customer}/rerun`, cookie, new URLSearchParams({ kind: "translate" }), { "HX-Request": "true" });
    expect(again.status).toBe(409);
    expect(await again.text()).toContain("Not started: a re-run of Sales.vTotals (validation) is queued for this migration");
    expect(await t.testDb.db.select().from(migrationObjectRuns).where(eq(migrationObjectRuns.migrationId, m.id))).toHaveLength(1);

    // Ended: the history shows before and after; the buttons are back.
    await t.testDb.db
      .update(migrationObjectRuns)
      .set({ status: "completed", before: { status: "needs_review", evidenceGrade: "failed", errors: 1, warnings: 1, modelPath: null, generatedSqlHash: "a" }, after: { status: "needs_review", evidenceGrade: "tests_passed", errors: 0, warnings: 1, modelPath: null, generatedSqlHash: "a" } })
      .where(eq(migrationObjectRuns.id, run!.id));
    const done = section(await (await p().get(`/migrations/${m.id}/objects/${m.objects.vTotals}`, cookie)).text(), "migration-object");
    expect(done).not.toContain('hx-trigger="every 1s"');
    expect(done).toContain("<td>needs review, failed, 1 error</td><td>needs review, tests passed, 0 errors</td>");
    expect(section(done, "rerun")).not.toContain("disabled");
  });

  it("re-run buttons are disabled while the run is live, and a post is refused with 409; a bad kind is 400; another organisation's object is 404", async () => {
    const { cookie, m } = await orgWithMigration();
    await t.testDb.db.update(migrations).set({ status: "running" }).where(eq(migrations.id, m.id));
    const html = section(await (await p().get(`/migrations/${m.id}/objects/${m.objects.vTotals}`, cookie)).text(), "rerun");
    expect(html).toMatch(/<button type="submit" name="kind" value="rebuild" class="secondary" disabled aria-describedby="rerun-why" title="The migration&#39;s run is running: an object can be re-run once the run has ended.">Rebuild<\/button>/);
    const res = await p().post(`/migrations/${m.id}/objects/${m.objects.vTotals}/rerun`, cookie, new URLSearchParams({ kind: "rebuild" }));
    expect(res.status).toBe(409);
    expect(await res.text()).toContain("Not started: the migration&#39;s run is running");
    await t.testDb.db.update(migrations).set({ status: "completed" }).where(eq(migrations.id, m.id));
    expect((await p().post(`/migrations/${m.id}/objects/${m.objects.vTotals}/rerun`, cookie, new URLSearchParams({ kind: "all" }))).status).toBe(400);
    const b = await t.adminOf();
    const bCookie = await p().signIn(b.email);
    expect((await p().post(`/migrations/${m.id}/objects/${m.objects.vTotals}/rerun`, bCookie, new URLSearchParams({ kind: "translate" }))).status).toBe(404);
    expect(await t.testDb.db.select().from(migrationObjectRuns).where(eq(migrationObjectRuns.migrationId, m.id))).toHaveLength(0);
  });

  it("a run that used a model: every button is enabled, and the help says that rebuild asks the rebuild agent again", async () => {
    const { cookie, m } = await orgWithMigration();
    await t.testDb.db.update(migrations).set({ report: { summary: { objects: 3 }, objects: [], agents: { modelCalls: 2 } } }).where(eq(migrations.id, m.id));
    const html = section(await (await p().get(`/migrations/${m.id}/objects/${m.objects.vTotals}`, cookie)).text(), "rerun");
    for (const [kind, label] of [["translate", "Translation"], ["validate", "Validation"], ["rebuild", "Rebuild"]])
      expect(html).toContain(`<button type="submit" name="kind" value="${kind}" class="secondary">${label}</button>`);
    expect(html).toContain("the rebuild agent is asked again as in the run (its SQL is kept only when it passes validation)");
    const res = await p().post(`/migrations/${m.id}/objects/${m.objects.vTotals}/rerun`, cookie, new URLSearchParams({ kind: "rebuild" }));
    expect(res.status).toBe(303);
    expect(await t.testDb.db.select({ kind: migrationObjectRuns.kind }).from(migrationObjectRuns).where(eq(migrationObjectRuns.migrationId, m.id))).toEqual([{ kind: "rebuild" }]);
  });

  it("source marks use the object's first line in its file: diagnostics land on the right text line, numbered as in the file", async () => {
    const { cookie, m } = await orgWithMigration();
    const file = "Sales/Views/vTotals.sql";
    // The view starts on line 40 of its script; the warning is on file line 41 (the SELECT).
    await t.testDb.db
      .update(migrationModels)
      .set({
        sourceFile: file,
        sourceLine: 40,
        diagnostics: [
          { code: "TR2001", severity: "warning", message: "SUM over money keeps numeric(19,4)", file, line: 41 },
          { code: "CAT1009", severity: "error", message: "something in another script", file: "Sales/Other.sql", line: 42 },
        ],
      })
      .where(eq(migrationModels.id, m.objects.vTotals));
    const html = section(await (await p().get(`/migrations/${m.id}/objects/${m.objects.vTotals}`, cookie)).text(), "migration-object");
    expect(html).toMatch(/<tr id="src-L41" class="marked sev-warning"><td class="ln">41<\/td><td class="src">SELECT c.Id, SUM\(o.Amount\) AS Total<\/td>/);
    expect(html).toMatch(/<tr id="src-L40"><td class="ln">40<\/td><td class="src">CREATE VIEW Sales.vTotals AS<\/td>/);
    expect(html).toContain('href="#src-L41"');
    // Another file's line 42 is not this text's third line.
    expect(html).toMatch(/<tr id="src-L42"><td class="ln">42<\/td>/);
    expect(html).not.toContain('href="#src-L42"');
    // Rows of runs that did not store the line: the report's line of the object is used.
    await t.testDb.db.update(migrationModels).set({ sourceFile: null, sourceLine: null }).where(eq(migrationModels.id, m.objects.vTotals));
    await t.testDb.db
      .update(migrations)
      .set({ report: { summary: { objects: 1 }, objects: [{ schema: "Sales", name: "vTotals", kind: "view", file, line: 40, status: "needs_review", model: null, complexity: 1, diagnostics: [] }] } })
      .where(eq(migrations.id, m.id));
    const old = section(await (await p().get(`/migrations/${m.id}/objects/${m.objects.vTotals}`, cookie)).text(), "migration-object");
    expect(old).toMatch(/<tr id="src-L41" class="marked sev-warning"><td class="ln">41<\/td><td class="src">SELECT c.Id/);
  });

  it("the report counts kinds, tiers and grades with SVG charts, lists unresolved references and diagnostics per code", async () => {
    const { cookie, m } = await orgWithMigration();
    const html = await (await p().get(`/migrations/${m.id}/report`, cookie)).text();
    expect(html).toContain('aria-label="Objects per kind: table: 2, view: 1"');
    expect(html).toContain('aria-label="Complexity tiers: SIMPLE: 2, MEDIUM: 1"');
    expect(html).toContain("Sales.Region is not defined by any input");
    expect(html).toMatch(/<code>VAL2001<\/code>/);
    // One object of three has an error.
    expect(html).toContain("66.7%");
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)/);
    expect(html).not.toContain('style="');
  });

  it("the lineage draws the dbt DAG with dagre: models coloured by grade and linked, sources as nodes", async () => {
    const { cookie, m } = await orgWithMigration();
    const html = await (await p().get(`/migrations/${m.id}/lineage`, cookie)).text();
    const svg = section(html, "migration-lineage");
    expect(svg).toContain('<svg class="lineage"');
    expect(svg).toContain("4 edges");
    expect(svg).toContain(`<a href="/migrations/${m.id}/objects/${m.objects.vTotals}"`);
    expect(svg).toContain('class="node grade-tests_passed"');
    expect(svg).toContain('class="node grade-failed"');
    expect(svg).toContain('class="node node-source"');
    expect(svg).toContain("sales.customer");
  });

  it("downloads: the project zip holds the files under one folder; the report comes as HTML, JSON and CSV", async () => {
    const { a, cookie, m } = await orgWithMigration();
    const zip = await p().get(`/migrations/${m.id}/download/project.zip`, cookie);
    expect(zip.status).toBe(200);
    expect(zip.headers.get("content-type")).toBe("application/zip");
    expect(zip.headers.get("content-disposition")).toBe('attachment; filename="Sales_warehouse-dbt.zip"');
    const entries = unzipSync(new Uint8Array(await zip.arrayBuffer()));
    expect(Object.keys(entries).sort()).toEqual([
      "Sales_warehouse/dbt_project.yml",
      "Sales_warehouse/models/sales/customer.sql",
      "Sales_warehouse/models/sales/order.sql",
      "Sales_warehouse/models/sales/schema.yml",
      "Sales_warehouse/models/sales/v_totals.sql",
    ]);
    expect(strFromU8(entries["Sales_warehouse/models/sales/v_totals.sql"]!)).toBe(MODEL_SQL);
    const json = (await (await p().get(`/migrations/${m.id}/download/report.json`, cookie)).json()) as { summary: { objects: number; unsupported: number } };
    expect(json.summary).toMatchObject({ objects: 3, unsupported: 1 });
    const csv = await (await p().get(`/migrations/${m.id}/download/report.csv`, cookie)).text();
    expect(csv.split("\r\n")[0]).toContain("evidence");
    expect(csv).toContain("VAL2001");
    const report = await (await p().get(`/migrations/${m.id}/download/report.html`, cookie)).text();
    expect(report).toContain("Sales warehouse: conversion report");
    // The same through the API with a bearer token.
    const api = await t.get(`/api/v1/migrations/${m.id}/project.zip`, t.bearer(a.token));
    expect(api.status).toBe(200);
    expect(Object.keys(unzipSync(new Uint8Array(await api.arrayBuffer())))).toHaveLength(5);
    // A migration without files says so.
    const empty = await createMigration(t.testDb.db, a.orgId, { userId: a.userId, name: "empty", config: { target: "postgres" } });
    const none = await p().get(`/migrations/${empty.id}/download/project.zip`, cookie);
    expect(none.status).toBe(404);
    expect(await none.text()).toContain("has not produced a dbt project yet");
  });

  it("another organisation's migration, objects and downloads are 404 by URL, and it cannot cancel", async () => {
    const { m } = await orgWithMigration();
    const other = await t.adminOf();
    const cookie = await p().signIn(other.email);
    for (const url of [
      `/migrations/${m.id}`,
      `/migrations/${m.id}/report`,
      `/migrations/${m.id}/lineage`,
      `/migrations/${m.id}/downloads`,
      `/migrations/${m.id}/objects/${m.objects.vTotals}`,
      `/migrations/${m.id}/download/project.zip`,
      `/migrations/${m.id}/download/report.json`,
    ]) {
      const res = await p().get(url, cookie);
      expect(res.status, url).toBe(404);
      const body = await res.text();
      expect(body, url).not.toContain("Sales warehouse");
      expect(body, url).not.toContain("vTotals");
    }
    expect((await t.get(`/api/v1/migrations/${m.id}/project.zip`, t.bearer(other.token))).status).toBe(404);
    const cancel = await p().post(`/migrations/${m.id}/cancel`, cookie, new URLSearchParams());
    expect(cancel.status).toBe(404);
    // An object id of one migration under another migration's URL is not found either.
    const mine = await seedMigration(t, other.orgId, other.userId, "Other");
    expect((await p().get(`/migrations/${mine.id}/objects/${m.objects.vTotals}`, cookie)).status).toBe(404);
  });

  it("new migration: an upload starts a queued migration with its files; bad input re-renders the form with the reason", async () => {
    const a = await t.adminOf();
    const cookie = await p().signIn(a.email);
    const page = await (await p().get("/migrations/new", cookie)).text();
    expect(page).toContain('enctype="multipart/form-data"');
    expect(page).toContain("Test connection");

    const form = new FormData();
    form.set("name", "Uploaded db");
    form.set("target", "postgres");
    form.set("sourceType", "upload");
    form.set("validate", "on");
    form.set("rows", "50");
    form.append("files", new File(["CREATE TABLE dbo.T (id int NOT NULL PRIMARY KEY);\n"], "schema.sql"));
    const res = await p().post("/migrations", cookie, form);
    expect(res.status).toBe(303);
    const location = res.headers.get("location")!;
    expect(location).toMatch(/^\/migrations\/[0-9a-f-]{36}$/);
    const id = location.split("/").pop()!;
    const [row] = await t.testDb.db.select().from(migrations).where(eq(migrations.id, id));
    expect(row).toMatchObject({ name: "Uploaded db", orgId: a.orgId });
    expect(row!.config).toMatchObject({ target: "postgres", options: { validate: true, rows: 50 } });
    const migrationPage = await (await p().get(location, cookie)).text();
    expect(migrationPage).toContain("schema.sql");

    const noFiles = new FormData();
    noFiles.set("name", "x");
    noFiles.set("target", "postgres");
    const r2 = await p().post("/migrations", cookie, noFiles);
    expect(r2.status).toBe(422);
    expect(await r2.text()).toContain("choose at least one .sql, .zip or .dacpac file");

    const wrong = new FormData();
    wrong.set("name", "x");
    wrong.set("target", "postgres");
    wrong.append("files", new File(["%PDF"], "notes.pdf"));
    const r3 = await p().post("/migrations", cookie, wrong);
    expect(r3.status).toBe(422);
    expect(await r3.text()).toContain("not a .sql, .zip or .dacpac file: notes.pdf");

    const fakeZip = new FormData();
    fakeZip.set("name", "x");
    fakeZip.set("target", "postgres");
    fakeZip.append("files", new File(["not a zip"], "project.zip"));
    const r4 = await p().post("/migrations", cookie, fakeZip);
    expect(r4.status).toBe(422);
    expect(await r4.text()).toContain("is not a zip archive");
  });

  it("new migration from a SQL Server connection stores the source (host, port, database, user, TLS flags)", async () => {
    const a = await t.adminOf();
    const cookie = await p().signIn(a.email);
    const body = new URLSearchParams({ name: "Live db", target: "postgres", sourceType: "connection", host: "sql.intranet", port: "14330", database: "Shop", user: "reader", encrypt: "on", validate: "on" });
    const res = await p().post("/migrations", cookie, body, { "Content-Type": "application/x-www-form-urlencoded" });
    expect(res.status).toBe(303);
    const id = res.headers.get("location")!.split("/").pop()!;
    const [row] = await t.testDb.db.select().from(migrations).where(eq(migrations.id, id));
    expect(row!.config.source).toMatchObject({ host: "sql.intranet", port: 14330, database: "Shop", user: "reader", encrypt: true, trustServerCertificate: false });
    const missing = await p().post("/migrations", cookie, new URLSearchParams({ name: "x", target: "postgres", sourceType: "connection", host: "sql.intranet" }), { "Content-Type": "application/x-www-form-urlencoded" });
    expect(missing.status).toBe(422);
    expect(await missing.text()).toContain("Complete the SQL Server connection");
  });

  it("test connection answers a clear error for a server that is not reachable", async () => {
    const a = await t.adminOf();
    const cookie = await p().signIn(a.email);
    const body = new URLSearchParams({ host: "127.0.0.1", port: "1", database: "Shop", user: "reader", password: "secret-pass" });
    const res = await p().post("/migrations/test-connection", cookie, body, { "Content-Type": "application/x-www-form-urlencoded", "HX-Request": "true" });
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain('id="connection-result"');
    expect(html).toContain("127.0.0.1:1 is not reachable");
    expect(html).not.toContain("secret-pass");
    const missing = await p().post("/migrations/test-connection", cookie, new URLSearchParams({ host: "" }), { "Content-Type": "application/x-www-form-urlencoded" });
    expect(missing.status).toBe(422);
    expect(await missing.text()).toContain("Fill in host");
  });

  it("cancel stops a queued migration", async () => {
    const a = await t.adminOf();
    const cookie = await p().signIn(a.email);
    const m = await createMigration(t.testDb.db, a.orgId, { userId: a.userId, name: "to cancel", config: { target: "postgres" } });
    const res = await p().post(`/migrations/${m.id}/cancel`, cookie, new URLSearchParams());
    expect(res.status).toBe(303);
    const [row] = await t.testDb.db.select().from(migrations).where(eq(migrations.id, m.id));
    expect(row!.status).toBe("cancelled");
    expect(await (await p().get(`/migrations/${m.id}`, cookie)).text()).toContain("Cancelled.");
  });

  it("serves its own script and stylesheet, and pages carry no inline script or style", async () => {
    const js = await t.get("/static/app.js");
    expect(js.status).toBe(200);
    expect(js.headers.get("content-type")).toContain("javascript");
    const { cookie, m } = await orgWithMigration();
    for (const url of ["/dashboard", "/migrations/new", `/migrations/${m.id}`, `/migrations/${m.id}/objects/${m.objects.vTotals}`, `/migrations/${m.id}/lineage`]) {
      const html = await (await p().get(url, cookie)).text();
      expect(html, url).not.toMatch(/<script(?![^>]*\bsrc=)/);
      expect(html, url).not.toContain('style="');
      expect(html, url).not.toMatch(/https?:\/\/(?!www\.w3\.org\/2000\/svg)/);
    }
  });
});
