// The application over an isolated test database, driven through app.request().
//
//   const t = withTestApp();                    // beforeAll/afterAll: database + app
//   const res = await t.app.request("/api/v1/migrations", { headers: t.bearer(token) });
//   t.clock.advance(8 * 24 * 3600_000);         // move time for session expiry
//   t.logs()                                    // every log line written so far (JSON text)
//
// Helpers register users and log them in through the real API, so tests exercise the same path
// as clients.
import { Writable } from "node:stream";
import type { Hono } from "hono";
import { expect } from "vitest";
import { createApp } from "../../server/app.ts";
import { testConfig, type Config } from "../../server/config.ts";
import { createLogger } from "../../server/log.ts";
import type { AppEnv, RateLimits } from "../../server/web/env.ts";
import { withTestDb, type TestDb } from "./db.ts";

export interface TestClock {
  now(): Date;
  advance(ms: number): void;
  set(date: Date): void;
}

export function makeClock(start = new Date("2030-01-01T00:00:00Z")): TestClock {
  let t = start.getTime();
  return {
    now: () => new Date(t),
    advance: (ms) => {
      t += ms;
    },
    set: (d) => {
      t = d.getTime();
    },
  };
}

export interface TestApp {
  readonly app: Hono<AppEnv>;
  readonly testDb: TestDb;
  readonly config: Config;
  clock: TestClock;
  logs(): string;
  bearer(token: string): Record<string, string>;
  /** POST JSON. */
  postJson(path: string, body: unknown, headers?: Record<string, string>): Promise<Response>;
  get(path: string, headers?: Record<string, string>): Promise<Response>;
  /** Registers an organisation with an admin; returns ids and credentials. */
  registerOrg(name?: string): Promise<{ email: string; password: string; orgId: string; userId: string }>;
  /** Logs in through POST /api/v1/auth/login; returns the token. */
  login(email: string, password: string): Promise<string>;
  /** registerOrg + login. */
  adminOf(name?: string): Promise<{ email: string; password: string; orgId: string; userId: string; token: string }>;
}

let counter = 0;
export const TEST_PASSWORD = "correct horse battery staple";

export interface TestAppOptions {
  config?: Partial<Config>;
  rateLimits?: Partial<RateLimits>;
}

/** Generous limits so that a test file's own traffic never trips them (one test lowers them on purpose). */
const TEST_LIMITS: RateLimits = { auth: { max: 10_000, windowMs: 60_000 }, api: { max: 100_000, windowMs: 60_000 } };

export function withTestApp(options: TestAppOptions = {}): TestApp {
  const testDb = withTestDb();
  const clock = makeClock(new Date());
  const config = testConfig({ logLevel: "info", ...options.config });
  const lines: string[] = [];
  let app: Hono<AppEnv> | undefined;
  const sink = new Writable({
    write(chunk, _enc, cb) {
      lines.push(String(chunk));
      cb();
    },
  });

  const getApp = () => {
    app ??= createApp({
      config,
      database: testDb.handle,
      logger: createLogger(config.logLevel, sink),
      clock: () => t.clock.now(),
      rateLimits: { ...TEST_LIMITS, ...options.rateLimits },
    });
    return app;
  };

  const t: TestApp = {
    get app() {
      return getApp();
    },
    testDb,
    config,
    clock,
    logs: () => lines.join(""),
    bearer: (token) => ({ Authorization: `Bearer ${token}` }),
    postJson: (path, body, headers = {}) =>
      Promise.resolve(
        getApp().request(path, {
          method: "POST",
          headers: { "Content-Type": "application/json", ...headers },
          body: typeof body === "string" ? body : JSON.stringify(body),
        }),
      ),
    get: (path, headers = {}) => Promise.resolve(getApp().request(path, { headers })),
    async registerOrg(name) {
      const n = ++counter;
      const email = `user${n}-${Math.random().toString(36).slice(2, 8)}@example.com`;
      const res = await t.postJson("/api/v1/auth/register", {
        email,
        password: TEST_PASSWORD,
        organizationName: name ?? `Org ${n}`,
      });
      expect(res.status).toBe(201);
      const body = (await res.json()) as { user: { id: string }; organization: { id: string } };
      return { email, password: TEST_PASSWORD, orgId: body.organization.id, userId: body.user.id };
    },
    async login(email, password) {
      const res = await t.postJson("/api/v1/auth/login", { email, password });
      expect(res.status).toBe(200);
      return ((await res.json()) as { token: string }).token;
    },
    async adminOf(name) {
      const r = await t.registerOrg(name);
      // Events of one test keep a strict order in the audit log, as they would in real time.
      t.clock.advance(1);
      const token = await t.login(r.email, r.password);
      t.clock.advance(1);
      return { ...r, token };
    },
  };
  return t;
}
