// The market's life-cycle actions, as both shells call them: offer, register a service, bond
// and unbond, negotiate, request, accept, decline, deliver by hand, review, verdict, reveal,
// settle, and the sealed parts an identity may read. Each composes from the ledger and goes
// through the engine's `act` (sign, check, save, publish). The automation (automation.ts)
// builds on these.
import { sha256 } from '@noble/hashes/sha2.js';
import { fromHex, utf8 } from '../../shared/bytes.ts';
import type { CborValue } from '../../shared/codec/cbor.ts';
import { affordable, type NegotiationResult } from '../../shared/dnec/negotiation.ts';
import {
  committeeFor,
  instancesOf,
  instanceView,
  market,
  offersFor,
  type InstanceView,
} from '../../shared/dnec/queries.ts';
import { commitmentOf } from '../../shared/dnec/selection.ts';
import type { KeyHex, TxId } from '../../shared/ids.ts';
import type { Ledger } from '../../shared/ledger/ledger.ts';
import type { VerifiedTx } from '../../shared/tx/registry.ts';
import {
  privatePartsOf,
  requestBody,
  SEALED_DELIVERY,
  SEALED_REQUEST,
  serviceDeps,
  type PrivateParts,
  type Within,
} from '../../shared/wallet/market.ts';
import { composeAction, composeSettle, composeVerdict } from '../../shared/wallet/dnecCompose.ts';
import { EngineError } from '../events.ts';
import { disputeEvidenceFor, sealDisputeEvidence } from './dispute.ts';
import { committeeTerms, negotiateTerms } from './terms.ts';
import type { SskSession } from '../ssk.ts';
import type { MarketEngine, MarketPorts, NegotiationInput, RequestInput } from './ports.ts';

/** Deadlines of a request that names none (the CLI's default): seconds from now. */
export const DEFAULT_WITHIN: Within = [30, 120, 180, 240];

/** The longest decline reason the market writes. */
const MAX_REASON = 256;

export class MarketActions {
  protected readonly engine: MarketEngine;
  protected readonly ports: MarketPorts;

  constructor(engine: MarketEngine, ports: MarketPorts) {
    this.engine = engine;
    this.ports = ports;
  }

  /** This identity; actions need one. */
  protected me(): KeyHex {
    const me = this.engine.address;
    if (!me) throw new EngineError('the market needs an unlocked identity');
    return me;
  }

  protected ledger(): Ledger {
    const ledger = this.engine.ledger;
    if (!ledger) throw new EngineError('the ledger is not known yet');
    return ledger;
  }

  /**
   * One action through the engine. When nothing was composed the CLI agent went on with a
   * null transaction; the browser runtime's error is kept, so no caller reads a missing id.
   */
  protected async submit(
    type: string,
    body: Record<string, CborValue>,
    options: { deps?: readonly TxId[]; debit?: bigint } = {},
  ): Promise<VerifiedTx> {
    const done = await this.engine.act((ledger, me) =>
      composeAction(ledger, me, type, body, { ...options, time: this.ports.clock.now() }),
    );
    if (!done) throw new EngineError(`the ${type} could not be composed`);
    return done.tx;
  }

  /**
   * Offers capacity for a service at a rate per unit; capacity 0 withdraws the offer. A
   * registered service is a dependency (the browser's way; the CLI agent left it out).
   */
  offer(service: string, capacity: bigint, rate: bigint): Promise<VerifiedTx> {
    return this.submit('offer', { service, capacity, rate }, { deps: serviceDeps(service) });
  }

  /** Registers a service type on the ledger; its transaction id names it from then on. */
  registerService(body: Record<string, CborValue>): Promise<VerifiedTx> {
    return this.submit('service', body);
  }

  bond(amount: bigint): Promise<VerifiedTx> {
    return this.submit('bond', { amount }, { debit: amount });
  }

  unbond(bond: TxId): Promise<VerifiedTx> {
    return this.submit('unbond', { bond: fromHex(bond) }, { deps: [bond] });
  }

  /** N for a request, with the escrow's committee check (terms.ts). */
  negotiate(input: NegotiationInput): NegotiationResult {
    return negotiateTerms(this.ledger(), this.engine.address, input);
  }

