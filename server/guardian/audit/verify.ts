// Verifies the audit hash chains: every row's hash recomputed from its fields, every link to the
// previous row, the sequence without gaps, each subject against its commitment, and the anchor
// left by retention confirmed by an audit.retention row of the chain itself.
//
// What a chain cannot show on its own: rows removed from its END (the newest). For that the database
// keeps each chain's head (audit_chain_heads: seq and hash of the newest row, moved by a trigger on
// every append, forward only; migrations/0008): a chain that stops before its head is reported
// (tail_missing), and so are rows beyond it or a head that differs (head_anchor_mismatch).
// Rows and heads are read in one repeatable-read snapshot, so concurrent appends cause no false alarm.
//
// What the head anchor cannot show: a database superuser (or the tables' owner) who disables the
// triggers and rewrites rows AND heads consistently. Against that, keep the heads the report prints
// somewhere else and pass them back (`expectHead`, CLI --head / --heads).
import { sql } from "drizzle-orm";
import { PgTransaction } from "drizzle-orm/pg-core";
import { queryRows, type Db } from "../../db/client.ts";
import { chainHeadAnchor } from "../../db/queries/audit.ts";
import { chainHash, GENESIS_HASH, subjectHash } from "./chain.ts";

export type ChainProblemKind =
  | "missing_rows"
  | "broken_link"
  | "edited_row"
  | "edited_subject"
  | "duplicate_seq"
  | "anchor_unconfirmed"
  | "head_mismatch"
  | "tail_missing"
  | "head_anchor_mismatch";

/** Stable diagnostic codes (docs/diagnostic-codes.md), one per kind of break. */
export const CHAIN_PROBLEM_CODES: Record<ChainProblemKind, string> = {
  missing_rows: "AUD1001",
  broken_link: "AUD1002",
  edited_row: "AUD1003",
  edited_subject: "AUD1004",
  duplicate_seq: "AUD1005",
  anchor_unconfirmed: "AUD1006",
  head_mismatch: "AUD1007",
  tail_missing: "AUD1008",
  head_anchor_mismatch: "AUD1009",
};

export interface ChainProblem {
  kind: ChainProblemKind;
  /** AUD100x: see CHAIN_PROBLEM_CODES. */
  code?: string;
  /** The row where the chain breaks (for missing rows: the first row after the gap). */
  id: string | null;
  seq: number;
  message: string;
}

export interface ChainReport {
  orgId: string | null;
  ok: boolean;
  rows: number;
  /** Rows older than the chain itself (written before chaining existed, seq 0): not verifiable. */
  legacyRows: number;
  pseudonymisedRows: number;
  /** Where verification started: genesis (seq 0) or a retention anchor. */
  start: { seq: number; hash: string; anchored: boolean };
  head: { seq: number; hash: string };
  /** The head anchor the database keeps for this chain (audit_chain_heads), null when it has none. */
  headAnchor: { seq: number; hash: string } | null;
  problem?: ChainProblem;
}

export interface VerifyReport {
  ok: boolean;
  chains: ChainReport[];
}

interface Row {
  id: string;
  org_id: string | null;
  seq: string | number;
  event_type: string;
  details: Record<string, unknown> | string;
  user_id: string | null;
  ip: string | null;
  personal: Record<string, unknown> | string | null;
  subject_salt: string | null;
  subject_hash: string;
  pseudonym: string | null;
  prev_hash: string;
  hash: string;
  created_at: Date | string;
}

const json = <T>(v: T | string): T => (typeof v === "string" ? (JSON.parse(v) as T) : v);

const NIL_UUID = "00000000-0000-0000-0000-000000000000";

/** The organisations (and the null chain) that have audit rows, anchors or a head anchor. */
export async function auditChains(db: Db): Promise<(string | null)[]> {
  const rows = await queryRows<{ org_id: string | null }>(
    db,
    sql`select distinct org_id from audit_logs
        union select distinct org_id from audit_anchors
        union select case when chain = ${NIL_UUID}::uuid then null else chain end from audit_chain_heads`,
  );
  return rows.map((r) => r.org_id).sort((a, b) => (a ?? "").localeCompare(b ?? ""));
}

