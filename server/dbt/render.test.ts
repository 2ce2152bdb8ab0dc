import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseDbtProject, type DbtProjectInput } from "./project.ts";
import { escapeJinjaText, renderDbtProject, yamlKindOf } from "./render.ts";
import { parseDbtYaml, validateDbtYaml } from "./validate-yaml.ts";
import { checkDbtProject, findJinjaReferences, validateRenderedProject, writeDbtProject } from "./writer.ts";
import { parseMapping, lookupColumn, MAPPING_FILE } from "./mapping.ts";
import { shopProject } from "./test-fixtures.ts";

const files = renderDbtProject(shopProject());
const yamlFiles = [...files.entries()].filter(([p]) => yamlKindOf(p) === "dbt_project" || yamlKindOf(p) === "properties");

describe("renderDbtProject: layout per dbt Labs' project-structure guide", () => {
  it.each([
    "dbt_project.yml",
    "profiles.yml",
    "models/staging/sales/_sales__sources.yml",
    "models/staging/sales/_sales__models.yml",
    "models/staging/sales/stg_sales__customer.sql",
    "models/intermediate/_intermediate__models.yml",
    "models/marts/sales/_sales__models.yml",
    "models/marts/sales/customer_orders.sql",
    "macros/tsql/_tsql__macros.yml",
    "tests/generic/datamigrate_unique_combination.sql",
    "tests/generic/datamigrate_expression_is_true.sql",
    "seeds/country_codes.csv",
    "seeds/_seeds.yml",
    "snapshots/_snapshots.yml",
    "selectors.yml",
    "models/docs.md",
    MAPPING_FILE,
  ])("emits %s", (path) => {
    expect(files.has(path)).toBe(true);
  });

  it("is deterministic", () => {
    expect([...renderDbtProject(shopProject()).entries()]).toEqual([...files.entries()]);
  });

  it("writes model SQL verbatim", () => {
    const m = parseDbtProject(shopProject()).models[0]!;
    expect(files.get(m.path)).toBe(m.sql);
  });
});

describe("every emitted YAML validates against the fusion schemas", () => {
  it("has dbt YAML files to check", () => expect(yamlFiles.length).toBeGreaterThanOrEqual(8));
  it.each(yamlFiles)("%s", (path, content) => {
    expect(validateDbtYaml(yamlKindOf(path) as "dbt_project" | "properties", content, path)).toEqual([]);
  });
  it("validateRenderedProject finds nothing in the fixture", () => expect(validateRenderedProject(files)).toEqual([]));
});

describe("dbt_project.yml", () => {
  const doc = parseDbtYaml(files.get("dbt_project.yml")!) as Record<string, any>;
  it.each([
    ["name", "shop"],
    ["config-version", 2],
    ["profile", "shop"],
    ["model-paths", ["models"]],
    ["macro-paths", ["macros"]],
    ["on-run-start", ["{{ create_tsql_functions() }}"]],
  ])("%s", (key, value) => expect(doc[key]).toEqual(value));
  it("sets per-layer materialisations", () =>
    expect(doc.models).toEqual({
      shop: { staging: { "+materialized": "view" }, intermediate: { "+materialized": "ephemeral" }, marts: { "+materialized": "table" } },
    }));
  it("only configures layers that have models (dbt warns on unused paths)", () => {
    const p = shopProject();
    p.models = p.models!.filter((m) => m.path.startsWith("models/staging/"));
    const d = parseDbtYaml(renderDbtProject(p).get("dbt_project.yml")!) as Record<string, any>;
    expect(Object.keys(d.models.shop)).toEqual(["staging"]);
  });
});

describe("a sqlserver-target project validates too", () => {
  const ss = renderDbtProject({ ...shopProject(), target: "sqlserver" });
  it("has no validation errors", () => expect(validateRenderedProject(ss)).toEqual([]));
});

