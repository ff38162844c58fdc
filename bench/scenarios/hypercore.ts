// 6. A peer system: Hypercore appends N entries, replicates them over a local stream pair to a
// second core, which verifies them (Merkle proofs and the writer's signature) as they arrive;
// against GPoW doing the same work with the same N byte strings (our signed transactions):
//
//   writer:  admit (decode + verify) and insert each into a ledger, append them to a file log,
//            publish them in the ledger's Y.Doc;
//   reader:  sync step 1 → the writer's sync step 2 → screened (every entry decoded and its
//            signature verified, as a peer does per connection: decoded on the main thread,
//            signatures checked in one batch on the peer's worker-thread pool, one thread per
//            core, engine/verifyPool.ts) → applied to the reader's doc
//            → ingested into the reader's ledger → appended to the reader's file log.
//
// Both sides store on disk in a temporary directory. Reported: our time / theirs. The inputs
// are already signed (GPoW signs each transaction when it is made); Hypercore signs inside
// append, once per batch (batches of 1,000 here), and its reader verifies one signature per
// upgrade plus a hash proof per block, where GPoW verifies every transaction's signature.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Hypercore from 'hypercore';
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import * as syncProtocol from 'y-protocols/sync';
import * as Y from 'yjs';
import { createIntake } from '../../engine/intake.ts';
import { nodeAdmit as admit, nodeVerify } from '../../node/platform/nodeVerify.ts';
import { openFileLogStore } from '../../node/storage/fileLogStore.ts';
import { Ledger } from '../../shared/ledger/ledger.ts';
import { LedgerDoc, VerifiedCache } from '../../shared/replication/ledgerDoc.ts';
import { screenMessage } from '../../shared/replication/screen.ts';
import type { VerifiedTx } from '../../shared/tx/registry.ts';
import type { LargeLedger } from '../../test/helpers/largeLedger.ts';
import { benchRegistry } from '../lib/ledgerData.ts';
import { metric, ratios } from '../lib/metric.ts';
import { profiled } from '../lib/profile.ts';
import { median } from '../lib/stats.ts';
import type { Scenario } from '../lib/types.ts';

const BATCH = 1_000;
const HYPERCORE_VERSION = (
  JSON.parse(
    readFileSync(join(import.meta.dirname, '../../node_modules/hypercore/package.json'), 'utf8'),
  ) as { version: string }
).version;
const LOG_CHUNK = 10_000;

async function hypercoreRun(dir: string, entries: readonly Uint8Array[]) {
  const start = performance.now();
  const writer = new Hypercore(join(dir, 'writer'));
  await writer.ready();
  for (let i = 0; i < entries.length; i += BATCH) await writer.append(entries.slice(i, i + BATCH));
  const appended = performance.now();
  const reader = new Hypercore(join(dir, 'reader'), writer.key);
  await reader.ready();
  const a = writer.replicate(true);
  const b = reader.replicate(false);
  a.on('error', () => undefined);
  b.on('error', () => undefined);
  a.pipe(b).pipe(a);
  await reader.download({ start: 0, end: entries.length }).done();
  const done = performance.now();
  if (reader.contiguousLength !== entries.length) throw new Error('hypercore: incomplete download');
  a.destroy();
  b.destroy();
  await Promise.all([writer.close(), reader.close()]);
  return { total: done - start, append: appended - start, replicate: done - appended };
}

function newLedger(genesis: VerifiedTx): Ledger {
  const started = Ledger.fromGenesis(genesis, benchRegistry);
  if (!started.ok) throw new Error(started.rejection.message);
  return started.ledger;
}

