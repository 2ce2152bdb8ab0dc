// The JSON API under /api/v1. One sub-app per resource. To add one:
//
//   import { sourcesApi } from "./sources.ts";            // returns new Hono<AppEnv>()
//   api.route("/sources", sourcesApi());                   // below the authenticated block
//
// Handlers get the caller with principalOf(c) (orgId, userId, role, scopes) and the database
// with c.var.db; every query they make must be scoped by principal.orgId. Throw ApiError /
// errors.* for failures; read bodies with readJson(c, zodStrictObject) behind limitBody(n).
import { Hono } from "hono";
import { authenticateBearer, requireAuth, requireMethodScope } from "../../auth/middleware.ts";
import { guardInputs } from "../../guardian/middleware.ts";
import type { AppEnv } from "../env.ts";
import { errors } from "../errors.ts";
import { apiRateLimit } from "../rate-limit.ts";
import { limitBody } from "../validation.ts";
import { apiKeysApi } from "./api-keys.ts";
import { adminModelsApi, isModelUploadChunk } from "./admin-models.ts";
import { authApi } from "./auth.ts";
import { dataProtectionApi } from "./data-protection.ts";
import { migrationDownloadsApi } from "./downloads.ts";
import { finetuneApi } from "./finetune.ts";
import { isSourceUpload, migrationsApi } from "./migrations.ts";
import { modelsApi } from "./models.ts";
import { meApi, organizationApi } from "./organization.ts";
import { policiesApi } from "./policies.ts";
import { securityApi } from "./security.ts";

/** Default body limit for API routes that set none of their own. */
export const API_BODY_LIMIT = 64 * 1024;

export function createApi(): Hono<AppEnv> {
  const api = new Hono<AppEnv>();
  const defaultLimit = limitBody(API_BODY_LIMIT);
  // Source uploads (multipart POST /migrations) carry files: that route applies its own, larger limit.
  // Model file uploads (PUT /admin/models/uploads/:id) stream to disk with their own size check.
  api.use((c, next) => (isSourceUpload(c) || isModelUploadChunk(c) ? next() : defaultLimit(c, next)));

  // Public: register and login. Logout and password change authenticate inside.
  // Guardian: SQL injection / XSS in names, e-mails and other non-SQL inputs (passwords are never read).
  api.use("/auth/*", guardInputs());
  api.route("/auth", authApi());

  // Everything below needs a credential; GET needs the read scope, other methods write.
  api.use(
    authenticateBearer(),
    requireAuth(),
    apiRateLimit(),
    requireMethodScope(),
    guardInputs(),
  );
  api.route("/me", meApi());
  api.route("/organization", organizationApi());
  api.route("/api-keys", apiKeysApi());
  api.route("/migrations", migrationsApi());
  api.route("/migrations", migrationDownloadsApi());
  api.route("/security", securityApi());
  api.route("/data-protection", dataProtectionApi());
  api.route("/policies", policiesApi());
  api.route("/admin/models", adminModelsApi());
  api.route("/finetune", finetuneApi());
  api.route("/models", modelsApi());

  // Unmatched API paths end here, so that they never fall through to the HTML app's middlewares.
  api.all("*", () => {
    throw errors.notFound("route");
  });
  return api;
}
