import { describe, expect, it } from 'vitest';
import {
  CONTACTS_KEY,
  DEFAULT_SETTINGS,
  iceUrlError,
  loadContacts,
  loadNetwork,
  loadSettings,
  NETWORK_KEY,
  saveContacts,
  saveNetwork,
  saveSettings,
  SETTINGS_KEY,
} from '../../renderer/state/persisted.ts';
import { memoryStorage } from './fixtures.ts';

const INVITATION = {
  networkId: 'ab'.repeat(32),
  secret: 'A'.repeat(43),
  relays: ['ws://127.0.0.1:4444'],
  name: 'Co-op',
};

describe('what the UI keeps in web storage', () => {
  it('round-trips settings, contacts and the network', () => {
    const storage = memoryStorage();
    const settings = {
      relays: ['wss://relay.example.org:443/gpow'],
      iceServers: [{ urls: 'turn:turn.example.org:3478', username: 'u', credential: 'p' }],
      theme: 'dark' as const,
      language: 'en',
      provide: ['pow' as const],
      validate: true,
    };
    saveSettings(storage, settings);
    expect(loadSettings(storage)).toEqual(settings);
    // Settings saved before the market existed still load, with its automation off.
    const older = {
      relays: settings.relays,
      iceServers: settings.iceServers,
      theme: 'dark',
      language: 'en',
    };
    storage.setItem(SETTINGS_KEY, JSON.stringify(older));
    expect(loadSettings(storage)).toEqual({ ...older, provide: [], validate: false });
    saveContacts(storage, [{ label: 'Bob', address: 'gpow1' }]);
    expect(loadContacts(storage)).toEqual([]); // not an address: refused on load
    saveNetwork(storage, INVITATION);
    expect(loadNetwork(storage)).toEqual(INVITATION);
    saveNetwork(storage, null);
    expect(loadNetwork(storage)).toBeNull();
  });

  it('falls back to defaults for anything damaged or foreign', () => {
    const storage = memoryStorage();
    expect(loadSettings(storage)).toEqual(DEFAULT_SETTINGS);
    for (const junk of ['{', '[]', '{"relays":["http://x"]}', '{"theme":"pink"}', 'null']) {
      storage.setItem(SETTINGS_KEY, junk);
      expect(loadSettings(storage)).toEqual(DEFAULT_SETTINGS);
      storage.setItem(CONTACTS_KEY, junk);
      expect(loadContacts(storage)).toEqual([]);
      storage.setItem(NETWORK_KEY, junk);
      expect(loadNetwork(storage)).toBeNull();
    }
    storage.setItem(NETWORK_KEY, JSON.stringify({ invitation: 'gpow:join?v=2' }));
    expect(loadNetwork(storage)).toBeNull();
  });

  it('checks ICE server addresses', () => {
    expect(iceUrlError('stun:stun.example.org:3478')).toBeNull();
    expect(iceUrlError('turns:turn.example.org:5349?transport=tcp')).toBeNull();
    expect(iceUrlError('http://x')).toMatch(/must start with/);
    expect(iceUrlError('stun:a b')).toMatch(/no spaces/);
    expect(iceUrlError(`stun:${'a'.repeat(300)}`)).toMatch(/longer/);
  });
});
