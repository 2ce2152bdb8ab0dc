// Parity benchmark: two 10-million-row tables on the local Postgres that differ in one row; the
// engine must name that row. Tables are generated server-side with generate_series (not timed),
// in a scratch database dropped afterwards.
//   npx tsx bench/diff.ts [rows] [--profiles] [--composite]      (DATABASE: BENCH_DATABASE_URL or TEST_DATABASE_URL or local)
import postgres from "postgres";
import { postgresConnection } from "../server/validate/connection.ts";
import { compareRelations } from "../server/validate/parity.ts";

const admin = process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test";
const rows = Number(process.argv.slice(2).find((a) => /^\d+$/.test(a)) ?? 10_000_000);
const withProfiles = process.argv.includes("--profiles");
// A composite key (customer, id) exercises the md5-prefix segmentation used for non-integer keys.
const composite = process.argv.includes("--composite");
const dbName = `dm_bench_diff_${process.pid}`;

const a = postgres(admin, { max: 1, onnotice: () => {} });
await a.unsafe(`create database "${dbName}"`);
const u = new URL(admin);
u.pathname = `/${dbName}`;
const url = u.toString();
const setup = postgres(url, { max: 2, onnotice: () => {} });
try {
  const t0 = Date.now();
  const gen = (schema: string) =>
    setup.unsafe(`
      create schema ${schema};
      create table ${schema}.events (id bigint not null, customer text, amount numeric(12,2), happened timestamp(3), flag boolean);
      insert into ${schema}.events
        select g, 'customer ' || (g % 100000), (g % 100000) / 100.0, timestamp '2020-01-01' + g * interval '1 second', g % 3 = 0
        from generate_series(1, ${rows}) g;
      alter table ${schema}.events add primary key (id);
      analyze ${schema}.events;`).simple();
  await Promise.all([gen("l"), gen("r")]);
  const target = Math.floor(rows * 0.7317);
  await setup.unsafe(`update r.events set amount = amount + 0.01 where id = ${target}`);
  console.log(`generated 2 × ${rows.toLocaleString("en")} rows in ${((Date.now() - t0) / 1000).toFixed(1)} s; planted a change at id ${target}`);

  const left = postgresConnection(url, { applicationName: "bench-diff-l" });
  const right = postgresConnection(url, { applicationName: "bench-diff-r" });
  const t1 = Date.now();
  const r = await compareRelations({ connection: left, relation: { schema: "l", name: "events" } }, { connection: right, relation: { schema: "r", name: "events" } }, { key: composite ? ["customer", "id"] : ["id"], profiles: withProfiles });
  const secs = (Date.now() - t1) / 1000;
  await left.close();
  await right.close();
  const named = r.differences.map((d) => `${d.kind} ${JSON.stringify(d.key)}${d.kind === "changed" ? " " + d.columns.map((c) => `${c.column}: ${String(c.left)} → ${String(c.right)}`).join(", ") : ""}`);
  console.log(`compared in ${secs.toFixed(1)} s (mode ${r.stats.mode}, ${r.stats.segments} segments, ${r.stats.queries} queries, ${r.stats.rowsFetched} rows fetched, profiles ${withProfiles ? "on" : "off"}, key ${composite ? "(customer, id)" : "id"})`);
  console.log(`differences: ${named.join("; ")}`);
  const ok = r.differences.length === 1 && r.differences[0]!.kind === "changed" && String(r.differences[0]!.key.id) === String(target);
  console.log(ok ? "OK: the planted row was named" : "FAIL: the planted row was not named exactly");
  if (!ok) process.exitCode = 1;
} finally {
  await setup.end({ timeout: 5 });
  await a.unsafe(`drop database if exists "${dbName}" with (force)`);
  await a.end({ timeout: 5 });
}
