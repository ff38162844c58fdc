// 15. Joining a long-lived network in Chromium, against Node (issue 14's browser figures, as a
// network that checkpoints is joined since issue 17): s13's network (a founder that certified a
// checkpoint over `size` ring transactions and replicates only what follows it), joined over real
// WebRTC on 127.0.0.1 by the engine as the browser and the desktop app run it (the acceptance
// suite's page subject, no UI) and by a Node peer, in the same run:
// - join: from starting the engine on an empty store until its ledger holds the founder's chain
//   up to its latest transaction and its first sync went through (it must start from the
//   snapshot: a join that took the whole history is an error);
// - the UI's share of the thread during the page's join: the longest main-thread task and how
//   many took over 50 ms (Long Tasks API);
// - cold start: the engine opened again on what it saved, until it holds the founder's head;
// - idle: CPU of the idle joined peer over IDLE_MS, after IDLE_WARMUP_MS, in % of one core.
import type { Page } from 'playwright-core';
import type { NetworkId } from '../../shared/ids.ts';
import { newUser, startWorld } from '../../test/e2e/harness.ts';
import { buildBrowserSubject, SUBJECT_DIR } from '../../test/acceptance/platforms.ts';
import type {} from '../../test/acceptance/browser/main.ts';
import { browserFigures, browserRuns, IDLE_NOTE } from '../lib/browserFigures.ts';
import { longestStretch } from '../lib/profile.ts';
import { sleep } from '../lib/stats.ts';
import type { BenchContext, Scenario } from '../lib/types.ts';
import { SECRET } from './initialSync.ts';
import { mainThreadBusy, pageCall } from './chromium.ts';
import { certifiedNetwork, joinOnce, spawnJoiner, type Network } from './joinAtScale.ts';

const IDLE_MS = 20_000;
const IDLE_WARMUP_MS = 30_000;

/** Polls the page's engine until it holds the founder's chain up to `seq`. */
async function pageAtHead(page: Page, net: Network, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if ((await pageCall<number>(page, 'head', { author: net.head.author })) >= net.head.seq) return;
    await sleep(100);
  }
  throw new Error(`the page's engine did not reach the founder's head ${net.head.seq}`);
}

/** The Node side: a join, its idle cost, and a cold start on what it saved. */
async function nodeRun(ctx: BenchContext, net: Network, run: number, wrap: readonly string[]) {
  const name = `node-${run}`;
  const joined = await joinOnce(ctx, net, name, wrap, true);
  const spawn = () => spawnJoiner(ctx, net, name, wrap);
  let peer = await spawn();
  await peer.waitEvent('at-head', 120_000);
  await sleep(IDLE_WARMUP_MS);
  const cpuBefore = await peer.call<number>('cpu');
  await sleep(IDLE_MS);
  const idle = (((await peer.call<number>('cpu')) - cpuBefore) / 1000 / IDLE_MS) * 100;
  await peer.stop();
  peer = await spawn();
  const cold = Number((await peer.waitEvent('at-head', 120_000)).at) - peer.spawnedAt;
  await peer.stop();
  return { join: joined.settled, atHead: joined.ms, cold, idle };
}

/** The browser side, in a fresh profile: the same join, its long tasks, idle and cold start. */
async function pageRun(
  ctx: BenchContext,
  world: Awaited<ReturnType<typeof startWorld>>,
  net: Network,
  run: number,
) {
  const context = await newUser(world.browser);
  try {
    const page = await context.newPage();
    const options = {
      store: `join-${run}`,
      networkId: net.networkId as NetworkId,
      secret: SECRET,
      relays: net.relays,
    };
    const open = async () => {
      await page.goto(world.appUrl);
      await page.waitForFunction(() => window.gpowSubject !== undefined);
      await page.evaluate(() => window.gpowSubject.resetLongTasks());
      const started = Date.now();
      await page.evaluate((o) => window.gpowSubject.start(o), options);
      return started;
    };
    const cdp = ctx.profile ? await page.context().newCDPSession(page) : null;
    await cdp?.send('Profiler.enable');
    await cdp?.send('Profiler.start');
    const joinStart = await open();
    await pageAtHead(page, net, 300_000);
    const atHead = Date.now() - joinStart;
    await pageCall(page, 'settled');
    const joined = Date.now() - joinStart;
    if (cdp) {
      // --profile: what the longest stretch of main-thread work during the join was made of.
      const { profile } = await cdp.send('Profiler.stop');
      const stretch = longestStretch(profile);
      ctx.log(`longest busy stretch ${stretch.ms.toFixed(0)} ms: ${stretch.frames.join('; ')}`);
      await cdp.detach();
    }
    const base = await pageCall<number | null>(page, 'base');
    if (base === null) throw new Error('the page joined without the snapshot: it took the history');
    const tasks = await page.evaluate(() => window.gpowSubject.longTasks());
    await sleep(IDLE_WARMUP_MS);
    const idle = ((await mainThreadBusy(page, IDLE_MS)) / (IDLE_MS / 1000)) * 100;
    await pageCall(page, 'exit');
    const coldStart = await open();
    await pageAtHead(page, net, 120_000);
    const cold = Date.now() - coldStart;
    await pageCall(page, 'exit');
    return { join: joined, atHead, cold, idle, longest: tasks.maxMs, over50: tasks.count };
  } finally {
    await context.close();
  }
}

export const chromiumJoin: Scenario = {
  id: 's15-chromium-join',
  title: 'Joining a long-lived network in Chromium, against Node',
  timeoutMs: 60 * 60_000,
  ownData: true,
  async run(ctx) {
    if (ctx.profile) process.env.GPOW_SUBJECT_READABLE = '1';
    await buildBrowserSubject();
    const world = await startWorld(SUBJECT_DIR);
    ctx.scope.defer(() => world.close());
    const wrap =
      world.namespacePid === null
        ? []
        : ['nsenter', `--net=/proc/${world.namespacePid}/ns/net`, '--'];
    const net = await certifiedNetwork(ctx, ctx.size, { relays: [world.relayUrl], wrap });
    const r = browserRuns();
    for (let run = 0; run < ctx.runs; run++) {
      const node = await nodeRun(ctx, net, run, wrap);
      const page = await pageRun(ctx, world, net, run);
      r.node.push(node.join);
      r.page.push(page.join);
      r.nodeCold.push(node.cold);
      r.pageCold.push(page.cold);
      r.nodeIdle.push(node.idle);
      r.pageIdle.push(page.idle);
      r.longest.push(page.longest);
      r.over50.push(page.over50);
      ctx.log(
        `run ${run + 1}: join ${page.join} ms, at the head after ${page.atHead} ms (Node ${node.join} ms, ${node.atHead} ms), cold ${page.cold} ms (Node ${node.cold} ms), longest task ${page.longest.toFixed(0)} ms (${page.over50} over 50 ms), idle ${page.idle.toFixed(2)}% (Node ${node.idle.toFixed(2)}%)`,
      );
    }
    return {
      sizes: { transactions: net.n },
      ...browserFigures(r, 'Join', 'join'),
      notes: [
        `s13's network: ${net.n.toLocaleString('en')} transactions of history, the founder the only witness, certifying a checkpoint at start and replicating only what follows it; Chromium ${world.isolation === 'namespace' ? 'in a network namespace with only lo' : 'with loopback-only candidates'}; the page runs the engine without the UI, so its long tasks are the engine's share of the UI's thread.`,
        IDLE_NOTE,
      ],
      why: [],
    };
  },
};
