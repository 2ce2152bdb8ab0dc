// Hono middlewares that turn credentials into a Principal and enforce what it may do.
//
//   authenticateBearer()   API: reads `Authorization: Bearer <session token | API key>`; a bad
//                          credential is a 401 (audited: auth.token_rejected, coalesced under a
//                          spray, server/guardian/audit/rejected-credentials.ts), no credential
//                          leaves the request anonymous.
//   authenticateCookie()   HTML: reads the session cookie; a bad cookie is simply anonymous.
//   requireAuth()          401 unless a principal is set.
//   requireScope(s)        401 unless authenticated, 403 unless the credential has scope s.
//   requireMethodScope()   `read` for GET/HEAD, `write` for everything else.
//   requireAdmin()         requireScope("admin"): admins, and only their keys that carry the admin scope.
//   requireSession()       403 for API keys (for managing keys and passwords).
import type { MiddlewareHandler } from "hono";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";
import type { Config } from "../config.ts";
import type { ApiKeyScope } from "../db/schema/credentials.ts";
import { auditRejectedCredential, type RejectedCredential } from "../guardian/audit/rejected-credentials.ts";
import { clientIp, type AppContext, type AppEnv } from "../web/env.ts";
import { errors } from "../web/errors.ts";
import { checkApiKey } from "./api-keys.ts";
import { principalFromApiKey, principalFromSession, type Principal } from "./principal.ts";
import { checkSessionToken, validateSessionToken, type SessionPolicy } from "./sessions.ts";
import { credentialFingerprint, isApiKey } from "./tokens.ts";

export function sessionPolicy(config: Config): SessionPolicy {
  return { idleMs: config.session.idleMs, absoluteMs: config.session.absoluteMs };
}

/**
 * Browsers only accept `__Host-` cookies that are Secure, so over plain http (local use with
 * COOKIE_SECURE off) the cookie is named without the prefix; it is still HttpOnly, Path=/, host-only.
 */
export function sessionCookieName(config: Config): string {
  return config.cookieSecure ? "__Host-session" : "session";
}

export function setSessionCookie(c: AppContext, token: string, expiresAt: Date): void {
  const config = c.var.deps.config;
  setCookie(c, sessionCookieName(config), token, {
    httpOnly: true,
    secure: config.cookieSecure,
    sameSite: "Lax",
    path: "/",
    expires: expiresAt,
  });
}

export function clearSessionCookie(c: AppContext): void {
  const config = c.var.deps.config;
  deleteCookie(c, sessionCookieName(config), { path: "/", secure: config.cookieSecure, httpOnly: true, sameSite: "Lax" });
}

export function readSessionCookie(c: AppContext): string | undefined {
  return getCookie(c, sessionCookieName(c.var.deps.config)) || undefined;
}

/** The Bearer value, undefined when there is no Authorization header; 401 when it is malformed. */
export function readBearer(c: AppContext): string | undefined {
  const header = c.req.header("authorization");
  if (header === undefined) return undefined;
  const m = /^Bearer\s+([A-Za-z0-9_.~+/-]{1,256}=*)\s*$/i.exec(header);
  if (!m) throw errors.unauthenticated("malformed Authorization header: expected 'Bearer <token or API key>'");
  return m[1];
}

type Refusal = Pick<RejectedCredential, "reason" | "credential" | "orgId" | "userId"> & { extra?: Record<string, unknown> };

