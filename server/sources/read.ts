// readSources: from the paths a user gives (script files, folders, SSDT projects, .zip, .dacpac,
// a live server's connection string) to one SourceSet. One unreadable input never stops the others.
import { promises as fs } from "node:fs";
import path from "node:path";
import type { Diagnostic } from "../diagnostics.ts";
import { diagnostic } from "../diagnostics.ts";
import { decodeSqlBytes } from "./decode.ts";
import { readModelXml } from "./dacpac.ts";
import { isLiveSource, readLive, type LiveOptions } from "./live.ts";
import { parseSqlProject, selectProjectFiles } from "./sqlproj.ts";
import type { OriginKind, SourceFile, SourceSet } from "./types.ts";
import { readZip, type ZipLimits } from "./zip.ts";

export interface ReadOptions {
  zipLimits?: Partial<ZipLimits>;
  /** Scripts larger than this are skipped (default 512 MiB). */
  maxFileBytes?: number;
  live?: LiveOptions;
}

const SKIP_DIRS = new Set([".git", "node_modules", "bin", "obj", ".vs"]);
const DEFAULT_MAX_FILE = 512 * 1024 * 1024;

/** Forward slashes, no trailing slash, no leading `./`: how paths appear in diagnostics. */
export function displayPath(p: string): string {
  let s = p.replace(/\\/g, "/");
  while (s.length > 1 && s.endsWith("/")) s = s.slice(0, -1);
  if (s.startsWith("./") && s.length > 2) s = s.slice(2);
  return s;
}

function join(root: string, rel: string): string {
  return root === "." || root === "" ? rel : `${root}/${rel}`;
}

interface TreeFile {
  rel: string;
  load: () => Promise<Buffer>;
  size?: number;
}

async function walk(dir: string, rel = "", out: TreeFile[] = []): Promise<TreeFile[]> {
  let entries;
  try {
    entries = await fs.readdir(path.join(dir, rel), { withFileTypes: true });
  } catch {
    return out;
  }
  for (const e of entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    const r = rel ? `${rel}/${e.name}` : e.name;
    if (e.isDirectory()) {
      if (!SKIP_DIRS.has(e.name.toLowerCase())) await walk(dir, r, out);
    } else if (e.isFile()) {
      const full = path.join(dir, r);
      out.push({ rel: r, load: () => fs.readFile(full) });
    }
  }
  return out;
}

class Collector {
  readonly set: SourceSet = { files: [], fragments: [], projects: [], diagnostics: [] };
  constructor(readonly opts: ReadOptions) {}

  diag(d: Diagnostic): void {
    this.set.diagnostics.push(d);
  }

  addScript(p: string, bytes: Buffer, origin: SourceFile["origin"]): void {
    const max = this.opts.maxFileBytes ?? DEFAULT_MAX_FILE;
    if (bytes.length > max) {
      this.diag(diagnostic("SRC1007", "error", `the file is ${bytes.length} bytes, more than the ${max} a script may have; skipped`, { file: p, line: 1 }));
      return;
    }
    const r = decodeSqlBytes(bytes);
    if (!r.ok) {
      this.diag(diagnostic(r.code, "error", r.message, { file: p, line: 1 }));
      return;
    }
    if (r.warning) this.diag(diagnostic(r.warning.code, "warning", r.warning.message, { file: p, line: 1 }));
    this.set.files.push({ path: p, text: r.text, encoding: r.encoding, origin });
  }

