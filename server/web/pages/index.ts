// The HTML application. One sub-app per area; to add one:
//
//   html.route("/", sourcesPages());   // a new Hono<AppEnv>() whose routes use requireLogin()
//
// and render with renderPage(c, "<name>", context) over views/pages/<name>.njk (full page) and
// views/partials/<name>.njk (the fragment htmx swaps). Form posts are CSRF-checked here.
import { Hono } from "hono";
import { csrf } from "hono/csrf";
import { authenticateCookie } from "../../auth/middleware.ts";
import { guardInputs } from "../../guardian/middleware.ts";
import type { AppEnv } from "../env.ts";
import { limitBody } from "../validation.ts";
import { isModelUploadChunk } from "../api/admin-models.ts";
import { adminModelsPages } from "./admin-models.ts";
import { appPages } from "./app-pages.ts";
import { authPages } from "./auth.ts";
import { migrationPages } from "./migration-pages.ts";
import { UPLOAD_BODY_LIMIT } from "./new-migration.ts";
import { policiesPages } from "./policies.ts";
import { securityPages } from "./security.ts";

export const FORM_BODY_LIMIT = 16 * 1024;

export function createHtml(): Hono<AppEnv> {
  const html = new Hono<AppEnv>();
  let guard: ReturnType<typeof csrf> | undefined;
  html.use(async (c, next) => {
    // A form post must come from our own pages: Sec-Fetch-Site same-origin, or an Origin equal to
    // the public origin (nginx terminates TLS, so the request URL's own origin is not the one browsers see).
    guard ??= csrf({ origin: c.var.deps.config.publicOrigin });
    return guard(c, next);
  });
  // Source uploads (POST /migrations) carry files; every other form is small.
  const smallBody = limitBody(FORM_BODY_LIMIT);
  const uploadBody = limitBody(UPLOAD_BODY_LIMIT);
  html.use((c, next) => (c.req.method === "POST" && c.req.path === "/migrations" ? uploadBody(c, next) : isModelUploadChunk(c) ? next() : smallBody(c, next)));
  html.use(authenticateCookie());
  // Guardian: SQL injection / XSS in form fields and query strings.
  html.use(guardInputs());
  html.route("/", authPages());
  html.route("/", appPages());
  html.route("/", migrationPages());
  html.route("/", policiesPages());
  html.route("/", securityPages());
  html.route("/", adminModelsPages());
  return html;
}
