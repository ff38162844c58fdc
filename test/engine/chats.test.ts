// Chats that last (issue 18): two parties' private channels over one linked pair of Yjs docs
// (the transport y-webrtc would be), each with its history kept in a chat store. Texts and a
// file come back after both restart, in order and with their states; a text sent while the
// partner was away goes out after the sender restarted; a partner who stayed up hands its whole
// doc back without anything shown twice. Then the engine's own path: SskSession with the chat
// store attached by keepChats, as every platform runs it.
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { utf8 } from '../../shared/bytes.ts';
import { openKey } from '../../shared/ssk/box.ts';
import { PrivateChannel } from '../../shared/ssk/channel.ts';
import { SskDirectory } from '../../shared/ssk/directory.ts';
import { SskKeyring } from '../../shared/ssk/keyring.ts';
import { emptyMemoryLogData, MemoryLogStore } from '../../shared/storage/memoryStore.ts';
import type { MemoryLogData } from '../../shared/storage/memoryStore.ts';
import type { Ledger } from '../../shared/ledger/ledger.ts';
import { signTx } from '../../shared/tx/envelope.ts';
import { ChatLog } from '../../engine/chatLog.ts';
import { keepChats } from '../../engine/chatKeeper.ts';
import { ChatStore } from '../../engine/chatStore.ts';
import { keySigner } from '../../engine/keySigner.ts';
import { SskSession } from '../../engine/ssk.ts';
import { nodeTimers } from '../../node/platform/nodeTimers.ts';
import { deterministicRandom } from '../helpers/deterministicRandom.ts';
import { admit, identity, newLedger, type TestIdentity } from '../helpers/network.ts';
import { NO_WEBRTC } from '../renderer/fixtures.ts';

const alice = identity('chats alice');
const bob = identity('chats bob');
let now = 1_800_000_000_000;
const clock = { now: () => now };
const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

function session(ledger: Ledger, who: TestIdentity, channels = true): SskSession {
  return new SskSession({
    ledger,
    me: who.key,
    opener: { openSskBox: (box, ctx) => openKey(box, who.secret, ctx) },
    clock,
    random: deterministicRandom(`chats ${who.name} ${now}`),
    timers: nodeTimers,
    wrtc: NO_WEBRTC,
    channels,
    relays: () => [],
    iceServers: () => [],
    act: async (compose) => {
      const composed = compose(ledger, who.key);
      if (composed === null) return null;
      if (!composed.ok) throw new Error(composed.rejection.message);
      const tx = await admit(signTx(who.secret, composed.tx));
      if (ledger.insert(tx).status === 'rejected') throw new Error('refused');
      return { composed, tx };
    },
    onChange: () => undefined,
  });
}

/** A ledger on which Alice shared a key with Bob. */
async function sharedLedger(): Promise<Ledger> {
  const ledger = await newLedger({ witnesses: [alice], allocations: [[alice, 10n]] });
  const sharing = session(ledger, alice, false);
  await sharing.share(bob.key);
  sharing.close();
  return ledger;
}

/** One side of the channel as SskChannels runs it: the channel, its log, the store attached. */
async function side(ledger: Ledger, who: TestIdentity, other: TestIdentity, data: MemoryLogData) {
  const log = new ChatLog(who.key, clock);
  const doc = new Y.Doc();
  const keyring = new SskKeyring(
    new SskDirectory(ledger),
    ledger.networkId,
    who.key,
    who.secret,
    clock,
  );
  const channel = new PrivateChannel({
    doc,
    me: who.key,
    other: other.key,
    keyring,
    random: deterministicRandom(`channel ${who.name} ${now}`),
    clock,
    onEvent: (event) => (event.type === 'refused' ? undefined : log.channelEvent(other.key, event)),
  });
  const opened = await ChatStore.open({
    log: new MemoryLogStore(data),
    opener: { openSskBox: (box, ctx) => openKey(box, who.secret, ctx) },
    me: who.key,
    networkId: ledger.networkId,
    random: deterministicRandom(`store ${who.name} ${now}`),
    clock,
  });
  if (!opened.ok) throw new Error(opened.error);
  for (const { wire } of log.attach(opened.store, opened.records, opened.problems))
    channel.requeue(wire);
  const view = () => log.thread(other.key);
  const close = async () => {
    log.detach();
    await opened.store.close();
    doc.destroy();
  };
  return { doc, channel, log, view, close };
}

/** Carries every update between two docs from now on, as the room would. */
function link(a: Y.Doc, b: Y.Doc): void {
  Y.applyUpdate(b, Y.encodeStateAsUpdate(a), 'link');
  Y.applyUpdate(a, Y.encodeStateAsUpdate(b), 'link');
  a.on('update', (update: Uint8Array, origin: unknown) => {
    if (origin !== 'link' && !b.isDestroyed) Y.applyUpdate(b, update, 'link');
  });
  b.on('update', (update: Uint8Array, origin: unknown) => {
    if (origin !== 'link' && !a.isDestroyed) Y.applyUpdate(a, update, 'link');
  });
}

const texts = (thread: { messages: readonly { text: string; state: string }[] }) =>
  thread.messages.map((m) => [m.text, m.state]);

