/**
 * Users and groups in the admin portal and API: search and paging, the "why can't this user reset?"
 * diagnostic (the eligibility every flow uses, in plain words), masked security info, clearing a block,
 * builtin user/group management with bad input refused whole and every change audited.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { buildTestApp, type TestApp } from "../support/app.ts";
import type { HTTPClient } from "../support/http-client.ts";

describe("admin users", () => {
  let t: TestApp;
  let client: HTTPClient;
  before(async () => {
    t = await buildTestApp({
      policy: { enabled: "selected", scopeGroups: ["pilot"], methods: ["email-code", "totp"], methodsRequired: 1 },
    });
    client = (await t.signInAdmin()).client;
    for (let i = 0; i < 30; i++)
      await t.createUser({ userName: `user${String(i).padStart(2, "0")}`, displayName: `Person ${i}` });
  });
  after(async () => t.close());

  test("lists users with paging and searches by name", async () => {
    const first = await client.get("/admin/users");
    assert.equal(first.status, 200);
    assert.match(first.body, /Users found: 31/);
    assert.match(first.body, /Page 1 of 2/);
    const second = await client.get("/admin/users?page=2");
    assert.match(second.body, /Page 2 of 2/);
    const search = await client.get("/admin/users?q=user07");
    assert.match(search.body, /Users found: 1\b/);
    assert.match(search.body, />user07</);
    const api = await client.json("GET", "/api/v1/admin/users?q=user1&limit=5");
    assert.equal(api.status, 200);
    const body = api.json<{ users: { userName: string; passwordHash?: unknown }[]; total: number }>();
    assert.equal(body.total, 10);
    assert.equal(body.users.length, 5);
    assert.ok(body.users.every((u) => u.passwordHash === undefined));
  });

  test("bad list parameters are 400 (allow-listed filters only)", async () => {
    assert.equal((await client.get("/admin/users?page=0")).status, 400);
    assert.equal((await client.get("/admin/users?q=a&q=b")).status, 400);
    assert.equal((await client.json("GET", "/api/v1/admin/users?sort=passwordHash")).status, 400);
    assert.equal((await client.json("GET", "/api/v1/admin/users?limit=100000")).status, 400);
  });

  test("the diagnostic explains why a user cannot reset, then confirms when they can", async () => {
    const user = await t.createUser({ userName: "nina", email: "nina.private@example.test" });
    const page = await client.get(`/admin/users/${user.id}`);
    assert.equal(page.status, 200);
    assert.match(page.body, /not a member of any group selected in the policy/);
    // masked contact data only
    assert.doesNotMatch(page.body, /nina\.private@example\.test/);
    assert.match(page.body, /n\*\*\*@example\.test/);
    await t.addToGroup(user.id, "pilot");
    const inScope = await client.get(`/admin/users/${user.id}`);
    assert.doesNotMatch(inScope.body, /not a member of any group/);
    const api = await client.json("GET", `/api/v1/admin/users/${user.id}`);
    const detail = api.json<{ eligibility: { eligible: boolean; reasons: string[] }; enrollments: unknown[] }>();
    assert.equal(detail.eligibility.eligible, (await t.registry.policy.eligibility(user)).eligible);
    if (detail.eligibility.eligible) assert.match(inScope.body, /can reset their password now/);
    else for (const reason of detail.eligibility.reasons) assert.ok(inScope.body.includes("because"), reason);
  });

  test("registered methods are listed masked; secrets never leave", async () => {
    const user = await t.createUser({ userName: "otto", groups: ["pilot"] });
    const totp = await t.enrollTOTP(user);
    const page = await client.get(`/admin/users/${user.id}`);
    assert.match(page.body, /Authenticator app/);
    assert.ok(!page.body.includes(totp.secretBase32));
    const api = await client.json("GET", `/api/v1/admin/users/${user.id}`);
    assert.ok(!api.body.includes(totp.secretBase32));
    assert.doesNotMatch(api.body, /"secret"|"data"/);
  });

  test("a blocked user is shown as blocked and an admin can clear the block (audited)", async () => {
    const user = await t.createUser({ userName: "blocky", groups: ["pilot"] });
    for (let i = 0; i < 6; i++) await t.registry.throttles.hitAccount(user.id, "reset-attempt", null);
    assert.ok((await t.registry.throttles.isAccountBlocked(user.id)) !== null);
    const page = await client.get(`/admin/users/${user.id}`);
    assert.match(page.body, /Blocked from self-service password reset until/);
    const cleared = await client.postForm(
      `/admin/users/${user.id}/clear-block`,
      {},
      { from: `/admin/users/${user.id}` },
    );
    assert.equal(cleared.status, 200);
    assert.match(cleared.body, /The block was cleared/);
    assert.equal(await t.registry.throttles.isAccountBlocked(user.id), null);
    const { rows } = await t.registry.stores.audit.query({
      activity: "Unblock user from self-service password reset",
      offset: 0,
      limit: 5,
    });
    assert.equal(rows[0]?.actorName, "admin");
    assert.equal(rows[0]?.targetId, user.id);
  });

  test("unknown users are 404 on every route", async () => {
    assert.equal((await client.get("/admin/users/no-such-user")).status, 404);
    assert.equal((await client.json("GET", "/api/v1/admin/users/no-such-user")).status, 404);
    assert.equal(
      (await client.postForm("/admin/users/no-such-user/clear-block", {}, { from: "/admin/users" })).status,
      404,
    );
    assert.equal((await client.json("POST", "/api/v1/admin/users/no-such-user/disable", {})).status, 404);
  });

  test("creating a builtin user: bad input is refused whole; a good one is created and audited", async () => {
    const before = (await t.registry.stores.builtin.listUsers({ offset: 0, limit: 1 })).total;
    const bad = await client.postForm(
      "/admin/users",
      { userName: "bad name!", displayName: "", email: "nope" },
      { from: "/admin/users/new" },
    );
    assert.equal(bad.status, 400);
    assert.match(bad.body, /href="#f-displayName"/);
    const arrays = await client.postForm(
      "/admin/users",
      { userName: ["a", "b"], displayName: "X" },
      { from: "/admin/users/new" },
    );
    assert.equal(arrays.status, 400);
    assert.match(arrays.body, /single text value/);
    const taken = await client.postForm(
      "/admin/users",
      { userName: "user01", displayName: "Dup" },
      { from: "/admin/users/new" },
    );
    assert.equal(taken.status, 409);
    assert.equal((await t.registry.stores.builtin.listUsers({ offset: 0, limit: 1 })).total, before);
    const good = await client.postForm(
      "/admin/users",
      { userName: "newbie", displayName: "New Person", email: "newbie@example.test", mobile: "+14255551234" },
      { from: "/admin/users/new" },
    );
    assert.equal(good.status, 200);
    assert.match(good.body, /The user was created/);
    const created = await t.registry.directory.findUser("newbie");
    assert.equal(created?.mobile, "+14255551234");
    const { rows } = await t.registry.stores.audit.query({
      activity: "Add user",
      user: created?.id ?? "",
      offset: 0,
      limit: 5,
    });
    assert.equal(rows.length, 1);
  });

  test("the API creates users with strict bodies", async () => {
    const unknownField = await client.json("POST", "/api/v1/admin/users", {
      userName: "api1",
      displayName: "A",
      isAdmin: true,
    });
    assert.equal(unknownField.status, 400);
    assert.ok(
      unknownField.json<{ error: { issues: { field: string }[] } }>().error.issues.some((i) => i.field === "isAdmin"),
    );
    const wrongType = await client.json("POST", "/api/v1/admin/users", { userName: { $ne: null }, displayName: "A" });
    assert.equal(wrongType.status, 400);
    assert.equal(await t.registry.directory.findUser("api1"), null);
    const created = await client.json("POST", "/api/v1/admin/users", { userName: "api1", displayName: "API One" });
    assert.equal(created.status, 201);
    assert.equal(created.json<{ userName: string }>().userName, "api1");
  });

  test("disabling and enabling an account is effective and audited", async () => {
    const user = await t.createUser({ userName: "toggle" });
    const disabled = await client.postForm(`/admin/users/${user.id}/disable`, {}, { from: `/admin/users/${user.id}` });
    assert.match(disabled.body, /The account was disabled/);
    assert.equal((await t.registry.directory.status?.(user))?.enabled, false);
    const enabled = await client.json("POST", `/api/v1/admin/users/${user.id}/enable`, {});
    assert.equal(enabled.status, 204);
    assert.equal((await t.registry.directory.status?.(user))?.enabled, true);
    const { rows } = await t.registry.stores.audit.query({
      activity: "Disable account",
      user: user.id,
      offset: 0,
      limit: 5,
    });
    assert.equal(rows.length, 1);
  });
});

describe("admin groups", () => {
  let t: TestApp;
  let client: HTTPClient;
  before(async () => {
    t = await buildTestApp();
    client = (await t.signInAdmin()).client;
  });
  after(async () => t.close());

  test("create a group, add and remove a member; bad input changes nothing", async () => {
    const created = await client.postForm(
      "/admin/groups",
      { name: "pilot", description: "First wave" },
      { from: "/admin/groups" },
    );
    assert.equal(created.status, 200);
    assert.match(created.body, /<h1>pilot<\/h1>/);
    const group = await t.registry.stores.builtin.findGroupByName("pilot");
    assert.ok(group !== null);
    const duplicate = await client.postForm("/admin/groups", { name: "pilot" }, { from: "/admin/groups" });
    assert.equal(duplicate.status, 409);
    const badName = await client.postForm("/admin/groups", { name: "<script>" }, { from: "/admin/groups" });
    assert.equal(badName.status, 400);
    assert.doesNotMatch(badName.body, /<script>/);
    assert.equal((await t.registry.stores.builtin.listGroups()).length, 2); // pilot + opensspr-admins

    const user = await t.createUser({ userName: "zoe" });
    const path = `/admin/groups/${group.id}`;
    const unknown = await client.postForm(`${path}/members`, { kind: "user", member: "nobody" }, { from: path });
    assert.equal(unknown.status, 404);
    const badKind = await client.postForm(`${path}/members`, { kind: "robot", member: "zoe" }, { from: path });
    assert.equal(badKind.status, 400);
    assert.deepEqual(await t.registry.stores.builtin.members(group.id), []);

    const added = await client.postForm(`${path}/members`, { kind: "user", member: "zoe" }, { from: path });
    assert.equal(added.status, 200);
    assert.match(added.body, />zoe</);
    assert.deepEqual(await t.registry.stores.builtin.members(group.id), [{ kind: "user", id: user.id }]);
    const removed = await client.postForm(`${path}/members/remove`, { kind: "user", member: user.id }, { from: path });
    assert.equal(removed.status, 200);
    assert.deepEqual(await t.registry.stores.builtin.members(group.id), []);
    const { rows } = await t.registry.stores.audit.query({ activity: "Remove member from group", offset: 0, limit: 5 });
    assert.equal(rows.length, 1);
  });

  test("the groups API: create, membership, cycles refused (409), unknown group 404", async () => {
    const a = await client.json("POST", "/api/v1/admin/groups", { name: "team-a" });
    assert.equal(a.status, 201);
    const b = await client.json("POST", "/api/v1/admin/groups", { name: "team-b" });
    const aId = a.json<{ id: string }>().id;
    const bId = b.json<{ id: string }>().id;
    assert.equal(
      (await client.json("POST", `/api/v1/admin/groups/${aId}/members`, { kind: "group", member: bId })).status,
      204,
    );
    const cycle = await client.json("POST", `/api/v1/admin/groups/${bId}/members`, { kind: "group", member: aId });
    assert.equal(cycle.status, 409);
    assert.equal(
      (await client.json("POST", "/api/v1/admin/groups/nope/members", { kind: "user", member: "x" })).status,
      404,
    );
    assert.equal(
      (await client.json("POST", `/api/v1/admin/groups/${aId}/members`, { kind: "user", member: ["x"] })).status,
      400,
    );
    const detail = await client.json("GET", `/api/v1/admin/groups/${aId}`);
    assert.deepEqual(
      detail.json<{ members: { name: string }[] }>().members.map((m) => m.name),
      ["team-b"],
    );
    assert.equal((await client.json("DELETE", `/api/v1/admin/groups/${aId}/members/group/${bId}`)).status, 204);
  });
});
