// `gpow run`: the peer itself, online until Ctrl+C, with its control socket for the other
// commands. A peer whose identity does not unlock refuses to start (a witness that ran on
// without it silently stopped voting); `--no-identity` asks for a peer that only syncs and
// relays.
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import type { KeyHex, NetworkId } from '../../shared/ids.ts';
import type { ChannelEvent } from '../../shared/ssk/channel.ts';
import { startDiscovery } from '../net/discovery.ts';
import { nodeMarket } from '../peer/market.ts';
import { Peer, type PeerEvent } from '../peer/peer.ts';
import { CHECKPOINT_EVERY, PRUNE_MIN_RECORDS } from '../../engine/timing.ts';
import { checkpointEveryOf, pruneAfterOf } from './checkpoint.ts';
import { serveControl, toJson } from './control.ts';
import {
  CliError,
  readNetwork,
  readTickets,
  writeNetwork,
  writeTickets,
  type Home,
} from './home.ts';
import type { TicketRecord } from '../../shared/net/tickets.ts';
import { unlockKeys, type HomeKeys } from './identity.ts';
import { address, type Output } from './output.ts';
import { control } from './peerControl.ts';

export const RUN_USAGE = `  run [--lan] [--relay-port P] [--relay-host H] [--relay URL]... [--no-relay] [--ice URL]...
      [--provide pow,compute] [--validate] [--no-identity] [--checkpoint-every N]
      [--archive] [--no-snapshots] [--prune-after N]
                                    run the peer: relay, replication, witness duty, and
                                    (--provide/--validate) automatic provider/validator work
                                    (--lan: serve the relay to the LAN and find peers by mDNS)
                                    A witness proposes a checkpoint every N transactions
                                    (${CHECKPOINT_EVERY.toLocaleString('en')} by default, 0: never)
                                    --archive keeps serving the whole history to members
                                    that join without a snapshot (--no-snapshots: join so)
                                    Others drop from their log what a certified checkpoint
                                    covers, once that is N records or more (${PRUNE_MIN_RECORDS.toLocaleString('en')} by
                                    default); your own history is always kept
                                    It stops if the identity does not unlock; --no-identity
                                    runs a peer that only syncs and relays (no sending, no
                                    witness votes, no services)`;

/** The whole sync's progress: entries held of those the answering member said it holds. */
function receivingLine({ done, total }: { done: number; total: number }): string {
  const percent = Math.floor((100 * done) / total);
  return `Receiving the ledger: ${percent}% (${done.toLocaleString('en')} of about ${total.toLocaleString('en')} entries)`;
}

function describeEvent(event: PeerEvent): string | null {
  switch (event.type) {
    case 'ready':
      return `Loaded ${event.transactions} transactions from the log.`;
    case 'genesis':
      return 'Received the network genesis.';
    case 'fast-forward':
      return `Started from the certified state of checkpoint ${event.n}: the history before it is not fetched.`;
    case 'epoch':
      return `Checkpoint ${event.n} is certified: replicating what follows it from now on (the history it covers is no longer sent to new members).`;
    case 'pruned':
      return `Pruned the log at checkpoint ${event.n}: ${event.dropped.toLocaleString('en')} records it covers dropped, ${event.kept.toLocaleString('en')} kept (the genesis, your own, and what follows the checkpoint).`;
    case 'peers':
      return `Connected peers: ${event.count}`;
    case 'sync-progress':
      return `Syncing: ${event.done}/${event.total} entries checked`;
    case 'receiving':
      return null;
    case 'sync-received':
      return receivingLine(event);
    case 'peer-hostile':
      return `Disconnected peer ${event.link}: ${event.reason}`;
    case 'cleaned':
      return `Removed an invalid entry: ${event.reason}`;
    case 'restored':
      return `Put back a deleted transaction ${event.id.slice(0, 12)}…`;
    case 'warning':
      return `Warning: ${event.message}`;
    case 'channel':
      return describeChannelEvent(event.partner, event.event);
    case 'join-secret':
      return `The network rotated its join secret (generation ${event.generation}); new invitations carry it.`;
    case 'tickets':
      return null;
    case 'knock':
      return event.outcome === 'granted'
        ? `Let ${event.who ? address(event.who) : 'a newcomer'} in with invitation ${event.ticket}.`
        : `Refused a knock with invitation ${event.ticket} (used, expired or withdrawn).`;
  }
}

