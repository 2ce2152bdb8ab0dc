// The repository's nginx.conf, run by the real nginx (Debian's package; .ci/run installs it) with
// only paths and ports substituted (nginx-conf.ts), in front of:
//   - the real DataMigrate server (embedded PGlite in a scratch directory): proxying, the redirect,
//     security headers, client address and CSRF behind the proxy, gzip, the 1m default body limit;
//   - a stub upstream (stub-upstream.ts) for what the app does not serve yet: event streams and
//     the large-upload routes, and a mirror of the forwarded request headers.
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../server/config.ts";
import { startServer, type RunningServer } from "../../server/web/server.ts";
import {
  freePort,
  makeCertificate,
  NGINX_BIN,
  nginxAvailable,
  openEventStream,
  opensslAvailable,
  request,
  requestHeadersOnly,
  startNginx,
  type RunningNginx,
} from "./nginx-harness.ts";
import { STREAM_EVENTS, startStubUpstream, type StubUpstream } from "./stub-upstream.ts";

const ready = nginxAvailable() && opensslAvailable();
if (!ready) {
  console.warn(
    `test/packaging/nginx.test.ts SKIPPED: ${nginxAvailable() ? "openssl" : `nginx (${NGINX_BIN})`} is not installed ` +
      "(apt-get install -y nginx openssl; .ci/run does this).",
  );
}

const MiB = 1024 * 1024;
const PASSWORD = "correct horse battery staple";

