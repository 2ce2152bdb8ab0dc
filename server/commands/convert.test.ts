// The convert command: arguments, refusals before any work, exit codes, what it prints and writes.
import { mkdtemp, readFile, rm, writeFile, mkdir } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { Report } from "../dbt/report.ts";
import { convert, parseConvertArgs } from "./convert.ts";

const SAMPLE = path.join(import.meta.dirname, "../../examples/sample-db");
let tmp: string;

beforeAll(async () => {
  tmp = await mkdtemp(path.join(tmpdir(), "dm-convert-cli-"));
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

async function runCli(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = "";
  let err = "";
  const o = vi.spyOn(process.stdout, "write").mockImplementation((s: string | Uint8Array) => ((out += String(s)), true));
  const e = vi.spyOn(process.stderr, "write").mockImplementation((s: string | Uint8Array) => ((err += String(s)), true));
  try {
    return { code: await convert.run(args), out, err };
  } finally {
    o.mockRestore();
    e.mockRestore();
  }
}

describe("parseConvertArgs", () => {
  it.each([
    [["a.sql", "--out", "o"], { paths: ["a.sql"], out: "o", target: "postgres", force: false }],
    [["a.sql", "b", "--out=o", "--target", "sqlserver", "--force"], { paths: ["a.sql", "b"], out: "o", target: "sqlserver", force: true }],
    [["a.sql", "--out", "o", "--var", "DB=Shop", "--var=X=1=2"], { vars: { DB: "Shop", X: "1=2" } }],
    [["a.sql", "--out", "o", "--validate", "--database-url", "postgres://h/db"], { validate: true, databaseUrl: "postgres://h/db" }],
  ])("%j", (args, expected) => {
    expect(parseConvertArgs(args)).toMatchObject(expected);
  });
  it.each([
    [["--out", "o"], "give at least one path to convert"],
    [["a.sql"], "--out <dir> is required"],
    [["a.sql", "--out"], "--out expects a value"],
    [["a.sql", "--out", "o", "--target", "oracle"], "--target must be postgres or sqlserver, got 'oracle'"],
    [["a.sql", "--out", "o", "--var", "novalue"], "--var expects name=value, got 'novalue'"],
    [["a.sql", "--out", "o", "--name", "1bad"], expect.stringContaining("--name must be a dbt project name")],
    [["a.sql", "--out", "o", "--frobnicate"], "unknown option '--frobnicate'"],
    [["a.sql", "--out", "o", "--database-url", "postgres://h/db"], "--database-url goes with --validate"],
    [["a.sql", "--out", "o", "--validate", "--target", "sqlserver"], "--validate runs the project on Postgres; it needs --target postgres"],
  ])("%j → %s", (args, message) => {
    expect(parseConvertArgs(args)).toEqual(message);
  });
});

describe("datamigrate convert", () => {
  it("--validate grades every object in report.json and prints the grade counts", async () => {
    const out = path.join(tmp, "shop-validated");
    const r = await runCli([SAMPLE, "--out", out, "--validate", ...(process.env.TEST_DATABASE_URL ? ["--database-url", process.env.TEST_DATABASE_URL] : [])]);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/evidence: verified_equal \d+, tests_passed \d+, ran \d+, compiled \d+, failed \d+/);
    const report = JSON.parse(await readFile(path.join(out, "report.json"), "utf8")) as { objects: { kind: string; status: string; evidence?: string }[] };
    expect(report.objects.length).toBe(12);
    for (const o of report.objects) expect(o.evidence, `${o.kind} ${o.status}`).toMatch(/^(verified_equal|tests_passed|ran|compiled|failed)$/);
    // Every converted table and view model ran on Postgres; only what convert could not turn into a model fails.
    for (const o of report.objects.filter((x) => x.status === "converted" && (x.kind === "table" || x.kind === "view"))) {
      expect(["tests_passed", "ran"]).toContain(o.evidence);
    }
    expect(report.objects.filter((o) => o.evidence === "failed").every((o) => o.status !== "converted")).toBe(true);
  }, 120_000);

  it("writes the project and report.json/html/csv and prints the summary", async () => {
    const out = path.join(tmp, "shop");
    const r = await runCli([SAMPLE, "--out", out, "--name", "shop"]);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/objects\s+12/);
    expect(r.out).toMatch(/unsupported\s+2/);
    expect(r.out).toMatch(/conversion rate\s+91\.7%/);
    expect(r.out).toContain("CNV3015 ×1");
    const report = Report.parse(JSON.parse(await readFile(path.join(out, "report.json"), "utf8")));
    expect(report.summary).toMatchObject({ objects: 12, unsupported: 2, conversionRate: 0.9167 });
    expect(report.objects.find((o) => o.name === "vOrderTiming")).toMatchObject({ status: "converted", model: "models/marts/sales/v_order_timing.sql" });
    expect(await readFile(path.join(out, "dbt_project.yml"), "utf8")).toContain("name: shop");
    expect(await readFile(path.join(out, "report.html"), "utf8")).toContain("usp_ShipOrder");
    expect((await readFile(path.join(out, "report.csv"), "utf8")).split("\n")[0]).toContain("code");
  }, 60_000);

  it("refuses a non-empty output directory without --force, before reading anything", async () => {
    const out = path.join(tmp, "busy");
    await mkdir(out, { recursive: true });
    await writeFile(path.join(out, "keep.txt"), "mine");
    const r = await runCli([SAMPLE, "--out", out]);
    expect(r.code).toBe(1);
    expect(r.err).toContain("is not empty");
    expect(await readFile(path.join(out, "keep.txt"), "utf8")).toBe("mine");
    const forced = await runCli([SAMPLE, "--out", out, "--force", "--json"]);
    expect(forced.code).toBe(0);
    expect(JSON.parse(forced.out).summary.objects).toBe(12);
  }, 60_000);

  it.each([
    ["an output path under a file", () => ["--out", path.join(tmp, "file.txt", "x")], "is not a directory"],
    ["nothing readable", () => ["--out", path.join(tmp, "nothing")], "nothing readable"],
  ])("exits 1 on %s", async (_what, extra, message) => {
    await writeFile(path.join(tmp, "file.txt"), "x");
    const paths = message === "nothing readable" ? [path.join(tmp, "missing.sql")] : [SAMPLE];
    const r = await runCli([...paths, ...extra()]);
    expect(r.code).toBe(1);
    expect(r.err).toContain(message);
  });

  it("exits 2 on bad arguments", async () => {
    const r = await runCli([SAMPLE]);
    expect(r.code).toBe(2);
    expect(r.err).toContain("--out <dir> is required");
  });
});
