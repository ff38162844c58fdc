// `gpow network create`, `gpow invite` and `gpow join`: making a network, and the invitation
// links that bring others into it (shared/net/invitation.ts checks them).
import { networkInterfaces } from 'node:os';
import { parseArgs } from 'node:util';
import { keyHexOf, type KeyHex } from '../../shared/ids.ts';
import {
  formatInvitation,
  generateJoinSecret,
  parseInvitation,
} from '../../shared/net/invitation.ts';
import { keySigner } from '../../engine/keySigner.ts';
import { foundNetwork } from '../../engine/genesis.ts';
import { nodeAdmit } from '../platform/nodeVerify.ts';
import { Peer } from '../peer/peer.ts';
import { nodeRandom } from '../platform/nodeRandom.ts';
import { controlClient, NoPeerRunning } from './control.ts';
import { CliError, readNetwork, writeNetwork, type Home } from './home.ts';
import { unlock } from './identity.ts';
import { amountOf, keyOf, viaPeer, type Output } from './output.ts';

export async function networkCreate(home: Home, args: string[], out: Output): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      name: { type: 'string' },
      witness: { type: 'string', multiple: true },
      alloc: { type: 'string', multiple: true },
      'credit-limit': { type: 'string' },
      closed: { type: 'boolean' },
    },
  });
  if (!values.name) throw new CliError('give the network a name: --name NAME');
  const existing = await readNetwork(home).catch(() => null);
  if (existing)
    throw new CliError(
      `this home already belongs to network ${existing.name ?? existing.networkId}`,
    );
  const founder = await unlock(home, out);
  const founderKey = keyHexOf(founder.publicKey);
  const witnesses = (values.witness ?? []).map(keyOf);
  const allocations = (values.alloc ?? []).map((entry): readonly [KeyHex, bigint] => {
    const [who, amount] = entry.split('=');
    if (!who || !amount) throw new CliError(`"${entry}" is not an allocation: use ADDRESS=AMOUNT`);
    return [keyOf(who), amountOf(amount)];
  });
  const creditLimit =
    values['credit-limit'] === undefined ? 0n : BigInt(amountOf(values['credit-limit']));
  const admitted = await foundNetwork(
    keySigner(founder.secretKey),
    {
      name: values.name,
      witnesses: witnesses.length > 0 ? witnesses : [founderKey],
      allocations,
      creditLimit,
      // Only the founder, the witnesses and the allocated accounts may sign; a quorum of the
      // witnesses admits others (docs/protocol.md §13.7).
      ...(values.closed ? { closed: true } : {}),
    },
    Date.now(),
    nodeAdmit,
  );
  if (!admitted.ok) throw new CliError(`the genesis is invalid: ${admitted.rejection.message}`);
  const network = {
    version: 1 as const,
    networkId: admitted.tx.id,
    secret: generateJoinSecret(nodeRandom),
    name: values.name,
    relays: [],
  };
  // The engine writes the genesis as the founder's first transaction: its chain starts here, so
  // it may sign offline at once (shared/ledger/ownHead.ts).
  const founded = await Peer.start({
    dataDir: home.dataDir,
    networkId: network.networkId,
    secret: network.secret,
    relays: [],
    connect: false,
    secretKey: founder.secretKey,
    initial: [admitted.tx],
  });
  await founded.close();
  await writeNetwork(home, network);
  out.print(
    `Network "${values.name}" created.\nNetwork id: ${network.networkId}\nStart it with "gpow run", then share "gpow invite".`,
    {
      networkId: network.networkId,
      name: values.name,
    },
  );
}

export async function invite(home: Home, args: string[], out: Output): Promise<void> {
  const { values } = parseArgs({
    args,
    options: { relay: { type: 'string', multiple: true }, rotate: { type: 'boolean' } },
  });
  let network = await readNetwork(home);
  if (values.rotate) {
    // A new join secret sealed to every member (§13.8): older invitations stop working.
    const rotated = await viaPeer(home, 'room-rotate');
    network = { ...network, secret: rotated.secret };
    out.progress(
      `Rotated the join secret (generation ${rotated.generation}, sealed to ${rotated.recipients} member devices): older invitations no longer let anyone in.`,
    );
  }
  const relays = new Set([...(values.relay ?? []), ...network.relays]);
  try {
    const status = await controlClient(home.controlSocket).call('status');
    if (status.relayUrl && status.relayHost === '0.0.0.0') {
      // A relay serving the LAN is reachable at this machine's LAN addresses.
      const port = status.relayUrl.split(':').pop();
      for (const ip of lanAddresses()) relays.add(`ws://${ip}:${port}`);
    } else if (status.relayUrl) {
      relays.add(status.relayUrl);
    }
  } catch (error) {
    if (!(error instanceof NoPeerRunning)) throw error;
  }
  const link = formatInvitation({
    networkId: network.networkId,
    secret: network.secret,
    relays: [...relays].slice(0, 16),
    ...(network.name ? { name: network.name } : {}),
  });
  if (relays.size === 0)
    out.progress(
      'Note: no relay is known yet. Start "gpow run" first so the invitation can name its relay.',
    );
  out.print(link, { invitation: link });
}

function lanAddresses(): string[] {
  return Object.values(networkInterfaces())
    .flat()
    .filter((i) => i !== undefined && i.family === 'IPv4' && !i.internal)
    .map((i) => i!.address);
}

export async function join(home: Home, args: string[], out: Output): Promise<void> {
  if (args[0] === undefined)
    throw new CliError('usage: gpow join LINK (the gpow:join?… link you were given)');
  // Refused before anything is written: a damaged link leaves the home as it was.
  const parsed = parseInvitation(args[0]);
  if (!parsed.ok) throw new CliError(parsed.error);
  const { invitation } = parsed;
  const existing = await readNetwork(home).catch(() => null);
  if (existing && existing.networkId !== invitation.networkId) {
    throw new CliError(
      `this home already belongs to network ${existing.name ?? existing.networkId}; use another --home`,
    );
  }
  await writeNetwork(home, {
    version: 1,
    networkId: invitation.networkId,
    secret: invitation.secret,
    ...(invitation.name ? { name: invitation.name } : {}),
    relays: [...new Set([...(existing?.relays ?? []), ...invitation.relays])],
  });
  out.print(
    `Joined network ${invitation.name ?? invitation.networkId}. Run "gpow run" to connect and sync.`,
    {
      networkId: invitation.networkId,
    },
  );
}
