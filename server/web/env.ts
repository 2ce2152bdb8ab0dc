// What every handler can reach: the app's dependencies and the per-request values.
import type { Context } from "hono";
import type { Principal } from "../auth/principal.ts";
import type { Config } from "../config.ts";
import type { DatabaseHandle, Db } from "../db/client.ts";
import type { Logger } from "../log.ts";
import type { RateLimitRule } from "./rate-limit.ts";

export interface RateLimits {
  /** Register and login, per client address. */
  auth: RateLimitRule;
  /** Every authenticated API call, per user or API key, unless the organisation's policy says otherwise (Guardian: 100/min). */
  api: RateLimitRule;
}

export const DEFAULT_RATE_LIMITS: RateLimits = {
  auth: { max: 20, windowMs: 60_000 },
  api: { max: 100, windowMs: 60_000 },
};

export interface AppDeps {
  config: Config;
  database: DatabaseHandle;
  logger: Logger;
  /** Injected so that tests can move time (session expiry). */
  clock: () => Date;
  rateLimits: RateLimits;
}

export interface AppEnv {
  Variables: {
    deps: AppDeps;
    db: Db;
    requestId: string;
    /** The request's logger: every line carries the request id. */
    log: Logger;
    /** Set by the authenticate middlewares; absent for anonymous requests. */
    principal: Principal | undefined;
  };
}

export type AppContext = Context<AppEnv>;

export function now(c: AppContext): Date {
  return c.var.deps.clock();
}

/** The client address for audit rows and rate limits: the socket peer, or the proxy's header when trusted. */
export function clientIp(c: AppContext): string | null {
  if (c.var.deps.config.trustProxy) {
    const forwarded = c.req.header("x-forwarded-for")?.split(",")[0]?.trim() || c.req.header("x-real-ip")?.trim();
    if (forwarded) return forwarded.slice(0, 64);
  }
  const incoming = (c.env as { incoming?: { socket?: { remoteAddress?: string } } } | undefined)?.incoming;
  return incoming?.socket?.remoteAddress ?? null;
}
