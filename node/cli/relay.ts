// `gpow relay`: a signaling relay alone, with no network and no identity. A browser page
// cannot run a relay itself (it cannot listen), so this is how browser mode starts from
// nothing: run it, paste the address it prints into the page, and the page's peers find each
// other through it. The relay is the one every `gpow run` starts (node/net/signalingRelay.ts).
import { isIP } from 'node:net';
import { networkInterfaces } from 'node:os';
import { parseArgs } from 'node:util';
import * as v from 'valibot';
import { startSignalingRelay, type SignalingRelay } from '../net/signalingRelay.ts';
import { CliError } from './home.ts';
import type { Output } from './output.ts';

/** y-webrtc's own default signaling port, and the one the app's Settings suggest. */
export const DEFAULT_RELAY_PORT = 4444;

export const RELAY_USAGE = `  relay [--port P] [--host H]       a signaling relay alone, for browser pages (no network or
                                    identity needed); prints its ws:// address. --port: ${DEFAULT_RELAY_PORT}
                                    by default, 0 picks a free one; --host: 127.0.0.1 by
                                    default, 0.0.0.0 serves the LAN`;

const portSchema = v.pipe(
  v.string(),
  v.regex(/^[0-9]{1,5}$/),
  v.transform(Number),
  v.maxValue(65_535),
);

/** The port a person typed, or a sentence saying what a port must be. */
export function relayPortOf(text: string | undefined): number {
  if (text === undefined) return DEFAULT_RELAY_PORT;
  const parsed = v.safeParse(portSchema, text.trim());
  if (!parsed.success)
    throw new CliError(
      `--port must be a whole number from 0 to 65535 (0 picks a free port), not "${text}"`,
    );
  return parsed.output;
}

function relayHostOf(text: string | undefined): string {
  if (text === undefined) return '127.0.0.1';
  if (isIP(text) === 0)
    throw new CliError(`--host must be an IP address such as 127.0.0.1 or 0.0.0.0, not "${text}"`);
  return text;
}

/** Starts the relay, turning the operating system's refusals into a sentence. */
async function listen(host: string, port: number): Promise<SignalingRelay> {
  try {
    return await startSignalingRelay({ host, port });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE')
      throw new CliError(
        `port ${port} on ${host} is in use (another relay, or another program): stop it, or pick another port with --port`,
      );
    if (code === 'EACCES')
      throw new CliError(
        `this user may not listen on port ${port}: pick one above 1023 with --port`,
      );
    if (code === 'EADDRNOTAVAIL')
      throw new CliError(`${host} is not an address of this machine: pick another with --host`);
    throw error;
  }
}

/** The addresses other machines reach a relay serving every interface at. */
function lanUrls(port: number): string[] {
  return Object.values(networkInterfaces())
    .flatMap((addresses) => addresses ?? [])
    .filter((a) => a.family === 'IPv4' && !a.internal)
    .map((a) => `ws://${a.address}:${port}`);
}

export async function relay(args: string[], out: Output): Promise<void> {
  const { values } = parseArgs({
    args,
    options: { port: { type: 'string' }, host: { type: 'string' } },
  });
  const host = relayHostOf(values.host);
  const server = await listen(host, relayPortOf(values.port));
  // Listening for Ctrl-C before the address is printed: whoever reads it may stop us at once.
  const stopped = new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  const lan = host === '0.0.0.0' ? lanUrls(server.port) : [];
  out.print(
    [
      `Relay running at ${server.url}`,
      ...lan.map((url) => `On the LAN: ${url}`),
      'In the app, paste it into the network set-up or add it under Settings > Relays.',
      'Press Ctrl+C to stop.',
    ].join('\n'),
    { running: true, relayUrl: server.url, ...(lan.length > 0 ? { lanUrls: lan } : {}) },
  );
  await stopped;
  out.progress('Stopping the relay…');
  await server.close();
  out.progress('Relay stopped.');
}