async function gpowRun(dir: string, large: LargeLedger) {
  const start = performance.now();
  // Writer.
  const storeA = await openFileLogStore(join(dir, 'writer'));
  const ledgerA = newLedger(large.genesis);
  const docA = new Y.Doc();
  const ledgerDocA = new LedgerDoc(docA, ledgerA, admit, new VerifiedCache());
  const verified: VerifiedTx[] = [large.genesis];
  for (const bytes of large.txs) {
    const admitted = await admit(bytes);
    if (!admitted.ok) throw new Error(admitted.rejection.message);
    if (ledgerA.insert(admitted.tx).status !== 'accepted') throw new Error('writer insert');
    verified.push(admitted.tx);
  }
  const writerVerified = performance.now();
  for (let i = 0; i < verified.length; i += LOG_CHUNK)
    await storeA.append(verified.slice(i, i + LOG_CHUNK).map((tx) => tx.bytes));
  ledgerDocA.publishAll(verified);
  await ledgerDocA.idle();
  const appended = performance.now();

  // Reader: sync step 1, the writer's step 2 in reply (y-webrtc's message framing).
  const storeB = await openFileLogStore(join(dir, 'reader'));
  const docB = new Y.Doc();
  const cacheB = new VerifiedCache();
  const step1 = encoding.createEncoder();
  encoding.writeVarUint(step1, 0);
  syncProtocol.writeSyncStep1(step1, docB);
  const atWriter = decoding.createDecoder(encoding.toUint8Array(step1));
  decoding.readVarUint(atWriter);
  const reply = encoding.createEncoder();
  encoding.writeVarUint(reply, 0);
  syncProtocol.readSyncMessage(atWriter, reply, docA, null);
  const message = encoding.toUint8Array(reply);
  const encoded = performance.now();
  // The reader's pool starts (its threads spawn) inside the timing, as a joining peer's does.
  const verify = nodeVerify();
  const { admitMany } = createIntake(verify);
  const verdict = await screenMessage(message, {
    networkId: large.genesis.id,
    known: (id) => cacheB.has(id),
    admit,
    admitMany,
  }).finally(() => verify.close());
  if (!verdict.ok) throw new Error(`screen: ${verdict.reason}`);
  for (const tx of verdict.entries) cacheB.put(tx);
  const screened = performance.now();
  const atReader = decoding.createDecoder(message);
  decoding.readVarUint(atReader);
  syncProtocol.readSyncMessage(atReader, encoding.createEncoder(), docB, 'remote');
  const genesis = cacheB.take(large.genesis.id);
  if (!genesis) throw new Error('reader: no genesis');
  const ledgerB = newLedger(genesis);
  const accepted: Uint8Array[] = [genesis.bytes];
  ledgerB.onAccepted((tx) => accepted.push(tx.bytes));
  const ledgerDocB = new LedgerDoc(docB, ledgerB, admit, cacheB);
  await ledgerDocB.idle();
  if (accepted.length !== verified.length) throw new Error(`reader holds ${accepted.length}`);
  for (let i = 0; i < accepted.length; i += LOG_CHUNK)
    await storeB.append(accepted.slice(i, i + LOG_CHUNK));
  const done = performance.now();
  await Promise.all([storeA.close(), storeB.close()]);
  docA.destroy();
  docB.destroy();
  return {
    total: done - start,
    append: appended - start,
    replicate: done - appended,
    writerVerify: writerVerified - start,
    writerStore: appended - writerVerified,
    encode: encoded - appended,
    screen: screened - encoded,
    readerIngest: done - screened,
  };
}

