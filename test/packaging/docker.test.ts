// The image recipes and the scripts that run inside the containers: docker/Dockerfile's shape (read
// with scripts/dockerfile.ts, the same reader image-build-check uses), the app entrypoint's secret
// files, and the nginx container's first-start certificate.
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../server/config.ts";
import { commandOf, healthcheckCommand, ignoreMatcher, parseCopy, parseDockerfile, parseEnv } from "../../scripts/dockerfile.ts";

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const scratch = mkdtempSync(path.join(os.tmpdir(), "dm-docker-test-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe("scripts/dockerfile.ts", () => {
  it("joins continuation lines, skips comments, names stages and expands global ARGs in FROM", () => {
    const df = parseDockerfile(
      ["ARG BASE=node:20", "# comment", "FROM ${BASE} AS build", "RUN npm ci \\", "  # inside", "  --omit=dev", "FROM build", "ENV A=1 B=\"two words\""].join("\n"),
    );
    expect(df.globalArgs).toEqual({ BASE: "node:20" });
    expect(df.stages.map((s) => [s.name, s.from])).toEqual([
      ["build", "node:20"],
      ["1", "build"],
    ]);
    expect(df.stages[0]!.instructions[0]).toEqual({ keyword: "RUN", args: "npm ci --omit=dev", line: 4 });
    expect(parseEnv(df.stages[1]!.instructions[0]!.args)).toEqual({ A: "1", B: "two words" });
  });

  it.each([
    ['["node", "a.js"]', ["node", "a.js"]],
    ["node a.js", ["/bin/sh", "-c", "node a.js"]],
  ])("reads command %s", (args, expected) => expect(commandOf(args)).toEqual(expected));

  it("reads COPY flags and HEALTHCHECK commands", () => {
    expect(parseCopy("--from=build --chown=node:node /app/node_modules ./node_modules")).toEqual({
      from: "build",
      sources: ["/app/node_modules"],
      dest: "./node_modules",
    });
    expect(healthcheckCommand('--interval=5s CMD ["true"]')).toEqual(["true"]);
    expect(healthcheckCommand("NONE")).toBeUndefined();
  });

  it.each([
    ["node_modules", true],
    ["node_modules/x/index.js", true],
    ["server/a.test.ts", true],
    ["server/web/api/api.test.ts", true],
    ["server/tsql/test-support.ts", true],
    ["server/app.ts", false],
    ["views/layout.njk", false],
    [".git/HEAD", true],
    ["test/http.test.ts", true],
    ["migrations/0000_init.sql", false],
  ])("docker/Dockerfile.dockerignore: %s excluded = %s", (p, excluded) => {
    const ignored = ignoreMatcher(readFileSync(path.join(REPO, "docker/Dockerfile.dockerignore"), "utf8"));
    expect(ignored(p)).toBe(excluded);
  });
});

