// The Members page and the names the UI shows for addresses (docs/profiles.md), rendered from the
// app's own store: a profile signed through the runtime as the profile editor signs it, then the
// Network screen's member table (name, "you", roles, the balance kept private, a member without
// a profile by its address) and the explorer naming another member by the profile it signed.
import { IDBKeyRange } from 'fake-indexeddb';
import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createStore } from 'zustand/vanilla';
import { encodeAddress } from '../../shared/identity/address.ts';
import { identityFromMnemonic } from '../../shared/identity/mnemonic.ts';
import { keyHexOf } from '../../shared/ids.ts';
import { fromHex } from '../../shared/bytes.ts';
import { signTx } from '../../shared/tx/envelope.ts';
import { composeProfile } from '../../shared/wallet/profile.ts';
import { App } from '../../renderer/App.tsx';
import { en } from '../../renderer/i18n/en.ts';
import type { AppState } from '../../renderer/state/appStore.ts';
import { identity } from '../helpers/network.ts';
import { PHRASE, testApp } from './fixtures.ts';

const render = (app: ReturnType<typeof testApp>) => {
  const now = app.store.getState();
  return renderToStaticMarkup(createElement(App, { store: createStore<AppState>()(() => now) }));
};

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

describe('the Members page', () => {
  it('lists members by the names they signed, with roles and private balances', async () => {
    const app = testApp('members');
    await app.store.getState().boot();
    await app.store.getState().createIdentity(PHRASE, 'correct horse');
    const me = keyHexOf(identityFromMnemonic(PHRASE).publicKey);
    const bob = identity('bob').key;
    await app.store.getState().createNetwork({
      name: 'Members',
      witnesses: [me],
      allocations: [
        [me, 1000n],
        [bob, 5n],
      ],
      creditLimit: 0n,
    });
    at('network');
    expect(render(app)).toContain(en['profile.none']);

    const runtime = app.store.getState().runtime;
    if (runtime === null) throw new Error('no runtime');
    const signed = await runtime.act((ledger, from) =>
      composeProfile(ledger, from, { name: ' Ａna ', note: 'desk 4' }, runtime.ports.clock.now()),
    );
    expect(signed?.tx.type).toBe('profile');
    // The store hears of changes on a timer; the page reads the ledger on the next render.
    app.store.setState((s) => ({ ledgerVersion: s.ledgerVersion + 1 }));

    const html = render(app);
    expect(html).toContain('data-testid="members-table"');
    expect(html).toContain('data-member="Ana"');
    expect(html).toContain(en['members.you']);
    expect(html).toContain('desk 4');
    expect(html).toContain(en['members.role.witness']);
    expect(html).toContain(`>${en['members.private']}<`);
    expect(html).toContain('Members see you as “Ana”.');
    // Bob signed no profile: he is shown by his address.
    expect(html).toContain(encodeAddress(fromHex(bob)).slice(0, 13));

    // Bob signs a profile elsewhere; where the UI shows his address, it now shows his name,
    // with the address one click away.
    const ledger = runtime.ledger;
    if (ledger === null) throw new Error('no ledger');
    const composed = composeProfile(ledger, bob, { name: 'Bob' }, 5);
    if (!composed.ok) throw new Error(composed.rejection.message);
    await runtime.importTransaction(signTx(identity('bob').secret, composed.tx));
    app.store.setState((s) => ({ ledgerVersion: s.ledgerVersion + 1 }));
    at('explorer');
    const explorer = render(app);
    expect(explorer).toContain('aria-expanded="false">Bob</button>');
    expect(explorer).toContain('>You </span>');
    await app.store.getState().lock();
  });

  it("warns on a name that mixes alphabets, in that member's row only", async () => {
    const app = testApp('mixed script');
    await app.store.getState().boot();
    await app.store.getState().createIdentity(PHRASE, 'correct horse');
    const me = keyHexOf(identityFromMnemonic(PHRASE).publicKey);
    const mallory = identity('mallory');
    await app.store.getState().createNetwork({
      name: 'Look-alikes',
      witnesses: [me],
      allocations: [
        [me, 1000n],
        [mallory.key, 5n],
      ],
      creditLimit: 0n,
    });
    const runtime = app.store.getState().runtime;
    const ledger = runtime?.ledger;
    if (!runtime || !ledger) throw new Error('no runtime');
    await runtime.act((l, from) => composeProfile(l, from, { name: 'Ana' }, 3));
    // "Ana" with a Cyrillic "а" (U+0430): it renders like Ana and must be flagged, not refused.
    const composed = composeProfile(ledger, mallory.key, { name: 'An\u0430' }, 5);
    if (!composed.ok) throw new Error(composed.rejection.message);
    await runtime.importTransaction(signTx(mallory.secret, composed.tx));
    app.store.setState((s) => ({ ledgerVersion: s.ledgerVersion + 1 }));
    at('network');
    const html = render(app);
    const rowOf = (name: string) => {
      const start = html.indexOf(`data-member="${name}"`);
      expect(start, name).toBeGreaterThan(-1);
      return html.slice(start, html.indexOf('</tr>', start));
    };
    expect(rowOf('An\u0430')).toContain('data-testid="mixed-script"');
    expect(rowOf('An\u0430')).toContain(en['members.mixedScript']);
    expect(rowOf('Ana')).not.toContain('mixed-script');
    expect(html.split('data-testid="mixed-script"')).toHaveLength(2);
    await app.store.getState().lock();
  });
});
