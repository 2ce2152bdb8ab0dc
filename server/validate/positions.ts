// A Postgres error's `position` (1-based character offset in the statement sent) → the line in the
// rendered SQL → the line in the model file the user edits. Jinja keeps most lines where they were
// ({{ ref() }} renders in place), but config blocks, whitespace control and injected ephemeral
// CTEs move them, so the rendered line is matched back to the model file by its text, with each
// `{{ ... }}` in the model standing for anything.

export interface MappedPosition {
  /** 1-based line in the rendered model SQL. */
  renderedLine?: number;
  /** 1-based line in the model file. */
  line?: number;
}

export function errorPosition(e: unknown): number | undefined {
  if (!e || typeof e !== "object" || !("position" in e)) return undefined;
  const n = Number((e as { position: unknown }).position);
  return Number.isFinite(n) && n > 0 ? n : undefined;
}

export function mapErrorToModelLine(e: unknown, prefix: string, rendered: string, modelSource: string): MappedPosition {
  const pos = errorPosition(e);
  if (pos === undefined) return {};
  const offset = pos - 1 - prefix.length;
  if (offset < 0 || offset > rendered.length) return {};
  const renderedLine = rendered.slice(0, offset).split("\n").length;
  const line = modelLineOf(rendered, renderedLine, modelSource);
  return { renderedLine, ...(line ? { line } : {}) };
}

const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** The model-file line that renders to `renderedLine` of `rendered`: the closest line whose text matches. */
export function modelLineOf(rendered: string, renderedLine: number, modelSource: string): number | undefined {
  const target = (rendered.split("\n")[renderedLine - 1] ?? "").trim();
  const lines = modelSource.split("\n");
  if (!target) return lines.length >= renderedLine ? renderedLine : undefined;
  const candidates: number[] = [];
  lines.forEach((l, i) => {
    const t = l.trim();
    if (!t) return;
    if (t === target) {
      candidates.push(i + 1);
      return;
    }
    if (!t.includes("{{")) return;
    const pattern = t
      .split(/\{\{.*?\}\}/)
      .map(esc)
      .join(".*?");
    if (new RegExp(`^${pattern}$`).test(target)) candidates.push(i + 1);
  });
  if (!candidates.length) return lines.length >= renderedLine ? renderedLine : undefined;
  return candidates.reduce((best, c) => (Math.abs(c - renderedLine) < Math.abs(best - renderedLine) ? c : best));
}
