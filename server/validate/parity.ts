// Parity: are two relations (on any two connections) the same data? Row counts, per-column
// profiles, and then the rows themselves, keyed on the primary or unique key, after normalising
// what legitimately differs between SQL Server and Postgres (decimal scale, datetime precision,
// trailing spaces, case under a case-insensitive collation).
//
// Large relations are compared as data-diff does: each side checksums segments of the key space
// in SQL (count and sum of row hashes), only mismatching segments are split again, and rows are
// fetched only for small segments. Two segmentations:
//   range: one integer key; segments are key ranges, so deeper levels read the key's index only.
//   hash:  any other key (text, composite, decimal); segments are prefixes of md5(normalised key),
//          which orders the same on both sides whatever their collations (key ranges on text would
//          not: 'a' < 'B' in one collation and not in the other).
import type { ColumnInfo, Connection, NormalizeOptions, RelationName, Row } from "./connection.ts";

export interface ParitySide {
  connection: Connection;
  relation: RelationName;
}

export interface ParityOptions {
  /** Key columns (names matched case-insensitively). Required: parity is keyed. */
  key: string[];
  /** Columns to compare (default: every column present on both sides). */
  columns?: string[];
  /** Key text compared case-insensitively (SQL Server's default collation). Default true. */
  caseInsensitiveKey?: boolean;
  /** Non-key text compared case-insensitively. Default false: a change of case is a change the user sees. */
  caseInsensitiveValues?: boolean;
  /** Per column override: a collation name (`*_CI_*` → case-insensitive) or "ci"/"cs". */
  collations?: Record<string, string>;
  /** Default true. */
  trimTrailingSpaces?: boolean;
  /** Default 3 (SQL Server datetime). */
  datetimePrecision?: number;
  /** Default 9. */
  floatScale?: number;
  /** Compute per-column profiles. Default true. */
  profiles?: boolean;
  /** Segments fetched as rows when a side has at most this many rows in it. Default 2000. */
  fetchThreshold?: number;
  /** Segments per split. Default 32. */
  fanout?: number;
  /** Stop naming rows after this many differences. Default 100. */
  maxDifferences?: number;
}

export interface ColumnProfile {
  count: number;
  nulls: number;
  distinct: number;
  min: string | null;
  max: string | null;
  /** Numeric columns only. */
  sum: string | null;
}

export interface ProfileComparison {
  column: string;
  left: ColumnProfile;
  right: ColumnProfile;
  /** Fields that differ (min/max of text are not compared: collations order text differently). */
  differs: Array<keyof ColumnProfile>;
}

export type RowDifference =
  | { kind: "changed"; key: Record<string, unknown>; columns: Array<{ column: string; left: unknown; right: unknown }> }
  | { kind: "missing"; key: Record<string, unknown>; row: Row }
  | { kind: "extra"; key: Record<string, unknown>; row: Row }
  | { kind: "duplicate_key"; side: "left" | "right"; key: Record<string, unknown>; count: number };

export interface ParityResult {
  equal: boolean;
  rowCount: { left: number; right: number };
  columns: { compared: string[]; leftOnly: string[]; rightOnly: string[]; kindMismatch: string[] };
  profiles: ProfileComparison[];
  /** Named rows: missing (left only), extra (right only), changed. */
  differences: RowDifference[];
  /** More differences existed than maxDifferences. */
  truncated: boolean;
  stats: { mode: "range" | "hash"; segments: number; rowsFetched: number; queries: number; ms: number };
}

interface Plan {
  left: ParitySide;
  right: ParitySide;
  key: string[];
  /** Per compared column: the name on each side and the info. */
  cols: Array<{ name: string; l: ColumnInfo; r: ColumnInfo; isKey: boolean }>;
  keyCols: Array<{ name: string; l: ColumnInfo; r: ColumnInfo }>;
  normOpts: (column: string, isKey: boolean) => NormalizeOptions;
  o: Required<Omit<ParityOptions, "columns" | "collations">>;
  stats: ParityResult["stats"];
}

const norm = (s: string) => s.toLowerCase();

export class ParityError extends Error {}