  /**
   * Negotiates (unless a provider is named), escrows and publishes a request. The selection
   * secret is durable (the reveal port) before the commitment is published.
   */
  async request(input: RequestInput): Promise<{ id: TxId; provider: KeyHex; escrow: bigint }> {
    const me = this.me();
    const ledger = this.ledger();
    let provider = input.provider;
    if (!provider) {
      const ranking = this.negotiate(input);
      provider = ranking.recommended ?? undefined;
      if (!provider) {
        const reasons = ranking.excluded.map((e) => `${e.provider.slice(0, 12)}…: ${e.detail}`);
        throw new EngineError(
          `no provider can take this request${reasons.length ? `:\n${reasons.join('\n')}` : ''}`,
        );
      }
    }
    const offer = offersFor(ledger, input.service).find((o) => o.provider === provider);
    if (!offer) throw new EngineError('that provider has no offer for this service');
    const { def, m, k } = committeeTerms(ledger, input);
    const fee = input.fee ?? 0n;
    if (!def) throw new EngineError(`there is no service "${input.service}" on this ledger`);
    // The negotiation's check too, so the two cannot disagree about the pool.
    const { pool, problem } = committeeFor(ledger, def, { m, k }, me, provider);
    if (problem !== null) throw new EngineError(problem);
    // Checked before the secret is saved or a key shared (the CLI agent's check).
    const escrowed = offer.rate * input.volume + BigInt(m) * fee;
    if (!affordable(ledger.spendable(me), escrowed, ledger.creditLineOf(me))) {
      throw new EngineError(
        `this request escrows ${escrowed}; you can spend ${ledger.spendable(me)}`,
      );
    }
    const job = { ...input.job };
    if (input.sensitive && Object.keys(input.sensitive).length > 0) {
      // "If no SSK exists yet, the request brings one": share a key first, then seal.
      const ssk = this.requireSsk();
      await ssk.ensureKey(provider, 'dnec');
      job.sealed = ssk.sealFor(provider, SEALED_REQUEST, utf8(JSON.stringify(input.sensitive)));
    }
    const reveal = this.ports.random.bytes(32);
    const commitment = commitmentOf(reveal);
    await this.ports.reveals.save(commitment, reveal);
    // The body as the browser built it: the pool sorted and capped at the ledger's maximum
    // (the CLI agent sent every eligible bond, which a large validator set made invalid).
    const { body, deps, escrow } = requestBody(
      {
        service: input.service,
        provider,
        volume: input.volume,
        rate: offer.rate,
        fee,
        m,
        k,
        pool,
        commitment,
        job,
        within: input.within ?? DEFAULT_WITHIN,
      },
      this.ports.clock.now(),
    );
    const tx = await this.submit('request', body, { deps, debit: escrow });
    return { id: tx.id, provider, escrow };
  }

  accept(requestId: TxId): Promise<VerifiedTx> {
    return this.submit('accept', { request: fromHex(requestId) }, { deps: [requestId] });
  }

  /** Refuses a request, or gives an accepted job up (never after delivering). */
  decline(requestId: TxId, reason?: string): Promise<VerifiedTx> {
    return this.submit(
      'decline',
      { request: fromHex(requestId), ...(reason ? { reason: reason.slice(0, MAX_REASON) } : {}) },
      { deps: [requestId] },
    );
  }

  /**
   * Delivers hand-made work: its content hash on the ledger, the text itself sealed for the
   * consumer (a key is shared first if the two have none).
   */
  async deliverText(requestId: TxId, text: string): Promise<VerifiedTx> {
    const request = market(this.ledger()).requests.get(requestId);
    if (!request) throw new EngineError('there is no such request on this ledger');
    const bytes = utf8(text);
    const ssk = this.requireSsk();
    await ssk.ensureKey(request.consumer, 'dnec');
    const sealed = ssk.sealFor(request.consumer, SEALED_DELIVERY, bytes);
    return this.submit(
      'deliver',
      { request: fromHex(requestId), hash: sha256(bytes), sealed },
      { deps: [requestId] },
    );
  }

