/**
 * A throwaway Samba Active Directory domain controller for integration tests (ported from
 * `../shared/reference/samba-ad-dc/start-samba-ad.sh`, verified on Debian 12 / Samba 4.17).
 *
 * Provisioning takes 8-15 s, so the first start in a test run provisions and seeds ONE template under
 * `os.tmpdir()` (keyed by the Samba version and this file's seed version) and every later start copies it
 * (~1 s). Each instance binds only its own loopback address (127.0.x.y, never 127.0.0.1) and serves LDAPS
 * with its own self-signed certificate whose SAN holds that address.
 *
 * Domain: realm EXAMPLE.TEST, base DC=example,DC=test. Users alice (Engineering ⊂ Staff: nested), bob, carol,
 * a protected account `opsadmin` (adminCount=1, member of Domain Admins), service account svc-reset with the
 * delegated Reset Password right and read/write of lockoutTime and pwdLastSet on OU=People (user objects).
 * Policy: complexity on, min length 7, history 5, min age 0, no max age, lockout after 3 bad passwords.
 */
import { execFile, spawn } from "node:child_process";
import { chmod, cp, mkdir, mkdtemp, readFile, rename, rm, stat, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);

/** Bump when the seed below changes, so a stale template is not reused. */
const SEED_VERSION = "4";
const REALM = "EXAMPLE.TEST";
const BASE = "DC=example,DC=test";
const FQDN = "dc1.example.test";

export interface SambaUser {
  readonly name: string;
  readonly dn: string;
  readonly upn: string;
  readonly password: string;
}

export interface SambaAD {
  readonly ip: string;
  readonly url: string;
  readonly caFile: string;
  readonly baseDN: string;
  readonly userBase: string;
  readonly groupBase: string;
  readonly serviceDN: string;
  readonly servicePassword: string;
  readonly adminDN: string;
  readonly adminPassword: string;
  readonly users: {
    readonly alice: SambaUser;
    readonly bob: SambaUser;
    readonly carol: SambaUser;
    readonly dave: SambaUser;
    readonly opsadmin: SambaUser;
    readonly frank: SambaUser;
  };
  readonly groups: { readonly staff: string; readonly engineering: string };
  readonly dir: string;
  /** Runs `samba-tool <args> -s <smb.conf>` (test set-up: lock accounts, set expiry...). */
  tool(args: string[]): Promise<string>;
  halt(): Promise<void>;
  start(): Promise<void>;
  pid(): number;
  stop(): Promise<void>;
}

const ADMIN_PASSWORD = "Passw0rd!Admin";
const user = (name: string, password: string, ou = "OU=People"): SambaUser => ({
  name,
  dn: `CN=${name},${ou},${BASE}`,
  upn: `${name}@example.test`,
  password,
});

async function sambaVersion(): Promise<string> {
  const { stdout } = await run("samba", ["--version"]);
  return stdout.trim().replace(/[^A-Za-z0-9.-]/g, "_");
}

async function portFree(ip: string, port: number): Promise<boolean> {
  return await new Promise((resolve) => {
    const server = createServer();
    server.once("error", () => resolve(false));
    server.listen(port, ip, () => server.close(() => resolve(true)));
  });
}

/** Picks a 127.0.x.y address where the AD ports are free (the wildcard address would block them too). */
async function freeLoopbackAddress(): Promise<string> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const ip = `127.0.${2 + Math.floor(Math.random() * 200)}.${2 + Math.floor(Math.random() * 250)}`;
    let free = true;
    for (const port of [389, 636, 88, 464, 135, 3268, 3269]) {
      if (!(await portFree(ip, port))) {
        free = false;
        break;
      }
    }
    if (free) return ip;
  }
  throw new Error("no free loopback address for Samba");
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}

