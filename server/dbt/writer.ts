// Writes a DbtProject to disk after checking it: the project's own consistency (every ref and
// relationships test points at something that exists) and every emitted YAML file against dbt's
// published schemas. Problems come back as diagnostics; the files are written either way so a
// user can look at what was produced.
import { createHash } from "node:crypto";
import { copyFile, mkdir, readFile, unlink, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { z } from "zod";
import { diagnostic, type Diagnostic } from "../diagnostics.ts";
import { modelLayer, parseDbtProject, type DbtProject, type DbtProjectInput, type RelationTarget } from "./project.ts";
import { renderDbtProject, yamlKindOf } from "./render.ts";
import { parseDbtYaml, validateDbtYaml } from "./validate-yaml.ts";

/** Finds the ref()/source() calls in model SQL (literal arguments only, as dbt's static parser does). */
export function findJinjaReferences(sql: string): { refs: Array<{ model: string; package?: string; line: number }>; sources: Array<{ source: string; table: string; line: number }> } {
  const refs: Array<{ model: string; package?: string; line: number }> = [];
  const sources: Array<{ source: string; table: string; line: number }> = [];
  const lineAt = (i: number) => sql.slice(0, i).split("\n").length;
  const str = `(?:'([^']*)'|"([^"]*)")`;
  const refRe = new RegExp(`\\bref\\(\\s*${str}(?:\\s*,\\s*${str})?\\s*[,)]`, "g");
  for (const m of sql.matchAll(refRe)) {
    const a = m[1] ?? m[2]!;
    const b = m[3] ?? m[4];
    refs.push(b !== undefined ? { package: a, model: b, line: lineAt(m.index) } : { model: a, line: lineAt(m.index) });
  }
  const srcRe = new RegExp(`\\bsource\\(\\s*${str}\\s*,\\s*${str}\\s*\\)`, "g");
  for (const m of sql.matchAll(srcRe)) sources.push({ source: m[1] ?? m[2]!, table: m[3] ?? m[4]!, line: lineAt(m.index) });
  return { refs, sources };
}

/** Consistency checks that dbt itself would fail on at parse time (or that make a test meaningless). */
export function checkDbtProject(input: DbtProjectInput | DbtProject): Diagnostic[] {
  const project = parseDbtProject(input as DbtProjectInput);
  const out: Diagnostic[] = [];
  const models = new Map<string, string>();
  for (const m of project.models) {
    const prev = models.get(m.name);
    if (prev !== undefined)
      out.push(diagnostic("DBT2101", "error", `two models are named '${m.name}' (${prev} and ${m.path}); dbt requires unique model names`, { file: m.path, line: 1 }));
    else models.set(m.name, m.path);
  }
  const disabled = new Set(project.models.filter((m) => m.config.enabled === false).map((m) => m.name));
  // ref() also reaches seeds and snapshots.
  const refable = new Set([...models.keys(), ...project.seeds.map((x) => x.name), ...project.snapshots.map((x) => x.name)]);
  // Seeds and snapshots share the models' namespace (ref() reaches all three).
  for (const [kind, names] of [["seed", project.seeds.map((x) => x.name)], ["snapshot", project.snapshots.map((x) => x.name)]] as const)
    for (const n of names)
      if (models.has(n))
        out.push(diagnostic("DBT2101", "error", `a ${kind} and a model are both named '${n}'; dbt requires unique names across models, seeds and snapshots`, { file: models.get(n)!, line: 1 }));
  const seenSources = new Set<string>();
  for (const s of project.sources) {
    const file = `models/staging/${s.name}/_${s.name}__sources.yml`;
    if (seenSources.has(s.name)) out.push(diagnostic("DBT2101", "error", `two sources are named '${s.name}'`, { file, line: 1 }));
    seenSources.add(s.name);
    const tables = new Set<string>();
    for (const t of s.tables) {
      if (tables.has(t.name)) out.push(diagnostic("DBT2101", "error", `source '${s.name}' has two tables named '${t.name}'`, { file, line: 1 }));
      tables.add(t.name);
    }
  }
  const sourceTables = new Set(project.sources.flatMap((s) => s.tables.map((t) => `${s.name}.${t.name}`)));
  const propertyFileOf = (modelPath: string) => {
    const dir = modelPath.slice(0, modelPath.lastIndexOf("/"));
    return `${dir}/_${dir.split("/").pop()}__models.yml`;
  };
  const targetExists = (t: RelationTarget) => (t.kind === "ref" ? t.package !== undefined || refable.has(t.model) : sourceTables.has(`${t.source}.${t.table}`));
  const describeTarget = (t: RelationTarget) => (t.kind === "ref" ? `model '${t.model}'` : `source table '${t.source}.${t.table}'`);

  const checkColumns = (owner: string, file: string, columns: DbtProject["models"][number]["columns"], tableTests: DbtProject["models"][number]["data_tests"]) => {
    const names = new Set(columns.map((c) => c.name));
    const unquote = (n: string) => (/^".*"$/.test(n) ? n.slice(1, -1).replace(/""/g, '"') : n);
    for (const c of columns)
      for (const t of c.data_tests) {
        if (t.test === "relationships" && !targetExists(t.to))
          out.push(diagnostic("DBT2102", "error", `relationships test on ${owner}.${c.name} points at ${describeTarget(t.to)}, which the project does not define`, { file, line: 1 }));
        if (t.test === "accepted_values" && t.quote !== false && t.values.some((v) => typeof v === "string" && v.includes("'")))
          out.push(
            diagnostic("DBT2104", "warning", `accepted_values test on ${owner}.${c.name} has a value containing a quote; dbt's accepted_values test does not escape quotes, so its SQL will not run`, { file, line: 1 }),
          );
      }
    for (const t of tableTests)
      if (t.test === "unique_combination" && columns.length)
        for (const col of t.columns)
          if (!names.has(unquote(col)))
            out.push(diagnostic("DBT2105", "warning", `unique_combination test on ${owner} names column '${col}', which is not among its documented columns`, { file, line: 1 }));
  };

  for (const s of project.sources) for (const t of s.tables) checkColumns(`${s.name}.${t.name}`, `models/staging/${s.name}/_${s.name}__sources.yml`, t.columns, t.data_tests);
  for (const m of project.models) {
    checkColumns(m.name, propertyFileOf(m.path), m.columns, m.data_tests);
    const layer = modelLayer(m);
    if (layer !== "staging" && layer !== "intermediate" && layer !== "marts")
      out.push(diagnostic("DBT2106", "note", `model ${m.name} is in models/${layer}/, outside the staging/intermediate/marts layers, so it gets dbt's default materialization (view) unless it sets one`, { file: m.path, line: 1 }));
    const { refs, sources } = findJinjaReferences(m.sql);
    for (const r of refs)
      if (m.config.enabled !== false && r.package === undefined && disabled.has(r.model))
        out.push(diagnostic("DBT2103", "error", `model ${m.name} refers to ref('${r.model}'), which is disabled; dbt fails on this (disable ${m.name} too)`, { file: m.path, line: r.line }));
      else if (r.package === undefined && !refable.has(r.model))
        out.push(diagnostic("DBT2103", "error", `model ${m.name} refers to ref('${r.model}'), which the project does not define`, { file: m.path, line: r.line }));
      else if (r.model === m.name && r.package === undefined)
        out.push(diagnostic("DBT2103", "error", `model ${m.name} refers to itself with ref('${r.model}'); use {{ this }}`, { file: m.path, line: r.line }));
    for (const s of sources)
      if (!sourceTables.has(`${s.source}.${s.table}`))
        out.push(diagnostic("DBT2103", "error", `model ${m.name} refers to source('${s.source}', '${s.table}'), which the project does not define`, { file: m.path, line: s.line }));
  }
  for (const s of project.snapshots)
    if (!targetExists(s.relation))
      out.push(diagnostic("DBT2102", "error", `snapshot ${s.name} is taken of ${describeTarget(s.relation)}, which the project does not define`, { file: "snapshots/_snapshots.yml", line: 1 }));
  return out;
}

/** Validates every YAML file of a rendered project; the dbt ones against the fusion schemas. */
export function validateRenderedProject(files: Map<string, string>): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const [path, content] of files) {
    const kind = yamlKindOf(path);
    if (kind === "dbt_project" || kind === "properties") out.push(...validateDbtYaml(kind, content, path));
    else if (kind === "other") {
      try {
        parseDbtYaml(content);
      } catch (e) {
        out.push(diagnostic("DBT2001", "error", `YAML syntax error: ${e instanceof Error ? e.message.split("\n")[0] : String(e)}`, { file: path, line: 1 }));
      }
    }
  }
  return out;
}