describe("docker/Dockerfile", () => {
  const df = parseDockerfile(readFileSync(path.join(REPO, "docker/Dockerfile"), "utf8"));
  const final = df.stages[df.stages.length - 1]!;
  const of = (keyword: string) => final.instructions.filter((i) => i.keyword === keyword);

  it("is multi-stage: installs everything to build, ships production dependencies only", () => {
    expect(df.stages.length).toBeGreaterThanOrEqual(2);
    const build = df.stages[0]!;
    const runs = build.instructions.filter((i) => i.keyword === "RUN").map((i) => i.args);
    expect(runs.some((r) => /^npm ci\b/.test(r) && !r.includes("--omit=dev"))).toBe(true);
    expect(runs.some((r) => /npm (prune|ci) .*--omit=dev/.test(r))).toBe(true);
    // The final stage installs nothing: it takes the pruned node_modules.
    expect(of("RUN").some((i) => /\bnpm (ci|install)\b/.test(i.args))).toBe(false);
    expect(of("COPY").some((i) => parseCopy(i.args).from === build.name && i.args.includes("node_modules"))).toBe(true);
  });

  it("runs as a non-root user", () => {
    const users = of("USER").map((i) => i.args);
    expect(users.length).toBeGreaterThan(0);
    expect(users[users.length - 1]).not.toMatch(/^(root|0)(:|$)/);
  });

  it("listens on all interfaces behind the proxy and keeps state in the /data volume", () => {
    const env = Object.assign({}, ...of("ENV").map((i) => parseEnv(i.args))) as Record<string, string>;
    expect(env).toMatchObject({ HOST: "0.0.0.0", TRUST_PROXY: "true", DATA_DIR: "/data", PORT: "8000" });
    expect(of("VOLUME").map((i) => i.args).join(" ")).toContain("/data");
    // The server accepts this environment.
    expect(() => loadConfig(env)).not.toThrow();
  });

  it("health-checks /healthz and starts the server the way `npm start` does", () => {
    const hc = healthcheckCommand(of("HEALTHCHECK")[0]!.args)!;
    expect(hc.join(" ")).toContain("/healthz");
    const cmd = commandOf(of("CMD")[0]!.args);
    const start = (JSON.parse(readFileSync(path.join(REPO, "package.json"), "utf8")) as { scripts: { start: string } }).scripts.start;
    const [runner, entry] = start.split(/\s+/);
    expect(runner).toBe("tsx");
    expect(cmd).toEqual(["node", "--import", "tsx", entry]);
    expect(commandOf(of("ENTRYPOINT")[0]!.args)).toEqual(["datamigrate-entrypoint"]);
  });

  it("copies only paths that exist and that the build context does not exclude", () => {
    const ignored = ignoreMatcher(readFileSync(path.join(REPO, "docker/Dockerfile.dockerignore"), "utf8"));
    for (const stage of df.stages) {
      for (const ins of stage.instructions.filter((i) => i.keyword === "COPY")) {
        const spec = parseCopy(ins.args);
        if (spec.from !== undefined) continue;
        for (const s of spec.sources) {
          expect(existsSync(path.join(REPO, s)), s).toBe(true);
          expect(ignored(s.replace(/\/$/, "")), s).toBe(false);
        }
      }
    }
  });
});

