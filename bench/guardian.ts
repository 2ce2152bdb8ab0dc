// Guardian detectors measured on the labelled public sets (not in this repository):
//   npx tsx bench/guardian.ts [--dir ../shared/security] [--misses prompt|sqli|xss|crs1..crs4] [--fp … | crs1..crs4] [--write]
// (--misses crsN / --fp crsN: the CRS rows as sent at paranoia level N that are missed / flagged.)
// (env GUARDIAN_SECURITY_DIR overrides the directory.) Prints, per file (and per family or
// split where the file has them), recall on `attack` rows, false-positive rate on `benign`
// rows, and microseconds per input. --write replaces the "Guardian detectors" section of
// bench/RESULTS.md.
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { cpus, loadavg } from "node:os";
import { detectPromptInjection, detectSqli, detectXss, inspectSqlForPrompt, MAX_INPUT, type Detection } from "../server/guardian/detect/index.ts";
import { decodeSql, sqlFiles } from "../server/tsql/corpus-support.ts";
import { DEFAULT_PARANOIA_LEVEL, detectRequestAttack, evaluateCrs, CRS_COMMIT, CRS_RULES, CRS_SKIPPED, type CrsInput } from "../server/guardian/detect/crs/index.ts";
import { BENIGN_SAMPLES, KNOWN_FLAGGED } from "../server/guardian/detect/crs/benign-samples.ts";
import { adjudicated, crsInputsAsSent } from "./crs-rows.ts";

const args = process.argv.slice(2);
const opt = (name: string) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const dir = resolve(opt("--dir") ?? process.env.GUARDIAN_SECURITY_DIR ?? join(import.meta.dirname, "../../shared/security"));
const showMisses = opt("--misses");
const showFp = opt("--fp");
const write = args.includes("--write");

interface Row {
  payload: string;
  expected: "attack" | "benign";
  [k: string]: unknown;
}

function load(file: string): Row[] {
  const p = join(dir, file);
  if (!existsSync(p)) {
    process.stderr.write(`missing ${p}\n`);
    return [];
  }
  return readFileSync(p, "utf8")
    .split("\n")
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as Row);
}

// The 12 ADJUDICATED benign CRS rows (injections by content) are listed with reasons in bench/crs-rows.ts.

interface Line {
  set: string;
  attacks: number;
  caught: number;
  benign: number;
  fp: number;
  fpAdj: number;
  benignAdj: number;
  usPerInput: number;
  p50: number;
  p99: number;
}

const lines: Line[] = [];

function measure(set: string, rows: Row[], fn: (s: string) => Detection, kind: string): void {
  if (!rows.length) return;
  // warm-up so JIT compilation is not billed to the first set
  for (const r of rows.slice(0, 20)) fn(r.payload);
  let caught = 0;
  let fp = 0;
  let fpAdj = 0;
  let benignAdj = 0;
  let attacks = 0;
  let benign = 0;
  // best of three passes: the machine is shared, the minimum is the least disturbed
  let best = Infinity;
  let results: Detection[] = [];
  for (let pass = 0; pass < 3; pass++) {
    const t0 = process.hrtime.bigint();
    results = rows.map((r) => fn(r.payload));
    best = Math.min(best, Number(process.hrtime.bigint() - t0));
  }
  // per-input latency (one more pass, each call timed on its own)
  const each = rows.map((r) => {
    const t = process.hrtime.bigint();
    fn(r.payload);
    return Number(process.hrtime.bigint() - t) / 1000;
  }).sort((a, b) => a - b);
  const q = (f: number) => each[Math.min(each.length - 1, Math.floor(f * each.length))]!;
  rows.forEach((r, i) => {
    const d = results[i]!;
    if (r.expected === "attack") {
      attacks++;
      if (d.flagged) caught++;
      else if (showMisses === kind) process.stdout.write(`MISS ${set} ${String(r.rule ?? "")} ${d.score} ${JSON.stringify(r.payload.slice(0, 200))}\n`);
    } else {
      benign++;
      if (!adjudicated(r)) benignAdj++;
      if (d.flagged) {
        fp++;
        if (!adjudicated(r)) fpAdj++;
        if (showFp === kind) process.stdout.write(`FP ${set} ${String(r.rule ?? "")} ${d.score} [${d.rules.join(",")}] ${JSON.stringify(r.payload.slice(0, 200))}\n`);
      }
    }
  });
  lines.push({ set, attacks, caught, benign, fp, fpAdj, benignAdj, usPerInput: best / 1000 / rows.length, p50: q(0.5), p99: q(0.99) });
}

