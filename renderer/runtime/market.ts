// The DNEC service market in the browser: the wallet's part of every service instance, the
// browser equivalent of node/peer/marketAgent.ts. It composes, signs and publishes the
// life-cycle actions (offer, bond, request, accept, decline, deliver, reveal, review, verdict,
// settle) through the network runtime, and runs the automation:
// - always: reveal the consumer's selection secret once the provider accepted, and settle every
//   outcome this identity is the settler of;
// - as provider, for the services switched on: accept what the ledger allows (decline the rest),
//   do pow and compute work off the main thread (work.ts) with progress, and deliver;
// - as validator, when switched on: judge pow and compute deliveries when selected.
// The consumer's reveal secrets are saved in the network's IndexedDB database before the
// commitment is published, so a reload or a crash can still reveal.
import { sha256 } from '@noble/hashes/sha2.js';
import { fromHex, toHex, utf8 } from '../../shared/bytes.ts';
import type { CborValue } from '../../shared/codec/cbor.ts';
import { checkComputeResult } from '../../shared/dnec/compute.ts';
import { negotiate, type NegotiationResult } from '../../shared/dnec/negotiation.ts';
import {
  eligibleBonds,
  instancesOf,
  instanceView,
  market,
  offersFor,
  type InstanceView,
} from '../../shared/dnec/queries.ts';
import { commitmentOf } from '../../shared/dnec/selection.ts';
import type { KeyHex, TxId } from '../../shared/ids.ts';
import type { Ledger } from '../../shared/ledger/ledger.ts';
import type { ClockPort, RandomPort } from '../../shared/ports.ts';
import type { LogStore } from '../../shared/storage/port.ts';
import type { UnsignedTx } from '../../shared/tx/envelope.ts';
import type { VerifiedTx } from '../../shared/tx/registry.ts';
import type { Rejection } from '../../shared/tx/rejection.ts';
import {
  majorityOf,
  privatePartsOf,
  requestBody,
  SEALED_DELIVERY,
  SEALED_REQUEST,
  serviceDeps,
  stepsFor,
  type MarketStep,
  type PrivateParts,
  type Within,
} from '../../shared/ui/market.ts';
import { composeAction, composeSettle, composeVerdict } from '../../shared/wallet/dnecCompose.ts';
import { EngineError } from './networkRuntime.ts';
import type { SskSession } from '../../engine/ssk.ts';
import type { WorkRunner } from './work.ts';

/** Room for the sealing overhead within a delivery's 16 KiB sealed field. */
const MAX_SEALED_OUTPUT = 16 * 1024 - 256;
/** How often the automation looks again when nothing arrives (deadlines pass on their own). */
const PASS_INTERVAL_MS = 1_000;

type Compose = (
  ledger: Ledger,
  me: KeyHex,
) => { ok: true; tx: UnsignedTx } | { ok: false; rejection: Rejection } | null;

export interface MarketHost {
  readonly ledger: Ledger;
  readonly me: KeyHex;
  /** Where reveal secrets are kept: the network's log store (its meta values). */
  readonly store: Pick<LogStore, 'putMeta' | 'getMeta'>;
  readonly clock: ClockPort;
  readonly random: RandomPort;
  readonly work: WorkRunner;
  /** Null when SSK is not available: sensitive fields and sealed deliveries are refused. */
  readonly ssk: SskSession | null;
  act(compose: Compose): Promise<VerifiedTx | null>;
  onChange(): void;
  onEvent?(event: MarketEvent): void;
}

export type MarketEvent =
  | { readonly kind: 'accepted' | 'declined' | 'delivered' | 'revealed'; readonly request: TxId }
  | { readonly kind: 'settled'; readonly request: TxId; readonly outcome: string }
  | { readonly kind: 'verdict'; readonly request: TxId; readonly pass: boolean }
  | {
      readonly kind: 'failed';
      readonly request: TxId;
      readonly action: MarketAction;
      readonly message: string;
    };

/** What the automation does on its own, and may report failing at. */
export type MarketAction = 'settle' | 'reveal' | 'respond' | 'work' | 'verdict';

export interface Automation {
  /** Services this wallet provides automatically (pow, compute). */
  readonly provide: readonly string[];
  /** Give verdicts on pow and compute deliveries when selected. */
  readonly validate: boolean;
}

export interface WorkProgress {
  readonly request: TxId;
  readonly kind: 'pow' | 'compute';
  /** Hashes tried (pow); 0 for compute, which reports only when done. */
  readonly done: number;
  /** Expected hashes (pow) or the job's cost; the search may take more or fewer. */
  readonly expected: number;
}