  /**
   * The consumer approves or disputes a delivery (review types). A dispute carries the delivery
   * sealed for each validator P drew (§11.8); the committee is known once the secret is
   * revealed, so a dispute reveals it first if automation has not yet.
   */
  async review(requestId: TxId, approve: boolean): Promise<VerifiedTx> {
    let view = instanceView(this.ledger(), requestId);
    if (!view) throw new EngineError('there is no such request on this ledger');
    // The CLI agent's check: the ledger would refuse it too, with a vaguer reason.
    if (view.request.consumer !== this.me())
      throw new EngineError('only the consumer reviews a delivery');
    if (!view.delivery) throw new EngineError('nothing has been delivered yet');
    if (!approve && view.request.body.m > 0 && view.accept && !view.reveal) {
      await this.reveal(requestId);
      view = instanceView(this.ledger(), requestId) ?? view;
    }
    // A witnessed draw (§11.5) names the committee a few seconds after the reveal: a dispute
    // sealed before that would reach nobody.
    if (!approve && view.request.body.m > 0 && view.committee.length === 0)
      throw new EngineError(
        'the witnesses are still drawing the validators for this job: dispute again in a few seconds (at the latest, once the delivery deadline has passed)',
      );
    const delivery = view.delivery as TxId;
    const evidence = approve
      ? undefined
      : await sealDisputeEvidence(this.ledger(), view, this.me(), this.engine.ssk);
    return this.submit(
      'review',
      {
        request: fromHex(requestId),
        delivery: fromHex(delivery),
        approve,
        ...(evidence ? { evidence } : {}),
      },
      { deps: [delivery] },
    );
  }

  /** What this identity, a drawn validator, can read of a dispute's evidence, or why not. */
  evidence(view: InstanceView): ReturnType<typeof disputeEvidenceFor> {
    // Screens call this while rendering: never throw, as privateParts does not.
    const { address, ledger } = this.engine;
    if (!address || !ledger) return { ok: false, gap: 'no-keys' };
    return disputeEvidenceFor(ledger, view, address, this.engine.ssk);
  }

  /** A selected validator's verdict. */
  async verdict(requestId: TxId, pass: boolean): Promise<VerifiedTx> {
    const done = await this.engine.act((ledger, me) =>
      composeVerdict(ledger, me, requestId, pass, this.ports.clock.now()),
    );
    if (!done) throw new EngineError('the verdict could not be composed');
    return done.tx;
  }

  /** The CLI's one verb for both: approve or dispute as the consumer, pass or fail as a validator. */
  evaluate(requestId: TxId, verdict: 'approve' | 'dispute' | 'pass' | 'fail'): Promise<VerifiedTx> {
    if (verdict === 'approve' || verdict === 'dispute')
      return this.review(requestId, verdict === 'approve');
    return this.verdict(requestId, verdict === 'pass');
  }

  async reveal(requestId: TxId): Promise<VerifiedTx> {
    const view = instanceView(this.ledger(), requestId);
    if (!view?.accept) throw new EngineError('the provider has not accepted yet');
    const secret = await this.ports.reveals.load(view.request.body.commitment);
    if (!secret) throw new EngineError('the secret of this request is not on this device');
    return this.submit(
      'reveal',
      { request: fromHex(requestId), accept: fromHex(view.accept), reveal: secret },
      { deps: [view.accept] },
    );
  }

  async settle(requestId: TxId): Promise<VerifiedTx> {
    const done = await this.engine.act((ledger, me) =>
      composeSettle(ledger, me, requestId, this.ports.clock.now()),
    );
    if (!done) throw new EngineError('the settlement could not be composed');
    return done.tx;
  }

  /** Every instance this identity takes part in. */
  jobs(): InstanceView[] {
    return instancesOf(this.ledger(), this.me());
  }

  /** The sealed parts of an instance this identity may read: request details and delivery. */
  privateParts(view: InstanceView): PrivateParts {
    const ssk = this.engine.ssk;
    const ledger = this.engine.ledger;
    if (!ssk || !ledger) return {};
    return privatePartsOf(ledger, view, (sender, recipient, label, sealed) =>
      ssk.openSealed(sender, recipient, label, sealed),
    );
  }

  /** SSK that can open keys here (the browser's check; the CLI agent assumed it could). */
  protected requireSsk(): SskSession {
    const ssk = this.engine.ssk;
    if (!ssk?.canOpen) {
      throw new EngineError(
        'this needs a shared key (SSK) with the other party, which this identity cannot open here',
      );
    }
    return ssk;
  }
}
