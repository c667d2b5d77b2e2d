/** `opensspr groups add|add-member|remove-member|list` for the builtin directory (nested groups allowed). */

import { builtinAdminFor, cliAction } from "./builtin.ts";
import { EXIT, type GlobalOptions, loadCLIConfig, print, withRegistry } from "./context.ts";

export async function groupsAddCommand(
  global: GlobalOptions,
  name: string,
  options: { description: string },
): Promise<number> {
  const loaded = loadCLIConfig(global);
  await withRegistry(loaded, async (registry) => {
    const group = await builtinAdminFor(registry).addGroup({ name, description: options.description }, cliAction());
    print(`✓ created group ${group.name}`);
  });
  return EXIT.OK;
}

export async function groupsMemberCommand(
  global: GlobalOptions,
  group: string,
  member: string,
  options: { group: boolean; action: "add" | "remove" },
): Promise<number> {
  const loaded = loadCLIConfig(global);
  await withRegistry(loaded, async (registry) => {
    const admin = builtinAdminFor(registry);
    const ref = { kind: options.group ? ("group" as const) : ("user" as const), ref: member };
    if (options.action === "add") await admin.addMember(group, ref, cliAction());
    else await admin.removeMember(group, ref, cliAction());
    print(
      `✓ ${options.group ? "group" : "user"} ${member} ${options.action === "add" ? "added to" : "removed from"} ${group}`,
    );
  });
  return EXIT.OK;
}

export async function groupsListCommand(global: GlobalOptions, options: { json: boolean }): Promise<number> {
  const loaded = loadCLIConfig(global);
  await withRegistry(loaded, async (registry) => {
    const admin = builtinAdminFor(registry);
    const groups = await admin.listGroups();
    const names = new Map(groups.map((g) => [g.id, g.name]));
    const listed = [];
    for (const group of groups) {
      const members = await registry.stores.builtin.members(group.id);
      const memberNames: string[] = [];
      for (const m of members) {
        if (m.kind === "group") memberNames.push(`group:${names.get(m.id) ?? m.id}`);
        else memberNames.push((await registry.stores.builtin.getUser(m.id))?.userName ?? m.id);
      }
      listed.push({ name: group.name, description: group.description, members: memberNames.sort() });
    }
    if (options.json) {
      print(JSON.stringify(listed, null, 2));
      return;
    }
    if (listed.length === 0) {
      print("no groups yet (opensspr groups add <name>)");
      return;
    }
    for (const g of listed) {
      print(
        `${g.name}${g.description !== "" ? ` — ${g.description}` : ""} (${g.members.length} direct member${g.members.length === 1 ? "" : "s"})`,
      );
      for (const m of g.members) print(`  ${m}`);
    }
  });
  return EXIT.OK;
}
