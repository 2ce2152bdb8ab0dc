// HTTP rate limiting, shared by every server process through Postgres (server/guardian/rate-limit.ts):
//
//   apiRateLimit()           every /api/v1 call after authentication: per user (session) or per
//                            API key, then per organisation, limits from the organisation's policy
//                            (defaults: deps.rateLimits.api per user/key, ten times that per
//                            organisation); anonymous calls per client address.
//   rateLimit(rule, key)     a fixed rule per key (registration, sign-in: per address).
//   login throttling         loginThrottled / loginFailed / loginSucceeded: failed sign-ins per
//                            account and per address, with exponential back-off.
//
// A refused request is a 429 with Retry-After; the first refusal of a key in each window is audited
// (rate_limit.exceeded), not every one, so that a flood cannot flood the audit log too.
import type { MiddlewareHandler } from "hono";
import { recordAudit } from "../db/queries/audit.ts";
import {
  checkRateLimits,
  loginAccountKey,
  loginRetryAfter,
  noteLoginFailure,
  noteLoginSuccess,
  type RateDecision,
  type RateKey,
} from "../guardian/rate-limit.ts";
import { clientIp, type AppContext, type AppDeps, type AppEnv } from "./env.ts";
import { errors } from "./errors.ts";

export interface RateLimitRule {
  max: number;
  windowMs: number;
}

const recentlyAudited = new Map<string, number>();

async function auditRefusal(c: AppContext, decision: RateDecision, nowMs: number): Promise<void> {
  const s = decision.refusedBy;
  if (!s) return;
  const mark = `${s.key}@${s.windowStart}`;
  if (recentlyAudited.has(mark)) return;
  if (recentlyAudited.size > 10_000) {
    for (const [k, at] of recentlyAudited) if (at < nowMs - 2 * s.windowMs) recentlyAudited.delete(k);
    if (recentlyAudited.size > 10_000) recentlyAudited.clear();
  }
  recentlyAudited.set(mark, nowMs);
  const p = c.var.principal;
  try {
    await recordAudit(c.var.db, {
      orgId: p?.orgId ?? null,
      userId: p?.userId ?? null,
      eventType: "rate_limit.exceeded",
      // The key names a kind and an id (user:<uuid>, org:<uuid>, ip:<address>), never request content.
      details: { key: s.key.replace(/^(ip|login:ip):.*/, "$1"), limit: s.maxHits, windowMs: s.windowMs, path: c.req.path, method: c.req.method },
      ip: clientIp(c),
      at: c.var.deps.clock(),
    });
  } catch (err) {
    c.var.log.warn({ err }, "could not audit a rate-limit refusal");
  }
}

async function enforce(c: AppContext, own: RateKey[], shared: RateKey[] = []): Promise<void> {
  const nowMs = c.var.deps.clock().getTime();
  const decision = await checkRateLimits(c.var.db, nowMs, own, shared);
  if (decision.allowed) return;
  await auditRefusal(c, decision, nowMs);
  throw errors.rateLimited(decision.retryAfterSeconds);
}

/** A fixed rule per key (e.g. per client address on registration). Same signature as before Guardian. */
export function rateLimit(
  ruleOf: (limits: AppDeps["rateLimits"]) => RateLimitRule,
  keyOf: (c: AppContext) => string,
): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const rule = ruleOf(c.var.deps.rateLimits);
    await enforce(c, [{ key: keyOf(c), windowMs: rule.windowMs, max: rule.max }]);
    await next();
  };
}

/** The API's limit: per user or API key and per organisation (policy), per address when anonymous. */
export function apiRateLimit(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const rule = c.var.deps.rateLimits.api;
    const p = c.var.principal;
    if (!p) {
      await enforce(c, [{ key: `ip:${clientIp(c) ?? "unknown"}`, windowMs: rule.windowMs, max: rule.max }]);
    } else {
      const own: RateKey =
        p.via === "api_key" && p.apiKeyId
          ? { key: `apikey:${p.apiKeyId}`, windowMs: rule.windowMs, max: { orgId: p.orgId, column: "rate_limit_per_api_key", fallback: rule.max } }
          : { key: `user:${p.userId}`, windowMs: rule.windowMs, max: { orgId: p.orgId, column: "rate_limit_per_user", fallback: rule.max } };
      const org: RateKey = {
        key: `org:${p.orgId}`,
        windowMs: rule.windowMs,
        max: { orgId: p.orgId, column: "rate_limit_per_org", fallback: rule.max * 10 },
      };
      await enforce(c, [own], [org]);
    }
    await next();
  };
}

// ---------------------------------------------------------------------------------------------
// Sign-in throttling (used by the login handlers of the API and of the pages)

/** Throws 429 while the account or the address is locked out after repeated failures. */
export async function assertLoginAllowed(c: AppContext, email: string): Promise<void> {
  const now = c.var.deps.clock();
  const retry = await loginRetryAfter(c.var.db, email, clientIp(c), now);
  if (retry <= 0) return;
  // One audit row per account and address per minute of lock-out, however often it is tried.
  const mark = `throttle:${loginAccountKey(email)}:${clientIp(c) ?? ""}@${Math.floor(now.getTime() / 60_000)}`;
  if (recentlyAudited.has(mark)) throw errors.rateLimited(retry);
  recentlyAudited.set(mark, now.getTime());
  try {
    await recordAudit(c.var.db, {
      orgId: null,
      userId: null,
      eventType: "auth.login_throttled",
      details: { retryAfterSeconds: retry },
      personal: { email },
      ip: clientIp(c),
      at: c.var.deps.clock(),
    });
  } catch (err) {
    c.var.log.warn({ err }, "could not audit a throttled sign-in");
  }
  throw errors.rateLimited(retry);
}

/** Seconds of lock-out the failure caused (0: none yet). */
export async function loginFailed(c: AppContext, email: string): Promise<number> {
  return noteLoginFailure(c.var.db, email, clientIp(c), c.var.deps.clock());
}

export async function loginSucceeded(c: AppContext, email: string): Promise<void> {
  await noteLoginSuccess(c.var.db, email);
}
