// `gpow profile …` and `gpow member list`: a member's signed profile and the member directory
// (docs/profiles.md).
//
//   profile set --name N [--note T] [--avatar FILE] [--show-balance]
//   profile show [ADDRESS]
//   member list
//
// Like `gpow device`, each asks the running peer when there is one and otherwise works on the
// log: a profile signed offline is published by the next "gpow run".
import { propose } from './witness.ts';
import { readFile, stat } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import type { MemberRow, ProfileResult, Wire } from '../../shared/control/contract.ts';
import type { KeyHex } from '../../shared/ids.ts';
import { avatarTypeOf, latestProfile, MAX_AVATAR_BYTES } from '../../shared/identity/profile.ts';
import { shownName } from '../../shared/identity/displayName.ts';
import type { Ledger } from '../../shared/ledger/ledger.ts';
import { members } from '../../shared/wallet/members.ts';
import { composeProfile, profileBody, type ProfileInput } from '../../shared/wallet/profile.ts';
import type { Peer } from '../peer/peer.ts';
import { CliError, type Home } from './home.ts';
import { homeAddress, unlockKeys } from './identity.ts';
import { address, keyOf, type Output } from './output.ts';
import { viaPeerOrLocal, withLocalPeer } from './wallet.ts';

const PROFILE_USAGE =
  'usage: gpow profile set --name NAME [--note TEXT] [--avatar FILE] [--show-balance] | gpow profile show [ADDRESS]';

export async function profileCommand(home: Home, args: string[], out: Output): Promise<void> {
  const [sub, ...rest] = args;
  if (sub === 'set') return set(home, rest, out);
  if (sub === 'show') return show(home, rest, out);
  throw new CliError(PROFILE_USAGE);
}

export async function memberCommand(home: Home, args: string[], out: Output): Promise<void> {
  const [sub, who, ...extra] = args;
  if (sub === 'list') return list(home, out);
  // Admitting and removing are changes of the group: a witness proposes, a quorum backs (§13.7).
  if ((sub === 'admit' || sub === 'remove') && who !== undefined && extra.length === 0)
    return propose(home, out, {
      change: sub === 'admit' ? 'admit' : 'remove-member',
      address: who,
    });
  throw new CliError('usage: gpow member list|admit ADDRESS|remove ADDRESS');
}

// ---- the running peer's side, and the same work offline ---------------------------------------

/** Signs and publishes this home's profile; a refusal is the composer's sentence. */
export async function setProfileOn(
  peer: Peer,
  input: ProfileInput,
): Promise<{ id: string; name: string }> {
  const done = await peer.act((ledger, from) =>
    composeProfile(ledger, from, input, peer.ports.clock.now()),
  );
  if (!done) throw new CliError('the profile could not be composed');
  return { id: done.tx.id, name: (done.tx.body as { name: string }).name };
}

/** The params of "profile-set" as a profile: the avatar travels as base64. */
export function profileInputOf(p: {
  name: string;
  note?: string | undefined;
  avatar?: string | undefined;
  showBalance?: boolean | undefined;
}): ProfileInput {
  return {
    name: p.name,
    ...(p.note !== undefined ? { note: p.note } : {}),
    ...(p.avatar !== undefined ? { avatar: new Uint8Array(Buffer.from(p.avatar, 'base64')) } : {}),
    ...(p.showBalance ? { showBalance: true } : {}),
  };
}

export function profileOf(ledger: Ledger, key: KeyHex): ProfileResult {
  const profile = latestProfile(ledger, key);
  const avatar = profile?.body.avatar;
  return {
    address: address(ledger.identityOf(key)),
    id: profile?.id ?? null,
    name: profile ? shownName(profile.body.name) : null,
    note: profile?.body.note ?? null,
    showBalance: profile?.body.showBalance === true,
    avatar: avatar ? avatarTypeOf(avatar) : null,
    avatarBytes: avatar?.length ?? 0,
  };
}

export function memberRows(ledger: Ledger): MemberRow[] {
  return members(ledger).map((m) => ({
    address: m.address,
    name: m.name,
    label: m.label,
    suffix: m.suffix,
    mixedScript: m.mixedScript,
    roles: m.roles,
    devices: m.devices.map((d) => ({ address: address(d.key), name: d.name, revoked: d.revoked })),
    lastSeen: m.lastSeen,
    balance: m.balance,
    note: m.note,
    avatar: m.avatar,
  }));
}

