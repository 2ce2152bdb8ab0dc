import { createHash } from "node:crypto";
import { mkdtemp, readdir, rm, stat } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { withTestDb } from "../../test/support/db.ts";
import { startFakeOllama, type FakeLlmServer } from "../../test/support/fake-llm.ts";
import { listModelUploads } from "../db/queries/finetune.ts";
import { listRegisteredModels } from "../db/queries/llm.ts";
import { fakeGguf, ollamaCreateRoutes, type OllamaCreateState } from "./fake-ollama-create.ts";
import { ModelfileError, parseModelfile } from "./modelfile.ts";
import { loadIntoOllama, OllamaLoadError, pushBlob } from "./ollama-load.ts";
import { seedOrg } from "./test-fixtures.ts";
import { discardUpload, startUpload, sweepStaleUploads, UploadError, uploadPath, writeChunk } from "./uploads.ts";

const testDb = withTestDb();
let dataDir: string;
let ollama: FakeLlmServer;
let state: OllamaCreateState;

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(os.tmpdir(), "dm-ollama-"));
  const r = ollamaCreateRoutes();
  state = r.state;
  ollama = await startFakeOllama({ models: ["datamigrate-coder-small"], extraRoutes: r.routes });
});
afterAll(async () => {
  await ollama.close();
  await rm(dataDir, { recursive: true, force: true });
});
beforeEach(() => {
  state.createMode = "ok";
});

const stream = (...parts: Buffer[]) =>
  new ReadableStream<Uint8Array>({
    start(c) {
      for (const p of parts) c.enqueue(new Uint8Array(p));
      c.close();
    },
  });

/** A body that sends `part` and then breaks, like a browser tab closed mid-upload. */
const brokenStream = (part: Buffer) => {
  let sent = false;
  // Pull-based: an error() right after enqueue() would drop the queued chunk before anyone read it.
  return new ReadableStream<Uint8Array>({
    pull(c) {
      if (!sent) {
        sent = true;
        c.enqueue(new Uint8Array(part));
      } else c.error(new Error("connection reset"));
    },
  });
};

async function upload(orgId: string, kind: "gguf" | "adapter" | "modelfile", filename: string, data: Buffer) {
  const u = await startUpload(testDb.db, dataDir, orgId, { userId: null, kind, filename, size: data.length });
  const r = await writeChunk(testDb.db, dataDir, orgId, u.id, 0, stream(data));
  expect(r.interrupted).toBe(false);
  return r.upload;
}

const digestOf = (b: Buffer) => `sha256:${createHash("sha256").update(b).digest("hex")}`;

describe("Modelfile", () => {
  it("reads every instruction Ollama documents", () => {
    const mf = parseModelfile(`# comment
FROM ./weights/custom.gguf
ADAPTER ./lora.gguf
TEMPLATE """{{ .System }}
{{ .Prompt }}"""
SYSTEM "You convert T-SQL."
PARAMETER temperature 0.1
PARAMETER stop "<|im_end|>"
PARAMETER stop "<|endoftext|>"
PARAMETER num_ctx 16384
LICENSE "Apache-2.0"
MESSAGE user SELECT 1
MESSAGE assistant select 1
`);
    expect(mf).toEqual({
      from: "./weights/custom.gguf",
      adapters: ["./lora.gguf"],
      template: "{{ .System }}\n{{ .Prompt }}",
      system: "You convert T-SQL.",
      license: ["Apache-2.0"],
      parameters: { temperature: 0.1, stop: ["<|im_end|>", "<|endoftext|>"], num_ctx: 16384 },
      messages: [
        { role: "user", content: "SELECT 1" },
        { role: "assistant", content: "select 1" },
      ],
    });
  });

  it.each([
    ["FROM x.gguf\nQUANTIZE q4\n", "FT1001", 2, /unknown instruction QUANTIZE/],
    ["PARAMETER temperature 0.1\n", "FT1003", 1, /no FROM/],
    ["FROM a.gguf\nTEMPLATE \"\"\"open\n", "FT1002", 2, /unterminated/],
    ["FROM a.gguf\nMESSAGE robot hi\n", "FT1002", 2, /role/],
  ])("refuses %j with %s at line %i", (text, code, line, message) => {
    try {
      parseModelfile(text);
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(ModelfileError);
      expect(err).toMatchObject({ code, line });
      expect((err as Error).message).toMatch(message);
    }
  });

  it("the shipped Modelfiles parse", async () => {
    const { readFile } = await import("node:fs/promises");
    for (const f of ["datamigrate-coder-small.Modelfile", "datamigrate-coder-large.Modelfile"]) {
      const mf = parseModelfile(await readFile(new URL(`../../ollama-models/${f}`, import.meta.url), "utf8"));
      expect(mf.from).toMatch(/\.gguf$/);
      expect(mf.parameters.stop).toEqual(["<|im_end|>", "<|endoftext|>"]);
    }
  });
});

