// Following a re-founding in the app (docs/protocol.md §13.6), from the app's own store: the
// engine re-founds the network (engine/refound.ts, as "gpow network refound" does on a peer) and
// Bob announces a second one; the Network screen lists both with names, witnesses and the
// balance this identity carries over; Follow moves the stored network (same secret and relays),
// keeps the old log, waits for the genesis, compares it with what was held, and goes back; a
// new network that cannot start leaves the old one current. Clicks are not simulated (no DOM
// here): the confirmation is rendered as it is shown, and the action is the store's.
import { createElement } from 'react';
import { describe, expect, it, vi } from 'vitest';
import { toHex } from '../../shared/bytes.ts';
import { identityFromMnemonic } from '../../shared/identity/mnemonic.ts';
import { keyHexOf } from '../../shared/ids.ts';
import { nextPosition } from '../../shared/ledger/ledger.ts';
import { REFOUND_TYPE, refoundBody, refoundSentence } from '../../shared/net/refound.ts';
import { LEDGER_MAP } from '../../shared/replication/screen.ts';
import { signTx } from '../../shared/tx/envelope.ts';
import { genesisBody } from '../../shared/tx/genesis.ts';
import { composeProfile } from '../../shared/wallet/profile.ts';
import { refoundNetwork } from '../../engine/refound.ts';
import { en } from '../../renderer/i18n/en.ts';
import { translator } from '../../renderer/i18n/i18n.ts';
import { webAdmit } from '../../renderer/platform/webVerify.ts';
import { logNameOf } from '../../renderer/state/appStore.ts';
import { UserError } from '../../renderer/state/errors.ts';
import { loadNetwork } from '../../renderer/state/persisted.ts';
import {
  followedNetwork,
  FOLLOWED_KEY,
  loadFollowed,
  refoundOffers,
} from '../../renderer/state/refound.ts';
import { openIndexedDbLogStore } from '../../renderer/storage/indexedDbLogStore.ts';
import { FollowConfirm } from '../../renderer/ui/screens/Refound.tsx';
import { identity } from '../helpers/network.ts';
import { PHRASE, testApp, type TestApp } from './fixtures.ts';
import { at, escaped, render, renderIn, withStubbedGlobals } from './render.ts';

const t = translator('en');
const ME = keyHexOf(identityFromMnemonic(PHRASE).publicKey);
const BOB = identity('bob');
const RELAY = 'ws://127.0.0.1:4444';

withStubbedGlobals();
/** The store hears of changes on a timer; the page reads the ledger on the next render. */
const changed = (app: TestApp) => {
  const runtime = app.store.getState().runtime;
  app.store.setState((s) => ({
    ledgerVersion: s.ledgerVersion + 1,
    status: runtime?.status() ?? null,
  }));
};

const runtimeOf = (app: TestApp) => {
  const runtime = app.store.getState().runtime;
  if (runtime === null) throw new Error('no runtime');
  return runtime;
};

/**
 * The old network: ME pays Bob 250 of 1000 (so ME carries 750, not the 1000 it was given), Bob
 * signs a profile, ME re-founds it through the engine, and Bob announces another re-founding.
 */
async function refounded(app: TestApp, name: string) {
  await app.store.getState().boot();
  await app.store.getState().createIdentity(PHRASE, 'correct horse');
  await app.store.getState().updateSettings({ relays: [RELAY] });
  await app.store.getState().createNetwork({
    name,
    witnesses: [ME],
    allocations: [
      [ME, 1000n],
      [BOB.key, 200n],
    ],
    creditLimit: 0n,
  });
  const runtime = runtimeOf(app);
  await app.store.getState().send(BOB.key, 250n);
  const ledger = runtime.ledger;
  if (ledger === null) throw new Error('no ledger');
  const profile = composeProfile(ledger, BOB.key, { name: 'Bob' }, 5);
  if (!profile.ok) throw new Error(profile.rejection.message);
  await runtime.importTransaction(signTx(BOB.secret, profile.tx));
  const done = await refoundNetwork(runtime, { name: 'New Co-op', witnesses: [ME] }, webAdmit);
  // Bob's network gives him 10,000 and ME nothing, and carries nothing over: an offer to check.
  const bobs = await webAdmit(
    signTx(BOB.secret, {
      net: null,
      seq: 0,
      prev: null,
      deps: [],
      type: 'genesis',
      body: genesisBody({
        name: 'Bob’s Co-op',
        witnesses: [BOB.key],
        allocations: [[BOB.key, 10_000n]],
        creditLimit: 0n,
      }),
      time: 7,
    }),
  );
  if (!bobs.ok) throw new Error(bobs.rejection.message);
  const position = nextPosition(ledger, BOB.key);
  if ('code' in position) throw new Error(position.message);
  const body = refoundBody({
    networkId: bobs.tx.id,
    name: 'Bob’s Co-op',
    witnesses: [BOB.key, ME],
    root: ledger.stateRoot(),
  });
  const unsigned = { net: ledger.networkId, ...position, deps: [], type: REFOUND_TYPE, body };
  await runtime.importTransaction(signTx(BOB.secret, { ...unsigned, time: 10 }));
  await runtime.settled();
  changed(app);
  return { ...done, bobs: bobs.tx };
}

