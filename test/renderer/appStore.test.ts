import { IDBKeyRange } from 'fake-indexeddb';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { encodeAddress, parseAddress } from '../../shared/identity/address.ts';
import { identityFromMnemonic } from '../../shared/identity/mnemonic.ts';
import { keyHexOf } from '../../shared/ids.ts';
import { formatInvitation, parseInvitation } from '../../shared/net/invitation.ts';
import { addressOf, historyOf } from '../../renderer/runtime/views.ts';
import { RUNTIME_LOCK } from '../../renderer/state/appStore.ts';
import { UserError } from '../../renderer/state/errors.ts';
import { loadNetwork, NETWORK_KEY } from '../../renderer/state/persisted.ts';
import { admit, identity } from '../helpers/network.ts';
import { composeAction } from '../../shared/wallet/dnecCompose.ts';
import { instanceView } from '../../shared/dnec/queries.ts';
import { signTx } from '../../shared/tx/envelope.ts';
import { PHRASE, testApp, type TestApp } from './fixtures.ts';

beforeEach(() => {
  vi.stubGlobal('IDBKeyRange', IDBKeyRange);
});
afterEach(() => {
  vi.unstubAllGlobals();
});

const ME = keyHexOf(identityFromMnemonic(PHRASE).publicKey);
const BOB = identity('bob').key;

async function unlockedApp(label: string): Promise<TestApp> {
  const app = testApp(label);
  await app.store.getState().boot();
  expect(app.store.getState().phase).toEqual({ kind: 'onboarding' });
  await app.store.getState().createIdentity(PHRASE, 'correct horse');
  return app;
}

async function withNetwork(label: string): Promise<TestApp> {
  const app = await unlockedApp(label);
  await app.store.getState().createNetwork({
    name: 'Test Co-op',
    witnesses: [ME],
    allocations: [
      [ME, 1000n],
      [BOB, 200n],
    ],
    creditLimit: 0n,
  });
  return app;
}

const ledgerOf = (app: TestApp) => {
  const ledger = app.store.getState().runtime?.ledger;
  if (!ledger) throw new Error('no ledger');
  return ledger;
};

