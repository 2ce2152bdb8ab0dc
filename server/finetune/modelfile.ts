// Ollama Modelfile → the fields of POST /api/create. Ollama no longer takes a raw Modelfile, so the
// appliance reads it itself: FROM, ADAPTER, TEMPLATE, SYSTEM, PARAMETER, LICENSE, MESSAGE. Anything
// else is refused with its line number (FT1001) rather than silently dropped: a dropped instruction
// would produce a model that behaves differently from what the admin wrote.

export class ModelfileError extends Error {
  constructor(
    readonly code: "FT1001" | "FT1002" | "FT1003",
    readonly line: number,
    message: string,
  ) {
    super(`Modelfile line ${line}: ${message} (${code})`);
    this.name = "ModelfileError";
  }
}

export interface ParsedModelfile {
  /** FROM: a file name (weights uploaded alongside) or an existing model name. */
  from: string;
  adapters: string[];
  template?: string;
  system?: string;
  license: string[];
  parameters: Record<string, string | number | boolean | Array<string | number>>;
  messages: Array<{ role: "system" | "user" | "assistant"; content: string }>;
}

const INSTRUCTIONS = new Set(["FROM", "ADAPTER", "TEMPLATE", "SYSTEM", "PARAMETER", "LICENSE", "MESSAGE"]);
/** Parameters Ollama takes as lists (repeatable in a Modelfile). */
const LIST_PARAMETERS = new Set(["stop"]);
const NUMERIC = /^-?\d+(\.\d+)?$/;

/** True when FROM names a file (to upload as a blob) rather than a model Ollama already has. */
export function fromIsFile(from: string): boolean {
  return /\.(gguf|bin|safetensors)$/i.test(from) || from.startsWith("./") || from.startsWith("/") || from.startsWith("../");
}

export function parseModelfile(text: string): ParsedModelfile {
  const out: ParsedModelfile = { from: "", adapters: [], license: [], parameters: {}, messages: [] };
  const lines = text.split(/\r?\n/);
  let fromLine = 0;
  for (let i = 0; i < lines.length; i++) {
    const lineNo = i + 1;
    const line = lines[i]!.trim();
    if (!line || line.startsWith("#")) continue;
    const m = /^([A-Za-z]+)(?:\s+([\s\S]*))?$/.exec(line);
    if (!m) throw new ModelfileError("FT1002", lineNo, `cannot read '${line.slice(0, 60)}'`);
    const keyword = m[1]!.toUpperCase();
    if (!INSTRUCTIONS.has(keyword)) {
      throw new ModelfileError("FT1001", lineNo, `unknown instruction ${m[1]} (expected one of ${[...INSTRUCTIONS].join(", ")})`);
    }
    let rest = (m[2] ?? "").trim();
    if (rest.startsWith('"""')) {
      let body = rest.slice(3);
      while (!body.includes('"""')) {
        i++;
        if (i >= lines.length) throw new ModelfileError("FT1002", lineNo, 'unterminated """ block');
        body += "\n" + lines[i];
      }
      rest = body.slice(0, body.indexOf('"""'));
    } else if (rest.startsWith('"') && rest.endsWith('"') && rest.length >= 2) {
      rest = rest.slice(1, -1);
    }
    if (rest === "" && keyword !== "SYSTEM" && keyword !== "TEMPLATE") throw new ModelfileError("FT1002", lineNo, `${keyword} needs a value`);
    switch (keyword) {
      case "FROM":
        if (fromLine) throw new ModelfileError("FT1002", lineNo, `a second FROM (the first is on line ${fromLine})`);
        out.from = rest;
        fromLine = lineNo;
        break;
      case "ADAPTER":
        out.adapters.push(rest);
        break;
      case "TEMPLATE":
        out.template = rest;
        break;
      case "SYSTEM":
        out.system = rest;
        break;
      case "LICENSE":
        out.license.push(rest);
        break;
      case "PARAMETER": {
        const p = /^(\S+)\s+([\s\S]+)$/.exec(rest);
        if (!p) throw new ModelfileError("FT1002", lineNo, "PARAMETER needs a name and a value");
        const name = p[1]!.toLowerCase();
        let raw = p[2]!.trim();
        if (raw.startsWith('"') && raw.endsWith('"') && raw.length >= 2) raw = raw.slice(1, -1);
        const value: string | number | boolean = NUMERIC.test(raw) ? Number(raw) : raw === "true" ? true : raw === "false" ? false : raw;
        if (LIST_PARAMETERS.has(name)) {
          const list = (out.parameters[name] as Array<string | number> | undefined) ?? [];
          list.push(typeof value === "boolean" ? String(value) : value);
          out.parameters[name] = list;
        } else {
          out.parameters[name] = value;
        }
        break;
      }
      case "MESSAGE": {
        const p = /^(system|user|assistant)\s+([\s\S]+)$/i.exec(rest);
        if (!p) throw new ModelfileError("FT1002", lineNo, "MESSAGE needs a role (system, user, assistant) and a text");
        let content = p[2]!.trim();
        if (content.startsWith('"') && content.endsWith('"') && content.length >= 2) content = content.slice(1, -1);
        out.messages.push({ role: p[1]!.toLowerCase() as "system" | "user" | "assistant", content });
        break;
      }
    }
  }
  if (!out.from) throw new ModelfileError("FT1003", 1, "no FROM instruction (the weights file or the base model)");
  return out;
}

/** The file name a FROM or ADAPTER path refers to ("./weights/x.gguf" → "x.gguf"). */
export function baseName(p: string): string {
  return p.split(/[\\/]/).pop() ?? p;
}
