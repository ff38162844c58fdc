// What a running peer answers on its control socket. Parameters arrive as untrusted JSON and
// are checked with a schema per method. `status` answers at once whatever the state; methods
// that need the ledger wait for the genesis only in the first seconds after start, then say why
// there is none: before, they awaited peer.ready(), which never resolves for a network nobody
// answers (a wrong invitation), and every command hung until its 30 s timeout.
import { readFile, writeFile } from 'node:fs/promises';
import { basename } from 'node:path';
import * as v from 'valibot';
import type { Ledger } from '../../shared/ledger/ledger.ts';
import type { Market } from '../../engine/market/market.ts';
import type { Peer } from '../peer/peer.ts';
import { CliError, type NetworkConfig } from './home.ts';
import { marketControl } from './market.ts';
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

const addr = v.pipe(v.string(), v.maxLength(200));
const path = v.pipe(v.string(), v.minLength(1), v.maxLength(4096));

type Handler = (ctx: ControlContext, ledger: Ledger, params: never) => unknown;
interface Method {
  readonly schema: v.GenericSchema;
  readonly run: Handler;
}
const method = <S extends v.GenericSchema>(
  schema: S,
  run: (ctx: ControlContext, ledger: Ledger, params: v.InferOutput<S>) => unknown,
): Method => ({ schema, run });

const METHODS: Record<string, Method> = {
  send: method(
    v.object({
      to: addr,
      amount: v.pipe(v.string(), v.maxLength(32)),
      memo: v.optional(v.string()),
      privateMemo: v.optional(v.string()),
    }),
    async ({ peer }, _ledger, p) => {
      const to = keyOf(p.to);
      const amount = amountOf(p.amount);
      const memo = memoBytes(p.memo);
      memoBytes(p.privateMemo, 'private memo');
      const tx = p.privateMemo
        ? await peer.transferWithPrivateMemo(to, amount, p.privateMemo)
        : await peer.transfer(to, amount, memo);
      return { id: tx.id };
    },
  ),
  balance: method(v.object({ address: v.optional(addr) }), ({ peer }, ledger, p) =>
    balanceOf(ledger, p.address === undefined ? peer.address : keyOf(p.address)),
  ),
  history: method(
    v.object({
      address: v.optional(addr),
      limit: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(10_000))),
    }),
    ({ peer }, ledger, p) =>
      historyOf(
        ledger,
        p.address === undefined ? peer.address : keyOf(p.address),
        p.limit ?? 50,
        (tx) => peer.readPrivateMemo(tx),
      ),
  ),
  'ssk-share': method(
    v.object({
      to: addr,
      purpose: v.optional(v.pipe(v.string(), v.maxLength(64))),
      expiresDays: v.optional(v.pipe(v.number(), v.minValue(0), v.maxValue(36_500))),
    }),
    ({ peer }, _ledger, p) =>
      peer
        .requireSsk()
        .share(
          keyOf(p.to),
          p.purpose ?? 'messages',
          p.expiresDays === undefined ? undefined : Date.now() + p.expiresDays * 86_400_000,
        ),
  ),
  'ssk-revoke': method(v.object({ to: addr }), ({ peer }, _ledger, p) =>
    peer.requireSsk().revoke(keyOf(p.to)),
  ),
  'ssk-list': method(v.object({}), ({ peer }) => {
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
  }),
  'msg-send': method(v.object({ to: addr, text: v.string() }), ({ peer }, _ledger, p) => {
    peer.requireSsk().channel(keyOf(p.to)).sendText(p.text);
    return { sent: true };
  }),
  'msg-read': method(v.object({ with: addr }), ({ peer }, _ledger, p) =>
    peer
      .requireSsk()
      .channel(keyOf(p.with))
      .texts.map((t) => ({
        from: address(t.from),
        text: t.text,
        epoch: t.epoch,
        time: Math.floor(t.counter / 1000),
      })),
  ),
  'file-send': method(v.object({ to: addr, path }), async ({ peer }, _ledger, p) => {
    const bytes = new Uint8Array(await readFile(p.path));
    const id = peer.requireSsk().channel(keyOf(p.to)).sendFile(basename(p.path), bytes);
    return { id, size: bytes.length };
  }),
  'file-list': method(v.object({ with: addr }), ({ peer }, _ledger, p) =>
    [...peer.requireSsk().channel(keyOf(p.with)).files.values()].map((f) => ({
      id: f.id,
      from: address(f.from),
      name: f.name,
      size: f.size,
      received: f.received,
      chunks: f.chunks.length,
      complete: f.complete,
    })),
  ),
  'file-save': method(
    v.object({ with: addr, id: v.pipe(v.string(), v.maxLength(128)), path }),
    async ({ peer }, _ledger, p) => {
      const file = peer.requireSsk().channel(keyOf(p.with)).files.get(p.id);
      if (!file?.complete) throw new CliError('no complete file with that id from this partner');
      const bytes = new Uint8Array(file.size);
      let offset = 0;
      for (const chunk of file.chunks) {
        bytes.set(chunk!, offset);
        offset += chunk!.length;
      }
      await writeFile(p.path, bytes, { flag: 'wx' });
      return { saved: p.path, size: file.size };
    },
  ),
};

/** The status, at once: before the genesis it says why there is none yet. */
function statusOf({ peer, network, since }: ControlContext): unknown {
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

export async function control(
  ctx: ControlContext,
  name: string,
  params: Record<string, unknown>,
): Promise<unknown> {
  if (name === 'status') return statusOf(ctx);
  const known = METHODS[name];
  if (known === undefined && !name.startsWith('market-'))
    throw new CliError(`unknown method "${name}"`);
  const ledger = await ledgerOf(ctx);
  if (known === undefined) {
    const answer = await marketControl(ctx.agent, ledger, ctx.peer.address, name, params);
    if (answer === undefined) throw new CliError(`unknown method "${name}"`);
    return answer;
  }
  const parsed = v.safeParse(known.schema, params);
  if (!parsed.success) {
    const issue = parsed.issues[0];
    const where = issue ? v.getDotPath(issue) : null;
    throw new CliError(
      `the request "${name}" has a bad parameter${where ? ` "${where}"` : ''}: ${issue?.message ?? 'invalid'}`,
    );
  }
  return known.run(ctx, ledger, parsed.output as never);
}
