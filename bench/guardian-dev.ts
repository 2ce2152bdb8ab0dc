// Development set for Guardian's own SQL-injection and XSS detectors (sqli.ts, xss.ts), built
// from public attack lists that are NOT in this repository and not the evaluation sets of
// ../shared/security (those are for measuring only):
//   npx tsx bench/guardian-dev.ts --libinjection DIR [--patt DIR] [--misses FILE-SUBSTRING] [--fp]
//   (env GUARDIAN_DEV_LIBINJECTION / GUARDIAN_DEV_PATT instead of the flags)
// --libinjection: the data/ folder of client9/libinjection (sqli-*.txt, xss-*.txt: one URL-encoded
//   input a line, as its reader decodes them; false_positives.txt: benign).
// --patt: a PayloadsAllTheThings checkout (or a folder holding its "SQL Injection/Intruder" and
//   "XSS Injection/Intruders" lists; one raw payload a line).
// Prints, per file: recall of the family's own detector (detectSqli / detectXss), of either own
// detector, and of the input guard at paranoia level 1 (detectRequestAttack: own detectors OR the
// CRS rules); variants built from the SQL lists (the payload as a URL path segment, and with its
// quotes written as Unicode look-alikes); false positives on libinjection's false_positives.txt,
// on the hand-written product inputs (detect/crs/benign-samples.ts and the list below) and on
// benign paths; µs per input.
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { basename, join, resolve } from "node:path";
import { detectSqli, detectXss, type Detection } from "../server/guardian/detect/index.ts";
import { detectRequestAttack, ownRequestVerdict, type CrsInput } from "../server/guardian/detect/crs/index.ts";
import { BENIGN_SAMPLES } from "../server/guardian/detect/crs/benign-samples.ts";

const args = process.argv.slice(2);
const opt = (name: string) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const libDir = opt("--libinjection") ?? process.env.GUARDIAN_DEV_LIBINJECTION;
const pattDir = opt("--patt") ?? process.env.GUARDIAN_DEV_PATT;
const showMisses = opt("--misses");
const showFp = args.includes("--fp");
if (!libDir && !pattDir) {
  process.stderr.write("bench/guardian-dev.ts: give --libinjection DIR (libinjection's data/) and/or --patt DIR (PayloadsAllTheThings)\n");
  process.exit(2);
}

/** libinjection's reader: %HH and '+' decoded (modp_url_decode); invalid escapes kept. */
function modpUrlDecode(s: string): string {
  const bytes: number[] = [];
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (c === "+") bytes.push(0x20);
    else if (c === "%" && /^[0-9a-fA-F]{2}$/.test(s.slice(i + 1, i + 3))) {
      bytes.push(parseInt(s.slice(i + 1, i + 3), 16));
      i += 2;
    } else for (const b of Buffer.from(c, "utf8")) bytes.push(b);
  }
  const buf = Buffer.from(bytes);
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(buf);
  } catch {
    return buf.toString("latin1");
  }
}

interface DevFile {
  name: string;
  family: "sqli" | "xss";
  rows: string[];
}

function readLines(path: string, decode: boolean): string[] {
  const out: string[] = [];
  const lines = readFileSync(path, "utf8").split(/\r?\n/);
  lines.forEach((l, i) => {
    if (!l.trim() || l.startsWith("#")) return;
    try {
      out.push(decode ? modpUrlDecode(l) : l);
    } catch (e) {
      process.stderr.write(`${path}:${i + 1}: unreadable line (${String(e)})\n`);
    }
  });
  return out;
}