export interface VerifyChainOptions {
  pageSize?: number;
  /** A head recorded outside the database earlier (CLI --head/--heads): the chain must still reach it. */
  expectHead?: { seq: number; hash: string } | undefined;
}

/** Runs `body` in one read-only repeatable-read snapshot (unless already inside a transaction). */
async function inSnapshot<T>(db: Db, body: (db: Db) => Promise<T>): Promise<T> {
  if ((db as unknown) instanceof PgTransaction) return body(db);
  return db.transaction((tx) => body(tx as unknown as Db), { isolationLevel: "repeatable read", accessMode: "read only" });
}

export async function verifyChain(db: Db, orgId: string | null, options: VerifyChainOptions = {}): Promise<ChainReport> {
  return inSnapshot(db, (snap) => verifyChainIn(snap, orgId, options));
}

async function verifyChainIn(db: Db, orgId: string | null, options: VerifyChainOptions): Promise<ChainReport> {
  const pageSize = options.pageSize ?? 5000;
  const headAnchor = await chainHeadAnchor(db, orgId);
  const [anchor] = await queryRows<{ seq: string | number; hash: string }>(
    db,
    sql`select seq, hash from audit_anchors where org_id is not distinct from ${orgId}::uuid order by seq desc limit 1`,
  );
  const [legacy] = await queryRows<{ n: number }>(
    db,
    sql`select count(*)::int as n from audit_logs where org_id is not distinct from ${orgId}::uuid and seq = 0`,
  );
  const start = anchor ? { seq: Number(anchor.seq), hash: anchor.hash, anchored: true } : { seq: 0, hash: GENESIS_HASH, anchored: false };
  const report: ChainReport = {
    orgId,
    ok: true,
    rows: 0,
    legacyRows: legacy?.n ?? 0,
    pseudonymisedRows: 0,
    start,
    head: { seq: start.seq, hash: start.hash },
    headAnchor,
  };
  const fail = (problem: ChainProblem): ChainReport => ({ ...report, ok: false, problem: { code: CHAIN_PROBLEM_CODES[problem.kind], ...problem } });
  let expected = start.seq + 1;
  let prev = start.hash;
  let anchorConfirmed = !anchor;
  let lastId: string | null = null;
  for (;;) {
    const rows = await queryRows<Row>(
      db,
      sql`select id, org_id, seq, event_type, details, user_id, ip, personal, subject_salt, subject_hash, pseudonym, prev_hash, hash, created_at
          from audit_logs
          where coalesce(org_id, '00000000-0000-0000-0000-000000000000'::uuid) = coalesce(${orgId}::uuid, '00000000-0000-0000-0000-000000000000'::uuid)
            and seq >= ${expected - 1} and seq > 0
          order by coalesce(org_id, '00000000-0000-0000-0000-000000000000'::uuid), seq
          limit ${pageSize}`,
    );
    // The first row of a page may repeat the last one checked (seq >= expected - 1): duplicates show.
    let progressed = false;
    for (const r of rows) {
      const seq = Number(r.seq);
      if (seq < expected) {
        if (r.id === lastId) continue;
        return fail({ kind: "duplicate_seq", id: r.id, seq, message: `two rows carry seq ${seq}` });
      }
      progressed = true;
      if (seq > expected) {
        const gap = seq - expected === 1 ? `row ${expected} is` : `rows ${expected}..${seq - 1} are`;
        return fail({ kind: "missing_rows", id: r.id, seq, message: `${gap} missing before this row (deleted)` });
      }
      if (r.prev_hash !== prev) {
        return fail({
          kind: "broken_link",
          id: r.id,
          seq,
          message: "prev_hash does not match the previous row's hash (a row before it was replaced, removed or reordered)",
        });
      }
      const details = json<Record<string, unknown>>(r.details);
      const createdAt = r.created_at instanceof Date ? r.created_at : new Date(r.created_at);
      const hash = chainHash({ orgId, seq, createdAt, eventType: r.event_type, details, subjectHash: r.subject_hash, prevHash: r.prev_hash });
      if (hash !== r.hash) {
        return fail({ kind: "edited_row", id: r.id, seq, message: "the row's content no longer matches its hash (edited)" });
      }
      if (r.subject_salt !== null) {
        const personal = r.personal === null ? null : json<Record<string, unknown>>(r.personal);
        if (subjectHash({ userId: r.user_id, ip: r.ip, personal, salt: r.subject_salt }) !== r.subject_hash) {
          return fail({ kind: "edited_subject", id: r.id, seq, message: "user, address or personal fields were changed after the event" });
        }
      } else if (r.pseudonym !== null && r.user_id === null && r.ip === null && r.personal === null) {
        report.pseudonymisedRows++;
      } else {
        return fail({ kind: "edited_subject", id: r.id, seq, message: "the subject was removed without pseudonymisation" });
      }
      if (!anchorConfirmed && r.event_type === "audit.retention" && details.throughSeq === start.seq && details.anchorHash === start.hash) {
        anchorConfirmed = true;
      }
      prev = r.hash;
      expected = seq + 1;
      lastId = r.id;
      report.rows++;
      report.head = { seq, hash: r.hash };
    }
    if (rows.length < pageSize || !progressed) break;
  }
  if (!anchorConfirmed) {
    return fail({
      kind: "anchor_unconfirmed",
      id: null,
      seq: start.seq,
      message: `the chain starts after seq ${start.seq} (retention anchor) but no audit.retention row records that anchor`,
    });
  }
  // The chain's end against the head anchor the database moved on every append.
  const end = report.head;
  if (!headAnchor) {
    if (end.seq > 0) {
      return fail({
        kind: "head_anchor_mismatch",
        id: null,
        seq: end.seq,
        message: `the chain ends at seq ${end.seq} but has no head anchor in audit_chain_heads (the anchor was deleted)`,
      });
    }
  } else if (end.seq < headAnchor.seq) {
    const missing = headAnchor.seq - end.seq === 1 ? `row ${headAnchor.seq} is` : `rows ${end.seq + 1}..${headAnchor.seq} are`;
    return fail({
      kind: "tail_missing",
      id: null,
      seq: end.seq + 1,
      message: `${missing} missing from the end of the chain: it ends at seq ${end.seq}, its head anchor (audit_chain_heads) is at seq ${headAnchor.seq} (rows removed from the end)`,
    });
  } else if (end.seq > headAnchor.seq) {
    return fail({
      kind: "head_anchor_mismatch",
      id: null,
      seq: headAnchor.seq + 1,
      message: `rows ${headAnchor.seq + 1}..${end.seq} lie beyond the chain's head anchor at seq ${headAnchor.seq} (written with the database's trigger disabled, or the anchor was moved back)`,
    });
  } else if (end.hash !== headAnchor.hash) {
    return fail({
      kind: "head_anchor_mismatch",
      id: null,
      seq: end.seq,
      message: `the row at seq ${end.seq} has another hash than the chain's head anchor (the newest row was replaced)`,
    });
  }
  if (options.expectHead) {
    const e = options.expectHead;
    if (report.head.seq < e.seq) {
      return fail({ kind: "head_mismatch", id: null, seq: e.seq, message: `the chain ends at seq ${report.head.seq}, before the recorded head ${e.seq} (rows removed from the end)` });
    }
    const [row] = await queryRows<{ hash: string }>(
      db,
      sql`select hash from audit_logs where org_id is not distinct from ${orgId}::uuid and seq = ${e.seq}`,
    );
    if (row && row.hash !== e.hash) {
      return fail({ kind: "head_mismatch", id: null, seq: e.seq, message: `seq ${e.seq} has another hash than the recorded head` });
    }
  }
  return report;
}

