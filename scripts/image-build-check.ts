// Replays docker/Dockerfile without a Docker engine, in a clean scratch directory, so that a broken
// image recipe fails CI (run by scripts/image-build-check.sh):
//   - every stage gets its own directory standing for its filesystem root;
//   - COPY copies from the repository (filtered by docker/Dockerfile.dockerignore) or, with
//     --from, from an earlier stage's directory, with Docker's file/directory rules;
//   - RUN lines that start with npm, npx or node run for real (npm ci, the typecheck, the prune),
//     in the stage's WORKDIR with its ENV; other RUN lines (system set-up: users, directories) are
//     listed as skipped;
//   - the final stage's ENTRYPOINT + CMD start the server as the image would, with its ENV, except
//     HOST (loopback), PORT (a free port) and DATA_DIR (inside the stage directory); with
//     TEST_DATABASE_URL set, on a fresh Postgres database reached through the entrypoint's
//     DATABASE_PASSWORD_FILE path (as compose.yaml does), otherwise on the embedded PGlite;
//   - it waits for /readyz 200 and the login page, runs the HEALTHCHECK command, stops the server
//     with SIGTERM and expects a clean exit.
import { spawn, spawnSync } from "node:child_process";
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, statSync, statfsSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { freePort } from "../test/support/net.ts";
import { commandOf, healthcheckCommand, ignoreMatcher, parseCopy, parseDockerfile, parseEnv } from "./dockerfile.ts";

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
// Overridable so that the replay itself can be tested on a small recipe (test/packaging).
const CONTEXT = path.resolve(process.env.IMAGE_CHECK_CONTEXT ?? REPO);
const DOCKERFILE = path.resolve(CONTEXT, process.env.IMAGE_CHECK_DOCKERFILE ?? "docker/Dockerfile");
const started = Date.now();
const log = (msg: string) => process.stdout.write(`[image-build-check +${((Date.now() - started) / 1000).toFixed(1)}s] ${msg}\n`);

function fail(msg: string): never {
  process.stderr.write(`image-build-check: FAILED: ${msg}\n`);
  process.exit(1);
}

const keep = process.argv.includes("--keep");
// Memory-backed when there is one: tens of thousands of small files are written and removed, which
// is slow on a disk mounted with online discard.
function scratchParent(): string {
  if (process.env.IMAGE_CHECK_TMPDIR) return process.env.IMAGE_CHECK_TMPDIR;
  try {
    const st = statfsSync("/dev/shm");
    if (st.bavail * st.bsize > 2 * 1024 ** 3) return "/dev/shm";
  } catch {
    // no /dev/shm
  }
  return os.tmpdir();
}
const scratch = mkdtempSync(path.join(scratchParent(), "dm-image-check-"));
// BuildKit's rule: <Dockerfile>.dockerignore beside the Dockerfile, else .dockerignore at the root.
const ignoreFile = [`${DOCKERFILE}.dockerignore`, path.join(CONTEXT, ".dockerignore")].find((f) => existsSync(f));
const ignored = ignoreMatcher(ignoreFile ? readFileSync(ignoreFile, "utf8") : "");
const dockerfile = parseDockerfile(readFileSync(DOCKERFILE, "utf8"));

/** Copies `src` to `dest` the way COPY does, leaving out ignored context paths. */
function copyInto(src: string, dest: string, destIsDir: boolean, contextRoot: string | undefined) {
  const st = statSync(src);
  if (st.isDirectory()) {
    // COPY dir dest copies the directory's contents into dest.
    mkdirSync(dest, { recursive: true });
    for (const entry of readdirSync(src)) {
      const from = path.join(src, entry);
      if (contextRoot && ignored(path.relative(contextRoot, from).split(path.sep).join("/"))) continue;
      copyInto(from, path.join(dest, entry), statSync(from).isDirectory(), contextRoot);
    }
    return;
  }
  const target = destIsDir ? path.join(dest, path.basename(src)) : dest;
  mkdirSync(path.dirname(target), { recursive: true });
  cpSync(src, target, { verbatimSymlinks: true });
}

const stageRoots = new Map<string, string>();
interface StageState {
  root: string;
  workdir: string;
  env: Record<string, string>;
  entrypoint: string[];
  cmd: string[];
  healthcheck: string[] | undefined;
}
let last: StageState | undefined;
const skipped: string[] = [];

