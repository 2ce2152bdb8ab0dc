// The substitution that lets the nginx test run the repository's nginx.conf must change places
// only: every line it touches held one of its tokens, and nothing of the container's paths or
// ports is left behind.
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { adaptNginxConf } from "./nginx-conf.ts";

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const conf = readFileSync(path.join(REPO, "nginx.conf"), "utf8");
const places = { httpPort: 18080, httpsPort: 18443, upstream: "127.0.0.1:19000", certDir: "/tmp/t/certs", runDir: "/tmp/t/run", user: "tester" };

describe("adaptNginxConf", () => {
  const out = adaptNginxConf(conf, places);

  it("changes only lines that name a port, the upstream, a path or the user", () => {
    const before = conf.split("\n");
    const after = out.split("\n");
    expect(after).toHaveLength(before.length);
    const tokens = [/listen (80|443)\b/, /app:8000/, /\/etc\/nginx\/certs\//, /\/var\/log\/nginx\//, /\/var\/cache\/nginx\//, /\/var\/run\/nginx\.pid/, /^user nginx;/];
    const changed = before.map((line, i) => [line, after[i]!] as const).filter(([a, b]) => a !== b);
    expect(changed.length).toBeGreaterThanOrEqual(tokens.length);
    for (const [line] of changed) expect(tokens.some((t) => t.test(line)), line).toBe(true);
  });

  it("leaves none of the container's places (outside comments) and puts the test's in", () => {
    const directives = out
      .split("\n")
      .map((l) => l.replace(/#.*$/, ""))
      .join("\n");
    for (const gone of ["app:8000", "/etc/nginx/certs", "/var/log/nginx", "/var/cache/nginx", "/var/run", "user nginx", "listen 80 ", "listen 443 "]) {
      expect(directives).not.toContain(gone);
    }
    expect(out).toContain("listen 127.0.0.1:18080 default_server;");
    expect(out).toContain("listen 127.0.0.1:18443 ssl http2 default_server;");
    expect(out).toContain("set $datamigrate_app 127.0.0.1:19000;");
    expect(out).toContain("ssl_certificate     /tmp/t/certs/tls.crt;");
    expect(out).toContain("user tester;");
  });

  it("refuses a configuration that lost one of its tokens, rather than testing something else", () => {
    expect(() => adaptNginxConf(conf.replace("app:8000", "backend:8000"), places)).toThrow(/app:8000/);
    expect(() => adaptNginxConf(conf.replace(/listen 443 ssl/g, "listen 8443 ssl"), places)).toThrow(/listen 443 ssl/);
  });
});
