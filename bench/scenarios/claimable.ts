// 14. Sending after many payments received: a member (the sink) paid `size` times (60 payers,
// the network's one witness voting after each round), who claimed every credit as it went
// (a payment of its own after each round), composes one more payment. Before the index of
// unclaimed credits (shared/ledger/unclaimed.ts) the wallet walked every credit the member ever
// received, twice per payment (claimable credits, then spendable); measured here in the same
// run by giving the wallet a ledger whose two reads are the full walk
// (claimableCreditsFullWalk), over a replica of the same state. Both must compose the same
// transaction. Also: building the index for the sink from nothing (a restart's first read),
// and the sink's balance read (account: available and pending) through the index of credits not
// known to be final (shared/ledger/pending.ts) against the walk over every credit
// (accountFullWalk), in the same run, and that index built from nothing.
import { fromHex } from '../../shared/bytes.ts';
import type { KeyHex } from '../../shared/ids.ts';
import {
  claimableCredits,
  claimableCreditsFullWalk,
  spendableFullWalk,
} from '../../shared/ledger/claims.ts';
import { insert } from '../../shared/ledger/intake.ts';
import { Ledger, nextPosition } from '../../shared/ledger/ledger.ts';
import { LedgerState } from '../../shared/ledger/state.ts';
import { UnclaimedIndex } from '../../shared/ledger/unclaimed.ts';
import { PendingIndex } from '../../shared/ledger/pending.ts';
import { account, accountFullWalk } from '../../shared/ledger/views.ts';
import { signTx, type UnsignedTx } from '../../shared/tx/envelope.ts';
import { decodeTx, trustStoredTx, type VerifiedTx } from '../../shared/tx/registry.ts';
import { composeTransfer, composeVote } from '../../shared/wallet/compose.ts';
import { nativeSigner } from '../../test/helpers/nativeSigner.ts';
import { genesisOf, identity, type TestIdentity } from '../../test/helpers/network.ts';
import { benchRegistry } from '../lib/ledgerData.ts';
import { metric, ratios } from '../lib/metric.ts';
import { median } from '../lib/stats.ts';
import type { Scenario } from '../lib/types.ts';

/** Fits one vote (at most 64 heads) and one claiming payment (at most 64 deps) per round. */
const PAYERS = 60;
const MAX_CREDITS = 100_000;

interface History {
  readonly ledger: Ledger;
  readonly txs: VerifiedTx[];
  readonly sink: TestIdentity;
  readonly shop: TestIdentity;
}

async function history(credits: number): Promise<History> {
  const payers = Array.from({ length: PAYERS }, (_, i) => identity(`claimable-payer-${i}`));
  const witness = identity('claimable-witness');
  const sink = identity('claimable-sink');
  const shop = identity('claimable-shop');
  const genesis = await genesisOf({
    founder: witness,
    witnesses: [witness],
    allocations: payers.map((p) => [p, BigInt(credits)] as const),
  });
  const started = Ledger.fromGenesis(genesis, benchRegistry);
  if (!started.ok) throw new Error(started.rejection.message);
  const ledger = started.ledger;
  const txs: VerifiedTx[] = [];
  const add = (who: TestIdentity, unsigned: UnsignedTx): void => {
    const decoded = decodeTx(signTx(who.secret, unsigned, nativeSigner), benchRegistry);
    if (!decoded.ok) throw new Error(decoded.rejection.message);
    const tx = trustStoredTx(decoded.tx);
    const outcome = ledger.insert(tx);
    if (outcome.status !== 'accepted')
      throw new Error(`a generated ${tx.type} was ${outcome.status}`);
    txs.push(tx);
  };
  for (let paid = 0; paid < credits;) {
    for (const payer of payers.slice(0, credits - paid)) {
      const position = nextPosition(ledger, payer.key);
      if ('code' in position) throw new Error(position.message);
      const body = { to: fromHex(sink.key), amount: 1n };
      add(payer, { net: ledger.networkId, ...position, deps: [], type: 'transfer', body, time: 1 });
      paid++;
    }
    for (let vote = composeVote(ledger, witness.key, 1); vote?.ok;) {
      add(witness, vote.tx);
      vote = composeVote(ledger, witness.key, 1);
    }
    // The last round's credits stay unclaimed: what the measured payment claims.
    if (paid >= credits) break;
    const pay = composeTransfer(ledger, { from: sink.key, to: shop.key, amount: 1n, time: 1 });
    if (!pay.ok) throw new Error(pay.rejection.message);
    add(sink, pay.tx);
  }
  return { ledger, txs, sink, shop };
}