describe("docker/app-entrypoint.sh (secret files → environment)", () => {
  const ENTRY = path.join(REPO, "docker/app-entrypoint.sh");
  const PRINT_ENV = ["node", "-e", "process.stdout.write(JSON.stringify(process.env))"];
  function run(env: Record<string, string>, cmd = PRINT_ENV) {
    const r = spawnSync("sh", [ENTRY, ...cmd], { env: { PATH: process.env.PATH!, ...env }, encoding: "utf8" });
    return { status: r.status, stderr: r.stderr, env: r.status === 0 && cmd === PRINT_ENV ? (JSON.parse(r.stdout) as Record<string, string>) : {} };
  }
  function secret(name: string, content: string): string {
    const f = path.join(scratch, name);
    writeFileSync(f, content, { mode: 0o600 });
    return f;
  }

  it("builds DATABASE_URL from DATABASE_PASSWORD_FILE, percent-encoding any character, and the server accepts it", () => {
    const password = "p@ss:w/rd %?#&é\"'`$(x)";
    const r = run({ DATABASE_PASSWORD_FILE: secret("pw", `${password}\n\n`), DATABASE_HOST: "postgres" });
    expect(r.status, r.stderr).toBe(0);
    const url = new URL(r.env.DATABASE_URL!);
    expect(decodeURIComponent(url.password)).toBe(password);
    expect(decodeURIComponent(url.username)).toBe("datamigrate");
    expect(url.host).toBe("postgres:5432");
    expect(url.pathname).toBe("/datamigrate");
    expect(r.env.DATABASE_PASSWORD_FILE).toBeUndefined();
    expect(loadConfig(r.env).databaseUrl).toBe(r.env.DATABASE_URL);
  });

  it("builds DATABASE_OWNER_URL from DATABASE_OWNER_PASSWORD_FILE beside the app role's DATABASE_URL (same host and database)", () => {
    const r = run({
      DATABASE_PASSWORD_FILE: secret("app-pw", "app:pw\n"),
      DATABASE_USER: "datamigrate_app",
      DATABASE_OWNER_PASSWORD_FILE: secret("owner-pw", "owner/pw@%\n"),
      DATABASE_OWNER_USER: "datamigrate",
      DATABASE_HOST: "postgres",
    });
    expect(r.status, r.stderr).toBe(0);
    const app = new URL(r.env.DATABASE_URL!);
    const owner = new URL(r.env.DATABASE_OWNER_URL!);
    expect([app.username, decodeURIComponent(app.password)]).toEqual(["datamigrate_app", "app:pw"]);
    expect([owner.username, decodeURIComponent(owner.password)]).toEqual(["datamigrate", "owner/pw@%"]);
    expect(owner.host).toBe(app.host);
    expect(owner.pathname).toBe(app.pathname);
    expect(r.env.DATABASE_OWNER_PASSWORD_FILE).toBeUndefined();
    const config = loadConfig(r.env);
    expect(config.databaseUrl).toBe(r.env.DATABASE_URL);
    expect(config.databaseOwnerUrl).toBe(r.env.DATABASE_OWNER_URL);
  });

  it.each([
    ["DATABASE_URL", "postgres://u:p@db:5432/x"],
    ["DATABASE_OWNER_URL", "postgres://owner:p@db:5432/x"],
    ["OPENAI_COMPAT_API_KEY", "sk-local-123"],
  ])("reads %s_FILE into %s (trailing newline dropped) and removes the _FILE variable", (name, value) => {
    const r = run({ [`${name}_FILE`]: secret(name, `${value}\n`) });
    expect(r.status, r.stderr).toBe(0);
    expect(r.env[name]).toBe(value);
    expect(r.env[`${name}_FILE`]).toBeUndefined();
  });

  it.each([
    [{ DATABASE_URL: "postgres://a@b/c", DATABASE_URL_FILE: "/dev/null" }, "not both"],
    [{ DATABASE_URL_FILE: "/nonexistent/secret" }, "cannot read"],
    [{ DATABASE_PASSWORD_FILE: "/nonexistent/secret" }, "cannot read"],
    [{ DATABASE_URL: "postgres://a@b/c", DATABASE_PASSWORD_FILE: "/dev/null" }, "not both"],
    [{ DATABASE_OWNER_URL: "postgres://a@b/c", DATABASE_OWNER_URL_FILE: "/dev/null" }, "not both"],
    [{ DATABASE_OWNER_URL: "postgres://a@b/c", DATABASE_OWNER_PASSWORD_FILE: "/dev/null" }, "not both"],
    [{ DATABASE_OWNER_PASSWORD_FILE: "/nonexistent/secret" }, "cannot read"],
  ])("refuses %j (%s) before starting anything", (env, message) => {
    const r = run(env as Record<string, string>);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(message);
  });

  it("refuses an empty secret file", () => {
    const r = run({ DATABASE_PASSWORD_FILE: secret("empty", "\n") });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("empty");
  });

  it("passes the command's exit status through (exec)", () => {
    expect(run({}, ["sh", "-c", "exit 7"]).status).toBe(7);
  });
});

const haveOpenssl = spawnSync("openssl", ["version"], { stdio: "ignore" }).status === 0;

