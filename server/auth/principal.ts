// Who is calling, and what they may do. Built from a session or an API key.
import type { ApiKeyScope } from "../db/schema/credentials.ts";
import type { User, UserRole } from "../db/schema/organizations.ts";
import { inputGuardPolicyOf, type InputGuardPolicy } from "../guardian/policies.ts";

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
  /**
   * The organisation's input-guard policy as read with the credential, in the same query (so the
   * guard needs no query of its own, and a policy change applies from the very next request).
   * Absent on principals built elsewhere: the guard then reads the policy itself.
   */
  inputGuard?: InputGuardPolicy;
}

export function scopesForRole(role: UserRole): ApiKeyScope[] {
  return role === "admin" ? ["read", "write", "admin"] : ["read", "write"];
}

export function principalFromSession(user: User, sessionId: string, inputGuard?: InputGuardPolicy | null): Principal {
  return {
    userId: user.id,
    orgId: user.orgId,
    email: user.email,
    role: user.role,
    via: "session",
    sessionId,
    scopes: new Set(scopesForRole(user.role)),
    ...(inputGuard !== undefined ? { inputGuard: inputGuardPolicyOf(inputGuard) } : {}),
  };
}

export function principalFromApiKey(
  user: User,
  apiKey: { id: string; scopes: ApiKeyScope[] },
  inputGuard?: InputGuardPolicy | null,
): Principal {
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
    ...(inputGuard !== undefined ? { inputGuard: inputGuardPolicyOf(inputGuard) } : {}),
  };
}
