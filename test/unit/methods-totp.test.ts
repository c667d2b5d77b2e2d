/**
 * Authenticator app (TOTP, RFC 6238) method. Threats: a code replayed within its 30 s step (shoulder
 * surfing, phishing relay), guessing past the cap, a seed readable from the database, and an app that
 * disagrees with us about time (codes from real authenticators — here `oathtool` — must be accepted).
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { createHmac } from "node:crypto";
import { after, before, beforeEach, describe, test } from "node:test";
import type { DirectoryUser } from "../../src/directory/connector.ts";
import { decryptSecret } from "../../src/kernel/secrets.ts";
import type { ChallengeContext, EnrollContext, Method } from "../../src/methods/method.ts";
import { createTOTPMethod, generateTOTP } from "../../src/methods/totp/totp.method.ts";
import { createTestEnv, REQUEST, type TestEnv, testPolicy, testUser } from "./methods-fixtures.ts";

function hasOathtool(): boolean {
  try {
    execFileSync("which", ["oathtool"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

function base32Decode(text: string): Buffer {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  let bits = "";
  for (const c of text.replace(/=+$/, "").toUpperCase()) bits += alphabet.indexOf(c).toString(2).padStart(5, "0");
  const bytes: number[] = [];
  for (let i = 0; i + 8 <= bits.length; i += 8) bytes.push(Number.parseInt(bits.slice(i, i + 8), 2));
  return Buffer.from(bytes);
}

/** RFC 6238 by hand (HMAC-SHA1, dynamic truncation), independent of otpauth. */
function manualTOTP(secret: Buffer, at: Date, digits = 6): string {
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(at.getTime() / 1000 / 30)));
  const mac = createHmac("sha1", secret).update(counter).digest();
  const offset = (mac[mac.length - 1] as number) & 0x0f;
  const value = mac.readUInt32BE(offset) & 0x7fffffff;
  return String(value % 10 ** digits).padStart(digits, "0");
}

/** What an authenticator app shows for `secretBase32` at `at`: oathtool when installed, else the manual HMAC. */
function authenticatorCode(secretBase32: string, at: Date): string {
  if (hasOathtool()) {
    const now = at
      .toISOString()
      .replace("T", " ")
      .replace(/\.\d+Z$/, " UTC");
    return execFileSync("oathtool", ["--totp", "-b", `--now=${now}`, secretBase32], { encoding: "utf8" }).trim();
  }
  return manualTOTP(base32Decode(secretBase32), at);
}

