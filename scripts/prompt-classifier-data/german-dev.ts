// False positives of prompt-injection models (classifier alone, each at its own threshold) on the
// held-apart DEV part of german.py's Tatoeba text (german_dev.jsonl: never trained on).
//   npx tsx scripts/prompt-classifier-data/german-dev.ts [--dev /work/pi-data/german_dev.jsonl] MODEL.json [MODEL2.json ...]
import { readFileSync } from "node:fs";
import { decodeModel, piProbability, type PiModelFile } from "../../server/guardian/detect/pi-model/classifier.ts";

const args = process.argv.slice(2);
const di = args.indexOf("--dev");
const devFile = di >= 0 ? args[di + 1]! : `${process.env.PI_DATA ?? "/work/pi-data"}/german_dev.jsonl`;
const models = di >= 0 ? args.filter((_, i) => i !== di && i !== di + 1) : args;
if (!models.length) {
  console.error("usage: german-dev.ts [--dev german_dev.jsonl] MODEL.json [...]");
  process.exit(2);
}
const rows = readFileSync(devFile, "utf8")
  .split("\n")
  .filter((l) => l.trim())
  .map((l, i) => {
    try {
      return JSON.parse(l) as { text: string; kind: string; lang: string };
    } catch (e) {
      throw new Error(`${devFile}:${i + 1}: ${(e as Error).message}`);
    }
  });
const sets: [string, typeof rows][] = [
  ["German DEV sentences", rows.filter((r) => r.lang === "de" && r.kind === "sentence")],
  ["German DEV 5-sentence texts", rows.filter((r) => r.lang === "de" && r.kind === "paragraph")],
  ["English side of the DEV groups, 5-sentence texts", rows.filter((r) => r.lang === "en" && r.kind === "paragraph")],
];
for (const path of models) {
  const file = JSON.parse(readFileSync(path, "utf8")) as PiModelFile;
  const m = decodeModel(file);
  const t = file.header.threshold;
  console.log(`${path} (threshold ${t})`);
  for (const [name, rs] of sets) {
    const n = rs.filter((r) => piProbability(r.text, m) >= t).length;
    console.log(`  ${name}: ${n}/${rs.length} = ${((100 * n) / Math.max(rs.length, 1)).toFixed(1)}%`);
  }
}
