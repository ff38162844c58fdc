// 1. Validation throughput on one core: decodeTx + verifyTx (the app's verifier on the native
// backend) + Ledger.insert, on a pre-generated ledger, against the raw node:crypto Ed25519
// verify rate of the same signatures in the same process (the anchor: the practical limit).
// Also: each stage alone, the pure-JS noble fallback, and the app's verifier spread over
// worker threads on every core.
import { createPublicKey, verify, type KeyObject } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { nodeBackend } from '../../node/crypto/nodeEd25519.ts';
// As in a peer: native SHA-256 for transaction ids.
import '../../node/crypto/nativeSha256.ts';
import {
  createVerifier,
  nobleBackend,
  type SignatureVerifier,
} from '../../shared/crypto/ed25519.ts';
import { Ledger } from '../../shared/ledger/ledger.ts';
import { signatureOf, signedMessageOf, type Tx } from '../../shared/tx/envelope.ts';
import { decodeTx, trustStoredTx, verifyTx, type VerifiedTx } from '../../shared/tx/registry.ts';
import { benchRegistry, decodeAll } from '../lib/ledgerData.ts';
import { metric, ratios } from '../lib/metric.ts';
import { profiled } from '../lib/profile.ts';
import { median } from '../lib/stats.ts';
import type { Scenario } from '../lib/types.ts';
import { VerifyPool } from '../lib/verifyPool.ts';

/** Throughput is size-independent enough; this keeps the scenario around 15 s a run. */
const MAX_TXS = 50_000;
const NOBLE_SAMPLE = 2_000;
const SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

function freshLedger(genesis: VerifiedTx): Ledger {
  const started = Ledger.fromGenesis(genesis, benchRegistry);
  if (!started.ok) throw new Error(started.rejection.message);
  return started.ledger;
}

async function pipelineMs(
  genesis: VerifiedTx,
  txs: readonly Uint8Array[],
  verifier: SignatureVerifier,
): Promise<number> {
  const ledger = freshLedger(genesis);
  const start = performance.now();
  for (const bytes of txs) {
    const decoded = decodeTx(bytes, benchRegistry);
    if (!decoded.ok) throw new Error(decoded.rejection.message);
    const verified = await verifyTx(decoded.tx, verifier);
    if (!verified.ok) throw new Error(verified.rejection.message);
    const outcome = ledger.insert(verified.tx);
    if (outcome.status !== 'accepted') throw new Error(`insert: ${outcome.status}`);
  }
  return performance.now() - start;
}

function rawVerifyMs(txs: readonly Tx[], keys: ReadonlyMap<string, KeyObject>): number {
  // The anchor is the bare verify: the signed messages are built before the clock starts.
  const messages = txs.map((tx) => signedMessageOf(tx));
  const start = performance.now();
  for (const [i, tx] of txs.entries()) {
    if (!verify(null, messages[i]!, keys.get(tx.author)!, signatureOf(tx)))
      throw new Error('raw verify failed');
  }
  return performance.now() - start;
}

async function verifierMs(txs: readonly Tx[], verifier: SignatureVerifier): Promise<number> {
  const start = performance.now();
  for (const tx of txs) {
    if (!(await verifier.verify(signatureOf(tx), signedMessageOf(tx), tx.authorKey)))
      throw new Error('verify failed');
  }
  return performance.now() - start;
}

function decodeMs(txs: readonly Uint8Array[]): number {
  const start = performance.now();
  for (const bytes of txs) if (!decodeTx(bytes, benchRegistry).ok) throw new Error('decode');
  return performance.now() - start;
}

function insertMs(genesis: VerifiedTx, txs: readonly Tx[]): number {
  const ledger = freshLedger(genesis);
  const start = performance.now();
  for (const tx of txs)
    if (ledger.insert(trustStoredTx(tx)).status !== 'accepted') throw new Error('insert');
  return performance.now() - start;
}

