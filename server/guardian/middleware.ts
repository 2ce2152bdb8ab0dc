// Input guard: SQL-injection and XSS detection on the request's non-SQL inputs — the path,
// query-string parameters, cookies, form fields, JSON string values, XML text and attribute values,
// and a few headers — before any handler sees them. Uploaded files (T-SQL is SQL by design),
// fields that carry SQL by name, and secrets (passwords, tokens, keys, the session cookie) are
// never scanned; secrets are not even looked at, so they cannot end up in the audit log.
//
// The framework has URL-decoded query strings and form fields once; the detectors decode further
// layers (URL, HTML entities, base64, hex) and normalise Unicode themselves. They score, and only
// a score at or above their threshold counts, so "O'Brien sales" or "select customers 2024" pass.
// Besides Guardian's own detectors, the OWASP CRS 941/942 rules run on each input at the
// organisation's paranoia level (policy.paranoiaLevel; detect/crs): argument and JSON values as
// ARGS, query/form parameter names and JSON keys as ARGS_NAMES, headers as REQUEST_HEADERS, cookie
// values and names as REQUEST_COOKIES / REQUEST_COOKIES_NAMES, XML text and attribute values as
// XML:/*, and the URL-decoded path as REQUEST_FILENAME (its last segment as REQUEST_BASENAME).
// At paranoia level 1 CRS runs only XSS rules and 942160/942550 on the path; Guardian's own
// detectors look at each path segment as a value: `/migrations/1' union select …` is refused,
// while object and model names ([Order Details], O'Brien, Qwen/Qwen2.5-Coder) pass as they do in
// a query string. One plain word skips the own detectors, but a number-like one still meets the
// CRS rules (942220's overflow probes). A body with more values (or deeper nesting) than is
// collected is refused like one past the scan budget: what was not collected was not checked.
//
// On a detection: audited always (guardian.detected, or guardian.blocked when refused: rule ids,
// field names, where, and an escaped excerpt kept in the erasable part of the entry), then per the
// organisation's policy (sqliAction / xssAction) either a 400 naming the field, or the request goes on.
import { XMLParser } from "fast-xml-parser";
import type { MiddlewareHandler } from "hono";
import { recordAudit } from "../db/queries/audit.ts";
import type { AppContext, AppEnv } from "../web/env.ts";
import { clientIp } from "../web/env.ts";
import { ApiError } from "../web/errors.ts";
import type { Detection } from "./detect/index.ts";
import {
  crsLocationOf,
  crsRuleId,
  DEFAULT_PARANOIA_LEVEL,
  detectRequestAttack,
  evaluateCrs,
  MAX_PATH_SEGMENTS,
  type CrsInput,
  type RequestAttack,
} from "./detect/crs/index.ts";
import { DEFAULT_POLICY, getPolicy, type InputGuardPolicy } from "./policies.ts";

export type InputLocation = "path" | "query" | "cookie" | "form" | "json" | "xml" | "header";
/** "limit": more input than one request may carry through the guard (refused: unscanned input would be a bypass). */
export type InputAttackKind = "sqli" | "xss" | "limit";

export interface RequestInput {
  location: InputLocation;
  /** Field name; nested JSON as a dotted path (`source.database`, `tags.0`). */
  name: string;
  value: string;
  /** The value is the parameter's (JSON key's, cookie's) name itself: CRS's ARGS_NAMES / REQUEST_COOKIES_NAMES. */
  isName?: boolean;
  /** For the path: the whole URL-decoded path (CRS REQUEST_FILENAME), or its last segment (REQUEST_BASENAME). */
  pathPart?: "filename" | "basename";
  /** Collection stopped before this point (too many values, or nested too deep): refused as "limit". */
  overflow?: boolean;
}

export interface InputDetection {
  kind: InputAttackKind;
  location: InputLocation;
  name: string;
  score: number;
  rules: string[];
  excerpt: string;
}

