// What every CLI command shares: human or JSON output, and parsing of addresses and amounts.
import { fromHex } from '../../shared/bytes.ts';
import { encodeAddress, parseAddress } from '../../shared/identity/address.ts';
import { keyHexOf, type KeyHex } from '../../shared/ids.ts';
import type {
  ControlMethod,
  ControlResults,
  ParamsArgument,
  Wire,
} from '../../shared/control/contract.ts';
import { controlClient, NoPeerRunning, toJson } from './control.ts';
import { CliError, type Home } from './home.ts';

export interface Output {
  readonly json: boolean;
  print(human: string, data: unknown): void;
  progress(message: string): void;
}

export function output(json: boolean): Output {
  return {
    json,
    print: (human, data) => process.stdout.write(json ? `${toJson(data)}\n` : `${human}\n`),
    progress: (message) => {
      if (!json) process.stderr.write(`${message}\n`);
    },
  };
}

export const address = (key: KeyHex): string => encodeAddress(fromHex(key));

export function keyOf(input: string): KeyHex {
  const parsed = parseAddress(input);
  if (!parsed.ok) throw new CliError(`"${input}" is not a valid address: ${parsed.error}`);
  return keyHexOf(parsed.publicKey);
}

export function amountOf(input: string): bigint {
  if (!/^[0-9]{1,19}$/.test(input))
    throw new CliError(`"${input}" is not an amount: use a whole number of units`);
  const value = BigInt(input);
  if (value <= 0n) throw new CliError('the amount must be positive');
  return value;
}

/** Calls the running peer; features that need its live state (channels, the market) use this. */
export async function viaPeer<M extends ControlMethod>(
  home: Home,
  method: M,
  ...params: ParamsArgument<M>
): Promise<Wire<ControlResults[M]>> {
  try {
    return await controlClient(home.controlSocket).call(method, ...params);
  } catch (error) {
    if (error instanceof NoPeerRunning)
      throw new CliError('this needs the running peer: start "gpow run" first');
    throw error;
  }
}
