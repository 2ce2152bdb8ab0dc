import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { PROMPT_RULES } from "./index.ts";

// Every rule id a detector can return is documented in docs/guardian-rules.md.
describe("docs/guardian-rules.md", () => {
  const doc = readFileSync(join(import.meta.dirname, "../../../docs/guardian-rules.md"), "utf8");
  const idsIn = (file: string, prefix: string) =>
    [...readFileSync(join(import.meta.dirname, file), "utf8").matchAll(new RegExp(`"(${prefix}\\.[a-z_.]+)"`, "g"))].map((m) => m[1]!);

  it("documents every rule id", () => {
    const ids = new Set([...PROMPT_RULES.map((r) => r.id), ...idsIn("prompt.ts", "pi"), ...idsIn("sqli.ts", "sqli"), ...idsIn("xss.ts", "xss")]);
    expect(ids.size).toBeGreaterThan(100);
    const missing = [...ids].filter((id) => !doc.includes(id));
    expect(missing).toEqual([]);
  });

  it("has at least 25 prompt-injection families", () => {
    expect(new Set(PROMPT_RULES.map((r) => r.family)).size).toBeGreaterThanOrEqual(25);
  });
});
