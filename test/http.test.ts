// The real server over real HTTP: start-up (config → database → migrations → listen), the API
// walkthrough from the README, the login page, and the CLI entry point.
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { testConfig } from "../server/config.ts";
import { createLogger } from "../server/log.ts";
import { startServer, type RunningServer } from "../server/web/server.ts";
import { createTestDb, type TestDb } from "./support/db.ts";

const run = promisify(execFile);
const ROOT = path.resolve(import.meta.dirname, "..");
const TSX = path.join(ROOT, "node_modules", ".bin", "tsx");

describe("the server over HTTP", () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterAll(async () => {
    for (const c of cleanups.reverse()) await c();
  });

  async function boot(dataDir: string, testDb?: TestDb): Promise<RunningServer> {
    const config = testConfig({ port: 0, dataDir, databaseUrl: testDb?.url, logLevel: "silent" });
    const s = await startServer({ config, logger: createLogger("silent") });
    return s;
  }

  it("serves the walkthrough: register → login → create migration → list, and keeps data across restarts", async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), "dm-http-"));
    cleanups.push(async () => rmSync(dataDir, { recursive: true, force: true }));
    // Real Postgres when the suite has one, else the embedded PGlite in dataDir.
    const testDb = process.env.TEST_DATABASE_URL ? await createTestDb({ migrate: false }) : undefined;
    if (testDb) cleanups.push(() => testDb.dispose());

    let server = await boot(dataDir, testDb);
    expect(server.database.kind).toBe(testDb ? "postgres" : "pglite");
    const url = (p: string) => `${server.url}${p}`;
    const json = { "Content-Type": "application/json" };

    expect((await fetch(url("/readyz"))).status).toBe(200);
    const login = await fetch(url("/login"));
    expect(login.status).toBe(200);
    expect(await login.text()).toContain('action="/login"');

    const reg = await fetch(url("/api/v1/auth/register"), {
      method: "POST",
      headers: json,
      body: JSON.stringify({ email: "ada@example.com", password: "correct horse battery staple", organizationName: "Analytical Engines" }),
    });
    expect(reg.status).toBe(201);
    const loginRes = await fetch(url("/api/v1/auth/login"), {
      method: "POST",
      headers: json,
      body: JSON.stringify({ email: "ada@example.com", password: "correct horse battery staple" }),
    });
    expect(loginRes.status).toBe(200);
    const { token } = (await loginRes.json()) as { token: string };
    const auth = { Authorization: `Bearer ${token}` };
    const created = await fetch(url("/api/v1/migrations"), {
      method: "POST",
      headers: { ...json, ...auth },
      body: JSON.stringify({ name: "Sales warehouse", target: "postgres" }),
    });
    expect(created.status).toBe(201);
    expect(created.headers.get("x-request-id")).toBeTruthy();
    const { id, status } = (await created.json()) as { id: string; status: string };
    expect(status).toBe("queued");

    // Restart on the same data: migrations re-applied as a no-op, data and session still there.
    await server.close();
    server = await boot(dataDir, testDb);
    cleanups.push(() => server.close());
    const list = await fetch(`${server.url}/api/v1/migrations`, { headers: auth });
    expect(list.status).toBe(200);
    const body = (await list.json()) as { items: { id: string; name: string }[]; total: number };
    expect(body.total).toBe(1);
    expect(body.items[0]).toMatchObject({ id, name: "Sales warehouse" });

    // An oversized body over a real socket (no Content-Length shortcut: chunked).
    const big = await fetch(`${server.url}/api/v1/migrations`, {
      method: "POST",
      headers: { ...json, ...auth },
      body: new Blob([JSON.stringify({ name: "x".repeat(100_000), target: "postgres" })]).stream(),
      duplex: "half",
    } as RequestInit);
    expect(big.status).toBe(413);
  });
});

describe("the datamigrate CLI", () => {
  it("lists serve and prints its help", async () => {
    const top = await run(TSX, ["server/cli.ts", "--help"], { cwd: ROOT });
    expect(top.stdout).toMatch(/serve\s+Start the web server/);
    const help = await run(TSX, ["server/cli.ts", "serve", "--help"], { cwd: ROOT });
    expect(help.stdout).toContain("Usage: datamigrate serve [--port N]");
  });

  it("stops on a bad configuration with a message naming the variable", async () => {
    const err = await run(TSX, ["server/cli.ts", "serve"], { cwd: ROOT, env: { ...process.env, PORT: "eighty" } }).catch((e: unknown) => e);
    expect((err as { code: number }).code).toBe(2);
    expect((err as { stderr: string }).stderr).toContain("PORT: expected an integer between 1 and 65535 (got 'eighty')");
  });

  it("rejects a bad --port", async () => {
    const err = await run(TSX, ["server/cli.ts", "serve", "--port", "x"], { cwd: ROOT }).catch((e: unknown) => e);
    expect((err as { code: number }).code).toBe(2);
    expect((err as { stderr: string }).stderr).toContain("--port: expected an integer between 1 and 65535");
  });
});
