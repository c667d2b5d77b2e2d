/**
 * Administrator-written Markdown (landing-page text) → HTML that cannot carry script.
 *
 * Threat: an admin account (or a stolen admin session) storing `<script>`, `<img onerror>` or a
 * `javascript:` link in the landing text to attack every visitor of the password portal. Raw HTML in the
 * Markdown is shown as text (escaped), and links/images keep only http(s), mailto and same-site targets.
 * The CSP (`script-src 'self'`) is the second line of defence.
 */
import { Marked, type Tokens } from "marked";

export function escapeHTML(text: string): string {
  return text
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&#39;");
}

/** Allowed link targets: http(s), mailto, and paths on this site (not protocol-relative `//host`). */
export function safeHref(href: string): string | null {
  const value = href.trim();
  if (/^(https?:|mailto:)/i.test(value)) return value;
  if (value.startsWith("/") && !value.startsWith("//") && !value.startsWith("/\\")) return value;
  if (value.startsWith("#")) return value;
  return null;
}

const marked = new Marked({
  async: false,
  gfm: true,
  breaks: false,
  renderer: {
    html(token: Tokens.HTML | Tokens.Tag): string {
      return escapeHTML(token.text);
    },
    link(token: Tokens.Link): string {
      const text = this.parser.parseInline(token.tokens);
      const href = safeHref(token.href);
      if (href === null) return text;
      const title = token.title ? ` title="${escapeHTML(token.title)}"` : "";
      const external = /^https?:/i.test(href) ? ' rel="noopener noreferrer"' : "";
      return `<a href="${escapeHTML(href)}"${title}${external}>${text}</a>`;
    },
    image(token: Tokens.Image): string {
      const href = safeHref(token.href);
      // Remote images would be blocked by the CSP anyway; keep the alt text.
      if (href === null || /^https?:/i.test(href)) return escapeHTML(token.text);
      return `<img src="${escapeHTML(href)}" alt="${escapeHTML(token.text)}">`;
    },
  },
});

/** Renders Markdown with raw HTML escaped and unsafe URLs dropped. */
export function renderSafeMarkdown(markdown: string): string {
  return marked.parse(markdown, { async: false }) as string;
}
