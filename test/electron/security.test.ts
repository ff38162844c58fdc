import { describe, expect, it, vi } from 'vitest';
import type { HandlerDetails, WebContents } from 'electron';
import {
  CONTENT_SECURITY_POLICY,
  contentSecurityPolicy,
  CSP_DIRECTIVES,
  createWindowOpenHandler,
  denyAllPermissions,
  denyPermissionCheck,
  denyPermissionRequest,
  externalUrlToOpen,
  hardenWebContents,
  isAllowedNavigation,
  mainWindowOptions,
  secureWebPreferences,
} from '../../electron/security.ts';

// security.ts only imports types from Electron; the mock proves it needs nothing at run time.
vi.mock('electron', () => ({}));

const details = (url: string): HandlerDetails => ({
  url,
  frameName: '',
  features: '',
  disposition: 'foreground-tab',
  referrer: { url: '', policy: 'no-referrer' },
});

/** Splits the policy string the way a browser does: directive name, then its sources. */
function parseCsp(policy: string): Map<string, string[]> {
  const directives = new Map<string, string[]>();
  for (const part of policy.split(';')) {
    const [name, ...sources] = part.trim().split(/\s+/u);
    if (name !== undefined && name !== '') directives.set(name, sources);
  }
  return directives;
}

describe('window options', () => {
  it('sets every security preference, with the given preload', () => {
    const prefs = secureWebPreferences('/app/.vite/build/preload.cjs');
    expect(prefs).toMatchObject({
      preload: '/app/.vite/build/preload.cjs',
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      experimentalFeatures: false,
      spellcheck: false,
      webviewTag: false,
      navigateOnDragDrop: false,
    });
    // Nothing that would loosen them sneaks in.
    expect(prefs).not.toHaveProperty('enableBlinkFeatures');
    expect(prefs).not.toHaveProperty('additionalArguments');
  });

  it('uses those preferences for the main window, which starts hidden', () => {
    const options = mainWindowOptions('/p/preload.cjs');
    expect(options.webPreferences).toEqual(secureWebPreferences('/p/preload.cjs'));
    expect(options.show).toBe(false);
  });
});

