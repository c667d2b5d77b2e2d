/**
 * A browser-like client over `app.inject` (no socket): keeps a cookie jar, remembers the CSRF token of the
 * last HTML page it fetched and puts it into form posts, and follows redirects (recording them) unless told
 * not to. Use one client per simulated browser.
 */
import type { FastifyInstance } from "fastify";

export interface HTTPResponse {
  status: number;
  headers: Record<string, string | string[] | number | undefined>;
  body: string;
  /** The `Location` header of this response, if any. */
  location: string | null;
  /** Redirects followed to reach this response (status + location of each hop). */
  redirects: { status: number; location: string }[];
  /** Parses the body as JSON. */
  json<T = unknown>(): T;
}

export interface RequestOptions {
  headers?: Record<string, string>;
  /** Follow 301/302/303/307/308 (as a browser: 303 and POST→GET). @default true */
  follow?: boolean;
}

export interface FormOptions extends RequestOptions {
  /**
   * Where the form comes from: fetched first (GET) to pick up its CSRF token. Without it the token of the
   * last page fetched is used, and if none was fetched yet, `url` itself is fetched first.
   */
  from?: string;
  /** `false` sends no `_csrf` field; a string sends that value instead of the real token. */
  csrf?: boolean | string;
}

export interface HTTPClient {
  get(url: string, options?: RequestOptions): Promise<HTTPResponse>;
  /** Posts `application/x-www-form-urlencoded` (repeated keys for array values) with the CSRF token. */
  postForm(
    url: string,
    fields: Record<string, string | string[] | undefined>,
    options?: FormOptions,
  ): Promise<HTTPResponse>;
  /** Sends JSON (`Content-Type: application/json` when a body is given) and `Accept: application/json`. */
  json(
    method: "GET" | "POST" | "PUT" | "PATCH" | "DELETE",
    url: string,
    body?: unknown,
    options?: RequestOptions,
  ): Promise<HTTPResponse>;
  /** Any request, raw (payload as given; no CSRF, no cookies added beyond the jar). */
  request(options: {
    method: string;
    url: string;
    payload?: string | Buffer;
    headers?: Record<string, string>;
    follow?: boolean;
  }): Promise<HTTPResponse>;
  /** The CSRF token of the last HTML page fetched ("" when none). */
  csrfToken(): string;
  /** The current value of a cookie in the jar. */
  cookie(name: string): string | undefined;
  setCookie(name: string, value: string): void;
  clearCookies(): void;
  /** Body of the last HTML page received. */
  lastPage(): string;
}

/** Extracts the `_csrf` hidden field value from an HTML page. */
export function extractCsrfToken(html: string): string | null {
  const match =
    /<input[^>]*name="_csrf"[^>]*value="([^"]*)"/.exec(html) ??
    /<input[^>]*value="([^"]*)"[^>]*name="_csrf"/.exec(html);
  return match?.[1] ?? null;
}

/** Decodes the few HTML entities preact emits in attribute values. */
export function decodeEntities(text: string): string {
  return text
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&amp;/g, "&");
}

/** Encodes form fields; array values become repeated keys, `undefined` values are left out. */
export function encodeForm(fields: Record<string, string | string[] | undefined>): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(fields)) {
    if (value === undefined) continue;
    if (Array.isArray(value)) for (const item of value) params.append(key, item);
    else params.append(key, value);
  }
  return params.toString();
}

export function createClient(app: FastifyInstance, defaults: { headers?: Record<string, string> } = {}): HTTPClient {
  const jar = new Map<string, string>();
  let token = "";
  let page = "";

  const cookieHeader = (): string | undefined =>
    jar.size === 0 ? undefined : [...jar.entries()].map(([name, value]) => `${name}=${value}`).join("; ");

  async function once(options: {
    method: string;
    url: string;
    payload?: string | Buffer;
    headers?: Record<string, string>;
  }) {
    const headers: Record<string, string> = { "user-agent": "opensspr-test", ...defaults.headers, ...options.headers };
    const cookies = cookieHeader();
    if (cookies !== undefined && headers["cookie"] === undefined) headers["cookie"] = cookies;
    const response = await app.inject({
      method: options.method as "GET",
      url: options.url,
      headers,
      ...(options.payload !== undefined ? { payload: options.payload } : {}),
    });
    for (const cookie of response.cookies as { name: string; value: string; maxAge?: number; expires?: Date }[]) {
      const expired =
        cookie.value === "" ||
        (cookie.maxAge !== undefined && cookie.maxAge <= 0) ||
        (cookie.expires !== undefined && cookie.expires.getTime() < Date.now());
      if (expired) jar.delete(cookie.name);
      else jar.set(cookie.name, cookie.value);
    }
    const type = String(response.headers["content-type"] ?? "");
    if (type.startsWith("text/html")) {
      page = response.body;
      const found = extractCsrfToken(response.body);
      if (found !== null) token = decodeEntities(found);
    }
    return response;
  }

  async function send(options: {
    method: string;
    url: string;
    payload?: string | Buffer;
    headers?: Record<string, string>;
    follow?: boolean;
  }): Promise<HTTPResponse> {
    const redirects: { status: number; location: string }[] = [];
    let current = { method: options.method, url: options.url, payload: options.payload, headers: options.headers };
    for (let hop = 0; ; hop++) {
      const response = await once(current);
      const location = typeof response.headers.location === "string" ? response.headers.location : null;
      const isRedirect = [301, 302, 303, 307, 308].includes(response.statusCode) && location !== null;
      if (!isRedirect || options.follow === false || hop >= 10) {
        return {
          status: response.statusCode,
          headers: response.headers,
          body: response.body,
          location,
          redirects,
          json: <T>() => JSON.parse(response.body) as T,
        };
      }
      redirects.push({ status: response.statusCode, location });
      const next = new URL(location, "http://localhost");
      const keepMethod = response.statusCode === 307 || response.statusCode === 308;
      current = keepMethod
        ? { ...current, url: `${next.pathname}${next.search}` }
        : { method: "GET", url: `${next.pathname}${next.search}`, payload: undefined, headers: options.headers };
    }
  }

  return {
    get: (url, options = {}) => send({ method: "GET", url, headers: options.headers, follow: options.follow }),
    async postForm(url, fields, options = {}) {
      if (options.from !== undefined) await send({ method: "GET", url: options.from });
      else if (token === "" && options.csrf !== false && typeof options.csrf !== "string")
        await send({ method: "GET", url });
      const body: Record<string, string | string[] | undefined> = { ...fields };
      if (options.csrf !== false) body["_csrf"] = typeof options.csrf === "string" ? options.csrf : token;
      return send({
        method: "POST",
        url,
        payload: encodeForm(body),
        headers: { "content-type": "application/x-www-form-urlencoded", ...options.headers },
        follow: options.follow,
      });
    },
    json(method, url, body, options = {}) {
      const headers: Record<string, string> = { accept: "application/json", ...options.headers };
      if (body !== undefined && headers["content-type"] === undefined) headers["content-type"] = "application/json";
      return send({
        method,
        url,
        ...(body !== undefined ? { payload: typeof body === "string" ? body : JSON.stringify(body) } : {}),
        headers,
        follow: options.follow ?? false,
      });
    },
    request: (options) => send(options),
    csrfToken: () => token,
    cookie: (name) => jar.get(name),
    setCookie: (name, value) => {
      jar.set(name, value);
    },
    clearCookies: () => {
      jar.clear();
    },
    lastPage: () => page,
  };
}
