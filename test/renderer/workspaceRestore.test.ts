// Issue 18, the app's workspace backup at the store: a profile with a network, a contact,
// settings and a chat log makes a backup; a fresh browser restores from the words and that file,
// and has the network (with its join secret, no invitation), the contact, the settings and the
// chat log exactly as it was kept. Other words are refused before anything is saved. Clicking
// through it in Chromium is test/e2e/wallet.test.ts.
import { IDBKeyRange } from 'fake-indexeddb';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { fromHex, toHex, utf8 } from '../../shared/bytes.ts';
import { encodeAddress } from '../../shared/identity/address.ts';
import { chatsNameOf } from '../../renderer/state/appStore.ts';
import { loadNetwork, saveNetwork } from '../../renderer/state/persisted.ts';
import { generateJoinSecret } from '../../shared/net/invitation.ts';
import { sha256 } from '@noble/hashes/sha2.js';
import { deterministicRandom } from '../helpers/deterministicRandom.ts';
import {
  loadBackupNote,
  openBackupWithWords,
  workspaceDigest,
} from '../../renderer/state/workspace.ts';
import { UserError } from '../../renderer/state/errors.ts';
import { openIndexedDbLogStore } from '../../renderer/storage/indexedDbLogStore.ts';
import { identity } from '../helpers/network.ts';
import { PHRASE, testApp } from './fixtures.ts';

beforeEach(() => vi.stubGlobal('IDBKeyRange', IDBKeyRange));
afterEach(() => vi.unstubAllGlobals());

const BOB = encodeAddress(fromHex(identity('bob').key));
const OTHER = 'legal winner thank year wave sausage worth useful legal winner thank yellow';

describe('the workspace backup in the app', () => {
  it('brings back the network, contacts, settings and chat log with the words', async () => {
    const first = testApp('backup-first');
    const state = () => first.store.getState();
    // The network this browser belongs to (as a join leaves it). The store keeps it whether or
    // not its runtime starts: this test needs no WebRTC.
    const network = {
      networkId: toHex(sha256(utf8('kept network'))),
      secret: generateJoinSecret(deterministicRandom('join secret')),
      relays: [],
      name: 'Kept Co-op',
    };
    saveNetwork(first.storage, network);
    await state().boot();
    await state().createIdentity(PHRASE, 'correct horse');
    expect(state().network).toEqual(network);
    state().saveContact({ address: BOB, label: 'Bob the baker' });
    await state().updateSettings({ theme: 'dark' });
    // The chat log as the engine keeps it: the wrapped key beside sealed records.
    const chats = await openIndexedDbLogStore(chatsNameOf(network.networkId), first.factory);
    await chats.putMeta('chat-key', utf8('the wrapped key box'));
    await chats.append([utf8('a sealed chat record')]);
    const chatKey = toHex((await chats.getMeta('chat-key'))!);
    await chats.close();
    expect(state().backupNote).toBeNull();
    const backup = await state().makeBackup();
    state().noteBackupSaved(backup);
    const current = () => {
      const { settings, contacts, network: now } = state();
      return workspaceDigest({ settings, contacts, network: now });
    };
    expect(state().backupNote).toEqual({ savedAt: backup.savedAt, digest: current() });
    expect(loadBackupNote(first.storage)).toEqual(state().backupNote);
    // A contact added since: the backup is out of date (Settings says so).
    state().saveContact({ address: encodeAddress(new Uint8Array(32).fill(9)), label: 'Zoe' });
    expect(current()).not.toBe(backup.digest);
    expect(backup.fileName).toMatch(/^gpow-backup-gpow1.{7}-\d{4}-\d\d-\d\d\.gpowbackup$/);

    // Other words: the file's sentence, before anything is saved.
    const refused = (() => {
      try {
        openBackupWithWords(backup.bytes, OTHER);
      } catch (error) {
        return error;
      }
      return null;
    })();
    expect(refused).toBeInstanceOf(UserError);
    expect(String((refused as UserError).params?.detail)).toMatch(
      /^These words do not open this backup: it belongs to gpow1/,
    );

    // The old browser is gone (two runtimes of one network cannot share this process's rooms).
    await state().lock();
    const fresh = testApp('backup-fresh');
    const next = () => fresh.store.getState();
    await next().boot();
    await next().createIdentity(PHRASE, 'new passphrase', {
      workspace: openBackupWithWords(backup.bytes, PHRASE),
    });
    expect(next().phase.kind).toBe('unlocked');
    expect(next().network).toEqual(network);
    expect(loadNetwork(fresh.storage)).toEqual(network);
    expect(next().contacts).toEqual([{ address: BOB, label: 'Bob the baker' }]);
    // The backup was made before Zoe was added: she is not in it.
    expect(next().settings.theme).toBe('dark');
    await next().lock();
    const restored = await openIndexedDbLogStore(chatsNameOf(network.networkId), fresh.factory);
    expect(toHex((await restored.getMeta('chat-key'))!)).toBe(chatKey);
    expect((await restored.load()).records).toContainEqual(utf8('a sealed chat record'));
    await restored.close();
  });
});
