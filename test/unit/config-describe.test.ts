import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, test } from "node:test";
import { parse } from "yaml";
import { envVarFor, listConfigKeys, MASK, renderConfigDocs, renderConfigYAML } from "../../src/config/describe.ts";
import { configSchema } from "../../src/config/schema.ts";

describe("config describe", () => {
  test("docs/configuration.md is what `npm run docs:config` generates (run it after changing the schema)", () => {
    const committed = readFileSync(join(import.meta.dirname, "..", "..", "docs", "configuration.md"), "utf8");
    assert.equal(committed, renderConfigDocs(), "docs/configuration.md is stale: run `npm run docs:config`");
  });

  test("every key is documented with a type, a description and its environment variable", () => {
    const docs = renderConfigDocs();
    const keys = listConfigKeys();
    assert.ok(keys.length > 50);
    for (const key of keys) {
      assert.notEqual(key.description, "", `${key.path} has no description`);
      assert.ok(docs.includes(`\`${key.path}\``), `${key.path} missing from the docs`);
      assert.ok(docs.includes(`\`${key.envVar}\``), `${key.envVar} missing from the docs`);
    }
  });

  test("environment variable names: __ between levels, camelCase as SNAKE_CASE", () => {
    assert.equal(envVarFor("server.port"), "OPENSSPR_SERVER__PORT");
    assert.equal(envVarFor("server.publicUrl"), "OPENSSPR_SERVER__PUBLIC_URL");
    assert.equal(envVarFor("directory.activeDirectory.bindDN"), "OPENSSPR_DIRECTORY__ACTIVE_DIRECTORY__BIND_DN");
    assert.equal(envVarFor("directory.ldap.startTLS"), "OPENSSPR_DIRECTORY__LDAP__START_TLS");
  });

  test("config print masks every secret (including the AD bind password) and keeps the rest", () => {
    const config = configSchema.parse({
      secretKey: "s".repeat(10) + "ecret-key-value-0123456789abcdef",
      mail: { smtp: { password: "smtp-pass-canary" } },
      directory: {
        ldap: { bindPassword: "ldap-bind-canary" },
        activeDirectory: { bindPassword: "ad-bind-canary" },
      },
      database: { url: "" },
      server: { port: 4321 },
    });
    const text = renderConfigYAML(config);
    for (const canary of ["smtp-pass-canary", "ldap-bind-canary", "ad-bind-canary", "ecret-key-value"]) {
      assert.ok(!text.includes(canary), `${canary} leaked into config print`);
    }
    const printed = parse(text) as {
      secretKey: string;
      mail: { smtp: { password: string } };
      directory: { activeDirectory: { bindPassword: string } };
      server: { port: number };
    };
    assert.equal(printed.secretKey, MASK);
    assert.equal(printed.mail.smtp.password, MASK);
    assert.equal(printed.directory.activeDirectory.bindPassword, MASK);
    assert.equal(printed.server.port, 4321);
  });

  test("an unset secret prints as empty, so 'not configured' stays visible", () => {
    const printed = parse(renderConfigYAML(configSchema.parse({}))) as { mail: { smtp: { password: string } } };
    assert.equal(printed.mail.smtp.password, "");
  });
});