describe('Content-Security-Policy', () => {
  const csp = parseCsp(CONTENT_SECURITY_POLICY);

  it('is the directive table, serialised', () => {
    expect([...csp.keys()]).toEqual(Object.keys(CSP_DIRECTIVES));
  });

  it.each([
    ['default-src', ["'self'"]],
    ['script-src', ["'self'"]],
    ['style-src', ["'self'"]],
    ['img-src', ["'self'", 'data:']],
    ['font-src', ["'self'"]],
    ['connect-src', ["'self'", 'ws://127.0.0.1:*']],
    ['object-src', ["'none'"]],
    ['frame-src', ["'none'"]],
    ['base-uri', ["'none'"]],
    ['frame-ancestors', ["'none'"]],
    ['form-action', ["'none'"]],
  ])('%s is exactly %j', (directive, sources) => {
    expect(csp.get(directive)).toEqual(sources);
  });

  it('allows no eval, no inline code, no wildcard sources and no plain http', () => {
    for (const keyword of [
      "'unsafe-eval'",
      "'unsafe-inline'",
      "'wasm-unsafe-eval'",
      '*',
      'http:',
    ]) {
      expect(CONTENT_SECURITY_POLICY.split(/[\s;]+/u)).not.toContain(keyword);
    }
    expect(CONTENT_SECURITY_POLICY).not.toMatch(/https?:\/\//u);
  });

  it('lets connections reach only our origin and loopback WebSocket relays', () => {
    expect(csp.get('connect-src')).toEqual(["'self'", 'ws://127.0.0.1:*']);
  });

  it('adds exactly the configured relays to connect-src, and nothing anywhere else', () => {
    const relays = ['wss://relay.example.org:443', 'ws://192.168.1.20:4444'];
    const policy = parseCsp(contentSecurityPolicy(relays));
    expect(policy.get('connect-src')).toEqual(["'self'", 'ws://127.0.0.1:*', ...relays]);
    for (const [directive, sources] of Object.entries(CSP_DIRECTIVES)) {
      if (directive !== 'connect-src') expect(policy.get(directive)).toEqual(sources);
    }
    expect(contentSecurityPolicy([...relays, relays[0] ?? ''])).toBe(contentSecurityPolicy(relays));
    expect(contentSecurityPolicy([])).toBe(CONTENT_SECURITY_POLICY);
  });

  it.each([
    '*',
    'ws:',
    'wss://*.example.org:443',
    'https://evil.example:443',
    "wss://relay.example.org:443 'unsafe-inline'",
    'wss://relay.example.org:443; script-src *',
    'wss://relay.example.org:443/path',
    'wss://relay.example.org',
    'wss://[::1]:443',
    "'self'",
    'ws://127.0.0.1:*',
  ])('refuses to put %j into the policy', (source) => {
    expect(() => contentSecurityPolicy([source])).toThrow(/not a relay source/u);
  });
});

describe('navigation', () => {
  it.each(['app://gpow/index.html', 'app://gpow/', 'app://gpow/settings?tab=keys#top'])(
    'allows %s',
    (url) => {
      expect(isAllowedNavigation(url)).toBe(true);
    },
  );

  it.each([
    'https://example.com/',
    'http://127.0.0.1:5173/',
    'file:///etc/passwd',
    'file:///C:/Windows/System32/calc.exe',
    'javascript:alert(1)',
    'data:text/html,<script>alert(1)</script>',
    'gpow:invite?x=1',
    'app://evil/index.html',
    'app://gpow.evil.example/',
    'app://gpow:8080/',
    'app://user@gpow/',
    'app://GPOW/',
    'about:blank',
    'not a url',
    '',
  ])('denies %s', (url) => {
    expect(isAllowedNavigation(url)).toBe(false);
  });
});

describe('window.open and target=_blank', () => {
  it('always denies the new window', () => {
    const openExternal = vi.fn(() => Promise.resolve());
    const handler = createWindowOpenHandler(openExternal);
    for (const url of ['https://example.com/', 'app://gpow/index.html', 'file:///etc/passwd']) {
      expect(handler(details(url))).toEqual({ action: 'deny' });
    }
  });

  it('opens plain http and https links in the system browser', () => {
    const openExternal = vi.fn(() => Promise.resolve());
    const handler = createWindowOpenHandler(openExternal);
    handler(details('https://example.com/docs?q=1'));
    handler(details('http://example.org/'));
    expect(openExternal.mock.calls).toEqual([
      ['https://example.com/docs?q=1'],
      ['http://example.org/'],
    ]);
  });

  it.each([
    'file:///etc/passwd',
    'javascript:alert(1)',
    'gpow:invite?x=1',
    'app://gpow/index.html',
    'data:text/html,hi',
    'ms-settings:privacy',
    'smb://server/share',
    'mailto:someone@example.com',
    'https://bank.example@evil.example/',
    'https://user:password@example.com/',
    'not a url',
  ])('never hands %s to the OS', (url) => {
    const openExternal = vi.fn(() => Promise.resolve());
    createWindowOpenHandler(openExternal)(details(url));
    expect(openExternal).not.toHaveBeenCalled();
    expect(externalUrlToOpen(url)).toBeNull();
  });

  it('survives the system browser failing to open', async () => {
    const error = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    const handler = createWindowOpenHandler(() => Promise.reject(new Error('no browser')));
    expect(handler(details('https://example.com/'))).toEqual({ action: 'deny' });
    await vi.waitFor(() => expect(error).toHaveBeenCalled());
    error.mockRestore();
  });
});

describe('hardenWebContents', () => {
  function fakeContents() {
    const listeners = new Map<string, (...args: unknown[]) => void>();
    let windowOpenHandler: ((d: HandlerDetails) => unknown) | undefined;
    const contents = {
      on: (event: string, listener: (...args: unknown[]) => void) => {
        listeners.set(event, listener);
        return contents;
      },
      setWindowOpenHandler: (handler: (d: HandlerDetails) => unknown) => {
        windowOpenHandler = handler;
      },
    };
    hardenWebContents(contents as unknown as WebContents, () => Promise.resolve());
    const fire = (event: string, url?: string): boolean => {
      const preventDefault = vi.fn();
      const listener = listeners.get(event);
      if (listener === undefined) throw new Error(`no ${event} listener`);
      listener({ url, preventDefault }, {}, {});
      return preventDefault.mock.calls.length > 0;
    };
    return { fire, windowOpen: (url: string) => windowOpenHandler?.(details(url)) };
  }

  it.each(['will-navigate', 'will-frame-navigate', 'will-redirect'])(
    'cancels %s away from the app, and only that',
    (event) => {
      const { fire } = fakeContents();
      expect(fire(event, 'https://example.com/')).toBe(true);
      expect(fire(event, 'file:///etc/passwd')).toBe(true);
      expect(fire(event, 'javascript:alert(1)')).toBe(true);
      expect(fire(event, 'app://gpow/index.html')).toBe(false);
    },
  );

  it('refuses to attach any <webview>', () => {
    expect(fakeContents().fire('will-attach-webview')).toBe(true);
  });

  it('installs the deny-all window-open handler', () => {
    expect(fakeContents().windowOpen('app://gpow/index.html')).toEqual({ action: 'deny' });
  });
});

describe('permissions', () => {
  it('refuses every permission request', () => {
    for (const permission of ['media', 'geolocation', 'notifications', 'clipboard-read', 'hid']) {
      const callback = vi.fn();
      denyPermissionRequest({}, permission, callback);
      expect(callback).toHaveBeenCalledExactlyOnceWith(false);
    }
  });

  it('answers every permission check with no', () => {
    expect(denyPermissionCheck()).toBe(false);
  });

  it('installs the handlers on the session', () => {
    const session = {
      setPermissionRequestHandler: vi.fn(),
      setPermissionCheckHandler: vi.fn(),
      setDevicePermissionHandler: vi.fn(),
    };
    denyAllPermissions(session);
    expect(session.setPermissionRequestHandler).toHaveBeenCalledWith(denyPermissionRequest);
    expect(session.setPermissionCheckHandler).toHaveBeenCalledWith(denyPermissionCheck);
    expect(session.setDevicePermissionHandler).toHaveBeenCalledWith(denyPermissionCheck);
  });
});
