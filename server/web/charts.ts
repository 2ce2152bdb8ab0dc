// Charts as SVG strings drawn on the server: no chart library, no script, nothing fetched. Colours
// come from CSS classes in app.css (the CSP forbids style attributes), so a chart follows the theme.
// Every chart carries a <title> and an aria-label, and the page shows the same numbers as a table.

export interface ChartItem {
  label: string;
  value: number;
  /** CSS class of the bar (e.g. grade-verified_equal). */
  cls?: string;
}

export function escapeXml(s: unknown): string {
  return String(s ?? "").replace(/[&<>"']/g, (ch) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[ch]!);
}

function truncate(s: string, n: number): string {
  return s.length > n ? `${s.slice(0, n - 1)}…` : s;
}

/** Horizontal bars, one per item, value at the end of each bar. */
export function barChart(title: string, items: ChartItem[], opts: { width?: number; labelWidth?: number } = {}): string {
  const width = opts.width ?? 520;
  const labelWidth = opts.labelWidth ?? 150;
  const rowH = 26;
  const barH = 16;
  const valueW = 56;
  const height = Math.max(1, items.length) * rowH + 8;
  const max = Math.max(1, ...items.map((i) => i.value));
  const span = width - labelWidth - valueW;
  const summary = items.map((i) => `${i.label}: ${i.value}`).join(", ");
  const rows = items
    .map((item, idx) => {
      const y = 4 + idx * rowH;
      const w = item.value > 0 ? Math.max(2, Math.round((item.value / max) * span)) : 0;
      return (
        `<g class="chart-row">` +
        `<text class="chart-label" x="${labelWidth - 8}" y="${y + barH - 3}" text-anchor="end">${escapeXml(truncate(item.label, 22))}</text>` +
        `<rect class="chart-bar ${escapeXml(item.cls ?? "")}" x="${labelWidth}" y="${y}" width="${w}" height="${barH}" rx="2"></rect>` +
        `<text class="chart-value" x="${labelWidth + w + 6}" y="${y + barH - 3}">${item.value}</text>` +
        `</g>`
      );
    })
    .join("");
  const empty = items.length === 0 ? `<text class="chart-label" x="8" y="20">No data yet</text>` : "";
  return (
    `<svg class="chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-label="${escapeXml(`${title}: ${summary}`)}">` +
    `<title>${escapeXml(title)}</title>${rows}${empty}</svg>`
  );
}

/** One horizontal bar split into segments (shares of a whole), with a legend underneath. */
export function stackedBar(title: string, items: ChartItem[], opts: { width?: number } = {}): string {
  const width = opts.width ?? 520;
  const barH = 22;
  const total = items.reduce((s, i) => s + i.value, 0);
  let x = 0;
  const segs = items
    .filter((i) => i.value > 0)
    .map((i) => {
      const w = total ? (i.value / total) * width : 0;
      const seg = `<rect class="chart-bar ${escapeXml(i.cls ?? "")}" x="${x.toFixed(1)}" y="0" width="${w.toFixed(1)}" height="${barH}"><title>${escapeXml(`${i.label}: ${i.value}`)}</title></rect>`;
      x += w;
      return seg;
    })
    .join("");
  // Legend: swatch + label + count, wrapped in rows of up to three.
  const perRow = 3;
  const colW = width / perRow;
  const legend = items
    .map((i, idx) => {
      const lx = (idx % perRow) * colW;
      const ly = barH + 12 + Math.floor(idx / perRow) * 20;
      const pct = total ? Math.round((i.value / total) * 100) : 0;
      return (
        `<rect class="chart-bar ${escapeXml(i.cls ?? "")}" x="${lx.toFixed(1)}" y="${ly}" width="12" height="12" rx="2"></rect>` +
        `<text class="chart-label" x="${(lx + 18).toFixed(1)}" y="${ly + 11}">${escapeXml(truncate(i.label, 18))} ${i.value} (${pct}%)</text>`
      );
    })
    .join("");
  const height = barH + 16 + Math.ceil(Math.max(1, items.length) / perRow) * 20;
  const background = `<rect class="chart-track" x="0" y="0" width="${width}" height="${barH}"></rect>`;
  const summary = items.map((i) => `${i.label}: ${i.value}`).join(", ");
  return (
    `<svg class="chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-label="${escapeXml(`${title}: ${summary}`)}">` +
    `<title>${escapeXml(title)}</title>${background}${segs}${legend}</svg>`
  );
}

/** Small inline bar of a 0..1 share, for tables (e.g. progress). */
export function meter(share: number, label: string, width = 120): string {
  const s = Math.min(1, Math.max(0, Number.isFinite(share) ? share : 0));
  return (
    `<svg class="meter" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} 8" width="${width}" height="8" role="img" aria-label="${escapeXml(label)}">` +
    `<rect class="chart-track" x="0" y="0" width="${width}" height="8" rx="4"></rect>` +
    `<rect class="meter-fill" x="0" y="0" width="${(s * width).toFixed(1)}" height="8" rx="4"></rect></svg>`
  );
}
