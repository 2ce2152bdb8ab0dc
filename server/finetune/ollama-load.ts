// Loading uploaded model files into Ollama with no internet access (issue 10):
//   1. HEAD /api/blobs/sha256:<d> (200: Ollama has it; 404: upload it)
//   2. POST /api/blobs/sha256:<d> with the file streamed (201; 400 when the bytes do not match)
//   3. POST /api/create {model, files|from, adapters, template, system, parameters, messages, license}
//      streaming status lines until {"status":"success"} (Ollama no longer takes a raw Modelfile)
//   4. only then register the model with the router's registry.
// A server that disappears mid-create is an error, and the half-created model is deleted
// (best effort) and never registered.
import { createReadStream } from "node:fs";
import { Readable } from "node:stream";
import type { Db } from "../db/client.ts";
import { getModelUpload, listModelUploads } from "../db/queries/finetune.ts";
import { getRegisteredModel, registerModel } from "../db/queries/llm.ts";
import type { ModelUpload } from "../db/schema/finetune.ts";
import type { RegisteredModel } from "../db/schema/llm.ts";
import { baseName, fromIsFile, parseModelfile, type ParsedModelfile } from "./modelfile.ts";
import { uploadPath } from "./uploads.ts";

export class OllamaLoadError extends Error {
  constructor(
    readonly code: "FT1004" | "FT2002" | "FT3001" | "FT3002" | "FT3003",
    message: string,
    readonly status: 400 | 409 | 502 = 502,
  ) {
    super(`${message} (${code})`);
    this.name = "OllamaLoadError";
  }
}

type FetchLike = typeof fetch;

function describe(err: unknown): string {
  const e = err as { message?: string; cause?: { code?: string; message?: string } };
  return e?.cause?.code ?? e?.cause?.message ?? e?.message ?? String(err);
}

/** Uploads one file as a blob unless Ollama already has it. Returns whether it was sent. */
export async function pushBlob(base: string, file: string, digest: string, opts: { fetch?: FetchLike; signal?: AbortSignal } = {}): Promise<boolean> {
  const f = opts.fetch ?? fetch;
  const url = `${base}/api/blobs/${digest}`;
  let head: Response;
  try {
    head = await f(url, { method: "HEAD", ...(opts.signal ? { signal: opts.signal } : {}) });
  } catch (err) {
    throw new OllamaLoadError("FT3001", `cannot reach Ollama at ${base}: ${describe(err)}`);
  }
  if (head.status === 200) return false;
  if (head.status !== 404) throw new OllamaLoadError("FT3002", `Ollama answered ${head.status} to HEAD ${url}`);
  let res: Response;
  try {
    res = await f(url, {
      method: "POST",
      body: Readable.toWeb(createReadStream(file)) as unknown as RequestInit["body"],
      duplex: "half",
      headers: { "Content-Type": "application/octet-stream" },
      ...(opts.signal ? { signal: opts.signal } : {}),
    } as RequestInit);
  } catch (err) {
    throw new OllamaLoadError("FT3001", `the blob upload to Ollama failed: ${describe(err)}`);
  }
  const text = await res.text().catch(() => "");
  if (res.status === 201 || res.status === 200) return true;
  const message = errorMessage(text);
  if (res.status === 400) {
    throw new OllamaLoadError("FT2002", `Ollama refused the blob ${digest}: the file's bytes do not match its digest (${message})`, 400);
  }
  throw new OllamaLoadError("FT3002", `Ollama answered ${res.status} to the blob upload: ${message}`);
}

function errorMessage(text: string): string {
  try {
    const j = JSON.parse(text) as { error?: unknown };
    if (typeof j.error === "string") return j.error;
  } catch {
    // not JSON
  }
  return text.slice(0, 300) || "no message";
}

export interface CreateRequest {
  model: string;
  from?: string;
  files?: Record<string, string>;
  adapters?: Record<string, string>;
  template?: string;
  system?: string;
  license?: string[];
  parameters?: ParsedModelfile["parameters"];
  messages?: ParsedModelfile["messages"];
  stream: true;
}

/** POST /api/create and follow its status lines to {"status":"success"}. */
export async function createOllamaModel(
  base: string,
  body: CreateRequest,
  opts: { fetch?: FetchLike; onStatus?: (status: string) => void; signal?: AbortSignal } = {},
): Promise<void> {
  const f = opts.fetch ?? fetch;
  let res: Response;
  try {
    res = await f(`${base}/api/create`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(body),
      ...(opts.signal ? { signal: opts.signal } : {}),
    });
  } catch (err) {
    throw new OllamaLoadError("FT3001", `cannot reach Ollama at ${base}: ${describe(err)}`);
  }
  if (!res.ok || !res.body) {
    const text = await res.text().catch(() => "");
    throw new OllamaLoadError("FT3002", `Ollama could not create '${body.model}' (${res.status}): ${errorMessage(text)}`, res.status === 400 ? 400 : 502);
  }
  let success = false;
  let buffered = "";
  const handle = (line: string) => {
    if (!line.trim()) return;
    let j: { status?: unknown; error?: unknown };
    try {
      j = JSON.parse(line) as typeof j;
    } catch {
      throw new OllamaLoadError("FT3002", `Ollama sent an unreadable status line while creating '${body.model}': ${line.slice(0, 200)}`);
    }
    if (typeof j.error === "string") throw new OllamaLoadError("FT3002", `Ollama could not create '${body.model}': ${j.error}`, 400);
    if (typeof j.status === "string") {
      opts.onStatus?.(j.status);
      if (j.status === "success") success = true;
    }
  };
  const decoder = new TextDecoder();
  try {
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
      buffered += decoder.decode(chunk, { stream: true });
      let nl: number;
      while ((nl = buffered.indexOf("\n")) >= 0) {
        handle(buffered.slice(0, nl));
        buffered = buffered.slice(nl + 1);
      }
    }
    handle(buffered);
  } catch (err) {
    if (err instanceof OllamaLoadError) throw err;
    throw new OllamaLoadError("FT3003", `Ollama went away while creating '${body.model}': ${describe(err)}`);
  }
  if (!success) throw new OllamaLoadError("FT3003", `Ollama stopped answering before it finished creating '${body.model}'`);
}

