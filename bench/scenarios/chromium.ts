// 8. The engine as the browser and the desktop app run it, in Debian's Chromium (driven by
// playwright-core), against the same engine under Node, in the same run:
// - initial sync of N transactions from a Node founder over real WebRTC on 127.0.0.1, timed
//   from starting the page's engine on an empty IndexedDB until its ledger holds all N + 1;
//   the Node engine's time is a Node joiner process doing the same (spawn to all N + 1);
// - cold start: the page reloaded, the engine opened on the IndexedDB it filled, until ready;
//   against the Node joiner restarted on its file log (spawn until started);
// - the UI's share of the thread: the longest main-thread task during the sync, and how many
//   took over 50 ms (Long Tasks API), on the page that runs the engine (no UI drawn);
// - idle cost: the CPU an idle synced peer uses over IDLE_MS (after IDLE_WARMUP_MS), in % of one
//   core: the Node joiner's process CPU, and the page's main-thread task time (CDP
//   Performance.getMetrics), each with one connection (to the founder).
// The page is the peer acceptance suite's browser subject (test/acceptance/browser/main.ts).
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { toHex } from '../../shared/bytes.ts';
import { newUser, startWorld } from '../../test/e2e/harness.ts';
import { buildBrowserSubject, SUBJECT_DIR } from '../../test/acceptance/platforms.ts';
import type {} from '../../test/acceptance/browser/main.ts';
import { seedDataDir } from '../lib/ledgerData.ts';
import { browserFigures, browserRuns, IDLE_NOTE } from '../lib/browserFigures.ts';
import { BenchPeer } from '../lib/peers.ts';
import { sleep } from '../lib/stats.ts';
import type { Scenario } from '../lib/types.ts';
import { SECRET, stableCount } from './initialSync.ts';

const IDLE_MS = 20_000;
/**
 * An idle peer is measured this long after its sync: right after, the garbage collector is still
 * giving back the sync's memory, which a 20 s window would count as idle cost.
 */
const IDLE_WARMUP_MS = 30_000;

export async function pageCall<T>(
  page: Page,
  cmd: string,
  args: Record<string, unknown> = {},
): Promise<T> {
  return JSON.parse(
    await page.evaluate(([c, a]) => window.gpowSubject.call(c, a), [cmd, args] as const),
  ) as T;
}

async function pageUntilValid(page: Page, target: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    // 'count', not 'status': the state root status computes would be a long task of our own.
    if ((await pageCall<number>(page, 'count')) >= target) return;
    await sleep(200);
  }
  throw new Error(`the page's engine did not reach ${target} valid transactions`);
}

/**
 * The page's main-thread busy time (CDP's TaskDuration, seconds) over `ms`. One session, enabled
 * once: enabling the Performance domain starts its counters afresh.
 */
export async function mainThreadBusy(page: Page, ms: number): Promise<number> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Performance.enable');
  const busy = async () => {
    const { metrics } = await cdp.send('Performance.getMetrics');
    return metrics.find((m) => m.name === 'TaskDuration')?.value ?? 0;
  };
  const before = await busy();
  await sleep(ms);
  const after = await busy();
  await cdp.detach();
  return after - before;
}

