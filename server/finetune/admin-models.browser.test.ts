// The Models page in real Chromium (Debian's /usr/bin/chromium via playwright-core; skipped without
// it): the static upload script sends a GGUF and a Modelfile with a progress bar, survives a
// dropped request (the first PUT is aborted; it asks the server for the offset and resumes), then
// the form creates the model in the fake Ollama and the page lists it. No console errors (the
// strict CSP included).
import { existsSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startFakeOllama, type FakeLlmServer } from "../../test/support/fake-llm.ts";
import { createTestDb, type TestDb } from "../../test/support/db.ts";
import type { RunningServer } from "../web/server.ts";
import { fakeGguf, ollamaCreateRoutes, type OllamaCreateState } from "./fake-ollama-create.ts";
import { freePort } from "../../test/support/net.ts";

const CHROMIUM = "/usr/bin/chromium";
const hasChromium = existsSync(CHROMIUM);

describe.skipIf(!hasChromium)("Models page in Chromium", () => {
  let server: RunningServer | undefined;
  let ollama: FakeLlmServer;
  let state: OllamaCreateState;
  let dir = "";
  let testDb: TestDb | undefined;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), "dm-models-browser-"));
    const r = ollamaCreateRoutes();
    state = r.state;
    ollama = await startFakeOllama({ models: ["datamigrate-coder-small"], extraRoutes: r.routes });
    const port = await freePort();
    let databaseUrl: string | undefined;
    if (process.env.TEST_DATABASE_URL) {
      testDb = await createTestDb({ migrate: false });
      databaseUrl = testDb.url;
      await testDb.handle.close();
    }
    const { startServer } = await import("../web/server.ts");
    server = await startServer({
      env: {
        HOST: "127.0.0.1",
        PORT: String(port),
        PUBLIC_ORIGIN: `http://127.0.0.1:${port}`,
        DATA_DIR: path.join(dir, "data"),
        LOG_LEVEL: "warn",
        OLLAMA_URL: ollama.url,
        ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}),
      },
    });
  }, 120_000);

  afterAll(async () => {
    await server?.close();
    await ollama?.close();
    await testDb?.dispose();
    await rm(dir, { recursive: true, force: true });
  }, 60_000);

  it("uploads with progress, resumes after a dropped request, loads into Ollama", { timeout: 180_000 }, async () => {
    const base = server!.url.replace("localhost", "127.0.0.1");
    const email = `models-${Date.now()}@example.com`;
    const password = "a long models passphrase";
    const reg = await fetch(`${base}/api/v1/auth/register`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ email, password, organizationName: "Browser Org" }),
    });
    expect(reg.status).toBe(201);
    const weights = path.join(dir, "acme-coder.gguf");
    await writeFile(weights, fakeGguf(3 * 1024 * 1024, 8));
    const modelfile = path.join(dir, "Modelfile");
    await writeFile(modelfile, 'FROM ./weights/acme-coder.gguf\nPARAMETER temperature 0.1\nPARAMETER stop "<|im_end|>"\n');

    const { chromium } = await import("playwright-core");
    const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"] });
    const consoleErrors: string[] = [];
    try {
      const context = await browser.newContext();
      const page = await context.newPage();
      page.on("console", (m) => {
        // The dropped request below is reported by Chromium as a network error; anything else counts.
        if (m.type() === "error" && !/ERR_CONNECTION_RESET|Failed to load resource/.test(m.text())) consoleErrors.push(m.text());
      });
      page.on("pageerror", (e) => consoleErrors.push(String(e)));
      await page.goto(`${base}/login`);
      await page.fill("input[name=email]", email);
      await page.fill("input[name=password]", password);
      await Promise.all([page.waitForURL((u) => !u.pathname.startsWith("/login")), page.click("button[type=submit]")]);

      // The first PUT of the weights is dropped on the way (as by a broken connection).
      let dropped = 0;
      await context.route(/\/admin\/models\/uploads\/[0-9a-f-]{36}\?offset=0$/, async (route) => {
        if (route.request().method() === "PUT" && dropped === 0) {
          dropped++;
          return route.abort("connectionreset");
        }
        return route.continue();
      });
      await page.goto(`${base}/admin/models`);
      await page.setInputFiles("input[data-kind=gguf]", weights);
      await page.setInputFiles("input[data-kind=modelfile]", modelfile);
      await page.click("#upload-start");
      // Polled from the test side: the page's CSP forbids evaluating strings (waitForFunction).
      await page.locator("#upload-status", { hasText: /All files uploaded|Upload failed/ }).waitFor({ timeout: 120_000 });
      expect(await page.locator("#upload-status").textContent()).toMatch(/All files uploaded/);
      expect(dropped).toBe(1);
      expect(await page.locator("#upload-progress").evaluate((e) => (e as unknown as { value: number }).value)).toBe(100);
      expect(await page.locator("#modelfile-upload-id").inputValue()).toMatch(/^[0-9a-f-]{36}$/);

      await page.fill("#load-form input[name=name]", "acme-coder:v1");
      await Promise.all([page.waitForLoadState("load"), page.click("#load-form button[type=submit]")]);
      await page.waitForSelector("text=was created in Ollama");
      expect(state.creates.at(-1)).toMatchObject({ model: "acme-coder:v1", parameters: { temperature: 0.1, stop: ["<|im_end|>"] } });
      expect(await page.locator("#registered-models").textContent()).toContain("acme-coder:v1");
      expect(consoleErrors).toEqual([]);
    } finally {
      await browser.close();
    }
  });
});
