/**
 * Directory answers → plain reasons (REQ-107, SPEC §3). Threat: AD/OpenLDAP diagnostics (DSID-, CN=, server
 * names) reaching users, or a refusal (user can retry) confused with an outage (user cannot).
 * Texts are the ones Samba 4.17, Windows and OpenLDAP 2.5 send (../shared/reference).
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  ConstraintViolationError,
  InsufficientAccessError,
  InvalidCredentialsError,
  UnwillingToPerformError,
} from "ldapts";
import {
  isConnectionError,
  mapADPasswordRefusal,
  mapLDAPPasswordRefusal,
  parseADError,
  unavailable,
} from "../../src/directory/ldap-common/errors.ts";
import { parseFileTime, parseGeneralizedTime } from "../../src/directory/ldap-common/time.ts";

describe("AD error codes", () => {
  const reason = (error: unknown): string | undefined => {
    const mapped = mapADPasswordRefusal(error);
    return mapped === null ? undefined : mapped.reason;
  };

  test("0000052D is a policy refusal whether the DC answers 19 (Samba < 4.24) or 53 (Windows)", () => {
    const history =
      "0000052D: Constraint violation - check_password_restrictions: the password was already used (in history)!";
    assert.equal(reason(new ConstraintViolationError(history)), "history");
    assert.equal(
      reason(new UnwillingToPerformError(`${history.replace("Constraint violation", "Unwilling")}`)),
      "history",
    );
    assert.equal(
      reason(
        new ConstraintViolationError(
          "0000052D: Constraint violation - check_password_restrictions: password is too young to change!",
        ),
      ),
      "too_recent",
    );
    assert.equal(
      reason(new UnwillingToPerformError("0000052D: SvcErr: DSID-031A126C, problem 5003 (WILL_NOT_PERFORM), data 0")),
      "policy",
    );
    assert.equal(
      reason(
        new ConstraintViolationError(
          "0000052D: Constraint violation - check_password_restrictions: the password is too short. It should be equal or longer than 7 characters!",
        ),
      ),
      "too_short",
    );
  });

  test("wrong current password (00000056, data 52e) and lockout (775) are recognised", () => {
    assert.equal(
      reason(
        new ConstraintViolationError(
          "00000056: Constraint violation - check_password_restrictions: The old password specified doesn't match!",
        ),
      ),
      "wrong_current_password",
    );
    const bind = new InvalidCredentialsError(
      "80090308: LdapErr: DSID-0C0903A9, comment: AcceptSecurityContext error, data 775, v1db1",
    );
    assert.deepEqual(
      { ...parseADError(bind), text: undefined },
      { code: 49, extended: "80090308", data: "775", text: undefined },
    );
    assert.equal(reason(bind), "policy");
    assert.equal(
      reason(new InsufficientAccessError("error in module acl: insufficient access rights")),
      "protected_account",
    );
  });

  test("the raw text stays in `detail` only; the reason is a closed word", () => {
    const mapped = mapADPasswordRefusal(new ConstraintViolationError("0000052D: ... DSID-0C0903A9 CN=alice,OU=People"));
    assert.ok(mapped);
    assert.ok(
      ["policy", "history", "too_recent", "too_short", "protected_account", "wrong_current_password"].includes(
        mapped.reason,
      ),
    );
    assert.match(mapped.detail, /DSID/);
  });
});

describe("OpenLDAP ppolicy", () => {
  test("the response control wins over the text", () => {
    const error = new ConstraintViolationError("Password fails quality checking policy");
    assert.equal(mapLDAPPasswordRefusal(error, "passwordTooShort")?.reason, "too_short");
    assert.equal(mapLDAPPasswordRefusal(error, "passwordInHistory")?.reason, "history");
    assert.equal(mapLDAPPasswordRefusal(error, "passwordTooYoung")?.reason, "too_recent");
    assert.equal(mapLDAPPasswordRefusal(error, "insufficientPasswordQuality")?.reason, "policy");
  });

  test("without the control the diagnostic text is matched", () => {
    assert.equal(
      mapLDAPPasswordRefusal(new ConstraintViolationError("Password is in history of old passwords"), undefined)
        ?.reason,
      "history",
    );
    assert.equal(
      mapLDAPPasswordRefusal(new ConstraintViolationError("Password is too young to change"), undefined)?.reason,
      "too_recent",
    );
    assert.equal(
      mapLDAPPasswordRefusal(new ConstraintViolationError("Password fails quality checking policy"), undefined)?.reason,
      "policy",
    );
    assert.equal(mapLDAPPasswordRefusal(new Error("socket hang up"), undefined), null, "not a refusal");
  });
});

describe("outage vs answer", () => {
  test("socket and timeout errors are outages; LDAP answers are not", () => {
    assert.equal(isConnectionError(new Error("SearchRequest: Operation timed out")), true);
    assert.equal(
      isConnectionError(Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:389"), { code: "ECONNREFUSED" })),
      true,
    );
    assert.equal(isConnectionError(new InvalidCredentialsError("bad")), false);
    assert.equal(isConnectionError(unavailable("x")), false, "already wrapped");
  });

  test("DIRECTORY_UNAVAILABLE is never exposed and keeps the raw error as its cause", () => {
    const cause = new Error("connect ECONNREFUSED 10.0.0.5:636");
    const error = unavailable("no directory server reachable", cause);
    assert.equal(error.code, "DIRECTORY_UNAVAILABLE");
    assert.equal(error.expose, false);
    assert.equal(error.status, 503);
    assert.equal(error.cause, cause);
  });
});

describe("directory times", () => {
  test("GeneralizedTime with and without fractions", () => {
    assert.equal(parseGeneralizedTime("20261125154050Z")?.toISOString(), "2026-11-25T15:40:50.000Z");
    assert.equal(parseGeneralizedTime("20261125154050.225796Z")?.toISOString(), "2026-11-25T15:40:50.225Z");
    assert.equal(parseGeneralizedTime("garbage"), null);
  });

  test("FILETIME: 0 and never are null", () => {
    assert.equal(parseFileTime("0"), null);
    assert.equal(parseFileTime("9223372036854775807"), null);
    assert.equal(parseFileTime("116444736000000000")?.toISOString(), "1970-01-01T00:00:00.000Z");
    assert.equal(parseFileTime("116445600000000000")?.toISOString(), "1970-01-02T00:00:00.000Z");
  });
});
