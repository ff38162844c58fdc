// Changing the witnesses (docs/protocol.md §13), as the engine runs it on every platform: a
// witness proposes a change under a one-time key and backs it; the others back it when their
// operator agrees. The votes themselves are the witness duty's (engine/witness.ts).
import { publicKeyOf } from '../shared/crypto/ed25519.ts';
import { keyHexOf, type KeyHex, type TxId } from '../shared/ids.ts';
import type { Proposal } from '../shared/ledger/epochs.ts';
import type { Ledger } from '../shared/ledger/ledger.ts';
import { signTx } from '../shared/tx/envelope.ts';
import type { VerifiedTx } from '../shared/tx/registry.ts';
import { witnessReport, type WitnessReport } from '../shared/wallet/witnessReport.ts';
import {
  composeWitnessSet,
  planWitnessChange,
  witnessSetSigningMessage,
  type WitnessChange,
  type WitnessPlan,
} from '../shared/wallet/witnesses.ts';
import { EngineError } from './events.ts';
import type { EnginePorts } from './ports.ts';

export interface WitnessSetHost {
  readonly ports: Pick<EnginePorts, 'signer' | 'random' | 'clock'>;
  ledger(): Ledger | null;
  importTransaction(bytes: Uint8Array): Promise<VerifiedTx>;
  /** Tells the witness duty to back this change in its next vote. */
  back(change: TxId): void;
}

/** A change is named by its id or an unambiguous prefix of at least 8 hex digits. */
const MIN_PREFIX = 8;

export class WitnessSetAgent {
  readonly #host: WitnessSetHost;

  constructor(host: WitnessSetHost) {
    this.#host = host;
  }

  report(): WitnessReport | null {
    const ledger = this.#host.ledger();
    return ledger ? witnessReport(ledger) : null;
  }

  /** Proposes a change as this witness, and backs it at once. */
  async propose(change: WitnessChange): Promise<{ tx: VerifiedTx; plan: WitnessPlan }> {
    const { ledger, me } = this.#witness('propose a change of the witnesses');
    const planned = planWitnessChange(ledger, me, change);
    if (!planned.ok) throw new EngineError(planned.rejection.message, planned.rejection);
    const signer = this.#host.ports.signer;
    // A one-time key authors it: a change the others never back holds up no chain.
    const author = this.#host.ports.random.bytes(32);
    const message = witnessSetSigningMessage(planned.plan, keyHexOf(publicKeyOf(author)));
    const sig = signer?.identity?.signMessage(message) ?? signer?.signMessage?.(message);
    if (!sig) throw new EngineError('this platform cannot sign a change of the witnesses');
    const now = this.#host.ports.clock.now();
    const bytes = signTx(author, composeWitnessSet(planned.plan, sig, now));
    author.fill(0);
    const tx = await this.#host.importTransaction(bytes);
    this.#host.back(tx.id);
    return { tx, plan: planned.plan };
  }

  /** Backs a proposed change as this witness: the operator agreed to it. */
  approve(idOrPrefix: string): Proposal {
    const { ledger, me } = this.#witness('back a change of the witnesses');
    const proposal = findChange(ledger, idOrPrefix);
    const next = ledger.epochs.open.epoch + 1;
    if (ledger.configOfChange(proposal.id))
      throw new EngineError('that change already has the witnesses it needs');
    if (proposal.epoch !== next)
      throw new EngineError(
        `that change was for epoch ${proposal.epoch}; the witnesses are now in epoch ${next - 1}`,
      );
    if (!ledger.witnesses.has(me))
      throw new EngineError('only a current witness can back a change of the witnesses');
    this.#host.back(proposal.id);
    return proposal;
  }

  #witness(what: string): { ledger: Ledger; me: KeyHex } {
    const ledger = this.#host.ledger();
    const me = this.#host.ports.signer?.key;
    if (!ledger) throw new EngineError(`to ${what}, wait until the network has arrived`);
    if (!me) throw new EngineError(`to ${what}, unlock your identity`);
    if (!ledger.isWitnessNow(me))
      throw new EngineError(
        `only a witness can ${what}; ask one of the current witnesses (gpow witness list)`,
      );
    return { ledger, me };
  }
}

/** The proposal named by an id or a prefix of one, or a sentence saying why there is none. */
export function findChange(ledger: Ledger, idOrPrefix: string): Proposal {
  const wanted = idOrPrefix.trim().toLowerCase();
  if (!/^[0-9a-f]+$/u.test(wanted) || wanted.length < MIN_PREFIX)
    throw new EngineError(
      `name the change by its id, or at least its first ${MIN_PREFIX} hex digits (gpow witness list shows them)`,
    );
  const found = ledger.proposals().filter((p) => p.id.startsWith(wanted));
  if (found.length === 0)
    throw new EngineError(`no proposed change of the witnesses starts with ${wanted}`);
  if (found.length > 1)
    throw new EngineError(`${found.length} changes start with ${wanted}: give more of the id`);
  return found[0] as Proposal;
}
