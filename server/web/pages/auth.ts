// Sign-in, registration and sign-out pages.
import { Hono } from "hono";
import { login, logout, registerAccount } from "../../auth/accounts.ts";
import { clearSessionCookie, readSessionCookie, setSessionCookie } from "../../auth/middleware.ts";
import { PASSWORD_MIN_LENGTH } from "../../auth/password.ts";
import { EmailTakenError } from "../../db/queries/accounts.ts";
import { accountContext, loginSchema, registerSchema } from "../api/auth.ts";
import { clientIp, type AppEnv } from "../env.ts";
import { ApiError } from "../errors.ts";
import { readForm } from "../forms.ts";
import { assertLoginAllowed, loginFailed, loginSucceeded, rateLimit } from "../rate-limit.ts";
import { redirectAfterPost, renderPage } from "../render.ts";

// Forms carry a submit button and the like: extra fields are ignored, not rejected.
const loginForm = loginSchema.strip();
const registerForm = registerSchema.strip();

export function authPages(): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  const authRateLimit = rateLimit((l) => l.auth, (c) => `auth:${clientIp(c) ?? "unknown"}`);

  app.get("/login", (c) => {
    if (c.var.principal) return c.redirect("/dashboard", 303);
    return renderPage(c, "login", { values: {}, fields: {} });
  });

  app.post("/login", authRateLimit, async (c) => {
    const form = await readForm(c, loginForm);
    if (!form.ok) return renderPage(c, "login", { values: form.values, fields: form.fields }, 422);
    try {
      await assertLoginAllowed(c, form.data.email);
    } catch (err) {
      if (!(err instanceof ApiError) || err.status !== 429) throw err;
      const retry = err.headers?.["Retry-After"] ?? "60";
      c.header("Retry-After", retry);
      return renderPage(
        c,
        "login",
        { values: { email: form.data.email }, fields: {}, error: `Too many failed sign-ins. Try again in ${retry} s.` },
        429,
      );
    }
    // The cookie the browser arrived with (perhaps planted by someone else) dies here.
    const result = await login(accountContext(c), { ...form.data, previousToken: readSessionCookie(c) });
    if (!result.ok) {
      await loginFailed(c, form.data.email);
      clearSessionCookie(c);
      return renderPage(c, "login", { values: { email: form.data.email }, fields: {}, error: "E-mail or password is wrong." }, 401);
    }
    await loginSucceeded(c, form.data.email);
    setSessionCookie(c, result.token, result.session.expiresAt);
    return redirectAfterPost(c, "/dashboard");
  });

  app.get("/register", (c) => {
    if (c.var.principal) return c.redirect("/dashboard", 303);
    return renderPage(c, "register", { values: {}, fields: {}, passwordMinLength: PASSWORD_MIN_LENGTH });
  });

  app.post("/register", authRateLimit, async (c) => {
    const form = await readForm(c, registerForm);
    const again = (status: 409 | 422, extra: Record<string, unknown>) =>
      renderPage(c, "register", { passwordMinLength: PASSWORD_MIN_LENGTH, fields: {}, ...extra }, status);
    if (!form.ok) return again(422, { values: form.values, fields: form.fields });
    try {
      await registerAccount(accountContext(c), form.data);
    } catch (err) {
      if (err instanceof EmailTakenError) {
        return again(409, { values: { email: form.data.email, organizationName: form.data.organizationName }, fields: { email: ["already registered"] } });
      }
      throw err;
    }
    const result = await login(accountContext(c), { email: form.data.email, password: form.data.password, previousToken: readSessionCookie(c) });
    if (!result.ok) return redirectAfterPost(c, "/login");
    setSessionCookie(c, result.token, result.session.expiresAt);
    return redirectAfterPost(c, "/dashboard");
  });

  app.post("/logout", async (c) => {
    const p = c.var.principal;
    if (p?.sessionId) await logout(accountContext(c), { orgId: p.orgId, userId: p.userId, sessionId: p.sessionId });
    clearSessionCookie(c);
    return redirectAfterPost(c, "/login");
  });

  return app;
}

