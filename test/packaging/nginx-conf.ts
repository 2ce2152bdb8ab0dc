// Turns the repository's nginx.conf (written for the nginx container) into one that Debian's nginx
// can run on loopback as the current user, changing nothing but places:
//
//   listen 80 …               → listen 127.0.0.1:<httpPort> …
//   listen 443 ssl …          → listen 127.0.0.1:<httpsPort> ssl …
//   app:8000                  → <upstream>              (host:port of the app under test)
//   /etc/nginx/certs/         → <certDir>/              (tls.crt and tls.key)
//   /var/log/nginx/           → <runDir>/logs/
//   /var/cache/nginx/         → <runDir>/cache/         (request-body and proxy temp files)
//   /var/run/nginx.pid        → <runDir>/nginx.pid
//   user nginx;               → user <user>;            (ignored by nginx unless it runs as root)
//
// Every token must occur in the file: a rule that matches nothing means nginx.conf changed shape and
// the test would silently be checking something else, so it throws instead.
import { mkdirSync } from "node:fs";
import path from "node:path";

export interface NginxTestPlaces {
  httpPort: number;
  httpsPort: number;
  /** host:port the proxy forwards to. */
  upstream: string;
  /** Directory holding tls.crt and tls.key. */
  certDir: string;
  /** Scratch directory for logs, temp files and the pid file. */
  runDir: string;
  /** Worker user (only meaningful when the test runs as root). */
  user: string;
}

interface Rule {
  what: string;
  pattern: RegExp;
  replace: (p: NginxTestPlaces) => string;
}

const RULES: Rule[] = [
  { what: "listen 80", pattern: /^(\s*)listen 80(\s|;)/gm, replace: (p) => `$1listen 127.0.0.1:${p.httpPort}$2` },
  { what: "listen 443 ssl", pattern: /^(\s*)listen 443 ssl(\s|;)/gm, replace: (p) => `$1listen 127.0.0.1:${p.httpsPort} ssl$2` },
  { what: "app:8000", pattern: /\bapp:8000\b/g, replace: (p) => p.upstream },
  { what: "/etc/nginx/certs/", pattern: /\/etc\/nginx\/certs\//g, replace: (p) => `${p.certDir}/` },
  { what: "/var/log/nginx/", pattern: /\/var\/log\/nginx\//g, replace: (p) => `${path.join(p.runDir, "logs")}/` },
  { what: "/var/cache/nginx/", pattern: /\/var\/cache\/nginx\//g, replace: (p) => `${path.join(p.runDir, "cache")}/` },
  { what: "/var/run/nginx.pid", pattern: /\/var\/run\/nginx\.pid/g, replace: (p) => path.join(p.runDir, "nginx.pid") },
  { what: "user nginx;", pattern: /^user nginx;/gm, replace: (p) => `user ${p.user};` },
];

export function adaptNginxConf(conf: string, places: NginxTestPlaces): string {
  let out = conf;
  for (const rule of RULES) {
    if (!rule.pattern.test(out)) throw new Error(`nginx.conf no longer contains '${rule.what}': update test/packaging/nginx-conf.ts`);
    rule.pattern.lastIndex = 0;
    out = out.replace(rule.pattern, rule.replace(places));
  }
  return out;
}

/** Creates the directories the adapted configuration writes to. */
export function prepareRunDir(runDir: string): void {
  for (const d of ["logs", "cache"]) mkdirSync(path.join(runDir, d), { recursive: true });
}
