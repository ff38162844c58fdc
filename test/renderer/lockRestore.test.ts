// Issue 18: the lock screen had no way out for someone who lost the passphrase. It now offers
// "Restore from words", saying that restoring replaces the identity kept on this device; the
// words step says it again; and the restore really replaces the keystore (a first identity is
// never replaced without being asked). Clicking through the steps is in the Chromium e2e
// (test/e2e/wallet.test.ts, the restore test).
import { createElement } from 'react';
import { describe, expect, it } from 'vitest';
import { encodeAddress } from '../../shared/identity/address.ts';
import { identityFromMnemonic } from '../../shared/identity/mnemonic.ts';
import { en } from '../../renderer/i18n/en.ts';
import { Restore } from '../../renderer/ui/screens/Onboarding.tsx';
import { PHRASE, testApp } from './fixtures.ts';
import { escaped, render, renderIn, withStubbedGlobals } from './render.ts';

withStubbedGlobals();

/** BIP-39's other test phrase: another identity than PHRASE's. */
const OTHER = 'legal winner thank year wave sausage worth useful legal winner thank yellow';

describe('the lock screen’s way out', () => {
  it('offers Restore from words, saying it replaces the identity kept here', async () => {
    const app = testApp('lock-restore');
    await app.store.getState().createIdentity(PHRASE, 'correct horse');
    await app.store.getState().lock();
    expect(app.store.getState().phase.kind).toBe('locked');
    const page = render(app);
    expect(page).toContain('Unlock GPoW');
    expect(page).toMatch(/<button type="button"[^>]*>Restore from words<\/button>/);
    expect(page).toContain(escaped(en['unlock.restore.replaces']));
  });

  it('the words step says so again when it comes from the lock screen, and only then', () => {
    const app = testApp('lock-restore-step');
    const step = (replacing: boolean) =>
      renderIn(
        app,
        createElement(Restore, { replacing, onBack: () => undefined, onNext: () => undefined }),
      );
    expect(step(true)).toContain('Restore your identity');
    expect(step(true)).toContain(escaped(en['unlock.restore.replaces']));
    expect(step(false)).not.toContain(escaped(en['unlock.restore.replaces']));
  });

  it('restoring replaces the keystore kept here, under the new passphrase; creating never does', async () => {
    const app = testApp('lock-restore-replace');
    const state = () => app.store.getState();
    await state().createIdentity(PHRASE, 'correct horse');
    await state().lock();
    await expect(state().createIdentity(OTHER, 'new passphrase')).rejects.toThrow(/already exists/);
    await state().createIdentity(OTHER, 'new passphrase', { replace: true });
    const restored = encodeAddress(identityFromMnemonic(OTHER).publicKey);
    expect(state().phase.kind).toBe('unlocked');
    expect(state().address).toBe(restored);
    await state().lock();
    await expect(state().unlock('correct horse')).rejects.toThrow();
    await state().unlock('new passphrase');
    expect(state().address).toBe(restored);
  });
});
