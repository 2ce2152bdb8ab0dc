// The app's own static files: htmx from its package, the stylesheet and scripts from public/. Read once at
// start-up; the appliance has no internet, so nothing is fetched from elsewhere.
import { readdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { createHash } from "node:crypto";
import { Hono } from "hono";
import type { AppEnv } from "./env.ts";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

const TYPES: Record<string, string> = {
  ".css": "text/css; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".svg": "image/svg+xml",
};

interface Asset {
  body: Uint8Array;
  type: string;
  etag: string;
}

function load(file: string, type: string): Asset {
  const body = new Uint8Array(readFileSync(file));
  return { body, type, etag: `"${createHash("sha256").update(body).digest("base64url").slice(0, 16)}"` };
}

export function staticFiles(): Hono<AppEnv> {
  const require = createRequire(import.meta.url);
  const htmxFile = path.join(path.dirname(require.resolve("htmx.org/package.json")), "dist", "htmx.min.js");
  const assets: Record<string, Asset> = {
    "htmx.min.js": load(htmxFile, "text/javascript; charset=utf-8"),
  };
  // Every .css/.js/.svg file of public/ (each page's own script lives there: the CSP forbids inline script).
  for (const file of readdirSync(path.join(ROOT, "public"))) {
    const type = TYPES[path.extname(file)];
    if (type && /^[\w.-]+$/.test(file)) assets[file] = load(path.join(ROOT, "public", file), type);
  }
  const app = new Hono<AppEnv>();
  app.get("/:file", (c) => {
    const name = c.req.param("file");
    const asset = Object.hasOwn(assets, name) ? assets[name] : undefined;
    if (!asset) return c.text("not found", 404);
    c.header("ETag", asset.etag);
    c.header("Cache-Control", "public, max-age=3600");
    if (c.req.header("if-none-match") === asset.etag) return c.body(null, 304);
    c.header("Content-Type", asset.type);
    return c.body(asset.body as Uint8Array<ArrayBuffer>);
  });
  return app;
}
