// Shared by the bench scripts that run a migration on a corpus (agents-run.ts, object-rerun.ts).
import { readFileSync, readdirSync, statSync } from "node:fs";
import path from "node:path";

/** The inputs as one upload: a single .sql file, or every .sql of a folder (recursively, sorted) concatenated with GO. */
export function sqlUpload(p: string): Buffer {
  if (statSync(p).isFile()) return readFileSync(p);
  const files: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const f = path.join(d, e.name);
      if (e.isDirectory()) walk(f);
      else if (e.name.toLowerCase().endsWith(".sql")) files.push(f);
    }
  };
  walk(p);
  return Buffer.from(files.sort().map((f) => readFileSync(f, "utf8")).join("\nGO\n"));
}
