/**
 * A small pool of service-account connections with failover over several URLs, TLS (LDAPS or StartTLS with
 * a CA file) and bounded waits. User binds (sign-in, self-change) get their own short-lived connection so a
 * user's identity never leaks into a pooled connection.
 *
 * Failure handling: a connection that errors at the socket level or times out is destroyed, never reused;
 * a pooled connection found unbound (the server restarted while it was idle) is replaced; the next URL is
 * tried when one cannot be reached. A server that answers nothing (stopped process) costs at most
 * `connectTimeoutMs` + `timeoutMs` per URL before `DIRECTORY_UNAVAILABLE`.
 */
import { readFileSync } from "node:fs";
import type { ConnectionOptions } from "node:tls";
import { Client } from "ldapts";
import type { Logger } from "../../kernel/logger.ts";
import { diagnosticText, isConnectionError, ldapResultCode, unavailable } from "./errors.ts";

export interface LDAPPoolOptions {
  urls: readonly string[];
  startTLS: boolean;
  caFile?: string | undefined;
  tlsRejectUnauthorized: boolean;
  bindDN: string;
  bindPassword: string;
  connectTimeoutMs: number;
  timeoutMs: number;
  poolSize: number;
}

export interface LDAPConnection {
  readonly client: Client;
  readonly url: string;
  /** Whether the connection is encrypted (ldaps:// or after StartTLS). */
  readonly secure: boolean;
}

export interface LDAPPool {
  /** Runs `fn` on a bound service-account connection. `retry`: re-run once on a fresh connection after a connection error (reads only). */
  withService<T>(fn: (connection: LDAPConnection) => Promise<T>, options?: { retry: boolean }): Promise<T>;
  /**
   * Opens a new connection and binds as `dn`; `bind` receives the bind error (if any) and decides.
   * The connection is closed afterwards.
   */
  withUser<T>(
    dn: string,
    password: string,
    fn: (connection: LDAPConnection) => Promise<T>,
    controls?: import("ldapts").Control[],
  ): Promise<T>;
  /** Opens a new connection bound as `credentials` (doctor checks), with failover. Caller closes it with `client.unbind()`. */
  open(credentials: { dn: string; password: string }): Promise<LDAPConnection>;
  close(): Promise<void>;
}

/** Thrown (wrapped) when a user bind is refused by the server; carries the LDAP error. */
export class UserBindRefused extends Error {
  constructor(readonly ldapError: unknown) {
    super("user bind refused");
    this.name = "UserBindRefused";
  }
}

function withDeadline<T>(promise: Promise<T>, ms: number, onTimeout: () => void): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      onTimeout();
      reject(new Error(`timed out after ${ms} ms`));
    }, ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

