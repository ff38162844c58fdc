// Forms in progress outlive their screens (issue 18: the wizard and the service request lost
// everything on Back or on any navigation; so did the Send screen). The store keeps them in memory only, never in
// storage, and forgets them on lock; the set-up screens render from them. That typing, leaving
// and coming back keeps them in a real browser is test/e2e/browserStart.test.ts's part.
import { createElement } from 'react';
import { afterEach, describe, expect, it } from 'vitest';
import { identityFromMnemonic } from '../../shared/identity/mnemonic.ts';
import { keyHexOf } from '../../shared/ids.ts';
import { ConfirmJoin } from '../../renderer/ui/screens/JoinNetwork.tsx';
import { NetworkSetup } from '../../renderer/ui/screens/NetworkSetup.tsx';
import { SendScreen } from '../../renderer/ui/screens/Wallet.tsx';
import { RELAY_COMMAND } from '../../renderer/ui/screens/RelayField.tsx';
import { initialWizard, SETUP_DRAFT, WIZARD_DRAFT } from '../../renderer/ui/screens/setupDrafts.ts';
import { PHRASE, testApp, type TestApp } from './fixtures.ts';
import { at, escaped, renderNowIn, withStubbedGlobals } from './render.ts';

withStubbedGlobals();

const me = keyHexOf(identityFromMnemonic(PHRASE).publicKey);
const opened: TestApp[] = [];
afterEach(async () => {
  for (const app of opened.splice(0)) await app.store.getState().lock();
});

/** A browser-mode app, unlocked, in no network yet. */
async function unlocked(label: string): Promise<TestApp> {
  const app = testApp(label);
  opened.push(app);
  await app.store.getState().boot();
  await app.store.getState().createIdentity(PHRASE, 'correct horse');
  return app;
}

describe('drafts', () => {
  it('are kept and dropped by key, never written to storage, and forgotten on lock', async () => {
    const app = await unlocked('drafts store');
    const { keepDraft, dropDraft } = app.store.getState();
    const secret = 'gpow:join?v=2&net=…&secret=SECRET-BEING-PASTED';
    keepDraft(SETUP_DRAFT.name, { mode: 'join', invitation: secret, relayInput: '' });
    keepDraft('other', 1);
    expect(app.store.getState().drafts[SETUP_DRAFT.name]).toMatchObject({ invitation: secret });
    expect([...app.storage.items.values()].join('\n')).not.toContain('SECRET-BEING-PASTED');
    dropDraft('other');
    expect(Object.keys(app.store.getState().drafts)).toEqual([SETUP_DRAFT.name]);
    await app.store.getState().lock();
    expect(app.store.getState().drafts).toEqual({});
  });

  it('the set-up screen comes back to the wizard as it was left', async () => {
    const app = await unlocked('drafts wizard');
    const { keepDraft } = app.store.getState();
    keepDraft(SETUP_DRAFT.name, { mode: 'create', invitation: '', relayInput: '' });
    keepDraft(WIZARD_DRAFT.name, {
      ...initialWizard(me),
      name: 'Kept Co-op',
      relayInput: 'ws://half-typed',
    });
    const page = renderNowIn(app, createElement(NetworkSetup));
    expect(page).toContain('value="Kept Co-op"');
    expect(page).toContain('value="ws://half-typed"');
    expect(page).toContain('Step 1 of 4');

    keepDraft(WIZARD_DRAFT.name, { ...initialWizard(me), step: 'allocations', allocAmount: '70' });
    expect(renderNowIn(app, createElement(NetworkSetup))).toContain('value="70"');

    keepDraft(SETUP_DRAFT.name, { mode: 'join', invitation: 'gpow:join?v=2', relayInput: '' });
    expect(renderNowIn(app, createElement(NetworkSetup))).toContain('gpow:join?v=2</textarea>');
  });

  it('in browser mode with no relay, the set-up screen says what to run first', async () => {
    const app = await unlocked('drafts first run');
    const page = renderNowIn(app, createElement(NetworkSetup));
    expect(page).toContain('data-testid="first-run-relay"');
    expect(page).toContain(`<code>${RELAY_COMMAND}</code>`);
    expect(RELAY_COMMAND).toBe('gpow relay');

    await app.store.getState().updateSettings({ relays: ['ws://127.0.0.1:4444'] });
    const after = renderNowIn(app, createElement(NetworkSetup));
    expect(after).not.toContain(escaped(RELAY_COMMAND));
    expect(after).toContain('ws://127.0.0.1:4444');
  });

  it('joining with a link that names no relay, on a page with none, offers the relay field', async () => {
    const app = await unlocked('drafts join relay');
    const invitation = { networkId: 'ab'.repeat(32), secret: 'A'.repeat(43), relays: [] };
    const confirm = () =>
      renderNowIn(
        app,
        createElement(ConfirmJoin, {
          link: { kind: 'secret', invitation },
          onCancel: () => undefined,
        }),
      );
    expect(confirm()).toContain('id="join-relay"');
    await app.store.getState().updateSettings({ relays: ['ws://127.0.0.1:4444'] });
    expect(confirm()).not.toContain('id="join-relay"');
  });

  it('the Send screen comes back with the payment as it was being typed', async () => {
    const app = await unlocked('drafts send');
    await app.store.getState().createNetwork({
      name: 'Send drafts',
      witnesses: [me],
      allocations: [[me, 100n]],
      creditLimit: 0n,
    });
    at('send');
    app.store
      .getState()
      .keepDraft('send', { to: 'gpow1half', amount: '12', memo: 'for the paint' });
    const page = renderNowIn(app, createElement(SendScreen));
    expect(page).toContain('value="gpow1half"');
    expect(page).toContain('value="12"');
    expect(page).toContain('value="for the paint"');
  });
});