  /** A tree of files (folder or zip): SSDT projects pick their Build items, elsewhere every .sql file counts. */
  async addTree(root: string, files: TreeFile[], kind: OriginKind): Promise<void> {
    const projects = files.filter((f) => /\.sqlproj$/i.test(f.rel));
    const claimed = new Set<string>();
    // Deeper projects first, so a project nested in another's folder owns its own files.
    projects.sort((a, b) => b.rel.split("/").length - a.rel.split("/").length);
    const planned: { file: TreeFile; origin: SourceFile["origin"] }[] = [];
    for (const pf of projects) {
      const projPath = join(root, pf.rel);
      const dir = pf.rel.includes("/") ? pf.rel.slice(0, pf.rel.lastIndexOf("/")) : "";
      const prefix = dir ? `${dir}/` : "";
      const inDir = files.filter((f) => f.rel.startsWith(prefix) && !claimed.has(f.rel));
      const decoded = decodeSqlBytes(await pf.load());
      const parsed = decoded.ok ? parseSqlProject(decoded.text, projPath) : { ok: false as const, line: 1, message: decoded.message };
      if (!parsed.ok) {
        this.diag(
          diagnostic("SRC1201", "error", `the SSDT project file is unreadable (${parsed.message}); every .sql file in its folder is read instead`, {
            file: projPath,
            line: parsed.line,
          }),
        );
        continue;
      }
      const project = parsed.project;
      this.set.projects.push(project.settings);
      const relToProj = inDir.map((f) => f.rel.slice(prefix.length));
      const sel = selectProjectFiles(project, relToProj);
      for (const m of sel.missing) {
        this.diag(diagnostic("SRC1202", "warning", `the project builds '${m}', which is not in the folder`, { file: projPath, line: 1 }));
      }
      const action = new Map<string, NonNullable<SourceFile["origin"]["buildAction"]>>();
      for (const b of sel.build) action.set(b, "Build");
      for (const b of sel.preDeploy) action.set(b, "PreDeploy");
      for (const b of sel.postDeploy) action.set(b, "PostDeploy");
      let ignored = 0;
      for (const f of inDir) {
        claimed.add(f.rel);
        const rel = f.rel.slice(prefix.length);
        const a = action.get(rel);
        if (a) planned.push({ file: f, origin: { kind: "sqlproj", container: projPath, buildAction: a } });
        else if (/\.sql$/i.test(f.rel) && !/^(bin|obj)\//i.test(rel)) {
          ignored++;
          planned.push({ file: f, origin: { kind: "sqlproj", container: projPath, buildAction: "None" } });
        }
      }
      if (ignored > 0) {
        this.diag(
          diagnostic("SRC1203", "note", `${ignored} .sql file(s) in the project folder are not Build items of the project; they count only where a deployment script includes them with :r`, {
            file: projPath,
            line: 1,
          }),
        );
      }
    }
    for (const f of files) {
      if (claimed.has(f.rel) || !/\.sql$/i.test(f.rel)) continue;
      planned.push({ file: f, origin: { kind, container: root } });
    }
    planned.sort((a, b) => (a.file.rel < b.file.rel ? -1 : a.file.rel > b.file.rel ? 1 : 0));
    // Read a window of files at once (SSDT projects have thousands of small files), decode in order.
    const WINDOW = 64;
    for (let i = 0; i < planned.length; i += WINDOW) {
      const chunk = planned.slice(i, i + WINDOW);
      const loaded = await Promise.all(chunk.map((p) => p.file.load().then((b) => ({ ok: true as const, b }), (e: Error) => ({ ok: false as const, e }))));
      chunk.forEach((p, k) => {
        const full = join(root, p.file.rel);
        const r = loaded[k]!;
        if (r.ok) this.addScript(full, r.b, p.origin);
        else this.diag(diagnostic("SRC1004", "error", `cannot read the file (${r.e.message})`, { file: full, line: 1 }));
      });
    }
  }

  async addZip(display: string, source: string | Buffer): Promise<void> {
    const z = await readZip(source, {
      displayPath: display,
      want: (n) => /\.(sql|sqlproj)$/i.test(n) && !/^(bin|obj)\//i.test(n),
      ...(this.opts.zipLimits ? { limits: this.opts.zipLimits } : {}),
    });
    this.set.diagnostics.push(...z.diagnostics);
    if (z.refused) return;
    const tree: TreeFile[] = z.entries.map((e) => ({ rel: e.name, load: async () => e.data }));
    await this.addTree(display, tree, "zip");
  }

