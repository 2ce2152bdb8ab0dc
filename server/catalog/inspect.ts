// `inspect`: read, build the catalog, and report what was found. The CLI prints it; the web and
// the agents can call inspectPaths directly for the same facts.
import type { Diagnostic } from "../diagnostics.ts";
import { diagnostic } from "../diagnostics.ts";
import { readSources, type ReadOptions } from "../sources/read.ts";
import { buildCatalog, countByKind, type BuildOptions } from "./build.ts";
import type { Catalog } from "./model.ts";

export interface InspectJson {
  objects: { schema: string; name: string; kind: string; file: string; line: number; dependsOn: string[] }[];
  diagnostics: { code: string; severity: string; message: string; file: string; line: number }[];
}

export interface InspectResult {
  catalog: Catalog;
  counts: Record<string, number>;
  /** False when no input could be read at all (the CLI then exits non-zero). */
  readable: boolean;
  json: InspectJson;
}

export async function inspectPaths(paths: string[], opts: BuildOptions & { read?: ReadOptions } = {}): Promise<InspectResult> {
  const sources = await readSources(paths, opts.read ?? {});
  const readable = sources.files.length > 0 || sources.fragments.length > 0;
  if (!readable) {
    sources.diagnostics.push(
      diagnostic("CAT1012", "error", "nothing readable in the inputs: no script, project, dacpac or server could be read", { file: paths[0] ?? "", line: 1 }),
    );
  }
  const catalog = buildCatalog(sources, opts);
  const json: InspectJson = {
    objects: catalog.objects
      .filter((o) => !o.implicit)
      .map((o) => ({ schema: o.schema, name: o.name, kind: o.kind, file: o.file, line: o.line, dependsOn: o.dependsOn })),
    diagnostics: catalog.diagnostics.map((d: Diagnostic) => ({ code: d.code, severity: d.severity, message: d.message, file: d.file, line: d.line })),
  };
  return { catalog, counts: countByKind(catalog), readable, json };
}