export async function compareRelations(left: ParitySide, right: ParitySide, options: ParityOptions): Promise<ParityResult> {
  const started = Date.now();
  const o = {
    key: options.key,
    caseInsensitiveKey: options.caseInsensitiveKey ?? true,
    caseInsensitiveValues: options.caseInsensitiveValues ?? false,
    trimTrailingSpaces: options.trimTrailingSpaces ?? true,
    datetimePrecision: options.datetimePrecision ?? 3,
    floatScale: options.floatScale ?? 9,
    profiles: options.profiles ?? true,
    fetchThreshold: options.fetchThreshold ?? 2000,
    fanout: Math.max(2, options.fanout ?? 32),
    maxDifferences: options.maxDifferences ?? 100,
  };
  if (!o.key.length) throw new ParityError("parity needs a key (primary or unique key columns)");
  const [lc, rc] = await Promise.all([left.connection.describe(left.relation), right.connection.describe(right.relation)]);
  if (!lc) throw new ParityError(`relation ${left.connection.dialect.relation(left.relation)} does not exist on ${left.connection.description}`);
  if (!rc) throw new ParityError(`relation ${right.connection.dialect.relation(right.relation)} does not exist on ${right.connection.description}`);
  const rByName = new Map(rc.map((c) => [norm(c.name), c]));
  const lByName = new Map(lc.map((c) => [norm(c.name), c]));
  const keySet = new Set(o.key.map(norm));
  for (const k of keySet) if (!lByName.has(k) || !rByName.has(k)) throw new ParityError(`key column ${k} is not on both sides`);
  const wanted = options.columns ? new Set(options.columns.map(norm)) : undefined;
  const cols: Plan["cols"] = [];
  const kindMismatch: string[] = [];
  for (const l of lc) {
    const r = rByName.get(norm(l.name));
    if (!r || (wanted && !wanted.has(norm(l.name)) && !keySet.has(norm(l.name)))) continue;
    if (!compatible(l, r)) kindMismatch.push(l.name);
    cols.push({ name: l.name, l, r, isKey: keySet.has(norm(l.name)) });
  }
  const keyCols = o.key.map((k) => {
    const c = cols.find((x) => norm(x.name) === norm(k))!;
    return { name: c.name, l: c.l, r: c.r };
  });
  const collation = (column: string): boolean | undefined => {
    const v = options.collations?.[column] ?? Object.entries(options.collations ?? {}).find(([k]) => norm(k) === norm(column))?.[1];
    if (!v) return undefined;
    return /^ci$|_CI_|_CI$/i.test(v);
  };
  const plan: Plan = {
    left,
    right,
    key: o.key,
    cols,
    keyCols,
    o,
    normOpts: (column, isKey) => ({
      caseInsensitive: collation(column) ?? (isKey ? o.caseInsensitiveKey : o.caseInsensitiveValues),
      trimTrailingSpaces: o.trimTrailingSpaces,
      datetimePrecision: o.datetimePrecision,
      floatScale: o.floatScale,
    }),
    stats: { mode: "hash", segments: 0, rowsFetched: 0, queries: 0, ms: 0 },
  };

  const [lCount, rCount] = await Promise.all([countRows(plan, "left"), countRows(plan, "right")]);
  const profiles = o.profiles ? await compareProfiles(plan) : [];

  const diffs: RowDifference[] = [];
  const sink = { diffs, truncated: false };
  const rangeKey = keyCols.length === 1 && keyCols[0]!.l.kind === "integer" && keyCols[0]!.r.kind === "integer";
  plan.stats.mode = rangeKey ? "range" : "hash";
  if (rangeKey) await diffRange(plan, sink);
  else await diffHash(plan, sink);

  plan.stats.ms = Date.now() - started;
  const leftOnly = lc.filter((c) => !rByName.has(norm(c.name))).map((c) => c.name);
  const rightOnly = rc.filter((c) => !lByName.has(norm(c.name))).map((c) => c.name);
  return {
    equal: lCount === rCount && diffs.length === 0 && profiles.every((p) => p.differs.length === 0) && leftOnly.length === 0 && rightOnly.length === 0,
    rowCount: { left: lCount, right: rCount },
    columns: { compared: cols.map((c) => c.name), leftOnly, rightOnly, kindMismatch },
    profiles,
    differences: diffs,
    truncated: sink.truncated,
    stats: plan.stats,
  };
}

function compatible(a: ColumnInfo, b: ColumnInfo): boolean {
  const group = (k: string) => (k === "integer" || k === "decimal" ? "number" : k);
  return group(a.kind) === group(b.kind);
}

// ---- SQL on one side --------------------------------------------------------------------------

type Side = "left" | "right";
const sideOf = (p: Plan, s: Side) => (s === "left" ? p.left : p.right);
const colOf = (c: { l: ColumnInfo; r: ColumnInfo }, s: Side) => (s === "left" ? c.l : c.r);

async function run(p: Plan, s: Side, sql: string): Promise<Row[]> {
  p.stats.queries++;
  return sideOf(p, s).connection.query(sql);
}

