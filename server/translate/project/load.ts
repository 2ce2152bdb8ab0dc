// Reads a dbt project directory back into a DbtProject, so validation (server/validate, e.g.
// runProject on a directory) can run a project a user has edited. Covers what DataMigrate writes and plain dbt
// projects of the same shape: dbt_project.yml (vars, on-run-start, per-folder +materialized),
// property files (sources, models with config and data tests), model .sql files, macros/**.sql.
// Tests it cannot represent (other generic tests, singular tests) are reported, not dropped silently.
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { diagnostic, type Diagnostic } from "../../diagnostics.ts";
import { parseDbtYaml } from "../../dbt/validate-yaml.ts";
import { parseDbtProject, type ColumnDataTest, type DbtProject, type DbtProjectInput, type ModelInput, type TableDataTest } from "../../dbt/project.ts";
import { GENERIC_TEST_NAMES } from "../../dbt/render.ts";

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === "string" ? v : undefined);

async function walkFiles(dir: string, root = dir): Promise<string[]> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch {
    return [];
  }
  const out: string[] = [];
  for (const e of entries.sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...(await walkFiles(p, root)));
    else out.push(path.relative(root, p).split(path.sep).join("/"));
  }
  return out;
}

function relationTarget(text: string): { kind: "ref"; model: string } | { kind: "source"; source: string; table: string } | undefined {
  const r = /^\s*ref\(\s*['"]([^'"]+)['"]\s*\)\s*$/.exec(text);
  if (r) return { kind: "ref", model: r[1]! };
  const s = /^\s*source\(\s*['"]([^'"]+)['"]\s*,\s*['"]([^'"]+)['"]\s*\)\s*$/.exec(text);
  return s ? { kind: "source", source: s[1]!, table: s[2]! } : undefined;
}

function parseTest(entry: unknown, file: string, diags: Diagnostic[]): ColumnDataTest | TableDataTest | undefined {
  const [name, body] = typeof entry === "string" ? [entry, {}] : isObj(entry) && Object.keys(entry).length === 1 ? [Object.keys(entry)[0]!, Object.values(entry)[0]] : [undefined, undefined];
  if (!name) return undefined;
  const b = isObj(body) ? body : {};
  const args = isObj(b.arguments) ? b.arguments : {};
  const config = isObj(b.config) ? (b.config as ColumnDataTest["config"]) : undefined;
  const common = { ...(str(b.name) ? { name: str(b.name)! } : {}), ...(config ? { config } : {}) };
  switch (name) {
    case "unique":
    case "not_null":
      return { test: name, ...common };
    case "accepted_values":
      if (Array.isArray(args.values)) return { test: "accepted_values", values: args.values as Array<string | number | boolean>, ...(typeof args.quote === "boolean" ? { quote: args.quote } : {}), ...common };
      break;
    case "relationships": {
      const to = str(args.to) ? relationTarget(str(args.to)!) : undefined;
      if (to && str(args.field)) return { test: "relationships", to, field: str(args.field)!, ...common };
      break;
    }
    case GENERIC_TEST_NAMES.unique_combination:
      if (Array.isArray(args.combination_of_columns)) return { test: "unique_combination", columns: args.combination_of_columns as string[], ...common };
      break;
    case GENERIC_TEST_NAMES.expression_is_true:
      if (str(args.expression)) return { test: "expression_is_true", expression: str(args.expression)!, ...common };
      break;
  }
  diags.push(diagnostic("CNV4001", "warning", `data test '${name}' is not one validation runs; it is skipped`, { file, line: 1 }));
  return undefined;
}

export interface LoadedProject {
  project: DbtProject;
  diagnostics: Diagnostic[];
}

