// Reading request input through zod: JSON bodies, forms and query strings. Every failure is a
// 4xx that names the problem; nothing reaches a handler unvalidated.
import type { MiddlewareHandler } from "hono";
import { bodyLimit } from "hono/body-limit";
import { z } from "zod";
import type { AppContext, AppEnv } from "./env.ts";
import { errors, type FieldErrors } from "./errors.ts";

/** zod issues → {"field.path": ["message", ...]}; unknown keys are reported under their own names. */
export function fieldErrors(error: z.ZodError): FieldErrors {
  const fields: FieldErrors = {};
  const add = (key: string, message: string) => (fields[key] ??= []).push(message);
  for (const issue of error.issues) {
    if (issue.code === "unrecognized_keys") {
      const prefix = issue.path.length ? `${issue.path.join(".")}.` : "";
      for (const k of issue.keys) add(prefix + k, "unknown field");
      continue;
    }
    add(issue.path.length ? issue.path.join(".") : "(body)", issue.message);
  }
  return fields;
}

/**
 * Postgres text cannot hold U+0000; such a string would fail deep in the driver as a 500.
 * Reject it up front, naming where it is.
 */
export function nulCharacterFields(value: unknown, at = ""): FieldErrors {
  const fields: FieldErrors = {};
  const walk = (v: unknown, p: string, depth: number) => {
    if (depth > 64) return;
    if (typeof v === "string") {
      if (v.includes("\u0000")) fields[p || "(body)"] = ["must not contain NUL characters"];
    } else if (Array.isArray(v)) {
      v.forEach((x, i) => walk(x, p ? `${p}.${i}` : String(i), depth + 1));
    } else if (v && typeof v === "object") {
      for (const [k, x] of Object.entries(v)) walk(x, p ? `${p}.${k}` : k, depth + 1);
    }
  };
  walk(value, at, 0);
  return fields;
}

/** Parses and validates a JSON body. 415 for another content type, 400 for bad JSON or fields. */
export async function readJson<S extends z.ZodType>(c: AppContext, schema: S): Promise<z.output<S>> {
  const type = c.req.header("content-type") ?? "";
  if (!/^application\/json\s*(;|$)/i.test(type)) throw errors.unsupportedMediaType();
  const text = await c.req.text();
  if (text.trim() === "") throw errors.malformedJson("the request body is empty; expected a JSON object");
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw errors.malformedJson(`the request body is not valid JSON: ${err instanceof Error ? err.message : "parse error"}`);
  }
  const nul = nulCharacterFields(value);
  if (Object.keys(nul).length) throw errors.validation(nul);
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw errors.validation(fieldErrors(parsed.error));
  return parsed.data;
}

/** Validates the query string (first value of each parameter). */
export function readQuery<S extends z.ZodType>(c: AppContext, schema: S): z.output<S> {
  const parsed = schema.safeParse(c.req.query());
  if (!parsed.success) throw errors.validation(fieldErrors(parsed.error), "the query string has invalid parameters");
  return parsed.data;
}

/** A per-route body limit whose overflow is the standard 413 error. */
export function limitBody(maxBytes: number): MiddlewareHandler<AppEnv> {
  return bodyLimit({
    maxSize: maxBytes,
    onError: () => {
      throw errors.tooLarge(maxBytes);
    },
  });
}

// Query integers are plain decimal digits: no "1e3", "0x10" or " 5 ".
const decimal = (inner: z.ZodNumber, fallback: number) =>
  z.preprocess(
    (v) => (v === undefined ? fallback : typeof v === "string" && /^\d{1,9}$/.test(v) ? Number(v) : NaN),
    inner,
  );

const LIMIT_MESSAGE = "expected an integer between 1 and 100";
const OFFSET_MESSAGE = "expected a non-negative integer";

export const paginationSchema = z.object({
  limit: decimal(z.number({ message: LIMIT_MESSAGE }).int({ message: LIMIT_MESSAGE }).min(1, { message: LIMIT_MESSAGE }).max(100, { message: LIMIT_MESSAGE }), 20),
  offset: decimal(
    z.number({ message: OFFSET_MESSAGE }).int({ message: OFFSET_MESSAGE }).min(0, { message: OFFSET_MESSAGE }).max(1_000_000, { message: "expected at most 1000000" }),
    0,
  ),
});

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** Path ids that are not UUIDs cannot exist: callers answer 404, as for any unknown id. */
export function isUuid(value: string | undefined): value is string {
  return !!value && UUID_RE.test(value);
}

// Shared field rules.
export const emailField = z
  .string({ message: "expected an e-mail address" })
  .trim()
  .max(254, { message: "at most 254 characters" })
  .pipe(z.email({ message: "expected an e-mail address" }));
