// The one place that reads the environment. Everything else receives a `Config`.
import path from "node:path";
import { z } from "zod";

const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const;

const booleanFlag = z
  .string()
  .trim()
  .toLowerCase()
  .refine((v) => ["true", "false", "1", "0", "yes", "no", "on", "off"].includes(v), {
    message: "expected true or false",
  })
  .transform((v) => ["true", "1", "yes", "on"].includes(v));

const httpUrl = z
  .string()
  .trim()
  .refine((v) => {
    try {
      const u = new URL(v);
      return u.protocol === "http:" || u.protocol === "https:";
    } catch {
      return false;
    }
  }, { message: "expected an http:// or https:// URL" })
  .transform((v) => v.replace(/\/+$/, ""));

const positiveHours = z.coerce
  .number({ message: "expected a number of hours" })
  .positive({ message: "expected a positive number of hours" });

const millis = z.coerce
  .number({ message: "expected a number of milliseconds" })
  .int({ message: "expected a whole number of milliseconds" })
  .positive({ message: "expected a positive number of milliseconds" });

const postgresUrl = z
  .string()
  .trim()
  .refine((v) => {
    try {
      const u = new URL(v);
      return u.protocol === "postgres:" || u.protocol === "postgresql:";
    } catch {
      return false;
    }
  }, { message: "expected a postgres://user:password@host:port/database URL" });

const envSchema = z.object({
  DATABASE_URL: postgresUrl.optional(),
  // The role that owns the schema (server/db/roles.ts): migrations, grants to DATABASE_URL's role,
  // audit retention and erasure run on it; everything else runs as DATABASE_URL's role.
  DATABASE_OWNER_URL: postgresUrl.optional(),
  // Where migration runs validate generated models. Server configuration only: a migration's options
  // cannot choose it (a user could otherwise point validation at any Postgres the server reaches).
  VALIDATION_DATABASE_URL: postgresUrl.optional(),
  PORT: z.coerce
    .number({ message: "expected an integer between 1 and 65535" })
    .int({ message: "expected an integer between 1 and 65535" })
    .min(1, { message: "expected an integer between 1 and 65535" })
    .max(65535, { message: "expected an integer between 1 and 65535" })
    .default(8000),
  HOST: z.string().trim().min(1, { message: "expected a host name or address to listen on" }).default("127.0.0.1"),
  PUBLIC_ORIGIN: httpUrl
    .refine((v) => new URL(v).origin === v, {
      message: "expected an origin only (scheme://host[:port], no path), e.g. https://datamigrate.example.com",
    })
    .optional(),
  COOKIE_SECURE: booleanFlag.optional(),
  TRUST_PROXY: booleanFlag.default(false),
  DATA_DIR: z.string().trim().min(1, { message: "expected a directory path" }).default("./data"),
  OLLAMA_URL: httpUrl.optional(),
  OPENAI_COMPAT_URL: httpUrl.optional(),
  OPENAI_COMPAT_API_KEY: z.string().min(1, { message: "expected a non-empty key" }).optional(),
  // Cloud providers: used only when a key is set AND the organisation's admin allows outbound access.
  ANTHROPIC_URL: httpUrl.default("https://api.anthropic.com"),
  ANTHROPIC_API_KEY: z.string().min(1, { message: "expected a non-empty key" }).optional(),
  OPENAI_URL: httpUrl.default("https://api.openai.com"),
  OPENAI_API_KEY: z.string().min(1, { message: "expected a non-empty key" }).optional(),
  LLM_TIMEOUT_MS: millis.default(120_000),
  LLM_DEADLINE_MS: millis.default(300_000),
  LLM_MAX_RETRIES: z.coerce
    .number({ message: "expected an integer between 0 and 10" })
    .int({ message: "expected an integer between 0 and 10" })
    .min(0, { message: "expected an integer between 0 and 10" })
    .max(10, { message: "expected an integer between 0 and 10" })
    .default(2),
  LLM_BREAKER_FAILURES: z.coerce
    .number({ message: "expected a positive integer" })
    .int({ message: "expected a positive integer" })
    .min(1, { message: "expected a positive integer" })
    .default(5),
  LLM_BREAKER_COOLDOWN_MS: millis.default(30_000),
  LOG_LEVEL: z.enum(LOG_LEVELS, { message: `expected one of ${LOG_LEVELS.join(", ")}` }).default("info"),
  SESSION_IDLE_HOURS: positiveHours.default(24 * 7),
  SESSION_ABSOLUTE_HOURS: positiveHours.default(24 * 30),
});

export type LogLevel = (typeof LOG_LEVELS)[number];