/** Reads `dir` as a dbt project. Throws when dbt_project.yml is missing or invalid. */
export async function loadDbtProjectDir(dir: string): Promise<LoadedProject> {
  const diags: Diagnostic[] = [];
  const doc = parseDbtYaml(await readFile(path.join(dir, "dbt_project.yml"), "utf8"));
  if (!isObj(doc)) throw new Error(`${dir}/dbt_project.yml is not a YAML mapping`);
  const name = str(doc.name) ?? "project";
  const hooks = doc["on-run-start"];
  const onRunStart = Array.isArray(hooks) ? hooks.filter((h): h is string => typeof h === "string") : typeof hooks === "string" ? [hooks] : [];
  const layerCfg = isObj(doc.models) && isObj(doc.models[name]) ? (doc.models[name] as Obj) : {};
  const layer = (l: string) => {
    const c = layerCfg[l];
    const m = isObj(c) ? str(c["+materialized"]) : undefined;
    return m === "view" || m === "table" || m === "ephemeral" || m === "incremental" ? m : undefined;
  };
  const files = await walkFiles(path.join(dir, "models"));
  const sources: NonNullable<DbtProjectInput["sources"]> = [];
  const props = new Map<string, { def: Obj; file: string }>();
  for (const f of files.filter((x) => x.endsWith(".yml") || x.endsWith(".yaml"))) {
    const file = `models/${f}`;
    const y = parseDbtYaml(await readFile(path.join(dir, file), "utf8"));
    if (!isObj(y)) continue;
    for (const s of Array.isArray(y.sources) ? y.sources.filter(isObj) : []) {
      sources.push({
        name: str(s.name)!,
        schema: str(s.schema) ?? str(s.name)!,
        tables: (Array.isArray(s.tables) ? s.tables.filter(isObj) : []).map((t) => ({
          name: str(t.name)!,
          ...(str(t.identifier) ? { identifier: str(t.identifier)! } : {}),
          columns: (Array.isArray(t.columns) ? t.columns.filter(isObj) : []).map((c) => ({
            name: str(c.name)!,
            ...(str(c.data_type) ? { data_type: str(c.data_type)! } : {}),
            ...(typeof c.quote === "boolean" ? { quote: c.quote } : {}),
            data_tests: (Array.isArray(c.data_tests) ? c.data_tests : []).map((x) => parseTest(x, file, diags)).filter((x): x is ColumnDataTest => !!x && x.test !== "unique_combination" && x.test !== "expression_is_true"),
          })),
          data_tests: (Array.isArray(t.data_tests) ? t.data_tests : []).map((x) => parseTest(x, file, diags)).filter((x): x is TableDataTest => !!x && (x.test === "unique_combination" || x.test === "expression_is_true")),
        })),
      });
    }
    for (const m of Array.isArray(y.models) ? y.models.filter(isObj) : []) if (str(m.name)) props.set(str(m.name)!, { def: m, file });
  }
  const models: ModelInput[] = [];
  for (const f of files.filter((x) => x.endsWith(".sql"))) {
    const file = `models/${f}`;
    const modelName = path.basename(f, ".sql");
    const entry = props.get(modelName);
    const p = entry?.def ?? {};
    const propFile = entry?.file ?? file;
    const cfg = isObj(p.config) ? p.config : {};
    const mat = str(cfg.materialized);
    models.push({
      name: modelName,
      path: file,
      sql: await readFile(path.join(dir, file), "utf8"),
      ...(mat === "view" || mat === "table" || mat === "ephemeral" || mat === "incremental" ? { materialized: mat } : {}),
      config: { ...(cfg.enabled === false ? { enabled: false } : {}), ...(str(cfg.schema) ? { schema: str(cfg.schema)! } : {}), ...(str(cfg.alias) ? { alias: str(cfg.alias)! } : {}) },
      columns: (Array.isArray(p.columns) ? p.columns.filter(isObj) : []).map((c) => ({
        name: str(c.name)!,
        ...(typeof c.quote === "boolean" ? { quote: c.quote } : {}),
        data_tests: (Array.isArray(c.data_tests) ? c.data_tests : []).map((x) => parseTest(x, propFile, diags)).filter((x): x is ColumnDataTest => !!x && x.test !== "unique_combination" && x.test !== "expression_is_true"),
      })),
      data_tests: (Array.isArray(p.data_tests) ? p.data_tests : []).map((x) => parseTest(x, propFile, diags)).filter((x): x is TableDataTest => !!x && (x.test === "unique_combination" || x.test === "expression_is_true")),
    });
  }
  const macros = [];
  for (const f of (await walkFiles(path.join(dir, "macros"))).filter((x) => x.endsWith(".sql"))) macros.push({ path: `macros/${f}`, content: await readFile(path.join(dir, "macros", f), "utf8") });
  const project = parseDbtProject({
    name,
    profile: str(doc.profile) ?? name,
    layers: { staging: layer("staging") ?? "view", intermediate: layer("intermediate") ?? "ephemeral", marts: layer("marts") ?? "table" },
    sources,
    models,
    macros,
    onRunStart,
    vars: isObj(doc.vars) ? doc.vars : {},
  });
  return { project, diagnostics: diags };
}
