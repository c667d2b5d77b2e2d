import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { renderSafeMarkdown, safeHref } from "./markdown.ts";

/**
 * Threat: landing-page Markdown carrying script (raw HTML, event handlers, javascript: links) served to
 * every visitor of the password portal.
 */
describe("renderSafeMarkdown", () => {
  test("renders Markdown formatting", () => {
    const html = renderSafeMarkdown("# Welcome\n\nCall **IT** at [the desk](https://it.example.test).");
    assert.match(html, /<h1>Welcome<\/h1>/);
    assert.match(html, /<strong>IT<\/strong>/);
    assert.match(html, /<a href="https:\/\/it\.example\.test" rel="noopener noreferrer">the desk<\/a>/);
  });

  test("escapes raw HTML blocks and inline tags", () => {
    const html = renderSafeMarkdown('<script>alert(1)</script>\n\nHi <img src=x onerror="alert(2)"> there');
    assert.doesNotMatch(html, /<script/i);
    assert.doesNotMatch(html, /<img/i);
    assert.match(html, /&lt;script&gt;/);
  });

  test("drops javascript: and data: link targets but keeps the text", () => {
    const html = renderSafeMarkdown("[click](javascript:alert(1)) and [data](data:text/html;base64,AAAA)");
    assert.doesNotMatch(html, /href/);
    assert.match(html, /click/);
  });

  test("safeHref accepts only http(s), mailto, same-site paths and fragments", () => {
    assert.equal(safeHref("mailto:it@example.test"), "mailto:it@example.test");
    assert.equal(safeHref("/reset"), "/reset");
    assert.equal(safeHref("//evil.test/x"), null);
    assert.equal(safeHref(" JavaScript:alert(1)"), null);
  });
});