/** Fields that hold SQL by design (their content is checked elsewhere: the translator, the output guard). */
const SQL_FIELD = /(?:^|[._-])(?:sql|tsql|t_sql|definition|script)$|[a-z]Sql$/i;
/** Files by design, given whole by an admin: an Ollama Modelfile (`PARAMETER stop "<|im_end|>"`) is checked by its own parser. */
const FILE_FIELD = /^modelfile$/i;
/** Secrets: never scanned, never logged. */
const SECRET_FIELD = /pass(?:word|phrase)?|secret|token|api_?key|^key$|credential|authorization|cookie/i;
/** Headers attackers use as injection carriers that the app (or its logs) may read. */
const SCANNED_HEADERS = ["user-agent", "referer", "x-forwarded-host"] as const;

/**
 * Bounds on the work per request (the detectors cost ~0.02 ms per short value, ~0.7 ms per KB).
 * Generous enough for every body the app's limits let in; past them the request is refused
 * rather than let through half-checked, since padding would otherwise hide a payload.
 */
export const MAX_SCANNED_VALUES = 2_000;
export const MAX_SCANNED_CHARS = 128 * 1024;
/**
 * Multipart bodies larger than this (or of unknown length) are not parsed here: source uploads
 * run to hundreds of MB, and a second parse would double their memory. Upload handlers check
 * their text fields with guardFields() instead.
 */
const MULTIPART_SCAN_LIMIT = 64 * 1024;

/** Collection stops past this many inputs (scanInputs then refuses the request: see MAX_SCANNED_VALUES). */
const MAX_COLLECTED = MAX_SCANNED_VALUES * 2;
const MAX_DEPTH = 32;

/**
 * A value made only of letters, digits and . _ @ - (one "word": ids, e-mails, dbo.Customer, dates)
 * skips Guardian's own detectors (and CRS's libinjection rules, which call them): one such word
 * cannot carry an injection worth refusing, and the product's own data is full of them.
 */
const PLAIN_TOKEN = /^[\p{L}\p{N}._@-]*$/u;
/**
 * Except a plain word that is number-like: CRS 942220 (level 1) flags integer-overflow probes
 * (2147483647/8, 4294967295/6, -2147483649, 1e309, 2.2250738585072011e-308), so these still go
 * through the CRS rules of the configured level, without the libinjection rules (the own
 * detectors keep their one-word shortcut: single words they flag, such as xp_cmdshell or
 * Northwind, are this product's data). Shape: optional json. prefix, optional sign, a digit, any
 * one plain character (942220's "2.22507…" has a wildcard there), digits and dots, an exponent.
 * Dates and UUIDs are not number-like (942432 at level 4 would refuse every one).
 */
const NUMBER_LIKE = /^(?:json\.)?-?\d[\p{L}\p{N}._@-]?[\d.]*(?:e-?\d+)?$/iu;

/** The app's own session cookie (server/auth/middleware.ts sessionCookieName: either name, whatever COOKIE_SECURE says). */
export const SESSION_COOKIES: ReadonlySet<string> = new Set(["session", "__Host-session"]);
/** Other cookies that carry credentials by their name (other apps' session ids, CSRF tokens): value never scanned nor logged. */
const SECRET_COOKIE = /sess|csrf|xsrf|jwt|saml|(?:^|[._-])sid$|auth/i;

export function isExcludedField(name: string): boolean {
  const leaf = (name.split(".").filter((p) => !/^\d+$/.test(p)).pop() ?? name).replace(/^@/, "");
  return SQL_FIELD.test(leaf) || FILE_FIELD.test(leaf) || SECRET_FIELD.test(leaf) || SECRET_FIELD.test(name);
}

type ScanMode = "skip" | "full" | "crs";

/** How an input is scanned: not at all (excluded field, too short, one plain word), by the CRS rules only (a number-like word), or fully. */
function scanMode(input: RequestInput): ScanMode {
  // The exclusions are about a field's VALUE (SQL by design, a secret): its name itself is always
  // checked, else a name that merely contains "token" or "sql" would carry any payload unscanned.
  if (input.location !== "path" && !input.isName && isExcludedField(input.name)) return "skip";
  const v = input.value;
  if (v.length < 2) return "skip";
  if (!PLAIN_TOKEN.test(v)) return "full";
  // A plain basename: no CRS rule that targets the path flags a plain word (942220 does not target it).
  return NUMBER_LIKE.test(v) && input.pathPart === undefined ? "crs" : "skip";
}

function isScanned(input: RequestInput): boolean {
  return input.overflow === true || scanMode(input) !== "skip";
}

