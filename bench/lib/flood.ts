// A member flooding valid 1-unit transfers as fast as it can, run inside its own bench peer
// process (peerChild.ts's `flood` command), for the s16 scenario. Two ways, as issue 19
// measured them before writing budgets:
// - `send`: through its own running peer, in a loop: the wallet refuses to sign past the budget
//   (shared/wallet/budget.ts) and the loop tries again at once;
// - `import`: batches signed offline with no budget check (test/helpers/presign.ts), dated one
//   `every` apart (the attacker's best: its own dates count up to the skew), each citing the
//   witnesses' latest votes, then imported into its peer one by one; the ledger refuses what is
//   over budget, and a new batch starts from the chain's head.
import type { KeyHex } from '../../shared/ids.ts';
import { DEFAULT_BUDGET } from '../../shared/ledger/budget.ts';
import type { Peer } from '../../node/peer/peer.ts';
import { presignTransfers } from '../../test/helpers/presign.ts';

export interface FloodArgs {
  readonly mode: 'send' | 'import';
  readonly to: KeyHex;
  readonly durationMs: number;
  /** Transfers per signed batch (import). */
  readonly batch?: number;
}

export interface FloodReport {
  readonly mode: FloodArgs['mode'];
  /** Transfers its own peer took. */
  readonly accepted: number;
  /** Refusals by rejection code (`error` for failures without one). */
  readonly refused: Record<string, number>;
  readonly ms: number;
}

/** Lets the peer's timers and sockets run between attempts, as a separate bot process would. */
const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

function codeOf(error: unknown): string {
  const rejection = (error as { rejection?: { code?: unknown } }).rejection;
  return typeof rejection?.code === 'string' ? rejection.code : 'error';
}

export async function flood(peer: Peer, secret: Uint8Array, args: FloodArgs): Promise<FloodReport> {
  const started = Date.now();
  const until = started + args.durationMs;
  const refused: Record<string, number> = {};
  let accepted = 0;
  const attempt = async (run: () => Promise<unknown>): Promise<boolean> => {
    try {
      await run();
      accepted++;
      return true;
    } catch (error) {
      const code = codeOf(error);
      refused[code] = (refused[code] ?? 0) + 1;
      return false;
    }
  };
  const ledger = await peer.ready();
  const me = peer.address as KeyHex;
  const every = ledger.budget?.every ?? DEFAULT_BUDGET.every;
  while (Date.now() < until) {
    if (args.mode === 'send') {
      await attempt(() => peer.transfer(args.to, 1n));
    } else {
      const batch = presignTransfers(peer.ledger ?? ledger, secret, me, args.to, {
        count: args.batch ?? 120,
        start: Date.now(),
        step: every,
        citeVotes: true,
      });
      for (const tx of batch) {
        if (Date.now() >= until) break;
        await attempt(() => peer.importTransaction(tx.bytes));
      }
    }
    await turn();
  }
  return { mode: args.mode, accepted, refused, ms: Date.now() - started };
}
