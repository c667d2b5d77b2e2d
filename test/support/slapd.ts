/**
 * A throwaway OpenLDAP server for integration tests (derived from `../shared/reference/openldap/start-slapd.sh`).
 *
 * Each call starts its own `slapd` (mdb, `dc=example,dc=org`, ppolicy overlay with lockout and history,
 * memberof overlay, self-signed TLS) from a fresh `mkdtemp` directory on free loopback ports, and seeds:
 * - a least-privilege SERVICE ACCOUNT (`cn=sspr,ou=services`) — never the rootdn, which bypasses ppolicy
 *   (REQ-104): it may read people and groups, write `userPassword`, and manage the ppolicy state
 *   (`pwdAccountLockedTime`, `pwdReset`, via the Relax control);
 * - users alice (pilot-sub ⊂ pilot: nested), bob, carol (locked by five bad binds), dave (admin group member);
 * - groups `pilot` ⊃ `pilot-sub` ⊃ alice, `opensspr-admins` ⊃ dave;
 * - a default password policy: min length 8, quality check, history 3, lockout after 5 failures.
 *
 * The rootdn is only used here to seed; tests hand the connector the service account.
 */
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { Attribute, Change, Client } from "ldapts";

const run = promisify(execFile);

export interface SlapdUser {
  readonly uid: string;
  readonly dn: string;
  readonly password: string;
  readonly mail: string;
}

export interface Slapd {
  /** `ldap://127.0.0.1:<port>` (StartTLS available). */
  readonly url: string;
  /** `ldaps://127.0.0.1:<port>`. */
  readonly ldapsUrl: string;
  /** PEM of the self-signed server certificate (SAN: localhost, 127.0.0.1). */
  readonly caFile: string;
  readonly baseDN: string;
  readonly userBase: string;
  readonly groupBase: string;
  readonly serviceDN: string;
  readonly servicePassword: string;
  readonly rootDN: string;
  readonly rootPassword: string;
  readonly policyDN: string;
  readonly users: {
    readonly alice: SlapdUser;
    readonly bob: SlapdUser;
    readonly carol: SlapdUser;
    readonly dave: SlapdUser;
    readonly erin: SlapdUser;
    /** Administratively locked (`pwdAccountLockedTime: 000001010000Z`): reported as disabled. */
    readonly frank: SlapdUser;
  };
  readonly groups: { readonly pilot: string; readonly pilotSub: string; readonly admins: string };
  readonly dir: string;
  /** Current slapd process id. */
  pid(): number;
  /** SIGSTOP: the server accepts TCP connections but never answers (slow-server fault). */
  pause(): Promise<void>;
  /** SIGCONT after `pause()`. */
  resume(): void;
  /** Stops slapd but keeps its data; `start()` brings it back on the same ports. */
  halt(): Promise<void>;
  start(): Promise<void>;
  /** Runs an LDIF modify as the rootdn (test set-up only). */
  modifyAsRoot(ldif: string): Promise<void>;
  /** Stops slapd and removes its directory. */
  stop(): Promise<void>;
}

