// Profile avatars in the app (docs/profiles.md §1): bytes another member signed, shown only as a
// data: URL of the image type their magic number says, at a fixed size, with the name as alt
// text; anything else shows nothing. Rendered on the Members page and the profile editor from
// the app's own store, with a profile signed through the runtime.
import { IDBKeyRange } from 'fake-indexeddb';
import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createStore } from 'zustand/vanilla';
import { identityFromMnemonic } from '../../shared/identity/mnemonic.ts';
import { MAX_AVATAR_BYTES } from '../../shared/identity/profile.ts';
import { keyHexOf } from '../../shared/ids.ts';
import { signTx } from '../../shared/tx/envelope.ts';
import { composeProfile } from '../../shared/wallet/profile.ts';
import { App } from '../../renderer/App.tsx';
import type { AppState } from '../../renderer/state/appStore.ts';
import { Avatar, avatarOfBody, avatarUrl } from '../../renderer/ui/components/Avatar.tsx';
import { AppProvider } from '../../renderer/ui/context.tsx';
import { ProfileConfirm } from '../../renderer/ui/screens/ProfileEditor.tsx';
import { identity } from '../helpers/network.ts';
import { PHRASE, testApp, type TestApp } from './fixtures.ts';

/** A real 1×1 PNG, so a browser would decode it too. */
const PNG_BASE64 =
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==';
const PNG = Uint8Array.from(atob(PNG_BASE64), (c) => c.charCodeAt(0));
const JPEG = new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3]);
const WEBP = new Uint8Array(
  [...'RIFF'].map((c) => c.charCodeAt(0)).concat([4, 0, 0, 0], [87, 69, 66, 80]),
);
const GIF = new Uint8Array([...'GIF89a'].map((c) => c.charCodeAt(0)));

beforeEach(() => {
  vi.stubGlobal('IDBKeyRange', IDBKeyRange);
});
afterEach(() => {
  vi.unstubAllGlobals();
});

const render = (app: TestApp) => {
  const now = app.store.getState();
  return renderToStaticMarkup(createElement(App, { store: createStore<AppState>()(() => now) }));
};

describe('avatar bytes', () => {
  it('become a data: URL of the type their magic number says, and nothing else does', () => {
    expect(avatarUrl(PNG)).toBe(`data:image/png;base64,${PNG_BASE64}`);
    expect(avatarUrl(JPEG)).toMatch(/^data:image\/jpeg;base64,/);
    expect(avatarUrl(WEBP)).toMatch(/^data:image\/webp;base64,/);
    // A large image round-trips whole (the conversion works in chunks).
    const large = new Uint8Array(MAX_AVATAR_BYTES);
    large.set(PNG.subarray(0, 8));
    for (let i = 8; i < large.length; i++) large[i] = i % 251;
    const url = avatarUrl(large);
    expect(url).not.toBeNull();
    const back = Uint8Array.from(atob(url!.split(',')[1]!), (c) => c.charCodeAt(0));
    expect(back).toEqual(large);

    const tooLarge = new Uint8Array(MAX_AVATAR_BYTES + 1);
    tooLarge.set(PNG.subarray(0, 8));
    const notWebp = WEBP.slice();
    notWebp[8] = 0;
    for (const bad of [GIF, tooLarge, notWebp, new Uint8Array(0), PNG.subarray(0, 7)])
      expect(avatarUrl(bad)).toBeNull();
    for (const bad of [[...PNG], PNG_BASE64, null, undefined, {}, PNG.buffer])
      expect(avatarUrl(bad)).toBeNull();
  });

  it('are read from a profile body only where it holds them', () => {
    expect(avatarOfBody({ name: 'Ana', avatar: PNG })).toBe(PNG);
    for (const body of [null, undefined, 'avatar', 5, { name: 'Ana' }])
      expect(avatarOfBody(body)).toBeUndefined();
  });
});

describe('avatars on the screens', () => {
  it('are shown, small and round with the name as alt text, where a profile has one', async () => {
    const app = testApp('avatars');
    await app.store.getState().boot();
    await app.store.getState().createIdentity(PHRASE, 'correct horse');
    const me = keyHexOf(identityFromMnemonic(PHRASE).publicKey);
    const bob = identity('bob');
    await app.store.getState().createNetwork({
      name: 'Avatars',
      witnesses: [me],
      allocations: [
        [me, 10n],
        [bob.key, 5n],
      ],
      creditLimit: 0n,
    });
    const runtime = app.store.getState().runtime;
    const ledger = runtime?.ledger;
    if (!runtime || !ledger) throw new Error('no ledger');
    await runtime.act((current, from) =>
      composeProfile(current, from, { name: 'Ana', avatar: PNG }, runtime.ports.clock.now()),
    );
    // Bob signs a profile without an avatar: no image for him.
    const composed = composeProfile(ledger, bob.key, { name: 'Bob' }, 5);
    if (!composed.ok) throw new Error(composed.rejection.message);
    await runtime.importTransaction(signTx(bob.secret, composed.tx));
    app.store.setState((s) => ({ ledgerVersion: s.ledgerVersion + 1 }));
    vi.stubGlobal('window', {
      location: { hash: '#/network' },
      addEventListener: () => undefined,
      removeEventListener: () => undefined,
    });

    const html = render(app);
    const img = `<img class="avatar" src="data:image/png;base64,${PNG_BASE64}" alt="Ana" width="32" height="32"`;
    // In Ana's row of the member table, and beside "Members see you as" in the editor.
    expect(html.split(img)).toHaveLength(3);
    expect(html.match(/<img /g)).toHaveLength(2);
    const bobsRow = html.slice(html.indexOf('data-member="Bob"'));
    expect(bobsRow.slice(0, bobsRow.indexOf('</tr>'))).not.toContain('<img');
    await app.store.getState().lock();
  });

  it('are shown in the profile preview when valid, and not at all when malformed', () => {
    const app = testApp('avatar-preview');
    const preview = (avatar: Uint8Array) =>
      renderToStaticMarkup(
        createElement(AppProvider, {
          store: app.store,
          children: createElement(ProfileConfirm, {
            input: { name: 'Ana', avatar },
            busy: false,
            error: null,
            onCancel: () => undefined,
            onConfirm: () => undefined,
          }),
        }),
      );
    expect(preview(PNG)).toContain(
      `<img class="avatar" src="data:image/png;base64,${PNG_BASE64}" alt="Ana" width="32" height="32"`,
    );
    expect(preview(GIF)).not.toContain('<img');
    const alone = (bytes: unknown) =>
      renderToStaticMarkup(createElement(Avatar, { bytes, name: 'Ana' }));
    expect(alone(JPEG)).toContain('alt="Ana"');
    for (const bad of [GIF, new Uint8Array(0), 'not bytes', undefined]) expect(alone(bad)).toBe('');
  });
});