/** CRS severity → score, as detectRequestAttack scores its CRS matches. */
const CRS_SEVERITY_SCORE: Record<string, number> = { CRITICAL: 1, ERROR: 0.9, WARNING: 0.8, NOTICE: 0.7 };

function crsOnly(input: CrsInput, paranoiaLevel: number): RequestAttack {
  const matches = evaluateCrs(input, paranoiaLevel, { skipLibinjection: true });
  const of = (family: "sqli" | "xss"): Detection => {
    const ms = matches.filter((m) => m.family === family);
    return { flagged: ms.length > 0, score: Math.max(0, ...ms.map((m) => CRS_SEVERITY_SCORE[m.severity] ?? 0.8)), rules: ms.map((m) => crsRuleId(m.id)) };
  };
  return { sqli: of("sqli"), xss: of("xss") };
}

function attackOn(input: RequestInput, mode: ScanMode, paranoiaLevel: number): RequestAttack {
  const v = input.value;
  const location = input.pathPart === "basename" ? "REQUEST_BASENAME" : crsLocationOf(input.location, input.isName);
  const crsInput: CrsInput = { location, name: input.name, value: v };
  return mode === "crs" ? crsOnly(crsInput, paranoiaLevel) : detectRequestAttack(crsInput, paranoiaLevel);
}

/**
 * Scans inputs at a CRS paranoia level (1..4, the organisation's policy); returns every
 * detection (at most one per input and kind). Pure.
 */
export function scanInputs(inputs: RequestInput[], paranoiaLevel: number = DEFAULT_PARANOIA_LEVEL): InputDetection[] {
  const out: InputDetection[] = [];
  let chars = 0;
  let values = 0;
  for (const input of inputs) {
    const mode = input.overflow ? "full" : scanMode(input);
    if (mode === "skip") continue;
    const v = input.value;
    if (input.overflow || ++values > MAX_SCANNED_VALUES || (chars += v.length) > MAX_SCANNED_CHARS) {
      out.push({ kind: "limit", location: input.location, name: input.name.slice(0, 100), score: 1, rules: ["guardian.scan_limit"], excerpt: "" });
      break;
    }
    const attack = attackOn(input, mode, paranoiaLevel);
    const found: Array<[InputAttackKind, Detection]> = [
      ["sqli", attack.sqli],
      ["xss", attack.xss],
    ];
    for (const [kind, d] of found) {
      if (!d.flagged) continue;
      out.push({ kind, location: input.location, name: input.name.slice(0, 100), score: d.score, rules: d.rules, excerpt: v.slice(0, 200) });
    }
  }
  return out;
}

/** Marks the end of collection: what follows was not collected, so the request is refused rather than half-checked. */
function overflowed(out: RequestInput[], location: InputLocation, name: string): boolean {
  if (!out.at(-1)?.overflow) out.push({ location, name: name || "(body)", value: "", overflow: true });
  return true;
}

function jsonStrings(value: unknown, path: string, out: RequestInput[], depth = 0): void {
  if (out.at(-1)?.overflow) return;
  if (depth > MAX_DEPTH || out.length > MAX_COLLECTED) {
    overflowed(out, "json", path);
    return;
  }
  if (typeof value === "string") out.push({ location: "json", name: path || "(body)", value });
  else if (Array.isArray(value)) value.forEach((v, i) => jsonStrings(v, path ? `${path}.${i}` : String(i), out, depth + 1));
  else if (value && typeof value === "object") {
    for (const [k, v] of Object.entries(value)) {
      // Keys are input too (a JSON object's keys reach logs and error messages).
      out.push({ location: "json", name: path ? `${path}.(key)` : "(key)", value: k, isName: true });
      jsonStrings(v, path ? `${path}.${k}` : k, out, depth + 1);
    }
  }
}

/**
 * The path's inputs: the whole path with each segment URL-decoded (CRS REQUEST_FILENAME; Guardian's
 * own detectors take it segment by segment, detect/crs ownRequestVerdict), and its last segment
 * (REQUEST_BASENAME). A '/' that was %2F inside a segment stays %2F, so that segments stay as sent;
 * a segment that does not decode as UTF-8 is kept as sent (the detectors decode what they can).
 * A path of more non-plain segments than the own detectors take is refused as past the budget.
 */
