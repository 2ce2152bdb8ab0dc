#!/usr/bin/env node
// Imports a model into Ollama from local files through Ollama's HTTP API, with no internet access:
//   1. sha256 of the weights file named by the Modelfile's FROM line;
//   2. HEAD /api/blobs/sha256:<digest>, and POST the file there when Ollama does not have it yet;
//   3. POST /api/create with {model, files: {<file name>: "sha256:<digest>"}, template, system,
//      parameters, adapters} (Ollama no longer accepts a raw Modelfile in /api/create).
//
//   node import-model.mjs <file.Modelfile> [--name NAME] [--ollama URL] [--from EXISTING_MODEL]
//
//   --name     the model's name in Ollama (default: the Modelfile's name without .Modelfile)
//   --ollama   Ollama's address (default: $OLLAMA_URL, else http://127.0.0.1:11434)
//   --from     build from a model Ollama already has (e.g. a library model carried over in an
//              Ollama models directory) instead of the FROM file
//
// Plain Node.js (18 or later), no dependencies, so it runs in the app container or on any machine
// that reaches Ollama. The ollama CLI's `ollama create -f` does the same from inside the ollama
// container; see README.md beside this file.
import { createHash } from "node:crypto";
import { createReadStream, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { Readable } from "node:stream";
import { pathToFileURL } from "node:url";

/** Modelfile directives this importer understands; anything else is an error, not silently dropped. */
const KNOWN = new Set(["FROM", "PARAMETER", "TEMPLATE", "SYSTEM", "ADAPTER", "LICENSE"]);
/** Parameters Ollama takes as lists (repeatable in a Modelfile). */
const LIST_PARAMETERS = new Set(["stop"]);

function unquote(raw) {
  const v = raw.trim();
  if (v.startsWith('"') && v.endsWith('"') && v.length >= 2) return v.slice(1, -1);
  return v;
}

/**
 * Reads a Modelfile: { from, parameters, template?, system?, adapters: [], license: [] }.
 * Values may be bare, "quoted" or """triple-quoted""" (several lines).
 */
export function parseModelfile(text) {
  const out = { from: undefined, parameters: {}, template: undefined, system: undefined, adapters: [], license: [] };
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].trim();
    if (!line || line.startsWith("#")) continue;
    const m = /^(\w+)\s+([\s\S]*)$/.exec(line);
    if (!m) throw new Error(`Modelfile line ${i + 1}: cannot read '${line}'`);
    const keyword = m[1].toUpperCase();
    if (!KNOWN.has(keyword)) throw new Error(`Modelfile line ${i + 1}: ${keyword} is not supported by import-model.mjs`);
    let rest = m[2];
    if (rest.startsWith('"""')) {
      let body = rest.slice(3);
      const start = i + 1;
      while (!body.includes('"""')) {
        i++;
        if (i >= lines.length) throw new Error(`Modelfile line ${start}: unterminated """`);
        body += "\n" + lines[i];
      }
      rest = body.slice(0, body.indexOf('"""'));
    } else {
      rest = unquote(rest);
    }
    switch (keyword) {
      case "FROM":
        out.from = rest;
        break;
      case "TEMPLATE":
        out.template = rest;
        break;
      case "SYSTEM":
        out.system = rest;
        break;
      case "ADAPTER":
        out.adapters.push(rest);
        break;
      case "LICENSE":
        out.license.push(rest);
        break;
      case "PARAMETER": {
        const pm = /^(\S+)\s+([\s\S]+)$/.exec(m[2].trim());
        if (!pm) throw new Error(`Modelfile line ${i + 1}: PARAMETER needs a name and a value`);
        const name = pm[1];
        const raw = unquote(pm[2]);
        const value = LIST_PARAMETERS.has(name) ? raw : /^-?\d+(\.\d+)?$/.test(raw) ? Number(raw) : raw === "true" ? true : raw === "false" ? false : raw;
        if (LIST_PARAMETERS.has(name)) (out.parameters[name] ??= []).push(value);
        else out.parameters[name] = value;
        break;
      }
    }
  }
  if (!out.from) throw new Error("the Modelfile has no FROM line");
  return out;
}