describe('chats that last', () => {
  it('come back after both sides restart, in order, with their states', async () => {
    const ledger = await sharedLedger();
    const [aliceData, bobData] = [emptyMemoryLogData(), emptyMemoryLogData()];
    let a = await side(ledger, alice, bob, aliceData);
    let b = await side(ledger, bob, alice, bobData);
    link(a.doc, b.doc);
    a.channel.sendText('one');
    now += 1000;
    b.channel.sendText('two');
    const file = utf8('a small file\n'.repeat(100));
    const fileId = a.channel.sendFile('notes.txt', file);
    a.log.fileSent(bob.key, fileId, 'notes.txt', file, 1);
    await settle();
    expect(texts(a.view())).toEqual([
      ['one', 'delivered'],
      ['two', 'received'],
    ]);
    expect(texts(b.view())).toEqual([
      ['one', 'received'],
      ['two', 'delivered'],
    ]);
    expect(a.view().transfers.get(fileId)?.state).toBe('delivered');
    expect(b.view().transfers.get(fileId)).toMatchObject({ state: 'complete', bytes: file });
    const times = a.view().messages.map((m) => m.time);

    // Both close. Alice writes while Bob is away, and restarts before he is back.
    await Promise.all([a.close(), b.close()]);
    a = await side(ledger, alice, bob, aliceData);
    a.channel.sendText('three');
    await a.close();
    a = await side(ledger, alice, bob, aliceData);
    expect(texts(a.view())).toEqual([
      ['one', 'delivered'],
      ['two', 'received'],
      ['three', 'sent'],
    ]);
    expect(
      a
        .view()
        .messages.slice(0, 2)
        .map((m) => m.time),
    ).toEqual(times);
    expect(a.view().transfers.get(fileId)).toMatchObject({ state: 'delivered', bytes: file });

    // Bob is back: the kept text went out again, and both sides now say so.
    b = await side(ledger, bob, alice, bobData);
    expect(texts(b.view())).toEqual([
      ['one', 'received'],
      ['two', 'delivered'],
    ]);
    expect(b.view().transfers.get(fileId)).toMatchObject({ state: 'complete', bytes: file });
    link(a.doc, b.doc);
    await settle();
    expect(texts(b.view())).toEqual([
      ['one', 'received'],
      ['two', 'delivered'],
      ['three', 'received'],
    ]);
    expect(texts(a.view())).toEqual([
      ['one', 'delivered'],
      ['two', 'received'],
      ['three', 'delivered'],
    ]);
    await Promise.all([a.close(), b.close()]);
  });

  it('shows nothing twice when a partner who stayed up hands its doc back', async () => {
    const ledger = await sharedLedger();
    const [aliceData, bobData] = [emptyMemoryLogData(), emptyMemoryLogData()];
    let a = await side(ledger, alice, bob, aliceData);
    const b = await side(ledger, bob, alice, bobData);
    link(a.doc, b.doc);
    a.channel.sendText('before');
    b.channel.sendText('reply');
    await settle();
    await a.close();
    now += 1000;
    a = await side(ledger, alice, bob, aliceData);
    link(a.doc, b.doc);
    await settle();
    a.channel.sendText('after');
    await settle();
    expect(texts(a.view())).toEqual([
      ['before', 'delivered'],
      ['reply', 'received'],
      ['after', 'delivered'],
    ]);
    expect(texts(b.view())).toEqual([
      ['before', 'received'],
      ['reply', 'delivered'],
      ['after', 'received'],
    ]);
    await Promise.all([a.close(), b.close()]);
  });

  it('the engine keeps them through keepChats, and says when the history cannot be read', async () => {
    const ledger = await sharedLedger();
    const data = emptyMemoryLogData();
    const start = async (who: TestIdentity) => {
      const ssk = session(ledger, alice);
      const engine = {
        ports: { signer: keySigner(who.secret), random: deterministicRandom(`keep ${now}`), clock },
        address: alice.key,
        networkId: ledger.networkId,
        ssk,
        ready: () => Promise.resolve(ledger),
      };
      const keeping = keepChats(engine, new MemoryLogStore(data), (m) => problems.push(m));
      await keeping.attached;
      return { ssk, close: async () => (ssk.close(), await keeping.close()) };
    };
    const problems: string[] = [];
    let engine = await start(alice);
    engine.ssk.sendText(bob.key, 'kept by the engine');
    await engine.close();

    engine = await start(alice);
    const conversation = engine.ssk.conversation(bob.key);
    expect(conversation?.messages).toMatchObject([
      { text: 'kept by the engine', state: 'sent', time: now },
    ]);
    // Not yet delivered: it was handed to the new channel again.
    expect(engine.ssk.channel(bob.key).texts.map((t) => t.text)).toEqual(['kept by the engine']);
    await engine.close();
    expect(problems).toEqual([]);

    // Another identity's signer cannot open it: the sentence is shown, nothing crashes.
    engine = await start(bob);
    expect(engine.ssk.conversation(bob.key)?.problems).toEqual([problems[0]]);
    expect(problems[0]).toMatch(/^The kept chat history cannot be read: its key does not open/);
    expect(engine.ssk.conversation(bob.key)?.messages).toEqual([]);
    await engine.close();
  });
});