describe('the app store', () => {
  it('boots into onboarding, creates an identity and unlocks with signing', async () => {
    const app = await unlockedApp('create');
    const state = app.store.getState();
    expect(state.phase).toEqual({ kind: 'unlocked' });
    expect(state.address).toBe(encodeAddress(identityFromMnemonic(PHRASE).publicKey));
    expect(state.key).toBe(ME);
    expect(state.canSign).toBe(true);
    expect(state.network).toBeNull();
    expect(app.vault.signer()?.key).toBe(ME);
  });

  it('says clearly when the passphrase is wrong, and when there is no bridge', async () => {
    const app = await unlockedApp('wrong');
    await app.store.getState().lock();
    expect(app.store.getState().phase.kind).toBe('locked');
    expect(app.vault.signer()).toBeNull();
    await expect(app.store.getState().unlock('nope')).rejects.toEqual(
      new UserError('unlock.error.wrong-passphrase'),
    );
    const bare = testApp('bare', undefined, { bridge: null });
    await bare.store.getState().boot();
    expect(bare.store.getState().phase).toEqual({ kind: 'no-bridge' });
  });

  it('creates a network, pays, votes as the only witness, and the payment becomes final', async () => {
    const app = await withNetwork('pay');
    const ledger = ledgerOf(app);
    expect(ledger.account(ME).available).toBe(1000n);
    const tx = await app.store.getState().send(BOB, 250n, new TextEncoder().encode('thanks'));
    expect(ledger.account(ME).available).toBe(750n);
    // The founder is the only witness: its own vote finalises the payment.
    await vi.waitFor(() => expect(ledger.status(tx.id).state).toBe('final'));
    expect(ledger.account(BOB)).toMatchObject({ available: 450n, pending: 0n });
    const bobHistory = historyOf(ledger, BOB);
    expect(bobHistory[0]).toMatchObject({
      direction: 'in',
      kind: 'transfer',
      amount: 250n,
      counterparty: ME,
      status: 'final',
      memo: { kind: 'text', text: 'thanks' },
    });
    expect(bobHistory[1]).toMatchObject({ kind: 'allocation', amount: 200n });
    // The store noticed: status and version moved on.
    await vi.waitFor(() => expect(app.store.getState().status?.counts?.pending).toBe(0));
    expect(app.store.getState().ledgerVersion).toBeGreaterThan(0);
    await app.store.getState().lock();
  });

  it('refuses a payment the ledger would refuse, with the core reason', async () => {
    const app = await withNetwork('refuse');
    await expect(app.store.getState().send(BOB, 5000n)).rejects.toMatchObject({
      rejection: { code: 'insufficient-funds' },
    });
    await app.store.getState().lock();
  });

  it('keeps the network and the ledger across a reload', async () => {
    const first = await withNetwork('reload');
    const tx = await first.store.getState().send(BOB, 100n);
    await vi.waitFor(() => expect(ledgerOf(first).status(tx.id).state).toBe('final'));
    await first.store.getState().runtime?.settled();
    const network = first.store.getState().network;
    await first.store.getState().lock();

    const second = testApp('reload-2', first);
    await second.store.getState().boot();
    expect(second.store.getState().phase.kind).toBe('locked');
    await second.store.getState().unlock('correct horse');
    expect(second.store.getState().network).toEqual(network);
    const ledger = ledgerOf(second);
    expect(ledger.status(tx.id).state).toBe('final');
    expect(ledger.account(ME).available).toBe(900n);
    await second.store.getState().lock();
  });

  it('joins a network from an invitation and waits for its genesis', async () => {
    const founder = await withNetwork('founder');
    const invitation = founder.store.getState().network!;
    // y-webrtc allows one room of a name per page: the founder's page closes first.
    await founder.store.getState().lock();
    const joiner = await unlockedApp('joiner');
    await joiner.store.getState().joinNetwork(invitation);
    expect(loadNetwork(joiner.storage)).toEqual(invitation);
    expect(joiner.store.getState().runtime?.ledger).toBeNull();
    expect(joiner.store.getState().status?.counts).toBeNull();
    // Already in a network: another invitation is refused until it leaves.
    const other = parseInvitation(formatInvitation({ ...invitation, networkId: 'ab'.repeat(32) }));
    if (!other.ok) throw new Error(other.error);
    await expect(joiner.store.getState().joinNetwork(other.invitation)).rejects.toEqual(
      new UserError('error.alreadyInNetwork'),
    );
    await joiner.store.getState().leaveNetwork();
    expect(joiner.storage.items.has(NETWORK_KEY)).toBe(false);
    expect(joiner.store.getState().network).toBeNull();
  });

  it('keeps settings and an address book, checking what it saves', async () => {
    const app = await withNetwork('settings');
    await app.store.getState().updateSettings({ relays: ['ws://127.0.0.1:4444'], theme: 'light' });
    expect(app.store.getState().settings).toMatchObject({
      relays: ['ws://127.0.0.1:4444'],
      theme: 'light',
    });
    expect(app.store.getState().runtime?.relays).toEqual(['ws://127.0.0.1:4444']);
    const address = addressOf(BOB);
    app.store.getState().saveContact({ label: ' Bob ', address });
    app.store.getState().saveContact({ label: 'Alice', address: addressOf(ME) });
    expect(app.store.getState().contacts.map((c) => c.label)).toEqual(['Alice', 'Bob']);
    app.store.getState().saveContact({ label: 'Robert', address });
    expect(app.store.getState().contacts.map((c) => c.label)).toEqual(['Alice', 'Robert']);
    expect(() => app.store.getState().saveContact({ label: 'x', address: 'gpow1nope' })).toThrow(
      UserError,
    );
    expect(() => app.store.getState().saveContact({ label: '  ', address })).toThrow(UserError);
    app.store.getState().removeContact(address);
    expect(app.store.getState().contacts.map((c) => c.label)).toEqual(['Alice']);
    // A second page of the same browser reads them back.
    const again = testApp('settings-2', app);
    expect(again.store.getState().contacts.map((c) => c.label)).toEqual(['Alice']);
    expect(again.store.getState().settings.theme).toBe('light');
    expect(parseAddress(again.store.getState().contacts[0]?.address).ok).toBe(true);
    await app.store.getState().lock();
  });

  it('runs a network in one tab only: another tab holding the lock is refused', async () => {
    const taken = new Set<string>();
    const exclusive = (name: string) =>
      Promise.resolve(taken.has(name) ? null : (taken.add(name), () => void taken.delete(name)));
    const first = testApp('tab-1', undefined, { exclusive });
    await first.store.getState().boot();
    await first.store.getState().createIdentity(PHRASE, 'correct horse');
    await first.store.getState().createNetwork({
      name: 'Tabs',
      witnesses: [ME],
      allocations: [[ME, 10n]],
      creditLimit: 0n,
    });
    expect(taken.has(RUNTIME_LOCK)).toBe(true);
    // A second tab of the same browser finds the lock taken: it says so and runs nothing.
    const second = testApp('tab-2', first, { exclusive });
    await second.store.getState().boot();
    await second.store.getState().unlock('correct horse');
    expect(second.store.getState().runtime).toBeNull();
    expect(second.store.getState().networkError).toEqual(new UserError('error.otherTab'));
    await first.store.getState().lock();
    expect(taken.size).toBe(0);
  });

  it('picks distinct backup-word positions', () => {
    const app = testApp('indices');
    for (let i = 0; i < 20; i++) {
      const picked = app.store.getState().randomIndices(3, 24);
      expect(new Set(picked).size).toBe(3);
      expect(picked).toEqual([...picked].sort((a, b) => a - b));
      expect(picked.every((n) => n >= 0 && n < 24)).toBe(true);
    }
    expect(app.store.getState().newMnemonic().split(' ')).toHaveLength(24);
  });

  it('runs the service market with the network: offers, saved reveal secrets, automation', async () => {
    const app = await withNetwork('market');
    await vi.waitFor(() => expect(app.store.getState().market).not.toBeNull());
    const { market, ssk, runtime } = app.store.getState();
    expect(ssk?.canOpen).toBe(true); // the in-page vault opens SSK boxes sealed to it
    await market!.offer('pow', 1000n, 2n);
    expect(
      market!.negotiate({ service: 'pow', volume: 64n, validators: 0, fee: 0n }),
    ).toMatchObject({ ranked: [], recommended: null });

    app.store.getState().setAutomation({ provide: ['pow'], validate: true });
    expect(app.store.getState().settings).toMatchObject({ provide: ['pow'], validate: true });
    expect(market!.automation).toEqual({ provide: ['pow'], validate: true });

    // Locking stops the market with the runtime.
    await app.store.getState().lock();
    expect(app.store.getState().market).toBeNull();
    expect(app.store.getState().ssk).toBeNull();
    expect(runtime).not.toBeNull();
  });

  it('dates its view as a witness when a deadline passes, so an unanswered request expires', async () => {
    const time = { now: 1_800_000_000_000 };
    const app = testApp('ticks', undefined, { clock: { now: () => time.now } });
    await app.store.getState().boot();
    await app.store.getState().createIdentity(PHRASE, 'correct horse');
    await app.store.getState().createNetwork({
      name: 'Ticks',
      witnesses: [ME],
      allocations: [[ME, 1000n]],
      creditLimit: 0n,
    });
    await vi.waitFor(() => expect(app.store.getState().market).not.toBeNull());
    const ledger = ledgerOf(app);
    const bob = identity('bob');
    // Bob offers pow (signed by him, taken in as from a peer), then never answers.
    const offer = composeAction(
      ledger,
      bob.key,
      'offer',
      { service: 'pow', capacity: 100n, rate: 1n },
      { time: 1 },
    );
    if (!offer.ok) throw new Error(offer.rejection.message);
    expect(ledger.insert(await admit(signTx(bob.secret, offer.tx))).status).toBe('accepted');
    const { market } = app.store.getState();
    const { id } = await market!.request({
      service: 'pow',
      job: { data: new Uint8Array([1]), difficulty: 4 },
      volume: 16n,
      provider: bob.key,
      validators: 0,
      fee: 0n,
      within: [10, 20, 30, 40],
    });
    expect(ledger.account(ME).available).toBe(1000n - 16n);
    // The witness votes on the request (its view now holds it, dated before the deadline)...
    await vi.waitFor(() =>
      expect(instanceView(ledger, id)?.decision).toMatchObject({ state: 'open', stage: 'accept' }),
    );
    // ...and then the clock passes the accept deadline.
    time.now += 15_000;
    // No transaction arrives: only the witness's ticks let the deadline pass; then the
    // consumer's wallet settles the refund itself.
    await vi.waitFor(() => expect(instanceView(ledger, id)?.settled?.outcome).toBe('expired'), {
      timeout: 10_000,
      interval: 100,
    });
    await vi.waitFor(() => expect(ledger.account(ME).available).toBe(1000n), { timeout: 5_000 });
    await app.store.getState().lock();
  }, 20_000);
});
