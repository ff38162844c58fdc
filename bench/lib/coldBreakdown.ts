// Where a peer's start-up time and memory go, step by step, in a fresh process started with
// --expose-gc (so the memory the loaded peer retains is read after a full collection). The steps
// are engine/logReplay.ts's (trusted records: decode only) and PeerEngine#bind's (doc),
// timed apart: the loader itself inserts each record as it decodes it.
//   node --expose-gc bench/lib/coldBreakdown.ts <dataDir> <networkId>
import * as Y from 'yjs';
import { nodeAdmit as admit } from '../../node/platform/nodeVerify.ts';
import { openFileLogStore } from '../../node/storage/fileLogStore.ts';
import type { NetworkId, TxId } from '../../shared/ids.ts';
import { Ledger } from '../../shared/ledger/ledger.ts';
import { LedgerDoc, VerifiedCache } from '../../shared/replication/ledgerDoc.ts';
import { peakRssBytes } from './peakRss.ts';
import { protocolRegistry } from '../../shared/protocol.ts';
import { decodeTx, trustStoredTx, type VerifiedTx } from '../../shared/tx/registry.ts';

const [dataDir, networkId] = process.argv.slice(2) as [string, NetworkId];
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with --expose-gc');
const retained = () => {
  gc();
  gc();
  const m = process.memoryUsage();
  return m.heapUsed + m.external;
};
const steps: Array<{ step: string; ms: number }> = [];
const baseline = retained();
async function step<T>(name: string, fn: () => Promise<T> | T): Promise<T> {
  const start = performance.now();
  const value = await fn();
  steps.push({ step: name, ms: performance.now() - start });
  return value;
}

const registry = protocolRegistry();
const store = await openFileLogStore(dataDir);
const { records } = await step('read log', () => store.load());
const knownIds = new Map<string, TxId>();
const txs = await step('decode records', () =>
  records.map((bytes) => {
    const decoded = decodeTx(bytes, registry, { owned: true, knownIds });
    if (!decoded.ok) throw new Error(decoded.rejection.message);
    knownIds.set(decoded.tx.id, decoded.tx.id);
    return trustStoredTx(decoded.tx);
  }),
);
knownIds.clear();
const ledger = await step('ledger inserts', () => {
  const started = Ledger.fromGenesis(txs[0] as VerifiedTx, registry);
  if (!started.ok || started.ledger.networkId !== networkId) throw new Error('bad genesis');
  for (const tx of txs.slice(1)) started.ledger.insert(tx);
  return started.ledger;
});
const doc = new Y.Doc();
const ledgerDoc = await step('doc publishAll', () => {
  const bound = new LedgerDoc(doc, ledger, admit, new VerifiedCache());
  bound.publishAll(txs);
  return bound;
});
await step('doc settle', () => ledgerDoc.idle());
await store.close();
const retainedMB = (retained() - baseline) / 2 ** 20;
process.stdout.write(
  JSON.stringify({
    steps,
    retainedMB,
    maxRssMB: peakRssBytes() / 2 ** 20,
    transactions: txs.length,
  }),
);
