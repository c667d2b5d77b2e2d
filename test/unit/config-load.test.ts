import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { type LoadConfigOptions, type LoadedConfig, loadConfig } from "../../src/config/load.ts";
import { isAppError } from "../../src/errors/app-error.ts";

const dirs: string[] = [];
after(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "opensspr-config-"));
  dirs.push(dir);
  return dir;
}

const GOOD_KEY = "k3Yq9vXw2LmN8pRt5sUa7bCd1eFg4hJz6iKo0QwErTy";

/** Loads from a temp working directory with only the given environment (never the real process.env). */
function load(
  options: { yaml?: string; env?: Record<string, string>; overrides?: Record<string, unknown>; cwd?: string } = {},
): LoadedConfig {
  const cwd = options.cwd ?? tempDir();
  if (options.yaml !== undefined) writeFileSync(join(cwd, "opensspr.yaml"), options.yaml);
  const loadOptions: LoadConfigOptions = { cwd, env: { OPENSSPR_DATA_DIR: join(cwd, "data"), ...options.env } };
  if (options.overrides !== undefined) loadOptions.overrides = options.overrides;
  return loadConfig(loadOptions);
}

function configFailure(fn: () => unknown): { code: string; fields: string[]; messages: string[] } {
  try {
    fn();
  } catch (error) {
    assert.ok(isAppError(error), `expected an AppError, got ${String(error)}`);
    return {
      code: error.code,
      fields: error.issues.map((i) => i.field),
      messages: error.issues.map((i) => `${i.field}: ${i.message}`),
    };
  }
  assert.fail("expected loadConfig to throw");
}

describe("loadConfig: sources and precedence", () => {
  test("with nothing configured, the documented defaults apply", () => {
    const { config, file } = load();
    assert.equal(file, null);
    assert.equal(config.server.port, 3000);
    assert.equal(config.server.host, "127.0.0.1");
    assert.equal(config.directory.kind, "builtin");
    assert.equal(config.mail.transport, "outbox");
  });

  test("./opensspr.yaml is read when present; env beats the file; command line beats env", () => {
    const yaml = "server:\n  port: 4000\n  host: 0.0.0.0\nflows:\n  codeDigits: 6\n";
    const fromFile = load({ yaml });
    assert.equal(fromFile.config.server.port, 4000);
    assert.equal(fromFile.config.server.host, "0.0.0.0");
    assert.equal(fromFile.config.flows.codeDigits, 6);
    assert.ok(fromFile.file?.endsWith("opensspr.yaml"));

    const fromEnv = load({ yaml, env: { OPENSSPR_SERVER__PORT: "5000" } });
    assert.equal(fromEnv.config.server.port, 5000, "env wins over the file");
    assert.equal(fromEnv.config.server.host, "0.0.0.0", "untouched file keys stay");

    const fromArgs = load({ yaml, env: { OPENSSPR_SERVER__PORT: "5000" }, overrides: { "server.port": "6000" } });
    assert.equal(fromArgs.config.server.port, 6000, "command line wins over env");
  });

  test("--config / OPENSSPR_CONFIG name the file; a missing named file is an error naming it", () => {
    const cwd = tempDir();
    const path = join(cwd, "custom.yaml");
    writeFileSync(path, "logging:\n  level: debug\n");
    assert.equal(loadConfig({ cwd, file: path, env: {} }).config.logging.level, "debug");
    assert.equal(loadConfig({ cwd, env: { OPENSSPR_CONFIG: path } }).config.logging.level, "debug");
    const failure = configFailure(() => loadConfig({ cwd, file: join(cwd, "nope.yaml"), env: {} }));
    assert.equal(failure.code, "CONFIG_INVALID");
    assert.match(failure.messages.join("\n"), /nope\.yaml: no such file/);
  });

  test("env values are coerced by type: numbers, booleans, lists, nested keys with __, camelCase segments", () => {
    const { config } = load({
      env: {
        OPENSSPR_SERVER__BODY_LIMIT_BYTES: "2048",
        OPENSSPR_MAIL__SMTP__SECURE: "yes",
        OPENSSPR_DIRECTORY__ADMIN_GROUPS: "it-admins, sspr-admins",
        OPENSSPR_DIRECTORY__LDAP__URLS: '["ldaps://a.example.test","ldaps://b.example.test"]',
        OPENSSPR_DIRECTORY__LDAP__BIND_DN: "cn=svc,dc=example,dc=test",
        OPENSSPR_SERVER__TRUST_PROXY: "10.0.0.1",
        OPENSSPR_SECURITY__ARGON2__TIME_COST: "3",
      },
    });
    assert.equal(config.server.bodyLimitBytes, 2048);
    assert.equal(config.mail.smtp.secure, true);
    assert.deepEqual(config.directory.adminGroups, ["it-admins", "sspr-admins"]);
    assert.deepEqual(config.directory.ldap.urls, ["ldaps://a.example.test", "ldaps://b.example.test"]);
    assert.equal(config.directory.ldap.bindDN, "cn=svc,dc=example,dc=test");
    assert.equal(config.server.trustProxy, "10.0.0.1");
    assert.equal(config.security.argon2.timeCost, 3);
  });

  test("flat aliases map to their keys; the precise __ form wins over the alias", () => {
    const { config } = load({
      env: {
        OPENSSPR_PORT: "8080",
        DATABASE_URL: "postgres://u:p@db.example.test/sspr",
        OPENSSPR_SECRET_KEY: GOOD_KEY,
        OPENSSPR_PUBLIC_URL: "https://passwords.example.test",
      },
    });
    assert.equal(config.server.port, 8080);
    assert.equal(config.database.url, "postgres://u:p@db.example.test/sspr");
    assert.equal(config.secretKey, GOOD_KEY);
    assert.equal(config.server.publicUrl, "https://passwords.example.test");
    const both = load({ env: { OPENSSPR_PORT: "8080", OPENSSPR_SERVER__PORT: "9090" } });
    assert.equal(both.config.server.port, 9090);
  });
});

