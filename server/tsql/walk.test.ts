import { describe, expect, it } from "vitest";
import type { Node } from "./ast.ts";
import { dmlTarget, formatObjectName, objectNameKey, parseScript, references, sourceText, walk } from "./index.ts";

const sql = `CREATE PROCEDURE dbo.Load @d date AS
BEGIN
  -- refresh the summary
  MERGE sales.Summary AS t
  USING (SELECT c.Id, SUM(o.Total) AS Total FROM sales.Customers c JOIN [Other].dbo.Orders o ON o.CustomerId = c.Id GROUP BY c.Id) AS s
  ON t.Id = s.Id
  WHEN MATCHED THEN UPDATE SET t.Total = s.Total;
  INSERT INTO audit.Log (At, Seq) VALUES (SYSDATETIME(), NEXT VALUE FOR audit.LogSeq);
  EXEC srv.db.dbo.Notify @d;
  SELECT dbo.Fmt(x) INTO #tmp FROM dbo.Tvf(@d) AS f;
  DECLARE @p dbo.Phone;
END`;

describe("walk and references", () => {
  const r = parseScript(sql, { file: "w.sql" });
  const batch = r.batches[0]!;
  const proc = batch.statements[0]!;

  it("visits every node, parents first", () => {
    const kinds: string[] = [];
    walk(proc, (n: Node) => {
      kinds.push(n.kind);
    });
    expect(kinds[0]).toBe("CreateProcedure");
    expect(kinds).toEqual(expect.arrayContaining(["Merge", "MergeWhen", "DerivedTable", "Join", "Insert", "NextValueFor", "Exec", "Select", "Declare"]));
  });

  it("returning false skips children", () => {
    const kinds: string[] = [];
    walk(proc, (n) => {
      kinds.push(n.kind);
      return n.kind !== "Block";
    });
    expect(kinds).toContain("Block");
    expect(kinds).toContain("Parameter");
    expect(kinds).not.toContain("Merge");
    expect(kinds).not.toContain("Insert");
  });

  it("collects object references with their qualification", () => {
    const refs = references(proc).map((x) => `${x.role}:${formatObjectName(x.name)}`);
    expect(refs).toEqual(expect.arrayContaining([
      "table:[sales].[Summary]",
      "table:[sales].[Customers]",
      "table:[Other].[dbo].[Orders]",
      "table:[audit].[Log]",
      "sequence:[audit].[LogSeq]",
      "procedure:[srv].[db].[dbo].[Notify]",
      "function:[dbo].[Fmt]",
      "function:[dbo].[Tvf]",
      "select-into:[#tmp]",
      "type:[dbo].[Phone]",
    ]));
    expect(refs.filter((x) => x.includes("SYSDATETIME") || x.includes("SUM"))).toEqual([]);
    const builtins = references(parseScript("SELECT * FROM OPENJSON(@j) CROSS APPLY STRING_SPLIT(@s, ',') JOIN dbo.t ON 1 = 1", { file: "b.sql" }).batches[0]!.statements);
    expect(builtins.map((x) => `${x.role}:${formatObjectName(x.name)}`)).toEqual(["table:[dbo].[t]"]);
  });

  it.each([
    ["UPDATE x SET a = 1 FROM dbo.T AS x JOIN u ON u.id = x.id", "[dbo].[T]"],
    ["UPDATE dbo.T SET a = 1", "[dbo].[T]"],
    ["DELETE o FROM u JOIN sales.Orders o ON o.id = u.id", "[sales].[Orders]"],
    ["DELETE FROM t WHERE 1 = 0", "[t]"],
    ["UPDATE v SET a = 1 FROM @tv v", "@tv"],
    ["MERGE dbo.T AS t USING s ON 1 = 1 WHEN MATCHED THEN DELETE;", "[dbo].[T]"],
    ["INSERT INTO @t VALUES (1)", "@t"],
  ])("dmlTarget(%s) is %s", (sql, want) => {
    const st = parseScript(sql, { file: "d.sql" }).batches[0]!.statements[0]!;
    if (st.kind !== "Update" && st.kind !== "Delete" && st.kind !== "Merge" && st.kind !== "Insert") throw new Error(st.kind);
    const t = dmlTarget(st)!;
    expect(t.kind === "Variable" ? t.name : formatObjectName(t)).toBe(want);
  });

  it("gives back the original text of any node", () => {
    const merges: string[] = [];
    walk(proc, (n) => {
      if (n.kind === "Merge") merges.push(sourceText(batch, n));
    });
    expect(merges[0]).toMatch(/^MERGE sales\.Summary AS t[\s\S]*UPDATE SET t\.Total = s\.Total$/);
  });

  it("keys names case-insensitively with a default schema", () => {
    const refs = references(proc);
    expect(objectNameKey(refs[0]!.name)).toBe("sales.summary");
    const orders = refs.find((x) => x.name.name.value === "Orders")!;
    expect(objectNameKey(orders.name)).toBe("other.dbo.orders");
  });

  it("statement comments are visible on the node", () => {
    let merge: Node | undefined;
    walk(proc, (n) => {
      if (n.kind === "Merge") merge = n;
    });
    expect(merge).toMatchObject({ comments: [{ text: "-- refresh the summary" }] });
  });
});
