// Candidate changes to how the prompt-injection classifier combines its views (whole text,
// sentences, sentence pairs: features.ts segments()), evaluated WITHOUT touching the shipped
// scorer: (1) on the trainer's out-of-fold view logits (training data only; written by
// `train-prompt-classifier.ts ... --dump-oof-views FILE`), where each variant gets its own
// threshold by the trainer's rule (FP <= 2% on all benign and on the --fp-pool sources,
// <= 2.5% on deepset-train benign; one CV repetition), and (2) with the shipped weights at that
// threshold on EXTERNAL benign text (Tatoeba 5-sentence texts, clinc/WikiSQL questions joined 5 at
// a time; same sets as multi-view.ts). No evaluation set is read.
//   npx tsx scripts/prompt-classifier-data/view-variants.ts --oof OOF_VIEWS.jsonl [--model model.json] FILE.jsonl ...
import { takeOption } from "./cli-args.ts";
import { readFileSync } from "node:fs";
import { featureIndices, segments } from "../../server/guardian/detect/pi-model/features.ts";
import { decodeModel, logitOfFeatures, MODEL_URL, type PiModelFile } from "../../server/guardian/detect/pi-model/classifier.ts";

const args = process.argv.slice(2);
const opt = (n: string) => takeOption(args, n);
const oofPath = opt("--oof");
const modelPath = opt("--model") ?? MODEL_URL.pathname;
if (!oofPath) {
  console.error("usage: view-variants.ts --oof OOF_VIEWS.jsonl [--model model.json] FILE.jsonl ...");
  process.exit(2);
}
const readJsonl = <T>(f: string): T[] =>
  readFileSync(f, "utf8").split("\n").filter((l) => l.trim()).map((l, i) => {
    try { return JSON.parse(l) as T; } catch (e) { throw new Error(`${f}:${i + 1}: ${(e as Error).message}`); }
  });

/** One scored text: view logits (0 = whole text, then segments() order), feature counts, bias. */
interface Views { z: number[]; n: number[]; b: number }
type Variant = (v: Views) => number;
const isPair = (nViews: number, k: number) => nViews - 1 > 2 && k % 2 === 0; // k >= 1: segments index k-1; pairs at odd segment positions
const cap = (v: Views, N0: number) => v.z.map((z, k) => v.b + (z - v.b) * Math.sqrt(Math.min(v.n[k]!, N0) / v.n[k]!));
const variants: Record<string, Variant> = {
  "shipped (max of whole, sentences, pairs)": (v) => Math.max(...v.z),
  "whole text only": (v) => v.z[0]!,
  "no pairs (whole + sentences)": (v) => Math.max(...v.z.filter((_, k) => !(k > 0 && isPair(v.z.length, k)))),
  "views only when there are views (no whole)": (v) => (v.z.length > 1 ? Math.max(...v.z.slice(1)) : v.z[0]!),
  "sentences only when there are views": (v) => (v.z.length > 1 ? Math.max(...v.z.filter((_, k) => k > 0 && !isPair(v.z.length, k))) : v.z[0]!),
  "length cap n<=150 (logit-b scaled by sqrt(min(n,150)/n)), all views": (v) => Math.max(...cap(v, 150)),
  "length cap n<=250, all views": (v) => Math.max(...cap(v, 250)),
  "length cap n<=400, all views": (v) => Math.max(...cap(v, 400)),
};

// ---- (1) CV on the training data ----
interface OofRow { source: string; label: 0 | 1; z: number[]; n: number[]; b: number }
const oof = readJsonl<OofRow>(oofPath);
if (!oof.every((r) => Array.isArray(r.z) && Array.isArray(r.n) && typeof r.b === "number")) throw new Error(`${oofPath}: rows need z, n and b (train-prompt-classifier.ts --dump-oof-views)`);
const POOL = new Set(["deepset_train", "authored", "garak_playground_benign", "langkit_chats_benign"]);
const sig = (z: number) => 1 / (1 + Math.exp(-z));
const model = decodeModel(JSON.parse(readFileSync(modelPath, "utf8")) as PiModelFile);

// ---- external sets (as in multi-view.ts) ----
interface Row { text: string; lang?: string; kind?: string }
const ext = new Map<string, string[]>();
const put = (k: string, t: string) => (ext.get(k) ?? ext.set(k, []).get(k)!).push(t);
const seen = new Set<string>();
const enQ: string[] = [];
for (const f of args) for (const r of readJsonl<Row>(f)) {
  if (seen.has(r.text)) continue;
  seen.add(r.text);
  if (r.kind === "paragraph" && (r.lang === "de" || r.lang === "en")) put(`Tatoeba ${r.lang} 5-sent`, r.text);
  else if ((r.kind === "sentence" || r.kind === "question") && r.lang === "de") put("Tatoeba de sentences", r.text);
  else if (r.kind === "question" && r.lang === "en") enQ.push(r.text);
}
for (let i = 0; i + 5 <= enQ.length; i += 5) put("clinc/WikiSQL 5 joined", enQ.slice(i, i + 5).map((q) => (/[.!?]$/.test(q) ? q : q + "?")).join(" "));
ext.set("clinc/WikiSQL single", enQ);
const extViews = new Map<string, Views[]>();
for (const [k, ts] of ext) extViews.set(k, ts.map((t) => {
  const fs = [featureIndices(t, model.header.features), ...segments(t).map((s) => featureIndices(s, model.header.features))];
  return { z: fs.map((f) => logitOfFeatures(model.weights, model.bias, f)), n: fs.map((f) => f.length), b: model.bias };
}));

const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
const rate = (ps: number[], t: number) => (ps.length ? ps.filter((p) => p >= t).length / ps.length : 0);
console.log(`| variant | CV threshold | CV recall all attacks | CV recall deepset-train | CV FP all benign | CV FP deepset-train benign | ${[...ext.keys()].map((k) => `${k} (${ext.get(k)!.length})`).join(" | ")} |`);
console.log(`|---|---:|---:|---:|---:|---:|${[...ext.keys()].map(() => "---:").join("|")}|`);
for (const [name, f] of Object.entries(variants)) {
  const p = oof.map((r) => sig(f(r)));
  const ids = (pred: (r: OofRow) => boolean) => p.filter((_, i) => pred(oof[i]!));
  const benign = ids((r) => !r.label), pool = ids((r) => !r.label && POOL.has(r.source)), dsB = ids((r) => !r.label && r.source === "deepset_train");
  const att = ids((r) => r.label === 1), dsA = ids((r) => r.label === 1 && r.source === "deepset_train");
  let t = 0.99;
  for (let x = 0.05; x < 0.99; x += 0.005) if (rate(benign, x) <= 0.02 && rate(pool, x) <= 0.02 && rate(dsB, x) <= 0.025) { t = Math.round(x * 1000) / 1000; break; }
  const extCols = [...extViews.values()].map((vs) => pct(rate(vs.map((v) => sig(f(v))), t)));
  console.log(`| ${name} | ${t} | ${pct(rate(att, t))} | ${pct(rate(dsA, t))} | ${pct(rate(benign, t))} | ${pct(rate(dsB, t))} | ${extCols.join(" | ")} |`);
}
