// Several identities, and several networks per identity, in one CLI home (docs/keys.md,
// "Several identities and networks in one home"). The layout of a home R:
//
//   R/identities.json          the list: each identity's name, where it lives, its current
//                              network, and which identity is current. Absent in a home that
//                              never had a second identity, a rename or a "use".
//   R/identity.json, R/device.json, R/device-info.json, R/contacts.json
//                              the first identity, where a one-identity home always kept it
//   R/network.json, R/data/, R/invitations.json, R/control.sock
//                              that identity's first network
//   R/networks/<n>/            its other networks, each with the same four: network.json,
//                              data/ (its own ledger, balance and chats), invitations.json,
//                              control.sock
//   R/identities/<n>/          each later identity, shaped exactly like R: its key files, its
//                              first network in place, the others under networks/<n>/
//
// An identity is a slot ("." or "identities/<n>"), a network a slot of its identity ("." or
// "networks/<n>"). A slot's number is never reused and never changes: a rename edits the list
// only, so no file ever moves. The Home a command gets (home.ts) is the current identity's key
// files with its current network's files, so every command reads the same fields as before.
//
// Migration: none that moves anything. A home without identities.json is read as what it
// always was, one identity named "main" at "." (when it holds one), its network at ".": the same
// files, the same address and balance. The list is written the first time something needs it
// (a second identity or network, a rename, a "use"), and it only points at what is there.
//
// A running peer (`gpow run`) serves the identity and network it started with: its control.sock
// is in that network's slot. "use" only changes what later commands address, so it never
// disturbs a running peer; the CLI says when the peer it leaves keeps running. Removing an
// identity whose peer runs is refused.
import { mkdir, readdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import * as v from 'valibot';
import { CliError, readNetwork, type Home, type NetworkConfig } from './home.ts';

export const MAX_NAME_LENGTH = 48;
/** The name a one-identity home's identity is known by until it is renamed. */
export const FIRST_IDENTITY_NAME = 'main';
const LIST_FILE = 'identities.json';

const entrySchema = v.strictObject({
  name: v.pipe(v.string(), v.minLength(1), v.maxLength(MAX_NAME_LENGTH)),
  dir: v.pipe(v.string(), v.regex(/^(\.|identities\/[1-9][0-9]{0,5})$/)),
  network: v.optional(v.pipe(v.string(), v.regex(/^(\.|networks\/[1-9][0-9]{0,5})$/))),
});
const listSchema = v.strictObject({
  version: v.literal(1),
  current: v.string(),
  identities: v.pipe(v.array(entrySchema), v.maxLength(1000)),
});

export type IdentityEntry = v.InferOutput<typeof entrySchema>;

export interface Layout {
  readonly identities: readonly IdentityEntry[];
  /** The current identity's name; null when the home holds none. */
  readonly current: string | null;
}

export const rootOf = (flag: string | undefined): string =>
  flag ?? process.env.GPOW_HOME ?? join(homedir(), '.gpow');

/** The home's identities: its list, or, without one, the one-identity home read as it is. */
export async function readLayout(root: string): Promise<Layout> {
  const path = join(root, LIST_FILE);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    const first = await holdsIdentity(root);
    return first
      ? { identities: [{ name: FIRST_IDENTITY_NAME, dir: '.' }], current: FIRST_IDENTITY_NAME }
      : { identities: [], current: null };
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new CliError(`${path} is not valid JSON`);
  }
  const result = v.safeParse(listSchema, parsed);
  const list = result.success ? result.output : null;
  const names = new Set(list?.identities.map((e) => e.name.toLowerCase()));
  const dirs = new Set(list?.identities.map((e) => e.dir));
  if (
    !list ||
    names.size !== list.identities.length ||
    dirs.size !== list.identities.length ||
    (list.identities.length > 0 && !list.identities.some((e) => e.name === list.current))
  )
    throw new CliError(`${path} is not a valid list of identities`);
  return { identities: list.identities, current: list.identities.length ? list.current : null };
}

export async function saveLayout(root: string, layout: Layout): Promise<void> {
  await mkdir(root, { recursive: true, mode: 0o700 });
  const path = join(root, LIST_FILE);
  const temp = `${path}.${process.pid}.tmp`;
  const list = { version: 1, current: layout.current ?? '', identities: layout.identities };
  await writeFile(temp, `${JSON.stringify(list, null, 2)}\n`, { mode: 0o600 });
  await rename(temp, path);
}

const exists = (path: string) =>
  stat(path).then(
    () => true,
    () => false,
  );

/** Whether a slot holds an identity: its words, or a device key of one. */
export async function holdsIdentity(dir: string): Promise<boolean> {
  for (const file of ['identity.json', 'device.json', 'device-info.json'])
    if (await exists(join(dir, file))) return true;
  return false;
}

/** The home's files for one identity slot and one of its network slots. */
export function homeAt(root: string, identityDir: string, networkDir = '.'): Home {
  const dir = join(root, identityDir);
  const net = join(dir, networkDir);
  return {
    dir,
    identityFile: join(dir, 'identity.json'),
    deviceFile: join(dir, 'device.json'),
    deviceInfoFile: join(dir, 'device-info.json'),
    networkFile: join(net, 'network.json'),
    ticketsFile: join(net, 'invitations.json'),
    dataDir: join(net, 'data'),
    controlSocket: join(net, 'control.sock'),
  };
}

