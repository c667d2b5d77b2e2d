/**
 * The registration portal in a real browser (Chromium, no test-only shortcuts): sign in, register an email
 * address with the emailed code, an authenticator app from the QR page's secret, and security questions,
 * then "Looks good". Screenshots of each page go to `test-results/` for review.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { Browser, Page } from "playwright-core";
import { auditRows, REGISTRATION_POLICY, totpNow } from "../e2e/registration-support.ts";
import { TEST_PASSWORD } from "../support/app.ts";
import { launchBrowser, type ServedApp, screenshotPath, serveTestApp } from "../support/browser.ts";

describe("registration in Chromium", () => {
  let served: ServedApp;
  let browser: Browser;
  before(async () => {
    served = await serveTestApp({
      policy: { ...REGISTRATION_POLICY, methodsRequired: 2 },
      config: { server: { allowedReturnOrigins: ["https://apps.example.com"] } },
    });
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await served?.close();
  });

  async function shot(page: Page, name: string): Promise<void> {
    await page.screenshot({ path: screenshotPath(`registration-${name}`), fullPage: true });
  }

  test("register email, authenticator app and security questions through the real pages", async () => {
    const user = await served.createUser({ userName: "brenda", displayName: "Brenda Browser", email: null });
    const context = await browser.newContext({ locale: "en-GB" });
    const page = await context.newPage();
    // Sub-resources (stylesheets, the QR data: image) must load and nothing may trip the CSP; the 422 of the
    // refused questions form is the document itself and expected.
    const problems: string[] = [];
    page.on("console", (message) => {
      if (/Content Security Policy/i.test(message.text())) problems.push(message.text());
    });
    page.on("response", (response) => {
      if (response.request().resourceType() !== "document" && response.status() >= 400) {
        problems.push(`${response.status()} ${response.url()}`);
      }
    });

    await page.goto(`${served.baseURL}/register`);
    await shot(page, "1-sign-in");
    await page.getByLabel("User name or email").fill("brenda");
    await page.getByLabel("Password").fill(TEST_PASSWORD);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.waitForURL(`${served.baseURL}/register`);
    assert.match((await page.locator("main").textContent()) ?? "", /Your administrator has required you to verify/);
    await shot(page, "2-interrupt");

    // Email, confirmed with the code from the development mailbox.
    await page.locator('[data-method="email-code"]').getByRole("link", { name: /Add/ }).click();
    await page.getByLabel("Email address").fill("brenda@home.example");
    await shot(page, "3-email");
    await page.getByRole("button", { name: "Send code" }).click();
    await page.waitForURL(/\/register\/enrollments\/[0-9a-z]+\/confirm$/);
    const code = await served.lastCode("brenda@home.example");
    assert.ok(code !== null);
    await page.getByLabel("Code").fill(code);
    await shot(page, "4-email-code");
    await page.getByRole("button", { name: "Confirm" }).click();
    await page.waitForURL(/\/register\?status=added$/);

    // Authenticator app: the QR image renders under the CSP, the secret is typed into "the app" (otpauth).
    await page.locator('[data-method="totp"]').getByRole("link", { name: /Add/ }).click();
    await page.getByLabel("Name").fill("Brenda's phone");
    await page.getByRole("button", { name: "Next" }).click();
    const qr = page.getByTestId("totp-qr");
    await qr.waitFor();
    const qrWidth = await qr.evaluate((img) => (img as HTMLImageElement).naturalWidth);
    assert.ok(qrWidth > 0, "the QR code image loaded");
    await shot(page, "5-totp-setup");
    const secret = ((await page.getByTestId("totp-secret").textContent()) ?? "").replace(/\s+/g, "");
    await page.getByLabel("Code from the app").fill(totpNow(secret, served.clock));
    await page.getByRole("button", { name: "Confirm" }).click();
    await page.waitForURL(/\/register\?status=registered$/);
    assert.match((await page.locator("main").textContent()) ?? "", /You have registered everything needed/);
    await shot(page, "6-registered");

    // Security questions: pick three from the pool; a repeated answer is refused first (SQ-08).
    await page.locator('[data-method="security-questions"]').getByRole("link", { name: /Add/ }).click();
    const choices = [
      ["29", "Rex"],
      ["12", "Lasagne"],
      ["32", "rex"],
    ];
    for (const [index, [question, answer]] of choices.entries()) {
      await page.locator(`#f-question${index + 1}`).selectOption(question ?? "");
      await page.locator(`#f-answer${index + 1}`).fill(answer ?? "");
    }
    await page.getByRole("button", { name: "Save answers" }).click();
    assert.match(
      (await page.locator(".error-summary").textContent()) ?? "",
      /Use a different answer for each question/,
    );
    await shot(page, "7-questions-error");
    await page.locator("#f-answer1").fill("Rex the dog");
    await page.locator("#f-answer2").fill("Lasagne");
    await page.locator("#f-answer3").fill("Paper boy");
    await page.getByRole("button", { name: "Save answers" }).click();
    await page.waitForURL(/\/register\?status=added$/);
    assert.match(
      (await page.locator('[data-method="security-questions"]').textContent()) ?? "",
      /3 questions answered/,
    );
    await shot(page, "8-overview");

    await page.getByRole("button", { name: "Looks good" }).click();
    await page.waitForURL(/\/register\?status=reviewed$/);
    await shot(page, "9-reviewed");

    const rows = await served.registry.stores.enrollments.listForUser(user.id);
    assert.deepEqual(rows.map((r) => `${r.method}:${r.status}`).sort(), [
      "email-code:active",
      "security-questions:active",
      "totp:active",
    ]);
    const info = (await auditRows(served.registry, "registeredInfo")).filter((e) => e.targetName === "brenda");
    assert.equal(info.length, 3);
    assert.deepEqual(problems, [], "no CSP violations or failed sub-resource loads");
    await context.close();
  });

  test("the sign-in page is localised from the browser's language", async () => {
    const context = await browser.newContext({ locale: "de-DE" });
    const page = await context.newPage();
    await page.goto(`${served.baseURL}/register`);
    assert.match((await page.locator("h1").textContent()) ?? "", /Melden Sie sich an/);
    await shot(page, "10-sign-in-de");
    await context.close();
  });
});