/**
 * Verifies one organisation's chain, or every chain in the database. `expectHeads` (a saved report's
 * heads, by organisation id, "" for the chain without one) are checked too; a chain named there
 * that the database no longer has at all is reported.
 */
export async function verifyAuditLog(
  db: Db,
  options: { orgId?: string | null; pageSize?: number; expectHeads?: Map<string, { seq: number; hash: string }> } = {},
): Promise<VerifyReport> {
  return inSnapshot(db, async (snap) => {
    const chains = options.orgId !== undefined ? [options.orgId] : await auditChains(snap);
    if (options.expectHeads && options.orgId === undefined) {
      const known = new Set(chains.map((c) => c ?? ""));
      for (const k of options.expectHeads.keys()) if (!known.has(k)) chains.push(k === "" ? null : k);
    }
    const reports: ChainReport[] = [];
    for (const orgId of chains) {
      reports.push(
        await verifyChainIn(snap, orgId, {
          ...(options.pageSize ? { pageSize: options.pageSize } : {}),
          expectHead: options.expectHeads?.get(orgId ?? ""),
        }),
      );
    }
    return { ok: reports.every((r) => r.ok), chains: reports };
  });
}

/** What is wrong with a saved report given to `--heads`, and on which line of it (1-based). */
export interface HeadsFileError {
  line: number;
  message: string;
}

