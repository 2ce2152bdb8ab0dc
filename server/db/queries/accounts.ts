// Organisations and users. Everything but the login lookup is scoped by org id.
import { and, asc, eq, sql } from "drizzle-orm";
import type { Db } from "../client.ts";
import { organizations, users, type Organization, type User, type UserRole } from "../schema/organizations.ts";

export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

export class EmailTakenError extends Error {
  constructor() {
    super("a user with this e-mail address already exists");
    this.name = "EmailTakenError";
  }
}

function isUniqueViolation(err: unknown): boolean {
  // postgres.js and PGlite both expose the SQLSTATE as `code`; drizzle may wrap it in `cause`.
  for (let e = err as { code?: unknown; cause?: unknown } | undefined; e; e = e.cause as typeof e) {
    if (e.code === "23505") return true;
  }
  return false;
}

/** Creates an organisation and its first user, an admin, in one transaction. */
export async function createOrganizationWithAdmin(
  db: Db,
  input: { organizationName: string; email: string; passwordHash: string },
): Promise<{ organization: Organization; user: User }> {
  try {
    return await db.transaction(async (tx) => {
      const [organization] = await tx.insert(organizations).values({ name: input.organizationName }).returning();
      const [user] = await tx
        .insert(users)
        .values({ email: normalizeEmail(input.email), passwordHash: input.passwordHash, orgId: organization!.id, role: "admin" })
        .returning();
      return { organization: organization!, user: user! };
    });
  } catch (err) {
    if (isUniqueViolation(err)) throw new EmailTakenError();
    throw err;
  }
}

export async function addMember(
  db: Db,
  orgId: string,
  input: { email: string; passwordHash: string; role: UserRole },
): Promise<User> {
  try {
    const [user] = await db
      .insert(users)
      .values({ email: normalizeEmail(input.email), passwordHash: input.passwordHash, orgId, role: input.role })
      .returning();
    return user!;
  } catch (err) {
    if (isUniqueViolation(err)) throw new EmailTakenError();
    throw err;
  }
}

/** The one unscoped user lookup: at login the organisation is not known yet. */
export async function findUserByEmailForLogin(db: Db, email: string): Promise<User | undefined> {
  const [user] = await db.select().from(users).where(eq(users.email, normalizeEmail(email))).limit(1);
  return user;
}

export async function getUser(db: Db, orgId: string, userId: string): Promise<User | undefined> {
  const [user] = await db
    .select()
    .from(users)
    .where(and(eq(users.orgId, orgId), eq(users.id, userId)))
    .limit(1);
  return user;
}

export async function getOrganization(db: Db, orgId: string): Promise<Organization | undefined> {
  const [org] = await db.select().from(organizations).where(eq(organizations.id, orgId)).limit(1);
  return org;
}

export async function listMembers(db: Db, orgId: string): Promise<User[]> {
  return db.select().from(users).where(eq(users.orgId, orgId)).orderBy(asc(users.createdAt), asc(users.email));
}

export async function countMembers(db: Db, orgId: string): Promise<number> {
  const [row] = await db.select({ n: sql<number>`count(*)::int` }).from(users).where(eq(users.orgId, orgId));
  return row?.n ?? 0;
}

export async function setPasswordHash(db: Db, orgId: string, userId: string, passwordHash: string, at: Date): Promise<void> {
  await db
    .update(users)
    .set({ passwordHash, passwordChangedAt: at })
    .where(and(eq(users.orgId, orgId), eq(users.id, userId)));
}
