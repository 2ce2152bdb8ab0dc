// Reads a dbt project directory back into a DbtProject, so that `datamigrate validate <dir>` can
// compile and run a project after a user has edited it. It reads what our writer writes (and the
// same constructs written by hand); anything it cannot represent is reported, not dropped silently.
import { readdir, readFile } from "node:fs/promises";
import { join, relative, sep } from "node:path";
import { diagnostic, type Diagnostic } from "../diagnostics.ts";
import { renderModelSql } from "./jinja.ts";
import { MAPPING_FILE, parseMapping, type Mapping } from "./mapping.ts";
import {
  DbtProject,
  MATERIALIZATIONS,
  ModelConfig,
  type ColumnDataTest,
  type ColumnInput,
  type DbtProjectInput,
  type ModelInput,
  type RelationTarget,
  type TableDataTest,
} from "./project.ts";
import { GENERIC_TEST_NAMES } from "./render.ts";
import { parseDbtYaml, validateDbtYaml } from "./validate-yaml.ts";

export interface ReadResult {
  /** Undefined when the project could not be read at all (no dbt_project.yml). */
  project: DbtProject | undefined;
  diagnostics: Diagnostic[];
}

async function walk(dir: string, root: string): Promise<string[]> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch {
    return [];
  }
  const out: string[] = [];
  for (const e of entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    const abs = join(dir, e.name);
    if (e.isDirectory()) out.push(...(await walk(abs, root)));
    else if (e.isFile()) out.push(relative(root, abs).split(sep).join("/"));
  }
  return out;
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => v !== null && typeof v === "object" && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === "string" ? v : undefined);

/** Parses "ref('m')", "ref('pkg', 'm')", "source('s', 't')" (the forms dbt accepts in YAML). */
export function parseRelationTarget(text: string): RelationTarget | undefined {
  const q = `\\s*['"]([^'"]+)['"]\\s*`;
  const t = text.trim().replace(/^\{\{\s*|\s*\}\}$/g, "");
  let m = new RegExp(`^ref\\(${q}\\)$`).exec(t);
  if (m) return { kind: "ref", model: m[1]! };
  m = new RegExp(`^ref\\(${q},${q}\\)$`).exec(t);
  if (m) return { kind: "ref", package: m[1]!, model: m[2]! };
  m = new RegExp(`^source\\(${q},${q}\\)$`).exec(t);
  if (m) return { kind: "source", source: m[1]!, table: m[2]! };
  return undefined;
}

