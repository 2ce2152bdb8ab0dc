// Auditing refused credentials (a bad, expired or revoked bearer token or API key, a malformed
// Authorization header) without letting a token spray turn into an audit-write flood.
//
// Every refusal is an `auth.token_rejected` event: reason (malformed / unknown / expired / revoked),
// which kind of credential, a fingerprint of the presented value (credentialFingerprint: never the
// value, never the hash the database looks sessions and keys up by), method and path, and the client
// address (personal: in the erasable subject). It goes to the organisation's chain when the
// credential can be attributed to one (an expired session, a revoked API key: their rows name the
// organisation and user), else to the chain of events without an organisation, where failed
// sign-ins for unknown e-mails go too.
//
// Write amplification: per server process and per minute (clock minute of the event time),
//   - at most PER_ADDRESS_PER_MINUTE refusals from one address are recorded one by one,
//   - at most PER_MINUTE refusals in all (any addresses) are recorded one by one,
//   - the rest are counted, per chain, in one `auth.token_rejected_summary` event per minute:
//     how many, by reason, from how many addresses, the ten busiest addresses (personal).
// So a spray costs at most PER_MINUTE + (number of chains hit) audit rows per minute and process,
// whatever its rate or number of addresses. Summaries of a finished minute are written by the
// next refusal after it, by the minute timer the server starts (services.ts), and on shutdown.
// Several server processes each apply these limits on their own.
import type { Db } from "../../db/client.ts";
import { recordAudit } from "../../db/queries/audit.ts";

export const PER_ADDRESS_PER_MINUTE = 5;
export const PER_MINUTE = 100;
/** Distinct addresses tracked per minute; beyond it, new addresses are only counted. */
const MAX_TRACKED_ADDRESSES = 20_000;
const TOP_ADDRESSES = 10;
const MINUTE = 60_000;

export type RejectionReason = "malformed" | "unknown" | "expired" | "revoked";

export interface RejectedCredential {
  reason: RejectionReason;
  /** session token, API key, or an Authorization header that holds neither. */
  credential: "session" | "api_key" | "authorization_header";
  orgId: string | null;
  userId: string | null;
  /** credentialFingerprint() of the presented value. */
  fingerprint: string;
  ip: string | null;
  method: string;
  path: string;
  /** Further non-personal facts (the id of a revoked key, when a session expired). */
  extra?: Record<string, unknown>;
  at: Date;
}

interface Summary {
  orgId: string | null;
  minute: number;
  count: number;
  reasons: Record<string, number>;
  addresses: Map<string, number>;
  addressesOverflow: boolean;
}

interface State {
  minute: number;
  perAddress: Map<string, number>;
  individual: number;
  /** Summaries by chain ("" = no organisation) and minute. */
  summaries: Map<string, Summary>;
}

const states = new WeakMap<Db, State>();

function stateOf(db: Db): State {
  let s = states.get(db);
  if (!s) states.set(db, (s = { minute: -1, perAddress: new Map(), individual: 0, summaries: new Map() }));
  return s;
}

/** What happened to one refusal: recorded on its own, or counted into the minute's summary. */
export type RejectionOutcome = "recorded" | "summarised";

/** Audits one refused credential, or counts it into the minute's summary (see the file comment). */
export async function auditRejectedCredential(db: Db, r: RejectedCredential): Promise<RejectionOutcome> {
  const s = stateOf(db);
  const minute = Math.floor(r.at.getTime() / MINUTE);
  if (minute !== s.minute) {
    if (minute > s.minute) {
      s.minute = minute;
      s.perAddress.clear();
      s.individual = 0;
    }
    await flushRejectedCredentialSummaries(db, r.at);
  }
  const addr = r.ip ?? "unknown";
  const seen = s.perAddress.get(addr);
  const tracked = seen !== undefined || s.perAddress.size < MAX_TRACKED_ADDRESSES;
  const n = (seen ?? 0) + 1;
  if (tracked) s.perAddress.set(addr, n);
  if (minute === s.minute && tracked && n <= PER_ADDRESS_PER_MINUTE && s.individual < PER_MINUTE) {
    s.individual++;
    await recordAudit(db, {
      orgId: r.orgId,
      userId: r.userId,
      eventType: "auth.token_rejected",
      details: {
        outcome: "failure",
        reason: r.reason,
        credential: r.credential,
        fingerprint: r.fingerprint,
        method: r.method.slice(0, 16),
        path: r.path.slice(0, 200),
        ...r.extra,
      },
      ip: r.ip,
      at: r.at,
    });
    return "recorded";
  }
  const key = `${r.orgId ?? ""}@${minute}`;
  let sum = s.summaries.get(key);
  if (!sum) s.summaries.set(key, (sum = { orgId: r.orgId, minute, count: 0, reasons: {}, addresses: new Map(), addressesOverflow: false }));
  sum.count++;
  sum.reasons[r.reason] = (sum.reasons[r.reason] ?? 0) + 1;
  if (sum.addresses.has(addr) || sum.addresses.size < MAX_TRACKED_ADDRESSES) sum.addresses.set(addr, (sum.addresses.get(addr) ?? 0) + 1);
  else sum.addressesOverflow = true;
  return "summarised";
}

/**
 * Writes the summaries of minutes that ended before `now` (all of them with `all`, on shutdown).
 * Safe to call at any time; a failed write keeps nothing (the counts are lost, the error is thrown).
 */
export async function flushRejectedCredentialSummaries(db: Db, now: Date, options: { all?: boolean } = {}): Promise<number> {
  const s = states.get(db);
  if (!s || s.summaries.size === 0) return 0;
  const current = Math.floor(now.getTime() / MINUTE);
  const due = [...s.summaries.entries()].filter(([, v]) => options.all || v.minute < current);
  for (const [k] of due) s.summaries.delete(k);
  let written = 0;
  for (const [, v] of due) {
    const top = [...v.addresses.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).slice(0, TOP_ADDRESSES);
    await recordAudit(db, {
      orgId: v.orgId,
      userId: null,
      eventType: "auth.token_rejected_summary",
      details: {
        outcome: "failure",
        from: new Date(v.minute * MINUTE).toISOString(),
        to: new Date((v.minute + 1) * MINUTE).toISOString(),
        count: v.count,
        reasons: v.reasons,
        addresses: v.addresses.size,
        ...(v.addressesOverflow ? { addressesAtLeast: true } : {}),
        limits: { perAddressPerMinute: PER_ADDRESS_PER_MINUTE, perMinute: PER_MINUTE },
      },
      personal: { topAddresses: top.map(([ip, count]) => ({ ip, count })) },
      at: now,
    });
    written++;
  }
  return written;
}
