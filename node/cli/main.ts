// `gpow`: the headless peer and wallet on the command line. Human-readable output by default,
// JSON with --json; errors go to stderr with a non-zero exit code.
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { basename, resolve } from 'node:path';
import { networkInterfaces } from 'node:os';
import { parseArgs } from 'node:util';
import { fromUtf8 } from '../../shared/bytes.ts';
import type { ChannelEvent } from '../../shared/ssk/channel.ts';
import { peekFieldEpoch } from '../../shared/ssk/field.ts';
import type { VerifiedTx } from '../../shared/tx/registry.ts';
import { keyHexOf, type KeyHex, type NetworkId, type TxId } from '../../shared/ids.ts';
import {
  encryptKeystore,
  MIN_SCRYPT_N,
  type KeystorePayload,
} from '../../shared/identity/keystore.ts';
import { identityFromSecret, type Identity } from '../../shared/identity/keys.ts';
import {
  generateMnemonic,
  identityFromMnemonic,
  validateMnemonic,
} from '../../shared/identity/mnemonic.ts';
import type { Ledger } from '../../shared/ledger/ledger.ts';
import {
  formatInvitation,
  generateJoinSecret,
  parseInvitation,
} from '../../shared/net/invitation.ts';
import type { RandomPort } from '../../shared/ports.ts';
import { signTx } from '../../shared/tx/envelope.ts';
import { genesisBody } from '../../shared/tx/genesis.ts';
import type { TransferBody } from '../../shared/tx/transfer.ts';
import { composeTransfer } from '../../shared/wallet/compose.ts';
import { loadKeystoreFile, saveKeystoreFile } from '../keystoreFile.ts';
import { admit, loadLocalLedger } from '../peer/localLedger.ts';
import { Peer, type PeerEvent } from '../peer/peer.ts';
import { openFileLogStore } from '../storage/fileLogStore.ts';
import { startDiscovery } from '../net/discovery.ts';
import { nodeRandom } from '../random.ts';
import { callControl, NoPeerRunning, serveControl, toJson } from './control.ts';
import { CliError, readNetwork, resolveHome, writeNetwork, type Home } from './home.ts';
import { readPassphrase, readStdin } from './prompt.ts';
import { MARKET_COMMANDS, MARKET_USAGE, marketCommand, marketControl } from './market.ts';
import { MarketAgent } from '../peer/marketAgent.ts';
import { address, amountOf, keyOf, output, viaPeer, type Output } from './output.ts';

const random: RandomPort = nodeRandom;

const USAGE = `Usage: gpow [--home DIR] [--json] <command> [options]

Identity
  identity create [--fast-kdf]      create an identity and show its 24 backup words
  identity import [--words "..."]   restore an identity from its words (or stdin)
  identity show                     show this identity's address
  identity export                   show the backup words (asks for the passphrase)

Network
  network create --name NAME [--witness ADDR]... [--alloc ADDR=AMOUNT]... [--credit-limit N]
  invite [--relay URL]...           print an invitation link for this network
  join LINK                         join the network an invitation names
  run [--lan] [--relay-port P] [--relay-host H] [--relay URL]... [--no-relay] [--ice URL]...
      [--provide pow,compute] [--validate]
                                    run the peer: relay, replication, witness duty, and
                                    (--provide/--validate) automatic provider/validator work
                                    (--lan: serve the relay to the LAN and find peers by mDNS)

Wallet
  send ADDRESS AMOUNT [--memo TEXT] pay someone (works offline; sent when a peer is reachable)
  balance [ADDRESS]                 available, pending and total balance
  history [ADDRESS] [--limit N]     transfers in and out
  status                            peers, sync state, pending and final counts

Private traffic (Sustainable Symmetric Keys; needs the running peer)
  ssk share ADDRESS [--purpose P] [--expires-days N]   share a key (again: reset it)
  ssk revoke ADDRESS                stop using the current key for new messages
  ssk list                          keys shared, and whether the private channel is up
  msg send ADDRESS TEXT             an encrypted message
  msg read ADDRESS                  the conversation
  file send ADDRESS PATH            an encrypted file, in chunks
  file list ADDRESS                 files received, with progress
  file save ADDRESS ID PATH         save a received file
  send ADDRESS AMOUNT --private-memo TEXT   a payment whose memo only the two can read

${MARKET_USAGE}

The passphrase is read from GPOW_PASSPHRASE, or asked for on the terminal.
Home: --home, or GPOW_HOME, or ~/.gpow.`;

