/**
 * User and group look-ups shared by the `ldap` and `active-directory` connectors. Every value a user typed
 * goes into an ldapts filter object (EqualityFilter, SubstringFilter), never into a concatenated filter
 * string (REQ-099); the configured base filter is parsed once at start-up.
 */
import { AndFilter, type Entry, EqualityFilter, type Filter, FilterParser, OrFilter, SubstringFilter } from "ldapts";
import type { DirectoryUser, GroupRef } from "../connector.ts";
import { unavailable } from "./errors.ts";
import type { LDAPConnection, LDAPPool } from "./pool.ts";

export interface UserSchema {
  readonly userBase: string;
  readonly userFilter: string;
  readonly identifierAttributes: readonly string[];
  readonly userNameAttribute: string;
  readonly attributes: { displayName: string; email: string; mobile: string; officePhone: string };
  readonly groupBase: string;
  readonly groupFilter: string;
  readonly groupNameAttribute: string;
  /** `entryUUID` (OpenLDAP) or `objectGUID` (AD). */
  readonly idAttribute: string;
  /** The stable id of an entry, or `null` if it has none. */
  idOf(entry: Entry): string | null;
  /** Filter matching an id, or `null` when the string cannot be an id (then nothing matches). */
  idFilter(id: string): Filter | null;
}

/** First value of an attribute as a string (ldapts gives string | string[] | Buffer | Buffer[]). */
export function firstString(entry: Entry, attribute: string): string | null {
  const value = entry[attribute] ?? findCaseInsensitive(entry, attribute);
  if (value === undefined) return null;
  const first = Array.isArray(value) ? value[0] : value;
  if (first === undefined) return null;
  const text = Buffer.isBuffer(first) ? first.toString("utf8") : String(first);
  return text === "" ? null : text;
}

export function allStrings(entry: Entry, attribute: string): string[] {
  const value = entry[attribute] ?? findCaseInsensitive(entry, attribute);
  if (value === undefined) return [];
  const values = Array.isArray(value) ? value : [value];
  return values.map((v) => (Buffer.isBuffer(v) ? v.toString("utf8") : String(v))).filter((v) => v !== "");
}

function findCaseInsensitive(entry: Entry, attribute: string): Entry[string] | undefined {
  const lower = attribute.toLowerCase();
  for (const key of Object.keys(entry)) if (key.toLowerCase() === lower) return entry[key];
  return undefined;
}

export function parseConfiguredFilter(filter: string, name: string): Filter {
  try {
    return FilterParser.parseString(filter);
  } catch (error) {
    throw unavailable(`directory.${name} is not a valid LDAP filter`, error);
  }
}

/** Identifiers longer than this are not looked up (nothing real is; it bounds the work of a hostile input). */
const MAX_IDENTIFIER_LENGTH = 256;

export interface UserDirectory {
  readonly userAttributes: string[];
  toUser(entry: Entry): DirectoryUser | null;
  findUser(identifier: string): Promise<DirectoryUser | null>;
  getUser(id: string): Promise<DirectoryUser | null>;
  /** Reads one entry by DN with the given attributes (null when it does not exist). */
  readEntry(connection: LDAPConnection, dn: string, attributes: string[], filter?: Filter): Promise<Entry | null>;
  listUsers(options: {
    search?: string;
    offset: number;
    limit: number;
  }): Promise<{ users: DirectoryUser[]; total: number }>;
  findGroup(name: string): Promise<GroupRef | null>;
  groupRef(entry: Entry): GroupRef | null;
  /** The stable id of an entry (entryUUID / objectGUID string). */
  idOf(entry: Entry): string | null;
  readonly userFilter: Filter;
  readonly groupFilter: Filter;
}

