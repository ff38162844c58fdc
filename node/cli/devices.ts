// `gpow device …`: one identity on several machines (docs/protocol.md §12).
//
//   pair [--name N] [--allowance A]   on a device that holds the words: a gpow:pair? link
//   join LINK [--fast-kdf]            in a fresh home: become that identity's new device
//   list                              the identity's chains, with what each holds
//   revoke DEVICE [--to DEVICE]       close a lost device; DEVICE is a name, an address or
//                                     "original" (the identity's own chain)
//
// pair, list and revoke ask the running peer when there is one, and otherwise work on the log
// (what they sign is published by the next "gpow run").
import { stat } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { toHex } from '../../shared/bytes.ts';
import { createVerifier, publicKeyOf } from '../../shared/crypto/ed25519.ts';
import type { DeviceRow, PairResult, RevokeResult, Wire } from '../../shared/control/contract.ts';
import { parseAddress } from '../../shared/identity/address.ts';
import { keyHexOf, type KeyHex, type NetworkId } from '../../shared/ids.ts';
import type { Ledger } from '../../shared/ledger/ledger.ts';
import type { Invitation } from '../../shared/net/invitation.ts';
import { formatPairingLink, parsePairingLink } from '../../shared/net/pairing.ts';
import {
  pairingCertified,
  pairingProof,
  type DeviceView,
  type PairingGrant,
} from '../../engine/devices.ts';
import { nodeBackend } from '../crypto/nodeEd25519.ts';
import { nodeRandom } from '../platform/nodeRandom.ts';
import type { Peer } from '../peer/peer.ts';
import {
  CliError,
  readDeviceInfo,
  readNetwork,
  writeNetwork,
  type Home,
  type NetworkConfig,
} from './home.ts';
import { homeAddress, newPassphrase, saveDeviceKey, unlockKeys } from './identity.ts';
import { address, amountOf, keyOf, type Output } from './output.ts';
import { viaPeerOrLocal, withLocalPeer } from './wallet.ts';

const USAGE = 'usage: gpow device pair|join|list|revoke (see "gpow help")';

export async function deviceCommand(home: Home, args: string[], out: Output): Promise<void> {
  const [sub, ...rest] = args;
  switch (sub ?? '') {
    case 'pair':
      return pair(home, rest, out);
    case 'join':
      return join(home, rest, out);
    case 'list':
      return list(home, out);
    case 'revoke':
      return revoke(home, rest, out);
    default:
      throw new CliError(USAGE);
  }
}

// ---- the running peer's side, and the same work offline ---------------------------------------

export function deviceRows(views: readonly DeviceView[]): DeviceRow[] {
  return views.map((d) => ({
    address: address(d.key),
    name: d.name,
    original: d.original,
    here: d.here,
    added: d.added,
    lastSeen: d.lastSeen,
    holds: d.holds,
    allowance: d.allowance,
    revoked: d.revoked,
  }));
}

/** A device as a person names it: "original", its name, or its address. */
export function resolveDevice(ledger: Ledger, account: KeyHex, ref: string): KeyHex {
  const trimmed = ref.trim();
  if (trimmed === 'original') return account;
  if (parseAddress(trimmed).ok) return keyOf(trimmed);
  const named = ledger.devicesOf(account).filter((key) => ledger.device(key)?.name === trimmed);
  if (named.length === 1) return named[0] as KeyHex;
  if (named.length > 1)
    throw new CliError(`${named.length} devices are named "${trimmed}": name it by its address`);
  throw new CliError(
    `no device of this identity is named "${trimmed}": "gpow device list" shows them`,
  );
}

export function pairingLinkOf(
  network: NetworkConfig,
  relays: readonly string[],
  grant: PairingGrant,
): string {
  const invitation: Invitation = {
    networkId: network.networkId,
    secret: network.secret,
    relays: [...new Set([...relays, ...network.relays])].slice(0, 16),
    ...(network.name ? { name: network.name } : {}),
  };
  return formatPairingLink({ invitation, ...grant });
}

export function pairOn(
  peer: Peer,
  network: NetworkConfig,
  name: string,
  allowance: bigint,
): PairResult {
  const grant = peer.devices.createPairing(name, allowance);
  const relay = peer.status().relayUrl;
  return { link: pairingLinkOf(network, relay ? [relay] : [], grant), name, allowance };
}

export async function revokeOn(
  peer: Peer,
  ledger: Ledger,
  device: string,
  to?: string,
): Promise<RevokeResult> {
  const account = peer.devices.account();
  if (!account) throw new CliError('revoking a device needs an unlocked identity');
  const target = resolveDevice(ledger, account, device);
  const heir = to === undefined ? undefined : resolveDevice(ledger, account, to);
  const tx = await peer.devices.revoke(target, heir);
  const named = ledger.revocationsOf(target).find((r) => r.id === tx.id);
  return { id: tx.id, device: address(target), to: address(named?.to ?? account) };
}

// ---- the commands -----------------------------------------------------------------------------

