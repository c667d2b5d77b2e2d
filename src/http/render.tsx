/**
 * Server-side rendering: a preact element → a complete HTML document. preact-render-to-string escapes every
 * text and attribute value, so user data cannot become markup.
 */
import type { FastifyReply } from "fastify";
import type { JSX } from "preact";
import { renderToString } from "preact-render-to-string";

export function renderHTML(vnode: JSX.Element): string {
  return `<!doctype html>${renderToString(vnode)}`;
}

/** Sends `vnode` as an HTML page (status 200 unless told). Responses are `no-store` (server.ts). */
export function renderPage(reply: FastifyReply, vnode: JSX.Element, options: { status?: number } = {}): FastifyReply {
  return reply
    .code(options.status ?? 200)
    .type("text/html; charset=utf-8")
    .send(renderHTML(vnode));
}
