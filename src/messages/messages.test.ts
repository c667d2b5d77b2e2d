import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { ERROR_CATALOG } from "../errors/catalog.ts";
import { hasOwnTranslation, LOCALES, t } from "./index.ts";

describe("message catalogs", () => {
  test("every error.* message id of the error catalog is translated into en, fr and de", () => {
    const missing: string[] = [];
    for (const entry of Object.values(ERROR_CATALOG)) {
      // Module-specific ids (reset.*, registration.*) are checked by their owners' catalogs.
      if (!entry.message.startsWith("error.")) continue;
      for (const locale of LOCALES) {
        if (!hasOwnTranslation(locale, entry.message)) missing.push(`${locale}:${entry.message}`);
      }
    }
    assert.deepEqual(missing, []);
  });

  test("French and German differ from English for user-facing errors", () => {
    assert.notEqual(t("fr", "error.csrf"), t("en", "error.csrf"));
    assert.notEqual(t("de", "error.not_found"), t("en", "error.not_found"));
  });

  test("substitutes parameters and falls back to English, then to the id", () => {
    assert.equal(t("de", "validation.too_long", { max: 40 }), "Das ist zu lang (höchstens 40 Zeichen).");
    assert.equal(t("xx", "error.not_found"), t("en", "error.not_found"));
    assert.equal(t("fr", "no.such.message"), "no.such.message");
  });
});
