// The workspace backup in the app (docs/keys.md, "The workspace backup"): what the store seals
// into the file Settings saves, and what a restore puts back before the identity unlocks:
// settings, contacts, the network (with its join secret: no invitation needed) and its chat
// history, exactly as it was kept at rest. The format itself is shared/wallet/workspaceBackup.ts.
import { sha256 } from '@noble/hashes/sha2.js';
import { fromHex, toHex } from '../../shared/bytes.ts';
import { encodeCanonical } from '../../shared/codec/cbor.ts';
import { encodeAddress } from '../../shared/identity/address.ts';
import { identityFromMnemonic } from '../../shared/identity/mnemonic.ts';
import { fitWorkspace, openWorkspace, sealWorkspace } from '../../shared/wallet/workspaceBackup.ts';
import {
  payloadOf,
  type BackupChats,
  type Workspace,
} from '../../shared/wallet/workspaceSchema.ts';
import type { KeyHex } from '../../shared/ids.ts';
import { formatInvitation, parseInvitation, type Invitation } from '../../shared/net/invitation.ts';
import type { ClockPort, RandomPort } from '../../shared/ports.ts';
import { openKey } from '../../shared/ssk/box.ts';
import type { LogStore } from '../../shared/storage/port.ts';
import { UserError } from './errors.ts';
import {
  loadContacts,
  loadSettings,
  saveContacts,
  saveNetwork,
  saveSettings,
  THEMES,
  type Contact,
  type KeyValueStorage,
  type Settings,
} from './persisted.ts';

/** Where the chat history keeps its wrapped key (engine/chatStore.ts). */
const CHAT_KEY_META = 'chat-key';
/** When this profile last saved a backup, and what it held: `{ savedAt, digest }`. */
export const BACKUP_NOTE_KEY = 'gpow.backup.v1';

/**
 * Opens a backup file with the words being restored, before anything is saved: the file's own
 * sentence (other words, damaged, newer version) when it cannot be used.
 */
export function openBackupWithWords(bytes: Uint8Array, mnemonic: string): Workspace {
  const identity = identityFromMnemonic(mnemonic);
  const opened = openWorkspace(bytes, identity.publicKey, (box, ctx) =>
    openKey(box, identity.secretKey, ctx),
  );
  if (!opened.ok) throw new UserError('backup.error.open', { detail: opened.error });
  return opened.workspace;
}

export interface Restored {
  readonly settings: Settings;
  readonly contacts: Contact[];
  readonly network: Invitation | null;
}

/**
 * Puts a backup's workspace in place in this profile: settings and contacts (read back through
 * their own strict loaders), the first network, and its chat history when none is kept here.
 * A profile holds one network at a time: the backup's others stay in the file.
 */
export async function restoreWorkspace(
  workspace: Workspace,
  storage: KeyValueStorage,
  openChats: (networkId: string) => Promise<LogStore>,
): Promise<Restored> {
  const current = loadSettings(storage);
  const { relays, iceServers, theme, language } = workspace.settings;
  saveSettings(storage, {
    ...current,
    relays: [...relays],
    iceServers: iceServers.map((s) => ({ ...s })),
    theme: (THEMES as readonly string[]).includes(theme)
      ? (theme as Settings['theme'])
      : current.theme,
    language: language === '' ? current.language : language,
  });
  const kept = loadContacts(storage).filter(
    (c) => !workspace.contacts.some((b) => b.address === c.address),
  );
  saveContacts(
    storage,
    [...kept, ...workspace.contacts].sort((a, b) => a.label.localeCompare(b.label)),
  );
  const first = workspace.networks[0];
  const parsed = first ? parseInvitation(first.invitation) : null;
  const network = parsed?.ok ? parsed.invitation : null;
  if (network) {
    saveNetwork(storage, network);
    if (first?.chats) await restoreChats(await openChats(network.networkId), first.chats);
  }
  return { settings: loadSettings(storage), contacts: loadContacts(storage), network };
}

