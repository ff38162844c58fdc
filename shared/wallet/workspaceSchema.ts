// What a workspace backup carries (docs/keys.md, "The workspace backup"): the networks this
// identity belongs to (each as its invitation link, with the join secret), their chat history
// as it is kept at rest, the address book and the settings a person chose. Parsed strictly from
// untrusted bytes; one canonical form, so the same workspace always gives the same plaintext.
import * as v from 'valibot';
import { parseAddress } from '../identity/address.ts';
import { formatInvitation, MAX_RELAYS, parseInvitation, relayUrlError } from '../net/invitation.ts';
import { MAX_RECORD_BYTES } from '../storage/port.ts';
import { SSK_BOX_MAX_BYTES, textOf } from '../ssk/box.ts';
import type { CborValue } from '../codec/cbor.ts';

export const MAX_BACKUP_NETWORKS = 16;
export const MAX_BACKUP_CONTACTS = 500;
export const MAX_BACKUP_LABEL = 64;
export const MAX_BACKUP_ICE = 8;
/** A chat log of more records than this is left out rather than carried. */
export const MAX_CHAT_RECORDS = 200_000;

/** One network's chat history, exactly as kept at rest: its wrapped key and sealed records. */
export interface BackupChats {
  /** The data key's SSK box, sealed to the identity itself (shared/ssk/atRest.ts). */
  readonly key: Uint8Array;
  /** The records, still sealed with that key, in the log's order. */
  readonly records: readonly Uint8Array[];
}

export interface BackupNetwork {
  /** The network's invitation link (gpow:join?…): id, join secret, relays, name. */
  readonly invitation: string;
  readonly chats?: BackupChats;
}

export interface BackupIceServer {
  readonly urls: string;
  readonly username?: string;
  readonly credential?: string;
}

export interface BackupSettings {
  readonly relays: readonly string[];
  readonly iceServers: readonly BackupIceServer[];
  readonly theme: string;
  readonly language: string;
}

export interface Workspace {
  readonly networks: readonly BackupNetwork[];
  readonly contacts: readonly { readonly address: string; readonly label: string }[];
  readonly settings: BackupSettings;
}

const invitationLink = v.pipe(
  v.string(),
  v.maxLength(4096),
  v.check((text) => parseInvitation(text).ok, 'a network is not a valid invitation link'),
);

const chatsSchema = v.strictObject({
  key: v.pipe(
    v.instance(Uint8Array, 'expected a byte string'),
    v.check((b) => b.length <= SSK_BOX_MAX_BYTES, 'a chat key box is too long'),
  ),
  records: v.pipe(
    v.array(
      v.pipe(
        v.instance(Uint8Array, 'expected a byte string'),
        v.check((b) => b.length <= MAX_RECORD_BYTES, 'a chat record is too long'),
      ),
    ),
    v.maxLength(MAX_CHAT_RECORDS),
  ),
});

const contactSchema = v.strictObject({
  address: v.pipe(
    v.string(),
    v.check((text) => {
      const parsed = parseAddress(text);
      return parsed.ok && parsed.address === text;
    }, 'a contact address is not a lowercase GPoW address'),
  ),
  label: textOf('a contact label', 1, MAX_BACKUP_LABEL),
});

const short = (max: number) => v.pipe(v.string(), v.maxLength(max));

const settingsSchema = v.strictObject({
  relays: v.pipe(
    v.array(
      v.pipe(
        v.string(),
        v.check((url) => relayUrlError(url) === null, 'a relay is not a ws:// or wss:// address'),
      ),
    ),
    v.maxLength(MAX_RELAYS),
  ),
  ice: v.pipe(
    v.array(
      v.strictObject({
        urls: short(200),
        username: v.optional(short(256)),
        credential: v.optional(short(256)),
      }),
    ),
    v.maxLength(MAX_BACKUP_ICE),
  ),
  theme: short(16),
  language: short(16),
});

export const payloadSchema = v.strictObject({
  networks: v.pipe(
    v.array(v.strictObject({ invitation: invitationLink, chats: v.optional(chatsSchema) })),
    v.maxLength(MAX_BACKUP_NETWORKS),
  ),
  contacts: v.pipe(v.array(contactSchema), v.maxLength(MAX_BACKUP_CONTACTS)),
  settings: settingsSchema,
});

/** The workspace a parsed payload describes. */
export function workspaceOf(payload: v.InferOutput<typeof payloadSchema>): Workspace {
  const { relays, ice, theme, language } = payload.settings;
  return {
    networks: payload.networks.map((n) => ({
      invitation: n.invitation,
      ...(n.chats ? { chats: { key: n.chats.key, records: n.chats.records } } : {}),
    })),
    contacts: payload.contacts.map((c) => ({ address: c.address, label: c.label })),
    settings: { relays, iceServers: ice.map(iceOf), theme, language },
  };
}

function iceOf(server: BackupIceServer): BackupIceServer {
  return {
    urls: server.urls,
    ...(server.username !== undefined ? { username: server.username } : {}),
    ...(server.credential !== undefined ? { credential: server.credential } : {}),
  };
}

const byText = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/**
 * The canonical payload of a workspace: networks by id, contacts by address, each invitation
 * in its current link form. Throws on a workspace the schema would refuse (the caller's bug).
 */
export function payloadOf(workspace: Workspace): CborValue {
  const networks = workspace.networks
    .map((n) => {
      const parsed = parseInvitation(n.invitation);
      if (!parsed.ok) throw new Error(`a network of the workspace is invalid: ${parsed.error}`);
      return { ...n, id: parsed.invitation.networkId, link: formatInvitation(parsed.invitation) };
    })
    .sort((a, b) => byText(a.id, b.id));
  const contacts = [...workspace.contacts].sort((a, b) => byText(a.address, b.address));
  const { relays, iceServers, theme, language } = workspace.settings;
  const payload = {
    networks: networks.map((n): { [key: string]: CborValue } =>
      n.chats
        ? { invitation: n.link, chats: { key: n.chats.key, records: [...n.chats.records] } }
        : { invitation: n.link },
    ),
    contacts: contacts.map((c) => ({ address: c.address, label: c.label })),
    settings: {
      relays: [...relays],
      ice: iceServers.map((server): { [key: string]: CborValue } => ({ ...iceOf(server) })),
      theme,
      language,
    },
  };
  const checked = v.safeParse(payloadSchema, payload);
  if (!checked.success)
    throw new Error(`the workspace cannot be backed up: ${checked.issues[0].message}`);
  return payload;
}
