// Running the real nginx for tests: the repository's nginx.conf with places substituted
// (nginx-conf.ts), on loopback ports, as the current user, in a scratch directory.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import https from "node:https";
import http from "node:http";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { adaptNginxConf, prepareRunDir } from "./nginx-conf.ts";
import { freePort } from "../support/net.ts";
export { freePort };

export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
export const NGINX_BIN = process.env.NGINX_BIN ?? "/usr/sbin/nginx";

export function nginxAvailable(): boolean {
  return existsSync(NGINX_BIN);
}

export function opensslAvailable(): boolean {
  return spawnSync("openssl", ["version"], { stdio: "ignore" }).status === 0;
}

/** A certificate for 127.0.0.1 made by the nginx container's own first-start script. */
export function makeCertificate(dir: string): { certDir: string; ca: Buffer } {
  const certDir = path.join(dir, "certs");
  const r = spawnSync("sh", [path.join(REPO, "docker/nginx-selfsigned.sh")], {
    env: { ...process.env, DATAMIGRATE_CERT_DIR: certDir, TLS_COMMON_NAME: "127.0.0.1" },
    encoding: "utf8",
  });
  if (r.status !== 0) throw new Error(`docker/nginx-selfsigned.sh failed: ${r.stderr}`);
  return { certDir, ca: readFileSync(path.join(certDir, "tls.crt")) };
}

export interface RunningNginx {
  httpPort: number;
  httpsPort: number;
  runDir: string;
  config: string;
  stop(): Promise<void>;
  errorLog(): string;
}

async function waitForPort(port: number, child: ChildProcess, output: () => string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`nginx exited (${child.exitCode}):\n${output()}`);
    const ok = await new Promise<boolean>((resolve) => {
      const s = net.connect(port, "127.0.0.1");
      s.once("connect", () => {
        s.destroy();
        resolve(true);
      });
      s.once("error", () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`nginx did not listen on ${port} within ${timeoutMs} ms:\n${output()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export async function startNginx(options: { upstream: string; certDir: string }): Promise<RunningNginx> {
  const runDir = mkdtempSync(path.join(os.tmpdir(), "dm-nginx-"));
  prepareRunDir(runDir);
  const [httpPort, httpsPort] = [await freePort(), await freePort()];
  const config = adaptNginxConf(readFileSync(path.join(REPO, "nginx.conf"), "utf8"), {
    httpPort,
    httpsPort,
    upstream: options.upstream,
    certDir: options.certDir,
    runDir,
    user: os.userInfo().username,
  });
  const confFile = path.join(runDir, "nginx.conf");
  writeFileSync(confFile, config);
  let output = "";
  const child = spawn(NGINX_BIN, ["-p", runDir, "-c", confFile, "-g", "daemon off;"], { stdio: ["ignore", "pipe", "pipe"] });
  child.stdout?.on("data", (d: Buffer) => (output += d.toString()));
  child.stderr?.on("data", (d: Buffer) => (output += d.toString()));
  const errorLog = () => {
    try {
      return readFileSync(path.join(runDir, "logs", "error.log"), "utf8");
    } catch {
      return "";
    }
  };
  try {
    await waitForPort(httpsPort, child, () => output + errorLog());
    await waitForPort(httpPort, child, () => output + errorLog());
  } catch (err) {
    child.kill("SIGKILL");
    throw err;
  }
  return {
    httpPort,
    httpsPort,
    runDir,
    config,
    errorLog,
    stop: async () => {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once("exit", r));
        child.kill("SIGTERM");
        await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
        if (child.exitCode === null) child.kill("SIGKILL");
      }
      rmSync(runDir, { recursive: true, force: true });
    },
  };
}

export interface RawResponse {
  status: number;
  /** Every header line as received (lower-case names), duplicates kept. */
  rawHeaders: [string, string][];
  header(name: string): string | undefined;
  /** How many times a header was sent. */
  count(name: string): number;
  body: Buffer;
  text(): string;
}

function toRaw(res: http.IncomingMessage, body: Buffer): RawResponse {
  const pairs: [string, string][] = [];
  for (let i = 0; i < res.rawHeaders.length; i += 2) pairs.push([res.rawHeaders[i]!.toLowerCase(), res.rawHeaders[i + 1]!]);
  return {
    status: res.statusCode ?? 0,
    rawHeaders: pairs,
    header: (n) => pairs.find(([k]) => k === n.toLowerCase())?.[1],
    count: (n) => pairs.filter(([k]) => k === n.toLowerCase()).length,
    body,
    text: () => body.toString("utf8"),
  };
}

export interface RequestOptions {
  method?: string;
  headers?: Record<string, string | number>;
  body?: Buffer | string;
  ca?: Buffer;
}

/** One request over http or https (the test CA trusted), read whole. */
export function request(url: string, options: RequestOptions = {}): Promise<RawResponse> {
  const u = new URL(url);
  const lib = u.protocol === "https:" ? https : http;
  return new Promise((resolve, reject) => {
    const req = lib.request(
      u,
      { method: options.method ?? "GET", headers: options.headers, ...(options.ca ? { ca: options.ca } : {}), agent: false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => resolve(toRaw(res, Buffer.concat(chunks))));
        res.on("error", reject);
      },
    );
    req.on("error", reject);
    req.end(options.body);
  });
}

/**
 * Sends only the headers (declaring `contentLength`) and returns the first response, then drops the
 * connection: how a proxy answers a huge upload is decided before the body, so none is sent.
 */
export function requestHeadersOnly(url: string, contentLength: number, options: RequestOptions = {}): Promise<RawResponse> {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const req = https.request(
      u,
      {
        method: options.method ?? "POST",
        headers: { ...options.headers, "content-length": contentLength },
        ...(options.ca ? { ca: options.ca } : {}),
        agent: false,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => {
          resolve(toRaw(res, Buffer.concat(chunks)));
          req.destroy();
        });
        res.on("error", reject);
      },
    );
    req.on("error", reject);
    req.flushHeaders();
  });
}

/**
 * Opens an event stream and hands each complete event (the text up to a blank line) to `onEvent`
 * as soon as it arrives.
 */
export function openEventStream(
  url: string,
  options: { ca: Buffer; headers?: Record<string, string> },
  onEvent: (event: string, response: http.IncomingMessage) => void,
): Promise<{ response: http.IncomingMessage; done: Promise<void>; close(): void }> {
  return new Promise((resolve, reject) => {
    const req = https.request(
      new URL(url),
      { method: "GET", headers: { accept: "text/event-stream", ...options.headers }, ca: options.ca, agent: false },
      (res) => {
        let buffer = "";
        const done = new Promise<void>((resolveDone, rejectDone) => {
          res.on("end", () => resolveDone());
          res.on("error", rejectDone);
        });
        res.setEncoding("utf8");
        res.on("data", (chunk: string) => {
          buffer += chunk;
          let cut: number;
          while ((cut = buffer.indexOf("\n\n")) >= 0) {
            const event = buffer.slice(0, cut);
            buffer = buffer.slice(cut + 2);
            onEvent(event, res);
          }
        });
        resolve({ response: res, done, close: () => req.destroy() });
      },
    );
    req.on("error", reject);
    req.end();
  });
}