function describeChannelEvent(partner: KeyHex, event: ChannelEvent): string | null {
  const who = address(partner);
  switch (event.type) {
    case 'text':
      return event.from === partner ? `Message from ${who}: ${event.text}` : null;
    case 'file-offered':
      return `${who} is sending ${event.name} (${event.size} bytes)`;
    case 'file-progress':
      return event.received === event.total || event.received % 16 === 0
        ? `File ${event.id.slice(0, 8)}: ${event.received}/${event.total} chunks`
        : null;
    case 'file-complete':
      return `File ${event.name} received complete; save it with "gpow file save".`;
    case 'refused':
      return `Refused an entry in the private channel with ${who}: ${event.reason}`;
    case 'ack':
      // What was delivered shows in "gpow msg read" and "gpow file list".
      return null;
  }
}

/**
 * The identity the peer signs with. Any failure to unlock (no identity, no passphrase, a wrong
 * one, a damaged file) stops `gpow run` with the reason and the way out.
 */
async function runIdentity(home: Home, out: Output, wanted: boolean): Promise<HomeKeys | null> {
  if (!wanted) {
    out.progress(
      'Running without an identity (--no-identity): this peer syncs and relays, but cannot send, vote as a witness or provide services.',
    );
    return null;
  }
  try {
    return await unlockKeys(home, out);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new CliError(
      `cannot start the peer, because its identity did not unlock: ${reason}. Without it the peer could not send or vote as a witness. Fix that, or run "gpow run --no-identity" for a peer that only syncs and relays.`,
    );
  }
}

export async function run(home: Home, args: string[], out: Output): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      'relay-port': { type: 'string' },
      'relay-host': { type: 'string' },
      relay: { type: 'string', multiple: true },
      'no-relay': { type: 'boolean' },
      lan: { type: 'boolean' },
      ice: { type: 'string', multiple: true },
      provide: { type: 'string' },
      validate: { type: 'boolean' },
      'no-identity': { type: 'boolean' },
      'checkpoint-every': { type: 'string' },
      archive: { type: 'boolean' },
      'no-snapshots': { type: 'boolean' },
      'prune-after': { type: 'string' },
    },
  });
  const checkpointEvery = checkpointEveryOf(values['checkpoint-every']);
  const pruneAfter = pruneAfterOf(values['prune-after']);
  if (pruneAfter !== undefined && values.archive)
    throw new CliError('--archive keeps the whole history: drop --prune-after');
  // --lan serves the relay on every interface and finds the network's other peers by mDNS.
  const lan = values.lan === true;
  if (lan && values['no-relay'])
    throw new CliError("--lan needs this peer's relay; drop --no-relay");
  const noIdentity = values['no-identity'] === true;
  if (noIdentity && (values.provide || values.validate))
    throw new CliError('--provide and --validate sign transactions: drop --no-identity');
  const network = await readNetwork(home).catch((error: unknown) => {
    // A fresh home has no network to run; a browser page may only want a relay.
    throw error instanceof CliError
      ? new CliError(`${error.message}. For a signaling relay alone, run "gpow relay"`)
      : error;
  });
  const identity = await runIdentity(home, out, !noIdentity);
  const since = Date.now();
  const tickets = await readTickets(home, (message) => out.progress(`Warning: ${message}`));
  const keepTickets = serially((records: readonly TicketRecord[]) => writeTickets(home, records));
  const peer = await Peer.start({
    dataDir: home.dataDir,
    networkId: network.networkId as NetworkId,
    secret: network.secret,
    relays: [...network.relays, ...(values.relay ?? [])],
    relay: values['no-relay']
      ? false
      : {
          host: values['relay-host'] ?? (lan ? '0.0.0.0' : '127.0.0.1'),
          port: Number(values['relay-port'] ?? 0),
        },
    iceServers: (values.ice ?? []).map((urls) => ({ urls })),
    ...(identity ?? {}),
    witness: true,
    ...(checkpointEvery !== undefined ? { checkpointEvery } : {}),
    ...(values.archive ? { archive: true } : {}),
    ...(values['no-snapshots'] ? { snapshots: false } : {}),
    ...(pruneAfter !== undefined ? { pruneAfter } : {}),
    tickets,
    onEvent: (event) => {
      // A rotated secret is kept at once: a restart must never rejoin the old room (§13.8).
      if (event.type === 'join-secret') void keepSecret(home, event.secret);
      if (event.type === 'tickets') keepTickets(event.records);
      if (out.json) process.stdout.write(`${toJson({ event: redactSecret(event) })}\n`);
      else {
        const line = describeEvent(event);
        if (line) process.stderr.write(`${line}\n`);
      }
    },
  });
  const provide = (values.provide ?? '').split(',').filter((name) => name.length > 0);
  const agent = nodeMarket(peer, {
    provide,
    validate: values.validate === true,
    onEvent: (message) => out.progress(message),
  });
  if (identity) void agent.start().catch((error: unknown) => out.progress(String(error)));
  const relayPort = Number(peer.status().relayUrl?.split(':').pop() ?? 0);
  const discovery =
    lan && relayPort > 0
      ? startDiscovery({
          networkId: network.networkId,
          relayPort,
          instanceName: `gpow-${randomBytes(6).toString('hex')}`,
          onRelay: (url) => {
            out.progress(`Found a peer on the LAN: ${url}`);
            void peer.addRelay(url);
          },
          onError: (error) =>
            out.progress(
              `LAN discovery: ${error instanceof Error ? error.message : String(error)}`,
            ),
        })
      : null;
  const server = await serveControl(home.controlSocket, (method, params) =>
    control({ peer, agent, network, since }, method, params),
  );
  const status = peer.status();
  const account = identity?.device?.account ?? peer.address;
  out.print(
    `Peer running for network ${network.name ?? network.networkId}.\nRelay: ${status.relayUrl ?? 'none'}\nAddress: ${account ? address(account) : 'none (--no-identity)'}${identity?.device ? `\nDevice: "${identity.device.name}" (${address(peer.address ?? account ?? ('' as KeyHex))})` : ''}\nPress Ctrl+C to stop.`,
    {
      running: true,
      relayUrl: status.relayUrl,
      address: account ? address(account) : null,
      ...(identity?.device && peer.address ? { device: address(peer.address) } : {}),
    },
  );
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  out.progress('Stopping…');
  boundShutdown();
  await agent.close();
  await discovery?.stop();
  server.close();
  await peer.close();
  // Everything is saved. A handle left open (a WebRTC connection the native library has not
  // released, say) must not keep the process alive after Ctrl+C: exit once output is written.
  setTimeout(() => process.exit(), EXIT_GRACE_MS).unref();
}