export function pathInputs(pathname: string): RequestInput[] {
  let unplain = 0;
  const parts = pathname.split("/").map((raw) => {
    if (raw && !PLAIN_TOKEN.test(raw)) unplain++;
    if (!raw.includes("%")) return raw;
    try {
      return decodeURIComponent(raw).replaceAll("/", "%2F");
    } catch {
      return raw;
    }
  });
  const out: RequestInput[] = [{ location: "path", name: "path", value: parts.join("/"), pathPart: "filename" }];
  const base = parts.at(-1);
  if (base) out.push({ location: "path", name: "path", value: base, pathPart: "basename" });
  if (unplain > MAX_PATH_SEGMENTS) overflowed(out, "path", "path");
  return out;
}

/**
 * A Cookie header's names and values, as sent (no decoding: the detectors and the CRS
 * transformations decode). The app's session cookie is left out entirely; the value of a cookie
 * whose name says it holds a credential is left out (its name is still checked).
 */
export function cookieInputs(header: string): RequestInput[] {
  const out: RequestInput[] = [];
  for (const part of header.split(";")) {
    const p = part.trim();
    if (!p) continue;
    const eq = p.indexOf("=");
    const name = (eq < 0 ? p : p.slice(0, eq)).trim();
    if (SESSION_COOKIES.has(name)) continue;
    out.push({ location: "cookie", name, value: name, isName: true });
    if (!SECRET_COOKIE.test(name)) out.push({ location: "cookie", name, value: eq < 0 ? "" : p.slice(eq + 1).trim() });
    if (out.length > MAX_COLLECTED) {
      overflowed(out, "cookie", name);
      break;
    }
  }
  return out;
}

const XML_TYPE = /^(?:application|text)\/(?:[\w.-]+\+)?xml\s*(;|$)/i;
/**
 * Entities are not expanded by the parser (no DOCTYPE-declared entity, internal or external, is
 * ever resolved; fast-xml-parser does no I/O): the five predefined ones and character references
 * are decoded here, as an XML parser would before CRS's XML:/* sees the text.
 */
