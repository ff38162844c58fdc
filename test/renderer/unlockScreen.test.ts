// What the Unlock screen and Settings say and offer about remembering the passphrase, for each
// platform and secure storage status (rendered from the store, as App.test.ts does).
import { IDBKeyRange } from 'fake-indexeddb';
import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createStore } from 'zustand/vanilla';
import type { AppInfo, SecureStorageStatus } from '../../shared/bridge/contract.ts';
import { App } from '../../renderer/App.tsx';
import { en } from '../../renderer/i18n/en.ts';
import type { AppState } from '../../renderer/state/appStore.ts';
import { PHRASE, testApp } from './fixtures.ts';

beforeEach(() => {
  vi.stubGlobal('IDBKeyRange', IDBKeyRange);
});
afterEach(() => {
  vi.unstubAllGlobals();
});

const LINUX: AppInfo = { name: 'GPoW', version: '0', platform: 'linux' };
const WEB: AppInfo = { name: 'GPoW', version: '0', platform: 'web' };
const KEYRING: SecureStorageStatus = {
  available: true,
  backend: 'gnome_libsecret',
  weak: false,
  remembered: false,
};
const BASIC_TEXT: SecureStorageStatus = {
  available: true,
  backend: 'basic_text',
  weak: true,
  remembered: false,
};
/** What the browser bridge answers. */
const BROWSER: SecureStorageStatus = {
  available: false,
  backend: 'none',
  weak: true,
  remembered: false,
};

const render = (state: AppState, patch: Partial<AppState>) =>
  renderToStaticMarkup(
    createElement(App, { store: createStore<AppState>()(() => ({ ...state, ...patch })) }),
  );

/** Text as it appears in the markup (quotes and apostrophes are escaped). */
const html = (text: string) =>
  text.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/'/g, '&#x27;');

const weakWarning = (backend: string) =>
  html(en['unlock.weak'].replace('{backend}', backend)).slice(0, 60);

describe('the Unlock screen', () => {
  const locked = (patch: Partial<AppState>) =>
    render(testApp('unlock-screen').store.getState(), {
      phase: { kind: 'locked', address: null },
      ...patch,
    });

  it('offers to remember the passphrase where the system keyring protects it', () => {
    const page = locked({ appInfo: LINUX, secureStorage: KEYRING });
    expect(page).toContain(en['unlock.remember']);
    expect(page).toContain('type="checkbox"');
    expect(page).toContain('aria-describedby="unlock-remember-hint"');
    expect(page).toContain(html(en['unlock.remember.hint']));
    expect(page).not.toContain(en['unlock.remembered.submit']);
    expect(page).not.toContain(weakWarning('gnome_libsecret'));
  });

  it('offers the saved passphrase as a button, and keeps the passphrase field', () => {
    const page = locked({ appInfo: LINUX, secureStorage: { ...KEYRING, remembered: true } });
    expect(page).toContain(en['unlock.remembered.submit']);
    expect(page).toContain('type="password"');
    // Already remembered: nothing to tick.
    expect(page).not.toContain('type="checkbox"');
  });

  it('on weak storage hides the checkbox and says there is no keyring, naming the backend', () => {
    const page = locked({ appInfo: LINUX, secureStorage: BASIC_TEXT });
    expect(page).not.toContain('type="checkbox"');
    expect(page).not.toContain(en['unlock.remember']);
    expect(page).toContain(weakWarning('basic_text'));
    expect(page).toContain('“basic_text”');
  });

  it('in a browser says nothing about remembering', () => {
    const page = locked({ appInfo: WEB, secureStorage: BROWSER });
    expect(page).toContain('type="password"');
    expect(page).not.toContain('type="checkbox"');
    expect(page).not.toContain(en['unlock.remember']);
    expect(page).not.toContain(weakWarning('none'));
    expect(page).not.toContain(en['unlock.remembered.submit']);
  });
});

describe('Settings: unlock on this computer', () => {
  const settings = async (label: string, patch: Partial<AppState>) => {
    const app = testApp(label);
    await app.store.getState().boot();
    await app.store.getState().createIdentity(PHRASE, 'correct horse');
    vi.stubGlobal('window', {
      location: { hash: '#/settings' },
      addEventListener: () => undefined,
      removeEventListener: () => undefined,
    });
    return render(app.store.getState(), patch);
  };

  it('shows the backend and whether a passphrase is saved, with a way to forget it', async () => {
    const saved = await settings('settings-saved', {
      appInfo: LINUX,
      secureStorage: { ...KEYRING, remembered: true },
    });
    expect(saved).toContain(en['settings.unlock.title']);
    expect(saved).toContain('gnome_libsecret');
    expect(saved).toContain(html(en['settings.unlock.remembered']));
    expect(saved).toContain(en['settings.unlock.forget']);

    const none = await settings('settings-none', { appInfo: LINUX, secureStorage: KEYRING });
    expect(none).toContain(html(en['settings.unlock.notRemembered']));
    expect(none).not.toContain(en['settings.unlock.forget']);
  });

  it('warns on weak storage, and says when the last unlock could not save', async () => {
    const page = await settings('settings-weak', {
      appInfo: LINUX,
      secureStorage: BASIC_TEXT,
      rememberFailed: true,
    });
    expect(page).toContain(weakWarning('basic_text'));
    expect(page).toContain(en['settings.unlock.notSaved']);
  });

  it('is not there in a browser', async () => {
    const page = await settings('settings-web', { appInfo: WEB, secureStorage: BROWSER });
    expect(page).toContain(en['settings.relays.title']);
    expect(page).not.toContain(en['settings.unlock.title']);
  });
});