const attackFiles: DevFile[] = [];
let libBenign: string[] = [];
if (libDir) {
  const d = resolve(libDir);
  if (!existsSync(d)) {
    process.stderr.write(`bench/guardian-dev.ts: --libinjection ${d} does not exist\n`);
    process.exit(2);
  }
  for (const f of readdirSync(d).sort()) {
    const m = /^(sqli|xss)-.*\.txt$/.exec(f);
    if (m) attackFiles.push({ name: `libinjection/${f}`, family: m[1] as "sqli" | "xss", rows: readLines(join(d, f), true) });
  }
  if (existsSync(join(d, "false_positives.txt"))) libBenign = readLines(join(d, "false_positives.txt"), true);
}
// Lists of event-handler NAMES only (no payload) are not attacks on their own.
const NOT_PAYLOADS = new Set(["0xcela_event_handlers.txt", "port_swigger_xss_cheatsheet_event_handlers.txt"]);
if (pattDir) {
  const d = resolve(pattDir);
  for (const [sub, family] of [["SQL Injection/Intruder", "sqli"], ["XSS Injection/Intruders", "xss"]] as const) {
    const p = join(d, sub);
    if (!existsSync(p)) {
      process.stderr.write(`bench/guardian-dev.ts: ${p} does not exist\n`);
      continue;
    }
    for (const f of readdirSync(p).sort()) {
      if (NOT_PAYLOADS.has(f) || !statSync(join(p, f)).isFile()) continue;
      attackFiles.push({ name: `patt/${family}/${f}`, family, rows: readLines(join(p, f), false) });
    }
  }
}

// Realistic product inputs written for this script (not from any test set): object names,
// people, descriptions that use SQL words, dates, percentages, e-mail addresses, file names.
const PRODUCT_BENIGN: string[] = [
  "dbo.[Order Details]", "[dbo].[Customers]", "Sales.SalesOrderHeader", "O'Brien", "O’Brien", "D’Angelo", "Miles O´Keefe", "l’été", "Rock ’n’ roll",
  "It’s the ‘legacy’ schema", "Don’t drop the staging tables yet", "‘Q3’ numbers", "select the customers who ordered twice",
  "Select the customers who ordered twice from the list and update their status", "Drop-off date", "drop-off / pick-up",
  "2019-01-01", "2019-01-01 00:00:00.000", "a -- b", "50% off", "50% off for orders > 100", "ana.perez@example.com",
  "john.o'reilly@example.org", "report_2024-03-01.csv", "O'Brien & Sons (UK) Ltd.", "sales_by_region.sql", "LoadOrders.dtsx",
  "customers where country = 'DE'", "orders or returns", "1 or 2 items", "size: 10 x 20", "between 5 and 10",
  "Either/or", "Union Station, Chicago", "Case when the load fails: rerun", "insert a row for each order", "delete old snapshots",
  "Update the owner to Ana", "Created by Bob; reviewed by Alice", "null values in Amount", "count(*) differs by 3",
  "sum(amount) per customer", "Revenue (net) = gross - returns", "price >= 10", "x = 1", "1 = 1 tests pass",
  "user@domain", "#hashtag", "C# and F# code", "C++ build", "key=value", "id=42", "tag:finance", "TODO: check 'null' handling",
  "Ship to: 221B Baker St.", "Café “Zum Löwen”", "Ελληνικά", "Русский текст", "日本語のテキスト", "emoji 🎉 release",
  "SELECT-2024 project", "Join us on Friday", "order by date, please", "group by region was slow", "a 'quoted' word",
  "\"quoted\" phrase", "`backticked` name", "it's ok", "don't", "we'll", "rock'n'roll", "Jack-o'-lantern", "O'Neil's pub",
  "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 Safari/537.36",
  "{\"page\":2,\"sort\":\"name\"}", "[1,2,3]", "v2.3.1", "release-2024.10", "ETL: stg -> int -> mart", "a < b", "x > 0",
  "<b>bold</b> text", "see <https://example.com>", "I <3 dbt", "Ask Tom/Jerry", "100%", "3/4 cup", "approx. ~200 rows",
  // quotes, apostrophes and operators in ordinary text
  "O'Brien or O'Neil", "O’Brien’s or O’Neil’s", "Bob's & Alice's", "the \"Sales\" or \"Finance\" mart", "5' x 7' rug", "6'2\" tall",
  "a 12\" - 14\" pipe", "'Q1' - 'Q4' figures", "Tom's * favourite *", "Rev = price * qty - discount", "net = gross - (returns + fees)",
  "2 + 2 = 4", "x/y ratio", "a | b | c", "A & B", "A && B", "yes || no", "1 < 2 > 0", "v1.2.3 -> v1.3.0", "cost: $1,200.50", "-20% YoY",
  "#1 priority", "@ana please review", "50/50 split", "~/projects/dw", "C:\\Users\\ana\\Desktop", "key: 'value'", "it's 'fine'",
  "I'd say 'no' - let's wait", "Rock'n'roll or jazz", "L'Oréal or Estée Lauder", "McDonald's | Wendy's", "Children's Place",
  "don't = do not", "can't wait!!!", "\"quoted\" - \"text\"", "'single' or 'double'", "'a' and 'b'", "x's value is 1",
  "status: 'open' or 'closed'", "Notes: see the 'Orders' table", "dim_date (2019-01-01 to 2024-12-31)", "between '2020' and '2021'",
  "Call me at +49 30 1234567", "ISBN 978-3-16-148410-0", "SKU-12345-XL", "a1b2c3", "0x1F color", "#ff0000", "rgb(255, 0, 0)",
  "f(x) = x^2 + 1", "max(a, b) is the larger one", "len(name) > 10 check", "if (a) then b", "(optional) field", "[draft] v2",
  "{placeholder}", "<none>", "N/A", "TBD -- ask Ana", "drop shipping", "Select your region", "Update: the load is fine now",
  "Delete me later", "Insert coin", "exec summary", "Executive summary for Q3", "Union Pacific", "Intersect of both sets",
  "order #1234", "group A vs group B", "Where's my data?", "Having trouble with the load", "Like 5 minutes", "Join us",
];