/** The principal a Bearer value stands for, or why it is refused (and whose it was, when known). */
export async function checkBearer(c: AppContext, bearer: string): Promise<{ principal: Principal } | { refusal: Refusal }> {
  const { db, deps } = c.var;
  const now = deps.clock();
  if (isApiKey(bearer)) {
    const r = await checkApiKey(db, bearer, now);
    if (r.ok) return { principal: principalFromApiKey(r.user, r.apiKey, r.inputGuard) };
    if (r.reason === "revoked") {
      return { refusal: { reason: "revoked", credential: "api_key", orgId: r.apiKey.orgId, userId: r.user.id, extra: { apiKeyId: r.apiKey.id } } };
    }
    return { refusal: { reason: "unknown", credential: "api_key", orgId: null, userId: null } };
  }
  const v = await checkSessionToken(db, bearer, sessionPolicy(deps.config), now);
  if (v.ok) return { principal: principalFromSession(v.user, v.session.id, v.inputGuard) };
  if (v.reason === "expired") {
    return { refusal: { reason: "expired", credential: "session", orgId: v.session.orgId, userId: v.user.id, extra: { expiredAt: v.session.expiresAt } } };
  }
  return { refusal: { reason: "unknown", credential: "session", orgId: null, userId: null } };
}

/** Audits a refused credential (coalesced under a spray); a failing audit write never hides the 401. */
async function auditRefusal(c: AppContext, refusal: Refusal, presented: string): Promise<void> {
  try {
    await auditRejectedCredential(c.var.db, {
      ...refusal,
      fingerprint: credentialFingerprint(presented),
      ip: clientIp(c),
      method: c.req.method,
      path: c.req.path,
      at: c.var.deps.clock(),
    });
  } catch (err) {
    c.var.log.warn({ err }, "could not audit a refused credential");
  }
}

export function authenticateBearer(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    let bearer: string | undefined;
    try {
      bearer = readBearer(c);
    } catch (err) {
      // Only the value after the scheme is fingerprinted; the scheme word itself is kept when it is one.
      const header = c.req.header("authorization") ?? "";
      const scheme = /^([A-Za-z][A-Za-z0-9-]{0,19})(?:\s|$)/.exec(header)?.[1] ?? null;
      const value = scheme ? header.slice(scheme.length).trim() : header;
      await auditRefusal(c, { reason: "malformed", credential: "authorization_header", orgId: null, userId: null, extra: { scheme, length: header.length } }, value);
      throw err;
    }
    if (bearer !== undefined) {
      const r = await checkBearer(c, bearer);
      if ("refusal" in r) {
        await auditRefusal(c, r.refusal, bearer);
        throw errors.unauthenticated("the token or API key is invalid, expired or revoked");
      }
      c.set("principal", r.principal);
    }
    await next();
  };
}

export function authenticateCookie(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const token = readSessionCookie(c);
    let stale = false;
    if (token) {
      const v = await validateSessionToken(c.var.db, token, sessionPolicy(c.var.deps.config), c.var.deps.clock());
      if (v) {
        c.set("principal", principalFromSession(v.user, v.session.id, v.inputGuard));
        if (v.refreshed) setSessionCookie(c, token, v.session.expiresAt);
      } else {
        stale = true;
      }
    }
    await next();
    // Tell the browser to drop a dead cookie, unless this response already set a new one (login).
    const name = sessionCookieName(c.var.deps.config);
    if (stale && !c.res.headers.getSetCookie().some((l) => l.startsWith(`${name}=`))) clearSessionCookie(c);
  };
}

/** The authenticated principal; throws 401 when there is none. */
export function principalOf(c: AppContext): Principal {
  const p = c.var.principal;
  if (!p) throw errors.unauthenticated();
  return p;
}

export function requireAuth(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    principalOf(c);
    await next();
  };
}

export function requireScope(scope: ApiKeyScope): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const p = principalOf(c);
    if (!p.scopes.has(scope)) {
      throw errors.forbidden(
        scope === "admin" ? "this requires an organisation admin (and, for API keys, the admin scope)" : `this requires the '${scope}' scope`,
      );
    }
    await next();
  };
}

export function requireMethodScope(): MiddlewareHandler<AppEnv> {
  const read = requireScope("read");
  const write = requireScope("write");
  return (c, next) => (c.req.method === "GET" || c.req.method === "HEAD" ? read(c, next) : write(c, next));
}

export function requireAdmin(): MiddlewareHandler<AppEnv> {
  return requireScope("admin");
}

export function requireSession(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    if (principalOf(c).via !== "session") throw errors.forbidden("this needs a login session, not an API key");
    await next();
  };
}
