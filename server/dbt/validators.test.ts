// The pre-compiled validators (validators.generated.js) must be what ajv makes of the schema files
// today, and must judge documents exactly as ajv compiling those schemas at run time does.
import { readFileSync } from "node:fs";
import { Ajv, type ValidateFunction } from "ajv";
import addFormatsModule from "ajv-formats";
import { describe, expect, it } from "vitest";
import { DBT_SCHEMA_EXPORTS, GENERATED_PATH, GENERATED_TYPES_PATH, dbtSchemasHash, generateDbtValidators, generatedTypes } from "../../scripts/gen-dbt-validators.ts";
import * as generated from "./validators.generated.js";

const stale = "server/dbt/validators.generated.js is stale relative to server/dbt/schemas: run `npm run gen:validators`";

describe("generated dbt validators", () => {
  it("were generated from the schema files as they are now", () => {
    expect(generated.SCHEMAS_SHA256, stale).toBe(dbtSchemasHash());
  });

  it("are exactly what the generator writes (schemas, generator and ajv version unchanged)", () => {
    expect(readFileSync(GENERATED_PATH, "utf8") === generateDbtValidators(), stale).toBe(true);
    expect(readFileSync(GENERATED_TYPES_PATH, "utf8")).toBe(generatedTypes());
  });
});

// Reference: the schemas compiled at run time, the way validate-yaml.ts did before pre-compiling.
const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ?? addFormatsModule) as (ajv: Ajv) => Ajv;
const runtimeAjv = new Ajv({ strict: false, allErrors: true });
addFormats(runtimeAjv);
runtimeAjv.addFormat("uint64", { type: "number", validate: (n: number) => Number.isInteger(n) && n >= 0 });
const schemaDir = new URL("./schemas/", import.meta.url);
const compiled = (name: keyof typeof DBT_SCHEMA_EXPORTS): ValidateFunction =>
  runtimeAjv.compile(JSON.parse(readFileSync(new URL(DBT_SCHEMA_EXPORTS[name], schemaDir), "utf8")) as object);
const reference = { validateDbtProject: compiled("validateDbtProject"), validateDbtProperties: compiled("validateDbtProperties") };

describe.each<[string, keyof typeof DBT_SCHEMA_EXPORTS, unknown, boolean]>([
  ["minimal project", "validateDbtProject", { name: "shop", version: "1.0.0", "config-version": 2, profile: "shop" }, true],
  ["project without name", "validateDbtProject", { version: "1.0.0" }, false],
  ["project with unknown key and bad model config", "validateDbtProject", { name: "p", bogus: 1, models: { p: { "+materialized": 3 } } }, false],
  ["int32 format out of range", "validateDbtProject", { name: "p", "config-version": 2 ** 40 }, false],
  ["model with current-style data tests", "validateDbtProperties", {
    version: 2,
    models: [{ name: "m", columns: [{ name: "id", data_tests: ["unique", "not_null", { relationships: { arguments: { to: "ref('x')", field: "id" } } }] }] }],
  }, true],
  ["pre-1.10 relationships test", "validateDbtProperties", {
    version: 2,
    models: [{ name: "m", columns: [{ name: "id", data_tests: [{ relationships: { to: "ref('x')", field: "id" } }] }] }],
  }, false],
  ["pre-1.10 accepted_values test", "validateDbtProperties", {
    version: 2,
    models: [{ name: "m", columns: [{ name: "s", data_tests: [{ accepted_values: { values: ["a", "b"] } }] }] }],
  }, false],
  ["source with bad freshness and unknown key", "validateDbtProperties", {
    version: 2,
    sources: [{ name: "s", tables: [{ name: "t", freshness: { warn_after: { count: -1, period: "fortnight" } }, oops: true }] }],
  }, false],
])("%s", (_label, name, doc, valid) => {
  it("gets the same verdict and errors as run-time compilation", () => {
    const pre = generated[name];
    const ref = reference[name];
    expect(pre(doc)).toBe(valid);
    expect(ref(doc)).toBe(valid);
    expect(pre.errors ?? null).toEqual(ref.errors ?? null);
  });
});