describe("profiles.yml holds no secret", () => {
  const text = files.get("profiles.yml")!;
  const doc = parseDbtYaml(text) as Record<string, any>;
  it("takes the password from the environment", () => expect(doc.shop.outputs.dev.password).toBe("{{ env_var('DBT_PASSWORD') }}"));
  it("targets postgres", () => expect(doc.shop.outputs.dev.type).toBe("postgres"));
  it("targets sqlserver when asked", () => {
    const p = { ...shopProject(), target: "sqlserver" as const };
    const d = parseDbtYaml(renderDbtProject(p).get("profiles.yml")!) as Record<string, any>;
    expect(d.shop.outputs.dev.type).toBe("sqlserver");
    expect(d.shop.outputs.dev.password).toBe("{{ env_var('DBT_PASSWORD') }}");
  });
});

describe("data tests use the dbt 1.10+ syntax", () => {
  const models = parseDbtYaml(files.get("models/staging/sales/_sales__models.yml")!) as any;
  const sources = parseDbtYaml(files.get("models/staging/sales/_sales__sources.yml")!) as any;
  it.each([
    ["unique", models.models[0].columns[0].data_tests[0], "unique"],
    ["accepted_values", models.models[0].columns[2].data_tests[0], { accepted_values: { arguments: { values: ["A", "I"] }, config: { severity: "warn" } } }],
    [
      "relationships to a ref",
      models.models[1].columns[3].data_tests[0],
      { relationships: { arguments: { to: "ref('stg_sales__customer')", field: "customer_id" }, config: { where: "customer_id > 0" } } },
    ],
    ["relationships to a source", sources.sources[0].tables[1].columns[3].data_tests[0], { relationships: { arguments: { to: "source('sales', 'customer')", field: '"CustomerID"' } } }],
    ["composite key", models.models[1].data_tests[0], { datamigrate_unique_combination: { arguments: { combination_of_columns: ["order_id", "line_no"] } } }],
  ])("%s", (_label, actual, expected) => expect(actual).toEqual(expected));

  it("keeps YAML 1.1 booleans as strings (dbt reads with PyYAML)", () => {
    const values = sources.sources[0].tables[0].columns[2].data_tests[0].accepted_values.arguments.values;
    expect(values).toEqual(["A", "I", "yes"]);
    expect(files.get("models/staging/sales/_sales__sources.yml")).toContain('- "yes"');
  });

  it("only writes a model's materialization when it differs from its layer's", () => {
    const marts = parseDbtYaml(files.get("models/marts/sales/_sales__models.yml")!) as any;
    expect(marts.models[0].config.materialized).toBe("incremental");
    expect(marts.models[0].config.unique_key).toBe("full_name");
    expect(models.models[0].config.materialized).toBeUndefined();
  });
});