describe("loadConfig: every problem names the key", () => {
  test("an unknown key in the YAML file is named, with a suggestion", () => {
    const failure = configFailure(() => load({ yaml: "server:\n  prot: 8080\n" }));
    assert.equal(failure.code, "CONFIG_INVALID");
    assert.deepEqual(failure.fields, ["server.prot"]);
    assert.match(failure.messages[0] ?? "", /unknown key.*did you mean "server\.port"/);
  });

  test("an unknown top-level section and an unknown OPENSSPR_ variable are both named", () => {
    const failure = configFailure(() => load({ yaml: "smtp:\n  host: x\n", env: { OPENSSPR_SERVER__PROT: "1" } }));
    assert.ok(failure.fields.includes("smtp"), failure.messages.join("\n"));
    assert.ok(failure.fields.includes("OPENSSPR_SERVER__PROT"), failure.messages.join("\n"));
  });

  test("an invalid value is named with the value and where it came from", () => {
    const fromFile = configFailure(() => load({ yaml: "server:\n  port: 99999\n" }));
    assert.deepEqual(fromFile.fields, ["server.port"]);
    assert.match(fromFile.messages[0] ?? "", /99999/);
    assert.match(fromFile.messages[0] ?? "", /opensspr\.yaml/);

    const fromEnv = configFailure(() => load({ env: { OPENSSPR_SERVER__PORT: "eighty" } }));
    assert.deepEqual(fromEnv.fields, ["server.port"]);
    assert.match(fromEnv.messages[0] ?? "", /"eighty" is not a number.*OPENSSPR_SERVER__PORT/);

    const badEnum = configFailure(() => load({ env: { OPENSSPR_DIRECTORY__KIND: "novell" } }));
    assert.deepEqual(badEnum.fields, ["directory.kind"]);

    const badBool = configFailure(() => load({ env: { OPENSSPR_MAIL__SMTP__SECURE: "maybe" } }));
    assert.match(badBool.messages[0] ?? "", /mail\.smtp\.secure: "maybe" is not a boolean/);
  });

  test("a wrong type in YAML (a list where a string belongs) is named", () => {
    const failure = configFailure(() => load({ yaml: "mail:\n  from: [a, b]\n" }));
    assert.deepEqual(failure.fields, ["mail.from"]);
  });

  test("all problems are reported at once, not one per start", () => {
    const failure = configFailure(() =>
      load({ yaml: "server:\n  port: -1\nflows:\n  codeDigits: 3\n", env: { OPENSSPR_LOGGING__LEVEL: "loud" } }),
    );
    assert.deepEqual([...failure.fields].sort(), ["flows.codeDigits", "logging.level", "server.port"]);
  });

  test("a YAML syntax error names the file", () => {
    const failure = configFailure(() => load({ yaml: "server:\n  port: [1,\n" }));
    assert.match(failure.messages[0] ?? "", /opensspr\.yaml/);
  });
});

