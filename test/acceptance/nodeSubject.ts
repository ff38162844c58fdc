// The acceptance suite's subject peer on the Node platform: the CLI's peer (node/peer/peer.ts)
// in a process of its own, driven by JSON lines on stdin, answering on stdout in the format of
// test/net/cluster.ts's PeerProcess.
import '../net/fixtures/loopbackPreload.ts';
import { createInterface } from 'node:readline';
import { fromHex } from '../../shared/bytes.ts';
import type { NetworkId } from '../../shared/ids.ts';
import { Peer } from '../../node/peer/peer.ts';
import { nodeMarket } from '../../node/peer/market.ts';
import { runCommand, statusOf, toJson } from './commands.ts';

interface Options {
  dataDir: string;
  networkId: NetworkId;
  secret: string;
  relays: string[];
  secretKey?: string;
  witness?: boolean;
}

const options = JSON.parse(process.argv[2] ?? '{}') as Options;
const send = (message: unknown) => process.stdout.write(`${toJson(message)}\n`);

const peer = await Peer.start({
  dataDir: options.dataDir,
  networkId: options.networkId,
  secret: options.secret,
  relays: options.relays,
  relay: false,
  ...(options.secretKey ? { secretKey: fromHex(options.secretKey) } : {}),
  witness: options.witness ?? false,
  onEvent: (event) => send({ event }),
});
// The market reveals and settles for this identity, as `gpow run` does.
const market = options.secretKey ? nodeMarket(peer, { intervalMs: 200 }) : null;
if (market) void market.start();
send({ started: { ...statusOf(peer), relayUrl: null } });

type Command = { id: number; cmd: string; args?: Record<string, unknown> };

createInterface({ input: process.stdin }).on('line', (line) => {
  const command = JSON.parse(line) as Command;
  if (command.cmd === 'exit') {
    void Promise.resolve(market?.close())
      .then(() => peer.close())
      .then(() => {
        send({ id: command.id, result: true });
        process.exit(0);
      });
    return;
  }
  runCommand({ peer, market }, command.cmd, command.args ?? {}).then(
    (result) => send({ id: command.id, result }),
    (error: unknown) =>
      send({ id: command.id, error: error instanceof Error ? error.message : String(error) }),
  );
});
