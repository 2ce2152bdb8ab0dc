// Guardian queries: organisation policies, the shared sliding-window counters, login throttles.
import { and, eq, inArray, lt, sql, type SQL } from "drizzle-orm";
import { queryRows, type Db } from "../client.ts";
import { guardianPolicies, loginThrottles, type GuardianPolicyRow } from "../schema/guardian.ts";

// ---------------------------------------------------------------------------------------------
// Policies

export async function findPolicyRow(db: Db, orgId: string): Promise<GuardianPolicyRow | undefined> {
  const [row] = await db.select().from(guardianPolicies).where(eq(guardianPolicies.orgId, orgId)).limit(1);
  return row;
}

export type PolicyValues = Omit<GuardianPolicyRow, "orgId" | "updatedAt" | "updatedBy">;

export async function upsertPolicyRow(
  db: Db,
  orgId: string,
  values: PolicyValues,
  by: { userId: string | null; at: Date },
): Promise<GuardianPolicyRow> {
  const set = { ...values, updatedAt: by.at, updatedBy: by.userId };
  const [row] = await db
    .insert(guardianPolicies)
    .values({ orgId, ...set })
    .onConflictDoUpdate({ target: guardianPolicies.orgId, set })
    .returning();
  return row!;
}

// ---------------------------------------------------------------------------------------------
// Sliding-window counters (two-window weighted counter)

/** Which policy column limits a key; the fallback applies when the organisation stored no policy. */
export type PolicyLimitColumn = "rate_limit_per_user" | "rate_limit_per_api_key" | "rate_limit_per_org";

export interface RateKey {
  key: string;
  windowMs: number;
  /** A fixed maximum, or the organisation's policy column with a fallback. */
  max: number | { orgId: string; column: PolicyLimitColumn; fallback: number };
}

export interface RateKeyState {
  key: string;
  allowed: boolean;
  count: number;
  prevCount: number;
  windowStart: number;
  windowMs: number;
  maxHits: number;
}

const POLICY_COLUMNS: Record<PolicyLimitColumn, SQL> = {
  rate_limit_per_user: sql`rate_limit_per_user`,
  rate_limit_per_api_key: sql`rate_limit_per_api_key`,
  rate_limit_per_org: sql`rate_limit_per_org`,
};

function maxExpr(max: RateKey["max"]): SQL {
  if (typeof max === "number") return sql`${Math.floor(max)}::int`;
  // Read in the same statement, so that a policy change applies to the very next request in
  // every process, at no extra round trip.
  return sql`coalesce((select ${POLICY_COLUMNS[max.column]} from guardian_policies where org_id = ${max.orgId}::uuid), ${Math.floor(max.fallback)}::int)`;
}

function valuesOf(keys: RateKey[], nowMs: number): SQL {
  return sql.join(
    keys.map((k) => {
      const windowStart = Math.floor(nowMs / k.windowMs) * k.windowMs;
      return sql`(${k.key}::text, ${k.windowMs}::int, ${windowStart}::bigint, ${nowMs}::bigint, ${maxExpr(k.max)})`;
    }),
    sql`, `,
  );
}

// The weighted estimate of the sliding window is prev × (time left in the current window /
// window) + current. It is compared multiplied out by the window length, in integers, so that
// the decision at the exact edge of a window is exact, not a floating-point accident.
// A refused hit is not counted: a client that keeps knocking is let in again as soon as its
// real rate allows. A stored window start later than ours (another process's clock runs a
// little ahead) counts as the same window.
const SAME = sql.raw(`(r.window_ms = excluded.window_ms and r.window_start >= excluded.window_start)`);
const PREV = sql.raw(`(r.window_ms = excluded.window_ms and r.window_start = excluded.window_start - excluded.window_ms)`);
const W = sql`(case when ${SAME} then r.window_start else excluded.window_start end)`;
const C = sql`(case when ${SAME} then r.count else 0 end)`;
const P = sql`(case when ${SAME} then r.prev_count when ${PREV} then r.count else 0 end)`;
const REM = sql`least(excluded.window_ms::bigint, greatest(0::bigint, ${W} + excluded.window_ms - excluded.last_hit_at))`;
const OK = sql`(${P}::bigint * ${REM} + (${C} + 1)::bigint * excluded.window_ms <= excluded.max_hits::bigint * excluded.window_ms)`;

function upsert(keys: RateKey[], nowMs: number, onlyIf: SQL): SQL {
  return sql`insert into rate_limit_counters as r
      (key, window_ms, window_start, count, prev_count, max_hits, allowed, last_hit_at, expires_at)
    select v.key, v.window_ms, v.window_start, case when v.max_hits >= 1 then 1 else 0 end, 0, v.max_hits,
      v.max_hits >= 1, v.now_ms, v.window_start + 2 * v.window_ms
    from (values ${valuesOf(keys, nowMs)}) as v(key, window_ms, window_start, now_ms, max_hits)
    where ${onlyIf}
    on conflict (key) do update set
      window_ms = excluded.window_ms,
      window_start = ${W},
      prev_count = ${P},
      count = ${C} + case when ${OK} then 1 else 0 end,
      max_hits = excluded.max_hits,
      allowed = ${OK},
      last_hit_at = greatest(r.last_hit_at, excluded.last_hit_at),
      expires_at = ${W} + 2 * excluded.window_ms
    returning r.key, r.allowed, r.count, r.prev_count, r.window_start, r.window_ms, r.max_hits`;
}

interface CounterRow {
  key: string;
  allowed: boolean;
  count: number | string;
  prev_count: number | string;
  window_start: number | string;
  window_ms: number | string;
  max_hits: number | string;
}

