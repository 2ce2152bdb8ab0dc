// Why are benign multi-sentence texts flagged by the prompt-injection classifier? Analysis of
// the sentence views (features.ts segments()) on EXTERNAL benign text only (never an evaluation
// set): Tatoeba 5-sentence texts (German and English, via german.py / extract3.py) and clinc /
// WikiSQL questions joined 5 at a time into one text (extract3.py).
//   npx tsx scripts/prompt-classifier-data/multi-view.ts [--model model.json] [--top 8] [--json OUT] FILE.jsonl ...
// FILE.jsonl: german.py's german_dev.jsonl / german_benign.jsonl, extract3.py's
// permissive_questions.jsonl (rows {text, lang, kind}). Prints, per set: flag rate of the whole
// texts, which view gives the maximum, the per-view rates and the "k views" prediction
// 1-(1-p)^k, flagged pairs whose two sentences are not flagged alone, the length feature's share,
// and the n-grams that carry the weight of the flagged views (features recomputed with names).
import { takeOption } from "./cli-args.ts";
import { readFileSync, writeFileSync } from "node:fs";
import { canonical, featureIndices, fnv, segments, WORD_RE, type FeatureConfig } from "../../server/guardian/detect/pi-model/features.ts";
import { decodeModel, MODEL_URL, type PiModel, type PiModelFile } from "../../server/guardian/detect/pi-model/classifier.ts";

const args = process.argv.slice(2);
const opt = (n: string) => takeOption(args, n);
const modelPath = opt("--model") ?? MODEL_URL.pathname;
const TOP = Number(opt("--top") ?? "8");
const jsonOut = opt("--json");
if (!args.length) {
  console.error("usage: multi-view.ts [--model model.json] [--top N] [--json OUT] FILE.jsonl ...");
  process.exit(2);
}
const file = JSON.parse(readFileSync(modelPath, "utf8")) as PiModelFile;
const model: PiModel = decodeModel(file);
const T = file.header.threshold;
const zT = Math.log(T / (1 - T));
const cfg = model.header.features;

// ---- features with names (features.ts's hashing; checked against featureIndices below) ----
function namedFeatures(text: string, c0: FeatureConfig = cfg): Map<number, string[]> {
  const c = canonical(text);
  const mask = (1 << c0.bits) - 1;
  const out = new Map<number, string[]>();
  const add = (h: number, name: string) => {
    const j = h & mask;
    const l = out.get(j);
    if (l) l.push(name);
    else out.set(j, [name]);
  };
  const words = (c.match(WORD_RE) ?? []).slice(0, c0.maxWords);
  for (const n of c0.wordN) for (let i = 0; i + n <= words.length; i++) {
    const g = words.slice(i, i + n).join(" ");
    add(fnv(17 * n, g), `w:${g}`);
  }
  const joined = " " + words.join(" ") + " ";
  const chars = joined.length > c0.headChars + c0.tailChars ? joined.slice(0, c0.headChars) + " " + joined.slice(-c0.tailChars) : joined;
  for (const n of c0.charN) for (let i = 0; i + n <= chars.length; i++) add(fnv(101 * n, chars, i, i + n), `c:${chars.slice(i, i + n)}`);
  const len = c.length;
  const lk = len < 40 ? "len:short" : len < 300 ? "len:mid" : len < 1500 ? "len:long" : "len:huge";
  add(fnv(7, lk), lk);
  return out;
}
const logit = (t: string) => {
  const idx = featureIndices(t, cfg);
  let s = 0;
  for (const j of idx) s += model.weights[j]!;
  return { z: model.bias + s / Math.sqrt(idx.length), n: idx.length, sum: s };
};

// ---- data ----
interface Row { text: string; lang?: string; kind?: string; group?: string }
const rows: Row[] = [];
for (const f of args) rows.push(...readFileSync(f, "utf8").split("\n").filter((l) => l.trim()).map((l, i) => {
  try { return JSON.parse(l) as Row; } catch (e) { throw new Error(`${f}:${i + 1}: ${(e as Error).message}`); }
}));
const sets = new Map<string, string[]>();
const put = (k: string, t: string) => (sets.get(k) ?? sets.set(k, []).get(k)!).push(t);
const seen = new Set<string>();
const enQ: string[] = [];
for (const r of rows) {
  if (seen.has(r.text)) continue;
  seen.add(r.text);
  if (r.kind === "paragraph" && (r.lang === "de" || r.lang === "en")) put(`Tatoeba ${r.lang} 5-sentence texts`, r.text);
  else if (r.kind === "sentence" && r.lang === "de") put("Tatoeba de sentences", r.text);
  else if (r.kind === "question" && r.lang === "de") put("Tatoeba de sentences", r.text);
  else if (r.kind === "question" && r.lang === "en") enQ.push(r.text);
}
// English questions (clinc + WikiSQL, extract3.py) joined 5 at a time; a question without final punctuation gets "?".
for (let i = 0; i + 5 <= enQ.length; i += 5) put("clinc/WikiSQL 5 questions joined", enQ.slice(i, i + 5).map((q) => (/[.!?]$/.test(q) ? q : q + "?")).join(" "));
for (const q of enQ) put("clinc/WikiSQL single questions", q);