/** A FROM value naming a file rather than a model. */
export function isFileReference(from) {
  return /^(\.{1,2}\/|\/|~\/)/.test(from) || /\.(gguf|bin|safetensors)$/i.test(from);
}

async function sha256File(file) {
  const hash = createHash("sha256");
  for await (const chunk of createReadStream(file)) hash.update(chunk);
  return `sha256:${hash.digest("hex")}`;
}

async function ensureBlob(ollama, file, log) {
  const digest = await sha256File(file);
  const head = await fetch(`${ollama}/api/blobs/${digest}`, { method: "HEAD" });
  if (head.status === 200) {
    log(`blob ${digest} already in Ollama (${path.basename(file)})`);
    return digest;
  }
  const size = statSync(file).size;
  log(`uploading ${path.basename(file)} (${(size / 1024 ** 3).toFixed(2)} GiB) as ${digest}…`);
  const res = await fetch(`${ollama}/api/blobs/${digest}`, {
    method: "POST",
    headers: { "content-type": "application/octet-stream", "content-length": String(size) },
    body: Readable.toWeb(createReadStream(file)),
    duplex: "half",
  });
  if (res.status !== 201 && res.status !== 200) throw new Error(`uploading ${file}: Ollama answered ${res.status} ${await res.text()}`);
  return digest;
}

/** Builds the /api/create body for a parsed Modelfile, uploading the files it names. */
export async function createRequest(modelfile, { name, baseDir, ollama, from, log = () => {} }) {
  const body = { model: name, stream: false };
  if (from) {
    body.from = from;
  } else if (isFileReference(modelfile.from)) {
    const file = path.resolve(baseDir, modelfile.from.replace(/^~(?=\/)/, process.env.HOME ?? "~"));
    body.files = { [path.basename(file)]: await ensureBlob(ollama, file, log) };
  } else {
    body.from = modelfile.from;
  }
  if (modelfile.adapters.length) {
    body.adapters = {};
    for (const a of modelfile.adapters) {
      const file = path.resolve(baseDir, a);
      body.adapters[path.basename(file)] = await ensureBlob(ollama, file, log);
    }
  }
  if (modelfile.template !== undefined) body.template = modelfile.template;
  if (modelfile.system !== undefined) body.system = modelfile.system;
  if (modelfile.license.length) body.license = modelfile.license;
  if (Object.keys(modelfile.parameters).length) body.parameters = modelfile.parameters;
  return body;
}

function parseArgs(argv) {
  const args = { file: undefined, name: undefined, ollama: process.env.OLLAMA_URL || "http://127.0.0.1:11434", from: undefined };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--name" || a === "--ollama" || a === "--from") {
      const v = argv[++i];
      if (!v) throw new Error(`${a} needs a value`);
      args[a.slice(2)] = v;
    } else if (a === "--help" || a === "-h") {
      args.help = true;
    } else if (!args.file) {
      args.file = a;
    } else {
      throw new Error(`unexpected argument '${a}'`);
    }
  }
  return args;
}

export async function main(argv) {
  const args = parseArgs(argv);
  if (args.help || !args.file) {
    process.stdout.write("usage: node import-model.mjs <file.Modelfile> [--name NAME] [--ollama URL] [--from EXISTING_MODEL]\n");
    return args.help ? 0 : 2;
  }
  const ollama = args.ollama.replace(/\/+$/, "");
  const name = args.name ?? path.basename(args.file).replace(/\.Modelfile$/i, "");
  const modelfile = parseModelfile(readFileSync(args.file, "utf8"));
  const log = (m) => process.stdout.write(`import-model: ${m}\n`);
  const body = await createRequest(modelfile, { name, baseDir: path.dirname(path.resolve(args.file)), ollama, from: args.from, log });
  log(`creating ${name}…`);
  const res = await fetch(`${ollama}/api/create`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
  const text = await res.text();
  let answer;
  try {
    answer = JSON.parse(text);
  } catch {
    answer = { error: text };
  }
  if (!res.ok || answer.error) throw new Error(`Ollama refused to create ${name} (${res.status}): ${answer.error ?? text}`);
  log(`${name}: ${answer.status ?? "created"}`);
  return 0;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err) => {
      process.stderr.write(`import-model: ${err.message}\n`);
      process.exit(1);
    },
  );
}
