import { afterEach, describe, expect, it, vi } from 'vitest';
import { WebSocketServer } from 'ws';
import { safeWebSocketClass } from '../../node/net/safeWebSocket.ts';

let server: WebSocketServer | undefined;
afterEach(() => server?.close());

describe('the WebSocket given to y-webrtc', () => {
  it('drops a send while connecting instead of throwing, and sends once open', async () => {
    server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    const received: string[] = [];
    server.on('connection', (c) => c.on('message', (d: Buffer) => received.push(d.toString())));
    await new Promise((r) => server!.once('listening', r));
    const url = `ws://127.0.0.1:${(server.address() as { port: number }).port}`;
    // The platform's own WebSocket throws here; that is the crash this guards against.
    const plain = new WebSocket(url);
    expect(() => plain.send('too early')).toThrow();
    plain.close();
    const Safe = safeWebSocketClass(WebSocket);
    const ws = new Safe(url);
    expect(() => ws.send('too early')).not.toThrow();
    await new Promise((r) => ws.addEventListener('open', r));
    ws.send('hello');
    await new Promise((r) => setTimeout(r, 100));
    expect(received).toEqual(['hello']);
    ws.close();
  });

  it('drops a frame its message handler cannot read, and says so, instead of throwing', async () => {
    server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    server.on('connection', (c) => {
      c.send('not json {');
      c.send(JSON.stringify({ type: 'pong' }));
    });
    await new Promise((r) => server!.once('listening', r));
    const url = `ws://127.0.0.1:${(server.address() as { port: number }).port}`;
    const dropped: string[] = [];
    const Safe = safeWebSocketClass(WebSocket, (message) => dropped.push(message));
    const ws = new Safe(url);
    const parsed: unknown[] = [];
    // What lib0's client does with every text frame.
    const handler = (event: MessageEvent): void => {
      parsed.push(JSON.parse(event.data as string));
    };
    ws.onmessage = handler;
    expect(ws.onmessage).toBe(handler);
    await vi.waitFor(() => expect(parsed).toHaveLength(1), { timeout: 2000 });
    expect(parsed).toEqual([{ type: 'pong' }]);
    expect(dropped).toHaveLength(1);
    expect(dropped[0]).toMatch(
      /^dropped a frame from the signaling relay ws:\/\/127\.0\.0\.1:\d+\/? that could not be read/,
    );
    ws.close();
  });
});
