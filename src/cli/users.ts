/**
 * `opensspr users add|list|disable|enable|set-password` for the builtin directory. Passwords come from a
 * hidden prompt or `--password-stdin`, never from argv, and pass the same password policy as everywhere else.
 */

import { builtinAdminFor, cliAction } from "./builtin.ts";
import { EXIT, type GlobalOptions, loadCLIConfig, print, withRegistry } from "./context.ts";
import { readNewPassword } from "./prompt.ts";

export interface UsersAddOptions {
  displayName?: string;
  email?: string;
  mobile?: string;
  officePhone?: string;
  passwordStdin: boolean;
  /** false with `--no-password`. */
  password: boolean;
}

export async function usersAddCommand(
  global: GlobalOptions,
  userName: string,
  options: UsersAddOptions,
): Promise<number> {
  // Read the password before opening the store, so a cancelled prompt changes nothing.
  const password = options.password
    ? await readNewPassword({ passwordStdin: options.passwordStdin, userName })
    : undefined;
  const loaded = loadCLIConfig(global);
  await withRegistry(loaded, async (registry) => {
    const admin = builtinAdminFor(registry);
    const user = await admin.addUser(
      {
        userName,
        displayName: options.displayName ?? userName,
        ...(options.email !== undefined ? { email: options.email } : {}),
        ...(options.mobile !== undefined ? { mobile: options.mobile } : {}),
        ...(options.officePhone !== undefined ? { officePhone: options.officePhone } : {}),
        ...(password !== undefined ? { password } : {}),
      },
      cliAction(),
    );
    print(
      `✓ created user ${user.userName} (${user.displayName})${password === undefined ? " without a password" : ""}`,
    );
  });
  return EXIT.OK;
}

export async function usersListCommand(
  global: GlobalOptions,
  options: { search?: string; json: boolean },
): Promise<number> {
  const loaded = loadCLIConfig(global);
  await withRegistry(loaded, async (registry) => {
    const admin = builtinAdminFor(registry);
    const users = [];
    for (let offset = 0; ; offset += 1000) {
      const page = await admin.listUsers({
        offset,
        limit: 1000,
        ...(options.search !== undefined ? { search: options.search } : {}),
      });
      users.push(...page.users);
      if (page.users.length === 0 || users.length >= page.total) break;
    }
    if (options.json) {
      print(
        JSON.stringify(
          users.map((u) => ({
            id: u.id,
            userName: u.userName,
            displayName: u.displayName,
            email: u.email,
            mobile: u.mobile,
            officePhone: u.officePhone,
            enabled: u.enabled,
            locked: u.locked,
            mustChangePassword: u.mustChangePassword,
            hasPassword: u.hasPassword,
          })),
          null,
          2,
        ),
      );
      return;
    }
    if (users.length === 0) {
      print(
        options.search === undefined
          ? "no users yet (opensspr users add <name>, or opensspr import users <csv>)"
          : "no matching users",
      );
      return;
    }
    const rows = users.map((u) => [
      u.userName,
      u.displayName,
      u.email ?? "",
      u.mobile ?? "",
      [
        u.enabled ? "enabled" : "disabled",
        u.locked ? "locked" : "",
        u.hasPassword ? "" : "no password",
        u.mustChangePassword ? "must change" : "",
      ]
        .filter((s) => s !== "")
        .join(", "),
    ]);
    const header = ["USER", "DISPLAY NAME", "EMAIL", "MOBILE", "STATUS"];
    const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
    for (const row of [header, ...rows])
      print(
        row
          .map((cell, i) => cell.padEnd(widths[i] ?? 0))
          .join("  ")
          .trimEnd(),
      );
    print(`${users.length} user${users.length === 1 ? "" : "s"}`);
  });
  return EXIT.OK;
}

export async function usersSetEnabledCommand(
  global: GlobalOptions,
  userName: string,
  options: { enabled: boolean },
): Promise<number> {
  const loaded = loadCLIConfig(global);
  await withRegistry(loaded, async (registry) => {
    const admin = builtinAdminFor(registry);
    if (options.enabled) await admin.enableUser(userName, cliAction());
    else await admin.disableUser(userName, cliAction());
    print(`✓ ${userName} is ${options.enabled ? "enabled" : "disabled"}`);
  });
  return EXIT.OK;
}

export async function usersSetPasswordCommand(
  global: GlobalOptions,
  userName: string,
  options: { passwordStdin: boolean; mustChange: boolean },
): Promise<number> {
  const password = await readNewPassword({ passwordStdin: options.passwordStdin, userName });
  const loaded = loadCLIConfig(global);
  await withRegistry(loaded, async (registry) => {
    await builtinAdminFor(registry).setPassword(userName, password, {
      ...cliAction(),
      mustChangeAtNextLogon: options.mustChange,
    });
    print(`✓ password of ${userName} set${options.mustChange ? "; it must be changed at next sign-in" : ""}`);
  });
  return EXIT.OK;
}
