// What a running peer answers on its control socket. Requests arrive as untrusted JSON and are
// parsed against the contract (shared/control/contract.ts) before anything runs: an unknown
// method or a bad parameter is refused with a sentence. `status` answers at once whatever the
// state; methods that need the ledger wait for the genesis only in the first seconds after
// start, then say why there is none: before, they awaited peer.ready(), which never resolves
// for a network nobody answers (a wrong invitation), and every command hung until its 30 s
// timeout.
import { readFile, writeFile } from 'node:fs/promises';
import { basename } from 'node:path';
import {
  parseControlRequest,
  type ControlMethod,
  type ControlResults,
  type ParsedParams,
  type StatusResult,
} from '../../shared/control/contract.ts';
import type { Ledger } from '../../shared/ledger/ledger.ts';
import type { Market } from '../../engine/market/market.ts';
import type { Conversation } from '../../engine/ssk.ts';
import type { Peer } from '../peer/peer.ts';
import { CliError, type NetworkConfig } from './home.ts';
import { deviceRows, pairOn, revokeOn } from './devices.ts';
import { approveOn, proposeOn, rotateOn, witnessListOn } from './witness.ts';
import { refoundOn } from './refound.ts';
import { inviteCreateOn, inviteRevokeOn } from './invite.ts';
import { memberRows, peerIdentity, profileInputOf, profileOf, setProfileOn } from './profile.ts';
import { MARKET_HANDLERS, type MarketHandler, type MarketMethod } from './marketHandlers.ts';
import { address, amountOf, keyOf } from './output.ts';
import { balanceOf, historyOf, memoBytes, noGenesisSentence } from './wallet.ts';

export interface ControlContext {
  readonly peer: Peer;
  readonly agent: Market;
  readonly network: NetworkConfig;
  /** When `gpow run` started this peer: the time it has been waiting for a genesis since. */
  readonly since: number;
}

/** A fresh peer usually has the genesis within a second or two of its first connection. */
export const GENESIS_WAIT_MS = 5_000;

/** The methods that need the ledger: every one but `status`. */
type LedgerMethod = Exclude<ControlMethod, 'status'>;

type Handler<M extends LedgerMethod> = (
  ctx: ControlContext,
  ledger: Ledger,
  params: ParsedParams<M>,
) => ControlResults[M] | Promise<ControlResults[M]>;

const market =
  <M extends MarketMethod>(method: M): Handler<M> =>
  (ctx, ledger, params) => {
    const handler: MarketHandler<M> = MARKET_HANDLERS[method];
    return handler(ctx.agent, ledger, ctx.peer.address, params);
  };

