// OWASP CRS 941/942 rules in Guardian: the engine, the request parsers, and detectRequestAttack,
// which combines Guardian's own SQL-injection and XSS detectors with the CRS rules of each
// family at a paranoia level.
import { detectSqli } from "../sqli.ts";
import { detectXss } from "../xss.ts";
import { DEFAULT_THRESHOLD, threshold, type Detection } from "../types.ts";
import { evaluateCrs, type CrsInput, type CrsLocation, type CrsMatch } from "./engine.ts";
import { DEFAULT_PARANOIA_LEVEL } from "./levels.ts";
import { fromBytes } from "./transform.ts";

export { evaluateCrs, compiledRules, type CrsInput, type CrsLocation, type CrsMatch } from "./engine.ts";
export { DEFAULT_PARANOIA_LEVEL, MIN_PARANOIA_LEVEL, MAX_PARANOIA_LEVEL } from "./levels.ts";
export { parseRawRequest, type RawRequestPart } from "./request.ts";
export { CRS_RULES, CRS_SKIPPED, CRS_COMMIT } from "./rules.generated.ts";

export const crsRuleId = (id: number) => `crs:${id}`;

/** CRS severity → score (all at or above the default threshold: a firing CRS rule flags, as in CRS's regression tests). */
const SEVERITY_SCORE: Record<string, number> = { CRITICAL: 1, ERROR: 0.9, WARNING: 0.8, NOTICE: 0.7 };

export interface RequestAttack {
  sqli: Detection;
  xss: Detection;
}

/**
 * One request input checked for SQL injection and XSS: Guardian's detectors on the value
 * (argument values and names, cookies, headers) OR the CRS rules at the paranoia level that
 * apply to the input's location. Rule ids: Guardian's (`sqli.*`, `xss.*`) and `crs:<id>`.
 */
export function detectRequestAttack(input: CrsInput, paranoiaLevel: number = DEFAULT_PARANOIA_LEVEL, opts: { threshold?: number } = {}): RequestAttack {
  const text = input.bytes ? fromBytes(input.value) : input.value;
  const own = input.location === "REQUEST_FILENAME" || input.location === "REQUEST_BASENAME" ? null : { sqli: detectSqli(text, opts), xss: detectXss(text, opts) };
  // The libinjection rules (941100/942100 …) call the same detectors on the transformed values;
  // on the untransformed one they reuse these verdicts (when taken at the default threshold).
  const known = own && threshold(opts) === DEFAULT_THRESHOLD ? { sqli: own.sqli.flagged, xss: own.xss.flagged } : undefined;
  const matches = evaluateCrs(input, paranoiaLevel, known ? { known } : {});
  return {
    sqli: merge(own?.sqli, matches.filter((m) => m.family === "sqli")),
    xss: merge(own?.xss, matches.filter((m) => m.family === "xss")),
  };
}

function merge(own: Detection | undefined, matches: CrsMatch[]): Detection {
  const rules = [...(own?.rules ?? []), ...matches.map((m) => crsRuleId(m.id))];
  const crsScore = Math.max(0, ...matches.map((m) => SEVERITY_SCORE[m.severity] ?? 0.8));
  return {
    flagged: (own?.flagged ?? false) || matches.length > 0,
    score: Math.max(own?.score ?? 0, crsScore),
    rules,
  };
}

/** Maps a middleware input location to the CRS collection it corresponds to. */
export function crsLocationOf(where: "query" | "form" | "json" | "xml" | "header" | "cookie" | "path", isName = false): CrsLocation {
  switch (where) {
    case "header":
      return "REQUEST_HEADERS";
    case "xml":
      // XML:/* (element text) and XML://@* (attribute values): the same rules target both.
      return "XML";
    case "cookie":
      return isName ? "REQUEST_COOKIES_NAMES" : "REQUEST_COOKIES";
    case "path":
      return "REQUEST_FILENAME";
    default:
      return isName ? "ARGS_NAMES" : "ARGS";
  }
}
