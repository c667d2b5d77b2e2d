/**
 * `opensspr init`: prepares a deployment — the data directory (mode 0700), the secret key (unless one is
 * configured), the database schema — and says what to do next. Safe to run again: nothing is overwritten.
 */
import { chmodSync, mkdirSync } from "node:fs";
import { resolve } from "node:path";
import { migrate } from "../store/sql/stores.ts";
import { EXIT, type GlobalOptions, loadCLIConfig, print, printWarnings } from "./context.ts";

export async function initCommand(global: GlobalOptions): Promise<number> {
  const loaded = loadCLIConfig(global);
  const { config } = loaded;
  const dataDir = resolve(config.dataDir);
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  chmodSync(dataDir, 0o700);
  print(`✓ data directory   ${dataDir}`);
  const keyLine =
    loaded.secretKeySource === "generated"
      ? `generated ${loaded.secretKeyPath} (mode 0600)`
      : loaded.secretKeySource === "data-dir"
        ? `already present in ${loaded.secretKeyPath}`
        : loaded.secretKeySource === "secret-key-file"
          ? `read from ${config.secretKeyFile}`
          : "set in the configuration / environment";
  print(`✓ secret key       ${keyLine}`);
  const report = await migrate({ url: config.database.url, dataDir: config.dataDir });
  print(
    `✓ database         ${report.dialect} at ${report.location}: ` +
      (report.applied.length === 0
        ? `up to date (${report.version ?? "empty"})`
        : `applied ${report.applied.join(", ")}`),
  );
  printWarnings(loaded.warnings, { production: process.env["NODE_ENV"] === "production" });
  print("");
  print("Next steps:");
  print("  opensspr doctor            check the configuration, store, directory and mail");
  print("  opensspr serve             start the portal; the first start prints a one-time admin set-up link");
  print("  opensspr serve --demo      the same with a demo organisation (users, groups, pilot policy)");
  if (config.directory.kind === "builtin") {
    print("  opensspr users add <name>  create users in the builtin directory (or: opensspr import users <csv>)");
  }
  return EXIT.OK;
}
