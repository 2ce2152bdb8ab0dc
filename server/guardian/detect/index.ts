// Guardian detectors: prompt injection, SQL injection and XSS, with the normalisation they
// share. Pure functions, no I/O: the middleware (server/guardian) and the agents call these.
// Rule ids are documented in docs/guardian-rules.md.
export { detectPromptInjection, matchPromptRules, PROMPT_RULES, type PromptRule } from "./prompt.ts";
export { detectSqli, tokenizeSql, fingerprint, sqlViews, type Tok, type TokClass } from "./sqli.ts";
export { detectXss, xssViews } from "./xss.ts";
export {
  inspectSqlForPrompt,
  neutralizeSqlForPrompt,
  sqlTextParts,
  type SqlTextPart,
  type SqlPromptFinding,
  type SqlPromptInspection,
} from "./sql-prompt.ts";
export {
  normalize,
  textViews,
  textViewsDetailed,
  decodedLayers,
  stripInvisible,
  nfkc,
  foldHomoglyphs,
  unleet,
  collapseSpacing,
  compact,
  decodeHtmlEntities,
  decodeUrl,
  decodeBackslashEscapes,
  tryBase64,
  tryHex,
  MAX_INPUT,
  MAX_DECODE_DEPTH,
} from "./normalize.ts";
export { DEFAULT_THRESHOLD, combine, type Detection, type DetectOptions } from "./types.ts";

import { detectPromptInjection } from "./prompt.ts";
import { detectSqli } from "./sqli.ts";
import { detectXss } from "./xss.ts";
import type { Detection, DetectOptions } from "./types.ts";

export type DetectorKind = "prompt" | "sqli" | "xss";
export const DETECTOR_KINDS: readonly DetectorKind[] = ["prompt", "sqli", "xss"];

/** One entry point by kind (the CLI and the middleware dispatch through it). */
export function detect(kind: DetectorKind, text: string, opts?: DetectOptions): Detection {
  switch (kind) {
    case "prompt":
      return detectPromptInjection(text, opts);
    case "sqli":
      return detectSqli(text, opts);
    case "xss":
      return detectXss(text, opts);
  }
}
