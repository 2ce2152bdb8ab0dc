/** What every detector returns. `rules` are stable rule ids (docs/guardian-rules.md). */
export interface Detection {
  flagged: boolean;
  /** 0..1; flagged when score >= threshold. */
  score: number;
  rules: string[];
}

export interface DetectOptions {
  /** Score at or above which the input is flagged (per-organisation policy). Default 0.5. */
  threshold?: number;
}

export const DEFAULT_THRESHOLD = 0.5;

/** Combines independent rule weights: 1 - Π(1 - w). */
export function combine(weights: number[]): number {
  let keep = 1;
  for (const w of weights) keep *= 1 - Math.min(Math.max(w, 0), 1);
  return Math.round((1 - keep) * 1000) / 1000;
}

export function threshold(opts?: DetectOptions): number {
  const t = opts?.threshold;
  return typeof t === "number" && Number.isFinite(t) ? Math.min(Math.max(t, 0), 1) : DEFAULT_THRESHOLD;
}
