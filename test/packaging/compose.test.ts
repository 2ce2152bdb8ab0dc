// compose.yaml (and the GPU override) against the Compose Specification's JSON Schema (copied here
// from compose-spec/compose-spec with its licence, LICENSE-compose-spec.txt), plus the properties of
// the stack that the schema cannot express: one published service, an internal network, secrets
// from files, restart policies, limits.
import { existsSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { Ajv } from "ajv";
import addFormatsModule from "ajv-formats";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
// The file names draft-07 by its https URL, which ajv does not know by that spelling; draft-07 is
// what the default Ajv class implements, so the declaration is dropped rather than aliased.
const { $schema: declaredDraft, ...schema } = JSON.parse(readFileSync(path.join(REPO, "test/packaging/compose-spec.json"), "utf8")) as {
  $schema: string;
};
const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;

function validator() {
  const ajv = new Ajv({ strict: false, allErrors: true });
  addFormats(ajv);
  return ajv.compile(schema);
}

/** Compose's own interpolation for the forms used here: ${VAR:-default} and ${VAR}. */
function interpolate(value: unknown, env: Record<string, string> = {}): unknown {
  if (typeof value === "string") {
    return value.replace(/\$\{(\w+)(?::-([^}]*))?\}/g, (_, name: string, fallback: string | undefined) => env[name] ?? fallback ?? "");
  }
  if (Array.isArray(value)) return value.map((v) => interpolate(v, env));
  if (value && typeof value === "object") return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, interpolate(v, env)]));
  return value;
}

interface Service {
  image?: string;
  build?: { context: string; dockerfile: string };
  ports?: string[];
  networks?: string[];
  restart?: string;
  profiles?: string[];
  secrets?: string[];
  environment?: Record<string, string>;
  volumes?: string[];
  healthcheck?: { test: string[] };
  depends_on?: Record<string, { condition: string }>;
  deploy?: { resources?: { limits?: { cpus?: string; memory?: string }; reservations?: { devices?: unknown[] } } };
}
interface ComposeFile {
  services: Record<string, Service>;
  networks: Record<string, { internal?: boolean }>;
  volumes: Record<string, unknown>;
  secrets: Record<string, { file?: string }>;
}

const raw = readFileSync(path.join(REPO, "compose.yaml"), "utf8");
const compose = parse(raw) as ComposeFile;

describe("compose files against the Compose Specification schema", () => {
  it("is the draft-07 schema", () => expect(declaredDraft).toMatch(/draft-07/));

  it.each([["compose.yaml"], ["docker/compose.gpu.yaml"]])("%s validates (as written and with defaults interpolated)", (file) => {
    const doc = parse(readFileSync(path.join(REPO, file), "utf8")) as unknown;
    const validate = validator();
    expect(validate(doc), JSON.stringify(validate.errors, null, 2)).toBe(true);
    expect(validate(interpolate(doc)), JSON.stringify(validate.errors, null, 2)).toBe(true);
  });

  it("the schema rejects what it should (so a pass above means something)", () => {
    const validate = validator();
    expect(validate({ services: { app: { image: "x", restart: 5 } } })).toBe(false);
    expect(validate({ services: { app: { image: "x", bogus_key: true } } })).toBe(false);
    expect(validate({ services: { app: { image: "x", deploy: { resources: { limits: { memory: ["2g"] } } } } } })).toBe(false);
  });
});

