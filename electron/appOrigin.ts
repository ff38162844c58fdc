// The app's own origin. The UI is served from app://gpow/ (see appProtocol.ts), not file://,
// so it has a real origin of its own: the navigation guard, the IPC sender check and the
// protocol handler all ask the one question "is this URL ours?" through isAppUrl.

export const APP_SCHEME = 'app';
export const APP_HOST = 'gpow';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;
/** What the main window loads. */
export const APP_ENTRY_URL = `${APP_ORIGIN}/index.html`;

/**
 * True only for app://gpow/... exactly: no port, no credentials, no look-alike host. The host
 * is compared as written, so "app://GPOW/" is refused; Chromium hands us canonical lowercase.
 */
export function isAppUrl(input: string): boolean {
  let url: URL;
  try {
    url = new URL(input);
  } catch {
    return false;
  }
  // Compare the parts: WHATWG URL gives non-special schemes an opaque "null" origin.
  return (
    url.protocol === `${APP_SCHEME}:` &&
    url.host === APP_HOST &&
    url.username === '' &&
    url.password === ''
  );
}