export function createLDAPPool(options: LDAPPoolOptions, deps: { log: Logger }): LDAPPool {
  if (options.urls.length === 0) throw unavailable("no directory URL configured");
  const ca = options.caFile === undefined || options.caFile === "" ? undefined : [readFileSync(options.caFile)];
  const idle: LDAPConnection[] = [];
  const waiting: Array<(connection: LDAPConnection | null) => void> = [];
  let live = 0;
  let preferred = 0;
  let closed = false;

  const tlsFor = (host: string): ConnectionOptions => ({
    ...(ca === undefined ? {} : { ca }),
    rejectUnauthorized: options.tlsRejectUnauthorized,
    // An IP in the URL is matched against the certificate's IP SANs; a name against DNS SANs.
    ...(/^[\d.]+$|:/.test(host) ? {} : { servername: host }),
  });

  async function connectTo(url: string): Promise<LDAPConnection> {
    const parsed = new URL(url);
    const host = parsed.hostname.replace(/^\[|\]$/g, "");
    const ldaps = parsed.protocol === "ldaps:";
    const client = new Client({
      url,
      connectTimeout: options.connectTimeoutMs,
      timeout: options.timeoutMs,
      ...(ldaps ? { tlsOptions: tlsFor(host) } : {}),
    });
    const setup = async (): Promise<LDAPConnection> => {
      let secure = ldaps;
      if (!ldaps && options.startTLS) {
        await client.startTLS({ ...tlsFor(host), host });
        secure = true;
      }
      return { client, url, secure };
    };
    return await withDeadline(setup(), options.connectTimeoutMs + options.timeoutMs, () => {
      void client.unbind().catch(() => undefined);
    });
  }

  /**
   * Connects to the first reachable URL, starting with the one that worked last, and runs `bind` there.
   * A connection-level failure (refused, timeout, TLS) moves on to the next URL; an LDAP answer to the bind
   * (e.g. invalid credentials) is final and rethrown as is.
   */
  async function openConnection(bind: (connection: LDAPConnection) => Promise<void>): Promise<LDAPConnection> {
    const errors: string[] = [];
    for (let i = 0; i < options.urls.length; i++) {
      const index = (preferred + i) % options.urls.length;
      const url = options.urls[index] as string;
      let connection: LDAPConnection | null = null;
      try {
        connection = await connectTo(url);
        const bound = connection;
        await withDeadline(bind(bound), options.connectTimeoutMs + options.timeoutMs, () => {
          void bound.client.unbind().catch(() => undefined);
        });
        if (index !== preferred) deps.log.warn({ url, previous: options.urls[preferred] }, "directory failover");
        preferred = index;
        return connection;
      } catch (error) {
        if (connection !== null) await connection.client.unbind().catch(() => undefined);
        if (!isConnectionError(error)) throw error;
        errors.push(`${url}: ${diagnosticText(error)}`);
      }
    }
    throw unavailable(`no directory server reachable (${errors.join("; ")})`);
  }

  async function openService(): Promise<LDAPConnection> {
    try {
      return await openConnection(async ({ client }) => {
        await client.bind(options.bindDN, options.bindPassword);
      });
    } catch (error) {
      const code = ldapResultCode(error);
      if (code === 49)
        throw unavailable("the directory refused the service account's credentials (bindDN/bindPassword)", error);
      if (code === 8 || code === 13)
        throw unavailable(
          "the directory requires an encrypted connection for the service account bind (use ldaps:// or startTLS)",
          error,
        );
      if (code !== undefined) throw unavailable("service account bind failed", error);
      throw error;
    }
  }

  async function acquire(): Promise<LDAPConnection> {
    if (closed) throw unavailable("directory connector closed");
    while (idle.length > 0) {
      const connection = idle.pop() as LDAPConnection;
      if (connection.client.isBound) return connection;
      live--;
      await connection.client.unbind().catch(() => undefined);
    }
    if (live < options.poolSize) {
      live++;
      try {
        return await openService();
      } catch (error) {
        live--;
        wakeOne();
        throw error;
      }
    }
    const next = await new Promise<LDAPConnection | null>((resolve) => waiting.push(resolve));
    return next ?? (await acquire());
  }

  function wakeOne(): void {
    const waiter = waiting.shift();
    waiter?.(null);
  }

  function release(connection: LDAPConnection, options: { discard: boolean }): void {
    if (options.discard || closed) {
      live--;
      void connection.client.unbind().catch(() => undefined);
      wakeOne();
      return;
    }
    const waiter = waiting.shift();
    if (waiter !== undefined) waiter(connection);
    else idle.push(connection);
  }

  return {
    async withService(fn, runOptions = { retry: false }) {
      for (let attempt = 0; ; attempt++) {
        const connection = await acquire();
        try {
          const result = await fn(connection);
          release(connection, { discard: false });
          return result;
        } catch (error) {
          const broken = isConnectionError(error);
          release(connection, { discard: broken });
          if (!broken) {
            // An LDAP answer nobody handled (wrong base DN → noSuchObject, missing read right...) is a
            // misconfiguration: not exposed, raw answer kept as the cause for the logs and doctor.
            const code = ldapResultCode(error);
            if (code !== undefined)
              throw unavailable(
                `the directory refused the operation (LDAP ${code}): check the directory settings`,
                error,
              );
            throw error;
          }
          if (runOptions.retry && attempt === 0) continue;
          throw unavailable("directory operation failed", error);
        }
      }
    },
    async withUser(dn, password, fn, controls) {
      let connection: LDAPConnection;
      try {
        connection = await openConnection(async ({ client }) => {
          await client.bind(dn, password, controls);
        });
      } catch (error) {
        if (ldapResultCode(error) !== undefined) throw new UserBindRefused(error);
        throw error;
      }
      try {
        try {
          return await fn(connection);
        } catch (error) {
          if (isConnectionError(error)) throw unavailable("directory operation failed", error);
          throw error;
        }
      } finally {
        await connection.client.unbind().catch(() => undefined);
      }
    },
    open: (credentials) =>
      openConnection(async ({ client }) => {
        await client.bind(credentials.dn, credentials.password);
      }),
    async close() {
      closed = true;
      for (const waiter of waiting.splice(0)) waiter(null);
      await Promise.all(idle.splice(0).map((c) => c.client.unbind().catch(() => undefined)));
    },
  };
}
