/**
 * The one migration set for SQLite and PostgreSQL, written with Kysely's schema builder. Migrations are
 * append-only: never edit one that has shipped, add the next number instead.
 */
import { type Kysely, type Migration, type MigrationProvider, Migrator, sql } from "kysely";
import type { Dialect } from "./schema.ts";

// Kysely's migrations receive `Kysely<any>` by design: they run before the typed schema exists.
// biome-ignore lint/suspicious/noExplicitAny: see above
type AnyDB = Kysely<any>;

function autoIncrementKey(dialect: Dialect, options: { big: boolean }): "integer" | "serial" | "bigserial" {
  if (dialect === "sqlite") return "integer";
  return options.big ? "bigserial" : "serial";
}

function initialSchema(dialect: Dialect): Migration {
  return {
    async up(db: AnyDB): Promise<void> {
      await db.schema
        .createTable("builtin_users")
        .addColumn("id", "text", (c) => c.primaryKey())
        .addColumn("user_name", "text", (c) => c.notNull())
        .addColumn("user_name_key", "text", (c) => c.notNull().unique())
        .addColumn("display_name", "text", (c) => c.notNull())
        .addColumn("email", "text")
        .addColumn("email_key", "text")
        .addColumn("mobile", "text")
        .addColumn("office_phone", "text")
        .addColumn("enabled", "integer", (c) => c.notNull())
        .addColumn("password_hash", "text")
        .addColumn("password_changed_at", "bigint")
        .addColumn("must_change_password", "integer", (c) => c.notNull())
        .addColumn("locked_at", "bigint")
        .addColumn("failed_logins", "integer", (c) => c.notNull())
        .addColumn("created_at", "bigint", (c) => c.notNull())
        .addColumn("updated_at", "bigint", (c) => c.notNull())
        .execute();
      await db.schema.createIndex("builtin_users_email_key").on("builtin_users").column("email_key").execute();

      await db.schema
        .createTable("builtin_password_history")
        .addColumn("seq", autoIncrementKey(dialect, { big: false }), (c) => c.primaryKey())
        .addColumn("user_id", "text", (c) => c.notNull().references("builtin_users.id").onDelete("cascade"))
        .addColumn("hash", "text", (c) => c.notNull())
        .addColumn("at", "bigint", (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex("builtin_password_history_user")
        .on("builtin_password_history")
        .columns(["user_id", "seq"])
        .execute();

      await db.schema
        .createTable("builtin_groups")
        .addColumn("id", "text", (c) => c.primaryKey())
        .addColumn("name", "text", (c) => c.notNull())
        .addColumn("name_key", "text", (c) => c.notNull().unique())
        .addColumn("description", "text", (c) => c.notNull())
        .addColumn("created_at", "bigint", (c) => c.notNull())
        .execute();

      await db.schema
        .createTable("builtin_group_members")
        .addColumn("group_id", "text", (c) => c.notNull().references("builtin_groups.id").onDelete("cascade"))
        .addColumn("member_kind", "text", (c) => c.notNull())
        .addColumn("member_id", "text", (c) => c.notNull())
        .addPrimaryKeyConstraint("builtin_group_members_pk", ["group_id", "member_kind", "member_id"])
        .execute();
      await db.schema
        .createIndex("builtin_group_members_member")
        .on("builtin_group_members")
        .columns(["member_kind", "member_id"])
        .execute();

      await db.schema
        .createTable("policy_versions")
        .addColumn("version", "integer", (c) => c.primaryKey())
        .addColumn("document", "text", (c) => c.notNull())
        .addColumn("created_at", "bigint", (c) => c.notNull())
        .addColumn("created_by", "text", (c) => c.notNull())
        .execute();

      await db.schema
        .createTable("enrollments")
        .addColumn("id", "text", (c) => c.primaryKey())
        .addColumn("user_id", "text", (c) => c.notNull())
        .addColumn("method", "text", (c) => c.notNull())
        .addColumn("label", "text", (c) => c.notNull())
        .addColumn("data", "text", (c) => c.notNull())
        .addColumn("secret", "text")
        .addColumn("status", "text", (c) => c.notNull())
        .addColumn("source", "text", (c) => c.notNull())
        .addColumn("created_at", "bigint", (c) => c.notNull())
        .addColumn("confirmed_at", "bigint")
        .addColumn("last_used_at", "bigint")
        .execute();
      await db.schema.createIndex("enrollments_user").on("enrollments").columns(["user_id", "method"]).execute();
      await db.schema.createIndex("enrollments_method").on("enrollments").columns(["method", "status"]).execute();

      await db.schema
        .createTable("registration_state")
        .addColumn("user_id", "text", (c) => c.primaryKey())
        .addColumn("registered_at", "bigint")
        .addColumn("reviewed_at", "bigint")
        .addColumn("updated_at", "bigint", (c) => c.notNull())
        .execute();

      await db.schema
        .createTable("codes")
        .addColumn("id", "text", (c) => c.primaryKey())
        .addColumn("purpose", "text", (c) => c.notNull())
        .addColumn("digest", "text", (c) => c.notNull())
        .addColumn("expires_at", "bigint", (c) => c.notNull())
        .addColumn("attempts", "integer", (c) => c.notNull())
        .addColumn("max_attempts", "integer", (c) => c.notNull())
        .addColumn("consumed_at", "bigint")
        .addColumn("created_at", "bigint", (c) => c.notNull())
        .execute();
      await db.schema.createIndex("codes_purpose").on("codes").columns(["purpose", "created_at"]).execute();
      await db.schema.createIndex("codes_expires").on("codes").column("expires_at").execute();

      await db.schema
        .createTable("flows")
        .addColumn("id", "text", (c) => c.primaryKey())
        .addColumn("kind", "text", (c) => c.notNull())
        .addColumn("state", "text", (c) => c.notNull())
        .addColumn("data", "text", (c) => c.notNull())
        .addColumn("version", "integer", (c) => c.notNull())
        .addColumn("created_at", "bigint", (c) => c.notNull())
        .addColumn("expires_at", "bigint", (c) => c.notNull())
        .addColumn("updated_at", "bigint", (c) => c.notNull())
        .execute();
      await db.schema.createIndex("flows_expires").on("flows").column("expires_at").execute();

      await db.schema
        .createTable("sessions")
        .addColumn("id_digest", "text", (c) => c.primaryKey())
        .addColumn("user_id", "text", (c) => c.notNull())
        .addColumn("kind", "text", (c) => c.notNull())
        .addColumn("data", "text", (c) => c.notNull())
        .addColumn("created_at", "bigint", (c) => c.notNull())
        .addColumn("expires_at", "bigint", (c) => c.notNull())
        .addColumn("last_seen_at", "bigint", (c) => c.notNull())
        .execute();
      await db.schema.createIndex("sessions_user").on("sessions").column("user_id").execute();
      await db.schema.createIndex("sessions_expires").on("sessions").column("expires_at").execute();

      await db.schema
        .createTable("throttle_events")
        .addColumn("seq", autoIncrementKey(dialect, { big: true }), (c) => c.primaryKey())
        .addColumn("key", "text", (c) => c.notNull())
        .addColumn("at", "bigint", (c) => c.notNull())
        .execute();
      await db.schema.createIndex("throttle_events_key_at").on("throttle_events").columns(["key", "at"]).execute();
      await db.schema.createIndex("throttle_events_at").on("throttle_events").column("at").execute();

      await db.schema
        .createTable("throttle_blocks")
        .addColumn("key", "text", (c) => c.primaryKey())
        .addColumn("until", "bigint", (c) => c.notNull())
        .addColumn("reason", "text", (c) => c.notNull())
        .addColumn("created_at", "bigint", (c) => c.notNull())
        .execute();
      await db.schema.createIndex("throttle_blocks_until").on("throttle_blocks").column("until").execute();

      await db.schema
        .createTable("nonces")
        .addColumn("key", "text", (c) => c.primaryKey())
        .addColumn("expires_at", "bigint", (c) => c.notNull())
        .execute();
      await db.schema.createIndex("nonces_expires").on("nonces").column("expires_at").execute();

      await db.schema
        .createTable("audit_log")
        .addColumn("seq", "bigint", (c) => c.primaryKey())
        .addColumn("id", "text", (c) => c.notNull().unique())
        .addColumn("at", "bigint", (c) => c.notNull())
        .addColumn("activity", "text", (c) => c.notNull())
        .addColumn("service", "text", (c) => c.notNull())
        .addColumn("outcome", "text", (c) => c.notNull())
        .addColumn("reason", "text", (c) => c.notNull())
        .addColumn("actor_id", "text")
        .addColumn("actor_name", "text")
        .addColumn("target_id", "text")
        .addColumn("target_name", "text")
        .addColumn("ip", "text")
        .addColumn("user_agent", "text")
        .addColumn("correlation_id", "text")
        .addColumn("details", "text", (c) => c.notNull())
        .addColumn("prev_hash", "text", (c) => c.notNull())
        .addColumn("hash", "text", (c) => c.notNull())
        .execute();
      await db.schema.createIndex("audit_log_at").on("audit_log").columns(["at", "seq"]).execute();
      await db.schema.createIndex("audit_log_actor").on("audit_log").column("actor_id").execute();
      await db.schema.createIndex("audit_log_target").on("audit_log").column("target_id").execute();
      await db.schema.createIndex("audit_log_activity").on("audit_log").column("activity").execute();
      await db.schema.createIndex("audit_log_correlation").on("audit_log").column("correlation_id").execute();

      await db.schema
        .createTable("audit_chain")
        .addColumn("id", "integer", (c) => c.primaryKey())
        .addColumn("seq", "bigint", (c) => c.notNull())
        .addColumn("hash", "text", (c) => c.notNull())
        .addColumn("anchor", "text", (c) => c.notNull())
        .execute();
      await db.insertInto("audit_chain").values({ id: 1, seq: 0, hash: GENESIS_HASH, anchor: GENESIS_HASH }).execute();

      await db.schema
        .createTable("outbox")
        .addColumn("id", "text", (c) => c.primaryKey())
        .addColumn("channel", "text", (c) => c.notNull())
        .addColumn("recipient", "text", (c) => c.notNull())
        .addColumn("subject", "text", (c) => c.notNull())
        .addColumn("body", "text", (c) => c.notNull())
        .addColumn("html", "text")
        .addColumn("template", "text", (c) => c.notNull())
        .addColumn("status", "text", (c) => c.notNull())
        .addColumn("attempts", "integer", (c) => c.notNull())
        .addColumn("next_attempt_at", "bigint", (c) => c.notNull())
        .addColumn("last_error", "text")
        .addColumn("created_at", "bigint", (c) => c.notNull())
        .addColumn("sent_at", "bigint")
        .addColumn("campaign_id", "text")
        .addColumn("claimed_at", "bigint")
        .execute();
      await db.schema.createIndex("outbox_due").on("outbox").columns(["status", "next_attempt_at"]).execute();
      await db.schema.createIndex("outbox_created").on("outbox").column("created_at").execute();
      await db.schema.createIndex("outbox_campaign").on("outbox").columns(["campaign_id", "status"]).execute();

      await db.schema
        .createTable("dev_mailbox")
        .addColumn("id", "text", (c) => c.primaryKey())
        .addColumn("channel", "text", (c) => c.notNull())
        .addColumn("recipient", "text", (c) => c.notNull())
        .addColumn("recipient_key", "text", (c) => c.notNull())
        .addColumn("subject", "text", (c) => c.notNull())
        .addColumn("body", "text", (c) => c.notNull())
        .addColumn("html", "text")
        .addColumn("delivered_at", "bigint", (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex("dev_mailbox_recipient")
        .on("dev_mailbox")
        .columns(["recipient_key", "delivered_at"])
        .execute();
      await db.schema.createIndex("dev_mailbox_delivered").on("dev_mailbox").column("delivered_at").execute();

      await db.schema
        .createTable("settings")
        .addColumn("key", "text", (c) => c.primaryKey())
        .addColumn("value", "text", (c) => c.notNull())
        .addColumn("updated_at", "bigint", (c) => c.notNull())
        .execute();
    },
    async down(db: AnyDB): Promise<void> {
      for (const table of [
        "settings",
        "dev_mailbox",
        "outbox",
        "audit_chain",
        "audit_log",
        "nonces",
        "throttle_blocks",
        "throttle_events",
        "sessions",
        "flows",
        "codes",
        "registration_state",
        "enrollments",
        "policy_versions",
        "builtin_group_members",
        "builtin_groups",
        "builtin_password_history",
        "builtin_users",
      ]) {
        await db.schema.dropTable(table).ifExists().execute();
      }
    },
  };
}

/** The `prevHash` of the first audit row. */
export const GENESIS_HASH = "0".repeat(64);

/** Every migration, in order. The key is the version name recorded in `kysely_migration`. */
export function migrationsFor(dialect: Dialect): Record<string, Migration> {
  return {
    "0001_initial": initialSchema(dialect),
  };
}

/** The newest migration this build knows: what `doctor` compares the database against. */
export const LATEST_SCHEMA_VERSION = "0001_initial";

function migratorFor(db: AnyDB, dialect: Dialect): Migrator {
  const provider: MigrationProvider = { getMigrations: async () => migrationsFor(dialect) };
  return new Migrator({ db, provider });
}

export interface MigrationReport {
  /** Migrations applied by this call, in order. */
  applied: string[];
  /** The schema version now in the database. */
  version: string | null;
}

/** Applies every pending migration (idempotent; concurrent instances are serialised by Kysely's lock). */
export async function migrateToLatest(db: AnyDB, dialect: Dialect): Promise<MigrationReport> {
  const { error, results } = await migratorFor(db, dialect).migrateToLatest();
  if (error !== undefined) throw error;
  const applied = (results ?? []).filter((r) => r.status === "Success").map((r) => r.migrationName);
  return { applied, version: await readSchemaVersion(db, dialect) };
}

export interface SchemaVersionInfo {
  /** Newest applied migration, or null on an empty database. */
  current: string | null;
  latest: string;
  /** Known migrations not yet applied. */
  pending: string[];
}

export async function readSchemaVersion(db: AnyDB, dialect: Dialect): Promise<string | null> {
  return (await schemaVersionInfo(db, dialect)).current;
}

export async function schemaVersionInfo(db: AnyDB, dialect: Dialect): Promise<SchemaVersionInfo> {
  const migrations = await migratorFor(db, dialect).getMigrations();
  const executed = migrations.filter((m) => m.executedAt !== undefined).map((m) => m.name);
  const pending = migrations.filter((m) => m.executedAt === undefined).map((m) => m.name);
  return { current: executed.at(-1) ?? null, latest: LATEST_SCHEMA_VERSION, pending };
}

/** Used by `ping`: the cheapest round trip. */
export async function selectOne(db: AnyDB): Promise<void> {
  await sql`select 1`.execute(db);
}
