// Page render times (server side, app.request, no socket) with 50 migrations × 500 objects in the
// database: dashboard, migration page, object view, lineage (warm: layout cached; cold: first
// drawing of a migration), report. Target: p95 < 50 ms.
//   TEST_DATABASE_URL=postgres://postgres@127.0.0.1:5432/test npx tsx bench/pages.ts [iterations]
// Without TEST_DATABASE_URL it runs on the embedded PGlite (slower; not the target configuration).
import { eq } from "drizzle-orm";
import { createApp } from "../server/app.ts";
import { testConfig } from "../server/config.ts";
import { createMigration } from "../server/db/queries/migrations.ts";
import { migrationEvents, migrationFiles, migrationModels, migrations } from "../server/db/schema/migrations.ts";
import { EVIDENCE_GRADES } from "../server/db/schema/migrations.ts";
import { createLogger } from "../server/log.ts";
import { createTestDb } from "../test/support/db.ts";

const MIGRATIONS = 50;
const OBJECTS = 500;
const N = Number(process.argv[2] ?? 100);

const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))]!;
const fmt = (x: number) => x.toFixed(1);

// A warehouse-shaped project: every fifth object is a table whose staging model reads a source;
// views join two staging models, and one view in ten builds on an earlier view (depth ≤ 3).
function objectSql(i: number): { source: string; generated: string } {
  const cols = Array.from({ length: 8 }, (_, k) => `    c.Col${k} AS Col${k}`).join(",\n");
  const source = `CREATE VIEW dbo.vObject${i}\nAS\nSELECT\n${cols},\n    ISNULL(o.Amount, 0) AS Amount\nFROM dbo.Customer${i % 40} AS c\nLEFT JOIN dbo.Orders AS o ON o.CustomerID = c.CustomerID\nWHERE c.Active = 1;\n`;
  const from =
    i % 5 === 0
      ? `{{ source('dbo', 'table_${i}') }} as c\nleft join {{ source('dbo', 'orders') }} as o on o.customerid = c.customerid`
      : `{{ ref('object_${5 * (i % 20)}') }} as c\nleft join {{ ref('${i % 10 === 1 && i > 20 ? `object_${i - 10}` : `object_${5 * ((i + 7) % 20)}`}') }} as o on o.customerid = c.customerid`;
  const generated = `select\n${cols.toLowerCase()},\n    coalesce(o.amount, 0) as amount\nfrom ${from}\nwhere c.active = 1\n`;
  return { source, generated };
}