for (const stage of dockerfile.stages) {
  const root = path.join(scratch, "stages", stage.name);
  mkdirSync(root, { recursive: true });
  stageRoots.set(stage.name, root);
  const state: StageState = { root, workdir: "/", env: {}, entrypoint: [], cmd: [], healthcheck: undefined };
  const inRoot = (p: string) => path.join(root, path.posix.resolve(state.workdir, p));
  log(`stage ${stage.name} (FROM ${stage.from})`);
  for (const ins of stage.instructions) {
    switch (ins.keyword) {
      case "WORKDIR":
        state.workdir = path.posix.resolve(state.workdir, ins.args);
        mkdirSync(inRoot("."), { recursive: true });
        break;
      case "ENV":
        Object.assign(state.env, parseEnv(ins.args));
        break;
      case "COPY": {
        const spec = parseCopy(ins.args);
        const fromRoot = spec.from === undefined ? CONTEXT : stageRoots.get(spec.from);
        if (!fromRoot) fail(`line ${ins.line}: COPY --from=${spec.from}: no such earlier stage`);
        const destIsDir = spec.dest.endsWith("/") || spec.sources.length > 1;
        for (const s of spec.sources) {
          const src = path.join(fromRoot, spec.from === undefined ? s : path.posix.resolve("/", s));
          if (spec.from === undefined && ignored(path.posix.normalize(s).replace(/^\.\//, "").replace(/\/$/, ""))) {
            fail(`line ${ins.line}: COPY ${s} names a path that ${path.relative(CONTEXT, ignoreFile ?? "")} excludes`);
          }
          if (!existsSync(src)) fail(`line ${ins.line}: COPY source ${s} does not exist (${src})`);
          if (spec.from !== undefined && statSync(src).isDirectory()) {
            // Between stages (node_modules): hard links, since nothing writes to them afterwards and
            // copying tens of thousands of files is most of the time otherwise.
            const dest = inRoot(spec.dest);
            mkdirSync(dest, { recursive: true });
            const r = spawnSync("cp", ["-al", `${src}/.`, dest], { stdio: "inherit" });
            if (r.status !== 0) fail(`line ${ins.line}: COPY --from=${spec.from} ${s} failed`);
          } else {
            copyInto(src, inRoot(spec.dest), destIsDir, spec.from === undefined ? CONTEXT : undefined);
          }
        }
        break;
      }
      case "RUN": {
        if (!/^(npm|npx|node)\s/.test(ins.args)) {
          skipped.push(`line ${ins.line}: RUN ${ins.args}`);
          break;
        }
        log(`RUN ${ins.args}`);
        const t = Date.now();
        const r = spawnSync("/bin/sh", ["-c", ins.args], {
          cwd: inRoot("."),
          // npm's cache is warm on CI machines: prefer it over the registry.
          env: { ...process.env, ...state.env, npm_config_prefer_offline: "true", npm_config_update_notifier: "false" },
          stdio: "inherit",
        });
        if (r.status !== 0) fail(`line ${ins.line}: RUN ${ins.args} exited with ${r.status ?? r.signal}`);
        log(`  done in ${((Date.now() - t) / 1000).toFixed(1)} s`);
        break;
      }
      case "ENTRYPOINT":
        state.entrypoint = commandOf(ins.args);
        break;
      case "CMD":
        state.cmd = commandOf(ins.args);
        break;
      case "HEALTHCHECK":
        state.healthcheck = healthcheckCommand(ins.args);
        break;
      case "USER":
      case "VOLUME":
      case "EXPOSE":
      case "LABEL":
      case "ARG":
      case "STOPSIGNAL":
        break;
      default:
        fail(`line ${ins.line}: ${ins.keyword} is not handled by scripts/image-build-check.ts`);
    }
  }
  last = state;
}
for (const s of skipped) log(`skipped (system set-up, not replayable here): ${s}`);
if (!last) fail("docker/Dockerfile has no stage");
const final: StageState = last;
if (!final.healthcheck) fail("the final stage has no HEALTHCHECK");

// The command as the image would run it, with absolute image paths mapped into the stage.
function resolveInStage(cmd: string[]): string[] {
  const [exe, ...rest] = cmd;
  if (!exe) fail("empty ENTRYPOINT/CMD");
  const candidates = exe.startsWith("/") ? [exe] : ["/usr/local/bin", "/usr/bin", "/bin"].map((d) => `${d}/${exe}`);
  for (const c of candidates) {
    const inStage = path.join(final.root, c);
    if (existsSync(inStage)) {
      chmodSync(inStage, statSync(inStage).mode | 0o111);
      return [inStage, ...rest];
    }
  }
  return cmd; // a system binary (node, sh)
}

const port = await freePort();
const env: Record<string, string> = {
  PATH: process.env.PATH ?? "/usr/local/bin:/usr/bin:/bin",
  HOME: process.env.HOME ?? "/tmp",
  ...final.env,
  HOST: "127.0.0.1",
  PORT: String(port),
  DATA_DIR: path.join(final.root, final.env.DATA_DIR ?? "/data"),
  LOG_LEVEL: "warn",
};
mkdirSync(env.DATA_DIR!, { recursive: true });

let dropDatabase: (() => Promise<void>) | undefined;
if (process.env.TEST_DATABASE_URL) {
  const { default: postgres } = await import("postgres");
  const admin = postgres(process.env.TEST_DATABASE_URL, { max: 1, onnotice: () => {} });
  const name = `dm_imagecheck_${process.pid}`;
  await admin.unsafe(`drop database if exists ${name}`);
  await admin.unsafe(`create database ${name}`);
  dropDatabase = async () => {
    await admin.unsafe(`drop database if exists ${name} with (force)`);
    await admin.end();
  };
  const u = new URL(process.env.TEST_DATABASE_URL);
  const passwordFile = path.join(scratch, "postgres_password");
  // Trust authentication ignores it; the point is the entrypoint's URL assembly.
  writeFileSync(passwordFile, `${decodeURIComponent(u.password) || "unused: trust auth"}\n`, { mode: 0o600 });
  Object.assign(env, {
    DATABASE_PASSWORD_FILE: passwordFile,
    DATABASE_USER: decodeURIComponent(u.username) || "postgres",
    DATABASE_HOST: u.hostname,
    DATABASE_PORT: u.port || "5432",
    DATABASE_NAME: name,
  });
  log(`database: fresh Postgres database ${name} via DATABASE_PASSWORD_FILE`);
} else {
  log("database: embedded PGlite (set TEST_DATABASE_URL to use Postgres)");
}

const command = [...resolveInStage(final.entrypoint), ...final.cmd];
log(`start: ${command.map((c) => path.relative(scratch, c).startsWith("..") ? c : path.relative(scratch, c)).join(" ")} (cwd ${final.workdir})`);
const appDir = path.join(final.root, final.workdir);
const server = spawn(command[0]!, command.slice(1), { cwd: appDir, env, stdio: ["ignore", "inherit", "inherit"] });
let exited: number | null = null;
const exit = new Promise<number>((resolve) =>
  server.on("exit", (code, signal) => {
    exited = code ?? (signal ? 128 : 1);
    resolve(exited);
  }),
);

async function cleanup() {
  if (exited === null) server.kill("SIGKILL");
  await dropDatabase?.().catch((err: Error) => log(`could not drop the check's database: ${err.message}`));
  if (keep) log(`kept ${scratch}`);
  else spawnSync("rm", ["-rf", scratch], { stdio: "inherit" });
  log("cleaned up");
}

try {
  const base = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 120_000;
  let lastError = "";
  for (;;) {
    if (exited !== null) throw new Error(`the server exited with ${exited} before it was ready`);
    try {
      const ready = await fetch(`${base}/readyz`);
      const login = await fetch(`${base}/login`);
      if (ready.status === 200 && login.status === 200 && (await login.text()).includes('action="/login"')) break;
      lastError = `readyz ${ready.status}, login ${login.status}`;
    } catch (err) {
      lastError = (err as Error).message;
    }
    if (Date.now() > deadline) throw new Error(`not ready within 120 s (${lastError})`);
    await new Promise((r) => setTimeout(r, 250));
  }
  log(`ready: /readyz 200 and the login page on port ${port}`);
  const hc = spawnSync(final.healthcheck[0]!, final.healthcheck.slice(1), { cwd: appDir, env, encoding: "utf8" });
  if (hc.status !== 0) throw new Error(`HEALTHCHECK command exited with ${hc.status}: ${hc.stderr}`);
  log("HEALTHCHECK command: healthy");
  server.kill("SIGTERM");
  const code = await Promise.race([exit, new Promise<number>((r) => setTimeout(() => r(-1), 15_000))]);
  if (code !== 0) throw new Error(code === -1 ? "the server did not stop within 15 s of SIGTERM" : `the server exited with ${code} on SIGTERM`);
  log("stopped cleanly on SIGTERM");
} catch (err) {
  await cleanup();
  fail((err as Error).message);
}
await cleanup();
log(`OK in ${((Date.now() - started) / 1000).toFixed(1)} s`);