export interface NetworkSlot {
  readonly slot: string;
  readonly name: string;
  readonly config: NetworkConfig;
}

export const networkName = (config: NetworkConfig): string =>
  config.name ?? config.networkId.slice(0, 12);

/** The networks one identity belongs to: its first one at ".", then networks/<n> in order. */
export async function networksOf(root: string, entry: IdentityEntry): Promise<NetworkSlot[]> {
  const slots = [
    '.',
    ...(await numbered(join(root, entry.dir, 'networks'))).map((n) => `networks/${n}`),
  ];
  const found: NetworkSlot[] = [];
  for (const slot of slots) {
    const home = homeAt(root, entry.dir, slot);
    if (!(await exists(home.networkFile))) continue;
    const config = await readNetwork(home);
    found.push({ slot, config, name: networkName(config) });
  }
  return found;
}

/** The numbers of a folder's numbered slots, ascending. */
async function numbered(dir: string): Promise<number[]> {
  const names = await readdir(dir).catch(() => [] as string[]);
  return names
    .filter((n) => /^[1-9][0-9]{0,5}$/.test(n))
    .map(Number)
    .sort((a, b) => a - b);
}

/** A network slot that was never used; slots on disk count, so a leftover is never reused. */
export async function newNetworkSlot(root: string, entry: IdentityEntry): Promise<string> {
  const used = await numbered(join(root, entry.dir, 'networks'));
  return `networks/${(used.at(-1) ?? 0) + 1}`;
}

export async function newIdentitySlot(root: string, layout: Layout): Promise<string> {
  if (layout.identities.length === 0 && !(await exists(join(root, LIST_FILE)))) return '.';
  const listed = layout.identities.map((e) => Number(e.dir.split('/')[1] ?? 0));
  const onDisk = await numbered(join(root, 'identities'));
  return `identities/${Math.max(0, ...listed, ...onDisk) + 1}`;
}

/** What is wrong with a name for an identity of this layout, or null when it is fine. */
export function nameProblem(name: string, layout: Layout, except?: string): string | null {
  if (name.trim() === '') return 'give the identity a name that is not empty';
  if (name !== name.trim()) return 'an identity name cannot start or end with a space';
  if (name.length > MAX_NAME_LENGTH)
    return `an identity name is at most ${MAX_NAME_LENGTH} characters; "${name}" has ${name.length}`;
  if (/\p{Cc}/u.test(name)) return 'an identity name cannot hold control characters';
  const taken = layout.identities.find(
    (e) => e.name.toLowerCase() === name.toLowerCase() && e.name !== except,
  );
  return taken ? `this home already has an identity named "${taken.name}"` : null;
}

export function findIdentity(layout: Layout, name: string): IdentityEntry {
  const entry = layout.identities.find((e) => e.name === name);
  if (entry) return entry;
  const known = layout.identities.map((e) => `"${e.name}"`).join(', ');
  throw new CliError(
    known
      ? `this home has no identity named "${name}"; it has ${known}`
      : `this home has no identity yet: run "gpow identity create" first`,
  );
}

/** The network a name picks among an identity's: its name, or its id. */
export function findNetwork(slots: readonly NetworkSlot[], name: string, who: string): NetworkSlot {
  const matches = slots.filter((s) => s.name === name || s.config.networkId === name);
  if (matches.length === 1) return matches[0]!;
  if (matches.length > 1)
    throw new CliError(
      `${who} has ${matches.length} networks named "${name}": give its id instead`,
    );
  const known = slots.map((s) => `"${s.name}"`).join(', ');
  throw new CliError(
    known
      ? `${who} belongs to no network named "${name}"; it belongs to ${known}`
      : `${who} belongs to no network yet: run "gpow network create" or "gpow join <invitation>"`,
  );
}

/** The network slot an identity uses when none is named: its chosen one, else its first. */
export async function currentNetworkSlot(root: string, entry: IdentityEntry): Promise<string> {
  if (entry.network !== undefined) return entry.network;
  return (await networksOf(root, entry))[0]?.slot ?? '.';
}

export interface HomeChoice {
  readonly identity?: string | undefined;
  readonly network?: string | undefined;
}

/** The Home a command acts on: the named (or current) identity with its named (or current) network. */
export async function openHome(root: string, choice: HomeChoice = {}): Promise<Home> {
  const layout = await readLayout(root);
  if (layout.current === null) {
    if (choice.identity !== undefined) findIdentity(layout, choice.identity);
    return homeAt(root, '.');
  }
  const entry = findIdentity(layout, choice.identity ?? layout.current);
  if (choice.network === undefined)
    return homeAt(root, entry.dir, await currentNetworkSlot(root, entry));
  const slot = findNetwork(await networksOf(root, entry), choice.network, `"${entry.name}"`);
  return homeAt(root, entry.dir, slot.slot);
}

/** The layout with one entry replaced (by its old name). */
export function withEntry(layout: Layout, name: string, entry: IdentityEntry): Layout {
  return {
    identities: layout.identities.map((e) => (e.name === name ? entry : e)),
    current: layout.current === name ? entry.name : layout.current,
  };
}