// ---- identity ----------------------------------------------------------------------------

async function unlock(home: Home, out: Output): Promise<Identity> {
  const passphrase = await readPassphrase('Passphrase: ');
  out.progress('Unlocking the identity…');
  const result = await loadKeystoreFile(home.identityFile, passphrase);
  if (!result.ok) {
    if (result.code === 'not-found')
      throw new CliError('no identity here: run "gpow identity create" first');
    throw new CliError(result.message);
  }
  return identityOf(result.payload);
}

function identityOf(payload: KeystorePayload): Identity {
  return payload.kind === 'mnemonic'
    ? identityFromMnemonic(payload.mnemonic)
    : identityFromSecret(payload.secretKey);
}

async function saveIdentity(
  home: Home,
  mnemonic: string,
  fastKdf: boolean,
  out: Output,
): Promise<Identity> {
  const passphrase = await readPassphrase('New passphrase: ', { confirm: true });
  if (passphrase.length < 8) throw new CliError('choose a passphrase of at least 8 characters');
  await mkdir(home.dir, { recursive: true, mode: 0o700 });
  out.progress('Encrypting the identity (this takes a moment)…');
  const keystore = await encryptKeystore(
    { kind: 'mnemonic', mnemonic },
    passphrase,
    random,
    fastKdf ? { N: MIN_SCRYPT_N } : {},
  );
  try {
    await saveKeystoreFile(home.identityFile, keystore);
  } catch {
    throw new CliError(`an identity already exists in ${home.dir}; it was left untouched`);
  }
  return identityFromMnemonic(mnemonic);
}

async function identityCommand(home: Home, args: string[], out: Output): Promise<void> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { words: { type: 'string' }, 'fast-kdf': { type: 'boolean' } },
  });
  const fastKdf = values['fast-kdf'] === true;
  switch (positionals[0] ?? '') {
    case 'create': {
      const mnemonic = generateMnemonic(random);
      const identity = await saveIdentity(home, mnemonic, fastKdf, out);
      const addr = address(keyHexOf(identity.publicKey));
      out.print(
        `Identity created.\nAddress: ${addr}\n\nYour 24 backup words (write them down and keep them offline;\nanyone with them controls this identity):\n\n${mnemonic}\n`,
        { address: addr, mnemonic },
      );
      return;
    }
    case 'import': {
      const words = values.words ?? (await readStdin());
      const check = validateMnemonic(words);
      if (!check.ok) throw new CliError(check.error);
      const identity = await saveIdentity(home, check.mnemonic, fastKdf, out);
      const addr = address(keyHexOf(identity.publicKey));
      out.print(`Identity restored.\nAddress: ${addr}`, { address: addr });
      return;
    }
    case 'show': {
      const identity = await unlock(home, out);
      const addr = address(keyHexOf(identity.publicKey));
      out.print(`Address: ${addr}`, { address: addr });
      return;
    }
    case 'export': {
      const passphrase = await readPassphrase('Passphrase: ');
      const result = await loadKeystoreFile(home.identityFile, passphrase);
      if (!result.ok) throw new CliError(result.message);
      if (result.payload.kind !== 'mnemonic')
        throw new CliError('this identity was imported as a raw key and has no backup words');
      out.print(result.payload.mnemonic, {
        address: result.address,
        mnemonic: result.payload.mnemonic,
      });
      return;
    }
    default:
      throw new CliError('usage: gpow identity create|import|show|export');
  }
}

// ---- network -----------------------------------------------------------------------------

