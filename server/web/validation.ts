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

export const paginationSchema = z.object({
  limit: z.coerce
    .number({ message: "expected an integer between 1 and 100" })
    .int({ message: "expected an integer between 1 and 100" })
    .min(1, { message: "expected an integer between 1 and 100" })
    .max(100, { message: "expected an integer between 1 and 100" })
    .default(20),
  offset: z.coerce
    .number({ message: "expected a non-negative integer" })
    .int({ message: "expected a non-negative integer" })
    .min(0, { message: "expected a non-negative integer" })
    .max(1_000_000, { message: "expected at most 1000000" })
    .default(0),
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
