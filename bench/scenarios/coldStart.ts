// 5. Cold start: a headless peer process whose data directory holds N persisted transactions
// (with a checkpoint, as a peer leaves it) is started, timed from spawn until Peer.start has
// resolved (log loaded into the ledger, doc published, relay and provider up), and its peak RSS
// is read (VmHWM, after it settled). The OS file cache is warm after the first run:
// this is a process cold start, not a disk cold start. Anchor: spawning Node to read the same
// log file and exit.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { LOG_FILE_NAME } from '../../node/storage/fileLogStore.ts';
import { seedDataDir } from '../lib/ledgerData.ts';
import { metric, ratios } from '../lib/metric.ts';
import { PEAK_RSS_SOURCE } from '../lib/peakRss.ts';
import { BenchPeer } from '../lib/peers.ts';
import { childProfiles, cpuProfArgs } from '../lib/profile.ts';
import { median } from '../lib/stats.ts';
import type { Scope } from '../lib/scope.ts';
import type { Scenario } from '../lib/types.ts';
import { SECRET } from './initialSync.ts';

const READ_SCRIPT = `
const bytes = require('node:fs').readFileSync(process.argv[1]);
process.stdout.write(JSON.stringify({ at: Date.now(), bytes: bytes.length, maxRss: ${PEAK_RSS_SOURCE} }));
`;

const BREAKDOWN_SCRIPT = join(import.meta.dirname, '../lib/coldBreakdown.ts');

interface Breakdown {
  steps: Array<{ step: string; ms: number }>;
  retainedMB: number;
  maxRssMB: number;
  transactions: number;
}

function runNode(scope: Scope, args: string[]): Promise<string> {
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  scope.track(child);
  let out = '';
  let err = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('exit', (code) =>
      code === 0 ? resolve(out) : reject(new Error(`exit ${code}: ${err.slice(-500)}`)),
    );
  });
}

function bootAndRead(
  scope: Scope,
  path: string,
): Promise<{ ms: number; bytes: number; maxRss: number }> {
  const spawnedAt = Date.now();
  const child = spawn(process.execPath, ['-e', READ_SCRIPT, path], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  scope.track(child);
  let out = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('exit', () => {
      try {
        const parsed = JSON.parse(out) as { at: number; bytes: number; maxRss: number };
        resolve({ ms: parsed.at - spawnedAt, bytes: parsed.bytes, maxRss: parsed.maxRss });
      } catch (error) {
        reject(error instanceof Error ? error : new Error(String(error)));
      }
    });
  });
}

const MB = 1024 * 1024;