/**
 * Counts one hit on every key, in one statement (one round trip). `shared` keys (the
 * organisation) are only counted when every `own` key (user, API key, address) allowed the hit,
 * so that one client hammering past its own limit does not use up its colleagues' allowance.
 * Returns the state of each key that was counted or refused; a shared key missing from the
 * result was not reached.
 */
export async function hitRateLimits(db: Db, nowMs: number, own: RateKey[], shared: RateKey[] = []): Promise<RateKeyState[]> {
  const sortKeys = (ks: RateKey[]) => [...ks].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  // Rows are locked in key order, so that two requests never wait on each other's rows in a cycle.
  const first = sortKeys(dedupe(own));
  const second = sortKeys(dedupe(shared).filter((k) => !first.some((f) => f.key === k.key)));
  let query: SQL;
  if (first.length === 0 && second.length === 0) return [];
  if (second.length === 0) query = upsert(first, nowMs, sql`true`);
  else if (first.length === 0) query = upsert(second, nowMs, sql`true`);
  else {
    query = sql`with own as (${upsert(first, nowMs, sql`true`)}),
      shared as (${upsert(second, nowMs, sql`not exists (select 1 from own where not own.allowed)`)})
      select * from own union all select * from shared`;
  }
  const rows = await queryRows<CounterRow>(db, query);
  return rows.map((r) => ({
    key: r.key,
    allowed: r.allowed,
    count: Number(r.count),
    prevCount: Number(r.prev_count),
    windowStart: Number(r.window_start),
    windowMs: Number(r.window_ms),
    maxHits: Number(r.max_hits),
  }));
}

function dedupe(keys: RateKey[]): RateKey[] {
  const seen = new Map<string, RateKey>();
  for (const k of keys) if (!seen.has(k.key)) seen.set(k.key, k);
  return [...seen.values()];
}

/** Rows whose windows are both over say nothing; removes them. */
export async function purgeRateLimitCounters(db: Db, nowMs: number): Promise<number> {
  const rows = await queryRows<{ key: string }>(db, sql`delete from rate_limit_counters where expires_at < ${nowMs}::bigint returning key`);
  return rows.length;
}

// ---------------------------------------------------------------------------------------------
// Login throttles

/** The latest lock among the keys, if any is locked at `now`. */
export async function loginLockedUntil(db: Db, keys: string[], now: Date): Promise<Date | undefined> {
  if (keys.length === 0) return undefined;
  const rows = await db.select({ lockedUntil: loginThrottles.lockedUntil }).from(loginThrottles).where(inArray(loginThrottles.key, keys));
  let latest: Date | undefined;
  for (const r of rows) if (r.lockedUntil && r.lockedUntil > now && (!latest || r.lockedUntil > latest)) latest = r.lockedUntil;
  return latest;
}

export interface BackoffRule {
  /** Failures allowed before the first lock. */
  freeFailures: number;
  /** The first lock; each further failure doubles it. */
  baseLockMs: number;
  maxLockMs: number;
  /** Failures older than this are forgotten. */
  forgetAfterMs: number;
}

/**
 * Records a failed sign-in on each key; returns the lock now in force on any of them (if any).
 * The failure count and the lock are computed in the statement, so concurrent failures from
 * several processes add up.
 */
export async function recordLoginFailure(db: Db, keys: string[], now: Date, rule: BackoffRule): Promise<Date | undefined> {
  if (keys.length === 0) return undefined;
  const forgetBefore = new Date(now.getTime() - rule.forgetAfterMs);
  const values = sql.join(
    [...new Set(keys)].sort().map((k) => sql`(${k}::text, 1, ${now.toISOString()}::timestamptz, null::timestamptz)`),
    sql`, `,
  );
  const failures = sql`(case when t.last_failure_at < ${forgetBefore.toISOString()}::timestamptz then 1 else t.failures + 1 end)`;
  // lock = base × 2^(failures − free − 1), capped; computed in milliseconds as double precision.
  const lockMs = sql`least(${rule.maxLockMs}::float8, ${rule.baseLockMs}::float8 * power(2::float8, greatest(0, ${failures} - ${rule.freeFailures} - 1)))`;
  const rows = await queryRows<{ locked_until: string | Date | null }>(
    db,
    sql`insert into login_throttles as t (key, failures, last_failure_at, locked_until)
      select v.key, v.failures, v.at, case when ${rule.freeFailures} < 1
        then v.at + make_interval(secs => ${rule.baseLockMs}::float8 / 1000) else null end
      from (values ${values}) as v(key, failures, at, locked_until)
      where true
      on conflict (key) do update set
        failures = ${failures},
        last_failure_at = excluded.last_failure_at,
        locked_until = case when ${failures} > ${rule.freeFailures}
          then excluded.last_failure_at + make_interval(secs => ${lockMs} / 1000)
          else t.locked_until end
      returning t.locked_until`,
  );
  let latest: Date | undefined;
  for (const r of rows) {
    if (!r.locked_until) continue;
    const d = r.locked_until instanceof Date ? r.locked_until : new Date(r.locked_until);
    if (d > now && (!latest || d > latest)) latest = d;
  }
  return latest;
}

/** A successful sign-in forgets the account's failures (not the address's: others may guess from it). */
export async function clearLoginFailures(db: Db, key: string): Promise<void> {
  await db.delete(loginThrottles).where(eq(loginThrottles.key, key));
}

export async function purgeLoginThrottles(db: Db, olderThan: Date): Promise<void> {
  await db
    .delete(loginThrottles)
    .where(and(lt(loginThrottles.lastFailureAt, olderThan), sql`(${loginThrottles.lockedUntil} is null or ${loginThrottles.lockedUntil} < ${olderThan.toISOString()}::timestamptz)`));
}