async function networkCreate(home: Home, args: string[], out: Output): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      name: { type: 'string' },
      witness: { type: 'string', multiple: true },
      alloc: { type: 'string', multiple: true },
      'credit-limit': { type: 'string' },
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
  const bytes = signTx(founder.secretKey, {
    net: null,
    seq: 0,
    prev: null,
    deps: [],
    type: 'genesis',
    body: genesisBody({
      name: values.name,
      witnesses: witnesses.length > 0 ? witnesses : [founderKey],
      allocations,
      creditLimit,
    }),
    time: Date.now(),
  });
  const admitted = await admit(bytes);
  if (!admitted.ok) throw new CliError(`the genesis is invalid: ${admitted.rejection.message}`);
  const store = await openFileLogStore(home.dataDir);
  try {
    await store.append([admitted.tx.bytes]);
  } finally {
    await store.close();
  }
  const network = {
    version: 1 as const,
    networkId: admitted.tx.id,
    secret: generateJoinSecret(random),
    name: values.name,
    relays: [],
  };
  await writeNetwork(home, network);
  out.print(
    `Network "${values.name}" created.\nNetwork id: ${network.networkId}\nStart it with "gpow run", then share "gpow invite".`,
    {
      networkId: network.networkId,
      name: values.name,
    },
  );
}

async function invite(home: Home, args: string[], out: Output): Promise<void> {
  const { values } = parseArgs({ args, options: { relay: { type: 'string', multiple: true } } });
  const network = await readNetwork(home);
  const relays = new Set([...(values.relay ?? []), ...network.relays]);
  try {
    const status = (await callControl(home.controlSocket, 'status')) as {
      relayUrl: string | null;
      relayHost: string | null;
    };
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

async function join(home: Home, args: string[], out: Output): Promise<void> {
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

// ---- running peer ------------------------------------------------------------------------

function describeEvent(event: PeerEvent): string | null {
  switch (event.type) {
    case 'ready':
      return `Loaded ${event.transactions} transactions from the log.`;
    case 'genesis':
      return 'Received the network genesis.';
    case 'peers':
      return `Connected peers: ${event.count}`;
    case 'sync-progress':
      return `Syncing: ${event.done}/${event.total} entries checked`;
    case 'receiving':
      return event.received % 256 === 0
        ? `Receiving from peer ${event.link}: ${event.received}/${event.total} frames`
        : null;
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
  }
}

async function run(home: Home, args: string[], out: Output): Promise<void> {
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
    },
  });
  // --lan serves the relay on every interface and finds the network's other peers by mDNS.
  const lan = values.lan === true;
  if (lan && values['no-relay'])
    throw new CliError("--lan needs this peer's relay; drop --no-relay");
  const network = await readNetwork(home);
  const identity =
    process.env.GPOW_PASSPHRASE !== undefined || process.stdin.isTTY
      ? await unlock(home, out).catch((error: unknown) => {
          out.progress(
            `Running without an identity: ${error instanceof Error ? error.message : String(error)}`,
          );
          return null;
        })
      : null;
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
    ...(identity ? { secretKey: identity.secretKey } : {}),
    witness: true,
    onEvent: (event) => {
      if (out.json) process.stdout.write(`${toJson({ event })}\n`);
      else {
        const line = describeEvent(event);
        if (line) process.stderr.write(`${line}\n`);
      }
    },
  });
  const provide = (values.provide ?? '').split(',').filter((name) => name.length > 0);
  const agent = new MarketAgent(peer, {
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
    control(peer, agent, method, params),
  );
  const status = peer.status();
  out.print(
    `Peer running for network ${network.name ?? network.networkId}.\nRelay: ${status.relayUrl ?? 'none'}\nAddress: ${peer.address ? address(peer.address) : 'none (no identity unlocked)'}\nPress Ctrl+C to stop.`,
    {
      running: true,
      relayUrl: status.relayUrl,
      address: peer.address ? address(peer.address) : null,
    },
  );
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  out.progress('Stopping…');
  await agent.close();
  await discovery?.stop();
  server.close();
  await peer.close();
}

