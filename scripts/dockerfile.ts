// A reader for the subset of Dockerfile syntax docker/Dockerfile uses, so that CI can replay the
// image recipe without a Docker engine (scripts/image-build-check.ts) and tests can check its shape.
// Not a general Dockerfile parser: heredocs and ONBUILD are refused rather than misread.

export interface Instruction {
  keyword: string;
  /** The text after the keyword, continuation lines joined. */
  args: string;
  line: number;
}

export interface Stage {
  name: string;
  from: string;
  instructions: Instruction[];
}

export interface Dockerfile {
  /** ARG defaults declared before the first FROM. */
  globalArgs: Record<string, string>;
  stages: Stage[];
}

export function parseDockerfile(text: string): Dockerfile {
  const instructions: Instruction[] = [];
  const lines = text.split(/\r?\n/);
  let pending = "";
  let startLine = 0;
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i]!;
    if (!pending && (/^\s*#/.test(raw) || raw.trim() === "")) continue;
    if (pending && /^\s*#/.test(raw)) continue; // comments inside a continued instruction
    if (!pending) startLine = i + 1;
    const continued = /\\\s*$/.test(raw);
    pending += (pending ? " " : "") + (continued ? raw.replace(/\\\s*$/, "") : raw).trim();
    if (continued) continue;
    const m = /^(\w+)\s+([\s\S]*)$/.exec(pending);
    if (!m) throw new Error(`Dockerfile line ${startLine}: cannot read '${pending}'`);
    const keyword = m[1]!.toUpperCase();
    if (keyword === "ONBUILD" || /<<\w/.test(m[2]!)) throw new Error(`Dockerfile line ${startLine}: ${keyword} form not supported by scripts/dockerfile.ts`);
    instructions.push({ keyword, args: m[2]!.trim(), line: startLine });
    pending = "";
  }
  const globalArgs: Record<string, string> = {};
  const stages: Stage[] = [];
  for (const ins of instructions) {
    if (ins.keyword === "FROM") {
      const m = /^(?:--platform=\S+\s+)?(\S+)(?:\s+AS\s+(\S+))?$/i.exec(ins.args);
      if (!m) throw new Error(`Dockerfile line ${ins.line}: cannot read FROM ${ins.args}`);
      const from = m[1]!.replace(/\$\{(\w+)\}|\$(\w+)/g, (_, a, b) => globalArgs[(a ?? b) as string] ?? "");
      stages.push({ name: m[2] ?? String(stages.length), from, instructions: [] });
    } else if (!stages.length) {
      if (ins.keyword !== "ARG") throw new Error(`Dockerfile line ${ins.line}: ${ins.keyword} before FROM`);
      const [k, v = ""] = ins.args.split("=", 2);
      globalArgs[k!.trim()] = v.trim();
    } else {
      stages[stages.length - 1]!.instructions.push(ins);
    }
  }
  return { globalArgs, stages };
}

/** `["a", "b"]` (exec form) or a shell string (run with /bin/sh -c). */
export function commandOf(args: string): string[] {
  const trimmed = args.trim();
  if (trimmed.startsWith("[")) {
    const parsed = JSON.parse(trimmed) as unknown;
    if (!Array.isArray(parsed) || !parsed.every((x) => typeof x === "string")) throw new Error(`not an exec-form command: ${args}`);
    return parsed as string[];
  }
  return ["/bin/sh", "-c", trimmed];
}

/** ENV k=v k2="v 2"  or the legacy ENV k v. */
export function parseEnv(args: string): Record<string, string> {
  const out: Record<string, string> = {};
  if (!/^\S+=/.test(args)) {
    const m = /^(\S+)\s+(.*)$/.exec(args);
    if (m) out[m[1]!] = m[2]!;
    return out;
  }
  const re = /(\w+)=("(?:[^"\\]|\\.)*"|\S*)/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(args))) {
    const v = m[2]!;
    out[m[1]!] = v.startsWith('"') ? (JSON.parse(v) as string) : v;
  }
  return out;
}

export interface CopySpec {
  from: string | undefined;
  sources: string[];
  dest: string;
}

export function parseCopy(args: string): CopySpec {
  const words = args.trim().startsWith("[") ? (JSON.parse(args) as string[]) : args.split(/\s+/);
  let from: string | undefined;
  const rest: string[] = [];
  for (const w of words) {
    if (w.startsWith("--from=")) from = w.slice("--from=".length);
    else if (w.startsWith("--")) continue; // --chown, --chmod, --link: ownership only
    else rest.push(w);
  }
  if (rest.length < 2) throw new Error(`COPY needs a source and a destination: ${args}`);
  return { from, sources: rest.slice(0, -1), dest: rest[rest.length - 1]! };
}

/** HEALTHCHECK [options] CMD … → the command. */
export function healthcheckCommand(args: string): string[] | undefined {
  const m = /(?:^|\s)CMD\s+([\s\S]*)$/.exec(args);
  return m ? commandOf(m[1]!) : undefined;
}

/** .dockerignore patterns (the subset used: names, paths, `*`, `?`, `**`). */
export function ignoreMatcher(text: string): (relPath: string) => boolean {
  const patterns = text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith("#"))
    .map((p) => {
      if (p.startsWith("!")) throw new Error(`.dockerignore exceptions (${p}) are not supported by scripts/dockerfile.ts`);
      const body = p
        .replace(/^\/+|\/+$/g, "")
        .split("/")
        .map((seg) => (seg === "**" ? "(?:.*/)?" : seg.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, "[^/]*").replace(/\?/g, "[^/]") + "/"))
        .join("")
        .replace(/\/$/, "");
      // A matching directory excludes everything below it.
      return new RegExp(`^${body}(?:/.*)?$`);
    });
  return (relPath) => patterns.some((re) => re.test(relPath));
}
