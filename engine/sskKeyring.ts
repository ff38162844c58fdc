// The SSK keyring the engine uses on every platform: the shared keyring, with each key box
// opened by the signer port (which holds the identity's secret) instead of by a secret here.
import { fromHex } from '../shared/bytes.ts';
import type { KeyHex, NetworkId, TxId } from '../shared/ids.ts';
import type { ClockPort } from '../shared/ports.ts';
import type { BoxContext, OpenKeyResult } from '../shared/ssk/box.ts';
import type { SskDirectory, SskShare } from '../shared/ssk/directory.ts';
import { SskKeyring, type KeyResult } from '../shared/ssk/keyring.ts';
import type { EngineSigner } from './ports.ts';

/** What opens SSK key boxes sealed to the identity (its secret stays with the signer). */
export interface SskOpener {
  openSskBox(box: Uint8Array, ctx: BoxContext): OpenKeyResult;
}

/** The signer's box opener, if it has one. */
export function sskOpenerOf(signer: EngineSigner | null): SskOpener | null {
  if (typeof signer?.openSskBox !== 'function') return null;
  return { openSskBox: (box, ctx) => signer.openSskBox!(box, ctx) };
}

/** Never used to open anything: OpenerKeyring opens every box through the signer. */
const NO_SECRET = new Uint8Array(32);

/** The shared keyring, with boxes opened by the signer rather than with a secret it holds. */
export class OpenerKeyring extends SskKeyring {
  readonly #opener: SskOpener;
  readonly #me: KeyHex;
  readonly #network: Uint8Array;
  readonly #opened = new Map<TxId, KeyResult>();

  constructor(
    directory: SskDirectory,
    networkId: NetworkId,
    me: KeyHex,
    clock: ClockPort,
    opener: SskOpener,
  ) {
    super(directory, networkId, me, NO_SECRET, clock);
    this.#opener = opener;
    this.#me = me;
    this.#network = fromHex(networkId);
  }

  override open(share: SskShare): KeyResult {
    const cached = this.#opened.get(share.id);
    if (cached) return cached;
    const toMe = share.to === this.#me;
    if (!toMe && share.from !== this.#me)
      return { ok: false, error: 'this key was shared between two other identities' };
    const opened = this.#opener.openSskBox(toMe ? share.box : share.self, {
      network: this.#network,
      sender: fromHex(share.from),
      recipient: fromHex(toMe ? share.to : share.from),
      epoch: share.epoch,
    });
    const result: KeyResult = opened.ok
      ? { ok: true, ssk: { share, key: opened.key, meta: opened.meta } }
      : opened;
    this.#opened.set(share.id, result);
    return result;
  }
}
