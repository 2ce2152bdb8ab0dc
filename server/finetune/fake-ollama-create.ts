// Test support: Ollama's blob and create endpoints, added to the shared fake Ollama
// (test/support/fake-llm.ts) through its extraRoutes hook. They behave like the real server:
// HEAD /api/blobs/:digest → 200 | 404; POST /api/blobs/:digest hashes the body and answers 400 on a
// mismatch; POST /api/create checks that every digest it names exists, streams status lines and
// lists the model afterwards; DELETE /api/delete removes it.
import { createHash } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { ExtraRoute, FakeLlmServer } from "../../test/support/fake-llm.ts";

export interface OllamaCreateState {
  blobs: Map<string, number>;
  creates: any[];
  deletes: string[];
  /** ok: normal; disappear: one status line, then the socket is destroyed; error: an {"error"} line. */
  createMode: "ok" | "disappear" | "error";
}

async function body(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

function json(res: ServerResponse, status: number, value: unknown) {
  const text = JSON.stringify(value);
  res.writeHead(status, { "content-type": "application/json; charset=utf-8", "content-length": Buffer.byteLength(text) });
  res.end(text);
}

export function ollamaCreateRoutes(): { routes: ExtraRoute[]; state: OllamaCreateState } {
  const state: OllamaCreateState = { blobs: new Map(), creates: [], deletes: [], createMode: "ok" };
  const blobPath = /^\/api\/blobs\/(sha256:[0-9a-f]{64})$/;
  const routes: ExtraRoute[] = [
    {
      method: "HEAD",
      path: blobPath,
      handler: (_req, res, { url }) => {
        const digest = blobPath.exec(url.pathname)![1]!;
        res.writeHead(state.blobs.has(digest) ? 200 : 404);
        res.end();
      },
    },
    {
      method: "POST",
      path: blobPath,
      handler: async (req, res, { url }) => {
        const digest = blobPath.exec(url.pathname)![1]!;
        const data = await body(req);
        const got = `sha256:${createHash("sha256").update(data).digest("hex")}`;
        if (got !== digest) return json(res, 400, { error: `digest mismatch, expected "${digest}", got "${got}"` });
        state.blobs.set(digest, data.length);
        res.writeHead(201);
        res.end();
      },
    },
    {
      method: "POST",
      path: "/api/create",
      handler: async (req, res, { server }) => {
        const req_ = JSON.parse((await body(req)).toString("utf8")) as {
          model: string;
          from?: string;
          files?: Record<string, string>;
          adapters?: Record<string, string>;
        };
        state.creates.push(req_);
        for (const d of [...Object.values(req_.files ?? {}), ...Object.values(req_.adapters ?? {})]) {
          if (!state.blobs.has(d)) return json(res, 400, { error: `blob ${d} not found` });
        }
        res.writeHead(200, { "content-type": "application/x-ndjson" });
        res.write(JSON.stringify({ status: "parsing GGUF" }) + "\n");
        if (state.createMode === "disappear") {
          // Give the client the first line, then vanish like a killed server.
          await new Promise((r) => setTimeout(r, 20));
          req.socket.destroy();
          return;
        }
        if (state.createMode === "error") {
          res.end(JSON.stringify({ error: "unsupported model architecture" }) + "\n");
          return;
        }
        for (const d of Object.values(req_.files ?? {})) res.write(JSON.stringify({ status: `using existing layer ${d}` }) + "\n");
        res.write(JSON.stringify({ status: "writing manifest" }) + "\n");
        server.addModel(req_.model);
        res.end(JSON.stringify({ status: "success" }) + "\n");
      },
    },
    {
      method: "DELETE",
      path: "/api/delete",
      handler: async (req, res, { server }) => {
        const { model } = JSON.parse((await body(req)).toString("utf8")) as { model: string };
        state.deletes.push(model);
        server.removeModel(model);
        res.writeHead(200);
        res.end();
      },
    },
  ];
  return { routes, state };
}

/** A small file that starts like a GGUF (magic, version 3) followed by filler. */
export function fakeGguf(bytes = 4096, seed = 1): Buffer {
  const b = Buffer.alloc(bytes);
  b.write("GGUF", 0, "ascii");
  b.writeUInt32LE(3, 4);
  for (let i = 8; i < bytes; i++) b[i] = (i * 31 + seed) & 0xff;
  return b;
}

export type { FakeLlmServer };