export async function freePort(host = "127.0.0.1"): Promise<number> {
  return await new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, host, () => {
      const address = server.address();
      const port = typeof address === "object" && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

const BASE = "dc=example,dc=org";

/** Optional settings of `startSlapd()` (the defaults are what the integration tests use). */
export interface StartSlapdOptions {
  /** `password-hash` of the server (how cleartext passwords are stored); default `{SSHA}`. */
  passwordHash?: string;
  /**
   * Extra users created in ONE `ldapadd` (benchmarks): `uid=<prefix><i>` for i in [0, count), mail
   * `<prefix><i>@<mailDomain>`, all with `password`, under `ou=people`.
   */
  bulkUsers?: { count: number; prefix: string; password: string; mailDomain: string };
  /** slapd `loglevel` (default: slapd's own, `stats`). Benchmarks use `0`. */
  logLevel?: string;
}

export async function startSlapd(options: StartSlapdOptions = {}): Promise<Slapd> {
  const dir = await mkdtemp(join(tmpdir(), "opensspr-slapd-"));
  const port = await freePort();
  const tlsPort = await freePort();
  const url = `ldap://127.0.0.1:${port}`;
  const ldapsUrl = `ldaps://127.0.0.1:${tlsPort}`;
  const caFile = join(dir, "tls.crt");
  const rootDN = `cn=admin,${BASE}`;
  const rootPassword = "adminpw";
  const serviceDN = `cn=sspr,ou=services,${BASE}`;
  const servicePassword = "Svc-Passw0rd!";
  const policyDN = `cn=default,ou=policies,${BASE}`;
  await run("mkdir", ["-p", join(dir, "db"), join(dir, "run")]);
  await run("openssl", [
    "req",
    "-x509",
    "-newkey",
    "rsa:2048",
    "-nodes",
    "-days",
    "2",
    "-subj",
    "/CN=localhost",
    "-addext",
    "subjectAltName=DNS:localhost,IP:127.0.0.1",
    "-keyout",
    join(dir, "tls.key"),
    "-out",
    caFile,
  ]);
  const conf = `include   /etc/ldap/schema/core.schema
include   /etc/ldap/schema/cosine.schema
include   /etc/ldap/schema/nis.schema
include   /etc/ldap/schema/inetorgperson.schema
modulepath /usr/lib/ldap
moduleload back_mdb.la
moduleload ppolicy.la
moduleload memberof.la
pidfile   ${dir}/run/slapd.pid
argsfile  ${dir}/run/slapd.args
password-hash ${options.passwordHash ?? "{SSHA}"}
${options.logLevel === undefined ? "" : `loglevel ${options.logLevel}\n`}TLSCertificateFile    ${caFile}
TLSCertificateKeyFile ${dir}/tls.key
database  mdb
maxsize   104857600
suffix    "${BASE}"
rootdn    "${rootDN}"
rootpw    ${rootPassword}
directory ${dir}/db
index     objectClass,uid,mail,member,entryUUID eq
overlay   memberof
memberof-group-oc groupOfNames
memberof-member-ad member
memberof-memberof-ad memberOf
memberof-refint TRUE
overlay   ppolicy
ppolicy_default "${policyDN}"
ppolicy_hash_cleartext
ppolicy_use_lockout
access to attrs=userPassword
  by dn.exact="${serviceDN}" =w
  by self write
  by anonymous auth
  by * none
access to attrs=pwdAccountLockedTime,pwdReset,pwdFailureTime
  by dn.exact="${serviceDN}" manage
  by self read
  by * none
access to dn.subtree="ou=people,${BASE}"
  by dn.exact="${serviceDN}" read
  by self read
  by users read
  by * none
access to *
  by dn.exact="${serviceDN}" read
  by self read
  by users read
  by * none
`;
  await writeFile(join(dir, "slapd.conf"), conf);
  await run("slaptest", ["-Q", "-u", "-f", join(dir, "slapd.conf")]);

  let child: ChildProcess | null = null;
  const start = async (): Promise<void> => {
    const proc = spawn("slapd", ["-d", "0", "-f", join(dir, "slapd.conf"), "-h", `${url}/ ${ldapsUrl}/`], {
      stdio: ["ignore", "ignore", "pipe"],
    });
    let stderr = "";
    proc.stderr?.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child = proc;
    // Bounded poll for start-up: the rootDSE answers once slapd listens.
    for (let attempt = 0; attempt < 100; attempt++) {
      if (proc.exitCode !== null) throw new Error(`slapd exited: ${stderr}`);
      const client = new Client({ url, connectTimeout: 500, timeout: 500 });
      try {
        await client.bind(rootDN, rootPassword);
        await client.unbind();
        return;
      } catch {
        await client.unbind().catch(() => undefined);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    }
    throw new Error(`slapd did not answer on ${url}: ${stderr}`);
  };
  const halt = async (): Promise<void> => {
    const proc = child;
    if (proc === null || proc.exitCode !== null) return;
    const exited = new Promise((resolve) => proc.once("exit", resolve));
    proc.kill("SIGCONT");
    proc.kill("SIGTERM");
    const timer = setTimeout(() => proc.kill("SIGKILL"), 5000);
    await exited;
    clearTimeout(timer);
  };
  const ldapmodify = async (ldif: string, options: { add: boolean }): Promise<void> => {
    const args = ["-x", "-H", url, "-D", rootDN, "-w", rootPassword];
    if (options.add) args.push("-a");
    const proc = spawn("ldapmodify", args, { stdio: ["pipe", "ignore", "pipe"] });
    let stderr = "";
    proc.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    proc.stdin.end(ldif);
    const code = await new Promise<number | null>((resolve) => proc.once("exit", resolve));
    if (code !== 0) throw new Error(`ldapmodify failed (${code}): ${stderr}`);
  };

  await start();
  const user = (uid: string, password: string): SlapdUser => ({
    uid,
    dn: `uid=${uid},ou=people,${BASE}`,
    password,
    mail: `${uid}@example.org`,
  });
  const users = {
    alice: user("alice", "OldPassw0rd!"),
    bob: user("bob", "BobPassw0rd!"),
    carol: user("carol", "CarolPassw0rd!"),
    dave: user("dave", "DavePassw0rd!"),
    erin: user("erin", "ErinPassw0rd!"),
    frank: user("frank", "FrankPassw0rd!"),
  };
  const groups = {
    pilot: `cn=pilot,ou=groups,${BASE}`,
    pilotSub: `cn=pilot-sub,ou=groups,${BASE}`,
    admins: `cn=opensspr-admins,ou=groups,${BASE}`,
  };
  const person = (u: SlapdUser, name: string, extra: string): string =>
    `dn: ${u.dn}\nobjectClass: inetOrgPerson\nuid: ${u.uid}\ncn: ${name} Example\nsn: Example\nmail: ${u.mail}\nuserPassword: ${u.password}\n${extra}`;
  await ldapmodify(
    [
      `dn: ${BASE}\nobjectClass: dcObject\nobjectClass: organization\no: Example Org\ndc: example\n`,
      `dn: ou=people,${BASE}\nobjectClass: organizationalUnit\nou: people\n`,
      `dn: ou=groups,${BASE}\nobjectClass: organizationalUnit\nou: groups\n`,
      `dn: ou=services,${BASE}\nobjectClass: organizationalUnit\nou: services\n`,
      `dn: ou=policies,${BASE}\nobjectClass: organizationalUnit\nou: policies\n`,
      `dn: ${policyDN}\nobjectClass: organizationalRole\nobjectClass: pwdPolicy\ncn: default\npwdAttribute: userPassword\npwdMinLength: 8\npwdCheckQuality: 1\npwdInHistory: 3\npwdMaxFailure: 5\npwdLockout: TRUE\npwdLockoutDuration: 300\npwdAllowUserChange: TRUE\npwdMustChange: FALSE\n`,
      `dn: ${serviceDN}\nobjectClass: organizationalRole\nobjectClass: simpleSecurityObject\ncn: sspr\nuserPassword: ${servicePassword}\n`,
      person(users.alice, "Alice", "mobile: +15550100\ntelephoneNumber: +15550199\n"),
      person(users.bob, "Bob", ""),
      person(users.carol, "Carol", ""),
      person(users.dave, "Dave", ""),
      person(users.erin, "Erin", ""),
      person(users.frank, "Frank", ""),
      `dn: ${groups.pilotSub}\nobjectClass: groupOfNames\ncn: pilot-sub\nmember: ${users.alice.dn}\n`,
      `dn: ${groups.pilot}\nobjectClass: groupOfNames\ncn: pilot\nmember: ${groups.pilotSub}\n`,
      `dn: ${groups.admins}\nobjectClass: groupOfNames\ncn: opensspr-admins\nmember: ${users.dave.dn}\n`,
    ].join("\n"),
    { add: true },
  );
  if (options.bulkUsers !== undefined && options.bulkUsers.count > 0) {
    const { count, prefix, password, mailDomain } = options.bulkUsers;
    const entries: string[] = [];
    for (let i = 0; i < count; i++) {
      const uid = `${prefix}${i}`;
      entries.push(
        `dn: uid=${uid},ou=people,${BASE}\nobjectClass: inetOrgPerson\nuid: ${uid}\ncn: ${uid}\nsn: Bench\nmail: ${uid}@${mailDomain}\nuserPassword: ${password}\n`,
      );
    }
    await ldapmodify(entries.join("\n"), { add: true });
  }
  // frank: administratively locked for good (ppolicy's "disabled"), set by the service account (manage right).
  const service = new Client({ url, connectTimeout: 2000, timeout: 2000 });
  await service.bind(serviceDN, servicePassword);
  await service.modify(
    users.frank.dn,
    new Change({
      operation: "replace",
      modification: new Attribute({ type: "pwdAccountLockedTime", values: ["000001010000Z"] }),
    }),
  );
  await service.unbind();
  // carol: locked by the directory itself (five wrong binds), as a real lockout happens.
  for (let attempt = 0; attempt < 5; attempt++) {
    const client = new Client({ url, connectTimeout: 2000, timeout: 2000 });
    await client.bind(users.carol.dn, "Wrong-Passw0rd!").catch(() => undefined);
    await client.unbind().catch(() => undefined);
  }

  return {
    url,
    ldapsUrl,
    caFile,
    baseDN: BASE,
    userBase: `ou=people,${BASE}`,
    groupBase: `ou=groups,${BASE}`,
    serviceDN,
    servicePassword,
    rootDN,
    rootPassword,
    policyDN,
    users,
    groups,
    dir,
    pid: () => child?.pid ?? -1,
    async pause() {
      const proc = child;
      if (proc?.pid === undefined) return;
      proc.kill("SIGSTOP");
      // Signal delivery is asynchronous: wait until the kernel reports the process stopped ("T"), so a
      // request sent next cannot be answered by a thread that had not been stopped yet.
      for (let attempt = 0; attempt < 100; attempt++) {
        const stat = await readFile(`/proc/${proc.pid}/stat`, "utf8").catch(() => "");
        if (/^\d+ \(.*\) T /.test(stat)) return;
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      throw new Error("slapd did not stop");
    },
    resume: () => {
      child?.kill("SIGCONT");
    },
    halt,
    start,
    modifyAsRoot: (ldif) => ldapmodify(ldif, { add: false }),
    async stop() {
      await halt();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** Checks a password with an independent client: `ldapwhoami` (OpenLDAP's own tool). */
export async function ldapwhoami(server: Pick<Slapd, "url">, dn: string, password: string): Promise<boolean> {
  try {
    await run("ldapwhoami", ["-x", "-H", server.url, "-D", dn, "-w", password], { timeout: 10_000 });
    return true;
  } catch {
    return false;
  }
}