describe("negative: the validator rejects what dbt 1.10+ rejects", () => {
  const header = "version: 2\nmodels:\n  - name: m\n    columns:\n      - name: id\n        data_tests:\n";
  it.each([
    ["relationships, pre-1.10 style", "          - relationships:\n              to: ref('x')\n              field: id\n", "DBT2003", 8],
    ["accepted_values, pre-1.10 style", "          - accepted_values:\n              values: [a, b]\n", "DBT2003", 8],
    ["unknown key in a column", "          - unique\n        colour: red\n", "DBT2002", 8],
  ])("%s", (_label, body, code, line) => {
    const d = validateDbtYaml("properties", header + body, "m.yml");
    expect(d.length).toBeGreaterThan(0);
    expect(d.map((x) => x.code)).toContain(code);
    expect(d.find((x) => x.code === code)!.line).toBe(line);
  });
  it("warns about the deprecated `tests:` key", () => {
    const d = validateDbtYaml("properties", "version: 2\nmodels:\n  - name: m\n    columns:\n      - name: id\n        tests:\n          - unique\n");
    expect(d).toMatchObject([{ code: "DBT2004", severity: "warning", line: 6 }]);
  });
  it("accepts the same tests with arguments:", () => {
    expect(validateDbtYaml("properties", header + "          - relationships:\n              arguments: {to: ref('x'), field: id}\n          - accepted_values:\n              arguments: {values: [a, b]}\n")).toEqual([]);
  });
  it.each([
    ["bad materialization", "name: x\nmodels:\n  x:\n    +materialized: viewz\n", "DBT2002"],
    ["unknown top-level key", "name: x\nmodelz: []\n", "DBT2002"],
    ["missing name", "version: '1.0'\n", "DBT2002"],
    ["YAML syntax", "name: x\nfoo: [\n", "DBT2001"],
  ])("dbt_project.yml: %s", (_label, text, code) => {
    const d = validateDbtYaml("dbt_project", text);
    expect(d.map((x) => x.code)).toContain(code);
  });
  it("merges the enum branches into one message", () => {
    const d = validateDbtYaml("dbt_project", "name: x\nmodels:\n  x:\n    +materialized: viewz\n");
    expect(d).toHaveLength(1);
    expect(d[0]!.message).toContain("ephemeral");
    expect(d[0]!.line).toBe(4);
  });
});

describe("descriptions are safe for dbt's Jinja", () => {
  it.each([
    ["plain text", "plain text"],
    ["uses {{ braces }}", "{% raw %}uses {{ braces }}{% endraw %}"],
    ["{% if %}", "{% raw %}{% if %}{% endraw %}"],
    ["{{ doc('customer_status') }}", "{{ doc('customer_status') }}"],
  ])("%s", (input, expected) => expect(escapeJinjaText(input)).toBe(expected));
});

describe("mapping file", () => {
  const mapping = parseMapping(files.get(MAPPING_FILE)!);
  it("maps a renamed source column to the staging model column", () => {
    expect(lookupColumn(mapping, { schema: "Sales", name: "Customer" }, "CustomerID")).toEqual([
      { resource: { type: "model", name: "stg_sales__customer", path: "models/staging/sales/stg_sales__customer.sql" }, column: "customer_id" },
      { resource: { type: "source", name: "sales.customer", path: "models/staging/sales/_sales__sources.yml" }, column: "CustomerID" },
    ]);
  });
  it("lists every object with an origin", () => expect(mapping.objects).toHaveLength(6));
});

describe("checkDbtProject", () => {
  const base = () => shopProject();
  it("passes the fixture", () => expect(checkDbtProject(base())).toEqual([]));
  const cases: Array<[string, (p: DbtProjectInput) => void, string]> = [
    ["duplicate model", (p) => p.models!.push({ ...p.models![0]!, path: "models/marts/stg_sales__customer.sql" }), "DBT2101"],
    ["a seed named like a model", (p) => p.seeds!.push({ name: "customer_orders", csv: "a\n1\n" }), "DBT2101"],
    ["duplicate source table", (p) => p.sources![0]!.tables!.push({ name: "customer" }), "DBT2101"],
    [
      "relationships to a missing model",
      (p) => p.models![0]!.columns!.push({ name: "x", data_tests: [{ test: "relationships", to: { kind: "ref", model: "nope" }, field: "id" }] }),
      "DBT2102",
    ],
    ["ref to a missing model", (p) => (p.models![2]!.sql += "union all select * from {{ ref('missing') }}"), "DBT2103"],
    ["source not declared", (p) => (p.models![2]!.sql += "union all select * from {{ source('sales', 'nope') }}"), "DBT2103"],
    ["unescaped quote in accepted_values", (p) => p.models![0]!.columns!.push({ name: "x", data_tests: [{ test: "accepted_values", values: ["O'Brien"] }] }), "DBT2104"],
    ["unknown column in a composite key", (p) => p.models![1]!.data_tests!.push({ test: "unique_combination", columns: ["order_id", "nope"] }), "DBT2105"],
    [
      "an enabled model refs a disabled one",
      (p) => {
        p.models![0]!.config = { enabled: false };
        p.models![1]!.columns = [];
      },
      "DBT2103",
    ],
    ["model outside the layers", (p) => p.models!.push({ name: "x", path: "models/other/x.sql", sql: "select 1" }), "DBT2106"],
  ];
  it.each(cases)("%s", (_label, mutate, code) => {
    const p = base();
    mutate(p);
    expect(checkDbtProject(p).map((d) => d.code)).toContain(code);
  });
  it.each([
    ["path not under models", { name: "x", path: "x.sql", sql: "select 1" }],
    ["path not matching the name", { name: "x", path: "models/staging/y.sql", sql: "select 1" }],
    ["name not a dbt name", { name: "1x", path: "models/staging/1x.sql", sql: "select 1" }],
  ])("zod rejects a model with %s", (_label, model) => {
    const p = base();
    p.models!.push(model);
    expect(() => parseDbtProject(p)).toThrow();
  });
});