/** The identity this peer signs for: a device's account, or its own key. */
export function peerIdentity(peer: Peer, ledger: Ledger): KeyHex {
  if (peer.address === null)
    throw new CliError('this peer runs without an identity (--no-identity)');
  return ledger.identityOf(peer.address);
}

// ---- the commands -----------------------------------------------------------------------------

async function avatarBase64(path: string): Promise<string> {
  const size = await stat(path).then(
    (s) => s.size,
    () => {
      throw new CliError(`cannot read the avatar file ${path}`);
    },
  );
  if (size > MAX_AVATAR_BYTES)
    throw new CliError(
      `an avatar is at most ${MAX_AVATAR_BYTES / 1024} KiB, and ${path} has ${size} bytes: make it smaller`,
    );
  return Buffer.from(await readFile(path)).toString('base64');
}

async function set(home: Home, args: string[], out: Output): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      name: { type: 'string' },
      note: { type: 'string' },
      avatar: { type: 'string' },
      'show-balance': { type: 'boolean' },
    },
  });
  if (values.name === undefined) throw new CliError(PROFILE_USAGE);
  const params = {
    name: values.name,
    ...(values.note !== undefined ? { note: values.note } : {}),
    ...(values.avatar !== undefined ? { avatar: await avatarBase64(values.avatar) } : {}),
    ...(values['show-balance'] ? { showBalance: true } : {}),
  };
  const input = profileInputOf(params);
  // The same checks and sentences as the peer's, before a passphrase is asked for.
  const checked = profileBody(input);
  if (!checked.ok) throw new CliError(checked.message);
  const result = await viaPeerOrLocal(home, 'profile-set', params, async () => {
    const keys = await unlockKeys(home, out);
    return withLocalPeer(
      home,
      async (peer) => {
        const signed = await setProfileOn(peer, input);
        out.progress('No peer is running: the profile is saved and goes out with "gpow run".');
        return signed;
      },
      keys,
    );
  });
  out.print(
    `Profile signed: you are "${result.name}" to the network.\nTransaction: ${result.id}`,
    result,
  );
}

async function show(home: Home, args: string[], out: Output): Promise<void> {
  const target = args.find((a) => !a.startsWith('-'));
  const params = target === undefined ? {} : { address: target };
  const result: ProfileResult | Wire<ProfileResult> = await viaPeerOrLocal(
    home,
    'profile-show',
    params,
    async () => {
      const key = target === undefined ? await homeAddress(home, out) : keyOf(target);
      return withLocalPeer(home, (_peer, ledger) => Promise.resolve(profileOf(ledger, key)));
    },
  );
  const lines =
    result.name === null
      ? [`${result.address} has no profile yet ("gpow profile set --name …").`]
      : [
          `Name:    ${result.name}`,
          `Address: ${result.address}`,
          ...(result.note !== null ? [`Note:    ${result.note}`] : []),
          `Avatar:  ${result.avatar === null ? 'none' : `${result.avatar}, ${result.avatarBytes} bytes`}`,
          `Balance: ${result.showBalance ? 'shown to members' : 'private'}`,
        ];
  out.print(lines.join('\n'), result);
}

async function list(home: Home, out: Output): Promise<void> {
  const rows: ReadonlyArray<MemberRow | Wire<MemberRow>> = await viaPeerOrLocal(
    home,
    'member-list',
    {},
    () => withLocalPeer(home, (_peer, ledger) => Promise.resolve(memberRows(ledger))),
  );
  const when = (ms: number | null) =>
    ms === null ? '-' : new Date(ms).toISOString().slice(0, 16).replace('T', ' ');
  const lines = rows.map(
    (m) =>
      `${m.label}${m.mixedScript ? '  (mixes scripts: check the address)' : ''}\n    ${m.address}\n    roles ${m.roles.join(', ') || '-'}  devices ${m.devices.length}  last seen ${when(m.lastSeen)}${m.balance === null ? '' : `  balance ${String(m.balance)}`}`,
  );
  out.print(
    lines.length > 0 ? lines.join('\n') : 'No members known yet: run "gpow run" to sync.',
    rows,
  );
}
