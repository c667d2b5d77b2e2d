/**
 * The shared directory-connector contract against a real OpenLDAP (slapd with ppolicy), through the
 * least-privilege service account — never the rootdn, which would bypass ppolicy (REQ-104).
 */
import { Client } from "ldapts";
import { configSchema } from "../../src/config/schema.ts";
import { runConnectorContract } from "../../src/directory/contract/connector.contract.ts";
import { createLDAPConnector } from "../../src/directory/ldap/ldap.connector.ts";
import { systemClock } from "../../src/kernel/clock.ts";
import { createLogger } from "../../src/kernel/logger.ts";
import { startSlapd } from "../support/slapd.ts";

runConnectorContract("ldap (slapd + ppolicy)", async () => {
  const slapd = await startSlapd();
  const config = configSchema.parse({
    directory: {
      kind: "ldap",
      ldap: {
        urls: [slapd.url],
        startTLS: true,
        caFile: slapd.caFile,
        bindDN: slapd.serviceDN,
        bindPassword: slapd.servicePassword,
        userBase: slapd.userBase,
        groupBase: slapd.groupBase,
        passwordPolicyDN: slapd.policyDN,
      },
    },
  });
  const connector = createLDAPConnector(config.directory.ldap, {
    log: createLogger({ level: "silent" }),
    clock: systemClock,
  });
  return {
    connector,
    data: {
      alice: {
        userName: "alice",
        password: slapd.users.alice.password,
        email: slapd.users.alice.mail,
        mobile: "+15550100",
        displayName: "Alice Example",
        nextPasswords: ["Contract-Passw0rd-1", "Contract-Passw0rd-2", "Contract-Passw0rd-3"],
      },
      disabled: { userName: "frank" },
      admin: { userName: "dave" },
      groups: { pilot: "pilot", pilotSub: "pilot-sub", admin: "opensspr-admins" },
    },
    async lock(userName) {
      // ppolicy locks after pwdMaxFailure (5) wrong binds, exactly as for a real user.
      for (let attempt = 0; attempt < 5; attempt++) {
        const client = new Client({ url: slapd.url, timeout: 2000, connectTimeout: 2000 });
        await client.bind(`uid=${userName},${slapd.userBase}`, "Wrong-Passw0rd!").catch(() => undefined);
        await client.unbind().catch(() => undefined);
      }
    },
    async teardown() {
      await connector.close?.();
      await slapd.stop();
    },
  };
});