describe("findJinjaReferences", () => {
  it.each([
    ["{{ ref('a') }}", [{ model: "a", line: 1 }], []],
    ['{{ ref("pkg", "b") }}', [{ package: "pkg", model: "b", line: 1 }], []],
    ["x\n{{ source('s', 't') }}", [], [{ source: "s", table: "t", line: 2 }]],
    ["{{ ref('a', v=2) }}", [{ model: "a", line: 1 }], []],
  ])("%s", (sql, refs, sources) => {
    const r = findJinjaReferences(sql);
    expect(r.refs).toEqual(refs);
    expect(r.sources).toEqual(sources);
  });
});

describe("writeDbtProject: re-conversion into the same directory", () => {
  it("removes its own stale files, keeps edited ones and the user's own", async () => {
    const dir = await mkdtemp(join(tmpdir(), "dm-dbt-"));
    try {
      await writeDbtProject(shopProject(), dir);
      await writeFile(join(dir, "models/marts/my_own_model.sql"), "select 1");
      await writeFile(join(dir, "models/intermediate/int_order_lines_joined.sql"), "select 'edited'");
      await writeFile(join(dir, "models/staging/sales/stg_sales__customer.sql"), "select 'edited too'");
      const next = shopProject();
      next.models = next.models!.filter((m) => m.name !== "int_order_lines_joined" && m.name !== "customer_orders");
      next.models!.push({ name: "customers", path: "models/marts/customers.sql", sql: "select * from {{ ref('stg_sales__customer') }}" });
      const r = await writeDbtProject(next, dir);
      const rel = (p: string) => p.slice(dir.length + 1);
      expect(r.removed.map(rel).sort()).toEqual(["models/intermediate/_intermediate__models.yml", "models/marts/sales/_sales__models.yml", "models/marts/sales/customer_orders.sql"]);
      expect(await readFile(join(dir, "models/marts/my_own_model.sql"), "utf8")).toBe("select 1");
      expect(await readFile(join(dir, "models/intermediate/int_order_lines_joined.sql"), "utf8")).toBe("select 'edited'");
      expect(await readFile(join(dir, "models/staging/sales/stg_sales__customer.sql.datamigrate-bak"), "utf8")).toBe("select 'edited too'");
      expect(r.diagnostics.map((d) => d.code).sort()).toEqual(["DBT2107", "DBT2108"]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe("writeDbtProject", () => {
  it("writes every rendered file and reports no diagnostics for a valid project", async () => {
    const dir = await mkdtemp(join(tmpdir(), "dm-dbt-"));
    try {
      const r = await writeDbtProject(shopProject(), dir);
      expect(r.diagnostics).toEqual([]);
      expect(r.files).toHaveLength(files.size);
      for (const [rel, content] of files) expect(await readFile(join(dir, rel), "utf8")).toBe(content);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
