// `gpow network refound` and `gpow network follow`: starting again when the witnesses are gone
// (docs/protocol.md §13.6).
//
//   network refound --witness ADDR... [--name NAME]
//       on the running peer: a new genesis that carries every balance over, and an announcement
//       on this network that says where the group went. The home keeps the new genesis.
//   network follow [NETWORK]
//       with the peer stopped: this home moves to the announced network. The old log stays in
//       data-<old network id>, so nothing is lost; the join secret and relays carry over.
import { readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { fromHex, toHex } from '../../shared/bytes.ts';
import type { RefoundResult } from '../../shared/control/contract.ts';
import type { KeyHex } from '../../shared/ids.ts';
import type { Ledger } from '../../shared/ledger/ledger.ts';
import { refoundings, type Refounding } from '../../shared/net/refound.ts';
import { refoundNetwork } from '../../engine/refound.ts';
import { nodeAdmit } from '../platform/nodeVerify.ts';
import { Peer } from '../peer/peer.ts';
import { controlClient, NoPeerRunning } from './control.ts';
import { CliError, readNetwork, writeNetwork, type Home } from './home.ts';
import { unlockKeys } from './identity.ts';
import { address, keyOf, viaPeer, type Output } from './output.ts';
import { withLocalPeer } from './wallet.ts';

const genesisFile = (home: Home, networkId: string) => join(home.dir, `genesis-${networkId}.tx`);

export async function refoundOn(
  peer: Peer,
  p: { name: string; witnesses: readonly string[] },
): Promise<RefoundResult> {
  const witnesses: KeyHex[] = p.witnesses.map((w) => keyOf(w));
  const done = await refoundNetwork(peer, { name: p.name, witnesses }, nodeAdmit);
  return {
    networkId: done.genesis.id,
    name: done.plan.input.name,
    announcement: done.announcement.id,
    witnesses: done.plan.input.witnesses.map((k) => address(k)),
    carried: done.plan.carried.map(([k, amount]) => ({ address: address(k), amount })),
    genesis: toHex(done.bytes),
  };
}

export async function refound(home: Home, args: string[], out: Output): Promise<void> {
  const { values } = parseArgs({
    args,
    options: { witness: { type: 'string', multiple: true }, name: { type: 'string' } },
  });
  const network = await readNetwork(home);
  const witnesses = values.witness ?? [];
  if (witnesses.length === 0)
    throw new CliError("name the new network's witnesses: --witness ADDRESS (one or more)");
  const name = values.name ?? network.name ?? 'Re-founded network';
  // The announcement must reach the others, so this needs the running peer.
  const result = await viaPeer(home, 'network-refound', { name, witnesses });
  await writeFile(genesisFile(home, result.networkId), result.genesis, { mode: 0o600 });
  out.print(
    [
      `Re-founded as "${result.name}": network ${result.networkId}.`,
      `Witnesses: ${result.witnesses.join(', ')}.`,
      `Announced on this network (${result.announcement.slice(0, 12)}): every member sees it in "gpow status".`,
      'Every balance carries over as it stands here; escrow goes back to whoever locked it.',
      'To move this home: stop "gpow run", then run "gpow network follow".',
    ].join('\n'),
    { ...result, genesis: undefined },
  );
}

export async function follow(home: Home, args: string[], out: Output): Promise<void> {
  await mustBeStopped(home);
  const network = await readNetwork(home);
  const chosen = await withLocalPeer(home, (_peer, ledger) =>
    Promise.resolve(pickRefounding(ledger, args[0])),
  );
  const archive = join(home.dir, `data-${network.networkId}`);
  if (await exists(archive)) throw new CliError(`${archive} already exists: move it away first`);
  await writeFile(
    join(home.dir, `network-${network.networkId}.json`),
    `${JSON.stringify(network, null, 2)}\n`,
    { mode: 0o600 },
  );
  await rename(home.dataDir, archive);
  await writeNetwork(home, { ...network, networkId: chosen.networkId, name: chosen.name });
  await seedGenesis(home, chosen.networkId, out);
  out.print(
    [
      `This home now follows "${chosen.name}" (network ${chosen.networkId}).`,
      `The old network's log is kept in ${archive}.`,
      'Start "gpow run": the genesis and your carried-over balance arrive from the others.',
    ].join('\n'),
    { networkId: chosen.networkId, name: chosen.name, archive },
  );
}

function pickRefounding(ledger: Ledger, wanted: string | undefined): Refounding {
  const all = refoundings(ledger.indexes);
  if (all.length === 0)
    throw new CliError(
      'no re-founding has been announced on this network (or it has not arrived yet: run "gpow run" for a while)',
    );
  if (wanted === undefined) {
    if (all.length > 1)
      throw new CliError(
        `${all.length} re-foundings were announced: name one (${all.map((r) => r.networkId.slice(0, 12)).join(', ')})`,
      );
    return all[0] as Refounding;
  }
  const found = all.filter((r) => r.networkId.startsWith(wanted.toLowerCase()));
  if (found.length !== 1)
    throw new CliError(`no single announced re-founding starts with ${wanted}`);
  return found[0] as Refounding;
}

/** The re-founder's home holds the new genesis: it starts the new network's log with it. */
async function seedGenesis(home: Home, networkId: string, out: Output): Promise<void> {
  const file = genesisFile(home, networkId);
  let hex: string;
  try {
    hex = (await readFile(file, 'utf8')).trim();
  } catch {
    return;
  }
  const admitted = await nodeAdmit(fromHex(hex));
  if (!admitted.ok || admitted.tx.id !== networkId)
    throw new CliError(`${file} does not hold the genesis of network ${networkId}`);
  const keys = await unlockKeys(home, out);
  const peer = await Peer.start({
    dataDir: home.dataDir,
    networkId: admitted.tx.id,
    secret: (await readNetwork(home)).secret,
    relays: [],
    connect: false,
    secretKey: keys.secretKey,
    initial: [admitted.tx],
  });
  await peer.close();
  await rm(file);
}

async function mustBeStopped(home: Home): Promise<void> {
  try {
    await controlClient(home.controlSocket).call('status');
  } catch (error) {
    if (error instanceof NoPeerRunning) return;
    throw error;
  }
  throw new CliError('stop "gpow run" first: the home moves to the new network');
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}
