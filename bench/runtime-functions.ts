// Per-row cost of the T-SQL runtime functions against the native Postgres expression they replace
// (or the closest one), on the Postgres server named by TEST_DATABASE_URL and on PGlite.
//   npx tsx bench/runtime-functions.ts [rows]
// Each query aggregates over generate_series so only the function cost is measured; best of 3 runs.
import { PGlite } from "@electric-sql/pglite";
import postgres from "postgres";
import { installSql } from "../server/translate/runtime/registry.ts";

const ROWS = Number(process.argv[2] ?? 200_000);
const S = `bench_rt_${process.pid}`;
const ts = `(timestamp '2000-01-01' + g * interval '37 minutes')`;
const str = `('  Value ' || g || ' abc   ')`;

// [label, runtime expression, native Postgres expression or null, rows divisor]
const cases: [string, string, string | null, number][] = [
  ["DATEDIFF(month)", `${S}.tsql_datediff('month', ${ts}, timestamp '2030-06-15')`, `((extract(year FROM timestamp '2030-06-15') - extract(year FROM ${ts})) * 12 + extract(month FROM timestamp '2030-06-15') - extract(month FROM ${ts}))::int`, 1],
  ["DATEDIFF(week)", `${S}.tsql_datediff('week', ${ts}, timestamp '2030-06-15')`, `((date '2030-06-15' - ${ts}::date) / 7)`, 1],
  ["DATEADD(month)", `${S}.tsql_dateadd('month', 1, ${ts})`, `${ts} + interval '1 month'`, 1],
  ["DATEPART(weekday)", `${S}.tsql_datepart('weekday', ${ts})`, `extract(dow FROM ${ts})::int + 1`, 1],
  ["DATENAME(month)", `${S}.tsql_datename('month', ${ts})`, `to_char(${ts}, 'FMMonth')`, 1],
  ["datetime rounding", `${S}.tsql_datetime(${ts})`, `${ts}::timestamp(3)`, 1],
  ["LEN", `${S}.tsql_len(${str})`, `char_length(${str})`, 1],
  ["CHARINDEX (CI)", `${S}.tsql_charindex('ABC', ${str})`, `strpos(${str}, 'abc')`, 1],
  ["LEFT", `${S}.tsql_left(${str}, 5)`, `left(${str}, 5)`, 1],
  ["ci key (= GROUP BY)", `${S}.tsql_ci_key(${str})`, `lower(${str})`, 1],
  ["ci sort key (ORDER BY)", `${S}.tsql_ci_sort_key(${str})`, `lower(${str})`, 1],
  ["LIKE (run-time pattern)", `${S}.tsql_like(${str}, '%VALUE 1%')::int`, `(${str} ILIKE '%VALUE 1%')::int`, 1],
  ["PATINDEX", `${S}.tsql_patindex('%[0-9]%', ${str})`, `strpos(${str}, '1')`, 1],
  ["CAST(varchar AS int)", `${S}.tsql_cast_int(g::text)`, `g::text::int`, 1],
  ["TRY_CAST(varchar AS float)", `${S}.tsql_try_cast_float(g::text)`, `g::text::float8`, 4],
  ["ROUND(float)", `${S}.tsql_round(g / 7.0::float8, 2)`, `round((g / 7.0::float8)::numeric, 2)::float8`, 1],
  ["CONVERT(varchar, dt, 120)", `${S}.tsql_convert_dt(${ts}, 120)`, `to_char(${ts}, 'YYYY-MM-DD HH24:MI:SS')`, 1],
  ["CONVERT(datetime, s, 103)", `${S}.tsql_convert_to_datetime(to_char(${ts}, 'DD/MM/YYYY'), 103)`, `to_timestamp(to_char(${ts}, 'DD/MM/YYYY'), 'DD/MM/YYYY')`, 4],
  ["FORMAT(n, 'N2')", `${S}.tsql_format(g * 1.5, 'N2')`, `to_char(g * 1.5, 'FM999,999,999,990.00')`, 4],
  ["FORMAT(d, 'dd/MM/yyyy')", `${S}.tsql_format(${ts}, 'dd/MM/yyyy')`, `to_char(${ts}, 'DD/MM/YYYY')`, 4],
  ["JSON_VALUE", `${S}.tsql_json_value('{"a":{"b":' || g || '}}', '$.a.b')`, `('{"a":{"b":' || g || '}}')::json #>> '{a,b}'`, 4],
  ["HASHBYTES SHA2_256 (varchar)", `length(${S}.tsql_hashbytes('SHA2_256', ${str}))`, `length(sha256(convert_to(${str}, 'UTF8')))`, 20],
  ["HASHBYTES SHA1 (PL/pgSQL)", `length(${S}.tsql_hashbytes('SHA1', ${str}))`, null, 200],
];

interface Runner { name: string; run(sql: string): Promise<void>; close(): Promise<void> }

async function time(r: Runner, expr: string, rows: number): Promise<number> {
  const q = `SELECT count(${expr}) FROM generate_series(1, ${rows}) g`;
  let best = Infinity;
  for (let i = 0; i < 3; i++) {
    const t0 = performance.now();
    await r.run(q);
    best = Math.min(best, performance.now() - t0);
  }
  return best;
}

async function main() {
  const runners: Runner[] = [];
  const url = process.env.TEST_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test";
  try {
    const sql = postgres(url, { max: 1, onnotice: () => {} });
    await sql`select 1`;
    await sql.unsafe(installSql(undefined, { schema: S })).simple();
    const v = (await sql.unsafe("select current_setting('server_version') as v"))[0]?.v;
    runners.push({ name: `Postgres ${v}`, run: async (q) => void (await sql.unsafe(q)), close: async () => { await sql.unsafe(`DROP SCHEMA ${S} CASCADE`); await sql.end(); } });
  } catch (e) {
    console.error(`Postgres server not reachable (${(e as Error).message}); PGlite only`);
  }
  const pg = await PGlite.create();
  await pg.exec(installSql(undefined, { schema: S }));
  runners.push({ name: "PGlite 0.5.16", run: async (q) => void (await pg.query(q)), close: () => pg.close() });

  console.log(`| function | rows | ${runners.map((r) => `${r.name}: runtime µs/row | native µs/row`).join(" | ")} |`);
  console.log(`|---|---|${runners.map(() => "---|---").join("|")}|`);
  for (const [label, rt, native, div] of cases) {
    const rows = Math.max(1000, Math.floor(ROWS / div));
    const cells: string[] = [];
    for (const r of runners) {
      const a = await time(r, rt, rows);
      const b = native ? await time(r, native, rows) : NaN;
      cells.push(`${((a * 1000) / rows).toFixed(2)} | ${native ? ((b * 1000) / rows).toFixed(2) : "–"}`);
    }
    console.log(`| ${label} | ${rows} | ${cells.join(" | ")} |`);
  }
  for (const r of runners) await r.close();
}

await main();
