// Our patch of y-webrtc (patches/y-webrtc+10.3.0.patch, applied by patch-package on install).
// 1. An update is not sent back to the connection it came from (a joiner echoed the whole
//    network's doc to the peer that had just sent it).
// 2. `broadcastChannel: false` keeps a provider off the cross-tab BroadcastChannel. Unpatched, a
// provider posts its whole doc there on connect and every update after, each AES-encrypted:
// at 100,000 transactions that was a quarter of a peer's peak memory at start, for nothing.
// The control case (the default, true) shows the listener would see those posts.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { WebrtcProvider } from 'y-webrtc';
import * as Y from 'yjs';

const opened: Array<{ provider: WebrtcProvider; listener: BroadcastChannel }> = [];

afterEach(() => {
  for (const { provider, listener } of opened.splice(0)) {
    provider.destroy();
    listener.close();
  }
});

/** Starts a provider with no signaling, writes to its doc, and counts channel posts in the room. */
async function postsSeen(room: string, broadcastChannel: boolean): Promise<number> {
  let seen = 0;
  const listener = new BroadcastChannel(room);
  listener.onmessage = () => (seen += 1);
  const doc = new Y.Doc();
  doc.getMap('m').set('before', 1);
  const provider = new WebrtcProvider(room, doc, {
    signaling: [],
    password: 'room secret',
    filterBcConns: false,
    broadcastChannel,
  });
  opened.push({ provider, listener });
  await provider.key;
  await new Promise((resolve) => setTimeout(resolve, 50));
  doc.getMap('m').set('after', 2);
  await new Promise((resolve) => setTimeout(resolve, 200));
  return seen;
}

describe('y-webrtc patch: no echo to the sender', () => {
  it('sends a received update to every other connection, and a local one to all', async () => {
    const doc = new Y.Doc();
    const provider = new WebrtcProvider('echo-room', doc, {
      signaling: [],
      broadcastChannel: false,
    });
    await provider.key;
    const room = provider.room!;
    const conn = () => ({ peer: { send: vi.fn() }, destroy: vi.fn() });
    const from = conn();
    const other = conn();
    room.webrtcConns.set('from', from as never);
    room.webrtcConns.set('other', other as never);
    // An update as readPeerMessage applies it: the origin is the connection it arrived on.
    const remote = new Y.Doc();
    remote.getMap('m').set('k', 1);
    Y.applyUpdate(doc, Y.encodeStateAsUpdate(remote), from);
    expect(from.peer.send).not.toHaveBeenCalled();
    expect(other.peer.send).toHaveBeenCalledTimes(1);
    doc.getMap('m').set('mine', 2);
    expect(from.peer.send).toHaveBeenCalledTimes(1);
    expect(other.peer.send).toHaveBeenCalledTimes(2);
    room.webrtcConns.clear();
    provider.destroy();
  });
});

describe('y-webrtc patch: broadcastChannel option', () => {
  it('is applied (the provider records the option)', () => {
    const provider = new WebrtcProvider('patch-check', new Y.Doc(), {
      signaling: [],
      broadcastChannel: false,
    });
    expect(provider.broadcastChannel).toBe(false);
    provider.destroy();
  });

  it('posts nothing to the BroadcastChannel when off', async () => {
    expect(await postsSeen('bc-off-room', false)).toBe(0);
  });

  it('posts the sync, awareness and every update when on (the unpatched behaviour)', async () => {
    // peer id, sync step 1, sync step 2, awareness query, awareness state, then the update.
    expect(await postsSeen('bc-on-room', true)).toBeGreaterThanOrEqual(6);
  });
});
