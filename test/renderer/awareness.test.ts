// The menu's badges (ui/awareness.ts, state/seen.ts): what waits for the provider's answer and
// the validators' verdicts on a real market ledger, messages received since a conversation was
// last read, the badge in the rendered menu with its words ("1 new"), gone once seen and kept
// seen across a reload.
import { createElement } from 'react';
import { describe, expect, it } from 'vitest';
import { fromHex } from '../../shared/bytes.ts';
import { computeCost, computeResultHash, runCompute } from '../../shared/dnec/compute.ts';
import { instanceView } from '../../shared/dnec/queries.ts';
import { identityFromMnemonic } from '../../shared/identity/mnemonic.ts';
import { keyHexOf, type KeyHex } from '../../shared/ids.ts';
import { signTx } from '../../shared/tx/envelope.ts';
import { composeAction } from '../../shared/wallet/dnecCompose.ts';
import type { ChatMessage } from '../../engine/ssk.ts';
import { en } from '../../renderer/i18n/en.ts';
import { HistoryTable } from '../../renderer/ui/screens/History.tsx';
import { Conversation } from '../../renderer/ui/screens/Messages.tsx';
import { loadSeen, seenSlice, SEEN_KEY, type Seen } from '../../renderer/state/seen.ts';
import { latestReceived, unreadIn, unseenCount, waitingFor } from '../../renderer/ui/awareness.ts';
import { newMarket } from '../helpers/market.ts';
import { identity } from '../helpers/network.ts';
import { memoryStorage, PHRASE, testApp } from './fixtures.ts';
import { at, escaped, render, renderNowIn, withStubbedGlobals } from './render.ts';

withStubbedGlobals();

const COMPUTE_JOB = { fn: 'count-primes', input: new Uint8Array([0, 0, 0x27, 0x10]) };
const accepted = (outcome: { status: string; rejection?: { message: string } }) =>
  expect(outcome.rejection?.message ?? outcome.status).toBe('accepted');

describe('what waits on a market ledger', () => {
  it('counts a request until the provider answers, then the verdicts until each is given', async () => {
    const market = await newMarket([
      ['consumer', 1000n],
      ['provider', 0n],
      ['v1', 50n],
      ['v2', 50n],
    ]);
    for (const v of ['v1', 'v2']) {
      accepted((await market.act(v, 'bond', { amount: 10n }, { debit: 10n })).outcome);
    }
    const offer = { service: 'compute', capacity: 10_000n, rate: 1n };
    accepted((await market.act('provider', 'offer', offer)).outcome);
    await market.voteAll(10);
    const key = (name: string) => market.who(name).key;
    const request = await market.request('consumer', 'provider', {
      service: 'compute',
      rate: 1n,
      volume: computeCost(COMPUTE_JOB),
      fee: 3n,
      m: 2,
      k: 2,
      job: COMPUTE_JOB,
    });
    accepted(request.outcome);
    expect(waitingFor(market.ledger, key('provider'), 0)).toEqual({
      provider: [request.id],
      validator: [],
    });
    expect(waitingFor(market.ledger, key('consumer'), 0)).toEqual({ provider: [], validator: [] });

    const accept = await market.act(
      'provider',
      'accept',
      { request: fromHex(request.id) },
      {
        deps: [request.id],
      },
    );
    accepted(accept.outcome);
    expect(waitingFor(market.ledger, key('provider'), 0).provider).toEqual([]);
    const reveal = { request: fromHex(request.id), accept: fromHex(accept.tx.id) };
    accepted(
      (
        await market.act(
          'consumer',
          'reveal',
          { ...reveal, reveal: request.reveal },
          { deps: [accept.tx.id] },
        )
      ).outcome,
    );
    const hash = computeResultHash(runCompute(COMPUTE_JOB));
    const deliver = { request: fromHex(request.id), hash };
    accepted((await market.act('provider', 'deliver', deliver, { deps: [request.id] })).outcome);
    await market.voteAll(500);
    const committee = instanceView(market.ledger, request.id)?.committee ?? [];
    expect(committee).toHaveLength(2);
    for (const member of committee) {
      expect(waitingFor(market.ledger, member, 0).validator).toEqual([request.id]);
    }
    const first = ['v1', 'v2'].find((n) => key(n) === committee[0]) as string;
    accepted((await market.verdict(first, request.id, true)).outcome);
    expect(waitingFor(market.ledger, committee[0] as KeyHex, 0).validator).toEqual([]);
    expect(waitingFor(market.ledger, committee[1] as KeyHex, 0).validator).toEqual([request.id]);
  });

  it('counts as new only what was not waiting when the screen was last open', () => {
    expect(unseenCount(['a', 'b'], [])).toBe(2);
    expect(unseenCount(['a', 'b'], ['a'])).toBe(1);
    expect(unseenCount(['a'], ['a', 'gone'])).toBe(0);
  });
});

