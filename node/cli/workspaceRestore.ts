// Restoring a home from its words and a workspace backup (docs/keys.md, "The workspace
// backup"): the file is opened with the words' identity before anything is written, then the
// home gets the backup's network (with its join secret: no invitation needed), its chat history
// exactly as it was kept at rest, and its contacts.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Identity } from '../../shared/identity/keys.ts';
import { MAX_BACKUP_BYTES, openWorkspace } from '../../shared/wallet/workspaceBackup.ts';
import type { BackupChats, BackupNetwork, Workspace } from '../../shared/wallet/workspaceSchema.ts';
import { parseInvitation } from '../../shared/net/invitation.ts';
import { openKey } from '../../shared/ssk/box.ts';
import { openFileLogStore } from '../storage/fileLogStore.ts';
import { readContacts, writeContacts } from './contacts.ts';
import { CliError, readNetwork, writeNetwork, type Home } from './home.ts';
import type { Output } from './output.ts';

/** Where the chat history's wrapped key is kept in its log (engine/chatStore.ts). */
export const CHAT_KEY_META = 'chat-key';

/** Reads and opens a backup with the words' identity; throws the file's own sentence. */
export async function openBackupFile(path: string, identity: Identity): Promise<Workspace> {
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(await readFile(path));
  } catch (error) {
    throw new CliError(`cannot read the backup ${path}: ${messageOf(error)}`);
  }
  if (bytes.length > MAX_BACKUP_BYTES)
    throw new CliError('This file is not a GPoW workspace backup.');
  const opened = openWorkspace(bytes, identity.publicKey, (box, ctx) =>
    openKey(box, identity.secretKey, ctx),
  );
  if (!opened.ok) throw new CliError(opened.error);
  return opened.workspace;
}

/**
 * The network of the backup this home takes (a home holds one): the one named by --network, or
 * the first. Checked before anything is written, with the home's own network if it has one.
 */
export async function chooseNetwork(
  home: Home,
  workspace: Workspace,
  wanted: string | undefined,
): Promise<BackupNetwork | null> {
  const named = workspace.networks.map((n) => ({ n, inv: invitationParts(n.invitation) }));
  const chosen =
    wanted === undefined
      ? named[0]
      : named.find(({ inv }) => inv.name === wanted || inv.networkId === wanted);
  if (wanted !== undefined && chosen === undefined)
    throw new CliError(`the backup holds no network named ${wanted}`);
  const existing = await readNetwork(home).catch(() => null);
  if (chosen && existing && existing.networkId !== chosen.inv.networkId)
    throw new CliError(
      `this home already belongs to network ${existing.name ?? existing.networkId}; restore into a new home`,
    );
  return chosen?.n ?? null;
}

/** Writes what the backup brings into the home: its network, chat history and contacts. */
export async function restoreWorkspace(
  home: Home,
  workspace: Workspace,
  network: BackupNetwork | null,
  out: Output,
): Promise<Record<string, unknown>> {
  let chatRecords = 0;
  if (network) {
    const inv = invitationParts(network.invitation);
    const relays = [...new Set([...inv.relays, ...workspace.settings.relays])].slice(0, 64);
    await writeNetwork(home, {
      version: 1,
      networkId: inv.networkId,
      secret: inv.secret,
      ...(inv.name ? { name: inv.name } : {}),
      relays,
    });
    if (network.chats) chatRecords = await restoreChats(home, network.chats, out);
  }
  const kept = await readContacts(home);
  const fromBackup = new Set(workspace.contacts.map((c) => c.address));
  await writeContacts(home, [
    ...kept.filter((c) => !fromBackup.has(c.address)),
    ...workspace.contacts,
  ]);
  const others = workspace.networks
    .filter((n) => n !== network)
    .map((n) => invitationParts(n.invitation))
    .map((inv) => inv.name ?? inv.networkId);
  const name = network ? (invitationParts(network.invitation).name ?? 'unnamed') : null;
  return {
    text:
      `From the backup: ${name ? `network ${name}` : 'no network'}, ${workspace.contacts.length} contacts, ${chatRecords} chat records.` +
      (others.length > 0
        ? `\nThe backup also holds ${others.join(', ')}: restore it into another home with --network NAME.`
        : ''),
    network: network ? invitationParts(network.invitation).networkId : null,
    contacts: workspace.contacts.length,
    chatRecords,
  };
}

async function restoreChats(home: Home, chats: BackupChats, out: Output): Promise<number> {
  const log = await openFileLogStore(join(home.dataDir, 'chats'));
  try {
    const loaded = await log.load();
    if (loaded.records.length > 0 || (await log.getMeta(CHAT_KEY_META)) !== undefined) {
      out.progress("Note: this home already keeps a chat history; the backup's was not added.");
      return 0;
    }
    await log.putMeta(CHAT_KEY_META, chats.key);
    await log.append(chats.records);
    return chats.records.length;
  } finally {
    await log.close();
  }
}

function invitationParts(link: string) {
  const parsed = parseInvitation(link);
  // The codec only lets valid links through.
  if (!parsed.ok) throw new CliError(`the backup holds a damaged network: ${parsed.error}`);
  return parsed.invitation;
}

const messageOf = (error: unknown): string =>
  error instanceof Error ? error.message : String(error);
