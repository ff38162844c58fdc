// A peer that reaches nobody (engine/connection.ts unansweredFor, engine/groupNotices.ts
// nobodyAnswered): after NOBODY_ANSWERED_MS in its room with relays and no member connected,
// its status says that nobody answered and that an old invitation may predate a change of the
// join secret (§13.8). The count restarts with a member connected, new relays, a new secret or
// coming back online; a founder alone in a network of one is told nothing. The relay here is a
// closed port on 127.0.0.1, so nobody can ever answer; the clock is moved by hand.
import { createServer, type AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import type { NetworkId } from '../../shared/ids.ts';
import type { PeerLink, WrtcLike } from '../../shared/replication/guardedWrtc.ts';
import { Connection } from '../../engine/connection.ts';
import { nobodyAnswered } from '../../engine/groupNotices.ts';
import { timerPortOf } from '../../engine/ports.ts';
import { NOBODY_ANSWERED_MS } from '../../engine/timing.ts';
import { identity, newLedger } from '../helpers/network.ts';

const noWrtc: WrtcLike = {
  RTCPeerConnection: class {},
  RTCSessionDescription: class {},
  RTCIceCandidate: class {},
};

async function closedRelay(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return `ws://127.0.0.1:${port}`;
}

const opened: Connection[] = [];
afterEach(async () => {
  for (const connection of opened.splice(0)) await connection.close();
});

async function connection() {
  let now = 1_800_000_000_000;
  const links = new Map<number, PeerLink>();
  const doc = new Y.Doc();
  const c = new Connection({
    networkId: 'ab'.repeat(32) as NetworkId,
    secret: 'A'.repeat(43),
    doc,
    wrtc: noWrtc,
    clock: { now: () => now },
    timers: timerPortOf(globalThis),
    relays: [await closedRelay()],
    iceServers: [],
    links,
    onWarning: () => undefined,
    onChange: () => undefined,
    onRoomClosed: () => undefined,
  });
  opened.push(c);
  return { c, links, advance: (ms: number) => (now += ms) };
}

const alice = identity('unanswered alice');
const bob = identity('unanswered bob');

describe('a peer nobody answers', () => {
  it('counts the time in its room with nobody connected, from each fresh chance', async () => {
    const { c, links, advance } = await connection();
    expect(c.unansweredFor()).toBeNull();
    c.start();
    advance(NOBODY_ANSWERED_MS + 1_000);
    expect(c.unansweredFor()).toBe(NOBODY_ANSWERED_MS + 1_000);
    // A member answers: nothing to say, and the count starts again once it leaves.
    links.set(1, {} as PeerLink);
    expect(c.unansweredFor()).toBeNull();
    links.delete(1);
    advance(30_000);
    expect(c.unansweredFor()).toBe(30_000);
    // A new join secret is a fresh chance; so is coming back online; offline says nothing.
    await c.setSecret('B'.repeat(43));
    advance(5_000);
    expect(c.unansweredFor()).toBe(5_000);
    await c.setOnline(false);
    advance(NOBODY_ANSWERED_MS * 2);
    expect(c.unansweredFor()).toBeNull();
    await c.setOnline(true);
    expect(c.unansweredFor()).toBe(0);
    // Without relays the peer is not trying to reach anyone.
    await c.configure([]);
    advance(NOBODY_ANSWERED_MS * 2);
    expect(c.unansweredFor()).toBeNull();
  });

  it('says why nobody may answer, to a newcomer and to a member who was away', async () => {
    expect(nobodyAnswered(null, null, alice.key)).toBeNull();
    expect(nobodyAnswered(NOBODY_ANSWERED_MS - 1, null, alice.key)).toBeNull();
    const newcomer = nobodyAnswered(NOBODY_ANSWERED_MS, null, alice.key);
    expect(newcomer).toMatch(/^Nobody in this network has answered for a minute\./);
    expect(newcomer).toMatch(
      /if your invitation is not new, the group may have changed its join secret .*ask a member for a new invitation\.$/,
    );
    expect(nobodyAnswered(150_000, null, null)).toMatch(/answered for 2 minutes\./);

    const group = await newLedger({
      witnesses: [alice],
      allocations: [
        [alice, 10n],
        [bob, 10n],
      ],
    });
    expect(nobodyAnswered(NOBODY_ANSWERED_MS, group, bob.key)).toMatch(
      /^No other member has answered for a minute\. .*changed its join secret meanwhile .*new invitation\.$/,
    );
    // A founder alone in a network that holds nobody else is alone by design.
    const alone = await newLedger({ witnesses: [alice], allocations: [[alice, 10n]] });
    expect(nobodyAnswered(NOBODY_ANSWERED_MS * 10, alone, alice.key)).toBeNull();
  });
});
