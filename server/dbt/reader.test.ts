import { mkdtemp, rm, writeFile, mkdir } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseDbtProject } from "./project.ts";
import { parseRelationTarget, readDbtProject } from "./reader.ts";
import { shopProject } from "./test-fixtures.ts";
import { writeDbtProject } from "./writer.ts";

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "dm-dbt-read-"));
});
afterAll(async () => rm(dir, { recursive: true, force: true }));

async function put(root: string, files: Record<string, string>) {
  for (const [rel, content] of Object.entries(files)) {
    await mkdir(dirname(join(root, rel)), { recursive: true });
    await writeFile(join(root, rel), content);
  }
}

describe("readDbtProject", () => {
  it("reads back exactly what the writer wrote", async () => {
    const out = join(dir, "roundtrip");
    const original = parseDbtProject(shopProject());
    await writeDbtProject(original, out);
    const { project, diagnostics } = await readDbtProject(out);
    expect(diagnostics).toEqual([]);
    const sortByPath = <T extends { path: string }>(xs: T[]) => [...xs].sort((a, b) => (a.path < b.path ? -1 : 1));
    // File order on disk differs from the original array order; compare models by path.
    expect({ ...project!, models: sortByPath(project!.models), macros: sortByPath(project!.macros) }).toEqual({
      ...original,
      targetDatabase: project!.targetDatabase,
      targetSchema: project!.targetSchema,
      models: sortByPath(original.models),
      macros: sortByPath(original.macros),
    });
  });

  it("round-trips names, values and descriptions that contain Jinja delimiters", async () => {
    const out = join(dir, "braces");
    const original = parseDbtProject({
      name: "braces",
      profile: "braces",
      sources: [
        {
          name: "src",
          schema: "odd{{schema}}",
          description: "has {% raw %} and {{ x }}",
          tables: [
            {
              name: "t",
              identifier: "Tab{#le",
              columns: [{ name: "Col{{1}}", quote: true, description: "{# not a comment #}", data_tests: [{ test: "accepted_values", values: ["{{v}}", "w"] }] }],
            },
          ],
        },
      ],
    });
    await writeDbtProject(original, out);
    const { project, diagnostics } = await readDbtProject(out);
    expect(diagnostics).toEqual([]);
    expect(project!.sources).toEqual(original.sources);
  });

  it("reports what it cannot run, and the pre-1.10 test style", async () => {
    const out = join(dir, "handwritten");
    await put(out, {
      "dbt_project.yml": "name: hand\nprofile: hand\nconfig-version: 2\n",
      "models/marts/m.sql": "select 1 as id",
      "models/marts/_marts__models.yml": [
        "version: 2",
        "models:",
        "  - name: m",
        "    config:",
        "      materialized: materialized_view",
        "      persist_docs: {relation: true}",
        "    columns:",
        "      - name: id",
        "        data_tests:",
        "          - dbt_utils.not_constant",
        "          - relationships:",
        "              to: ref('x')",
        "              field: id",
        "  - name: ghost",
        "",
      ].join("\n"),
    });
    const { project, diagnostics } = await readDbtProject(out);
    expect(project!.models.map((m) => m.name)).toEqual(["m"]);
    const codes = diagnostics.map((d) => d.code);
    for (const c of ["DBT4002", "DBT2003", "DBT4004", "DBT4003"]) expect(codes).toContain(c);
  });

  it("fails clearly without dbt_project.yml", async () => {
    const { project, diagnostics } = await readDbtProject(join(dir, "nothing-here"));
    expect(project).toBeUndefined();
    expect(diagnostics[0]!.code).toBe("DBT4001");
  });
});

describe("parseRelationTarget", () => {
  it.each([
    ["ref('a')", { kind: "ref", model: "a" }],
    ['ref("pkg", "a")', { kind: "ref", package: "pkg", model: "a" }],
    ["source('s', 't')", { kind: "source", source: "s", table: "t" }],
    ["{{ ref('a') }}", { kind: "ref", model: "a" }],
    ["a", undefined],
  ])("%s", (text, expected) => expect(parseRelationTarget(text)).toEqual(expected));
});
