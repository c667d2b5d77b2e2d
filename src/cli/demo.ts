/**
 * The demo organisation (`opensspr serve --demo`, `opensspr demo load`): a dozen users of a fictional company
 * on the reserved `example.test` domain with fictional 555-01xx numbers, the rollout's pilot groups (nested),
 * an administrator and a helpdesk agent, and a pilot policy — so every page has something to show.
 * Loading is idempotent: existing users, groups and memberships are left as they are, and the policy is only
 * set while it has never been saved (an administrator's own policy is never overwritten).
 *
 * The passwords below are public (they are in this file): for a local demonstration only.
 */
import { isAppError } from "../errors/app-error.ts";
import type { SSPRPolicy } from "../policy/policy.types.ts";
import { DEFAULT_POLICY } from "../policy/policy.types.ts";
import type { Registry } from "../registry.types.ts";
import { builtinAdminFor } from "./builtin.ts";
import { EXIT, type GlobalOptions, loadCLIConfig, print, printError, withRegistry } from "./context.ts";

export interface DemoUser {
  userName: string;
  displayName: string;
  mobile: string;
  password: string;
  role: string;
}

const DOMAIN = "example.test";

export const DEMO_USERS: readonly DemoUser[] = [
  {
    userName: "megan.bowen",
    displayName: "Megan Bowen",
    mobile: "+14255550101",
    password: "Harbor-Violet-Canyon-27",
    role: "administrator (opensspr-admins)",
  },
  {
    userName: "patti.fernandez",
    displayName: "Patti Fernandez",
    mobile: "+14255550102",
    password: "Copper-Lantern-Meadow-38",
    role: "helpdesk (opensspr-helpdesk)",
  },
  {
    userName: "adele.vance",
    displayName: "Adele Vance",
    mobile: "+14255550103",
    password: "Quiet-Orchard-Falcon-41",
    role: "pilot (sspr-pilot)",
  },
  {
    userName: "alex.wilber",
    displayName: "Alex Wilber",
    mobile: "+14255550104",
    password: "Maple-Thunder-Ribbon-52",
    role: "pilot (sspr-pilot)",
  },
  {
    userName: "diego.siciliani",
    displayName: "Diego Siciliani",
    mobile: "+14255550105",
    password: "Silver-Compass-Tundra-63",
    role: "pilot (sspr-pilot)",
  },
  {
    userName: "isaiah.langer",
    displayName: "Isaiah Langer",
    mobile: "+14255550106",
    password: "Amber-Glacier-Pocket-74",
    role: "pilot IT (sspr-pilot-it ⊂ sspr-pilot)",
  },
  {
    userName: "lee.gu",
    displayName: "Lee Gu",
    mobile: "+14255550107",
    password: "Cobalt-Prairie-Whistle-85",
    role: "pilot IT (sspr-pilot-it ⊂ sspr-pilot)",
  },
  {
    userName: "grady.archie",
    displayName: "Grady Archie",
    mobile: "+14255550108",
    password: "Velvet-Summit-Lagoon-96",
    role: "pilot IT (sspr-pilot-it ⊂ sspr-pilot)",
  },
  {
    userName: "johanna.lorenz",
    displayName: "Johanna Lorenz",
    mobile: "+14255550109",
    password: "Indigo-Pebble-Harvest-17",
    role: "not in the pilot",
  },
  {
    userName: "lidia.holloway",
    displayName: "Lidia Holloway",
    mobile: "+14255550110",
    password: "Scarlet-Willow-Beacon-28",
    role: "not in the pilot",
  },
  {
    userName: "lynne.robbins",
    displayName: "Lynne Robbins",
    mobile: "+14255550111",
    password: "Juniper-Cascade-Anchor-39",
    role: "not in the pilot",
  },
  {
    userName: "nestor.wilke",
    displayName: "Nestor Wilke",
    mobile: "+14255550112",
    password: "Saffron-Meteor-Kettle-40",
    role: "not in the pilot",
  },
];

export const DEMO_GROUPS: readonly { name: string; description: string; users: string[]; groups: string[] }[] = [
  {
    name: "sspr-pilot-it",
    description: "Pilot: IT department",
    users: ["isaiah.langer", "lee.gu", "grady.archie"],
    groups: [],
  },
  {
    name: "sspr-pilot",
    description: "Self-service password reset pilot",
    users: ["adele.vance", "alex.wilber", "diego.siciliani"],
    groups: ["sspr-pilot-it"],
  },
  { name: "opensspr-admins", description: "OpenSSPR administrators", users: ["megan.bowen"], groups: [] },
  { name: "opensspr-helpdesk", description: "Helpdesk agents", users: ["patti.fernandez"], groups: [] },
];

