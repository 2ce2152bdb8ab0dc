// ollama-models/: the default routing table points at Modelfiles that exist and parse, and
// import-model.mjs talks Ollama's blob + create API correctly (against a stand-in Ollama server that
// checks digests the way Ollama does).
import { spawn, spawnSync } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const DIR = path.join(REPO, "ollama-models");
const IMPORTER = path.join(DIR, "import-model.mjs");

interface Defaults {
  tiers: Record<string, { provider: string; model: string }>;
  models: Record<string, { modelfile: string; weights: string; ollamaLibraryTag: string }>;
}
const defaults = JSON.parse(readFileSync(path.join(DIR, "defaults.json"), "utf8")) as Defaults;

/** parseModelfile from import-model.mjs, run in a child process (plain JS, outside the typecheck). */
function parseModelfile(file: string): Record<string, unknown> {
  const r = spawnSync(
    process.execPath,
    ["--input-type=module", "-e", `const m = await import(${JSON.stringify(IMPORTER)}); const fs = await import("node:fs"); process.stdout.write(JSON.stringify(m.parseModelfile(fs.readFileSync(${JSON.stringify(file)}, "utf8"))));`],
    { encoding: "utf8" },
  );
  if (r.status !== 0) throw new Error(r.stderr);
  return JSON.parse(r.stdout) as Record<string, unknown>;
}

describe("default models", () => {
  it("covers the four routing tiers, small model for SIMPLE/MEDIUM and large for COMPLEX/CRITICAL", () => {
    expect(Object.keys(defaults.tiers).sort()).toEqual(["COMPLEX", "CRITICAL", "MEDIUM", "SIMPLE"]);
    expect(defaults.tiers.SIMPLE!.model).toBe(defaults.tiers.MEDIUM!.model);
    expect(defaults.tiers.COMPLEX!.model).toBe(defaults.tiers.CRITICAL!.model);
    expect(defaults.tiers.SIMPLE!.model).not.toBe(defaults.tiers.COMPLEX!.model);
  });

  it.each(Object.entries(defaults.models))("%s: its Modelfile exists, parses, and names the weights file of defaults.json", (name, model) => {
    for (const tier of Object.values(defaults.tiers)) if (tier.model === name) expect(tier.provider).toBe("ollama");
    const file = path.join(DIR, model.modelfile);
    expect(existsSync(file)).toBe(true);
    expect(path.basename(file)).toBe(`${name}.Modelfile`);
    const parsed = parseModelfile(file);
    expect(parsed.from).toBe(`./${model.weights}`);
    expect(parsed.template).toContain("<|im_start|>assistant");
    expect((parsed.parameters as Record<string, unknown>).stop).toEqual(["<|im_end|>", "<|endoftext|>"]);
    expect(typeof (parsed.parameters as Record<string, unknown>).temperature).toBe("number");
    expect(typeof (parsed.parameters as Record<string, unknown>).num_ctx).toBe("number");
  });

  it("the vllm profile serves the large model under the name the tiers use", () => {
    const compose = readFileSync(path.join(REPO, "compose.yaml"), "utf8");
    expect(compose).toContain(`"${defaults.tiers.COMPLEX!.model}"`);
  });
});

interface FakeOllama {
  url: string;
  blobs: Map<string, Buffer>;
  creates: Record<string, unknown>[];
  uploads: number;
  refuseCreate: boolean;
  close(): Promise<void>;
}

async function startFakeOllama(): Promise<FakeOllama> {
  const state = { blobs: new Map<string, Buffer>(), creates: [] as Record<string, unknown>[], uploads: 0, refuseCreate: false };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const body = Buffer.concat(chunks);
      const blob = /^\/api\/blobs\/(sha256:[0-9a-f]{64})$/.exec(req.url ?? "");
      if (blob && req.method === "HEAD") {
        res.writeHead(state.blobs.has(blob[1]!) ? 200 : 404).end();
      } else if (blob && req.method === "POST") {
        state.uploads++;
        const actual = `sha256:${createHash("sha256").update(body).digest("hex")}`;
        if (actual !== blob[1]) {
          res.writeHead(400, { "content-type": "application/json" }).end(JSON.stringify({ error: "digest mismatch" }));
          return;
        }
        state.blobs.set(actual, body);
        res.writeHead(201).end();
      } else if (req.url === "/api/create" && req.method === "POST") {
        const request = JSON.parse(body.toString("utf8")) as Record<string, unknown>;
        if ("modelfile" in request) {
          res.writeHead(400, { "content-type": "application/json" }).end(JSON.stringify({ error: "modelfile is no longer supported" }));
          return;
        }
        for (const digest of Object.values((request.files ?? {}) as Record<string, string>)) {
          if (!state.blobs.has(digest)) {
            res.writeHead(400, { "content-type": "application/json" }).end(JSON.stringify({ error: `missing blob ${digest}` }));
            return;
          }
        }
        if (state.refuseCreate) {
          res.writeHead(500, { "content-type": "application/json" }).end(JSON.stringify({ error: "out of disk space" }));
          return;
        }
        state.creates.push(request);
        res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ status: "success" }));
      } else {
        res.writeHead(404).end();
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return Object.assign(state, {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((r) => server.close(() => r())),
  });
}

