import { buildTestApp, TEST_PASSWORD } from "./support/app.ts";
import { createClient } from "./support/http-client.ts";
const t = await buildTestApp();
const admin = await t.createAdmin({ userName: "ada" });
const totp = await t.enrollTOTP(admin);
const c = createClient(t.app);
let r = await c.get("/admin");
console.log("GET /admin", r.status, r.redirects);
r = await c.postForm("/admin/sign-in", { userName: "ada", password: TEST_PASSWORD });
console.log("signin", r.status, r.redirects, r.body.match(/<main.*<\/main>/s)?.[0].slice(0, 1500));
r = await c.postForm("/admin/sign-in/verify", { code: totp.code() });
console.log("verify", r.status, r.redirects, r.body.slice(0, 300));
for (const url of ["/admin", "/admin/policy", "/admin/users", `/admin/users/${admin.id}`, "/admin/groups", "/admin/outbox", "/admin/audit", "/admin/settings"]) {
  r = await c.get(url);
  console.log(url, r.status, r.status !== 200 ? r.body.slice(0, 2000) : "");
}
await t.close();
