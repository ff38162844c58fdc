// The control socket of a running peer: newline-delimited JSON requests and responses over a
// Unix socket in the home directory (mode 0600), so `gpow send` and friends can use the peer
// that `gpow run` keeps online instead of opening the locked log themselves.
import { chmod, unlink } from 'node:fs/promises';
import { createConnection, createServer, type Server } from 'node:net';

export interface ControlRequest {
  readonly id: number;
  readonly method: string;
  readonly params?: Record<string, unknown>;
}

export type ControlHandler = (method: string, params: Record<string, unknown>) => Promise<unknown>;

const MAX_LINE = 64 * 1024;

/** JSON cannot carry bigints; amounts travel as decimal strings. */
export const toJson = (value: unknown): string =>
  JSON.stringify(value, (_key, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));

export async function serveControl(path: string, handle: ControlHandler): Promise<Server> {
  await unlink(path).catch(() => undefined);
  const server = createServer((socket) => {
    let buffer = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      buffer += chunk;
      if (buffer.length > MAX_LINE) {
        socket.destroy();
        return;
      }
      let newline: number;
      while ((newline = buffer.indexOf('\n')) >= 0) {
        const line = buffer.slice(0, newline);
        buffer = buffer.slice(newline + 1);
        void respond(line);
      }
    });
    const respond = async (line: string): Promise<void> => {
      let request: ControlRequest;
      try {
        request = JSON.parse(line) as ControlRequest;
        if (typeof request.method !== 'string') throw new Error('no method');
      } catch {
        socket.write(`${toJson({ id: null, error: { message: 'malformed request' } })}\n`);
        return;
      }
      try {
        const result = await handle(request.method, request.params ?? {});
        socket.write(`${toJson({ id: request.id, result })}\n`);
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        socket.write(`${toJson({ id: request.id, error: { message } })}\n`);
      }
    };
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(path, () => resolve());
  });
  await chmod(path, 0o600);
  return server;
}

export class NoPeerRunning extends Error {
  override name = 'NoPeerRunning';
}

/** Calls a running peer; throws NoPeerRunning when none listens on the socket. */
export function callControl(
  path: string,
  method: string,
  params: Record<string, unknown> = {},
  timeoutMs = 30_000,
): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const socket = createConnection(path);
    let buffer = '';
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`the running peer did not answer "${method}" within ${timeoutMs / 1000} s`));
    }, timeoutMs);
    socket.setEncoding('utf8');
    socket.on('connect', () => socket.write(`${toJson({ id: 1, method, params })}\n`));
    socket.on('data', (chunk: string) => {
      buffer += chunk;
      const newline = buffer.indexOf('\n');
      if (newline < 0) return;
      clearTimeout(timer);
      socket.end();
      const response = JSON.parse(buffer.slice(0, newline)) as {
        result?: unknown;
        error?: { message: string };
      };
      if (response.error) reject(new Error(response.error.message));
      else resolve(response.result);
    });
    socket.on('error', (error: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      if (error.code === 'ENOENT' || error.code === 'ECONNREFUSED') reject(new NoPeerRunning());
      else reject(error);
    });
  });
}