function exprs(p: Plan, s: Side) {
  const d = sideOf(p, s).connection.dialect;
  // Decimal keys and values are compared as numbers whether a side stores them as integer or decimal.
  const normCol = (c: Plan["cols"][number] | Plan["keyCols"][number], isKey: boolean) => {
    const info = colOf(c, s);
    const other = colOf(c, s === "left" ? "right" : "left");
    const asInfo = info.kind === "integer" && other.kind === "decimal" ? { ...info, kind: "decimal" as const } : info;
    return d.normalize(d.quote(info.name), asInfo, p.normOpts(c.name, isKey));
  };
  const keyText = d.rowText(p.keyCols.map((c) => normCol(c, true)));
  const rowText = d.rowText(p.cols.map((c) => normCol(c, c.isKey)));
  // Decided for the pair: both sides must hash the same way.
  const [ld, rd] = [p.left.connection.dialect, p.right.connection.dialect];
  const fast = ld.name === rd.name && ld.fastHash && rd.fastHash ? d.fastHash : undefined;
  const rowHash = fast ? `(${fast(rowText)})::text` : d.md5(rowText);
  /** The number summed per segment. */
  const rowNumber = fast ? fast(rowText) : d.hashNumber(d.md5(rowText));
  const keyHash = d.md5(keyText);
  return { d, normCol, keyText, rowHash, rowNumber, keyHash, from: d.relation(sideOf(p, s).relation) };
}

async function countRows(p: Plan, s: Side): Promise<number> {
  const { from } = exprs(p, s);
  const rows = await run(p, s, `select count(*) as n from ${from}`);
  return Number(rows[0]?.n ?? 0);
}

const NUMERIC = new Set(["integer", "decimal", "float"]);

async function profileSide(p: Plan, s: Side): Promise<Map<string, ColumnProfile>> {
  const { d, normCol, from } = exprs(p, s);
  const parts: string[] = [];
  p.cols.forEach((c, i) => {
    const q = d.quote(colOf(c, s).name);
    const n = normCol(c, c.isKey);
    const numeric = NUMERIC.has(c.l.kind) && NUMERIC.has(c.r.kind);
    parts.push(
      `count(${q}) as c${i}`,
      `count(distinct ${n}) as d${i}`,
      numeric ? `${d.castText(`min(${q})`)} as mn${i}` : `min(${n}) as mn${i}`,
      numeric ? `${d.castText(`max(${q})`)} as mx${i}` : `max(${n}) as mx${i}`,
      numeric ? d.sumExact(q) + ` as s${i}` : `null as s${i}`,
    );
  });
  const rows = await run(p, s, `select count(*) as n, ${parts.join(", ")} from ${from}`);
  const r = rows[0] ?? {};
  const total = Number(r.n ?? 0);
  const out = new Map<string, ColumnProfile>();
  p.cols.forEach((c, i) => {
    const count = Number(r[`c${i}`] ?? 0);
    const numeric = NUMERIC.has(c.l.kind) && NUMERIC.has(c.r.kind);
    const canon = (v: unknown) => (v === null || v === undefined ? null : numeric ? canonNumber(String(v)) : String(v));
    out.set(c.name, { count, nulls: total - count, distinct: Number(r[`d${i}`] ?? 0), min: canon(r[`mn${i}`]), max: canon(r[`mx${i}`]), sum: canon(r[`s${i}`]) });
  });
  return out;
}

/** 1.500 → 1.5, -0 → 0: the same number written by two servers. */
function canonNumber(s: string): string {
  if (!/^-?\d+(\.\d+)?$/.test(s)) return s;
  let t = s.includes(".") ? s.replace(/0+$/, "").replace(/\.$/, "") : s;
  if (/^-0$/.test(t)) t = "0";
  return t;
}

async function compareProfiles(p: Plan): Promise<ProfileComparison[]> {
  const [l, r] = await Promise.all([profileSide(p, "left"), profileSide(p, "right")]);
  return p.cols.map((c) => {
    const a = l.get(c.name)!;
    const b = r.get(c.name)!;
    const orderable = c.l.kind !== "text" && c.r.kind !== "text" && c.l.kind !== "other";
    const fields: Array<keyof ColumnProfile> = ["count", "nulls", "distinct", ...(orderable ? (["min", "max"] as const) : []), "sum"];
    return { column: c.name, left: a, right: b, differs: fields.filter((f) => a[f] !== b[f]) };
  });
}

// ---- segments ---------------------------------------------------------------------------------

interface Sink {
  diffs: RowDifference[];
  truncated: boolean;
}