/** What a running peer answers on its control socket. */
async function control(
  peer: Peer,
  agent: MarketAgent,
  method: string,
  params: Record<string, unknown>,
): Promise<unknown> {
  const ledger = await peer.ready();
  const answer = await marketControl(agent, ledger, peer.address, method, params);
  if (answer !== undefined) return answer;
  switch (method) {
    case 'status':
      return peer.status();
    case 'send': {
      const to = keyOf(String(params.to));
      const amount = amountOf(String(params.amount));
      const tx =
        typeof params.privateMemo === 'string'
          ? await peer.transferWithPrivateMemo(to, amount, params.privateMemo)
          : await peer.transfer(to, amount, memoOf(params.memo));
      return { id: tx.id };
    }
    case 'balance':
      return balanceOf(
        ledger,
        typeof params.address === 'string' ? keyOf(params.address) : peer.address,
      );
    case 'history':
      return historyOf(
        ledger,
        typeof params.address === 'string' ? keyOf(params.address) : peer.address,
        Number(params.limit ?? 50),
        (tx) => peer.readPrivateMemo(tx),
      );
    case 'ssk-share': {
      const days = typeof params.expiresDays === 'number' ? params.expiresDays : undefined;
      return peer.shareKey(
        keyOf(String(params.to)),
        typeof params.purpose === 'string' ? params.purpose : 'messages',
        days === undefined ? undefined : Date.now() + days * 86_400_000,
      );
    }
    case 'ssk-revoke':
      return peer.revokeKey(keyOf(String(params.to)));
    case 'ssk-list':
      return peer.ssk.directory.partnersOf(peer.address!).map((partner) => {
        const current = peer.ssk.directory.current(peer.address!, partner);
        return {
          partner: address(partner),
          epoch: current?.epoch ?? null,
          sharedBy: current ? address(current.from) : null,
          shares: peer.ssk.directory.shares(peer.address!, partner).length,
          connected: peer.ssk.connections()[partner] ?? 0,
        };
      });
    case 'msg-send':
      peer.ssk.channel(keyOf(String(params.to))).sendText(String(params.text));
      return { sent: true };
    case 'msg-read':
      return peer.ssk.channel(keyOf(String(params.with))).texts.map((t) => ({
        from: address(t.from),
        text: t.text,
        epoch: t.epoch,
        time: Math.floor(t.counter / 1000),
      }));
    case 'file-send': {
      const path = String(params.path);
      const bytes = new Uint8Array(await readFile(path));
      const id = peer.ssk.channel(keyOf(String(params.to))).sendFile(basename(path), bytes);
      return { id, size: bytes.length };
    }
    case 'file-list':
      return [...peer.ssk.channel(keyOf(String(params.with))).files.values()].map((f) => ({
        id: f.id,
        from: address(f.from),
        name: f.name,
        size: f.size,
        received: f.received,
        chunks: f.chunks.length,
        complete: f.complete,
      }));
    case 'file-save': {
      const file = peer.ssk.channel(keyOf(String(params.with))).files.get(String(params.id));
      if (!file?.complete) throw new Error('no complete file with that id from this partner');
      const bytes = new Uint8Array(file.size);
      let offset = 0;
      for (const chunk of file.chunks) {
        bytes.set(chunk!, offset);
        offset += chunk!.length;
      }
      await writeFile(String(params.path), bytes, { flag: 'wx' });
      return { saved: String(params.path), size: file.size };
    }
    default:
      throw new Error(`unknown method ${method}`);
  }
}

const memoOf = (memo: unknown): Uint8Array | undefined =>
  typeof memo === 'string' && memo.length > 0 ? new TextEncoder().encode(memo) : undefined;

// ---- wallet ------------------------------------------------------------------------------

function balanceOf(ledger: Ledger, key: KeyHex | null) {
  if (!key) throw new CliError('name an address, or unlock an identity');
  const view = ledger.account(key);
  return { address: address(key), ...view };
}

function historyOf(
  ledger: Ledger,
  key: KeyHex | null,
  limit: number,
  readPrivate?: (tx: VerifiedTx) => string | null,
) {
  if (!key) throw new CliError('name an address, or unlock an identity');
  const rows = [];
  for (const id of ledger.validIds()) {
    const tx = ledger.get(id);
    if (!tx || tx.type !== 'transfer') continue;
    const body = tx.body as TransferBody;
    const to = keyHexOf(body.to);
    if (tx.author !== key && to !== key) continue;
    rows.push({
      id,
      time: tx.time,
      direction: tx.author === key ? 'out' : 'in',
      counterparty: address(tx.author === key ? to : tx.author),
      amount: body.amount,
      status: ledger.status(id).state,
      ...(body.memo ? { memo: memoText(tx as VerifiedTx, body.memo, readPrivate) } : {}),
    });
  }
  rows.sort((a, b) => b.time - a.time || (a.id < b.id ? -1 : 1));
  return rows.slice(0, Math.max(1, Math.min(limit, 10_000)));
}