const crs = load("crs_941_942.jsonl");
// warm-up over everything once, so that JIT compilation is not billed to the first set
for (const r of crs) {
  detectSqli(r.payload);
  detectXss(r.payload);
}
const highBenign = (r: Row) => r.expected === "attack" || r.benign_confidence === "high";
for (const pl of [1, 2, 3, 4]) {
  measure(`crs sqli PL${pl}`, crs.filter((r) => r.family === "sqli" && r.paranoia_level === pl && highBenign(r)), detectSqli, "sqli");
}
measure("crs sqli (all PL)", crs.filter((r) => r.family === "sqli" && highBenign(r)), detectSqli, "sqli-all");
measure("crs xss (all PL)", crs.filter((r) => r.family === "xss" && highBenign(r)), detectXss, "xss");
// What the middleware does: both detectors on every input.
measure("crs all rows, sqli∨xss", crs.filter(highBenign), (s) => {
  const a = detectSqli(s);
  const b = detectXss(s);
  return { flagged: a.flagged || b.flagged, score: Math.max(a.score, b.score), rules: [...a.rules, ...b.rules] };
}, "both");

// The same rows as sent (`raw`: parameter name and value, still URL-encoded). Some CRS tests
// put the attack in the parameter NAME, so the `payload` value alone carries nothing; the
// middleware sees names too.
const asSent = (r: Row): Row => ({ ...r, payload: typeof r.raw === "string" && r.raw ? r.raw : r.payload });
measure("crs sqli as sent (raw)", crs.filter((r) => r.family === "sqli" && highBenign(r)).map(asSent), detectSqli, "sqli-raw");
measure("crs xss as sent (raw)", crs.filter((r) => r.family === "xss" && highBenign(r)).map(asSent), detectXss, "xss-raw");
measure("crs all rows as sent (raw), sqli∨xss", crs.filter(highBenign).map(asSent), (s) => {
  const a = detectSqli(s);
  const b = detectXss(s);
  return { flagged: a.flagged || b.flagged, score: Math.max(a.score, b.score), rules: [...a.rules, ...b.rules] };
}, "raw");

// ---------------------------------------------------------------------------------------------
// CRS rows the CRS way, per paranoia level P = 1..4: Guardian's detectors OR the CRS 941/942
// rules of level <= P (detectRequestAttack). Recall over the attack rows whose rule has
// paranoia_level <= P (and over all 1075), false positives over ALL high-confidence benign rows.
// "payload" scans the payload as one argument value; "as sent" parses `raw` into the inputs
// ModSecurity would see (query/body form a=b&c=d, JSON, XML text, multipart fields, Cookie
// header a=b; c=d, path → REQUEST_FILENAME/BASENAME, other headers by name).
const crsInputsPayload = (r: Row): CrsInput[] => [{ location: "ARGS", name: "payload", value: r.payload }];
interface PlLine {
  pl: number;
  how: string;
  attacksAtPl: number;
  caughtAtPl: number;
  attacksAll: number;
  caughtAll: number;
  benign: number;
  fp: number;
  benignAdj: number;
  fpAdj: number;
  p50: number;
  p95: number;
  inputs: number;
}
const plLines: PlLine[] = [];
const crsMisses: string[] = [];
const crsFps: string[] = [];
function flaggedRow(inputs: CrsInput[], pl: number, times: number[]): { flagged: boolean; rules: string[] } {
  let flagged = false;
  const rules = new Set<string>();
  for (const i of inputs) {
    const t = process.hrtime.bigint();
    const d = detectRequestAttack(i, pl);
    times.push(Number(process.hrtime.bigint() - t) / 1000);
    if (d.sqli.flagged || d.xss.flagged) {
      flagged = true;
      for (const x of [...d.sqli.rules, ...d.xss.rules]) rules.add(x);
    }
  }
  return { flagged, rules: [...rules] };
}
const crsRows = crs.filter(highBenign);
for (const [how, toInputs] of [["payload", crsInputsPayload], ["as sent", crsInputsAsSent]] as const) {
  for (const pl of [1, 2, 3, 4]) {
    const l: PlLine = { pl, how, attacksAtPl: 0, caughtAtPl: 0, attacksAll: 0, caughtAll: 0, benign: 0, fp: 0, benignAdj: 0, fpAdj: 0, p50: 0, p95: 0, inputs: 0 };
    const times: number[] = [];
    for (const r of crsRows) {
      const d = flaggedRow(toInputs(r), pl, times);
      if (r.expected === "attack") {
        l.attacksAll++;
        if (d.flagged) l.caughtAll++;
        if (Number(r.paranoia_level) <= pl) {
          l.attacksAtPl++;
          if (d.flagged) l.caughtAtPl++;
          else if (showMisses === `crs${pl}` && how === "as sent") crsMisses.push(`MISS PL${pl} ${String(r.rule)}:${String(r.test_id)} ${String(r.location)} ${JSON.stringify(String(r.raw ?? r.payload).slice(0, 160))}`);
        }
      } else {
        l.benign++;
        if (!adjudicated(r)) l.benignAdj++;
        if (d.flagged) {
          l.fp++;
          if (!adjudicated(r)) l.fpAdj++;
          if (showFp === `crs${pl}` && how === "as sent") crsFps.push(`FP PL${pl} ${String(r.rule)}:${String(r.test_id)} [${d.rules.join(",")}] ${JSON.stringify(String(r.raw ?? r.payload).slice(0, 160))}`);
        }
      }
    }
    times.sort((a, b) => a - b);
    l.inputs = times.length;
    l.p50 = times[Math.floor(times.length * 0.5)] ?? 0;
    l.p95 = times[Math.floor(times.length * 0.95)] ?? 0;
    plLines.push(l);
  }
}
for (const m of [...crsMisses, ...crsFps]) process.stdout.write(m + "\n");