/** Best effort: a model Ollama may have half-created is deleted so that nothing half-made stays listed. */
export async function deleteOllamaModel(base: string, model: string, f: FetchLike = fetch): Promise<void> {
  try {
    await f(`${base}/api/delete`, { method: "DELETE", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ model }) });
  } catch {
    // The server is gone; there is nothing we can clean up there.
  }
}

export interface LoadInput {
  /** The model's name in Ollama and in the registry. */
  name: string;
  /** Modelfile text (uploaded as a small file or pasted). */
  modelfile: string;
  /** Uploads to resolve FROM and ADAPTER against, by file name; default: every complete upload of the organisation. */
  uploadIds?: string[];
  description?: string | null;
}

export interface LoadResult {
  model: RegisteredModel;
  blobsSent: number;
  statuses: string[];
  request: CreateRequest;
}

/** Turns a parsed Modelfile and the uploaded files into an /api/create body (and the blobs it needs). */
export function createRequestFor(name: string, mf: ParsedModelfile, uploads: ModelUpload[]): { request: CreateRequest; blobs: ModelUpload[] } {
  const byName = new Map(uploads.filter((u) => u.status === "complete" && u.digest).map((u) => [u.filename, u]));
  const blobs: ModelUpload[] = [];
  const request: CreateRequest = { model: name, stream: true };
  if (fromIsFile(mf.from)) {
    const file = baseName(mf.from);
    const u = byName.get(file);
    if (!u || u.kind !== "gguf") throw new OllamaLoadError("FT1004", `FROM names ${file}, which has not been uploaded as model weights`, 400);
    request.files = { [file]: u.digest! };
    blobs.push(u);
  } else {
    request.from = mf.from;
  }
  if (mf.adapters.length) {
    request.adapters = {};
    for (const a of mf.adapters) {
      const file = baseName(a);
      const u = byName.get(file);
      if (!u || u.kind !== "adapter") throw new OllamaLoadError("FT1004", `ADAPTER names ${file}, which has not been uploaded as an adapter`, 400);
      request.adapters[file] = u.digest!;
      blobs.push(u);
    }
  }
  if (mf.template !== undefined) request.template = mf.template;
  if (mf.system !== undefined) request.system = mf.system;
  if (mf.license.length) request.license = mf.license;
  if (Object.keys(mf.parameters).length) request.parameters = mf.parameters;
  if (mf.messages.length) request.messages = mf.messages;
  return { request, blobs };
}

/**
 * The whole offline load: parse, push blobs, create, register. Any failure leaves nothing
 * registered; a failure during create also deletes the model on the Ollama side (best effort).
 */
export async function loadIntoOllama(
  db: Db,
  dataDir: string,
  orgId: string,
  ollamaUrl: string,
  input: LoadInput,
  opts: { fetch?: FetchLike; onStatus?: (s: string) => void } = {},
): Promise<LoadResult> {
  const mf = parseModelfile(input.modelfile);
  // Checked first: a name clash found after /api/create would leave a model in Ollama that the
  // registry does not know.
  if (await getRegisteredModel(db, orgId, input.name)) {
    throw new OllamaLoadError("FT1004", `a model named '${input.name}' is already registered; remove it first or choose another name`, 409);
  }
  let uploads: ModelUpload[];
  if (input.uploadIds) {
    uploads = [];
    for (const id of input.uploadIds) {
      const u = await getModelUpload(db, orgId, id);
      if (u) uploads.push(u);
    }
  } else {
    uploads = await listModelUploads(db, orgId);
  }
  const { request, blobs } = createRequestFor(input.name, mf, uploads);
  let blobsSent = 0;
  for (const b of blobs) if (await pushBlob(ollamaUrl, uploadPath(dataDir, b), b.digest!, opts.fetch ? { fetch: opts.fetch } : {})) blobsSent++;
  const statuses: string[] = [];
  try {
    await createOllamaModel(ollamaUrl, request, {
      ...(opts.fetch ? { fetch: opts.fetch } : {}),
      onStatus: (s) => {
        statuses.push(s);
        opts.onStatus?.(s);
      },
    });
  } catch (err) {
    if (err instanceof OllamaLoadError && err.code === "FT3003") await deleteOllamaModel(ollamaUrl, input.name, opts.fetch);
    throw err;
  }
  const model = await registerModel(db, orgId, {
    name: input.name,
    provider: "ollama",
    endpointUrl: ollamaUrl,
    kind: mf.adapters.length ? "lora" : "fine_tuned",
    baseModel: fromIsFile(mf.from) ? baseName(mf.from) : mf.from,
    description: input.description ?? null,
  });
  return { model, blobsSent, statuses, request };
}
