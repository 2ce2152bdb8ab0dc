// Input guard: SQL-injection and XSS detection on the request's non-SQL inputs — query-string
// parameters, form fields, JSON string values, and a few headers — before any handler sees
// them. Uploaded files (T-SQL is SQL by design), fields that carry SQL by name, and secrets
// (passwords, tokens, keys) are never scanned; secrets are not even looked at, so they cannot end
// up in the audit log.
//
// The framework has URL-decoded query strings and form fields once; the detectors decode further
// layers (URL, HTML entities, base64, hex) and normalise Unicode themselves. They score, and only
// a score at or above their threshold counts, so "O'Brien sales" or "select customers 2024" pass.
// Besides Guardian's own detectors, the OWASP CRS 941/942 rules run on each input at the
// organisation's paranoia level (policy.paranoiaLevel; detect/crs): argument and JSON values as
// ARGS, query/form parameter names and JSON keys as ARGS_NAMES, headers as REQUEST_HEADERS.
//
// On a detection: audited always (guardian.detected, or guardian.blocked when refused: rule ids,
// field names, where, and an escaped excerpt kept in the erasable part of the entry), then per the
// organisation's policy (sqliAction / xssAction) either a 400 naming the field, or the request goes on.
import type { MiddlewareHandler } from "hono";
import { recordAudit } from "../db/queries/audit.ts";
import type { AppContext, AppEnv } from "../web/env.ts";
import { clientIp } from "../web/env.ts";
import { ApiError } from "../web/errors.ts";
import { type Detection } from "./detect/index.ts";
import { crsLocationOf, DEFAULT_PARANOIA_LEVEL, detectRequestAttack } from "./detect/crs/index.ts";
import { DEFAULT_POLICY, getPolicy, type InputGuardPolicy } from "./policies.ts";

export type InputLocation = "query" | "form" | "json" | "header";
/** "limit": more input than one request may carry through the guard (refused: unscanned input would be a bypass). */
export type InputAttackKind = "sqli" | "xss" | "limit";

export interface RequestInput {
  location: InputLocation;
  /** Field name; nested JSON as a dotted path (`source.database`, `tags.0`). */
  name: string;
  value: string;
  /** The value is the parameter's (or JSON key's) name itself: CRS's ARGS_NAMES. */
  isName?: boolean;
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

// A value made only of letters, digits and . _ @ - (one "word") cannot carry either attack.
const PLAIN_TOKEN = /^[\p{L}\p{N}._@-]*$/u;

export function isExcludedField(name: string): boolean {
  const leaf = name.split(".").filter((p) => !/^\d+$/.test(p)).pop() ?? name;
  return SQL_FIELD.test(leaf) || SECRET_FIELD.test(leaf) || SECRET_FIELD.test(name);
}

/** Whether an input is scanned at all: not an excluded field, and not too short or one plain word to carry an attack. */
function isScanned(input: RequestInput): boolean {
  return !isExcludedField(input.name) && input.value.length >= 2 && !PLAIN_TOKEN.test(input.value);
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
    if (!isScanned(input)) continue;
    const v = input.value;
    if (++values > MAX_SCANNED_VALUES || (chars += v.length) > MAX_SCANNED_CHARS) {
      out.push({ kind: "limit", location: input.location, name: input.name.slice(0, 100), score: 1, rules: ["guardian.scan_limit"], excerpt: "" });
      break;
    }
    const attack = detectRequestAttack({ location: crsLocationOf(input.location, input.isName), name: input.name, value: v }, paranoiaLevel);
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

function jsonStrings(value: unknown, path: string, out: RequestInput[], depth = 0): void {
  if (depth > 32 || out.length > MAX_SCANNED_VALUES * 2) return;
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

export interface GuardInputsOptions {
  /** Parse multipart bodies of any size (only where a small body limit applies before this middleware). */
  parseLargeMultipart?: boolean;
}

/**
 * The request's non-SQL inputs. Bodies are read from a clone of the request, so that route-level
 * body limits and handlers after this middleware read the original stream as if untouched.
 */
export async function collectInputs(c: AppContext, options: GuardInputsOptions = {}): Promise<RequestInput[]> {
  const inputs: RequestInput[] = [];
  const url = new URL(c.req.url);
  for (const [name, value] of url.searchParams) {
    inputs.push({ location: "query", name, value: name, isName: true });
    inputs.push({ location: "query", name, value });
  }
  for (const h of SCANNED_HEADERS) {
    const v = c.req.header(h);
    if (v) inputs.push({ location: "header", name: h, value: v });
  }
  if (c.req.method === "GET" || c.req.method === "HEAD" || c.req.method === "OPTIONS") return inputs;
  const type = c.req.header("content-type") ?? "";
  if (/^application\/json\s*(;|$)/i.test(type)) {
    try {
      // A clone: the original stream stays unread for the body limits and handlers that follow.
      jsonStrings(JSON.parse(await c.req.raw.clone().text()), "", inputs);
    } catch {
      // Not JSON: the handler answers with its own, precise, error.
    }
  } else if (/^(application\/x-www-form-urlencoded|multipart\/form-data)\s*(;|$)/i.test(type)) {
    const multipart = /^multipart\//i.test(type);
    const length = Number(c.req.header("content-length") ?? NaN);
    if (multipart && !options.parseLargeMultipart && !(length <= MULTIPART_SCAN_LIMIT)) return inputs;
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

async function handleDetections(c: AppContext, detections: InputDetection[], policy: InputGuardPolicy): Promise<void> {
  const p = c.var.principal;
  const blocking = detections.filter((d) => actionFor(policy, d.kind) === "block");
  const blocked = blocking.length > 0;
  try {
    await recordAudit(c.var.db, {
      orgId: p?.orgId ?? null,
      userId: p?.userId ?? null,
      eventType: blocked ? "guardian.blocked" : "guardian.detected",
      details: {
        action: blocked ? "block" : "log",
        method: c.req.method,
        path: c.req.path.slice(0, 200),
        kinds: [...new Set(detections.map((d) => d.kind))],
        rules: [...new Set(detections.flatMap((d) => d.rules))],
        paranoiaLevel: policy.paranoiaLevel,
        inputs: detections.map((d) => ({ kind: d.kind, location: d.location, field: d.name, score: d.score, rules: d.rules })),
      },
      // The offending text is personal data of the sender: kept erasable; escaped by recordAudit (no raw CR/LF).
      personal: { excerpt: detections.map((d) => `${d.location}:${d.name}=${d.excerpt}`).join(" | ").slice(0, 1000) },
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
      : `the request was refused: ${first.location === "header" ? "header" : "field"} '${first.name}' looks like ${KIND_WORDS[first.kind]}; if this is legitimate text, ask an organisation admin (the security policy can log instead of block)`,
    fields,
  );
}
