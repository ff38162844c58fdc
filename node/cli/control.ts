// The control socket of a running peer: newline-delimited JSON requests and responses over a
// Unix socket in the home directory (mode 0600), so `gpow send` and friends can use the peer
// that `gpow run` keeps online instead of opening the locked log themselves.
//
// Only this user can connect, but what arrives is still parsed as untrusted: every request gets
// exactly one answer, an error sentence if it is too large, not JSON or not a request. A request
// that went unanswered left its caller waiting 30 s for a timeout and then blaming the peer; a
// request of any size was held in memory whole.
//
// This file is the wire; what may be asked is shared/control/contract.ts, which the running
// peer parses every request against (node/cli/peerControl.ts) and which `controlClient` types.
import { chmod, unlink } from 'node:fs/promises';
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import * as v from 'valibot';
import {
  MAX_CONTROL_REQUEST_BYTES,
  type ControlMethod,
  type ControlResults,
  type ParamsArgument,
  type Wire,
} from '../../shared/control/contract.ts';

/** Answers one framed request; what `method` and `params` hold is not checked yet. */
export type ControlHandler = (method: string, params: Record<string, unknown>) => Promise<unknown>;

/** Far more than any request needs (a memo is at most 1 KiB); more is answered with an error. */
export const MAX_REQUEST_BYTES = MAX_CONTROL_REQUEST_BYTES;
/** Answers can be long (a history of 10,000 rows), but not without bound. */
const MAX_RESPONSE_BYTES = 64 * 1024 * 1024;
const NEWLINE = 0x0a;

const requestSchema = v.object({
  id: v.optional(v.nullable(v.union([v.pipe(v.number(), v.safeInteger()), v.string()]))),
  method: v.pipe(v.string(), v.minLength(1), v.maxLength(64)),
  params: v.optional(
    v.custom<Record<string, unknown>>(
      (params) => typeof params === 'object' && params !== null && !Array.isArray(params),
    ),
  ),
});

const responseSchema = v.union([
  v.object({ id: v.unknown(), result: v.unknown() }),
  v.object({ id: v.unknown(), error: v.object({ message: v.string() }) }),
]);

/** JSON cannot carry bigints; amounts travel as decimal strings. */
export const toJson = (value: unknown): string =>
  JSON.stringify(value, (_key, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));

const messageOf = (error: unknown): string =>
  error instanceof Error ? error.message : String(error);

/**
 * Splits a byte stream into lines of at most `max` bytes. A longer line is reported once
 * (`onTooLong`) and skipped up to its newline, so memory stays bounded and the lines after it
 * are still read.
 */
export function lineReader(
  max: number,
  onLine: (line: string) => void,
  onTooLong: () => void,
): (chunk: Buffer) => void {
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  let skipping = false;
  return (chunk) => {
    let start = 0;
    for (
      let newline = chunk.indexOf(NEWLINE);
      newline >= 0;
      newline = chunk.indexOf(NEWLINE, start)
    ) {
      const piece = chunk.subarray(start, newline);
      start = newline + 1;
      if (skipping || pendingBytes + piece.length > max) {
        if (!skipping) onTooLong();
        skipping = false;
      } else {
        onLine(Buffer.concat([...pending, piece]).toString('utf8'));
      }
      pending = [];
      pendingBytes = 0;
    }
    const rest = chunk.subarray(start);
    if (skipping || rest.length === 0) return;
    if (pendingBytes + rest.length > max) {
      // Said at once, not at the newline: the caller may wait for the answer before sending it.
      onTooLong();
      skipping = true;
      pending = [];
      pendingBytes = 0;
      return;
    }
    pending.push(rest);
    pendingBytes += rest.length;
  };
}

/** The answer to one request line: always exactly one response. */
async function answer(line: string, handle: ControlHandler): Promise<unknown> {
  let json: unknown;
  try {
    json = JSON.parse(line);
  } catch {
    return { id: null, error: { message: 'the request is not valid JSON' } };
  }
  const parsed = v.safeParse(requestSchema, json);
  if (!parsed.success) {
    const id = v.safeParse(requestSchema.entries.id, (json as { id?: unknown } | null)?.id);
    return {
      id: id.success ? (id.output ?? null) : null,
      error: { message: 'the request is not a control request (an id, a method and params)' },
    };
  }
  const { id = null, method, params = {} } = parsed.output;
  try {
    return { id, result: await handle(method, params) };
  } catch (error) {
    return { id, error: { message: messageOf(error) } };
  }
}

