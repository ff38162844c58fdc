import { afterEach, describe, expect, it } from 'vitest';
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
});
