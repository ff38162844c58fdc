// Our patch of y-webrtc's signaling handler (patches/y-webrtc+10.3.0.patch). Everything a relay
// delivers comes from anyone who knows the room name. Unpatched, one message that does not
// decrypt (a peer whose invitation has a typo in its secret) rejected a promise with no handler,
// and Node ended every honest peer in the room; a malformed message, or an answer outliving its
// connection, threw a TypeError. Patched, each is dropped and reported as a 'signaling' event.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SignalingConn, WebrtcProvider } from 'y-webrtc';
import { roomKey, sealSignal } from '../helpers/ywebrtcSeal.ts';
import * as Y from 'yjs';

type Report = { ok: boolean; reason: string; relay: string };

const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown): void => void unhandled.push(reason);
let provider: WebrtcProvider | undefined;
let conn: SignalingConn | undefined;

beforeEach(() => {
  unhandled.length = 0;
  process.on('unhandledRejection', onUnhandled);
});
afterEach(async () => {
  process.off('unhandledRejection', onUnhandled);
  conn?.destroy();
  provider?.destroy();
  await provider?.key;
  provider = undefined;
  conn = undefined;
});

const ROOM = 'gpow-signaling-patch-test';

async function setUp(): Promise<{ reports: Report[]; deliver: (m: unknown) => void }> {
  provider = new WebrtcProvider(ROOM, new Y.Doc(), {
    signaling: [],
    password: 'the right secret',
    broadcastChannel: false,
  });
  await provider.key;
  const reports: Report[] = [];
  provider.on('signaling', (report: Report) => reports.push(report));
  // Port 9 on loopback: nothing listens, so the client only ever fails to connect; the test
  // hands the handler its messages directly, as lib0's client would after parsing a frame.
  conn = new SignalingConn('ws://127.0.0.1:9');
  const deliver = (m: unknown): void => conn!.emit('message', [m, conn]);
  return { reports, deliver };
}

async function sealed(data: unknown, secret: string): Promise<string> {
  return sealSignal(await roomKey(secret, ROOM), data);
}

const settle = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 50));

describe('y-webrtc patch: hostile signaling is dropped and reported', () => {
  it('a message sealed with another secret (a wrong invitation) is undecryptable, not a crash', async () => {
    const { reports, deliver } = await setUp();
    const data = await sealed({ type: 'announce', from: 'bob' }, 'a wrong secret');
    deliver({ type: 'publish', topic: ROOM, data });
    await settle();
    expect(unhandled).toEqual([]);
    expect(reports).toEqual([{ ok: false, reason: 'undecryptable', relay: 'ws://127.0.0.1:9' }]);
    expect(provider!.room!.webrtcConns.size).toBe(0);
  });

  it('garbage that is not even ciphertext is undecryptable, synchronously or not', async () => {
    const { reports, deliver } = await setUp();
    for (const data of ['', 'AA', '////', 'not base64 at all!']) {
      deliver({ type: 'publish', topic: ROOM, data });
    }
    await settle();
    expect(unhandled).toEqual([]);
    expect(reports.map((r) => r.reason)).toEqual(Array(4).fill('undecryptable'));
  });

  it('frames that are not publish messages, or name no room of ours, are ignored', async () => {
    const { reports, deliver } = await setUp();
    for (const m of [null, 42, 'text', [], { type: 'publish' }, { type: 'publish', topic: 7 }]) {
      expect(() => deliver(m)).not.toThrow();
    }
    deliver({ type: 'publish', topic: 'another-room', data: 'x' });
    await settle();
    expect(reports).toEqual([]);
  });

  it('a plain or oversized payload in an encrypted room is dropped', async () => {
    const { reports, deliver } = await setUp();
    deliver({ type: 'publish', topic: ROOM, data: { type: 'announce', from: 'mallory' } });
    deliver({ type: 'publish', topic: ROOM, data: 'A'.repeat(300 * 1024) });
    await settle();
    expect(reports.map((r) => r.reason)).toEqual(['not-encrypted', 'too-large']);
    expect(provider!.room!.webrtcConns.size).toBe(0);
  });

  it('a well-sealed but malformed message is dropped; a good one is reported ok', async () => {
    const { reports, deliver } = await setUp();
    const secret = 'the right secret';
    const bad = [
      null,
      'announce',
      { type: 'announce' },
      { type: 'announce', from: 7 },
      { type: 'announce', from: 'x'.repeat(200) },
      { type: 'signal', from: 'eve', to: provider!.room!.peerId },
      { type: 'signal', from: 'eve', to: provider!.room!.peerId, signal: null },
      { type: 'signal', from: 'eve', signal: {}, token: 'late' },
      { type: 'signal', from: 'eve', to: 12, signal: {} },
    ];
    for (const data of bad)
      deliver({ type: 'publish', topic: ROOM, data: await sealed(data, secret) });
    await settle();
    expect(reports.map((r) => r.reason)).toEqual(Array(bad.length).fill('malformed'));
    // An answer to an offer we never made (its connection is gone): unpatched, a TypeError.
    const answer = { type: 'signal', from: 'eve', to: 'someone else', signal: { type: 'answer' } };
    deliver({ type: 'publish', topic: ROOM, data: await sealed(answer, secret) });
    await settle();
    expect(unhandled).toEqual([]);
    expect(reports.at(-1)).toEqual({ ok: true, reason: 'signal', relay: 'ws://127.0.0.1:9' });
  });

  it('our own announcement, echoed back by the relay, is not counted as another peer', async () => {
    const { reports, deliver } = await setUp();
    const own = { type: 'announce', from: provider!.room!.peerId };
    deliver({ type: 'publish', topic: ROOM, data: await sealed(own, 'the right secret') });
    await settle();
    expect(reports).toEqual([]);
  });
});
