// A tiny upstream for the nginx tests: routes the real app does not have yet (event streams, model
// uploads) and a mirror of the request headers, so the proxy's behaviour can be observed exactly.
//
//   GET  …/events, …/stream-*        a server-sent event stream that writes event 1 and then each next
//                                    event only when the test calls release(): an event that does not
//                                    reach the client while the upstream waits proves buffering
//   POST anything                    consumes the body, answers {path, bytes, contentLength}
//   POST with x-stub-early: 1        answers {path, contentLength} from the headers alone, before any body
//   GET  /echo                       answers the request headers it received
import http from "node:http";
import type { AddressInfo } from "node:net";

export interface StubStream {
  /** Writes the next event (the stream ends after the last). */
  release(): void;
  /** Events written so far (1, 2, …). */
  readonly sent: number[];
}

export interface StubUpstream {
  port: number;
  /** Streams by request path, created when nginx forwards the request. */
  streams: Map<string, StubStream>;
  waitForStream(path: string, timeoutMs: number): Promise<StubStream>;
  /** Paths of requests that reached the stub. */
  seen: string[];
  close(): Promise<void>;
}

export const STREAM_EVENTS = 3;

export async function startStubUpstream(): Promise<StubUpstream> {
  const streams = new Map<string, StubStream>();
  const streamWaiters = new Map<string, (s: StubStream) => void>();
  const seen: string[] = [];
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://stub");
    seen.push(`${req.method} ${url.pathname}`);
    if (req.method === "GET" && url.pathname === "/echo") {
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify(req.headers));
      return;
    }
    if (req.method === "GET" && (/\/events$/.test(url.pathname) || /\/stream-[a-z-]+$/.test(url.pathname))) {
      const headers: Record<string, string> = { "content-type": "text/event-stream", "cache-control": "no-cache" };
      if (url.searchParams.get("accel") === "no") headers["x-accel-buffering"] = "no";
      res.writeHead(200, headers);
      const sent: number[] = [];
      const write = () => {
        const n = sent.length + 1;
        sent.push(n);
        res.write(`event: progress\ndata: {"step":${n}}\n\n`);
        if (n === STREAM_EVENTS) res.end();
      };
      const stream: StubStream = {
        sent,
        release: () => {
          if (sent.length < STREAM_EVENTS && !res.writableEnded) write();
        },
      };
      write();
      streams.set(url.pathname, stream);
      streamWaiters.get(url.pathname)?.(stream);
      return;
    }
    if (req.method === "POST") {
      const contentLength = req.headers["content-length"] ?? null;
      if (req.headers["x-stub-early"] === "1") {
        res.writeHead(200, { "content-type": "application/json", connection: "close" });
        res.end(JSON.stringify({ path: url.pathname, contentLength }));
        req.resume();
        return;
      }
      let bytes = 0;
      req.on("data", (chunk: Buffer) => {
        bytes += chunk.length;
      });
      req.on("end", () => {
        res.writeHead(200, { "content-type": "application/json" });
        res.end(JSON.stringify({ path: url.pathname, bytes, contentLength }));
      });
      return;
    }
    res.writeHead(404, { "content-type": "text/plain" });
    res.end("stub: no such route");
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    port: (server.address() as AddressInfo).port,
    streams,
    seen,
    waitForStream: (path, timeoutMs) =>
      new Promise((resolve, reject) => {
        const existing = streams.get(path);
        if (existing) return resolve(existing);
        const timer = setTimeout(() => reject(new Error(`no request for ${path} reached the upstream`)), timeoutMs);
        streamWaiters.set(path, (s) => {
          clearTimeout(timer);
          resolve(s);
        });
      }),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
