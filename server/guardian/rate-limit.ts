// Rate limiting shared by every server process: a sliding window (two-window weighted counter)
// kept in Postgres, one UPSERT … RETURNING per request for all of its keys (user or API key or
// address, then the organisation). See server/db/queries/guardian.ts for the statement.
//
// Why the weighted counter and not a fixed window: a fixed window lets a client send its whole
// allowance at the end of one window and again at the start of the next (2× the limit within a
// second). The weighted counter treats the previous window's hits as spread evenly and counts
// the part of it that still lies within the last `windowMs`.
//
// Login throttling is separate: failed sign-ins per account and per address, with a lock that
// doubles on every further failure (exponential back-off).
import { createHash } from "node:crypto";
import type { Db } from "../db/client.ts";
import {
  clearLoginFailures,
  hitRateLimits,
  loginLockedUntil,
  purgeLoginThrottles,
  purgeRateLimitCounters,
  recordLoginFailure,
  type BackoffRule,
  type RateKey,
  type RateKeyState,
} from "../db/queries/guardian.ts";

export type { RateKey, RateKeyState } from "../db/queries/guardian.ts";

export interface RateDecision {
  allowed: boolean;
  /** When refused: whole seconds until a hit on the refusing key would be allowed (≥ 1). */
  retryAfterSeconds: number;
  /** When refused: the key that refused. */
  refusedBy?: RateKeyState;
  states: RateKeyState[];
}

/**
 * Milliseconds from `nowMs` until one more hit fits under the key's limit, assuming no other
 * hits arrive meanwhile. Exact inverse of the decision in the SQL:
 *   allowed ⇔ prev × remaining + (count + 1) × window ≤ max × window
 */
export function msUntilAllowed(s: RateKeyState, nowMs: number): number {
  const { windowStart: ws, windowMs: win, count: c, prevCount: p, maxHits: max } = s;
  if (max < 1) return win * 2;
  let at: number;
  if (c + 1 <= max) {
    // Still in this window: wait until enough of the previous window has slid out.
    if (p === 0) return 0;
    at = ws + win - Math.floor(((max - c - 1) * win) / p);
  } else {
    // This window's own count is full: wait for the next one, where this count becomes "previous".
    const next = ws + win;
    at = next + win - Math.floor(((max - 1) * win) / c);
    at = Math.max(at, next);
  }
  return Math.max(0, at - nowMs);
}

/** Purges stale counters now and then (one delete per ~N decisions per process), not on every request. */
const PURGE_EVERY = 2_000;
let sincePurge = 0;

export async function checkRateLimits(db: Db, nowMs: number, own: RateKey[], shared: RateKey[] = []): Promise<RateDecision> {
  const states = await hitRateLimits(db, nowMs, own, shared);
  if (++sincePurge >= PURGE_EVERY) {
    sincePurge = 0;
    // Failure to purge is harmless (rows only accumulate): never fail the request for it.
    void purgeRateLimitCounters(db, nowMs).catch(() => {});
    void purgeLoginThrottles(db, new Date(nowMs - 24 * 3_600_000)).catch(() => {});
  }
  const refused = states.filter((s) => !s.allowed);
  if (refused.length === 0) return { allowed: true, retryAfterSeconds: 0, states };
  let worst = refused[0]!;
  let worstMs = msUntilAllowed(worst, nowMs);
  for (const s of refused.slice(1)) {
    const ms = msUntilAllowed(s, nowMs);
    if (ms > worstMs) {
      worst = s;
      worstMs = ms;
    }
  }
  return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil(worstMs / 1000)), refusedBy: worst, states };
}

// ---------------------------------------------------------------------------------------------
// Login throttling

export interface LoginThrottleRules {
  account: BackoffRule;
  ip: BackoffRule;
}

export const DEFAULT_LOGIN_THROTTLE: LoginThrottleRules = {
  // Five wrong passwords are a typo streak; after that 5 s, 10 s, 20 s … up to 15 min per try.
  account: { freeFailures: 5, baseLockMs: 5_000, maxLockMs: 15 * 60_000, forgetAfterMs: 15 * 60_000 },
  // One address may serve a whole office (NAT): more slack before it backs off.
  ip: { freeFailures: 20, baseLockMs: 5_000, maxLockMs: 15 * 60_000, forgetAfterMs: 15 * 60_000 },
};

/** Accounts are keyed by a hash of the normalised e-mail, so the table holds no address book. */
export function loginAccountKey(email: string): string {
  return `login:acct:${createHash("sha256").update(email.trim().toLowerCase()).digest("hex").slice(0, 32)}`;
}

export function loginIpKey(ip: string | null): string {
  return `login:ip:${ip ?? "unknown"}`;
}

/** Seconds until sign-in is allowed again for this account or address; 0 when it is allowed now. */
export async function loginRetryAfter(db: Db, email: string, ip: string | null, now: Date): Promise<number> {
  const until = await loginLockedUntil(db, [loginAccountKey(email), loginIpKey(ip)], now);
  return until ? Math.max(1, Math.ceil((until.getTime() - now.getTime()) / 1000)) : 0;
}

/** Records a failed sign-in; returns the seconds of the lock it caused (0: none). */
export async function noteLoginFailure(
  db: Db,
  email: string,
  ip: string | null,
  now: Date,
  rules: LoginThrottleRules = DEFAULT_LOGIN_THROTTLE,
): Promise<number> {
  const a = await recordLoginFailure(db, [loginAccountKey(email)], now, rules.account);
  const i = await recordLoginFailure(db, [loginIpKey(ip)], now, rules.ip);
  const until = [a, i].filter((d): d is Date => d !== undefined).sort((x, y) => y.getTime() - x.getTime())[0];
  return until ? Math.max(1, Math.ceil((until.getTime() - now.getTime()) / 1000)) : 0;
}

export async function noteLoginSuccess(db: Db, email: string): Promise<void> {
  await clearLoginFailures(db, loginAccountKey(email));
}