interface SegmentSum {
  count: number;
  sum: string;
}

const full = (p: Plan, sink: Sink) => {
  if (sink.diffs.length >= p.o.maxDifferences) {
    sink.truncated = true;
    return true;
  }
  return false;
};

async function diffRange(p: Plan, sink: Sink): Promise<void> {
  const kc = p.keyCols[0]!;
  const bounds = async (s: Side) => {
    const { d, from } = exprs(p, s);
    const k = d.quote(colOf(kc, s).name);
    const rows = await run(p, s, `select ${d.castText(`min(${k})`)} as lo, ${d.castText(`max(${k})`)} as hi from ${from}`);
    return rows[0] ?? {};
  };
  const [bl, br] = await Promise.all([bounds("left"), bounds("right")]);
  const los = [bl.lo, br.lo].filter((x) => x !== null && x !== undefined).map((x) => BigInt(String(x)));
  const his = [bl.hi, br.hi].filter((x) => x !== null && x !== undefined).map((x) => BigInt(String(x)));
  if (!los.length) return; // both empty
  const lo = los.reduce((a, b) => (a < b ? a : b));
  const hi = his.reduce((a, b) => (a > b ? a : b)) + 1n;
  await rangeSegment(p, sink, lo, hi, undefined);
}

/** Compares [lo, hi): fetches rows when small, else checksums sub-ranges and recurses into the ones that differ. */
async function rangeSegment(p: Plan, sink: Sink, lo: bigint, hi: bigint, known: { left: number; right: number } | undefined): Promise<void> {
  if (full(p, sink)) return;
  p.stats.segments++;
  const kc = p.keyCols[0]!;
  const where = (s: Side) => {
    const { d } = exprs(p, s);
    const k = d.quote(colOf(kc, s).name);
    return `${k} >= ${lo} and ${k} < ${hi}`;
  };
  const small = known ? Math.max(known.left, known.right) <= p.o.fetchThreshold : hi - lo <= BigInt(p.o.fetchThreshold);
  if (small) {
    await compareRows(p, sink, where);
    return;
  }
  const width = (hi - lo + BigInt(p.o.fanout) - 1n) / BigInt(p.o.fanout);
  const sums = async (s: Side) => {
    const { d, rowNumber, from } = exprs(p, s);
    const k = d.quote(colOf(kc, s).name);
    const b = d.bucket(k, lo, width);
    const rows = await run(p, s, `select ${b} as b, count(*) as n, ${d.sumExact(rowNumber)} as h from ${from} where ${where(s)} group by ${b}`);
    return new Map(rows.map((r) => [String(r.b), { count: Number(r.n), sum: String(r.h) } satisfies SegmentSum]));
  };
  const [l, r] = await Promise.all([sums("left"), sums("right")]);
  const buckets = [...new Set([...l.keys(), ...r.keys()])].sort((a, b) => Number(a) - Number(b));
  for (const b of buckets) {
    const a = l.get(b);
    const c = r.get(b);
    if (a && c && a.count === c.count && a.sum === c.sum) continue;
    const blo = lo + BigInt(b) * width;
    const bhi = blo + width < hi ? blo + width : hi;
    await rangeSegment(p, sink, blo, bhi, { left: a?.count ?? 0, right: c?.count ?? 0 });
    if (full(p, sink)) return;
  }
}

async function diffHash(p: Plan, sink: Sink): Promise<void> {
  await hashSegment(p, sink, "", undefined);
}

/** Segment = rows whose md5(normalised key) starts with `prefix`. */
async function hashSegment(p: Plan, sink: Sink, prefix: string, known: { left: number; right: number } | undefined): Promise<void> {
  if (full(p, sink)) return;
  p.stats.segments++;
  const where = (s: Side) => {
    const { d, keyHash } = exprs(p, s);
    return prefix ? d.prefixMatch(keyHash, prefix) : "1=1";
  };
  const size = known ?? { left: await countRows(p, "left"), right: await countRows(p, "right") };
  if (Math.max(size.left, size.right) <= p.o.fetchThreshold || prefix.length >= 32) {
    await compareRows(p, sink, where);
    return;
  }
  // Each level is a full scan (the key's md5 has no index): split finely enough that the next
  // level usually fetches rows, up to 16^4 segments per level.
  const digits = Math.min(4, Math.max(1, Math.ceil(Math.log(Math.max(size.left, size.right) / p.o.fetchThreshold) / Math.log(16))));
  const sums = async (s: Side) => {
    const { d, rowNumber, keyHash, from } = exprs(p, s);
    const b = d.substr(keyHash, prefix.length + 1, digits);
    const rows = await run(p, s, `select ${b} as b, count(*) as n, ${d.sumExact(rowNumber)} as h from ${from} where ${where(s)} group by ${b}`);
    return new Map(rows.map((r) => [String(r.b), { count: Number(r.n), sum: String(r.h) } satisfies SegmentSum]));
  };
  const [l, r] = await Promise.all([sums("left"), sums("right")]);
  for (const b of [...new Set([...l.keys(), ...r.keys()])].sort()) {
    const a = l.get(b);
    const c = r.get(b);
    if (a && c && a.count === c.count && a.sum === c.sum) continue;
    await hashSegment(p, sink, prefix + b, { left: a?.count ?? 0, right: c?.count ?? 0 });
    if (full(p, sink)) return;
  }
}

