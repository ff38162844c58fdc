// What arrives from other peers, on its way into the ledger. Every message a data channel
// delivers is screened (shared/replication/screen.ts) before y-webrtc sees it. The entries of
// a large message go into the ledger as each batch of their signatures checks out, while the
// threads still check the rest ("early ingest"): on a large sync the ledger's work overlaps the
// checks instead of following them. A new peer learns its network's genesis from the doc.
import type * as Y from 'yjs';
import type { NetworkId } from '../shared/ids.ts';
import type { Ledger } from '../shared/ledger/ledger.ts';
import type { GuardHooks } from '../shared/replication/guardedWrtc.ts';
import type { VerifiedCache } from '../shared/replication/ledgerDoc.ts';
import {
  LEDGER_MAP,
  screenMessage,
  type AdmitResult,
  type ScreenVerdict,
} from '../shared/replication/screen.ts';
import type { VerifiedTx } from '../shared/tx/registry.ts';
import type { Intake } from './intake.ts';
import type { TimerPort } from './ports.ts';

/** What ingest needs from the engine it feeds. */
export interface IngestHost {
  readonly networkId: NetworkId;
  readonly intake: Intake;
  readonly cache: VerifiedCache;
  readonly timers: TimerPort;
  readonly ledger: Ledger | null;
  readonly closed: boolean;
  /** Starts the ledger from the network's genesis, publishing `publish` into the doc. */
  startFromGenesis(genesis: VerifiedTx, publish: readonly VerifiedTx[]): void;
  /** Publishes transactions the ledger took early but the doc never received. */
  publishAll(txs: readonly VerifiedTx[]): void;
}

/** The screen of a guarded WebRTC port, with early ingest into the host's ledger. */
export function screenInto(host: IngestHost): Pick<GuardHooks, 'screen'> & {
  delivered(verdict: ScreenVerdict): void;
} {
  const delivered = new WeakSet<object>();
  return {
    delivered: (verdict) => delivered.add(verdict),
    screen: async (message) => {
      const early: VerifiedTx[] = [];
      const waiting: VerifiedTx[] = [];
      const verdict = await screenMessage(message, {
        networkId: host.networkId,
        known: (id) => host.ledger?.has(id) === true || host.cache.has(id),
        admit: host.intake.admit,
        admitMany: async (values, ids) => {
          const results = await host.intake.admitMany(values, ids);
          if (!host.closed) ingestEarly(host, results, early, waiting);
          return results;
        },
      });
      if (verdict.ok) for (const tx of verdict.entries) host.cache.put(tx);
      if (early.length > 0) {
        // Refused, or (rarely) the link closed before y-webrtc took the message: the doc lacks
        // what the ledger took early, so we publish it. Delivery is synchronous right after
        // screening, so by the next turn a delivered message is marked as such.
        host.timers.after(0, () => {
          if (!delivered.has(verdict)) host.publishAll(early);
        });
      }
      return verdict;
    },
  };
}

/**
 * Entries that checked out go into the ledger at once: they are valid transactions of this
 * network, so this is what ingesting them from the doc would do. `early` collects them, in
 * case the message is refused after all. Before the genesis is known, entries wait for it.
 */
function ingestEarly(
  host: IngestHost,
  results: readonly AdmitResult[],
  early: VerifiedTx[],
  waiting: VerifiedTx[],
): void {
  for (const result of results) {
    if (!result.ok) continue;
    const tx = result.tx;
    if (!host.ledger && tx.id === host.networkId) {
      // The doc will get the genesis from this message: nothing to publish now.
      host.startFromGenesis(tx, []);
      early.push(tx);
      for (const held of waiting.splice(0)) insertEarly(host, held, early);
    } else if (tx.net === host.networkId) {
      if (host.ledger) insertEarly(host, tx, early);
      else waiting.push(tx);
    }
  }
}

function insertEarly(host: IngestHost, tx: VerifiedTx, early: VerifiedTx[]): void {
  const ledger = host.ledger;
  if (!ledger || ledger.has(tx.id)) return;
  ledger.insert(tx);
  early.push(tx);
}

/**
 * A new peer learns the genesis from the doc: the entry keyed by the network id (checked
 * again unless the screen has just checked it). Returns a function that stops watching.
 */
export function watchForGenesis(doc: Y.Doc, host: IngestHost): () => void {
  const map = doc.getMap(LEDGER_MAP);
  const id = host.networkId;
  // Yjs logs an error when a handler is removed twice (once here, once by the caller's stop).
  let watching = true;
  const stop = (): void => {
    if (watching) map.unobserve(observer);
    watching = false;
  };
  const check = async (): Promise<void> => {
    const bytes = map.get(id);
    if (host.ledger || !(bytes instanceof Uint8Array)) return;
    const cached = host.cache.take(id);
    const admitted = cached ? { ok: true as const, tx: cached } : await host.intake.admit(bytes);
    if (host.ledger || host.closed || !admitted.ok || admitted.tx.id !== id) return;
    stop();
    host.startFromGenesis(admitted.tx, [admitted.tx]);
  };
  const observer = (): void => void check();
  map.observe(observer);
  return stop;
}
