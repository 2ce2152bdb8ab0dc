// Foundation server costs: database open + migrate, argon2id, and request latency through the
// app (app.request, no socket) on the embedded PGlite and, with TEST_DATABASE_URL, on Postgres.
//   npx tsx bench/server.ts            (TEST_DATABASE_URL=postgres://... to add the Postgres row)
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { createApp } from "../server/app.ts";
import { hashPassword, verifyPassword } from "../server/auth/password.ts";
import { testConfig } from "../server/config.ts";
import { openDatabase, type DatabaseHandle } from "../server/db/client.ts";
import { migrateDatabase } from "../server/db/migrate.ts";
import { createLogger } from "../server/log.ts";
import { createTestDb } from "../test/support/db.ts";

const ms = (t0: number) => performance.now() - t0;
const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))]!;
const fmt = (x: number) => x.toFixed(1);

async function timeIt(n: number, f: () => unknown): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    await f();
    out.push(ms(t0));
  }
  return out;
}

async function requests(label: string, database: DatabaseHandle) {
  const app = createApp({
    config: testConfig(),
    database,
    logger: createLogger("silent"),
    rateLimits: { auth: { max: 1e9, windowMs: 60_000 }, api: { max: 1e9, windowMs: 60_000 } },
  });
  const json = { "Content-Type": "application/json" };
  const post = (p: string, body: unknown, headers: Record<string, string> = {}) =>
    app.request(p, { method: "POST", headers: { ...json, ...headers }, body: JSON.stringify(body) });
  const email = `bench-${Date.now()}@example.com`;
  const password = "correct horse battery staple";
  await post("/api/v1/auth/register", { email, password, organizationName: "Bench" });
  const login = await timeIt(10, () => post("/api/v1/auth/login", { email, password }));
  const { token } = (await (await post("/api/v1/auth/login", { email, password })).json()) as { token: string };
  const auth = { Authorization: `Bearer ${token}` };
  const create = await timeIt(200, () => post("/api/v1/migrations", { name: "m", target: "postgres" }, auth));
  const list = await timeIt(200, () => app.request("/api/v1/migrations?limit=20", { headers: auth }));
  const page = await timeIt(100, () => app.request("/dashboard", { headers: { Cookie: `session=${token}` } }));
  console.log(
    `| ${label} | ${fmt(pct(login, 50))} / ${fmt(pct(login, 95))} | ${fmt(pct(create, 50))} / ${fmt(pct(create, 95))} | ${fmt(pct(list, 50))} / ${fmt(pct(list, 95))} | ${fmt(pct(page, 50))} / ${fmt(pct(page, 95))} |`,
  );
}

const hashes = await timeIt(10, () => hashPassword("correct horse battery staple"));
const h = await hashPassword("correct horse battery staple");
const verifies = await timeIt(10, () => verifyPassword(h, "correct horse battery staple"));
console.log(`argon2id (19 MiB, t=2, p=1): hash p50 ${fmt(pct(hashes, 50))} ms, verify p50 ${fmt(pct(verifies, 50))} ms`);

const dir = mkdtempSync(path.join(tmpdir(), "dm-bench-"));
try {
  let t0 = performance.now();
  let db = await openDatabase({ kind: "pglite", dataDir: path.join(dir, "pglite") });
  const open1 = ms(t0);
  t0 = performance.now();
  await migrateDatabase(db);
  const migrate1 = ms(t0);
  await db.close();
  t0 = performance.now();
  db = await openDatabase({ kind: "pglite", dataDir: path.join(dir, "pglite") });
  const open2 = ms(t0);
  t0 = performance.now();
  await migrateDatabase(db);
  const migrate2 = ms(t0);
  console.log(
    `PGlite on disk: first open ${fmt(open1)} ms + migrate ${fmt(migrate1)} ms; reopen ${fmt(open2)} ms + migrate (no-op) ${fmt(migrate2)} ms`,
  );
  console.log("\n| database | login p50 / p95 ms | POST /migrations | GET /migrations | GET /dashboard (HTML) |\n|---|---|---|---|---|");
  await requests("PGlite (disk)", db);
  await db.close();
  if (process.env.TEST_DATABASE_URL) {
    const pg = await createTestDb();
    try {
      await requests("Postgres 15 (loopback)", pg.handle);
    } finally {
      await pg.dispose();
    }
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