describe.skipIf(!haveOpenssl)("docker/nginx-selfsigned.sh (first-start certificate)", () => {
  const SCRIPT = path.join(REPO, "docker/nginx-selfsigned.sh");
  const run = (dir: string, env: Record<string, string> = {}) =>
    spawnSync("sh", [SCRIPT], { env: { PATH: process.env.PATH!, DATAMIGRATE_CERT_DIR: dir, ...env }, encoding: "utf8" });

  it("writes a certificate for the configured name (and localhost), a private key only its owner reads, and keeps them", () => {
    const dir = path.join(scratch, "certs-new");
    const first = run(dir, { TLS_COMMON_NAME: "dm.example.internal", TLS_EXTRA_SANS: "IP:10.1.2.3" });
    expect(first.status, first.stderr).toBe(0);
    const text = spawnSync("openssl", ["x509", "-in", path.join(dir, "tls.crt"), "-noout", "-text"], { encoding: "utf8" }).stdout;
    expect(text).toContain("DNS:dm.example.internal");
    expect(text).toContain("DNS:localhost");
    expect(text).toContain("IP Address:10.1.2.3");
    expect(text).toContain("TLS Web Server Authentication");
    expect(readFileSync(path.join(dir, "tls.key"), "utf8")).toContain("PRIVATE KEY");
    if (process.platform !== "win32") expect(spawnSync("stat", ["-c", "%a", path.join(dir, "tls.key")], { encoding: "utf8" }).stdout.trim()).toBe("600");
    const before = readFileSync(path.join(dir, "tls.crt"));
    const second = run(dir);
    expect(second.status).toBe(0);
    expect(readFileSync(path.join(dir, "tls.crt")).equals(before)).toBe(true);
  });

  it("never replaces a supplied certificate, and refuses half a pair", () => {
    const dir = path.join(scratch, "certs-own");
    expect(run(dir).status).toBe(0);
    writeFileSync(path.join(dir, "tls.crt"), "-----BEGIN CERTIFICATE-----\nmine\n");
    expect(run(dir).status).toBe(0);
    expect(readFileSync(path.join(dir, "tls.crt"), "utf8")).toContain("mine");
    rmSync(path.join(dir, "tls.key"));
    const half = run(dir);
    expect(half.status).toBe(1);
    expect(half.stderr).toContain("only one of");
  });
});

it("the scripts meant to be executed are executable", () => {
  for (const f of ["docker/app-entrypoint.sh", "docker/postgres-init/10-datamigrate-app-role.sh", "docker/nginx-selfsigned.sh", "scripts/image-build-check.sh", "scripts/backup.sh", "scripts/restore.sh"]) {
    const p = path.join(REPO, f);
    expect(existsSync(p), f).toBe(true);
    expect(spawnSync("test", ["-x", p]).status, f).toBe(0);
  }
});

describe("docker/nginx.Dockerfile", () => {
  const df = parseDockerfile(readFileSync(path.join(REPO, "docker/nginx.Dockerfile"), "utf8"));
  const ins = df.stages[df.stages.length - 1]!.instructions;
  const copies = ins.filter((i) => i.keyword === "COPY").map((i) => parseCopy(i.args));

  it("ships the repository's nginx.conf and runs the certificate script from the official entrypoint", () => {
    expect(df.stages[0]!.from).toMatch(/^nginx:/);
    expect(copies).toContainEqual({ from: undefined, sources: ["nginx.conf"], dest: "/etc/nginx/nginx.conf" });
    const script = copies.find((c) => c.sources[0] === "docker/nginx-selfsigned.sh");
    expect(script?.dest).toMatch(/^\/docker-entrypoint\.d\/\d+-[\w-]+\.sh$/);
    expect(ins.some((i) => i.keyword === "RUN" && /\bopenssl\b/.test(i.args))).toBe(true);
  });

  it("keeps certificates where nginx.conf and compose.yaml expect them", () => {
    const nginx = readFileSync(path.join(REPO, "nginx.conf"), "utf8");
    expect(nginx).toContain("ssl_certificate     /etc/nginx/certs/tls.crt;");
    expect(nginx).toContain("ssl_certificate_key /etc/nginx/certs/tls.key;");
    expect(ins.find((i) => i.keyword === "VOLUME")?.args).toContain("/etc/nginx/certs");
    expect(readFileSync(path.join(REPO, "compose.yaml"), "utf8")).toContain("nginx-certs:/etc/nginx/certs");
  });

  it("sends only the two files it needs as build context", () => {
    const ignore = readFileSync(path.join(REPO, "docker/nginx.Dockerfile.dockerignore"), "utf8").split("\n").filter((l) => l && !l.startsWith("#"));
    expect(ignore).toEqual(["*", "!nginx.conf", "!docker/nginx-selfsigned.sh"]);
  });
});
