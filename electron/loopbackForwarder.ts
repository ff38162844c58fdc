// A loopback port that forwards TCP to one relay found on the LAN. The page's CSP lets it open
// WebSockets to ws://127.0.0.1:* and to configured relays only; a relay that mDNS turned up a
// minute ago is neither, and a CSP cannot be widened without reloading the page. So main listens
// on 127.0.0.1, forwards the bytes to the LAN relay, and reports ws://127.0.0.1:<port>: the
// page never needs a LAN address in its CSP. WebSocket runs unchanged over the forwarded TCP.
//
// It forwards to exactly one address that discovery checked (a unicast IP and a port), accepts
// only loopback connections, and bounds how many it carries at once.
import { connect, createServer, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';

export const MAX_FORWARDED_CONNECTIONS = 8;

export interface LoopbackForwarder {
  /** ws://127.0.0.1:<port> */
  readonly url: string;
  readonly port: number;
  /** How many connections it carries now. */
  connections(): number;
  close(): Promise<void>;
}

export interface ForwardTarget {
  /** An IPv4 or IPv6 address, without brackets. */
  readonly host: string;
  readonly port: number;
}

/** The host and port of a ws:// relay URL, or null for anything else. */
export function forwardTargetOf(relayUrl: string): ForwardTarget | null {
  let url: URL;
  try {
    url = new URL(relayUrl);
  } catch {
    return null;
  }
  if (url.protocol !== 'ws:' || url.port === '') return null;
  const host = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
  return { host, port: Number(url.port) };
}

export async function startLoopbackForwarder(
  target: ForwardTarget,
  options: { maxConnections?: number; connectTimeoutMs?: number } = {},
): Promise<LoopbackForwarder> {
  const maxConnections = options.maxConnections ?? MAX_FORWARDED_CONNECTIONS;
  const sockets = new Set<Socket>();

  const server = createServer((client) => {
    const remote = client.remoteAddress ?? '';
    if (sockets.size >= maxConnections * 2 || !isLoopback(remote)) {
      client.destroy();
      return;
    }
    const upstream = connect({ host: target.host, port: target.port });
    upstream.setTimeout(options.connectTimeoutMs ?? 10_000, () => upstream.destroy());
    upstream.once('connect', () => upstream.setTimeout(0));
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.once('close', () => sockets.delete(socket));
    }
    const teardown = (): void => {
      client.destroy();
      upstream.destroy();
    };
    client.on('error', teardown);
    upstream.on('error', teardown);
    client.once('close', teardown);
    upstream.once('close', teardown);
    client.pipe(upstream);
    upstream.pipe(client);
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  let closing: Promise<void> | null = null;

  return {
    url: `ws://127.0.0.1:${port}`,
    port,
    connections: () => Math.ceil(sockets.size / 2),
    close() {
      closing ??= new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      });
      return closing;
    },
  };
}

function isLoopback(address: string): boolean {
  return address === '127.0.0.1' || address === '::ffff:127.0.0.1' || address === '::1';
}