const xmlParser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: "@_",
  allowBooleanAttributes: true,
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: false,
  processEntities: false,
  htmlEntities: false,
  ignoreDeclaration: true,
  ignorePiTags: true,
});
const XML_INTERNAL_ENTITY = /<!ENTITY\s+(?:%\s+)?[^\s"'<>]+\s+(?:"([^"]*)"|'([^']*)')/g;
const XML_ENTITIES: Record<string, string> = { lt: "<", gt: ">", amp: "&", quot: '"', apos: "'" };
function xmlDecode(s: string): string {
  return s.replace(/&(?:#x([0-9a-f]{1,6})|#(\d{1,7})|(lt|gt|amp|quot|apos));/gi, (m, h?: string, d?: string, n?: string) => {
    if (n) return XML_ENTITIES[n.toLowerCase()]!;
    const cp = h ? parseInt(h, 16) : Number(d);
    return cp <= 0x10ffff ? String.fromCodePoint(cp) : m;
  });
}

/** Element text and attribute values of a parsed XML body, named by element path (`order.customer.@id`). */
function xmlStrings(node: unknown, path: string, out: RequestInput[], depth = 0): void {
  if (out.at(-1)?.overflow) return;
  if (depth > MAX_DEPTH || out.length > MAX_COLLECTED) {
    overflowed(out, "xml", path);
    return;
  }
  if (typeof node === "string") {
    if (node.trim()) out.push({ location: "xml", name: path || "(body)", value: xmlDecode(node) });
  } else if (Array.isArray(node)) {
    for (const v of node) xmlStrings(v, path, out, depth + 1);
  } else if (node && typeof node === "object") {
    for (const [k, v] of Object.entries(node)) {
      const name = k === "#text" ? path : k.startsWith("@_") ? `${path}.@${k.slice(2)}` : path ? `${path}.${k}` : k;
      xmlStrings(v, name, out, depth + 1);
    }
  }
}

/**
 * The text without its first DOCTYPE declaration: `<!DOCTYPE` up to the first '[' or '>'; after a
 * '[' the internal subset runs to its first ']' and the declaration to the next '>'. As the regular
 * expression /<!DOCTYPE[^[>]*(?:\[[^\]]*\][^>]*)?>/i, in linear time: that expression, tried at
 * each of many unterminated `<!DOCTYPE`s, rescans to the end of the body from each one (quadratic
 * in the body's size, seconds of CPU for a few hundred KiB).
 */
export function stripFirstDoctype(text: string): string {
  const head = /<!DOCTYPE/gi;
  const lastBracket = text.lastIndexOf("]");
  const lastGt = text.lastIndexOf(">");
  let subsetFails = false;
  for (let m = head.exec(text); m; m = head.exec(text)) {
    const start = m.index;
    let i = start + m[0].length;
    while (i < text.length && text[i] !== "[" && text[i] !== ">") i++;
    // No '[' or '>' after this one: none after any later one either.
    if (i >= text.length) return text;
    if (text[i] === ">") return text.slice(0, start) + text.slice(i + 1);
    if (!subsetFails && i < lastBracket) {
      const close = text.indexOf("]", i + 1);
      if (close < lastGt) return text.slice(0, start) + text.slice(text.indexOf(">", close + 1) + 1);
      // No '>' after this subset's first ']': no later subset can end either (a later '>' before a '[' still can).
      subsetFails = true;
    }
    // A later start before i meets the same '[': only one past it can match.
    head.lastIndex = Math.max(start + 1, i - m[0].length + 1);
  }
  return text;
}

/**
 * Every `open … close` section of `text` (the first `close` after each `open`), as the lazy
 * expression /open([\s\S]*?)close/g finds them, in linear time (see stripFirstDoctype): `inner` is
 * each section's content, and the text with each section replaced by `replacement` is returned.
 */
export function splitSections(text: string, open: string, close: string, replacement: string): { inner: string[]; rest: string } {
  const inner: string[] = [];
  let rest = "";
  let from = 0;
  for (let at = text.indexOf(open); at >= 0; at = text.indexOf(open, from)) {
    const end = text.indexOf(close, at + open.length);
    // No `close` after this `open`: none after a later one either; the rest stays as it is.
    if (end < 0) break;
    inner.push(text.slice(at + open.length, end));
    rest += text.slice(from, at) + replacement;
    from = end + close.length;
  }
  return { inner, rest: rest + text.slice(from) };
}

/**
 * An XML body's text and attribute values. The parser refuses some documents a handler's parser
 * may accept (an external entity declaration, a `__proto__` element): then without the DOCTYPE,
 * and failing that with a lenient scan (text between tags, quoted attribute values, CDATA), so
 * that no shape of document goes unchecked. A malformed document is only read, never refused here.
 */
function xmlInputs(text: string, out: RequestInput[]): void {
  const start = out.length;
  for (const doc of [text, stripFirstDoctype(text)]) {
    try {
      xmlStrings(xmlParser.parse(doc), "", out);
      return;
    } catch {
      out.length = start;
    }
  }
  const lenient = ">" + splitSections(text, "<!--", "-->", "").rest;
  const cdata = splitSections(lenient, "<![CDATA[", "]]>", "<>");
  const values = [
    ...cdata.inner,
    ...[...lenient.matchAll(/\s[^\s=<>]+\s*=\s*(?:"([^"]*)"|'([^']*)')/g)].map((m) => m[1] ?? m[2]!),
    ...[...cdata.rest.matchAll(/>([^<]+)/g)].map((m) => m[1]!),
  ];
  for (const v of values) {
    if (out.length > MAX_COLLECTED) {
      overflowed(out, "xml", "(body)");
      return;
    }
    if (v.trim()) out.push({ location: "xml", name: "(body)", value: xmlDecode(v) });
  }
}

export interface GuardInputsOptions {
  /** Parse multipart bodies of any size (only where a small body limit applies before this middleware). */
  parseLargeMultipart?: boolean;
}

/**
 * The request's non-SQL inputs. Bodies are read from a clone of the request, so that route-level
 * body limits and handlers after this middleware read the original stream as if untouched.
 */
/**
 * JSON, XML and URL-encoded bodies are read (from a clone) up to this size. The routes' own limits
 * are smaller (API 64 KiB, pages 16 KiB) except where a route takes uploads, whose bodies are
 * multipart; a larger body of these types is refused as past the scan limit rather than buffered whole.
 */
export const MAX_GUARDED_BODY = 1024 * 1024;

/** The body of a clone of `req` as text, or null when it is longer than `max` bytes (read no further). */
async function boundedText(req: Request, max: number): Promise<string | null> {
  const declared = Number(req.headers.get("content-length") ?? NaN);
  if (declared > max) return null;
  const body = req.clone().body;
  if (!body) return "";
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let n = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    n += value.byteLength;
    if (n > max) {
      // Not awaited: a tee branch's cancel settles only when the other branch (the original, left for the handler) is cancelled too.
      reader.cancel().catch(() => {});
      return null;
    }
    chunks.push(value);
  }
  return new TextDecoder().decode(Buffer.concat(chunks));
}

export async function collectInputs(c: AppContext, options: GuardInputsOptions = {}): Promise<RequestInput[]> {
  const url = new URL(c.req.url);
  const inputs: RequestInput[] = pathInputs(url.pathname);
  for (const [name, value] of url.searchParams) {
    inputs.push({ location: "query", name, value: name, isName: true });
    inputs.push({ location: "query", name, value });
  }
  const cookie = c.req.header("cookie");
  if (cookie) inputs.push(...cookieInputs(cookie));
  for (const h of SCANNED_HEADERS) {
    const v = c.req.header(h);
    if (v) inputs.push({ location: "header", name: h, value: v });
  }
  if (c.req.method === "GET" || c.req.method === "HEAD" || c.req.method === "OPTIONS") return inputs;
  const type = c.req.header("content-type") ?? "";
  const urlEncoded = /^application\/x-www-form-urlencoded\s*(;|$)/i.test(type);
  const json = /^application\/json\s*(;|$)/i.test(type);
  const xml = !json && XML_TYPE.test(type);
  // Read from a clone: the original stream stays unread for the body limits and handlers that follow.
  const text = json || xml || urlEncoded ? await boundedText(c.req.raw, MAX_GUARDED_BODY) : "";
  if (text === null) {
    overflowed(inputs, json ? "json" : xml ? "xml" : "form", "(body)");
    return inputs;
  }
  if (json) {
    try {
      jsonStrings(JSON.parse(text), "", inputs);
    } catch {
      // Not JSON: the handler answers with its own, precise, error.
    }
  } else if (xml) {
    try {
      xmlInputs(text, inputs);
      // Internal entities are not expanded (above), but a handler's XML parser might: their replacement texts are checked as values.
      for (const m of text.matchAll(XML_INTERNAL_ENTITY)) {
        if (inputs.at(-1)?.overflow || (inputs.length > MAX_COLLECTED && overflowed(inputs, "xml", "(doctype entity)"))) break;
        inputs.push({ location: "xml", name: "(doctype entity)", value: xmlDecode(m[1] ?? m[2] ?? "") });
      }
    } catch {
      // Malformed XML: the handler answers.
    }
  } else if (urlEncoded) {
    for (const [name, x] of new URLSearchParams(text)) {
      inputs.push({ location: "form", name, value: name, isName: true });
      inputs.push({ location: "form", name, value: x });
    }
  } else if (/^multipart\/form-data\s*(;|$)/i.test(type)) {
    const length = Number(c.req.header("content-length") ?? NaN);
    if (!options.parseLargeMultipart && !(length <= MULTIPART_SCAN_LIMIT)) return inputs;
    try {
      const body = await c.req.raw.clone().formData();
      for (const [name, x] of body.entries()) {
        if (typeof x !== "string") continue;
        inputs.push({ location: "form", name, value: name, isName: true });
        inputs.push({ location: "form", name, value: x });
      }
    } catch {
      // Unparseable: the handler answers.
    }
  }
  return inputs;
}

const KIND_WORDS: Record<InputAttackKind, string> = {
  sqli: "SQL injection",
  xss: "cross-site scripting",
  limit: `more input than is checked per request (${MAX_SCANNED_VALUES} text values, ${MAX_SCANNED_CHARS} characters)`,
};

function actionFor(policy: InputGuardPolicy, kind: InputAttackKind): "block" | "log" {
  return kind === "sqli" ? policy.sqliAction : kind === "xss" ? policy.xssAction : "block";
}

/**
 * For handlers that read a body this middleware leaves alone (multipart uploads above 64 KiB):
 * checks the text fields they parsed, with the same policy, audit and 400 as the middleware.
 */
export async function guardFields(c: AppContext, fields: Record<string, string>, location: InputLocation = "form"): Promise<void> {
  await guard(c, Object.entries(fields).map(([name, value]) => ({ location, name, value })));
}

export function guardInputs(options: GuardInputsOptions = {}): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    await guard(c, await collectInputs(c, options));
    await next();
  };
}

