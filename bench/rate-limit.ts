// Guardian per-request costs: the Postgres-backed sliding-window limiter (one UPSERT … RETURNING
// per request), the input guard's detection on typical request inputs (at the default CRS
// paranoia level and at 4), and the output guard.
//   npx tsx bench/rate-limit.ts            (TEST_DATABASE_URL=postgres://... adds the Postgres rows)
import { sql } from "drizzle-orm";
import type { Db } from "../server/db/client.ts";
import { upsertPolicyRow } from "../server/db/queries/guardian.ts";
import { organizations } from "../server/db/schema/organizations.ts";
import { DEFAULT_PARANOIA_LEVEL } from "../server/guardian/detect/crs/index.ts";
import { scanInputs, type RequestInput } from "../server/guardian/middleware.ts";
import { TYPICAL_REQUEST_INPUTS } from "./typical-request.ts";
import { guardModelSql } from "../server/guardian/output-guard.ts";
import { DEFAULT_POLICY } from "../server/guardian/policies.ts";
import { checkRateLimits, type RateKey } from "../server/guardian/rate-limit.ts";
import { createTestDb } from "../test/support/db.ts";

const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))]!;
const f3 = (x: number) => x.toFixed(3);

async function timeIt(n: number, f: (i: number) => unknown): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    await f(i);
    out.push(performance.now() - t0);
  }
  return out;
}

const row = (label: string, xs: number[]) => `| ${label} | ${f3(pct(xs, 50))} | ${f3(pct(xs, 95))} | ${xs.length} |`;

async function limiter(label: string) {
  const t = await createTestDb();
  try {
    const db: Db = t.db;
    const [org] = await db.insert(organizations).values({ name: "bench" }).returning();
    await upsertPolicyRow(db, org!.id, { ...DEFAULT_POLICY, rateLimitPerUser: 1_000_000, rateLimitPerOrg: 1_000_000 }, { userId: null, at: new Date() });
    const N = 2000;
    const base = Date.now();
    const user: RateKey = { key: "user:bench", windowMs: 60_000, max: { orgId: org!.id, column: "rate_limit_per_user", fallback: 100 } };
    const orgKey: RateKey = { key: `org:${org!.id}`, windowMs: 60_000, max: { orgId: org!.id, column: "rate_limit_per_org", fallback: 1000 } };
    // Warm-up: connection, plan cache.
    await timeIt(200, (i) => checkRateLimits(db, base + i, [user], [orgKey]));
    const ping = await timeIt(N, () => db.execute(sql`select 1`));
    const one = await timeIt(N, (i) => checkRateLimits(db, base + i * 10, [{ key: "ip:bench", windowMs: 60_000, max: 1_000_000 }]));
    const two = await timeIt(N, (i) => checkRateLimits(db, base + i * 10, [user], [orgKey]));
    // Many distinct users (a new row each): insert path rather than update.
    const fresh = await timeIt(N, (i) => checkRateLimits(db, base, [{ ...user, key: `user:fresh-${i}` }], [orgKey]));
    console.log(`\n${label}`);
    console.log("| operation | p50 ms | p95 ms | n |\n|---|---|---|---|");
    console.log(row("round trip `select 1` (floor)", ping));
    console.log(row("limit, one key (address)", one));
    console.log(row("limit, user + organisation (policy read in the statement)", two));
    console.log(row("limit, new user each time + organisation", fresh));
  } finally {
    await t.dispose();
  }
}

function detection() {
  const typical: RequestInput[] = [...TYPICAL_REQUEST_INPUTS];
  const attack: RequestInput[] = [
    ...typical.slice(0, 3),
    { location: "query", name: "q", value: "1' union select password, email from users -- " },
    { location: "json", name: "note", value: "%3Cimg%20src%3Dx%20onerror%3Dalert(document.cookie)%3E" },
  ];
  const large: RequestInput[] = Array.from({ length: 75 }, (_, i) => ({
    location: "json" as const,
    name: `items.${i}.description`,
    value: `Row ${i}: quarterly figures for the O'Brien & Sons account, adjusted (see note ${i}); ${"lorem ipsum dolor sit amet ".repeat(30)}`,
  }));
  for (const pl of [DEFAULT_PARANOIA_LEVEL, 4]) {
    for (let i = 0; i < 300; i++) scanInputs(typical, pl);
    const N = 3000;
    const t = [] as number[];
    const a = [] as number[];
    for (let i = 0; i < N; i++) {
      let t0 = performance.now();
      scanInputs(typical, pl);
      t.push(performance.now() - t0);
      t0 = performance.now();
      scanInputs(attack, pl);
      a.push(performance.now() - t0);
    }
    const l = [] as number[];
    for (let i = 0; i < 20; i++) {
      const t0 = performance.now();
      scanInputs(large, pl);
      l.push(performance.now() - t0);
    }
    const perInput = t.map((x) => x / typical.length);
    console.log(`\nInput guard (scanInputs: detectSqli + detectXss + the CRS 941/942 rules at paranoia level ${pl}${pl === DEFAULT_PARANOIA_LEVEL ? ", the default" : ""}, per value)`);
    console.log("| request | p50 ms | p95 ms | n |\n|---|---|---|---|");
    console.log(row(`typical request (${typical.length} inputs)`, t));
    console.log(row("  per input", perInput));
    console.log(row(`request with two attacks (${attack.length} inputs)`, a));
    console.log(row("64 KB JSON body of prose (75 strings × ~850 chars; the API body limit)", l));
  }
}

function outputGuard() {
  const model = `with orders as (
  select o.id, o.customer_id, o.ordered_at, o.amount
  from "analytics"."staging"."stg_orders" o
  where o.status <> 'cancelled'
), totals as (
  select customer_id, sum(amount) over (partition by customer_id order by ordered_at) as running_total,
         row_number() over (partition by customer_id order by ordered_at desc) as rn
  from orders
)
select c.id, c.name, t.running_total, coalesce(c.attributes->>'segment', 'none') as segment
from "analytics"."staging"."stg_customers" c
left join lateral (select running_total from totals where totals.customer_id = c.id and rn = 1) t on true`;
  for (let i = 0; i < 200; i++) guardModelSql(model);
  const xs: number[] = [];
  for (let i = 0; i < 2000; i++) {
    const t0 = performance.now();
    guardModelSql(model);
    xs.push(performance.now() - t0);
  }
  console.log("\nOutput guard (guardModelSql, libpg-query WASM parse + tree walk)");
  console.log("| model | p50 ms | p95 ms | n |\n|---|---|---|---|");
  console.log(row(`CTEs + window functions + lateral + json (${model.length} chars)`, xs));
}

const url = process.env.TEST_DATABASE_URL;
delete process.env.TEST_DATABASE_URL;
await limiter("Rate limiter on PGlite (in memory)");
if (url) {
  process.env.TEST_DATABASE_URL = url;
  await limiter("Rate limiter on Postgres (loopback)");
}
detection();
outputGuard();