export interface RequestInput {
  readonly service: string;
  readonly job: Record<string, CborValue>;
  readonly volume: bigint;
  readonly provider: KeyHex;
  readonly validators: number;
  readonly k?: number;
  readonly fee: bigint;
  readonly within: Within;
  /** Sensitive form fields: sealed for the provider (a key is shared first if needed). */
  readonly sensitive?: Readonly<Record<string, string>>;
}

export interface NegotiationInput {
  readonly service: string;
  readonly volume: bigint;
  readonly maxRate?: bigint;
  readonly minReputation?: number;
  readonly exclude?: readonly KeyHex[];
  readonly validators: number;
  readonly fee: bigint;
}

/** Meta keys are at most 64 characters: 57 hex digits of the commitment are plenty. */
const revealKey = (commitment: Uint8Array): string => `reveal-${toHex(commitment).slice(0, 57)}`;

export class MarketRuntime {
  readonly #host: MarketHost;
  #automation: Automation;
  readonly #busy = new Set<string>();
  /** The last failure reported per action, so a retry that fails alike is not reported again. */
  readonly #reported = new Map<string, string>();
  readonly #work = new Map<TxId, WorkProgress>();
  #timer: ReturnType<typeof setInterval> | null = null;
  #running: Promise<void> = Promise.resolve();
  #pending = false;
  #closed = false;
  readonly #unsubscribe: () => void;

  constructor(host: MarketHost, automation: Automation) {
    this.#host = host;
    this.#automation = automation;
    this.#unsubscribe = host.ledger.onAccepted(() => this.#schedule());
    this.#timer = setInterval(() => this.#schedule(), PASS_INTERVAL_MS);
    this.#schedule();
  }

  get automation(): Automation {
    return this.#automation;
  }

  setAutomation(automation: Automation): void {
    this.#automation = automation;
    this.#schedule();
  }

  /** Machine work under way, by request. */
  work(): ReadonlyMap<TxId, WorkProgress> {
    return this.#work;
  }

  close(): void {
    this.#closed = true;
    this.#unsubscribe();
    if (this.#timer) clearInterval(this.#timer);
  }

  // ---- actions ---------------------------------------------------------------------------

  async #submit(
    type: string,
    body: Record<string, CborValue>,
    options: { deps?: readonly TxId[]; debit?: bigint } = {},
  ): Promise<VerifiedTx> {
    const tx = await this.#host.act((ledger, me) =>
      composeAction(ledger, me, type, body, { ...options, time: this.#host.clock.now() }),
    );
    if (!tx) throw new EngineError(`the ${type} could not be composed`);
    return tx;
  }

  /** Offers capacity for a service at a rate per unit; capacity 0 withdraws the offer. */
  offer(service: string, capacity: bigint, rate: bigint): Promise<VerifiedTx> {
    return this.#submit('offer', { service, capacity, rate }, { deps: serviceDeps(service) });
  }

  /** Registers a service type; its transaction id names it from then on. */
  registerService(body: Record<string, CborValue>): Promise<VerifiedTx> {
    return this.#submit('service', body);
  }

  bond(amount: bigint): Promise<VerifiedTx> {
    return this.#submit('bond', { amount }, { debit: amount });
  }

  unbond(bond: TxId): Promise<VerifiedTx> {
    return this.#submit('unbond', { bond: fromHex(bond) }, { deps: [bond] });
  }

  /** N for a request: every provider, ranked or excluded with its reason. */
  negotiate(input: NegotiationInput): NegotiationResult {
    const offers = offersFor(this.#host.ledger, input.service).filter(
      (offer) => offer.provider !== this.#host.me,
    );
    return negotiate(
      offers,
      {
        volume: input.volume,
        ...(input.maxRate === undefined ? {} : { maxRate: input.maxRate }),
        ...(input.minReputation === undefined ? {} : { minReputation: input.minReputation }),
        ...(input.exclude ? { exclude: input.exclude } : {}),
      },
      { validatorFee: input.fee, validators: input.validators },
    );
  }

  /**
   * Escrows and publishes a request to the chosen provider. The selection secret is saved
   * durably before the commitment leaves this page.
   */
  async request(input: RequestInput): Promise<{ id: TxId; escrow: bigint }> {
    const { ledger, me } = this.#host;
    const offer = offersFor(ledger, input.service).find((o) => o.provider === input.provider);
    if (!offer) throw new EngineError('that provider has no offer for this service');
    const job = { ...input.job };
    if (input.sensitive && Object.keys(input.sensitive).length > 0) {
      const ssk = this.#requireSsk();
      await ssk.ensureKey(input.provider, 'dnec');
      job.sealed = ssk.sealFor(
        input.provider,
        SEALED_REQUEST,
        utf8(JSON.stringify(input.sensitive)),
      );
    }
    const reveal = this.#host.random.bytes(32);
    const commitment = commitmentOf(reveal);
    await this.#host.store.putMeta(revealKey(commitment), reveal);
    const m = input.validators;
    const { body, deps, escrow } = requestBody(
      {
        service: input.service,
        provider: input.provider,
        volume: input.volume,
        rate: offer.rate,
        fee: input.fee,
        m,
        k: input.k ?? majorityOf(m),
        pool: m > 0 ? eligibleBonds(ledger, [me, input.provider]) : [],
        commitment,
        job,
        within: input.within,
      },
      this.#host.clock.now(),
    );
    const tx = await this.#submit('request', body, { deps, debit: escrow });
    return { id: tx.id, escrow };
  }

  accept(requestId: TxId): Promise<VerifiedTx> {
    return this.#submit('accept', { request: fromHex(requestId) }, { deps: [requestId] });
  }

  /** Refuses a request, or gives an accepted job up (never after delivering). */
  decline(requestId: TxId, reason?: string): Promise<VerifiedTx> {
    return this.#submit(
      'decline',
      { request: fromHex(requestId), ...(reason ? { reason: reason.slice(0, 256) } : {}) },
      { deps: [requestId] },
    );
  }

