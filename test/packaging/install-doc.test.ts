// INSTALL.md is what an operator follows without anyone to ask: the routes, limits, files, services
// and scripts it names must be the ones the repository has.
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const install = readFileSync(path.join(REPO, "INSTALL.md"), "utf8");
const nginx = readFileSync(path.join(REPO, "nginx.conf"), "utf8");

/** Prefix locations of nginx.conf with their client_max_body_size. */
function bodyLimits(): Map<string, string> {
  const out = new Map<string, string>();
  const re = /location\s+(\/[^\s{]*)\s*\{([^}]*)\}/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(nginx))) {
    const limit = /client_max_body_size\s+(\S+);/.exec(m[2]!)?.[1];
    if (limit) out.set(m[1]!, limit);
  }
  return out;
}

describe("INSTALL.md agrees with the repository", () => {
  it("lists every large-upload route of nginx.conf with its limit", () => {
    const limits = bodyLimits();
    expect([...limits.keys()].sort()).toEqual(["/admin/models/upload", "/api/v1/migrations", "/api/v1/models/upload", "/migrations"]);
    const human: Record<string, string> = { "64g": "64 GB", "512m": "512 MB" };
    for (const [route, limit] of limits) {
      const row = install.split("\n").find((l) => l.startsWith("|") && l.includes(`\`${route}`));
      expect(row, route).toBeDefined();
      expect(row, route).toContain(human[limit]!);
    }
    expect(/server \{[\s\S]*listen 443[\s\S]*?client_max_body_size 1m;/.test(nginx)).toBe(true);
    expect(install).toContain("at most 1 MB");
  });

  it("names files and scripts that exist", () => {
    const named = new Set([...install.matchAll(/`((?:scripts|docker|ollama-models)\/[\w./-]+)`/g)].map((m) => m[1]!));
    expect(named.size).toBeGreaterThan(5);
    for (const f of named) expect(existsSync(path.join(REPO, f)), f).toBe(true);
  });

  it("uses the compose services, volumes and secret file that compose.yaml defines", () => {
    const compose = parse(readFileSync(path.join(REPO, "compose.yaml"), "utf8")) as {
      services: Record<string, unknown>;
      volumes: Record<string, unknown>;
      secrets: Record<string, { file: string }>;
    };
    for (const m of install.matchAll(/docker compose (?:exec|cp|logs|restart|ps)(?: -T)? (\w+)/g)) {
      expect(Object.keys(compose.services), m[0]).toContain(m[1]);
    }
    for (const m of install.matchAll(/datamigrate_([\w-]+):/g)) expect(Object.keys(compose.volumes), m[0]).toContain(m[1]);
    for (const secret of Object.values(compose.secrets)) expect(install).toContain(secret.file.replace(/^\.\//, ""));
  });

  it("names the default models that ollama-models/defaults.json routes to", () => {
    const defaults = JSON.parse(readFileSync(path.join(REPO, "ollama-models/defaults.json"), "utf8")) as { models: Record<string, unknown> };
    for (const name of Object.keys(defaults.models)) expect(install).toContain(name);
  });
});
