// Feature extraction shared by the prompt-injection classifier (classifier.ts) and its
// training script (scripts/train-prompt-classifier.ts): hashed word uni/bi-grams and
// character 3-5-grams of the normalised, lower-cased text. Same code at training and at
// scoring time, so the two cannot drift apart.
import { normalize } from "../normalize.ts";

export interface FeatureConfig {
  /** log2 of the number of hash buckets. */
  bits: number;
  /** character n-gram sizes. */
  charN: number[];
  /** word n-gram sizes. */
  wordN: number[];
  /** Long texts: character n-grams come from the first `headChars` and last `tailChars` characters. */
  headChars: number;
  tailChars: number;
  /** Long texts: word n-grams from the first `maxWords` words. */
  maxWords: number;
  /** Score = maximum over the whole text and its sentence views (segments()); absent = whole text only. */
  segments?: boolean;
}

export const DEFAULT_FEATURES: FeatureConfig = { bits: 18, charN: [3, 4, 5], wordN: [1, 2], headChars: 3000, tailChars: 1000, maxWords: 1500 };

/** The text the features are computed on: normalize() (NFKC, look-alikes, invisibles), lower case, whitespace collapsed. */
export function canonical(text: string): string {
  return normalize(text).toLowerCase().replace(/\s+/g, " ").trim();
}

export const WORD_RE = /[\p{L}\p{N}']+/gu;

/** 32-bit FNV-1a over UTF-16 code units, with a seed prefix per feature kind. */
export function fnv(seed: number, s: string, from = 0, to = s.length): number {
  let h = (0x811c9dc5 ^ seed) >>> 0;
  for (let i = from; i < to; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

/**
 * Sorted, distinct bucket indices of the features present in `text` (binary features; the
 * classifier weighs each by 1/sqrt(count)).
 */
export function featureIndices(text: string, cfg: FeatureConfig = DEFAULT_FEATURES): Uint32Array {
  const c = canonical(typeof text === "string" ? text : "");
  const mask = (1 << cfg.bits) - 1;
  // Distinct buckets via a reusable mark table (cleared again before returning).
  if (!marks || marks.length !== mask + 1) marks = new Uint8Array(mask + 1);
  const seen = marks;
  const out: number[] = [];
  const add = (h: number) => {
    const j = h & mask;
    if (!seen[j]) {
      seen[j] = 1;
      out.push(j);
    }
  };
  const words = (c.match(WORD_RE) ?? []).slice(0, cfg.maxWords);
  for (const n of cfg.wordN) {
    for (let i = 0; i + n <= words.length; i++) add(fnv(17 * n, n === 1 ? words[i]! : words.slice(i, i + n).join(" ")));
  }
  const joined = " " + words.join(" ") + " ";
  const chars = joined.length > cfg.headChars + cfg.tailChars ? joined.slice(0, cfg.headChars) + " " + joined.slice(-cfg.tailChars) : joined;
  for (const n of cfg.charN) {
    for (let i = 0; i + n <= chars.length; i++) add(fnv(101 * n, chars, i, i + n));
  }
  // Length signal: very short / very long inputs.
  const len = c.length;
  add(fnv(7, len < 40 ? "len:short" : len < 300 ? "len:mid" : len < 1500 ? "len:long" : "len:huge"));
  for (const j of out) seen[j] = 0;
  return Uint32Array.from(out).sort();
}

let marks: Uint8Array | null = null;

/**
 * The sentence-level views the classifier also scores (its probability is the maximum over the
 * whole text and these): each sentence and each pair of adjacent sentences, for texts of 2 to
 * `maxSentences` sentences and at most `maxChars` characters. Injections are often one sentence
 * appended to (or put in front of) an unrelated question, which dilutes whole-text features.
 */
export function segments(text: string, maxChars = 1500, maxSentences = 12): string[] {
  if (typeof text !== "string" || text.length > maxChars) return [];
  const parts = text
    .split(/(?<=[.!?:;\u3002\uff01\uff1f])\s+|\s*(?:\\n|\n)+\s*/)
    .map((p) => p.trim())
    .filter((p) => /[\p{L}\p{N}]/u.test(p));
  if (parts.length < 2 || parts.length > maxSentences) return [];
  const out: string[] = [];
  for (let i = 0; i < parts.length; i++) {
    out.push(parts[i]!);
    if (i + 1 < parts.length && parts.length > 2) out.push(`${parts[i]} ${parts[i + 1]}`);
  }
  return out;
}
