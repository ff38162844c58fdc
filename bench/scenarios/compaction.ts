// 10. The compact ledger state (issue 17; shared/ledger/compact.ts): what a checkpoint will
// cost. A history where members spend what they are paid (200 members each paying the next, a
// witness voting after every round, so credits become final and are claimed) is compacted:
// how long compacting, encoding and hashing take, how large the bytes are, and how long a
// ledger takes to come back from them, against replaying the same history into a fresh ledger
// (the anchor, in the same run). The bench's own generated ledger (every payment to one sink
// that never spends) would compact to nothing: every credit in it stays unclaimed.
//
// And what a checkpoint costs a witness (docs/protocol.md §14.1): the state of a first
// checkpoint over the whole history (a replay of its cut, then compaction), and the state of the
// next one, CHECKPOINT_EVERY transactions later, built on the first (the chained definition:
// restore, insert what was added, compact).
import { nativeSigner } from '../../test/helpers/nativeSigner.ts';
import { ringNetwork, RING_MEMBERS, RING_WITNESS } from '../lib/fastRing.ts';
import { stateAtCut } from '../../shared/ledger/cutState.ts';
import { Ledger } from '../../shared/ledger/ledger.ts';
import type { TxId } from '../../shared/ids.ts';
import { CHECKPOINT_EVERY } from '../../engine/timing.ts';
import { signTx } from '../../shared/tx/envelope.ts';
import { decodeTx, trustStoredTx, type VerifiedTx } from '../../shared/tx/registry.ts';
import { composeTransfer, composeVote } from '../../shared/wallet/compose.ts';
import { benchRegistry } from '../lib/ledgerData.ts';
import { metric, ratios } from '../lib/metric.ts';
import type { Scenario } from '../lib/types.ts';

const MEMBERS = RING_MEMBERS;
/** Generating signs and composes every payment with the wallet; this keeps it near a minute. */
const MAX_TXS = 100_000;

function fresh(genesis: VerifiedTx): Ledger {
  const started = Ledger.fromGenesis(genesis, benchRegistry);
  if (!started.ok) throw new Error(started.rejection.message);
  return started.ledger;
}

export { RING_WITNESS };

/** A ring of payments with a witness voting after each round: about `count` transactions. */
export async function ringHistory(
  count: number,
): Promise<{ genesis: VerifiedTx; txs: VerifiedTx[] }> {
  const { members, witness, genesis, ledger } = await ringNetwork();
  const txs: VerifiedTx[] = [];
  const add = (secret: Uint8Array, unsigned: Parameters<typeof signTx>[1]) => {
    const decoded = decodeTx(signTx(secret, unsigned, nativeSigner), benchRegistry);
    if (!decoded.ok) throw new Error(decoded.rejection.message);
    const tx = trustStoredTx(decoded.tx);
    if (ledger.insert(tx).status !== 'accepted') throw new Error('a generated payment failed');
    txs.push(tx);
  };
  while (txs.length < count) {
    for (let i = 0; i < MEMBERS && txs.length < count; i++) {
      const from = members[i]!;
      const to = members[(i + 1) % MEMBERS]!;
      const composed = composeTransfer(ledger, { from: from.key, to: to.key, amount: 1n, time: 1 });
      if (!composed.ok) throw new Error(composed.rejection.message);
      add(from.secret, composed.tx);
    }
    // A vote names at most 64 heads: vote until every member's head is covered.
    for (let vote = composeVote(ledger, witness.key, 1); vote?.ok;) {
      add(witness.secret, vote.tx);
      vote = composeVote(ledger, witness.key, 1);
    }
  }
  return { genesis, txs };
}