export const hypercore: Scenario = {
  id: 's6-hypercore',
  title: 'Append + replicate + verify vs Hypercore',
  async run(ctx) {
    const n = ctx.size;
    const large = await ctx.large(n);
    const entryBytes = Math.round(large.txs.reduce((s, t) => s + t.length, 0) / n);
    const r = {
      ours: [] as number[],
      theirs: [] as number[],
      oursAppend: [] as number[],
      oursReplicate: [] as number[],
      theirsAppend: [] as number[],
      theirsReplicate: [] as number[],
      writerVerify: [] as number[],
      screen: [] as number[],
      readerIngest: [] as number[],
    };
    for (let run = 0; run < ctx.runs; run++) {
      const dir = await ctx.scope.tempDir(`hc-${run}`);
      const theirs = await hypercoreRun(join(dir, 'hypercore'), large.txs);
      const ours = await gpowRun(join(dir, 'gpow'), large);
      r.ours.push(ours.total);
      r.theirs.push(theirs.total);
      r.oursAppend.push(ours.append);
      r.oursReplicate.push(ours.replicate);
      r.theirsAppend.push(theirs.append);
      r.theirsReplicate.push(theirs.replicate);
      r.writerVerify.push(ours.writerVerify);
      r.screen.push(ours.screen);
      r.readerIngest.push(ours.readerIngest);
      ctx.log(
        `run ${run + 1}: GPoW ${(ours.total / 1000).toFixed(1)} s, Hypercore ${(theirs.total / 1000).toFixed(1)} s`,
      );
    }
    const ratio = median(ratios(r.ours, r.theirs));
    const pass = ratio <= 1.0;
    const s = (v: number[]) => `${(median(v) / 1000).toFixed(1)} s`;
    const why: string[] = [];
    if (!pass) {
      why.push(
        `GPoW: writer admit + insert ${s(r.writerVerify)}, reader screen (verify every signature) ${s(r.screen)}, ` +
          `reader apply + ingest + store ${s(r.readerIngest)}; Hypercore: append ${s(r.theirsAppend)}, replicate ${s(r.theirsReplicate)}. ` +
          `GPoW checks ${2 * n} Ed25519 signatures (one per transaction, on both sides); Hypercore signs and checks about one per ${BATCH}-entry batch`,
      );
    }
    if (ctx.profile) {
      const dir = await ctx.scope.tempDir('hc-profile');
      const { top } = await profiled(true, () => gpowRun(dir, large));
      why.push(`profile of the GPoW side (self time): ${top.join('; ')}`);
    }
    return {
      sizes: { entries: n, entryBytes, hypercoreBatch: BATCH },
      primary: 'ours',
      also: ['theirs'],
      anchor: { label: 'Hypercore, same entries', metric: 'theirs' },
      ratio: { label: 'ours / theirs', metric: 'ratio' },
      target: { text: 'ours / theirs ≤ 1.0', pass },
      metrics: [
        metric('ours', 'GPoW total', 'ms', 'lower', r.ours),
        metric('theirs', 'Hypercore total', 'ms', 'lower', r.theirs),
        metric('ratio', 'GPoW / Hypercore', '×', 'lower', ratios(r.ours, r.theirs)),
        metric(
          'oursAppend',
          'GPoW writer (verify, insert, store, publish)',
          'ms',
          'lower',
          r.oursAppend,
        ),
        metric(
          'oursReplicate',
          'GPoW reader (sync, screen, apply, ingest, store)',
          'ms',
          'lower',
          r.oursReplicate,
        ),
        metric('theirsAppend', 'Hypercore append', 'ms', 'lower', r.theirsAppend),
        metric('theirsReplicate', 'Hypercore replicate + verify', 'ms', 'lower', r.theirsReplicate),
        metric('writerVerify', 'GPoW writer admit + insert', 'ms', 'lower', r.writerVerify),
        metric('screen', 'GPoW reader screen', 'ms', 'lower', r.screen),
        metric('readerIngest', 'GPoW reader apply + ingest + store', 'ms', 'lower', r.readerIngest),
      ],
      notes: [
        `hypercore ${HYPERCORE_VERSION} (the newest version whose dependencies the npm registry serves here), on-disk storage, replicate(true/false) piped in-process`,
        `the ${n.toLocaleString('en')} entries are the signed transfers themselves (${entryBytes} bytes on average); Hypercore appends them in batches of ${BATCH}`,
        "GPoW inputs are pre-signed; both sides store to disk (file log with fdatasync; Hypercore's RocksDB storage)",
      ],
      why,
    };
  },
};
