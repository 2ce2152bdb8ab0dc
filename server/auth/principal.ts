// Who is calling, and what they may do. Built from a session or an API key.
import type { ApiKeyScope } from "../db/schema/credentials.ts";
import type { User, UserRole } from "../db/schema/organizations.ts";

export interface Principal {
  userId: string;
  orgId: string;
  email: string;
  role: UserRole;
  via: "session" | "api_key";
  /** Set when via === "session": the session id (token hash). */
  sessionId?: string;
  /** Set when via === "api_key". */
  apiKeyId?: string;
  /** What this credential allows: never more than the user's role allows. */
  scopes: ReadonlySet<ApiKeyScope>;
}

export function scopesForRole(role: UserRole): ApiKeyScope[] {
  return role === "admin" ? ["read", "write", "admin"] : ["read", "write"];
}

export function principalFromSession(user: User, sessionId: string): Principal {
  return {
    userId: user.id,
    orgId: user.orgId,
    email: user.email,
    role: user.role,
    via: "session",
    sessionId,
    scopes: new Set(scopesForRole(user.role)),
  };
}

export function principalFromApiKey(user: User, apiKey: { id: string; scopes: ApiKeyScope[] }): Principal {
  // A key keeps its scopes only while its owner's role still allows them (an admin demoted
  // to member loses the admin scope on every key they made).
  const allowed = new Set(scopesForRole(user.role));
  return {
    userId: user.id,
    orgId: user.orgId,
    email: user.email,
    role: user.role,
    via: "api_key",
    apiKeyId: apiKey.id,
    scopes: new Set(apiKey.scopes.filter((s) => allowed.has(s))),
  };
}
