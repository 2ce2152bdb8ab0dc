// The dbt DAG of a migration drawn as SVG on the server: nodes are the project's models (coloured
// by evidence grade, linked to their object page) and the sources they read; edges come from the
// ref()/source() calls in the model files. Layout by dagre (left to right). The layout of a large
// project costs far more than rendering a page, so it is cached per migration and project state.
import { Graph, layout } from "@dagrejs/dagre";
import { escapeXml } from "./charts.ts";

export interface LineageModel {
  /** Object id, for the link. */
  id: string;
  modelPath: string;
  evidenceGrade: string | null;
  label?: string;
}

export interface LineageInput {
  models: LineageModel[];
  /** models/**.sql files of the project: path → content. */
  files: Array<{ path: string; content: string }>;
  href: (modelId: string) => string;
}

export interface LineageGraph {
  nodes: Array<{ key: string; label: string; kind: "model" | "source"; grade: string | null; href?: string }>;
  edges: Array<{ from: string; to: string }>;
}

const REF = /\{\{-?\s*ref\(\s*((?:['"][^'"]+['"]\s*,?\s*){1,2})/g;
const SOURCE = /\{\{-?\s*source\(\s*['"]([^'"]+)['"]\s*,\s*['"]([^'"]+)['"]\s*\)/g;

export function modelNameOf(path: string): string {
  const base = path.split("/").pop() ?? path;
  return base.replace(/\.sql$/i, "");
}

/** Nodes and edges from the project files; refs to models not in the project are dropped. */
export function buildLineage(input: LineageInput): LineageGraph {
  const byName = new Map<string, LineageModel>();
  for (const m of input.models) byName.set(modelNameOf(m.modelPath), m);
  const nodes = new Map<string, LineageGraph["nodes"][number]>();
  const edges = new Set<string>();
  const fileModels = input.files.filter((f) => /^models\/.*\.sql$/i.test(f.path));
  // Models that exist as files but have no object row (e.g. staging models) still appear, uncoloured.
  for (const f of fileModels) {
    const name = modelNameOf(f.path);
    const m = byName.get(name);
    nodes.set(name, { key: name, label: name, kind: "model", grade: m?.evidenceGrade ?? null, ...(m ? { href: input.href(m.id) } : {}) });
  }
  for (const m of input.models) {
    const name = modelNameOf(m.modelPath);
    if (!nodes.has(name)) nodes.set(name, { key: name, label: name, kind: "model", grade: m.evidenceGrade, href: input.href(m.id) });
  }
  for (const f of fileModels) {
    const to = modelNameOf(f.path);
    for (const match of f.content.matchAll(REF)) {
      const args = [...match[1]!.matchAll(/['"]([^'"]+)['"]/g)].map((a) => a[1]!);
      const from = args[args.length - 1]!;
      if (nodes.has(from) && from !== to) edges.add(`${from}\u0000${to}`);
    }
    for (const match of f.content.matchAll(SOURCE)) {
      const key = `source:${match[1]}.${match[2]}`;
      if (!nodes.has(key)) nodes.set(key, { key, label: `${match[1]}.${match[2]}`, kind: "source", grade: null });
      edges.add(`${key}\u0000${to}`);
    }
  }
  return {
    nodes: [...nodes.values()],
    edges: [...edges].map((e) => {
      const [from, to] = e.split("\u0000");
      return { from: from!, to: to! };
    }),
  };
}

const CHAR_W = 7;
const NODE_H = 28;
const NODE_SEP = 10;
const RANK_SEP = 70;
const MARGIN = 12;
/** Above this many nodes plus long-edge dummies dagre takes seconds (it splits every long edge into
 * one dummy node per rank it crosses); such graphs get the linear layered layout below instead. */
export const DAGRE_BUDGET = 400;

interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}
interface Layout {
  width: number;
  height: number;
  boxes: Map<string, Box>;
  /** SVG path data per edge, in graph.edges order. */
  paths: string[];
}

const nodeWidth = (label: string) => Math.min(260, label.length * CHAR_W + 24);

/** Longest-path ranks (sources 0); nodes on a cycle (not a dbt DAG, but never loop) keep rank 0. */
function ranks(graph: LineageGraph): Map<string, number> {
  const indeg = new Map(graph.nodes.map((n) => [n.key, 0]));
  const out = new Map<string, string[]>();
  for (const e of graph.edges) {
    indeg.set(e.to, (indeg.get(e.to) ?? 0) + 1);
    (out.get(e.from) ?? out.set(e.from, []).get(e.from)!).push(e.to);
  }
  const rank = new Map(graph.nodes.map((n) => [n.key, 0]));
  const queue = graph.nodes.filter((n) => indeg.get(n.key) === 0).map((n) => n.key);
  for (let i = 0; i < queue.length; i++) {
    const k = queue[i]!;
    for (const to of out.get(k) ?? []) {
      rank.set(to, Math.max(rank.get(to)!, rank.get(k)! + 1));
      indeg.set(to, indeg.get(to)! - 1);
      if (indeg.get(to) === 0) queue.push(to);
    }
  }
  return rank;
}

function dagreLayout(graph: LineageGraph): Layout {
  const g = new Graph({ multigraph: false });
  g.setGraph({ rankdir: "LR", nodesep: NODE_SEP, ranksep: RANK_SEP, marginx: MARGIN, marginy: MARGIN });
  g.setDefaultEdgeLabel(() => ({}));
  for (const n of graph.nodes) g.setNode(n.key, { width: nodeWidth(n.label), height: NODE_H });
  for (const e of graph.edges) g.setEdge(e.from, e.to);
  layout(g);
  const info = g.graph();
  const boxes = new Map<string, Box>();
  for (const n of graph.nodes) {
    const b = g.node(n.key);
    boxes.set(n.key, { x: b.x, y: b.y, width: b.width, height: b.height });
  }
  const paths = graph.edges.map((e) => {
    const pts = g.edge(e.from, e.to)?.points ?? [];
    return pts.map((p: { x: number; y: number }, i: number) => `${i ? "L" : "M"}${p.x.toFixed(1)},${p.y.toFixed(1)}`).join(" ");
  });
  return { width: Math.ceil(info.width ?? 100), height: Math.ceil(info.height ?? 100), boxes, paths };
}

/** Layered left-to-right layout in linear time: columns by rank, rows ordered by the mean row of their inputs. */
function layeredLayout(graph: LineageGraph, rank: Map<string, number>): Layout {
  const columns: string[][] = [];
  for (const n of graph.nodes) (columns[rank.get(n.key)!] ??= []).push(n.key);
  const label = new Map(graph.nodes.map((n) => [n.key, n.label]));
  const preds = new Map<string, string[]>();
  for (const e of graph.edges) (preds.get(e.to) ?? preds.set(e.to, []).get(e.to)!).push(e.from);
  const row = new Map<string, number>();
  columns.forEach((col, r) => {
    if (r === 0) col.sort((a, b) => (label.get(a)! < label.get(b)! ? -1 : 1));
    else {
      const bary = (k: string) => {
        const ps = (preds.get(k) ?? []).map((p) => row.get(p)).filter((x): x is number => x !== undefined);
        return ps.length ? ps.reduce((a, b) => a + b, 0) / ps.length : Number.MAX_SAFE_INTEGER;
      };
      const keyed = col.map((k) => [k, bary(k)] as const).sort((a, b) => a[1] - b[1] || (label.get(a[0])! < label.get(b[0])! ? -1 : 1));
      col.splice(0, col.length, ...keyed.map(([k]) => k));
    }
    col.forEach((k, i) => row.set(k, i));
  });
  const boxes = new Map<string, Box>();
  let x = MARGIN;
  let height = 0;
  for (const col of columns) {
    if (!col) continue;
    const w = Math.max(...col.map((k) => nodeWidth(label.get(k)!)));
    col.forEach((k, i) => {
      const width = nodeWidth(label.get(k)!);
      boxes.set(k, { x: x + w / 2, y: MARGIN + i * (NODE_H + NODE_SEP) + NODE_H / 2, width, height: NODE_H });
    });
    height = Math.max(height, MARGIN * 2 + col.length * (NODE_H + NODE_SEP));
    x += w + RANK_SEP;
  }
  const paths = graph.edges.map((e) => {
    const a = boxes.get(e.from)!;
    const b = boxes.get(e.to)!;
    const x1 = a.x + a.width / 2;
    const x2 = b.x - b.width / 2;
    const mid = (x2 - x1) / 2;
    return `M${x1.toFixed(1)},${a.y.toFixed(1)} C${(x1 + mid).toFixed(1)},${a.y.toFixed(1)} ${(x2 - mid).toFixed(1)},${b.y.toFixed(1)} ${x2.toFixed(1)},${b.y.toFixed(1)}`;
  });
  return { width: Math.ceil(x - RANK_SEP + MARGIN), height: Math.ceil(height), boxes, paths };
}

/** dagre when the graph is small enough to lay out quickly, the linear layered layout otherwise. */
export function layoutLineage(graph: LineageGraph): Layout & { engine: "dagre" | "layered" } {
  const rank = ranks(graph);
  const dummies = graph.edges.reduce((n, e) => n + Math.max(0, rank.get(e.to)! - rank.get(e.from)! - 1), 0);
  if (graph.nodes.length + dummies <= DAGRE_BUDGET) return { ...dagreLayout(graph), engine: "dagre" };
  return { ...layeredLayout(graph, rank), engine: "layered" };
}

/** Lays the graph out and draws it. */
export function renderLineageSvg(graph: LineageGraph): string {
  if (!graph.nodes.length) return "";
  const { width, height, boxes, paths } = layoutLineage(graph);
  const edges = paths.map((d) => (d ? `<path class="edge" d="${d}" marker-end="url(#arrow)"></path>` : "")).join("");
  const nodes = graph.nodes
    .map((n) => {
      const box = boxes.get(n.key)!;
      const x = box.x - box.width / 2;
      const y = box.y - box.height / 2;
      const maxChars = Math.floor((box.width - 16) / CHAR_W);
      const text = n.label.length > maxChars ? `${n.label.slice(0, maxChars - 1)}…` : n.label;
      const cls = n.kind === "source" ? "node node-source" : `node grade-${n.grade ?? "none"}`;
      const title = n.kind === "source" ? `source ${n.label}` : `${n.label}: ${n.grade ? n.grade.replace(/_/g, " ") : "not graded"}`;
      const shape =
        `<g class="${cls}"><title>${escapeXml(title)}</title>` +
        `<rect x="${x.toFixed(1)}" y="${y.toFixed(1)}" width="${box.width.toFixed(1)}" height="${box.height}" rx="${n.kind === "source" ? 14 : 4}"></rect>` +
        `<text x="${box.x.toFixed(1)}" y="${(box.y + 4).toFixed(1)}" text-anchor="middle">${escapeXml(text)}</text></g>`;
      return n.href ? `<a href="${escapeXml(n.href)}" aria-label="${escapeXml(title)}">${shape}</a>` : shape;
    })
    .join("");
  return (
    `<svg class="lineage" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-label="dbt lineage: ${graph.nodes.length} nodes, ${graph.edges.length} edges">` +
    `<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path class="arrow" d="M0,0 L10,5 L0,10 z"></path></marker></defs>` +
    `<g class="edges">${edges}</g><g class="nodes">${nodes}</g></svg>`
  );
}

// key → svg; small, bounded: the last few migrations looked at.
const cache = new Map<string, string>();
const CACHE_MAX = 16;

/** renderLineageSvg, memoised under `key` (which must change when the project changes). */
export async function cachedLineage(key: string, build: () => Promise<LineageGraph>): Promise<string> {
  const hit = cache.get(key);
  if (hit !== undefined) {
    cache.delete(key);
    cache.set(key, hit);
    return hit;
  }
  const svg = renderLineageSvg(await build());
  cache.set(key, svg);
  while (cache.size > CACHE_MAX) cache.delete(cache.keys().next().value!);
  return svg;
}
