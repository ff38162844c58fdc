// An identity's view of its Sustainable Symmetric Keys: it opens the boxes addressed to it (or
// its own self-copies) from the ledger, caches the keys, and picks the key for new traffic.
// No key is ever stored outside the ledger's sealed boxes: the identity's secret suffices.
import { fromHex } from '../bytes.ts';
import type { ClockPort } from '../ports.ts';
import type { KeyHex, NetworkId } from '../ids.ts';
import { openKey, type SskMeta } from './box.ts';
import type { SskDirectory, SskShare } from './directory.ts';

export interface OpenedSsk {
  readonly share: SskShare;
  readonly key: Uint8Array;
  readonly meta: SskMeta;
}

export type KeyResult = { ok: true; ssk: OpenedSsk } | { ok: false; error: string };

export class SskKeyring {
  readonly #directory: SskDirectory;
  readonly #network: Uint8Array;
  readonly #me: KeyHex;
  readonly #secret: Uint8Array;
  readonly #clock: ClockPort;
  readonly #opened = new Map<string, KeyResult>();

  constructor(
    directory: SskDirectory,
    networkId: NetworkId,
    me: KeyHex,
    secretKey: Uint8Array,
    clock: ClockPort,
  ) {
    this.#directory = directory;
    this.#network = fromHex(networkId);
    this.#me = me;
    this.#secret = secretKey;
    this.#clock = clock;
  }

  /** Opens one share: the box if it is addressed to us, our self-copy if we made it. */
  open(share: SskShare): KeyResult {
    const cached = this.#opened.get(share.id);
    if (cached) return cached;
    let result: KeyResult;
    if (share.to !== this.#me && share.from !== this.#me) {
      result = { ok: false, error: 'this key was shared between two other identities' };
    } else {
      const mine = share.to === this.#me;
      const opened = openKey(mine ? share.box : share.self, this.#secret, {
        network: this.#network,
        sender: fromHex(share.from),
        recipient: fromHex(mine ? share.to : share.from),
        epoch: share.epoch,
      });
      result = opened.ok
        ? { ok: true, ssk: { share, key: opened.key, meta: opened.meta } }
        : opened;
    }
    this.#opened.set(share.id, result);
    return result;
  }

  /** The key for new traffic with `other`: current, not revoked, not expired. */
  current(other: KeyHex): KeyResult {
    const share = this.#directory.current(this.#me, other);
    if (!share) return { ok: false, error: 'no key has been shared with this identity yet' };
    const opened = this.open(share);
    if (!opened.ok) return opened;
    const expires = opened.ssk.meta.expires;
    if (expires !== undefined && this.#clock.now() >= expires) {
      return {
        ok: false,
        error: `the shared key of epoch ${share.epoch} has expired: share a new one`,
      };
    }
    return opened;
  }

  /** Every key of one epoch with `other`, winner first, for opening what was sealed with it. */
  keysAt(other: KeyHex, epoch: number): OpenedSsk[] {
    return this.#directory
      .sharesAt(this.#me, other, epoch)
      .map((share) => this.open(share))
      .flatMap((r) => (r.ok ? [r.ssk] : []));
  }
}