// check the named features against featureIndices
for (const t of [...sets.values()].flat().slice(0, 200)) {
  const a = [...namedFeatures(t).keys()].sort((x, y) => x - y).join();
  if (a !== Array.from(featureIndices(t, cfg)).join()) throw new Error(`multi-view.ts: named features differ from features.ts on ${JSON.stringify(t)}`);
}

const pct = (a: number, b: number) => `${((100 * a) / Math.max(b, 1)).toFixed(1)}% (${a}/${b})`;
const report: Record<string, unknown> = {};
for (const [name, texts] of sets) {
  let flagged = 0, flaggedWhole = 0, flaggedNoWhole = 0;
  const argmax = { whole: 0, sentence: 0, pair: 0 };
  let nSent = 0, nSentFlag = 0, nPair = 0, nPairFlag = 0, pairOnly = 0, pairFlagQ = 0, pairQ = 0, pairFirstQFlag = 0;
  let predSum = 0;
  const featW = new Map<string, { w: number; n: number }>();
  let lenShare = 0, lenCount = 0, top10Share = 0, posShare = 0;
  let wholeMinusMeanSent = 0, nMulti = 0, perFeatWhole = 0, perFeatSent = 0, nPFS = 0, nFeatWhole = 0, nFeatSent = 0, nSentAll = 0, viewsAny = 0;
  // variants (post-hoc, same model and threshold): which views are scored
  const variant = { whole_only: 0, views_only_if_any: 0, whole_and_sentences: 0, sentences_only_if_any: 0 };
  for (const t of texts) {
    const segs = segments(t);
    const w = logit(t);
    let best = w.z, bestKind: keyof typeof argmax = "whole", bestText = t;
    const sentZ: number[] = [];
    let maxS = -Infinity, maxP = -Infinity;
    segs.forEach((s, k) => {
      const isPair = segs.length > 2 && k % 2 === 1;
      const z = logit(s).z;
      if (isPair) {
        nPair++;
        const [a, b] = [segs[k - 1]!, segs[k + 1]!];
        const qa = /\?\s*$/.test(a);
        if (qa) pairQ++;
        if (z >= zT) {
          nPairFlag++;
          if (qa) pairFirstQFlag++;
          if (logit(a).z < zT && logit(b).z < zT) pairOnly++;
        }
        maxP = Math.max(maxP, z);
      } else {
        nSent++;
        sentZ.push(z);
        maxS = Math.max(maxS, z);
        const ls = logit(s);
        perFeatSent += ls.sum / ls.n;
        nFeatSent += ls.n;
        nSentAll++;
        if (z >= zT) nSentFlag++;
      }
      if (z > best) (best = z), (bestKind = isPair ? "pair" : "sentence"), (bestText = s);
    });
    if (sentZ.length) {
      nMulti++;
      wholeMinusMeanSent += w.z - sentZ.reduce((a, b) => a + b, 0) / sentZ.length;
      perFeatWhole += w.sum / w.n; // mean weight per feature
      nFeatWhole += w.n;
      nPFS += 1;
      if (Math.max(maxS, maxP) >= zT) viewsAny++;
    }
    if (w.z >= zT) variant.whole_only++;
    if ((segs.length ? Math.max(maxS, maxP) : w.z) >= zT) variant.views_only_if_any++;
    if (Math.max(w.z, maxS) >= zT) variant.whole_and_sentences++;
    if ((segs.length ? maxS : w.z) >= zT) variant.sentences_only_if_any++;
    const k = 1 + segs.length;
    if (best >= zT) {
      flagged++;
      argmax[bestKind]++;
      if (w.z >= zT) flaggedWhole++;
      else flaggedNoWhole++;
      // contributions of the maximal view
      const nf = namedFeatures(bestText);
      const scale = 1 / Math.sqrt(nf.size);
      const cs = [...nf.keys()].map((j) => model.weights[j]! * scale).sort((a, b) => b - a);
      top10Share += cs.slice(0, 10).reduce((a, b) => a + b, 0) / (best - model.bias);
      posShare += cs.filter((c) => c > 0).length / cs.length;
      for (const [j, names] of nf) {
        const c = model.weights[j]! * scale;
        const key = names.sort((a, b) => a.length - b.length)[0]! + (names.length > 1 ? ` (+${names.length - 1})` : "");
        const e = featW.get(key) ?? { w: 0, n: 0 };
        e.w += c;
        e.n++;
        featW.set(key, e);
        if (names.some((x) => x.startsWith("len:"))) {
          lenShare += c / (best - model.bias);
          lenCount++;
        }
      }
    }
    void k;
  }
  // per-view rates and the independence prediction for the multi-sentence texts
  const pS = nSent ? nSentFlag / nSent : 0, pP = nPair ? nPairFlag / nPair : 0;
  const multi = texts.filter((t) => segments(t).length);
  for (const t of multi) {
    const segs = segments(t);
    const ns = segs.length > 2 ? (segs.length + 1) / 2 : 2;
    const np = segs.length > 2 ? ns - 1 : 0;
    predSum += 1 - (1 - pS) ** ns * (1 - pP) ** np;
  }
  const top = [...featW.entries()].sort((a, b) => b[1].w - a[1].w).slice(0, TOP);
  console.log(`\n== ${name}: ${texts.length} texts, ${multi.length} with sentence views; threshold ${T}`);
  console.log(`flagged: ${pct(flagged, texts.length)}; whole text alone ≥ t: ${flaggedWhole}, only a view: ${flaggedNoWhole}`);
  console.log(`maximal view of the flagged: whole ${argmax.whole}, sentence ${argmax.sentence}, pair ${argmax.pair}`);
  if (multi.length) {
    console.log(`per-view rates: sentence ${pct(nSentFlag, nSent)}, pair ${pct(nPairFlag, nPair)}; pairs flagged though neither sentence is: ${nPairFlag ? pct(pairOnly, nPairFlag) : "-"}`);
    console.log(`pairs whose first sentence is a question: ${pct(pairQ, nPair)} of pairs, ${pct(pairFirstQFlag, nPairFlag)} of flagged pairs`);
    console.log(`independence prediction 1-(1-pS)^s(1-pP)^p, mean over texts: ${((100 * predSum) / multi.length).toFixed(1)}% ; observed with any sentence/pair view ≥ t: see above`);
    console.log(`observed: texts with some sentence/pair view ≥ t: ${pct(viewsAny, multi.length)}`);
    console.log(`whole-text logit minus mean sentence logit: ${(wholeMinusMeanSent / nMulti).toFixed(3)} (mean over ${nMulti})`);
    console.log(`logit − bias = mean weight m × sqrt(n): whole text m ${(perFeatWhole / nPFS).toFixed(4)}, n ${(nFeatWhole / nPFS).toFixed(0)}; sentence m ${(perFeatSent / nSentAll).toFixed(4)}, n ${(nFeatSent / nSentAll).toFixed(0)}`);
  }
  console.log(`variants (same model, same threshold): ${Object.entries(variant).map(([k, v]) => `${k} ${pct(v, texts.length)}`).join(", ")}`);
  if (flagged) console.log(`maximal view of the flagged: the 10 largest contributions are ${((100 * top10Share) / flagged).toFixed(0)}% of (logit − bias); ${((100 * posShare) / flagged).toFixed(0)}% of its features have positive weight`);
  if (lenCount) console.log(`length feature: mean share of the maximal view's (logit − bias): ${((100 * lenShare) / lenCount).toFixed(1)}%`);
  console.log(`top features in the maximal views of the flagged (summed contribution w/sqrt(n), count):`);
  for (const [k, v] of top) console.log(`  ${v.w.toFixed(3)}  ${v.n}×  ${k}`);
  report[name] = { n: texts.length, flagged, variant, viewsAny, argmax, nSent, nSentFlag, nPair, nPairFlag, pairOnly, pred: multi.length ? predSum / multi.length : null, top };
}
console.log(`\nbias ${model.bias.toFixed(3)}, threshold logit ${zT.toFixed(3)}`);
if (jsonOut) writeFileSync(jsonOut, JSON.stringify(report, null, 1));
