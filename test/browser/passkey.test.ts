/**
 * Passkeys in Chromium (issue 5): with a virtual authenticator from the DevTools WebAuthn domain (CTAP2,
 * internal transport, resident keys, user verification), a person registers a passkey through the real
 * `/register` pages (our passkey.js + the self-hosted @simplewebauthn/browser bundle under the strict CSP),
 * then resets the password through `/reset` with it. WebAuthn needs a secure context: the server is reached
 * as `http://localhost:<port>` and `server.publicUrl` is that origin. Screenshots: `test-results/passkey-*`.
 */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import type { Browser, Page } from "playwright-core";
import { buildTestApp, TEST_PASSWORD, type TestApp } from "../support/app.ts";
import { freePort, launchBrowser, screenshotPath } from "../support/browser.ts";

let served: TestApp;
let baseURL: string;
let browser: Browser;

before(async () => {
  const port = await freePort();
  baseURL = `http://localhost:${port}`;
  served = await buildTestApp({
    config: { server: { publicUrl: baseURL }, security: { captchaMaxNumber: 1000 } },
    policy: {
      enabled: "all",
      methodsRequired: 1,
      methods: ["email-code", "passkey"],
      registration: { required: true, reconfirmDays: 90 },
    },
  });
  await served.app.listen({ port, host: "127.0.0.1" });
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await served?.close();
});

async function shot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: screenshotPath(`passkey-${name}`), fullPage: true });
}

test("a person registers a passkey in Chromium and resets the password with it", async () => {
  const user = await served.createUser({ userName: "petra", email: null });
  const context = await browser.newContext();
  const page = await context.newPage();
  const problems: string[] = [];
  page.on("console", (message) => {
    if (message.type() === "error" && !message.text().startsWith("Failed to load resource"))
      problems.push(message.text());
  });
  page.on("response", (response) => {
    if (response.status() >= 400 && !response.url().endsWith("/favicon.ico"))
      problems.push(`${response.status()} ${response.url()}`);
  });
  page.on("pageerror", (error) => problems.push(error.message));

  const cdp = await context.newCDPSession(page);
  await cdp.send("WebAuthn.enable");
  const { authenticatorId } = await cdp.send("WebAuthn.addVirtualAuthenticator", {
    options: {
      protocol: "ctap2",
      transport: "internal",
      hasResidentKey: true,
      hasUserVerification: true,
      isUserVerified: true,
    },
  });

  // ---- registration ----
  await page.goto(`${baseURL}/register`);
  await page.getByLabel("User name or email").fill("petra");
  await page.getByLabel("Password").fill(TEST_PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.waitForURL(`${baseURL}/register`);
  await shot(page, "1-register-overview");
  await page.locator('[data-method="passkey"]').getByRole("link", { name: /Add/ }).click();
  await page.waitForURL(/\/register\/methods\/passkey$/);
  await page.locator('input[name="label"]').fill("Work laptop");
  await shot(page, "2-register-name");
  await page.locator("form button.button--primary").first().click();
  const create = page.locator("[data-webauthn-start]");
  await create.waitFor({ state: "visible" });
  await shot(page, "3-register-create");
  await create.click();
  await page.waitForURL(/\/register\?status=registered$/);
  await shot(page, "4-registered");
  const main = (await page.locator("main").textContent()) ?? "";
  assert.match(main, /Work laptop/);
  const { credentials } = await cdp.send("WebAuthn.getCredentials", { authenticatorId });
  assert.equal(credentials.length, 1);
  assert.equal(credentials[0]?.isResidentCredential, true, "a discoverable credential");
  const stored = (await served.registry.stores.enrollments.listForUser(user.id)).filter((e) => e.method === "passkey");
  assert.equal(stored.length, 1);
  assert.equal(stored[0]?.status, "active");
  assert.equal(
    stored[0]?.data.credentialId,
    credentials[0]?.credentialId.replace(/=+$/, "").replace(/\+/g, "-").replace(/\//g, "_"),
  );

  // ---- reset with the passkey, in a fresh page of the same browser (the passkey lives in the authenticator) ----
  await page.goto(`${baseURL}/reset`);
  await page.fill("#f-identifier", "petra");
  await page.locator("altcha-widget input[type=checkbox]").click({ force: true });
  await page.waitForFunction(
    () => ((document.querySelector('input[name="altcha"]') as HTMLInputElement | null)?.value ?? "").length > 0,
    undefined,
    { timeout: 30_000 },
  );
  await page.click("button.button--primary");
  await page.waitForURL(/\/reset\/[0-9a-z]+$/);
  await page.click("button.button--primary");
  await page.waitForSelector("input[value=passkey]");
  await shot(page, "5-reset-methods");
  await page.check("input[value=passkey]");
  await page.click("form[action$='/method'] button.button--primary");
  const use = page.locator("[data-webauthn-start]");
  await use.waitFor({ state: "visible" });
  await shot(page, "6-reset-passkey");
  await use.click();
  await page.waitForSelector("#f-password");
  await shot(page, "7-reset-new-password");
  await page.fill("#f-password", "Tangerine-Compass-Velvet-93");
  // Let the live strength meter answer before the flow ends (its request would otherwise meet a finished flow).
  await page.waitForFunction(
    () => Number((document.getElementById("strength-meter") as HTMLMeterElement | null)?.value ?? 0) >= 3,
    undefined,
    { timeout: 10_000 },
  );
  await page.fill("#f-confirm", "Tangerine-Compass-Velvet-93");
  await page.click("button[value=set]");
  await page.waitForSelector("text=Your password has been reset");
  await shot(page, "8-reset-done");

  assert.equal(await served.registry.directory.passwords?.verify?.(user, "Tangerine-Compass-Velvet-93"), true);
  const after = (await served.registry.stores.enrollments.listForUser(user.id)).find((e) => e.method === "passkey");
  assert.ok(Number(after?.data.counter) >= 0);
  assert.ok(after?.lastUsedAt instanceof Date, "the passkey is marked as used");
  assert.deepEqual(problems, []);
  await context.close();
});