export const compaction: Scenario = {
  id: 's10-compaction',
  title: 'Compact ledger state (issue 17)',
  async run(ctx) {
    const n = Math.min(ctx.size, MAX_TXS);
    const generateStart = performance.now();
    const { genesis, txs: all } = await ringHistory(n + CHECKPOINT_EVERY);
    // The history compacted is the first n; the rest is what the next checkpoint adds.
    const txs = all.slice(0, n);
    const lastVote = (upTo: number): TxId => {
      for (let i = upTo - 1; i >= 0; i--) if (all[i]!.type === 'vote') return all[i]!.id;
      throw new Error('no vote in the history');
    };
    ctx.log(
      `generated a ring of ${txs.length.toLocaleString('en')} payments and votes in ${((performance.now() - generateStart) / 1000).toFixed(1)} s`,
    );
    const r = {
      replay: [] as number[],
      compact: [] as number[],
      restore: [] as number[],
      bytes: [] as number[],
      kept: [] as number[],
      first: [] as number[],
      next: [] as number[],
      nextBytes: [] as number[],
    };
    for (let run = 0; run < ctx.runs; run++) {
      let start = performance.now();
      const ledger = fresh(genesis);
      for (const tx of txs) ledger.insert(tx);
      r.replay.push(performance.now() - start);

      start = performance.now();
      const compacted = ledger.compactBytes();
      if (!compacted.ok) throw new Error(compacted.error);
      r.compact.push(performance.now() - start);
      r.bytes.push(compacted.bytes.length);

      start = performance.now();
      const back = Ledger.fromCompactBytes(genesis, benchRegistry, compacted.bytes, 1 << 30);
      if (!back.ok) throw new Error(back.error);
      r.restore.push(performance.now() - start);
      r.kept.push(back.ledger.validIds().length);
      if (back.ledger.compactBytes().ok !== true) throw new Error('the restored ledger differs');

      // A witness's checkpoints: the first over the history, the next one on top of it.
      const whole = fresh(genesis);
      for (const tx of all) whole.insert(tx);
      start = performance.now();
      const first = stateAtCut(whole, [lastVote(n)]);
      if (!first.ok) throw new Error(first.error);
      r.first.push(performance.now() - start);
      start = performance.now();
      const next = stateAtCut(whole, [lastVote(all.length)], first.bytes);
      if (!next.ok) throw new Error(next.error);
      r.next.push(performance.now() - start);
      r.nextBytes.push(next.bytes.length);
      ctx.log(
        `run ${run + 1}: replay ${r.replay.at(-1)!.toFixed(0)} ms, compact + encode + root ${r.compact.at(-1)!.toFixed(0)} ms (${compacted.bytes.length.toLocaleString('en')} bytes, ${r.kept.at(-1)} entries kept), restore ${r.restore.at(-1)!.toFixed(0)} ms; checkpoint states: first ${r.first.at(-1)!.toFixed(0)} ms, next (+${(all.length - n).toLocaleString('en')}) ${r.next.at(-1)!.toFixed(0)} ms`,
      );
    }
    return {
      sizes: { transactions: txs.length, members: MEMBERS },
      primary: 'restore',
      also: ['compact', 'bytes', 'checkpoint-first', 'checkpoint-next'],
      anchor: { label: 'replaying the same history into a fresh ledger', metric: 'replay' },
      ratio: { label: 'restore / replay', metric: 'ratio' },
      metrics: [
        metric('restore', 'ledger from compact state bytes', 'ms', 'lower', r.restore),
        metric('replay', 'replay of the whole history (anchor)', 'ms', 'lower', r.replay),
        metric('ratio', 'restore / replay', '×', 'lower', ratios(r.restore, r.replay)),
        metric('compact', 'compact + encode + root', 'ms', 'lower', r.compact),
        metric('bytes', 'compact state bytes', 'B', 'lower', r.bytes),
        metric('kept', 'entries kept', 'entries', 'lower', r.kept),
        metric(
          'checkpoint-first',
          'state of a first checkpoint over the history',
          'ms',
          'lower',
          r.first,
        ),
        metric(
          'checkpoint-next',
          `state of the next checkpoint, ${CHECKPOINT_EVERY.toLocaleString('en')} transactions later`,
          'ms',
          'lower',
          r.next,
        ),
        metric(
          'checkpoint-next-ratio',
          'next checkpoint / replay',
          '×',
          'lower',
          ratios(r.next, r.replay),
        ),
        metric('checkpoint-bytes', 'state of the next checkpoint', 'B', 'lower', r.nextBytes),
      ],
      notes: [
        `${MEMBERS} members, each paying the next 1 unit per round, one witness voting after each round (the wallet composes every payment, claiming what is final)`,
        'signatures not checked (the history is generated here); replay and restore both start from a fresh ledger',
      ],
      why: [],
    };
  },
};
