/**
 * `opensspr import users <csv>`: pre-populates users and contact data (SPEC §10) through the builtin admin
 * service and prints its validation report. Re-running the same file is idempotent. Exit 1 when any row failed.
 */
import { readFileSync } from "node:fs";
import { builtinAdminFor, cliAction } from "./builtin.ts";
import { EXIT, fail, type GlobalOptions, loadCLIConfig, print, withRegistry } from "./context.ts";

const MAX_FILE_BYTES = 50 * 1024 * 1024;

export async function importUsersCommand(
  global: GlobalOptions,
  file: string,
  options: { createGroups: boolean },
): Promise<number> {
  let text: string;
  try {
    const buffer = readFileSync(file);
    if (buffer.length > MAX_FILE_BYTES) fail(`${file} is larger than ${MAX_FILE_BYTES / 1024 / 1024} MB`);
    text = buffer.toString("utf8");
  } catch (error) {
    if (error instanceof Error && "exitCode" in error) throw error;
    fail(`cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
  const loaded = loadCLIConfig(global);
  const report = await withRegistry(loaded, (registry) =>
    builtinAdminFor(registry).importUsersCSV(text, { ...cliAction(), createGroups: options.createGroups }),
  );
  print(
    `${file}: ${report.rows} row${report.rows === 1 ? "" : "s"} — ${report.created} created, ${report.updated} updated, ` +
      `${report.unchanged} unchanged, ${report.failed} failed`,
  );
  for (const issue of report.issues) print(`  line ${issue.row}: ${issue.field}: ${issue.message}`);
  return report.failed > 0 || (report.rows === 0 && report.issues.length > 0) ? EXIT.FAILED : EXIT.OK;
}
