// `gpow identity list|use|rename|remove` (adding one is identityAdd.ts). The layout they edit is
// described in homes.ts.
import { readdir, readFile, rm } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import * as v from 'valibot';
import { parseAddress } from '../../shared/identity/address.ts';
import type { KeyHex } from '../../shared/ids.ts';
import { controlClient, NoPeerRunning } from './control.ts';
import { CliError, readDeviceInfo, type Home } from './home.ts';
import {
  findIdentity,
  homeAt,
  nameProblem,
  networksOf,
  readLayout,
  saveLayout,
  withEntry,
  type IdentityEntry,
  type Layout,
} from './homes.ts';
import { address, type Output } from './output.ts';

export const IDENTITIES_USAGE = `  identity list                     the identities of this home: name, address, networks
  identity use NAME                 make NAME the identity later commands act for
  identity rename OLD NEW           rename an identity (nothing moves on disk)
  identity remove NAME [--yes]      delete an identity's keys and data from this home, after
                                    you type its name (its words are then the only way back)`;

export interface IdentityFacts {
  readonly address: string | null;
  /** The device name when this identity's slot is a device of it. */
  readonly device: string | null;
  readonly hasWords: boolean;
}

const keystoreHeader = v.looseObject({ address: v.string() });

/** An identity's address and kind, read without its passphrase (the keystore's clear header). */
export async function identityFacts(root: string, entry: IdentityEntry): Promise<IdentityFacts> {
  const home = homeAt(root, entry.dir);
  const info = await readDeviceInfo(home).catch(() => null);
  const header = await readFile(home.identityFile, 'utf8').then(
    (text) => v.safeParse(keystoreHeader, JSON.parse(text) as unknown),
    () => null,
  );
  const parsed = header?.success ? parseAddress(header.output.address) : null;
  const words = parsed?.ok ? parsed.address : null;
  return {
    address: info ? address(info.account as KeyHex) : words,
    device: info?.name ?? null,
    hasWords: header !== null,
  };
}

export const shortAddress = (a: string | null): string =>
  a === null ? '(unreadable)' : `${a.slice(0, 12)}…${a.slice(-6)}`;

/** Whether a peer answers on this home's control socket. */
export async function peerRunning(home: Home): Promise<boolean> {
  try {
    await controlClient(home.controlSocket, 5_000).call('status');
    return true;
  } catch (error) {
    return !(error instanceof NoPeerRunning);
  }
}

export async function identitiesCommand(root: string, args: string[], out: Output): Promise<void> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { yes: { type: 'boolean' } },
  });
  const [sub, first, second] = positionals;
  const layout = await readLayout(root);
  if (sub === 'list') return list(root, layout, out);
  if (sub === 'use' && first !== undefined && positionals.length === 2)
    return use(root, layout, first, out);
  if (sub === 'rename' && first !== undefined && second !== undefined && positionals.length === 3)
    return renameIdentity(root, layout, first, second, out);
  if (sub === 'remove' && first !== undefined && positionals.length === 2)
    return remove(root, layout, first, values.yes === true, out);
  throw new CliError(`usage:\n${IDENTITIES_USAGE}`);
}

async function list(root: string, layout: Layout, out: Output): Promise<void> {
  const rows = [];
  for (const entry of layout.identities) {
    const facts = await identityFacts(root, entry);
    const networks = await networksOf(root, entry);
    const chosen = entry.network ?? networks[0]?.slot;
    rows.push({
      name: entry.name,
      current: entry.name === layout.current,
      address: facts.address,
      ...(facts.device === null ? {} : { device: facts.device }),
      networks: networks.map((n) => ({
        name: n.name,
        networkId: n.config.networkId,
        current: n.slot === chosen,
      })),
    });
  }
  const width = Math.max(4, ...rows.map((r) => r.name.length));
  const lines = rows.map((r) => {
    const nets = r.networks.map((n) => `${n.name}${n.current ? '*' : ''}`).join(', ') || '-';
    const device = r.device === undefined ? '' : `  (device "${r.device}")`;
    return `${r.current ? '*' : ' '} ${r.name.padEnd(width)}  ${shortAddress(r.address)}  ${nets}${device}`;
  });
  out.print(
    rows.length === 0
      ? 'No identity here yet: run "gpow identity create" or "gpow identity import".'
      : [`  ${'NAME'.padEnd(width)}  ADDRESS              NETWORKS (* current)`, ...lines].join(
          '\n',
        ),
    rows,
  );
}