// Objective evidence for the adjudicated rows: which CRS rules other than the one the test names
// fire on the row (as sent) at PL4.
const evidence: string[] = [];
for (const r of crs.filter((r) => r.expected === "benign" && adjudicated(r))) {
  const ids = new Set<number>();
  for (const i of crsInputsAsSent(r)) for (const m of evaluateCrs(i, 4)) if (m.id !== Number(r.rule)) ids.add(m.id);
  // 941100/941101/942100/942101 are libinjection in CRS; here they call Guardian's own detectors, so they are not independent evidence.
  const own = new Set([941100, 941101, 942100, 942101]);
  const independent = [...ids].filter((x) => !own.has(x)).sort();
  const viaOwn = [...ids].filter((x) => own.has(x)).sort();
  evidence.push(
    `${String(r.rule)}:${String(r.test_id)} ${independent.length ? independent.map((x) => `crs:${x}`).join(", ") : "no independent CRS rule fires"}${viaOwn.length ? `; also ${viaOwn.map((x) => `crs:${x}`).join(", ")} (Guardian's detectors in libinjection's place)` : ""}`,
  );
}

// Fidelity of the engine to CRS: on each row (as sent, PL4), does the rule the test expects fire
// (attack rows: expect_ids), and does the rule it must not trigger stay silent (benign: no_expect_ids)?
let expectTotal = 0;
let expectFired = 0;
let noExpectTotal = 0;
let noExpectSilent = 0;
const fidelityOff: string[] = [];
for (const r of crs) {
  const fired = new Set<number>();
  for (const i of crsInputsAsSent(r)) for (const m of evaluateCrs(i, 4)) fired.add(m.id);
  for (const e of (r.expect_ids as number[] | undefined) ?? []) {
    expectTotal++;
    if (fired.has(e)) expectFired++;
    else fidelityOff.push(`${String(r.rule)}:${String(r.test_id)} (${e} silent)`);
  }
  for (const n of (r.no_expect_ids as number[] | undefined) ?? []) {
    noExpectTotal++;
    if (!fired.has(n)) noExpectSilent++;
    else fidelityOff.push(`${String(r.rule)}:${String(r.test_id)} (${n} fires)`);
  }
}
const fidelityLine = `Engine fidelity to CRS's regression tests (as sent, PL4): the rule a test expects fires on ${expectFired}/${expectTotal} attack rows, and the rule a test says must stay silent does so on ${noExpectSilent}/${noExpectTotal} benign rows. Off: ${fidelityOff.join(", ")}. (941100/942100/942101 are libinjection in CRS and Guardian's own detectors here; the other misses are rows whose trigger sat in a header the row does not carry: the path \`/get\` or \`/api/payment/status\`, and two webhook JSON bodies that CRS lists as expected false positives of 941120.)`;

