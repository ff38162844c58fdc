// Native notifications: the pure decisions (renderer/runtime/notifications.ts: new items only,
// batched per kind, only while the user is away, nothing for history present at the start), what
// a real market ledger yields for each party, and the app store asking main through the bridge.
import { IDBKeyRange } from 'fake-indexeddb';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { NotifyArguments } from '../../shared/bridge/contract.ts';
import { fromHex } from '../../shared/bytes.ts';
import { computeCost, computeResultHash, runCompute } from '../../shared/dnec/compute.ts';
import { instanceView } from '../../shared/dnec/queries.ts';
import { identityFromMnemonic } from '../../shared/identity/mnemonic.ts';
import { keyHexOf, type KeyHex } from '../../shared/ids.ts';
import type { Ledger } from '../../shared/ledger/ledger.ts';
import { signTx } from '../../shared/tx/envelope.ts';
import { composeTransfer } from '../../shared/wallet/compose.ts';
import {
  CLOCK_SLACK_MS,
  createNotificationTracker,
  MAX_NOTIFY_COUNT,
  notablesOf,
  notificationAmount,
  type Notable,
} from '../../renderer/runtime/notifications.ts';
import { newMarket, type Market } from '../helpers/market.ts';
import { admit, identity, transfer } from '../helpers/network.ts';
import { PHRASE, testApp, type TestApp } from './fixtures.ts';

const START = 1_800_000_000_000;

const job = (id: string, time = START + 1): Notable => ({ kind: 'new-job', id, time });
const payment = (id: string, amount: bigint, time = START + 1): Notable => ({
  kind: 'payment-received',
  id,
  time,
  amount,
  unit: 'hours',
});
const evaluation = (id: string, time = START + 1): Notable => ({
  kind: 'evaluation-due',
  id,
  time,
});

describe('the notification tracker', () => {
  it('takes the first look as the baseline: nothing already there is announced', () => {
    const tracker = createNotificationTracker({ startedAt: START });
    expect(tracker.observe([job('a'), payment('p', 5n), evaluation('e')], true)).toEqual([]);
    // The same items again: still nothing, they are known.
    expect(tracker.observe([job('a'), payment('p', 5n), evaluation('e')], true)).toEqual([]);
  });

  it('announces only new items, one notification per kind, counted and summed', () => {
    const tracker = createNotificationTracker({ startedAt: START });
    tracker.observe([job('old')], true);
    const out = tracker.observe(
      [job('old'), job('j1'), job('j2'), payment('p1', 30n), payment('p2', 12n), evaluation('e1')],
      true,
    );
    expect(out).toEqual<NotifyArguments[]>([
      ['new-job', { count: 2 }],
      ['payment-received', { amount: '42', unit: 'hours' }],
      ['evaluation-due', { count: 1 }],
    ]);
    // Announced once: the next look with nothing new says nothing.
    expect(tracker.observe([job('j1'), job('j2'), payment('p1', 30n)], true)).toEqual([]);
    expect(tracker.observe([job('j3')], true)).toEqual([['new-job', { count: 1 }]]);
  });

  it('says nothing while the user is looking, and does not bring it up later', () => {
    const tracker = createNotificationTracker({ startedAt: START });
    tracker.observe([], false);
    expect(tracker.observe([payment('seen', 7n)], false)).toEqual([]);
    // The user leaves: only what arrives from now on is announced.
    expect(tracker.observe([payment('seen', 7n), payment('new', 3n)], true)).toEqual([
      ['payment-received', { amount: '3', unit: 'hours' }],
    ]);
  });

  it('leaves out what is dated before the start: old history arriving with a sync', () => {
    const tracker = createNotificationTracker({ startedAt: START });
    tracker.observe([], true);
    const synced = [
      payment('last-year', 500n, START - 365 * 86_400_000),
      job('yesterday', START - 86_400_000),
      evaluation('before-start', START - CLOCK_SLACK_MS - 1),
    ];
    expect(tracker.observe(synced, true)).toEqual([]);
    // A peer whose clock is a little behind still counts as new.
    expect(tracker.observe([...synced, job('skewed', START - 30_000)], true)).toEqual([
      ['new-job', { count: 1 }],
    ]);
  });

  it('keeps counts and amounts within what main accepts', () => {
    const tracker = createNotificationTracker({ startedAt: START });
    tracker.observe([], true);
    const many = Array.from({ length: MAX_NOTIFY_COUNT + 5 }, (_, i) => job(`j${i}`));
    expect(tracker.observe(many, true)).toEqual([['new-job', { count: MAX_NOTIFY_COUNT }]]);
    expect(notificationAmount(1234567n)).toBe('1234567');
    expect(notificationAmount(10n ** 19n)).toBe('10000000000000000000');
    // More than twenty digits is not an amount main shows: no payment notification then.
    expect(notificationAmount(10n ** 20n)).toBeNull();
    expect(tracker.observe([payment('huge', 10n ** 20n)], true)).toEqual([]);
  });
});