  /** Delivers hand-made work: its hash on the ledger, the text sealed for the consumer. */
  async deliverText(requestId: TxId, text: string): Promise<VerifiedTx> {
    const request = market(this.#host.ledger).requests.get(requestId);
    if (!request) throw new EngineError('there is no such request on this ledger');
    const bytes = utf8(text);
    const ssk = this.#requireSsk();
    await ssk.ensureKey(request.consumer, 'dnec');
    const sealed = ssk.sealFor(request.consumer, SEALED_DELIVERY, bytes);
    return this.#submit(
      'deliver',
      { request: fromHex(requestId), hash: sha256(bytes), sealed },
      { deps: [requestId] },
    );
  }

  /** The consumer approves or disputes a delivery (review types). */
  review(requestId: TxId, approve: boolean): Promise<VerifiedTx> {
    const view = instanceView(this.#host.ledger, requestId);
    if (!view) throw new EngineError('there is no such request on this ledger');
    if (!view.delivery) throw new EngineError('nothing has been delivered yet');
    return this.#submit(
      'review',
      { request: fromHex(requestId), delivery: fromHex(view.delivery), approve },
      { deps: [view.delivery] },
    );
  }

  async verdict(requestId: TxId, pass: boolean): Promise<VerifiedTx> {
    const tx = await this.#host.act((ledger, me) =>
      composeVerdict(ledger, me, requestId, pass, this.#host.clock.now()),
    );
    if (!tx) throw new EngineError('the verdict could not be composed');
    return tx;
  }

  async reveal(requestId: TxId): Promise<VerifiedTx> {
    const view = instanceView(this.#host.ledger, requestId);
    if (!view?.accept) throw new EngineError('the provider has not accepted yet');
    const secret = await this.#host.store.getMeta(revealKey(view.request.body.commitment));
    if (!secret) throw new EngineError('the secret of this request is not on this device');
    return this.#submit(
      'reveal',
      { request: fromHex(requestId), accept: fromHex(view.accept), reveal: secret },
      { deps: [view.accept] },
    );
  }

  async settle(requestId: TxId): Promise<VerifiedTx> {
    const tx = await this.#host.act((ledger, me) =>
      composeSettle(ledger, me, requestId, this.#host.clock.now()),
    );
    if (!tx) throw new EngineError('the settlement could not be composed');
    return tx;
  }

  /** The sealed parts of an instance this identity may read: request details and delivery. */
  privateParts(view: InstanceView): PrivateParts {
    const ssk = this.#host.ssk;
    if (!ssk) return {};
    return privatePartsOf(this.#host.ledger, view, (sender, recipient, label, sealed) =>
      ssk.openSealed(sender, recipient, label, sealed),
    );
  }

