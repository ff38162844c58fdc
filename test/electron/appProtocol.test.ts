import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  APP_SCHEME_PRIVILEGES,
  createAppProtocolHandler,
  createDevServerHandler,
  loopbackDevServer,
  resolveAppPath,
} from '../../electron/appProtocol.ts';
import { CONTENT_SECURITY_POLICY } from '../../electron/security.ts';

vi.mock('electron', () => ({}));

// A layout with a secret next to the renderer root, which must never be served.
//   <tmp>/secret.txt
//   <tmp>/renderer/index.html, app.js, style.css, assets/logo.png, .env, notes.xyz, sub/
let base: string;
let root: string;
beforeAll(async () => {
  base = await mkdtemp(join(tmpdir(), 'gpow-protocol-'));
  root = join(base, 'renderer');
  await mkdir(join(root, 'assets'), { recursive: true });
  await mkdir(join(root, 'sub'));
  await writeFile(join(base, 'secret.txt'), 'TOP SECRET');
  await writeFile(join(root, 'index.html'), '<!doctype html><title>GPoW</title>');
  await writeFile(join(root, 'app.js'), 'console.log(1);');
  await writeFile(join(root, 'style.css'), 'body{}');
  await writeFile(join(root, 'assets', 'logo.png'), new Uint8Array([0x89, 0x50, 0x4e, 0x47]));
  await writeFile(join(root, '.env'), 'KEY=1');
  await writeFile(join(root, 'notes.xyz'), 'unknown type');
});
afterAll(async () => {
  await rm(base, { recursive: true, force: true });
});

const get = (url: string, method = 'GET'): Promise<Response> =>
  createAppProtocolHandler({ rootDir: root })(new Request(url, { method }));

describe('the app:// scheme registration', () => {
  it('is standard, secure and fetchable, and nothing more', () => {
    expect(APP_SCHEME_PRIVILEGES).toEqual({
      scheme: 'app',
      privileges: { standard: true, secure: true, supportFetchAPI: true },
    });
  });
});

describe('resolveAppPath', () => {
  it('maps paths inside the root, with / meaning index.html', () => {
    expect(resolveAppPath(root, 'app://gpow/')).toBe(join(root, 'index.html'));
    expect(resolveAppPath(root, 'app://gpow/index.html')).toBe(join(root, 'index.html'));
    expect(resolveAppPath(root, 'app://gpow/assets/logo.png?v=1#x')).toBe(
      join(root, 'assets', 'logo.png'),
    );
  });

  it.each([
    // Encoded traversal only becomes "../" after decoding.
    'app://gpow/%2e%2e%2fsecret.txt',
    'app://gpow/%2E%2E%2Fsecret.txt',
    'app://gpow/..%2fsecret.txt',
    'app://gpow/assets/..%2f..%2fsecret.txt',
    'app://gpow/%252e%252e%252fsecret.txt',
    // Backslashes are separators on Windows.
    'app://gpow/..%5csecret.txt',
    'app://gpow/assets%5c..%5c..%5csecret.txt',
    // Absolute and drive paths.
    'app://gpow/C:/Windows/win.ini',
    'app://gpow/%2fetc%2fpasswd',
    'app://gpow/c%3a%5cwindows%5cwin.ini',
    // NUL, control characters, malformed encoding, dot-files.
    'app://gpow/index.html%00.png',
    'app://gpow/index%0a.html',
    'app://gpow/%e0%a4%a',
    'app://gpow/.env',
    'app://gpow/assets/.hidden',
    // Not our host or scheme at all.
    'app://evil/index.html',
    'app://gpow:1234/index.html',
    'file:///etc/passwd',
    'https://gpow/index.html',
  ])('refuses %s', (url) => {
    expect(resolveAppPath(root, url)).toBeNull();
  });

  it('keeps paths that the URL parser already collapsed inside the root', () => {
    // Literal "../" (and "%2e%2e/" as a whole segment) is resolved by URL parsing itself, so
    // it can never climb above "/"; the result is an ordinary path in the root.
    for (const url of [
      'app://gpow/../secret.txt',
      'app://gpow/../../../../etc/passwd',
      'app://gpow/%2e%2e/secret.txt',
      'app://gpow/assets/../../secret.txt',
      'app://gpow//etc/passwd',
    ]) {
      const path = resolveAppPath(root, url);
      expect(path === null || path.startsWith(`${root}/`)).toBe(true);
    }
  });
});

