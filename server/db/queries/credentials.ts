// Sessions and API keys. Lookups by hash are necessarily unscoped (the hash is what identifies
// the tenant); everything else is scoped by org id.
import { and, desc, eq, gt, isNull, lte, or, sql } from "drizzle-orm";
import type { Db } from "../client.ts";
import { apiKeys, sessions, type ApiKey, type ApiKeyScope, type Session } from "../schema/credentials.ts";
import { guardianPolicies, type GuardianPolicyRow } from "../schema/guardian.ts";
import { users, type User } from "../schema/organizations.ts";

/**
 * The organisation's input-guard policy columns, read in the same query as the credential (left
 * join: null when the organisation has no stored policy row, i.e. runs on the defaults), so that
 * the input guard needs no query of its own and still sees a policy change on the very next request.
 */
export type InputGuardPolicyRow = Pick<GuardianPolicyRow, "paranoiaLevel" | "sqliAction" | "xssAction">;
const inputGuardColumns = {
  paranoiaLevel: guardianPolicies.paranoiaLevel,
  sqliAction: guardianPolicies.sqliAction,
  xssAction: guardianPolicies.xssAction,
};

export async function insertSession(db: Db, session: Session): Promise<void> {
  await db.insert(sessions).values(session);
}

export async function findSessionWithUser(
  db: Db,
  sessionId: string,
): Promise<{ session: Session; user: User; inputGuard: InputGuardPolicyRow | null } | undefined> {
  const [row] = await db
    .select({ session: sessions, user: users, inputGuard: inputGuardColumns })
    .from(sessions)
    .innerJoin(users, and(eq(users.id, sessions.userId), eq(users.orgId, sessions.orgId)))
    .leftJoin(guardianPolicies, eq(guardianPolicies.orgId, sessions.orgId))
    .where(eq(sessions.id, sessionId))
    .limit(1);
  return row;
}

export async function extendSession(db: Db, sessionId: string, expiresAt: Date): Promise<void> {
  await db.update(sessions).set({ expiresAt }).where(eq(sessions.id, sessionId));
}

export async function deleteSession(db: Db, sessionId: string): Promise<void> {
  await db.delete(sessions).where(eq(sessions.id, sessionId));
}

export async function deleteUserSessions(db: Db, orgId: string, userId: string): Promise<void> {
  await db.delete(sessions).where(and(eq(sessions.orgId, orgId), eq(sessions.userId, userId)));
}

/**
 * Removes sessions past either expiry, across all organisations (housekeeping; expired sessions
 * are already refused at validation). Returns how many were removed.
 */
export async function deleteExpiredSessions(db: Db, now: Date): Promise<number> {
  const gone = await db
    .delete(sessions)
    .where(or(lte(sessions.expiresAt, now), lte(sessions.absoluteExpiresAt, now)))
    .returning({ id: sessions.id });
  return gone.length;
}

export async function countActiveSessions(db: Db, orgId: string, now: Date): Promise<number> {
  const [row] = await db
    .select({ n: sql<number>`count(*)::int` })
    .from(sessions)
    .where(and(eq(sessions.orgId, orgId), gt(sessions.expiresAt, now), gt(sessions.absoluteExpiresAt, now)));
  return row?.n ?? 0;
}

export async function insertApiKey(
  db: Db,
  orgId: string,
  input: { userId: string; name: string; keyHash: string; keyPrefix: string; scopes: ApiKeyScope[]; createdAt: Date },
): Promise<ApiKey> {
  const [key] = await db.insert(apiKeys).values({ ...input, orgId }).returning();
  return key!;
}

export async function findApiKeyWithUser(
  db: Db,
  keyHash: string,
): Promise<{ apiKey: ApiKey; user: User; inputGuard: InputGuardPolicyRow | null } | undefined> {
  const [row] = await db
    .select({ apiKey: apiKeys, user: users, inputGuard: inputGuardColumns })
    .from(apiKeys)
    .innerJoin(users, and(eq(users.id, apiKeys.userId), eq(users.orgId, apiKeys.orgId)))
    .leftJoin(guardianPolicies, eq(guardianPolicies.orgId, apiKeys.orgId))
    .where(eq(apiKeys.keyHash, keyHash))
    .limit(1);
  return row;
}

export async function touchApiKey(db: Db, orgId: string, id: string, at: Date): Promise<void> {
  await db
    .update(apiKeys)
    .set({ lastUsedAt: at })
    .where(and(eq(apiKeys.orgId, orgId), eq(apiKeys.id, id)));
}

export async function listApiKeys(db: Db, orgId: string): Promise<ApiKey[]> {
  return db.select().from(apiKeys).where(eq(apiKeys.orgId, orgId)).orderBy(desc(apiKeys.createdAt), desc(apiKeys.id));
}

export async function getApiKey(db: Db, orgId: string, id: string): Promise<ApiKey | undefined> {
  const [key] = await db
    .select()
    .from(apiKeys)
    .where(and(eq(apiKeys.orgId, orgId), eq(apiKeys.id, id)))
    .limit(1);
  return key;
}

/** Marks the key revoked; returns false when the organisation has no such key. Idempotent. */
export async function revokeApiKey(db: Db, orgId: string, id: string, at: Date): Promise<ApiKey | undefined> {
  const existing = await getApiKey(db, orgId, id);
  if (!existing) return undefined;
  if (existing.revokedAt) return existing;
  const [key] = await db
    .update(apiKeys)
    .set({ revokedAt: at })
    .where(and(eq(apiKeys.orgId, orgId), eq(apiKeys.id, id), isNull(apiKeys.revokedAt)))
    .returning();
  return key ?? existing;
}

export async function countActiveApiKeys(db: Db, orgId: string): Promise<number> {
  const [row] = await db
    .select({ n: sql<number>`count(*)::int` })
    .from(apiKeys)
    .where(and(eq(apiKeys.orgId, orgId), isNull(apiKeys.revokedAt)));
  return row?.n ?? 0;
}