  #requireSsk(): SskSession {
    const ssk = this.#host.ssk;
    if (!ssk?.canOpen) {
      throw new EngineError(
        'this needs a shared key (SSK) with the other party, which this identity cannot open here',
      );
    }
    return ssk;
  }

  // ---- automation ------------------------------------------------------------------------

  #schedule(): void {
    if (this.#closed || this.#pending) return;
    this.#pending = true;
    this.#running = this.#running.then(async () => {
      this.#pending = false;
      if (!this.#closed) await this.#pass();
    });
  }

  async #pass(): Promise<void> {
    const { ledger, me } = this.#host;
    const now = this.#host.clock.now();
    for (const view of instancesOf(ledger, me)) {
      for (const step of stepsFor(ledger, view, me, now)) await this.#take(view, step);
    }
  }

  async #take(view: InstanceView, step: MarketStep): Promise<void> {
    const request = view.request.id;
    const service = view.request.service;
    const machine = service.form === 'pow' || service.form === 'compute';
    switch (step.kind) {
      case 'settle':
        return this.#once('settle', request, async () => {
          await this.settle(request);
          this.#emit({ kind: 'settled', request, outcome: step.outcome });
        });
      case 'reveal':
        return this.#once('reveal', request, async () => {
          await this.reveal(request);
          this.#emit({ kind: 'revealed', request });
        });
      case 'respond':
        if (!this.#automation.provide.includes(service.id)) return;
        return this.#once('respond', request, async () => {
          try {
            await this.accept(request);
            this.#emit({ kind: 'accepted', request });
          } catch (error) {
            // What the ledger would refuse (capacity, rate) is declined with its reason.
            await this.decline(request, messageOf(error));
            this.#emit({ kind: 'declined', request });
          }
        });
      case 'work':
        if (!machine || !this.#automation.provide.includes(service.id)) return;
        this.#background('work', request, () => this.#doWork(view));
        return;
      case 'verdict':
        if (!machine || !this.#automation.validate) return;
        return this.#once('verdict', request, () => this.#judge(view));
      case 'review':
        return; // a person approves or disputes
    }
  }

  async #doWork(view: InstanceView): Promise<void> {
    const { request } = view;
    const job = request.body.job;
    const expected = Number(request.body.volume);
    let result: Record<string, CborValue>;
    if ('difficulty' in job) {
      this.#progress({ request: request.id, kind: 'pow', done: 0, expected });
      const nonce = await this.#host.work.pow(job, (done) =>
        this.#progress({ request: request.id, kind: 'pow', done, expected }),
      );
      result = { nonce };
    } else if ('fn' in job) {
      this.#progress({ request: request.id, kind: 'compute', done: 0, expected });
      const run = await this.#host.work.compute(job);
      result = { hash: run.hash };
      // The output goes to the consumer sealed with SSK when it fits and a key can be had.
      const ssk = this.#host.ssk;
      if (run.output.length <= MAX_SEALED_OUTPUT && ssk?.canOpen) {
        await ssk.ensureKey(request.consumer, 'dnec');
        result.sealed = ssk.sealFor(request.consumer, SEALED_DELIVERY, run.output);
      }
    } else {
      return;
    }
    try {
      await this.#submit(
        'deliver',
        { request: fromHex(request.id), ...result },
        { deps: [request.id] },
      );
      this.#emit({ kind: 'delivered', request: request.id });
    } finally {
      this.#work.delete(request.id);
      this.#host.onChange();
    }
  }

  #progress(progress: WorkProgress): void {
    this.#work.set(progress.request, progress);
    this.#host.onChange();
  }

  async #judge(view: InstanceView): Promise<void> {
    const delivery = view.delivery ? this.#host.ledger.get(view.delivery) : undefined;
    const job = view.request.body.job;
    const hash = (delivery?.body as { hash?: Uint8Array } | undefined)?.hash;
    let pass: boolean;
    // The ledger checked a pow nonce when it took the delivery in.
    if ('difficulty' in job) pass = true;
    else if ('fn' in job && hash) pass = checkComputeResult(job, hash);
    else return;
    await this.verdict(view.request.id, pass);
    this.#emit({ kind: 'verdict', request: view.request.id, pass });
  }

  /** One action per key at a time; a failure is reported and tried again on a later pass. */
  async #once(action: MarketAction, request: TxId, run: () => Promise<void>): Promise<void> {
    const key = `${action}:${request}`;
    if (this.#busy.has(key)) return;
    this.#busy.add(key);
    try {
      await run();
      this.#reported.delete(key);
    } catch (error) {
      this.#fail(key, request, action, error);
    } finally {
      this.#busy.delete(key);
    }
  }

  /** Long work runs beside the passes, which go on meanwhile. */
  #background(action: MarketAction, request: TxId, run: () => Promise<void>): void {
    const key = `${action}:${request}`;
    if (this.#busy.has(key)) return;
    this.#busy.add(key);
    void run()
      .catch((error: unknown) => {
        this.#work.delete(request);
        this.#fail(key, request, action, error);
      })
      .finally(() => {
        this.#busy.delete(key);
        this.#schedule();
      });
  }

  /** Reports a failure once: a pass a second later that fails the same way says nothing new. */
  #fail(key: string, request: TxId, action: MarketAction, error: unknown): void {
    const message = messageOf(error);
    if (this.#reported.get(key) === message) return;
    this.#reported.set(key, message);
    this.#emit({ kind: 'failed', request, action, message });
  }

  #emit(event: MarketEvent): void {
    this.#host.onEvent?.(event);
    this.#host.onChange();
  }
}

const messageOf = (error: unknown): string =>
  error instanceof Error ? error.message : String(error);