/** How long an orderly stop may take before the process exits anyway, and the grace after it. */
const STOP_LIMIT_MS = 15_000;
const EXIT_GRACE_MS = 1_000;

/**
 * A stop that hangs (a connection that never closes) ends anyway, with a sentence, after
 * STOP_LIMIT_MS; a second Ctrl+C ends it at once. Both are safe for the data: the log keeps
 * every acknowledged write across a kill (test/storage/crash.test.ts), and a transaction whose
 * write was not acknowledged was not published either.
 */
function boundShutdown(): void {
  const force = (why: string) => {
    process.stderr.write(`${why} Exiting now; everything saved so far is kept.\n`);
    process.exit(130);
  };
  setTimeout(() => force(`Stopping took over ${STOP_LIMIT_MS / 1000} s.`), STOP_LIMIT_MS).unref();
  const again = () => force('Stopping again on a second Ctrl+C.');
  process.once('SIGINT', again);
  process.once('SIGTERM', again);
}

async function keepSecret(home: Home, secret: string): Promise<void> {
  const network = await readNetwork(home);
  if (network.secret !== secret) await writeNetwork(home, { ...network, secret });
}

/** Secrets never go to the log or a --json stream: not the join secret, not the tickets. */
function redactSecret(event: PeerEvent): PeerEvent {
  if (event.type === 'join-secret') return { ...event, secret: '(kept in network.json)' };
  return event.type === 'tickets' ? { ...event, records: [] } : event;
}

/**
 * Runs `write` for each value in turn, skipping values overtaken by a newer one while a write
 * was under way: the file ends with the last value, and two writes never race on its temp file.
 */
function serially<T>(write: (value: T) => Promise<void>): (value: T) => void {
  let latest: { value: T } | null = null;
  let running = false;
  const next = async (): Promise<void> => {
    running = true;
    while (latest) {
      const { value } = latest;
      latest = null;
      await write(value).catch((error: unknown) =>
        process.stderr.write(`Warning: could not save the invitations: ${String(error)}\n`),
      );
    }
    running = false;
  };
  return (value) => {
    latest = { value };
    if (!running) void next();
  };
}