describe('unread messages', () => {
  const me = identity('awareness me').key;
  const them = identity('awareness them').key;
  const message = (id: string, from: KeyHex, time: number): ChatMessage => ({
    id,
    from,
    text: id,
    epoch: 1,
    counter: 0,
    time,
    state: from === me ? 'delivered' : 'received',
  });
  const log = [message('hi', them, 10), message('reply', me, 20), message('again', them, 30)];

  it('counts what the partner sent after the conversation was last read, never your own', () => {
    expect(unreadIn(log, me, undefined)).toBe(2);
    expect(unreadIn(log, me, 10)).toBe(1);
    expect(unreadIn(log, me, 30)).toBe(0);
    expect(latestReceived(log, me)).toBe(30);
    expect(latestReceived([message('mine', me, 5)], me)).toBeNull();
  });

  it('remembers what was read across a reload, and starts empty from storage it cannot read', () => {
    const storage = memoryStorage();
    let seen: Seen = loadSeen(storage);
    const slice = seenSlice(
      storage,
      () => seen,
      (update) => (seen = update.seen),
    );
    slice.markConversationSeen(them, 30);
    slice.markConversationSeen(them, 10); // an older mark does not move it back
    slice.markWaitingSeen('provider', ['r1']);
    expect(loadSeen(storage)).toEqual({
      messages: { [them]: 30 },
      provider: ['r1'],
      validator: [],
    });
    storage.setItem(
      SEEN_KEY,
      JSON.stringify({ messages: { nothex: 1 }, provider: [], validator: [] }),
    );
    expect(loadSeen(storage)).toEqual({ messages: {}, provider: [], validator: [] });
    storage.setItem(SEEN_KEY, '{not json');
    expect(loadSeen(storage)).toEqual({ messages: {}, provider: [], validator: [] });
  });
});

const bob = identity('awareness bob');

/** This wallet, alone in a new network with Bob, who has money to ask for work. */
async function networkApp(name: string) {
  const app = testApp(name);
  await app.store.getState().boot();
  await app.store.getState().createIdentity(PHRASE, 'correct horse');
  const me = keyHexOf(identityFromMnemonic(PHRASE).publicKey);
  await app.store.getState().createNetwork({
    name,
    witnesses: [me],
    allocations: [
      [me, 100n],
      [bob.key, 100n],
    ],
    creditLimit: 0n,
  });
  const runtime = app.store.getState().runtime;
  const ledger = runtime?.ledger;
  if (!runtime || !ledger) throw new Error('no runtime');
  return { app, me, runtime, ledger };
}

describe('the badge in the menu', () => {
  it('says how many requests are new for the provider, and goes once they were seen', async () => {
    const { app, me, runtime, ledger } = await networkApp('awareness');
    // Bob asks this wallet for a small pow job, answerable until far in the future.
    const far = Date.now() + 10 * 365 * 24 * 3600 * 1000;
    const body = {
      service: 'pow',
      provider: fromHex(me),
      volume: 2n,
      rate: 1n,
      fee: 0n,
      m: 0,
      k: 0,
      pool: [],
      deadlines: [far, far + 1, far + 2, far + 3],
      commitment: new Uint8Array(32).fill(7),
      job: { data: new Uint8Array([1, 2, 3]), difficulty: 1 },
    };
    const composed = composeAction(ledger, bob.key, 'request', body, { debit: 2n, time: 1 });
    if (!composed.ok) throw new Error(composed.rejection.message);
    await runtime.importTransaction(signTx(bob.secret, composed.tx));
    app.store.setState((s) => ({ ledgerVersion: s.ledgerVersion + 1 }));

    const badge = `${en['nav.provider']} <span class="badge new">1 new</span>`;
    at('wallet');
    expect(render(app)).toContain(badge);
    // The open screen shows the request itself: no badge there.
    at('provider');
    expect(render(app)).not.toContain('1 new');
    // What the Provider screen marks once it showed the request.
    const waiting = waitingFor(ledger, me).provider;
    expect(waiting).toHaveLength(1);
    app.store.getState().markWaitingSeen('provider', waiting);
    at('wallet');
    expect(render(app)).not.toContain('1 new');
    expect(render(app)).toContain(en['nav.provider']);
  });
});

describe('empty screens', () => {
  it('say what to do next, with a link where the step is on another screen', async () => {
    const { app } = await networkApp('awareness empty');
    const shows = (path: string, ...texts: string[]) => {
      at(path);
      const html = render(app);
      for (const text of texts) expect(html, `${path}: ${text}`).toContain(escaped(text));
    };
    // The starting balance is already history here: the table is shown empty, then filtered.
    const table = (filtered: boolean) =>
      renderNowIn(app, createElement(HistoryTable, { entries: [], caption: 'h', filtered }));
    expect(table(false)).toContain(en['history.empty']);
    expect(table(false)).toContain(`href="#/receive">${en['history.empty.receive']}`);
    expect(table(false)).toContain(`href="#/send">${en['history.empty.send']}`);
    expect(table(true)).toContain(en['history.noMatch']);
    expect(table(true)).not.toContain(en['history.empty']);
    shows('contacts', en['contacts.empty']);
    const chat = renderNowIn(app, createElement(Conversation, { partner: bob.key }));
    expect(chat).toContain(en['messages.noMessages']);
    shows('messages', en['messages.noPartners'], en['messages.noPartners.contacts']);
    shows('provider', en['provider.noOffers'], en['provider.noIncoming'], en['provider.noJobs']);
    shows('provider', en['provider.noEarnings'], en['market.noActivity']);
    shows('validator', en['validator.noBonds'], en['validator.noAssigned']);
    shows('services', en['services.noneMine']);
  });
});