/** A plain memo as text; a sealed one decrypted when this identity holds its key. */
function memoText(
  tx: VerifiedTx,
  memo: Uint8Array,
  readPrivate?: (tx: VerifiedTx) => string | null,
): string {
  if (!peekFieldEpoch(memo).ok) return fromUtf8(memo);
  return readPrivate?.(tx) ?? '(private)';
}

/** Opens the log directly when no peer is running (offline use). */
async function withLocalLedger<T>(
  home: Home,
  fn: (ledger: Ledger, append: (bytes: Uint8Array) => Promise<void>) => Promise<T>,
): Promise<T> {
  const network = await readNetwork(home);
  const store = await openFileLogStore(home.dataDir);
  try {
    const loaded = await loadLocalLedger(store, network.networkId as NetworkId);
    if (!loaded.ledger)
      throw new CliError(
        'the network has not synced yet: run "gpow run" until it receives the genesis',
      );
    return await fn(loaded.ledger, (bytes) => store.append([bytes]));
  } finally {
    await store.close();
  }
}

async function viaPeerOrLocal<T>(
  home: Home,
  method: string,
  params: Record<string, unknown>,
  local: () => Promise<T>,
): Promise<T> {
  try {
    return (await callControl(home.controlSocket, method, params)) as T;
  } catch (error) {
    if (error instanceof NoPeerRunning) return local();
    throw error;
  }
}

async function send(home: Home, args: string[], out: Output): Promise<void> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { memo: { type: 'string' }, 'private-memo': { type: 'string' } },
  });
  const [toInput, amountInput] = positionals;
  if (!toInput || !amountInput)
    throw new CliError('usage: gpow send ADDRESS AMOUNT [--memo TEXT | --private-memo TEXT]');
  const to = keyOf(toInput);
  const amount = amountOf(amountInput);
  const params = {
    to: toInput,
    amount: amountInput,
    ...(values.memo ? { memo: values.memo } : {}),
  };
  const result = await viaPeerOrLocal(home, 'send', params, async () => {
    if (values['private-memo'])
      throw new CliError('a private memo needs the running peer: start "gpow run"');
    const identity = await unlock(home, out);
    return withLocalLedger(home, async (ledger, append) => {
      const from = keyHexOf(identity.publicKey);
      const memo = memoOf(values.memo);
      const composed = composeTransfer(ledger, {
        from,
        to,
        amount,
        time: Date.now(),
        ...(memo ? { memo } : {}),
      });
      if (!composed.ok) throw new CliError(composed.rejection.message);
      const admitted = await admit(signTx(identity.secretKey, composed.tx));
      if (!admitted.ok) throw new CliError(admitted.rejection.message);
      const outcome = ledger.insert(admitted.tx);
      if (outcome.status === 'rejected') throw new CliError(outcome.rejection.message);
      await append(admitted.tx.bytes);
      out.progress(
        'No peer is running: the payment is saved and will be sent when "gpow run" connects.',
      );
      return { id: admitted.tx.id };
    });
  });
  out.print(`Sent ${amount} to ${toInput}.\nTransaction: ${result.id}`, {
    id: result.id,
    amount,
    to: toInput,
  });
}

async function balance(home: Home, args: string[], out: Output): Promise<void> {
  const params = args[0] ? { address: args[0] } : {};
  const view = await viaPeerOrLocal(home, 'balance', params, async () => {
    const key = args[0] ? keyOf(args[0]) : keyHexOf((await unlock(home, out)).publicKey);
    return withLocalLedger(home, (ledger) => Promise.resolve(balanceOf(ledger, key)));
  });
  const v = view as {
    address: string;
    available: bigint | string;
    pending: bigint | string;
    balance: bigint | string;
    frozen: boolean;
  };
  out.print(
    `Address:   ${v.address}\nAvailable: ${v.available}\nPending:   ${v.pending}\nTotal:     ${v.balance}${v.frozen ? '\nFROZEN: this identity signed conflicting transactions' : ''}`,
    view,
  );
}

