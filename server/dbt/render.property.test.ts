// Property: whatever text a SQL Server catalog holds (descriptions, identifiers, CHECK values),
// the rendered project validates against dbt's schemas and reads back to the same values.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { DbtProjectInput } from "./project.ts";
import { escapeJinjaText, renderDbtProject } from "./render.ts";
import { renderModelSql } from "./jinja.ts";
import { parseMapping, renderMappingYaml, type Mapping } from "./mapping.ts";
import { parseDbtYaml } from "./validate-yaml.ts";
import { validateRenderedProject } from "./writer.ts";

const awkward = fc.constantFrom(
  "a", "Z", "{% endraw %}", "{%- endraw -%}", "{% raw %}", "0", "9", " ", "  ", ":", ": ", "#", " #", "-", "- ", "'", '"', "\\", "\n", "\t", "{", "}", "{{", "}}", "{%", "%}", "{#", "[", "]",
  ",", "&", "*", "!", "|", ">", "?", "@", "`", "%", "é", "ß", "日本", "😀", "yes", "no", "on", "off", "null", "~", "true", "010", "1:20", "0x1F", "2020-01-01", ".5", "endraw", "\u0085", "\u2028", "\u0007", "\u00a0", "\ufeff",
);
const text = fc.array(awkward, { minLength: 0, maxLength: 12 }).map((parts) => parts.join(""));
const nonEmpty = fc.array(awkward, { minLength: 1, maxLength: 8 }).map((parts) => parts.join(""));
const dbtName = fc.stringMatching(/^[a-z_][a-z0-9_]{0,20}$/);

// dbt renders a YAML string only when it contains a Jinja opener (get_rendered's fast path).
const asDbtSees = (text: string) => {
  if (!/\{[{%#]/.test(text)) return text;
  const r = renderModelSql(text + "\n", { resolveRef: () => undefined, resolveSource: () => undefined, target: { name: "dev", schema: "s", type: "postgres" } });
  expect(r.diagnostics).toEqual([]);
  return r.sql;
};

describe("rendering never produces YAML that dbt would reject or misread", () => {
  it("keeps whitespace-only lines (a block scalar would lose their spaces)", () => {
    const files = renderDbtProject({ name: "p", profile: "p", sources: [{ name: "src", schema: "  \n", description: "a\n  \nb", tables: [{ name: "t" }] }] });
    const src = parseDbtYaml(files.get("models/staging/src/_src__sources.yml")!) as any;
    expect(src.sources[0].schema).toBe("  \n");
    expect(src.sources[0].description).toBe("a\n  \nb");
  });
  it("for arbitrary descriptions, identifiers and accepted values", () => {
    fc.assert(
      fc.property(text, nonEmpty, nonEmpty, fc.array(nonEmpty, { minLength: 1, maxLength: 4 }), text, dbtName, (description, identifier, columnName, values, varValue, varName) => {
        const project: DbtProjectInput = {
          name: "p",
          profile: "p",
          vars: { [varName]: varValue },
          sources: [
            {
              name: "src",
              schema: identifier,
              description,
              tables: [
                {
                  name: "t",
                  identifier,
                  description,
                  columns: [{ name: columnName, quote: true, description, data_tests: [{ test: "accepted_values", values }] }],
                },
              ],
            },
          ],
          models: [{ name: "m", path: "models/staging/src/m.sql", sql: "select 1", description, columns: [{ name: "c", description }] }],
        };
        const files = renderDbtProject(project);
        expect(validateRenderedProject(files)).toEqual([]);
        const src = parseDbtYaml(files.get("models/staging/src/_src__sources.yml")!) as any;
        const table = src.sources[0].tables[0];
        // dbt renders these values as Jinja: what it sees must be the original text
        expect(asDbtSees(src.sources[0].schema)).toBe(identifier);
        expect(asDbtSees(table.identifier)).toBe(identifier);
        expect(asDbtSees(table.columns[0].name)).toBe(columnName);
        expect(table.columns[0].data_tests[0].accepted_values.arguments.values.map(asDbtSees)).toEqual(values);
        const projectYml = parseDbtYaml(files.get("dbt_project.yml")!) as any;
        expect(projectYml.vars[varName]).toBe(varValue);
        if (description && !/\{[{%#]|[}%#]\}/.test(description)) expect(table.description).toBe(description);
        if (/\{[{%#]/.test(description)) expect(table.description.startsWith("{% raw %}")).toBe(true);
      }),
      { numRuns: 150 },
    );
  });
});

describe("escapeJinjaText", () => {
  it("renders back to the original text through dbt's Jinja", () => {
    fc.assert(
      fc.property(text, (t) => {
        const r = renderModelSql(escapeJinjaText(t) + "\n", {
          resolveRef: () => undefined,
          resolveSource: () => undefined,
          target: { name: "dev", schema: "s", type: "postgres" },
        });
        expect(r.diagnostics).toEqual([]);
        expect(r.sql).toBe(t);
      }),
      { numRuns: 300 },
    );
  });
});

describe("the mapping file", () => {
  it("reads back exactly, whatever the names", () => {
    const name = fc.oneof(nonEmpty, fc.constantFrom("Order Details", "Yes", "NO", "1.5", "x: y", "a, b", "[x]", "{x}", "#x", "- x", "x ", " x", "~", "null", ".inf", "<<", "é", "a/b.c"));
    const entry = fc.record({
      object: fc.record({ schema: name, name, kind: fc.constantFrom("table", "view") }, { requiredKeys: ["schema", "name", "kind"] }),
      resource: fc.record({ type: fc.constantFrom("source" as const, "model" as const), name, path: name }),
      columns: fc.array(fc.record({ source: name, target: name }), { maxLength: 3 }),
    });
    fc.assert(
      fc.property(fc.array(entry, { maxLength: 4 }), name, (objects, project) => {
        const mapping: Mapping = { version: 1, project, target: "postgres", objects };
        expect(parseMapping(renderMappingYaml(mapping))).toEqual(mapping);
      }),
      { numRuns: 300 },
    );
  });
});
