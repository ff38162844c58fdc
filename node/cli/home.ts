// The files one command acts on: one identity's, with one of its networks'. A home (GPOW_HOME,
// or ~/.gpow) may hold several of each; homes.ts says which folders a Home points at. The first
// identity and its first network keep the one-identity layout:
//   identity.json   the encrypted keystore: the identity's 24 words (absent on a paired device)
//   device.json     the encrypted key of this home's device chain, when it is a device (§12)
//   device-info.json what the device certificate says: the identity, a name, a pairing proof
//   network.json    the joined network: id, join secret, known relays, name
//   data/           the durable ledger log and its metadata
//   control.sock    while `gpow run` is up: the socket other commands talk to
import { parseTicketRecords, type TicketRecord } from '../../shared/net/tickets.ts';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import * as v from 'valibot';

export interface Home {
  readonly dir: string;
  readonly identityFile: string;
  readonly deviceFile: string;
  readonly deviceInfoFile: string;
  readonly networkFile: string;
  /** The single-use and time-limited invitations this home gave out (§13.9). */
  readonly ticketsFile: string;
  readonly dataDir: string;
  readonly controlSocket: string;
}

const networkSchema = v.strictObject({
  version: v.literal(1),
  networkId: v.pipe(v.string(), v.regex(/^[0-9a-f]{64}$/)),
  secret: v.pipe(v.string(), v.minLength(16), v.maxLength(128)),
  name: v.optional(v.pipe(v.string(), v.maxLength(64))),
  relays: v.pipe(v.array(v.pipe(v.string(), v.maxLength(256))), v.maxLength(64)),
});

export type NetworkConfig = v.InferOutput<typeof networkSchema>;

export class CliError extends Error {
  override name = 'CliError';
}

export async function readNetwork(home: Home): Promise<NetworkConfig> {
  const network = await readJsonFile(home.networkFile, networkSchema, 'network');
  if (network === null)
    throw new CliError(
      `no network here yet: run "gpow network create" or "gpow join <invitation>" first (home: ${home.dir})`,
    );
  return network;
}

/** A JSON file of the home, parsed with its schema; null when there is no such file. */
async function readJsonFile<T>(
  path: string,
  schema: v.GenericSchema<unknown, T>,
  what: string,
): Promise<T | null> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    return null;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new CliError(`${path} is not valid JSON`);
  }
  const result = v.safeParse(schema, parsed);
  if (!result.success) throw new CliError(`${path} is not a valid ${what} file`);
  return result.output;
}

/**
 * The tickets this home gave out. A file that is not JSON, or records that do not parse, are
 * left out with a warning: the doors they opened stay shut, and nothing else is affected.
 */
export async function readTickets(home: Home, warn: (message: string) => void) {
  let text: string;
  try {
    text = await readFile(home.ticketsFile, 'utf8');
  } catch {
    return [];
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    warn(`${home.ticketsFile} is not valid JSON: its invitations no longer let anyone in.`);
    return [];
  }
  const { records, dropped } = parseTicketRecords(parsed);
  if (dropped > 0) warn(`${dropped} damaged invitations in ${home.ticketsFile} were left out.`);
  return records;
}

/** Written whole through a temporary file, readable by this user only (it holds tickets). */
export async function writeTickets(home: Home, records: readonly TicketRecord[]): Promise<void> {
  const temp = `${home.ticketsFile}.tmp`;
  await writeFile(temp, `${JSON.stringify(records, null, 2)}\n`, { mode: 0o600 });
  await rename(temp, home.ticketsFile);
}

export async function writeNetwork(home: Home, network: NetworkConfig): Promise<void> {
  // A network's folder is the home's own, or one of its networks/<n> (homes.ts).
  await mkdir(dirname(home.networkFile), { recursive: true, mode: 0o700 });
  const temp = `${home.networkFile}.tmp`;
  await writeFile(temp, `${JSON.stringify(network, null, 2)}\n`, { mode: 0o600 });
  await rename(temp, home.networkFile);
}

const hex = (bytes: number) => v.pipe(v.string(), v.regex(new RegExp(`^[0-9a-f]{${bytes * 2}}$`)));

const deviceInfoSchema = v.strictObject({
  version: v.literal(1),
  account: hex(32),
  /** This home's device key (public): its chain. */
  key: hex(32),
  name: v.pipe(v.string(), v.minLength(1), v.maxLength(64)),
  /** A device restored from the words sets its own allowance (a paired one's is in `pairing`). */
  allowance: v.optional(v.pipe(v.string(), v.regex(/^(0|[1-9][0-9]{0,18})$/))),
  pairing: v.optional(
    v.strictObject({
      key: hex(32),
      proof: hex(64),
      cert: hex(64),
      allowance: v.pipe(v.string(), v.regex(/^(0|[1-9][0-9]{0,18})$/)),
    }),
  ),
});

export type DeviceInfo = v.InferOutput<typeof deviceInfoSchema>;

/** This home's device certificate data, or null when its chain is the identity's own. */
export async function readDeviceInfo(home: Home): Promise<DeviceInfo | null> {
  return readJsonFile(home.deviceInfoFile, deviceInfoSchema, 'device');
}

export async function writeDeviceInfo(home: Home, info: DeviceInfo): Promise<void> {
  await mkdir(home.dir, { recursive: true, mode: 0o700 });
  const temp = `${home.deviceInfoFile}.tmp`;
  await writeFile(temp, `${JSON.stringify(info, null, 2)}\n`, { mode: 0o600 });
  await rename(temp, home.deviceInfoFile);
}
