// `gpow invite` and `gpow join`: the links that bring others into a network. A plain invitation
// carries the join secret and works until the secret is rotated; `--once` and `--expires` make a
// ticket link instead (docs/protocol.md §13.9), which the running peer redeems at its door, and
// `invite list` and `invite revoke` show and withdraw those. `join` takes either kind: a ticket
// is redeemed with the inviter's peer before anything is written to the home.
import { networkInterfaces } from 'node:os';
import { parseArgs } from 'node:util';
import type { TicketCreated, TicketRow } from '../../shared/control/contract.ts';
import { formatInvitation, type Invitation } from '../../shared/net/invitation.ts';
import {
  formatTicket,
  MAX_TICKET_DAYS,
  parseJoinLink,
  type TicketInvitation,
} from '../../shared/net/ticket.ts';
import type { WrtcLike } from '../../shared/replication/guardedWrtc.ts';
import type { Peer } from '../peer/peer.ts';
import { controlClient, NoPeerRunning } from './control.ts';
import { CliError, readNetwork, writeNetwork, type Home, type NetworkConfig } from './home.ts';
import { address, viaPeer, type Output } from './output.ts';

export const INVITE_USAGE = `  invite [--relay URL]... [--rotate] [--once] [--expires DURATION]
                                    print an invitation link for this network (--rotate: a
                                    new join secret first, sealed to every member; a witness)
                                    --once: it lets in one person; --expires 30m|12h|7d: it
                                    stops working then (either needs "gpow run": the peer
                                    hands the join secret over when the link is used)
  invite list                       the single-use and time-limited invitations, and their use
  invite revoke ID                  withdraw one of them
  join LINK [--wait SECONDS]        join the network an invitation names`;

const DURATION = /^([1-9][0-9]{0,4})(m|h|d)$/;
const UNIT_MS = { m: 60_000, h: 3_600_000, d: 86_400_000 } as const;
/** A single-use link without --expires still closes: an unused ticket should not wait forever. */
const ONCE_DEFAULT = '7d';

export async function invite(home: Home, args: string[], out: Output): Promise<void> {
  if (args[0] === 'list') return list(home, out);
  if (args[0] === 'revoke') return revoke(home, args.slice(1), out);
  const { values } = parseArgs({
    args,
    options: {
      relay: { type: 'string', multiple: true },
      rotate: { type: 'boolean' },
      once: { type: 'boolean' },
      expires: { type: 'string' },
    },
  });
  let network = await readNetwork(home);
  const expiresText = values.expires ?? (values.once ? ONCE_DEFAULT : undefined);
  const expires = expiresText === undefined ? null : Date.now() + durationMs(expiresText);
  if (values.rotate) {
    // A new join secret sealed to every member (§13.8): older invitations stop working.
    const rotated = await viaPeer(home, 'room-rotate');
    network = { ...network, secret: rotated.secret };
    out.progress(
      `Rotated the join secret (generation ${rotated.generation}, sealed to ${rotated.recipients} member devices): older invitations no longer let anyone in.`,
    );
  }
  const relays = [...(await relaysOf(home, network, values.relay ?? []))].slice(0, 16);
  if (relays.length === 0)
    out.progress(
      'Note: no relay is known yet. Start "gpow run" first so the invitation can name its relay.',
    );
  const place = {
    networkId: network.networkId,
    relays,
    ...(network.name ? { name: network.name } : {}),
  };
  if (expires === null) {
    const link = formatInvitation({ ...place, secret: network.secret });
    return out.print(link, { invitation: link });
  }
  const made = await viaPeer(home, 'invite-create', { once: values.once === true, expires });
  const link = formatTicket({ ...place, ...made });
  out.progress(
    `${made.once ? 'Single-use invitation' : 'Invitation'} ${made.id}, valid until ${when(made.expires)}. Keep "gpow run" going: this peer lets the newcomer in.`,
  );
  out.print(link, { invitation: link, id: made.id, expires: made.expires, once: made.once });
}

function durationMs(text: string): number {
  const match = DURATION.exec(text);
  if (!match) {
    throw new CliError(
      `--expires takes a duration such as 30m, 12h or 7d (at most ${MAX_TICKET_DAYS}d)`,
    );
  }
  const ms = Number(match[1]) * UNIT_MS[match[2] as keyof typeof UNIT_MS];
  if (ms > MAX_TICKET_DAYS * UNIT_MS.d) {
    throw new CliError(`an invitation may stay open at most ${MAX_TICKET_DAYS} days`);
  }
  return ms;
}

const when = (ms: number): string =>
  `${new Date(ms).toISOString().replace('T', ' ').slice(0, 16)} UTC`;

/** The relays a link names: given ones, the network's, and the running peer's own. */
async function relaysOf(home: Home, network: NetworkConfig, given: readonly string[]) {
  const relays = new Set([...given, ...network.relays]);
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
  return relays;
}

function lanAddresses(): string[] {
  return Object.values(networkInterfaces())
    .flat()
    .filter((i) => i !== undefined && i.family === 'IPv4' && !i.internal)
    .map((i) => i!.address);
}

