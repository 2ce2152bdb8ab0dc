// The API's one error shape: {"error": {"code", "message", "fields"?}}.
import type { ContentfulStatusCode } from "hono/utils/http-status";

export type FieldErrors = Record<string, string[]>;

export interface ErrorBody {
  error: { code: string; message: string; fields?: FieldErrors };
}

export class ApiError extends Error {
  constructor(
    readonly status: ContentfulStatusCode,
    readonly code: string,
    message: string,
    readonly fields?: FieldErrors,
    readonly headers?: Record<string, string>,
  ) {
    super(message);
    this.name = "ApiError";
  }

  body(): ErrorBody {
    return { error: { code: this.code, message: this.message, ...(this.fields ? { fields: this.fields } : {}) } };
  }
}

export const errors = {
  validation: (fields: FieldErrors, message = "the request has invalid fields") => new ApiError(400, "validation_failed", message, fields),
  malformedJson: (message = "the request body is not valid JSON") => new ApiError(400, "malformed_json", message),
  malformedForm: () => new ApiError(400, "malformed_form", "the form body could not be parsed"),
  unauthenticated: (message = "authentication required: send Authorization: Bearer <token or API key>") =>
    new ApiError(401, "unauthenticated", message, undefined, { "WWW-Authenticate": 'Bearer realm="datamigrate"' }),
  invalidCredentials: () => new ApiError(401, "invalid_credentials", "e-mail or password is wrong"),
  forbidden: (message = "you are not allowed to do this") => new ApiError(403, "forbidden", message),
  notFound: (what = "resource") => new ApiError(404, "not_found", `${what} not found`),
  conflict: (code: string, message: string, fields?: FieldErrors) => new ApiError(409, code, message, fields),
  tooLarge: (maxBytes: number) => new ApiError(413, "payload_too_large", `the request body exceeds ${maxBytes} bytes`),
  unsupportedMediaType: (expected = "application/json") =>
    new ApiError(415, "unsupported_media_type", `expected Content-Type: ${expected}`),
  rateLimited: (retryAfterSeconds: number) =>
    new ApiError(429, "rate_limited", `too many requests; retry in ${retryAfterSeconds} s`, undefined, {
      "Retry-After": String(retryAfterSeconds),
    }),
};
