// Composing the transactions that share, reset and revoke a Sustainable Symmetric Key.
import { fromHex } from '../bytes.ts';
import type { KeyHex } from '../ids.ts';
import { nextPosition, type Ledger } from '../ledger/ledger.ts';
import type { RandomPort } from '../ports.ts';
import type { UnsignedTx } from '../tx/envelope.ts';
import { reject, type Rejection } from '../tx/rejection.ts';
import { sealKey, type SskMeta } from './box.ts';
import type { SskDirectory } from './directory.ts';

export interface ShareRequest {
  readonly from: KeyHex;
  readonly to: KeyHex;
  readonly purpose: string;
  readonly time: number;
  /** When the key stops being used for new messages (ms since the epoch). */
  readonly expires?: number;
}

export type ShareResult =
  | { ok: true; tx: UnsignedTx; key: Uint8Array; epoch: number }
  | { ok: false; rejection: Rejection };

/** Builds a share (or a reset: the same, at the next epoch) with a fresh random key. */
export function composeSskShare(
  ledger: Ledger,
  directory: SskDirectory,
  request: ShareRequest,
  random: RandomPort,
): ShareResult {
  if (request.to === request.from)
    return { ok: false, rejection: reject('invalid-body', 'a key is shared with someone else') };
  const position = nextPosition(ledger, request.from);
  if ('code' in position) return { ok: false, rejection: position };
  const epoch = directory.nextEpoch(request.from, request.to);
  const key = random.bytes(32);
  const meta: SskMeta = {
    epoch,
    alg: 1,
    created: request.time,
    purpose: request.purpose,
    ...(request.expires !== undefined ? { expires: request.expires } : {}),
  };
  const network = fromHex(ledger.networkId);
  const sender = fromHex(request.from);
  const box = sealKey(
    key,
    meta,
    { network, sender, recipient: fromHex(request.to), epoch },
    random,
  );
  const self = sealKey(key, meta, { network, sender, recipient: sender, epoch }, random);
  return {
    ok: true,
    key,
    epoch,
    tx: {
      net: ledger.networkId,
      ...position,
      deps: [],
      type: 'ssk',
      body: { action: 'share', to: fromHex(request.to), epoch, box, self },
      time: request.time,
    },
  };
}

/** Retires the pair's current epoch for new messages; old data still opens. */
export function composeSskRevoke(
  ledger: Ledger,
  directory: SskDirectory,
  from: KeyHex,
  to: KeyHex,
  time: number,
): ShareResult {
  const current = directory.current(from, to);
  if (!current)
    return { ok: false, rejection: reject('invalid-body', 'there is no shared key to revoke') };
  const position = nextPosition(ledger, from);
  if ('code' in position) return { ok: false, rejection: position };
  return {
    ok: true,
    key: new Uint8Array(0),
    epoch: current.epoch,
    tx: {
      net: ledger.networkId,
      ...position,
      deps: [],
      type: 'ssk',
      body: { action: 'revoke', to: fromHex(to), epoch: current.epoch },
      time,
    },
  };
}