async function history(home: Home, args: string[], out: Output): Promise<void> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { limit: { type: 'string' } },
  });
  const limit = Number(values.limit ?? 50);
  const params = { ...(positionals[0] ? { address: positionals[0] } : {}), limit };
  const rows = (await viaPeerOrLocal(home, 'history', params, async () => {
    const key = positionals[0]
      ? keyOf(positionals[0])
      : keyHexOf((await unlock(home, out)).publicKey);
    return withLocalLedger(home, (ledger) => Promise.resolve(historyOf(ledger, key, limit)));
  })) as Array<{
    id: TxId;
    time: number;
    direction: string;
    counterparty: string;
    amount: bigint | string;
    status: string;
  }>;
  const lines = rows.map(
    (r) =>
      `${new Date(r.time).toISOString()}  ${r.direction === 'out' ? '-' : '+'}${r.amount}  ${r.direction === 'out' ? 'to' : 'from'} ${r.counterparty}  ${r.status}`,
  );
  out.print(lines.length > 0 ? lines.join('\n') : 'No transfers yet.', rows);
}

async function status(home: Home, out: Output): Promise<void> {
  const network = await readNetwork(home);
  const result = await viaPeerOrLocal(home, 'status', {}, async () =>
    withLocalLedger(home, (ledger) =>
      Promise.resolve({
        networkId: network.networkId,
        peers: 0,
        synced: false,
        running: false,
        transactions: ledger.counts(),
        stateRoot: ledger.stateRoot(),
      }),
    ),
  );
  const s = result as {
    peers: number;
    synced: boolean;
    transactions: { valid: number; final: number; pending: number; waiting: number } | null;
    stateRoot: string | null;
    running?: boolean;
  };
  const t = s.transactions;
  out.print(
    [
      `Network:  ${network.name ?? ''} ${network.networkId}`,
      `Peer:     ${s.running === false ? 'not running' : 'running'}`,
      `Peers:    ${s.peers}`,
      `Synced:   ${s.synced ? 'yes' : 'not yet'}`,
      t
        ? `Ledger:   ${t.valid} transactions, ${t.final} final, ${t.pending} pending, ${t.waiting} waiting for missing parents`
        : 'Ledger:   no genesis yet',
      `State:    ${s.stateRoot ?? '-'}`,
    ].join('\n'),
    result,
  );
}

// ---- SSK: keys, messages, files -----------------------------------------------------------

async function sskCommand(home: Home, args: string[], out: Output): Promise<void> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { purpose: { type: 'string' }, 'expires-days': { type: 'string' } },
  });
  const [sub, who] = positionals;
  if (sub === 'list') {
    const rows = await viaPeer<
      Array<{ partner: string; epoch: number | null; sharedBy: string | null; connected: number }>
    >(home, 'ssk-list', {});
    const lines = rows.map(
      (r) =>
        `${r.partner}  epoch ${r.epoch ?? '-'} (shared by ${r.sharedBy ?? '-'})  ${r.connected > 0 ? 'connected' : 'not connected'}`,
    );
    out.print(lines.length > 0 ? lines.join('\n') : 'No keys shared yet.', rows);
    return;
  }
  if ((sub !== 'share' && sub !== 'revoke') || !who)
    throw new CliError('usage: gpow ssk share|revoke ADDRESS, or gpow ssk list');
  keyOf(who);
  if (sub === 'share') {
    const expiresDays =
      values['expires-days'] === undefined ? undefined : Number(values['expires-days']);
    if (expiresDays !== undefined && !(expiresDays > 0))
      throw new CliError('--expires-days takes a positive number');
    const r = await viaPeer<{ id: string; epoch: number }>(home, 'ssk-share', {
      to: who,
      ...(values.purpose ? { purpose: values.purpose } : {}),
      ...(expiresDays ? { expiresDays } : {}),
    });
    out.print(`Shared a key with ${who} (epoch ${r.epoch}).\nTransaction: ${r.id}`, r);
  } else {
    const r = await viaPeer<{ id: string; epoch: number }>(home, 'ssk-revoke', { to: who });
    out.print(`Revoked epoch ${r.epoch} with ${who}: it is no longer used for new messages.`, r);
  }
}