async function use(root: string, layout: Layout, name: string, out: Output): Promise<void> {
  const entry = findIdentity(layout, name);
  const before = layout.current;
  if (before === entry.name) {
    out.print(`"${name}" is already the current identity.`, { current: name });
    return;
  }
  await saveLayout(root, { ...layout, current: entry.name });
  const left = before === null ? undefined : layout.identities.find((e) => e.name === before);
  const running = left ? await runningNetworks(root, left) : [];
  out.print(
    `Commands now act for "${entry.name}".` +
      (running.length > 0
        ? `\nThe peer running for "${before}" keeps running and serves "${before}" only; reach it with --identity ${before}.`
        : ''),
    { current: entry.name },
  );
}

async function renameIdentity(
  root: string,
  layout: Layout,
  old: string,
  name: string,
  out: Output,
): Promise<void> {
  const entry = findIdentity(layout, old);
  const problem = nameProblem(name, layout, old);
  if (problem) throw new CliError(problem);
  await saveLayout(root, withEntry(layout, old, { ...entry, name }));
  out.print(`Renamed "${old}" to "${name}".`, { old, name });
}

/** The names of an identity's networks whose peer is running now. */
async function runningNetworks(root: string, entry: IdentityEntry): Promise<string[]> {
  const running = [];
  for (const n of await networksOf(root, entry))
    if (await peerRunning(homeAt(root, entry.dir, n.slot))) running.push(n.name);
  return running;
}

async function remove(
  root: string,
  layout: Layout,
  name: string,
  yes: boolean,
  out: Output,
): Promise<void> {
  const entry = findIdentity(layout, name);
  const running = await runningNetworks(root, entry);
  if (running.length > 0)
    throw new CliError(
      `the peer of "${name}" is running (network ${running.join(', ')}): stop it first`,
    );
  const facts = await identityFacts(root, entry);
  const who = facts.address ?? name;
  process.stderr.write(
    facts.hasWords
      ? `Removing "${name}" deletes its keys and its networks' data from this home. Its 24 backup words are then the only way back to ${who}; payments signed here and not yet synced are lost.\n`
      : `Removing "${name}" deletes this device's key and its networks' data from this home. This home does not hold the words of ${who}: only your other devices or the words bring it back.\n`,
  );
  if (!yes) await confirmName(name);
  const rest = layout.identities.filter((e) => e !== entry);
  const current = layout.current === name ? (rest[0]?.name ?? null) : layout.current;
  await saveLayout(root, { identities: rest, current });
  await deleteSlot(root, entry.dir);
  out.print(
    `Removed "${name}".` +
      (current !== layout.current && current ? ` Now using "${current}".` : ''),
    { removed: name, current },
  );
}

/** Asks for the name, typed, on the terminal or as a line on stdin; anything else stops. */
export async function confirmName(name: string): Promise<void> {
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  const answer = await new Promise<string | null>((resolve) => {
    rl.question(`Type "${name}" to remove it: `, resolve);
    rl.once('close', () => resolve(null));
  });
  rl.close();
  if (answer?.trim() !== name)
    throw new CliError(`nothing was removed: type the name "${name}" exactly, or pass --yes`);
}

/** What the first identity keeps at the top of the home (homes.ts); nothing else there goes. */
const FIRST_SLOT_FILES = [
  'identity.json',
  'device.json',
  'device-info.json',
  'contacts.json',
  'network.json',
  'invitations.json',
  'data',
  'networks',
];
const REFOUND_LEFTOVERS =
  /^(genesis-[0-9a-f]{64}\.tx|data-[0-9a-f]{64}|network-[0-9a-f]{64}\.json)$/;

async function deleteSlot(root: string, dir: string): Promise<void> {
  if (dir !== '.') {
    await rm(join(root, dir), { recursive: true, force: true });
    return;
  }
  const leftovers = (await readdir(root)).filter((f) => REFOUND_LEFTOVERS.test(f));
  for (const file of [...FIRST_SLOT_FILES, ...leftovers])
    await rm(join(root, file), { recursive: true, force: true });
}
