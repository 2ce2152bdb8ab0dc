import { describe, expect, it } from "vitest";
import { buildLineage, DAGRE_BUDGET, layoutLineage, renderLineageSvg } from "./lineage.ts";

const href = (id: string) => `/o/${id}`;

describe("lineage", () => {
  it("reads ref() (one and two arguments) and source() calls; drops refs to models outside the project", () => {
    const g = buildLineage({
      models: [
        { id: "1", modelPath: "models/a.sql", evidenceGrade: "verified_equal" },
        { id: "2", modelPath: "models/marts/b.sql", evidenceGrade: "failed" },
      ],
      files: [
        { path: "models/a.sql", content: "select * from {{ source('dbo', 'orders') }}" },
        { path: "models/marts/b.sql", content: "select * from {{ ref('a') }} join {{ ref('pkg', 'a') }} join {{ ref('missing') }}" },
        { path: "models/stg/c.sql", content: "select 1 from {{- ref(\"b\") }}" },
      ],
      href,
    });
    expect(g.nodes.map((n) => [n.key, n.kind, n.grade, n.href ?? null])).toEqual([
      ["a", "model", "verified_equal", "/o/1"],
      ["b", "model", "failed", "/o/2"],
      ["c", "model", null, null],
      ["source:dbo.orders", "source", null, null],
    ]);
    expect(g.edges).toEqual([
      { from: "source:dbo.orders", to: "a" },
      { from: "a", to: "b" },
      { from: "b", to: "c" },
    ]);
  });

  it("small graphs are laid out by dagre, left to right", () => {
    const g = { nodes: ["s", "a", "b"].map((k) => ({ key: k, label: k, kind: "model" as const, grade: null })), edges: [{ from: "s", to: "a" }, { from: "a", to: "b" }] };
    const l = layoutLineage(g);
    expect(l.engine).toBe("dagre");
    expect(l.boxes.get("s")!.x).toBeLessThan(l.boxes.get("a")!.x);
    expect(l.boxes.get("a")!.x).toBeLessThan(l.boxes.get("b")!.x);
  });

  it("graphs beyond dagre's budget get the layered layout: every node placed, ranks left to right, no overlap in a column", () => {
    // One source feeding a long chain: every edge from the source crosses many ranks.
    const n = 300;
    const nodes = [{ key: "src", label: "dbo.src", kind: "source" as const, grade: null }, ...Array.from({ length: n }, (_, i) => ({ key: `m${i}`, label: `model_${i}`, kind: "model" as const, grade: "ran" }))];
    const edges = [...Array.from({ length: n }, (_, i) => ({ from: "src", to: `m${i}` })), ...Array.from({ length: n - 1 }, (_, i) => ({ from: `m${i}`, to: `m${i + 1}` }))];
    const l = layoutLineage({ nodes, edges });
    expect(nodes.length).toBeLessThan(DAGRE_BUDGET);
    expect(l.engine).toBe("layered");
    expect(l.boxes.size).toBe(n + 1);
    for (let i = 0; i < n - 1; i++) expect(l.boxes.get(`m${i}`)!.x).toBeLessThan(l.boxes.get(`m${i + 1}`)!.x);
    const byColumn = new Map<number, number[]>();
    for (const b of l.boxes.values()) (byColumn.get(b.x) ?? byColumn.set(b.x, []).get(b.x)!).push(b.y);
    for (const ys of byColumn.values()) expect(new Set(ys).size).toBe(ys.length);
    const svg = renderLineageSvg({ nodes, edges });
    expect(svg.match(/<rect /g)).toHaveLength(n + 1);
    expect(svg.match(/class="edge"/g)).toHaveLength(edges.length);
  });

  it("escapes names in the SVG", () => {
    const svg = renderLineageSvg({ nodes: [{ key: "x", label: `a<b>&"c`, kind: "model", grade: null, href: `/o/"1` }], edges: [] });
    expect(svg).toContain("a&lt;b&gt;&amp;&quot;c");
    expect(svg).toContain('href="/o/&quot;1"');
    expect(svg).not.toContain("<b>");
  });
});
