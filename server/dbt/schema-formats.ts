// The string/number formats the dbt fusion schemas are validated with: ajv-formats' full set plus
// `uint64`, which the schemas (generated from Rust types) use and ajv-formats lacks. One object
// serves both the validator generator (scripts/gen-dbt-validators.ts registers each entry with ajv)
// and the generated validators (which call these same definitions at run time).
import { fullFormats } from "ajv-formats/dist/formats.js";

export const dbtSchemaFormats = {
  ...fullFormats,
  uint64: { type: "number", validate: (n: number) => Number.isInteger(n) && n >= 0 },
} as const;
