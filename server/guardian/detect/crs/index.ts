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

/** A path segment made only of letters, digits and . _ ~ @ - cannot carry either attack. */
const PLAIN_SEGMENT = /^[\p{L}\p{N}._~@-]*$/u;
/** Segments of one path scanned by Guardian's detectors (bounds the work per path). */
export const MAX_PATH_SEGMENTS = 32;

/**
 * Guardian's own detectors on one request input, without the CRS rules. Argument values and
 * names, cookies, headers, XML: the value. A URL path (REQUEST_FILENAME): each '/'-separated
 * segment on its own, as a value (the detectors URL-decode it, '+' read as a space as CRS's
 * urlDecodeUni does), since a path parameter (`/orders/{id}`) reaches a query as an argument
 * does; the whole path is not one SQL text ("/reports/select/from/2019"). REQUEST_BASENAME is
 * the last segment of REQUEST_FILENAME, which every caller sends with it (CRS's parsePath, the
 * input guard): it is not scanned a second time.
 */
export function ownRequestVerdict(input: CrsInput, opts: { threshold?: number } = {}): RequestAttack {
  const text = input.bytes ? fromBytes(input.value) : input.value;
  if (input.location === "REQUEST_BASENAME") return { sqli: worst([]), xss: worst([]) };
  if (input.location !== "REQUEST_FILENAME") return { sqli: detectSqli(text, opts), xss: detectXss(text, opts) };
  const sqli: Detection[] = [];
  const xss: Detection[] = [];
  let n = 0;
  for (const seg of text.split("/")) {
    if (!seg || PLAIN_SEGMENT.test(seg)) continue;
    if (++n > MAX_PATH_SEGMENTS) break;
    sqli.push(detectSqli(seg, opts));
    xss.push(detectXss(seg, opts));
  }
  return { sqli: worst(sqli), xss: worst(xss) };
}

/** The segments' verdicts as one: flagged if any segment is, the highest score, every rule once. */
function worst(ds: Detection[]): Detection {
  return {
    flagged: ds.some((d) => d.flagged),
    score: Math.max(0, ...ds.map((d) => d.score)),
    rules: [...new Set(ds.flatMap((d) => d.rules))],
  };
}

/**
 * DataMigrate's rule exclusions, as CRS's application exclusion packages do for the software
 * they protect: rules whose trigger is ordinary content in this product. The engine
 * (evaluateCrs) still runs CRS as published; the input guard drops these matches.
 */
export const APPLICATION_EXCLUSIONS: ReadonlyMap<number, string> = new Map([
  [
    942140,
    "common database names (Northwind, tempdb, msdb, information_schema, pg_catalog, schema_name…): the databases and catalogues " +
      "this product's users migrate and write about; an injection that reads them has SQL syntax other rules and Guardian's detectors catch",
  ],
]);

/**
 * One request input checked for SQL injection and XSS: Guardian's detectors (ownRequestVerdict:
 * the value, or each segment of a path) OR the CRS rules at the paranoia level that apply to the
 * input's location. Rule ids: Guardian's (`sqli.*`, `xss.*`) and `crs:<id>`.
 */
export function detectRequestAttack(input: CrsInput, paranoiaLevel: number = DEFAULT_PARANOIA_LEVEL, opts: { threshold?: number } = {}): RequestAttack {
  const own = ownRequestVerdict(input, opts);
  const isPath = input.location === "REQUEST_FILENAME" || input.location === "REQUEST_BASENAME";
  // The libinjection rules (941100/942100 …) call the same detectors on the transformed values;
  // on the untransformed one they reuse these verdicts (when taken at the default threshold).
  // A path's verdict is per segment, not on the value (and those rules do not target paths).
  const known = !isPath && threshold(opts) === DEFAULT_THRESHOLD ? { sqli: own.sqli.flagged, xss: own.xss.flagged } : undefined;
  const matches = evaluateCrs(input, paranoiaLevel, known ? { known } : {}).filter((m) => !APPLICATION_EXCLUSIONS.has(m.id));
  return {
    sqli: merge(own.sqli, matches.filter((m) => m.family === "sqli")),
    xss: merge(own.xss, matches.filter((m) => m.family === "xss")),
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
