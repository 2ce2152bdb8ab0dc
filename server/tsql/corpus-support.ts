// File helpers for the corpus test and the parse benchmark (Node only; the parser itself needs no fs).
import { existsSync, readFileSync, readdirSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import type { SqlcmdOptions } from "./sqlcmd.ts";

/** Decodes UTF-16 LE/BE and UTF-8, with or without BOM (what SSMS and SSDT write). */
export function decodeSql(b: Buffer): string {
  if (b[0] === 0xff && b[1] === 0xfe) return b.subarray(2).toString("utf16le");
  if (b[0] === 0xfe && b[1] === 0xff) {
    const c = Buffer.from(b.subarray(2));
    c.swap16();
    return c.toString("utf16le");
  }
  if (b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf) return b.subarray(3).toString("utf8");
  return b.toString("utf8");
}

/** Every .sql file under a folder, in a stable order. */
export function* sqlFiles(dir: string): Generator<string> {
  for (const e of readdirSync(dir).sort()) {
    const p = join(dir, e);
    const s = statSync(p);
    if (s.isDirectory()) yield* sqlFiles(p);
    else if (/\.sql$/i.test(e)) yield p;
  }
}

/** A `:r` resolver for files under `root` (paths relative to the including file, `\` accepted). */
export function includeReader(root: string): NonNullable<SqlcmdOptions["readFile"]> {
  return (path, from) => {
    const p = resolve(dirname(join(root, from)), path.replace(/\\/g, "/"));
    if (!p.startsWith(resolve(root)) || !existsSync(p)) return undefined;
    return { text: decodeSql(readFileSync(p)), file: relative(root, p) };
  };
}