/** `ledger` as the wallet sees it, but whose claimable credits and spendable walk everything. */
function walking(ledger: Ledger, s: LedgerState): Ledger {
  return new Proxy(ledger, {
    get(target, prop) {
      if (prop === 'claimableCredits') return (key: KeyHex) => claimableCreditsFullWalk(s, key);
      if (prop === 'spendable') return (key: KeyHex) => spendableFullWalk(s, key);
      const value: unknown = Reflect.get(target, prop, target);
      return typeof value === 'function' ? (value as () => unknown).bind(target) : value;
    },
  });
}

/** A composed result as text, to compare two (bigints as decimals, bytes as arrays). */
const textOf = (value: unknown): string =>
  JSON.stringify(value, (_, v: unknown) =>
    typeof v === 'bigint' ? v.toString() : v instanceof Uint8Array ? [...v] : v,
  );

/** Each figure of a run is the median of this many repetitions: single calls are noisy. */
const REPEAT = 5;

/** The median time of REPEAT calls of `work`, and what the last one returned. */
function timed<T>(work: () => T): { ms: number; value: T } {
  const times: number[] = [];
  let value: T | undefined;
  for (let i = 0; i < REPEAT; i++) {
    const start = performance.now();
    value = work();
    times.push(performance.now() - start);
  }
  return { ms: median(times), value: value as T };
}

export const claimable: Scenario = {
  id: 's14-claimable',
  title: 'Sending after many payments received (issue 17)',
  ownData: true,
  async run(ctx) {
    const n = Math.min(ctx.size, MAX_CREDITS);
    const start = performance.now();
    const { ledger, txs, sink, shop } = await history(n);
    const replica = new LedgerState(ledger.genesis, benchRegistry);
    for (const tx of txs) insert(replica, tx, new Set());
    const received = replica.creditsTo.get(sink.key)?.length ?? 0;
    ctx.log(
      `generated ${txs.length.toLocaleString('en')} transactions, ${received.toLocaleString('en')} credits to the sink, in ${((performance.now() - start) / 1000).toFixed(1)} s (with the replica)`,
    );
    const request = { from: sink.key, to: shop.key, amount: 1n, time: 1 };
    const r = { after: [] as number[], before: [] as number[], build: [] as number[] };
    const read = { after: [] as number[], before: [] as number[], build: [] as number[] };
    let claimed = 0;
    for (let run = 0; run < ctx.runs; run++) {
      const after = timed(() => composeTransfer(ledger, request));
      const before = timed(() => composeTransfer(walking(ledger, replica), request));
      if (textOf(after.value) !== textOf(before.value))
        throw new Error('the index and the full walk composed different payments');
      if (!after.value.ok) throw new Error(after.value.rejection.message);
      claimed = after.value.tx.deps.length;
      r.after.push(after.ms);
      r.before.push(before.ms);
      r.build.push(timed(() => new UnclaimedIndex().open(replica, sink.key)).ms);
      if (claimableCredits(replica, sink.key).length === 0) throw new Error('nothing to claim');
      const view = timed(() => account(replica, sink.key));
      const walk = timed(() => accountFullWalk(replica, sink.key));
      if (textOf(view.value) !== textOf(walk.value))
        throw new Error('the pending index and the full walk read different balances');
      // Microseconds: a read through the index is well under one hundredth of a millisecond.
      read.after.push(view.ms * 1000);
      read.before.push(walk.ms);
      read.build.push(timed(() => new PendingIndex().pending(replica, sink.key)).ms);
      ctx.log(
        `run ${run + 1}: compose ${after.ms.toFixed(2)} ms with the index, ${before.ms.toFixed(0)} ms walking all; index built from nothing in ${r.build.at(-1)!.toFixed(0)} ms; balance read ${view.ms.toFixed(3)} ms with the pending index, ${walk.ms.toFixed(0)} ms walking all, index built in ${read.build.at(-1)!.toFixed(0)} ms`,
      );
    }
    return {
      sizes: { 'credits received': received, payers: PAYERS },
      primary: 'compose',
      also: ['index-build', 'account', 'account-walk'],
      anchor: { label: 'the same payment composed by the full walk', metric: 'compose-walk' },
      ratio: { label: 'full walk / index', metric: 'speed-up' },
      metrics: [
        metric('compose', 'compose a payment, with the index', 'ms', 'lower', r.after),
        metric('compose-walk', 'compose a payment, full walk (anchor)', 'ms', 'lower', r.before),
        metric('speed-up', 'full walk / index', '×', 'higher', ratios(r.before, r.after)),
        metric('index-build', "the sink's index built from nothing", 'ms', 'lower', r.build),
        metric('account', "the sink's balance read, pending index", 'µs', 'lower', read.after),
        metric('account-walk', "the sink's balance read, full walk", 'ms', 'lower', read.before),
        metric(
          'account-build',
          "the sink's pending index built from nothing",
          'ms',
          'lower',
          read.build,
        ),
      ],
      notes: [
        `The sink had claimed all but the last round's ${PAYERS} credits; the payment claims them (${claimed} deps).`,
      ],
      why: [],
    };
  },
};