async function restoreChats(log: LogStore, chats: BackupChats): Promise<void> {
  try {
    // A history already kept here (this identity's, on this device) is left as it is.
    if ((await log.getMeta(CHAT_KEY_META)) !== undefined) return;
    if ((await log.load()).records.length > 0) return;
    await log.putMeta(CHAT_KEY_META, chats.key);
    await log.append(chats.records);
  } finally {
    await log.close();
  }
}

export interface BackupInput {
  readonly key: KeyHex;
  readonly settings: Settings;
  readonly contacts: readonly Contact[];
  readonly network: Invitation | null;
  /** The running network's chat log, read as it stands (the runtime keeps appending to it). */
  readonly chats: LogStore | null;
}

export interface MadeBackup {
  readonly bytes: Uint8Array;
  readonly fileName: string;
  /** The chat history was too large for the file and was left out. */
  readonly chatsLeftOut: boolean;
  readonly savedAt: number;
  /** workspaceDigest of what it holds, to tell later whether it is out of date. */
  readonly digest: string;
}

export interface BackupNote {
  readonly savedAt: number;
  readonly digest: string;
}

/** The workspace a backup would hold, without the chats (they change with every message). */
function workspaceOf(input: Omit<BackupInput, 'key' | 'chats'>, chats?: BackupChats): Workspace {
  const { settings } = input;
  return {
    networks: input.network
      ? [{ invitation: formatInvitation(input.network), ...(chats ? { chats } : {}) }]
      : [],
    contacts: input.contacts,
    settings: {
      relays: settings.relays,
      iceServers: settings.iceServers,
      theme: settings.theme,
      language: settings.language,
    },
  };
}

/**
 * A fingerprint of the network, contacts and settings a backup holds (not the chats): Settings
 * compares the current one with the last saved one to say the backup is out of date.
 */
export function workspaceDigest(input: Omit<BackupInput, 'key' | 'chats'>): string {
  return toHex(sha256(encodeCanonical(payloadOf(workspaceOf(input)))));
}

/** Seals this profile's workspace for its identity: no secret needed (docs/keys.md). */
export async function makeBackup(
  input: BackupInput,
  random: RandomPort,
  clock: ClockPort,
): Promise<MadeBackup> {
  const chats = input.chats ? await readChats(input.chats) : undefined;
  const fitted = fitWorkspace(workspaceOf(input, chats));
  const me = fromHex(input.key);
  const savedAt = clock.now();
  const bytes = sealWorkspace(fitted.workspace, me, savedAt, random);
  const day = new Date(savedAt).toISOString().slice(0, 10);
  return {
    bytes,
    fileName: `gpow-backup-${encodeAddress(me).slice(0, 12)}-${day}.gpowbackup`,
    chatsLeftOut: fitted.chatsLeftOut.length > 0,
    savedAt,
    digest: workspaceDigest(input),
  };
}

async function readChats(log: LogStore): Promise<BackupChats | undefined> {
  const key = await log.getMeta(CHAT_KEY_META);
  if (key === undefined) return undefined;
  return { key, records: (await log.load()).records };
}

/** When a backup was last saved from this profile, and what it held; null when never. */
export function loadBackupNote(storage: KeyValueStorage): BackupNote | null {
  try {
    const json: unknown = JSON.parse(storage.getItem(BACKUP_NOTE_KEY) ?? 'null');
    if (typeof json !== 'object' || json === null) return null;
    const { savedAt, digest } = json as Record<string, unknown>;
    if (typeof savedAt !== 'number' || !Number.isSafeInteger(savedAt)) return null;
    if (typeof digest !== 'string' || !/^[0-9a-f]{64}$/.test(digest)) return null;
    return { savedAt, digest };
  } catch {
    return null;
  }
}

export function saveBackupNote(storage: KeyValueStorage, note: BackupNote): void {
  storage.setItem(BACKUP_NOTE_KEY, JSON.stringify({ savedAt: note.savedAt, digest: note.digest }));
}
