/**
 * The banned-password fuzzy algorithm (reference §6.2, SPEC §7). Without it users pick "P@ssw0rd1" and
 * "Contoso2024!", the first guesses of every password-spraying tool. The reference's test vectors must pass.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  bundledGlobalBannedList,
  contextTerms,
  createBannedList,
  evaluateBannedPassword,
  normaliseForBannedCheck,
} from "../../src/policy/banned-passwords.ts";

const globalBlank = createBannedList(["blank"], "global");
const customContoso = createBannedList(["contoso"], "custom");

function vector(password: string, personal: string[] = []) {
  return evaluateBannedPassword(password, {
    lists: [customContoso, globalBlank],
    personalTerms: contextTerms(personal),
    organisationTerms: [],
  });
}

describe("reference §6.2 test vectors", () => {
  test("Bl@nK: normalises to 'blank', score 1, rejected", () => {
    assert.equal(normaliseForBannedCheck("Bl@nK"), "blank");
    const r = vector("Bl@nK");
    assert.equal(r.score, 1);
    assert.equal(r.accepted, false);
  });

  test("C0ntos0Blank12: contoso + blank + 1 + 2 = 4, rejected", () => {
    const r = vector("C0ntos0Blank12");
    assert.equal(r.score, 4);
    assert.deepEqual(
      r.terms.map((t) => [t.term, t.source]),
      [
        ["contoso", "custom"],
        ["blank", "global"],
      ],
    );
    assert.equal(r.accepted, false);
  });

  test("ContoS0Bl@nkf9!: contoso + blank + f + 9 + ! = 5, accepted", () => {
    const r = vector("ContoS0Bl@nkf9!");
    assert.equal(r.score, 5);
    assert.equal(r.accepted, true);
  });

  test("p0LL23fb with first name 'Poll': the name substring rejects it", () => {
    const r = vector("p0LL23fb", ["Poll Jones"]);
    assert.equal(r.personal, true);
    assert.equal(r.accepted, false);
    assert.equal(vector("p0LL23fb").accepted, true, "without the name the same password passes");
  });

  test("P0l123fb with a 3-character first name 'Pol': names under 4 chars are not checked (newer rule)", () => {
    const r = vector("P0l123fb", ["Pol"]);
    assert.equal(r.personal, false);
    assert.equal(r.accepted, true);
  });
});

describe("fuzzy matching (edit distance 1)", () => {
  const abc = createBannedList(["abcdef"], "global");
  const score = (password: string) =>
    evaluateBannedPassword(password, { lists: [abc], personalTerms: [], organisationTerms: [] }).score;

  test("the reference's examples match: abcdeg (substitution), abcdefg (exact + 1), abcde (deletion)", () => {
    assert.equal(score("abcdeg"), 1);
    assert.equal(score("abcdefg"), 2);
    assert.equal(score("abcde"), 1);
  });

  test("an inserted character inside the term still matches", () => {
    assert.equal(score("abcXdef"), 1);
  });

  test("two edits do not match", () => {
    assert.equal(score("abXdeY"), 6);
  });

  test("extra substitutions (3→e 4→a 5→s 7→t !→i) are normalised", () => {
    assert.equal(normaliseForBannedCheck("P4$$w0rd!7"), "passwordit");
    assert.equal(normaliseForBannedCheck("S3CR3T5"), "secrets");
  });

  test("organisation name occurring in the password rejects it", () => {
    const r = evaluateBannedPassword("Fabrikam-Spring-River", {
      lists: [],
      personalTerms: [],
      organisationTerms: contextTerms(["Fabrikam"]),
    });
    assert.equal(r.organisation, true);
    assert.equal(r.accepted, false);
  });
});

describe("bundled global list", () => {
  const lists = [bundledGlobalBannedList()];
  const check = (password: string) =>
    evaluateBannedPassword(password, { lists, personalTerms: [], organisationTerms: [] });

  test("holds thousands of common breached passwords", () => {
    assert.ok(lists[0]!.size >= 3000, `only ${lists[0]!.size} terms`);
  });

  test("rejects common passwords and their leet/fuzzy variants", () => {
    for (const password of ["Password1", "P@ssw0rd", "qwerty123", "iloveyou!", "Dragon12", "letmein1", "Passw0rd2"]) {
      assert.equal(check(password).accepted, false, password);
    }
  });

  test("accepts passphrases and random passwords", () => {
    for (const password of ["correct horse battery staple", "xK9#mQ2$vL7!pR4w", "Tiramisu-Velvet-Oboe-42"]) {
      assert.equal(check(password).accepted, true, password);
    }
  });

  test("is fast: about a quarter of a millisecond per check, bounded on 256 characters", () => {
    const samples = [
      "Password1",
      "correct horse battery staple",
      "Summer2024!!",
      "aB3$kL9@qW2#zX5%nM8^",
      "ContosoBlank12",
    ];
    for (let i = 0; i < 300; i++) check(samples[i % samples.length]!); // JIT warm-up
    // Target < 1 ms (≈ 0.25 ms measured on an idle machine). The bound here is 2 ms, best of three batches, so a
    // busy CI machine does not fail it, while a regression to scanning the list (tens of ms) still does.
    let perCheck = Number.POSITIVE_INFINITY;
    for (let batch = 0; batch < 3; batch++) {
      const started = performance.now();
      for (let i = 0; i < 200; i++) check(samples[i % samples.length]!);
      perCheck = Math.min(perCheck, (performance.now() - started) / 200);
    }
    assert.ok(perCheck < 2, `${perCheck.toFixed(3)} ms per check`);
    const long = performance.now();
    check("Ab1!".repeat(64));
    assert.ok(performance.now() - long < 50);
  });
});