describe('a re-founding announced on the network', () => {
  it('is listed with names, witnesses and the balance this identity carries over', async () => {
    const app = testApp('refound-list');
    const done = await refounded(app, 'Listed Co-op');
    const mine = done.plan.carried.find(([key]) => key === ME)?.[1];
    expect(mine).toBe(750n);
    const offers = refoundOffers(runtimeOf(app).ledger!, ME);
    expect(offers.map((o) => [o.networkId, o.carried])).toEqual([
      [done.bobs.id, 750n],
      [done.genesis.id, 750n],
    ]);

    at('network');
    const html = render(app);
    expect(html).toContain('data-testid="refound-panel"');
    expect(html).toContain(t('refound.title.other', { count: 2 }));
    expect(html).toContain(escaped(t('refound.pick')));
    expect(html.match(/data-testid="refound-offer"/g)).toHaveLength(2);
    expect(html).toContain(`data-network="${done.genesis.id}"`);
    expect(html).toContain('“New Co-op”');
    expect(html).toContain(escaped('“Bob’s Co-op”'));
    expect(html).toContain(`${done.genesis.id.slice(0, 12)}…`);
    // Who announced each and its witnesses, by the names members see.
    expect(html).toMatch(/data-testid="refound-by">Bob, /);
    expect(html).toMatch(new RegExp(`data-testid="refound-by">${en['witnesses.you']}, `));
    // Bob's names both witnesses (sorted by key, as the announcement holds them).
    expect(html).toContain(`data-testid="refound-witnesses">${en['witnesses.you']}, Bob<`);
    expect(html).toContain(`data-testid="refound-witnesses">${en['witnesses.you']}<`);
    // 750, not the 1000 allocated nor the 200 Bob started with.
    expect(html.match(/data-testid="refound-balance">750 units</g)).toHaveLength(2);
    // The engine's sentence tells a CLI user what to run; the panel says it here instead.
    const sentence = refoundSentence(refoundOffers(runtimeOf(app).ledger!, ME)[1]!);
    expect(app.store.getState().status?.problems).toContain(sentence);
    expect(html).not.toContain(escaped(sentence));
    await app.store.getState().lock();
  });

  it('says what following does, then moves the stored network and keeps the old data', async () => {
    const app = testApp('refound-follow');
    const done = await refounded(app, 'Old Co-op');
    const before = app.store.getState().network!;
    const oldId = before.networkId;
    const offer = refoundOffers(runtimeOf(app).ledger!, ME).find(
      (o) => o.networkId === done.genesis.id,
    )!;
    const confirm = renderIn(
      app,
      createElement(FollowConfirm, {
        offer,
        old: 'Old Co-op',
        busy: false,
        onCancel: () => undefined,
        onConfirm: () => undefined,
      }),
    );
    const params = { name: 'New Co-op', old: 'Old Co-op', id: `${done.genesis.id.slice(0, 12)}…` };
    for (const key of ['moves', 'kept', 'pending', 'genesis'] as const)
      expect(confirm).toContain(escaped(t(`refound.confirm.${key}`, params)));
    const oldLog = await openIndexedDbLogStore(logNameOf(oldId), app.factory);
    const kept = (await oldLog.load()).records.map(toHex);
    await oldLog.close();
    expect(kept).toContain(toHex(done.announcement.bytes));

    await app.store.getState().followRefounding(done.genesis.id);
    const moved = { ...before, networkId: done.genesis.id, name: 'New Co-op' };
    expect(loadNetwork(app.storage)).toEqual(moved);
    expect(app.store.getState().network).toEqual(moved);
    expect(runtimeOf(app).networkId).toBe(done.genesis.id);
    expect(runtimeOf(app).relays).toEqual([RELAY]);
    expect(runtimeOf(app).ledger).toBeNull();
    expect(app.store.getState().followed).toMatchObject({ to: done.genesis.id, held: 750n });
    expect(loadFollowed(app.storage)?.from).toEqual(before);
    // The old log is where it was, whole.
    const again = await openIndexedDbLogStore(logNameOf(oldId), app.factory);
    const records = (await again.load()).records.map(toHex);
    await again.close();
    // What stopping flushed may follow, but nothing that was there is gone.
    expect(records.slice(0, kept.length)).toEqual(kept);

    at('network');
    changed(app);
    let html = render(app);
    expect(html).toContain('data-testid="followed-waiting"');
    expect(html).not.toContain('data-testid="refound-panel"');
    // The genesis arrives in the shared doc, as sync from a member already there delivers it;
    // the engine takes it from there (engine/ingest.ts watchForGenesis).
    runtimeOf(app).doc.getMap(LEDGER_MAP).set(done.genesis.id, done.genesis.bytes);
    await vi.waitFor(() => expect(runtimeOf(app).ledger).not.toBeNull());
    changed(app);
    html = render(app);
    expect(html).toContain(
      escaped(t('followed.compare', { old: 'Old Co-op', held: '750 units', given: '750 units' })),
    );
    expect(html).toContain(t('followed.matches'));
    expect(html).not.toContain(escaped(t('followed.notFrom', { old: 'Old Co-op' })));

    // Going back reopens the old network from the log it kept.
    await app.store.getState().returnToFollowed();
    expect(loadNetwork(app.storage)).toEqual(before);
    expect(app.storage.items.has(FOLLOWED_KEY)).toBe(false);
    expect(runtimeOf(app).ledger?.has(done.announcement.id)).toBe(true);
    await app.store.getState().lock();
  });

  it('warns when the genesis that arrives does not give what was held', async () => {
    const app = testApp('refound-differs');
    const done = await refounded(app, 'Checked Co-op');
    await app.store.getState().followRefounding(done.bobs.id);
    expect(app.store.getState().network).toMatchObject({
      networkId: done.bobs.id,
      name: 'Bob’s Co-op',
    });
    runtimeOf(app).doc.getMap(LEDGER_MAP).set(done.bobs.id, done.bobs.bytes);
    await vi.waitFor(() => expect(runtimeOf(app).ledger).not.toBeNull());
    at('network');
    changed(app);
    const html = render(app);
    expect(html).toContain(
      escaped(t('followed.compare', { old: 'Checked Co-op', held: '750 units', given: '0 units' })),
    );
    expect(html).not.toContain(t('followed.matches'));
    expect(html).toContain(escaped(t('followed.differs')));
    expect(html).toContain(escaped(t('followed.notFrom', { old: 'Checked Co-op' })));
    await app.store.getState().lock();
  });

  it('leaves the old network current when the new one cannot start', async () => {
    const failing = { name: '' };
    const holder: { app?: TestApp } = {};
    const app = testApp('refound-fail', undefined, {
      openLog: (name) =>
        name === failing.name
          ? Promise.reject(new Error('the disk is full'))
          : openIndexedDbLogStore(name, holder.app!.factory),
    });
    holder.app = app;
    const done = await refounded(app, 'Stuck Co-op');
    const before = app.store.getState().network!;
    failing.name = logNameOf(done.genesis.id);
    await expect(app.store.getState().followRefounding(done.genesis.id)).rejects.toThrow(
      'the disk is full',
    );
    expect(loadNetwork(app.storage)).toEqual(before);
    expect(app.store.getState().network).toEqual(before);
    expect(app.store.getState().followed).toBeNull();
    expect(app.storage.items.has(FOLLOWED_KEY)).toBe(false);
    // Running again on the old network, with its ledger.
    expect(runtimeOf(app).networkId).toBe(before.networkId);
    expect(runtimeOf(app).ledger?.has(done.announcement.id)).toBe(true);
    expect(app.store.getState().networkError).toBeNull();
    // A device's certificate names this network: a device is told to pair again instead.
    app.store.setState({ device: { account: BOB.key, name: 'phone' } });
    await expect(app.store.getState().followRefounding(done.genesis.id)).rejects.toEqual(
      new UserError('refound.error.device'),
    );
    app.store.setState({ device: null });
    await expect(app.store.getState().followRefounding('ef'.repeat(32))).rejects.toEqual(
      new UserError('refound.error.unknown'),
    );
    expect(loadNetwork(app.storage)).toEqual(before);
    // An announced name the invitation format refuses is left out, never stored as it came.
    const offer = refoundOffers(runtimeOf(app).ledger!, ME)[0]!;
    expect(followedNetwork(before, { ...offer, name: ' Spaced ' })).toEqual({
      networkId: offer.networkId,
      secret: before.secret,
      relays: before.relays,
    });
    await app.store.getState().lock();
  });

  it('reads a kept record back as untrusted input', () => {
    const storage = testApp('refound-record').storage;
    storage.setItem(FOLLOWED_KEY, '{not json');
    expect(loadFollowed(storage)).toBeNull();
    storage.setItem(
      FOLLOWED_KEY,
      JSON.stringify({ version: 1, from: 'gpow:nope', to: 'ab'.repeat(32), held: '5', at: 1 }),
    );
    expect(loadFollowed(storage)).toBeNull();
  });
});