describe('the app:// handler', () => {
  it('serves index.html with the CSP and the right type', async () => {
    for (const url of ['app://gpow/', 'app://gpow/index.html']) {
      const response = await get(url);
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
      expect(response.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY);
      expect(response.headers.get('x-content-type-options')).toBe('nosniff');
      expect(await response.text()).toContain('<title>GPoW</title>');
    }
  });

  it.each([
    ['app://gpow/app.js', 'text/javascript; charset=utf-8'],
    ['app://gpow/style.css', 'text/css; charset=utf-8'],
    ['app://gpow/assets/logo.png', 'image/png'],
  ])('serves %s as %s, without a CSP header', async (url, type) => {
    const response = await get(url);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe(type);
    expect(response.headers.get('content-security-policy')).toBeNull();
  });

  it.each([
    'app://gpow/%2e%2e%2fsecret.txt',
    'app://gpow/..%2fsecret.txt',
    'app://gpow/..%5csecret.txt',
    'app://gpow/../secret.txt',
    'app://gpow/.env',
    'app://gpow/missing.js',
    'app://gpow/sub',
    'app://gpow/sub/',
    'app://gpow/notes.xyz',
    'app://other/index.html',
  ])('answers %s with 404 and never the secret', async (url) => {
    const response = await get(url);
    expect(response.status).toBe(404);
    expect(await response.text()).not.toContain('TOP SECRET');
  });

  it('answers HEAD without a body, and refuses other methods', async () => {
    const head = await get('app://gpow/index.html', 'HEAD');
    expect(head.status).toBe(200);
    expect(await head.text()).toBe('');
    expect((await get('app://gpow/index.html', 'POST')).status).toBe(405);
    expect((await get('app://gpow/index.html', 'DELETE')).status).toBe(405);
  });

  it('never reads a refused path', async () => {
    const readFile = vi.fn(() => Promise.resolve(new Uint8Array()));
    const handler = createAppProtocolHandler({ rootDir: root, readFile });
    await handler(new Request('app://gpow/..%2f..%2fetc%2fpasswd'));
    await handler(new Request('app://gpow/notes.xyz'));
    expect(readFile).not.toHaveBeenCalled();
  });
});

describe('the development proxy', () => {
  it('accepts only http on loopback', () => {
    expect(loopbackDevServer('http://localhost:5173')?.origin).toBe('http://localhost:5173');
    expect(loopbackDevServer('http://127.0.0.1:5173/')?.origin).toBe('http://127.0.0.1:5173');
    expect(loopbackDevServer('http://[::1]:5173/')?.origin).toBe('http://[::1]:5173');
    for (const url of [
      'https://localhost:5173',
      'http://example.com:5173',
      'http://10.0.0.2',
      '',
    ]) {
      expect(loopbackDevServer(url)).toBeNull();
    }
    expect(() => createDevServerHandler('http://example.com:5173')).toThrow(
      /must be http:\/\/ on localhost or 127\.0\.0\.1/u,
    );
  });

  it('forwards app://gpow/ paths to the dev server and adds the CSP to HTML', async () => {
    const requested: string[] = [];
    const fetchImpl = vi.fn((input: string | URL | Request) => {
      const url = input instanceof Request ? input.url : input.toString();
      requested.push(url);
      const html = url.endsWith('/index.html');
      return Promise.resolve(
        new Response(html ? '<!doctype html>' : 'export {}', {
          headers: { 'content-type': html ? 'text/html' : 'text/javascript' },
        }),
      );
    });
    const handler = createDevServerHandler('http://127.0.0.1:5173', fetchImpl);

    const page = await handler(new Request('app://gpow/index.html'));
    expect(requested).toEqual(['http://127.0.0.1:5173/index.html']);
    expect(page.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY);

    const script = await handler(new Request('app://gpow/main.ts?t=1'));
    expect(requested[1]).toBe('http://127.0.0.1:5173/main.ts?t=1');
    expect(script.headers.get('content-security-policy')).toBeNull();
    expect(await script.text()).toBe('export {}');

    expect((await handler(new Request('app://evil/index.html'))).status).toBe(404);
    expect(fetchImpl).toHaveBeenCalledTimes(2);
  });

  it('says so when the dev server is not running', async () => {
    const handler = createDevServerHandler('http://127.0.0.1:5173', () =>
      Promise.reject(new Error('ECONNREFUSED')),
    );
    const response = await handler(new Request('app://gpow/index.html'));
    expect(response.status).toBe(502);
    expect(await response.text()).toMatch(
      /dev server at http:\/\/127\.0\.0\.1:5173 did not answer/u,
    );
  });
});
