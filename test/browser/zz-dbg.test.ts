import { test } from "node:test";
import { launchBrowser, serveTestApp } from "/work/main/test/support/browser.ts";
test("dbg", async () => {
  const s = await serveTestApp({ config: { security: { captchaMaxNumber: 1000 } }, policy: { enabled: "all", methods: ["email-code", "totp"] } });
  const b = await launchBrowser();
  try {
    const page = await b.newPage();
    page.on("console", (m) => console.log("CONSOLE", m.type(), m.text()));
    page.on("pageerror", (e) => console.log("PAGEERR", e.message));
    page.on("requestfailed", (r) => console.log("REQFAIL", r.url(), r.failure()?.errorText));
    page.on("response", (r) => console.log("RESP", r.status(), r.url()));
    await page.goto(`${s.baseURL}/reset`);
    await page.locator("altcha-widget input[type=checkbox]").click({ force: true });
    await new Promise((r) => setTimeout(r, 5000));
    console.log(await page.evaluate(() => document.querySelector("altcha-widget")?.outerHTML.slice(0, 3000)));
    console.log(await page.evaluate(() => [...document.querySelectorAll("input")].map((i) => `${i.name}=${i.value.slice(0,40)}`).join(" | ")));
  } finally { await b.close(); await s.close(); }
});