export const chromium: Scenario = {
  id: 's8-chromium',
  title: 'The app’s engine in Chromium, against Node',
  async run(ctx) {
    const n = ctx.size;
    const large = await ctx.large(n);
    const dir = await ctx.scope.tempDir('chromium');
    const founderDir = join(dir, 'founder');
    await seedDataDir(founderDir, large);
    await buildBrowserSubject();
    const world = await startWorld(SUBJECT_DIR);
    ctx.scope.defer(() => world.close());
    ctx.log(`Chromium isolation: ${world.isolation}`);
    const wrap =
      world.namespacePid === null
        ? []
        : ['nsenter', `--net=/proc/${world.namespacePid}/ns/net`, '--'];
    const peerOptions = {
      networkId: large.genesis.id,
      secret: SECRET,
      relays: [world.relayUrl],
      track: false,
    };
    const founder = await BenchPeer.spawn(
      ctx.scope,
      'founder',
      {
        ...peerOptions,
        dataDir: founderDir,
        secretKey: toHex(large.founder.secret),
        witness: true,
      },
      { startTimeoutMs: 120_000, wrap },
    );
    await stableCount(founder, n + 1);

    const r = browserRuns();
    for (let run = 0; run < ctx.runs; run++) {
      // The Node engine: a joiner process from nothing to every transaction.
      const joinerDir = join(dir, `node-joiner-${run}`);
      const spawnJoiner = () =>
        BenchPeer.spawn(
          ctx.scope,
          `node-joiner-${run}`,
          { ...peerOptions, dataDir: joinerDir },
          {
            startTimeoutMs: 120_000,
            wrap,
          },
        );
      let joiner = await spawnJoiner();
      await stableCount(joiner, n + 1);
      r.node.push(Date.now() - joiner.spawnedAt);
      const marks = await joiner.call<Record<string, number>>('marks');
      ctx.log(
        `Node joiner marks (ms after spawn): ${Object.entries(marks)
          .map(([k, v]) => `${k} ${v - joiner.spawnedAt}`)
          .join(', ')}`,
      );
      await sleep(IDLE_WARMUP_MS);
      const cpuBefore = await joiner.call<number>('cpu');
      await sleep(IDLE_MS);
      r.nodeIdle.push((((await joiner.call<number>('cpu')) - cpuBefore) / 1000 / IDLE_MS) * 100);
      await joiner.stop();
      joiner = await spawnJoiner();
      r.nodeCold.push(Date.now() - joiner.spawnedAt);
      await joiner.stop();

      // The browser engine: a fresh profile, the page's engine from nothing to every transaction.
      const context = await newUser(world.browser);
      ctx.scope.defer(() => context.close());
      const page = await context.newPage();
      const options = {
        store: `bench-${run}`,
        networkId: large.genesis.id,
        secret: SECRET,
        relays: [world.relayUrl],
      };
      const open = async () => {
        await page.goto(world.appUrl);
        await page.waitForFunction(() => window.gpowSubject !== undefined);
        const started = Date.now();
        await page.evaluate((o) => window.gpowSubject.start(o), options);
        return started;
      };
      const syncStart = await open();
      await page.evaluate(() => window.gpowSubject.resetLongTasks());
      await pageUntilValid(page, n + 1, 300_000);
      r.page.push(Date.now() - syncStart);
      const tasks = await page.evaluate(() => window.gpowSubject.longTasks());
      r.longest.push(tasks.maxMs);
      r.over50.push(tasks.count);
      await pageCall(page, 'settled');
      await sleep(IDLE_WARMUP_MS);
      r.pageIdle.push(((await mainThreadBusy(page, IDLE_MS)) / (IDLE_MS / 1000)) * 100);
      await pageCall(page, 'exit');
      const coldStart = await open();
      await pageUntilValid(page, n + 1, 120_000);
      r.pageCold.push(Date.now() - coldStart);
      await pageCall(page, 'exit');
      await context.close();
      ctx.log(
        `run ${run + 1}: sync ${r.page.at(-1)} ms (Node ${r.node.at(-1)} ms), cold ${r.pageCold.at(-1)} ms (Node ${r.nodeCold.at(-1)} ms), longest task ${r.longest.at(-1)?.toFixed(0)} ms`,
      );
    }
    return {
      sizes: { transactions: n },
      ...browserFigures(r, 'Sync', 'initial sync'),
      notes: [
        `Chromium: ${world.isolation === 'namespace' ? 'in a network namespace with only lo' : 'loopback-only candidates'}; the page runs the engine without the UI, so its long tasks are the engine's share of the UI's thread.`,
        IDLE_NOTE,
      ],
      why: [],
    };
  },
};
