// `gpow network list|use|remove` (removing is in networkRemove.ts), and where `network create` and `join` put a network when the identity
// already belongs to one: a new slot of its own (homes.ts), which becomes its current network.
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { parseJoinLink } from '../../shared/net/ticket.ts';
import { CliError, type Home } from './home.ts';
import {
  findIdentity,
  findNetwork,
  homeAt,
  networksOf,
  newNetworkSlot,
  readLayout,
  saveLayout,
  withEntry,
  type HomeChoice,
  type IdentityEntry,
  type NetworkSlot,
} from './homes.ts';
import { peerRunning } from './identities.ts';
import { removeNetwork } from './networkRemove.ts';
import type { Output } from './output.ts';

export const NETWORK_SLOTS_USAGE = `  network list                      the networks this identity belongs to (* current)
  network use NAME                  make NAME the network later commands act on
  network remove NAME [--yes]       take NAME off this identity, after you type its name; its
                                    data is moved to a dated folder in the home, not deleted
  --network NAME                    with any command: act on that network this time only`;

/** The identity a command names (or the current one); null in a home with no identity yet. */
async function chosenIdentity(root: string, choice: HomeChoice) {
  const layout = await readLayout(root);
  const name = choice.identity ?? layout.current;
  return { layout, entry: name === null ? null : findIdentity(layout, name) };
}

const currentSlot = (entry: IdentityEntry, slots: readonly NetworkSlot[]) =>
  entry.network ?? slots[0]?.slot;

export async function networkSlotsCommand(
  root: string,
  args: string[],
  choice: HomeChoice,
  out: Output,
): Promise<void> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { yes: { type: 'boolean' } },
  });
  const { layout, entry } = await chosenIdentity(root, choice);
  if (!entry) throw new CliError('no identity here yet: run "gpow identity create" first');
  const slots = await networksOf(root, entry);
  const [sub, name] = positionals;
  if (sub === 'list' && positionals.length === 1) {
    const current = currentSlot(entry, slots);
    const rows = slots.map((s) => ({
      name: s.name,
      networkId: s.config.networkId,
      current: s.slot === current,
      relays: s.config.relays.length,
    }));
    out.print(
      rows.length === 0
        ? `"${entry.name}" belongs to no network yet: run "gpow network create" or "gpow join <invitation>".`
        : rows
            .map(
              (r) =>
                `${r.current ? '*' : ' '} ${r.name}  ${r.networkId.slice(0, 16)}…  relays ${r.relays}`,
            )
            .join('\n'),
      rows,
    );
    return;
  }
  if (sub === 'use' && name !== undefined && positionals.length === 2) {
    const slot = findNetwork(slots, name, `"${entry.name}"`);
    const before = slots.find((s) => s.slot === currentSlot(entry, slots));
    await saveLayout(root, withEntry(layout, entry.name, { ...entry, network: slot.slot }));
    const keeps =
      before && before !== slot && (await peerRunning(homeAt(root, entry.dir, before.slot)));
    out.print(
      `"${entry.name}" now acts on network "${slot.name}".` +
        (keeps
          ? `\nThe peer running on "${before.name}" keeps running; reach it with --network ${before.name}.`
          : ''),
      { identity: entry.name, network: slot.name, networkId: slot.config.networkId },
    );
    return;
  }
  if (sub === 'remove' && name !== undefined && positionals.length === 2) {
    const current = currentSlot(entry, slots);
    const yes = values.yes === true;
    await removeNetwork({ root, layout, entry, slots, current, name, yes, now: Date.now() }, out);
    return;
  }
  throw new CliError(`usage:\n${NETWORK_SLOTS_USAGE}`);
}

/**
 * The home `network create` or `join` writes into. An identity with no network yet uses its
 * current slot, as a one-network home always did; joining a network it already has refreshes
 * that network where it is; anything else gets a new slot. Once `run` succeeds, a new slot
 * becomes the identity's current network.
 */
export async function withNewNetwork(
  root: string,
  args: readonly string[],
  choice: HomeChoice,
  out: Output,
  run: (home: Home) => Promise<void>,
): Promise<void> {
  if (choice.network !== undefined)
    throw new CliError(
      '--network picks a network this identity already belongs to; this command adds one',
    );
  const { layout, entry } = await chosenIdentity(root, choice);
  if (!entry) return run(homeAt(root, '.'));
  const slots = await networksOf(root, entry);
  const joining = args.map((a) => parseJoinLink(a)).find((p) => p.ok);
  const networkId = joining?.ok
    ? (joining.link.kind === 'secret' ? joining.link.invitation : joining.link.ticket).networkId
    : null;
  const same = slots.find((s) => s.config.networkId === networkId);
  const current = currentSlot(entry, slots);
  if (same || slots.length === 0 || current === undefined)
    return run(homeAt(root, entry.dir, same?.slot ?? current ?? '.'));
  const slot = await newNetworkSlot(root, entry);
  try {
    await run(homeAt(root, entry.dir, slot));
  } catch (error) {
    // The slot was made by this command (newNetworkSlot skips every folder on disk).
    await rm(join(root, entry.dir, slot), { recursive: true, force: true });
    throw error;
  }
  await saveLayout(root, withEntry(layout, entry.name, { ...entry, network: slot }));
  const before = slots.find((s) => s.slot === current);
  out.progress(
    `This network is now the current one of "${entry.name}" ("gpow network use ${before?.name ?? ''}" goes back).`,
  );
}
