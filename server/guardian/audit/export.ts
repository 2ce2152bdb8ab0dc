// Audit log exports: JSON and CSV. The CSV is meant to be opened in a spreadsheet, so it is
// injection-safe: a cell that starts with = + - @ (or a tab / carriage return, which some
// spreadsheets skip before looking) is prefixed with ' so it is shown as text, never evaluated
// as a formula (OWASP "CSV injection"). Every cell is quoted; quotes are doubled.
import type { AuditLog } from "../../db/schema/audit.ts";
import { canonicalJson, escapeControl } from "./chain.ts";

export const AUDIT_CSV_COLUMNS = ["seq", "created_at", "event_type", "user_id", "pseudonym", "ip", "details", "personal", "hash", "prev_hash"] as const;

export function csvCell(value: unknown): string {
  let s = value === null || value === undefined ? "" : typeof value === "string" ? value : typeof value === "object" ? canonicalJson(value) : String(value);
  // Stored text is escaped already; this keeps any raw line break out of an export regardless.
  s = escapeControl(s);
  if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return `"${s.replace(/"/g, '""')}"`;
}

export function auditCsvHeader(): string {
  return `${AUDIT_CSV_COLUMNS.join(",")}\r\n`;
}

export function auditCsvRow(a: AuditLog): string {
  return (
    [a.seq, a.createdAt.toISOString(), a.eventType, a.userId, a.pseudonym, a.ip, a.details, a.personal, a.hash, a.prevHash].map(csvCell).join(",") + "\r\n"
  );
}

/** The JSON shape of one event, in API answers and exports alike. */
export function auditEventJson(a: AuditLog) {
  return {
    id: a.id,
    seq: a.seq,
    eventType: a.eventType,
    userId: a.userId,
    pseudonym: a.pseudonym,
    // Personal fields (e-mail...) are stored apart so that erasure can blank them; shown together.
    details: { ...a.details, ...(a.personal ?? {}) },
    ip: a.ip,
    createdAt: a.createdAt.toISOString(),
    hash: a.hash,
    prevHash: a.prevHash,
  };
}
