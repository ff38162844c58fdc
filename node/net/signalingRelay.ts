// A small signaling relay speaking y-webrtc's protocol (subscribe, unsubscribe, publish, ping)
// over WebSocket. Every app and headless peer runs one, so a network needs no public server.
//
// The relay sees only room names (derived from the network id) and, with a room password, only
// encrypted signaling payloads. It is hardened against misuse: bounded message size, topics per
// connection and connections, strict parsing, and pings to drop dead connections.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as v from 'valibot';
import { WebSocketServer, type WebSocket } from 'ws';
import { nestsDeeperThan } from '../../shared/replication/screen.ts';

export interface RelayOptions {
  /** 127.0.0.1 by default; use 0.0.0.0 to serve the LAN. */
  readonly host?: string;
  /** 0 picks a free port. */
  readonly port?: number;
  readonly maxConnections?: number;
  readonly maxTopicsPerConnection?: number;
  readonly maxMessageBytes?: number;
  readonly pingIntervalMs?: number;
}

export interface SignalingRelay {
  readonly url: string;
  readonly port: number;
  connections(): number;
  close(): Promise<void>;
}

/**
 * Messages nested deeper than this are ignored (y-webrtc's own are at most 4 deep). Forwarding
 * serialises a message again, and JSON.stringify recurses: data nested 20,000 deep, which fits
 * in a 64 KiB message, overflowed the stack and took the whole peer down.
 */
export const MAX_RELAY_JSON_DEPTH = 32;

const topicName = v.pipe(v.string(), v.minLength(1), v.maxLength(256));
const message = v.variant('type', [
  v.object({ type: v.literal('subscribe'), topics: v.pipe(v.array(topicName), v.maxLength(64)) }),
  v.object({ type: v.literal('unsubscribe'), topics: v.pipe(v.array(topicName), v.maxLength(64)) }),
  v.object({ type: v.literal('publish'), topic: topicName, data: v.unknown() }),
  v.object({ type: v.literal('ping') }),
]);

export async function startSignalingRelay(options: RelayOptions = {}): Promise<SignalingRelay> {
  const host = options.host ?? '127.0.0.1';
  const maxConnections = options.maxConnections ?? 256;
  const maxTopics = options.maxTopicsPerConnection ?? 32;
  const maxBytes = options.maxMessageBytes ?? 64 * 1024;
  const topics = new Map<string, Set<WebSocket>>();

  const server: Server = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.end('gpow signaling relay\n');
  });
  const wss = new WebSocketServer({ server, maxPayload: maxBytes });

  const send = (conn: WebSocket, text: string) => {
    if (conn.readyState === conn.OPEN) conn.send(text);
  };
  // Errors of the listening socket after start-up (too many open files, say): the relay keeps
  // serving the connections it has rather than ending the peer.
  wss.on('error', () => undefined);

  wss.on('connection', (conn) => {
    if (wss.clients.size > maxConnections) {
      conn.close(1013, 'relay is full');
      return;
    }
    const subscribed = new Set<string>();
    let alive = true;
    conn.on('pong', () => (alive = true));
    const pinger = setInterval(() => {
      if (!alive) return conn.terminate();
      alive = false;
      conn.ping();
    }, options.pingIntervalMs ?? 30_000);

    conn.on('close', () => {
      clearInterval(pinger);
      for (const name of subscribed) {
        const subs = topics.get(name);
        subs?.delete(conn);
        if (subs?.size === 0) topics.delete(name);
      }
    });

    // A WebSocket emits 'error' for a protocol violation by the client (invalid UTF-8 in a text
    // frame, a message over maxPayload) and then closes. Without a listener, that 'error' was
    // thrown as an uncaught exception: any client could end the peer's process.
    conn.on('error', () => conn.terminate());

    conn.on('message', (raw, isBinary) => {
      if (isBinary) return;
      const text = Buffer.isBuffer(raw)
        ? raw.toString('utf8')
        : Buffer.concat(Array.isArray(raw) ? raw : [Buffer.from(raw)]).toString('utf8');
      if (nestsDeeperThan(text, MAX_RELAY_JSON_DEPTH)) return;
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch {
        return; // not JSON: ignore, as y-webrtc's own server would fail to
      }
      const result = v.safeParse(message, parsed);
      if (!result.success) return;
      const m = result.output;
      switch (m.type) {
        case 'subscribe':
          for (const name of m.topics) {
            if (subscribed.size >= maxTopics && !subscribed.has(name)) break;
            let subs = topics.get(name);
            if (!subs) topics.set(name, (subs = new Set()));
            subs.add(conn);
            subscribed.add(name);
          }
          break;
        case 'unsubscribe':
          for (const name of m.topics) {
            topics.get(name)?.delete(conn);
            subscribed.delete(name);
          }
          break;
        case 'publish': {
          const receivers = topics.get(m.topic);
          if (!receivers || !subscribed.has(m.topic)) break;
          // Serialised once for every receiver (the depth bound keeps this from throwing).
          const out = JSON.stringify({
            type: 'publish',
            topic: m.topic,
            data: m.data,
            clients: receivers.size,
          });
          for (const receiver of receivers) send(receiver, out);
          break;
        }
        case 'ping':
          send(conn, '{"type":"pong"}');
          break;
      }
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const urlHost = host === '0.0.0.0' ? '127.0.0.1' : host;
  return {
    url: `ws://${urlHost}:${port}`,
    port,
    connections: () => wss.clients.size,
    close: () =>
      new Promise<void>((resolve) => {
        for (const client of wss.clients) client.terminate();
        wss.close(() => server.close(() => resolve()));
      }),
  };
}
