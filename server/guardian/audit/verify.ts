// Verifies the audit hash chains: every row's hash recomputed from its fields, every link to the
// previous row, the sequence without gaps, each subject against its commitment, and the anchor
// left by retention confirmed by an audit.retention row of the chain itself.
//
// What a chain cannot show on its own: rows removed from its END (the newest). Keep the head the
// report prints (seq and hash) somewhere else and pass it back with `expectHead` to catch that.
import { sql } from "drizzle-orm";
import { queryRows, type Db } from "../../db/client.ts";
import { chainHash, GENESIS_HASH, subjectHash } from "./chain.ts";

export type ChainProblemKind =
  | "missing_rows"
  | "broken_link"
  | "edited_row"
  | "edited_subject"
  | "duplicate_seq"
  | "anchor_unconfirmed"
  | "head_mismatch";

/** Stable diagnostic codes (docs/diagnostic-codes.md), one per kind of break. */
export const CHAIN_PROBLEM_CODES: Record<ChainProblemKind, string> = {
  missing_rows: "AUD1001",
  broken_link: "AUD1002",
  edited_row: "AUD1003",
  edited_subject: "AUD1004",
  duplicate_seq: "AUD1005",
  anchor_unconfirmed: "AUD1006",
  head_mismatch: "AUD1007",
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

/** The organisations (and the null chain) that have audit rows or anchors. */
export async function auditChains(db: Db): Promise<(string | null)[]> {
  const rows = await queryRows<{ org_id: string | null }>(
    db,
    sql`select distinct org_id from audit_logs union select distinct org_id from audit_anchors`,
  );
  return rows.map((r) => r.org_id).sort((a, b) => (a ?? "").localeCompare(b ?? ""));
}

export async function verifyChain(
  db: Db,
  orgId: string | null,
  options: { pageSize?: number; expectHead?: { seq: number; hash: string } } = {},
): Promise<ChainReport> {
  const pageSize = options.pageSize ?? 5000;
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

/** Verifies one organisation's chain, or every chain in the database. */
export async function verifyAuditLog(db: Db, options: { orgId?: string | null; pageSize?: number } = {}): Promise<VerifyReport> {
  const chains = options.orgId !== undefined ? [options.orgId] : await auditChains(db);
  const reports: ChainReport[] = [];
  for (const orgId of chains) reports.push(await verifyChain(db, orgId, options.pageSize ? { pageSize: options.pageSize } : {}));
  return { ok: reports.every((r) => r.ok), chains: reports };
}