// The hand-written benign inputs typical of the product, per level.
const benignLine = [1, 2, 3, 4]
  .map((pl) => {
    const hits = BENIGN_SAMPLES.filter((s) => {
      const d = detectRequestAttack(s, pl);
      return d.sqli.flagged || d.xss.flagged;
    });
    const known = hits.filter((h) => KNOWN_FLAGGED.includes(h.value)).length;
    return `PL${pl}${pl === DEFAULT_PARANOIA_LEVEL ? " (default)" : ""}: ${hits.length}/${BENIGN_SAMPLES.length}${known ? ` (${known} by Guardian's own detector at every level)` : ""}`;
  })
  .join("; ");

const deepset = load("pi_deepset.jsonl");
measure("pi_deepset train (tuned on)", deepset.filter((r) => r.split === "train"), detectPromptInjection, "prompt");
measure("pi_deepset test (held out)", deepset.filter((r) => r.split === "test"), detectPromptInjection, "prompt");
measure("pi_deepset all", deepset, detectPromptInjection, "prompt-all");
measure("pi_llmguard_tests", load("pi_llmguard_tests.jsonl"), detectPromptInjection, "prompt");
measure("pi_llmguard_jailbreak_templates", load("pi_llmguard_jailbreak_templates.jsonl"), detectPromptInjection, "prompt");
measure("pi_notinject", load("pi_notinject.jsonl"), detectPromptInjection, "prompt");

// Worst case: inputs of the maximum scanned size (MAX_INPUT) built from characters that make
// backtracking regexes go quadratic. Every detector must stay linear on these.
const adversarial = ["=", "{", "-", "@", "$", "<a b=", " or 1", "'or'", "\\", "j a v a s c r i p t ", "a.", ": ", "<", "'", "(", "a ", "\\n", "%2", "&#", "on", "/*", "<style", "union ", "'.", ",", "\t", " select", "`"];
let worstMs = 0;
let worstCase = "";
for (const p of adversarial) {
  const text = p.repeat(Math.ceil(MAX_INPUT / p.length)).slice(0, MAX_INPUT);
  const crs4 = (t: string) => {
    evaluateCrs({ location: "ARGS", name: "q", value: t }, 4);
    return { flagged: false, score: 0, rules: [] } as Detection;
  };
  const crs1 = (t: string) => {
    evaluateCrs({ location: "ARGS", name: "q", value: t }, 1);
    return { flagged: false, score: 0, rules: [] } as Detection;
  };
  for (const [name, f] of [["prompt", detectPromptInjection], ["sqli", detectSqli], ["xss", detectXss], ["crs PL1", crs1], ["crs PL4", crs4]] as const) {
    const t0 = process.hrtime.bigint();
    f(text);
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    if (ms > worstMs) {
      worstMs = ms;
      worstCase = `${name} on ${JSON.stringify(p)}×${Math.ceil(MAX_INPUT / p.length)}`;
    }
  }
}
const worstLine = `Worst case over ${adversarial.length} adversarial inputs of ${MAX_INPUT} characters (repetitions built to trigger regex backtracking): ${worstMs.toFixed(0)} ms (${worstCase}).`;

// False positives on real T-SQL (the customer SQL that goes into prompts): every .sql file of
// the public corpus, whole, and through inspectSqlForPrompt (comments and literals only).
let corpusLine = "";
const corpus = process.env.DATAMIGRATE_CORPUS;
if (corpus && existsSync(corpus)) {
  let files = 0;
  let whole = 0;
  let inspected = 0;
  let chars = 0;
  const t0 = process.hrtime.bigint();
  for (const f of sqlFiles(corpus)) {
    const text = decodeSql(readFileSync(f));
    files++;
    chars += text.length;
    if (detectPromptInjection(text).flagged) whole++;
    if (inspectSqlForPrompt(text).flagged) inspected++;
  }
  const secs = Number(process.hrtime.bigint() - t0) / 1e9;
  corpusLine = `T-SQL corpus (${files} files, ${(chars / 1e6).toFixed(1)} M characters, all benign): prompt-injection flagged ${whole} whole files and ${inspected} files through inspectSqlForPrompt (comments and literals); ${secs.toFixed(1)} s for both passes.`;
}

const pct = (a: number, b: number) => (b ? `${((100 * a) / b).toFixed(1)}%` : "—");
const table = [
  "| set | attacks | recall | benign | false positives | FP without adjudicated rows | mean µs/input | p50 µs | p99 µs |",
  "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
  ...lines.map(
    (l) =>
      `| ${l.set} | ${l.attacks} | ${pct(l.caught, l.attacks)} (${l.caught}) | ${l.benign} | ${pct(l.fp, l.benign)} (${l.fp}) | ${l.benignAdj === l.benign ? "" : `${pct(l.fpAdj, l.benignAdj)} (${l.fpAdj}/${l.benignAdj})`} | ${l.usPerInput.toFixed(1)} | ${l.p50.toFixed(1)} | ${l.p99.toFixed(0)} |`,
  ),
].join("\n");
const plTable = [
  "| paranoia level | scanned | recall, attack rows of rules at this PL or below | recall, all 1075 attack rows | FP, 189 high-confidence benign rows | FP without the 12 adjudicated rows | inputs | p50 µs/input | p95 µs/input |",
  "|---|---|---:|---:|---:|---:|---:|---:|---:|",
  ...plLines.map(
    (l) =>
      `| PL${l.pl}${l.pl === DEFAULT_PARANOIA_LEVEL ? " (default)" : ""} | ${l.how} | ${pct(l.caughtAtPl, l.attacksAtPl)} (${l.caughtAtPl}/${l.attacksAtPl}) | ${pct(l.caughtAll, l.attacksAll)} (${l.caughtAll}) | ${pct(l.fp, l.benign)} (${l.fp}) | ${pct(l.fpAdj, l.benignAdj)} (${l.fpAdj}/${l.benignAdj}) | ${l.inputs} | ${l.p50.toFixed(1)} | ${l.p95.toFixed(1)} |`,
  ),
].join("\n");
// The targets sentence, from this run's figures (as sent, every level).
const sentLine = (pl: number) => plLines.find((l) => l.how === "as sent" && l.pl === pl)!;
const pctOf = (n: number, d: number) => `${((100 * n) / Math.max(d, 1)).toFixed(1)} %`;
const levelFigures = (pl: number) => {
  const l = sentLine(pl);
  return `PL${pl}: ${pctOf(l.caughtAll, l.attacksAll)} recall over all rows (${pctOf(l.caughtAtPl, l.attacksAtPl)} of the attack rows of rules at PL${pl} or below), FP ${pctOf(l.fp, l.benign)} (${pctOf(l.fpAdj, l.benignAdj)} without the adjudicated rows)`;
};
const meets = [1, 2, 3, 4].filter((pl) => sentLine(pl).caughtAll / sentLine(pl).attacksAll >= 0.95 && sentLine(pl).fp / sentLine(pl).benign <= 0.02);
const targetsNote =
  `- **Targets** (recall >= 95 % on all 1075 attack rows as sent, FP <= 2 % on the 189 high-confidence benign rows): ${meets.length ? `met at ${meets.map((pl) => `PL${pl}`).join(", ")}` : "no paranoia level meets both"}. ` +
  `${[1, 2, 3, 4].map(levelFigures).join("; ")}. PL1 is the default. ` +
  "The FPs at PL2+ are CRS's own behaviour: the benign rows are mostly tests that a stricter sibling rule stays silent, on which the looser rule of the same family fires (942362 on `5desc`, 942432/942460 on punctuation and UTF-8 text). " +
  "The input guard drops CRS 942140 (common database names) as an application exclusion (APPLICATION_EXCLUSIONS in detect/crs/index.ts); the engine fidelity line below runs CRS as published.";
const evidenceText = evidence.map((e) => `  - ${e}`).join("\n");
const crsHeader = `CRS ${CRS_COMMIT.slice(0, 12)}: ${CRS_RULES.length} rules imported, ${CRS_SKIPPED.length} skipped (${CRS_SKIPPED.map((x) => x.id).join(", ")}: housekeeping), ${CRS_RULES.filter((r) => r.linearEngine).length} run on re2js (backtracking in V8).`;
const benignText = `Hand-written product inputs (server/guardian/detect/crs/benign-samples.ts, ${BENIGN_SAMPLES.length}) flagged — ${benignLine}.`;
process.stdout.write(table + "\n\n" + crsHeader + "\n\n" + fidelityLine + "\n\n" + plTable + "\n\nADJUDICATED rows, CRS rules other than the tested one firing at PL4 (as sent):\n" + evidenceText + "\n\n" + benignText + "\n\n" + worstLine + "\n" + (corpusLine ? corpusLine + "\n" : ""));

if (write) {
  const path = join(import.meta.dirname, "RESULTS.md");
  const text = readFileSync(path, "utf8");
  const head = "## Guardian detectors (server/guardian/detect) — `npx tsx bench/guardian.ts`";
  const notes = [
    `${new Date().toISOString().slice(0, 16).replace("T", " ")} UTC, load average ${loadavg().map((x) => x.toFixed(2)).join(" ")}, ${cpus()[0]?.model ?? "cpu"} (shared by several processes: the mean is inflated by scheduling stalls, p50 is the typical input), Node ${process.version}. Sets from ../shared/security, not copied into the repository. Default threshold 0.5.`,
    "",
    "- First table (Guardian's own detectors alone, no CRS rules): `payload` is the value CRS scanned; benign = `benign_confidence: high` only. Its \"as sent\" rows scan `raw` whole (parameter name and value, still URL-encoded); some CRS tests carry the attack in the parameter name, or in a header that is not in the row (`/get`, `/api/payment/status`, ` =vardata` payloads carry nothing detectable).",
    targetsNote,
    "- \"FP without adjudicated rows\": 12 CRS rows labelled benign for one rule are injections all the same (UNION SELECT, pg_sleep/BENCHMARK, DBMS_LDAP, `alert()` inside encoded brackets, an article quoting `' OR '1'='1`); they are listed with reasons in bench/crs-rows.ts (`ADJUDICATED`).",
    "- The first table is Guardian's own detectors alone (no CRS rules). The second is the input guard as configured: Guardian's detectors OR the OWASP CRS 941/942 rules (imported by scripts/crs-import.ts, run by server/guardian/detect/crs/engine.ts) at each paranoia level, the CRS way: recall over the attack rows of rules at that level or below, and over all 1075; FP over all 189 high-confidence benign rows (many are tests that one PL3/PL4 rule stays silent, on which other rules of the same or a lower level fire in CRS too). \"as sent\" parses `raw` into the inputs ModSecurity would see (form/query `a=b&c=d`, JSON, XML text and attributes, multipart fields, cookies, path, headers).",
    "- Misses as sent: 6 rows carry nothing detectable (the path `/get` or `/api/payment/status`; the payload sat in a header the row does not include).",
    "",
    crsHeader,
    "",
    fidelityLine,
    "",
    plTable,
    "",
    "ADJUDICATED rows: CRS rules other than the one the test names that fire on the row as sent at PL4 (objective evidence that the row is an injection):",
    "",
    evidenceText,
    "",
    benignText,
    "- Prompt injection: rules (written while reading the deepset **train** split, llm-guard tests/templates and NotInject) OR the learned classifier PI-ML (trained on the deepset train split and external public data de-duplicated against every evaluation row; see the section \"Prompt-injection classifier\" below). The deepset **test** split was never read; its aggregate was looked at 9 times while choosing among classifier candidates (see the classifier section), so it is held out but slightly flattered by that choice (one row = 1.7 points). llm-guard's benign rows include role prompts (\"I want you to act as a composer\", \"You are HobbyHelper, a chatbot…\"): assigning the model a role is scored as injection (deepset labels the same shape as attack), hence their 5/11 FP; llm-guard benign is not one of the target's FP sets.",
    "",
    worstLine,
    ...(corpusLine ? ["", corpusLine] : []),
  ].join("\n");
  const body = `${head}\n\n${notes}\n\n${table}\n`;
  const start = text.indexOf(head);
  let next: string;
  if (start < 0) next = text.trimEnd() + "\n\n" + body;
  else {
    const after = text.indexOf("\n## ", start + head.length);
    next = text.slice(0, start) + body + (after < 0 ? "" : "\n" + text.slice(after + 1));
  }
  writeFileSync(path, next);
}