export interface WriteResult {
  /** Absolute paths written. */
  files: string[];
  /** Absolute paths of files from the previous conversion that this one no longer produces, removed. */
  removed: string[];
  diagnostics: Diagnostic[];
}

/** Records what the last conversion wrote, so the next one can tell its own stale files from the user's. */
export const MANIFEST_FILE = ".datamigrate-manifest.json";
const Manifest = z.object({ version: z.literal(1), files: z.record(z.string(), z.string()) });

const sha256 = (text: string) => createHash("sha256").update(text, "utf8").digest("hex");

async function readText(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, "utf8");
  } catch {
    return undefined;
  }
}

/**
 * Renders, checks, validates and writes the project under `outDir`.
 * A re-conversion into the same directory removes the files the previous conversion wrote and
 * this one does not (a renamed model must not linger and break `dbt build`), unless the user has
 * edited them; an edited file that is overwritten is first copied to `<file>.datamigrate-bak`.
 * Files the conversions never wrote are never touched.
 */
export async function writeDbtProject(input: DbtProjectInput | DbtProject, outDir: string): Promise<WriteResult> {
  const project = parseDbtProject(input as DbtProjectInput);
  const files = renderDbtProject(project);
  const diagnostics = [...checkDbtProject(project), ...validateRenderedProject(files)];

  let previous: Record<string, string> = {};
  const manifestText = await readText(join(outDir, MANIFEST_FILE));
  if (manifestText !== undefined) {
    try {
      previous = Manifest.parse(JSON.parse(manifestText)).files;
    } catch {
      diagnostics.push(diagnostic("DBT2107", "warning", `${MANIFEST_FILE} is not readable; files of the previous conversion are left in place`, { file: MANIFEST_FILE, line: 1 }));
    }
  }

  const written: string[] = [];
  const manifest: Record<string, string> = {};
  for (const [rel, content] of files) {
    const abs = join(outDir, rel);
    const existing = await readText(abs);
    if (existing !== undefined && existing !== content && previous[rel] !== undefined && sha256(existing) !== previous[rel]) {
      await copyFile(abs, `${abs}.datamigrate-bak`);
      diagnostics.push(
        diagnostic("DBT2107", "warning", `${rel} was edited since the last conversion; it is overwritten, and the edited version kept as ${rel}.datamigrate-bak`, { file: rel, line: 1 }),
      );
    }
    await mkdir(dirname(abs), { recursive: true });
    await writeFile(abs, content, "utf8");
    written.push(abs);
    manifest[rel] = sha256(content);
  }

  const removed: string[] = [];
  for (const [rel, hash] of Object.entries(previous)) {
    if (files.has(rel)) continue;
    const abs = join(outDir, rel);
    const existing = await readText(abs);
    if (existing === undefined) continue;
    if (sha256(existing) === hash) {
      await unlink(abs);
      removed.push(abs);
    } else {
      diagnostics.push(
        diagnostic("DBT2108", "warning", `${rel} came from the previous conversion, which this one no longer produces, but it was edited; left in place (remove it if it is obsolete)`, { file: rel, line: 1 }),
      );
      manifest[rel] = hash; // still ours: a later run may remove it once the user has dealt with it
    }
  }
  await writeFile(join(outDir, MANIFEST_FILE), JSON.stringify({ version: 1, files: manifest }, null, 2) + "\n", "utf8");
  return { files: written, removed, diagnostics };
}