describe("the stack's shape", () => {
  const services = Object.entries(compose.services);

  it("has nginx, app, postgres:16, ollama and an optional vllm profile", () => {
    expect(Object.keys(compose.services).sort()).toEqual(["app", "nginx", "ollama", "postgres", "vllm"]);
    expect(compose.services.postgres!.image).toMatch(/^postgres:16\b/);
    expect(compose.services.vllm!.profiles).toEqual(["vllm"]);
    for (const [name, s] of services) if (name !== "vllm") expect(s.profiles, name).toBeUndefined();
  });

  it("publishes ports on nginx only (443 and the http redirect)", () => {
    for (const [name, s] of services) if (name !== "nginx") expect(s.ports, name).toBeUndefined();
    expect(compose.services.nginx!.ports!.map((p) => String(interpolate(p)))).toEqual(["443:443", "80:80"]);
  });

  it("keeps everything but nginx on an internal network with no route out", () => {
    expect(compose.networks.internal).toEqual({ internal: true });
    expect(compose.networks.edge?.internal).toBeFalsy();
    expect(compose.services.nginx!.networks!.sort()).toEqual(["edge", "internal"]);
    for (const [name, s] of services) if (name !== "nginx") expect(s.networks, name).toEqual(["internal"]);
  });

  it("gives every service a restart policy and resource limits", () => {
    for (const [name, s] of services) {
      expect(s.restart, name).toBe("unless-stopped");
      expect(s.deploy?.resources?.limits?.memory, name).toBeTruthy();
    }
  });

  it("pins images (no floating latest) and builds ours from the Dockerfiles in docker/", () => {
    for (const [name, s] of services) {
      expect(s.image, name).toBeTruthy();
      expect(s.image, name).not.toMatch(/:latest$|^[^:]+$/);
      if (s.build) expect(existsSync(path.join(REPO, s.build.context, s.build.dockerfile)), `${name}: ${s.build.dockerfile}`).toBe(true);
    }
    expect(compose.services.app!.build!.dockerfile).toBe("docker/Dockerfile");
    expect(compose.services.nginx!.build!.dockerfile).toBe("docker/nginx.Dockerfile");
  });

  it("reads the Postgres passwords from secret files, in postgres and in the app, never from plain env", () => {
    expect(compose.secrets.postgres_password).toEqual({ file: "./secrets/postgres_password.txt" });
    expect(compose.secrets.postgres_app_password).toEqual({ file: "./secrets/postgres_app_password.txt" });
    const pg = compose.services.postgres!;
    const app = compose.services.app!;
    expect(pg.secrets).toEqual(["postgres_password", "postgres_app_password"]);
    expect(app.secrets).toEqual(["postgres_password", "postgres_app_password", "datamigrate_secret_key"]);
    expect(pg.environment!.POSTGRES_PASSWORD_FILE).toBe("/run/secrets/postgres_password");
    // The key of stored source credentials (server/guardian/secrets.ts), as a file, never in env.
    expect(compose.secrets.datamigrate_secret_key).toEqual({ file: "./secrets/datamigrate_secret_key.txt" });
    expect(app.environment!.DATAMIGRATE_SECRET_KEY_FILE).toBe("/run/secrets/datamigrate_secret_key");
    expect(pg.secrets).not.toContain("datamigrate_secret_key");
    expect(app.environment!.DATABASE_NAME).toBe(pg.environment!.POSTGRES_DB);
    for (const s of Object.values(compose.services)) {
      for (const [k, v] of Object.entries(s.environment ?? {})) {
        expect(k).not.toMatch(/^(POSTGRES_PASSWORD|DATABASE_URL|DATABASE_OWNER_URL|OPENAI_COMPAT_API_KEY|DATAMIGRATE_SECRET_KEY)$/);
        expect(String(v)).not.toMatch(/postgres:\/\/[^@]*:[^@]*@/);
      }
    }
  });

  it("runs the app as its own role, not the schema's owner: the owner (postgres' user) only through DATABASE_OWNER_*", () => {
    const pg = compose.services.postgres!;
    const app = compose.services.app!;
    // The owner is the role the postgres image creates; the app's role is made by the init script.
    expect(app.environment!.DATABASE_OWNER_USER).toBe(pg.environment!.POSTGRES_USER);
    expect(app.environment!.DATABASE_OWNER_PASSWORD_FILE).toBe("/run/secrets/postgres_password");
    expect(app.environment!.DATABASE_USER).toBe(pg.environment!.DATAMIGRATE_APP_USER);
    expect(app.environment!.DATABASE_USER).not.toBe(pg.environment!.POSTGRES_USER);
    expect(app.environment!.DATABASE_PASSWORD_FILE).toBe("/run/secrets/postgres_app_password");
    expect(pg.environment!.DATAMIGRATE_APP_PASSWORD_FILE).toBe("/run/secrets/postgres_app_password");
    expect(pg.volumes).toContain("./docker/postgres-init:/docker-entrypoint-initdb.d:ro");
    const init = path.join(REPO, "docker/postgres-init/10-datamigrate-app-role.sh");
    expect(existsSync(init)).toBe(true);
    expect(statSync(init).mode & 0o111).not.toBe(0);
  });

  it("configures the app for the proxy: all interfaces, trusted X-Forwarded-For, https public origin, data volume", () => {
    const app = compose.services.app!;
    expect(app.environment!.TRUST_PROXY).toBe("true");
    expect(String(interpolate(app.environment!.PUBLIC_ORIGIN))).toBe("https://localhost");
    expect(app.volumes).toContain("app-data:/data");
    expect(app.depends_on!.postgres!.condition).toBe("service_healthy");
    expect(compose.services.nginx!.depends_on!.app!.condition).toBe("service_healthy");
  });

  it("keeps Postgres and model data in named volumes, with a Postgres healthcheck", () => {
    expect(compose.services.postgres!.volumes).toContain("postgres-data:/var/lib/postgresql/data");
    expect(compose.services.postgres!.healthcheck!.test.join(" ")).toContain("pg_isready");
    expect(compose.services.ollama!.volumes).toContain("ollama-models:/root/.ollama");
    for (const v of ["postgres-data", "app-data", "ollama-models", "nginx-certs", "vllm-models"]) expect(compose.volumes).toHaveProperty(v);
  });

  it("reserves GPUs only where asked: the vllm profile and the docker/compose.gpu.yaml override", () => {
    expect(compose.services.vllm!.deploy!.resources!.reservations!.devices).toHaveLength(1);
    for (const [name, s] of services) if (name !== "vllm") expect(s.deploy?.resources?.reservations, name).toBeUndefined();
    const gpu = parse(readFileSync(path.join(REPO, "docker/compose.gpu.yaml"), "utf8")) as ComposeFile;
    expect(Object.keys(gpu.services)).toEqual(["ollama"]);
  });
});
