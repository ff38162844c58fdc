// The relays the page may connect to besides loopback: the ones in the user's settings and the
// network's invitation, which the renderer reports through setAllowedRelays. Main keeps them in
// <userData>/allowed-relays.json and puts their origins into the CSP's connect-src of every page
// it serves from then on. A CSP is fixed when a page loads, so a change asks for a reload.
//
// The file and the bridge are both untrusted input: every URL is checked with the invitation's
// relay rules (shared/net/invitation.ts), and only its scheme, host and port reach the policy.
import { randomBytes } from 'node:crypto';
import { readFile, rename, unlink, writeFile } from 'node:fs/promises';
import { MAX_ALLOWED_RELAYS } from '../shared/bridge/contract.ts';
import { relayUrlError } from '../shared/net/invitation.ts';
import { contentSecurityPolicy, RELAY_CSP_SOURCE } from './security.ts';

const FILE_VERSION = 1;
const MAX_FILE_BYTES = 64 * 1024;

/**
 * The connect-src source for a relay URL: scheme, host and port. Null for a URL the CSP needs
 * no entry for (a ws:// relay on 127.0.0.1 is always allowed) or cannot express (an IPv6
 * literal: CSP host sources have no syntax for one).
 */
export function relayCspSource(relayUrl: string): string | null {
  if (relayUrlError(relayUrl) !== null) return null;
  const url = new URL(relayUrl);
  if (url.protocol === 'ws:' && url.hostname === '127.0.0.1') return null;
  // URL drops a scheme's default port (wss:443, ws:80); the source keeps it explicit.
  const port = url.port === '' ? (url.protocol === 'wss:' ? '443' : '80') : url.port;
  const source = `${url.protocol}//${url.hostname}:${port}`;
  return RELAY_CSP_SOURCE.test(source) ? source : null;
}

export interface AllowedRelays {
  /** Reads the saved list; a missing or unreadable file is an empty list. */
  load(): Promise<void>;
  relays(): readonly string[];
  /** Checks and saves the list; reloadRequired when the CSP changes. */
  set(relays: readonly string[]): Promise<{ reloadRequired: boolean }>;
  /** The CSP for a page about to be served (remembered as the one the page has). */
  contentSecurityPolicy(): string;
}

function checkRelays(relays: readonly string[]): string[] {
  if (relays.length > MAX_ALLOWED_RELAYS) {
    throw new Error(`at most ${MAX_ALLOWED_RELAYS} relays can be allowed`);
  }
  relays.forEach((relay, index) => {
    const error = relayUrlError(relay);
    if (error !== null) throw new Error(`relay ${index + 1} ${error}`);
  });
  return [...new Set(relays)];
}

export function createAllowedRelays(options: {
  path: string;
  onWarning?: (message: string) => void;
}): AllowedRelays {
  const warn = options.onWarning ?? ((message: string) => console.warn(message));
  let current: string[] = [];
  let policy = contentSecurityPolicy();
  /** The policy of the page showing now: a change is live only after a reload. */
  let served: string | undefined;

  const policyFor = (relays: readonly string[]): string =>
    contentSecurityPolicy(
      relays.map(relayCspSource).filter((source): source is string => source !== null),
    );

  return {
    async load() {
      let text: string;
      try {
        text = await readFile(options.path, 'utf8');
      } catch {
        return; // none saved yet
      }
      try {
        if (text.length > MAX_FILE_BYTES) throw new Error('the file is too large');
        const json: unknown = JSON.parse(text);
        const relays =
          typeof json === 'object' &&
          json !== null &&
          'version' in json &&
          json.version === FILE_VERSION &&
          'relays' in json &&
          Array.isArray(json.relays)
            ? (json.relays as unknown[])
            : null;
        if (relays === null || !relays.every((r): r is string => typeof r === 'string')) {
          throw new Error('it is not a list of relays');
        }
        current = checkRelays(relays);
        policy = policyFor(current);
      } catch (error) {
        warn(`Ignored ${options.path}: ${error instanceof Error ? error.message : String(error)}.`);
      }
    },

    relays: () => current,

    async set(relays) {
      const checked = checkRelays(relays);
      const next = policyFor(checked);
      const temp = `${options.path}.${randomBytes(6).toString('hex')}.tmp`;
      try {
        await writeFile(temp, JSON.stringify({ version: FILE_VERSION, relays: checked }), {
          mode: 0o600,
        });
        await rename(temp, options.path);
      } catch (error) {
        await unlink(temp).catch(() => undefined);
        throw error;
      }
      const reloadRequired = next !== (served ?? policy);
      current = checked;
      policy = next;
      return { reloadRequired };
    },

    contentSecurityPolicy: () => {
      served = policy;
      return policy;
    },
  };
}
