// The identity card on the wallet screen (renderer/ui/screens/IdentityCard.tsx, docs/keys.md):
// the address, the display name this identity signed on the network, and a QR code of the
// address; before a profile is signed it says so and where to sign one.
import { createElement } from 'react';
import { describe, expect, it } from 'vitest';
import { identityFromMnemonic } from '../../shared/identity/mnemonic.ts';
import { encodeAddress } from '../../shared/identity/address.ts';
import { keyHexOf } from '../../shared/ids.ts';
import { composeProfile } from '../../shared/wallet/profile.ts';
import { en } from '../../renderer/i18n/en.ts';
import { IdentityCard } from '../../renderer/ui/screens/IdentityCard.tsx';
import { PHRASE, testApp } from './fixtures.ts';
import { at, escaped, render, renderNowIn, withStubbedGlobals } from './render.ts';

withStubbedGlobals();

describe('the identity card', () => {
  it('shows the address and its QR code, then the name the identity signed', async () => {
    const app = testApp('identity card');
    await app.store.getState().boot();
    await app.store.getState().createIdentity(PHRASE, 'correct horse');
    const me = keyHexOf(identityFromMnemonic(PHRASE).publicKey);
    await app.store.getState().createNetwork({
      name: 'card',
      witnesses: [me],
      allocations: [[me, 10n]],
      creditLimit: 0n,
    });
    const address = encodeAddress(identityFromMnemonic(PHRASE).publicKey);
    const before = renderNowIn(app, createElement(IdentityCard));
    expect(before).toContain(en['wallet.card.title']);
    expect(before).toContain(address);
    expect(before).toContain(`aria-label="${en['receive.qrLabel']}"`);
    expect(before).toContain(escaped(en['wallet.card.noName']));

    const runtime = app.store.getState().runtime;
    if (!runtime) throw new Error('no runtime');
    await runtime.act((ledger, from) => composeProfile(ledger, from, { name: 'Alice' }, 5));
    app.store.setState((s) => ({ ledgerVersion: s.ledgerVersion + 1 }));
    const after = renderNowIn(app, createElement(IdentityCard));
    expect(after).toContain('<dd data-testid="card-name">Alice</dd>');
    expect(after).not.toContain(escaped(en['wallet.card.noName']));

    at('wallet');
    expect(render(app)).toContain('data-testid="identity-card"');
  });
});