describe("uploads", () => {
  it("refuses a file that is not a GGUF as soon as its first bytes arrive, and keeps nothing", async () => {
    const { orgId } = await seedOrg(testDb.db);
    const data = Buffer.from("PK\u0003\u0004 this is a zip, not a model");
    const u = await startUpload(testDb.db, dataDir, orgId, { userId: null, kind: "gguf", filename: "model.gguf", size: data.length });
    await expect(writeChunk(testDb.db, dataDir, orgId, u.id, 0, stream(data))).rejects.toMatchObject({ code: "FT2001" });
    expect(await listModelUploads(testDb.db, orgId)).toEqual([]);
    await expect(stat(uploadPath(dataDir, u))).rejects.toThrow();
  });

  it("an interrupted upload keeps its bytes and resumes at the offset the server reports; a wrong offset is a 409", async () => {
    const { orgId } = await seedOrg(testDb.db);
    const data = fakeGguf(10_000);
    const u = await startUpload(testDb.db, dataDir, orgId, { userId: null, kind: "gguf", filename: "m.gguf", size: data.length });
    const first = await writeChunk(testDb.db, dataDir, orgId, u.id, 0, brokenStream(data.subarray(0, 3000)));
    expect(first.interrupted).toBe(true);
    expect(first.upload.received).toBe(3000);
    expect(first.upload.status).toBe("uploading");
    await expect(writeChunk(testDb.db, dataDir, orgId, u.id, 0, stream(data))).rejects.toMatchObject({ code: "FT2003", status: 409, received: 3000 });
    const done = await writeChunk(testDb.db, dataDir, orgId, u.id, 3000, stream(data.subarray(3000)));
    expect(done.interrupted).toBe(false);
    expect(done.upload).toMatchObject({ status: "complete", received: 10_000, digest: digestOf(data) });
  });

  it("an abandoned upload is discarded (explicitly or by the stale sweep) with its file", async () => {
    const { orgId } = await seedOrg(testDb.db);
    const data = fakeGguf(2000);
    const a = await startUpload(testDb.db, dataDir, orgId, { userId: null, kind: "gguf", filename: "a.gguf", size: data.length });
    await writeChunk(testDb.db, dataDir, orgId, a.id, 0, brokenStream(data.subarray(0, 500)));
    expect(await discardUpload(testDb.db, dataDir, orgId, a.id)).toBe(true);
    await expect(stat(uploadPath(dataDir, a))).rejects.toThrow();
    const b = await startUpload(testDb.db, dataDir, orgId, { userId: null, kind: "gguf", filename: "b.gguf", size: data.length });
    expect(await sweepStaleUploads(testDb.db, dataDir, new Date(Date.now() + 2 * 24 * 3600_000))).toBeGreaterThanOrEqual(1);
    await expect(stat(uploadPath(dataDir, b))).rejects.toThrow();
  });

  it("more bytes than declared are refused", async () => {
    const { orgId } = await seedOrg(testDb.db);
    const data = fakeGguf(100);
    const u = await startUpload(testDb.db, dataDir, orgId, { userId: null, kind: "gguf", filename: "x.gguf", size: 50 });
    await expect(writeChunk(testDb.db, dataDir, orgId, u.id, 0, stream(data))).rejects.toBeInstanceOf(UploadError);
  });
});

