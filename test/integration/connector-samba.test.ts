/**
 * The shared directory-connector contract against a real Active Directory implementation (Samba AD DC over
 * LDAPS), through a delegated service account (Reset Password + lockoutTime/pwdLastSet on OU=People only).
 */

import { readFileSync } from "node:fs";
import { Client } from "ldapts";
import { configSchema } from "../../src/config/schema.ts";
import { createADConnector } from "../../src/directory/active-directory/ad.connector.ts";
import { runConnectorContract } from "../../src/directory/contract/connector.contract.ts";
import { systemClock } from "../../src/kernel/clock.ts";
import { createLogger } from "../../src/kernel/logger.ts";
import { startSambaAD } from "../support/samba.ts";

runConnectorContract("active-directory (Samba AD DC)", async () => {
  const samba = await startSambaAD();
  const config = configSchema.parse({
    directory: {
      kind: "active-directory",
      activeDirectory: {
        urls: [samba.url],
        caFile: samba.caFile,
        bindDN: samba.serviceDN,
        bindPassword: samba.servicePassword,
        userBase: samba.userBase,
        groupBase: samba.groupBase,
      },
    },
  });
  const connector = createADConnector(config.directory.activeDirectory, {
    log: createLogger({ level: "silent" }),
    clock: systemClock,
  });
  const ca = readFileSync(samba.caFile);
  return {
    connector,
    data: {
      alice: {
        userName: "alice",
        password: samba.users.alice.password,
        email: "alice@example.test",
        mobile: "+15550111",
        displayName: "Alice Example",
        nextPasswords: ["Contract!Passw0rd1", "Contract!Passw0rd2", "Contract!Passw0rd3"],
      },
      disabled: { userName: "frank" },
      admin: { userName: "dave" },
      groups: { pilot: "Staff", pilotSub: "Engineering", admin: "opensspr-admins" },
    },
    async lock(userName) {
      // The domain locks after 3 bad passwords (lockoutThreshold), as for a real user.
      for (let attempt = 0; attempt < 3; attempt++) {
        const client = new Client({ url: samba.url, tlsOptions: { ca: [ca] }, timeout: 5000, connectTimeout: 5000 });
        await client.bind(`CN=${userName},${samba.userBase}`, "Wrong!Passw0rd0").catch(() => undefined);
        await client.unbind().catch(() => undefined);
      }
    },
    async teardown() {
      await connector.close?.();
      await samba.stop();
    },
  };
});
