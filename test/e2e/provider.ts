// A headless provider peer for the end-to-end tests: test/net's PeerProcess (the real headless
// peer with its market automation, over @roamhq/wrtc), joined to the network the browsers
// created, through their relay. Where the browsers run in a network namespace of their own,
// the peer runs there too, its Node started under nsenter.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NetworkId } from '../../shared/ids.ts';
import { parseInvitation } from '../../shared/net/invitation.ts';
import type { TestIdentity } from '../helpers/network.ts';
import { PeerProcess } from '../net/cluster.ts';
import type { World } from './harness.ts';

export interface HeadlessPeer {
  readonly peer: PeerProcess;
  close(): Promise<void>;
}

/** Starts a peer from an invitation link, in the browsers' namespace when they have one. */
export async function spawnHeadlessPeer(
  world: World,
  link: string,
  identity: TestIdentity,
  market: { provide?: string[]; validate?: boolean },
): Promise<HeadlessPeer> {
  const parsed = parseInvitation(link);
  if (!parsed.ok) throw new Error(`the invitation does not parse: ${parsed.error}`);
  const dir = await mkdtemp(join(tmpdir(), 'gpow-e2e-peer-'));
  // In the browsers' namespace, the peer's Node runs under nsenter too.
  const wrap =
    world.namespacePid === null
      ? []
      : ['nsenter', `--net=/proc/${world.namespacePid}/ns/net`, '--'];
  const peer = await PeerProcess.spawn('provider', {
    dataDir: join(dir, 'data'),
    networkId: parsed.invitation.networkId as NetworkId,
    secret: parsed.invitation.secret,
    relays: [world.relayUrl],
    identity,
    market,
    wrap,
  });
  return {
    peer,
    async close() {
      await peer.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