export const coldStart: Scenario = {
  id: 's5-cold-start',
  title: 'Cold start of a headless peer',
  async run(ctx) {
    const n = ctx.size;
    const large = await ctx.large(n);
    const dir = await ctx.scope.tempDir('cold');
    const dataDir = join(dir, 'peer');
    await seedDataDir(dataDir, large);
    const runs = Math.max(ctx.runs, 5);
    const r = {
      ready: [] as number[],
      settled: [] as number[],
      rss: [] as number[],
      boot: [] as number[],
      imports: [] as number[],
      load: [] as number[],
      connect: [] as number[],
      anchor: [] as number[],
      anchorRss: [] as number[],
    };
    let logBytes = 0;
    const startPeer = (name: string, execArgv: string[] = []) =>
      BenchPeer.spawn(
        ctx.scope,
        name,
        { dataDir, networkId: large.genesis.id, secret: SECRET, relays: [], track: false },
        { startTimeoutMs: 60_000, execArgv },
      );
    for (let run = 0; run < runs; run++) {
      const peer = await startPeer(`cold-${run}`);
      const m = peer.startMarks;
      await peer.call('settled', {}, 60_000);
      const settledAt = (await peer.call<Record<string, number>>('marks')).settled!;
      const usage = await peer.call<{ maxRssBytes: number }>('usage');
      await peer.stop();
      r.ready.push(m.started! - peer.spawnedAt);
      r.settled.push(settledAt - peer.spawnedAt);
      r.rss.push(usage.maxRssBytes / MB);
      r.boot.push(m.scriptStart! - peer.spawnedAt);
      r.imports.push(m.imported! - m.scriptStart!);
      r.load.push(m.ready! - m.startCalled!);
      r.connect.push(m.started! - m.ready!);
      const anchor = await bootAndRead(ctx.scope, join(dataDir, LOG_FILE_NAME));
      logBytes = anchor.bytes;
      r.anchor.push(anchor.ms);
      r.anchorRss.push(anchor.maxRss / MB);
      ctx.log(
        `run ${run + 1}: ready ${r.ready.at(-1)} ms, peak RSS ${r.rss.at(-1)!.toFixed(0)} MB`,
      );
    }
    const readyMs = median(r.ready);
    const rssMb = median(r.rss);
    const pass = readyMs < 1500 && rssMb < 300;
    const why: string[] = [];
    if (!pass) {
      why.push(
        `median phases: Node boot ${median(r.boot)} ms, loading the peer's modules ${median(r.imports)} ms, ` +
          `reading + decoding the log into the ledger and doc ${median(r.load)} ms, relay + provider ${median(r.connect)} ms; ` +
          `peak RSS ${rssMb.toFixed(0)} MB (the bare read: ${median(r.anchorRss).toFixed(0)} MB)`,
      );
    }
    if (!pass) {
      const breakdown = JSON.parse(
        await runNode(ctx.scope, ['--expose-gc', BREAKDOWN_SCRIPT, dataDir, large.genesis.id]),
      ) as Breakdown;
      why.push(
        'the same start-up steps one by one in a fresh process: ' +
          breakdown.steps.map((st) => `${st.step} ${st.ms.toFixed(0)} ms`).join(', ') +
          `; then ${breakdown.retainedMB.toFixed(0)} MB retained on the heap and in buffers after a full GC ` +
          `(${((breakdown.retainedMB * 2 ** 20) / breakdown.transactions).toFixed(0)} bytes per transaction, ` +
          `for ${logBytes ? (logBytes / breakdown.transactions) | 0 : '?'} bytes of log each), peak RSS ${breakdown.maxRssMB.toFixed(0)} MB`,
      );
    }
    if (ctx.profile) {
      const profDir = join(dir, 'profile');
      const peer = await startPeer('cold-profiled', cpuProfArgs(profDir));
      await peer.call('settled', {}, 60_000);
      await peer.stop();
      for (const p of await childProfiles(profDir))
        why.push(`profile of the start (self time): ${p.top.join('; ')}`);
    }
    return {
      sizes: { transactions: n, logBytes },
      primary: 'ready',
      also: ['rss'],
      anchor: { label: 'Node boot + reading the log file', metric: 'anchor' },
      ratio: { label: 'ready / anchor', metric: 'ratio' },
      target: { text: '< 1.5 s and < 300 MB at 100,000', pass },
      metrics: [
        metric('ready', 'spawn → peer started', 'ms', 'lower', r.ready),
        metric('rss', 'peak RSS', 'MB', 'lower', r.rss),
        metric('settled', 'spawn → doc work settled', 'ms', 'lower', r.settled),
        metric('boot', 'spawn → script running (Node boot)', 'ms', 'lower', r.boot),
        metric('imports', "loading the peer's modules", 'ms', 'lower', r.imports),
        metric('load', 'log → ledger + doc ("ready" event)', 'ms', 'lower', r.load),
        metric('connect', 'relay + provider up', 'ms', 'lower', r.connect),
        metric('anchor', 'anchor: Node boot + read the log', 'ms', 'lower', r.anchor),
        metric('anchorRss', 'anchor: peak RSS', 'MB', 'lower', r.anchorRss),
        metric('ratio', 'ready / anchor', '×', 'lower', ratios(r.ready, r.anchor)),
      ],
      notes: [
        `${runs} starts of the same data directory (${n.toLocaleString('en')} transfers + genesis, checkpoint covering all), no identity, own relay on 127.0.0.1`,
        'process cold start with a warm OS file cache; peak RSS is VmHWM from /proc/self/status, read after the peer settled',
        ...(n === 100_000
          ? []
          : ['the target is stated for 100,000 transactions; this run used another size']),
      ],
      why,
    };
  },
};
