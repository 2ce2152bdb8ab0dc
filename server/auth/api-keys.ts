// API keys: created by a user, shown once, stored as a hash, limited to scopes, revocable.
import type { Db } from "../db/client.ts";
import { findApiKeyWithUser, insertApiKey, touchApiKey, type InputGuardPolicyRow } from "../db/queries/credentials.ts";
import type { ApiKey, ApiKeyScope } from "../db/schema/credentials.ts";
import type { User } from "../db/schema/organizations.ts";
import { apiKeyDisplayPrefix, generateApiKey, hashToken, isApiKey } from "./tokens.ts";

export async function createApiKey(
  db: Db,
  user: { id: string; orgId: string },
  input: { name: string; scopes: ApiKeyScope[] },
  now: Date,
): Promise<{ key: string; apiKey: ApiKey }> {
  const key = generateApiKey();
  const apiKey = await insertApiKey(db, user.orgId, {
    userId: user.id,
    name: input.name,
    keyHash: hashToken(key),
    keyPrefix: apiKeyDisplayPrefix(key),
    scopes: [...new Set(input.scopes)].sort(),
    createdAt: now,
  });
  return { key, apiKey };
}

export type ApiKeyCheck =
  /** inputGuard: the organisation's input-guard policy columns, read with the key (null: defaults). */
  | { ok: true; apiKey: ApiKey; user: User; inputGuard: InputGuardPolicyRow | null }
  /** revoked: the key exists (so its organisation and owner are known) but was revoked. */
  | { ok: false; reason: "unknown" }
  | { ok: false; reason: "revoked"; apiKey: ApiKey; user: User };

/** The key and its owner, or why it is refused. Records the use of a valid key. */
export async function checkApiKey(db: Db, key: string, now: Date): Promise<ApiKeyCheck> {
  if (!isApiKey(key) || key.length > 128) return { ok: false, reason: "unknown" };
  const row = await findApiKeyWithUser(db, hashToken(key));
  if (!row) return { ok: false, reason: "unknown" };
  if (row.apiKey.revokedAt) return { ok: false, reason: "revoked", apiKey: row.apiKey, user: row.user };
  await touchApiKey(db, row.apiKey.orgId, row.apiKey.id, now);
  row.apiKey.lastUsedAt = now;
  return { ok: true, ...row };
}

/** The key and its owner, or null when unknown or revoked. Records the use. */
export async function validateApiKey(db: Db, key: string, now: Date): Promise<{ apiKey: ApiKey; user: User } | null> {
  const r = await checkApiKey(db, key, now);
  return r.ok ? { apiKey: r.apiKey, user: r.user } : null;
}
