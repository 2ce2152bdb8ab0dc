import { describe, expect, it } from "vitest";
import { withTestDb } from "../../test/support/db.ts";
import { upsertPolicyRow } from "../db/queries/guardian.ts";
import { organizations } from "../db/schema/organizations.ts";
import { DEFAULT_POLICY } from "./policies.ts";
import {
  checkRateLimits,
  loginRetryAfter,
  msUntilAllowed,
  noteLoginFailure,
  noteLoginSuccess,
  type LoginThrottleRules,
  type RateKey,
} from "./rate-limit.ts";

const testDb = withTestDb();
const MIN = 60_000;
// A window boundary, so that offsets below read as "seconds into the window".
const T0 = Date.UTC(2030, 0, 1, 0, 0, 0);

let n = 0;
const fresh = (max: number): RateKey => ({ key: `test:${++n}`, windowMs: MIN, max });

async function hits(key: RateKey, at: number, times: number): Promise<boolean[]> {
  const out: boolean[] = [];
  for (let i = 0; i < times; i++) out.push((await checkRateLimits(testDb.db, at, [key])).allowed);
  return out;
}

describe("sliding window", () => {
  it("allows exactly max hits in a window and refuses the next", async () => {
    const k = fresh(10);
    const r = await hits(k, T0 + 1_000, 11);
    expect(r.filter(Boolean)).toHaveLength(10);
    expect(r[10]).toBe(false);
  });

  it("is not a fixed window: a full window still counts right after the boundary, and slides out in proportion", async () => {
    const k = fresh(10);
    // All ten in the last millisecond of window 0.
    expect(await hits(k, T0 + MIN - 1, 10)).toEqual(Array(10).fill(true));
    // A fixed window would reset here; the sliding window still sees 10 × (60/60) = 10.
    expect(await hits(k, T0 + MIN, 1)).toEqual([false]);
    // 10 × (54.001/60) + 1 = 10.0001 > 10: refused one millisecond before the edge...
    expect(await hits(k, T0 + MIN + 5_999, 1)).toEqual([false]);
    // ...and 10 × (54/60) + 1 = 10 ≤ 10: allowed exactly at it.
    expect(await hits(k, T0 + MIN + 6_000, 1)).toEqual([true]);
    // Now 10 × 0.9 + 1 = 10: full again until another 6 s slide out.
    expect(await hits(k, T0 + MIN + 6_000, 1)).toEqual([false]);
    expect(await hits(k, T0 + MIN + 12_000, 1)).toEqual([true]);
  });

  it("forgets a window two windows back", async () => {
    const k = fresh(3);
    expect(await hits(k, T0 + 10, 3)).toEqual([true, true, true]);
    expect(await hits(k, T0 + 2 * MIN, 3)).toEqual([true, true, true]);
  });

  it("refused hits are not counted", async () => {
    const k = fresh(2);
    await hits(k, T0 + 1_000, 50);
    // 2 counted in window 0; at 30 s into window 1 the estimate is 2 × 0.5 = 1, so one more fits.
    expect(await hits(k, T0 + MIN + 30_000, 2)).toEqual([true, false]);
  });

  it("Retry-After is the exact time until the next hit fits", async () => {
    const k = fresh(10);
    await hits(k, T0 + MIN - 1, 10);
    const d = await checkRateLimits(testDb.db, T0 + MIN + 1_000, [k]);
    expect(d.allowed).toBe(false);
    // Allowed at T0 + MIN + 6000 (see above): 5 s from now.
    expect(d.retryAfterSeconds).toBe(5);
    expect(msUntilAllowed(d.refusedBy!, T0 + MIN + 1_000)).toBe(5_000);
    const later = await checkRateLimits(testDb.db, T0 + MIN + 1_000 + 5_000, [k]);
    expect(later.allowed).toBe(true);
  });

  it("a full current window waits for the next one", () => {
    // count 10 of 10 in the current window, nothing before: next window at +60 s, then 10 × rem ≤ 9 × 60 → 6 s more.
    const ms = msUntilAllowed({ key: "k", allowed: false, count: 10, prevCount: 0, windowStart: T0, windowMs: MIN, maxHits: 10 }, T0 + 20_000);
    expect(ms).toBe(40_000 + 6_000);
  });

  it("keys count independently", async () => {
    const a = fresh(1);
    const b = fresh(1);
    expect(await hits(a, T0, 2)).toEqual([true, false]);
    expect(await hits(b, T0, 1)).toEqual([true]);
  });

  it("counts the shared (organisation) key only when the own key allowed the hit", async () => {
    const user = fresh(2);
    const org = fresh(100);
    for (let i = 0; i < 10; i++) await checkRateLimits(testDb.db, T0 + 500, [user], [org]);
    const other = fresh(100);
    const d = await checkRateLimits(testDb.db, T0 + 500, [other], [org]);
    expect(d.allowed).toBe(true);
    const orgState = d.states.find((s) => s.key === org.key)!;
    // Two of the user's hits passed their own limit, plus this one.
    expect(orgState.count).toBe(3);
  });

  it("the organisation's key refuses when the organisation is over its limit", async () => {
    const org = fresh(3);
    const results: boolean[] = [];
    for (let i = 0; i < 5; i++) results.push((await checkRateLimits(testDb.db, T0 + 100, [fresh(100)], [org])).allowed);
    expect(results).toEqual([true, true, true, false, false]);
  });

  it("takes the limit from the organisation's stored policy, in the same statement", async () => {
    const [org] = await testDb.db.insert(organizations).values({ name: "limits" }).returning();
    const key: RateKey = { key: `user:policy-${org!.id}`, windowMs: MIN, max: { orgId: org!.id, column: "rate_limit_per_user", fallback: 5 } };
    expect((await hits(key, T0 + 10, 6)).filter(Boolean)).toHaveLength(5);
    await upsertPolicyRow(testDb.db, org!.id, { ...DEFAULT_POLICY, rateLimitPerUser: 8 }, { userId: null, at: new Date(T0) });
    // 5 counted; the new limit 8 lets 3 more in.
    expect((await hits(key, T0 + 20, 5)).filter(Boolean)).toHaveLength(3);
  });

  it("concurrent hits on one key never exceed the limit", async () => {
    const k = fresh(20);
    const results = await Promise.all(Array.from({ length: 40 }, () => checkRateLimits(testDb.db, T0 + 5, [k])));
    expect(results.filter((r) => r.allowed)).toHaveLength(20);
  });
});

