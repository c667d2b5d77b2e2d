/**
 * `opensspr` — the command line (SPEC §11). Run through `bin/opensspr.mjs` (`npx opensspr …`,
 * `npm run opensspr -- …`). Exit codes: 0 success, 1 the command failed, 2 configuration or usage error.
 * Every failure is one clear line (plus the named fields), never a stack trace.
 */
import { Command, CommanderError, Option } from "commander";
import { renderConfigYAML } from "../config/describe.ts";
import { describeError, EXIT, type GlobalOptions, loadCLIConfig, printError, printWarnings } from "./context.ts";
import { demoLoadCommand } from "./demo.ts";
import { doctorCommand } from "./doctor.ts";
import { groupsAddCommand, groupsListCommand, groupsMemberCommand } from "./groups.ts";
import { importUsersCommand } from "./import.ts";
import { initCommand } from "./init.ts";
import { policySetCommand, policyShowCommand, policyValidateCommand } from "./policy.ts";
import { usersAddCommand, usersListCommand, usersSetEnabledCommand, usersSetPasswordCommand } from "./users.ts";

function buildProgram(setExitCode: (code: number) => void): Command {
  const program = new Command();
  const global = (): GlobalOptions => program.opts<GlobalOptions>();
  const run =
    <A extends unknown[]>(fn: (...args: A) => Promise<number | undefined>) =>
    async (...args: A): Promise<void> => {
      const code = await fn(...args);
      setExitCode(typeof code === "number" ? code : EXIT.OK);
    };

  program
    .name("opensspr")
    .description("OpenSSPR: self-service password reset")
    .option(
      "-c, --config <file>",
      "YAML configuration file (default: $OPENSSPR_CONFIG, else ./opensspr.yaml if present)",
    )
    .showHelpAfterError("(run with --help for usage)")
    .exitOverride();

  program
    .command("serve")
    .description("start the portal (migrates the database, starts the mail worker); Ctrl+C stops it gracefully")
    .option("--demo", "load the demo organisation first (idempotent) and print its passwords", false)
    .option("--host <address>", "listen address (overrides server.host)")
    .option("--port <port>", "listen port (overrides server.port)")
    .action(async (options: { demo: boolean; host?: string; port?: string }) => {
      // Loaded on demand: the HTTP stack is only needed to serve.
      const { serveCommand } = await import("./serve.ts");
      await serveCommand(global(), options);
      setExitCode(-1); // keep running until a signal
    });

  program
    .command("init")
    .description("create the data directory and secret key, apply database migrations, print next steps")
    .action(run(() => initCommand(global())));

  program
    .command("doctor")
    .description("check configuration, data directory, store, directory, mail and secret key; explain failures")
    .action(run(() => doctorCommand(global())));

  const config = program.command("config").description("configuration");
  config
    .command("print")
    .description("print the effective configuration as YAML (secrets masked)")
    .action(
      run(async () => {
        const loaded = loadCLIConfig(global(), { secretKey: "read-only" });
        process.stdout.write(renderConfigYAML(loaded.config));
        printWarnings(loaded.warnings, { production: process.env["NODE_ENV"] === "production" });
        return EXIT.OK;
      }),
    );

  const users = program.command("users").description("users of the builtin directory");
  users
    .command("add <userName>")
    .description("create a user; the password is prompted for (no echo) or read with --password-stdin")
    .option("--display-name <name>", "display name (default: the user name)")
    .option("--email <address>", "email address (pre-populated for the email method)")
    .option("--mobile <number>", "mobile phone, E.164 (+441234567890)")
    .option("--office-phone <number>", "office phone, E.164")
    .option("--password-stdin", "read the password from standard input", false)
    .option("--no-password", "create the user without a password (cannot sign in until one is set)")
    .action(run((userName: string, options) => usersAddCommand(global(), userName, options)));
  users
    .command("list")
    .description("list users")
    .option("--search <text>", "filter by user name, display name or email")
    .option("--json", "JSON output", false)
    .action(run((options) => usersListCommand(global(), options)));
  users
    .command("disable <userName>")
    .description("disable a user (cannot sign in or reset)")
    .action(run((userName: string) => usersSetEnabledCommand(global(), userName, { enabled: false })));
  users
    .command("enable <userName>")
    .description("enable a disabled user")
    .action(run((userName: string) => usersSetEnabledCommand(global(), userName, { enabled: true })));
  users
    .command("set-password <userName>")
    .description("set a user's password (prompted, or --password-stdin); checked against the password policy")
    .option("--password-stdin", "read the password from standard input", false)
    .option("--must-change", "require a password change at next sign-in", false)
    .action(run((userName: string, options) => usersSetPasswordCommand(global(), userName, options)));

  const groups = program.command("groups").description("groups of the builtin directory");
  groups
    .command("add <name>")
    .description("create a group")
    .option("--description <text>", "description", "")
    .action(run((name: string, options: { description: string }) => groupsAddCommand(global(), name, options)));
  groups
    .command("add-member <group> <member>")
    .description("add a user (or, with --group, a nested group) to a group")
    .option("--group", "the member is a group (nested membership)", false)
    .action(
      run((group: string, member: string, options: { group: boolean }) =>
        groupsMemberCommand(global(), group, member, { ...options, action: "add" }),
      ),
    );
  groups
    .command("remove-member <group> <member>")
    .description("remove a user (or, with --group, a nested group) from a group")
    .option("--group", "the member is a group", false)
    .action(
      run((group: string, member: string, options: { group: boolean }) =>
        groupsMemberCommand(global(), group, member, { ...options, action: "remove" }),
      ),
    );
  groups
    .command("list")
    .description("list groups with their direct members")
    .option("--json", "JSON output", false)
    .action(run((options: { json: boolean }) => groupsListCommand(global(), options)));

  const importCommand = program.command("import").description("bulk import");
  importCommand
    .command("users <csv>")
    .description(
      "import users and contact data (CSV columns userName,displayName,email,mobile,officePhone,groups); re-runs update; prints the validation report",
    )
    .option("--create-groups", "create groups named in the groups column that do not exist yet", false)
    .action(run((csv: string, options: { createGroups: boolean }) => importUsersCommand(global(), csv, options)));

  const policy = program.command("policy").description("the self-service password reset policy");
  policy
    .command("show")
    .description("print the current policy (YAML, or --json)")
    .option("--json", "JSON output", false)
    .action(run((options: { json: boolean }) => policyShowCommand(global(), options)));
  policy
    .command("set <file>")
    .description(
      "validate and save a policy (YAML or JSON; omitted keys take their defaults); audited with the CLI as the actor",
    )
    .addOption(new Option("--merge", "overlay the file on the current policy instead of replacing it").default(false))
    .action(run((file: string, options: { merge: boolean }) => policySetCommand(global(), file, options)));
  policy
    .command("validate <file>")
    .description("check a policy file without saving it; problems name the field and the rule")
    .action(run((file: string) => policyValidateCommand(file)));

  const demo = program.command("demo").description("demo organisation");
  demo
    .command("load")
    .description("load the demo organisation into the builtin directory (idempotent) and print its passwords")
    .action(run(() => demoLoadCommand(global())));

  return program;
}

export async function runCLI(argv: string[]): Promise<number> {
  let exitCode: number = EXIT.OK;
  const program = buildProgram((code) => {
    exitCode = code;
  });
  try {
    await program.parseAsync(argv);
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help and version are not errors; everything else commander rejects is a usage error.
      if (
        error.code === "commander.helpDisplayed" ||
        error.code === "commander.help" ||
        error.code === "commander.version"
      ) {
        return EXIT.OK;
      }
      return EXIT.CONFIG;
    }
    const { message, details, exitCode: code } = describeError(error);
    printError(`opensspr: ${message}`);
    for (const line of details) printError(line);
    return code;
  }
  return exitCode;
}

const code = await runCLI(process.argv);
// -1: a long-running command (serve) keeps the process alive; its shutdown handler sets the exit code.
if (code !== -1) process.exit(code);
