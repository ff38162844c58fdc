// The security policy of every window: web preferences, the Content-Security-Policy, and the
// guards on navigation, new windows, <webview> and permissions. Pure functions and small
// factories, so that each rule can be tested without starting Electron.
import type {
  BrowserWindowConstructorOptions,
  HandlerDetails,
  Session,
  WebContents,
  WebPreferences,
  WindowOpenHandlerResponse,
} from 'electron';
import { isAppUrl } from './appOrigin.ts';

/**
 * The renderer is treated as untrusted: no Node, its own JavaScript world, OS sandboxing, and
 * web security on. The preload script is its only way out, through the typed bridge.
 */
export function secureWebPreferences(preloadPath: string): WebPreferences {
  return {
    preload: preloadPath,
    contextIsolation: true,
    sandbox: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    nodeIntegrationInSubFrames: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    experimentalFeatures: false,
    // Spellcheck would send typed words (a recovery phrase, say) to the OS or a dictionary.
    spellcheck: false,
    webviewTag: false,
    navigateOnDragDrop: false,
    safeDialogs: true,
  };
}

export function mainWindowOptions(preloadPath: string): BrowserWindowConstructorOptions {
  return {
    title: 'GPoW',
    width: 1100,
    height: 760,
    minWidth: 640,
    minHeight: 480,
    // Shown on 'ready-to-show', so the user never sees an empty white frame.
    show: false,
    backgroundColor: '#10141c',
    webPreferences: secureWebPreferences(preloadPath),
  };
}

// ---------------------------------------------------------------------------------------------
// Content-Security-Policy, sent as a header with every HTML page of app://gpow/.

/**
 * Only our own bundled code runs, with no inline script, no eval and no inline style (React
 * sets styles through the CSSOM, which CSP allows). The network is limited to our origin and
 * the WebSocket relays on loopback: the app's own relay, and the loopback forwarders to relays
 * found on the LAN (loopbackForwarder.ts). Relays the user configured are added per load by
 * contentSecurityPolicy(), from allowedRelays.ts.
 */
export const CSP_DIRECTIVES: Readonly<Record<string, readonly string[]>> = {
  'default-src': ["'self'"],
  'script-src': ["'self'"],
  'style-src': ["'self'"],
  'img-src': ["'self'", 'data:'],
  'font-src': ["'self'"],
  'connect-src': ["'self'", 'ws://127.0.0.1:*'],
  'object-src': ["'none'"],
  'frame-src': ["'none'"],
  'base-uri': ["'none'"],
  'frame-ancestors': ["'none'"],
  'form-action': ["'none'"],
};

/**
 * A CSP source for connect-src: ws:// or wss://, a host name or IPv4 address, an explicit port.
 * Nothing else gets into the policy (no wildcards, no quotes, no separators), whatever the
 * caller passes.
 */
export const RELAY_CSP_SOURCE = /^wss?:\/\/[A-Za-z0-9.-]{1,253}:[1-9][0-9]{0,4}$/u;

/** The policy, with extra relay sources (RELAY_CSP_SOURCE, else refused) in connect-src. */
export function contentSecurityPolicy(relaySources: readonly string[] = []): string {
  for (const source of relaySources) {
    if (!RELAY_CSP_SOURCE.test(source)) {
      throw new Error(`not a relay source the CSP can carry: ${JSON.stringify(source)}`);
    }
  }
  return Object.entries(CSP_DIRECTIVES)
    .map(([directive, sources]) => {
      const all =
        directive === 'connect-src' ? [...new Set([...sources, ...relaySources])] : sources;
      return `${directive} ${all.join(' ')}`;
    })
    .join('; ');
}

/** The policy without configured relays. */
export const CONTENT_SECURITY_POLICY = contentSecurityPolicy();

// ---------------------------------------------------------------------------------------------
// Navigation, new windows and external links.

/** A page may only ever navigate within the app; everything else is cancelled. */
export function isAllowedNavigation(url: string): boolean {
  return isAppUrl(url);
}

/**
 * The URL to hand to the system browser, or null. Only http: and https: qualify: file: would
 * open local files, and custom schemes (gpow:, ms-settings:, smb:...) launch other programs.
 * URLs with credentials are refused too: "https://bank.example@evil.example" misleads.
 */
export function externalUrlToOpen(input: string): string | null {
  let url: URL;
  try {
    url = new URL(input);
  } catch {
    return null;
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return null;
  if (url.username !== '' || url.password !== '') return null;
  return url.href;
}

export type OpenExternal = (url: string) => Promise<void>;

/**
 * The app never opens a second window. A link meant for a new window (target="_blank",
 * window.open) goes to the system browser when it is plain http(s), and nowhere otherwise.
 */
export function createWindowOpenHandler(
  openExternal: OpenExternal,
): (details: HandlerDetails) => WindowOpenHandlerResponse {
  return (details) => {
    const url = externalUrlToOpen(details.url);
    if (url !== null) {
      openExternal(url).catch((error: unknown) => {
        console.error(`Could not open ${url} in the system browser:`, error);
      });
    }
    return { action: 'deny' };
  };
}

interface Preventable {
  preventDefault(): void;
}

/**
 * Applies the navigation, window-open and <webview> rules to any web contents the app creates
 * (wire it to app's 'web-contents-created'), so no window can escape them.
 */
export function hardenWebContents(
  contents: Pick<WebContents, 'on' | 'setWindowOpenHandler'>,
  openExternal: OpenExternal,
): void {
  const guard = (event: Preventable & { url: string }): void => {
    if (!isAllowedNavigation(event.url)) event.preventDefault();
  };
  contents.on('will-navigate', guard);
  contents.on('will-frame-navigate', guard);
  contents.on('will-redirect', guard);
  contents.on('will-attach-webview', (event) => {
    event.preventDefault();
  });
  contents.setWindowOpenHandler(createWindowOpenHandler(openExternal));
}

// ---------------------------------------------------------------------------------------------
// Permissions: the app needs none of camera, microphone, location, notifications, USB, HID,
// serial, clipboard reads... so every request and every check is refused.

export function denyPermissionRequest(
  _contents: unknown,
  _permission: string,
  callback: (granted: boolean) => void,
): void {
  callback(false);
}

export function denyPermissionCheck(): boolean {
  return false;
}

export function denyAllPermissions(
  session: Pick<
    Session,
    'setPermissionRequestHandler' | 'setPermissionCheckHandler' | 'setDevicePermissionHandler'
  >,
): void {
  session.setPermissionRequestHandler(denyPermissionRequest);
  session.setPermissionCheckHandler(denyPermissionCheck);
  session.setDevicePermissionHandler(denyPermissionCheck);
}