/** Fetches (normalised key, row hash) on both sides for a segment and names the rows that differ. */
async function compareRows(p: Plan, sink: Sink, where: (s: Side) => string): Promise<void> {
  const fetch = async (s: Side) => {
    const { keyText, rowHash, from } = exprs(p, s);
    const rows = await run(p, s, `select ${keyText} as k, ${rowHash} as h from ${from} where ${where(s)}`);
    p.stats.rowsFetched += rows.length;
    const m = new Map<string, { h: string; n: number }>();
    for (const r of rows) {
      const k = String(r.k);
      const e = m.get(k);
      if (e) e.n++;
      else m.set(k, { h: String(r.h), n: 1 });
    }
    return m;
  };
  const [l, r] = await Promise.all([fetch("left"), fetch("right")]);
  const missing: string[] = [];
  const extra: string[] = [];
  const changed: string[] = [];
  for (const [k, v] of l) {
    if (v.n > 1) sink.diffs.push({ kind: "duplicate_key", side: "left", key: await keyValues(p, "left", k), count: v.n });
    const w = r.get(k);
    if (!w) missing.push(k);
    else if (w.h !== v.h) changed.push(k);
  }
  for (const [k, w] of r) {
    if (w.n > 1) sink.diffs.push({ kind: "duplicate_key", side: "right", key: await keyValues(p, "right", k), count: w.n });
    if (!l.has(k)) extra.push(k);
  }
  for (const k of missing.sort()) {
    if (full(p, sink)) return;
    const row = await rowByKey(p, "left", k);
    sink.diffs.push({ kind: "missing", key: keyOf(p, row.raw), row: row.raw });
  }
  for (const k of extra.sort()) {
    if (full(p, sink)) return;
    const row = await rowByKey(p, "right", k);
    sink.diffs.push({ kind: "extra", key: keyOf(p, row.raw), row: row.raw });
  }
  for (const k of changed.sort()) {
    if (full(p, sink)) return;
    const [a, b] = await Promise.all([rowByKey(p, "left", k), rowByKey(p, "right", k)]);
    const columns = p.cols
      .map((c, i) => ({ c, i }))
      .filter(({ i }) => a.normalized[i] !== b.normalized[i])
      .map(({ c }) => ({ column: c.name, left: a.raw[colOf(c, "left").name], right: b.raw[colOf(c, "right").name] }));
    sink.diffs.push({ kind: "changed", key: keyOf(p, a.raw), columns });
  }
}

function keyOf(p: Plan, row: Row): Record<string, unknown> {
  return Object.fromEntries(p.keyCols.map((c) => [c.name, row[c.l.name] ?? row[c.r.name]]));
}

async function keyValues(p: Plan, s: Side, k: string): Promise<Record<string, unknown>> {
  const r = await rowByKey(p, s, k);
  return keyOf(p, r.raw);
}

/** The raw row and its normalised columns, found by normalised key text. */
async function rowByKey(p: Plan, s: Side, keyText: string): Promise<{ raw: Row; normalized: Array<string | null> }> {
  const { d, normCol, keyText: kt, from } = exprs(p, s);
  const sel = p.cols.map((c, i) => `${normCol(c, c.isKey)} as ${d.quote(`__n${i}`)}`);
  const rows = await run(p, s, d.limit(`select *, ${sel.join(", ")} from ${from} where ${kt} = ${d.literal(keyText)}`, 1));
  const row = rows[0] ?? {};
  const raw: Row = {};
  const normalized: Array<string | null> = [];
  for (const [k, v] of Object.entries(row)) {
    const m = /^__n(\d+)$/.exec(k);
    if (m) normalized[Number(m[1])] = v === null || v === undefined ? null : String(v);
    else raw[k] = v;
  }
  return { raw, normalized };
}
