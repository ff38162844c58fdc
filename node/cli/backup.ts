// The workspace backup on the command line (docs/keys.md, "The workspace backup"):
// `gpow backup [--out FILE]` saves this home's network, contacts and chat history in one file
// that only the identity's words open, and `gpow identity import --backup FILE` brings them
// back with the words, with no invitation.
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { fromHex } from '../../shared/bytes.ts';
import { encodeAddress } from '../../shared/identity/address.ts';
import { fitWorkspace, sealWorkspace } from '../../shared/wallet/workspaceBackup.ts';
import type { BackupChats, BackupNetwork, Workspace } from '../../shared/wallet/workspaceSchema.ts';
import { formatInvitation, MAX_RELAYS, relayUrlError } from '../../shared/net/invitation.ts';
import { openFileLogStore } from '../storage/fileLogStore.ts';
import { nodeRandom } from '../platform/nodeRandom.ts';
import { readContacts } from './contacts.ts';
import { CHAT_KEY_META } from './workspaceRestore.ts';
import { readNetwork, type Home, type NetworkConfig } from './home.ts';
import { homeAddress } from './identity.ts';
import type { Output } from './output.ts';

/** The default settings: a home keeps its relays with its network, and has no theme. */
const CLI_SETTINGS = { relays: [], iceServers: [], theme: 'system', language: 'en' } as const;

export const BACKUP_USAGE = `Backup
  backup [--out FILE]               save this home's network, contacts and chat history in a
                                    file only your 24 words open (stop "gpow run" first to
                                    include the chats); restore with "identity import --backup"`;

export async function backupCommand(home: Home, args: string[], out: Output): Promise<void> {
  const { values } = parseArgs({ args, options: { out: { type: 'string' } } });
  const me = fromHex(await homeAddress(home, out));
  const network = await readNetwork(home).catch(() => null);
  const notes: string[] = [];
  const networks: BackupNetwork[] = [];
  if (network) {
    const chats = await readChats(home).catch((error: unknown) => {
      notes.push(`the chat history could not be read (${messageOf(error)}), so it was left out`);
      return undefined;
    });
    networks.push({ invitation: invitationOf(network), ...(chats ? { chats } : {}) });
  }
  const fitted = fitWorkspace({
    networks,
    contacts: await readContacts(home),
    settings: CLI_SETTINGS,
  });
  if (fitted.chatsLeftOut.length > 0)
    notes.push('the chat history is too large for a backup file, so it was left out');
  const created = Date.now();
  const bytes = sealWorkspace(fitted.workspace, me, created, nodeRandom);
  const path =
    values.out ??
    `gpow-backup-${encodeAddress(me).slice(0, 12)}-${new Date(created).toISOString().slice(0, 10)}.gpowbackup`;
  await writeFile(path, bytes, { mode: 0o600 });
  const summary = summaryOf(fitted.workspace);
  for (const note of notes) out.progress(`Note: ${note}.`);
  out.print(
    `Backup saved to ${path} (${summary}).\nOnly your 24 words open it. Keep it with them, or anywhere: without the words it reveals nothing but your address.`,
    { path, bytes: bytes.length, ...countsOf(fitted.workspace), notes },
  );
}

async function readChats(home: Home): Promise<BackupChats | undefined> {
  const dir = join(home.dataDir, 'chats');
  if (!existsSync(dir)) return undefined;
  const log = await openFileLogStore(dir);
  try {
    const key = await log.getMeta(CHAT_KEY_META);
    if (key === undefined) return undefined;
    return { key, records: (await log.load()).records };
  } finally {
    await log.close();
  }
}

function invitationOf(network: NetworkConfig): string {
  const relays = network.relays.filter((r) => relayUrlError(r) === null).slice(0, MAX_RELAYS);
  return formatInvitation({
    networkId: network.networkId,
    secret: network.secret,
    relays,
    ...(network.name ? { name: network.name } : {}),
  });
}

const countsOf = (w: Workspace) => ({
  networks: w.networks.length,
  contacts: w.contacts.length,
  chatRecords: w.networks.reduce((sum, n) => sum + (n.chats?.records.length ?? 0), 0),
});

function summaryOf(w: Workspace): string {
  const { networks, contacts, chatRecords } = countsOf(w);
  return `${networks} network${networks === 1 ? '' : 's'}, ${contacts} contact${contacts === 1 ? '' : 's'}, ${chatRecords} chat record${chatRecords === 1 ? '' : 's'}`;
}

const messageOf = (error: unknown): string =>
  error instanceof Error ? error.message : String(error);
