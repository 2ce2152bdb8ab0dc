import { describe, expect, it } from "vitest";
import { ConfigError, describeDatabaseUrl, loadConfig } from "./config.ts";

function problems(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  return [];
}

describe("configuration", () => {
  it("has working defaults for a bare machine", () => {
    const c = loadConfig({});
    expect(c).toMatchObject({
      databaseUrl: undefined,
      port: 8000,
      host: "127.0.0.1",
      publicOrigin: "http://localhost:8000",
      cookieSecure: false,
      trustProxy: false,
      logLevel: "info",
    });
    expect(c.dataDir).toMatch(/\/data$/);
    expect(c.session.absoluteMs).toBeGreaterThan(c.session.idleMs);
  });

  it.each([
    [{ PUBLIC_ORIGIN: "https://dm.example.com" }, true],
    [{ PUBLIC_ORIGIN: "http://dm.internal:8080" }, false],
    [{ PUBLIC_ORIGIN: "https://dm.example.com", COOKIE_SECURE: "false" }, false],
    [{ COOKIE_SECURE: "true" }, true],
    [{ COOKIE_SECURE: "0" }, false],
  ])("cookie security for %j is %s", (env, secure) => {
    expect(loadConfig(env).cookieSecure).toBe(secure);
  });

  it("derives the public origin from PORT and treats empty variables as unset", () => {
    expect(loadConfig({ PORT: "9001", LOG_LEVEL: "" }).publicOrigin).toBe("http://localhost:9001");
  });

  it.each([
    [{ PORT: "abc" }, "PORT: expected an integer between 1 and 65535 (got 'abc')"],
    [{ PORT: "70000" }, "PORT: expected an integer between 1 and 65535 (got '70000')"],
    [{ PUBLIC_ORIGIN: "https://dm.example.com/app" }, "PUBLIC_ORIGIN: expected an origin only"],
    [{ PUBLIC_ORIGIN: "ftp://x" }, "PUBLIC_ORIGIN: expected an http:// or https:// URL"],
    [{ COOKIE_SECURE: "maybe" }, "COOKIE_SECURE: expected true or false (got 'maybe')"],
    [{ LOG_LEVEL: "loud" }, "LOG_LEVEL: expected one of fatal, error, warn, info, debug, trace, silent (got 'loud')"],
    [{ OLLAMA_URL: "localhost:11434" }, "OLLAMA_URL: expected an http:// or https:// URL"],
    [{ SESSION_IDLE_HOURS: "48", SESSION_ABSOLUTE_HOURS: "24" }, "SESSION_ABSOLUTE_HOURS: expected at least SESSION_IDLE_HOURS"],
  ])("rejects %j naming the variable and what it expects", (env, message) => {
    const p = problems(env);
    expect(p).toHaveLength(1);
    expect(p[0]).toContain(message);
  });

  it("does not echo a bad DATABASE_URL, which may hold a password", () => {
    const p = problems({ DATABASE_URL: "mysql://root:hunter2@db/x" });
    expect(p).toEqual(["DATABASE_URL: expected a postgres://user:password@host:port/database URL"]);
  });

  it("reports every bad variable at once", () => {
    expect(problems({ PORT: "x", LOG_LEVEL: "y" }).map((p) => p.split(":")[0])).toEqual(["PORT", "LOG_LEVEL"]);
  });

  it("describes a database URL without its credentials", () => {
    expect(describeDatabaseUrl("postgres://app:s3cret@db.internal:5432/dm")).toBe("postgres://db.internal:5432/dm");
  });
});