/** Each method's work, given parameters the contract (shared/control/contract.ts) has parsed. */
const HANDLERS: { readonly [M in LedgerMethod]: Handler<M> } = {
  'device-list': ({ peer }) => deviceRows(peer.devices.list()),
  'device-pair': ({ peer, network }, _ledger, p) =>
    pairOn(peer, network, p.name, p.allowance === undefined ? 0n : amountOf(p.allowance)),
  'device-revoke': ({ peer }, ledger, p) => revokeOn(peer, ledger, p.device, p.to),
  'witness-list': ({ peer }) => witnessListOn(peer),
  'witness-propose': ({ peer }, _ledger, p) => proposeOn(peer, p),
  'room-rotate': ({ peer }) => rotateOn(peer),
  'witness-approve': ({ peer }, ledger, p) => approveOn(peer, ledger, p.change),
  'network-refound': ({ peer }, _ledger, p) => refoundOn(peer, p),
  'profile-set': ({ peer }, _ledger, p) => setProfileOn(peer, profileInputOf(p)),
  'profile-show': ({ peer }, ledger, p) =>
    profileOf(ledger, p.address === undefined ? peerIdentity(peer, ledger) : keyOf(p.address)),
  'member-list': (_ctx, ledger) => memberRows(ledger),
  'invite-create': ({ peer }, _ledger, p) => inviteCreateOn(peer, p.once, p.expires),
  'invite-list': ({ peer }) => peer.doors.list(),
  'invite-revoke': ({ peer }, _ledger, p) => inviteRevokeOn(peer, p.id),
  send: async ({ peer }, ledger, p) => {
    const to = keyOf(p.to);
    const amount = amountOf(p.amount);
    const memo = memoBytes(p.memo);
    memoBytes(p.privateMemo, 'private memo');
    const tx = p.privateMemo
      ? await peer.requireSsk().transferWithPrivateMemo(to, amount, p.privateMemo)
      : await peer.transfer(to, amount, memo);
    return { id: tx.id, unit: ledger.unit };
  },
  balance: ({ peer }, ledger, p) =>
    p.address === undefined
      ? balanceOf(ledger, peer.address, peer.address)
      : balanceOf(ledger, keyOf(p.address)),
  history: ({ peer }, ledger, p) =>
    historyOf(
      ledger,
      p.address === undefined ? peer.address : keyOf(p.address),
      p.limit ?? 50,
      (tx) => peer.ssk?.readPrivateMemo(tx) ?? null,
    ),
  'ssk-share': ({ peer }, _ledger, p) =>
    peer
      .requireSsk()
      .share(
        keyOf(p.to),
        p.purpose ?? 'messages',
        p.expiresDays === undefined ? undefined : Date.now() + p.expiresDays * 86_400_000,
      ),
  'ssk-revoke': ({ peer }, _ledger, p) => peer.requireSsk().revoke(keyOf(p.to)),
  'ssk-list': ({ peer }) => {
    const me = peer.address;
    if (me === null) throw new CliError('this peer runs without an identity (--no-identity)');
    const directory = peer.requireSsk().directory;
    return directory.partnersOf(me).map((partner) => {
      const current = directory.current(me, partner);
      return {
        partner: address(partner),
        epoch: current?.epoch ?? null,
        sharedBy: current ? address(current.from) : null,
        shares: directory.shares(me, partner).length,
        connected: peer.requireSsk().connections()[partner] ?? 0,
      };
    });
  },
  'msg-send': ({ peer }, _ledger, p) => {
    peer.requireSsk().sendText(keyOf(p.to), p.text);
    return { sent: true };
  },
  // The history as kept (engine/chatLog.ts): it outlives a restart of either side.
  'msg-read': async ({ peer }, _ledger, p) =>
    (await conversationOf(peer, p.with)).messages.map((m) => ({
      from: address(m.from),
      text: m.text,
      epoch: m.epoch,
      time: m.time,
      state: m.state,
      ...(m.why ? { why: m.why } : {}),
    })),
  'file-send': async ({ peer }, _ledger, p) => {
    const bytes = new Uint8Array(await readFile(p.path));
    const id = peer.requireSsk().sendFile(keyOf(p.to), basename(p.path), bytes);
    return { id, size: bytes.length };
  },
  'file-list': async ({ peer }, _ledger, p) => {
    const partner = keyOf(p.with);
    return (await conversationOf(peer, p.with)).transfers.map((f) => ({
      id: f.id,
      from: address(f.direction === 'in' ? partner : peer.address!),
      name: f.name,
      size: f.size,
      received: f.done,
      chunks: f.total,
      complete: f.complete,
      state: f.state,
      ...(f.why ? { why: f.why } : {}),
      saved: f.bytes !== undefined,
    }));
  },
  'file-save': async ({ peer }, _ledger, p) => {
    const file = (await conversationOf(peer, p.with)).transfers.find((f) => f.id === p.id);
    if (!file?.bytes)
      throw new CliError('no file with that id whose contents are kept, from or to this partner');
    await writeFile(p.path, file.bytes, { flag: 'wx' });
    return { saved: p.path, size: file.size };
  },
  'market-offer': market('market-offer'),
  'market-service-register': market('market-service-register'),
  'market-services': market('market-services'),
  'market-bond': market('market-bond'),
  'market-negotiate': market('market-negotiate'),
  'market-request': market('market-request'),
  'market-jobs': market('market-jobs'),
  'market-evaluate': market('market-evaluate'),
  'market-deliver': market('market-deliver'),
  'market-decline': market('market-decline'),
};

/** The status, at once: before the genesis it says why there is none yet. */
function statusOf({ peer, network, since }: ControlContext): StatusResult {
  const status = peer.status();
  return {
    ...status,
    running: true,
    since,
    ...(status.transactions === null
      ? { notice: noGenesisSentence(network, status.peers, since) }
      : {}),
  };
}

/** The ledger, waiting for the genesis only until GENESIS_WAIT_MS after start. */
async function ledgerOf({ peer, network, since }: ControlContext): Promise<Ledger> {
  const wait = since + GENESIS_WAIT_MS - Date.now();
  if (peer.ledger === null && wait > 0) {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<null>((resolve) => (timer = setTimeout(resolve, wait, null)));
    await Promise.race([peer.ready(), timeout]);
    clearTimeout(timer);
  }
  if (peer.ledger !== null) return peer.ledger;
  throw new CliError(noGenesisSentence(network, peer.status().peers, since));
}

function run<M extends LedgerMethod>(
  ctx: ControlContext,
  ledger: Ledger,
  method: M,
  params: ParsedParams<M>,
): ControlResults[M] | Promise<ControlResults[M]> {
  const handler: Handler<M> = HANDLERS[method];
  return handler(ctx, ledger, params);
}

/**
 * Answers one request of the control socket. The request is parsed against the contract
 * first: an unknown method or a bad parameter is refused with a sentence, and nothing runs
 * (not even the wait for the genesis).
 */
export async function control(
  ctx: ControlContext,
  name: string,
  params: unknown,
): Promise<unknown> {
  const parsed = parseControlRequest(name, params);
  if (!parsed.ok) throw new CliError(parsed.message);
  const { request } = parsed;
  if (request.method === 'status') return statusOf(ctx);
  const ledger = await ledgerOf(ctx);
  return run(ctx, ledger, request.method, request.params as never);
}

/**
 * The conversation with `who`, kept and live, once the kept history is read back: empty rather
 * than absent for a new partner.
 */
async function conversationOf(peer: Peer, who: string): Promise<Conversation> {
  await peer.chatHistory();
  const ssk = peer.requireSsk();
  const partner = keyOf(who);
  // Opens the partner's channel (and so its room) when no message has come yet.
  ssk.channel(partner);
  const conversation = ssk.conversation(partner);
  if (!conversation) throw new CliError('this peer keeps no private channels (it runs offline)');
  return conversation;
}