/** A description (or name, or value) as dbt sees it: our {% raw %} escaping undone by rendering it; doc() kept. */
function description(v: unknown): string | undefined {
  const s = str(v);
  if (s === undefined || !/\{%-?\s*raw/.test(s) || /\bdoc\(/.test(s)) return s;
  const r = renderModelSql(s + "\n", { resolveRef: () => undefined, resolveSource: () => undefined, target: { name: "dev", schema: "", type: "postgres" } });
  return r.ok ? r.sql : s;
}

export async function readDbtProject(dir: string): Promise<ReadResult> {
  const diagnostics: Diagnostic[] = [];
  const read = async (rel: string) => readFile(join(dir, rel), "utf8");
  const yamlOf = (rel: string, text: string): unknown => {
    try {
      return parseDbtYaml(text);
    } catch (e) {
      diagnostics.push(diagnostic("DBT2001", "error", `YAML syntax error: ${e instanceof Error ? e.message.split("\n")[0] : String(e)}`, { file: rel, line: 1 }));
      return undefined;
    }
  };

  let projectText: string;
  try {
    projectText = await read("dbt_project.yml");
  } catch {
    return { project: undefined, diagnostics: [diagnostic("DBT4001", "error", `no dbt_project.yml in ${dir}`, { file: "dbt_project.yml", line: 1 })] };
  }
  diagnostics.push(...validateDbtYaml("dbt_project", projectText, "dbt_project.yml"));
  const pj = yamlOf("dbt_project.yml", projectText);
  if (!isObj(pj) || typeof pj.name !== "string") {
    diagnostics.push(diagnostic("DBT4001", "error", "dbt_project.yml has no project name", { file: "dbt_project.yml", line: 1 }));
    return { project: undefined, diagnostics };
  }
  const name = pj.name;
  const files = await walk(dir, dir);
  const fileSet = new Set(files);

  let mapping: Mapping | undefined;
  if (fileSet.has(MAPPING_FILE)) {
    try {
      mapping = parseMapping(await read(MAPPING_FILE));
    } catch (e) {
      diagnostics.push(diagnostic("DBT4001", "warning", `${MAPPING_FILE} could not be read: ${e instanceof Error ? e.message.split("\n")[0] : String(e)}`, { file: MAPPING_FILE, line: 1 }));
    }
  }
  const originOf = (type: "model" | "source", resourceName: string) => mapping?.objects.find((o) => o.resource.type === type && o.resource.name === resourceName);

  let target: "postgres" | "sqlserver" = "postgres";
  if (fileSet.has("profiles.yml")) {
    const prof = yamlOf("profiles.yml", await read("profiles.yml"));
    const outputs = isObj(prof) ? Object.values(prof).flatMap((p) => (isObj(p) && isObj(p.outputs) ? Object.values(p.outputs) : [])) : [];
    if (outputs.some((o) => isObj(o) && o.type === "sqlserver")) target = "sqlserver";
  }

  const layers: Obj = {};
  const modelsCfg = isObj(pj.models) ? pj.models[name] : undefined;
  if (isObj(modelsCfg))
    for (const layer of ["staging", "intermediate", "marts"])
      if (isObj(modelsCfg[layer]) && typeof modelsCfg[layer]["+materialized"] === "string") layers[layer] = modelsCfg[layer]["+materialized"];

  const input: DbtProjectInput = {
    name,
    profile: str(pj.profile) ?? name,
    target,
    ...(pj.version !== undefined ? { version: String(pj.version) } : {}),
    ...(isObj(pj.vars) ? { vars: pj.vars } : {}),
    ...(pj["on-run-start"] !== undefined ? { onRunStart: ([] as unknown[]).concat(pj["on-run-start"]).map(String) } : {}),
    ...(pj["on-run-end"] !== undefined ? { onRunEnd: ([] as unknown[]).concat(pj["on-run-end"]).map(String) } : {}),
    ...(typeof pj["require-dbt-version"] === "string" ? { requireDbtVersion: pj["require-dbt-version"] } : {}),
    layers: { staging: "view", intermediate: "ephemeral", marts: "table", ...layers } as DbtProjectInput["layers"],
    sources: [],
    models: [],
    macros: [],
    seeds: [],
    snapshots: [],
    selectors: [],
    docs: [],
  };

  const testsOf = <T extends "column" | "table">(list: unknown, file: string, owner: string, kind: T): Array<T extends "column" ? ColumnDataTest : TableDataTest> => {
    const out: Array<ColumnDataTest | TableDataTest> = [];
    for (const entry of Array.isArray(list) ? list : []) {
      const [testName, body] = typeof entry === "string" ? [entry, {} as Obj] : isObj(entry) ? (Object.entries(entry)[0] ?? ["", {}]) : ["", {}];
      const b = isObj(body) ? body : {};
      const args = isObj(b.arguments) ? b.arguments : {};
      const common = {
        ...(typeof b.name === "string" ? { name: b.name } : {}),
        ...(typeof b.description === "string" ? { description: description(b.description)! } : {}),
        ...(isObj(b.config) ? { config: b.config } : {}),
      };
      const unknownArgs = Object.keys(b).filter((k) => !["arguments", "name", "description", "config", "column_name"].includes(k));
      if (unknownArgs.length) {
        diagnostics.push(diagnostic("DBT2003", "error", `data test '${testName}' on ${owner} has ${unknownArgs.join(", ")} beside the test name (pre-dbt-1.10 style); put it under 'arguments:'`, { file, line: 1 }));
        continue;
      }
      if (kind === "column" && (testName === "unique" || testName === "not_null")) out.push({ test: testName, ...common } as ColumnDataTest);
      else if (kind === "column" && testName === "accepted_values" && Array.isArray(args.values))
        out.push({ test: "accepted_values", values: args.values.map((v: unknown) => (typeof v === "string" ? description(v) : v)), ...(typeof args.quote === "boolean" ? { quote: args.quote } : {}), ...common } as ColumnDataTest);
      else if (kind === "column" && testName === "relationships" && typeof args.to === "string" && typeof args.field === "string" && parseRelationTarget(args.to))
        out.push({ test: "relationships", to: parseRelationTarget(args.to)!, field: description(args.field)!, ...common } as ColumnDataTest);
      else if (kind === "table" && testName === GENERIC_TEST_NAMES.unique_combination && Array.isArray(args.combination_of_columns))
        out.push({ test: "unique_combination", columns: args.combination_of_columns.map(String), ...common } as TableDataTest);
      else if (kind === "table" && testName === GENERIC_TEST_NAMES.expression_is_true && typeof args.expression === "string")
        out.push({ test: "expression_is_true", expression: args.expression, ...common } as TableDataTest);
      else
        diagnostics.push(diagnostic("DBT4002", "warning", `data test '${testName}' on ${owner} is not one DataMigrate can run; it is skipped during validation`, { file, line: 1 }));
    }
    return out as Array<T extends "column" ? ColumnDataTest : TableDataTest>;
  };

  const columnsOf = (list: unknown, file: string, owner: string, origins?: Map<string, string>): ColumnInput[] =>
    (Array.isArray(list) ? list : []).filter(isObj).map((c) => {
      const colName = description(String(c.name))!;
      const origin = origins?.get(colName);
      return {
        name: colName,
        ...(typeof c.data_type === "string" ? { data_type: c.data_type } : {}),
        ...(typeof c.description === "string" ? { description: description(c.description)! } : {}),
        ...(typeof c.quote === "boolean" ? { quote: c.quote } : {}),
        ...(isObj(c.config) && isObj(c.config.meta) ? { meta: c.config.meta } : {}),
        ...(origin !== undefined && origin !== colName ? { origin } : {}),
        data_tests: testsOf(c.data_tests ?? c.tests, file, `${owner}.${colName}`, "column"),
      };
    });

  const columnOrigins = (entry: ReturnType<typeof originOf>) => new Map((entry?.columns ?? []).map((c) => [c.target, c.source]));
  const stripOurMeta = (meta: unknown): Obj | undefined => {
    if (!isObj(meta)) return undefined;
    const { datamigrate, ...rest } = meta;
    const dm = isObj(datamigrate) ? Object.fromEntries(Object.entries(datamigrate).filter(([k]) => k !== "source_object" && k !== "source_kind")) : undefined;
    const out = { ...rest, ...(dm && Object.keys(dm).length ? { datamigrate: dm } : {}) };
    return Object.keys(out).length ? out : undefined;
  };

  const macroDocs = new Map<string, Array<{ name: string; description?: string; arguments?: Array<{ name: string; type?: string; description?: string }> }>>();
  const seedProps = new Map<string, Obj>();
  const sqlFiles = new Map<string, string>();
  const modelProps = new Map<string, { entry: Obj; file: string }>();
  for (const rel of files) {
    if (rel.startsWith("models/") && rel.endsWith(".sql")) sqlFiles.set(rel, await read(rel));
    else if (/^(models|seeds|snapshots|macros)\/.*\.ya?ml$/.test(rel)) {
      const text = await read(rel);
      diagnostics.push(...validateDbtYaml("properties", text, rel));
      const doc = yamlOf(rel, text);
      if (!isObj(doc)) continue;
      for (const s of Array.isArray(doc.sources) ? doc.sources.filter(isObj) : []) {
        const sourceName = String(s.name);
        input.sources!.push({
          name: sourceName,
          schema: description(str(s.schema)) ?? sourceName,
          ...(typeof s.database === "string" ? { database: description(s.database)! } : {}),
          ...(typeof s.description === "string" ? { description: description(s.description)! } : {}),
          ...(typeof s.loader === "string" ? { loader: s.loader } : {}),
          ...(isObj(s.config) && isObj(s.config.meta) ? { meta: s.config.meta } : {}),
          tables: (Array.isArray(s.tables) ? s.tables.filter(isObj) : []).map((t) => {
            const tableName = String(t.name);
            const mapped = originOf("source", `${sourceName}.${tableName}`);
            const meta = stripOurMeta(isObj(t.config) ? t.config.meta : undefined);
            return {
              name: tableName,
              ...(typeof t.identifier === "string" ? { identifier: description(t.identifier)! } : {}),
              ...(typeof t.description === "string" ? { description: description(t.description)! } : {}),
              ...(mapped ? { origin: mapped.object } : {}),
              ...(meta ? { meta } : {}),
              columns: columnsOf(t.columns, rel, `${sourceName}.${tableName}`, columnOrigins(mapped)),
              data_tests: testsOf(t.data_tests ?? t.tests, rel, `${sourceName}.${tableName}`, "table"),
            };
          }),
        });
      }
      for (const m of Array.isArray(doc.models) ? doc.models.filter(isObj) : []) modelProps.set(String(m.name), { entry: m, file: rel });
      for (const m of Array.isArray(doc.macros) ? doc.macros.filter(isObj) : []) {
        const macroDir = rel.slice(0, rel.lastIndexOf("/"));
        const pending = (macroDocs.get(macroDir) ?? []).concat([
          {
            name: String(m.name),
            ...(typeof m.description === "string" ? { description: description(m.description)! } : {}),
            ...(Array.isArray(m.arguments) ? { arguments: m.arguments.filter(isObj).map((a) => ({ name: String(a.name), ...(typeof a.type === "string" ? { type: a.type } : {}), ...(typeof a.description === "string" ? { description: description(a.description)! } : {}) })) } : {}),
          },
        ]);
        macroDocs.set(macroDir, pending);
      }
      for (const s of Array.isArray(doc.seeds) ? doc.seeds.filter(isObj) : []) seedProps.set(String(s.name), s);
      for (const s of Array.isArray(doc.snapshots) ? doc.snapshots.filter(isObj) : []) {
        const cfg = isObj(s.config) ? s.config : {};
        const relation = typeof s.relation === "string" ? parseRelationTarget(s.relation) : undefined;
        if (!relation) {
          diagnostics.push(diagnostic("DBT4003", "warning", `snapshot ${String(s.name)} has no relation DataMigrate understands; skipped`, { file: rel, line: 1 }));
          continue;
        }
        input.snapshots!.push({
          name: String(s.name),
          relation,
          strategy: cfg.strategy === "check" ? "check" : "timestamp",
          unique_key: Array.isArray(cfg.unique_key) ? cfg.unique_key.map(String) : String(cfg.unique_key ?? ""),
          ...(typeof cfg.updated_at === "string" ? { updated_at: cfg.updated_at } : {}),
          ...(cfg.check_cols !== undefined ? { check_cols: cfg.check_cols === "all" ? "all" : ([] as unknown[]).concat(cfg.check_cols).map(String) } : {}),
          ...(typeof cfg.hard_deletes === "string" ? { hard_deletes: cfg.hard_deletes as "ignore" } : {}),
          ...(typeof cfg.schema === "string" ? { schema: cfg.schema } : {}),
          ...(typeof s.description === "string" ? { description: description(s.description)! } : {}),
        });
      }
    }
  }

  for (const [rel, sql] of sqlFiles) {
    const modelName = rel.slice(rel.lastIndexOf("/") + 1, -4);
    const props = modelProps.get(modelName);
    const mapped = originOf("model", modelName);
    const model: ModelInput = { name: modelName, path: rel, sql };
    if (props) {
      const m = props.entry;
      const cfg: Obj = isObj(m.config) ? { ...m.config } : {};
      if (typeof cfg.materialized === "string") {
        if ((MATERIALIZATIONS as readonly string[]).includes(cfg.materialized)) model.materialized = cfg.materialized as ModelInput["materialized"];
        else diagnostics.push(diagnostic("DBT4004", "warning", `model ${modelName}: materialization '${cfg.materialized}' is not one DataMigrate validates; treated as a table`, { file: props.file, line: 1 }));
      }
      const meta = stripOurMeta(cfg.meta);
      delete cfg.materialized;
      delete cfg.meta;
      const known: Obj = {};
      for (const [k, v] of Object.entries(cfg)) {
        if (k in ModelConfig.shape) known[k] = v;
        else diagnostics.push(diagnostic("DBT4004", "note", `model ${modelName}: config '${k}' is not used during validation`, { file: props.file, line: 1 }));
      }
      const parsedConfig = ModelConfig.safeParse(known);
      if (parsedConfig.success) model.config = parsedConfig.data;
      else diagnostics.push(diagnostic("DBT4004", "warning", `model ${modelName}: config not understood (${parsedConfig.error.issues[0]?.message}); ignored`, { file: props.file, line: 1 }));
      if (typeof m.description === "string") model.description = description(m.description)!;
      if (meta) model.meta = meta;
      model.columns = columnsOf(m.columns, props.file, modelName, columnOrigins(mapped));
      model.data_tests = testsOf(m.data_tests ?? m.tests, props.file, modelName, "table");
    }
    if (mapped) model.origin = mapped.object;
    input.models!.push(model);
  }
  for (const name of modelProps.keys())
    if (![...sqlFiles.keys()].some((p) => p.endsWith(`/${name}.sql`)))
      diagnostics.push(diagnostic("DBT4003", "warning", `properties describe model ${name}, which has no .sql file`, { file: modelProps.get(name)!.file, line: 1 }));

  for (const rel of files) {
    if (rel.startsWith("macros/") && rel.endsWith(".sql")) {
      const macroDir = rel.slice(0, rel.lastIndexOf("/"));
      const content = await read(rel);
      const names = [...content.matchAll(/\{%-?\s*macro\s+([A-Za-z_][A-Za-z0-9_]*)/g)].map((m) => m[1]!);
      const docs = (macroDocs.get(macroDir) ?? []).filter((d) => names.includes(d.name));
      input.macros!.push({ path: rel, content, docs });
    } else if (rel.startsWith("seeds/") && rel.endsWith(".csv")) {
      const seedName = rel.slice(rel.lastIndexOf("/") + 1, -4);
      const s = seedProps.get(seedName);
      const cfg = s && isObj(s.config) ? s.config : {};
      input.seeds!.push({
        name: seedName,
        csv: await read(rel),
        ...(s && typeof s.description === "string" ? { description: description(s.description)! } : {}),
        ...(isObj(cfg.column_types) ? { column_types: Object.fromEntries(Object.entries(cfg.column_types).map(([k, v]) => [k, String(v)])) } : {}),
        columns: s ? columnsOf(s.columns, "seeds/_seeds.yml", seedName) : [],
      });
    } else if (rel.startsWith("models/") && rel.endsWith(".md")) {
      const text = await read(rel);
      for (const m of text.matchAll(/\{%-?\s*docs\s+([A-Za-z_][A-Za-z0-9_]*)\s*-?%\}\n?([\s\S]*?)\n?\{%-?\s*enddocs\s*-?%\}/g))
        input.docs!.push({ name: m[1]!, content: m[2]!, ...(rel !== "models/docs.md" ? { path: rel } : {}) });
    }
  }

  if (fileSet.has("selectors.yml")) {
    const sel = yamlOf("selectors.yml", await read("selectors.yml"));
    for (const s of isObj(sel) && Array.isArray(sel.selectors) ? sel.selectors.filter(isObj) : [])
      input.selectors!.push({
        name: String(s.name),
        ...(typeof s.description === "string" ? { description: s.description } : {}),
        ...(typeof s.default === "boolean" ? { default: s.default } : {}),
        definition: s.definition,
      });
  }

  const parsed = DbtProject.safeParse(input);
  if (!parsed.success) {
    for (const issue of parsed.error.issues.slice(0, 20))
      diagnostics.push(diagnostic("DBT4005", "error", `the project cannot be represented: ${issue.path.join(".")}: ${issue.message}`, { file: "dbt_project.yml", line: 1 }));
    return { project: undefined, diagnostics };
  }
  return { project: parsed.data, diagnostics };
}