/** The pilot policy of the rollout guide: selected groups, email + authenticator app + questions, registration enforced. */
export function demoPolicy(): SSPRPolicy {
  const policy = structuredClone(DEFAULT_POLICY);
  policy.enabled = "selected";
  policy.scopeGroups = ["sspr-pilot"];
  policy.methodsRequired = 1;
  policy.methods = ["email-code", "totp", "security-questions"];
  policy.registration = { required: true, reconfirmDays: 180 };
  policy.passwords.organisationName = "Contoso";
  return policy;
}

export interface DemoLoadResult {
  usersCreated: number;
  groupsCreated: number;
  policy: "set" | "kept";
  policyVersion: number;
  adminGroupsConfigured: boolean;
  helpdeskGroupsConfigured: boolean;
}

const DEMO_ACTOR = { actor: { id: "cli", name: "cli:demo" }, ctx: null };

export async function loadDemoData(registry: Registry): Promise<DemoLoadResult> {
  const admin = builtinAdminFor(registry);
  let usersCreated = 0;
  let groupsCreated = 0;
  for (const user of DEMO_USERS) {
    try {
      await admin.addUser(
        {
          userName: user.userName,
          displayName: user.displayName,
          email: `${user.userName}@${DOMAIN}`,
          mobile: user.mobile,
          password: user.password,
        },
        DEMO_ACTOR,
      );
      usersCreated++;
    } catch (error) {
      if (!(isAppError(error) && error.code === "ALREADY_EXISTS")) throw error;
    }
  }
  for (const group of DEMO_GROUPS) {
    try {
      await admin.addGroup({ name: group.name, description: group.description }, DEMO_ACTOR);
      groupsCreated++;
    } catch (error) {
      if (!(isAppError(error) && error.code === "ALREADY_EXISTS")) throw error;
    }
  }
  for (const group of DEMO_GROUPS) {
    const existing = await registry.stores.builtin.findGroupByName(group.name);
    const members = existing === null ? [] : await registry.stores.builtin.members(existing.id);
    for (const child of group.groups) {
      const childRow = await registry.stores.builtin.findGroupByName(child);
      if (childRow !== null && members.some((m) => m.kind === "group" && m.id === childRow.id)) continue;
      await admin.addMember(group.name, { kind: "group", ref: child }, DEMO_ACTOR);
    }
    for (const userName of group.users) {
      const userRow = await registry.stores.builtin.findUser(userName);
      if (userRow !== null && members.some((m) => m.kind === "user" && m.id === userRow.id)) continue;
      await admin.addMember(group.name, { kind: "user", ref: userName }, DEMO_ACTOR);
    }
  }

  const current = await registry.policy.current();
  let policy: DemoLoadResult["policy"] = "kept";
  let policyVersion = current.version;
  if (current.version === 0) {
    const saved = await registry.policy.save(demoPolicy(), { expectedVersion: current.version, ...DEMO_ACTOR });
    policy = "set";
    policyVersion = saved.version;
  }
  return {
    usersCreated,
    groupsCreated,
    policy,
    policyVersion,
    adminGroupsConfigured: registry.config.directory.adminGroups.includes("opensspr-admins"),
    helpdeskGroupsConfigured: registry.config.directory.helpdeskGroups.includes("opensspr-helpdesk"),
  };
}

export function printDemoSummary(result: DemoLoadResult): void {
  print("");
  print(
    `Demo organisation loaded: ${result.usersCreated} user(s) and ${result.groupsCreated} group(s) created ` +
      `(existing ones kept); policy ${result.policy === "set" ? `set to the pilot policy (version ${result.policyVersion})` : `kept as is (version ${result.policyVersion})`}.`,
  );
  printError(
    "WARNING: demo passwords are public (they are in the source code). Never load the demo into a real deployment.",
  );
  const width = Math.max(...DEMO_USERS.map((u) => u.userName.length));
  for (const user of DEMO_USERS) {
    print(`  ${user.userName.padEnd(width)}  ${user.password.padEnd(26)}  ${user.role}`);
  }
  print(`  Email addresses are <user>@${DOMAIN}; mail lands in the development outbox (admin portal → Outbox).`);
  if (!result.adminGroupsConfigured) {
    printError(
      "  note: directory.adminGroups does not include opensspr-admins, so megan.bowen is not an administrator.",
    );
  }
  if (!result.helpdeskGroupsConfigured) {
    printError(
      "  note: directory.helpdeskGroups does not include opensspr-helpdesk, so patti.fernandez is not a helpdesk agent.",
    );
  }
  print("");
}

export async function demoLoadCommand(global: GlobalOptions): Promise<number> {
  const loaded = loadCLIConfig(global);
  const result = await withRegistry(loaded, loadDemoData);
  printDemoSummary(result);
  return EXIT.OK;
}
