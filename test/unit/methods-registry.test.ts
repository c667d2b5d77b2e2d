/**
 * The method registry and its messages: every method the flows can offer is in the literal list, and every
 * message id a method returns exists in English, French and German (an untranslated id would be shown
 * raw to the user).
 */
import assert from "node:assert/strict";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { hasMessage, hasOwnTranslation } from "../../src/messages/index.ts";
import { createMethodRegistry } from "../../src/methods/index.ts";
import { hasMethodData } from "../../src/policy/eligibility.ts";
import { METHOD_IDS, methodFamily } from "../../src/policy/families.ts";
import type { MethodRegistry } from "../../src/registry.types.ts";
import { createTestEnv, type TestEnv, testPolicy, testUser } from "./methods-fixtures.ts";

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sourceFiles(path) : path.endsWith(".ts") ? [path] : [];
  });
}

describe("method registry", () => {
  let env: TestEnv;
  let registry: MethodRegistry;
  before(async () => {
    env = await createTestEnv();
    registry = createMethodRegistry(env);
  });
  after(async () => env.close());

  test("lists every method in display order (most secure first), each with its capabilities", () => {
    assert.deepEqual(
      registry.all.map((m) => m.id),
      [...METHOD_IDS],
    );
    for (const method of registry.all) {
      assert.equal(registry.get(method.id), method);
      assert.ok(method.challenge !== undefined, method.id);
      assert.equal(method.family, methodFamily(method.id));
      assert.ok(hasMessage(method.labelMessage), method.labelMessage);
    }
    assert.equal(registry.get("sms-code")?.family, registry.get("voice-mobile")?.family);
    assert.equal(registry.get("totp")?.enrollment?.maxPerUser, 5);
    assert.equal(registry.get("email-code")?.enrollment?.maxPerUser, 1);
  });

  test("a method's hasData agrees with the eligibility decision", () => {
    const policy = testPolicy();
    const users = [
      testUser(),
      testUser({ email: null, mobile: "+14255551234", officePhone: "+14255550000" }),
      testUser({ email: null }),
    ];
    for (const method of registry.all) {
      for (const user of users) {
        assert.equal(
          method.hasData(user, [], policy),
          hasMethodData(user, method.id, [], policy),
          `${method.id} ${user.email}`,
        );
      }
    }
  });

  test("every message id used by the methods exists, translated into fr and de", () => {
    const ids = new Set<string>();
    for (const file of ["email-code", "totp", "security-questions"].flatMap((dir) =>
      sourceFiles(join("src/methods", dir)),
    )) {
      for (const match of readFileSync(file, "utf8").matchAll(
        /"(method\.[a-z-]+\.[a-z_]+|method\.throttled|sq\.question\.\d+)"/g,
      )) {
        ids.add(match[1] as string);
      }
    }
    for (const method of registry.all)
      if (["email-code", "totp", "security-questions"].includes(method.id)) ids.add(method.labelMessage);
    for (let i = 1; i <= 35; i++) ids.add(`sq.question.${i}`);
    assert.ok(ids.size > 40);
    for (const id of ids) {
      assert.ok(hasMessage(id), `missing message ${id}`);
      assert.ok(hasOwnTranslation("fr", id), `missing fr ${id}`);
      assert.ok(hasOwnTranslation("de", id), `missing de ${id}`);
    }
  });
});
