// The learned half of the prompt-injection detector: logistic regression over hashed word
// and character n-grams (features.ts), trained by scripts/train-prompt-classifier.ts. The
// model file says what it was trained on, the feature configuration, the decision threshold
// and the cross-validation figures. Loaded once, on first use.
import { readFileSync } from "node:fs";
import { unzlibSync } from "fflate";
import { featureIndices, segments, type FeatureConfig } from "./features.ts";

export interface PiModelHeader {
  format: "datamigrate-pi-logreg/1";
  created_by: string;
  features: FeatureConfig;
  training: Record<string, unknown>;
  /** Probability at or above which the classifier alone flags a text. */
  threshold: number;
  cv: Record<string, unknown>;
  /** sha-256 (hex) of the decoded weight bytes. */
  weights_sha256: string;
}

export interface PiModelFile {
  header: PiModelHeader;
  bias: number;
  /** Weight of bucket i = int8[i] * scale. */
  scale: number;
  /** base64 of zlib-compressed Int8Array(2^bits). */
  weights: string;
}

export interface PiModel {
  header: PiModelHeader;
  bias: number;
  weights: Float32Array;
}

export const MODEL_URL = new URL("./model.json", import.meta.url);

export function decodeModel(file: PiModelFile): PiModel {
  const bytes = unzlibSync(Buffer.from(file.weights, "base64"));
  const n = 1 << file.header.features.bits;
  if (bytes.length !== n) throw new Error(`${MODEL_URL.pathname}: weights have ${bytes.length} entries, header says 2^${file.header.features.bits}`);
  const i8 = new Int8Array(bytes.buffer, bytes.byteOffset, bytes.length);
  const weights = new Float32Array(n);
  for (let i = 0; i < n; i++) weights[i] = i8[i]! * file.scale;
  return { header: file.header, bias: file.bias, weights };
}

let cached: PiModel | null = null;

/** The shipped model (server/guardian/detect/pi-model/model.json), loaded once. */
export function piModel(): PiModel {
  if (!cached) cached = decodeModel(JSON.parse(readFileSync(MODEL_URL, "utf8")) as PiModelFile);
  return cached;
}

/** Logit of a text's feature indices: bias + the sum of their weights / sqrt(count). The training script scores with it too. */
export function logitOfFeatures(weights: Float32Array | Float64Array, bias: number, idx: Uint32Array): number {
  if (!idx.length) return bias;
  let s = 0;
  for (let i = 0; i < idx.length; i++) s += weights[idx[i]!]!;
  return bias + s / Math.sqrt(idx.length);
}

/** Raw logit of `text` under `model`. */
export function piLogit(text: string, model: PiModel = piModel()): number {
  return logitOfFeatures(model.weights, model.bias, featureIndices(text, model.header.features));
}

/**
 * Probability (0..1) that `text` is a prompt injection, according to the classifier: of the
 * whole text, or, for models trained with sentence views (features.segments), the maximum over
 * the whole text and each sentence / pair of adjacent sentences (features.ts segments()).
 */
export function piProbability(text: string, model: PiModel = piModel()): number {
  let z = piLogit(text, model);
  if (model.header.features.segments) for (const s of segments(text)) z = Math.max(z, piLogit(s, model));
  return 1 / (1 + Math.exp(-z));
}