  async addDacpac(display: string, source: string | Buffer): Promise<void> {
    const z = await readZip(source, {
      displayPath: display,
      want: (n) => n.toLowerCase() === "model.xml",
      ...(this.opts.zipLimits ? { limits: this.opts.zipLimits } : {}),
    });
    this.set.diagnostics.push(...z.diagnostics);
    if (z.refused) return;
    const model = z.entries[0];
    if (!model) {
      this.diag(diagnostic("SRC1301", "error", "the dacpac holds no model.xml; nothing read from it", { file: display, line: 1 }));
      return;
    }
    const file = `${display}/model.xml`;
    const decoded = decodeSqlBytes(model.data);
    if (!decoded.ok) {
      this.diag(diagnostic("SRC1302", "error", `model.xml is not text (${decoded.message})`, { file, line: 1 }));
      return;
    }
    const r = readModelXml(decoded.text, file, display);
    this.set.diagnostics.push(...r.diagnostics);
    this.set.fragments.push(r.fragment);
  }
}

async function readOne(c: Collector, input: string): Promise<void> {
  if (isLiveSource(input)) {
    const r = await readLive(input, c.opts.live ?? {});
    c.set.diagnostics.push(...r.diagnostics);
    if (r.fragment) c.set.fragments.push(r.fragment);
    return;
  }
  const display = displayPath(input);
  let stat;
  try {
    stat = await fs.stat(input);
  } catch {
    c.diag(diagnostic("SRC1004", "error", "no such file or folder", { file: display, line: 1 }));
    return;
  }
  if (stat.isDirectory()) {
    await c.addTree(display, await walk(input), "folder");
    return;
  }
  const lower = input.toLowerCase();
  if (lower.endsWith(".dacpac") || lower.endsWith(".bacpac")) return c.addDacpac(display, input);
  if (lower.endsWith(".zip")) return c.addZip(display, input);
  if (lower.endsWith(".sqlproj")) {
    // The project is its folder: read the folder with this project governing it.
    const dir = path.dirname(input);
    const files = (await walk(dir)).filter((f) => !/\.sqlproj$/i.test(f.rel) || f.rel === path.basename(input));
    await c.addTree(displayPath(path.dirname(display) || "."), files, "folder");
    return;
  }
  let bytes: Buffer;
  try {
    bytes = await fs.readFile(input);
  } catch (err) {
    c.diag(diagnostic("SRC1004", "error", `cannot read the file (${(err as Error).message})`, { file: display, line: 1 }));
    return;
  }
  if (bytes.length >= 4 && bytes[0] === 0x50 && bytes[1] === 0x4b && bytes[2] === 0x03 && bytes[3] === 0x04 && !lower.endsWith(".sql")) {
    return c.addZip(display, bytes);
  }
  c.addScript(display, bytes, { kind: "file" });
}

/**
 * Reads every input path. Paths: `.sql` files, folders (SSDT projects or trees of .sql files),
 * `.zip` archives of either, `.sqlproj` files, `.dacpac` files, and live servers given as
 * `mssql://user:password@host:port/database` or an ADO connection string (`Server=...;Database=...`).
 */
export async function readSources(paths: string[], opts: ReadOptions = {}): Promise<SourceSet> {
  const c = new Collector(opts);
  for (const p of paths) await readOne(c, p);
  return c.set;
}

/** Reads an in-memory container (used by the web upload): `name` decides the kind by its extension. */
export async function readBuffer(name: string, bytes: Buffer, opts: ReadOptions = {}): Promise<SourceSet> {
  const c = new Collector(opts);
  const display = displayPath(name);
  if (/\.(dacpac|bacpac)$/i.test(name)) await c.addDacpac(display, bytes);
  else if (/\.zip$/i.test(name)) await c.addZip(display, bytes);
  else c.addScript(display, bytes, { kind: "file" });
  return c.set;
}