async function list(home: Home, out: Output): Promise<void> {
  const rows = await viaPeer(home, 'invite-list', {});
  if (rows.length === 0) {
    return out.print(
      'No single-use or time-limited invitations (make one with gpow invite --once).',
      { invitations: rows },
    );
  }
  const lines = rows.map((row) => {
    const kind = row.once ? 'single-use' : 'reusable  ';
    // `who` is what the newcomer said, unverified: shown as a claim, never as a fact.
    const used = row.uses
      .map((u) => (u.who ? `${address(u.who as never)} (as they said)` : 'someone'))
      .join(', ');
    return `${row.id}  ${kind}  ${row.state.padEnd(7)}  until ${when(row.expires)}${used ? `  let in: ${used}` : ''}`;
  });
  out.print(lines.join('\n'), { invitations: rows });
}

async function revoke(home: Home, args: string[], out: Output): Promise<void> {
  if (args.length !== 1) throw new CliError('usage: gpow invite revoke ID (see gpow invite list)');
  const row = await viaPeer(home, 'invite-revoke', { id: args[0] ?? '' });
  out.print(`Withdrew invitation ${row.id}: nobody else is let in with it.`, { invitation: row });
}

/** The control methods' work on the running peer. */
export function inviteCreateOn(peer: Peer, once: boolean, expires: number): TicketCreated {
  const { record, fields } = peer.doors.create({ once, expires });
  return { id: record.id, ...fields };
}

export function inviteRevokeOn(peer: Peer, id: string): TicketRow {
  const revoked = peer.doors.revoke(id);
  const row = peer.doors.list().find((r) => r.id === revoked.id);
  if (!row) throw new CliError(`invitation ${revoked.id} is no longer listed`);
  return row;
}

export async function join(home: Home, args: string[], out: Output): Promise<void> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { wait: { type: 'string' } },
  });
  if (positionals[0] === undefined || positionals.length > 1)
    throw new CliError('usage: gpow join LINK (the gpow:join?… link you were given)');
  const wait = values.wait === undefined ? 60 : Number(values.wait);
  if (!Number.isInteger(wait) || wait < 1 || wait > 600)
    throw new CliError('--wait takes a number of seconds from 1 to 600');
  // Refused before anything is written: a damaged link leaves the home as it was.
  const parsed = parseJoinLink(positionals[0]);
  if (!parsed.ok) throw new CliError(parsed.error);
  const { link } = parsed;
  const place = link.kind === 'secret' ? link.invitation : link.ticket;
  const existing = await readNetwork(home).catch(() => null);
  if (existing && existing.networkId !== place.networkId) {
    throw new CliError(
      `this home already belongs to network ${existing.name ?? existing.networkId}; use another --home`,
    );
  }
  const secret =
    link.kind === 'secret' ? link.invitation.secret : await redeem(link.ticket, wait, out);
  const invitation: Invitation = { ...place, secret };
  await writeNetwork(home, {
    version: 1,
    networkId: invitation.networkId,
    secret,
    ...(invitation.name ? { name: invitation.name } : {}),
    relays: [...new Set([...(existing?.relays ?? []), ...invitation.relays])],
  });
  out.print(
    `Joined network ${invitation.name ?? invitation.networkId}. Run "gpow run" to connect and sync.`,
    { networkId: invitation.networkId },
  );
}

/** Knocks at the ticket's door until the inviter's peer answers, or says why not. */
async function redeem(ticket: TicketInvitation, waitSeconds: number, out: Output): Promise<string> {
  // Loaded here, for a ticket only: 'gpow invite' and a join with a reusable link need none of
  // WebRTC, Yjs or the knock, and start faster without them.
  const [
    { default: wrtc },
    { knockAtDoor },
    { installSafeWebSocket },
    { tolerateYWebrtcRaces },
    { nodeRandom },
    { nodeClock, nodeTimers },
    { nodeVerifier },
  ] = await Promise.all([
    import('@roamhq/wrtc'),
    import('../../engine/knock.ts'),
    import('../net/safeWebSocket.ts'),
    import('../net/yWebrtcRaces.ts'),
    import('../platform/nodeRandom.ts'),
    import('../platform/nodeTimers.ts'),
    import('../platform/nodeVerify.ts'),
  ]);
  installSafeWebSocket();
  tolerateYWebrtcRaces((message) => out.progress(`Warning: ${message}`));
  out.progress(`Redeeming the invitation with the inviter's peer (up to ${waitSeconds} s)…`);
  const result = await knockAtDoor({
    ticket,
    clock: nodeClock,
    timers: nodeTimers,
    random: nodeRandom,
    wrtc: wrtc as unknown as WrtcLike,
    verifier: nodeVerifier,
    timeoutMs: waitSeconds * 1000,
    onProgress: (stage) => {
      if (stage === 'knocking') out.progress("Reached the inviter's door; waiting for the answer…");
    },
  });
  if (!result.ok) throw new CliError(result.error);
  return result.secret;
}
