// 7. DNEC throughput: pow jobs settled per minute across 5 peers over real WebRTC on 127.0.0.1
// (a consumer, two providers running `--provide pow`, two witnesses), each job going through the
// whole life cycle: request with escrow, accept, solve on a worker thread, deliver, witness
// votes, settle. Anchor: the bare computation, solving the same jobs with the same solver and
// worker count in this process. The ratio is the life cycle's overhead over the work itself.
import { performance } from 'node:perf_hooks';
import { solvePow } from '../../node/dnec/powSolver.ts';
import { utf8 } from '../../shared/bytes.ts';
import { identity } from '../../test/helpers/network.ts';
import {
  createCluster,
  eventually,
  waitForConvergence,
  type PeerProcess,
} from '../../test/net/cluster.ts';
import { metric, ratios } from '../lib/metric.ts';
import type { Scenario } from '../lib/types.ts';

const JOBS = 24;
const DIFFICULTY = 14;
const IN_FLIGHT = 6;

interface Job {
  state: string;
  settled: string | null;
}

export const dnec: Scenario = {
  id: 's7-dnec',
  title: 'DNEC throughput (pow jobs, 5 peers)',
  async run(ctx) {
    const [consumer, p1, p2, w1, w2] = ['consumer', 'p1', 'p2', 'w1', 'w2'].map((n) =>
      identity(`bench-dnec-${n}`),
    ) as [
      ReturnType<typeof identity>,
      ReturnType<typeof identity>,
      ReturnType<typeof identity>,
      ReturnType<typeof identity>,
      ReturnType<typeof identity>,
    ];
    const cluster = await createCluster({
      founder: w1,
      witnesses: [w1, w2],
      allocations: [[consumer, 10n ** 12n]],
    });
    ctx.scope.defer(() => cluster.close());
    const first = await cluster.spawnPeer('w1', w1);
    const relays = [first.started.relayUrl as string];
    await cluster.spawnPeer('w2', w2, { relays });
    const providers = [
      await cluster.spawnPeer('p1', p1, { relays, market: { provide: ['pow'] } }),
      await cluster.spawnPeer('p2', p2, { relays, market: { provide: ['pow'] } }),
    ];
    const buyer = await cluster.spawnPeer('consumer', consumer, { relays });
    await waitForConvergence(cluster.peers, 60_000, (s) => s.every((x) => x.transactions !== null));
    for (const provider of providers) {
      await provider.call('offer', { service: 'pow', capacity: String(1n << 40n), rate: '1' });
    }
    await waitForConvergence(cluster.peers, 30_000);
    ctx.log('5 peers up, both providers offering pow');

    const settledPerMin: number[] = [];
    const lifecycleMs: number[] = [];
    const bareMs: number[] = [];
    for (let run = 0; run < ctx.runs; run++) {
      const started = performance.now();
      await runJobs(buyer, run);
      const elapsed = performance.now() - started;
      lifecycleMs.push(elapsed);
      settledPerMin.push((JOBS * 60_000) / elapsed);
      bareMs.push(await bare(run));
      ctx.log(
        `run ${run + 1}: ${JOBS} jobs settled in ${(elapsed / 1000).toFixed(1)} s; bare ${(bareMs.at(-1)! / 1000).toFixed(1)} s`,
      );
    }
    return {
      sizes: { peers: 5, jobsPerRun: JOBS, difficulty: DIFFICULTY, inFlight: IN_FLIGHT },
      primary: 'perMinute',
      also: ['lifecycle'],
      anchor: { label: 'the same jobs solved bare', metric: 'bare' },
      ratio: { label: 'life cycle / bare computation', metric: 'ratio' },
      target: { text: 'none set (the issue asks for the figure and the overhead)', pass: null },
      metrics: [
        metric('perMinute', 'pow jobs settled per minute', 'jobs/min', 'higher', settledPerMin),
        metric('lifecycle', `${JOBS} jobs, request → settled`, 'ms', 'lower', lifecycleMs),
        metric('bare', `${JOBS} jobs solved bare (2 workers)`, 'ms', 'lower', bareMs),
        metric('ratio', 'life cycle / bare', '×', 'lower', ratios(lifecycleMs, bareMs)),
      ],
      notes: [
        `${IN_FLIGHT} jobs in flight at a time; providers solve with the default worker count; every job is escrowed, accepted, delivered, dated by 2 witnesses and settled`,
      ],
      why: [],
    };
  },
};

/** Keeps IN_FLIGHT requests open until JOBS are settled. */
async function runJobs(buyer: PeerProcess, run: number): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < JOBS) {
      const n = next++;
      const { id } = await buyer.call<{ id: string }>('request', {
        service: 'pow',
        difficulty: DIFFICULTY,
        data: `bench ${run} ${n}`,
        volume: String(1 << DIFFICULTY),
      });
      const job = await eventually(
        () => buyer.call<Job>('job', { id }),
        (j) => j.settled !== null,
        120_000,
      );
      if (job.settled !== 'completed')
        throw new Error(`job ${n} ended ${job.settled ?? job.state}`);
    }
  };
  await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
}

async function bare(run: number): Promise<number> {
  const started = performance.now();
  for (let n = 0; n < JOBS; n++) {
    await solvePow({ data: utf8(`bench ${run} ${n}`), difficulty: DIFFICULTY });
  }
  return performance.now() - started;
}