function runImporter(args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [IMPORTER, ...args], { stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("close", (status) => resolve({ status, stdout, stderr }));
  });
}

describe("ollama-models/import-model.mjs against a stand-in Ollama", () => {
  let ollama: FakeOllama;
  let scratch: string;
  let modelfile: string;
  let weights: Buffer;

  beforeAll(async () => {
    ollama = await startFakeOllama();
    scratch = mkdtempSync(path.join(os.tmpdir(), "dm-ollama-test-"));
    mkdirSync(path.join(scratch, "weights"));
    weights = randomBytes(3 * 1024 * 1024 + 17);
    writeFileSync(path.join(scratch, "weights", "tiny.gguf"), weights);
    writeFileSync(path.join(scratch, "lora.gguf"), Buffer.from("adapter bytes"));
    modelfile = path.join(scratch, "tiny-coder.Modelfile");
    writeFileSync(
      modelfile,
      [
        "# a comment",
        "FROM ./weights/tiny.gguf",
        "ADAPTER ./lora.gguf",
        'TEMPLATE """{{ .System }}',
        '{{ .Prompt }}"""',
        'SYSTEM "Answer in SQL."',
        'PARAMETER stop "<|im_end|>"',
        "PARAMETER stop END",
        "PARAMETER temperature 0.2",
        "PARAMETER num_ctx 4096",
      ].join("\n"),
    );
  });

  afterAll(async () => {
    await ollama?.close();
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  });

  it("uploads the weights as a blob under their sha256 and creates the model from `files`", async () => {
    const r = await runImporter([modelfile, "--ollama", ollama.url]);
    expect(r.status, r.stderr).toBe(0);
    const digest = `sha256:${createHash("sha256").update(weights).digest("hex")}`;
    expect(ollama.blobs.get(digest)?.equals(weights)).toBe(true);
    expect(ollama.creates).toHaveLength(1);
    expect(ollama.creates[0]).toEqual({
      model: "tiny-coder",
      stream: false,
      files: { "tiny.gguf": digest },
      adapters: { "lora.gguf": `sha256:${createHash("sha256").update("adapter bytes").digest("hex")}` },
      template: "{{ .System }}\n{{ .Prompt }}",
      system: "Answer in SQL.",
      parameters: { stop: ["<|im_end|>", "END"], temperature: 0.2, num_ctx: 4096 },
    });
  });

  it("does not upload a blob Ollama already has", async () => {
    const before = ollama.uploads;
    const r = await runImporter([modelfile, "--ollama", ollama.url, "--name", "tiny-coder:v2"]);
    expect(r.status, r.stderr).toBe(0);
    expect(ollama.uploads).toBe(before);
    expect(r.stdout).toContain("already in Ollama");
    expect(ollama.creates.at(-1)!.model).toBe("tiny-coder:v2");
  });

  it("--from builds on a model Ollama already has, uploading no weights", async () => {
    const before = ollama.uploads;
    const r = await runImporter([modelfile, "--ollama", ollama.url, "--from", "qwen2.5-coder:7b-instruct-q4_K_M", "--name", "x"]);
    expect(r.status, r.stderr).toBe(0);
    const last = ollama.creates.at(-1)!;
    expect(last.from).toBe("qwen2.5-coder:7b-instruct-q4_K_M");
    expect(last.files).toBeUndefined();
    expect(ollama.uploads).toBe(before);
  });

  it("fails with Ollama's message when the create is refused, and on a missing weights file", async () => {
    ollama.refuseCreate = true;
    const refused = await runImporter([modelfile, "--ollama", ollama.url]);
    ollama.refuseCreate = false;
    expect(refused.status).toBe(1);
    expect(refused.stderr).toContain("out of disk space");
    const missing = path.join(scratch, "missing.Modelfile");
    writeFileSync(missing, "FROM ./weights/nope.gguf\n");
    const r = await runImporter([missing, "--ollama", ollama.url]);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("nope.gguf");
  });

  it("rejects Modelfile directives it would otherwise drop silently", async () => {
    const odd = path.join(scratch, "odd.Modelfile");
    writeFileSync(odd, "FROM x\nMESSAGE user hi\n");
    const r = await runImporter([odd, "--ollama", ollama.url]);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("MESSAGE is not supported");
  });
});