async function msgCommand(home: Home, args: string[], out: Output): Promise<void> {
  const [sub, who, ...text] = args;
  if (!who) throw new CliError('usage: gpow msg send ADDRESS TEXT, or gpow msg read ADDRESS');
  keyOf(who);
  if (sub === 'send') {
    if (text.length === 0) throw new CliError('write a message: gpow msg send ADDRESS TEXT');
    await viaPeer(home, 'msg-send', { to: who, text: text.join(' ') });
    out.print('Sent (encrypted with your shared key).', { sent: true });
  } else if (sub === 'read') {
    const rows = await viaPeer<Array<{ from: string; text: string; time: number }>>(
      home,
      'msg-read',
      { with: who },
    );
    out.print(
      rows.length > 0
        ? rows
            .map(
              (r) =>
                `${new Date(r.time).toISOString()}  ${r.from === who ? 'them' : 'you '}: ${r.text}`,
            )
            .join('\n')
        : 'No messages yet.',
      rows,
    );
  } else {
    throw new CliError('usage: gpow msg send|read ADDRESS …');
  }
}

async function fileCommand(home: Home, args: string[], out: Output): Promise<void> {
  const [sub, who, a, b] = args;
  if (!who)
    throw new CliError('usage: gpow file send ADDRESS PATH | list ADDRESS | save ADDRESS ID PATH');
  keyOf(who);
  if (sub === 'send' && a) {
    const r = await viaPeer<{ id: string; size: number }>(home, 'file-send', {
      to: who,
      path: resolve(a),
    });
    out.print(
      `Sending ${a} (${r.size} bytes) as file ${r.id}. "gpow file list" on the other side shows progress.`,
      r,
    );
  } else if (sub === 'list') {
    const rows = await viaPeer<
      Array<{
        id: string;
        name: string;
        size: number;
        received: number;
        chunks: number;
        complete: boolean;
      }>
    >(home, 'file-list', { with: who });
    out.print(
      rows.length > 0
        ? rows
            .map(
              (f) =>
                `${f.id}  ${f.name}  ${f.size} bytes  ${f.complete ? 'complete' : `${Math.floor((100 * f.received) / f.chunks)}%`}`,
            )
            .join('\n')
        : 'No files yet.',
      rows,
    );
  } else if (sub === 'save' && a && b) {
    const r = await viaPeer<{ saved: string; size: number }>(home, 'file-save', {
      with: who,
      id: a,
      path: resolve(b),
    });
    out.print(`Saved ${r.size} bytes to ${r.saved}.`, r);
  } else {
    throw new CliError('usage: gpow file send ADDRESS PATH | list ADDRESS | save ADDRESS ID PATH');
  }
}

// ---- entry -------------------------------------------------------------------------------

export async function main(argv: string[]): Promise<number> {
  const { values, positionals, tokens } = parseArgs({
    args: argv,
    allowPositionals: true,
    strict: false,
    tokens: true,
    options: {
      home: { type: 'string' },
      json: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  // Everything after the command word belongs to the command.
  const commandIndex = tokens.find((t) => t.kind === 'positional')?.index ?? argv.length;
  const rest = argv.slice(commandIndex + 1).filter((a) => a !== '--json');
  const out = output(values.json === true || argv.includes('--json'));
  const home = resolveHome(typeof values.home === 'string' ? values.home : undefined);
  const [command, sub] = positionals;
  if (values.help || !command) {
    process.stdout.write(`${USAGE}\n`);
    return command ? 0 : values.help ? 0 : 2;
  }
  try {
    switch (command) {
      case 'identity':
        await identityCommand(home, rest, out);
        break;
      case 'network':
        if (sub !== 'create') throw new CliError('usage: gpow network create --name NAME …');
        await networkCreate(home, rest.slice(1), out);
        break;
      case 'invite':
        await invite(home, rest, out);
        break;
      case 'join':
        await join(home, rest, out);
        break;
      case 'run':
        await run(home, rest, out);
        break;
      case 'send':
        await send(home, rest, out);
        break;
      case 'balance':
        await balance(home, rest, out);
        break;
      case 'history':
        await history(home, rest, out);
        break;
      case 'status':
        await status(home, out);
        break;
      case 'ssk':
        await sskCommand(home, rest, out);
        break;
      case 'msg':
        await msgCommand(home, rest, out);
        break;
      case 'file':
        await fileCommand(home, rest, out);
        break;
      default:
        if (!MARKET_COMMANDS.includes(command))
          throw new CliError(`unknown command "${command}"\n\n${USAGE}`);
        await marketCommand(home, command, rest, out);
    }
    return 0;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(out.json ? `${toJson({ error: message })}\n` : `gpow: ${message}\n`);
    return 1;
  }
}