describe("loading into Ollama (fake server)", () => {
  it("blob upload: HEAD then POST; a second push is skipped; a digest mismatch is a clear error", async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), "dm-blob-"));
    try {
      const { writeFile } = await import("node:fs/promises");
      const data = fakeGguf(5000, 7);
      const file = path.join(dir, "w.gguf");
      await writeFile(file, data);
      expect(await pushBlob(ollama.url, file, digestOf(data))).toBe(true);
      expect(state.blobs.get(digestOf(data))).toBe(5000);
      expect(await pushBlob(ollama.url, file, digestOf(data))).toBe(false);
      const wrong = digestOf(Buffer.from("something else"));
      await expect(pushBlob(ollama.url, file, wrong)).rejects.toMatchObject({ code: "FT2002", message: expect.stringMatching(/do not match/) });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("creates with files, adapters, template, system and parameters, then registers; /api/tags lists it", async () => {
    const { orgId } = await seedOrg(testDb.db);
    const weights = await upload(orgId, "gguf", "custom-7b.gguf", fakeGguf(8000, 3));
    const adapter = await upload(orgId, "adapter", "payroll-lora.gguf", fakeGguf(1000, 4));
    const r = await loadIntoOllama(testDb.db, dataDir, orgId, ollama.url, {
      name: "acme-coder:v1",
      modelfile: `FROM ./weights/custom-7b.gguf\nADAPTER payroll-lora.gguf\nTEMPLATE """{{ .Prompt }}"""\nSYSTEM You convert T-SQL.\nPARAMETER temperature 0.2\nPARAMETER stop "<|im_end|>"\n`,
    });
    expect(r.blobsSent).toBe(2);
    expect(r.statuses.at(-1)).toBe("success");
    const sent = state.creates.at(-1);
    expect(sent).toEqual({
      model: "acme-coder:v1",
      files: { "custom-7b.gguf": weights.digest },
      adapters: { "payroll-lora.gguf": adapter.digest },
      template: "{{ .Prompt }}",
      system: "You convert T-SQL.",
      parameters: { temperature: 0.2, stop: ["<|im_end|>"] },
      stream: true,
    });
    expect((await listRegisteredModels(testDb.db, orgId)).map((m) => [m.name, m.provider, m.kind])).toEqual([["acme-coder:v1", "ollama", "lora"]]);
    const tags = (await (await fetch(`${ollama.url}/api/tags`)).json()) as { models: { name: string }[] };
    expect(tags.models.map((m) => m.name)).toContain("acme-coder:v1");
  });

  it("FROM an existing model needs no blob", async () => {
    const { orgId } = await seedOrg(testDb.db);
    const r = await loadIntoOllama(testDb.db, dataDir, orgId, ollama.url, { name: "small-strict", modelfile: "FROM datamigrate-coder-small\nPARAMETER temperature 0\n" });
    expect(r.blobsSent).toBe(0);
    expect(state.creates.at(-1)).toMatchObject({ model: "small-strict", from: "datamigrate-coder-small", parameters: { temperature: 0 } });
  });

  it("a Modelfile naming a file that was not uploaded is refused before anything is sent", async () => {
    const { orgId } = await seedOrg(testDb.db);
    const before = state.creates.length;
    await expect(loadIntoOllama(testDb.db, dataDir, orgId, ollama.url, { name: "x", modelfile: "FROM ./missing.gguf\n" })).rejects.toMatchObject({ code: "FT1004" });
    expect(state.creates.length).toBe(before);
  });

  it("a server that disappears mid-create: clear error, model deleted on the server side, nothing registered", async () => {
    const { orgId } = await seedOrg(testDb.db);
    await upload(orgId, "gguf", "gone.gguf", fakeGguf(3000, 9));
    state.createMode = "disappear";
    const err = await loadIntoOllama(testDb.db, dataDir, orgId, ollama.url, { name: "half-made", modelfile: "FROM gone.gguf\n" }).catch((e) => e);
    expect(err).toBeInstanceOf(OllamaLoadError);
    expect(err).toMatchObject({ code: "FT3003" });
    expect(err.message).toMatch(/went away|stopped answering/);
    expect(await listRegisteredModels(testDb.db, orgId)).toEqual([]);
    expect(state.deletes).toContain("half-made");
  });

  it("an error line from /api/create is reported and nothing is registered", async () => {
    const { orgId } = await seedOrg(testDb.db);
    await upload(orgId, "gguf", "bad-arch.gguf", fakeGguf(3000, 11));
    state.createMode = "error";
    await expect(loadIntoOllama(testDb.db, dataDir, orgId, ollama.url, { name: "bad", modelfile: "FROM bad-arch.gguf\n" })).rejects.toMatchObject({
      code: "FT3002",
      message: expect.stringMatching(/unsupported model architecture/),
    });
    expect(await listRegisteredModels(testDb.db, orgId)).toEqual([]);
  });

  it("an unreachable server is FT3001", async () => {
    const { orgId } = await seedOrg(testDb.db);
    await expect(loadIntoOllama(testDb.db, dataDir, orgId, "http://127.0.0.1:9", { name: "nowhere", modelfile: "FROM base-model\n" })).rejects.toMatchObject({ code: "FT3001" });
    expect(await listRegisteredModels(testDb.db, orgId)).toEqual([]);
  });

  it("leaves no stray files in the organisation's upload folder after discards", async () => {
    const { orgId } = await seedOrg(testDb.db);
    const u = await startUpload(testDb.db, dataDir, orgId, { userId: null, kind: "modelfile", filename: "Modelfile", size: 10 });
    await discardUpload(testDb.db, dataDir, orgId, u.id);
    expect(await readdir(path.join(dataDir, "model-uploads", orgId))).toEqual([]);
  });
});
