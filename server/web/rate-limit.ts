// A fixed-window counter per key, in memory. Enough for one process; the Guardian issue
// replaces it with its own policies.
import type { MiddlewareHandler } from "hono";
import type { AppContext, AppDeps, AppEnv } from "./env.ts";
import { errors } from "./errors.ts";

export interface RateLimitRule {
  max: number;
  windowMs: number;
}

export class FixedWindowLimiter {
  private readonly windows = new Map<string, { count: number; resetAt: number }>();

  constructor(private readonly rule: RateLimitRule) {}

  /** Counts one hit; returns 0 when allowed, else the seconds until the window resets. */
  hit(key: string, nowMs: number): number {
    if (this.windows.size > 10_000) this.prune(nowMs);
    const w = this.windows.get(key);
    if (!w || nowMs >= w.resetAt) {
      this.windows.set(key, { count: 1, resetAt: nowMs + this.rule.windowMs });
      return 0;
    }
    w.count++;
    if (w.count <= this.rule.max) return 0;
    return Math.max(1, Math.ceil((w.resetAt - nowMs) / 1000));
  }

  private prune(nowMs: number): void {
    for (const [k, w] of this.windows) if (nowMs >= w.resetAt) this.windows.delete(k);
  }
}

/**
 * Limits requests per key. The rule is read from the app's dependencies on first use, so each
 * app instance (and each test's app) counts on its own.
 */
export function rateLimit(
  ruleOf: (limits: AppDeps["rateLimits"]) => RateLimitRule,
  keyOf: (c: AppContext) => string,
): MiddlewareHandler<AppEnv> {
  let limiter: FixedWindowLimiter | undefined;
  return async (c, next) => {
    limiter ??= new FixedWindowLimiter(ruleOf(c.var.deps.rateLimits));
    const retryAfter = limiter.hit(keyOf(c), c.var.deps.clock().getTime());
    if (retryAfter > 0) throw errors.rateLimited(retryAfter);
    await next();
  };
}
