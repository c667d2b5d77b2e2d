/**
 * First-run administrator: with nobody in the admin groups, a one-time setup link (24 h, stored digested)
 * lets its holder create the first administrator, who is then sent to register methods. The link dies once
 * used, once expired, and as soon as any administrator exists.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { createFirstRunLink } from "../../src/http/admin/first-run.ts";
import { HOUR_MS } from "../../src/kernel/clock.ts";
import { buildTestApp } from "../support/app.ts";
import { createClient } from "../support/http-client.ts";

const GOOD = {
  userName: "root-admin",
  displayName: "Root Admin",
  email: "root@example.test",
  password: "Violet-Harbour-Lantern-93",
  confirm: "Violet-Harbour-Lantern-93",
};

describe("first-run setup", () => {
  test("creates the first administrator and sends them to register their methods", async () => {
    const t = await buildTestApp();
    try {
      const link = await createFirstRunLink(t.registry);
      assert.ok(link !== null);
      assert.match(link, /^http:\/\/localhost:3000\/admin\/setup\?token=[A-Za-z0-9_-]{43}$/);
      const token = new URL(link).searchParams.get("token") ?? "";
      assert.ok(
        !JSON.stringify(await t.registry.stores.settings.get("admin.setup")).includes(token),
        "stored digested",
      );

      const client = createClient(t.app);
      const page = await client.get(`/admin/setup?token=${token}`);
      assert.equal(page.status, 200);
      assert.match(page.body, /Set up the first administrator/);

      const mismatch = await client.postForm("/admin/setup", { ...GOOD, token, confirm: "something-else-entirely" });
      assert.equal(mismatch.status, 400);
      const weak = await client.postForm("/admin/setup", { ...GOOD, token, password: "password", confirm: "password" });
      assert.equal(weak.status, 422);
      assert.equal(await t.registry.directory.findUser("root-admin"), null, "nothing created on a refused form");

      const done = await client.postForm("/admin/setup", { ...GOOD, token }, { follow: false });
      assert.equal(done.status, 303);
      assert.equal(done.location, "/register?return_to=%2Fadmin");
      const user = await t.registry.directory.findUser("root-admin");
      assert.ok(user !== null);
      assert.equal(await t.registry.policy.isAdmin(user), true);
      const { rows } = await t.registry.stores.audit.query({
        activity: "First administrator set up",
        offset: 0,
        limit: 5,
      });
      assert.equal(rows[0]?.targetId, user.id);

      // single use, and no new link once an administrator exists
      assert.equal((await client.get(`/admin/setup?token=${token}`)).status, 403);
      const again = await client.postForm(
        "/admin/setup",
        { ...GOOD, userName: "second", token },
        { csrf: client.csrfToken() },
      );
      assert.equal(again.status, 403);
      assert.equal(await createFirstRunLink(t.registry), null);
    } finally {
      await t.close();
    }
  });

  test("a wrong or expired token is refused", async () => {
    const t = await buildTestApp();
    try {
      const link = await createFirstRunLink(t.registry);
      const token = new URL(link ?? "http://x").searchParams.get("token") ?? "";
      assert.equal((await t.app.inject({ method: "GET", url: "/admin/setup?token=wrong" })).statusCode, 403);
      assert.equal((await t.app.inject({ method: "GET", url: "/admin/setup" })).statusCode, 403);
      t.clock.advance(24 * HOUR_MS + 1000);
      assert.equal((await t.app.inject({ method: "GET", url: `/admin/setup?token=${token}` })).statusCode, 403);
    } finally {
      await t.close();
    }
  });
});
