// The whole HTTP application: request ids and logs, errors, health, static files, the JSON API
// under /api/v1 and the HTML pages. Built from explicit dependencies so tests can run it
// through app.request() with their own database and clock.
import { Hono } from "hono";
import { HTTPException } from "hono/http-exception";
import { requestId } from "hono/request-id";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { Config } from "./config.ts";
import type { DatabaseHandle } from "./db/client.ts";
import { guardianHeaders } from "./guardian/headers.ts";
import type { Logger } from "./log.ts";
import { createApi } from "./web/api/index.ts";
import { DEFAULT_RATE_LIMITS, type AppContext, type AppDeps, type AppEnv, type RateLimits } from "./web/env.ts";
import { ApiError } from "./web/errors.ts";
import { createHtml } from "./web/pages/index.ts";
import { renderPage } from "./web/render.ts";
import { staticFiles } from "./web/static.ts";

export interface CreateAppOptions {
  config: Config;
  database: DatabaseHandle;
  logger: Logger;
  clock?: () => Date;
  rateLimits?: Partial<RateLimits>;
}

const STATUS_CODES: Record<number, string> = {
  400: "bad_request",
  401: "unauthenticated",
  403: "forbidden",
  404: "not_found",
  405: "method_not_allowed",
  413: "payload_too_large",
  415: "unsupported_media_type",
  429: "rate_limited",
};

function wantsJson(c: AppContext): boolean {
  return c.req.path.startsWith("/api/") || (c.req.header("accept") ?? "").includes("application/json");
}

function errorResponse(c: AppContext, status: ContentfulStatusCode, code: string, message: string, extra?: ApiError): Response {
  if (extra?.headers) for (const [k, v] of Object.entries(extra.headers)) c.header(k, v);
  if (wantsJson(c)) {
    return c.json(extra ? extra.body() : { error: { code, message } }, status);
  }
  const title = status === 403 ? "Forbidden" : status === 404 ? "Not found" : status >= 500 ? "Something went wrong" : "Request rejected";
  return renderPage(c, "error", { title, message }, status);
}

export function createApp(options: CreateAppOptions): Hono<AppEnv> {
  const deps: AppDeps = {
    config: options.config,
    database: options.database,
    logger: options.logger,
    clock: options.clock ?? (() => new Date()),
    rateLimits: { ...DEFAULT_RATE_LIMITS, ...options.rateLimits },
  };
  const app = new Hono<AppEnv>();

  app.use(requestId({ limitLength: 64 }));
  app.use(async (c, next) => {
    c.set("deps", deps);
    c.set("db", deps.database.db);
    c.set("principal", undefined);
    const log = deps.logger.child({ reqId: c.var.requestId });
    c.set("log", log);
    const started = performance.now();
    await next();
    // Path only: query strings are not logged (they are the one place a client might put a secret).
    log.info(
      { method: c.req.method, path: c.req.path, status: c.res.status, ms: Math.round(performance.now() - started) },
      "request",
    );
  });
  // Guardian: CSP, nosniff, frame and referrer policies on every response; HSTS when the request came over TLS.
  app.use(guardianHeaders());

  app.onError((err, c) => {
    if (err instanceof ApiError) return errorResponse(c, err.status, err.code, err.message, err);
    if (err instanceof HTTPException) {
      const status = err.status as ContentfulStatusCode;
      if (status === 403) {
        // Hono's csrf middleware: a form post from another origin.
        return errorResponse(c, 403, "csrf_rejected", "cross-site form submission rejected (Origin / Sec-Fetch-Site check)");
      }
      return errorResponse(c, status, STATUS_CODES[status] ?? "http_error", err.message || "request rejected");
    }
    // Anything else is our fault: log it fully, answer without details.
    (c.var.log ?? deps.logger).error({ err }, "unhandled error");
    return errorResponse(c, 500, "internal_error", `internal error (request id ${c.var.requestId ?? "unknown"})`);
  });

  app.notFound((c) => errorResponse(c, 404, "not_found", "route not found"));

  app.get("/healthz", (c) => c.json({ status: "ok" }));
  app.get("/readyz", async (c) => {
    try {
      await deps.database.ping();
      return c.json({ status: "ok", database: "reachable" });
    } catch (err) {
      c.var.log.warn({ err }, "readiness check failed");
      return c.json({ status: "unavailable", database: "unreachable" }, 503);
    }
  });

  app.route("/static", staticFiles());
  app.route("/api/v1", createApi());
  app.route("/", createHtml());
  return app;
}
