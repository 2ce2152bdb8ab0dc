// Migration runs through the API (issue 7, "Speed"):
//  1. POST /api/v1/migrations latency with 50 concurrent clients over real HTTP (startServer, API key
//     auth, rate limits raised for the bench organisation): JSON {name, target} and a small
//     multipart upload, with this process's worker off (MIGRATION_WORKERS=0) and on (default 2).
//     Target: p95 under 30 ms.
//  2. AdventureWorks OLTP uploaded through the API with no model reachable: time from POST to
//     status completed (GET polling). Target: under 30 s. Needs DATAMIGRATE_CORPUS.
//
//   TEST_DATABASE_URL=postgres://postgres@127.0.0.1:5432/test DATAMIGRATE_CORPUS=/work/corpus \
//     npx tsx bench/migrations-post.ts [--clients 50] [--requests 20] [--orgs 1] [--workers 0,2] [--skip-post] [--skip-run]
// --orgs N spreads the clients over N organisations (one API key each): the audit chain and the
// rate-limit counters are per organisation, so one busy organisation serialises on them.
// Without TEST_DATABASE_URL the server uses an embedded PGlite in a temp folder.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { Writable } from "node:stream";
import { tmpdir } from "node:os";
import path from "node:path";
import { testConfig } from "../server/config.ts";
import { updatePolicy } from "../server/guardian/policies.ts";
import { createLogger } from "../server/log.ts";
import { startServer, type RunningServer } from "../server/web/server.ts";
import { CORPUS_DATABASES } from "../test/convert/corpus.ts";
import { createTestDb, type TestDb } from "../test/support/db.ts";

const args = process.argv.slice(2);
const opt = (name: string, fallback: number) => {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const CLIENTS = opt("--clients", 50);
const REQUESTS = opt("--requests", 20);
const ORGS = opt("--orgs", 1);
const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))]!;
const fmt = (x: number) => x.toFixed(1);

interface Session {
  server: RunningServer;
  /** Handler times (the server's own request log, ms) of POST /api/v1/migrations since the last take. */
  takeServerTimes(): number[];
  testDb: TestDb | undefined;
  dataDir: string;
  /** One API key per organisation; client i uses key i mod n. */
  keys: string[];
  orgIds: string[];
  close(): Promise<void>;
}

async function boot(workers: number): Promise<Session> {
  process.env.MIGRATION_WORKERS = String(workers);
  const dataDir = mkdtempSync(path.join(tmpdir(), "dm-bench-mig-"));
  const testDb = process.env.TEST_DATABASE_URL ? await createTestDb({ migrate: false }) : undefined;
  let serverTimes: number[] = [];
  const sink = new Writable({
    write(chunk, _enc, cb) {
      for (const line of String(chunk).split("\n")) {
        if (!line.includes('"msg":"request"') || !line.includes('"method":"POST"') || !line.includes('"path":"/api/v1/migrations"')) continue;
        const m = /"ms":(\d+)/.exec(line);
        if (m) serverTimes.push(Number(m[1]));
      }
      cb();
    },
  });
  const server = await startServer({ config: testConfig({ port: 0, dataDir, databaseUrl: testDb?.url, logLevel: "info" }), logger: createLogger("info", sink) });
  const json = { "Content-Type": "application/json" };
  const keys: string[] = [];
  const orgIds: string[] = [];
  for (let o = 0; o < ORGS; o++) {
    const email = `bench-${o}-${Date.now()}@example.com`;
    const password = "correct horse battery staple";
    const reg = (await (await fetch(`${server.url}/api/v1/auth/register`, { method: "POST", headers: json, body: JSON.stringify({ email, password, organizationName: `Bench ${o}` }) })).json()) as {
      user: { id: string };
      organization: { id: string };
    };
    const { token } = (await (await fetch(`${server.url}/api/v1/auth/login`, { method: "POST", headers: json, body: JSON.stringify({ email, password }) })).json()) as { token: string };
    const created = (await (
      await fetch(`${server.url}/api/v1/api-keys`, { method: "POST", headers: { ...json, Authorization: `Bearer ${token}` }, body: JSON.stringify({ name: "bench", scopes: ["read", "write"] }) })
    ).json()) as { key: string };
    // The bench measures latency, not the rate limiter's refusals.
    await updatePolicy(server.database.db, { orgId: reg.organization.id, userId: reg.user.id, ip: null, at: new Date() }, { rateLimitPerApiKey: 1_000_000, rateLimitPerUser: 1_000_000, rateLimitPerOrg: 1_000_000 });
    keys.push(created.key);
    orgIds.push(reg.organization.id);
  }
  return {
    server,
    takeServerTimes: () => {
      const t = serverTimes;
      serverTimes = [];
      return t;
    },
    testDb,
    dataDir,
    keys,
    orgIds,
    close: async () => {
      await server.close();
      await testDb?.dispose();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

async function load(s: Session, label: string, make: (i: number) => RequestInit): Promise<void> {
  const url = `${s.server.url}/api/v1/migrations`;
  const authOf = (client: number) => ({ Authorization: `Bearer ${s.keys[client % s.keys.length]}` });
  // Warm-up: connections, prepared statements, JIT.
  await Promise.all(Array.from({ length: CLIENTS }, (_, i) => fetch(url, { ...make(i), headers: { ...authOf(i), ...(make(i).headers as Record<string, string>) } }).then((r) => r.arrayBuffer())));
  s.takeServerTimes();
  const times: number[] = [];
  let errors = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: CLIENTS }, async (_, c) => {
      for (let r = 0; r < REQUESTS; r++) {
        const init = make(c * REQUESTS + r);
        const start = performance.now();
        const res = await fetch(url, { ...init, headers: { ...authOf(c), ...(init.headers as Record<string, string>) } });
        await res.arrayBuffer();
        times.push(performance.now() - start);
        if (res.status !== 201) errors++;
      }
    }),
  );
  const wall = (performance.now() - t0) / 1000;
  const st = s.takeServerTimes();
  console.log(
    `| ${label} | ${s.server.database.kind} | ${CLIENTS} / ${s.keys.length} | ${times.length} | ${fmt(pct(times, 50))} | ${fmt(pct(times, 95))} | ${fmt(pct(times, 99))} | ${fmt(Math.max(...times))} | ${pct(st, 50)} / ${pct(st, 95)} | ${Math.round(times.length / wall)} | ${errors} |`,
  );
}

