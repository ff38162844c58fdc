// `gpow network create`: making a network (invite.ts brings others into it).
import { parseArgs } from 'node:util';
import * as v from 'valibot';
import { keyHexOf, type KeyHex } from '../../shared/ids.ts';
import { generateJoinSecret } from '../../shared/net/invitation.ts';
import { keySigner } from '../../engine/keySigner.ts';
import { foundNetwork } from '../../engine/genesis.ts';
import { DEFAULT_UNIT, unitSchema } from '../../shared/tx/genesis.ts';
import { nodeAdmit } from '../platform/nodeVerify.ts';
import { Peer } from '../peer/peer.ts';
import { nodeRandom } from '../platform/nodeRandom.ts';
import { CliError, readNetwork, writeNetwork, type Home } from './home.ts';
import { unlock } from './identity.ts';
import { amountOf, keyOf, type Output } from './output.ts';

export async function networkCreate(home: Home, args: string[], out: Output): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      name: { type: 'string' },
      witness: { type: 'string', multiple: true },
      alloc: { type: 'string', multiple: true },
      'credit-limit': { type: 'string' },
      closed: { type: 'boolean' },
      unit: { type: 'string' },
    },
  });
  if (!values.name) throw new CliError('give the network a name: --name NAME');
  const unit = unitOf(values.unit);
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
      ...(unit !== undefined ? { unit } : {}),
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
    `Network "${values.name}" created.\nNetwork id: ${network.networkId}\nAmounts are in ${unit ?? DEFAULT_UNIT}.\nStart it with "gpow run", then share "gpow invite".`,
    {
      networkId: network.networkId,
      name: values.name,
      unit: unit ?? DEFAULT_UNIT,
    },
  );
}

/** The unit name --unit gives, checked by the genesis rule itself; absent: the default. */
function unitOf(given: string | undefined): string | undefined {
  if (given === undefined) return undefined;
  const parsed = v.safeParse(unitSchema, given);
  if (!parsed.success) throw new CliError(parsed.issues[0].message);
  return parsed.output;
}
