// `gpow network remove NAME`: an identity leaves one of its networks in this home (docs/keys.md,
// "Removing a network"). Nothing the user owns is lost: the network's folder (its ledger log,
// and so its history and chats; its network.json, whose secret lets this identity back in; the
// invitations given out) is moved aside to a dated folder under the home's removed-networks/,
// never deleted, and the identity's keys are not touched. Its balance lives on the network's
// ledger: joining again (or moving the folder back) brings it back.
//
// Refused while that network's peer runs (it holds the files), and for the network the identity
// acts on now while it has others: a person who removes what they are using most likely meant
// another one, so the sentence names the `gpow network use` to run first rather than switching
// for them. An identity's only network can go; it then belongs to none, as before a join.
import { mkdir, readdir, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { CliError } from './home.ts';
import {
  findNetwork,
  homeAt,
  saveLayout,
  withEntry,
  type IdentityEntry,
  type Layout,
  type NetworkSlot,
} from './homes.ts';
import { confirmName, peerRunning } from './identities.ts';
import type { Output } from './output.ts';

/** Where removed networks go, under the home's root. */
export const REMOVED_DIR = 'removed-networks';
/** What a network keeps in its slot; in the first slot these sit beside the identity's keys. */
const NETWORK_FILES = ['network.json', 'invitations.json', 'data'];

export interface RemoveRequest {
  readonly root: string;
  readonly layout: Layout;
  readonly entry: IdentityEntry;
  readonly slots: readonly NetworkSlot[];
  /** The slot the identity acts on now. */
  readonly current: string | undefined;
  readonly name: string;
  readonly yes: boolean;
  /** The time to date the folder with (ms); the CLI passes Date.now(). */
  readonly now: number;
}

export async function removeNetwork(request: RemoveRequest, out: Output): Promise<void> {
  const { root, layout, entry, slots, current, name } = request;
  const slot = findNetwork(slots, name, `"${entry.name}"`);
  const home = homeAt(root, entry.dir, slot.slot);
  if (await peerRunning(home))
    throw new CliError(`the peer of network "${slot.name}" is running: stop it first`);
  const others = slots.filter((s) => s !== slot);
  const first = others[0];
  if (slot.slot === current && first !== undefined)
    throw new CliError(
      `"${slot.name}" is the network "${entry.name}" acts on now: run "gpow network use ${first.name}" first`,
    );
  process.stderr.write(
    `Removing "${slot.name}" takes it off "${entry.name}" in this home. Nothing is deleted: its ledger data (history, chats), its network.json (the secret that lets you back in) and the invitations you gave out are moved to a dated folder under ${join(root, REMOVED_DIR)}. Your keys stay; your balance stays on the network.\n`,
  );
  if (!request.yes) await confirmName(slot.name);
  const kept = await moveAside(root, join(root, entry.dir, slot.slot), slot, request.now);
  // The identity no longer names the slot it left (only its only network can be the current).
  if (entry.network === slot.slot)
    await saveLayout(root, withEntry(layout, entry.name, { name: entry.name, dir: entry.dir }));
  out.print(
    `Removed "${slot.name}" from "${entry.name}". Kept in ${kept}: move its files back, or join the network again, to return.` +
      (first === undefined ? `\n"${entry.name}" now belongs to no network.` : ''),
    { removed: slot.name, networkId: slot.config.networkId, kept },
  );
}

/** Moves the network's files into a new dated folder and answers its path. */
async function moveAside(
  root: string,
  from: string,
  slot: NetworkSlot,
  now: number,
): Promise<string> {
  const kept = await freshFolder(root, slot, now);
  for (const file of NETWORK_FILES) {
    const source = join(from, file);
    if (await present(source)) await rename(source, join(kept, file));
  }
  // A later network's slot holds nothing else but a stale control socket; the first network's
  // slot is the identity's own folder, which stays.
  if (slot.slot !== '.') {
    await rm(join(from, 'control.sock'), { force: true });
    if ((await readdir(from)).length === 0) await rm(from, { recursive: true });
  }
  return kept;
}

/** removed-networks/<UTC time>-<name>-<id prefix>, with -2, -3… if it is taken. */
async function freshFolder(root: string, slot: NetworkSlot, now: number): Promise<string> {
  const stamp = new Date(now).toISOString().replace(/[:.]/g, '-');
  const label = slot.name.replace(/[^A-Za-z0-9_-]+/g, '_').slice(0, 32);
  const base = join(root, REMOVED_DIR, `${stamp}-${label}-${slot.config.networkId.slice(0, 12)}`);
  for (let n = 1; ; n++) {
    const path = n === 1 ? base : `${base}-${n}`;
    if (await present(path)) continue;
    await mkdir(path, { recursive: true });
    return path;
  }
}

const present = (path: string) =>
  stat(path).then(
    () => true,
    () => false,
  );