export function createUserDirectory(pool: LDAPPool, schema: UserSchema, extraBinary: string[] = []): UserDirectory {
  const userFilter = parseConfiguredFilter(schema.userFilter, "userFilter");
  const groupFilter = parseConfiguredFilter(schema.groupFilter, "groupFilter");
  const userAttributes = Array.from(
    new Set([
      schema.idAttribute,
      schema.userNameAttribute,
      schema.attributes.displayName,
      schema.attributes.email,
      schema.attributes.mobile,
      schema.attributes.officePhone,
      "cn",
    ]),
  );
  const binary = [schema.idAttribute === "objectGUID" ? "objectGUID" : "", ...extraBinary].filter((a) => a !== "");

  const toUser = (entry: Entry): DirectoryUser | null => {
    const id = schema.idOf(entry);
    if (id === null) return null;
    const userName = firstString(entry, schema.userNameAttribute) ?? firstString(entry, "cn");
    if (userName === null) return null;
    return {
      id,
      userName,
      displayName: firstString(entry, schema.attributes.displayName) ?? firstString(entry, "cn") ?? userName,
      email: firstString(entry, schema.attributes.email),
      mobile: firstString(entry, schema.attributes.mobile),
      officePhone: firstString(entry, schema.attributes.officePhone),
      dn: entry.dn,
    };
  };

  const groupRef = (entry: Entry): GroupRef | null => {
    const id = schema.idOf(entry);
    const name = firstString(entry, schema.groupNameAttribute);
    return id === null || name === null ? null : { id, name };
  };

  /** Exactly one match or nothing (REQ-100): two entries sharing a mail address identify nobody. */
  const searchOneUser = async (filter: Filter): Promise<DirectoryUser | null> =>
    await pool.withService(
      async ({ client }) => {
        const result = await client.search(schema.userBase, {
          scope: "sub",
          filter: new AndFilter({ filters: [userFilter, filter] }),
          attributes: userAttributes,
          explicitBufferAttributes: binary,
          sizeLimit: 2,
        });
        const entries = result.searchEntries;
        if (entries.length !== 1) return null;
        return toUser(entries[0] as Entry);
      },
      { retry: true },
    );

  return {
    userAttributes,
    toUser,
    groupRef,
    idOf: (entry) => schema.idOf(entry),
    userFilter,
    groupFilter,
    async findUser(identifier) {
      if (typeof identifier !== "string") return null;
      const value = identifier.trim();
      if (value === "" || value.length > MAX_IDENTIFIER_LENGTH) return null;
      const filter = new OrFilter({
        filters: schema.identifierAttributes.map((attribute) => new EqualityFilter({ attribute, value })),
      });
      return await searchOneUser(filter);
    },
    async getUser(id) {
      if (typeof id !== "string") return null;
      const filter = schema.idFilter(id);
      return filter === null ? null : await searchOneUser(filter);
    },
    async readEntry(connection, dn, attributes, filter) {
      try {
        const result = await connection.client.search(dn, {
          scope: "base",
          attributes,
          explicitBufferAttributes: binary,
          ...(filter === undefined ? {} : { filter }),
        });
        return (result.searchEntries[0] as Entry | undefined) ?? null;
      } catch (error) {
        if ((error as { code?: unknown }).code === 32) return null; // noSuchObject
        throw error;
      }
    },
    async listUsers(options) {
      const offset = Math.max(0, Math.floor(options.offset));
      const limit = Math.min(Math.max(1, Math.floor(options.limit)), 1000);
      const search = options.search?.trim() ?? "";
      const filter =
        search === ""
          ? userFilter
          : new AndFilter({
              filters: [
                userFilter,
                new OrFilter({
                  filters: Array.from(
                    new Set([schema.userNameAttribute, schema.attributes.displayName, schema.attributes.email]),
                  ).map((attribute) => new SubstringFilter({ attribute, any: [search] })),
                }),
              ],
            });
      return await pool.withService(
        async ({ client }) => {
          const result = await client.search(schema.userBase, {
            scope: "sub",
            filter,
            attributes: userAttributes,
            explicitBufferAttributes: binary,
            paged: { pageSize: 500 },
          });
          const users = result.searchEntries
            .map((entry) => toUser(entry))
            .filter((u): u is DirectoryUser => u !== null)
            .sort((a, b) => a.userName.localeCompare(b.userName));
          return { users: users.slice(offset, offset + limit), total: users.length };
        },
        { retry: true },
      );
    },
    async findGroup(name) {
      if (typeof name !== "string" || name.trim() === "" || name.length > MAX_IDENTIFIER_LENGTH) return null;
      return await pool.withService(
        async ({ client }) => {
          const result = await client.search(schema.groupBase, {
            scope: "sub",
            filter: new AndFilter({
              filters: [groupFilter, new EqualityFilter({ attribute: schema.groupNameAttribute, value: name.trim() })],
            }),
            attributes: [schema.idAttribute, schema.groupNameAttribute],
            explicitBufferAttributes: binary,
            sizeLimit: 2,
          });
          if (result.searchEntries.length !== 1) return null;
          return groupRef(result.searchEntries[0] as Entry);
        },
        { retry: true },
      );
    },
  };
}
