import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { startSignalingRelay, type SignalingRelay } from '../../node/net/signalingRelay.ts';

let relay: SignalingRelay | undefined;
afterEach(async () => relay?.close());

function client(
  url: string,
): Promise<{ ws: WebSocket; messages: unknown[]; send: (m: unknown) => void }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url);
    const messages: unknown[] = [];
    ws.on('message', (data: Buffer) => messages.push(JSON.parse(data.toString('utf8'))));
    ws.on('open', () =>
      resolve({
        ws,
        messages,
        send: (m) => ws.send(typeof m === 'string' ? m : JSON.stringify(m)),
      }),
    );
    ws.on('error', reject);
  });
}
const tick = () => new Promise((r) => setTimeout(r, 50));

describe('signaling relay', () => {
  it('listens on loopback only by default and forwards publishes to subscribers of the topic', async () => {
    relay = await startSignalingRelay();
    expect(relay.url).toMatch(/^ws:\/\/127\.0\.0\.1:\d+$/);
    const a = await client(relay.url);
    const b = await client(relay.url);
    const outsider = await client(relay.url);
    a.send({ type: 'subscribe', topics: ['room-1'] });
    b.send({ type: 'subscribe', topics: ['room-1'] });
    outsider.send({ type: 'subscribe', topics: ['room-2'] });
    await tick();
    a.send({ type: 'publish', topic: 'room-1', data: { hello: 1 } });
    await tick();
    expect(b.messages).toEqual([
      { type: 'publish', topic: 'room-1', data: { hello: 1 }, clients: 2 },
    ]);
    expect(outsider.messages).toEqual([]);
    expect(relay.connections()).toBe(3);
    for (const c of [a, b, outsider]) c.ws.close();
  });

  it('ignores publishes from non-subscribers, malformed messages, and answers pings', async () => {
    relay = await startSignalingRelay();
    const a = await client(relay.url);
    const b = await client(relay.url);
    b.send({ type: 'subscribe', topics: ['room'] });
    await tick();
    a.send({ type: 'publish', topic: 'room', data: 1 });
    a.send('not json');
    a.send({ type: 'subscribe', topics: 'room' });
    a.send({ type: 'unknown' });
    a.send({ type: 'ping' });
    await tick();
    expect(b.messages).toEqual([]);
    expect(a.messages).toEqual([{ type: 'pong' }]);
    b.send({ type: 'unsubscribe', topics: ['room'] });
    a.send({ type: 'subscribe', topics: ['room'] });
    await tick();
    a.send({ type: 'publish', topic: 'room', data: 2 });
    await tick();
    expect(b.messages).toEqual([]);
    a.ws.close();
    b.ws.close();
  });

  it('bounds topics per connection and connections per relay', async () => {
    relay = await startSignalingRelay({ maxTopicsPerConnection: 2, maxConnections: 2 });
    const a = await client(relay.url);
    const b = await client(relay.url);
    a.send({ type: 'subscribe', topics: ['t1', 't2', 't3'] });
    b.send({ type: 'subscribe', topics: ['t3'] });
    await tick();
    b.send({ type: 'publish', topic: 't3', data: 'x' });
    await tick();
    expect(a.messages).toEqual([]);
    const c = await client(relay.url);
    const closed = await new Promise<number>((r) => c.ws.on('close', (code) => r(code)));
    expect(closed).toBe(1013);
    a.ws.close();
    b.ws.close();
  });
});
