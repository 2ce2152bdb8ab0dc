// Account operations: registration, login, members, password change. Each writes its audit row.
import type { Db } from "../db/client.ts";
import {
  addMember,
  createOrganizationWithAdmin,
  findUserByEmailForLogin,
  getUser,
  setPasswordHash,
} from "../db/queries/accounts.ts";
import { recordAudit } from "../db/queries/audit.ts";
import type { Session } from "../db/schema/credentials.ts";
import type { Organization, User, UserRole } from "../db/schema/organizations.ts";
import { hashPassword, verifyAgainstDummy, verifyPassword } from "./password.ts";
import { createSession, invalidateSession, invalidateSessionToken, invalidateUserSessions, type SessionPolicy } from "./sessions.ts";

export interface AccountContext {
  db: Db;
  policy: SessionPolicy;
  now: Date;
  ip: string | null;
}

export async function registerAccount(
  ctx: AccountContext,
  input: { email: string; password: string; organizationName: string },
): Promise<{ organization: Organization; user: User }> {
  const passwordHash = await hashPassword(input.password);
  const result = await createOrganizationWithAdmin(ctx.db, { organizationName: input.organizationName, email: input.email, passwordHash });
  await recordAudit(ctx.db, {
    orgId: result.organization.id,
    userId: result.user.id,
    eventType: "auth.register",
    details: { email: result.user.email },
    ip: ctx.ip,
    at: ctx.now,
  });
  return result;
}

export type LoginResult = { ok: true; user: User; token: string; session: Session } | { ok: false };

/**
 * Checks the password and opens a new session. A token presented with the login (a cookie the
 * browser already had, possibly planted) is invalidated: the session after login is always new.
 */
export async function login(
  ctx: AccountContext,
  input: { email: string; password: string; previousToken?: string | undefined },
): Promise<LoginResult> {
  if (input.previousToken) await invalidateSessionToken(ctx.db, input.previousToken);
  const user = await findUserByEmailForLogin(ctx.db, input.email);
  const ok = user ? await verifyPassword(user.passwordHash, input.password) : await verifyAgainstDummy(input.password);
  if (!user || !ok) {
    await recordAudit(ctx.db, {
      orgId: user?.orgId ?? null,
      userId: user?.id ?? null,
      eventType: "auth.login_failed",
      details: { email: input.email.trim().toLowerCase().slice(0, 254), reason: user ? "wrong_password" : "unknown_email" },
      ip: ctx.ip,
      at: ctx.now,
    });
    return { ok: false };
  }
  const { token, session } = await createSession(ctx.db, user, ctx.policy, ctx.now);
  await recordAudit(ctx.db, { orgId: user.orgId, userId: user.id, eventType: "auth.login", details: {}, ip: ctx.ip, at: ctx.now });
  return { ok: true, user, token, session };
}

export async function logout(ctx: AccountContext, who: { orgId: string; userId: string; sessionId: string }): Promise<void> {
  await invalidateSession(ctx.db, who.sessionId);
  await recordAudit(ctx.db, { orgId: who.orgId, userId: who.userId, eventType: "auth.logout", details: {}, ip: ctx.ip, at: ctx.now });
}

export type PasswordChangeResult = { ok: true; token: string; session: Session } | { ok: false; reason: "wrong_password" | "no_user" };

/** Changes the password, ends every session of the user, and opens one new session for the caller. */
export async function changePassword(
  ctx: AccountContext,
  who: { orgId: string; userId: string },
  input: { currentPassword: string; newPassword: string },
): Promise<PasswordChangeResult> {
  const user = await getUser(ctx.db, who.orgId, who.userId);
  if (!user) return { ok: false, reason: "no_user" };
  if (!(await verifyPassword(user.passwordHash, input.currentPassword))) return { ok: false, reason: "wrong_password" };
  await setPasswordHash(ctx.db, who.orgId, who.userId, await hashPassword(input.newPassword), ctx.now);
  await invalidateUserSessions(ctx.db, who.orgId, who.userId);
  const { token, session } = await createSession(ctx.db, user, ctx.policy, ctx.now);
  await recordAudit(ctx.db, { orgId: who.orgId, userId: who.userId, eventType: "auth.password_changed", details: {}, ip: ctx.ip, at: ctx.now });
  return { ok: true, token, session };
}

export async function addOrganizationMember(
  ctx: AccountContext,
  admin: { orgId: string; userId: string },
  input: { email: string; password: string; role: UserRole },
): Promise<User> {
  const user = await addMember(ctx.db, admin.orgId, { email: input.email, passwordHash: await hashPassword(input.password), role: input.role });
  await recordAudit(ctx.db, {
    orgId: admin.orgId,
    userId: admin.userId,
    eventType: "member.added",
    details: { memberId: user.id, email: user.email, role: user.role },
    ip: ctx.ip,
    at: ctx.now,
  });
  return user;
}
