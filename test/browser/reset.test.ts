/**
 * The whole reset flow in Chromium through the pages (SPEC §6): identify with the self-hosted proof-of-work
 * CAPTCHA widget (loaded under the strict CSP), choose the path and the email method, type the address,
 * enter the emailed code, watch the strength meter react, set the new password. Screenshots of every step
 * go to `test-results/`.
 */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import type { Browser } from "playwright-core";
import { launchBrowser, type ServedApp, screenshotPath, serveTestApp } from "../support/browser.ts";

let served: ServedApp;
let browser: Browser;

before(async () => {
  served = await serveTestApp({
    config: { security: { captchaMaxNumber: 1000 } },
    policy: { enabled: "all", methods: ["email-code", "totp"], methodsRequired: 1 },
  });
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await served?.close();
});

test("a person resets a forgotten password in Chromium, CAPTCHA widget included", async () => {
  const user = await served.createUser({ userName: "rosa", email: "rosa@example.test" });
  const page = await browser.newPage();
  const problems: string[] = [];
  page.on("console", (message) => {
    // Failed loads are reported below with their URL (the browser's own favicon probe is not ours).
    if (message.type() === "error" && !message.text().startsWith("Failed to load resource"))
      problems.push(message.text());
  });
  page.on("response", (response) => {
    if (response.status() >= 400 && !response.url().endsWith("/favicon.ico"))
      problems.push(`${response.status()} ${response.url()}`);
  });
  page.on("pageerror", (error) => problems.push(error.message));
  page.on("request", (request) => {
    if (
      !request.url().startsWith(served.baseURL) &&
      !request.url().startsWith("data:") &&
      !request.url().startsWith("blob:")
    ) {
      problems.push(`request left the origin: ${request.url()}`);
    }
  });

  await page.goto(`${served.baseURL}/reset`);
  await page.screenshot({ path: screenshotPath("reset-1-identify"), fullPage: true });
  await page.fill("#f-identifier", "rosa");
  await page.locator("altcha-widget input[type=checkbox]").click({ force: true });
  await page.waitForFunction(
    () => ((document.querySelector('input[name="altcha"]') as HTMLInputElement | null)?.value ?? "").length > 0,
    undefined,
    { timeout: 30_000 },
  );
  await page.screenshot({ path: screenshotPath("reset-2-captcha-solved"), fullPage: true });
  await page.click("button.button--primary");
  await page.waitForURL(/\/reset\/[0-9a-z]+$/);
  assert.match((await page.textContent("h1")) ?? "", /trouble signing in/);
  await page.screenshot({ path: screenshotPath("reset-3-path"), fullPage: true });
  await page.click("button.button--primary");

  await page.waitForSelector("text=Email my alternate email");
  await page.screenshot({ path: screenshotPath("reset-4-method"), fullPage: true });
  await page.check("input[value=email-code]");
  await page.click("form[action$='/method'] button.button--primary");
  await page.waitForSelector("#f-email");
  await page.fill("#f-email", "rosa@example.test");
  await page.screenshot({ path: screenshotPath("reset-5-destination"), fullPage: true });
  await page.click("form[action$='/send'] button");
  await page.waitForSelector("#f-code");
  const code = await served.lastCode("rosa@example.test");
  assert.ok(code !== null);
  await page.fill("#f-code", code);
  await page.screenshot({ path: screenshotPath("reset-6-code"), fullPage: true });
  await page.click("form[action$='/verify'] button");

  await page.waitForSelector("#f-password");
  await page.fill("#f-password", "Tangerine-Compass-Velvet-93");
  // The live meter (strength.js) asks the server and updates without a page load.
  await page.waitForFunction(
    () => Number((document.getElementById("strength-meter") as HTMLMeterElement | null)?.value ?? 0) >= 3,
    undefined,
    {
      timeout: 10_000,
    },
  );
  await page.fill("#f-confirm", "Tangerine-Compass-Velvet-93");
  await page.screenshot({ path: screenshotPath("reset-7-new-password"), fullPage: true });
  await page.click("button[value=set]");
  await page.waitForSelector("text=Your password has been reset");
  await page.screenshot({ path: screenshotPath("reset-8-done"), fullPage: true });

  assert.equal(await served.registry.directory.passwords?.verify?.(user, "Tangerine-Compass-Velvet-93"), true);
  assert.deepEqual(problems, []);
  await page.close();
});
