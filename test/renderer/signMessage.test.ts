// The Sign and verify screen (renderer/ui/screens/SignMessage.tsx, docs/keys.md) in browser mode:
// the store signs with the unlocked identity (the in-page vault), the block names the app's
// address and verifies with the Verify panel's check; locked, the screen says so and its Sign
// button is disabled; its fields are labelled, and it is in the App menu before any network.
import { createElement } from 'react';
import { describe, expect, it } from 'vitest';
import { UserError } from '../../renderer/state/errors.ts';
import { verifyBlock } from '../../renderer/state/signedMessages.ts';
import { SignMessageScreen } from '../../renderer/ui/screens/SignMessage.tsx';
import type { Address } from '../../shared/identity/address.ts';
import { PHRASE, testApp } from './fixtures.ts';
import { at, render, renderNowIn, withStubbedGlobals } from './render.ts';

withStubbedGlobals();

describe('sign and verify in the app', () => {
  it('signs as the unlocked identity, and the block verifies as it', async () => {
    const app = testApp('sign message');
    await app.store.getState().boot();
    await app.store.getState().createIdentity(PHRASE, 'correct horse');
    const { address, signMessageBlock } = app.store.getState();
    const block = signMessageBlock('Hello from the app.\r\n');
    expect(block).toContain(
      `\nHello from the app.\n-----BEGIN GPOW SIGNATURE-----\nAddress: ${address}\n`,
    );
    const signed = await verifyBlock(block, address as Address);
    expect(signed.message).toBe('Hello from the app.');

    // An empty message is refused in the catalogue's words, with the core's sentence.
    expect(() => signMessageBlock('   ')).toThrow(UserError);

    const screen = renderNowIn(app, createElement(SignMessageScreen));
    for (const id of ['sign-message-text', 'verify-message-block', 'verify-message-from'])
      expect(screen).toContain(`for="${id}"`);
    expect(screen).not.toContain('Unlock your identity to sign.');

    await app.store.getState().lock();
    expect(() => app.store.getState().signMessageBlock('after lock')).toThrow(UserError);
    const locked = renderNowIn(app, createElement(SignMessageScreen));
    expect(locked).toContain('Unlock your identity to sign.');
    expect(locked).toMatch(/<button type="submit" class="primary" disabled="">Sign<\/button>/);
  });

  it('is in the menu before the identity joins a network', async () => {
    const app = testApp('sign message menu');
    await app.store.getState().boot();
    await app.store.getState().createIdentity(PHRASE, 'correct horse');
    at('sign');
    const page = render(app);
    expect(page).toContain('href="#/sign"');
    expect(page).toContain('Sign and verify a message');
  });
});
