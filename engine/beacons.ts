// A witness's randomness for validator draws (docs/protocol.md §11.5): in a network whose genesis
// asks for it, the witness signs one `beacon` per accepted request with validators, an ECVRF
// proof over the accept's id made by its signer. Until a beacon's sighting is decided, the
// instance's committee waits for it, so the witness publishes it with its next vote.
import { beaconAlpha } from '../shared/dnec/draw.ts';
import { idOf, marketOf } from '../shared/dnec/market.ts';
import type { AcceptBody } from '../shared/dnec/bodies.ts';
import type { KeyHex, TxId } from '../shared/ids.ts';
import type { Ledger } from '../shared/ledger/ledger.ts';
import type { Tx } from '../shared/tx/envelope.ts';
import { composeBeacon } from '../shared/wallet/dnecCompose.ts';
import { messageOf, type Compose } from './events.ts';
import type { EnginePorts } from './ports.ts';

const MAX_TRIES = 3;

export interface BeaconHost {
  act(compose: Compose): Promise<{ readonly tx: Tx } | null>;
  onWarning(message: string): void;
}

export class BeaconDuty {
  readonly #ports: Pick<EnginePorts, 'clock' | 'signer'>;
  readonly #host: BeaconHost;
  /** Accepts seen since the last publish: request id by accept id. */
  readonly #due = new Map<TxId, TxId>();
  /** Failed tries per accept: a beacon the ledger keeps refusing is given up after a few. */
  readonly #tries = new Map<TxId, number>();
  #scanned = false;
  #warned = false;

  constructor(ports: Pick<EnginePorts, 'clock' | 'signer'>, host: BeaconHost) {
    this.#ports = ports;
    this.#host = host;
  }

  /** A transaction became valid: an accept may need this witness's beacon. */
  accepted(tx: Tx): void {
    if (tx.type === 'accept') this.#due.set(tx.id, idOf((tx as Tx<AcceptBody>).body.request));
  }

  /** Signs the beacons this witness owes; the first call also looks at the whole market once. */
  async publish(ledger: Ledger, me: KeyHex): Promise<void> {
    if (!ledger.reader.witnessedDraw) return;
    if (!this.#scanned) {
      this.#scanned = true;
      for (const [accept, request] of openAccepts(ledger)) this.#due.set(accept, request);
    }
    const due = [...this.#due];
    this.#due.clear();
    for (const [accept, request] of due) {
      if (!owes(ledger, me, request, accept)) continue;
      await this.#sign(request, accept);
    }
  }

  async #sign(request: TxId, accept: TxId): Promise<void> {
    const signer = this.#ports.signer;
    if (!signer?.proveVrf) {
      if (!this.#warned)
        this.#host.onWarning(
          "This witness's signer cannot make VRF proofs here: validator draws wait for the delivery deadline instead of its randomness.",
        );
      this.#warned = true;
      return;
    }
    try {
      await this.#host.act((ledger, me) => {
        const proof = signer.proveVrf?.(beaconAlpha(accept));
        if (!proof) return null;
        return composeBeacon(ledger, me, request, accept, proof, this.#ports.clock.now());
      });
    } catch (error) {
      // Tried again with the next vote, a few times: the chain may just have been busy.
      const tries = (this.#tries.get(accept) ?? 0) + 1;
      this.#tries.set(accept, tries);
      if (tries < MAX_TRIES) this.#due.set(accept, request);
      else this.#host.onWarning(`A witness beacon failed: ${messageOf(error)}`);
    }
  }
}

/** Whether `me` still owes a beacon for this accept: a request with validators, not settled. */
function owes(ledger: Ledger, me: KeyHex, requestId: TxId, accept: TxId): boolean {
  const market = marketOf(ledger.indexes);
  const request = market.requests.get(requestId);
  if (!request || request.body.m === 0) return false;
  if (market.actions(requestId, 'settle').length > 0) return false;
  if (!market.actions(requestId, 'accept').includes(accept)) return false;
  // One beacon per request on a chain (the rule's), whichever accept it names.
  return !market.actions(requestId, 'beacon').some((id) => ledger.get(id)?.author === me);
}

/** Every accept of a request with validators that is not settled yet. */
function openAccepts(ledger: Ledger): Map<TxId, TxId> {
  const market = marketOf(ledger.indexes);
  const out = new Map<TxId, TxId>();
  for (const request of market.requests.values()) {
    if (request.body.m === 0 || market.actions(request.id, 'settle').length > 0) continue;
    for (const accept of market.actions(request.id, 'accept')) out.set(accept, request.id);
  }
  return out;
}
