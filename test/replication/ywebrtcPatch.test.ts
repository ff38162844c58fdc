// Our patch of y-webrtc (patches/y-webrtc+10.3.0.patch, applied by patch-package on install):
// `broadcastChannel: false` keeps a provider off the cross-tab BroadcastChannel. Unpatched, a
// provider posts its whole doc there on connect and every update after, each AES-encrypted:
// at 100,000 transactions that was a quarter of a peer's peak memory at start, for nothing.
// The control case (the default, true) shows the listener would see those posts.
import { afterEach, describe, expect, it } from 'vitest';
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