/** The heads of a saved `audit verify --json` report, by organisation id ("" for no organisation). */
export function headsFromReport(text: string): Map<string, { seq: number; hash: string }> | HeadsFileError {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    const message = (e as Error).message;
    // V8 names the position for some errors only; past the end is the last line; else line 1.
    const at = /position (\d+)/.exec(message);
    const offset = at ? Number(at[1]) : /end of JSON input/.test(message) ? text.length : 0;
    return { line: lineAt(text, offset), message: `not JSON: ${message}` };
  }
  const chains = parsed && typeof parsed === "object" ? (parsed as { chains?: unknown }).chains : undefined;
  if (!Array.isArray(chains)) return { line: 1, message: "expected the output of `audit verify --json` (an object with a chains array)" };
  const out = new Map<string, { seq: number; hash: string }>();
  let starts: number[] | undefined;
  const bad = (i: number, message: string): HeadsFileError => ({ line: lineAt(text, (starts ??= arrayElementStarts(text, "chains"))[i] ?? 0), message });
  for (const [i, c] of chains.entries()) {
    const orgId = (c as { orgId?: unknown } | null)?.orgId;
    const head = (c as { head?: { seq?: unknown; hash?: unknown } } | null)?.head;
    if (!(orgId === null || (typeof orgId === "string" && /^[0-9a-f-]{36}$/i.test(orgId)))) return bad(i, `chains[${i}].orgId: expected an organisation id or null`);
    if (!head || typeof head.seq !== "number" || !Number.isSafeInteger(head.seq) || head.seq < 0 || typeof head.hash !== "string" || !/^[0-9a-f]{64}$/.test(head.hash)) {
      return bad(i, `chains[${i}].head: expected { seq, hash } as printed by verify`);
    }
    out.set(orgId === null ? "" : orgId.toLowerCase(), { seq: head.seq, hash: head.hash });
  }
  return out;
}

function lineAt(text: string, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset && i < text.length; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}

/** Offsets of the elements of the array under `key` in the top-level object of valid JSON `text` (the last such key, as JSON.parse keeps). */
function arrayElementStarts(text: string, key: string): number[] {
  let out: number[] = [];
  let depth = 0;
  let target = -1;
  let keyRead = false;
  let elementNext = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (ch === " " || ch === "\n" || ch === "\r" || ch === "\t") continue;
    if (depth === target && elementNext && ch !== "]") {
      out.push(i);
      elementNext = false;
    }
    if (ch === '"') {
      let j = i + 1;
      while (j < text.length && text[j] !== '"') j += text[j] === "\\" ? 2 : 1;
      keyRead = depth === 1 && JSON.parse(text.slice(i, j + 1)) === key;
      i = j;
    } else if (ch === ":") {
      continue;
    } else if (ch === "[" && keyRead) {
      depth++;
      target = depth;
      out = [];
      elementNext = true;
      keyRead = false;
    } else {
      if (ch === "{" || ch === "[") depth++;
      else if (ch === "}" || ch === "]") {
        if (depth === target) target = -1;
        depth--;
      }
      else if (ch === "," && depth === target) elementNext = true;
      keyRead = false;
    }
  }
  return out;
}
