/**
 * Change a known password (SPEC §6): user name, current password, new password twice, over the page and the
 * API. Wrong current password, unknown and disabled accounts get the same answer; the policy applies (not the
 * current password); success revokes sessions and is audited "Change password (self-service)".
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { buildTestApp, TEST_PASSWORD, type TestApp } from "../support/app.ts";
import { createClient } from "../support/http-client.ts";

const NEW_PASSWORD = "Harbor-Velvet-Comet-83";

async function app(): Promise<TestApp> {
  return buildTestApp({ policy: { enabled: "all", methods: ["email-code", "totp"] } });
}

test("a user changes their password on the page; sessions are revoked and the change is audited", async () => {
  const t = await app();
  try {
    const mia = await t.createUser({ userName: "mia" });
    await t.registry.stores.sessions.insert({
      idDigest: "mia-session",
      userId: mia.id,
      kind: "portal",
      data: {},
      createdAt: t.clock.now(),
      expiresAt: new Date(t.clock.now().getTime() + 3_600_000),
      lastSeenAt: t.clock.now(),
    });
    const browser = createClient(t.app);
    const page = await browser.get("/change");
    assert.match(page.body, /Change your password/);
    const done = await browser.postForm("/change", {
      userName: "mia",
      currentPassword: TEST_PASSWORD,
      newPassword: NEW_PASSWORD,
      confirm: NEW_PASSWORD,
    });
    assert.equal(done.redirects[0]?.location, "/change/done");
    assert.match(done.body, /Your password has been changed/);
    assert.equal(await t.registry.directory.passwords?.verify?.(mia, NEW_PASSWORD), true);
    assert.equal(await t.registry.stores.sessions.get("mia-session"), null);
    const audit = await t.registry.stores.audit.query({
      activity: "Change password (self-service)",
      offset: 0,
      limit: 5,
    });
    assert.equal(audit.rows.filter((r) => r.outcome === "success" && r.targetId === mia.id).length, 1);
    const notice = await t.mailbox("mia@example.test");
    assert.match(notice[0]?.subject ?? "", /your password has been changed/);
  } finally {
    await t.close();
  }
});

test("wrong current password, unknown and disabled accounts all get the same 401", async () => {
  const t = await app();
  try {
    await t.createUser({ userName: "noah" });
    await t.createUser({ userName: "olga", enabled: false });
    const api = createClient(t.app);
    const bodies: string[] = [];
    for (const [userName, currentPassword] of [
      ["noah", "not-the-password"],
      ["nobody-here", TEST_PASSWORD],
      ["olga", TEST_PASSWORD],
    ] as const) {
      const response = await api.json("POST", "/api/v1/change", {
        userName,
        currentPassword,
        newPassword: NEW_PASSWORD,
        confirm: NEW_PASSWORD,
      });
      assert.equal(response.status, 401, response.body);
      bodies.push(response.body.replace(/"supportCode":"[^"]+"/, ""));
    }
    assert.equal(new Set(bodies).size, 1);
  } finally {
    await t.close();
  }
});

test("the policy applies: not the current password, not a banned one; the two new passwords must match", async () => {
  const t = await app();
  try {
    await t.createUser({ userName: "paul" });
    const api = createClient(t.app);
    const same = await api.json("POST", "/api/v1/change", {
      userName: "paul",
      currentPassword: TEST_PASSWORD,
      newPassword: TEST_PASSWORD,
      confirm: TEST_PASSWORD,
    });
    assert.equal(same.status, 422);
    assert.ok(same.json<{ error: { issues: { rule: string }[] } }>().error.issues.some((i) => i.rule === "current"));
    const banned = await api.json("POST", "/api/v1/change", {
      userName: "paul",
      currentPassword: TEST_PASSWORD,
      newPassword: "Password123",
      confirm: "Password123",
    });
    assert.equal(banned.status, 422);
    const mismatch = await api.json("POST", "/api/v1/change", {
      userName: "paul",
      currentPassword: TEST_PASSWORD,
      newPassword: NEW_PASSWORD,
      confirm: "other",
    });
    assert.equal(mismatch.status, 400);
    // Inline on the page, with the support code.
    const browser = createClient(t.app);
    const page = await browser.postForm("/change", {
      userName: "paul",
      currentPassword: TEST_PASSWORD,
      newPassword: "Password123",
      confirm: "Password123",
    });
    assert.equal(page.status, 422);
    assert.match(page.body, /support-code__value/);
    assert.match(page.body, /value="paul"/);
  } finally {
    await t.close();
  }
});

test("current-password checks are limited per account below a directory lockout (3 per 15 minutes)", async () => {
  const t = await app();
  try {
    const quinn = await t.createUser({ userName: "quinn" });
    const api = createClient(t.app);
    for (let i = 0; i < 3; i++) {
      const wrong = await api.json("POST", "/api/v1/change", {
        userName: "quinn",
        currentPassword: `wrong-${i}`,
        newPassword: NEW_PASSWORD,
        confirm: NEW_PASSWORD,
      });
      assert.equal(wrong.status, 401);
    }
    const limited = await api.json("POST", "/api/v1/change", {
      userName: "quinn",
      currentPassword: TEST_PASSWORD,
      newPassword: NEW_PASSWORD,
      confirm: NEW_PASSWORD,
    });
    assert.equal(limited.status, 429);
    // The directory account is not locked by our checks (REQ-037): the right password still verifies.
    assert.equal(await t.registry.directory.passwords?.verify?.(quinn, TEST_PASSWORD), true);
    t.clock.advance(15 * 60_000 + 1);
    const ok = await api.json("POST", "/api/v1/change", {
      userName: "quinn",
      currentPassword: TEST_PASSWORD,
      newPassword: NEW_PASSWORD,
      confirm: NEW_PASSWORD,
    });
    assert.equal(ok.status, 200, ok.body);
  } finally {
    await t.close();
  }
});

test("secrets that are not plain non-empty strings are refused with 400 before any check (REQ-080)", async () => {
  const t = await app();
  try {
    await t.createUser({ userName: "rita" });
    const api = createClient(t.app);
    for (const currentPassword of ["", " ", "\u0000", ["x"], {}, true]) {
      const response = await api.json("POST", "/api/v1/change", {
        userName: "rita",
        currentPassword,
        newPassword: NEW_PASSWORD,
        confirm: NEW_PASSWORD,
      });
      assert.equal(response.status, 400, `${JSON.stringify(currentPassword)} → ${response.status}`);
    }
    const audit = await t.registry.stores.audit.query({
      activity: "Change password (self-service)",
      offset: 0,
      limit: 5,
    });
    assert.equal(audit.total, 0);
  } finally {
    await t.close();
  }
});
