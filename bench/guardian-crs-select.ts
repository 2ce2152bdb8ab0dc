// Could a chosen subset of the CRS 941/942 rules meet the SQLi/XSS target (>= 95 % recall on all
// attack rows, <= 2 % FP on the high-confidence benign rows) on rows it was not chosen on?
//   npx tsx bench/guardian-crs-select.ts [--dir ../shared/security]
// Every row is scanned as sent (bench/guardian.ts's parsing) at paranoia 4 once, remembering which
// CRS rules fire and whether Guardian's own detectors flag it. Then:
//   1. each paranoia level as CRS runs it (any rule fires), and with CRS's anomaly scoring
//      (CRITICAL 5, ERROR 4, WARNING 3, NOTICE 2 points per rule, blocking at 5: CRS's default);
//   2. a two-fold selection: the rows are split in halves by a hash of (rule, test id, label); on
//      one half, every rule above PL1 that catches at least one attack and fires on no clean benign
//      row is enabled on top of PL1; the result is measured on the other half. Selecting rules on
//      the same rows they are measured on would only show how well the rows can be memorised.
// The 12 ADJUDICATED benign rows (injections by content, see bench/crs-rows.ts) are reported apart.
import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { CRS_RULES, evaluateCrs } from "../server/guardian/detect/crs/index.ts";
import { fromBytes } from "../server/guardian/detect/crs/transform.ts";
import { detectSqli, detectXss } from "../server/guardian/detect/index.ts";
import { adjudicated, crsInputsAsSent } from "./crs-rows.ts";

const args = process.argv.slice(2);
const i = args.indexOf("--dir");
const dir = resolve(i >= 0 ? args[i + 1]! : (process.env.GUARDIAN_SECURITY_DIR ?? join(import.meta.dirname, "../../shared/security")));
const file = join(dir, "crs_941_942.jsonl");
if (!existsSync(file)) {
  process.stderr.write(`missing ${file}\n`);
  process.exit(2);
}
interface Row {
  payload: string;
  raw?: string;
  expected: "attack" | "benign";
  benign_confidence?: string;
  rule: number;
  test_id: number;
  location?: string;
  content_type?: string;
}
const rows = readFileSync(file, "utf8")
  .split("\n")
  .filter((l) => l.trim())
  .map((l) => JSON.parse(l) as Row);
const cleanBenign = (r: Row) => r.expected === "benign" && r.benign_confidence === "high";

const level = new Map<number, number>(CRS_RULES.map((r) => [r.id, r.paranoiaLevel]));
const points: Record<string, number> = { CRITICAL: 5, ERROR: 4, WARNING: 3, NOTICE: 2 };
const severity = new Map<number, number>(CRS_RULES.map((r) => [r.id, points[r.severity] ?? 5]));

const scanned = rows.map((r) => {
  const inputs = crsInputsAsSent(r);
  const fired = new Set<number>();
  let own = false;
  for (const input of inputs) {
    const text = input.bytes ? fromBytes(input.value) : input.value;
    if (input.location !== "REQUEST_FILENAME" && input.location !== "REQUEST_BASENAME") own ||= detectSqli(text).flagged || detectXss(text).flagged;
    for (const m of evaluateCrs(input, 4)) fired.add(m.id);
  }
  return { own, fired };
});

const pct = (a: number, b: number) => `${b ? ((100 * a) / b).toFixed(1) : "—"}% (${a}/${b})`;
function measure(flag: (k: number) => boolean, keep: (r: Row) => boolean = () => true): string {
  let atk = 0, tp = 0, ben = 0, fp = 0, benA = 0, fpA = 0;
  rows.forEach((r, k) => {
    if (!keep(r)) return;
    const hit = flag(k);
    if (r.expected === "attack") {
      atk++;
      if (hit) tp++;
    } else if (cleanBenign(r)) {
      ben++;
      if (hit) fp++;
      if (!adjudicated(r)) {
        benA++;
        if (hit) fpA++;
      }
    }
  });
  return `| ${pct(tp, atk)} | ${pct(fp, ben)} | ${pct(fpA, benA)} |`;
}

const out: string[] = [];
out.push("| configuration | recall, attack rows | FP, high-confidence benign | FP without the 12 adjudicated |", "|---|---:|---:|---:|");
for (const pl of [1, 2, 3, 4]) {
  out.push(`| PL${pl}, any rule fires ${measure((k) => scanned[k]!.own || [...scanned[k]!.fired].some((id) => level.get(id)! <= pl))}`);
  out.push(
    `| PL${pl}, CRS anomaly score >= 5 ${measure((k) => {
      let s = 0;
      for (const id of scanned[k]!.fired) if (level.get(id)! <= pl) s += severity.get(id)!;
      return scanned[k]!.own || s >= 5;
    })}`,
  );
}
const half = (r: Row) => createHash("sha256").update(`${r.rule}:${r.test_id}:${r.expected}`).digest()[0]! & 1;
for (const chosenOn of [0, 1]) {
  const enabled = new Set<number>();
  for (const [id, pl] of level) {
    if (pl <= 1) continue;
    let gain = 0, fp = 0;
    rows.forEach((r, k) => {
      if (half(r) !== chosenOn || !scanned[k]!.fired.has(id)) return;
      if (r.expected === "attack") gain++;
      else if (cleanBenign(r) && !adjudicated(r)) fp++;
    });
    if (gain > 0 && fp === 0) enabled.add(id);
  }
  const flag = (k: number) => scanned[k]!.own || [...scanned[k]!.fired].some((id) => level.get(id)! <= 1 || enabled.has(id));
  out.push(`| PL1 + ${enabled.size} rules chosen on half ${chosenOn}, measured on that half ${measure(flag, (r) => half(r) === chosenOn)}`);
  out.push(`| same rules, measured on the other half (held out) ${measure(flag, (r) => half(r) !== chosenOn)}`);
}
process.stdout.write(`${out.join("\n")}\n`);
