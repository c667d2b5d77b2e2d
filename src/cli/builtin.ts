/**
 * The builtin-directory administration service for CLI commands, with the CLI as the audited actor.
 * Refuses clearly when the deployment uses LDAP or Active Directory (accounts live there, not here).
 */
import {
  type AdminActionOptions,
  type BuiltinAdmin,
  createBuiltinAdmin,
} from "../directory/builtin/builtin-admin.service.ts";
import type { Registry } from "../registry.types.ts";
import { fail } from "./context.ts";
import { cliActor } from "./policy.ts";

export function builtinAdminFor(registry: Registry): BuiltinAdmin {
  if (registry.config.directory.kind !== "builtin") {
    fail(
      `this command manages the builtin directory, but directory.kind is "${registry.config.directory.kind}": manage accounts in the directory itself`,
    );
  }
  return createBuiltinAdmin({
    stores: registry.stores,
    hasher: registry.hasher,
    clock: registry.clock,
    random: registry.random,
    audit: registry.audit,
    passwordPolicy: registry.passwordPolicy,
    keys: registry.keys,
  });
}

export function cliAction(): AdminActionOptions {
  return { actor: cliActor(), ctx: null };
}
