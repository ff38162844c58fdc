// What the UI keeps between visits, in web storage (localStorage in a browser): settings, the
// network this browser belongs to, and the address book. Storage is read as untrusted input
// (another tab, an extension or an old version may have written it): what does not parse is
// replaced by the defaults rather than trusted.
import * as v from 'valibot';
import { parseAddress } from '../../shared/identity/address.ts';
import {
  formatInvitation,
  MAX_RELAYS,
  parseInvitation,
  relayUrlError,
  type Invitation,
} from '../../shared/net/invitation.ts';
import { parseTicketRecords, type TicketRecord } from '../../shared/net/tickets.ts';
import type { IceServer } from '../runtime/networkRuntime.ts';

export type KeyValueStorage = Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>;

export const SETTINGS_KEY = 'gpow.settings.v1';
export const NETWORK_KEY = 'gpow.network.v1';
export const CONTACTS_KEY = 'gpow.contacts.v1';

export const THEMES = ['system', 'light', 'dark'] as const;
export type Theme = (typeof THEMES)[number];

export const MAX_ICE_SERVERS = 8;
export const MAX_CONTACTS = 500;
export const MAX_LABEL_LENGTH = 64;

/** Why an ICE server URL is unacceptable, as the end of a sentence, or null. */
export function iceUrlError(url: string): string | null {
  if (url.length > 200) return 'is longer than 200 characters';
  if (!/^(?:stun|stuns|turn|turns):[^\s]+$/.test(url)) {
    return 'must start with stun:, stuns:, turn: or turns: and contain no spaces';
  }
  return null;
}

const relayUrl = v.pipe(
  v.string(),
  v.check((url) => relayUrlError(url) === null),
);

const iceServer = v.pipe(
  v.object({
    urls: v.pipe(
      v.string(),
      v.check((url) => iceUrlError(url) === null),
    ),
    username: v.optional(v.pipe(v.string(), v.maxLength(256))),
    credential: v.optional(v.pipe(v.string(), v.maxLength(256))),
  }),
);

/** The services whose work a machine can do, and so a wallet can provide automatically. */
export const AUTOMATED_SERVICES = ['pow', 'compute'] as const;
export type AutomatedService = (typeof AUTOMATED_SERVICES)[number];

const settingsSchema = v.object({
  relays: v.pipe(v.array(relayUrl), v.maxLength(MAX_RELAYS)),
  iceServers: v.pipe(v.array(iceServer), v.maxLength(MAX_ICE_SERVERS)),
  theme: v.picklist(THEMES),
  language: v.pipe(v.string(), v.maxLength(16)),
  // Added later: settings saved before them still parse, with the automation off.
  provide: v.optional(v.pipe(v.array(v.picklist(AUTOMATED_SERVICES)), v.maxLength(4)), []),
  validate: v.optional(v.boolean(), false),
});

export interface Settings {
  /** Signaling relays (ws:// or wss://) this browser uses for every network. */
  readonly relays: readonly string[];
  /** STUN/TURN servers: none by default, so nothing leaves the LAN unless configured. */
  readonly iceServers: readonly IceServer[];
  readonly theme: Theme;
  readonly language: string;
  /** Services this wallet provides automatically (machine work: pow, compute). */
  readonly provide: readonly AutomatedService[];
  /** Give verdicts on pow and compute deliveries automatically when selected. */
  readonly validate: boolean;
}

export const DEFAULT_SETTINGS: Settings = {
  relays: [],
  iceServers: [],
  theme: 'system',
  language: 'en',
  provide: [],
  validate: false,
};

const contactsSchema = v.pipe(
  v.array(
    v.object({
      address: v.pipe(
        v.string(),
        v.check((text) => parseAddress(text).ok),
      ),
      label: v.pipe(v.string(), v.minLength(1), v.maxLength(MAX_LABEL_LENGTH)),
    }),
  ),
  v.maxLength(MAX_CONTACTS),
);

export interface Contact {
  readonly address: string;
  readonly label: string;
}

function readJson(storage: KeyValueStorage, key: string): unknown {
  const text = storage.getItem(key);
  if (text === null) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

export function loadSettings(storage: KeyValueStorage): Settings {
  const parsed = v.safeParse(settingsSchema, readJson(storage, SETTINGS_KEY));
  return parsed.success ? parsed.output : DEFAULT_SETTINGS;
}

export function saveSettings(storage: KeyValueStorage, settings: Settings): void {
  storage.setItem(SETTINGS_KEY, JSON.stringify(settings));
}

export function loadContacts(storage: KeyValueStorage): Contact[] {
  const parsed = v.safeParse(contactsSchema, readJson(storage, CONTACTS_KEY));
  return parsed.success ? parsed.output : [];
}

export function saveContacts(storage: KeyValueStorage, contacts: readonly Contact[]): void {
  storage.setItem(CONTACTS_KEY, JSON.stringify(contacts));
}

/**
 * The network this browser belongs to, kept as its invitation link: the same strict parser
 * checks it on every load as checks a link someone pastes.
 */
export function loadNetwork(storage: KeyValueStorage): Invitation | null {
  const json = readJson(storage, NETWORK_KEY);
  const link =
    typeof json === 'object' && json !== null && 'invitation' in json ? json.invitation : null;
  const parsed = parseInvitation(link);
  return parsed.ok ? parsed.invitation : null;
}

export function saveNetwork(storage: KeyValueStorage, network: Invitation | null): void {
  if (network === null) storage.removeItem(NETWORK_KEY);
  else storage.setItem(NETWORK_KEY, JSON.stringify({ invitation: formatInvitation(network) }));
}

/**
 * The single-use and time-limited invitations this browser gave out (docs/protocol.md §13.9),
 * per network: `{ version: 1, networks: { <network id>: TicketRecord[] } }`. They hold secrets (a
 * ticket opens its door, a door key answers for the inviter), so they live where the join secret
 * does, and never reach a log. Read back as untrusted input: a damaged record is left out.
 */
export const TICKETS_KEY = 'gpow.tickets.v1';

function ticketNetworks(storage: KeyValueStorage): Record<string, unknown> {
  const json = readJson(storage, TICKETS_KEY);
  if (typeof json !== 'object' || json === null || !('networks' in json)) return {};
  const { networks } = json;
  if (typeof networks !== 'object' || networks === null || Array.isArray(networks)) return {};
  return networks as Record<string, unknown>;
}

/** The network's saved tickets, and how many damaged ones were left out. */
export function loadTickets(
  storage: KeyValueStorage,
  networkId: string,
): { records: TicketRecord[]; dropped: number } {
  const networks = ticketNetworks(storage);
  return parseTicketRecords(Object.hasOwn(networks, networkId) ? networks[networkId] : undefined);
}

/** Keeps the network's tickets (none: forgets them); other networks' entries stay as they were. */
export function saveTickets(
  storage: KeyValueStorage,
  networkId: string,
  records: readonly TicketRecord[],
): void {
  const networks = { ...ticketNetworks(storage) };
  if (records.length === 0) delete networks[networkId];
  else networks[networkId] = records;
  if (Object.keys(networks).length === 0) storage.removeItem(TICKETS_KEY);
  else storage.setItem(TICKETS_KEY, JSON.stringify({ version: 1, networks }));
}
