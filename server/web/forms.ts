// Reading HTML form posts through zod. Invalid input re-renders the form; nothing is written.
import { z } from "zod";
import type { AppContext } from "./env.ts";
import { errors, type FieldErrors } from "./errors.ts";
import { fieldErrors, nulCharacterFields } from "./validation.ts";

export type FormResult<T> = { ok: true; data: T } | { ok: false; fields: FieldErrors; values: Record<string, string> };

const FORM_TYPE = /^(application\/x-www-form-urlencoded|multipart\/form-data)\s*(;|$)/i;

/** Text fields of a form post; repeated names become arrays. 415 for a non-form body. */
export async function readForm<S extends z.ZodType>(c: AppContext, schema: S): Promise<FormResult<z.output<S>>> {
  if (!FORM_TYPE.test(c.req.header("content-type") ?? "")) {
    throw errors.unsupportedMediaType("application/x-www-form-urlencoded");
  }
  let body: Record<string, string | File | (string | File)[]>;
  try {
    body = await c.req.parseBody({ all: true });
  } catch {
    throw errors.malformedForm();
  }
  const raw: Record<string, string | string[]> = {};
  const values: Record<string, string> = {};
  for (const [k, v] of Object.entries(body)) {
    const texts = (Array.isArray(v) ? v : [v]).filter((x): x is string => typeof x === "string");
    raw[k] = texts.length === 1 ? texts[0]! : texts;
    // Passwords are never echoed back into the form.
    if (!/password/i.test(k) && texts[0] !== undefined) values[k] = texts[0].slice(0, 300);
  }
  const nul = nulCharacterFields(raw);
  if (Object.keys(nul).length) return { ok: false, fields: nul, values: {} };
  const parsed = schema.safeParse(raw);
  if (!parsed.success) return { ok: false, fields: fieldErrors(parsed.error), values };
  return { ok: true, data: parsed.data };
}