// Benign URL paths of the product (written for this script).
const BENIGN_PATHS: string[] = [
  "/migrations/8f14e45f-ceea-467f-a0e6-9a1b2c3d4e5f/report", "/static/htmx.min.js", "/static/css/app.css", "/api/v1/models/dbo.usp_LoadOrders",
  "/files/O'Brien%20notes.txt", "/files/O%27Brien%20notes.txt", "/docs/select-the-customers", "/orders/2019-01-01", "/search/50%25%20off",
  "/objects/dbo.%5BOrder%20Details%5D", "/objects/%5Bdbo%5D.%5BCustomers%5D", "/wiki/Drop-off_date", "/a/b/c/d/e/f", "/api/v1/orgs/42/members",
  "/migrations/12/objects/Sales.SalesOrderHeader/diff", "/reports/q3+2024", "/users/ana.perez@example.com", "/tags/C%2B%2B", "/search/a%20--%20b",
  "/downloads/report_2024-03-01.csv", "/docs/guardian-rules.md", "/", "/health", "/favicon.ico", "/api/v1/migrations/7/runs?page=2",
  "/objects/It%E2%80%99s%20the%20legacy%20schema", "/search/union%20station", "/search/orders%20or%20returns",
];

interface Result {
  rows: number;
  own: number;
  either: number;
  guard: number;
}

const own = (f: "sqli" | "xss", s: string): Detection => (f === "sqli" ? detectSqli(s) : detectXss(s));
const guardFlags = (i: CrsInput): boolean => {
  const d = detectRequestAttack(i, 1);
  return d.sqli.flagged || d.xss.flagged;
};

