// scripts/image-build-check.ts replays a Dockerfile without Docker. Here it replays a small recipe
// of the same shape as docker/Dockerfile (two stages, COPY --from, a .dockerignore, an entrypoint
// in /usr/local/bin, a HEALTHCHECK), whose server checks that it was assembled as Docker would
// have: so a pass means the replay is faithful, and the broken variants must fail it. (The real
// docker/Dockerfile is replayed by .ci/run, which takes about a minute.)
import { spawn } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
// Each case starts the replay script as its own process (tsx), which is slow on a busy machine.
const scratch = mkdtempSync(path.join(os.tmpdir(), "dm-ibc-test-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const SERVER = `
import http from "node:http";
import fs from "node:fs";
// Assembled as Docker would: the build stage's output, the copied directory's contents, no ignored file.
const problems = [];
if (fs.readFileSync("built.txt", "utf8") !== "built from package.json v7") problems.push("built.txt");
if (!fs.existsSync("lib/util.js")) problems.push("lib/util.js missing");
if (fs.existsSync("lib/util.test.js")) problems.push("ignored lib/util.test.js was copied");
if (process.env.FROM_ENTRYPOINT !== "yes") problems.push("entrypoint did not run");
if (process.env.GREETING !== "hello world") problems.push("ENV GREETING=" + process.env.GREETING);
if (!fs.existsSync(process.env.DATA_DIR)) problems.push("DATA_DIR missing");
if (problems.length) { console.error("assembly problems: " + problems.join(", ")); process.exit(3); }
const server = http.createServer((req, res) => {
  if (req.url === "/login") { res.end('<form action="/login"></form>'); return; }
  res.end(JSON.stringify({ status: "ok" }));
});
server.listen(Number(process.env.PORT), process.env.HOST);
process.on("SIGTERM", () => server.close(() => process.exit(0)));
`;

function recipe(name: string, variant: { dockerfile?: (d: string) => string; cmd?: string } = {}): string {
  const dir = path.join(scratch, name);
  mkdirSync(path.join(dir, "lib"), { recursive: true });
  mkdirSync(path.join(dir, "docker"), { recursive: true });
  writeFileSync(path.join(dir, "package.json"), JSON.stringify({ version: "7" }));
  writeFileSync(path.join(dir, "lib/util.js"), "export {};\n");
  writeFileSync(path.join(dir, "lib/util.test.js"), "export {};\n");
  writeFileSync(path.join(dir, "server.mjs"), SERVER);
  writeFileSync(path.join(dir, "docker/entry.sh"), '#!/bin/sh\nexport FROM_ENTRYPOINT=yes\nexec "$@"\n');
  chmodSync(path.join(dir, "docker/entry.sh"), 0o644); // COPY --chmod must make it executable
  writeFileSync(path.join(dir, "docker/Dockerfile.dockerignore"), "**/*.test.js\nnode_modules\n");
  const dockerfile = [
    "ARG BASE=node:20-bookworm-slim",
    "FROM ${BASE} AS build",
    "WORKDIR /src",
    "COPY package.json ./",
    `RUN node -e "const v = require('./package.json').version; require('fs').writeFileSync('built.txt', 'built from package.json v' + v)"`,
    "FROM ${BASE} AS runtime",
    'ENV HOST=0.0.0.0 PORT=8000 DATA_DIR=/data GREETING="hello world"',
    "WORKDIR /app",
    "COPY --from=build /src/built.txt ./",
    "COPY lib ./lib",
    "COPY server.mjs ./",
    "COPY --chmod=0755 docker/entry.sh /usr/local/bin/fake-entrypoint",
    "RUN mkdir -p /data && chown node:node /data",
    "USER node",
    `HEALTHCHECK --interval=5s CMD ["node", "-e", "fetch('http://127.0.0.1:'+process.env.PORT+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]`,
    'ENTRYPOINT ["fake-entrypoint"]',
    variant.cmd ?? 'CMD ["node", "server.mjs"]',
  ].join("\n");
  writeFileSync(path.join(dir, "docker/Dockerfile"), variant.dockerfile ? variant.dockerfile(dockerfile) : dockerfile);
  return dir;
}

function check(context: string): Promise<{ status: number | null; output: string }> {
  return new Promise((resolve) => {
    const env: NodeJS.ProcessEnv = { ...process.env, IMAGE_CHECK_CONTEXT: context, IMAGE_CHECK_TMPDIR: scratch };
    delete env.TEST_DATABASE_URL;
    const child = spawn("bash", [path.join(REPO, "scripts/image-build-check.sh")], { env, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (d: Buffer) => (output += d.toString()));
    child.stderr.on("data", (d: Buffer) => (output += d.toString()));
    child.on("close", (status) => resolve({ status, output }));
  });
}

describe("scripts/image-build-check.sh", () => {
  it("replays a good recipe: builds, starts through the entrypoint, ready, healthy, clean stop", async () => {
    const r = await check(recipe("good"));
    expect(r.output).toContain("ready: /readyz 200");
    expect(r.output).toContain("HEALTHCHECK command: healthy");
    expect(r.output).toContain("stopped cleanly on SIGTERM");
    expect(r.output).toContain("skipped (system set-up, not replayable here): line 13: RUN mkdir -p /data");
    expect(r.status, r.output).toBe(0);
  }, 180_000);

  it.each([
    ["a COPY of a file that is not there", { dockerfile: (d: string) => d.replace("COPY server.mjs ./", "COPY server.mjs missing.mjs ./") }, "does not exist"],
    ["a RUN step that fails", { dockerfile: (d: string) => d.replace("RUN node -e", "RUN node -e \"process.exit(5)\" && node -e") }, "exited with 5"],
    ["a COPY of an excluded path", { dockerfile: (d: string) => d.replace("COPY lib ./lib", "COPY lib ./lib\nCOPY lib/util.test.js ./") }, "excludes"],
    ["a server that does not start", { cmd: 'CMD ["node", "-e", "process.exit(4)"]' }, "exited with 4 before it was ready"],
    ["a server assembled wrongly (stage output not copied)", { dockerfile: (d: string) => d.replace("COPY --from=build /src/built.txt ./\n", "") }, "exited with"],
  ])("fails on %s", async (name, variant, message) => {
    const r = await check(recipe(name.replace(/\W+/g, "-"), variant));
    expect(r.status, r.output).toBe(1);
    expect(r.output).toContain(message);
  }, 180_000);
});
