// /api/v1/auth: register, login (token for API clients), logout, password change.
import { Hono } from "hono";
import { z } from "zod";
import { changePassword, login, logout, registerAccount, type AccountContext } from "../../auth/accounts.ts";
import { authenticateBearer, principalOf, requireAuth, requireSession, sessionPolicy } from "../../auth/middleware.ts";
import { PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH } from "../../auth/password.ts";
import { EmailTakenError } from "../../db/queries/accounts.ts";
import { clientIp, type AppContext, type AppEnv } from "../env.ts";
import { errors } from "../errors.ts";
import { assertLoginAllowed, loginFailed, loginSucceeded, rateLimit } from "../rate-limit.ts";
import { emailField, limitBody, readJson } from "../validation.ts";

const AUTH_BODY_LIMIT = 4 * 1024;

export const newPasswordField = z
  .string({ message: "expected a password" })
  .min(PASSWORD_MIN_LENGTH, { message: `at least ${PASSWORD_MIN_LENGTH} characters` })
  .max(PASSWORD_MAX_LENGTH, { message: `at most ${PASSWORD_MAX_LENGTH} characters` });
// Checked against a stored hash, never stored: only a length bound.
const givenPasswordField = z
  .string({ message: "expected a password" })
  .min(1, { message: "required" })
  .max(PASSWORD_MAX_LENGTH, { message: `at most ${PASSWORD_MAX_LENGTH} characters` });
export const organizationNameField = z
  .string({ message: "expected an organisation name" })
  .trim()
  .min(1, { message: "required" })
  .max(100, { message: "at most 100 characters" });

export const registerSchema = z.strictObject({ email: emailField, password: newPasswordField, organizationName: organizationNameField });
export const loginSchema = z.strictObject({ email: emailField, password: givenPasswordField });
const passwordChangeSchema = z.strictObject({ currentPassword: givenPasswordField, newPassword: newPasswordField });

export function accountContext(c: AppContext): AccountContext {
  return { db: c.var.db, policy: sessionPolicy(c.var.deps.config), now: c.var.deps.clock(), ip: clientIp(c) };
}

export function authApi(): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  // Per client address: slows password guessing and mass registration.
  const authRateLimit = rateLimit((l) => l.auth, (c) => `auth:${clientIp(c) ?? "unknown"}`);

  app.post(
    "/register",
    authRateLimit,
    limitBody(AUTH_BODY_LIMIT),
    async (c) => {
      const input = await readJson(c, registerSchema);
      try {
        const { organization, user } = await registerAccount(accountContext(c), input);
        return c.json(
          {
            user: { id: user.id, email: user.email, role: user.role },
            organization: { id: organization.id, name: organization.name, planType: organization.planType },
          },
          201,
        );
      } catch (err) {
        if (err instanceof EmailTakenError) {
          throw errors.conflict("email_taken", err.message, { email: ["already registered"] });
        }
        throw err;
      }
    },
  );

  app.post(
    "/login",
    authRateLimit,
    limitBody(AUTH_BODY_LIMIT),
    async (c) => {
      const input = await readJson(c, loginSchema);
      // Per account and per address, with back-off: refused before the password is even checked.
      await assertLoginAllowed(c, input.email);
      const result = await login(accountContext(c), input);
      if (!result.ok) {
        await loginFailed(c, input.email);
        throw errors.invalidCredentials();
      }
      await loginSucceeded(c, input.email);
      return c.json({ token: result.token, expiresAt: result.session.expiresAt.toISOString() });
    },
  );

  app.post("/logout", authenticateBearer(), requireAuth(), requireSession(), async (c) => {
    const p = principalOf(c);
    await logout(accountContext(c), { orgId: p.orgId, userId: p.userId, sessionId: p.sessionId! });
    return c.body(null, 204);
  });

  app.post("/password", authenticateBearer(), requireAuth(), requireSession(), limitBody(AUTH_BODY_LIMIT), async (c) => {
    const p = principalOf(c);
    const input = await readJson(c, passwordChangeSchema);
    const result = await changePassword(accountContext(c), p, input);
    if (!result.ok) {
      if (result.reason === "wrong_password") throw errors.validation({ currentPassword: ["does not match"] });
      throw errors.unauthenticated();
    }
    return c.json({ token: result.token, expiresAt: result.session.expiresAt.toISOString() });
  });

  return app;
}
