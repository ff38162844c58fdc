// Serves the UI from app://gpow/ instead of file://. A file:// page can read any file the
// user can, and all file:// pages share one origin; app://gpow/ is an origin of its own, and
// this handler answers only for files inside the built renderer directory.
import { readFile as fsReadFile } from 'node:fs/promises';
import { extname, isAbsolute, relative, resolve } from 'node:path';
import type { CustomScheme } from 'electron';
import { APP_HOST, APP_SCHEME } from './appOrigin.ts';
import { CONTENT_SECURITY_POLICY } from './security.ts';

/**
 * Registered before 'ready'. standard: relative URLs and origins work as on the web; secure:
 * a secure context (WebCrypto, no mixed-content downgrade); supportFetchAPI: fetch() and
 * module scripts may load from it. corsEnabled stays off, so other origins cannot read it.
 */
export const APP_SCHEME_PRIVILEGES: CustomScheme = {
  scheme: APP_SCHEME,
  privileges: { standard: true, secure: true, supportFetchAPI: true },
};

/** Only these file types are served; the renderer build produces nothing else. */
export const MIME_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.woff': 'font/woff',
  '.wasm': 'application/wasm',
  '.txt': 'text/plain; charset=utf-8',
};

/**
 * The characters a path of ours can contain after percent-decoding. Everything else is refused
 * before it reaches the file system: backslashes (a separator on Windows), ':' (drive letters,
 * alternate data streams), '%' (double encoding), NUL and other control characters, spaces.
 */
const SAFE_PATH = /^[A-Za-z0-9._~@/-]*$/u;

/**
 * Maps an app://gpow/ URL to a file under `rootDir`, or null if it must not be served. The
 * URL parser has already collapsed plain "../" segments; the decoded path is checked again,
 * because "%2e%2e%2f" and "..%2f" only become "../" after decoding. Dot-files are refused too.
 */
export function resolveAppPath(rootDir: string, requestUrl: string): string | null {
  let url: URL;
  try {
    url = new URL(requestUrl);
  } catch {
    return null;
  }
  if (url.protocol !== `${APP_SCHEME}:` || url.host !== APP_HOST) return null;
  // No file of ours has a slash in its name: an encoded one is only ever an attempt to smuggle
  // a separator past the URL parser.
  if (/%(?:2f|5c)/iu.test(url.pathname)) return null;
  let decoded: string;
  try {
    decoded = decodeURIComponent(url.pathname);
  } catch {
    return null; // malformed percent-encoding
  }
  if (!SAFE_PATH.test(decoded)) return null;
  const segments = decoded.split('/').filter((segment) => segment !== '');
  if (segments.some((segment) => segment.startsWith('.'))) return null;
  const root = resolve(rootDir);
  const file = resolve(root, segments.length === 0 ? 'index.html' : segments.join('/'));
  // Belt and braces: whatever got through, the result must lie strictly inside the root.
  const inside = relative(root, file);
  if (inside === '' || inside.startsWith('..') || isAbsolute(inside)) return null;
  return file;
}

const SECURITY_HEADERS = {
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'Cache-Control': 'no-cache',
} as const;

/** The CSP for the page being served; the configured relays make it vary (allowedRelays.ts). */
export type PolicySource = () => string;

const defaultPolicy: PolicySource = () => CONTENT_SECURITY_POLICY;

function headersFor(contentType: string, policy: PolicySource): Record<string, string> {
  const headers: Record<string, string> = { ...SECURITY_HEADERS, 'Content-Type': contentType };
  if (contentType.startsWith('text/html')) {
    headers['Content-Security-Policy'] = policy();
  }
  return headers;
}

const plain = (status: number, text: string): Response =>
  new Response(text, { status, headers: headersFor('text/plain; charset=utf-8', defaultPolicy) });

export interface AppProtocolOptions {
  /** The built renderer directory (index.html and assets/). */
  rootDir: string;
  /** For tests; node:fs/promises readFile by default. Electron's fs reads inside app.asar. */
  readFile?: (path: string) => Promise<Uint8Array>;
  /** The CSP of each HTML page; CONTENT_SECURITY_POLICY by default. */
  contentSecurityPolicy?: PolicySource;
}

/** The handler for protocol.handle('app', ...) in production. */
export function createAppProtocolHandler(
  options: AppProtocolOptions,
): (request: Request) => Promise<Response> {
  const read = options.readFile ?? fsReadFile;
  const policy = options.contentSecurityPolicy ?? defaultPolicy;
  return async (request) => {
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      return plain(405, 'Method not allowed');
    }
    const file = resolveAppPath(options.rootDir, request.url);
    const contentType = file === null ? undefined : MIME_TYPES[extname(file).toLowerCase()];
    if (file === null || contentType === undefined) return plain(404, 'Not found');
    let body: Uint8Array;
    try {
      body = await read(file);
    } catch {
      return plain(404, 'Not found'); // missing, a directory, or unreadable: all the same here
    }
    return new Response(request.method === 'HEAD' ? null : new Uint8Array(body), {
      status: 200,
      headers: headersFor(contentType, policy),
    });
  };
}

// ---------------------------------------------------------------------------------------------
// Development: `electron-forge start` serves the renderer from a Vite dev server. The window
// still loads app://gpow/, and this handler forwards to the dev server, so the origin, the
// CSP and the IPC sender check are the same in development as in the packaged app.

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

/** The dev server URL if it is plain http on a loopback address, else null. */
export function loopbackDevServer(input: string): URL | null {
  let url: URL;
  try {
    url = new URL(input);
  } catch {
    return null;
  }
  return url.protocol === 'http:' && LOOPBACK_HOSTS.has(url.hostname) ? url : null;
}

export function createDevServerHandler(
  devServerUrl: string,
  fetchImpl: typeof fetch = fetch,
  policy: PolicySource = defaultPolicy,
): (request: Request) => Promise<Response> {
  const server = loopbackDevServer(devServerUrl);
  if (server === null) {
    throw new Error(
      `The renderer dev server must be http:// on localhost or 127.0.0.1, not ${devServerUrl}`,
    );
  }
  return async (request) => {
    const url = new URL(request.url);
    if (url.protocol !== `${APP_SCHEME}:` || url.host !== APP_HOST) return plain(404, 'Not found');
    const target = new URL(`${url.pathname}${url.search}`, server);
    let upstream: Response;
    try {
      upstream = await fetchImpl(target, { method: request.method, redirect: 'error' });
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      return plain(502, `The renderer dev server at ${server.origin} did not answer: ${reason}`);
    }
    const contentType = upstream.headers.get('content-type') ?? 'application/octet-stream';
    return new Response(upstream.body, {
      status: upstream.status,
      headers: headersFor(contentType, policy),
    });
  };
}