async function main() {
  const testDb = await createTestDb();
  const db = testDb.handle.db;
  const config = testConfig();
  const app = createApp({ config, database: testDb.handle, logger: createLogger("silent"), rateLimits: { auth: { max: 1e9, windowMs: 60_000 }, api: { max: 1e9, windowMs: 60_000 } } });
  const email = `bench-pages-${Date.now()}@example.com`;
  const password = "correct horse battery staple";
  const reg = await app.request("/api/v1/auth/register", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ email, password, organizationName: "Bench" }) });
  const { organization, user } = (await reg.json()) as { organization: { id: string }; user: { id: string } };
  const login = await app.request("/login", { method: "POST", headers: { "Content-Type": "application/x-www-form-urlencoded", Origin: config.publicOrigin }, body: new URLSearchParams({ email, password }) });
  const cookie = login.headers.getSetCookie()[0]!.split(";")[0]!;

  const t0 = performance.now();
  const ids: string[] = [];
  const objectIds: string[] = [];
  for (let mi = 0; mi < MIGRATIONS; mi++) {
    const m = await createMigration(db, organization.id, { userId: user.id, name: `Warehouse ${mi}`, config: { target: "postgres" } });
    ids.push(m.id);
    await db.update(migrations).set({ status: "completed", startedAt: new Date(Date.now() - 90_000), finishedAt: new Date(), stages: ["assess", "plan", "execute", "test", "rebuild", "optimize"].map((name) => ({ name, status: "completed" as const })) }).where(eq(migrations.id, m.id));
    const rows = Array.from({ length: OBJECTS }, (_, i) => {
      const { source, generated } = objectSql(i);
      return {
        migrationId: m.id,
        orgId: organization.id,
        sourceSchema: "dbo",
        sourceName: `vObject${i}`,
        sourceKind: i % 5 === 0 ? "table" : i % 11 === 0 ? "scalar_function" : "view",
        sourceSql: source,
        generatedSql: generated,
        status: i % 9 === 0 ? "needs_review" : "converted",
        evidenceGrade: EVIDENCE_GRADES[i % EVIDENCE_GRADES.length]!,
        modelPath: `models/dbo/object_${i}.sql`,
        tier: ["SIMPLE", "MEDIUM", "COMPLEX", "CRITICAL"][i % 4]!,
        riskFactors: i % 3 === 0 ? ["dynamic_sql", "cursor"] : [],
        diagnostics: [
          { code: "TR2001", severity: "warning", message: "ISNULL typed by its first argument", file: `dbo/vObject${i}.sql`, line: 12 },
          { code: "CAT1002", severity: "warning", message: "dbo.Orders is not defined by any input", file: `dbo/vObject${i}.sql`, line: 14 },
        ],
        validation: { rows: 60, tests: [{ name: `unique_object_${i}_col0`, status: i % 13 === 0 ? "fail" : "pass", failures: i % 13 === 0 ? 1 : 0, sample: i % 13 === 0 ? [{ col0: 1, n: 2 }] : [] }] },
      };
    });
    for (let k = 0; k < rows.length; k += 250) {
      const inserted = await db.insert(migrationModels).values(rows.slice(k, k + 250)).returning({ id: migrationModels.id });
      if (mi === 0 && k === 0) objectIds.push(...inserted.map((r) => r.id));
    }
    const files = rows.map((r, i) => ({ migrationId: m.id, orgId: organization.id, path: r.modelPath, content: objectSql(i).generated }));
    files.push({ migrationId: m.id, orgId: organization.id, path: "models/dbo/schema.yml", content: `version: 2\nmodels:\n${rows.map((_, i) => `  - name: object_${i}\n    columns:\n      - name: col0\n        data_tests: [unique]\n`).join("")}` });
    files.push({ migrationId: m.id, orgId: organization.id, path: "dbt_project.yml", content: "name: warehouse\n" });
    for (let k = 0; k < files.length; k += 500) await db.insert(migrationFiles).values(files.slice(k, k + 500));
    await db.insert(migrationEvents).values(Array.from({ length: 30 }, (_, i) => ({ migrationId: m.id, orgId: organization.id, stage: "test", object: `dbo.vObject${i}`, message: "validated" })));
  }
  // As autovacuum would after a bulk load: the planner needs row counts to pick the per-migration index.
  await testDb.handle.ping();
  if (testDb.url) {
    const { default: postgres } = await import("postgres");
    const sql = postgres(testDb.url, { max: 1, onnotice: () => {} });
    await sql.unsafe("analyze");
    await sql.end();
  }
  const seedMs = performance.now() - t0;

  const headers = { Cookie: cookie };
  // Wall time, and this process's CPU time (what the page costs the server, whatever the machine's load).
  let lastCpu = 0;
  const get = async (url: string, extra: Record<string, string> = {}) => {
    const t = performance.now();
    const c0 = process.cpuUsage();
    const res = await app.request(url, { headers: { ...headers, ...extra } });
    await res.text();
    const c = process.cpuUsage(c0);
    lastCpu = (c.user + c.system) / 1000;
    if (res.status !== 200) throw new Error(`${url}: ${res.status}`);
    return performance.now() - t;
  };
  const measure = async (label: string, url: (i: number) => string, extra: Record<string, string> = {}) => {
    for (let i = 0; i < 10; i++) await get(url(i), extra); // warm-up
    const xs: number[] = [];
    const cpu: number[] = [];
    for (let i = 0; i < N; i++) {
      xs.push(await get(url(i), extra));
      cpu.push(lastCpu);
    }
    return { label, p50: pct(xs, 50), p95: pct(xs, 95), max: Math.max(...xs), cpu50: pct(cpu, 50), cpu95: pct(cpu, 95) };
  };

  // Cold lineage: the first drawing of each migration (500 models and their sources laid out).
  const cold: number[] = [];
  const coldCpu: number[] = [];
  for (const id of ids.slice(1, 11)) {
    cold.push(await get(`/migrations/${id}/lineage`));
    coldCpu.push(lastCpu);
  }

  const results = [
    await measure("dashboard (page 1 of 3, counts per migration)", () => "/dashboard"),
    await measure("dashboard search (?q=Warehouse 4)", () => "/dashboard?q=Warehouse%204"),
    await measure("migration page (500 objects, first 100 listed)", (i) => `/migrations/${ids[i % ids.length]}`),
    await measure("migration page, htmx poll fragment", (i) => `/migrations/${ids[i % ids.length]}`, { "HX-Request": "true" }),
    await measure("object view (side by side, YAML, validation)", (i) => `/migrations/${ids[0]}/objects/${objectIds[i % objectIds.length]}`),
    await measure("lineage (warm: layout cached)", (i) => `/migrations/${ids[1 + (i % 10)]}/lineage`),
    await measure("assessment report (500 objects, charts)", (i) => `/migrations/${ids[i % ids.length]}/report`),
  ];
  const { loadavg } = await import("node:os");
  console.log(`load average during the run: ${loadavg().map((x) => x.toFixed(1)).join(" ")} (2 cores)`);
  console.log(`seed: ${MIGRATIONS} migrations × ${OBJECTS} objects (+ ${OBJECTS + 2} files each) in ${(seedMs / 1000).toFixed(1)} s on ${testDb.url ? "Postgres" : "PGlite"}; ${N} requests per page`);
  console.log("| page | p50 ms | p95 ms | max ms | server CPU p50 / p95 ms |");
  console.log("|---|---|---|---|---|");
  for (const r of results) console.log(`| ${r.label} | ${fmt(r.p50)} | ${fmt(r.p95)} | ${fmt(r.max)} | ${fmt(r.cpu50)} / ${fmt(r.cpu95)} |`);
  console.log(`| lineage cold (first drawing, 10 migrations) | ${fmt(pct(cold, 50))} | ${fmt(pct(cold, 95))} | ${fmt(Math.max(...cold))} | ${fmt(pct(coldCpu, 50))} / ${fmt(pct(coldCpu, 95))} |`);
  await testDb.dispose();
}

await main();
