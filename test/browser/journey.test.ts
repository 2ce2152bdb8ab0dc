// The browser journey in real Chromium (Debian's /usr/bin/chromium, driven by playwright-core)
// against a real server process on 127.0.0.1: register → log in → upload a database → watch the
// run complete → open an object (side by side) → download the dbt project zip → log out. Any
// request to a host other than 127.0.0.1/localhost fails the test. Screenshots of every page at
// 1280 px (and a few at tablet width) go to test-results/screenshots/ (not committed).
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { unzipSync, strFromU8 } from "fflate";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDb, type TestDb } from "../support/db.ts";
import { freePort } from "../support/net.ts";

const CHROMIUM = "/usr/bin/chromium";
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const FIXTURE = path.join(ROOT, "test/browser/fixture");
const SHOTS = path.join(ROOT, "test-results/screenshots");
const hasChromium = existsSync(CHROMIUM);
if (!hasChromium) console.warn(`browser journey skipped: ${CHROMIUM} is missing (apt-get install chromium; .ci/run does)`);

async function waitForReady(base: string, child: ChildProcess, output: () => string): Promise<void> {
  const deadline = Date.now() + 90_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`server exited (${child.exitCode}):\n${output()}`);
    try {
      if ((await fetch(`${base}/readyz`)).status === 200) return;
    } catch {
      /* not listening yet */
    }
    if (Date.now() > deadline) throw new Error(`server not ready in 90 s:\n${output()}`);
    await new Promise((r) => setTimeout(r, 300));
  }
}