// ---- what a market ledger yields for each party ---------------------------------------------

const COMPUTE_JOB = { fn: 'count-primes', input: new Uint8Array([0, 0, 0x27, 0x10]) };

const expectAccepted = (outcome: { status: string; rejection?: { message: string } }) =>
  expect(outcome.rejection?.message ?? outcome.status).toBe('accepted');

async function computeMarket(): Promise<Market> {
  const market = await newMarket([
    ['consumer', 1000n],
    ['provider', 0n],
    ['v1', 50n],
    ['v2', 50n],
    ['v3', 50n],
  ]);
  for (const v of ['v1', 'v2', 'v3']) {
    expectAccepted((await market.act(v, 'bond', { amount: 10n }, { debit: 10n })).outcome);
  }
  expectAccepted(
    (
      await market.act('provider', 'offer', {
        service: 'compute',
        capacity: 10_000n,
        rate: 1n,
      })
    ).outcome,
  );
  await market.voteAll(10);
  return market;
}

const kindsOf = (ledger: Ledger, me: KeyHex, automaticVerdicts = false) =>
  notablesOf(ledger, me, { now: 0, automaticVerdicts }).map((n) => n.kind);

describe('notablesOf on a market ledger', () => {
  it('finds the provider’s new job, the validators’ evaluations and the payments', async () => {
    const market = await computeMarket();
    const key = (name: string) => market.who(name).key;
    const before = notablesOf(market.ledger, key('provider'), { now: 0, automaticVerdicts: false });
    expect(before).toEqual([]);

    const request = await market.request('consumer', 'provider', {
      service: 'compute',
      rate: 1n,
      volume: computeCost(COMPUTE_JOB),
      fee: 3n,
      m: 3,
      k: 2,
      job: COMPUTE_JOB,
    });
    expectAccepted(request.outcome);
    // A job for the provider; nothing for the consumer who asked.
    expect(
      notablesOf(market.ledger, key('provider'), { now: 0, automaticVerdicts: false }),
    ).toEqual([{ kind: 'new-job', id: request.id, time: expect.any(Number) as number }]);
    expect(kindsOf(market.ledger, key('consumer'))).toEqual([]);

    const accept = await market.act(
      'provider',
      'accept',
      { request: fromHex(request.id) },
      { deps: [request.id] },
    );
    expectAccepted(accept.outcome);
    expectAccepted(
      (
        await market.act(
          'consumer',
          'reveal',
          { request: fromHex(request.id), accept: fromHex(accept.tx.id), reveal: request.reveal },
          { deps: [accept.tx.id] },
        )
      ).outcome,
    );
    const hash = computeResultHash(runCompute(COMPUTE_JOB));
    expectAccepted(
      (
        await market.act(
          'provider',
          'deliver',
          { request: fromHex(request.id), hash },
          { deps: [request.id] },
        )
      ).outcome,
    );
    await market.voteAll(500);
    const committee = instanceView(market.ledger, request.id)?.committee ?? [];
    expect(committee).toHaveLength(3);
    const names = ['v1', 'v2', 'v3'];
    const nameOf = (k: KeyHex) => names.find((n) => key(n) === k) as string;
    // Every selected validator has an evaluation due, unless its automation judges compute.
    for (const member of committee) {
      expect(kindsOf(market.ledger, member)).toEqual(['evaluation-due']);
      expect(kindsOf(market.ledger, member, true)).toEqual([]);
    }
    // Judged: no longer due.
    for (const member of committee) {
      expectAccepted((await market.verdict(nameOf(member), request.id, true)).outcome);
      expect(kindsOf(market.ledger, member)).toEqual([]);
    }
    await market.voteAll(600);
    expectAccepted((await market.settle('provider', request.id)).outcome);
    // The settlement pays the provider: a payment, next to its job.
    const provider = notablesOf(market.ledger, key('provider'), {
      now: 0,
      automaticVerdicts: false,
    });
    expect(provider.map((n) => n.kind).sort()).toEqual(['new-job', 'payment-received']);
    expect(provider.find((n) => n.kind === 'payment-received')?.amount).toBe(
      computeCost(COMPUTE_JOB),
    );
    // The validators' fees are settlement credits too.
    expect(kindsOf(market.ledger, committee[0] as KeyHex)).toEqual(['payment-received']);

    // A plain transfer to the provider is a payment; the sender gets nothing.
    const { tx, outcome } = await transfer(
      market.ledger,
      market.who('consumer'),
      market.who('provider'),
      9n,
    );
    expectAccepted(outcome);
    expect(
      notablesOf(market.ledger, key('provider'), { now: 0, automaticVerdicts: false }),
    ).toContainEqual({
      kind: 'payment-received',
      id: tx.id,
      time: tx.time,
      amount: 9n,
      unit: market.ledger.unit,
    });
    expect(kindsOf(market.ledger, key('consumer'))).not.toContain('payment-received');
  });
});