async function guard(c: AppContext, inputs: RequestInput[]): Promise<void> {
  // The policy is read only when some input is scanned at all (its paranoia level decides what is flagged).
  if (!inputs.some(isScanned)) return;
  const p = c.var.principal;
  // Anonymous requests (registration, sign-in) follow the defaults. Authenticated ones carry their
  // organisation's policy, read in the same query as the credential (server/auth): no extra round
  // trip, and still current on every request. A principal built without it reads the policy here.
  const policy: InputGuardPolicy = p ? (p.inputGuard ?? (await getPolicy(c.var.db, p.orgId))) : DEFAULT_POLICY;
  const detections = scanInputs(inputs, policy.paranoiaLevel);
  if (detections.length > 0) await handleDetections(c, detections, policy);
}

function where(d: InputDetection): string {
  if (d.location === "path") return "the request path";
  return `${d.location === "header" ? "header" : d.location === "cookie" ? "cookie" : "field"} '${d.name}'`;
}

async function handleDetections(c: AppContext, detections: InputDetection[], policy: InputGuardPolicy): Promise<void> {
  const p = c.var.principal;
  const blocking = detections.filter((d) => actionFor(policy, d.kind) === "block");
  const blocked = blocking.length > 0;
  const inPath = detections.some((d) => d.location === "path");
  try {
    await recordAudit(c.var.db, {
      orgId: p?.orgId ?? null,
      userId: p?.userId ?? null,
      eventType: blocked ? "guardian.blocked" : "guardian.detected",
      details: {
        action: blocked ? "block" : "log",
        method: c.req.method,
        // A path that carries the offending text is the sender's personal data like any excerpt: kept in the erasable part.
        path: inPath ? "(in the erasable part)" : c.req.path.slice(0, 200),
        kinds: [...new Set(detections.map((d) => d.kind))],
        rules: [...new Set(detections.flatMap((d) => d.rules))],
        paranoiaLevel: policy.paranoiaLevel,
        inputs: detections.map((d) => ({ kind: d.kind, location: d.location, field: d.name, score: d.score, rules: d.rules })),
      },
      // The offending text is personal data of the sender: kept erasable; escaped by recordAudit (no raw CR/LF).
      personal: {
        excerpt: detections.map((d) => `${d.location}:${d.name}=${d.excerpt}`).join(" | ").slice(0, 1000),
        ...(inPath ? { path: c.req.path.slice(0, 200) } : {}),
      },
      ip: clientIp(c),
      at: c.var.deps.clock(),
    });
  } catch (err) {
    c.var.log.error({ err }, "could not audit a Guardian detection");
  }
  c.var.log.warn(
    { guardian: { action: blocked ? "block" : "log", rules: [...new Set(detections.flatMap((d) => d.rules))], fields: detections.map((d) => `${d.location}:${d.name}`) } },
    "guardian detection",
  );
  if (!blocked) return;
  const fields: Record<string, string[]> = {};
  for (const d of blocking) (fields[d.name] ??= []).push(d.kind === "limit" ? `is past ${KIND_WORDS.limit}` : `looks like ${KIND_WORDS[d.kind]} (${d.rules.join(", ")})`);
  const first = blocking[0]!;
  throw new ApiError(
    400,
    "guardian_blocked",
    first.kind === "limit"
      ? `the request was refused: it carries ${KIND_WORDS.limit}; send fewer or shorter text fields`
      : `the request was refused: ${where(first)} looks like ${KIND_WORDS[first.kind]}; if this is legitimate text, ask an organisation admin (the security policy can log instead of block)`,
    fields,
  );
}