describe("totp method", () => {
  let env: TestEnv;
  let method: Method;
  let seq = 0;
  before(async () => {
    env = await createTestEnv();
    method = createTOTPMethod(env);
  });
  after(async () => env.close());
  beforeEach(() => {
    env.throttles.refuse.clear();
    env.throttles.accountHits.length = 0;
    env.clock.advance(3600_000);
  });

  function freshUser(): DirectoryUser {
    seq++;
    return testUser({ id: `t-${seq}`, userName: `tuser${seq}` });
  }
  async function enrollCtx(user: DirectoryUser): Promise<EnrollContext> {
    return {
      user,
      enrollments: await env.stores.enrollments.listForUser(user.id),
      policy: testPolicy(),
      request: REQUEST,
    };
  }
  async function challengeCtx(user: DirectoryUser | null, state: Record<string, unknown>): Promise<ChallengeContext> {
    return {
      flowId: "flow-totp",
      user,
      decoySeed: "seed-totp",
      enrollments: user === null ? [] : await env.stores.enrollments.listForUser(user.id),
      policy: testPolicy(),
      state,
      request: REQUEST,
    };
  }
  /** Registers an app and returns its id and seed. */
  async function enroll(user: DirectoryUser, label?: string): Promise<{ id: string; secret: string }> {
    const started = await method.enrollment!.start(await enrollCtx(user), label === undefined ? {} : { label });
    if (started.kind !== "totp-setup") throw new Error(`unexpected ${started.kind}`);
    const confirmed = await method.enrollment!.confirm(await enrollCtx(user), started.enrollmentId, {
      code: authenticatorCode(started.secretBase32, env.clock.now()),
    });
    assert.equal(confirmed.kind, "active");
    return { id: started.enrollmentId, secret: started.secretBase32 };
  }

  test("our codes match RFC 6238's SHA-1 test vectors", () => {
    const rfcSecret = Buffer.from("12345678901234567890").toString("hex");
    const base32 = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ";
    assert.equal(base32Decode(base32).toString("hex"), rfcSecret);
    assert.equal(generateTOTP(base32, new Date(59_000)), "287082");
    assert.equal(generateTOTP(base32, new Date(1_111_111_109_000)), "081804");
    assert.equal(generateTOTP(base32, new Date(2_000_000_000_000)), "279037");
  });

  test("setup shows an otpauth URI, an SVG QR code and the seed once; the seed is stored encrypted", async () => {
    await env.stores.settings.set("branding", { organisationName: "Contoso" }, env.clock.now());
    const user = freshUser();
    const started = await method.enrollment!.start(await enrollCtx(user), { label: "Pixel 9" });
    assert.equal(started.kind, "totp-setup");
    if (started.kind !== "totp-setup") return;
    assert.match(started.secretBase32, /^[A-Z2-7]{32}$/);
    const uri = new URL(started.otpauthURI);
    assert.equal(uri.protocol, "otpauth:");
    assert.equal(uri.host, "totp");
    assert.equal(uri.searchParams.get("issuer"), "Contoso");
    assert.equal(uri.searchParams.get("secret"), started.secretBase32);
    assert.equal(uri.searchParams.get("algorithm"), "SHA1");
    assert.equal(uri.searchParams.get("digits"), "6");
    assert.equal(uri.searchParams.get("period"), "30");
    assert.ok(decodeURIComponent(uri.pathname).includes(user.userName));
    assert.match(started.qrSVG, /^<svg[\s\S]*<\/svg>\s*$/);

    const row = await env.stores.enrollments.get(started.enrollmentId);
    assert.equal(row?.status, "pending");
    assert.equal(row?.label, "Pixel 9");
    assert.ok(row?.secret !== null && !row?.secret.includes(started.secretBase32));
    assert.ok(!JSON.stringify(row?.data).includes(started.secretBase32));
    assert.equal(
      decryptSecret(env.keys.encryption, row!.secret!, `totp:${started.enrollmentId}`),
      started.secretBase32,
    );
    assert.throws(() => decryptSecret(env.keys.encryption, row!.secret!, "totp:another-enrollment"));
    assert.equal(
      method.hasData(user, await env.stores.enrollments.listForUser(user.id), testPolicy()),
      false,
      "pending does not count",
    );
  });

  test("confirm accepts the code an authenticator app (oathtool) shows", async () => {
    const user = freshUser();
    const { id } = await enroll(user);
    assert.equal((await env.stores.enrollments.get(id))?.status, "active");
    assert.equal(method.hasData(user, await env.stores.enrollments.listForUser(user.id), testPolicy()), true);
  });

  test("confirm allows 5 wrong codes, then discards the setup", async () => {
    const user = freshUser();
    const started = await method.enrollment!.start(await enrollCtx(user), {});
    if (started.kind !== "totp-setup") return assert.fail();
    const current = authenticatorCode(started.secretBase32, env.clock.now());
    const wrong = current === "000000" ? "111111" : "000000";
    const left: number[] = [];
    for (let i = 0; i < 4; i++) {
      const outcome = await method.enrollment!.confirm(await enrollCtx(user), started.enrollmentId, { code: wrong });
      assert.equal(outcome.kind, "rejected");
      if (outcome.kind === "rejected") left.push(outcome.attemptsLeft);
    }
    assert.deepEqual(left, [4, 3, 2, 1]);
    const last = await method.enrollment!.confirm(await enrollCtx(user), started.enrollmentId, { code: wrong });
    assert.equal(last.kind, "exhausted");
    assert.equal(await env.stores.enrollments.get(started.enrollmentId), null);
  });

  test("accepts one step of clock drift either way, not two", async () => {
    const user = freshUser();
    const { secret } = await enroll(user);
    env.clock.advance(60_000);
    const now = env.clock.now();
    const previous = authenticatorCode(secret, new Date(now.getTime() - 30_000));
    const twoAgo = authenticatorCode(secret, new Date(now.getTime() - 60_000));
    const next = authenticatorCode(secret, new Date(now.getTime() + 30_000));
    const stale = await method.challenge!.verify(await challengeCtx(user, {}), { code: twoAgo });
    assert.equal(stale.kind, "view");
    assert.equal((await method.challenge!.verify(await challengeCtx(user, {}), { code: previous })).kind, "proved");
    assert.equal((await method.challenge!.verify(await challengeCtx(user, {}), { code: next })).kind, "proved");
  });

  test("a code is accepted once: a replay in the same step is refused", async () => {
    const user = freshUser();
    const { secret } = await enroll(user);
    env.clock.advance(30_000);
    const code = authenticatorCode(secret, env.clock.now());
    const begun = await method.challenge!.begin(await challengeCtx(user, {}), {});
    assert.deepEqual(begun.kind === "view" ? begun.view : null, { kind: "enter-totp" });
    const first = await method.challenge!.verify(await challengeCtx(user, {}), { code });
    assert.equal(first.kind, "proved");
    const replay = await method.challenge!.verify(await challengeCtx(user, {}), { code });
    assert.equal(replay.kind, "view");
    if (replay.kind === "view") assert.equal(replay.message, "method.totp.replayed");
    env.clock.advance(30_000);
    const nextCode = authenticatorCode(secret, env.clock.now());
    assert.equal((await method.challenge!.verify(await challengeCtx(user, {}), { code: nextCode })).kind, "proved");
  });

  test("the confirmation code cannot be replayed at the gate", async () => {
    const user = freshUser();
    const started = await method.enrollment!.start(await enrollCtx(user), {});
    if (started.kind !== "totp-setup") return assert.fail();
    const code = authenticatorCode(started.secretBase32, env.clock.now());
    await method.enrollment!.confirm(await enrollCtx(user), started.enrollmentId, { code });
    assert.equal((await method.challenge!.verify(await challengeCtx(user, {}), { code })).kind, "view");
  });

  test("proves with any of the user's apps, at most 5 apps", async () => {
    const user = freshUser();
    const apps = [];
    for (let i = 0; i < 5; i++) apps.push(await enroll(user, `Phone ${i}`));
    const sixth = await method.enrollment!.start(await enrollCtx(user), { label: "Phone 5" });
    assert.equal(sixth.kind, "invalid");
    env.clock.advance(30_000);
    const outcome = await method.challenge!.verify(await challengeCtx(user, {}), {
      code: authenticatorCode(apps[3]!.secret, env.clock.now()),
    });
    assert.equal(outcome.kind, "proved");
    if (outcome.kind === "proved") assert.equal(outcome.enrollmentId, apps[3]!.id);
  });

  test("labels must be 1–64 characters", async () => {
    const user = freshUser();
    for (const label of ["", "   ", "x".repeat(65)]) {
      assert.equal(
        (await method.enrollment!.start(await enrollCtx(user), { label })).kind,
        "invalid",
        JSON.stringify(label),
      );
    }
  });

  test("the gate allows 5 wrong codes, each counted against THR-03", async () => {
    const user = freshUser();
    const { secret } = await enroll(user);
    const current = authenticatorCode(secret, env.clock.now());
    const wrong = current === "000000" ? "111111" : "000000";
    let state: Record<string, unknown> = {};
    for (let i = 0; i < 4; i++) {
      const outcome = await method.challenge!.verify(await challengeCtx(user, state), { code: wrong });
      assert.equal(outcome.kind, "view");
      if (outcome.kind === "view") {
        assert.equal(outcome.attemptsLeft, 4 - i);
        state = outcome.state;
      }
    }
    const fifth = await method.challenge!.verify(await challengeCtx(user, state), { code: wrong });
    assert.equal(fifth.kind, "exhausted");
    const sixth = await method.challenge!.verify(await challengeCtx(user, fifth.state), { code: current });
    assert.equal(sixth.kind, "exhausted", "even the right code is refused after the cap");
    assert.equal(env.throttles.accountHits.filter((h) => h.counter === "app-or-sms" && h.userId === user.id).length, 5);
  });

  test("a blocked account cannot prove the gate", async () => {
    const user = freshUser();
    const { secret } = await enroll(user);
    env.throttles.refuse.add("app-or-sms");
    const outcome = await method.challenge!.verify(await challengeCtx(user, {}), {
      code: authenticatorCode(secret, env.clock.now()),
    });
    assert.equal(outcome.kind, "exhausted");
    if (outcome.kind === "exhausted") assert.equal(outcome.message, "method.throttled");
  });

  test("an unknown account gets the same page and never proves", async () => {
    const begun = await method.challenge!.begin(await challengeCtx(null, {}), {});
    assert.deepEqual(begun.kind === "view" ? begun.view : null, { kind: "enter-totp" });
    let state: Record<string, unknown> = {};
    const kinds: string[] = [];
    for (let i = 0; i < 5; i++) {
      const outcome = await method.challenge!.verify(await challengeCtx(null, state), { code: "123456" });
      kinds.push(outcome.kind);
      state = outcome.state;
    }
    assert.deepEqual(kinds, ["view", "view", "view", "view", "exhausted"]);
  });
});
