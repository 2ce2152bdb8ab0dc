// Sessions after the Lucia design: the client holds a random token, the database holds its
// SHA-256 as the session id. Expiry slides forward with use but never past an absolute limit.
import type { Db } from "../db/client.ts";
import {
  deleteSession,
  deleteUserSessions,
  extendSession,
  findSessionWithUser,
  insertSession,
  type InputGuardPolicyRow,
} from "../db/queries/credentials.ts";
import type { Session } from "../db/schema/credentials.ts";
import type { User } from "../db/schema/organizations.ts";
import { generateSessionToken, hashToken } from "./tokens.ts";

export interface SessionPolicy {
  /** Inactivity after which a session ends. */
  idleMs: number;
  /** Lifetime after which a session ends however active it is. */
  absoluteMs: number;
}

export interface SessionValidation {
  session: Session;
  user: User;
  /** True when the expiry moved forward: the cookie should be re-sent. */
  refreshed: boolean;
  /** The organisation's input-guard policy columns, read with the session (null: the defaults). */
  inputGuard: InputGuardPolicyRow | null;
}

export async function createSession(
  db: Db,
  user: { id: string; orgId: string },
  policy: SessionPolicy,
  now: Date,
): Promise<{ token: string; session: Session }> {
  const token = generateSessionToken();
  const absoluteExpiresAt = new Date(now.getTime() + policy.absoluteMs);
  const session: Session = {
    id: hashToken(token),
    userId: user.id,
    orgId: user.orgId,
    createdAt: now,
    expiresAt: new Date(Math.min(now.getTime() + policy.idleMs, absoluteExpiresAt.getTime())),
    absoluteExpiresAt,
  };
  await insertSession(db, session);
  return { token, session };
}

export type SessionCheck =
  | ({ ok: true } & SessionValidation)
  | { ok: false; reason: "unknown" }
  /** The session existed but timed out (idle or absolute); it is deleted now. */
  | { ok: false; reason: "expired"; session: Session; user: User };

/**
 * The session a token stands for, or why there is none. A logged-out (revoked) session is deleted
 * at logout, so its token is `unknown` afterwards, like a token that never existed.
 */
export async function checkSessionToken(db: Db, token: string, policy: SessionPolicy, now: Date): Promise<SessionCheck> {
  if (!token || token.length > 128) return { ok: false, reason: "unknown" };
  const sessionId = hashToken(token);
  const row = await findSessionWithUser(db, sessionId);
  if (!row) return { ok: false, reason: "unknown" };
  const { session, user, inputGuard } = row;
  const t = now.getTime();
  if (t >= session.expiresAt.getTime() || t >= session.absoluteExpiresAt.getTime()) {
    await deleteSession(db, sessionId);
    return { ok: false, reason: "expired", session, user };
  }
  // Extend only once half of the idle window is used up, so that most requests write nothing.
  let refreshed = false;
  if (session.expiresAt.getTime() - t < policy.idleMs / 2) {
    const next = new Date(Math.min(t + policy.idleMs, session.absoluteExpiresAt.getTime()));
    if (next.getTime() > session.expiresAt.getTime()) {
      await extendSession(db, sessionId, next);
      session.expiresAt = next;
      refreshed = true;
    }
  }
  return { ok: true, session, user, refreshed, inputGuard };
}

export async function validateSessionToken(
  db: Db,
  token: string,
  policy: SessionPolicy,
  now: Date,
): Promise<SessionValidation | null> {
  const r = await checkSessionToken(db, token, policy, now);
  return r.ok ? { session: r.session, user: r.user, refreshed: r.refreshed, inputGuard: r.inputGuard } : null;
}

export async function invalidateSession(db: Db, sessionId: string): Promise<void> {
  await deleteSession(db, sessionId);
}

/** Invalidates the session a token stands for, if any. Used before issuing a new one at login. */
export async function invalidateSessionToken(db: Db, token: string): Promise<void> {
  if (token && token.length <= 128) await deleteSession(db, hashToken(token));
}

export async function invalidateUserSessions(db: Db, orgId: string, userId: string): Promise<void> {
  await deleteUserSessions(db, orgId, userId);
}