const SMALL_SQL = "CREATE TABLE dbo.T (Id INT NOT NULL PRIMARY KEY, Name NVARCHAR(50));\nGO\n";
function uploadInit(i: number): RequestInit {
  const fd = new FormData();
  fd.append("name", `upload ${i}`);
  fd.append("target", "postgres");
  fd.append("files", new Blob([SMALL_SQL]), "schema.sql");
  return { method: "POST", body: fd, headers: {} };
}
const jsonInit = (i: number): RequestInit => ({ method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ name: `m ${i}`, target: "postgres" }) });

if (!args.includes("--skip-post")) {
  console.log("| request | database | clients / orgs | requests | p50 ms | p95 ms | p99 ms | max ms | server handler p50 / p95 ms | req/s | non-201 |");
  console.log("|---|---|---|---|---|---|---|---|---|---|---|");
  const i = args.indexOf("--workers");
  for (const workers of (i >= 0 ? args[i + 1]! : "0,2").split(",").map(Number)) {
    const s = await boot(workers);
    try {
      await load(s, `JSON {name,target}, workers=${workers}`, jsonInit);
      await load(s, `multipart, 1 small .sql, workers=${workers}`, uploadInit);
    } finally {
      await s.close();
    }
  }
}

const corpus = process.env.DATAMIGRATE_CORPUS;
if (!args.includes("--skip-run")) {
  if (!corpus) {
    console.log("DATAMIGRATE_CORPUS is not set: skipping the AdventureWorks run (the corpus is not part of the repository)");
  } else {
    // No model endpoint configured: the run must complete on the deterministic path.
    delete process.env.OLLAMA_URL;
    delete process.env.OPENAI_COMPAT_URL;
    const s = await boot(2);
    try {
      const file = path.join(corpus, CORPUS_DATABASES["adventureworks-oltp"]![0]!);
      const content = readFileSync(file);
      const fd = new FormData();
      fd.append("name", "AdventureWorks OLTP");
      fd.append("target", "postgres");
      fd.append("files", new Blob([content]), "instawdb.sql");
      const auth = { Authorization: `Bearer ${s.keys[0]}` };
      const t0 = performance.now();
      const res = await fetch(`${s.server.url}/api/v1/migrations`, { method: "POST", headers: auth, body: fd });
      const post = performance.now() - t0;
      const { id, status } = (await res.json()) as { id: string; status: string };
      let detail: { status: string; error: string | null; counts: { objects: number; byStatus: Record<string, number>; byEvidence: Record<string, number> }; startedAt: string | null };
      let queuedFor = 0;
      for (;;) {
        detail = (await (await fetch(`${s.server.url}/api/v1/migrations/${id}`, { headers: auth })).json()) as typeof detail;
        if (detail.status !== "queued" && !queuedFor) queuedFor = performance.now() - t0;
        if (["completed", "failed", "cancelled"].includes(detail.status)) break;
        await new Promise((r) => setTimeout(r, 100));
      }
      const total = (performance.now() - t0) / 1000;
      console.log(`AdventureWorks OLTP (${(content.length / 1024 / 1024).toFixed(1)} MiB, ${s.server.database.kind}): POST ${res.status} ${status} in ${fmt(post)} ms; running after ${fmt(queuedFor)} ms; ${detail.status} after ${total.toFixed(1)} s${detail.error ? ` (${detail.error})` : ""}`);
      console.log(`  objects ${detail.counts.objects}; status ${JSON.stringify(detail.counts.byStatus)}; evidence ${JSON.stringify(detail.counts.byEvidence)}`);
    } finally {
      await s.close();
    }
  }
}
