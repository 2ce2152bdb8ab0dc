// The audit chain's pure parts: sanitising what callers log, the canonical serialisation and the
// two hashes. Kept free of I/O so that the writer (server/db/queries/audit.ts), the verifier and
// the benchmark compute exactly the same bytes.
//
//   row.subject_hash = SHA-256(canonical({ user, ip, personal, salt }))
//   row.hash         = SHA-256(canonical({ v, org, seq, at, type, details, subject, prev }))
//
// The subject (who: user id, address, e-mail and other personal fields) is committed to by its
// salted hash rather than hashed in directly, so that erasure can blank it later (the database
// function audit_pseudonymise) without breaking a single link; the salt keeps a blanked
// commitment from being confirmed by guessing the e-mail address.
import { createHash, randomBytes } from "node:crypto";

/** prev_hash of a chain's first row. */
export const GENESIS_HASH = "0".repeat(64);
/** Serialisation version inside every hashed payload, so that a future format can coexist. */
export const CHAIN_VERSION = 1;
/** First key of the two-key advisory lock that serialises writers of one chain ('AUDT'). */
export const AUDIT_LOCK_CLASS = 0x41554454;

/** Detail keys that name or identify a person: moved from details into the erasable subject. */
export const PERSONAL_KEYS = new Set(["email", "username", "userAgent", "payload", "excerpt", "input", "ip"]);

const MAX_STRING = 2000;
const MAX_DEPTH = 6;
const MAX_KEYS = 100;

/**
 * Makes a value safe to log: JSON only, and no raw control characters in any string (CR/LF
 * would let user input forge lines in a text export or a log viewer). Control characters become
 * visible escapes (\n, \r, \t, \u0000...), long strings are cut, deep structures flattened.
 */
export function sanitizeLogValue(value: unknown, depth = 0): unknown {
  if (value === null || value === undefined) return null;
  if (typeof value === "string") return escapeControl(value.length > MAX_STRING ? `${value.slice(0, MAX_STRING)}…` : value);
  if (typeof value === "number") return Number.isFinite(value) ? value : null;
  if (typeof value === "boolean") return value;
  if (typeof value === "bigint") return value.toString();
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : value.toISOString();
  if (depth >= MAX_DEPTH) return "[nested]";
  if (Array.isArray(value)) return value.slice(0, MAX_KEYS).map((v) => sanitizeLogValue(v, depth + 1));
  if (typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value as Record<string, unknown>).slice(0, MAX_KEYS)) {
      if (v === undefined) continue;
      out[escapeControl(k).slice(0, 100)] = sanitizeLogValue(v, depth + 1);
    }
    return out;
  }
  return escapeControl(String(value));
}

/** CR, LF, the other C0/C1 controls, DEL and the Unicode line/paragraph separators, escaped. */
export function escapeControl(s: string): string {
  // eslint-disable-next-line no-control-regex
  return s.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, (ch) => {
    if (ch === "\n") return "\\n";
    if (ch === "\r") return "\\r";
    if (ch === "\t") return "\\t";
    return `\\u${ch.charCodeAt(0).toString(16).padStart(4, "0")}`;
  });
}

/** Splits sanitised details into the hashed, non-personal part and the erasable personal part. */
export function splitPersonal(details: Record<string, unknown>): { details: Record<string, unknown>; personal: Record<string, unknown> | null } {
  const kept: Record<string, unknown> = {};
  const personal: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(details)) (PERSONAL_KEYS.has(k) ? personal : kept)[k] = v;
  return { details: kept, personal: Object.keys(personal).length ? personal : null };
}

/** JSON with object keys sorted at every level: one value, one byte string. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== "object") return JSON.stringify(value ?? null);
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  const obj = value as Record<string, unknown>;
  const keys = Object.keys(obj)
    .filter((k) => obj[k] !== undefined)
    .sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(obj[k])}`).join(",")}}`;
}

export function sha256Hex(s: string): string {
  return createHash("sha256").update(s, "utf8").digest("hex");
}

export function newSubjectSalt(): string {
  return randomBytes(16).toString("hex");
}

export interface Subject {
  userId: string | null;
  ip: string | null;
  personal: Record<string, unknown> | null;
  salt: string;
}

export function subjectHash(s: Subject): string {
  return sha256Hex(canonicalJson({ user: s.userId, ip: s.ip, personal: s.personal, salt: s.salt }));
}

/** The hashed fields of one row. */
export interface ChainFields {
  orgId: string | null;
  seq: number;
  createdAt: Date;
  eventType: string;
  details: Record<string, unknown>;
  subjectHash: string;
  prevHash: string;
}

export function chainHash(f: ChainFields): string {
  return sha256Hex(
    canonicalJson({
      v: CHAIN_VERSION,
      org: f.orgId,
      seq: f.seq,
      at: f.createdAt.toISOString(),
      type: f.eventType,
      details: f.details,
      subject: f.subjectHash,
      prev: f.prevHash,
    }),
  );
}

/** Event types: dotted lower-case words (auth.login, guardian.blocked, migration.completed). */
export const EVENT_TYPE_PATTERN = /^[a-z][a-z0-9_]*(\.[a-z0-9_]+){1,3}$/;