describe.skipIf(!hasChromium)("browser journey (Chromium)", () => {
  let server: ChildProcess | undefined;
  let testDb: TestDb | undefined;
  let dataDir = "";
  let profileDir = "";
  let base = "";
  let log = "";

  beforeAll(async () => {
    await mkdir(SHOTS, { recursive: true });
    dataDir = await mkdtemp(path.join(tmpdir(), "dm-journey-data-"));
    profileDir = await mkdtemp(path.join(tmpdir(), "dm-journey-profile-"));
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    // With TEST_DATABASE_URL the server gets its own fresh Postgres database; without, embedded PGlite on disk.
    let databaseUrl: string | undefined;
    if (process.env.TEST_DATABASE_URL) {
      testDb = await createTestDb({ migrate: false });
      databaseUrl = testDb.url;
      await testDb.handle.close();
    }
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      NODE_ENV: "test",
      HOST: "127.0.0.1",
      PORT: String(port),
      PUBLIC_ORIGIN: base,
      DATA_DIR: dataDir,
      LOG_LEVEL: "warn",
      ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}),
    };
    server = spawn(process.execPath, ["--import", "tsx", "server/main.ts"], { cwd: ROOT, env, stdio: ["ignore", "pipe", "pipe"] });
    server.stdout!.on("data", (d) => (log += String(d)));
    server.stderr!.on("data", (d) => (log += String(d)));
    await waitForReady(base, server, () => log);
  }, 120_000);

  afterAll(async () => {
    if (server && server.exitCode === null) {
      server.kill("SIGTERM");
      await new Promise((r) => server!.once("exit", r));
    }
    if (testDb) {
      // The handle is closed already; dispose drops the database.
      await testDb.dispose().catch(() => undefined);
    }
    await rm(dataDir, { recursive: true, force: true });
    await rm(profileDir, { recursive: true, force: true });
  }, 60_000);

  it("register → log in → upload → complete → object side by side → download zip → log out, all on localhost", async () => {
    const { chromium } = await import("playwright-core");
    const context = await chromium.launchPersistentContext(profileDir, {
      executablePath: CHROMIUM,
      headless: true,
      args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
      viewport: { width: 1280, height: 900 },
      acceptDownloads: true,
    });
    const foreign: string[] = [];
    await context.route("**/*", (route) => {
      const url = new URL(route.request().url());
      if (url.hostname !== "127.0.0.1" && url.hostname !== "localhost") {
        foreign.push(url.href);
        return route.abort();
      }
      return route.continue();
    });
    const consoleErrors: string[] = [];
    const page = context.pages()[0] ?? (await context.newPage());
    page.on("console", (m) => {
      if (m.type() === "error") consoleErrors.push(m.text());
    });
    page.on("pageerror", (e) => consoleErrors.push(String(e)));
    const shot = async (name: string) => page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true });

    try {
      const email = `journey-${Date.now()}@example.com`;
      const password = "a long journey passphrase";

      // Register.
      await page.goto(`${base}/register`);
      await shot("01-register");
      await page.getByLabel("Organisation name").fill("Journey Library");
      await page.getByLabel("E-mail").fill(email);
      await page.getByLabel("Password").fill(password);
      await page.getByRole("button", { name: "Create organisation" }).click();
      await page.waitForURL(`${base}/dashboard`);
      await expect.poll(() => page.getByText("No migrations yet").isVisible()).toBe(true);
      await shot("02-dashboard-empty");

      // Log out and in again.
      await page.getByRole("button", { name: "Sign out" }).click();
      await page.waitForURL(/\/login$/);
      await shot("03-login");
      await page.getByLabel("E-mail").fill(email);
      await page.getByLabel("Password").fill(password);
      await page.getByRole("button", { name: "Sign in" }).click();
      await page.waitForURL(`${base}/dashboard`);

      // Upload the fixture database.
      await page.getByRole("link", { name: "New migration" }).first().click();
      await page.waitForURL(`${base}/migrations/new`);
      await shot("04-new-migration");
      await page.getByLabel("Name", { exact: true }).fill("Library journey");
      await page.locator('input[type="file"][name="files"]').setInputFiles([path.join(FIXTURE, "01-tables.sql"), path.join(FIXTURE, "02-views.sql")]);
      await page.getByRole("button", { name: "Start migration" }).click();
      await page.waitForURL(/\/migrations\/[0-9a-f-]{36}$/);
      const migrationUrl = page.url();
      await shot("05-migration-progress");

      // Watch it complete: the page polls itself; no reload here.
      await page.locator("h1 .badge.status-completed, h1 .badge.status-failed").first().waitFor({ timeout: 180_000 });
      const status = await page.locator("h1 .badge").first().textContent();
      expect(status?.trim(), `run did not complete; server log:\n${log.slice(-4000)}`).toBe("completed");
      await expect.poll(() => page.locator("#object-table a").count()).toBeGreaterThan(3);
      await shot("06-migration-completed");

      // Open a view's object page: side by side.
      await page.getByRole("link", { name: "Library.vBooksByAuthor" }).click();
      await page.waitForURL(/\/objects\/[0-9a-f-]{36}$/);
      await expect.poll(() => page.locator(".side-by-side table.code").count()).toBe(2);
      expect(await page.locator(".side-by-side .pane").first().textContent()).toContain("LEFT JOIN Library.Book");
      expect((await page.locator(".side-by-side .pane").nth(1).textContent())?.toLowerCase()).toContain("left join");
      await shot("07-object-side-by-side");

      // Re-run this object's validation from its page: the button posts (htmx, with its value), the
      // re-run runs as a job in the server, and the page polls itself until the history shows its end.
      const objectUrl = page.url();
      await page.getByRole("button", { name: "Validation", exact: true }).click();
      await expect.poll(() => page.locator("#rerun").textContent(), { timeout: 120_000 }).toMatch(/validation\s*(completed|failed)/);
      expect(page.url()).toBe(objectUrl);
      expect(await page.locator("#rerun table").textContent(), `server log:\n${log.slice(-4000)}`).toMatch(/validation\s*completed/);
      expect(await page.locator('#rerun button[value="translate"]').isDisabled()).toBe(false);
      await shot("07b-object-rerun");

      // Report, lineage, downloads.
      await page.goto(`${migrationUrl}/report`);
      await expect.poll(() => page.locator("svg.chart").count()).toBeGreaterThan(1);
      await shot("08-report");
      await page.goto(`${migrationUrl}/lineage`);
      await expect.poll(() => page.locator("svg.lineage .node").count()).toBeGreaterThan(2);
      await shot("09-lineage");
      await page.goto(`${migrationUrl}/downloads`);
      await shot("10-downloads");
      const [download] = await Promise.all([page.waitForEvent("download"), page.getByRole("link", { name: "Download project (.zip)" }).click()]);
      const zipPath = await download.path();
      const entries = unzipSync(new Uint8Array(await readFile(zipPath)));
      const names = Object.keys(entries);
      expect(names.some((n) => n.endsWith("/dbt_project.yml"))).toBe(true);
      const views = names.filter((n) => /\/models\/.*v_?books_?by_?author\.sql$/i.test(n));
      expect(views, names.join("\n")).toHaveLength(1);
      expect(strFromU8(entries[views[0]!]!).toLowerCase()).toContain("left join");

      // Tablet width: the main pages still lay out.
      await page.setViewportSize({ width: 768, height: 1000 });
      await page.goto(migrationUrl);
      await page.screenshot({ path: path.join(SHOTS, "11-migration-768.png"), fullPage: true });
      await page.getByRole("link", { name: "Library.vBooksByAuthor" }).click();
      await page.waitForURL(/\/objects\//);
      await page.screenshot({ path: path.join(SHOTS, "12-object-768.png"), fullPage: true });
      await page.setViewportSize({ width: 1280, height: 900 });

      // Settings pages, then the dashboard with the migration.
      await page.goto(`${base}/settings/members`);
      await shot("13-members");
      await page.goto(`${base}/settings/api-keys`);
      await shot("14-api-keys");
      await page.goto(`${base}/dashboard`);
      await expect.poll(() => page.getByRole("link", { name: "Library journey" }).isVisible()).toBe(true);
      await shot("15-dashboard");

      // Log out: back to the sign-in page, and the dashboard is closed.
      await page.getByRole("button", { name: "Sign out" }).click();
      await page.waitForURL(/\/login$/);
      await page.goto(`${base}/dashboard`);
      await page.waitForURL(/\/login$/);

      expect(foreign, "requests left localhost").toEqual([]);
      expect(consoleErrors, "browser console errors (CSP violations included)").toEqual([]);
    } finally {
      await context.close();
    }
  }, 300_000);
});
