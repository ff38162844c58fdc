import { IDBKeyRange } from 'fake-indexeddb';
import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { identityFromMnemonic } from '../../shared/identity/mnemonic.ts';
import { keyHexOf } from '../../shared/ids.ts';
import { createStore } from 'zustand/vanilla';
import { App } from '../../renderer/App.tsx';
import type { AppState } from '../../renderer/state/appStore.ts';
import { en } from '../../renderer/i18n/en.ts';
import { ROUTES } from '../../renderer/ui/routes.tsx';
import { identity } from '../helpers/network.ts';
import { PHRASE, testApp } from './fixtures.ts';

/**
 * Server rendering reads a store's initial state (zustand's server snapshot), so the app is
 * rendered from a store that starts where the app's store is now.
 */
const render = (app: ReturnType<typeof testApp>) => {
  const now = app.store.getState();
  return renderToStaticMarkup(createElement(App, { store: createStore<AppState>()(() => now) }));
};

/** Just enough of a window for the router: where the page is. */
function at(path: string): void {
  vi.stubGlobal('window', {
    location: { hash: `#/${path}` },
    addEventListener: () => undefined,
    removeEventListener: () => undefined,
  });
}

beforeEach(() => {
  vi.stubGlobal('IDBKeyRange', IDBKeyRange);
});
afterEach(() => {
  vi.unstubAllGlobals();
});

describe('App', () => {
  it('says clearly when there is no bridge', async () => {
    const app = testApp('no-bridge', undefined, { bridge: null });
    await app.store.getState().boot();
    const html = render(app);
    expect(html).toContain('GPoW');
    expect(html).toContain('the secure bridge (window.gpow) is missing');
  });

  it('waits for the bridge, then offers to create or restore an identity', async () => {
    const app = testApp('first-run');
    expect(render(app)).toContain(en['app.starting']);
    await app.store.getState().boot();
    const html = render(app);
    expect(html).toContain(en['onboarding.welcome.create']);
    expect(html).toContain(en['onboarding.welcome.restore']);
  });

  it('asks for the passphrase when an identity exists', async () => {
    const app = testApp('locked');
    await app.store.getState().boot();
    await app.store.getState().createIdentity(PHRASE, 'correct horse');
    await app.store.getState().lock();
    const html = render(app);
    expect(html).toContain(en['unlock.title']);
    expect(html).toContain('type="password"');
  });

  it('offers only the network set-up screens before there is a network', async () => {
    const app = testApp('no-network');
    await app.store.getState().boot();
    await app.store.getState().createIdentity(PHRASE, 'correct horse');
    at('network');
    const html = render(app);
    expect(html).toContain(en['setup.create.button']);
    expect(html).toContain(en['setup.join.button']);
    expect(html).not.toContain(`>${en['nav.send']}<`);
    expect(html).toContain(`>${en['nav.settings']}<`);
  });

  it('renders every screen of the route table once there is a network', async () => {
    const app = testApp('screens');
    await app.store.getState().boot();
    await app.store.getState().createIdentity(PHRASE, 'correct horse');
    const me = keyHexOf(identityFromMnemonic(PHRASE).publicKey);
    await app.store.getState().createNetwork({
      name: 'Screens',
      witnesses: [me],
      allocations: [
        [me, 1000n],
        [identity('bob').key, 5n],
      ],
      creditLimit: 0n,
    });
    const expected: Record<string, string> = {
      wallet: en['wallet.available'],
      send: en['send.review.button'],
      receive: en['receive.qrLabel'],
      history: en['history.export'],
      contacts: en['contacts.save'],
      network: en['invite.copy'],
      explorer: en['explorer.authors'],
      settings: en['settings.relays.title'],
      services: en['services.catalog'],
      provider: en['provider.automation'],
      validator: en['validator.bonds'],
      messages: en['messages.share'],
      'register-service': en['serviceType.addField'],
      sign: en['signMessage.verify.submit'],
      keys: en['keys.networks.add'],
    };
    for (const route of ROUTES) {
      at(route.path);
      const html = render(app);
      expect(html, route.path).toContain('aria-current="page"');
      expect(html, route.path).toContain(expected[route.path]);
    }
    await app.store.getState().lock();
  });
});
