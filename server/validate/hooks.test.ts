// on-run-start hooks run one by one: a function Postgres refuses to create fails its own hook
// (VAL1011) and the models that call it, not the whole validation run.
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { convertPaths } from "../translate/project/index.ts";
import type { DbtProject } from "../dbt/project.ts";
import type { Catalog } from "../catalog/model.ts";
import { objectEvidence } from "./project.ts";
import { runValidation } from "./run.ts";
import { openTestConnections, type TestConnections } from "./testing.ts";

const TSQL = `
CREATE TABLE dbo.Num (N int NOT NULL PRIMARY KEY);
GO
CREATE FUNCTION dbo.Twice (@x int) RETURNS int AS BEGIN RETURN @x * 2; END;
GO
CREATE FUNCTION dbo.Thrice (@x int) RETURNS int AS BEGIN RETURN @x * 3; END;
GO
CREATE VIEW dbo.vTwice AS SELECT N, dbo.Twice(N) AS N2 FROM dbo.Num;
GO
CREATE VIEW dbo.vThrice AS SELECT N, dbo.Thrice(N) AS N3 FROM dbo.Num;
GO
CREATE VIEW dbo.vAfterThrice AS SELECT N3 FROM dbo.vThrice;
GO
CREATE VIEW dbo.vPlain AS SELECT N FROM dbo.Num WHERE N > 0;
GO
`;

let dir: string;
let project: DbtProject;
let catalog: Catalog;
let t: TestConnections;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "dm-hooks-"));
  await writeFile(path.join(dir, "db.sql"), TSQL, "utf8");
  const c = await convertPaths([path.join(dir, "db.sql")]);
  project = c.result.project;
  catalog = c.catalog;
  t = await openTestConnections();
}, 60_000);
afterAll(async () => {
  await t?.dispose();
  await rm(dir, { recursive: true, force: true });
});

describe("on-run-start hooks", () => {
  it("the converted project creates each function in its own hook", () => {
    expect(project.onRunStart.filter((h) => /create_.*twice/.test(h))).toHaveLength(1);
    expect(project.onRunStart.filter((h) => /create_.*thrice/.test(h))).toHaveLength(1);
  });

  it("a hook that fails fails only itself and the models using its function; the rest runs", async () => {
    // Thrice's macro now creates a function over a relation that does not exist: Postgres refuses it.
    const macro = project.macros.find((m) => /thrice/.test(m.path))!;
    const name = /macro (create_[a-z0-9_]+)\(\)/.exec(macro.content)![1]!;
    const broken: DbtProject = {
      ...project,
      macros: project.macros.map((m) =>
        m === macro ? { ...m, content: `{% macro ${name}() -%}\nCREATE FUNCTION {{ target.schema }}.broken_fn() RETURNS bigint LANGUAGE sql AS $$ SELECT count(*) FROM no_such_relation_dm $$\n{%- endmacro %}\n` } : m,
      ),
    };
    const r = await runValidation(broken, { connection: t.left, catalog, schemaPrefix: "dm_val_hooks" });
    expect(r.setup.ok).toBe(true);
    expect(r.setup.failedHooks?.map((h) => h.hook)).toEqual([`{{ ${name}() }}`]);
    expect(r.setup.failedHooks![0]!.error).toMatch(/no_such_relation_dm/);
    const d = r.diagnostics.filter((x) => x.code === "VAL1011");
    expect(d).toHaveLength(1);
    expect(d[0]!.file).toBe(`macros/udf/${name}.sql`);
    const status = (m: string) => r.models.find((x) => x.name === m)?.status;
    expect(status("v_twice")).toBe("ran");
    expect(status("v_plain")).toBe("ran");
    expect(status("v_thrice")).toBe("failed");
    expect(status("v_after_thrice")).toBe("skipped");
    const fn = (n: string) => ({ schema: "dbo", name: n, model: `macros/udf/${/thrice/i.test(n) ? name : name.replace("thrice", "twice")}.sql`, status: "converted" });
    expect(objectEvidence(fn("Thrice"), r.models, r.setup.ok, r.setup.failedHooks)).toBe("failed");
    expect(objectEvidence(fn("Twice"), r.models, r.setup.ok, r.setup.failedHooks)).toBe("compiled");
  }, 120_000);
});