describe("loadConfig: the secret key", () => {
  test("absent: 48 random bytes are generated into <dataDir>/secret.key with mode 0600, reused next time, and a warning names secretKey", () => {
    const cwd = tempDir();
    const first = load({ cwd });
    const path = join(cwd, "data", "secret.key");
    assert.equal(first.secretKeySource, "generated");
    assert.ok(existsSync(path));
    assert.equal(statSync(path).mode & 0o777, 0o600);
    assert.equal(Buffer.from(first.config.secretKey ?? "", "base64url").length, 48);
    assert.equal(readFileSync(path, "utf8").trim(), first.config.secretKey);
    assert.ok(first.warnings.some((w) => w.key === "secretKey" && w.code === "generated-secret-key"));

    const second = load({ cwd });
    assert.equal(second.secretKeySource, "data-dir");
    assert.equal(second.config.secretKey, first.config.secretKey, "the same key is reused across restarts");
  });

  test("read-only mode (config print, doctor) never writes a key", () => {
    const cwd = tempDir();
    const loaded = loadConfig({ cwd, env: { OPENSSPR_DATA_DIR: join(cwd, "data") }, secretKey: "read-only" });
    assert.equal(loaded.secretKeySource, "absent");
    assert.equal(loaded.config.secretKey, undefined);
    assert.equal(existsSync(join(cwd, "data", "secret.key")), false);
  });

  test("secretKeyFile is read; a short one is refused naming secretKeyFile", () => {
    const cwd = tempDir();
    const keyFile = join(cwd, "key.txt");
    writeFileSync(keyFile, GOOD_KEY + "\n");
    assert.equal(load({ cwd, env: { OPENSSPR_SECRET_KEY_FILE: keyFile } }).config.secretKey, GOOD_KEY);
    writeFileSync(keyFile, "short\n");
    const failure = configFailure(() => load({ cwd, env: { OPENSSPR_SECRET_KEY_FILE: keyFile } }));
    assert.deepEqual(failure.fields, ["secretKeyFile"]);
  });

  test("a configured key shorter than 32 characters is refused naming secretKey", () => {
    const failure = configFailure(() => load({ env: { OPENSSPR_SECRET_KEY: "too-short" } }));
    assert.deepEqual(failure.fields, ["secretKey"]);
  });
});

describe("loadConfig: unsafe development defaults", () => {
  const safeEnv = {
    OPENSSPR_SECRET_KEY: GOOD_KEY,
    OPENSSPR_MAIL__TRANSPORT: "smtp",
    OPENSSPR_PUBLIC_URL: "https://passwords.example.test",
  };

  test("in development they warn, naming each key", () => {
    const { warnings } = load();
    const keys = warnings.map((w) => w.key).sort();
    assert.deepEqual(keys, ["mail.transport", "secretKey", "server.publicUrl"]);
  });

  test("with NODE_ENV=production, start-up is refused naming each unsafe default, and no key file is written", () => {
    const cwd = tempDir();
    const failure = configFailure(() => load({ cwd, env: { NODE_ENV: "production" } }));
    assert.equal(failure.code, "CONFIG_UNSAFE");
    assert.deepEqual([...failure.fields].sort(), ["mail.transport", "secretKey", "server.publicUrl"]);
    assert.equal(existsSync(join(cwd, "data", "secret.key")), false);
  });

  test("with NODE_ENV=production and each default fixed, it starts without warnings", () => {
    const { warnings } = load({ env: { NODE_ENV: "production", ...safeEnv } });
    assert.deepEqual(warnings, []);
  });

  test("production refuses one remaining unsafe default by name (placeholder key, trust-any proxy, unverified TLS)", () => {
    const placeholder = configFailure(() =>
      load({
        env: { NODE_ENV: "production", ...safeEnv, OPENSSPR_SECRET_KEY: "change-me-change-me-change-me-change-me" },
      }),
    );
    assert.deepEqual(placeholder.fields, ["secretKey"]);
    const proxy = configFailure(() =>
      load({ env: { NODE_ENV: "production", ...safeEnv, OPENSSPR_SERVER__TRUST_PROXY: "true" } }),
    );
    assert.deepEqual(proxy.fields, ["server.trustProxy"]);
    const tls = configFailure(() =>
      load({
        env: {
          NODE_ENV: "production",
          ...safeEnv,
          OPENSSPR_DIRECTORY__KIND: "ldap",
          OPENSSPR_DIRECTORY__LDAP__TLS_REJECT_UNAUTHORIZED: "false",
        },
      }),
    );
    assert.deepEqual(tls.fields, ["directory.ldap.tlsRejectUnauthorized"]);
  });

  test("a key generated on an earlier development start is still refused in production", () => {
    const cwd = tempDir();
    load({ cwd });
    const failure = configFailure(() =>
      load({
        cwd,
        env: {
          NODE_ENV: "production",
          OPENSSPR_MAIL__TRANSPORT: "smtp",
          OPENSSPR_PUBLIC_URL: "https://p.example.test",
        },
      }),
    );
    assert.deepEqual(failure.fields, ["secretKey"]);
  });
});