function measureFile(f: DevFile): Result {
  const r: Result = { rows: f.rows.length, own: 0, either: 0, guard: 0 };
  for (const s of f.rows) {
    const a = own(f.family, s).flagged;
    const b = a || own(f.family === "sqli" ? "xss" : "sqli", s).flagged;
    const g = guardFlags({ location: "ARGS", name: "q", value: s });
    if (a) r.own++;
    if (b) r.either++;
    if (g) r.guard++;
    if (!a && showMisses && f.name.includes(showMisses)) process.stdout.write(`MISS ${f.name} ${g ? "(guard catches)" : ""} ${JSON.stringify(s.slice(0, 200))}\n`);
  }
  return r;
}

const pct = (a: number, b: number) => (b ? `${((100 * a) / b).toFixed(1)}%` : "—");
const out: string[] = ["| file | rows | own family detector | either own detector | guard PL1 (own ∨ CRS) |", "|---|---:|---:|---:|---:|"];
const totals: Record<string, Result> = {};
for (const f of attackFiles) {
  const r = measureFile(f);
  const key = `${f.name.split("/")[0]} ${f.family}`;
  const t = (totals[key] ??= { rows: 0, own: 0, either: 0, guard: 0 });
  t.rows += r.rows;
  t.own += r.own;
  t.either += r.either;
  t.guard += r.guard;
  out.push(`| ${f.name} | ${r.rows} | ${pct(r.own, r.rows)} (${r.own}) | ${pct(r.either, r.rows)} | ${pct(r.guard, r.rows)} |`);
}
for (const [k, t] of Object.entries(totals)) out.push(`| **${k} total** | ${t.rows} | ${pct(t.own, t.rows)} (${t.own}) | ${pct(t.either, t.rows)} (${t.either}) | ${pct(t.guard, t.rows)} (${t.guard}) |`);

// Variants of the SQL-injection lists.
const sqlRows = [...new Set(attackFiles.filter((f) => f.family === "sqli").flatMap((f) => f.rows))];
const variants: string[] = ["| variant of the SQL lists | rows | own detectors (sqli ∨ xss) | guard PL1 |", "|---|---:|---:|---:|"];
function variant(name: string, inputs: Array<{ orig: string; input: CrsInput }>): void {
  let ownHit = 0;
  let guardHit = 0;
  for (const { orig, input } of inputs) {
    const d = detectRequestAttack(input, 1);
    const o = ownVerdict(input);
    if (o) ownHit++;
    if (d.sqli.flagged || d.xss.flagged) guardHit++;
    if (!o && showMisses === name) process.stdout.write(`MISS ${name} ${JSON.stringify(orig.slice(0, 160))} -> ${JSON.stringify(input.value.slice(0, 200))}\n`);
  }
  variants.push(`| ${name} | ${inputs.length} | ${pct(ownHit, inputs.length)} (${ownHit}) | ${pct(guardHit, inputs.length)} |`);
}
/** The own detectors' verdict on a request input, as detectRequestAttack runs them (without the CRS rules). */
const ownVerdict = (i: CrsInput): boolean => {
  const v = ownRequestVerdict(i);
  return v.sqli.flagged || v.xss.flagged;
};

const segEncode = (s: string) => encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
variant("path segment, encoded as one segment (/api/items/<payload>)", sqlRows.map((s) => ({ orig: s, input: { location: "REQUEST_FILENAME", value: `/api/items/${segEncode(s)}` } })));
variant("path, the payload's own '/' kept (/api/items/<payload>/edit)", sqlRows.map((s) => ({ orig: s, input: { location: "REQUEST_FILENAME", value: `/api/items/${encodeURI(s).replace(/\?/g, "%3F").replace(/#/g, "%23")}/edit` } })));
variant("path, spaces as '+' (/search/<payload>)", sqlRows.map((s) => ({ orig: s, input: { location: "REQUEST_FILENAME", value: `/search/${segEncode(s).replace(/%20/g, "+")}` } })));
const quoted = sqlRows.filter((s) => s.includes("'"));
for (const q of ["´", "‘", "’", "ʼ", "＇", "`"]) {
  variant(`quotes written as ${q} (U+${q.codePointAt(0)!.toString(16).toUpperCase().padStart(4, "0")})`, quoted.map((s) => ({ orig: s, input: { location: "ARGS", name: "q", value: s.replaceAll("'", q) } })));
}
variant("quotes as they are (the same rows, for comparison)", quoted.map((s) => ({ orig: s, input: { location: "ARGS", name: "q", value: s } })));