function within<T>(promise: Promise<T>, ms: number, message: () => string): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([
    promise.finally(() => clearTimeout(timer)),
    new Promise<T>((_, reject) => {
      timer = setTimeout(() => reject(new Error(message())), ms);
    }),
  ]);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe.skipIf(!ready)("nginx.conf (real nginx, loopback)", () => {
  let scratch: string;
  let ca: Buffer;
  let app: RunningServer;
  let stub: StubUpstream;
  let front: RunningNginx; // in front of the app
  let side: RunningNginx; // in front of the stub
  let appOrigin: string;

  const viaApp = (p: string) => `https://127.0.0.1:${front.httpsPort}${p}`;
  const viaStub = (p: string) => `https://127.0.0.1:${side.httpsPort}${p}`;

  beforeAll(async () => {
    scratch = mkdtempSync(path.join(os.tmpdir(), "dm-nginx-test-"));
    const cert = makeCertificate(scratch);
    ca = cert.ca;
    stub = await startStubUpstream();
    side = await startNginx({ upstream: `127.0.0.1:${stub.port}`, certDir: cert.certDir });
    // The app's public origin names nginx's https port: choose the app's port, start nginx towards
    // it, then start the app with that origin.
    const appPort = await freePort();
    front = await startNginx({ upstream: `127.0.0.1:${appPort}`, certDir: cert.certDir });
    appOrigin = `https://127.0.0.1:${front.httpsPort}`;
    const config = {
      ...loadConfig({
        DATA_DIR: path.join(scratch, "data"),
        LOG_LEVEL: "silent",
        PUBLIC_ORIGIN: appOrigin,
        TRUST_PROXY: "true",
      }),
      port: appPort,
    };
    app = await startServer({ config });
  }, 60_000);

  afterAll(async () => {
    await front?.stop();
    await side?.stop();
    await app?.close();
    await stub?.close();
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  });

  describe("in front of the app", () => {
    it("proxies to the app over https (GET /healthz) and passes nginx's request id on", async () => {
      const res = await request(viaApp("/healthz"), { ca });
      expect(res.status).toBe(200);
      expect(JSON.parse(res.text())).toEqual({ status: "ok" });
      // The app echoes the X-Request-Id it was given: nginx's $request_id (32 hex digits).
      expect(res.header("x-request-id")).toMatch(/^[0-9a-f]{32}$/);
      expect((await request(viaApp("/readyz"), { ca })).status).toBe(200);
    });

    it("redirects plain http to https with the same host, path and query", async () => {
      const res = await request(`http://127.0.0.1:${front.httpPort}/login?next=%2Fdashboard&x=1`);
      expect(res.status).toBe(301);
      expect(res.header("location")).toBe("https://127.0.0.1/login?next=%2Fdashboard&x=1");
      const post = await request(`http://127.0.0.1:${front.httpPort}/api/v1/auth/login`, { method: "POST", body: "{}" });
      expect(post.status).toBe(301);
    });

    it("sends one consistent set of security headers on proxied pages, with HSTS of at least a year", async () => {
      const direct = await request(`${app.url}/login`);
      const res = await request(viaApp("/login"), { ca });
      expect(res.status).toBe(200);
      for (const name of ["content-security-policy", "x-content-type-options", "x-frame-options", "referrer-policy", "strict-transport-security"]) {
        expect(res.count(name), name).toBe(1);
      }
      // The app's policy passes through unchanged.
      expect(res.header("content-security-policy")).toBe(direct.header("content-security-policy"));
      const csp = res.header("content-security-policy")!;
      for (const directive of ["default-src 'self'", "object-src 'none'", "base-uri 'none'", "frame-ancestors 'none'"]) {
        expect(csp).toContain(directive);
      }
      expect(res.header("x-content-type-options")).toBe("nosniff");
      const hsts = res.header("strict-transport-security")!;
      expect(Number(/max-age=(\d+)/.exec(hsts)?.[1])).toBeGreaterThanOrEqual(31_536_000);
      expect(res.header("server")).toBe("nginx"); // no version
    });

    it("adds the same security headers to responses nginx makes itself (413)", async () => {
      const res = await request(viaApp("/api/v1/auth/login"), {
        ca,
        method: "POST",
        headers: { "content-type": "application/json" },
        body: Buffer.alloc(2 * MiB, 0x20),
      });
      expect(res.status).toBe(413);
      expect(res.count("content-security-policy")).toBe(1);
      const csp = res.header("content-security-policy")!;
      for (const directive of ["default-src 'self'", "object-src 'none'", "base-uri 'none'", "frame-ancestors 'none'"]) {
        expect(csp).toContain(directive);
      }
      expect(res.header("x-content-type-options")).toBe("nosniff");
      expect(res.count("strict-transport-security")).toBe(1);
    });

    it("gives the app the real client address, not one the client claims (audit log behind the proxy)", async () => {
      const spoof = { "x-forwarded-for": "203.0.113.7", "x-real-ip": "203.0.113.8", "content-type": "application/json" };
      const email = `nginx-${Date.now()}@example.com`;
      const reg = await request(viaApp("/api/v1/auth/register"), {
        ca,
        method: "POST",
        headers: spoof,
        body: JSON.stringify({ email, password: PASSWORD, organizationName: "Proxy Org" }),
      });
      expect(reg.status).toBe(201);
      const login = await request(viaApp("/api/v1/auth/login"), {
        ca,
        method: "POST",
        headers: spoof,
        body: JSON.stringify({ email, password: PASSWORD }),
      });
      expect(login.status).toBe(200);
      const { token } = JSON.parse(login.text()) as { token: string };
      const logs = await request(viaApp("/api/v1/security/audit-logs"), { ca, headers: { authorization: `Bearer ${token}` } });
      expect(logs.status).toBe(200);
      const items = (JSON.parse(logs.text()) as { items: { eventType: string; ip: string | null }[] }).items;
      expect(items.length).toBeGreaterThan(0);
      for (const item of items) expect(item.ip, item.eventType).toBe("127.0.0.1");
    });

    it("lets a browser form sign in through the proxy from the public origin, and refuses another origin (CSRF)", async () => {
      const email = `form-${Date.now()}@example.com`;
      const reg = await request(viaApp("/api/v1/auth/register"), {
        ca,
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ email, password: PASSWORD, organizationName: "Form Org" }),
      });
      expect(reg.status).toBe(201);
      const form = new URLSearchParams({ email, password: PASSWORD }).toString();
      const ok = await request(viaApp("/login"), {
        ca,
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded", origin: appOrigin },
        body: form,
      });
      expect([302, 303]).toContain(ok.status);
      expect(ok.header("location")).toBe("/dashboard");
      expect(ok.header("set-cookie")).toMatch(/^__Host-session=.*; Secure/i);
      const cross = await request(viaApp("/login"), {
        ca,
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded", origin: "https://evil.example" },
        body: form,
      });
      expect(cross.status).toBe(403);
    });

    it("compresses text assets", async () => {
      const res = await request(viaApp("/static/htmx.min.js"), { ca, headers: { "accept-encoding": "gzip" } });
      expect(res.status).toBe(200);
      expect(res.header("content-encoding")).toBe("gzip");
      const plain = await request(viaApp("/static/htmx.min.js"), { ca });
      expect(res.body.length).toBeLessThan(plain.body.length / 2);
    });
  });

  describe("forwarded request headers (stub upstream)", () => {
    it("sets X-Forwarded-* and Host, replacing what the client sent", async () => {
      const res = await request(viaStub("/echo"), {
        ca,
        headers: { "x-forwarded-for": "198.51.100.1", "x-forwarded-proto": "http", "x-forwarded-host": "evil.example" },
      });
      expect(res.status).toBe(200);
      const seen = JSON.parse(res.text()) as Record<string, string>;
      expect(seen["x-forwarded-for"]).toBe("127.0.0.1");
      expect(seen["x-real-ip"]).toBe("127.0.0.1");
      expect(seen["x-forwarded-proto"]).toBe("https");
      expect(seen["x-forwarded-host"]).toBe("127.0.0.1");
      expect(seen["x-forwarded-port"]).toBe(String(side.httpsPort));
      expect(seen["host"]).toBe("127.0.0.1");
      expect(seen["x-request-id"]).toMatch(/^[0-9a-f]{32}$/);
    });
  });

  describe("server-sent events", () => {
    // The stub writes event n+1 only after the client has received event n through nginx. A proxy
    // that buffers the stream never delivers event 1 while the upstream waits, so the stream stalls
    // and the test fails; no timing of deliveries is measured.
    async function streamInLockstep(p: string) {
      const received: number[] = [];
      const es = await within(
        openEventStream(viaStub(p), { ca, headers: { "accept-encoding": "gzip" } }, (event) => {
          const step = Number(/data: \{"step":(\d+)\}/.exec(event)?.[1]);
          received.push(step);
          stub.streams.get(new URL(viaStub(p)).pathname)?.release();
        }),
        10_000,
        () => `no response headers for ${p}: nginx held back the whole response`,
      );
      await within(es.done, 10_000, () => `stream ${p} stalled after events [${received.join(", ")}]: nginx held back what the upstream had written`);
      return { received, response: es.response };
    }

    it.each([
      ["/api/v1/migrations/00000000-0000-4000-8000-000000000001/events", "API events route (inside the 512m migrations prefix)"],
      ["/migrations/00000000-0000-4000-8000-000000000001/events", "HTML events route"],
      ["/api/v1/stream-accel?accel=no", "any route whose response says X-Accel-Buffering: no"],
    ])("delivers each event as it is written: %s (%s)", async (p) => {
      const { received, response } = await streamInLockstep(p);
      expect(received).toEqual(Array.from({ length: STREAM_EVENTS }, (_, i) => i + 1));
      expect(response.headers["content-type"]).toBe("text/event-stream");
      expect(response.headers["content-encoding"]).toBeUndefined();
    });

    it("(control) an ordinary route is buffered, so the lockstep check above can tell the difference", async () => {
      const p = "/api/v1/stream-control";
      const received: number[] = [];
      const opening = openEventStream(viaStub(p), { ca }, (event) => received.push(Number(/"step":(\d+)/.exec(event)?.[1])));
      const stream = await stub.waitForStream(p, 5_000);
      expect(stream.sent).toEqual([1]);
      await sleep(1_500);
      // Event 1 has been written upstream for 1.5 s and nginx still holds it (headers included).
      expect(received).toEqual([]);
      for (let i = 1; i < STREAM_EVENTS; i++) stream.release();
      const es = await within(opening, 10_000, () => "control stream: no response after the upstream ended");
      await within(es.done, 10_000, () => "control stream did not end");
      expect(received).toEqual([1, 2, 3]);
    });
  });

  describe("request body limits", () => {
    const post = (url: string, bytes: number, extra: Record<string, string> = {}) =>
      request(url, { ca, method: "POST", headers: { "content-type": "application/octet-stream", ...extra }, body: Buffer.alloc(bytes, 0x61) });

    it.each([
      ["/api/v1/models/upload", 3 * MiB],
      ["/admin/models/upload", 3 * MiB],
      ["/api/v1/migrations", 3 * MiB],
      ["/api/v1/migrations/00000000-0000-4000-8000-000000000001/sources", 3 * MiB],
      ["/migrations/new", 3 * MiB],
      ["/api/v1/auth/login", MiB], // exactly the default limit
    ])("passes a body through whole: POST %s (%i bytes)", async (p, bytes) => {
      const res = await post(viaStub(p), bytes);
      expect(res.status).toBe(200);
      expect(JSON.parse(res.text())).toEqual({ path: p, bytes, contentLength: String(bytes) });
    });

    it.each(["/api/v1/auth/login", "/settings/members", "/api/v1/api-keys", "/"])(
      "answers 413 itself for more than 1m elsewhere: POST %s",
      async (p) => {
        const before = stub.seen.length;
        const res = await post(viaStub(p), MiB + 1);
        expect(res.status).toBe(413);
        expect(stub.seen.slice(before)).toEqual([]);
      },
    );

    it("accepts a 600 MB upload on the model routes only (declared size, decided before the body)", async () => {
      const size = 600 * MiB;
      const model = await requestHeadersOnly(viaStub("/api/v1/models/upload"), size, { ca, headers: { "x-stub-early": "1" } });
      expect(model.status).toBe(200);
      expect(JSON.parse(model.text())).toEqual({ path: "/api/v1/models/upload", contentLength: String(size) });
      const migration = await requestHeadersOnly(viaStub("/api/v1/migrations"), size, { ca, headers: { "x-stub-early": "1" } });
      expect(migration.status).toBe(413);
      const other = await requestHeadersOnly(viaStub("/api/v1/auth/login"), size, { ca, headers: { "x-stub-early": "1" } });
      expect(other.status).toBe(413);
    });
  });
});
