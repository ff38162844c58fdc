// Fuzz target: awareness updates (y-protocols/awareness applyAwarenessUpdate, as y-webrtc calls
// it for every awareness message a peer sends, and as the screen lets it through). States can be
// anything a member writes: huge, nested 30,000 deep, not JSON, null, for our own client id,
// with any clock. GPoW shows no awareness, but y-webrtc keeps and re-sends every state: its
// handler re-encodes each change, a new connection is sent all states, and y-protocols renews
// our own state every 15 s (a timer: a throw there is an uncaught exception).
//
// Checked: whatever the screen passes, y-protocols and y-webrtc take without a throw, now and
// when they re-send it later (a new connection, the renewal timer); whatever y-protocols cannot
// take, the screen refuses; no update takes long; and awareness never touches the doc.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebrtcProvider } from 'y-webrtc';
import * as awarenessProtocol from 'y-protocols/awareness';
import * as Y from 'yjs';
import { screenMessage } from '../../shared/replication/screen.ts';
import {
  awarenessBytes,
  hostileAwarenessArb,
  OWN_CLIENT,
  yMessages,
  type HostileAwareness,
} from './fixtures.ts';
import { deepJsonText, fuzz, runs, Watchdog } from './harness.ts';

const watchdog = new Watchdog();
let provider: WebrtcProvider;
let doc: Y.Doc;

beforeAll(async () => {
  watchdog.install();
  doc = new Y.Doc();
  doc.getMap('txs').set('k', Uint8Array.of(1));
  // A connected room: y-webrtc's awareness handler re-encodes every change, as on a peer.
  provider = new WebrtcProvider('gpow-fuzz-awareness', doc, {
    signaling: [],
    filterBcConns: false,
    broadcastChannel: false,
  });
  await provider.key;
});

afterAll(async () => {
  provider.disconnect();
  provider.destroy();
  await provider.key;
  watchdog.uninstall();
});

/** Nothing in the screen's context matters for awareness: it carries no ledger entries. */
const ctx = {
  networkId: 'ab'.repeat(32) as never,
  known: () => false,
  admit: () => Promise.reject(new Error('awareness has no entries to admit')),
};

/** What y-webrtc does later with every state it holds: a new connection is sent them all, and
 * y-protocols renews our own state on a timer. Neither may throw. */
function resend(awareness: awarenessProtocol.Awareness): void {
  awarenessProtocol.encodeAwarenessUpdate(awareness, [...awareness.getStates().keys()]);
  awareness.setLocalState(awareness.getLocalState());
}

const stateOf = (d: Y.Doc) => Buffer.from(Y.encodeStateAsUpdate(d)).toString('base64');
let passed = 0;
let refused = 0;
let protocolThrew = 0;

async function runCase(hostile: HostileAwareness): Promise<void> {
  const awareness = provider.awareness;
  const update = awarenessBytes(hostile, awareness.clientID);
  const docBefore = stateOf(doc);
  const verdict = await screenMessage(yMessages.awareness(update), ctx);

  // y-protocols alone, on a scratch awareness: may it throw on this update?
  const scratch = new awarenessProtocol.Awareness(new Y.Doc());
  let protocolError: unknown = null;
  try {
    awarenessProtocol.applyAwarenessUpdate(scratch, update, 'remote');
    resend(scratch);
  } catch (error) {
    protocolError = error;
    protocolThrew++;
  } finally {
    scratch.destroy();
  }

  if (!verdict.ok) {
    refused++;
    return;
  }
  passed++;
  // Passed by the screen: y-protocols takes it, and so does y-webrtc, now and later.
  expect(protocolError).toBeNull();
  expect(() => {
    awarenessProtocol.applyAwarenessUpdate(awareness, update, 'remote');
    resend(awareness);
  }).not.toThrow();
  expect(stateOf(doc)).toBe(docBefore);
  // Let remote states go again so they do not pile up from case to case.
  const others = [...awareness.getStates().keys()].filter((c) => c !== awareness.clientID);
  awarenessProtocol.removeAwarenessStates(awareness, others, 'fuzz');
  if (awareness.getLocalState() === null) awareness.setLocalState({});
}

describe('fuzz: awareness updates', () => {
  it('whatever the screen passes is taken without a throw, now and when re-sent', async () => {
    await fuzz(
      'awareness',
      fc.asyncProperty(hostileAwarenessArb, (hostile) =>
        watchdog.run('an awareness update', () => runCase(hostile)),
      ),
      401,
      1_500,
    );
  });

  it('regression: an awareness update cut to nothing (seed 401)', async () => {
    // The first thing the target found: the screen passed an empty awareness payload, and
    // y-protocols threw lib0's "Unexpected end of array" inside y-webrtc.
    await watchdog.run('an empty awareness update', () =>
      runCase({
        kind: 'entries',
        entries: [{ client: OWN_CLIENT, clock: 2 ** 32, state: 'null' }],
        cut: 0,
      }),
    );
    expect(protocolThrew).toBeGreaterThan(0);
  });

  it('regression: our own state replaced by one nested 20,000 deep (seed 401)', async () => {
    // Passed by the screen (it is under 64 KiB): y-protocols let the remote replace our own
    // state with it, y-webrtc's handler overflowed the stack re-encoding it, and from then on
    // y-protocols' 15-second renewal of our state threw the same RangeError from a timer: an
    // uncaught exception, the end of a Node peer. The screen now refuses deep states.
    await watchdog.run('a deep own state', () =>
      runCase({
        kind: 'entries',
        entries: [{ client: OWN_CLIENT, clock: 2 ** 32, state: deepJsonText(20_000, 'array') }],
        cut: null,
      }),
    );
    expect(refused).toBeGreaterThan(0);
  });

  it(`ran ${runs(1_500) + 2} cases; the screen passed some and refused what y-protocols cannot take`, () => {
    expect(watchdog.cases).toBe(runs(1_500) + 2);
    expect(passed).toBeGreaterThan(0);
    expect(refused).toBeGreaterThan(0);
    expect(protocolThrew).toBeGreaterThan(0);
  });
});
