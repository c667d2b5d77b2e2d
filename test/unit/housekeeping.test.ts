/**
 * Expired codes, flows, sessions, nonces and old throttle events are removed; audit records are kept for
 * `audit.retentionDays` and the remaining chain still verifies.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { DAY_MS, HOUR_MS } from "../../src/kernel/clock.ts";
import { createHousekeeping } from "../../src/ops/housekeeping.ts";
import type { SqlStores } from "../../src/store/sql/stores.ts";
import { buildTestApp } from "../support/app.ts";

test("housekeeping removes what expired and keeps the audit trail for the retention period", async () => {
  const t = await buildTestApp({ config: { audit: { retentionDays: 30 } } });
  try {
    const { stores } = t.registry;
    const now = t.clock.now();
    await t.registry.codes.issue("flow:x:email-code");
    await stores.flows.insert({
      id: "f1",
      kind: "reset",
      state: "identify",
      data: {},
      version: 1,
      createdAt: now,
      expiresAt: new Date(now.getTime() + 900_000),
      updatedAt: now,
    });
    await stores.nonces.useOnce("captcha:1", new Date(now.getTime() + 600_000));
    await stores.throttles.hit("ip:192.0.2.1:identify", now, new Date(now.getTime() - HOUR_MS));
    await t.registry.audit.record({
      activity: "flowProgress",
      outcome: "success",
      reason: "User submitted their user ID",
      ctx: null,
    });

    const housekeeping = createHousekeeping({ stores, clock: t.clock, config: t.registry.config, log: t.registry.log });
    const early = await housekeeping.runOnce();
    assert.deepEqual(
      early,
      { codes: 0, flows: 0, sessions: 0, nonces: 0, throttleEvents: 0, auditRecords: 0 },
      "nothing live is removed",
    );

    t.clock.advance(2 * DAY_MS);
    await t.registry.audit.record({
      activity: "flowProgress",
      outcome: "success",
      reason: "User submitted their user ID",
      ctx: null,
    });
    const later = await housekeeping.runOnce();
    assert.equal(later.codes, 1);
    assert.equal(later.flows, 1);
    assert.equal(later.nonces, 1);
    assert.equal(later.throttleEvents, 1);
    assert.equal(later.auditRecords, 0, "audit kept within retention");
    assert.equal(await stores.flows.get("f1"), null);

    t.clock.advance(29 * DAY_MS);
    const retention = await housekeeping.runOnce();
    assert.equal(retention.auditRecords, 1, "the record older than 30 days goes, the newer one stays");
    const remaining = await stores.audit.query({ offset: 0, limit: 10 });
    assert.equal(remaining.total, 1);
    const chain = await (stores as SqlStores).verifyAuditChain();
    assert.equal(chain.ok, true);
  } finally {
    await t.close();
  }
});
