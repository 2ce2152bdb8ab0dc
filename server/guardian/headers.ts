// Security headers on every response (defence in depth behind autoescaping templates).
//
// The Content-Security-Policy allows nothing but the app's own origin: htmx and the stylesheet
// are served from /static, templates carry no inline script, style or event-handler attribute
// (htmx is configured with allowEval/allowScriptTags off and no injected indicator styles), so
// an injected <script> or style="" would simply not run. HSTS is sent only when the request
// reached us over TLS: directly, or through a proxy we trust (TRUST_PROXY) that says so in
// X-Forwarded-Proto. Sending it on plain http would be ignored by browsers anyway, and pinning a
// local http deployment to https would lock its users out.
import type { MiddlewareHandler } from "hono";
import type { AppContext, AppEnv } from "../web/env.ts";

export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "font-src 'self'",
  "form-action 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
].join("; ");

/** One year and more: the minimum HSTS preload lists accept. */
export const HSTS_MAX_AGE_SECONDS = 31_536_000;
export const STRICT_TRANSPORT_SECURITY = `max-age=${HSTS_MAX_AGE_SECONDS}; includeSubDomains`;

export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  "Content-Security-Policy": CONTENT_SECURITY_POLICY,
  "X-Content-Type-Options": "nosniff",
  "X-Frame-Options": "DENY",
  "Referrer-Policy": "no-referrer",
  "Cross-Origin-Opener-Policy": "same-origin",
  "Cross-Origin-Resource-Policy": "same-origin",
  "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=(), usb=()",
  "X-Permitted-Cross-Domain-Policies": "none",
  "Origin-Agent-Cluster": "?1",
};

/** Whether the client's connection was TLS: our own socket, or a trusted proxy's word. */
export function requestIsTls(c: AppContext): boolean {
  if (new URL(c.req.url).protocol === "https:") return true;
  if (!c.var.deps.config.trustProxy) return false;
  // The proxy sets the first value; a client-supplied header would only be believed with TRUST_PROXY on.
  const proto = c.req.header("x-forwarded-proto")?.split(",")[0]?.trim().toLowerCase();
  return proto === "https";
}

export function guardianHeaders(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    await next();
    // Set after the handler so error pages, 404s and static files carry them too. A handler that
    // set its own value (a download with a stricter CSP, say) keeps it.
    for (const [name, value] of Object.entries(SECURITY_HEADERS)) {
      if (!c.res.headers.has(name)) c.res.headers.set(name, value);
    }
    if (requestIsTls(c)) c.res.headers.set("Strict-Transport-Security", STRICT_TRANSPORT_SECURITY);
    else c.res.headers.delete("Strict-Transport-Security");
    c.res.headers.delete("X-Powered-By");
  };
}