export interface Config {
  /** Absent: the embedded PGlite in `<dataDir>/pglite`. */
  databaseUrl: string | undefined;
  /**
   * The schema owner's connection (only with databaseUrl). Absent: DATABASE_URL's role owns the
   * schema, as in a one-role install (a warning at start-up says what that allows).
   */
  databaseOwnerUrl: string | undefined;
  /** Postgres for validation runs; absent: an embedded PGlite per run (in a worker thread). */
  validationDatabaseUrl: string | undefined;
  port: number;
  host: string;
  /** Where browsers reach the app (behind nginx: the https origin). Used for CSRF origin checks. */
  publicOrigin: string;
  /** Secure cookies. Off only for plain-http local use (browsers drop Secure cookies on http). */
  cookieSecure: boolean;
  /** Believe X-Forwarded-For / X-Real-IP (only behind a proxy that sets them). */
  trustProxy: boolean;
  dataDir: string;
  ollamaUrl: string | undefined;
  openaiCompatUrl: string | undefined;
  openaiCompatApiKey: string | undefined;
  /**
   * Cloud endpoints (off unless a key is set and the organisation allows outbound access). Nested so
   * that the logger's `apiKey` redaction covers them wherever a config is logged.
   */
  anthropic: { url: string; apiKey: string | undefined };
  openai: { url: string; apiKey: string | undefined };
  /** Model router resilience: per-attempt timeout, overall deadline, retries, circuit breaker. */
  llm: { timeoutMs: number; deadlineMs: number; maxRetries: number; breakerFailures: number; breakerCooldownMs: number };
  logLevel: LogLevel;
  session: { idleMs: number; absoluteMs: number };
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    this.name = "ConfigError";
  }
}

/** Values that must never be echoed back in an error message. */
const SECRET_VARIABLES = new Set(["DATABASE_URL", "DATABASE_OWNER_URL", "VALIDATION_DATABASE_URL", "OPENAI_COMPAT_API_KEY", "ANTHROPIC_API_KEY", "OPENAI_API_KEY"]);

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  // Empty variables count as unset: `PORT= npm start` should mean the default, not an error.
  const raw: Record<string, string> = {};
  for (const key of Object.keys(envSchema.shape)) {
    const v = env[key];
    if (v !== undefined && v !== "") raw[key] = v;
  }
  const parsed = envSchema.safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => {
      const name = String(issue.path[0] ?? "environment");
      const got = SECRET_VARIABLES.has(name) ? "" : raw[name] !== undefined ? ` (got '${raw[name]}')` : "";
      return `${name}: ${issue.message}${got}`;
    });
    throw new ConfigError(problems);
  }
  const e = parsed.data;
  if (e.SESSION_ABSOLUTE_HOURS < e.SESSION_IDLE_HOURS) {
    throw new ConfigError([
      `SESSION_ABSOLUTE_HOURS: expected at least SESSION_IDLE_HOURS (${e.SESSION_IDLE_HOURS}), got '${e.SESSION_ABSOLUTE_HOURS}'`,
    ]);
  }
  if (e.DATABASE_OWNER_URL && !e.DATABASE_URL) {
    throw new ConfigError([
      "DATABASE_OWNER_URL: set only together with DATABASE_URL (the application's own, non-owner role); without DATABASE_URL the embedded database has no roles",
    ]);
  }
  const publicOrigin = e.PUBLIC_ORIGIN ?? `http://localhost:${e.PORT}`;
  return {
    databaseUrl: e.DATABASE_URL,
    databaseOwnerUrl: e.DATABASE_OWNER_URL,
    validationDatabaseUrl: e.VALIDATION_DATABASE_URL,
    port: e.PORT,
    host: e.HOST,
    publicOrigin,
    // Default follows the public origin's scheme: https behind nginx, plain http for local use.
    cookieSecure: e.COOKIE_SECURE ?? publicOrigin.startsWith("https:"),
    trustProxy: e.TRUST_PROXY,
    dataDir: path.resolve(e.DATA_DIR),
    ollamaUrl: e.OLLAMA_URL,
    openaiCompatUrl: e.OPENAI_COMPAT_URL,
    openaiCompatApiKey: e.OPENAI_COMPAT_API_KEY,
    anthropic: { url: e.ANTHROPIC_URL, apiKey: e.ANTHROPIC_API_KEY },
    openai: { url: e.OPENAI_URL, apiKey: e.OPENAI_API_KEY },
    llm: {
      timeoutMs: e.LLM_TIMEOUT_MS,
      deadlineMs: e.LLM_DEADLINE_MS,
      maxRetries: e.LLM_MAX_RETRIES,
      breakerFailures: e.LLM_BREAKER_FAILURES,
      breakerCooldownMs: e.LLM_BREAKER_COOLDOWN_MS,
    },
    logLevel: e.LOG_LEVEL,
    session: {
      idleMs: e.SESSION_IDLE_HOURS * 3_600_000,
      absoluteMs: e.SESSION_ABSOLUTE_HOURS * 3_600_000,
    },
  };
}

/** A config for tests and tools: defaults, overridable field by field. */
export function testConfig(overrides: Partial<Config> = {}): Config {
  return { ...loadConfig({}), logLevel: "silent", ...overrides };
}

/** postgres://user:secret@host:5432/db → postgres://host:5432/db (for logs and messages). */
export function describeDatabaseUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.hostname}${u.port ? `:${u.port}` : ""}${u.pathname}`;
  } catch {
    return "postgres (unparseable URL)";
  }
}
