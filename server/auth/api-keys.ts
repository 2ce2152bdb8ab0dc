// API keys: created by a user, shown once, stored as a hash, limited to scopes, revocable.
import type { Db } from "../db/client.ts";
import { findApiKeyWithUser, insertApiKey, touchApiKey } from "../db/queries/credentials.ts";
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

/** The key and its owner, or null when unknown or revoked. Records the use. */
export async function validateApiKey(db: Db, key: string, now: Date): Promise<{ apiKey: ApiKey; user: User } | null> {
  if (!isApiKey(key) || key.length > 128) return null;
  const row = await findApiKeyWithUser(db, hashToken(key));
  if (!row || row.apiKey.revokedAt) return null;
  await touchApiKey(db, row.apiKey.orgId, row.apiKey.id, now);
  row.apiKey.lastUsedAt = now;
  return row;
}