function serveSocket(socket: Socket, handle: ControlHandler): void {
  // A caller that hangs up before its answer must not take the peer down with an EPIPE.
  socket.on('error', () => socket.destroy());
  const send = (response: unknown): void => {
    if (socket.writable) socket.write(`${toJson(response)}\n`);
  };
  socket.on(
    'data',
    lineReader(
      MAX_REQUEST_BYTES,
      (line) => {
        if (line.trim() === '') return;
        void answer(line, handle).then(send);
      },
      () =>
        send({
          id: null,
          error: { message: `the request is larger than ${MAX_REQUEST_BYTES / 1024} KiB` },
        }),
    ),
  );
}

export async function serveControl(path: string, handle: ControlHandler): Promise<Server> {
  await unlink(path).catch(() => undefined);
  const server = createServer((socket) => serveSocket(socket, handle));
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

/** The result of a response line, or throws its error (or why it is no response). */
function resultOf(line: string, method: string): unknown {
  let json: unknown;
  try {
    json = JSON.parse(line);
  } catch {
    throw new Error(`the running peer's answer to "${method}" is not valid JSON`);
  }
  const parsed = v.safeParse(responseSchema, json);
  if (!parsed.success)
    throw new Error(`the running peer's answer to "${method}" is not a response`);
  if ('error' in parsed.output) throw new Error(parsed.output.error.message);
  return parsed.output.result;
}

/**
 * Calls a running peer with any method and params, untyped: the CLI uses `controlClient`, and
 * this is its wire (and what tests use to send what the contract refuses). Throws NoPeerRunning
 * when none listens on the socket.
 */
export function callControl(
  path: string,
  method: string,
  params: Record<string, unknown> = {},
  timeoutMs = 30_000,
): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const socket = createConnection(path);
    let settled = false;
    const finish = (settle: () => void): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      settle();
    };
    const timer = setTimeout(
      () =>
        finish(() =>
          reject(
            new Error(`the running peer did not answer "${method}" within ${timeoutMs / 1000} s`),
          ),
        ),
      timeoutMs,
    );
    const read = lineReader(
      MAX_RESPONSE_BYTES,
      (line) =>
        finish(() => {
          try {
            resolve(resultOf(line, method));
          } catch (error) {
            reject(error instanceof Error ? error : new Error(String(error)));
          }
        }),
      () =>
        finish(() =>
          reject(new Error(`the running peer's answer to "${method}" is impossibly large`)),
        ),
    );
    socket.on('connect', () => socket.write(`${toJson({ id: 1, method, params })}\n`));
    socket.on('data', read);
    socket.on('close', () =>
      finish(() =>
        reject(new Error(`the running peer closed the connection without answering "${method}"`)),
      ),
    );
    socket.on('error', (error: NodeJS.ErrnoException) =>
      finish(() =>
        reject(
          error.code === 'ENOENT' || error.code === 'ECONNREFUSED' ? new NoPeerRunning() : error,
        ),
      ),
    );
  });
}

/** The running peer's control socket, typed by shared/control/contract.ts. */
export interface ControlClient {
  /**
   * Asks the running peer; parameters and result are checked at compile time, and the peer
   * parses the parameters again. Throws NoPeerRunning when no peer listens, or the peer's
   * sentence when it refuses or fails.
   */
  call<M extends ControlMethod>(
    method: M,
    ...params: ParamsArgument<M>
  ): Promise<Wire<ControlResults[M]>>;
}

export function controlClient(path: string, timeoutMs = 30_000): ControlClient {
  return {
    async call(method, ...[params]) {
      // The one cast: the peer answers `method` with ControlResults[method], through JSON.
      return (await callControl(path, method, params ?? {}, timeoutMs)) as Wire<
        ControlResults[typeof method]
      >;
    },
  };
}