export const validation: Scenario = {
  id: 's1-validation',
  title: 'Validation throughput (one core)',
  async run(ctx) {
    const large = await ctx.large(ctx.size);
    const n = Math.min(ctx.size, MAX_TXS);
    const txs = large.txs.slice(0, n);
    const decoded = decodeAll(txs);
    const nobleTxs = decoded.slice(0, Math.min(n, NOBLE_SAMPLE));
    const native = createVerifier(nodeBackend);
    const noble = createVerifier(nobleBackend);
    const keys = new Map<string, KeyObject>();
    for (const tx of decoded) {
      if (!keys.has(tx.author))
        keys.set(
          tx.author,
          createPublicKey({
            key: Buffer.concat([SPKI_PREFIX, tx.authorKey]),
            format: 'der',
            type: 'spki',
          }),
        );
    }
    const cores = availableParallelism();
    const pool = await VerifyPool.start(ctx.scope, cores);
    const batches = pool.split(decoded, 'verifier');
    // Warm-up (JIT, key caches), not measured.
    const warm = Math.min(n, 2_000);
    await pipelineMs(large.genesis, txs.slice(0, warm), native);
    rawVerifyMs(decoded.slice(0, warm), keys);
    await verifierMs(nobleTxs.slice(0, 200), noble);
    await pool.verifyPacked(pool.split(decoded.slice(0, warm), 'verifier'));

    const rate = (count: number, ms: number) => (count * 1000) / ms;
    const r = {
      raw: [] as number[],
      pipeline: [] as number[],
      verifier: [] as number[],
      decode: [] as number[],
      insert: [] as number[],
      workers: [] as number[],
      noble: [] as number[],
    };
    for (let run = 0; run < ctx.runs; run++) {
      r.raw.push(rate(n, rawVerifyMs(decoded, keys)));
      r.pipeline.push(rate(n, await pipelineMs(large.genesis, txs, native)));
      r.verifier.push(rate(n, await verifierMs(decoded, native)));
      r.decode.push(rate(n, decodeMs(txs)));
      r.insert.push(rate(n, insertMs(large.genesis, decoded)));
      const start = performance.now();
      const valid = await pool.verifyPacked(batches);
      if (valid !== n) throw new Error(`workers verified ${valid} of ${n}`);
      r.workers.push(rate(n, performance.now() - start));
      r.noble.push(rate(nobleTxs.length, await verifierMs(nobleTxs, noble)));
      ctx.log(
        `run ${run + 1}: pipeline ${Math.round(r.pipeline.at(-1)!)} tx/s, raw ${Math.round(r.raw.at(-1)!)}/s`,
      );
    }

    const metrics = [
      metric('pipeline', 'decode + verify + insert', 'tx/s', 'higher', r.pipeline),
      metric('raw', 'raw native verify (anchor)', 'sig/s', 'higher', r.raw),
      metric('ratio', 'pipeline / raw native verify', '×', 'higher', ratios(r.pipeline, r.raw)),
      metric(
        'verifier',
        'app verifier (strict checks + native), one thread',
        'sig/s',
        'higher',
        r.verifier,
      ),
      metric('decode', 'decodeTx alone', 'tx/s', 'higher', r.decode),
      metric('insert', 'Ledger.insert alone', 'tx/s', 'higher', r.insert),
      metric('noble', 'noble fallback verify', 'sig/s', 'higher', r.noble),
      metric('nobleRatio', 'noble / raw native', '×', 'higher', ratios(r.noble, r.raw)),
      metric('workers', `app verifier on ${cores} worker threads`, 'sig/s', 'higher', r.workers),
      metric(
        'speedup',
        `worker speed-up (${cores} threads vs one)`,
        '×',
        'higher',
        ratios(r.workers, r.verifier),
      ),
    ];
    const ratio = median(ratios(r.pipeline, r.raw));
    const pass = ratio >= 0.75;
    const us = (rates: number[]) => 1e6 / median(rates);
    const why: string[] = [];
    if (!pass) {
      const budget = us(r.raw) / 0.75;
      why.push(
        `per transaction: decode ${us(r.decode).toFixed(1)} µs + app verifier ${us(r.verifier).toFixed(1)} µs ` +
          `(raw verify ${us(r.raw).toFixed(1)} µs) + insert ${us(r.insert).toFixed(1)} µs; measured pipeline ` +
          `${us(r.pipeline).toFixed(1)} µs. Meeting 75% leaves ${(budget - us(r.raw)).toFixed(1)} µs per transaction ` +
          `for everything but the raw verify; it takes ${(us(r.pipeline) - us(r.raw)).toFixed(1)} µs, mostly ` +
          `decodeTx (canonical CBOR + valibot schemas)`,
      );
    }
    if (ctx.profile) {
      const { top } = await profiled(true, () => pipelineMs(large.genesis, txs, native));
      why.push(`profile of the pipeline (self time): ${top.join('; ')}`);
    }
    return {
      sizes: { transactions: n, nobleSample: nobleTxs.length, workerThreads: cores },
      primary: 'pipeline',
      anchor: { label: 'raw native Ed25519 verify, same signatures', metric: 'raw' },
      ratio: { label: 'pipeline / raw verify', metric: 'ratio' },
      target: { text: '≥ 75% of native verify rate', pass },
      metrics,
      notes: [
        `first ${n.toLocaleString('en')} transfers of the generated ledger (200 authors); a fresh ledger per run`,
        'raw anchor: node:crypto verify() with a KeyObject per author created beforehand',
      ],
      why,
    };
  },
};
