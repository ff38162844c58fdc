// The kept chat history (engine/chatStore.ts): its records come back as written, sealed at rest
// with a key only the identity's signer unwraps; another identity, a missing key, a key that
// is not the history's and a damaged record each give a sentence, never a crash or a guess.
import { describe, expect, it } from 'vitest';
import { fromHex, utf8 } from '../../shared/bytes.ts';
import { openKey, sealKey } from '../../shared/ssk/box.ts';
import { partsOf, stateRecord, type ChatRecord } from '../../shared/ssk/chatRecords.ts';
import { MemoryLogStore, type MemoryLogData } from '../../shared/storage/memoryStore.ts';
import { emptyMemoryLogData } from '../../shared/storage/memoryStore.ts';
import { ChatStore } from '../../engine/chatStore.ts';
import type { SskOpener } from '../../engine/sskKeyring.ts';
import { deterministicRandom } from '../helpers/deterministicRandom.ts';
import { identity, type TestIdentity } from '../helpers/network.ts';

const alice = identity('chat store alice');
const bob = identity('chat store bob');
const networkId = 'ab'.repeat(32);
const clock = { now: () => 1_800_000_000_000 };
const SECRET_TEXT = 'the plan is under the third stone';

const openerOf = (who: TestIdentity): SskOpener => ({
  openSskBox: (box, ctx) => openKey(box, who.secret, ctx),
});

function open(data: MemoryLogData, who: TestIdentity = alice) {
  return ChatStore.open({
    log: new MemoryLogStore(data),
    opener: openerOf(who),
    me: who.key,
    networkId,
    random: deterministicRandom(`chat store ${who.name}`),
    clock,
  });
}

const records: ChatRecord[] = [
  {
    k: 'text',
    p: fromHex(bob.key),
    mine: true,
    e: 1,
    c: 7,
    t: SECRET_TEXT,
    at: 1_800_000_000_000,
    w: utf8('sealed entry'),
  },
  {
    k: 'file',
    p: fromHex(bob.key),
    id: new Uint8Array(16).fill(3),
    mine: false,
    name: 'plan.txt',
    size: 5,
    at: 1,
  },
  ...partsOf(bob.key, '03'.repeat(16), utf8('plans')),
  stateRecord(bob.key, 't-o-1-7', 'delivered', 2),
  stateRecord(bob.key, 'f-' + '03'.repeat(16), 'failed', 3, 'the checksum did not match'),
];

async function written(): Promise<MemoryLogData> {
  const data = emptyMemoryLogData();
  const first = await open(data);
  if (!first.ok) throw new Error(first.error);
  expect(first.records).toEqual([]);
  await first.store.append(records);
  await first.store.close();
  return data;
}

const contains = (haystack: Uint8Array, needle: Uint8Array): boolean =>
  Buffer.from(haystack).includes(Buffer.from(needle));

describe('the kept chat history', () => {
  it('gives back every record, in order, after a restart', async () => {
    const data = await written();
    const again = await open(data);
    if (!again.ok) throw new Error(again.error);
    expect(again.records).toEqual(records);
    expect(again.problems).toEqual([]);
  });

  it('keeps records encrypted: neither a text nor a file is readable in what is stored', async () => {
    const data = await written();
    expect(data.records).toHaveLength(records.length);
    for (const record of data.records) {
      expect(contains(record, utf8(SECRET_TEXT))).toBe(false);
      expect(contains(record, utf8('plans'))).toBe(false);
      expect(contains(record, utf8('plan.txt'))).toBe(false);
    }
    // The key is kept wrapped: the box beside the records opens only with Alice's secret.
    const wrapped = data.meta.get('chat-key');
    expect(wrapped).toBeInstanceOf(Uint8Array);
  });

  it('refuses another identity with a sentence, and writes nothing', async () => {
    const data = await written();
    const before = data.records.length;
    const other = await open(data, bob);
    expect(other.ok).toBe(false);
    if (other.ok) return;
    expect(other.error).toMatch(
      /^The kept chat history cannot be read: its key does not open with this identity .*kept by another identity/,
    );
    expect(data.records).toHaveLength(before);
  });

  it('refuses a history whose key is missing, or whose key box is not the history’s', async () => {
    const data = await written();
    const box = data.meta.get('chat-key')!;
    data.meta.delete('chat-key');
    const missing = await open(data);
    expect(missing).toEqual({
      ok: false,
      error: 'The kept chat history cannot be read: its key is missing.',
    });
    // A box Alice can open, under the same context, but made for another purpose.
    const network = fromHex(networkId);
    const me = fromHex(alice.key);
    const meta = { epoch: 2 ** 32 - 1, alg: 1 as const, created: 0, purpose: 'messages' };
    const ctx = { network, sender: me, recipient: me, epoch: 2 ** 32 - 1 };
    data.meta.set('chat-key', sealKey(new Uint8Array(32), meta, ctx, deterministicRandom('x')));
    const foreign = await open(data);
    expect(foreign.ok || foreign.error).toBe(
      'The kept chat history cannot be read: its key is not a key for the chat history.',
    );
    data.meta.set('chat-key', box);
    expect((await open(data)).ok).toBe(true);
  });

  it('skips a damaged record with a sentence and keeps the rest', async () => {
    const data = await written();
    const damaged = data.records[0]!;
    damaged[damaged.length - 3]! ^= 0x40;
    data.records[2] = utf8('not a record at all');
    const again = await open(data);
    if (!again.ok) throw new Error(again.error);
    expect(again.records).toEqual([records[1], ...records.slice(3)]);
    expect(again.problems).toEqual([
      '2 kept chat records were damaged or altered and could not be read; the rest of the history is shown.',
    ]);
  });

  it('says so when keeping fails, and keeps working', async () => {
    const data = emptyMemoryLogData();
    const opened = await open(data);
    if (!opened.ok) throw new Error(opened.error);
    // A record the log refuses (over its 1 MiB bound) fails that append, not the store.
    const huge = { ...records[0]!, w: new Uint8Array(2 * 1024 * 1024) } as ChatRecord;
    await opened.store.append([huge]);
    expect(opened.store.failure).toMatch(/^Keeping the chat history failed: /);
    await opened.store.append([records[1]!]);
    expect(data.records).toHaveLength(1);
  });
});
