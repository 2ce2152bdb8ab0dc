// /api/v1/me and /api/v1/organization: who am I, and the members of my organisation.
import { Hono } from "hono";
import { z } from "zod";
import { addOrganizationMember } from "../../auth/accounts.ts";
import { principalOf, requireAdmin } from "../../auth/middleware.ts";
import { EmailTakenError, getOrganization, listMembers } from "../../db/queries/accounts.ts";
import { USER_ROLES, type User } from "../../db/schema/organizations.ts";
import type { AppEnv } from "../env.ts";
import { errors } from "../errors.ts";
import { emailField, limitBody, readJson } from "../validation.ts";
import { accountContext, newPasswordField } from "./auth.ts";

export const addMemberSchema = z.strictObject({
  email: emailField,
  password: newPasswordField,
  role: z.enum(USER_ROLES, { message: `expected one of ${USER_ROLES.join(", ")}` }).default("member"),
});

export function memberJson(u: User) {
  return { id: u.id, email: u.email, role: u.role, createdAt: u.createdAt.toISOString() };
}

export function meApi(): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.get("/", async (c) => {
    const p = principalOf(c);
    const org = await getOrganization(c.var.db, p.orgId);
    return c.json({
      user: { id: p.userId, email: p.email, role: p.role },
      organization: org ? { id: org.id, name: org.name, planType: org.planType } : null,
      via: p.via,
      scopes: [...p.scopes].sort(),
    });
  });
  return app;
}

export function organizationApi(): Hono<AppEnv> {
  const app = new Hono<AppEnv>();

  app.get("/members", async (c) => {
    const p = principalOf(c);
    return c.json({ items: (await listMembers(c.var.db, p.orgId)).map(memberJson) });
  });

  app.post("/members", requireAdmin(), limitBody(4 * 1024), async (c) => {
    const p = principalOf(c);
    const input = await readJson(c, addMemberSchema);
    try {
      const user = await addOrganizationMember(accountContext(c), p, input);
      return c.json(memberJson(user), 201);
    } catch (err) {
      if (err instanceof EmailTakenError) throw errors.conflict("email_taken", err.message, { email: ["already registered"] });
      throw err;
    }
  });

  return app;
}