async function pair(home: Home, args: string[], out: Output): Promise<void> {
  const { values } = parseArgs({
    args,
    options: { name: { type: 'string' }, allowance: { type: 'string' } },
  });
  const name = values.name ?? 'new device';
  const allowance = values.allowance === undefined ? '0' : amountOf(values.allowance).toString();
  const network = await readNetwork(home);
  const result = await viaPeerOrLocal(home, 'device-pair', { name, allowance }, async () => {
    const keys = await unlockKeys(home, out);
    return withLocalPeer(
      home,
      (peer) => Promise.resolve(pairOn(peer, network, name, BigInt(allowance))),
      keys,
    );
  });
  out.print(
    `Open this link on the new device, in a fresh home ("gpow --home DIR device join LINK", or the app's "Pair this device"). It is a secret: anyone who has it can join your identity as a device, once.\n\n${result.link}\n`,
    result,
  );
}

async function join(home: Home, args: string[], out: Output): Promise<void> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { 'fast-kdf': { type: 'boolean' } },
  });
  const text = positionals[0];
  if (text === undefined)
    throw new CliError(
      'usage: gpow device join LINK (the gpow:pair?… link from your other device)',
    );
  const parsed = parsePairingLink(text);
  if (!parsed.ok) throw new CliError(parsed.error);
  const { link } = parsed;
  await refuseUnlessFresh(home, link.invitation.networkId);
  const pairing = keyHexOf(publicKeyOf(link.secret));
  const certified = await pairingCertified(link, createVerifier(nodeBackend));
  if (!certified)
    throw new CliError(
      'this pairing link is not signed by the identity it names: it is damaged, or made for another network. Make a new link on your other device.',
    );
  const passphrase = await newPassphrase();
  const secret = nodeRandom.bytes(32);
  const key = keyHexOf(publicKeyOf(secret));
  const { proof } = pairingProof(link.invitation.networkId as NetworkId, link.secret, key);
  await saveDeviceKey(
    home,
    passphrase,
    values['fast-kdf'] === true,
    {
      version: 1,
      account: link.account,
      key,
      name: link.name,
      pairing: {
        key: pairing,
        proof: toHex(proof),
        cert: toHex(link.cert),
        allowance: link.allowance.toString(),
      },
    },
    secret,
  );
  link.secret.fill(0);
  await writeNetwork(home, {
    version: 1,
    networkId: link.invitation.networkId,
    secret: link.invitation.secret,
    ...(link.invitation.name ? { name: link.invitation.name } : {}),
    relays: link.invitation.relays,
  });
  out.print(
    `This home is now the device "${link.name}" of ${address(link.account)}.\nRun "gpow run": once it has synced, it certifies itself${link.allowance > 0n ? `, and your other device tops it up to ${link.allowance} when it runs` : ''}.`,
    { address: address(link.account), device: address(key), name: link.name },
  );
}

/** A pairing makes a new home: one that already holds an identity or a network is refused. */
async function refuseUnlessFresh(home: Home, networkId: string): Promise<void> {
  const exists = (path: string) =>
    stat(path).then(
      () => true,
      () => false,
    );
  if ((await readDeviceInfo(home)) || (await exists(home.identityFile)))
    throw new CliError(
      `${home.dir} already holds an identity; pair into a new home (--home DIR or GPOW_HOME), or add this one next to it with --name NAME`,
    );
  const network = await readNetwork(home).catch(() => null);
  if (network && network.networkId !== networkId)
    throw new CliError(
      `${home.dir} already belongs to network ${network.name ?? network.networkId}, not the one in this link; pair into a new home`,
    );
}

async function list(home: Home, out: Output): Promise<void> {
  const rows: ReadonlyArray<DeviceRow | Wire<DeviceRow>> = await viaPeerOrLocal(
    home,
    'device-list',
    {},
    async () => {
      const account = await homeAddress(home, out);
      return withLocalPeer(home, (peer) => Promise.resolve(deviceRows(peer.devices.list(account))));
    },
  );
  const when = (ms: number | null) =>
    ms === null ? '-' : new Date(ms).toISOString().slice(0, 16).replace('T', ' ');
  const lines = rows.map(
    (d) =>
      `${d.here ? '*' : ' '} ${d.name.padEnd(20)} holds ${String(d.holds).padStart(8)}  allowance ${String(d.allowance).padStart(6)}  added ${when(d.added)}  last seen ${when(d.lastSeen)}${d.revoked ? `  REVOKED${d.revoked === 'pending' ? ' (waiting for the witnesses)' : ''}` : ''}\n    ${d.address}`,
  );
  out.print(
    lines.length > 0
      ? `${lines.join('\n')}\n(* this device)`
      : 'No devices known yet: run "gpow run" to sync.',
    rows,
  );
}

async function revoke(home: Home, args: string[], out: Output): Promise<void> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { to: { type: 'string' } },
  });
  const device = positionals[0];
  if (device === undefined)
    throw new CliError(
      'usage: gpow device revoke DEVICE [--to DEVICE] (a name, an address, or "original")',
    );
  const params = { device, ...(values.to ? { to: values.to } : {}) };
  const result = await viaPeerOrLocal(home, 'device-revoke', params, async () => {
    const keys = await unlockKeys(home, out);
    return withLocalPeer(home, (peer, ledger) => revokeOn(peer, ledger, device, values.to), keys);
  });
  out.print(
    `Revocation signed (${result.id}). Once the witnesses have seen it, ${result.device} can no longer sign for you, and what it held goes to ${result.to}.`,
    result,
  );
}
