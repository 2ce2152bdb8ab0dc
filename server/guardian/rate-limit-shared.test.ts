// Two real server processes on one Postgres share one rate limit: the counters live in the
// database, not in either process. Needs TEST_DATABASE_URL (PGlite is single-process).
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDb, type TestDb } from "../../test/support/db.ts";
import { freePort } from "../../test/support/net.ts";

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const enabled = Boolean(process.env.TEST_DATABASE_URL);
if (!enabled) console.warn("rate-limit-shared.test.ts: skipped — set TEST_DATABASE_URL to run two server processes on one Postgres");

interface Server {
  url: string;
  child: ChildProcess;
}

async function startServer(databaseUrl: string, dataDir: string): Promise<Server> {
  const port = await freePort();
  const child = spawn(process.execPath, ["--import", "tsx", path.join(REPO, "server/main.ts")], {
    cwd: REPO,
    env: { ...process.env, DATABASE_URL: databaseUrl, PORT: String(port), HOST: "127.0.0.1", LOG_LEVEL: "info", DATA_DIR: dataDir, TRUST_PROXY: "false" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  return new Promise<Server>((resolve, reject) => {
    let out = "";
    let err = "";
    const timer = setTimeout(() => reject(new Error(`server did not start in 60 s:\n${out}\n${err}`)), 60_000);
    child.stdout!.on("data", (d: Buffer) => {
      out += d.toString();
      const m = /"url":"(http:\/\/127\.0\.0\.1:\d+)"[^\n]*datamigrate listening/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({ url: m[1]!, child });
      }
    });
    child.stderr!.on("data", (d: Buffer) => (err += d.toString()));
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code}:\n${out}\n${err}`));
    });
  });
}

async function stop(s: Server | undefined): Promise<void> {
  if (!s || s.child.exitCode !== null) return;
  const exited = new Promise((r) => s.child.once("exit", r));
  s.child.kill("SIGTERM");
  await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
  if (s.child.exitCode === null) s.child.kill("SIGKILL");
}

describe.skipIf(!enabled)("rate limit shared by two server processes (Postgres)", () => {
  let db: TestDb;
  let a: Server | undefined;
  let b: Server | undefined;
  let dataDir: string;

  beforeAll(async () => {
    db = await createTestDb();
    dataDir = mkdtempSync(path.join(tmpdir(), "dm-rl-"));
    [a, b] = await Promise.all([startServer(db.url!, path.join(dataDir, "a")), startServer(db.url!, path.join(dataDir, "b"))]);
  }, 120_000);

  afterAll(async () => {
    await Promise.all([stop(a), stop(b)]);
    await db?.dispose();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it("one user's requests alternating between the processes are limited once, not once per process", async () => {
    const json = (url: string, method: string, body?: unknown, token?: string) =>
      fetch(url, {
        method,
        headers: { ...(body ? { "Content-Type": "application/json" } : {}), ...(token ? { Authorization: `Bearer ${token}` } : {}) },
        body: body ? JSON.stringify(body) : undefined,
      });
    const email = `two-proc-${Date.now()}@example.com`;
    const password = "correct horse battery staple";
    expect((await json(`${a!.url}/api/v1/auth/register`, "POST", { email, password, organizationName: "Two processes" })).status).toBe(201);
    const login = await json(`${b!.url}/api/v1/auth/login`, "POST", { email, password });
    expect(login.status).toBe(200);
    const { token } = (await login.json()) as { token: string };
    expect((await json(`${a!.url}/api/v1/policies`, "PATCH", { rateLimitPerUser: 10 }, token)).status).toBe(200);

    // Real clocks here (the window edge is tested with an injected clock elsewhere). The PATCH
    // above counted once; crossing a minute boundary mid-burst moves a little weight only.
    const statuses: Array<{ via: "a" | "b"; status: number; retryAfter: string | null }> = [];
    for (let i = 0; i < 30; i++) {
      const s = i % 2 === 0 ? a! : b!;
      const res = await json(`${s.url}/api/v1/me`, "GET", undefined, token);
      statuses.push({ via: i % 2 === 0 ? "a" : "b", status: res.status, retryAfter: res.headers.get("retry-after") });
      await res.arrayBuffer();
    }
    const allowed = statuses.filter((s) => s.status === 200);
    // 10 per minute, one used by the PATCH: 9 get through (10 at most should a boundary pass).
    expect(allowed.length).toBeLessThanOrEqual(10);
    expect(allowed.length).toBeGreaterThanOrEqual(9);
    // Separate in-memory limiters would have let 10 through on each process (20).
    const refused = statuses.filter((s) => s.status === 429);
    expect(refused.length).toBe(30 - allowed.length);
    expect(new Set(refused.map((s) => s.via))).toEqual(new Set(["a", "b"]));
    expect(refused.every((s) => Number(s.retryAfter) >= 1)).toBe(true);
  }, 180_000);
});
