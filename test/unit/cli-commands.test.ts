/**
 * The `opensspr` CLI run as a child process, the way an operator runs it, against a temporary data directory.
 * Exit codes (0 ok, 1 failed, 2 configuration/usage) and one-line errors without stack traces are part of
 * the contract scripts rely on.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { createSqlStores } from "../../src/store/sql/stores.ts";

const BIN = join(import.meta.dirname, "..", "..", "bin", "opensspr.mjs");
const GOOD_PASSWORD = "Sunny-Apricot-Violin-91";

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

function hermeticEnv(dataDir: string, extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (!k.startsWith("OPENSSPR_") && k !== "DATABASE_URL" && k !== "NODE_ENV") env[k] = v;
  }
  return {
    ...env,
    NODE_ENV: "test",
    OPENSSPR_DATA_DIR: dataDir,
    // Cheap hashing keeps the suite fast; the parameters themselves are tested elsewhere.
    OPENSSPR_SECURITY__ARGON2__MEMORY_COST: "8192",
    OPENSSPR_SECURITY__ARGON2__TIME_COST: "1",
    OPENSSPR_LOGGING__LEVEL: "error",
    ...extra,
  };
}

function makeCLI(root: string) {
  const dataDir = join(root, "data");
  return (args: string[], options: { input?: string; env?: Record<string, string> } = {}): Run => {
    const result = spawnSync(process.execPath, [BIN, ...args], {
      cwd: root,
      env: hermeticEnv(dataDir, options.env ?? {}),
      input: options.input ?? "",
      encoding: "utf8",
      timeout: 60_000,
    });
    return { status: result.status, stdout: result.stdout, stderr: result.stderr };
  };
}

function assertNoStackTrace(run: Run): void {
  assert.doesNotMatch(run.stderr, /^\s+at .+:\d+:\d+\)?$/m, `stack trace printed:\n${run.stderr}`);
}

const roots: string[] = [];
function tempRoot(): string {
  const root = mkdtempSync(join(tmpdir(), "opensspr-cli-"));
  roots.push(root);
  return root;
}
after(() => {
  for (const root of roots) rmSync(root, { recursive: true, force: true });
});

describe("opensspr users / groups", () => {
  const root = tempRoot();
  const cli = makeCLI(root);

  test("users add reads the password from stdin, list shows the user, disable marks it disabled", () => {
    const add = cli(
      [
        "users",
        "add",
        "jane.doe",
        "--display-name",
        "Jane Doe",
        "--email",
        "jane@example.test",
        "--mobile",
        "+14255550123",
        "--password-stdin",
      ],
      { input: GOOD_PASSWORD + "\n" },
    );
    assert.equal(add.status, 0, add.stderr);
    assert.match(add.stdout, /created user jane\.doe/);

    const list = cli(["users", "list"]);
    assert.equal(list.status, 0, list.stderr);
    assert.match(list.stdout, /jane\.doe\s+Jane Doe\s+jane@example\.test\s+\+14255550123\s+enabled/);

    assert.equal(cli(["users", "disable", "jane.doe"]).status, 0);
    const json = JSON.parse(cli(["users", "list", "--json"]).stdout) as {
      userName: string;
      enabled: boolean;
      hasPassword: boolean;
    }[];
    const jane = json.find((u) => u.userName === "jane.doe");
    assert.equal(jane?.enabled, false);
    assert.equal(jane?.hasPassword, true);
    assert.equal(cli(["users", "enable", "jane.doe"]).status, 0);
  });

  test("a password the policy refuses is named with its rule and the user is not created", () => {
    const run = cli(["users", "add", "weak.user", "--password-stdin"], { input: "password\n" });
    assert.equal(run.status, 1);
    assert.match(run.stderr, /password: .*\[banned\]/);
    assertNoStackTrace(run);
  });

  test("without a terminal and without --password-stdin, users add explains how to pass the password", () => {
    const run = cli(["users", "add", "no.tty"]);
    assert.equal(run.status, 1);
    assert.match(run.stderr, /--password-stdin/);
  });

  test("refused users were not half-created, and enable re-enabled jane.doe", () => {
    const users = JSON.parse(cli(["users", "list", "--json"]).stdout) as { userName: string; enabled: boolean }[];
    assert.deepEqual(
      users.map((u) => [u.userName, u.enabled]),
      [["jane.doe", true]],
    );
  });

  test("set-password replaces the password and an unknown user is a clear error", () => {
    assert.equal(
      cli(["users", "set-password", "jane.doe", "--password-stdin"], { input: "Another-Quiet-Harbor-58\n" }).status,
      0,
    );
    const unknown = cli(["users", "disable", "nobody.here"]);
    assert.equal(unknown.status, 1);
    assert.match(unknown.stderr, /could not find that user.*USER_NOT_FOUND/);
    assertNoStackTrace(unknown);
  });

  test("groups: add, nested membership, list; a cycle is refused", () => {
    assert.equal(cli(["groups", "add", "pilot", "--description", "Pilot users"]).status, 0);
    assert.equal(cli(["groups", "add", "pilot-it"]).status, 0);
    assert.equal(cli(["groups", "add-member", "pilot", "jane.doe"]).status, 0);
    assert.equal(cli(["groups", "add-member", "pilot", "pilot-it", "--group"]).status, 0);
    const list = cli(["groups", "list", "--json"]);
    const groups = JSON.parse(list.stdout) as { name: string; members: string[] }[];
    assert.deepEqual(groups.find((g) => g.name === "pilot")?.members, ["group:pilot-it", "jane.doe"]);

    const cycle = cli(["groups", "add-member", "pilot-it", "pilot", "--group"]);
    assert.equal(cycle.status, 1);
    assert.match(cycle.stderr, /contain itself/);

    assert.equal(cli(["groups", "remove-member", "pilot", "jane.doe"]).status, 0);
    const after = JSON.parse(cli(["groups", "list", "--json"]).stdout) as { name: string; members: string[] }[];
    assert.deepEqual(after.find((g) => g.name === "pilot")?.members, ["group:pilot-it"]);
  });

  test("import users prints the validation report; a re-run changes nothing", () => {
    const csv = join(root, "users.csv");
    writeFileSync(
      csv,
      "userName,displayName,email,mobile,officePhone,groups\n" +
        "sam.lee,Sam Lee,sam@example.test,+14255550140,,pilot\n" +
        "kim.ray,Kim Ray,not-an-email,,,\n",
    );
    const first = cli(["import", "users", csv]);
    assert.equal(first.status, 1, "a failed row makes the command fail");
    assert.match(first.stdout, /2 rows — 1 created, 0 updated, 0 unchanged, 1 failed/);
    assert.match(first.stdout, /line 3: email: /);
    const second = cli(["import", "users", csv]);
    assert.match(second.stdout, /0 created, 0 updated, 1 unchanged, 1 failed/);
  });
});

describe("opensspr policy", () => {
  const root = tempRoot();
  const cli = makeCLI(root);

  test("validate names the field and the rule of each problem and exits 1", () => {
    const bad = join(root, "bad.yaml");
    writeFileSync(bad, "enabled: sometimes\nmethodsRequired: 2\nmethods: [security-questions]\ncolour: blue\n");
    const run = cli(["policy", "validate", bad]);
    assert.equal(run.status, 1);
    assert.match(run.stderr, /- enabled: .*\[POL-01\]/);
    assert.match(run.stderr, /- colour: Unknown setting/);
    assertNoStackTrace(run);
  });

  test("set with a bad file saves nothing; a good file is saved as a new version audited with the CLI as actor", async () => {
    const bad = join(root, "bad.json");
    writeFileSync(bad, JSON.stringify({ enabled: "all", methodsRequired: 2, methods: ["security-questions"] }));
    const refused = cli(["policy", "set", bad]);
    assert.equal(refused.status, 1);
    assert.match(refused.stderr, /nothing was saved/);
    assert.match(refused.stderr, /methodsRequired: .*\[POL-02\]/);
    assert.match(cli(["policy", "show"]).stdout, /policy version 0/);

    const good = join(root, "pilot.yaml");
    writeFileSync(good, "enabled: selected\nscopeGroups: [pilot]\nmethods: [email-code, totp]\n");
    assert.equal(cli(["policy", "validate", good]).status, 0);
    const saved = cli(["policy", "set", good]);
    assert.equal(saved.status, 0, saved.stderr);
    assert.match(saved.stdout, /saved as version 1/);
    const shown = JSON.parse(cli(["policy", "show", "--json"]).stdout) as { enabled: string; scopeGroups: string[] };
    assert.equal(shown.enabled, "selected");
    assert.deepEqual(shown.scopeGroups, ["pilot"]);

    const merged = join(root, "all.yaml");
    writeFileSync(merged, "enabled: all\n");
    assert.equal(cli(["policy", "set", "--merge", merged]).status, 0);
    const after = JSON.parse(cli(["policy", "show", "--json"]).stdout) as { enabled: string; methods: string[] };
    assert.equal(after.enabled, "all");
    assert.deepEqual(after.methods, ["email-code", "totp"], "--merge keeps the rest of the current policy");

    const stores = await createSqlStores({ url: "", dataDir: join(root, "data") });
    try {
      const { rows } = await stores.audit.query({ offset: 0, limit: 50 });
      const changes = rows.filter((r) => r.actorId === "cli" && /polic/i.test(r.activity));
      assert.equal(
        changes.length,
        2,
        `expected two audited policy changes, got ${rows.map((r) => r.activity).join(", ")}`,
      );
      assert.ok(changes.every((r) => (r.actorName ?? "").startsWith("cli:")));
    } finally {
      await stores.close();
    }
  });
});

describe("opensspr doctor, config print, errors", () => {
  test("doctor on an uninitialised deployment fails with ✗ lines that explain the fix; after init it passes", () => {
    const cli = makeCLI(tempRoot());
    const before = cli(["doctor"]);
    assert.equal(before.status, 1);
    assert.match(before.stdout, /✗ data directory .* does not exist/);
    assert.match(before.stdout, /✗ secret key/);
    assert.match(before.stdout, /fix: run `opensspr init`/);
    assert.match(before.stdout, /check(s)? failed/);

    assert.equal(cli(["init"]).status, 0);
    const afterInit = cli(["doctor"]);
    assert.equal(afterInit.status, 0, afterInit.stdout);
    assert.match(afterInit.stdout, /✓ store\s+sqlite/);
    assert.match(afterInit.stdout, /✓ directory \(builtin\)/);
    assert.match(afterInit.stdout, /! mail\s+development outbox/);
  });

  test("doctor reports an unreachable SMTP server as a failure with a fix", () => {
    const cli = makeCLI(tempRoot());
    assert.equal(cli(["init"]).status, 0);
    const run = cli(["doctor"], {
      env: {
        OPENSSPR_MAIL__TRANSPORT: "smtp",
        OPENSSPR_MAIL__SMTP__PORT: "1",
        OPENSSPR_MAIL__SMTP__TIMEOUT_MS: "2000",
      },
    });
    assert.equal(run.status, 1);
    assert.match(run.stdout, /✗ mail\s+SMTP 127\.0\.0\.1:1: /);
    assert.match(run.stdout, /fix: check mail\.smtp/);
  });

  test("config print shows the effective configuration with secrets masked", () => {
    const cli = makeCLI(tempRoot());
    const run = cli(["config", "print"], {
      env: {
        OPENSSPR_PORT: "8181",
        OPENSSPR_MAIL__SMTP__PASSWORD: "smtp-canary-7731",
        OPENSSPR_SECRET_KEY: "key-canary-0123456789abcdefghijklmnopqrstuvwxyz",
      },
    });
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.stdout, /port: 8181/);
    assert.doesNotMatch(run.stdout + run.stderr, /smtp-canary-7731|key-canary/);
    assert.match(run.stdout, /password: "\*{8}"/);
    assert.match(run.stdout, /secretKey: "\*{8}"/);
  });

  test("an invalid key stops every command with exit 2, naming the key, without a stack trace", () => {
    const cli = makeCLI(tempRoot());
    const run = cli(["users", "list"], { env: { OPENSSPR_SERVER__PORT: "eighty" } });
    assert.equal(run.status, 2);
    assert.match(run.stderr, /server\.port: "eighty" is not a number \(from OPENSSPR_SERVER__PORT\)/);
    assertNoStackTrace(run);
    const unknown = cli(["config", "print"], { env: { OPENSSPR_SERVR__PORT: "1" } });
    assert.equal(unknown.status, 2);
    assert.match(unknown.stderr, /OPENSSPR_SERVR__PORT: unknown configuration variable/);
  });

  test("NODE_ENV=production refuses to start naming each unsafe default (exit 2)", () => {
    const cli = makeCLI(tempRoot());
    const run = cli(["serve"], { env: { NODE_ENV: "production" } });
    assert.equal(run.status, 2);
    for (const key of ["mail.transport", "secretKey", "server.publicUrl"]) {
      assert.match(run.stderr, new RegExp(`- ${key.replace(".", "\\.")}: `));
    }
    assertNoStackTrace(run);
  });

  test("an unknown command is a usage error (exit 2)", () => {
    const run = makeCLI(tempRoot())(["frobnicate"]);
    assert.equal(run.status, 2);
    assert.match(run.stderr, /unknown command/);
  });

  test("demo load is idempotent: the second run creates nothing and keeps the policy", () => {
    const cli = makeCLI(tempRoot());
    const first = cli(["demo", "load"]);
    assert.equal(first.status, 0, first.stderr);
    assert.match(first.stdout, /12 user\(s\) and 4 group\(s\) created/);
    assert.match(first.stdout, /policy set to the pilot policy \(version 1\)/);
    assert.match(first.stderr, /demo passwords are public/);
    const second = cli(["demo", "load"]);
    assert.match(second.stdout, /0 user\(s\) and 0 group\(s\) created/);
    assert.match(second.stdout, /kept as is \(version 1\)/);
    const policy = JSON.parse(cli(["policy", "show", "--json"]).stdout) as {
      enabled: string;
      registration: { required: boolean };
    };
    assert.equal(policy.enabled, "selected");
    assert.equal(policy.registration.required, true);
  });
});