// False positives.
const fpLines: string[] = ["| benign set | rows | own detectors flag | guard PL1 flags |", "|---|---:|---:|---:|"];
function benign(name: string, inputs: CrsInput[]): void {
  let o = 0;
  let g = 0;
  for (const i of inputs) {
    const ov = ownVerdict(i);
    const d = detectRequestAttack(i, 1);
    const gv = d.sqli.flagged || d.xss.flagged;
    if (ov) o++;
    if (gv) g++;
    if ((ov || gv) && showFp) process.stdout.write(`FP ${name} [${[...d.sqli.rules, ...d.xss.rules].join(",")}] ${JSON.stringify(i.value.slice(0, 200))}\n`);
  }
  fpLines.push(`| ${name} | ${inputs.length} | ${pct(o, inputs.length)} (${o}) | ${pct(g, inputs.length)} (${g}) |`);
}
if (libBenign.length) benign("libinjection false_positives.txt", libBenign.map((value) => ({ location: "ARGS", name: "q", value })));
benign("detect/crs/benign-samples.ts", BENIGN_SAMPLES.map((s) => ({ location: s.location, name: s.name, value: s.value })));
benign("product inputs (this script)", PRODUCT_BENIGN.map((value) => ({ location: "ARGS", name: "q", value })));
benign("product paths (this script)", BENIGN_PATHS.map((value) => ({ location: "REQUEST_FILENAME", value: value.split("?")[0]! })));

// Speed: own detectors on every dev input, best of three passes.
const all = [...attackFiles.flatMap((f) => f.rows), ...libBenign, ...PRODUCT_BENIGN];
let best = Infinity;
for (let pass = 0; pass < 3; pass++) {
  const t0 = process.hrtime.bigint();
  for (const s of all) {
    detectSqli(s);
    detectXss(s);
  }
  best = Math.min(best, Number(process.hrtime.bigint() - t0));
}
const typical = [...PRODUCT_BENIGN, ...BENIGN_SAMPLES.map((s) => s.value)];
let bestTyp = Infinity;
for (let pass = 0; pass < 5; pass++) {
  const t0 = process.hrtime.bigint();
  for (const s of typical) detectRequestAttack({ location: "ARGS", name: "q", value: s }, 1);
  bestTyp = Math.min(bestTyp, Number(process.hrtime.bigint() - t0));
}
let bestPath = Infinity;
for (let pass = 0; pass < 5; pass++) {
  const t0 = process.hrtime.bigint();
  for (const s of BENIGN_PATHS) detectRequestAttack({ location: "REQUEST_FILENAME", value: s }, 1);
  bestPath = Math.min(bestPath, Number(process.hrtime.bigint() - t0));
}
process.stdout.write(
  [
    `Sources: ${[libDir && `libinjection ${basename(resolve(libDir))}`, pattDir && `PayloadsAllTheThings ${resolve(pattDir)}`].filter(Boolean).join("; ")}`,
    "",
    out.join("\n"),
    "",
    variants.join("\n"),
    "",
    fpLines.join("\n"),
    "",
    `Speed: detectSqli + detectXss ${(best / 1000 / all.length).toFixed(1)} µs per dev input (${all.length} inputs, best of 3); guard PL1 on typical product inputs ${(bestTyp / 1000 / typical.length).toFixed(1)} µs per input, on product paths ${(bestPath / 1000 / BENIGN_PATHS.length).toFixed(1)} µs per path (best of 5).`,
    "",
  ].join("\n"),
);