// ---- the app store asks main through the bridge ---------------------------------------------

beforeEach(() => {
  vi.stubGlobal('IDBKeyRange', IDBKeyRange);
});
afterEach(() => {
  vi.unstubAllGlobals();
});

const ME = keyHexOf(identityFromMnemonic(PHRASE).publicKey);
const BOB = identity('bob');
/** How long news gathers before the store looks; the tests wait longer than this. */
const DELAY_MS = 300;
const pause = () => new Promise((resolve) => setTimeout(resolve, 3 * DELAY_MS));

/** The app over the browser bridge, presenting as `platform`, with notify recorded. */
async function storeWithNetwork(
  label: string,
  platform: string,
  away: { now: boolean },
  from?: TestApp,
) {
  let now = START;
  const notify = vi.fn((...args: NotifyArguments) => {
    void args;
    return Promise.resolve({ shown: true });
  });
  const app = testApp(
    label,
    from,
    { clock: { now: () => (now += 1000) }, away: () => away.now, notifyDelayMs: DELAY_MS },
    (base) => ({
      ...base,
      appInfo: () => base.appInfo().then((info) => ({ ...info, platform })),
      notify,
    }),
  );
  await app.store.getState().boot();
  if (from === undefined) {
    await app.store.getState().createIdentity(PHRASE, 'correct horse');
    await app.store.getState().createNetwork({
      name: `Notify ${label}`,
      witnesses: [ME],
      allocations: [
        [ME, 1000n],
        [BOB.key, 500n],
      ],
      creditLimit: 0n,
      unit: 'hours',
    });
  } else {
    await app.store.getState().unlock('correct horse');
  }
  await vi.waitFor(() => expect(app.store.getState().market).not.toBeNull());
  const ledger = app.store.getState().runtime?.ledger;
  if (!ledger) throw new Error('no ledger');
  /** Bob pays me, as a peer's transaction arriving would: dated `time`. */
  const bobPays = async (amount: bigint, time: number) => {
    const composed = composeTransfer(ledger, { from: BOB.key, to: ME, amount, time });
    if (!composed.ok) throw new Error(composed.rejection.message);
    const tx = await admit(signTx(BOB.secret, composed.tx));
    expect(ledger.insert(tx).status).toBe('accepted');
    return tx.id;
  };
  return { app, notify, bobPays, clock: () => now };
}

describe('the app store’s notifications', () => {
  it('asks main only for news that arrives while the user is away, batched', async () => {
    const away = { now: false };
    const { app, notify, bobPays, clock } = await storeWithNetwork('notify', 'linux', away);

    // Looking at the window: nothing.
    await bobPays(10n, clock());
    await pause();
    expect(notify).not.toHaveBeenCalled();

    // Away: two payments arriving together make one notification with their sum.
    away.now = true;
    await bobPays(20n, clock());
    await bobPays(5n, clock());
    await vi.waitFor(() => expect(notify).toHaveBeenCalledOnce());
    expect(notify).toHaveBeenCalledWith('payment-received', { amount: '25', unit: 'hours' });

    // History dated before the start (as a sync brings it) is not news.
    await bobPays(7n, START - 86_400_000);
    await pause();
    expect(notify).toHaveBeenCalledOnce();
    await app.store.getState().lock();
  });

  it('says nothing about what was on the ledger when the app started', async () => {
    const first = await storeWithNetwork('notify-start', 'linux', { now: false });
    const paid = await first.bobPays(40n, first.clock());
    await first.app.store.getState().runtime?.settled();
    await first.app.store.getState().lock();
    expect(first.notify).not.toHaveBeenCalled();

    // The next start, away from the window from the first moment: the payment is old news.
    const away = { now: true };
    const second = await storeWithNetwork('notify-start-2', 'linux', away, first.app);
    expect(second.app.store.getState().runtime?.ledger?.has(paid)).toBe(true);
    await pause();
    expect(second.notify).not.toHaveBeenCalled();
    // Something new still is.
    await second.bobPays(2n, second.clock());
    await vi.waitFor(() =>
      expect(second.notify).toHaveBeenCalledWith('payment-received', {
        amount: '2',
        unit: 'hours',
      }),
    );
    await second.app.store.getState().lock();
  });

  it('asks for nothing in browser mode', async () => {
    const { app, notify, bobPays, clock } = await storeWithNetwork('notify-web', 'web', {
      now: true,
    });
    await bobPays(20n, clock());
    await pause();
    expect(notify).not.toHaveBeenCalled();
    await app.store.getState().lock();
  });
});
