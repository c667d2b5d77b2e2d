/**
 * `opensspr policy show | set <file> | validate <file>`: the SSPR policy document (SPEC §5) from the command
 * line. `set` goes through `PolicyService.save`, so it is validated, versioned and audited with the CLI as
 * the actor exactly like a change in the admin portal. A validation error names the field and the rule.
 */
import { readFileSync } from "node:fs";
import { userInfo } from "node:os";
import { parse, stringify } from "yaml";
import type { FieldIssue } from "../errors/app-error.ts";
import { isAppError } from "../errors/app-error.ts";
import { DEFAULT_POLICY, type SSPRPolicy } from "../policy/policy.types.ts";
import { validatePolicy } from "../policy/validate.ts";
import { EXIT, fail, type GlobalOptions, loadCLIConfig, print, withRegistry } from "./context.ts";

function formatIssues(issues: FieldIssue[]): string[] {
  return issues.map((i) => `  - ${i.field}: ${i.message}${i.rule !== undefined ? ` [${i.rule}]` : ""}`);
}

/** Reads a YAML or JSON file (JSON is YAML) into a plain value. */
export function readDocument(path: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    fail(`cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
  try {
    return parse(text);
  } catch (error) {
    fail(`${path} is not valid YAML or JSON: ${(error as Error).message.split("\n")[0]}`);
  }
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

/** Overlays `patch` on `base`: objects merge, everything else (lists included) replaces. */
export function overlay(base: unknown, patch: unknown): unknown {
  if (!isPlainObject(base) || !isPlainObject(patch)) return patch;
  const out: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(patch)) out[key] = overlay(base[key], value);
  return out;
}

export function cliActor(): { id: string; name: string } {
  let user = "unknown";
  try {
    user = userInfo().username;
  } catch {
    // no passwd entry (containers): keep "unknown"
  }
  return { id: "cli", name: `cli:${user}` };
}

export async function policyValidateCommand(file: string): Promise<number> {
  const result = validatePolicy(overlay(DEFAULT_POLICY, readDocument(file)));
  if (!result.ok) {
    fail(`${file}: the policy is invalid (${result.issues.length} problem${result.issues.length > 1 ? "s" : ""})`, {
      details: formatIssues(result.issues),
    });
  }
  print(
    `✓ ${file} is a valid policy (enabled: ${result.policy.enabled}, methods required: ${result.policy.methodsRequired})`,
  );
  return EXIT.OK;
}

export async function policyShowCommand(global: GlobalOptions, options: { json: boolean }): Promise<number> {
  const loaded = loadCLIConfig(global);
  await withRegistry(loaded, async (registry) => {
    const current = await registry.policy.current();
    if (options.json) {
      print(JSON.stringify(current.policy, null, 2));
      return;
    }
    print(`# policy version ${current.version}, saved ${current.createdAt.toISOString()} by ${current.createdBy}`);
    process.stdout.write(stringify(current.policy, { lineWidth: 0 }));
  });
  return EXIT.OK;
}

export async function policySetCommand(
  global: GlobalOptions,
  file: string,
  options: { merge: boolean },
): Promise<number> {
  const document = readDocument(file);
  const loaded = loadCLIConfig(global);
  await withRegistry(loaded, async (registry) => {
    const current = await registry.policy.current();
    // Keys the file leaves out take their defaults (or, with --merge, their current values).
    const candidate = overlay(options.merge ? current.policy : DEFAULT_POLICY, document);
    const result = validatePolicy(candidate);
    if (!result.ok) {
      fail(`${file}: the policy is invalid; nothing was saved`, { details: formatIssues(result.issues) });
    }
    let saved: Awaited<ReturnType<typeof registry.policy.save>>;
    try {
      saved = await registry.policy.save(result.policy as SSPRPolicy, {
        expectedVersion: current.version,
        actor: cliActor(),
        ctx: null,
      });
    } catch (error) {
      if (isAppError(error) && error.code === "POLICY_INVALID") {
        fail(`${file}: the policy is invalid; nothing was saved`, { details: formatIssues(error.issues) });
      }
      if (isAppError(error) && error.code === "VERSION_CONFLICT") {
        fail("the policy was changed by someone else meanwhile; run the command again");
      }
      throw error;
    }
    print(`✓ policy saved as version ${saved.version} (was ${current.version}); the change is in the audit log`);
  });
  return EXIT.OK;
}
