import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["server/**/*.test.ts", "test/**/*.test.ts"],
    // Database-backed suites share one Postgres; files run in parallel but each uses its own schema or database.
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: "forks",
  },
});