async function provision(dir: string, ip: string): Promise<void> {
  const conf = join(dir, "etc", "smb.conf");
  await mkdir(join(dir, "tls"), { recursive: true });
  await mkdir(join(dir, "log"), { recursive: true });
  await mkdir(join(dir, "run"), { recursive: true });
  // -s /dev/null: never merge the host's /etc/samba/smb.conf. Only LDAP/Kerberos services, no NetBIOS.
  await run(
    "samba-tool",
    [
      "domain",
      "provision",
      "-s",
      "/dev/null",
      `--realm=${REALM}`,
      "--domain=EXAMPLE",
      "--server-role=dc",
      "--dns-backend=NONE",
      "--host-name=dc1",
      `--adminpass=${ADMIN_PASSWORD}`,
      `--targetdir=${dir}`,
      `--option=interfaces=${ip}/8`,
      "--option=bind interfaces only=yes",
      "--option=server services=ldap cldap kdc rpc drepl kcc winbindd",
      "--option=disable netbios=yes",
      `--option=pid directory=${dir}/run`,
      `--option=ncalrpc dir=${dir}/run/ncalrpc`,
      `--option=winbindd socket directory=${dir}/run/winbindd`,
      `--option=ntp signd socket directory=${dir}/run/ntp_signd`,
      `--option=log file=${dir}/log/samba.log`,
      "--option=logging=file",
      "--option=tls enabled=yes",
      `--option=tls keyfile=${dir}/tls/key.pem`,
      `--option=tls certfile=${dir}/tls/cert.pem`,
      `--option=tls cafile=${dir}/tls/cert.pem`,
    ],
    { env: { ...process.env, TDB_NO_FSYNC: "1" }, maxBuffer: 16 * 1024 * 1024 },
  );
  // Provision (4.17) drops this option; 0 = the previous password stops working at once (default 60 min).
  const text = await readFile(conf, "utf8");
  await writeFile(conf, text.replace(/^\[global\]$/m, "[global]\n\told password allowed period = 0"));
  const st = async (args: string[]): Promise<string> =>
    (await run("samba-tool", [...args, "-s", conf], { env: { ...process.env, TDB_NO_FSYNC: "1" } })).stdout;
  await st([
    "domain",
    "passwordsettings",
    "set",
    "--complexity=on",
    "--min-pwd-length=7",
    "--history-length=5",
    "--min-pwd-age=0",
    "--max-pwd-age=0",
    "--account-lockout-threshold=3",
    "--account-lockout-duration=30",
    "--reset-account-lockout-after=30",
  ]);
  for (const ou of ["OU=People", "OU=Groups", "OU=Service"]) await st(["ou", "add", ou]);
  await st([
    "user",
    "create",
    "alice",
    "Alice!Passw0rd1",
    "--use-username-as-cn",
    "--userou=OU=People",
    "--given-name=Alice",
    "--surname=Example",
    "--mail-address=alice@example.test",
    "--telephone-number=+15550100",
  ]);
  await st([
    "user",
    "create",
    "bob",
    "Bob!Passw0rd1",
    "--use-username-as-cn",
    "--userou=OU=People",
    "--mail-address=bob@example.test",
  ]);
  await st([
    "user",
    "create",
    "carol",
    "Carol!Passw0rd1",
    "--use-username-as-cn",
    "--userou=OU=People",
    "--mail-address=carol@example.test",
  ]);
  await st([
    "user",
    "create",
    "dave",
    "Dave!Passw0rd1",
    "--use-username-as-cn",
    "--userou=OU=People",
    "--mail-address=dave@example.test",
  ]);
  await st(["user", "create", "opsadmin", "Ops!Passw0rd1", "--use-username-as-cn", "--userou=OU=People"]);
  await st(["user", "create", "svc-reset", "Svc!Passw0rd1", "--use-username-as-cn", "--userou=OU=Service"]);
  await st(["group", "add", "Engineering", "--groupou=OU=Groups"]);
  await st(["group", "add", "Staff", "--groupou=OU=Groups"]);
  await st(["group", "add", "opensspr-admins", "--groupou=OU=Groups"]);
  await st(["group", "addmembers", "Engineering", "alice"]);
  await st(["group", "addmembers", "Staff", "Engineering"]);
  await st(["group", "addmembers", "opensspr-admins", "dave"]);
  // opsadmin: a protected account (AdminSDHolder marks members of Domain Admins with adminCount=1).
  await st(["group", "addmembers", "Domain Admins", "opsadmin"]);
  await st(["user", "create", "frank", "Frank!Passw0rd1", "--use-username-as-cn", "--userou=OU=People"]);
  await st(["user", "disable", "frank"]);
  const ldif = [
    `dn: CN=opsadmin,OU=People,${BASE}\nchangetype: modify\nreplace: adminCount\nadminCount: 1\n`,
    `dn: CN=alice,OU=People,${BASE}\nchangetype: modify\nreplace: mobile\nmobile: +15550111\n-\nreplace: displayName\ndisplayName: Alice Example\n`,
  ].join("\n");
  await writeFile(join(dir, "adminCount.ldif"), ldif);
  // No ldb-tools on Debian by default: Samba's own Python bindings (what samba-tool runs on) write sam.ldb.
  const script = [
    "import sys",
    "from samba.samdb import SamDB",
    "from samba.param import LoadParm",
    "from samba.auth import system_session",
    "lp = LoadParm(); lp.load(sys.argv[1])",
    "db = SamDB(url=sys.argv[2], session_info=system_session(), lp=lp)",
    "db.modify_ldif(open(sys.argv[3]).read())",
  ].join("\n");
  await run("/usr/bin/python3", ["-c", script, conf, join(dir, "private", "sam.ldb"), join(dir, "adminCount.ldif")]);
  const sidOut = await st(["user", "show", "svc-reset", "--attributes=objectSid"]);
  const sid = /^objectSid:\s*(\S+)/m.exec(sidOut)?.[1];
  if (sid === undefined) throw new Error(`no SID for svc-reset: ${sidOut}`);
  const USER_CLASS = "bf967aba-0de6-11d0-a285-00aa003049e2"; // schemaIDGUID of class user
  const RESET_PW = "00299570-246d-11d0-a768-00aa006e0529"; // extended right Reset Password
  const LOCKOUT_TIME = "28630ebf-41d5-11d1-a9c1-0000f80367c1";
  const PWD_LAST_SET = "bf967a0a-0de6-11d0-a285-00aa003049e2";
  await st([
    "dsacl",
    "set",
    `--objectdn=OU=People,${BASE}`,
    `--sddl=(OA;CIIO;CR;${RESET_PW};${USER_CLASS};${sid})(OA;CIIO;RPWP;${LOCKOUT_TIME};${USER_CLASS};${sid})(OA;CIIO;RPWP;${PWD_LAST_SET};${USER_CLASS};${sid})`,
  ]);
}