describe("login throttling", () => {
  const rules: LoginThrottleRules = {
    account: { freeFailures: 3, baseLockMs: 2_000, maxLockMs: 10_000, forgetAfterMs: 15 * MIN },
    ip: { freeFailures: 100, baseLockMs: 2_000, maxLockMs: 10_000, forgetAfterMs: 15 * MIN },
  };

  it("locks an account after the free failures, doubling the lock up to the cap", async () => {
    const email = `victim${++n}@example.com`;
    const ip = `10.9.0.${n % 250}`;
    let t = T0;
    const at = () => new Date(t);
    for (let i = 0; i < 3; i++) expect(await noteLoginFailure(testDb.db, email, ip, at(), rules)).toBe(0);
    expect(await loginRetryAfter(testDb.db, email, ip, at())).toBe(0);
    expect(await noteLoginFailure(testDb.db, email, ip, at(), rules)).toBe(2);
    // Same account, different case, other address: still locked.
    expect(await loginRetryAfter(testDb.db, email.toUpperCase(), "10.8.0.1", at())).toBe(2);
    t += 2_000;
    expect(await loginRetryAfter(testDb.db, email, ip, at())).toBe(0);
    expect(await noteLoginFailure(testDb.db, email, ip, at(), rules)).toBe(4);
    t += 4_000;
    expect(await noteLoginFailure(testDb.db, email, ip, at(), rules)).toBe(8);
    t += 8_000;
    expect(await noteLoginFailure(testDb.db, email, ip, at(), rules)).toBe(10);
    t += 10_000;
    // A success forgets the account's failures.
    await noteLoginSuccess(testDb.db, email);
    expect(await noteLoginFailure(testDb.db, email, ip, at(), rules)).toBe(0);
  });

  it("locks an address that fails on many accounts", async () => {
    const ip = `10.7.${++n % 250}.1`;
    const r: LoginThrottleRules = { ...rules, ip: { ...rules.ip, freeFailures: 4 } };
    for (let i = 0; i < 4; i++) expect(await noteLoginFailure(testDb.db, `a${n}-${i}@example.com`, ip, new Date(T0), r)).toBe(0);
    expect(await noteLoginFailure(testDb.db, `a${n}-x@example.com`, ip, new Date(T0), r)).toBe(2);
    expect(await loginRetryAfter(testDb.db, `someone-else${n}@example.com`, ip, new Date(T0 + 1_000))).toBe(1);
  });

  it("forgets failures after the forget period", async () => {
    const email = `forget${++n}@example.com`;
    for (let i = 0; i < 3; i++) await noteLoginFailure(testDb.db, email, null, new Date(T0), rules);
    expect(await noteLoginFailure(testDb.db, email, null, new Date(T0 + 16 * MIN), rules)).toBe(0);
  });
});
