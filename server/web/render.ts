// Nunjucks rendering with the hypermedia convention: views/pages/<name>.njk is the full page
// (it extends layout.njk and includes the partial), views/partials/<name>.njk is the fragment.
// The same URL answers with the fragment when htmx asks (HX-Request, not a boosted navigation).
import path from "node:path";
import { fileURLToPath } from "node:url";
import nunjucks from "nunjucks";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { AppContext } from "./env.ts";

export const VIEWS_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../views");

let environment: nunjucks.Environment | undefined;
export function views(): nunjucks.Environment {
  environment ??= new nunjucks.Environment(new nunjucks.FileSystemLoader(VIEWS_DIR, { noCache: false }), {
    autoescape: true,
    throwOnUndefined: false,
    trimBlocks: true,
    lstripBlocks: true,
  });
  return environment;
}

export function isFragmentRequest(c: AppContext): boolean {
  return c.req.header("hx-request") === "true" && c.req.header("hx-boosted") !== "true";
}

/** Values every template can use. */
function baseContext(c: AppContext): Record<string, unknown> {
  const p = c.var.principal;
  return {
    currentUser: p ? { email: p.email, role: p.role, isAdmin: p.role === "admin" } : null,
    requestPath: c.req.path,
  };
}

export function renderPage(
  c: AppContext,
  name: string,
  context: Record<string, unknown> = {},
  status: ContentfulStatusCode = 200,
): Response {
  const template = isFragmentRequest(c) ? `partials/${name}.njk` : `pages/${name}.njk`;
  const html = views().render(template, { ...baseContext(c), ...context });
  // Caches must keep the page and the fragment apart.
  c.header("Vary", "HX-Request");
  return c.html(html, status);
}

/** A partial alone, whatever the request (for htmx-only endpoints). */
export function renderPartial(c: AppContext, name: string, context: Record<string, unknown> = {}, status: ContentfulStatusCode = 200): Response {
  const html = views().render(`partials/${name}.njk`, { ...baseContext(c), ...context });
  return c.html(html, status);
}

/** After a successful form post: a 303 for plain browsers, HX-Redirect for htmx. */
export function redirectAfterPost(c: AppContext, location: string): Response {
  if (c.req.header("hx-request") === "true") {
    c.header("HX-Redirect", location);
    return c.body(null, 204);
  }
  return c.redirect(location, 303);
}