/** Starts a Samba AD DC from a (cached) provisioned template. */
export async function startSambaAD(): Promise<SambaAD> {
  const version = await sambaVersion();
  const template = join(tmpdir(), `opensspr-samba-template-${version}-seed${SEED_VERSION}`);
  const ip = await freeLoopbackAddress();
  if (!(await exists(join(template, ".template-of")))) {
    // Provision into a private directory, then publish it atomically (another test process may race us).
    const building = await mkdtemp(join(tmpdir(), "opensspr-samba-build-"));
    await provision(building, ip);
    const staged = `${template}.${process.pid}`;
    await cp(building, staged, { recursive: true });
    await writeFile(join(staged, ".template-of"), building);
    try {
      await rename(staged, template);
    } catch {
      await rm(staged, { recursive: true, force: true });
    }
    await rm(building, { recursive: true, force: true });
  }
  const dir = await mkdtemp(join(tmpdir(), "opensspr-samba-"));
  const from = (await readFile(join(template, ".template-of"), "utf8")).trim();
  await cp(template, dir, { recursive: true });
  await rm(join(dir, ".template-of"), { force: true });
  const conf = join(dir, "etc", "smb.conf");
  const text = (await readFile(conf, "utf8"))
    .split(from)
    .join(dir)
    .replace(/^(\s*interfaces = ).*$/m, `$1${ip}/8`);
  await writeFile(conf, text);
  for (const sub of ["tls", "run", "log"]) {
    await rm(join(dir, sub), { recursive: true, force: true });
    await mkdir(join(dir, sub), { recursive: true });
  }
  const caFile = join(dir, "tls", "cert.pem");
  await run("openssl", [
    "req",
    "-x509",
    "-newkey",
    "rsa:2048",
    "-nodes",
    "-days",
    "2",
    "-subj",
    `/CN=${FQDN}`,
    "-addext",
    `subjectAltName=DNS:${FQDN},DNS:example.test,IP:${ip}`,
    "-keyout",
    join(dir, "tls", "key.pem"),
    "-out",
    caFile,
  ]);
  await chmod(join(dir, "tls", "key.pem"), 0o600); // samba refuses a key others can read

  let pid = -1;
  const start = async (): Promise<void> => {
    const child = spawn("setsid", ["samba", "-s", conf, "--foreground", "--no-process-group"], {
      stdio: "ignore",
      env: { ...process.env, TDB_NO_FSYNC: "1" },
      detached: false,
    });
    let exited = false;
    child.once("exit", () => {
      exited = true;
    });
    child.unref();
    // Bounded poll until LDAPS answers the rootDSE.
    for (let attempt = 0; attempt < 600; attempt++) {
      if (exited) throw new Error(`samba exited early; see ${dir}/log`);
      try {
        await run("ldapsearch", ["-x", "-H", `ldaps://${ip}`, "-b", "", "-s", "base", "-LLL", "dn"], {
          env: { ...process.env, LDAPTLS_CACERT: caFile },
          timeout: 5000,
        });
        pid = Number((await readFile(join(dir, "run", "samba.pid"), "utf8")).trim());
        return;
      } catch {
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
    throw new Error(`samba did not answer on ldaps://${ip}`);
  };
  const halt = async (): Promise<void> => {
    if (pid <= 0) return;
    const target = pid;
    pid = -1;
    try {
      process.kill(target, "SIGTERM");
    } catch {
      return;
    }
    for (let attempt = 0; attempt < 100; attempt++) {
      try {
        process.kill(target, 0);
      } catch {
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    try {
      process.kill(target, "SIGKILL");
    } catch {
      // already gone
    }
  };
  await start();
  return {
    ip,
    url: `ldaps://${ip}`,
    caFile,
    baseDN: BASE,
    userBase: `OU=People,${BASE}`,
    groupBase: `OU=Groups,${BASE}`,
    serviceDN: `CN=svc-reset,OU=Service,${BASE}`,
    servicePassword: "Svc!Passw0rd1",
    adminDN: `CN=Administrator,CN=Users,${BASE}`,
    adminPassword: ADMIN_PASSWORD,
    users: {
      alice: user("alice", "Alice!Passw0rd1"),
      bob: user("bob", "Bob!Passw0rd1"),
      carol: user("carol", "Carol!Passw0rd1"),
      dave: user("dave", "Dave!Passw0rd1"),
      opsadmin: user("opsadmin", "Ops!Passw0rd1"),
      frank: user("frank", "Frank!Passw0rd1"),
    },
    groups: { staff: `CN=Staff,OU=Groups,${BASE}`, engineering: `CN=Engineering,OU=Groups,${BASE}` },
    dir,
    tool: async (args) =>
      (await run("samba-tool", [...args, "-s", conf], { env: { ...process.env, TDB_NO_FSYNC: "1" } })).stdout,
    halt,
    start,
    pid: () => pid,
    async stop() {
      await halt();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** Checks a password with an independent client: an `ldapsearch` simple bind (Samba 4.17 has no Who-am-I). */
export async function ldapsearchBind(
  server: Pick<SambaAD, "url" | "caFile">,
  dn: string,
  password: string,
): Promise<boolean> {
  try {
    await run("ldapsearch", ["-x", "-H", server.url, "-D", dn, "-w", password, "-b", "", "-s", "base", "dn"], {
      env: { ...process.env, LDAPTLS_CACERT: server.caFile },
      timeout: 10_000,
    });
    return true;
  } catch {
    return false;
  }
}
